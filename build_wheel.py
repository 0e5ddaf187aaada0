"""Build the static site: our wheel, the Pyodide runtime and Pillow for WebAssembly.

`dist/site/` is everything a static host serves, and nothing else is ever fetched by the page:
    index.html, *.js, *.css        the page, its workers and its service worker, from web/
    icons/                         the web app's icons, drawn here with Pillow
    pyodide/                       the Pyodide core files from the npm package pinned in pins.toml,
                                   and snapshot.bin.gz, its memory once CPython has started
    wheels/                        Pillow for Pyodide, our imgcompress wheel, pyodide-lock.json
    _headers                       the same Content-Security-Policy, for hosts that read one
    manifest.json                  every file with its sha256 and size, and the site's version

The lock file lists only our wheels (Pyodide's own lists hundreds of packages that live on
its CDN), so `loadPackage` can never reach for another host, and Pyodide checks each wheel's
sha256 before installing it. Besides `pillow` and `imgcompress`, loaded at start-up, it lists
the codec packages the worker loads on demand: `avif` (Pillow's `_avif`, split out of the
Pillow build by toolchain/avif_wheel.py) and `heif` (pillow-heif with libheif and libde265 as
separate side modules, built by toolchain/heif_wasm.py).

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

import heif_wasm  # noqa: E402
import pillow_wasm  # noqa: E402
import pins  # noqa: E402
import site_licences  # noqa: E402

WEB = ROOT / "web"

# The one Content-Security-Policy, stamped into index.html's <meta>, the service worker (which
# sets it on every response, so the module workers get it too) and _headers. Each source:
CSP_DIRECTIVES = (
    "default-src 'self'",  # everything from our own origin, nothing from anywhere else
    "script-src 'self' 'wasm-unsafe-eval'",  # Pyodide and Pillow are WebAssembly: compiling
    # them needs 'wasm-unsafe-eval' (not 'unsafe-eval': no JavaScript eval is allowed)
    "style-src 'self'",  # our stylesheet only; no inline styles
    "img-src 'self' blob: data:",  # before/after previews are object URLs of local results
    "connect-src 'self'",  # fetches go to our own files only (the runtime and wheels)
    "worker-src 'self'",  # the compression workers and the service worker are ours
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",  # no form can submit anywhere
)
CSP_META = "; ".join(CSP_DIRECTIVES)
# frame-ancestors is ignored in a <meta>; a header can carry it.
CSP_HEADER = CSP_META + "; frame-ancestors 'none'"


SOURCES = "sources"  # site_licences.write() fills it


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


def precompile_wheels(runtime: Path, wheels: list[Path]) -> None:
    """Add bytecode to the wheels, compiled by the pinned Pyodide itself under Node.

    Without it the page compiles every module it imports on every start: measured in
    Chromium, that was most of the time of `import imgcompress.door` (README, "Start-up").
    The same sources give the same bytes, so the site's version moves only with the code.
    """
    (folder,) = {w.parent for w in wheels}
    subprocess.run(
        ["node", str(ROOT / "toolchain" / "precompile.mjs"), str(runtime), str(folder)]
        + [w.name for w in wheels],
        check=True,
    )


def write_snapshot(runtime: Path, site: Path) -> None:
    """The interpreter's memory after CPython's initialisation, made by the pinned Pyodide under
    Node (toolchain/make_snapshot.mjs); the workers restore it instead of initialising (README,
    "Start-up"). It is a file of the site like any other: in the manifest, so in the version
    and the service worker's cache, and a new build never pairs it with another runtime.

    Its unpacked size is stamped into worker.js, which allocates the memory before the bytes
    arrive; gzip's trailer holds it (ISIZE: the size modulo 2**32, and the snapshot is ~31 MB).
    """
    dest = site / "pyodide" / "snapshot.bin.gz"
    lock = site / "wheels" / "pyodide-lock.json"
    subprocess.run(
        ["node", str(ROOT / "toolchain" / "make_snapshot.mjs"), str(runtime), str(lock), str(dest)],
        check=True,
    )
    size = int.from_bytes(dest.read_bytes()[-4:], "little")
    stamp(site / "worker.js", {"__SNAPSHOT_BYTES__": str(size)})


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


def write_lock(runtime: Path, pillow: Path, ours: Path, avif: Path, heif: Path, dest: Path) -> None:
    """The lock file: `pillow` and `imgcompress`, loaded at start-up, then the codec packages
    the worker loads on demand (`avif`, `heif`), each after `pillow`."""
    upstream = json.loads((runtime / "pyodide-lock.json").read_text())
    lock = {
        "info": upstream["info"],
        "packages": {
            "pillow": lock_entry(pillow, "Pillow", ["PIL"], []),
            "imgcompress": lock_entry(ours, "imgcompress", ["imgcompress"], ["pillow"]),
            "avif": lock_entry(avif, "avif", [], ["pillow"]),
            "heif": lock_entry(heif, "heif", ["pillow_heif"], ["pillow"]),
        },
    }
    dest.write_text(json.dumps(lock, indent=2) + "\n")


def file_entries(site: Path, skip: set[str], under: str = "") -> dict[str, dict]:
    files = {}
    for path in sorted(site.rglob("*")):
        rel = path.relative_to(site).as_posix()
        if path.is_file() and rel not in skip and rel.startswith(under):
            files[rel] = {"sha256": sha256(path), "size": path.stat().st_size}
    return files


def stamp(path: Path, values: dict[str, str]) -> None:
    text = path.read_text()
    for placeholder, value in values.items():
        if placeholder not in text:
            raise SystemExit(f"{path.name} lacks the placeholder {placeholder}")
        text = text.replace(placeholder, value)
    path.write_text(text)


def write_features(site: Path) -> None:
    """Stamp pins.toml's Pillow feature list into the worker's start-up check.

    The worker reports which of these features the browser's Pillow has; the list is a JSON
    array of strings, which is also a Python list literal in the worker's snippet.
    """
    stamp(site / "worker.js", {"__PILLOW_FEATURES__": json.dumps(pins.load().feature_names)})


def write_policy(site: Path) -> None:
    """Stamp the policy into the page's <meta> and write it for hosts that read _headers."""
    stamp(site / "index.html", {"__CONTENT_SECURITY_POLICY__": CSP_META})
    (site / "_headers").write_text(
        "/*\n"
        f"  Content-Security-Policy: {CSP_HEADER}\n"
        "  Referrer-Policy: no-referrer\n"
        "  X-Content-Type-Options: nosniff\n"
        "  Permissions-Policy: camera=(), microphone=(), geolocation=()\n"
    )


