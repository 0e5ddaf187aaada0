"""The Licences section's generator: every archive the build read is a listed library."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest
import site_licences

BUILDINFO = {"mozjpeg": {"version": "5.0.0"}, "heif": {"libheif": "1.23.5"}}
ALL_FILES = {
    "pillow-12.2.0.tar.gz": ("pillow-12.2.0/", ["LICENSE"]),
    "zlib_1.3.2.orig.tar.gz": ("zlib-1.3.2/", ["LICENSE"]),
    "mozjpeg_lossless_optimization-1.3.2.tar.gz": (
        "mozjpeg_lossless_optimization-1.3.2/",
        ["mozjpeg/LICENSE.md", "mozjpeg/README.ijg"],
    ),
    "tiff_4.7.2.orig.tar.bz2": ("libtiff-v4.7.2/", ["LICENSE.md"]),
    "libwebp_1.6.0.orig.tar.gz": ("libwebp-1.6.0/", ["COPYING", "PATENTS"]),
    "lcms2_2.19.1.orig.tar.gz": ("lcms2-2.19.1/", ["LICENSE"]),
    "aom_3.14.1.orig.tar.xz": ("", ["LICENSE", "PATENTS"]),  # no top folder, as sid's
    "dav1d_1.5.4.orig.tar.xz": ("dav1d-1.5.4/", ["COPYING"]),
    "libavif_1.4.2.orig.tar.gz": ("libavif-1.4.2/", ["LICENSE"]),
    "pylibheif-1.25.0.tar.gz": ("pylibheif-1.25.0/", ["third_party/libheif/COPYING"]),
    "libde265_1.1.3.orig.tar.gz": ("libde265-1.1.3/", ["COPYING"]),
    "pillow_heif-1.8.1.tar.gz": ("pillow_heif-1.8.1/", ["LICENSE.txt"]),
}


def make_archive(path: Path, top: str, files: list[str]) -> None:
    mode = {".gz": "w:gz", ".xz": "w:xz", ".bz2": "w:bz2"}[path.suffix]
    with tarfile.open(path, mode) as tar:
        for name in [*files, "src/main.c"]:
            data = f"{path.name} {name}\n".encode()
            info = tarfile.TarInfo(top + name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


@pytest.fixture
def sources(tmp_path: Path) -> Path:
    folder = tmp_path / "sources"
    folder.mkdir()
    for name, (top, files) in ALL_FILES.items():
        make_archive(folder / name, top, files)
    (folder / "zlib_1.3.2-1.dsc").write_text("Source: zlib\n")
    return folder


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "toolchain").mkdir(parents=True)
    (root / "toolchain" / "build.sh").write_text("#!/bin/sh\n")
    for name in ("build_wheel.py", "pins.toml", "pyproject.toml", "Makefile", "LICENSE"):
        (root / name).write_text(name)
    return root


def write(tmp_path: Path, sources: Path, repo: Path) -> dict:
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    archives = sorted(sources.iterdir())
    return site_licences.write(site, archives, repo, BUILDINFO, [{"name": "Pyodide"}])


def test_each_library_gets_its_version_licence_text_and_archive(
    tmp_path: Path, sources: Path, repo: Path
) -> None:
    """Versions come from archive names (mozjpeg's from BUILDINFO) and texts from the archives."""
    doc = write(tmp_path, sources, repo)
    rows = {row["name"]: row for row in doc["libraries"]}
    assert rows["libtiff"]["version"] == "4.7.2"
    assert rows["mozjpeg"]["version"] == "5.0.0"
    assert rows["libheif"]["version"] == "1.23.5"
    assert rows["zlib"]["packaging"][0]["file"] == "sources/zlib_1.3.2-1.dsc"
    aom = [(tmp_path / "site" / f["file"]).read_text() for f in rows["libaom"]["licence_files"]]
    assert aom == ["aom_3.14.1.orig.tar.xz LICENSE\n", "aom_3.14.1.orig.tar.xz PATENTS\n"]
    served = tmp_path / "site" / rows["Pillow"]["source"]["file"]
    assert served.read_bytes() == (sources / "pillow-12.2.0.tar.gz").read_bytes()
    written = json.loads((tmp_path / "site" / "licences.json").read_text())
    assert written == doc


def test_an_archive_no_row_names_stops_the_build(tmp_path: Path, sources: Path, repo: Path) -> None:
    """A library the build read but the table does not list would ship unlisted."""
    make_archive(sources / "giflib_5.2.2.orig.tar.gz", "giflib-5.2.2/", ["COPYING"])
    with pytest.raises(SystemExit, match="giflib"):
        write(tmp_path, sources, repo)


def test_a_missing_licence_file_stops_the_build(tmp_path: Path, sources: Path, repo: Path) -> None:
    """A row whose licence text is not in its archive cannot be shown, so the build fails."""
    make_archive(sources / "dav1d_1.5.4.orig.tar.xz", "dav1d-1.5.4/", [])
    with pytest.raises(SystemExit, match="COPYING"):
        write(tmp_path, sources, repo)


def test_build_scripts_archive_is_reproducible(tmp_path: Path, sources: Path, repo: Path) -> None:
    """The same scripts give the same tarball bytes, so the site's version does not churn."""
    first = write(tmp_path, sources, repo)["ours"]["build_scripts"]["sha256"]
    (tmp_path / "site").rename(tmp_path / "site-1")
    assert write(tmp_path, sources, repo)["ours"]["build_scripts"]["sha256"] == first
    with tarfile.open(tmp_path / "site" / "sources" / "imgcompress-build-scripts.tar.gz") as tar:
        assert "imgcompress-build-scripts/toolchain/build.sh" in tar.getnames()
