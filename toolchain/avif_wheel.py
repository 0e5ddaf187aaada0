"""Move Pillow's AVIF extension out of the Pillow wheel into a wheel of its own.

`PIL/_avif.*.so` links libavif, libaom and dav1d: about as large as the rest of Pillow together.
The page loads Pillow at start-up and the codec only when a file needs AVIF (web/worker.js), so
the one Pillow build (with `-C avif=enable`) is split in two here:

    pillow-<v>-<tags>.whl                    Pillow without `_avif` (its RECORD rewritten)
    imgcompress_pillow_avif-<v>-<tags>.whl   `PIL/_avif.*.so` and the licences of what it holds

The site's lock file lists the second one as the package `avif`, depending on `pillow`
(build_wheel.py). Both wheels are written with fixed timestamps, so the same build gives the
same bytes.

usage: avif_wheel.py PILLOW_WHEEL LICENCE_DIR OUT_DIR
"""

from __future__ import annotations

import base64
import hashlib
import sys
import zipfile
from pathlib import Path

# The package name in the site's lock file (codecs/avif.py's PACKAGE, worker.js's loadPackage).
LOCK_NAME = "avif"
DIST_NAME = "imgcompress_pillow_avif"
MODULE_PREFIX = "PIL/_avif."
EPOCH = (1980, 1, 1, 0, 0, 0)
# What `_avif` holds besides Pillow's own code, with the licence of each.
LICENCES = {
    "libaom": "BSD-2-Clause (and the AOM Patent License 1.0)",
    "dav1d": "BSD-2-Clause",
    "libavif": "BSD-2-Clause",
}


def wheel_name(pillow_wheel: str) -> str:
    """The AVIF wheel's file name for a Pillow wheel's: same version and tags."""
    _, version, tags = pillow_wheel.removesuffix(".whl").split("-", 2)
    return f"{DIST_NAME}-{version}-{tags}.whl"


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def _write(zf: zipfile.ZipFile, name: str, data: bytes, mode: int = 0o644) -> None:
    info = zipfile.ZipInfo(name, EPOCH)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = mode << 16
    zf.writestr(info, data)


def _metadata(version: str, licence_files: list[str]) -> str:
    lines = [
        "Metadata-Version: 2.4",
        f"Name: {DIST_NAME.replace('_', '-')}",
        f"Version: {version}",
        "Summary: Pillow's AVIF codec (PIL._avif with libavif, libaom and dav1d) for Pyodide,"
        " loaded on demand",
        f"Requires-Dist: pillow=={version}",
        "License-Expression: MIT-CMU AND BSD-2-Clause",
        *(f"License-File: {name}" for name in licence_files),
    ]
    return "\n".join(lines) + "\n"


def split(pillow_wheel: Path, licences: Path, out: Path) -> tuple[Path, Path]:
    """Write to `out` the Pillow wheel without `_avif` and the AVIF wheel with it."""
    out.mkdir(parents=True, exist_ok=True)
    _, version, tags = pillow_wheel.name.removesuffix(".whl").split("-", 2)
    with zipfile.ZipFile(pillow_wheel) as src:
        names = src.namelist()
        modules = [n for n in names if n.startswith(MODULE_PREFIX) and n.endswith(".so")]
        if len(modules) != 1:
            raise SystemExit(f"{pillow_wheel.name}: expected one {MODULE_PREFIX}*.so, {modules}")
        (module,) = modules
        (record,) = [n for n in names if n.endswith(".dist-info/RECORD")]
        (pillow_licence,) = [n for n in names if n.endswith(".dist-info/licenses/LICENSE")]

        pillow_out = out / pillow_wheel.name
        with zipfile.ZipFile(pillow_out, "w") as dst:
            for info in src.infolist():
                if info.filename == module:
                    continue
                data = src.read(info)
                if info.filename == record:
                    lines = data.decode().splitlines()
                    kept = [line for line in lines if line.split(",")[0] != module]
                    data = ("\n".join(kept) + "\n").encode()
                # A fresh ZipInfo: writing src's own would move its offsets and break src.
                copy = zipfile.ZipInfo(info.filename, info.date_time)
                copy.compress_type, copy.external_attr = info.compress_type, info.external_attr
                dst.writestr(copy, data)

        dist_info = f"{DIST_NAME}-{version}.dist-info"
        files: dict[str, bytes] = {module: src.read(module)}
        licence_names = ["Pillow-LICENSE"]
        files[f"{dist_info}/licenses/Pillow-LICENSE"] = src.read(pillow_licence)
    for path in sorted(licences.iterdir()):
        licence_names.append(path.name)
        files[f"{dist_info}/licenses/{path.name}"] = path.read_bytes()
    files[f"{dist_info}/METADATA"] = _metadata(version, licence_names).encode()
    files[f"{dist_info}/WHEEL"] = (
        f"Wheel-Version: 1.0\nGenerator: imgcompress avif_wheel.py\n"
        f"Root-Is-Purelib: false\nTag: {tags}\n"
    ).encode()
    record = [_record_line(name, data) for name, data in files.items()]
    record.append(f"{dist_info}/RECORD,,")
    files[f"{dist_info}/RECORD"] = ("\n".join(record) + "\n").encode()

    avif_out = out / wheel_name(pillow_wheel.name)
    with zipfile.ZipFile(avif_out, "w") as dst:
        for name, data in files.items():
            _write(dst, name, data, 0o755 if name.endswith(".so") else 0o644)
    return pillow_out, avif_out


if __name__ == "__main__":
    for wheel in split(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])):
        print(wheel)
