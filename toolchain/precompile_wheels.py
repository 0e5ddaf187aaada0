"""Add CPython bytecode to wheels, compiled by the Python that will import them (Pyodide's).

Run inside Pyodide by precompile.mjs at site build time. A wheel of plain sources makes the
page compile every module it imports on every start (PIL/Image.py alone takes ~150 ms in
WebAssembly); with `__pycache__/*.pyc` beside each source the import only loads the bytecode.
The .pyc files are unchecked-hash ones (PEP 552): the unpacked files' modification times mean
nothing, and the build pairs each .pyc with the exact source it came from. Sources stay, so
tracebacks show their lines.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import marshal
import sys
import zipfile
from pathlib import PurePosixPath

# Where Pyodide unpacks wheels (its installStdlib: /lib/pythonX.Y/site-packages).
SITE_PACKAGES = f"/lib/python{sys.version_info[0]}.{sys.version_info[1]}/site-packages"
FLAG_UNCHECKED_HASH = 0b01  # PEP 552 flags word: hash-based, not checked against the source


def pyc_path(source: str) -> str:
    path = PurePosixPath(source)
    return str(path.parent / "__pycache__" / f"{path.stem}.{sys.implementation.cache_tag}.pyc")


def bytecode(source: bytes, name: str) -> bytes:
    code = compile(source, f"{SITE_PACKAGES}/{name}", "exec", dont_inherit=True)
    header = importlib.util.MAGIC_NUMBER + FLAG_UNCHECKED_HASH.to_bytes(4, "little")
    return header + importlib.util.source_hash(source) + marshal.dumps(code)


def record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def precompile(wheel: str) -> int:
    """Rewrite `wheel` with a .pyc for each package source; returns how many were added."""
    with zipfile.ZipFile(wheel) as src:
        members = [(info, src.read(info)) for info in src.infolist()]
    names = {info.filename for info, _ in members}
    added = []
    for info, data in members:
        name = info.filename
        if name.endswith(".py") and ".dist-info/" not in name and pyc_path(name) not in names:
            added.append((info, pyc_path(name), bytecode(data, name)))
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in members:
            if info.filename.endswith(".dist-info/RECORD"):
                lines = data.decode().splitlines()
                lines += [record_line(pyc, blob) for _, pyc, blob in added]
                data = ("\n".join(lines) + "\n").encode()
            out.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
        for info, pyc, blob in added:
            entry = zipfile.ZipInfo(pyc, date_time=info.date_time)
            entry.external_attr = info.external_attr
            out.writestr(entry, blob, compress_type=zipfile.ZIP_DEFLATED)
    return len(added)


for wheel in WHEELS:  # noqa: F821  (set by precompile.mjs)
    print(f"{PurePosixPath(wheel).name}: {precompile(wheel)} modules precompiled")
