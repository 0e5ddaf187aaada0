"""WebP output: lossy or lossless at method 6, stills and animations."""

from __future__ import annotations

import io

from PIL import Image, features

NAME = "webp"
MIME_TYPE = "image/webp"
EXTENSION = ".webp"
DEFAULTS: dict[str, object] = {"quality": 75, "method": 6, "lossless": False}
ANIMATION = True
ALPHA = True


def is_available() -> bool:
    """Whether this Pillow was built with libwebp."""
    return bool(features.check("webp"))


def encode(
    image: Image.Image,
    *,
    quality: int = 75,
    lossless: bool = False,
    method: int = 6,
    icc_profile: bytes | None = None,
    exif: bytes | None = None,
    frames: list[Image.Image] | None = None,
    durations: list[int] | None = None,
    loop: int = 0,
) -> bytes:
    """Encode an RGB/RGBA image or animation."""
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if image.mode in ("LA", "PA", "P") else "RGB")
    kwargs: dict[str, object] = {"quality": quality, "method": method, "lossless": lossless}
    if lossless:
        # For lossless WebP "quality" is effort; 100 squeezes hardest.
        kwargs["quality"] = 100
    if icc_profile:
        kwargs["icc_profile"] = icc_profile
    if exif:
        kwargs["exif"] = exif
    out = io.BytesIO()
    if frames and len(frames) > 1:
        rest = [f if f.mode in ("RGB", "RGBA") else f.convert("RGBA") for f in frames[1:]]
        image.save(
            out, "WEBP", save_all=True, append_images=rest, duration=durations, loop=loop, **kwargs
        )
    else:
        image.save(out, "WEBP", **kwargs)
    return out.getvalue()


def parameters(
    image: Image.Image,
    *,
    quality: int = 75,
    lossless: bool = False,
    method: int = 6,
    frames: list[Image.Image] | None = None,
    **_: object,
) -> dict[str, object]:
    """What ``encode`` does with these arguments, for the report."""
    params: dict[str, object] = {
        "quality": 100 if lossless else quality,
        "method": method,
        "lossless": lossless,
    }
    if frames and len(frames) > 1:
        params["frames"] = len(frames)
    return params
