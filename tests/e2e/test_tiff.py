"""A scanned TIFF in the page: libtiff reads it, "keep" writes PNG, and the row says both."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from .conftest import READY_TIMEOUT_MS, wait_settled
from .images import photo_like

pytestmark = pytest.mark.e2e


def _two_page_scan(path: Path) -> Path:
    pages = [photo_like((320, 240), seed=s) for s in (7, 8)]
    pages[0].save(path, "TIFF", compression="tiff_lzw", save_all=True, append_images=pages[1:])
    return path


def test_multipage_tiff_becomes_png_of_its_first_page(
    page: Page, base_url: str, tmp_path: Path
) -> None:
    """An LZW TIFF of two pages is Done as a PNG of page one, noted "TIFF → PNG" and "pages"."""
    scan = _two_page_scan(tmp_path / "scan.tif")
    page.goto(base_url)
    expect(page.locator("body")).to_have_attribute("data-engine", "ready", timeout=READY_TIMEOUT_MS)
    accept = page.locator("input[type=file][multiple]").get_attribute("accept") or ""
    assert ".tif" in accept.split(",")
    page.set_input_files("input[type=file][multiple]", [scan])
    wait_settled(page, 1)
    row = page.locator('[data-file-row][data-name="scan.tif"]')
    expect(row).to_have_attribute("data-state", "done")
    codes = row.locator("[data-notes] [data-code]").evaluate_all(
        "spans => Object.fromEntries(spans.map((s) => [s.dataset.code, s.textContent]))"
    )
    assert codes["format_converted"].startswith("TIFF → PNG")
    assert "pages_skipped" in codes
    with page.expect_download() as info:
        row.locator("a[download]").click()
    out = Image.open(io.BytesIO(Path(info.value.path()).read_bytes()))
    assert (out.format, out.size) == ("PNG", (320, 240))
