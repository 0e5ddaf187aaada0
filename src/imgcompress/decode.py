"""Open and decode an input file completely, or refuse it with a reason a person can act on.

Decoder errors are caught here and only here, around the calls into Pillow's decoders.
Pixels are loaded exactly once, before anything else looks at the image: Pillow's metadata
accessors (``getexif``, PNG ``text``) load the image as a side effect, and a *second*
``load()`` after a failed one returns the partial pixels without raising.  So the codec
first checks the container (checksums, sizes, the end marker), then one strict ``load``
per frame decides; a half-decoded image never leaves this module.
"""

from __future__ import annotations

import io
import struct
import zlib
from dataclasses import dataclass

from PIL import Image, ImageFile, ImageSequence, UnidentifiedImageError

from . import codecs
from .codecs import Codec
from .errors import (
    CodecUnavailableError,
    CorruptImageError,
    EmptyInputError,
    ImageCompressError,
    ImageTooLargeError,
    UnsupportedFormatError,
)

# What Pillow's decoders raise for bad data: its own OSError/SyntaxError, and the
# struct/zlib/index errors its pure-Python plugins let through on malformed headers.
DECODE_ERRORS = (
    OSError,
    SyntaxError,
    ValueError,
    struct.error,
    EOFError,
    IndexError,
    KeyError,
    TypeError,
    ZeroDivisionError,
    zlib.error,
    Image.DecompressionBombError,
)
# An animation may hold this many times the still-image pixel limit in all its frames.
ANIMATION_PIXEL_FACTOR = 4
DEFAULT_FRAME_MS = 100

# Formats people try that the engine does not read, for a specific refusal.
_OTHER_MAGIC = [
    (b"BM", "BMP"),
    (b"%PDF", "PDF"),
    (b"\x00\x00\x01\x00", "ICO"),
    (b"8BPS", "PSD"),
]


@dataclass
class Source:
    """A fully decoded input: its codec, first frame and (for animations) every frame."""

    image: Image.Image
    codec: Codec
    frames: list[Image.Image]
    durations: list[int]
    loop: int | None
    disposal: list[int] | None
    pages: int = 1

    @property
    def animated(self) -> bool:
        """More than one frame."""
        return len(self.frames) > 1


def _readable(available_only: bool = False) -> str:
    """The formats the table reads, as a person writes them: "JPEG, PNG, WebP or GIF"."""
    labels = [c.label for c in codecs.TABLE if c.available() or not available_only]
    return ", ".join(labels[:-1]) + " or " + labels[-1] if len(labels) > 1 else labels[0]


def unsupported(data: bytes) -> UnsupportedFormatError:
    """The refusal for bytes that no codec in the table reads, naming the format if known."""
    for magic, name in _OTHER_MAGIC:
        if data.startswith(magic):
            return UnsupportedFormatError(
                f"{name} files are not supported; convert to {_readable()} first"
            )
    head = data[:64].lstrip().lower()
    if head.startswith((b"<svg", b"<?xml")):
        return UnsupportedFormatError("SVG is not supported; export it as PNG first")
    if data[4:8] == b"ftyp":
        return UnsupportedFormatError(
            "this HEIF-family file (a video or an unknown brand) is not an image the engine "
            "reads; export it as JPEG first"
        )
    return UnsupportedFormatError(f"this is not an image file the engine reads ({_readable()})")


def corrupt(exc: BaseException, codec: Codec | None) -> CorruptImageError:
    """A decoder's exception as a message naming the format and what went wrong."""
    text = str(exc).lower()
    what = codec.label if codec else "image"
    if "truncated" in text or isinstance(exc, EOFError) or "end of file" in text:
        return CorruptImageError(f"the file is truncated: the {what} data ends early")
    if isinstance(exc, MemoryError):
        return CorruptImageError("the image needs more memory to decode than is available")
    return CorruptImageError(f"the {what} data is damaged and cannot be decoded ({exc})")


def _limit(max_pixels: int) -> str:
    limit = max_pixels / 1_000_000
    return f"{limit:g}-megapixel" if limit >= 1 else f"{max_pixels}-pixel"


def open_image(data: bytes, max_pixels: int) -> tuple[Image.Image, Codec]:
    """Identify the file and read its header; refuse empty, unknown, damaged or huge ones."""
    if not data:
        raise EmptyInputError("the file is empty (0 bytes)")
    sniffed = codecs.sniff(data)
    if sniffed is not None:
        if not sniffed.available():
            raise CodecUnavailableError(
                f"this build cannot read {sniffed.label} files; convert to "
                f"{_readable(available_only=True)} first",
                package=sniffed.package,
            )
        sniffed.check(data)
    try:
        image = Image.open(io.BytesIO(data), formats=codecs.pillow_formats())
    except UnidentifiedImageError:
        if sniffed:
            raise CorruptImageError(
                f"the {sniffed.label} header is damaged and cannot be read"
            ) from None
        raise unsupported(data) from None
    except (*DECODE_ERRORS, MemoryError) as exc:
        raise corrupt(exc, sniffed) from None
    codec = codecs.for_pillow(image.format or "")
    if sniffed is None:
        codec.check(data)
    w, h = image.size
    if w < 1 or h < 1:
        raise CorruptImageError(f"the header claims an empty {w}×{h} image")
    if w * h > max_pixels:
        raise ImageTooLargeError(
            f"{w}×{h} pixels is over the {_limit(max_pixels)} limit; "
            "scale it down before compressing"
        )
    return image, codec


def _load(image: Image.Image, codec: Codec) -> None:
    """One strict load: truncated data raises instead of filling the rest with grey."""
    if ImageFile.LOAD_TRUNCATED_IMAGES:
        raise RuntimeError("ImageFile.LOAD_TRUNCATED_IMAGES must stay False")
    try:
        image.load()
    except ImageCompressError:
        raise
    except (*DECODE_ERRORS, MemoryError) as exc:
        raise corrupt(exc, codec) from None


def decode(image: Image.Image, codec: Codec, max_pixels: int) -> Source:
    """Every frame decoded whole (animations converted to RGBA frames), or an error."""
    n = getattr(image, "n_frames", 1)
    if n <= 1 or codec.pages:
        _load(image, codec)
        return Source(image, codec, [image], [], None, None, pages=n)
    w, h = image.size
    if n * w * h > ANIMATION_PIXEL_FACTOR * max_pixels:
        raise ImageTooLargeError(f"{n} frames of {w}×{h} pixels is over the limit for animations")
    frames, durations, disposal = [], [], []
    iterator = ImageSequence.Iterator(image)
    while True:
        try:
            frame = next(iterator)
        except StopIteration:
            break
        except (*DECODE_ERRORS, MemoryError) as exc:
            raise corrupt(exc, codec) from None
        _load(frame, codec)
        durations.append(int(frame.info.get("duration", DEFAULT_FRAME_MS) or 0))
        disposal.append(int(getattr(frame, "disposal_method", 0) or 0))
        frames.append(frame.convert("RGBA"))
    if len(frames) != n:
        raise CorruptImageError(f"the {codec.label} says {n} frames but only {len(frames)} decode")
    loop = image.info.get("loop", 0)
    return Source(frames[0], codec, frames, durations, loop, disposal)


__all__ = ["DECODE_ERRORS", "Source", "corrupt", "decode", "open_image", "unsupported"]
