"""pins.toml is the one place for pins: complete, and agreeing with what repeats it."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pins
import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
# The host names of the package registries the machines use; none may appear in the repository.
REGISTRY_HOSTS = r"debian\.org|pypi\.org|pythonhosted|npmjs|registry\.npm"


def test_pins_load_with_every_key() -> None:
    """Every pin is present and shaped as its user expects."""
    pinned = pins.load()
    assert pinned.pyodide_integrity.startswith("sha512-")
    assert len(pinned.pillow_sdist_sha256) == 64
    assert pinned.feature_names == ["jpg", "zlib", "webp", "littlecms2", "mozjpeg", "libtiff"]
    assert len(pinned.mozjpeg.sdist_sha256) == 64
    assert pinned.mozjpeg.build.isdigit()
    assert len(pinned.mozjpeg.build) == 8
    assert pinned.chromium.is_absolute()
    assert pinned.debian_suite


def test_a_missing_key_is_named(tmp_path: Path) -> None:
    """A pins file without a key fails on load, naming the key."""
    broken = tmp_path / "pins.toml"
    text = (ROOT / "pins.toml").read_text().replace('sdist_sha256 = "', 'sdist_sha = "')
    broken.write_text(text)
    with pytest.raises(SystemExit, match="sdist_sha256"):
        pins.load(broken)


def test_pyproject_and_native_pillow_match_the_pin() -> None:
    """pip's pin in pyproject.toml and the Pillow running the native tests are the pinned one."""
    import PIL

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    (pillow,) = [Requirement(r) for r in project["dependencies"] if r.lower().startswith("pillow")]
    assert str(pillow.specifier) == f"=={pins.load().pillow_version}"
    assert PIL.__version__ == pins.load().pillow_version


def test_worker_gets_the_feature_list_from_the_build(tmp_path: Path) -> None:
    """web/worker.js carries a placeholder, which the build stamps with pins.toml's features."""
    sys.path.insert(0, str(ROOT))
    try:
        import build_wheel
    finally:
        sys.path.remove(str(ROOT))
    source = (ROOT / "web" / "worker.js").read_text()
    assert "__PILLOW_FEATURES__" in source
    (tmp_path / "worker.js").write_text(source)
    build_wheel.write_features(tmp_path)
    stamped = (tmp_path / "worker.js").read_text()
    assert "__PILLOW_FEATURES__" not in stamped
    assert f"for f in {json.dumps(pins.load().feature_names)}" in stamped


def test_no_registry_host_is_named_in_the_repository() -> None:
    """Registries come from the machine's configuration (apt, pip, npm), never from our files."""
    found = subprocess.run(
        ["git", "grep", "-nIiE", REGISTRY_HOSTS, "--", ".", ":!tests/toolchain/test_pins.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert found.returncode == 1, found.stdout or found.stderr  # 1: nothing matched
    lock = json.loads((ROOT / "package-lock.json").read_text())
    assert not [name for name, p in lock["packages"].items() if "resolved" in p]
