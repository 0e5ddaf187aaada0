"""The output codecs, one module per format, all with the same small contract.

Each module has ``NAME``, ``MIME_TYPE``, ``EXTENSION``, ``DEFAULTS``,
``ANIMATION``/``ALPHA`` (what the format can hold), ``is_available()``,
``encode(image, ...) -> bytes`` and ``parameters(image, ...) -> dict`` (what
``encode`` does with the same arguments, for the report).  The table below is the only registry:
adding a format means adding a line here, nothing is discovered at import time.
"""

from __future__ import annotations

from types import ModuleType

from ..errors import CodecUnavailableError
from . import gif, jpeg, png, webp

CODECS: dict[str, ModuleType] = {
    "jpeg": jpeg,
    "png": png,
    "webp": webp,
    "gif": gif,
}


def get(name: str) -> ModuleType:
    """The codec module for ``name``, refusing one this Pillow cannot encode."""
    codec = CODECS[name]
    if not codec.is_available():
        raise CodecUnavailableError(
            f"this build cannot write {name.upper()} images; choose another output format"
        )
    return codec


__all__ = ["CODECS", "get"]
