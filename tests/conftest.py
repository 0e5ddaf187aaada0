"""Paths every test suite shares: the repository, the built site and the shared corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "dist" / "site"
CORPUS = ROOT / ".." / "shared" / "corpus"


@pytest.fixture(scope="session")
def corpus() -> Path:
    if not (CORPUS / "MANIFEST.md").exists():
        pytest.fail(f"the shared corpus is missing: expected it at {CORPUS.resolve()}")
    return CORPUS


@pytest.fixture(scope="session")
def site() -> Path:
    if not (SITE / "manifest.json").exists():
        pytest.fail("dist/site is not built: run `make site` (make test does it first)")
    return SITE
