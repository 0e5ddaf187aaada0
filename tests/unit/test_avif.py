"""AVIF: written with a searched quality, read back, and offered by "smallest" for small images."""

from __future__ import annotations

import io

import pytest
from imagehelpers import corpus, decode, encode, gradient, graphic
from PIL import Image

from imgcompress import DEFAULT_VISUAL_TARGET, CorruptImageError, Options, codecs, compress
from imgcompress.codecs import Picture, Settings, avif


def _kodim() -> bytes:
    return corpus("kodim23.png")


def test_probe_is_faster_speed_final_is_full_effort() -> None:
    """Probes use the faster libaom speed; the final encode the chosen one."""
    picture = Picture.still(gradient())
    assert (
        avif.encode(picture, Settings(quality=50, probe=True)).params["speed"] == avif.PROBE_SPEED
    )
    assert avif.encode(picture, Settings(quality=50)).params["speed"] == avif.SPEED


def test_visual_target_is_met_and_smaller_than_jpeg() -> None:
    """At the default target an AVIF of a Kodak photo reaches it and beats the JPEG."""
    as_avif = compress(_kodim(), Options(format="avif"))
    as_jpeg = compress(_kodim(), Options(format="jpeg"))
    assert as_avif.format == "avif"
    assert as_avif.report["score"] >= DEFAULT_VISUAL_TARGET
    assert as_avif.size < as_jpeg.size
    assert decode(as_avif.data).format == "AVIF"


def test_avif_input_round_trips_with_alpha() -> None:
    """An AVIF with transparency is read and, kept as AVIF, keeps it."""
    source = graphic()
    out = io.BytesIO()
    source.save(out, "AVIF", quality=90)
    result = compress(out.getvalue(), Options(quality=90))
    assert result.format == "avif"
    back = decode(result.data).convert("RGBA")
    assert back.getpixel((0, 0))[3] == 0
    assert back.getpixel((40, 40))[3] == 255


def test_smallest_tries_avif_for_small_images_only() -> None:
    """ "smallest" includes AVIF up to its pixel limit and leaves it out above."""
    small = compress(_kodim(), Options(format="smallest"))
    tried = next(n for n in small.report["notes"] if n["code"] == "format_chosen")["tried"]
    assert "avif" in tried
    big = Image.open(io.BytesIO(_kodim())).convert("RGB").resize((2600, 1734))
    assert big.size[0] * big.size[1] > avif.SMALLEST_MAX_PIXELS
    assert not avif.fits_smallest(big)
    assert avif.fits_smallest(Image.new("RGB", (2000, 2000)))


def test_truncated_avif_is_refused() -> None:
    """An AVIF cut short is a corrupt_image error naming AVIF."""
    data = encode(gradient(), "AVIF", quality=60)
    assert codecs.sniff(data) is codecs.avif.CODEC
    with pytest.raises(CorruptImageError, match="AVIF"):
        compress(data[: len(data) // 2])


def test_a_codec_package_loaded_late_registers_the_writer(monkeypatch: pytest.MonkeyPatch) -> None:
    """If Pillow's AVIF plugin was imported before _avif existed, availability re-registers it."""
    from PIL import AvifImagePlugin

    monkeypatch.setattr(AvifImagePlugin, "SUPPORTED", False)
    monkeypatch.delitem(Image.SAVE, "AVIF")
    assert avif.is_available() is True
    assert AvifImagePlugin.SUPPORTED is True
    assert "AVIF" in Image.SAVE
