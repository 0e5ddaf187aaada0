"""The `heif` package for Pyodide 314: pillow-heif, libheif and libde265, built here.

A step of its own beside the Pillow build (pillow_wasm.py), with its own cache key: pillow-heif's
extension needs Python's headers and libheif, none of Pillow's C code, so changing one build
never rebuilds the other. It shares the sid chroot, the Pyodide runtime and the build lock.

Sources, each checked against its sha256 in pins.toml's [heif]:
    libde265    the .orig tarball of sid's source package, from the host's Debian mirror pool
                (the mirror lacks the package's .dsc, so `apt-get source` cannot fetch it)
    libheif     bundled in the pylibheif sdist (third_party/libheif), from the Python package index
    pillow-heif its sdist, from the Python package index, the version the native tests use

build-heif.sh builds them in the chroot; heif_wheel.py puts the libraries into the wheel as
separate .so files (LGPL-3: relinkable). Cached under $IMGCOMPRESS_CACHE/heif-<key>/ with a
BUILDINFO.json naming every archive, its sha256, licence and each step's time.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import urllib.request
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import heif_wheel  # noqa: E402
import pillow_wasm  # noqa: E402
import pins  # noqa: E402
from apt_mirror import debian_mirror  # noqa: E402
from check_imports import LOADER_SUPPLIED, imports_and_exports  # noqa: E402

HEIF = pins.load_heif()
BUILD_FILES = (
    "build-heif.sh",
    "emcc-side-module",
    "make_pyconfig.py",
    "check_imports.py",
    "heif_wasm.py",
    "heif_wheel.py",
)
# Archive name -> (sha256, the licence of what is built from it).
SOURCES = {
    f"libde265_{HEIF.libde265_version}.orig.tar.gz": (HEIF.libde265_orig_sha256, "libde265"),
    f"pylibheif-{HEIF.pylibheif_version}.tar.gz": (HEIF.pylibheif_sdist_sha256, "libheif"),
    f"pillow_heif-{HEIF.pillow_heif_version}.tar.gz": (
        HEIF.pillow_heif_sdist_sha256,
        "pillow-heif",
    ),
}


def log(message: str) -> None:
    print(f"[heif-wasm] {message}", file=sys.stderr, flush=True)


def wheel_name() -> str:
    return f"pillow_heif-{HEIF.pillow_heif_version}-cp314-cp314-{pillow_wasm.PYODIDE_PLATFORM}.whl"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _fetch_sdist(project: str, version: str, dest: Path) -> None:
    subprocess.run(
        [
            *(sys.executable, "-m", "pip", "download", "-q", "--no-deps"),
            *("--no-binary", ":all:", f"{project}=={version}", "-d", str(dest)),
        ],
        check=True,
    )


def _fetch_from_mirror(pool_path: str, target: Path) -> None:
    """One file of the Debian mirror's pool (the host's mirror, as for the chroot)."""
    url = f"{debian_mirror().rstrip('/')}/{pool_path}"
    with urllib.request.urlopen(url, timeout=120) as response:
        target.write_bytes(response.read())


def sources() -> list[Path]:
    """The three archives in the sdist cache, fetched if missing, each checked."""
    dest = pillow_wasm.cache_dir() / "sdist"
    dest.mkdir(exist_ok=True)
    fetchers = {
        "libde265": lambda path: _fetch_from_mirror(HEIF.libde265_orig, path),
        "libheif": lambda _: _fetch_sdist("pylibheif", HEIF.pylibheif_version, dest),
        "pillow-heif": lambda _: _fetch_sdist("pillow-heif", HEIF.pillow_heif_version, dest),
    }
    paths = []
    for name, (expected, part) in SOURCES.items():
        path = dest / name
        if not path.exists() or _sha256(path) != expected:
            log(f"fetching {name}")
            fetchers[part](path)
        if _sha256(path) != expected:
            raise SystemExit(f"{name}: sha256 {_sha256(path)} is not the pinned {expected}")
        paths.append(path)
    return paths


def unresolved(main_wasm: Path, wheel: Path) -> dict[str, list[str]]:
    """Imports of the wheel's side modules that neither pyodide.asm.wasm nor the wheel's own
    libraries provide (check_imports.py's check, with the libraries linked dynamically: the
    extension's libheif symbols come from libheif.so, libheif's libde265 ones from
    libde265.so). A missing one would fail only at import, in the browser."""
    main_imports, main_exports = imports_and_exports(main_wasm.read_bytes())
    provided = main_exports | {field for _, field in main_imports} | LOADER_SUPPLIED
    with zipfile.ZipFile(wheel) as zf:
        modules = {n: imports_and_exports(zf.read(n)) for n in zf.namelist() if n.endswith(".so")}
    for _, exports in modules.values():
        provided |= exports
    missing = {}
    for name, (imports, _) in modules.items():
        bad = sorted({field for _, field in imports if field not in provided})
        if bad:
            missing[name] = bad
    return missing


def heif_key() -> str:
    files = [(HERE / name).read_bytes() for name in BUILD_FILES]
    return pillow_wasm.digest(
        pillow_wasm.PYODIDE_VERSION,
        pillow_wasm.PYODIDE_INTEGRITY,
        pillow_wasm.PYODIDE_PLATFORM,
        debian_mirror(),
        pillow_wasm.SUITE,
        *pillow_wasm.SID_PACKAGES,
        *(f"{name}={sha}" for name, (sha, _) in SOURCES.items()),
        *files,
    )


def ensure_heif_wheel(force: bool = False) -> Path:
    """The `heif` wheel for Pyodide, from the cache or built now (a few minutes)."""
    final = pillow_wasm.cache_dir() / f"heif-{heif_key()}"
    if (final / wheel_name()).exists() and not force:
        return final / wheel_name()
    with pillow_wasm.build_lock():
        if (final / wheel_name()).exists() and not force:
            return final / wheel_name()
        return build(final)


def build(final: Path) -> Path:
    runtime = pillow_wasm.pyodide_runtime()
    archives = sources()
    root = pillow_wasm.ensure_chroot()
    build_dir = root / "build-heif"
    if build_dir.exists():
        pillow_wasm.run(["rm", "-rf", "--one-file-system", str(build_dir)])
    for sub in ("src", "sysconfig", "toolchain"):
        (build_dir / sub).mkdir(parents=True)
    for archive in archives:
        shutil.copy2(archive, build_dir / "src")
    with zipfile.ZipFile(runtime / "python_stdlib.zip") as zf:
        sysconfig = pillow_wasm.SYSCONFIG
        (build_dir / "sysconfig" / sysconfig).write_bytes(zf.read(sysconfig))
    for name in BUILD_FILES:
        shutil.copy2(HERE / name, build_dir / "toolchain")
    log("building libde265, libheif and pillow-heif with emscripten (a few minutes)")
    with pillow_wasm.mounted(root):
        pillow_wasm.chroot_sh(
            root,
            "/build-heif/toolchain/build-heif.sh && dpkg-query -W -f '${Package} ${Version}\\n'"
            " emscripten python3.14-dev > /build-heif/out/toolchain-versions.txt",
            extra_env={"PYODIDE_PLATFORM": pillow_wasm.PYODIDE_PLATFORM},
        )
    out = build_dir / "out"
    wheel = heif_wheel.repack(out / wheel_name(), out, out / "licences", out / "repacked")
    missing = unresolved(runtime / "pyodide.asm.wasm", wheel)
    if missing:
        for name, symbols in missing.items():
            log(f"{name}: unresolved imports: {', '.join(symbols[:20])}")
        raise SystemExit("the heif wheel would fail to import in Pyodide")
    tmp = pillow_wasm.cache_dir() / f"{final.name}.partial"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    shutil.copy2(wheel, tmp / wheel.name)
    (tmp / "BUILDINFO.json").write_text(json.dumps(build_info(out, wheel), indent=2) + "\n")
    log(f"built {wheel.name} ({wheel.stat().st_size // 1024} KiB)")
    published = pillow_wasm.publish(tmp, final)
    for stale in pillow_wasm.cache_dir().glob("heif-*"):
        if stale != published and stale.is_dir():
            shutil.rmtree(stale)
    return published / wheel.name


def build_info(out: Path, wheel: Path) -> dict[str, object]:
    """What the site's manifest says of the `heif` package: its sources, licences and times."""
    times = (out / "heif-times.txt").read_text().split()
    return {
        "wheel": wheel.name,
        "package": heif_wheel.LOCK_NAME,
        "sha256": _sha256(wheel),
        "size": wheel.stat().st_size,
        "libheif": HEIF.libheif_version,
        "toolchain": (out / "toolchain-versions.txt").read_text().split("\n")[:-1],
        "sources": [
            {
                "archive": name,
                "sha256": sha,
                "builds": part,
                "licence": heif_wheel.LICENCES[part],
            }
            for name, (sha, part) in SOURCES.items()
        ],
        "licences": heif_wheel.LICENCES,
        "build_seconds": dict(zip(times[::2], map(int, times[1::2]), strict=True)),
    }


if __name__ == "__main__":
    print(ensure_heif_wheel(force="--force" in sys.argv))
