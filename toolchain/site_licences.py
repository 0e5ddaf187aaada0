"""The site's Licences section, generated from what the build actually read and shipped.

Every library the site ships is one row of LIBRARIES: its licence (SPDX), the archive it was
built from (a pattern over the build's `sources/` folder, so the version shown is the one
built, not one written here), the licence files inside that archive, and the package that
carries it. `write()` copies the archives and our build scripts into the site's `sources/`,
extracts the licence texts into `licences/` and writes `licences.json`, which the page's
Licences section (web/licences.js) renders. A library added to the build without a row here,
or a row whose archive or licence file is missing, stops the build.
"""

from __future__ import annotations

import fnmatch
import gzip
import hashlib
import io
import json
import re
import shutil
import tarfile
from dataclasses import dataclass
from pathlib import Path

# The repository's files a rebuild needs: the toolchain, the site builder and the pins.
BUILD_SCRIPTS = ("toolchain", "build_wheel.py", "pins.toml", "pyproject.toml", "Makefile")
# Files in the sources folder that are not archives of a library (Debian's signatures and
# packaging, which are served with their upstream tarball).
COMPANION = ("*.dsc", "*.debian.tar.*", "*.asc", "*.orig-*.tar.*")


@dataclass(frozen=True)
class Library:
    name: str
    licence: str  # SPDX expression
    archive: str  # pattern over the build's sources/ folder
    licence_files: tuple[str, ...]  # paths inside the archive, below its top folder
    package: str  # the lock-file package that ships it
    # Where the version comes from: the archive's name, or a dotted path into the build
    # records (BUILDINFO.json) for a library bundled in another project's archive.
    version_from: str = "archive"
    note: str = ""


LIBRARIES = (
    Library("Pillow", "MIT-CMU", "pillow-*.tar.gz", ("LICENSE",), "pillow"),
    Library("zlib", "Zlib", "zlib_*.orig.tar.*", ("LICENSE",), "pillow"),
    Library(
        "mozjpeg",
        "IJG AND BSD-3-Clause AND Zlib",
        "mozjpeg_lossless_optimization-*.tar.gz",
        ("mozjpeg/LICENSE.md", "mozjpeg/README.ijg"),
        "pillow",
        version_from="mozjpeg.version",
        note="bundled in the mozjpeg-lossless-optimization sdist, folder mozjpeg/",
    ),
    Library("libtiff", "libtiff", "tiff_*.orig.tar.*", ("LICENSE.md",), "pillow"),
    Library("libwebp", "BSD-3-Clause", "libwebp_*.orig.tar.*", ("COPYING", "PATENTS"), "pillow"),
    Library("Little CMS", "MIT", "lcms2_*.orig.tar.*", ("LICENSE",), "pillow"),
    Library(
        "libaom",
        "BSD-2-Clause AND LicenseRef-AOM-Patent-License-1.0",
        "aom_*.orig.tar.*",
        ("LICENSE", "PATENTS"),
        "avif",
    ),
    Library("dav1d", "BSD-2-Clause", "dav1d_*.orig.tar.*", ("COPYING",), "avif"),
    Library("libavif", "BSD-2-Clause", "libavif_*.orig.tar.*", ("LICENSE",), "avif"),
    Library(
        "libheif",
        "LGPL-3.0-or-later",
        "pylibheif-*.tar.gz",
        ("third_party/libheif/COPYING",),
        "heif",
        version_from="heif.libheif",
        note="bundled in the pylibheif sdist, folder third_party/libheif/; a shared library "
        "of its own in the heif package, so it can be relinked",
    ),
    Library(
        "libde265",
        "LGPL-3.0-or-later",
        "libde265_*.orig.tar.*",
        ("COPYING",),
        "heif",
        note="a shared library of its own in the heif package, so it can be relinked",
    ),
    Library("pillow-heif", "BSD-3-Clause", "pillow_heif-*.tar.gz", ("LICENSE.txt",), "heif"),
)
ARCHIVE_VERSION = re.compile(r"[_-]([0-9][^_/]*?)(?:\.orig)?\.tar\.")


def _archive(sources: list[Path], library: Library) -> Path:
    matches = sorted(
        p
        for p in sources
        if fnmatch.fnmatch(p.name, library.archive)
        and not any(fnmatch.fnmatch(p.name, c) for c in COMPANION)
    )
    if len(matches) != 1:
        raise SystemExit(f"{library.name}: expected one {library.archive}, found {matches}")
    return matches[0]


