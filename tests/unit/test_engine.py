"""compress() and inspect(): formats, modes, options, errors and the promises users rely on."""

from __future__ import annotations

import io
import json
import struct

import pytest
from imagehelpers import corpus, decode, encode, gradient, graphic
from PIL import Image, ImageChops, ImageCms, ImageFile, ImageOps, ImageStat

from imgcompress import (
    DEFAULT_VISUAL_TARGET,
    CorruptImageError,
    EmptyInputError,
    ImageCompressError,
    ImageTooLargeError,
    InvalidOptionsError,
    Options,
    Result,
    UnsupportedFormatError,
    codecs,
    compress,
    inspect,
    metadata,
    pixels,
)
from imgcompress.codecs import CODECS
from imgcompress.score import score


def _no_exif(data: bytes) -> None:
    """Parse the output back: no EXIF via Pillow, no APP1 marker, no eXIf chunk, no GPS."""
    image = decode(data)
    exif = image.getexif()
    assert not exif.get_ifd(metadata.GPS_IFD)
    assert len(exif) == 0
    if data[:2] == b"\xff\xd8":
        assert 0xE1 not in {m for m, _ in codecs.jpeg.headers(data)}
    assert b"eXIf" not in data[:64_000] or data[:8] != codecs.png.SIGNATURE
    assert b"GPS" not in data[:64_000]


def _codes(result: Result) -> list[str]:
    return [note["code"] for note in result.report["notes"]]


def _frames(data: bytes) -> tuple[int, list[int]]:
    image = Image.open(io.BytesIO(data))
    durations = []
    for i in range(image.n_frames):
        image.seek(i)
        image.load()
        durations.append(int(image.info.get("duration", 0)))
    return image.n_frames, durations


# --- errors ---------------------------------------------------------------------------


def test_empty_input() -> None:
    """Zero bytes raise EmptyInputError with its code."""
    with pytest.raises(EmptyInputError) as info:
        compress(b"")
    assert info.value.code == "empty_input"


@pytest.mark.parametrize(
    ("data", "word"),
    [
        (b"hello, this is text", "not an image"),
        (b"BM" + b"\x00" * 60, "BMP"),
        (b"%PDF-1.4\n...", "PDF"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "SVG"),
        (b"\x00\x00\x00\x18ftypisom" + b"\x00" * 20, "HEIF-family"),
    ],
)
def test_unsupported_formats_say_what_they_are(data: bytes, word: str) -> None:
    """Non-images and other formats raise UnsupportedFormatError naming the problem."""
    with pytest.raises(UnsupportedFormatError) as info:
        compress(data)
    assert info.value.code == "unsupported_format"
    assert word in info.value.message


@pytest.mark.parametrize("name", ["corrupt_truncated.jpg", "corrupt_truncated_image.png"])
def test_truncated_corpus_files(name: str) -> None:
    """Truncated JPEG/PNG raise CorruptImageError saying the file is truncated."""
    with pytest.raises(CorruptImageError) as info:
        compress(corpus(name))
    assert info.value.code == "corrupt_image"
    assert "the file is truncated" in info.value.message


def test_damaged_header_is_corrupt_not_unsupported() -> None:
    """A PNG signature followed by garbage is a corrupt PNG, not an unknown format."""
    with pytest.raises(CorruptImageError, match="PNG"):
        compress(codecs.png.SIGNATURE + b"\x00garbage" * 10)


def test_bomb_refused_before_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    """The 20000×20000 bomb is refused from its header: no pixel is ever decoded."""

    def boom(self: object) -> None:
        raise AssertionError("decoded a bomb")

    monkeypatch.setattr(ImageFile.ImageFile, "load", boom)
    with pytest.raises(ImageTooLargeError) as info:
        compress(corpus("bomb_20000x20000_gray1bit.png"))
    assert info.value.code == "image_too_large"
    assert info.value.message.startswith("20000×20000 pixels is over the 100-megapixel limit")
    with pytest.raises(ImageTooLargeError):
        inspect(corpus("bomb_20000x20000_gray1bit.png"))


