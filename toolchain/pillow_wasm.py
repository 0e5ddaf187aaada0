"""Pillow for Pyodide 314, built here from registry sources only.

No registry our machines reach ships Pillow for Pyodide's ABI (pyemscripten_2026_0), so we
build it: Debian sid's emscripten inside a debootstrap chroot (bookworm's is far too old, and
sid packages on the host would break its libc), the C libraries from sid's `.orig` tarballs,
Pillow from its sdist on the Python package index. Versions and hashes are pinned in pins.toml;
the Debian mirror is the host's own (apt_mirror.py). Everything lands in a cache outside the
repository, keyed by a hash of every input we control, so a warm build is a file copy.

The pieces and their caches (under $IMGCOMPRESS_CACHE, default ~/.cache/imgcompress):
    pyodide-<version>/   the npm `pyodide` package, checked against its registry integrity
    chroot-<key>/        the sid chroot with emscripten (key: the mirror and package list)
    pillow-<key>/        the wheel and BUILDINFO.json (key: this folder's files + pins)
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import avif_wheel  # noqa: E402
import pins  # noqa: E402
from apt_mirror import debian_mirror  # noqa: E402
from check_imports import unresolved  # noqa: E402

PINS = pins.load()
PYODIDE_VERSION = PINS.pyodide_version
PYODIDE_INTEGRITY = PINS.pyodide_integrity
PYODIDE_CORE = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip")
PYODIDE_PLATFORM = PINS.pyodide_platform

PILLOW_VERSION = PINS.pillow_version
PILLOW_SDIST_SHA256 = PINS.pillow_sdist_sha256
PILLOW_WHEEL = f"pillow-{PILLOW_VERSION}-cp314-cp314-{PYODIDE_PLATFORM}.whl"
# The Pillow build switches to enable, passed to build-in-chroot.sh (jpg and mozjpeg share one).
PILLOW_ENABLE = " ".join(dict.fromkeys(PINS.pillow_features.values()))

SUITE = PINS.debian_suite
SID_PACKAGES = (
    "emscripten",
    "python3.14-dev",
    "python3-pip",
    "python3-setuptools",
    "python3-wheel",
    "python3-pybind11",
    "cmake",
    "make",
    "pkg-config",
    "dpkg-dev",
    "ca-certificates",
    "xz-utils",
)
# Debian source packages whose upstream tarballs we build (Pillow's PNG, WebP, ICC, TIFF; its JPEG
# library, mozjpeg, comes from a PyPI sdist: see MOZJPEG below).
SOURCES = ("zlib", "libwebp", "lcms2", "tiff")
BUILD_FILES = (
    "build-in-chroot.sh",
    "emcc-side-module",
    "make_pyconfig.py",
    "check_imports.py",
    "pillow_wasm.py",
)
SYSCONFIG = "_sysconfigdata__emscripten_wasm32-emscripten.py"
SOURCES_DIR = "sources"  # beside the built wheels: every archive the build read

# --- AVIF: its own block, so that other library changes above merge cleanly -------------------
# libaom encodes, dav1d decodes, libavif wraps both (build-avif.sh, sourced by
# build-in-chroot.sh). Pillow is built with `_avif`, and avif_wheel.py moves that module out of
# the Pillow wheel into the lazily loaded `avif` wheel: start-up does not pay for the codec.
AVIF_SOURCES = ("aom", "dav1d", "libavif")
SOURCES = (*SOURCES, *AVIF_SOURCES)
SID_PACKAGES = (*SID_PACKAGES, "meson", "ninja-build")  # dav1d builds with meson
BUILD_FILES = (*BUILD_FILES, "build-avif.sh", "avif_wheel.py")


def log(message: str) -> None:
    print(f"[pillow-wasm] {message}", file=sys.stderr, flush=True)


def cache_dir() -> Path:
    default = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "imgcompress"
    path = Path(os.environ.get("IMGCOMPRESS_CACHE", default))
    path.mkdir(parents=True, exist_ok=True)
    return path


def digest(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode() if isinstance(part, str) else part)
        h.update(b"\0")
    return h.hexdigest()[:16]


def run(cmd: list[str], **kwargs: object) -> None:
    if os.geteuid() != 0 and cmd[0] in ("debootstrap", "chroot", "mount", "umount"):
        cmd = ["sudo", *cmd]
    subprocess.run(cmd, check=True, **kwargs)  # type: ignore[call-overload]


def publish(tmp: Path, final: Path) -> Path:
    """Move a finished build into place in one step, so a killed build never looks done."""
    if final.exists():
        shutil.rmtree(final)
    tmp.rename(final)
    return final


# --- the Pyodide runtime -----------------------------------------------------------------------


def pyodide_runtime() -> Path:
    """The npm package's files, verified against the registry's integrity hash."""
    final = cache_dir() / f"pyodide-{PYODIDE_VERSION}"
    if (final / "pyodide.asm.wasm").exists():
        return final
    with tempfile.TemporaryDirectory(dir=cache_dir()) as tmp:
        log(f"fetching pyodide@{PYODIDE_VERSION} from the npm registry")
        subprocess.run(
            ["npm", "pack", f"pyodide@{PYODIDE_VERSION}", "--silent", "--pack-destination", tmp],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        tarball = Path(tmp) / f"pyodide-{PYODIDE_VERSION}.tgz"
        algo, _, expected = PYODIDE_INTEGRITY.partition("-")
        actual = base64.b64encode(hashlib.new(algo, tarball.read_bytes()).digest()).decode()
        if actual != expected:
            raise SystemExit(f"pyodide@{PYODIDE_VERSION}: integrity mismatch ({algo}-{actual})")
        out = Path(tmp) / "out"
        with tarfile.open(tarball) as tf:
            tf.extractall(out, filter="data")
        return publish(out / "package", final)


# --- the sid chroot ----------------------------------------------------------------------------


def unmount_all(root: Path) -> None:
    """Detach everything mounted below root, deepest first (also leftovers of a killed build)."""
    prefix = str(root.resolve()) + "/"
    with open("/proc/mounts") as mounts:
        points = [line.split()[1] for line in mounts if line.split()[1].startswith(prefix)]
    for point in sorted(points, key=len, reverse=True):
        if subprocess.run(["umount", point], check=False, stderr=subprocess.DEVNULL).returncode:
            subprocess.run(["umount", "-l", point], check=False)


@contextlib.contextmanager
def mounted(root: Path) -> Iterator[Path]:
    """Bind-mount what apt and emscripten need; always unmount, on failure too."""
    unmount_all(root)
    try:
        for name in ("proc", "dev", "dev/pts", "sys"):
            target = root / name
            target.mkdir(parents=True, exist_ok=True)
            run(["mount", "--bind", f"/{name}", str(target)])
        yield root
    finally:
        unmount_all(root)


@contextlib.contextmanager
def build_lock() -> Iterator[None]:
    """One build at a time: two `make site` runs must not share a chroot's /build."""
    with open(cache_dir() / ".build.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log("another build is running; waiting for it")
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def chroot_sh(
    root: Path, script: str, extra_env: dict[str, str] | None = None, **kwargs: object
) -> None:
    env = {
        "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
        "HOME": "/root",
        "LANG": "C.UTF-8",
        "DEBIAN_FRONTEND": "noninteractive",
        "JOBS": str(os.cpu_count() or 2),
        **(extra_env or {}),
    }
    run(["chroot", str(root), "/bin/bash", "-euo", "pipefail", "-c", script], env=env, **kwargs)


def ensure_chroot() -> Path:
    mirror = debian_mirror()
    key = digest(mirror, SUITE, *SID_PACKAGES)
    final = cache_dir() / f"chroot-{key}"
    if (final / ".ready").exists():
        return final
    if shutil.which("debootstrap") is None:
        raise SystemExit("debootstrap is missing: run `make deps` (apt-get install debootstrap)")
    tmp = cache_dir() / f"chroot-{key}.partial"
    if tmp.exists():
        run(["rm", "-rf", "--one-file-system", str(tmp)])
    log(f"creating a Debian {SUITE} chroot from {mirror} (debootstrap, about 30 s)")
    run(["debootstrap", "--variant=minbase", SUITE, str(tmp), mirror], stdout=subprocess.DEVNULL)
    # The mirror's sid Release file may be past its Valid-Until date.
    (tmp / "etc/apt/apt.conf.d/99imgcompress").write_text(
        'Acquire::Check-Valid-Until "false";\nAPT::Install-Recommends "false";\n'
    )
    (tmp / "etc/apt/sources.list").write_text(
        f"deb {mirror} {SUITE} main\ndeb-src {mirror} {SUITE} main\n"
    )
    log("installing emscripten and build tools in the chroot (about 1 min)")
    with mounted(tmp):
        chroot_sh(
            tmp,
            f"apt-get update -qq && apt-get install -y -qq {' '.join(SID_PACKAGES)}"
            " > /var/log/imgcompress-apt.log",
            stdout=subprocess.DEVNULL,
        )
    (tmp / ".ready").touch()
    return publish(tmp, final)


# --- the wheel ---------------------------------------------------------------------------------


def pillow_sdist() -> Path:
    return fetch_sdist(
        "pillow", PILLOW_VERSION, f"pillow-{PILLOW_VERSION}.tar.gz", PILLOW_SDIST_SHA256
    )


def fetch_sdist(project: str, version: str, filename: str, sha256: str) -> Path:
    """An sdist from the Python package index (pip's own configuration), checked by sha256."""
    dest = cache_dir() / "sdist"
    sdist = dest / filename
    if not sdist.exists() or hashlib.sha256(sdist.read_bytes()).hexdigest() != sha256:
        log(f"fetching the {project} {version} sdist from the Python package index")
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "-q",
                "--no-deps",
                "--no-binary",
                ":all:",
                f"{project}=={version}",
                "-d",
                str(dest),
            ],
            check=True,
        )
    if hashlib.sha256(sdist.read_bytes()).hexdigest() != sha256:
        raise SystemExit(f"{sdist.name}: sha256 does not match the pinned one")
    return sdist


