"""Build the static site: our wheel, the Pyodide runtime and Pillow for WebAssembly.

`dist/site/` is everything a static host serves, and nothing else is ever fetched by the page:
    index.html, *.js, *.css        the page and its workers, from web/
    pyodide/                       the Pyodide core files from npm pyodide@314.0.7
    wheels/                        Pillow for Pyodide, our imgcompress wheel, pyodide-lock.json
    manifest.json                  every file with its sha256 and size

The lock file lists only our two wheels (Pyodide's own lists hundreds of packages that live on
its CDN), so `loadPackage` can never reach for another host, and Pyodide checks each wheel's
sha256 before installing it.

usage: python build_wheel.py [--force-pillow] [--out DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "toolchain"))

import pillow_wasm  # noqa: E402

WEB = ROOT / "web"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build_imgcompress_wheel(dest: Path) -> Path:
    """Our pure-Python wheel, built by the standard tool from pyproject.toml."""
    with tempfile.TemporaryDirectory() as tmp:
        # A fixed timestamp makes the same sources give the same wheel, so the site's version
        # (and the service worker's cache) changes only when something really changed.
        env = {**os.environ, "SOURCE_DATE_EPOCH": "315532800"}
        subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", tmp, str(ROOT)],
            check=True,
            env=env,
        )
        (wheel,) = Path(tmp).glob("imgcompress-*.whl")
        return Path(shutil.copy2(wheel, dest))


def wheel_version(wheel: Path) -> str:
    return wheel.name.split("-")[1]


def lock_entry(wheel: Path, name: str, imports: list[str], depends: list[str]) -> dict:
    return {
        "name": name,
        "version": wheel_version(wheel),
        "file_name": wheel.name,
        "install_dir": "site",
        "sha256": sha256(wheel),
        "package_type": "package",
        "imports": imports,
        "depends": depends,
        "unvendored_tests": False,
    }


def write_lock(runtime: Path, pillow: Path, ours: Path, dest: Path) -> None:
    upstream = json.loads((runtime / "pyodide-lock.json").read_text())
    lock = {
        "info": upstream["info"],
        "packages": {
            "pillow": lock_entry(pillow, "Pillow", ["PIL"], []),
            "imgcompress": lock_entry(ours, "imgcompress", ["imgcompress"], ["pillow"]),
        },
    }
    dest.write_text(json.dumps(lock, indent=2) + "\n")


def write_manifest(site: Path, pillow_info: dict) -> dict:
    files = {}
    for path in sorted(site.rglob("*")):
        if path.is_file() and path.name != "manifest.json":
            rel = path.relative_to(site).as_posix()
            files[rel] = {"sha256": sha256(path), "size": path.stat().st_size}
    version = hashlib.sha256(json.dumps(files, sort_keys=True).encode()).hexdigest()[:16]
    manifest = {"version": version, "pillow_build": pillow_info, "files": files}
    (site / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def check_pillow_wheel(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        modules = {Path(n).name.split(".")[0] for n in zf.namelist() if n.endswith(".so")}
    needed = {"_imaging", "_imagingcms", "_webp"}
    if not needed <= modules:
        raise SystemExit(f"{wheel.name} lacks {sorted(needed - modules)}")


def build_site(out: Path, force_pillow: bool = False) -> dict:
    started = time.monotonic()
    pillow = pillow_wasm.ensure_wheel(force=force_pillow)
    check_pillow_wheel(pillow)
    runtime = pillow_wasm.pyodide_runtime()

    tmp = out.with_name(out.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(WEB, tmp)
    (tmp / "pyodide").mkdir()
    for name in pillow_wasm.PYODIDE_CORE:
        shutil.copy2(runtime / name, tmp / "pyodide" / name)
    wheels = tmp / "wheels"
    wheels.mkdir()
    pillow_copy = Path(shutil.copy2(pillow, wheels / pillow.name))
    ours = build_imgcompress_wheel(wheels)
    write_lock(runtime, pillow_copy, ours, wheels / "pyodide-lock.json")
    info = json.loads((pillow.parent / "BUILDINFO.json").read_text())
    manifest = write_manifest(tmp, info)

    shutil.rmtree(out, ignore_errors=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp.rename(out)
    total = sum(f["size"] for f in manifest["files"].values())
    print(
        f"site: {out} ({len(manifest['files'])} files, {total / 1e6:.1f} MB, "
        f"version {manifest['version']}) in {time.monotonic() - started:.1f} s"
    )
    return manifest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--force-pillow",
        action="store_true",
        help="rebuild Pillow for WebAssembly even when the cache has it",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "dist" / "site")
    args = parser.parse_args()
    build_site(args.out.resolve(), force_pillow=args.force_pillow)


if __name__ == "__main__":
    main()