def test_pixel_limit_is_configurable() -> None:
    """max_pixels lowers the limit; Pillow's own global limit is left as it was."""
    before = Image.MAX_IMAGE_PIXELS
    data = encode(gradient((100, 100)), "PNG")
    with pytest.raises(ImageTooLargeError, match="100×100"):
        compress(data, Options(max_pixels=5000))
    assert compress(data, Options(max_pixels=10_000)).width == 100
    assert before == Image.MAX_IMAGE_PIXELS


def test_bad_arguments_are_options_errors() -> None:
    """Passing a dict for options or text for data raises InvalidOptionsError."""
    with pytest.raises(InvalidOptionsError):
        compress(b"x", {"quality": 5})  # type: ignore[arg-type]
    with pytest.raises(InvalidOptionsError):
        compress("not bytes")  # type: ignore[arg-type]


def test_a_bug_is_not_called_a_damaged_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """An exception from our own code propagates as itself, never as CorruptImageError."""

    def broken(*args: object, **kwargs: object) -> None:
        raise TypeError("internal bug")

    monkeypatch.setattr(pixels, "normalise", broken)
    with pytest.raises(TypeError, match="internal bug") as info:
        compress(encode(gradient((20, 20)), "PNG"))
    assert not isinstance(info.value, ImageCompressError)


# --- metadata, orientation, colour ----------------------------------------------------


def test_gps_photo_is_cleaned_and_reported(gps_photo_small_result: tuple[bytes, object]) -> None:
    """The Nokia photo comes out as JPEG with no EXIF/GPS; the report names what left."""
    data, result = gps_photo_small_result
    assert result.format == "jpeg"
    assert result.size < len(data)
    _no_exif(result.data)
    report = result.report
    assert report["metadata"]["gps"]["lat"] == pytest.approx(60.15, abs=0.5)
    assert {"gps", "camera", "capture_time", "exif"} <= set(report["removed"])
    removed_note = next(n for n in report["notes"] if n["code"] == "metadata_removed")
    assert "GPS location" in removed_note["text"]
    assert "gps" in removed_note["removed"]
    assert result.width == 1200
    json.dumps(result.to_dict())


def test_orientation_applied_upright() -> None:
    """Orientation 6 (450×600 stored) comes out 600×450, matching exif_transpose."""
    data = corpus("exif_orientation6_landscape.jpg")
    result = compress(data, Options(quality=90))
    assert (result.width, result.height) == (600, 450)
    out = decode(result.data).convert("RGB")
    assert out.size == (600, 450)
    upright = ImageOps.exif_transpose(decode(data)).convert("RGB")
    assert score(upright, out) > 0.9
    assert out.getexif().get(metadata.TAG_ORIENTATION) is None


def test_icc_kept_by_default() -> None:
    """The embedded ICC profile is carried into the output unchanged."""
    data = corpus("exif_orientation6_landscape.jpg")
    result = compress(data, Options(quality=80))
    assert decode(result.data).info.get("icc_profile") == decode(data).info["icc_profile"]
    assert "icc" in result.report["kept"]


def test_to_srgb_converts_and_drops_profile() -> None:
    """to_srgb converts via LittleCMS and writes no profile; pixels match ImageCms."""
    data = corpus("exif_orientation6_landscape.jpg")
    result = compress(data, Options(quality=95, to_srgb=True))
    out = decode(result.data)
    assert "icc_profile" not in out.info
    assert "icc" in result.report["removed"]
    src = decode(data)
    expected = ImageCms.profileToProfile(
        ImageOps.exif_transpose(src),
        ImageCms.ImageCmsProfile(io.BytesIO(src.info["icc_profile"])),
        ImageCms.createProfile("sRGB"),
    )
    assert score(expected.convert("RGB"), out.convert("RGB")) > 0.97


