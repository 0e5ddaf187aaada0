"""PNG codec: lossless exactness, palettes that keep alpha, APNG."""

from __future__ import annotations

from imagehelpers import decode, gradient, graphic
from PIL import Image, ImageChops

from imgcompress.codecs import Picture, Settings, png


def test_lossless_is_exact() -> None:
    """Without colours the PNG decodes to the identical pixels."""
    image = gradient()
    data = png.encode(Picture.still(image), Settings()).data
    assert ImageChops.difference(decode(data).convert("RGB"), image).getbbox() is None


def test_palette_limits_colours() -> None:
    """colors=N gives a palette image with at most N colours."""
    encoded = png.encode(Picture.still(gradient()), Settings(colors=16))
    data, params = encoded.data, encoded.params
    out = decode(data)
    assert out.mode == "P"
    assert len(out.convert("RGB").getcolors(1 << 16) or []) <= 16
    assert params["colors"] == 16


def test_palette_keeps_alpha() -> None:
    """Quantizing an RGBA image keeps transparent pixels transparent."""
    image = graphic()
    data = png.encode(Picture.still(image), Settings(colors=8)).data
    out = decode(data).convert("RGBA")
    assert out.getpixel((0, 0))[3] == 0
    assert out.getpixel((40, 40))[3] == 255


def test_exact_palette_is_lossless() -> None:
    """An RGB image with few colours becomes a palette without changing a pixel."""
    image = graphic().convert("RGB")
    exact = png.exact_palette(image)
    assert exact is not None
    assert exact.mode == "P"
    assert ImageChops.difference(exact.convert("RGB"), image).getbbox() is None
    assert png.exact_palette(gradient()) is None


def test_apng_keeps_frames_and_durations() -> None:
    """An animation is written as APNG with every frame and duration."""
    frames = [Image.new("RGB", (20, 20), (i * 40, 0, 0)) for i in range(5)]
    encoded = png.encode(Picture.animation(frames, [10, 20, 30, 40, 50]), Settings())
    data, params = encoded.data, encoded.params
    out = Image.open(__import__("io").BytesIO(data))
    assert out.n_frames == 5
    durations = []
    for i in range(5):
        out.seek(i)
        durations.append(out.info["duration"])
    assert durations == [10, 20, 30, 40, 50]
    assert params["frames"] == 5


def test_lossless_encode_uses_an_exact_palette_when_one_fits() -> None:
    """A few-colour RGB image is written as a palette PNG with identical pixels."""
    image = graphic().convert("RGB")
    encoded = png.encode(Picture.still(image), Settings())
    assert encoded.params["palette"] == "exact"
    assert decode(encoded.data).mode == "P"
    assert ImageChops.difference(decode(encoded.data).convert("RGB"), image).getbbox() is None