def _companions(archive: Path, sources: list[Path]) -> list[Path]:
    """Debian's .dsc, packaging and signatures beside an upstream .orig tarball."""
    if ".orig." not in archive.name:
        return []
    prefix = archive.name.split("_")[0] + "_"
    return sorted(
        p
        for p in sources
        if p.name.startswith(prefix) and any(fnmatch.fnmatch(p.name, c) for c in COMPANION)
    )


def _licence_texts(archive: Path, wanted: tuple[str, ...]) -> dict[str, bytes]:
    """The named files of a source archive, below its top folder if it has one."""
    with tarfile.open(archive) as tar:
        members = [m for m in tar.getmembers() if m.isfile()]
        tops = {m.name.split("/")[0] for m in members}
        nested = len(tops) == 1 and all("/" in m.name for m in members)
        found = {}
        for member in members:
            rel = member.name.split("/", 1)[1] if nested else member.name
            if rel in wanted:
                found[rel] = tar.extractfile(member).read()
    missing = set(wanted) - set(found)
    if missing:
        raise SystemExit(f"{archive.name} lacks its licence file(s) {sorted(missing)}")
    return found


def _scripts_archive(repo: Path, path: Path) -> Path:
    """Our build scripts as one reproducible tarball (sorted, fixed times and owners)."""
    files: list[Path] = []
    for name in BUILD_SCRIPTS:
        root = repo / name
        files += sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else [root]
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for file in files:
            rel = file.relative_to(repo).as_posix()
            if "__pycache__" in rel:
                continue
            data = file.read_bytes()
            info = tarfile.TarInfo(f"imgcompress-build-scripts/{rel}")
            info.size, info.mtime = len(data), 0
            info.mode = 0o755 if file.stat().st_mode & 0o100 else 0o644
            tar.addfile(info, io.BytesIO(data))
    with gzip.GzipFile(path, "wb", mtime=0) as out:
        out.write(raw.getvalue())
    return path


def _entry(site: Path, path: Path) -> dict[str, object]:
    return {
        "file": path.relative_to(site).as_posix(),
        "size": path.stat().st_size,
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
    }


def _version(library: Library, archive: Path, buildinfo: dict) -> str:
    if library.version_from != "archive":
        value: object = buildinfo
        for key in library.version_from.split("."):
            value = value[key]  # type: ignore[index]
        return str(value)
    match = ARCHIVE_VERSION.search(archive.name)
    if match is None:
        raise SystemExit(f"{library.name}: no version in {archive.name}")
    return match.group(1)


def write(
    site: Path, sources: list[Path], repo: Path, buildinfo: dict, runtime: list[dict]
) -> dict:
    """Serve the sources and licence texts under `site`, and describe them in licences.json.

    `sources` are the archives the builds read (each must belong to a row); `runtime` lists
    what is shipped as published rather than built here (Pyodide).
    """
    served = site / "sources"
    texts = site / "licences"
    served.mkdir()
    texts.mkdir()
    used: set[Path] = set()
    rows = []
    for library in LIBRARIES:
        archive = _archive(sources, library)
        companions = _companions(archive, sources)
        used.update([archive, *companions])
        for path in (archive, *companions):
            shutil.copy2(path, served / path.name)
        licence_files = []
        for path, data in _licence_texts(archive, library.licence_files).items():
            out = texts / f"{library.name.replace(' ', '-')}-{Path(path).name}.txt"
            out.write_bytes(data)
            licence_files.append(_entry(site, out))
        rows.append(
            {
                "name": library.name,
                "version": _version(library, archive, buildinfo),
                "licence": library.licence,
                "package": library.package,
                "note": library.note,
                "source": _entry(site, served / archive.name),
                "packaging": [_entry(site, served / p.name) for p in companions],
                "licence_files": licence_files,
            }
        )
    unknown = sorted(p.name for p in sources if p not in used)
    if unknown:
        raise SystemExit(f"the build read {unknown}, which site_licences.LIBRARIES does not list")
    scripts = _scripts_archive(repo, served / "imgcompress-build-scripts.tar.gz")
    ours = texts / "imgcompress-LICENSE.txt"
    shutil.copy2(repo / "LICENSE", ours)
    document = {
        "ours": {
            "name": "imgcompress",
            "licence": "MIT",
            "licence_files": [_entry(site, ours)],
            "build_scripts": _entry(site, scripts),
        },
        "libraries": rows,
        "runtime": runtime,
    }
    (site / "licences.json").write_text(json.dumps(document, indent=2) + "\n")
    return document