def test_cmyk_through_its_profile() -> None:
    """The CMYK SWOP JPEG becomes RGB with the colour LittleCMS gives, not the naive one."""
    data = corpus("cmyk_swop_icc.jpg")
    result = compress(data, Options(format="png"))
    out = decode(result.data).convert("RGB")
    src = decode(data)
    managed = ImageCms.profileToProfile(
        src,
        ImageCms.ImageCmsProfile(io.BytesIO(src.info["icc_profile"])),
        ImageCms.createProfile("sRGB"),
        outputMode="RGB",
    )
    got = ImageStat.Stat(out).mean
    want = ImageStat.Stat(managed).mean
    assert all(abs(g - w) < 3 for g, w in zip(got, want, strict=True))
    assert "icc" in result.report["removed"]


@pytest.mark.parametrize("keep", [("datetime",), ("copyright",), ("datetime", "copyright")])
def test_keep_only_named_tags(keep: tuple[str, ...]) -> None:
    """keep writes a minimal EXIF with only those tags: never GPS or camera."""
    exif = Image.Exif()
    exif[metadata.TAG_MAKE] = "Cam"
    exif[metadata.TAG_COPYRIGHT] = "(c) Me"
    exif.get_ifd(metadata.EXIF_IFD)[metadata.TAG_DATETIME_ORIGINAL] = "2020:01:02 03:04:05"
    exif.get_ifd(metadata.GPS_IFD)[2] = (1.0, 2.0, 3.0)
    data = encode(gradient(), "JPEG", quality=90, exif=exif.tobytes())
    result = compress(data, Options(keep=keep, quality=70))
    out = decode(result.data).getexif()
    assert out.get(metadata.TAG_MAKE) is None
    assert not out.get_ifd(metadata.GPS_IFD)
    has_date = out.get_ifd(metadata.EXIF_IFD).get(metadata.TAG_DATETIME_ORIGINAL)
    assert (has_date == "2020:01:02 03:04:05") == ("datetime" in keep)
    assert (out.get(metadata.TAG_COPYRIGHT) == "(c) Me") == ("copyright" in keep)
    assert set(keep) <= set(result.report["kept"])
    assert "gps" in result.report["removed"]


def test_reencode_false_is_lossless() -> None:
    """reencode=False strips metadata only: identical pixels, no EXIF, no encodes."""
    data = corpus("photo_gps_iphone6_hdr_no_8mp.jpg")
    result = compress(data, Options(reencode=False))
    assert decode(result.data).tobytes() == decode(data).tobytes()
    _no_exif(result.data)
    assert result.report["encodes"] == 0
    assert result.size < len(data)


def test_reencode_false_keeps_orientation_tag_only() -> None:
    """Without re-encoding, a rotated photo keeps just its orientation so it shows upright."""
    result = compress(corpus("exif_orientation6_landscape.jpg"), Options(reencode=False))
    exif = decode(result.data).getexif()
    assert dict(exif) == {metadata.TAG_ORIENTATION: 6}


