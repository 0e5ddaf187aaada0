"""What a compression tells the person: the result, its notes and the metadata verdict.

Notes carry a stable ``code`` (the page and the CLI key on it; it never changes once
released), an English ``text``, and the values that went into the text, so another
front end can phrase them its own way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import codecs, metadata


class Notes:
    """The notes of one compression, in the order things happened."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def __call__(self, code: str, text: str, **params: object) -> None:
        """Add one note."""
        self.items.append({"code": code, "text": text, **params})


@dataclass
class Result:
    """One compressed image and everything the page shows about it."""

    data: bytes
    format: str
    mime_type: str
    width: int
    height: int
    original_size: int
    size: int
    report: dict[str, Any] = field(default_factory=dict)

    @property
    def extension(self) -> str:
        """File name extension for ``format`` (".jpg", ".png", ...)."""
        return codecs.CODECS[self.format].extension

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary without the bytes (the page transfers those separately)."""
        saved = self.original_size - self.size
        return {
            "format": self.format,
            "mime_type": self.mime_type,
            "extension": self.extension,
            "width": self.width,
            "height": self.height,
            "original_size": self.original_size,
            "size": self.size,
            "saved_bytes": saved,
            "saved_percent": round(100 * saved / self.original_size, 1)
            if self.original_size
            else 0.0,
            "report": self.report,
        }


@dataclass
class Info:
    """What an image is, read from its header, for the page to show before compressing."""

    format: str
    mime_type: str
    width: int
    height: int
    mode: str
    frames: int
    animated: bool
    has_alpha: bool
    size: int
    metadata: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready copy of every field."""
        return {
            "format": self.format,
            "mime_type": self.mime_type,
            "width": self.width,
            "height": self.height,
            "mode": self.mode,
            "frames": self.frames,
            "animated": self.animated,
            "has_alpha": self.has_alpha,
            "size": self.size,
            "metadata": self.metadata,
        }


def kept_tags(found: metadata.Found, keep: tuple[str, ...]) -> list[str]:
    """The ``keep`` options that had something to keep in this file."""
    return [
        k
        for k in keep
        if (k == "datetime" and found.captured)
        or (k == "copyright" and (found.copyright or found.artist))
    ]


def removed_keys(found: metadata.Found, kept: list[str]) -> list[str]:
    """Stable keys of what was removed: everything removable except what was kept."""
    return [
        k
        for k in found.removable()
        if not (
            (k == "capture_time" and "datetime" in kept)
            or (k == "copyright" and "copyright" in kept)
        )
    ]


def note_removed(note: Notes, removed: list[str]) -> None:
    """One note naming the removed metadata in plain words."""
    if removed:
        words = ", ".join(metadata.REMOVED_WORDS.get(k, k) for k in removed)
        note("metadata_removed", f"Removed: {words}.", removed=list(removed))


def input_summary(fmt: str, size: tuple[int, int], mode: str, nbytes: int) -> dict[str, Any]:
    """The report's "input" entry."""
    return {"format": fmt, "width": size[0], "height": size[1], "mode": mode, "size": nbytes}


def result(
    data: bytes, fmt: str, size: tuple[int, int], original: int, report: dict[str, Any]
) -> Result:
    """A ``Result`` for bytes in format ``fmt``."""
    return Result(
        data=data,
        format=fmt,
        mime_type=codecs.CODECS[fmt].mime_type,
        width=size[0],
        height=size[1],
        original_size=original,
        size=len(data),
        report=report,
    )


__all__ = [
    "Info",
    "Notes",
    "Result",
    "input_summary",
    "kept_tags",
    "note_removed",
    "removed_keys",
    "result",
]
