"""The warm-up in the page: a fresh worker warms up while idle, out of the batch's sight, asks
nothing of the network, and a photo dropped in the middle of it still comes back right."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import BrowserContext, Page, Request, expect

from .conftest import READY_TIMEOUT_MS, wait_settled

pytestmark = pytest.mark.e2e

PHOTO = "photo_gps_iphone6_hdr_no_8mp.jpg"
# The whole ladder takes 1-2 s in Chromium on a shared 2-core machine (bench/warmup_bench.py).
WARM_MS = 60_000
WARMED = "() => window.imgcompress.workers().warm === 1"


def open_one_worker(page: Page, base_url: str) -> None:
    page.goto(base_url + "?workers=1")
    expect(page.locator("body")).to_have_attribute("data-engine", "ready", timeout=READY_TIMEOUT_MS)


def test_a_fresh_worker_reports_its_warm_up_complete(page: Page, base_url: str) -> None:
    """A fresh page's worker runs every warm-up step and the pool counts it warm."""
    open_one_worker(page, base_url)
    page.wait_for_function(WARMED, timeout=WARM_MS)
    [warm] = page.evaluate("() => window.imgcompress.warmUps()")
    assert warm["complete"] is True
    assert warm["done"] == warm["steps"] > 0
    assert warm["worker"] == "imgcompress-1"


def test_the_warm_up_is_not_a_file_of_the_batch(page: Page, base_url: str) -> None:
    """After the warm-up the batch is still empty: no row, no count, the totals say nothing."""
    open_one_worker(page, base_url)
    page.wait_for_function(WARMED, timeout=WARM_MS)
    expect(page.locator("[data-file-row]")).to_have_count(0)
    counts = page.evaluate("() => window.imgcompress.counts()")
    assert (counts["total"], counts["pending"]) == (0, 0)
    assert page.locator("body").get_attribute("data-files") == "none"


def test_the_warm_up_asks_nothing_of_the_network(
    page: Page, context: BrowserContext, base_url: str
) -> None:
    """From ready until warm the page and its worker make no request; the ledger counts none."""
    seen: list[Request] = []
    open_one_worker(page, base_url)
    context.on("request", lambda request: seen.append(request))
    page.wait_for_function(WARMED, timeout=WARM_MS)
    assert [r.url for r in seen if not r.url.startswith(("blob:", "data:"))] == []
    expect(page.locator("#privacy-ledger")).to_have_attribute("data-bytes-sent", "0")


def test_a_photo_dropped_mid_warm_up_comes_back_right(
    page: Page, base_url: str, corpus: Path
) -> None:
    """A photo chosen as the engine gets ready pre-empts the warm-up and is compressed right."""
    open_one_worker(page, base_url)
    page.set_input_files("input[type=file][multiple]", [corpus / PHOTO])
    wait_settled(page, 1)
    row = page.locator(f'[data-file-row][data-name="{PHOTO}"]')
    expect(row).to_have_attribute("data-state", "done")
    [warm] = page.evaluate("() => window.imgcompress.warmUps()")
    assert warm["complete"] is False, "the photo came after the warm-up: nothing was tested"
    assert page.evaluate("() => window.imgcompress.workers().warm") == 0
    with page.expect_download() as info:
        row.locator("a[download]").click()
    data = Path(info.value.path()).read_bytes()
    assert len(data) < (corpus / PHOTO).stat().st_size
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        assert (image.format, image.size) == ("JPEG", (3264, 2448))
