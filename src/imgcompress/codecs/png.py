"""PNG output: lossless with the strongest zlib setting, or a lossy palette."""

from __future__ import annotations

import io

from PIL import Image, features

NAME = "png"
MIME_TYPE = "image/png"
EXTENSION = ".png"
DEFAULTS: dict[str, object] = {"optimize": True, "colors": None}
ANIMATION = True
ALPHA = True


def is_available() -> bool:
    """Whether this Pillow was built with zlib (PNG needs it both ways)."""
    return bool(features.check("zlib"))


def quantize(image: Image.Image, colors: int) -> Image.Image:
    """Reduce to a palette, keeping alpha.

    libimagequant is best when the build has it; otherwise FASTOCTREE, the one
    built-in method that quantizes RGBA (MEDIANCUT and MAXCOVERAGE drop alpha),
    and MEDIANCUT for opaque images where it gives smoother gradients.
    """
    if features.check("libimagequant"):
        method = Image.Quantize.LIBIMAGEQUANT
    elif image.mode in ("RGBA", "LA", "PA"):
        method = Image.Quantize.FASTOCTREE
    else:
        method = Image.Quantize.MEDIANCUT
    if image.mode in ("LA", "PA", "P"):
        image = image.convert("RGBA")
    elif image.mode not in ("RGB", "RGBA", "L"):
        image = image.convert("RGB")
    if image.mode == "L":
        image = image.convert("RGB")
    return image.quantize(colors=colors, method=method, dither=Image.Dither.FLOYDSTEINBERG)


def exact_palette(image: Image.Image) -> Image.Image | None:
    """The same pixels as a palette image when there are at most 256 colours."""
    if image.mode not in ("RGB", "RGBA"):
        return None
    found = image.getcolors(256)
    if found is None:
        return None
    if image.mode == "RGBA":
        return image.quantize(
            colors=256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE
        )
    palette = Image.new("P", (1, 1))
    flat: list[int] = []
    for _, colour in found:
        flat.extend(colour)  # type: ignore[arg-type]
    palette.putpalette(flat + flat[:3] * (256 - len(found)))
    return image.quantize(palette=palette, dither=Image.Dither.NONE)


def encode(
    image: Image.Image,
    *,
    colors: int | None = None,
    icc_profile: bytes | None = None,
    exif: bytes | None = None,
    frames: list[Image.Image] | None = None,
    durations: list[int] | None = None,
    loop: int = 0,
) -> bytes:
    """Encode one image or an animation (APNG), as a palette when ``colors`` is given."""
    if colors is not None:
        image = quantize(image, colors)
    out = io.BytesIO()
    kwargs: dict[str, object] = {"optimize": True}
    if icc_profile:
        kwargs["icc_profile"] = icc_profile
    if exif:
        kwargs["exif"] = exif
    if frames and len(frames) > 1:
        rest = [quantize(f, colors) if colors else f for f in frames[1:]]
        image.save(
            out, "PNG", save_all=True, append_images=rest, duration=durations, loop=loop, **kwargs
        )
    else:
        image.save(out, "PNG", **kwargs)
    return out.getvalue()


def parameters(
    image: Image.Image,
    *,
    colors: int | None = None,
    frames: list[Image.Image] | None = None,
    **_: object,
) -> dict[str, object]:
    """What ``encode`` does with these arguments, for the report."""
    params: dict[str, object] = {"optimize": True, "colors": colors}
    if colors is not None or image.mode == "P":
        params["palette"] = True
    if frames and len(frames) > 1:
        params["frames"] = len(frames)
    return params
