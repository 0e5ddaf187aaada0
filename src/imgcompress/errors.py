"""Every way the engine can refuse an image, as one family.

The web page and the CLI show ``message`` to a person and key on ``code``, so the
codes are part of the public contract and never change once released::

    ImageCompressError                 (base; code "error")
    ├── EmptyInputError                "empty_input"
    ├── UnsupportedFormatError         "unsupported_format"
    ├── CorruptImageError              "corrupt_image"
    ├── ImageTooLargeError             "image_too_large"
    ├── InvalidOptionsError            "invalid_options"
    └── CodecUnavailableError          "codec_unavailable"

These are the refusals of a *file* (or of its options).  Decoder failures are caught
only around the calls into the decoders (``imgcompress.decode``) and become
``CorruptImageError``; a file that cannot be decoded completely is refused, never passed
on as a partial picture.  Any other exception is a bug in the engine: it propagates as
itself, and the front ends turn it into one generic message (the door's
``internal_error``, the CLI's "something went wrong inside imgcompress") with the
traceback where a developer looks.  The CLI and the page key on ``code``; engine notes
(``report["notes"]``) have their own stable codes, listed in ``imgcompress.report``.
"""

from __future__ import annotations


class ImageCompressError(Exception):
    """Base class, so callers can catch every refusal with one ``except``."""

    code: str = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def to_dict(self) -> dict[str, str]:
        """Give the page a plain object it can post across a worker boundary."""
        return {"code": self.code, "message": self.message, "type": type(self).__name__}


class EmptyInputError(ImageCompressError):
    """The input had no bytes at all (an empty file or a failed read)."""

    code = "empty_input"


class UnsupportedFormatError(ImageCompressError):
    """The bytes are not an image format the engine reads."""

    code = "unsupported_format"


class CorruptImageError(ImageCompressError):
    """The format is recognised but the data cannot be decoded (e.g. truncated)."""

    code = "corrupt_image"


class ImageTooLargeError(ImageCompressError):
    """Refused before decoding so one image cannot exhaust browser memory."""

    code = "image_too_large"


class InvalidOptionsError(ImageCompressError):
    """An option has a bad value; ``field`` names it so a form can highlight it."""

    code = "invalid_options"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field

    def to_dict(self) -> dict[str, str]:
        """Add the offending field so the page can point at the right control."""
        return {**super().to_dict(), "field": self.field}


class CodecUnavailableError(ImageCompressError):
    """This Pillow build lacks the codec needed (e.g. no WebP in a minimal build).

    ``package`` names the browser package that provides it, when there is one: the
    worker loads it and tries the file again, so lazily loaded codecs need no other path.
    """

    code = "codec_unavailable"

    def __init__(self, message: str, package: str | None = None) -> None:
        super().__init__(message)
        self.package = package

    def to_dict(self) -> dict[str, str]:
        """Add the package that would provide the codec, if any."""
        out = super().to_dict()
        if self.package:
            out["package"] = self.package
        return out


__all__ = [
    "CodecUnavailableError",
    "CorruptImageError",
    "EmptyInputError",
    "ImageCompressError",
    "ImageTooLargeError",
    "InvalidOptionsError",
    "UnsupportedFormatError",
]
