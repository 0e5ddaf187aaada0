"""Fail the build when a side module in the Pillow wheel imports a symbol nobody provides.

A wasm side module links even when a symbol is missing (the linker leaves it as an import), and
the failure only shows in the browser, at `import PIL._webp`. So every import of every `.so` in
the wheel must be exported by pyodide.asm.wasm or by the module itself, or be one of the main
module's own imports (the JavaScript runtime functions that Emscripten hands to side modules
too), or be one of the dynamic-linking globals the loader supplies.

usage: check_imports.py PYODIDE_ASM_WASM WHEEL
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

# Supplied by Emscripten's dynamic linker to every side module.
LOADER_SUPPLIED = {
    "memory",
    "__memory_base",
    "__table_base",
    "__stack_pointer",
    "__indirect_function_table",
    "__c_longjmp",
    "__cpp_exception",
}


class WasmReader:
    def __init__(self, data: bytes) -> None:
        if data[:4] != b"\0asm":
            raise ValueError("not a WebAssembly module")
        self.data, self.pos = data, 8

    def byte(self) -> int:
        self.pos += 1
        return self.data[self.pos - 1]

    def leb(self) -> int:
        result = shift = 0
        while True:
            b = self.byte()
            result |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                return result

    def name(self) -> str:
        n = self.leb()
        self.pos += n
        return self.data[self.pos - n : self.pos].decode()

    def limits(self) -> None:
        flags = self.byte()
        self.leb()
        if flags & 1:
            self.leb()


def imports_and_exports(data: bytes) -> tuple[list[tuple[str, str]], set[str]]:
    r = WasmReader(data)
    imports: list[tuple[str, str]] = []
    exports: set[str] = set()
    while r.pos < len(data):
        section, size = r.byte(), r.leb()
        end = r.pos + size
        if section == 2:
            for _ in range(r.leb()):
                module, field, kind = r.name(), r.name(), r.byte()
                if kind in (0, 4):  # function type index; tag: attribute, type index
                    if kind == 4:
                        r.byte()
                    r.leb()
                elif kind == 1:  # table: reftype, limits
                    r.byte()
                    r.limits()
                elif kind == 2:
                    r.limits()
                elif kind == 3:  # global: valtype, mutability
                    r.byte()
                    r.byte()
                imports.append((module, field))
        elif section == 7:
            for _ in range(r.leb()):
                exports.add(r.name())
                r.byte()
                r.leb()
        r.pos = end
    return imports, exports


def unresolved(main_wasm: Path, wheel: Path) -> dict[str, list[str]]:
    main_imports, main_exports = imports_and_exports(main_wasm.read_bytes())
    provided = main_exports | {field for _, field in main_imports} | LOADER_SUPPLIED
    missing: dict[str, list[str]] = {}
    with zipfile.ZipFile(wheel) as zf:
        modules = [n for n in zf.namelist() if n.endswith(".so")]
        if not modules:
            raise SystemExit(f"check_imports: {wheel.name} holds no side modules")
        for name in modules:
            imports, own_exports = imports_and_exports(zf.read(name))
            # GOT entries may also point at the module's own exported functions.
            bad = sorted({f for _, f in imports if f not in provided and f not in own_exports})
            if bad:
                missing[name] = bad
    return missing


def main(main_wasm: str, wheel: str) -> None:
    missing = unresolved(Path(main_wasm), Path(wheel))
    for name, symbols in missing.items():
        print(f"{name}: {len(symbols)} unresolved: {', '.join(symbols[:20])}", file=sys.stderr)
    if missing:
        sys.exit("check_imports: the wheel would fail at import time in Pyodide")
    print(f"check_imports: every import of every side module in {Path(wheel).name} is provided")


if __name__ == "__main__":
    main(*sys.argv[1:])
