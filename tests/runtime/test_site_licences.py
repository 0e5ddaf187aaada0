"""The wheels the site serves carry their licences, ours being the repository's LICENSE."""

from __future__ import annotations

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
