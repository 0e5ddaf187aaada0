"""Small real images made natively for the browser tests (fast to compress, distinct)."""

from __future__ import annotations

import io
import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter


def photo_like(size: tuple[int, int], seed: int) -> Image.Image:
    """A smooth gradient with shapes and mild noise: compresses like a photo, not like noise."""
    rnd = random.Random(seed)
    w, h = size
    small = Image.new("RGB", (16, 12))
    small.putdata([tuple(rnd.randrange(256) for _ in range(3)) for _ in range(16 * 12)])
    image = small.resize(size, Image.Resampling.BICUBIC)
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x, y = rnd.randrange(w), rnd.randrange(h)
        r = rnd.randrange(max(4, w // 20), max(8, w // 6))
        draw.ellipse((x - r, y - r, x + r, y + r), fill=tuple(rnd.randrange(256) for _ in range(3)))
    image = image.filter(ImageFilter.GaussianBlur(1.2))
    noise = Image.effect_noise(size, 12).convert("RGB")
    return Image.blend(image, noise, 0.06)


def save(image: Image.Image, path: Path, fmt: str, **params: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    image.save(buf, fmt, **params)
    path.write_bytes(buf.getvalue())
    return path
