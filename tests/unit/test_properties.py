"""Property tests: whatever bytes come in, only ImageCompressError comes out.

Any other exception is a bug in the engine and fails the test (compress no longer turns
bugs into "damaged file" errors), and the door must never answer internal_error.
"""

from __future__ import annotations

import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from imagehelpers import corpus, encode, gradient
from PIL import Image

from imgcompress import ImageCompressError, Options, compress, door, inspect

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
    answer = door.compress_file(data, {"quality": 70, "max_pixels": 4_000_000}, "x")
    assert answer["ok"] or answer["error"]["code"] != "internal_error"


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


def _gps_jpeg() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "Cam"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (40.0, 24.0, 0.0), "W", (3.0, 42.0, 0.0)
    return encode(gradient((64, 48)), "JPEG", quality=90, exif=exif.tobytes())


def _anim_gif() -> bytes:
    frames = [Image.new("RGB", (32, 24), (i * 80, 40, 200 - i * 60)) for i in range(3)]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=[40, 50, 60])
    return out.getvalue()


INPUTS = [_gps_jpeg(), encode(gradient((64, 48), mode="RGBA"), "PNG"), _anim_gif()]
MODES = st.one_of(
    st.just({}),
    st.integers(1, 100).map(lambda q: {"quality": q}),
    st.integers(100, 30_000).map(lambda t: {"target_size": t}),
    st.floats(0.5, 1.0).map(lambda v: {"visual_target": v}),
)
REST = st.fixed_dictionaries(
    {
        "format": st.sampled_from(["keep", "jpeg", "png", "webp", "smallest"]),
        "max_width": st.none() | st.integers(8, 100),
        "max_height": st.none() | st.integers(8, 100),
        "keep": st.lists(st.sampled_from(["datetime", "copyright"]), max_size=2).map(tuple),
        "to_srgb": st.booleans(),
        "colors": st.just("auto") | st.integers(2, 256),
    }
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(INPUTS), MODES, REST)
def test_any_valid_options_give_a_clean_image(
    data: bytes, mode: dict[str, object], rest: dict[str, object]
) -> None:
    """Every valid option combination yields a decodable, GPS-free, honest result."""
    import json

    options = Options(**mode, **rest)  # type: ignore[arg-type]
    result = compress(data, options)
    out = Image.open(io.BytesIO(result.data))
    out.load()
    assert out.size == (result.width, result.height)
    assert result.mime_type == Image.MIME[out.format or ""]
    assert not out.getexif().get_ifd(0x8825)
    if options.max_width:
        assert result.width <= max(options.max_width, 1)
    if options.max_height:
        assert result.height <= max(options.max_height, 1)
    if options.target_size and result.report["target_met"]:
        assert result.size <= options.target_size
    if getattr(out, "n_frames", 1) > 1 or data is INPUTS[2]:
        assert getattr(out, "n_frames", 1) == 3
    json.dumps(result.to_dict())