# --- mozjpeg, Pillow's JPEG library (issue "codecs", item 1) ----------------------------------
# No Debian source package: the PyPI sdist of mozjpeg-lossless-optimization bundles mozjpeg's
# source tree (mozjpeg/), pinned in pins.toml's [mozjpeg]. build-in-chroot.sh builds it.

MOZJPEG = PINS.mozjpeg


def mozjpeg_sdist() -> Path:
    return fetch_sdist(
        MOZJPEG.sdist, MOZJPEG.sdist_version, MOZJPEG.sdist_file, MOZJPEG.sdist_sha256
    )


def mozjpeg_buildinfo() -> dict[str, str]:
    """What BUILDINFO.json records of mozjpeg (the sid libraries' versions are in their names)."""
    return {
        "version": MOZJPEG.version,
        "build": MOZJPEG.build,
        "source": MOZJPEG.sdist_file,
        "sha256": MOZJPEG.sdist_sha256,
    }


# --- the wheel, continued ----------------------------------------------------------------------


def wheel_key() -> str:
    files = [(HERE / name).read_bytes() for name in BUILD_FILES]
    return digest(
        PYODIDE_VERSION,
        PYODIDE_INTEGRITY,
        PILLOW_SDIST_SHA256,
        PILLOW_ENABLE,
        debian_mirror(),
        SUITE,
        *SID_PACKAGES,
        *SOURCES,
        *mozjpeg_buildinfo().values(),
        *files,
    )


