"""The error family: codes are a contract with the page."""

from __future__ import annotations

import pytest

from imgcompress import errors

EXPECTED = {
    errors.UnsupportedFormatError: "unsupported_format",
    errors.CorruptImageError: "corrupt_image",
    errors.ImageTooLargeError: "image_too_large",
    errors.EmptyInputError: "empty_input",
    errors.InvalidOptionsError: "invalid_options",
    errors.CodecUnavailableError: "codec_unavailable",
}


@pytest.mark.parametrize(("cls", "code"), list(EXPECTED.items()))
def test_each_error_has_its_stable_code(cls: type[errors.ImageCompressError], code: str) -> None:
    """Every subclass carries the documented code and is an ImageCompressError."""
    assert cls.code == code
    assert issubclass(cls, errors.ImageCompressError)


def test_codes_are_unique_and_cover_all_subclasses() -> None:
    """No two errors share a code, and no subclass is missing from the table."""
    subclasses = set(errors.ImageCompressError.__subclasses__())
    assert subclasses == set(EXPECTED)
    assert len(set(EXPECTED.values())) == len(EXPECTED)


def test_message_and_to_dict_are_plain() -> None:
    """The message is kept verbatim and to_dict gives code/message/type."""
    err = errors.CorruptImageError("the file is truncated")
    assert str(err) == "the file is truncated"
    assert err.to_dict() == {
        "code": "corrupt_image",
        "message": "the file is truncated",
        "type": "CorruptImageError",
    }


def test_invalid_options_names_the_field() -> None:
    """InvalidOptionsError puts the field in the message and in to_dict."""
    err = errors.InvalidOptionsError("quality", "must be 1 to 100")
    assert err.field == "quality"
    assert "quality" in str(err)
    assert err.to_dict()["field"] == "quality"


def test_module_docstring_draws_the_whole_tree() -> None:
    """The errors module docstring names every class and code (the documented tree)."""
    doc = errors.__doc__ or ""
    for cls, code in EXPECTED.items():
        assert cls.__name__ in doc
        assert code in doc
