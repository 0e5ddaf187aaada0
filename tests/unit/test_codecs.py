"""The codec table and the shared contract every codec module follows."""

from __future__ import annotations

import pytest

from imgcompress import CodecUnavailableError, codecs


@pytest.mark.parametrize("name", sorted(codecs.CODECS))
def test_codec_contract(name: str) -> None:
    """Each codec module exposes NAME, MIME_TYPE, EXTENSION, DEFAULTS, is_available, encode."""
    codec = codecs.CODECS[name]
    assert name == codec.NAME
    assert codec.MIME_TYPE.startswith("image/")
    assert codec.EXTENSION.startswith(".")
    assert isinstance(codec.DEFAULTS, dict)
    assert codec.is_available() is True
    assert callable(codec.encode)
    assert callable(codec.parameters)


def test_table_is_explicit() -> None:
    """The registry lists exactly the four output formats."""
    assert set(codecs.CODECS) == {"jpeg", "png", "webp", "gif"}


def test_unavailable_codec_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    """A codec missing from the Pillow build is refused with codec_unavailable."""
    monkeypatch.setattr(codecs.webp, "is_available", lambda: False)
    with pytest.raises(CodecUnavailableError) as info:
        codecs.get("webp")
    assert info.value.code == "codec_unavailable"
