"""HEIC/HEIF input: phone photos read through libheif, written as JPEG, metadata removed."""

from __future__ import annotations

import io

import pytest
from imagehelpers import corpus, decode
from PIL import Image, ImageChops, ImageStat

from imgcompress import CorruptImageError, ImageTooLargeError, Options, codecs, compress, inspect

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def _heic(image: Image.Image, exif: Image.Exif | None = None) -> bytes:
    """A HEIC written by libheif's encoder (natively only; the site ships no HEVC encoder)."""
    codecs.heic.is_available()
    out = io.BytesIO()
    image.save(out, "HEIF", quality=90, exif=exif.tobytes() if exif is not None else None)
    return out.getvalue()


def _kodim_crop() -> Image.Image:
    return decode(corpus("kodim23.png")).convert("RGB").crop((0, 0, 300, 200))


def _gps_exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (60.0, 10.0, 0.0), 3: "E", 4: (24.0, 56.0, 0.0)})
    return exif


def _no_metadata(data: bytes) -> None:
    """Parse the JPEG back: no EXIF, no XMP or IPTC segment, no GPS bytes."""
    headers = codecs.jpeg.headers(data)
    assert 0xE1 not in {m for m, _ in headers}
    assert 0xED not in {m for m, _ in headers}
    assert len(decode(data).getexif()) == 0


def test_heic_is_sniffed_as_heic_not_avif() -> None:
    """HEIF brands pick the HEIC codec; the AVIF codec does not claim them."""
    data = corpus("heic_sony_gray_exif_xmp_iptc.heic")
    assert codecs.sniff(data) is codecs.heic.CODEC


def test_keep_writes_heic_as_jpeg_and_says_so() -> None:
    """ "Keep the format" turns a HEIC into a JPEG (only Safari shows HEIC), noted as such."""
    result = compress(corpus("heic_sony_gray_exif_xmp_iptc.heic"))
    assert result.format == "jpeg"
    assert decode(result.data).format == "JPEG"
    note = next(n for n in result.report["notes"] if n["code"] == "format_converted")
    assert note["text"].startswith("HEIC → JPEG")


def test_every_kind_of_metadata_is_reported_and_removed() -> None:
    """The Sony file's EXIF, XMP and IPTC are reported, and none is left in the JPEG."""
    result = compress(corpus("heic_sony_gray_exif_xmp_iptc.heic"))
    assert {"exif", "xmp", "iptc", "camera"} <= set(result.report["removed"])
    assert result.report["metadata"]["make"] == "SONY"
    _no_metadata(result.data)


def test_gps_is_reported_and_removed() -> None:
    """A HEIC with GPS reports the location and the JPEG carries none of it."""
    result = compress(_heic(_kodim_crop(), _gps_exif()), Options(quality=85))
    assert result.report["metadata"]["gps"] == pytest.approx(
        {"lat": 60.1667, "lon": 24.9333}, abs=1e-3
    )
    assert "gps" in result.report["removed"]
    _no_metadata(result.data)
    assert b"PhoneMaker" not in result.data


def test_rotation_is_applied_once() -> None:
    """EXIF orientation 6 becomes a HEIF rotation: the output is turned once, not twice."""
    source = _kodim_crop()
    result = compress(_heic(source, _gps_exif(orientation=6)), Options(quality=90))
    out = decode(result.data).convert("RGB")
    expected = source.transpose(Image.Transpose.ROTATE_270)
    assert out.size == expected.size
    assert max(ImageStat.Stat(ImageChops.difference(out, expected)).mean) < 4


def test_only_the_primary_image_of_several() -> None:
    """A HEIF holding three images gives its primary one, with a note saying so."""
    data = corpus("heic_nokia_alpha_3images.heic")
    result = compress(data, Options(quality=85))
    assert (result.width, result.height) == (1440, 960)
    assert "pages_skipped" in [n["code"] for n in result.report["notes"]]
    assert result.report["frames"] == 1
    primary = Image.open(io.BytesIO(data))
    assert primary.info["primary"] is True
    out = decode(result.data).convert("RGB")
    assert max(ImageStat.Stat(ImageChops.difference(out, primary.convert("RGB"))).mean) < 4


def test_truncated_heic_is_refused() -> None:
    """A HEIF cut short is a corrupt_image error (libheif would decode it without a word)."""
    with pytest.raises(CorruptImageError, match="truncated"):
        compress(corpus("corrupt_truncated.heic"))


def test_pixel_limit_applies_before_decoding() -> None:
    """The same pixel limit as for JPEG refuses a HEIC from its header."""
    with pytest.raises(ImageTooLargeError):
        compress(corpus("heic_nokia_alpha_3images.heic"), Options(max_pixels=1_000_000))


def test_inspect_describes_a_heic() -> None:
    """inspect names the format and reads the metadata without compressing."""
    info = inspect(corpus("heic_sony_gray_exif_xmp_iptc.heic"))
    assert (info.format, info.width, info.height) == ("heic", 64, 64)
    assert info.metadata["iptc"] is True
