"""The door the page's workers call: plain values in, one answer out, never a raise."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from imagehelpers import corpus
from PIL import Image

from imgcompress import codecs, door


def _jpeg(size: tuple[int, int] = (64, 48)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 80, 40)).save(buf, "JPEG", quality=95)
    return buf.getvalue()


def test_compress_answers_bytes_summary_and_name() -> None:
    """A good file comes back as bytes plus the engine's JSON-ready summary and a name."""
    answer = door.compress_file(memoryview(_jpeg()), {"format": "png"}, "holiday.JPG")
    assert answer["ok"] is True
    assert isinstance(answer["data"], bytes)
    assert answer["data"].startswith(b"\x89PNG")
    assert answer["result"]["format"] == "png"
    assert answer["result"]["size"] == len(answer["data"])
    assert answer["name"] == "holiday.png"


def test_compress_keeps_the_users_extension_when_the_format_is_unchanged() -> None:
    """An IMG_1.JPEG that stays a JPEG keeps its name, so people recognise it."""
    answer = door.compress_file(_jpeg(), {"format": "jpeg", "quality": 70}, "IMG_1.JPEG")
    assert answer["ok"] is True
    assert answer["name"] == "IMG_1.JPEG"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty_input"),
        (b"hello, not an image", "unsupported_format"),
        (_jpeg()[:300], "corrupt_image"),
    ],
)
def test_refused_files_answer_code_and_message(data: bytes, code: str) -> None:
    """A bad file is an answer with the engine's code and message, never an exception."""
    answer = door.compress_file(data, {}, "x.jpg")
    assert answer == {"ok": False, "error": {"code": code, "message": answer["error"]["message"]}}
    assert answer["error"]["message"]


def test_bad_options_name_the_field() -> None:
    """An unknown or invalid option is reported with the field so the form can point at it."""
    answer = door.compress_file(_jpeg(), {"quality": 500}, "x.jpg")
    assert answer["ok"] is False
    assert answer["error"]["code"] == "invalid_options"
    assert answer["error"]["field"] == "quality"


def test_bugs_become_one_generic_error_with_a_traceback_on_stderr(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Anything but an ImageCompressError is a bug: generic message, traceback to stderr."""
    answer = door.compress_file(["not", "bytes"], {}, "x.jpg")  # type: ignore[arg-type]
    assert answer == {"ok": False, "error": door.INTERNAL_ERROR}
    assert "Traceback" in capsys.readouterr().err


def test_corpus_photo_reports_what_was_removed(corpus: Path) -> None:
    """A real camera JPEG comes back smaller with its EXIF listed as removed."""
    data = (corpus / "exif_orientation6_landscape.jpg").read_bytes()
    answer = door.compress_file(data, {"quality": 60}, "o.jpg")
    assert answer["ok"] is True
    assert answer["result"]["size"] < len(data)
    assert "exif" in answer["result"]["report"]["removed"]


def test_an_engine_bug_is_internal_error_with_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bug below compress() reaches the door's internal_error, traceback on stderr."""
    from imgcompress import pixels

    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("bug")

    monkeypatch.setattr(pixels, "normalise", broken)
    answer = door.compress_file(_jpeg(), {}, "a.jpg")
    assert answer == {"ok": False, "error": door.INTERNAL_ERROR}
    assert "KeyError" in capsys.readouterr().err


def test_formats_come_from_the_codec_table() -> None:
    """The page's format list, choices and accept string come from the engine's table."""
    answer = door.formats()
    assert answer["ok"] is True
    assert [f["name"] for f in answer["formats"]] == [c.name for c in codecs.TABLE]
    values = [c["value"] for c in answer["choices"]]
    assert values == ["keep", "jpeg", "png", "webp", "avif", "smallest"]
    assert ".jfif" in answer["accept"]
    assert "image/webp" in answer["accept"]


def test_lazy_codec_is_offered_only_when_the_site_can_load_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A codec not loaded yet is offered if its package is loadable, and not otherwise."""
    missing = codecs.Codec(**{**vars(codecs.avif.CODEC), "available": lambda: False})
    monkeypatch.setattr(
        codecs, "TABLE", tuple(missing if c.name == "avif" else c for c in codecs.TABLE)
    )
    monkeypatch.setitem(codecs.CODECS, "avif", missing)
    without = door.formats()
    with_package = door.formats(["avif"])
    assert "avif" not in [c["value"] for c in without["choices"]]
    assert "avif" in [c["value"] for c in with_package["choices"]]
    row = next(f for f in with_package["formats"] if f["name"] == "avif")
    assert (row["read"], row["write"], row["package"]) == (True, True, "avif")
    assert ".avif" in with_package["accept"]
    assert ".avif" not in without["accept"]


def test_unloaded_codec_names_its_package(monkeypatch: pytest.MonkeyPatch) -> None:
    """A HEIC before its codec is loaded answers codec_unavailable naming the package."""
    missing = codecs.Codec(**{**vars(codecs.heic.CODEC), "available": lambda: False})
    monkeypatch.setattr(
        codecs, "TABLE", tuple(missing if c.name == "heic" else c for c in codecs.TABLE)
    )
    answer = door.compress_file(corpus("heic_sony_gray_exif_xmp_iptc.heic"), {}, "a.heic")
    assert answer["ok"] is False
    assert answer["error"]["code"] == "codec_unavailable"
    assert answer["error"]["package"] == "heif"
    assert "HEIC" in answer["error"]["message"]


def test_formats_imports_only_the_codecs_plugins() -> None:
    """The codec table and `formats` import our formats' Pillow plugins, not all of Pillow's
    (Image.init() imports every plugin: a third of a second of a worker's start-up)."""
    script = (
        "import sys; from imgcompress import door; assert door.formats()['ok']; "
        "print(' '.join(m for m in sys.modules if m.endswith('ImagePlugin')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout.split()
    assert "PIL.JpegImagePlugin" in out
    assert "PIL.WebPImagePlugin" in out
    assert "PIL.PdfImagePlugin" not in out
    assert "PIL.PsdImagePlugin" not in out
