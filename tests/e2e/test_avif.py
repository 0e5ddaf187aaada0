"""AVIF output in the page: the codec package arrives only when a file needs it, and the
downloaded .avif opens in Chromium."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from playwright.sync_api import Page, Request, expect

from .conftest import READY_TIMEOUT_MS, wait_settled

pytestmark = pytest.mark.e2e

PHOTO = "photo_gps_iphone6_1200px.jpg"
AVIF_WHEEL = "/wheels/imgcompress_pillow_avif-"
# The page decodes the bytes it is given as an image/avif blob in an <img> (as a person would
# open the download), and answers its natural size.
OPEN_IN_IMG = """async (b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const img = new Image();
    img.src = URL.createObjectURL(new Blob([bytes], { type: "image/avif" }));
    await img.decode();
    return [img.naturalWidth, img.naturalHeight];
}"""


def test_avif_is_loaded_on_demand_and_its_download_opens(
    page: Page, base_url: str, corpus: Path
) -> None:
    """Start-up fetches no AVIF codec; choosing AVIF and adding a photo fetches it once, the
    row is Done, and the downloaded .avif decodes in Chromium at the photo's size."""
    fetched: list[str] = []

    def note(request: Request) -> None:
        # The page and its workers, not the service worker's precache (the site works offline).
        if request.service_worker is None:
            fetched.append(request.url)

    page.on("request", note)
    page.goto(base_url)
    expect(page.locator("body")).to_have_attribute("data-engine", "ready", timeout=READY_TIMEOUT_MS)
    assert [u for u in fetched if AVIF_WHEEL in u] == []
    assert any("/wheels/pillow-" in u for u in fetched)  # the observer does see the workers

    page.select_option("#s-format", "avif")
    page.set_input_files("input[type=file][multiple]", [corpus / PHOTO])
    wait_settled(page, 1)
    row = page.locator(f'[data-file-row][data-name="{PHOTO}"]')
    expect(row).to_have_attribute("data-state", "done")
    assert len([u for u in fetched if AVIF_WHEEL in u]) == 1

    with page.expect_download() as info:
        row.locator("a[download]").click()
    download = info.value
    assert download.suggested_filename == PHOTO.removesuffix(".jpg") + ".avif"
    data = Path(download.path()).read_bytes()
    assert data[4:12] == b"ftypavif"
    assert len(data) < (corpus / PHOTO).stat().st_size
    size = page.evaluate(OPEN_IN_IMG, base64.b64encode(data).decode())
    assert size == [1200, 900]
