"""The privacy panel's Licences section lists the shipped libraries and links their sources."""

from __future__ import annotations

import hashlib

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e


def test_licences_section_links_sources_served_by_the_site(page: Page, base_url: str) -> None:
    """Each row's source link is on this origin and serves the archive the row names."""
    page.goto(base_url)
    page.get_by_role("button", name="Privacy").click()
    box = page.locator("#licences")
    box.locator("summary").click()
    expect(box.locator("tbody tr").first).to_be_visible()
    names = box.locator("tbody tr td:first-child").all_inner_texts()
    assert {"imgcompress", "Pillow", "mozjpeg", "libtiff", "Pyodide"} <= set(names)
    link = box.locator("tbody tr", has_text="libtiff").locator("a[href*='.orig.tar']")
    href = link.get_attribute("href")
    assert href is not None
    assert href.startswith(base_url)
    response = page.request.get(href)
    assert response.ok
    assert hashlib.sha256(response.body()).hexdigest() in (link.get_attribute("title") or "")
