"""Helpers shared by the unit tests: the test images by corpus name, small generated images."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

import testdata

# The real files in the repository (tests/data/); the big photos are stand-ins, see corpus().
CORPUS: Path = testdata.DATA


def corpus(name: str) -> bytes:
    """Bytes of a test image by its corpus name: a file of tests/data/ or a stand-in made once.

    Fails loudly, naming the file, when a test asks for one the repository does not have.
    """
    return testdata.read(name)


def encode(image: Image.Image, fmt: str, **params: object) -> bytes:
    """Save an image to bytes."""
    out = io.BytesIO()
    image.save(out, fmt, **params)
    return out.getvalue()


def decode(data: bytes) -> Image.Image:
    """Open and fully load image bytes."""
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def gradient(size: tuple[int, int] = (160, 120), mode: str = "RGB") -> Image.Image:
    """A smooth photo-like test image with some texture."""
    w, h = size
    image = Image.new("RGB", size)
    image.putdata(
        [
            ((x * 255) // w, (y * 255) // h, ((x * y) // 7 + (x ^ y)) % 256)
            for y in range(h)
            for x in range(w)
        ]
    )
    return image.convert(mode) if mode != "RGB" else image


def graphic(size: tuple[int, int] = (160, 120)) -> Image.Image:
    """A flat-colour graphic with transparency (few colours, real alpha)."""
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    for i, colour in enumerate([(255, 0, 0, 255), (0, 128, 255, 255), (20, 200, 40, 128)]):
        box = (10 + i * 40, 10 + i * 20, 70 + i * 40, 70 + i * 20)
        image.paste(colour, box)
    return image
