"""heif_wheel.py puts libheif and libde265 beside pillow-heif's extension (no build needed)."""

from __future__ import annotations

import base64
import hashlib
import zipfile
from pathlib import Path

import heif_wheel
import pins
import pytest

TAGS = "cp314-cp314-pyemscripten_2026_0_wasm32"
WHEEL = f"pillow_heif-1.8.1-{TAGS}.whl"
EXTENSION = "_pillow_heif.cpython-314-wasm32-emscripten.so"
DIST_INFO = "pillow_heif-1.8.1.dist-info"
LICENCES = ("libde265-COPYING", "libheif-COPYING", "pillow-heif-LICENSE")


def _leb(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _strings(items: list[str]) -> bytes:
    return _leb(len(items)) + b"".join(_leb(len(s)) + s.encode() for s in items)


def side_module(needed: list[str], paths: list[str]) -> bytes:
    """A minimal wasm module whose dylink.0 section names these libraries and runtime paths."""
    body = b""
    for kind, payload in ((heif_wheel.DYLINK_NEEDED, needed), (5, paths)):
        encoded = _strings(payload)
        body += bytes([kind]) + _leb(len(encoded)) + encoded
    name = b"dylink.0"
    section = _leb(len(name)) + name + body
    return b"\0asm\1\0\0\0" + b"\0" + _leb(len(section)) + section


@pytest.fixture
def inputs(tmp_path: Path) -> tuple[Path, Path, Path]:
    """pip's pillow-heif wheel (stand-in), the two built libraries and the licences."""
    files = {
        EXTENSION: side_module(["libheif.so"], ["$ORIGIN/pillow_heif.libs"]),
        "pillow_heif/__init__.py": b"# pillow-heif\n",
        f"{DIST_INFO}/licenses/LICENSE.txt": b"BSD-3\n",
        f"{DIST_INFO}/METADATA": b"Name: pillow_heif\nLicense: BSD-3-Clause\n\nReadme\n",
        f"{DIST_INFO}/RECORD": b"stale\n",
    }
    wheel = tmp_path / "built" / WHEEL
    wheel.parent.mkdir()
    with zipfile.ZipFile(wheel, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    libs = tmp_path / "libs"
    libs.mkdir()
    (libs / "libheif.so").write_bytes(side_module(["libde265.so"], ["$ORIGIN"]))
    (libs / "libde265.so").write_bytes(side_module([], []))
    licences = tmp_path / "licences"
    licences.mkdir()
    for name in LICENCES:
        (licences / name).write_text(f"{name}\n")
    return wheel, libs, licences


def test_dylink_reads_needed_libraries_and_runtime_paths() -> None:
    """The dylink.0 section's needed names and runtime paths come back as written."""
    module = side_module(["libheif.so"], ["$ORIGIN", "$ORIGIN/x"])
    assert heif_wheel.dylink(module) == (["libheif.so"], ["$ORIGIN", "$ORIGIN/x"])


def test_dylink_refuses_what_is_not_a_side_module() -> None:
    """A plain wasm module (no dylink.0 first) is refused, not read as having no needs."""
    with pytest.raises(ValueError, match="side module"):
        heif_wheel.dylink(b"\0asm\1\0\0\0\1\4\1\x60\0\0")


def test_libraries_go_beside_the_extension_in_load_order(
    inputs: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    """libde265.so then libheif.so under pillow_heif.libs/, then the extension, byte for byte."""
    wheel, libs, licences = inputs
    out = heif_wheel.repack(wheel, libs, licences, tmp_path / "out")
    with zipfile.ZipFile(out) as zf:
        modules = [n for n in zf.namelist() if n.endswith(".so")]
        assert modules == [
            "pillow_heif.libs/libde265.so",
            "pillow_heif.libs/libheif.so",
            EXTENSION,
        ]
        assert zf.read("pillow_heif.libs/libheif.so") == (libs / "libheif.so").read_bytes()


def test_licences_and_metadata_name_all_three(
    inputs: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    """The wheel carries every licence and says LGPL-3 beside pillow-heif's BSD-3."""
    out = heif_wheel.repack(*inputs, tmp_path / "out")
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
        metadata = zf.read(f"{DIST_INFO}/METADATA").decode()
    assert {f"{DIST_INFO}/licenses/{n}" for n in LICENCES} <= set(names)
    assert "License-Expression: BSD-3-Clause AND LGPL-3.0-or-later" in metadata
    assert "License: BSD-3-Clause" not in metadata
    assert metadata.endswith("\nReadme\n")


def test_record_lists_every_file_with_its_hash(
    inputs: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    """RECORD covers every file of the new wheel with its sha256 and size."""
    out = heif_wheel.repack(*inputs, tmp_path / "out")
    with zipfile.ZipFile(out) as zf:
        record = zf.read(f"{DIST_INFO}/RECORD").decode().splitlines()
        for name in zf.namelist():
            if name.endswith("/RECORD"):
                continue
            data = zf.read(name)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            assert f"{name},sha256={digest.decode()},{len(data)}" in record


def test_a_library_nobody_ships_is_refused(inputs: tuple[Path, Path, Path], tmp_path: Path) -> None:
    """If libheif.so needs a name the wheel does not hold (e.g. a versioned soname), repack
    fails: in Pyodide the import would."""
    wheel, libs, licences = inputs
    (libs / "libheif.so").write_bytes(side_module(["libde265.so.0"], ["$ORIGIN"]))
    with pytest.raises(SystemExit, match=r"needs libde265\.so\.0"):
        heif_wheel.repack(wheel, libs, licences, tmp_path / "out")


def test_pyproject_pins_the_same_pillow_heif() -> None:
    """The browser's pillow-heif is the version the native tests run."""
    import tomllib

    import pillow_heif

    root = Path(__file__).resolve().parents[2]
    groups = tomllib.loads((root / "pyproject.toml").read_text())["dependency-groups"]
    version = pins.load_heif().pillow_heif_version
    assert f"pillow-heif=={version}" in groups["test"]
    assert pillow_heif.__version__ == version
