"""Damaged inputs: every truncated or overwritten file is an error or a whole picture.

The damaged corpus is generated here from real files of each input format.  Truncations
must always be refused.  Overwritten bytes inside the image data must be refused where the
format can tell (PNG has a CRC on every chunk); where the decoder really decodes the file
whole (JPEG, WebP and GIF have no checksum on their image data), the output must be a
complete picture of the right size.  Never a partial picture reported as done.
"""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable

import pytest
from imagehelpers import corpus, encode
from PIL import Image

from imgcompress import CorruptImageError, Options, codecs, compress, door, inspect

FAST = Options(quality=70)
TRUNCATE_AT = (0.25, 0.5, 0.75, 0.95)
OVERWRITE_AT = (0.2, 0.5, 0.8)
OVERWRITE_BYTES = 32
PATTERNS = (b"\x00", b"\x55")


def _kodim_webp(**kwargs: object) -> bytes:
    return encode(Image.open(io.BytesIO(corpus("kodim23.png"))).convert("RGB"), "WEBP", **kwargs)


def _png_data(data: bytes) -> tuple[int, int]:
    idat = [(s, e) for t, s, e in codecs.png.chunks(data) if t == b"IDAT"]
    return idat[0][0] + 8, idat[-1][1] - 4


def _jpeg_data(data: bytes) -> tuple[int, int]:
    scans = [(s, e) for m, s, e in codecs.jpeg.segments(data) if m == codecs.jpeg.SOS]
    return scans[0][0] + 16, scans[-1][1]


def _webp_data(data: bytes) -> tuple[int, int]:
    (_, start, end), *_ = [c for c in codecs.webp.chunks(data) if c[0] in (b"VP8 ", b"VP8L")]
    return start + 16, end


def _gif_data(data: bytes) -> tuple[int, int]:
    first_image = data.index(b"\x2c", 800)
    return first_image + 16, len(data) - 1


SOURCES: dict[str, tuple[Callable[[], bytes], Callable[[bytes], tuple[int, int]], bool]] = {
    # name: (real file, where its image data lies, whether any damage there is detectable)
    "png-photo": (lambda: corpus("kodim23.png"), _png_data, True),
    "png-screenshot": (lambda: corpus("screenshot_cfm_terminal.png"), _png_data, True),
    "png-alpha": (lambda: corpus("alpha_transparent_rgba.png"), _png_data, True),
    "jpeg-camera": (lambda: corpus("exif_orientation6_landscape.jpg"), _jpeg_data, False),
    "webp-lossy": (lambda: _kodim_webp(quality=80), _webp_data, False),
    "webp-lossless": (lambda: _kodim_webp(lossless=True), _webp_data, False),
    "gif-animation": (lambda: corpus("anim_iss634_42frames.gif"), _gif_data, False),
}


def _truncations() -> list[tuple[str, float]]:
    return [(name, at) for name in SOURCES for at in TRUNCATE_AT]


def _overwrites() -> list[tuple[str, float, bytes]]:
    return [(name, at, p) for name in SOURCES for at in OVERWRITE_AT for p in PATTERNS]


def _assert_whole(result_data: bytes, source: bytes) -> None:
    """A success must be a complete picture: it decodes fully at the source's size."""
    original = Image.open(io.BytesIO(source))
    out = Image.open(io.BytesIO(result_data))
    out.load()
    assert sorted(out.size) == sorted(original.size)


@pytest.mark.parametrize(("name", "at"), _truncations())
def test_truncated_file_is_refused(name: str, at: float) -> None:
    """A file cut anywhere inside is a corrupt_image error that says it is truncated."""
    data = SOURCES[name][0]()
    cut = data[: int(len(data) * at)]
    with pytest.raises(CorruptImageError) as info:
        compress(cut, FAST)
    assert "truncated" in info.value.message or "damaged" in info.value.message


@pytest.mark.parametrize(("name", "at", "pattern"), _overwrites())
def test_overwritten_image_data_is_an_error_or_whole(name: str, at: float, pattern: bytes) -> None:
    """32 overwritten bytes inside the image data: an error, or a whole picture, never partial."""
    make, region, detectable = SOURCES[name]
    data = make()
    start, end = region(data)
    pos = start + int((end - start - OVERWRITE_BYTES) * at)
    damaged = data[:pos] + pattern * OVERWRITE_BYTES + data[pos + OVERWRITE_BYTES :]
    assert damaged != data
    error: CorruptImageError | None = None
    try:
        result = compress(damaged, FAST)
    except CorruptImageError as exc:
        error = exc
    if error is not None:
        assert "damaged" in error.message or "truncated" in error.message
        return
    assert not detectable, f"{name}: damage at byte {pos} passed as a {result.format}"
    _assert_whole(result.data, data)


def test_damaged_png_names_the_image_data() -> None:
    """A PNG whose IDAT fails its CRC says its image data is damaged, in compress and inspect."""
    data = corpus("kodim23.png")
    start, end = _png_data(data)
    mid = (start + end) // 2
    damaged = data[:mid] + bytes(OVERWRITE_BYTES) + data[mid + OVERWRITE_BYTES :]
    for call in (lambda: compress(damaged, FAST), lambda: inspect(damaged)):
        with pytest.raises(CorruptImageError, match="PNG image data is damaged"):
            call()


def test_damaged_png_through_the_door_is_a_file_error() -> None:
    """The page gets corrupt_image for the damaged file, not a result and not internal_error."""
    data = corpus("kodim23.png")
    start, _ = _png_data(data)
    damaged = data[:start] + bytes(OVERWRITE_BYTES) + data[start + OVERWRITE_BYTES :]
    answer = door.compress_file(damaged, {"quality": 70}, "photo.png")
    assert answer["ok"] is False
    assert answer["error"]["code"] == "corrupt_image"


def test_jpeg_without_end_marker_is_truncated() -> None:
    """A JPEG cut just before its EOI marker is refused instead of decoded with a grey tail."""
    data = corpus("exif_orientation6_landscape.jpg")
    end = data.rindex(b"\xff\xd9")
    with pytest.raises(CorruptImageError, match="truncated"):
        compress(data[:end], FAST)


def _chunk(ctype: bytes, body: bytes) -> bytes:
    crc = zlib.crc32(ctype + body) & 0xFFFFFFFF
    return struct.pack(">I", len(body)) + ctype + body + struct.pack(">I", crc)


def test_broken_stream_with_valid_crcs_is_not_half_decoded() -> None:
    """A PNG whose zlib stream is broken but whose CRCs were recomputed, with a text chunk
    after the pixels (reading it loads the image as a side effect, and Pillow's second
    load returns the partial pixels): refused, not a half-black picture."""
    data = corpus("kodim23.png")
    out = bytearray(codecs.png.SIGNATURE)
    for ctype, start, end in codecs.png.chunks(data):
        body = data[start + 8 : end - 4]
        if ctype == b"IDAT":
            mid = len(body) // 2
            body = body[:mid] + b"\x55" * OVERWRITE_BYTES + body[mid + OVERWRITE_BYTES :]
        if ctype == b"IEND":
            out += _chunk(b"tEXt", b"Comment\x00written after the pixels")
        out += _chunk(ctype, body)
    damaged = bytes(out)
    codecs.png.check(damaged)  # the container itself is intact
    with pytest.raises(CorruptImageError, match="PNG data is damaged"):
        compress(damaged, FAST)