# --- formats and modes ------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["jpeg", "png", "webp"])
@pytest.mark.parametrize("mode", ["RGB", "L", "P", "LA", "RGBA", "I;16"])
def test_every_format_and_mode(fmt: str, mode: str) -> None:
    """Each input mode converts to each output format; alpha survives where it can."""
    base = gradient((96, 64))
    if mode == "I;16":
        image = base.convert("L").point(lambda v: v).convert("I").point(lambda v: v * 257)
        image = image.convert("I;16")
    elif mode == "LA":
        image = base.convert("L")
        image.putalpha(Image.linear_gradient("L").resize((96, 64)))
        image = image.convert("LA")
    elif mode == "RGBA":
        image = base.convert("RGBA")
        image.putalpha(Image.linear_gradient("L").resize((96, 64)))
    elif mode == "P":
        image = base.quantize(64)
    else:
        image = base.convert(mode)
    data = encode(image, "PNG")
    result = compress(data, Options(format=fmt, quality=85))
    out = decode(result.data)
    assert result.format == fmt
    assert out.format == {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP"}[fmt]
    assert out.size == (96, 64)
    has_alpha = mode in ("LA", "RGBA")
    if has_alpha and fmt != "jpeg":
        alpha = out.convert("RGBA").getchannel("A")
        assert alpha.getextrema()[0] < 50
    reference = image.convert("RGBA" if has_alpha and fmt != "jpeg" else "RGB")
    if mode == "I;16":
        reference = base.convert("L").convert("RGB")
    if fmt == "jpeg" and has_alpha:
        flat = Image.new("RGB", reference.size, "white")
        flat.paste(image.convert("RGBA"), mask=image.convert("RGBA").getchannel("A"))
        reference = flat
    assert score(reference, out.convert(reference.mode)) > 0.8


def test_jpeg_with_transparency_is_flattened_on_white_and_said() -> None:
    """Asking for JPEG from a transparent image fills with white and notes it."""
    result = compress(encode(graphic(), "PNG"), Options(format="jpeg", quality=90))
    out = decode(result.data).convert("RGB")
    assert out.getpixel((0, 0)) == pytest.approx((255, 255, 255), abs=3)
    assert "alpha_flattened" in _codes(result)


def test_sixteen_bit_corpus_png_to_8bit() -> None:
    """The 16-bit gray PNG becomes an 8-bit image with the same look."""
    data = corpus("gray16_artificial_3072x2048.png")
    result = compress(data, Options(format="webp", quality=90, max_width=768))
    out = decode(result.data)
    assert out.mode in ("RGB", "L")
    ref = decode(data).convert("I").point(lambda v: v / 257).convert("L").resize(out.size)
    assert score(ref.convert("RGB"), out.convert("RGB")) > 0.85


def test_webp_input_kept_as_webp() -> None:
    """format=keep on a WebP input writes WebP."""
    data = encode(gradient(), "WEBP", quality=95)
    assert compress(data).format == "webp"


def test_smallest_never_jpeg_with_transparency() -> None:
    """format=smallest skips JPEG when alpha is actually used."""
    result = compress(encode(graphic(), "PNG"), Options(format="smallest"))
    assert result.format in ("png", "webp")
    assert decode(result.data).convert("RGBA").getpixel((0, 0))[3] == 0


def test_smallest_is_the_smallest_candidate() -> None:
    """smallest returns no more bytes than the JPEG or WebP result for the same target."""
    data = encode(Image.open(io.BytesIO(corpus("kodim03.png"))).reduce(2), "PNG")
    sizes = {f: compress(data, Options(format=f)).size for f in ("jpeg", "webp")}
    best = compress(data, Options(format="smallest"))
    assert best.size <= min(sizes.values())
    assert best.report["target_met"] is True
    assert "format_chosen" in _codes(best)


def test_webp_goes_lossless_for_graphics() -> None:
    """A flat graphic with alpha becomes lossless WebP when that is smaller, exactly."""
    image = graphic((300, 200))
    result = compress(encode(image, "PNG"), Options(format="webp"))
    assert result.report["codec"]["lossless"] is True
    assert ImageChops.difference(decode(result.data).convert("RGBA"), image).getbbox() is None


def test_png_colors_option() -> None:
    """colors=16 gives a palette PNG of at most 16 colours, alpha kept."""
    data = corpus("alpha_transparent_rgba.png")
    result = compress(data, Options(format="png", colors=16))
    out = decode(result.data)
    assert out.mode == "P"
    rgba = out.convert("RGBA")
    assert len(rgba.getcolors(1 << 16) or []) <= 17
    assert rgba.getchannel("A").getextrema()[0] == 0


def test_png_auto_keeps_lossless_when_palette_misses() -> None:
    """At a visual target of 1.0 colours=auto must stay lossless (exact pixels)."""
    image = gradient((120, 90))
    result = compress(encode(image, "PNG"), Options(visual_target=1.0))
    assert ImageChops.difference(decode(result.data).convert("RGB"), image).getbbox() is None


def test_jpeg_high_quality_full_chroma() -> None:
    """quality 95 writes 4:4:4, quality 60 writes 4:2:0 (codec parameters reported)."""
    data = encode(gradient(), "PNG")
    assert (
        compress(data, Options(format="jpeg", quality=95)).report["codec"]["subsampling"] == "4:4:4"
    )
    assert (
        compress(data, Options(format="jpeg", quality=60)).report["codec"]["subsampling"] == "4:2:0"
    )


def test_quality_changes_size() -> None:
    """A lower fixed quality gives a smaller file for lossy formats."""
    data = corpus("kodim23.png")
    for fmt in ("jpeg", "webp"):
        low = compress(data, Options(format=fmt, quality=30))
        high = compress(data, Options(format=fmt, quality=90))
        assert low.size < high.size
        assert low.report["codec"]["quality"] == 30


# --- sizes -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("max_w", "max_h", "size"),
    [(384, None, (384, 256)), (None, 100, (150, 100)), (2000, 2000, (768, 512))],
)
def test_resize_fits_inside_never_upscales(
    kodim: bytes, max_w: int | None, max_h: int | None, size: tuple[int, int]
) -> None:
    """max_width/max_height fit inside keeping the aspect ratio; small images stay."""
    result = compress(kodim, Options(max_width=max_w, max_height=max_h, quality=80, format="jpeg"))
    assert (result.width, result.height) == size
    assert decode(result.data).size == size


