"""The served page starts Pyodide with Pillow and imgcompress in Debian's Chromium."""

from __future__ import annotations

import time

import pins
import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

READY_TIMEOUT_MS = 120_000


def test_engine_reaches_ready(page: Page, base_url: str) -> None:
    """The page reports ready with Python 3.14 and the pinned Pillow loaded in its worker."""
    started = time.monotonic()
    page.goto(base_url)
    expect(page.locator("body")).to_have_attribute("data-engine", "ready", timeout=READY_TIMEOUT_MS)
    elapsed = time.monotonic() - started
    status = page.locator("#engine-status").inner_text()
    print(f"\nengine ready in Chromium after {elapsed:.1f} s: {status}")
    assert "Python 3.14" in status
    assert f"Pillow {pins.load().pillow_version}" in status
    for stage in ("runtime", "pillow", "imgcompress"):
        expect(page.locator(f'#stages [data-stage="{stage}"]')).to_have_attribute(
            "data-state", "done"
        )
