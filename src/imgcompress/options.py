"""The settings of one compression, validated once so the engine can trust them.

The web page sends a JSON object and the CLI parses flags; both end up here, so
every bad value is reported the same way: ``InvalidOptionsError`` naming the field.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass

from . import codecs
from .errors import InvalidOptionsError

# "keep" writes the input's own format; "smallest" tries every codec marked for it.
FORMATS = ("keep", *(codec.name for codec in codecs.choosable()), "smallest")
KEEPABLE = ("datetime", "copyright")

# About 100 megapixels: a decoded RGBA frame is then ~400 MB, the most one browser
# worker can hold next to Pyodide itself.
DEFAULT_MAX_PIXELS = 100_000_000


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class Options:
    """What to produce; at most one of ``quality``/``target_size``/``visual_target``.

    When none of the three is given the engine aims for its default visual score
    (see ``imgcompress.engine.DEFAULT_VISUAL_TARGET``).  ``target_size`` may scale
    the image down to fit only when neither ``max_width`` nor ``max_height`` was
    given: explicit dimensions are the user's decision and are respected.
    """

    format: str = "keep"
    quality: int | None = None
    target_size: int | None = None
    visual_target: float | None = None
    max_width: int | None = None
    max_height: int | None = None
    keep: tuple[str, ...] = ()
    to_srgb: bool = False
    colors: int | str = "auto"
    reencode: bool = True
    max_pixels: int = DEFAULT_MAX_PIXELS

    def __post_init__(self) -> None:
        if not isinstance(self.format, str) or self.format.lower() not in FORMATS:
            raise InvalidOptionsError("format", f"must be one of {', '.join(FORMATS)}")
        object.__setattr__(self, "format", self.format.lower())
        modes = [
            name
            for name in ("quality", "target_size", "visual_target")
            if getattr(self, name) is not None
        ]
        if len(modes) > 1:
            raise InvalidOptionsError(
                modes[1], f"give only one of quality, target_size, visual_target (got {modes})"
            )
        if self.quality is not None and (not _is_int(self.quality) or not 1 <= self.quality <= 100):
            raise InvalidOptionsError("quality", "must be a whole number from 1 to 100")
        if self.target_size is not None and (
            not _is_int(self.target_size) or self.target_size < 100
        ):
            raise InvalidOptionsError(
                "target_size", "must be a whole number of bytes, at least 100"
            )
        if self.visual_target is not None:
            vt = self.visual_target
            if (
                isinstance(vt, bool)
                or not isinstance(vt, int | float)
                or not math.isfinite(vt)
                or not 0.5 <= vt <= 1.0
            ):
                raise InvalidOptionsError("visual_target", "must be a score from 0.5 to 1.0")
            object.__setattr__(self, "visual_target", float(vt))
        for name in ("max_width", "max_height"):
            value = getattr(self, name)
            if value is not None and (not _is_int(value) or value < 1):
                raise InvalidOptionsError(name, "must be a positive whole number of pixels")
        keep = self.keep
        if isinstance(keep, str):
            keep = tuple(part.strip() for part in keep.split(",") if part.strip())
        if not isinstance(keep, tuple | list) or any(k not in KEEPABLE for k in keep):
            raise InvalidOptionsError("keep", f"may only name {' and '.join(KEEPABLE)}")
        object.__setattr__(self, "keep", tuple(dict.fromkeys(keep)))
        if not isinstance(self.to_srgb, bool):
            raise InvalidOptionsError("to_srgb", "must be true or false")
        if not isinstance(self.reencode, bool):
            raise InvalidOptionsError("reencode", "must be true or false")
        colors = self.colors
        if isinstance(colors, str):
            if colors.lower() != "auto":
                raise InvalidOptionsError("colors", 'must be "auto" or a number from 2 to 256')
            object.__setattr__(self, "colors", "auto")
        elif not _is_int(colors) or not 2 <= colors <= 256:
            raise InvalidOptionsError("colors", 'must be "auto" or a number from 2 to 256')
        if not self.reencode:
            conflicting = (
                [
                    name
                    for name in (
                        "quality",
                        "target_size",
                        "visual_target",
                        "max_width",
                        "max_height",
                    )
                    if getattr(self, name) is not None
                ]
                + (["format"] if self.format != "keep" else [])
                + (["to_srgb"] if self.to_srgb else [])
            )
            if conflicting:
                raise InvalidOptionsError(
                    "reencode",
                    f"reencode=false only removes metadata; it cannot honour {conflicting[0]}",
                )
        if not _is_int(self.max_pixels) or self.max_pixels < 1:
            raise InvalidOptionsError("max_pixels", "must be a positive whole number")

    @classmethod
    def from_mapping(cls, data: Mapping[str, object]) -> Options:
        """Build from the page's JSON object, refusing unknown keys so typos surface."""
        if not isinstance(data, Mapping):
            raise InvalidOptionsError("options", "must be an object of option names to values")
        known = {f.name for f in dataclasses.fields(cls)}
        values: dict[str, object] = {}
        for key, value in data.items():
            if key not in known:
                raise InvalidOptionsError(str(key), "is not a known option")
            if value is None:
                continue
            if key == "keep" and isinstance(value, list):
                value = tuple(value)
            if key in ("quality", "target_size", "max_width", "max_height", "max_pixels") and (
                isinstance(value, float) and value.is_integer()
            ):
                # JavaScript has one number type: 80 may arrive as 80.0.
                value = int(value)
            values[key] = value
        return cls(**values)  # type: ignore[arg-type]

    def to_dict(self) -> dict[str, object]:
        """Echo the settings in the report in the same shape ``from_mapping`` takes."""
        out = dataclasses.asdict(self)
        out["keep"] = list(self.keep)
        return out
