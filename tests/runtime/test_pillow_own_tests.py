"""Pillow's own test files, for every format the site ships, pass inside our Pyodide.

They come from the Pillow sdist the toolchain already fetched and pinned, and run under the
same pytest as the native suite (its pure-Python packages are copied in beside them). What
Pyodide cannot do is listed in ENVIRONMENT_LIMITS, one reason per test; anything else that
fails or is skipped for a missing feature we claim to ship fails here.
"""

from __future__ import annotations

import importlib
import shutil
import tarfile
from pathlib import Path
from typing import Any

import pillow_wasm
import pytest

from .conftest import PyodideRun, pyodide_runner

pytestmark = pytest.mark.runtime

TEST_FILES = (
    "test_file_jpeg.py",
    "test_file_png.py",
    "test_file_webp.py",
    "test_file_webp_alpha.py",
    "test_file_webp_animated.py",
    "test_file_webp_lossless.py",
    "test_file_webp_metadata.py",
    "test_file_gif.py",
    "test_file_avif.py",
    "test_file_tiff.py",
    "test_file_libtiff.py",
    "test_image.py",
)

# Tests that cannot pass in a browser's Python, whatever the build: test id -> the limit.
NO_RESOURCE = "Pyodide has no `resource` module: the leak tests read memory use with getrusage()"
ENVIRONMENT_LIMITS: dict[str, str] = {
    "Tests/test_file_png.py::TestTruncatedPngPLeaks::test_leak_load": NO_RESOURCE,
    "Tests/test_file_avif.py::TestAvifLeaks::test_leak_load": NO_RESOURCE,
}

# Features the site's Pillow has (the avif one once its package is loaded): a test skipped
# for lack of one of these ("<feature> not available", Pillow's skip_unless_feature) would
# hide a broken build. Skips for what we leave out by design stay skips: libaom's decoder
# (dav1d decodes), other AV1 encoders, libtiff's WebP/LZMA codecs, JPEG 2000, Windows.
SHIPPED_FEATURES = ("jpg", "zlib", "webp", "avif", "libtiff", "littlecms2", "mozjpeg")

# pytest and what it imports, pure Python, taken from the native test environment.
PYTEST_PACKAGES = ("pytest", "_pytest", "pluggy", "iniconfig", "packaging", "pygments", "py")

RUN_PILLOW_TESTS = """
import os, sys
sys.path.insert(0, "/data/pylib")
import pyodide_js
await pyodide_js.loadPackage("avif")
import pytest

class Outcomes:
    def __init__(self):
        self.tests = {}

    def pytest_runtest_logreport(self, report):
        if report.failed or report.skipped or report.when == "call":
            reason = ""
            if report.skipped and isinstance(report.longrepr, tuple):
                reason = report.longrepr[2]
            elif report.failed:
                reason = str(report.longrepr)[-1500:]
            self.tests.setdefault(report.nodeid, (report.outcome, reason))

os.chdir("/data/pillow")
outcomes = Outcomes()
code = pytest.main(
    ["-q", "-p", "no:cacheprovider", "-o", "addopts=", *FILES], plugins=[outcomes]
)
result = {"code": int(code), "tests": outcomes.tests}
"""


def _copy_pytest(dest: Path) -> None:
    for name in PYTEST_PACKAGES:
        module = importlib.import_module(name)
        origin = Path(module.__file__)
        if origin.name == "__init__.py":
            shutil.copytree(origin.parent, dest / name, ignore=shutil.ignore_patterns("*.pyc"))
        else:
            shutil.copy2(origin, dest / origin.name)


def _extract_tests(sdist: Path, dest: Path) -> None:
    with tarfile.open(sdist) as archive:
        top = archive.getnames()[0].split("/")[0]
        members = [m for m in archive.getmembers() if m.name.startswith(f"{top}/Tests/")]
        archive.extractall(dest, members=members, filter="data")
    (dest / top).rename(dest / "pillow")


@pytest.fixture(scope="module")
def pillow_outcomes(in_pyodide_module: PyodideRun) -> dict[str, Any]:
    """One run of all TEST_FILES in Pyodide: {test id: (outcome, reason)} and pytest's code."""
    files = repr([f"Tests/{name}" for name in TEST_FILES])
    return in_pyodide_module(RUN_PILLOW_TESTS.replace("*FILES", f"*{files}"))


@pytest.fixture(scope="module")
def in_pyodide_module(site: Path, tmp_path_factory: pytest.TempPathFactory) -> PyodideRun:
    """Like in_pyodide, with Pillow's Tests/ at /data/pillow and pytest at /data/pylib."""
    data = tmp_path_factory.mktemp("pillow-tests")
    _extract_tests(pillow_wasm.pillow_sdist(), data)
    (data / "pylib").mkdir()
    _copy_pytest(data / "pylib")
    return pyodide_runner(site, data, timeout=900)


def test_pillow_own_tests_pass_in_pyodide(pillow_outcomes: dict[str, Any]) -> None:
    """Every collected test of Pillow's format files passes, or is a named environment limit."""
    failed = {
        test: reason
        for test, (outcome, reason) in pillow_outcomes["tests"].items()
        if outcome == "failed" and test not in ENVIRONMENT_LIMITS
    }
    assert not failed, "\n\n".join(f"{t}\n{r}" for t, r in failed.items())
    passed = [t for t, (outcome, _) in pillow_outcomes["tests"].items() if outcome == "passed"]
    assert len(passed) > 500


def test_no_pillow_test_is_skipped_for_a_feature_we_ship(pillow_outcomes: dict[str, Any]) -> None:
    """A skip that blames a shipped codec (say "libtiff not available") means a broken build."""
    blamed = {
        test: reason
        for test, (outcome, reason) in pillow_outcomes["tests"].items()
        if outcome == "skipped"
        and any(reason == f"Skipped: {feature} not available" for feature in SHIPPED_FEATURES)
    }
    assert not blamed, blamed


def test_environment_limits_are_still_limits(pillow_outcomes: dict[str, Any]) -> None:
    """Each listed limit still fails: a test that passes again leaves the list."""
    outcomes = pillow_outcomes["tests"]
    passing = [t for t in ENVIRONMENT_LIMITS if outcomes.get(t, ("missing",))[0] != "failed"]
    assert not passing, passing
