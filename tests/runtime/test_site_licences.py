"""The wheels the site serves carry their licences, and licences.json lists every library."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.runtime

ROOT = Path(__file__).resolve().parents[2]


def test_wheels_carry_their_licence_files(site: Path) -> None:
    """Our wheel holds LICENSE (MIT) byte for byte; Pillow's holds its own licence."""
    (ours,) = (site / "wheels").glob("imgcompress-*.whl")
    with zipfile.ZipFile(ours) as wheel:
        (licence,) = [n for n in wheel.namelist() if n.endswith(".dist-info/licenses/LICENSE")]
        assert wheel.read(licence) == (ROOT / "LICENSE").read_bytes()
        (metadata,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
        assert "License-Expression: MIT" in wheel.read(metadata).decode()
    (pillow,) = (site / "wheels").glob("pillow-*.whl")
    with zipfile.ZipFile(pillow) as wheel:
        assert any(n.endswith(".dist-info/licenses/LICENSE") for n in wheel.namelist())


def served_files(site: Path, licences: dict) -> list[dict]:
    rows = licences["libraries"]
    return [
        licences["ours"]["build_scripts"],
        *licences["ours"]["licence_files"],
        *(row["source"] for row in rows),
        *(f for row in rows for f in (*row["packaging"], *row["licence_files"])),
    ]


def test_licences_cover_every_package_the_site_serves(site: Path) -> None:
    """Each codec package of the lock file, and the runtime, has its libraries listed."""
    licences = json.loads((site / "licences.json").read_text())
    lock = json.loads((site / "wheels" / "pyodide-lock.json").read_text())
    listed = {row["package"] for row in licences["libraries"]}
    assert set(lock["packages"]) - {"imgcompress"} <= listed
    assert [row["package"] for row in licences["runtime"]] == ["runtime"]
    assert {"mozjpeg", "libtiff", "Pillow"} <= {row["name"] for row in licences["libraries"]}


def test_every_listed_source_and_licence_text_is_served(site: Path) -> None:
    """Each link of the Licences section is a file of the site with the stated sha256."""
    licences = json.loads((site / "licences.json").read_text())
    for entry in served_files(site, licences):
        data = (site / entry["file"]).read_bytes()
        assert data, entry["file"]
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], entry["file"]


def test_source_archives_are_offered_not_precached(site: Path) -> None:
    """The manifest lists the sources apart: the service worker never downloads 80 MB of them."""
    manifest = json.loads((site / "manifest.json").read_text())
    assert not [f for f in manifest["files"] if f.startswith("sources/")]
    assert any(f.startswith("sources/pillow-") for f in manifest["sources"])
