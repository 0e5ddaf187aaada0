"""The page's and its workers' console reach the test log."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

pytestmark = pytest.mark.e2e


def test_worker_console_is_forwarded(ready_page: Page, caplog: pytest.LogCaptureFixture) -> None:
    """A worker's console.info ("... ready in N ms") shows up in the test log."""
    ready_page.wait_for_timeout(200)
    records = caplog.get_records("setup") + caplog.get_records("call")
    messages = [r.getMessage() for r in records if r.name == "browser"]
    assert any("[imgcompress-1] ready in" in m for m in messages), messages
