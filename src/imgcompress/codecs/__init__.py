"""The codecs, one module per format, all filling in the same contract (``base.Codec``).

``TABLE`` below is the only registry: adding a format means one module, one line here
and its tests; nothing is discovered at import time and the engine never asks for a format
by name except through this table.

Each codec module imports its own Pillow plugin, which registers the format; nothing calls
``Image.init()``, which imports all of Pillow's ~45 plugins: in the browser that was a third
of a second of every worker's start-up (README, "Start-up").
"""

from __future__ import annotations

from PIL import Image

from ..errors import CodecUnavailableError
from . import avif, gif, heic, jpeg, png, tiff, webp
from .base import Codec, Encoded, Picture, Settings

# Order matters twice: the page lists formats in this order, and sniffing tries the rows
# in turn (AVIF before HEIC: both are HEIF containers, AVIF ones may say "mif1" first).
TABLE: tuple[Codec, ...] = (
    jpeg.CODEC,
    png.CODEC,
    webp.CODEC,
    avif.CODEC,
    gif.CODEC,
    heic.CODEC,
    tiff.CODEC,
)
CODECS: dict[str, Codec] = {codec.name: codec for codec in TABLE}


def get(name: str) -> Codec:
    """The codec ``name``, refusing one this Pillow cannot encode."""
    codec = CODECS[name]
    if not codec.can_write or not codec.available():
        raise CodecUnavailableError(
            f"this build cannot write {codec.label} images; choose another output format",
            package=codec.package,
        )
    return codec


def for_pillow(pillow_format: str) -> Codec:
    """The codec that reads what Pillow calls ``pillow_format`` ("MPO" is a JPEG)."""
    for codec in TABLE:
        if pillow_format in codec.pillow_formats:
            return codec
    raise KeyError(pillow_format)


def sniff(data: bytes) -> Codec | None:
    """The codec whose signature ``data`` starts with, if any."""
    return next((codec for codec in TABLE if codec.sniff(data)), None)


def pillow_formats() -> list[str]:
    """Every Pillow opener the engine lets ``Image.open`` try (no TIFF, PSD or other guess).

    Some formats Pillow reports have no opener of their own ("MPO" comes out of the JPEG
    one), so only registered openers are named.
    """
    return [
        name
        for codec in TABLE
        if codec.available()
        for name in codec.pillow_formats
        if name in Image.OPEN
    ]


def choosable() -> list[Codec]:
    """The formats a person may ask for by name, in table order."""
    return [codec for codec in TABLE if codec.choosable and codec.can_write]


def describe(loadable: frozenset[str] = frozenset()) -> list[dict[str, object]]:
    """The formats for the page: labels, MIME types and extensions, in table order."""
    return [codec.describe(loadable) for codec in TABLE]


__all__ = [
    "CODECS",
    "TABLE",
    "Codec",
    "Encoded",
    "Picture",
    "Settings",
    "choosable",
    "describe",
    "for_pillow",
    "get",
    "pillow_formats",
    "sniff",
]
