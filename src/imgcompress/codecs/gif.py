"""GIF output, used only to keep GIFs (usually animations) as GIFs."""

from __future__ import annotations

import io

from PIL import Image

NAME = "gif"
MIME_TYPE = "image/gif"
EXTENSION = ".gif"
DEFAULTS: dict[str, object] = {"optimize": True}
ANIMATION = True
ALPHA = True


def is_available() -> bool:
    """GIF is built into Pillow (no external library, so no ``features`` entry)."""
    Image.init()
    return "GIF" in Image.SAVE


def encode(
    image: Image.Image,
    *,
    frames: list[Image.Image] | None = None,
    durations: list[int] | None = None,
    loop: int | None = 0,
    disposal: list[int] | int | None = None,
) -> bytes:
    """Encode a still or an animation with Pillow's palette/frame-delta optimizer."""
    out = io.BytesIO()
    kwargs: dict[str, object] = {"optimize": True}
    if loop is not None:
        kwargs["loop"] = loop
    if frames and len(frames) > 1:
        kwargs.update(save_all=True, append_images=frames[1:], duration=durations)
        if disposal is not None:
            kwargs["disposal"] = disposal
    image.save(out, "GIF", **kwargs)
    return out.getvalue()


def parameters(
    image: Image.Image, *, frames: list[Image.Image] | None = None, **_: object
) -> dict[str, object]:
    """What ``encode`` does with these arguments, for the report."""
    return {"optimize": True, "frames": len(frames) if frames else 1}
