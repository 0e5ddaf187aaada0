"""The command line: outputs, messages, JSON, exit codes, never overwriting inputs."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from imagehelpers import CORPUS, corpus, decode, encode, gradient

from imgcompress import cli


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.png").write_bytes(encode(gradient(), "PNG"))
    (folder / "sub" / "b.jpg").write_bytes(encode(gradient(), "JPEG", quality=95))
    (folder / "notes.txt").write_text("not an image")
    return folder


def test_writes_outputs_and_walks_folders(inputs: Path, tmp_path: Path) -> None:
    """A folder is walked; each image lands in OUTDIR as <stem>.<ext>; exit 0."""
    outdir = tmp_path / "out"
    code, _, err = run(str(inputs), "-o", str(outdir), "--quality", "70")
    assert code == 0
    assert sorted(p.name for p in outdir.iterdir()) == ["a.png", "b.jpg"]
    assert "a.png:" in err
    assert "saved" in err
    assert "total: 2 written, 0 failed" in err
    decode((outdir / "b.jpg").read_bytes())


def test_format_changes_extension(inputs: Path, tmp_path: Path) -> None:
    """--format webp writes .webp files."""
    outdir = tmp_path / "out"
    code, _, _ = run(str(inputs / "a.png"), "-o", str(outdir), "--format", "webp")
    assert code == 0
    assert [p.name for p in outdir.iterdir()] == ["a.webp"]
    assert decode((outdir / "a.webp").read_bytes()).format == "WEBP"


def test_failure_is_one_line_and_exit_1(tmp_path: Path) -> None:
    """A broken file prints '<name>: <message>' (no traceback); others still written."""
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(CORPUS / "corrupt_truncated.jpg", src / "broken.jpg")
    (src / "good.png").write_bytes(encode(gradient(), "PNG"))
    (src / "empty.png").write_bytes(b"")
    code, _, err = run(str(src), "-o", str(tmp_path / "out"))
    assert code == 1
    assert "broken.jpg: the file is truncated" in err
    assert "empty.png: the file is empty" in err
    assert "Traceback" not in err
    assert (tmp_path / "out" / "good.png").exists()
    assert "total: 1 written, 2 failed" in err


def test_json_lines(inputs: Path, tmp_path: Path) -> None:
    """--json prints one JSON object per file with the report (errors too)."""
    (inputs / "bad.gif").write_bytes(b"GIF89a\x00")
    code, out, _ = run(str(inputs), "-o", str(tmp_path / "out"), "--json", "--quality", "60")
    records = [json.loads(line) for line in out.splitlines()]
    assert code == 1
    assert len(records) == 3
    ok = [r for r in records if "report" in r]
    bad = [r for r in records if "error" in r]
    assert len(ok) == 2
    assert bad[0]["error"]["code"] == "corrupt_image"
    assert all(r["size"] == Path(r["output"]).stat().st_size for r in ok)


def test_never_overwrites_an_input(tmp_path: Path) -> None:
    """With OUTDIR equal to the input folder, the output gets a new name."""
    src = tmp_path / "photos"
    src.mkdir()
    original = encode(gradient(), "JPEG", quality=95)
    (src / "x.jpg").write_bytes(original)
    code, _, _ = run(str(src / "x.jpg"), "-o", str(src), "--quality", "50")
    assert code == 0
    assert (src / "x.jpg").read_bytes() == original
    assert (src / "x-1.jpg").exists()


def test_name_clashes_get_suffixes(tmp_path: Path) -> None:
    """Two inputs with the same stem do not overwrite each other in OUTDIR."""
    for folder in ("one", "two"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "pic.png").write_bytes(encode(gradient(), "PNG"))
    outdir = tmp_path / "out"
    code, _, _ = run(str(tmp_path / "one"), str(tmp_path / "two"), "-o", str(outdir))
    assert code == 0
    assert sorted(p.name for p in outdir.iterdir()) == ["pic-1.png", "pic.png"]


def test_progress_bar_for_several_files(inputs: Path, tmp_path: Path) -> None:
    """Several files draw a progress bar on stderr; stdout stays clean without --json."""
    code, out, err = run(str(inputs), "-o", str(tmp_path / "out"))
    assert code == 0
    assert "[" in err
    assert "2/2" in err
    assert out == ""


@pytest.mark.parametrize(
    "argv",
    [
        ["x.png"],
        ["x.png", "-o", "o", "--quality", "80", "--target-size", "10KB"],
        ["x.png", "-o", "o", "--format", "bmp"],
        ["x.png", "-o", "o", "--target-size", "lots"],
        ["x.png", "-o", "o", "--quality", "500"],
        ["x.png", "-o", "o", "--keep", "gps"],
    ],
)
def test_usage_errors_exit_2(
    argv: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bad flags or values exit with status 2 and a message on stderr."""
    monkeypatch.chdir(tmp_path)
    code, _, err = run(*argv)
    assert code == 2
    assert "error" in err


def test_missing_input_is_a_failure(tmp_path: Path) -> None:
    """A path that does not exist is reported and makes the exit status 1."""
    good = tmp_path / "g.png"
    good.write_bytes(encode(gradient(), "PNG"))
    code, _, err = run(str(tmp_path / "nope.jpg"), str(good), "-o", str(tmp_path / "out"))
    assert code == 1
    assert "nope.jpg: no such file or folder" in err


@pytest.mark.parametrize(
    ("text", "value"), [("200KB", 200_000), ("1.5MB", 1_500_000), ("64KiB", 65_536), ("5000", 5000)]
)
def test_parse_size(text: str, value: int) -> None:
    """Sizes accept SI and binary units."""
    assert cli.parse_size(text) == value


def test_target_size_flag(tmp_path: Path) -> None:
    """--target-size 20KB produces a file no bigger than 20 000 bytes."""
    code, out, _ = run(
        str(CORPUS / "kodim23.png"),
        "-o",
        str(tmp_path),
        "--target-size",
        "20KB",
        "--format",
        "jpeg",
        "--json",
    )
    record = json.loads(out)
    assert code == 0
    assert record["size"] <= 20_000
    assert record["report"]["target_met"] is True


def test_python_m_entry_point(tmp_path: Path) -> None:
    """`python -m imgcompress` runs the CLI in a real process with real exit codes."""
    src = tmp_path / "i.png"
    src.write_bytes(encode(gradient(), "PNG"))
    proc = subprocess.run(
        [sys.executable, "-m", "imgcompress", str(src), "-o", str(tmp_path / "o"), "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["format"] == "png"
    bad = subprocess.run(
        [sys.executable, "-m", "imgcompress", str(src)], capture_output=True, text=True, check=False
    )
    assert bad.returncode == 2


def test_line_names_removed_metadata_in_plain_words(tmp_path: Path) -> None:
    """The per-file line says what was removed as a person would ("GPS location")."""
    photo = tmp_path / "gps.jpg"
    photo.write_bytes(corpus("photo_gps_nokia8.3_9mp.jpg"))
    code, _, err = run(str(photo), "-o", str(tmp_path / "out"), "--quality", "70")
    assert code == 0
    assert "removed GPS location, camera make and model" in err
    assert "gps," not in err
