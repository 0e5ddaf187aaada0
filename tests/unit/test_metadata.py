"""Metadata: found and reported, removed losslessly, kept only when asked."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from imagehelpers import corpus, decode, encode, gradient
from PIL import Image, ImageChops, ImageCms

from imgcompress import codecs, metadata


def _jpeg_markers(data: bytes) -> list[tuple[int, bytes]]:
    return codecs.jpeg.headers(data)


def _sos_offset(data: bytes) -> int:
    return 2 + sum(len(payload) + 4 for _, payload in _jpeg_markers(data))


def _png_chunks(data: bytes) -> list[tuple[bytes, bytes, int]]:
    chunks, pos = [], 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        ctype = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        chunks.append((ctype, body, crc))
        pos += 12 + length
    return chunks


def _tagged_jpeg() -> bytes:
    """A JPEG with EXIF (GPS, make, dates, copyright), XMP, IPTC, COM and ICC."""
    exif = Image.Exif()
    exif[metadata.TAG_MAKE] = "TestMake"
    exif[metadata.TAG_MODEL] = "TestModel"
    exif[metadata.TAG_SOFTWARE] = "TestSoft 1.0"
    exif[metadata.TAG_COPYRIGHT] = "(c) Someone"
    exif[metadata.TAG_DATETIME] = "2021:02:03 04:05:06"
    exif.get_ifd(metadata.EXIF_IFD)[metadata.TAG_DATETIME_ORIGINAL] = "2021:02:03 04:05:06"
    gps = exif.get_ifd(metadata.GPS_IFD)
    gps[1], gps[2], gps[3], gps[4] = "S", (33.0, 51.0, 36.0), "W", (70.0, 39.0, 0.0)
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = encode(
        gradient(), "JPEG", quality=80, exif=exif.tobytes(), icc_profile=icc, comment=b"hello"
    )
    xmp = b"http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta/>"
    iptc = b"Photoshop 3.0\x008BIM\x04\x04\x00\x00\x00\x00\x00\x00"
    extra = b""
    for marker, payload in ((0xE1, xmp), (0xED, iptc)):
        extra += bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload
    return data[:2] + extra + data[2:]


def test_read_finds_everything_in_a_tagged_jpeg() -> None:
    """GPS as signed decimals, camera, times, software, XMP, IPTC, comment and ICC."""
    data = _tagged_jpeg()
    found = metadata.read(Image.open(io.BytesIO(data)), data, codecs.jpeg.CODEC)
    assert found.gps == {"lat": pytest.approx(-33.86), "lon": pytest.approx(-70.65)}
    assert (found.make, found.model) == ("TestMake", "TestModel")
    assert found.captured == "2021:02:03 04:05:06"
    assert found.software == "TestSoft 1.0"
    assert found.copyright == "(c) Someone"
    assert found.xmp
    assert found.iptc
    assert found.comment
    assert found.icc is not None
    assert "sRGB" in found.icc
    assert {"gps", "camera", "capture_time", "xmp", "iptc", "comment"} <= set(found.removable())


@pytest.mark.parametrize(
    ("name", "lat", "lon"),
    [
        ("photo_gps_nokia8.3_9mp.jpg", (59.5, 60.7), (24, 26)),
        ("photo_gps_iphone6_hdr_no_8mp.jpg", (40, 41), (-4.5, -3)),
    ],
)
def test_read_corpus_gps(name: str, lat: tuple[float, float], lon: tuple[float, float]) -> None:
    """The corpus GPS photos read as Helsinki and Madrid (signs from the refs)."""
    data = corpus(name)
    found = metadata.read(Image.open(io.BytesIO(data)), data, codecs.jpeg.CODEC)
    assert found.gps is not None
    assert lat[0] < found.gps["lat"] < lat[1]
    assert lon[0] < found.gps["lon"] < lon[1]
    assert found.make
    assert found.model


@pytest.mark.parametrize(
    "name",
    ["photo_gps_iphone6_hdr_no_8mp.jpg", "cmyk_swop_icc.jpg", "exif_orientation6_landscape.jpg"],
)
def test_strip_jpeg_is_pixel_identical_and_clean(name: str) -> None:
    """Stripping a corpus JPEG keeps every pixel and leaves no APP1/APP13/COM/EXIF."""
    data = corpus(name)
    out = codecs.jpeg.strip(data)
    before, after = decode(data), decode(out)
    assert before.tobytes() == after.tobytes()
    markers = {m for m, _ in _jpeg_markers(out)}
    assert not markers & {0xE1, 0xED, 0xFE}
    assert not after.getexif()
    assert after.info.get("icc_profile") == before.info.get("icc_profile")
    assert len(out) < len(data)


def test_strip_jpeg_keeps_scan_bytes_and_adobe() -> None:
    """The entropy-coded data is byte-identical; APP2 ICC and APP14 Adobe stay."""
    data = corpus("cmyk_swop_icc.jpg")
    out = codecs.jpeg.strip(data)
    sos_in, sos_out = _sos_offset(data), _sos_offset(out)
    assert out[sos_out : sos_out + 2] == b"\xff\xda"
    assert out[sos_out:] == data[sos_in : data.rindex(b"\xff\xd9") + 2]
    markers = [m for m, _ in _jpeg_markers(out)]
    assert 0xE2 in markers
    assert 0xEE in markers


def test_strip_jpeg_generated_with_everything() -> None:
    """A JPEG with EXIF+GPS, XMP, IPTC, COM loses all of them but keeps ICC."""
    data = _tagged_jpeg()
    out = codecs.jpeg.strip(data)
    found = metadata.read(Image.open(io.BytesIO(out)), out, codecs.jpeg.CODEC)
    assert found.removable() == []
    assert found.icc_present
    assert decode(out).tobytes() == decode(data).tobytes()


def test_strip_jpeg_can_insert_minimal_exif() -> None:
    """keep=datetime writes an EXIF with only the times: no GPS, no camera."""
    data = _tagged_jpeg()
    exif = metadata.minimal_exif(Image.open(io.BytesIO(data)), ("datetime",))
    out = codecs.jpeg.strip(data, exif)
    found = metadata.read(Image.open(io.BytesIO(out)), out, codecs.jpeg.CODEC)
    assert found.captured == "2021:02:03 04:05:06"
    assert found.gps is None
    assert found.make is None
    assert found.copyright is None
    raw = decode(out).getexif()
    assert not raw.get_ifd(metadata.GPS_IFD)


def test_minimal_exif_is_none_when_nothing_kept() -> None:
    """With nothing to keep there is no EXIF block at all."""
    data = _tagged_jpeg()
    assert metadata.minimal_exif(Image.open(io.BytesIO(data)), ()) is None


def _tagged_png() -> bytes:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "secret")
    info.add_text("Author", "me", zip=True)
    info.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta/>")
    exif = Image.Exif()
    exif[metadata.TAG_MAKE] = "Cam"
    return encode(gradient(mode="RGBA"), "PNG", pnginfo=info, exif=exif.tobytes())


def test_strip_png_drops_text_and_exif_with_valid_crcs() -> None:
    """eXIf/tEXt/zTXt/iTXt go, every remaining chunk has a valid CRC, pixels identical."""
    data = _tagged_png()
    assert {b"tEXt", b"zTXt", b"iTXt", b"eXIf"} <= {c for c, _, _ in _png_chunks(data)}
    out = codecs.png.strip(data)
    chunks = _png_chunks(out)
    assert not {c for c, _, _ in chunks} & codecs.png.DROP
    for ctype, body, crc in chunks:
        assert zlib.crc32(ctype + body) & 0xFFFFFFFF == crc
    assert decode(out).tobytes() == decode(data).tobytes()
    assert not decode(out).getexif()


def test_strip_png_corpus_keeps_icc() -> None:
    """The RGBA screenshot (a crop with all its chunks) loses EXIF/XMP, keeps iCCP and pixels."""
    data = corpus("screenshot_grouch_web_rgba_crop.png")
    out = codecs.png.strip(data)
    assert b"iCCP" in {c for c, _, _ in _png_chunks(out)}
    assert ImageChops.difference(decode(out), decode(data)).getbbox() is None


def test_strip_webp_drops_exif() -> None:
    """EXIF leaves the RIFF container; the image still decodes identically."""
    exif = Image.Exif()
    exif[metadata.TAG_MAKE] = "Cam"
    data = encode(gradient(), "WEBP", lossless=True, exif=exif.tobytes())
    assert b"EXIF" in data
    out = codecs.webp.strip(data)
    assert b"EXIF" not in out
    assert decode(out).tobytes() == decode(data).tobytes()
    assert struct.unpack("<I", out[4:8])[0] == len(out) - 8


def test_strip_rejects_other_formats() -> None:
    """The strippers refuse bytes of the wrong format instead of corrupting them."""
    with pytest.raises(ValueError, match="JPEG"):
        codecs.jpeg.strip(b"\x89PNG\r\n\x1a\n")
    with pytest.raises(ValueError, match="PNG"):
        codecs.png.strip(b"\xff\xd8\xff")


def _frames_bytes(data: bytes) -> list[bytes]:
    image = Image.open(io.BytesIO(data))
    out = []
    for i in range(image.n_frames):
        image.seek(i)
        out.append(image.convert("RGBA").tobytes())
    return out


def test_strip_gif_drops_comments_keeps_every_frame() -> None:
    """GIF comments go; all 42 corpus frames decode identically, timing intact."""
    source = corpus("anim_iss634_42frames.gif")
    frames = [Image.open(io.BytesIO(source))]
    with_comment = encode(gradient().quantize(32), "GIF", comment=b"secret gif comment")
    assert b"secret gif comment" in with_comment
    out = codecs.gif.strip(with_comment)
    assert b"secret gif comment" not in out
    assert decode(out).convert("RGB").tobytes() == decode(with_comment).convert("RGB").tobytes()
    stripped = codecs.gif.strip(source)
    assert _frames_bytes(stripped) == _frames_bytes(source)
    assert frames[0].n_frames == 42


def test_strip_gif_rejects_truncation() -> None:
    """A GIF cut inside an image block is refused rather than silently shortened."""
    with pytest.raises(ValueError, match="GIF"):
        codecs.gif.strip(corpus("anim_iss634_42frames.gif")[:5000])