# --- quality modes ----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["jpeg", "webp"])
def test_visual_target_reached_within_budget(kodim: bytes, fmt: str) -> None:
    """The reported score meets the target, matches a rescore, and used ≤ 8 encodes."""
    result = compress(kodim, Options(format=fmt, visual_target=0.96))
    assert result.report["target_met"] is True
    assert result.report["score"] >= 0.96
    assert result.report["encodes"] <= 8
    rescored = score(decode(kodim).convert("RGB"), decode(result.data).convert("RGB"))
    assert rescored == pytest.approx(result.report["score"], abs=1e-3)


def test_default_is_the_documented_visual_target(kodim: bytes) -> None:
    """No quality option means visual_target = DEFAULT_VISUAL_TARGET for a codec without a
    calibrated default of its own."""
    assert CODECS["webp"].default_target is None
    result = compress(kodim, Options(format="webp"))
    assert result.report["mode"] == "visual_target"
    assert result.report["target"] == DEFAULT_VISUAL_TARGET
    assert result.report["score"] >= DEFAULT_VISUAL_TARGET


def test_jpeg_default_target_is_its_calibrated_one(kodim: bytes) -> None:
    """With no target asked for, JPEG aims at its own calibrated default, and reports it."""
    own = CODECS["jpeg"].default_target
    assert own is not None
    assert own != DEFAULT_VISUAL_TARGET
    result = compress(kodim, Options(format="jpeg"))
    assert result.report["target"] == own
    assert result.report["score"] >= own


def test_asked_for_target_overrides_the_codec_default(kodim: bytes) -> None:
    """A visual target given explicitly is the one JPEG aims at, not its calibrated default."""
    result = compress(kodim, Options(format="jpeg", visual_target=DEFAULT_VISUAL_TARGET))
    assert result.report["target"] == DEFAULT_VISUAL_TARGET
    assert result.report["score"] >= DEFAULT_VISUAL_TARGET


def test_higher_visual_target_costs_bytes(kodim: bytes) -> None:
    """Raising the target never makes the file smaller."""
    low = compress(kodim, Options(format="jpeg", visual_target=0.93))
    high = compress(kodim, Options(format="jpeg", visual_target=0.98))
    assert low.size < high.size


@pytest.mark.parametrize("fmt", ["jpeg", "webp", "png"])
def test_target_size_met(kodim: bytes, fmt: str) -> None:
    """A reachable byte target is met: size ≤ target and target_met is true."""
    result = compress(kodim, Options(format=fmt, target_size=60_000))
    assert result.size <= 60_000
    assert result.report["target_met"] is True


def test_target_size_miss_is_honest(kodim: bytes) -> None:
    """An unreachable target with fixed dimensions returns the smallest, target_met false."""
    result = compress(kodim, Options(format="jpeg", target_size=500, max_width=768))
    assert result.size > 500
    assert result.report["target_met"] is False
    assert "target_size_missed" in _codes(result)
    assert (result.width, result.height) == (768, 512)


