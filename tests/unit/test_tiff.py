"""TIFF input: scans and exports read through libtiff; kept as PNG; multi-page gives page 1."""

from __future__ import annotations

import io

import pytest
from imagehelpers import corpus, decode
from PIL import Image, ImageChops

from imgcompress import CorruptImageError, Options, compress


def _tiff(images: list[Image.Image], compression: str) -> bytes:
    out = io.BytesIO()
    images[0].save(out, "TIFF", compression=compression, save_all=True, append_images=images[1:])
    return out.getvalue()


def _photo() -> Image.Image:
    return decode(corpus("kodim23.png")).convert("RGB").crop((0, 0, 320, 240))


@pytest.mark.parametrize("compression", ["raw", "tiff_lzw", "tiff_adobe_deflate", "jpeg"])
def test_compressed_tiffs_are_read(compression: str) -> None:
    """Uncompressed, LZW, Deflate and JPEG-in-TIFF scans all decode and compress."""
    result = compress(_tiff([_photo()], compression), Options(format="jpeg", quality=80))
    assert (result.width, result.height) == (320, 240)
    assert decode(result.data).format == "JPEG"


def test_keep_writes_tiff_as_png_losslessly() -> None:
    """ "Keep the format" writes a TIFF as PNG with identical pixels, and says so."""
    source = _photo()
    result = compress(_tiff([source], "tiff_lzw"), Options(visual_target=1.0))
    assert result.format == "png"
    assert ImageChops.difference(decode(result.data).convert("RGB"), source).getbbox() is None
    assert "format_converted" in [n["code"] for n in result.report["notes"]]


def test_multi_page_tiff_gives_the_first_page_and_a_note() -> None:
    """Three pages: the first is compressed, the note says how many there were."""
    pages = [_photo(), Image.new("RGB", (320, 240), "red"), Image.new("RGB", (320, 240), "blue")]
    result = compress(_tiff(pages, "tiff_lzw"), Options(format="png", visual_target=1.0))
    note = next(n for n in result.report["notes"] if n["code"] == "pages_skipped")
    assert note["pages"] == 3
    assert ImageChops.difference(decode(result.data).convert("RGB"), pages[0]).getbbox() is None


def test_truncated_tiff_is_refused() -> None:
    """A TIFF cut inside its strips is a corrupt_image error, not a partial page."""
    data = _tiff([_photo()], "tiff_lzw")
    with pytest.raises(CorruptImageError):
        compress(data[: len(data) // 2], Options(format="png"))