def write_manifest(site: Path, pillow_info: dict) -> dict:
    """List every file; the version hashes all of them but the service worker, which carries it.

    The source archives are listed apart (`sources`): the page never runs them, so the service
    worker does not precache them and "Files this page runs" does not count them.

    A new version changes sw.js's bytes, which is how browsers notice an update.
    """
    offered = file_entries(site, set(), under=f"{SOURCES}/")
    files = file_entries(site, {"sw.js", "manifest.json", *offered})
    version = hashlib.sha256(json.dumps(files, sort_keys=True).encode()).hexdigest()[:16]
    sw = site / "sw.js"
    stamp(sw, {"__SITE_VERSION__": version, "__CONTENT_SECURITY_POLICY__": CSP_HEADER})
    files["sw.js"] = {"sha256": sha256(sw), "size": sw.stat().st_size}
    manifest = {
        "version": version,
        "csp": CSP_META,
        "pillow_build": pillow_info,
        "files": dict(sorted(files.items())),
        "sources": offered,
    }
    (site / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def draw_icons(dest: Path) -> None:
    """The app's icons, drawn here: a photo frame squeezed between two arrows, no assets."""
    from PIL import Image, ImageDraw

    dest.mkdir()
    for size, maskable in ((192, False), (512, False), (512, True)):
        scale = 4  # drawn large and downsampled for smooth edges
        side = size * scale
        im = Image.new("RGBA", (side, side), (0, 0, 0, 0))
        d = ImageDraw.Draw(im)
        pad = 0 if maskable else side // 16
        box = (pad, pad, side - pad, side - pad)
        if maskable:
            d.rectangle(box, fill=(31, 84, 214, 255))
        else:
            d.rounded_rectangle(box, radius=side // 5, fill=(31, 84, 214, 255))
        inner = side * (0.30 if maskable else 0.25)
        frame = (inner, inner * 1.15, side - inner, side - inner * 1.15)
        d.rounded_rectangle(frame, radius=side // 28, outline="white", width=side // 28)
        x0, y0, x1, y1 = frame
        d.polygon(
            [
                (x0 + (x1 - x0) * 0.12, y1 - (y1 - y0) * 0.14),
                (x0 + (x1 - x0) * 0.40, y0 + (y1 - y0) * 0.40),
                (x0 + (x1 - x0) * 0.68, y1 - (y1 - y0) * 0.14),
            ],
            fill="white",
        )
        d.ellipse(
            (
                x1 - (x1 - x0) * 0.32,
                y0 + (y1 - y0) * 0.18,
                x1 - (x1 - x0) * 0.14,
                y0 + (y1 - y0) * 0.40,
            ),
            fill="white",
        )
        mid = side / 2
        for edge, direction in ((y0, 1), (y1, -1)):
            tip = edge - direction * side * 0.035
            base = edge - direction * side * 0.13
            d.polygon(
                [(mid - side * 0.09, base), (mid + side * 0.09, base), (mid, tip)], fill="white"
            )
        name = f"icon-{'maskable-' if maskable else ''}{size}.png"
        im.resize((size, size), Image.Resampling.LANCZOS).save(dest / name, optimize=True)


def check_pillow_wheel(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        modules = {Path(n).name.split(".")[0] for n in zf.namelist() if n.endswith(".so")}
    needed = {"_imaging", "_imagingcms", "_webp"}
    if not needed <= modules:
        raise SystemExit(f"{wheel.name} lacks {sorted(needed - modules)}")


def add_avif_package(pillow: Path, wheels: Path) -> Path:
    """Serve the AVIF codec wheel (the lock file lists it as `avif`, after `pillow`).

    The worker loads only `pillow` and `imgcompress` at start-up; every other package in the
    lock file is a codec it loads when a file needs it (web/worker.js, codecs/avif.py).
    """
    built = pillow_wasm.avif_wheel_path(pillow)
    with zipfile.ZipFile(built) as zf:
        modules = [n for n in zf.namelist() if n.endswith(".so")]
    if [Path(n).name.split(".")[0] for n in modules] != ["_avif"]:
        raise SystemExit(f"{built.name} should hold PIL/_avif only, not {modules}")
    with zipfile.ZipFile(pillow) as zf:
        if any(n.startswith("PIL/_avif.") and n.endswith(".so") for n in zf.namelist()):
            raise SystemExit(f"{pillow.name} still holds _avif: start-up would load the codec")
    return Path(shutil.copy2(built, wheels / built.name))


def pyodide_row(runtime: Path) -> dict[str, object]:
    """Pyodide is shipped as the npm registry publishes it, not built here."""
    package = json.loads((runtime / "package.json").read_text())
    return {
        "name": "Pyodide",
        "version": package["version"],
        "licence": package["license"],
        "package": "runtime",
        "integrity": pins.load().pyodide_integrity,
        "note": (
            "shipped as published on npm (pyodide.mjs, pyodide.asm.*, python_stdlib.zip); it "
            "contains CPython (PSF-2.0) and the C libraries Pyodide compiles in. Its source is "
            f"the pyodide/pyodide repository at tag {package['version']}."
        ),
    }


def add_heif_package(wheels: Path) -> tuple[Path, dict]:
    """Serve the HEIC decoder wheel (the lock file lists it as `heif`, after `pillow`).

    Built in its own cached step (heif_wasm.py); its BUILDINFO goes into the manifest beside
    Pillow's, naming every archive it was built from, with its sha256 and licence.
    """
    built = heif_wasm.ensure_heif_wheel()
    wheel = Path(shutil.copy2(built, wheels / built.name))
    return wheel, json.loads((built.parent / "BUILDINFO.json").read_text())


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
    avif = add_avif_package(pillow, wheels)
    heif, heif_info = add_heif_package(wheels)
    precompile_wheels(runtime, [pillow_copy, ours, avif, heif])
    write_lock(runtime, pillow_copy, ours, avif, heif, wheels / "pyodide-lock.json")
    write_snapshot(runtime, tmp)
    draw_icons(tmp / "icons")
    write_features(tmp)
    write_policy(tmp)
    info = json.loads((pillow.parent / "BUILDINFO.json").read_text())
    # The heif record names the wheel the site serves, which precompile_wheels() has changed.
    info["heif"] = {**heif_info, "sha256": sha256(heif)}
    archives = [*pillow_wasm.sources_path(pillow).iterdir(), *heif_wasm.sources()]
    site_licences.write(tmp, archives, ROOT, info, [pyodide_row(runtime)])
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
