"""The one door between the web page's workers and the engine.

The worker converts JavaScript values to plain Python ones (``bytes``/``memoryview``,
``dict``, ``list``, ``str``) before calling in here and converts the plain answer
back, so this module never sees a proxy and is tested natively like the rest of the
engine.  Every call answers; nothing raises across the boundary:

* ``{"ok": True, ...}`` with the bytes and a JSON-ready summary, or
* ``{"ok": False, "error": {"code": ..., "message": ...}}`` for a file the engine
  refuses (the page shows the message in that file's row and goes on), or
* one generic ``internal_error`` for anything else, which is a bug: its traceback is
  written to stderr (the browser console) instead of being shown to a person.
"""

from __future__ import annotations

import posixpath
import sys
import traceback
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from . import codecs, warmup
from .engine import compress
from .errors import ImageCompressError
from .options import Options

INTERNAL_ERROR = {
    "code": "internal_error",
    "message": "something went wrong inside imgcompress; the details are in the browser console",
}

Bytes = bytes | bytearray | memoryview


def _answer(work: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    try:
        return {"ok": True, **work()}
    except ImageCompressError as exc:
        error = exc.to_dict()
        error.pop("type", None)
        return {"ok": False, "error": error}
    except Exception:
        # A bug, not a bad file: keep the worker alive, tell the person plainly and
        # leave the evidence where a developer looks.
        traceback.print_exc(file=sys.stderr)
        return {"ok": False, "error": dict(INTERNAL_ERROR)}


def _as_bytes(data: object) -> bytes:
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError(f"the door takes bytes, got {type(data).__name__}")
    return bytes(data)


def output_name(original: str, fmt: str, extension: str) -> str:
    """Name the download after the original so people recognise it; fix the extension
    only when the format changed, so a ``.JPG`` stays a ``.JPG``."""
    base = posixpath.basename(original.replace("\\", "/")) or "image"
    stem, dot, ext = base.rpartition(".")
    if not dot or not stem:
        stem, ext = base, ""
    # Any extension the format's codec lists: "IMG_1.JPG" stays "IMG_1.JPG" when the output
    # is still a JPEG, instead of surprising people with ".jpg".
    codec = codecs.CODECS.get(fmt)
    if codec is not None and ("." + ext).lower() in codec.extensions:
        return base
    return stem + extension


def compress_file(
    data: Bytes, options: Mapping[str, object] | None = None, name: str = "image"
) -> dict[str, Any]:
    """Compress one file for the page; the answer carries ``data`` (bytes),
    ``result`` (the engine's summary) and ``name`` (the download's file name)."""

    def work() -> dict[str, Any]:
        opts = Options.from_mapping(dict(options or {}))
        result = compress(_as_bytes(data), opts)
        return {
            "data": result.data,
            "result": result.to_dict(),
            "name": output_name(str(name), result.format, result.extension),
        }

    return _answer(work)


def formats(packages: Iterable[str] = ()) -> dict[str, Any]:
    """What the page offers, from the codec table: every format with its label, MIME type
    and extensions (for the file picker and folder filter), and the output choices in the
    order the settings list them.  The page lists no format itself.

    ``packages`` names the codec packages the site can load on demand (from its lock
    file): their formats are offered before they are loaded.
    """

    def work() -> dict[str, Any]:
        loadable = frozenset(str(p) for p in packages)
        described = codecs.describe(loadable)
        present = {str(d["name"]) for d in described if d["write"]}
        readable = [d for d in described if d["read"]]
        smallest = [c.label for c in codecs.TABLE if c.smallest and c.name in present]
        choices = [{"value": "keep", "label": "Keep the original format"}]
        choices += [
            {"value": c.name, "label": c.label} for c in codecs.choosable() if c.name in present
        ]
        choices.append({"value": "smallest", "label": f"Smallest of {', '.join(smallest)}"})
        accept = [str(d["mime_type"]) for d in readable]
        accept += [str(e) for d in readable for e in d["extensions"]]  # type: ignore[attr-defined]
        return {"formats": described, "choices": choices, "accept": ",".join(accept)}

    return _answer(work)


def warm_up(step: int) -> dict[str, Any]:
    """Run one step of the warm-up ladder (``imgcompress.warmup``); the worker calls it once
    per step, yielding to its message queue in between, so a real photo waits for one step at
    most.  The answer says which step ran and how many there are, so the worker knows when to
    stop without a list of sizes of its own."""

    def work() -> dict[str, Any]:
        if not isinstance(step, int) or isinstance(step, bool):
            raise TypeError(f"the warm-up step is an int, got {type(step).__name__}")
        return warmup.run_step(step)

    return _answer(work)


__all__ = [
    "INTERNAL_ERROR",
    "compress_file",
    "formats",
    "output_name",
    "warm_up",
]
