"""avif_wheel.py moves `_avif` out of a Pillow wheel into the `avif` wheel (no build needed)."""

from __future__ import annotations

import base64
import hashlib
import zipfile
from pathlib import Path

import avif_wheel
import pytest

TAGS = "cp314-cp314-pyemscripten_2026_0_wasm32"
PILLOW = f"pillow-12.2.0-{TAGS}.whl"
MODULE = "PIL/_avif.cpython-314-wasm32-emscripten.so"
OTHER = "PIL/_webp.cpython-314-wasm32-emscripten.so"
DIST_INFO = "pillow-12.2.0.dist-info"


def record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, Path]:
    """A stand-in Pillow wheel with `_avif` and `_webp`, and a folder of codec licences."""
    files = {
        MODULE: b"\0asm-avif",
        OTHER: b"\0asm-webp",
        "PIL/Image.py": b"# Pillow\n",
        f"{DIST_INFO}/licenses/LICENSE": b"MIT-CMU\n",
        f"{DIST_INFO}/METADATA": b"Name: pillow\n",
    }
    record = [record_line(n, d) for n, d in files.items()] + [f"{DIST_INFO}/RECORD,,"]
    files[f"{DIST_INFO}/RECORD"] = ("\n".join(record) + "\n").encode()
    wheel = tmp_path / "built" / PILLOW
    wheel.parent.mkdir()
    with zipfile.ZipFile(wheel, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    licences = tmp_path / "licences"
    licences.mkdir()
    for name in ("dav1d-COPYING", "libaom-LICENSE", "libaom-PATENTS", "libavif-LICENSE"):
        (licences / name).write_text(f"{name}\n")
    return wheel, licences


def test_pillow_loses_avif_and_keeps_the_rest(built: tuple[Path, Path], tmp_path: Path) -> None:
    pillow, _ = avif_wheel.split(*built, tmp_path / "out")
    with zipfile.ZipFile(pillow) as zf:
        names = zf.namelist()
        record = zf.read(f"{DIST_INFO}/RECORD").decode()
    assert pillow.name == PILLOW
    assert MODULE not in names
    assert OTHER in names
    assert "PIL/Image.py" in names
    assert MODULE not in record
    assert OTHER in record


def test_avif_wheel_holds_the_module_its_licences_and_a_valid_record(
    built: tuple[Path, Path], tmp_path: Path
) -> None:
    _, avif = avif_wheel.split(*built, tmp_path / "out")
    assert avif.name == f"imgcompress_pillow_avif-12.2.0-{TAGS}.whl"
    dist_info = "imgcompress_pillow_avif-12.2.0.dist-info"
    with zipfile.ZipFile(avif) as zf:
        names = set(zf.namelist())
        assert zf.read(MODULE) == b"\0asm-avif"
        metadata = zf.read(f"{dist_info}/METADATA").decode()
        wheel_file = zf.read(f"{dist_info}/WHEEL").decode()
        record = zf.read(f"{dist_info}/RECORD").decode().splitlines()
        contents = {n: zf.read(n) for n in names}
    assert [n for n in names if n.endswith(".so")] == [MODULE]
    for licence in ("Pillow-LICENSE", "libaom-LICENSE", "libaom-PATENTS", "dav1d-COPYING"):
        assert f"{dist_info}/licenses/{licence}" in names
        assert f"License-File: {licence}" in metadata
    assert "Requires-Dist: pillow==12.2.0" in metadata
    assert f"Tag: {TAGS}" in wheel_file
    assert f"{dist_info}/RECORD,," in record
    for line in record:
        name = line.split(",")[0]
        if name != f"{dist_info}/RECORD":
            assert line == record_line(name, contents[name])
    assert {line.split(",")[0] for line in record} == names


def test_the_same_input_gives_the_same_bytes(built: tuple[Path, Path], tmp_path: Path) -> None:
    _, first = avif_wheel.split(*built, tmp_path / "a")
    _, second = avif_wheel.split(*built, tmp_path / "b")
    assert first.read_bytes() == second.read_bytes()


def test_a_pillow_wheel_without_avif_is_refused(tmp_path: Path) -> None:
    wheel = tmp_path / PILLOW
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr(f"{DIST_INFO}/RECORD", "")
    with pytest.raises(SystemExit, match="expected one"):
        avif_wheel.split(wheel, tmp_path, tmp_path / "out")
