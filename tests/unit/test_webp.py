"""WebP codec: method 6, lossy and lossless, animation."""

from __future__ import annotations

import io

from imagehelpers import decode, gradient, graphic
from PIL import Image, ImageChops

from imgcompress.codecs import Picture, Settings, webp


def test_lossy_uses_method_6_and_quality() -> None:
    """Parameters report method 6; lower quality is smaller."""
    encoded = webp.encode(Picture.still(gradient()), Settings(quality=90))
    high, params = encoded.data, encoded.params
    low = webp.encode(Picture.still(gradient()), Settings(quality=30)).data
    assert params["method"] == 6
    assert len(low) < len(high)
    assert decode(high).format == "WEBP"


def test_lossless_is_exact_with_alpha() -> None:
    """Lossless WebP reproduces RGBA exactly."""
    image = graphic()
    encoded = webp.encode(Picture.still(image), Settings(lossless=True))
    data, params = encoded.data, encoded.params
    assert params["lossless"] is True
    assert ImageChops.difference(decode(data).convert("RGBA"), image).getbbox() is None


def test_animation_keeps_frames() -> None:
    """Animated WebP holds every frame with its duration."""
    frames = [Image.new("RGB", (24, 24), (0, i * 30, 0)) for i in range(6)]
    data = webp.encode(Picture.animation(frames, [50] * 6), Settings()).data
    out = Image.open(io.BytesIO(data))
    assert out.n_frames == 6
    out.seek(3)
    out.load()
    assert out.info["duration"] == 50


def test_probe_trades_effort_for_speed() -> None:
    """A search probe is written at method 4, the final file at method 6."""
    probe = webp.encode(Picture.still(gradient()), Settings(quality=70, probe=True))
    final = webp.encode(Picture.still(gradient()), Settings(quality=70))
    assert (probe.params["method"], final.params["method"]) == (4, 6)


def test_large_images_are_written_at_the_probes_effort() -> None:
    """Above LARGE_PIXELS the final file is written at the probes' method, below at method 6."""
    side = int(webp.LARGE_PIXELS**0.5) + 1
    large = webp.encode(Picture.still(gradient((side, side))), Settings(quality=70))
    small = webp.encode(Picture.still(gradient()), Settings(quality=70))
    assert (large.params["method"], small.params["method"]) == (webp.PROBE_METHOD, webp.METHOD)
