"""Paths every test suite shares: the repository, the built site and the test images."""

from __future__ import annotations

from pathlib import Path

import pytest

import testdata

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "dist" / "site"
FULL_CORPUS_OPTION = "--full-corpus"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        FULL_CORPUS_OPTION,
        action="store_true",
        help="also run the extended suite (tests/corpus/) on the whole company corpus, found at "
        f"${testdata.CORPUS_ENV} or ../shared/corpus; it fails if the corpus is missing",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave the extended suite out unless asked for: deselected and counted, never skipped."""
    if config.getoption(FULL_CORPUS_OPTION):
        return
    chosen = [item for item in items if item.get_closest_marker("full_corpus") is None]
    if len(chosen) != len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in chosen])
        items[:] = chosen


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with every test image under its corpus name: tests/data/ plus the stand-ins.

    See tests/testdata.py: the big photos are made here, so a fresh clone needs nothing beside it.
    """
    return testdata.materialise(tmp_path_factory.mktemp("testdata"))


@pytest.fixture(scope="session")
def full_corpus() -> Path:
    """The whole company corpus, for the extended suite only (fails loudly when it is missing)."""
    path = testdata.full_corpus()
    if not (path / "MANIFEST.md").exists():
        pytest.fail(
            f"the company corpus is missing: expected it at {path} "
            f"(set ${testdata.CORPUS_ENV}, or run without {FULL_CORPUS_OPTION})"
        )
    return path


@pytest.fixture(scope="session")
def site() -> Path:
    if not (SITE / "manifest.json").exists():
        pytest.fail("dist/site is not built: run `make site` (make test does it first)")
    return SITE
