"""WebP: lossy or lossless at method 6, stills and animations.

The container is RIFF: ``check`` verifies that the chunk sizes add up to the file, so a cut
file is refused before libwebp is asked to decode what is left.
"""

from __future__ import annotations

import struct

from PIL import Image, WebPImagePlugin, features  # noqa: F401  (registers the format; see codecs/__init__.py)

from ..errors import CorruptImageError
from .base import Codec, Encoded, Picture, Settings, save

# libwebp's effort scale is 0–6: 6 is what we write; 4 is about twice as fast for ~1–2 %
# more bytes, which is what search probes on large images use.
METHOD = 6
PROBE_METHOD = 4
# Above this many pixels (a 2-MP photo; the Kodak photos are 0.4 MP) the final file is written
# at the probes' effort too: at method 6 one 8-MP encode alone cost ~6x a plain decode + q75
# JPEG encode, and the search's full-size confirmations (up to three) made WebP mode 26-42x.
# At the probes' effort the confirmations also land where the mosaic said (same method), so
# fewer are needed.  Cost measured on the corpus phone photos: see README, "Search time".
LARGE_PIXELS = 2_000_000
# For lossless WebP "quality" is effort; 100 squeezes hardest.
LOSSLESS_EFFORT = 100
START_QUALITY = 70
# -log(1 - score) per √quality point (``Codec.smooth_slope``): 0.16-0.19 on the 8-12 MP corpus
# photos' mosaics from q11 to q70, 0.21-0.37 on the Kodak photos at q60-70; 0.4 is above them
# all, so a first step sized by it falls short of the answer rather than past it.
SMOOTH_SLOPE = 0.4
DEFAULT_QUALITY = 75
RIFF_HEADER = 12
CHUNK_HEADER = 8


def is_available() -> bool:
    """Whether this Pillow was built with libwebp."""
    return bool(features.check("webp"))


def sniff(data: bytes) -> bool:
    """RIFF files whose form type is WEBP."""
    return data[:4] == b"RIFF" and data[8:12] == b"WEBP"


def encode(picture: Picture, settings: Settings) -> Encoded:
    """Encode an RGB/RGBA image or animation."""
    image = picture.image
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if image.mode in ("LA", "PA", "P") else "RGB")
    large = image.width * image.height > LARGE_PIXELS
    method = PROBE_METHOD if settings.probe or large else METHOD
    quality = LOSSLESS_EFFORT if settings.lossless else settings.quality or DEFAULT_QUALITY
    kwargs: dict[str, object] = {
        "quality": quality,
        "method": method,
        "lossless": settings.lossless,
    }
    params: dict[str, object] = dict(kwargs)
    rest: list[Image.Image] = []
    if picture.animated:
        rest = [f if f.mode in ("RGB", "RGBA") else f.convert("RGBA") for f in picture.frames[1:]]
        params["frames"] = len(picture.frames)
    return Encoded(save(picture, "WEBP", image, rest, **kwargs), params)


def chunks(data: bytes) -> list[tuple[bytes, int, int]]:
    """(fourcc, start, end) of each RIFF chunk, ends padded to even; ``ValueError`` if cut."""
    if not sniff(data):
        raise ValueError("not a WebP")
    (riff_size,) = struct.unpack("<I", data[4:8])
    if riff_size + CHUNK_HEADER > len(data):
        raise ValueError("the data ends before the RIFF size says")
    out = []
    pos, n = RIFF_HEADER, riff_size + CHUNK_HEADER
    while pos + CHUNK_HEADER <= n:
        ctype = data[pos : pos + 4]
        (length,) = struct.unpack("<I", data[pos + 4 : pos + 8])
        end = pos + CHUNK_HEADER + length + (length & 1)
        if pos + CHUNK_HEADER + length > n:
            raise ValueError(f"the {ctype!r} chunk runs past the end of the data")
        out.append((ctype, pos, min(end, n)))
        pos = end
    return out


def check(data: bytes) -> None:
    """The RIFF sizes match the data and an image chunk is present."""
    try:
        found = chunks(data)
    except ValueError as exc:
        if "ends before" in str(exc) or "past the end" in str(exc):
            raise CorruptImageError("the file is truncated: the WebP data ends early") from None
        raise CorruptImageError(f"the WebP structure is damaged ({exc})") from None
    if not any(ctype in (b"VP8 ", b"VP8L", b"ANMF") for ctype, _, _ in found):
        raise CorruptImageError("the WebP has no image data")


def strip(data: bytes, exif: bytes | None = None) -> bytes:
    """Drop the EXIF and XMP RIFF chunks and clear their VP8X flags."""
    kept = []
    for ctype, start, end in chunks(data):
        if ctype in (b"EXIF", b"XMP "):
            continue
        chunk = bytearray(data[start:end])
        if ctype == b"VP8X":
            chunk[8] &= ~(0x08 | 0x04) & 0xFF
            if exif:
                chunk[8] |= 0x08
        kept.append(bytes(chunk))
    if exif:
        if not any(c.startswith(b"VP8X") for c in kept):
            raise ValueError("simple WebP cannot carry EXIF without VP8X")
        body = exif[6:] if exif.startswith(b"Exif\x00\x00") else exif
        pad = b"\x00" if len(body) & 1 else b""
        kept.append(b"EXIF" + struct.pack("<I", len(body)) + body + pad)
    payload = b"WEBP" + b"".join(kept)
    return b"RIFF" + struct.pack("<I", len(payload)) + payload


CODEC = Codec(
    name="webp",
    label="WebP",
    mime_type="image/webp",
    extensions=(".webp",),
    pillow_formats=("WEBP",),
    sniff=sniff,
    available=is_available,
    encode=encode,
    strip=strip,
    check=check,
    animation=True,
    alpha=True,
    quality_range=True,
    start_quality=START_QUALITY,
    smooth_slope=SMOOTH_SLOPE,
    lossless_alternative=True,
    fast_probes=True,
    smallest=True,
)
