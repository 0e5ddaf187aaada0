"""Put libheif and libde265 into the pillow-heif wheel, beside its extension, as separate .so files.

pip builds `pillow_heif-<v>-<tags>.whl` with `_pillow_heif.*.so`, which needs `libheif.so`, which
needs `libde265.so` (build-heif.sh links them dynamically, each with an rpath of `$ORIGIN`). This
adds both libraries under `pillow_heif.libs/` (the directory the extension's rpath names, as
auditwheel would) and the licences of all three to the wheel's `licenses/`, and rewrites RECORD
and METADATA. The libraries are LGPL-3 and stay separate files, so a user can relink: replace
either .so with their own build of the same version.

The site's lock file lists the result as the package `heif` (build_wheel.py), loaded by the
worker when a HEIC file arrives (codecs/heic.py's PACKAGE). Fixed timestamps: the same build
gives the same bytes.

usage: heif_wheel.py PILLOW_HEIF_WHEEL LIB_DIR LICENCE_DIR OUT_DIR
"""

from __future__ import annotations

import base64
import hashlib
import sys
import zipfile
from pathlib import Path

# The package name in the site's lock file (codecs/heic.py's PACKAGE, worker.js's loadPackage).
LOCK_NAME = "heif"
LIBS_DIR = "pillow_heif.libs"
# Dependency order: the package loader opens them in the order of the archive.
LIBRARIES = ("libde265.so", "libheif.so")
EXTENSION_PREFIX = "_pillow_heif."
# Subsections of a side module's dylink.0 section (Emscripten's tools/webassembly.py).
DYLINK_NEEDED = 2
DYLINK_RUNTIME_PATH = 5
EPOCH = (1980, 1, 1, 0, 0, 0)
# What the wheel holds, with the licence of each.
LICENCES = {
    "pillow-heif": "BSD-3-Clause",
    "libheif": "LGPL-3.0-or-later",
    "libde265": "LGPL-3.0-or-later",
}
LICENSE_EXPRESSION = "BSD-3-Clause AND LGPL-3.0-or-later"


def _leb(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return result, pos


def _strings(data: bytes, pos: int) -> list[str]:
    count, pos = _leb(data, pos)
    out = []
    for _ in range(count):
        size, pos = _leb(data, pos)
        out.append(data[pos : pos + size].decode())
        pos += size
    return out


def dylink(data: bytes) -> tuple[list[str], list[str]]:
    """A side module's needed libraries and runtime paths, from its `dylink.0` section.

    These are what Emscripten's loader follows: each needed name is looked up in the runtime
    paths (`$ORIGIN` is the module's own directory), so they decide where the wheel puts the
    libraries.
    """
    if data[:4] != b"\0asm":
        raise ValueError("not a WebAssembly module")
    section, pos = data[8], 9
    if section != 0:
        raise ValueError("no dylink.0 section: not a side module")
    size, pos = _leb(data, pos)
    end = pos + size
    name_size, pos = _leb(data, pos)
    if data[pos : pos + name_size] != b"dylink.0":
        raise ValueError("no dylink.0 section: not a side module")
    pos += name_size
    needed: list[str] = []
    paths: list[str] = []
    while pos < end:
        kind = data[pos]
        length, pos = _leb(data, pos + 1)
        if kind == DYLINK_NEEDED:
            needed = _strings(data, pos)
        elif kind == DYLINK_RUNTIME_PATH:
            paths = _strings(data, pos)
        pos += length
    return needed, paths


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def _metadata(original: str, licence_files: list[str]) -> str:
    """pillow-heif's METADATA with our licence fields (the libraries inside are LGPL-3)."""
    kept = [
        line
        for line in original.splitlines()
        if not line.startswith(("License", "Classifier: License"))
    ]
    head = kept.index("") if "" in kept else len(kept)
    extra = [f"License-Expression: {LICENSE_EXPRESSION}"]
    extra += [f"License-File: {name}" for name in licence_files]
    return "\n".join(kept[:head] + extra + kept[head:]) + "\n"


def _check_needs(modules: dict[str, bytes]) -> None:
    """Every library a module needs is in the wheel, where its runtime paths point."""
    for name, data in modules.items():
        needed, paths = dylink(data)
        here = str(Path(name).parent)
        dirs = {p.replace("$ORIGIN", here).removeprefix("./") for p in paths}
        for lib in needed:
            if not any(f"{d}/{lib}".removeprefix("./") in modules for d in dirs):
                raise SystemExit(f"{name} needs {lib}, which is not in its runtime paths {paths}")


def repack(built: Path, libs: Path, licences: Path, out: Path) -> Path:
    """Write to `out` the pillow-heif wheel with the two libraries and every licence added."""
    out.mkdir(parents=True, exist_ok=True)
    files: dict[str, bytes] = {}
    with zipfile.ZipFile(built) as src:
        names = src.namelist()
        extensions = [n for n in names if n.startswith(EXTENSION_PREFIX) and n.endswith(".so")]
        if len(extensions) != 1:
            raise SystemExit(f"{built.name}: expected one {EXTENSION_PREFIX}*.so, {extensions}")
        (dist_info,) = {n.split("/")[0] for n in names if ".dist-info/" in n}
        for name in LIBRARIES:
            files[f"{LIBS_DIR}/{name}"] = (libs / name).read_bytes()
        for name in names:
            if name.endswith("/RECORD") or name.endswith("/METADATA") or "/licenses/" in name:
                continue
            files[name] = src.read(name)
        metadata = src.read(f"{dist_info}/METADATA").decode()
    _check_needs({name: data for name, data in files.items() if name.endswith(".so")})
    licence_names = sorted(path.name for path in licences.iterdir())
    for name in licence_names:
        files[f"{dist_info}/licenses/{name}"] = (licences / name).read_bytes()
    files[f"{dist_info}/METADATA"] = _metadata(metadata, licence_names).encode()
    record = [_record_line(name, data) for name, data in files.items()]
    record.append(f"{dist_info}/RECORD,,")
    files[f"{dist_info}/RECORD"] = ("\n".join(record) + "\n").encode()

    wheel = out / built.name
    with zipfile.ZipFile(wheel, "w") as dst:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (0o755 if name.endswith(".so") else 0o644) << 16
            dst.writestr(info, data)
    return wheel


if __name__ == "__main__":
    print(repack(*(Path(arg) for arg in sys.argv[1:5])))
