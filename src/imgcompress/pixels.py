"""Pixel preparation: any decoded mode to L/LA/RGB/RGBA, colour profiles, orientation, size.

Everything here is format-neutral; what a particular output format needs on top (JPEG has
no alpha) is the codec's ``prepare``.
"""

from __future__ import annotations

import io
from collections.abc import Callable

from PIL import Image

from .errors import CodecUnavailableError

try:
    from PIL import ImageCms
except ImportError:  # a Pillow built without LittleCMS: no colour management
    ImageCms = None  # type: ignore[assignment]

_SRGB = ImageCms.createProfile("sRGB") if ImageCms is not None else None
SIXTEEN_BIT_MODES = ("I;16", "I;16B", "I;16L", "I;16N", "I")
# 16-bit to 8-bit: 65535 / 255.
SIXTEEN_TO_EIGHT = 257
# The photo test samples about this many pixels along the long side.
PHOTO_SAMPLE = 256
# Distinct colours in that sample above which an image is a photo (graphics have few).
PHOTO_COLOURS = 2048
PHOTO_GREYS = 128
_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}

# Records what preparation did, as a report note: note(code, text, **params).
Note = Callable[..., None]


def to_8bit(image: Image.Image) -> Image.Image:
    """16-bit and float greys to 8-bit L (the output formats are 8 bits per channel)."""
    if image.mode in SIXTEEN_BIT_MODES:
        _, hi = image.getextrema()  # type: ignore[misc]
        scale = 1 / SIXTEEN_TO_EIGHT if hi > 255 else 1
        return image.convert("I").point(lambda v: v * scale).convert("L")
    if image.mode == "F":
        return image.convert("L")
    return image


def profile_space(icc: bytes) -> str | None:
    """The colour space an ICC profile declares ("RGB", "GRAY", "CMYK"), from its header."""
    return icc[16:20].decode("ascii", "replace").strip() if len(icc) >= 20 else None


def normalise(image: Image.Image, note: Note) -> tuple[Image.Image, bytes | None, bool]:
    """To L/LA/RGB/RGBA; returns (image, ICC profile to keep, whether colours were converted)."""
    icc = image.info.get("icc_profile") or None
    if image.mode == "CMYK":
        return _from_cmyk(image, icc, note)
    image = to_8bit(image)
    if image.mode in ("P", "PA"):
        image = image.convert("RGBA")
    elif image.mode == "1":
        image = image.convert("L")
    elif image.mode in ("L", "RGB") and "transparency" in image.info:
        image = image.convert("RGBA" if image.mode == "RGB" else "LA")
    elif image.mode not in ("L", "LA", "RGB", "RGBA"):
        image = image.convert("RGBA" if "A" in image.mode else "RGB")
    if image.mode in ("RGBA", "LA") and image.getchannel("A").getextrema() == (255, 255):
        image = image.convert("RGB" if image.mode == "RGBA" else "L")
    if icc and image.mode in ("L", "LA"):
        icc = icc if profile_space(icc) == "GRAY" else None
    elif icc and profile_space(icc) not in ("RGB", None):
        icc = None
    return image, icc, False


def _from_cmyk(
    image: Image.Image, icc: bytes | None, note: Note
) -> tuple[Image.Image, bytes | None, bool]:
    if icc and ImageCms is not None:
        try:
            src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            out = ImageCms.profileToProfile(image, src, _SRGB, outputMode="RGB")
        except (ImageCms.PyCMSError, OSError, ValueError):
            note("cmyk_converted", "CMYK converted to RGB without colour management (bad ICC).")
            return image.convert("RGB"), None, False
        note("cmyk_converted", "CMYK converted to sRGB through its embedded ICC profile.")
        return out, None, True  # type: ignore[return-value]
    note("cmyk_converted", "CMYK converted to RGB without a profile (colours approximate).")
    return image.convert("RGB"), None, False


def to_srgb(image: Image.Image, icc: bytes, description: str | None, note: Note) -> Image.Image:
    """Convert through the embedded profile to sRGB (for people who asked to drop profiles)."""
    if ImageCms is None:
        raise CodecUnavailableError(
            "this build has no colour management (LittleCMS); turn off sRGB conversion"
        )
    mode = image.mode
    if mode in ("L", "LA"):
        return image
    try:
        src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        out = ImageCms.profileToProfile(image.convert("RGB"), src, _SRGB, outputMode="RGB")
    except (ImageCms.PyCMSError, OSError, ValueError):
        note("icc_dropped", "The embedded ICC profile could not be read; it was dropped.")
        return image
    if mode == "RGBA":
        out.putalpha(image.getchannel("A"))  # type: ignore[union-attr]
    note(
        "icc_converted",
        f"Colours converted from {description or 'the embedded profile'} to sRGB; "
        "the profile was dropped.",
        profile=description,
    )
    return out  # type: ignore[return-value]


def bare(image: Image.Image) -> Image.Image:
    """Forget ``info``: Pillow's savers fall back to it for comments, ICC and more, and the
    output must carry only what the engine passes explicitly."""
    image.info = {}
    return image


def fit(size: tuple[int, int], max_width: int | None, max_height: int | None) -> tuple[int, int]:
    """The largest size within the limits with the same aspect ratio (never upscaled)."""
    w, h = size
    scale = 1.0
    if max_width and w > max_width:
        scale = min(scale, max_width / w)
    if max_height and h > max_height:
        scale = min(scale, max_height / h)
    if scale >= 1.0:
        return w, h
    return max(1, round(w * scale)), max(1, round(h * scale))


def resize(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """Lanczos, with a reducing gap so big downscales stay fast and alias-free."""
    if image.size == size:
        return image
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def orient(image: Image.Image, orientation: int) -> Image.Image:
    """Apply an EXIF orientation to the pixels, keeping ``info``."""
    method = _TRANSPOSE.get(orientation)
    if method is None:
        return image
    info = image.info
    out = image.transpose(method)
    out.info.update(info)
    return out


def looks_like_photo(image: Image.Image, lossy_source: bool) -> bool:
    """Photos have many distinct colours even in a sparse sample; graphics few.

    A lossy source (JPEG) counts as a photo outright.  The sample is nearest-neighbour so
    no new (averaged) colours appear at text and edges, which would make every screenshot
    look like a photo.
    """
    if lossy_source:
        return True
    step = max(1, max(image.size) // PHOTO_SAMPLE)
    w, h = image.size
    small = image.resize((max(1, w // step), max(1, h // step)), Image.Resampling.NEAREST)
    if small.mode in ("L", "LA"):
        found = small.convert("L").getcolors(256) or []
        return len(found) > PHOTO_GREYS
    return small.convert("RGB").getcolors(PHOTO_COLOURS) is None


__all__ = [
    "bare",
    "fit",
    "looks_like_photo",
    "normalise",
    "orient",
    "profile_space",
    "resize",
    "to_8bit",
    "to_srgb",
]
