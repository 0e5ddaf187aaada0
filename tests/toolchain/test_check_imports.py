"""The build's guard against side modules that link but would fail to import."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from check_imports import imports_and_exports, unresolved


def leb(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def name(s: str) -> bytes:
    return leb(len(s)) + s.encode()


def section(kind: int, body: bytes) -> bytes:
    return bytes([kind]) + leb(len(body)) + body


def module(imports: list[tuple[str, str]], exports: list[str]) -> bytes:
    """A minimal wasm module: one function type, the given function imports and exports."""
    types = section(1, leb(1) + b"\x60\x00\x00")
    imps = section(
        2, leb(len(imports)) + b"".join(name(m) + name(f) + b"\x00" + leb(0) for m, f in imports)
    )
    exps = section(7, leb(len(exports)) + b"".join(name(e) + b"\x00" + leb(0) for e in exports))
    return b"\0asm\x01\0\0\0" + types + imps + exps


def wheel_with(tmp_path: Path, so: bytes) -> Path:
    wheel = tmp_path / "x-1-cp314-cp314-pyemscripten_2026_0_wasm32.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr("PIL/_webp.cpython-314-wasm32-emscripten.so", so)
    return wheel


def test_reads_imports_and_exports() -> None:
    """The parser lists a module's imports with their module names, and its exports."""
    data = module([("env", "malloc"), ("GOT.func", "WebPFree")], ["PyInit__webp"])
    assert imports_and_exports(data) == (
        [("env", "malloc"), ("GOT.func", "WebPFree")],
        {"PyInit__webp"},
    )


def test_missing_symbol_is_reported(tmp_path: Path) -> None:
    """An import that neither the main module nor the side module provides is named."""
    main = tmp_path / "main.wasm"
    main.write_bytes(module([("env", "emscripten_date_now")], ["malloc", "PyLong_FromLong"]))
    so = module(
        [
            ("env", "malloc"),
            ("env", "emscripten_date_now"),
            ("env", "SharpYuvConvert"),
            ("GOT.func", "WebPMemoryWrite"),
            ("env", "__memory_base"),
        ],
        ["PyInit__webp", "WebPMemoryWrite"],
    )
    missing = unresolved(main, wheel_with(tmp_path, so))
    assert missing == {"PIL/_webp.cpython-314-wasm32-emscripten.so": ["SharpYuvConvert"]}


def test_complete_module_passes(tmp_path: Path) -> None:
    """Imports met by the main module's exports, its own imports or the loader pass."""
    main = tmp_path / "main.wasm"
    main.write_bytes(module([("env", "emscripten_date_now")], ["malloc"]))
    so = module(
        [("env", "malloc"), ("env", "emscripten_date_now"), ("env", "__stack_pointer")],
        ["PyInit__webp"],
    )
    assert unresolved(main, wheel_with(tmp_path, so)) == {}


def test_not_wasm_is_refused() -> None:
    """Bytes that are not WebAssembly are refused rather than half-parsed."""
    with pytest.raises(ValueError, match="not a WebAssembly module"):
        imports_and_exports(b"\x7fELF....")
