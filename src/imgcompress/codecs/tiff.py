"""TIFF, read only: scans and exports from photo tools, through libtiff.

A multi-page TIFF is a document, not an animation: its first page is compressed and the
report says how many were left out.  "Keep the format" writes TIFFs as PNG, which keeps
every pixel and which browsers display.
"""

from __future__ import annotations

from PIL import Image, TiffImagePlugin, features  # noqa: F401  (registers the format; see codecs/__init__.py)

from .base import Codec, starts_with


def is_available() -> bool:
    """Whether this Pillow was built with libtiff (compressed TIFFs need it)."""
    return bool(features.check("libtiff")) and "TIFF" in Image.OPEN


CODEC = Codec(
    name="tiff",
    label="TIFF",
    mime_type="image/tiff",
    extensions=(".tif", ".tiff"),
    pillow_formats=("TIFF",),
    sniff=starts_with(b"II*\x00", b"MM\x00*"),
    available=is_available,
    alpha=True,
    pages="pages",
    keep_as="png",
)
