"""GIF, written only to keep GIFs (usually animations) as GIFs."""

from __future__ import annotations

import io

from PIL import GifImagePlugin, Image  # noqa: F401  (registers the format; see codecs/__init__.py)

from ..errors import CorruptImageError
from .base import Codec, Encoded, Picture, Settings, starts_with

HEADER = 13  # signature, logical screen descriptor
TRAILER = 0x3B
EXTENSION = 0x21
IMAGE = 0x2C
COMMENT = 0xFE
APPLICATION = 0xFF


def is_available() -> bool:
    """GIF is built into Pillow (no external library, so no ``features`` entry)."""
    return "GIF" in Image.SAVE


def encode(picture: Picture, settings: Settings) -> Encoded:
    """A still or an animation, with Pillow's palette/frame-delta optimizer."""
    out = io.BytesIO()
    kwargs: dict[str, object] = {"optimize": True}
    if picture.loop is not None:
        kwargs["loop"] = picture.loop
    if picture.animated:
        kwargs.update(
            save_all=True, append_images=list(picture.frames[1:]), duration=list(picture.durations)
        )
        if picture.disposal is not None:
            kwargs["disposal"] = list(picture.disposal)
    picture.image.save(out, "GIF", **kwargs)
    return Encoded(out.getvalue(), {"optimize": True, "frames": len(picture.frames)})


def _color_table(flags: int) -> int:
    return 3 * (2 << (flags & 7)) if flags & 0x80 else 0


def _sub_blocks_end(data: bytes, pos: int) -> int:
    n = len(data)
    while True:
        if pos >= n:
            raise ValueError("truncated GIF")
        size = data[pos]
        pos += 1 + size
        if size == 0:
            return pos


def strip(data: bytes, exif: bytes | None = None) -> bytes:
    """Drop comment extensions and XMP application blocks; frames are copied verbatim.

    Kept: graphic control (timing, transparency), NETSCAPE/ANIMEXTS looping and ICC
    application blocks, plain-text extensions and every image block.  GIF has no EXIF, so
    ``exif`` is ignored.
    """
    if data[:6] not in (b"GIF87a", b"GIF89a") or len(data) < HEADER:
        raise ValueError("not a GIF")
    pos = HEADER + _color_table(data[10])
    out = bytearray(data[:pos])
    n = len(data)
    while pos < n:
        block = data[pos]
        if block == TRAILER:
            out.append(TRAILER)
            return bytes(out)
        if block == EXTENSION:
            if pos + 2 > n:
                raise ValueError("truncated GIF")
            label = data[pos + 1]
            end = _sub_blocks_end(data, pos + 2)
            drop = label == COMMENT or (
                label == APPLICATION and data[pos + 3 : pos + 14] == b"XMP DataXMP"
            )
            if not drop:
                out += data[pos:end]
            pos = end
        elif block == IMAGE:
            if pos + 10 > n:
                raise ValueError("truncated GIF")
            start = pos + 10 + _color_table(data[pos + 9])
            end = _sub_blocks_end(data, start + 1)
            out += data[pos:end]
            pos = end
        else:
            raise ValueError("bad GIF block")
    raise ValueError("truncated GIF")


def check(data: bytes) -> None:
    """Every block whole and the trailer reached (Pillow may stop at the last full frame)."""
    try:
        strip(data)
    except ValueError as exc:
        if "truncated" in str(exc):
            raise CorruptImageError("the file is truncated: the GIF data ends early") from None
        raise CorruptImageError(f"the GIF structure is damaged ({exc})") from None


CODEC = Codec(
    name="gif",
    label="GIF",
    mime_type="image/gif",
    extensions=(".gif",),
    pillow_formats=("GIF",),
    sniff=starts_with(b"GIF87a", b"GIF89a"),
    available=is_available,
    encode=encode,
    strip=strip,
    check=check,
    animation=True,
    alpha=True,
    choosable=False,
    carries_icc=False,
)
