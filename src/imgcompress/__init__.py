"""imgcompress: private image compression that runs natively and in the browser.

The public surface is small on purpose — the web page (through Pyodide) and the CLI
use exactly this: ``compress``, ``inspect``, ``Options`` and the error family.
"""

from __future__ import annotations

from .engine import DEFAULT_VISUAL_TARGET, Info, Result, compress, inspect
from .errors import (
    CodecUnavailableError,
    CorruptImageError,
    EmptyInputError,
    ImageCompressError,
    ImageTooLargeError,
    InvalidOptionsError,
    UnsupportedFormatError,
)
from .options import Options

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_VISUAL_TARGET",
    "CodecUnavailableError",
    "CorruptImageError",
    "EmptyInputError",
    "ImageCompressError",
    "ImageTooLargeError",
    "Info",
    "InvalidOptionsError",
    "Options",
    "Result",
    "UnsupportedFormatError",
    "__version__",
    "compress",
    "inspect",
]