def ensure_wheel(force: bool = False) -> Path:
    """The Pillow wheel for Pyodide, from the cache or built now (about 3 minutes)."""
    final = cache_dir() / f"pillow-{wheel_key()}"
    if (final / PILLOW_WHEEL).exists() and not force:
        return final / PILLOW_WHEEL
    with build_lock():
        if (final / PILLOW_WHEEL).exists() and not force:
            return final / PILLOW_WHEEL  # built by the run we waited for
        return build_wheel(final)


def build_wheel(final: Path) -> Path:
    runtime = pyodide_runtime()
    sdist = pillow_sdist()
    root = ensure_chroot()
    build = root / "build"
    if build.exists():
        run(["rm", "-rf", "--one-file-system", str(build)])
    for sub in ("src", "sysconfig", "toolchain"):
        (build / sub).mkdir(parents=True)
    shutil.copy2(sdist, build / "src")
    shutil.copy2(mozjpeg_sdist(), build / "src")
    with zipfile.ZipFile(runtime / "python_stdlib.zip") as zf:
        (build / "sysconfig" / SYSCONFIG).write_bytes(zf.read(SYSCONFIG))
    for name in BUILD_FILES:
        shutil.copy2(HERE / name, build / "toolchain")
    log("building zlib, mozjpeg, libtiff, libwebp, lcms2 and Pillow with emscripten (about 4 min)")
    with mounted(root):
        chroot_sh(
            root,
            "cd /build/src && apt-get update -qq && "
            f"for p in {' '.join(SOURCES)}; do apt-get source -qq --download-only $p "
            "> /dev/null 2>&1 || true; done; "
            "dpkg-query -W -f '${Package} ${Version}\\n' emscripten python3.14-dev "
            "> /build/toolchain-versions.txt",
        )
        for source in SOURCES:
            if not list((build / "src").glob(f"{source}_*.orig.tar.*")):
                raise SystemExit(f"apt-get source {source}: no .orig tarball downloaded")
        chroot_sh(
            root,
            "/build/toolchain/build-in-chroot.sh",
            extra_env={
                "PILLOW_ENABLE": PILLOW_ENABLE,
                "PYODIDE_PLATFORM": PYODIDE_PLATFORM,
                "MOZJPEG_BUILD": MOZJPEG.build,
            },
        )
    wheel, avif = split_avif(build / "out" / PILLOW_WHEEL)
    missing = {**unresolved(runtime / "pyodide.asm.wasm", wheel), **avif_unresolved(runtime, avif)}
    if missing:
        for name, symbols in missing.items():
            log(f"{name}: unresolved imports: {', '.join(symbols[:20])}")
        raise SystemExit("the Pillow wheel would fail to import in Pyodide")
    tmp = cache_dir() / f"{final.name}.partial"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    shutil.copy2(wheel, tmp / PILLOW_WHEEL)
    shutil.copy2(avif, tmp / avif.name)
    # The exact archives built from: the site serves them beside its Licences section, so that
    # what it ships can be rebuilt (and its LGPL parts relinked) from what it offers.
    shutil.copytree(build / "src", tmp / SOURCES_DIR)
    info = {
        "pillow": PILLOW_VERSION,
        "pyodide": PYODIDE_VERSION,
        "toolchain": (build / "toolchain-versions.txt").read_text().split("\n")[:-1],
        "sources": sorted(p.name for p in (build / "src").iterdir()),
        "mozjpeg": mozjpeg_buildinfo(),
        "sha256": hashlib.sha256(wheel.read_bytes()).hexdigest(),
        "avif": avif_info(build, avif),
    }
    (tmp / "BUILDINFO.json").write_text(json.dumps(info, indent=2) + "\n")
    log(f"built {PILLOW_WHEEL} ({wheel.stat().st_size // 1024} KiB)")
    published = publish(tmp, final)
    for stale in cache_dir().glob("pillow-*"):
        if stale != published and stale.is_dir():
            shutil.rmtree(stale)
    return published / PILLOW_WHEEL


