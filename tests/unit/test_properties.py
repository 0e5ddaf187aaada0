"""Property tests: whatever bytes come in, only ImageCompressError comes out."""

from __future__ import annotations

import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from imagehelpers import corpus, encode, gradient
from PIL import Image

from imgcompress import ImageCompressError, Options, compress, inspect

SMALL = [
    corpus("corrupt_truncated.jpg"),
    corpus("alpha_transparent_rgba.png"),
    encode(gradient((40, 30)), "JPEG", quality=80),
    encode(gradient((40, 30)), "PNG"),
    encode(gradient((40, 30)), "WEBP", quality=80),
    encode(gradient((40, 30)).quantize(16), "GIF"),
]
FAST = Options(quality=70, max_pixels=4_000_000)
PROPS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _attempt(data: bytes) -> None:
    for call in (lambda: compress(data, FAST), lambda: inspect(data, max_pixels=4_000_000)):
        error: ImageCompressError | None = None
        try:
            call()
        except ImageCompressError as exc:
            error = exc
        if error is not None:
            assert error.code
            assert error.message


@PROPS
@given(st.binary(max_size=2048))
def test_random_bytes(data: bytes) -> None:
    """Random byte strings only ever raise ImageCompressError subclasses."""
    _attempt(data)


@PROPS
@given(
    st.sampled_from(SMALL),
    st.lists(st.tuples(st.integers(0, 1 << 20), st.integers(0, 255)), min_size=1, max_size=8),
    st.integers(0, 1 << 20),
)
def test_mutated_files(base: bytes, flips: list[tuple[int, int]], cut: int) -> None:
    """Corpus-like files with flipped bytes and cut tails only raise our errors."""
    data = bytearray(base)
    for pos, value in flips:
        data[pos % len(data)] = value
    _attempt(bytes(data[: max(1, len(data) - cut % len(data))]))


@PROPS
@given(st.sampled_from(SMALL[1:]), st.integers(8, 64))
def test_header_prefixes(base: bytes, keep: int) -> None:
    """Files cut right after their header (the classic truncation) fail cleanly."""
    _attempt(base[:keep])


def test_valid_small_images_round_trip() -> None:
    """The un-mutated seeds that are valid compress to decodable output."""
    for data in SMALL[1:]:
        result = compress(data, FAST)
        Image.open(io.BytesIO(result.data)).load()