def test_target_size_scales_down_when_allowed(kodim: bytes) -> None:
    """Without explicit dimensions the engine may scale down to fit, and says so."""
    result = compress(kodim, Options(format="jpeg", target_size=3000))
    assert result.size <= 3000
    assert result.report["target_met"] is True
    assert result.width < 768
    assert "scaled_to_fit" in _codes(result)


# --- never bigger -----------------------------------------------------------------------


def test_never_bigger_returns_the_stripped_input() -> None:
    """When re-encoding grows the file, the original comes back losslessly stripped."""
    exif = Image.Exif()
    exif.get_ifd(metadata.GPS_IFD)[2] = (1.0, 2.0, 3.0)
    exif[metadata.TAG_MAKE] = "Cam"
    data = encode(gradient(), "JPEG", quality=20, exif=exif.tobytes())
    result = compress(data, Options(quality=100))
    assert result.data == codecs.jpeg.strip(data)
    assert result.size < len(data)
    _no_exif(result.data)
    assert "kept_original" in _codes(result)


def test_never_bigger_png(kodim: bytes) -> None:
    """A Kodak PNG asked for lossless PNG is never returned bigger than it came."""
    result = compress(kodim, Options(format="png", visual_target=1.0))
    assert result.size <= len(kodim)


# --- animation --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def anim() -> bytes:
    return corpus("anim_iss634_42frames.gif")


@pytest.mark.parametrize(
    ("fmt", "out_fmt"), [("keep", "gif"), ("webp", "webp"), ("png", "png"), ("jpeg", "webp")]
)
def test_animation_keeps_every_frame(anim: bytes, fmt: str, out_fmt: str) -> None:
    """42 frames and their durations survive GIF→GIF/WebP/APNG; JPEG falls back with a note."""
    frames_in, durations_in = _frames(anim)
    result = compress(anim, Options(format=fmt, quality=75))
    assert result.format == out_fmt
    frames_out, durations_out = _frames(result.data)
    assert frames_out == frames_in == 42
    assert durations_out == durations_in
    assert result.report["frames"] == 42
    if fmt == "jpeg":
        assert "animation_converted" in _codes(result)


# --- inspect and the result shape --------------------------------------------------------


def test_inspect_describes_without_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    """inspect reads format, size, frames and metadata from headers only."""
    data = corpus("photo_gps_iphone6_hdr_no_8mp.jpg")

    def boom(self: object) -> None:
        raise AssertionError("inspect decoded pixels")

    monkeypatch.setattr(ImageFile.ImageFile, "load", boom)
    info = inspect(data)
    assert (info.format, info.width, info.height, info.frames) == ("jpeg", 3264, 2448, 1)
    assert info.metadata["gps"]["lon"] < 0
    assert info.to_dict()["mime_type"] == "image/jpeg"
    json.dumps(info.to_dict())


def test_inspect_animation() -> None:
    """inspect counts frames of the corpus animation."""
    info = inspect(corpus("anim_iss634_42frames.gif"))
    assert info.frames == 42
    assert info.animated is True


def test_result_to_dict_shape(kodim: bytes) -> None:
    """to_dict is JSON-serialisable, has no bytes, and carries the report fields."""
    result = compress(kodim, Options(format="webp", quality=70))
    d = result.to_dict()
    text = json.dumps(d)
    assert "data" not in d
    assert len(text) < 20_000
    for key in ("format", "mime_type", "width", "height", "original_size", "size", "report"):
        assert key in d
    for key in ("metadata", "removed", "kept", "codec", "score", "target_met", "encodes", "notes"):
        assert key in d["report"]
    assert d["size"] == len(result.data)


def test_png_crc_valid_in_outputs(kodim: bytes) -> None:
    """PNG output is structurally valid (Pillow verify passes)."""
    data = compress(kodim, Options(format="png", colors=64)).data
    Image.open(io.BytesIO(data)).verify()
    assert struct.unpack(">I", data[8:12])[0] == 13