# --- the AVIF wheel ----------------------------------------------------------------------------


def sources_path(pillow_wheel: Path) -> Path:
    """The source archives this Pillow wheel (and its codec wheels) were built from."""
    path = pillow_wheel.parent / SOURCES_DIR
    if not path.is_dir():
        raise SystemExit(f"{path} is missing beside {pillow_wheel.name}: rebuild Pillow")
    return path


def avif_wheel_path(pillow_wheel: Path) -> Path:
    """The `avif` codec wheel built beside a Pillow wheel (ensure_wheel() makes both)."""
    path = pillow_wheel.parent / avif_wheel.wheel_name(pillow_wheel.name)
    if not path.exists():
        raise SystemExit(f"{path.name} is missing beside {pillow_wheel.name}: rebuild Pillow")
    return path


def split_avif(built: Path) -> tuple[Path, Path]:
    """Pillow without `_avif`, and the `avif` wheel with it (avif_wheel.py)."""
    out = built.parent
    return avif_wheel.split(built, out / "avif-licenses", out / "split")


def avif_unresolved(runtime: Path, avif: Path) -> dict[str, list[str]]:
    return unresolved(runtime / "pyodide.asm.wasm", avif)


def avif_info(build: Path, avif: Path) -> dict[str, object]:
    """What BUILDINFO.json says of the AVIF wheel: its libraries' licences and build times."""
    times = (build / "out" / "avif-times.txt").read_text().split()
    return {
        "wheel": avif.name,
        "package": avif_wheel.LOCK_NAME,
        "sha256": hashlib.sha256(avif.read_bytes()).hexdigest(),
        "size": avif.stat().st_size,
        "licences": avif_wheel.LICENCES,
        "build_seconds": dict(zip(times[::2], map(int, times[1::2]), strict=True)),
    }


if __name__ == "__main__":
    print(ensure_wheel(force="--force" in sys.argv))
