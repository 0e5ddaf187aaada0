"""The codec table and the contract every codec fills in."""

from __future__ import annotations

import ast
import io
from pathlib import Path

import pytest
from imagehelpers import gradient

from imgcompress import CodecUnavailableError, codecs
from imgcompress.codecs import Codec, Picture, Settings

SRC = Path(codecs.__file__).resolve().parents[1]


@pytest.mark.parametrize("codec", codecs.TABLE, ids=lambda c: c.name)
def test_codec_contract(codec: Codec) -> None:
    """Each row names its format, MIME type and extensions, and can say if it is available."""
    assert codecs.CODECS[codec.name] is codec
    assert codec.mime_type.startswith("image/")
    assert codec.extensions
    assert all(e.startswith(".") for e in codec.extensions)
    assert codec.extension == codec.extensions[0]
    assert codec.pillow_formats
    assert codec.available() is True
    assert codec.can_write or codec.keep_as in codecs.CODECS


@pytest.mark.parametrize("codec", codecs.TABLE, ids=lambda c: c.name)
def test_every_codec_sniffs_and_checks_a_file_of_its_format(codec: Codec) -> None:
    """A file written by Pillow's own writer for the format is sniffed and passes its check."""
    out = io.BytesIO()
    gradient(mode="RGB").save(out, codec.pillow_formats[0])
    data = out.getvalue()
    assert codecs.sniff(data) is codec
    codec.check(data)


@pytest.mark.parametrize("codec", [c for c in codecs.TABLE if c.can_write], ids=lambda c: c.name)
def test_every_codec_encodes_what_it_sniffs(codec: Codec) -> None:
    """A still encoded by the codec is recognised by its own sniffer and passes its check."""
    assert codec.encode is not None
    image = codec.prepare(gradient(mode="RGBA" if codec.alpha else "RGB"))
    data = codec.encode(Picture.still(image), Settings()).data
    assert codecs.sniff(data) is codec
    codec.check(data)


def test_table_is_explicit() -> None:
    """The registry lists exactly these formats, in the order the page shows them."""
    names = [c.name for c in codecs.TABLE]
    assert names == ["jpeg", "png", "webp", "avif", "gif", "heic", "tiff"]


def test_describe_is_plain_values() -> None:
    """The page's description holds only JSON values and names every extension."""
    described = codecs.describe()
    assert [d["name"] for d in described] == [c.name for c in codecs.TABLE]
    assert ".jfif" in described[0]["extensions"]  # type: ignore[operator]
    assert all(isinstance(v, str | bool | list | None) for d in described for v in d.values())


def test_unavailable_codec_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    """A codec missing from the Pillow build is refused with codec_unavailable."""
    monkeypatch.setitem(
        codecs.CODECS, "webp", Codec(**{**vars(codecs.webp.CODEC), "available": lambda: False})
    )
    with pytest.raises(CodecUnavailableError) as info:
        codecs.get("webp")
    assert info.value.code == "codec_unavailable"


ENGINE_MODULES = ("engine.py", "search.py", "decode.py", "pixels.py", "report.py", "metadata.py")


@pytest.mark.parametrize("module", ENGINE_MODULES)
def test_engine_never_branches_on_a_format_name(module: str) -> None:
    """No comparison in the engine against a format name: capabilities decide."""
    names = {c.name for c in codecs.TABLE} | {p for c in codecs.TABLE for p in c.pillow_formats}
    lowered = {n.lower() for n in names}
    tree = ast.parse((SRC / module).read_text())
    offending = [
        ast.unparse(node)
        for node in ast.walk(tree)
        if isinstance(node, ast.Compare)
        for side in (node.left, *node.comparators)
        for part in ast.walk(side)
        if isinstance(part, ast.Constant) and str(part.value).lower() in lowered
    ]
    assert offending == []