def test_comments_and_text_do_not_survive_reencoding() -> None:
    """A JPEG COM comment and PNG text chunks are not carried into any output format."""
    jpeg_in = encode(gradient(), "JPEG", quality=95, comment=b"secret comment")
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "secret comment")
    png_in = encode(gradient(), "PNG", pnginfo=info)
    for data in (jpeg_in, png_in):
        for fmt in ("jpeg", "png", "webp"):
            out = compress(data, Options(format=fmt, quality=60)).data
            assert b"secret comment" not in out, fmt
            assert "comment" not in decode(out).info


def test_jpeg_from_transparent_meets_visual_target() -> None:
    """The visual search for JPEG from RGBA scores against the white-flattened source."""
    result = compress(encode(graphic(), "PNG"), Options(format="jpeg", visual_target=0.95))
    assert result.report["target_met"] is True
    assert result.report["score"] >= 0.95


def test_smallest_with_target_size_prefers_quality(kodim: bytes) -> None:
    """With a byte budget, format=smallest returns the best-scoring file that fits."""
    budget = 40_000
    best = compress(kodim, Options(format="smallest", target_size=budget))
    assert best.size <= budget
    for fmt in ("jpeg", "webp"):
        single = compress(kodim, Options(format=fmt, target_size=budget))
        assert best.report["score"] >= single.report["score"] - 1e-9


def test_gif_reencode_false_removes_comment() -> None:
    """reencode=False on a GIF removes its comment and keeps the pixels."""
    data = encode(gradient().quantize(32), "GIF", comment=b"secret gif comment")
    result = compress(data, Options(reencode=False))
    assert result.format == "gif"
    assert b"secret gif comment" not in result.data
    assert "comment" in result.report["removed"]
    assert decode(result.data).convert("RGB").tobytes() == decode(data).convert("RGB").tobytes()


def test_without_littlecms(monkeypatch: pytest.MonkeyPatch) -> None:
    """A Pillow without LittleCMS: sRGB conversion is codec_unavailable, CMYK still works."""
    monkeypatch.setattr(pixels, "ImageCms", None)
    with pytest.raises(ImageCompressError) as info:
        compress(corpus("exif_orientation6_landscape.jpg"), Options(to_srgb=True, quality=70))
    assert info.value.code == "codec_unavailable"
    result = compress(corpus("cmyk_swop_icc.jpg"), Options(format="png"))
    assert decode(result.data).mode in ("RGB", "P")
    assert "cmyk_converted" in _codes(result)


def test_never_bigger_png_keeps_named_tags_only(kodim: bytes) -> None:
    """The guard's lossless PNG strip writes a fresh eXIf with just the kept tags."""
    exif = Image.Exif()
    exif[metadata.TAG_MAKE] = "Cam"
    exif[metadata.TAG_COPYRIGHT] = "(c) Kodak"
    exif.get_ifd(metadata.GPS_IFD)[2] = (1.0, 2.0, 3.0)
    source = decode(kodim)
    data = codecs.png.strip(kodim, exif.tobytes())  # the corpus file plus an eXIf chunk
    assert decode(data).getexif().get(metadata.TAG_MAKE) == "Cam"
    result = compress(data, Options(visual_target=1.0, keep=("copyright",)))
    out = decode(result.data)
    assert result.report["codec"] == {"format": "png", "lossless_strip": True}
    assert out.tobytes() == source.tobytes()
    got = out.getexif()
    assert got.get(metadata.TAG_COPYRIGHT) == "(c) Kodak"
    assert got.get(metadata.TAG_MAKE) is None
    assert not got.get_ifd(metadata.GPS_IFD)


def test_photo_kept_as_png_gets_a_hint(kodim: bytes) -> None:
    """A photo kept as PNG is told that JPEG/WebP would be much smaller; graphics are not."""
    assert "photo_as_png" in _codes(compress(kodim))
    assert "photo_as_png" not in _codes(compress(encode(graphic(), "PNG")))
