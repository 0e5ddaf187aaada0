"""WebP codec: method 6, lossy and lossless, animation."""

from __future__ import annotations

import io

from imagehelpers import decode, gradient, graphic
from PIL import Image, ImageChops

from imgcompress.codecs import webp


def test_lossy_uses_method_6_and_quality() -> None:
    """Parameters report method 6; lower quality is smaller."""
    high = webp.encode(gradient(), quality=90)
    params = webp.parameters(gradient(), quality=90)
    low = webp.encode(gradient(), quality=30)
    assert params["method"] == 6
    assert len(low) < len(high)
    assert decode(high).format == "WEBP"


def test_lossless_is_exact_with_alpha() -> None:
    """Lossless WebP reproduces RGBA exactly."""
    image = graphic()
    data = webp.encode(image, lossless=True)
    params = webp.parameters(image, lossless=True)
    assert params["lossless"] is True
    assert ImageChops.difference(decode(data).convert("RGBA"), image).getbbox() is None


def test_animation_keeps_frames() -> None:
    """Animated WebP holds every frame with its duration."""
    frames = [Image.new("RGB", (24, 24), (0, i * 30, 0)) for i in range(6)]
    data = webp.encode(frames[0], frames=frames, durations=[50] * 6)
    out = Image.open(io.BytesIO(data))
    assert out.n_frames == 6
    out.seek(3)
    out.load()
    assert out.info["duration"] == 50
