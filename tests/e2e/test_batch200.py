"""A batch of 200 photos goes through the page and comes back as one ZIP."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .conftest import wait_settled
from .images import photo_like, save

pytestmark = pytest.mark.e2e

COUNT = 200


def test_two_hundred_photos_to_one_zip(ready_page: Page, tmp_path: Path) -> None:
    """200 small JPEG photos dropped at once all finish, totals add up, and the ZIP holds
    exactly 200 decodable files under their names."""
    page = ready_page
    files = [
        save(
            photo_like((240 + i % 7 * 8, 180 + i % 5 * 8), seed=1000 + i),
            tmp_path / f"holiday_{i:03d}.jpg",
            "JPEG",
            quality=92,
        )
        for i in range(COUNT)
    ]
    started = time.monotonic()
    page.set_input_files("input[type=file][multiple]", files)
    wait_settled(page, COUNT, timeout_ms=600_000)
    print(f"\n{COUNT} photos compressed in the page in {time.monotonic() - started:.1f} s")
    expect(page.locator('[data-file-row][data-state="done"]')).to_have_count(COUNT)
    expect(page.locator("#totals")).to_contain_text(f"{COUNT} of {COUNT} done")

    with page.expect_download(timeout=120_000) as info:
        page.locator("#download-all").click()
    archive = zipfile.ZipFile(io.BytesIO(Path(info.value.path()).read_bytes()))
    assert sorted(archive.namelist()) == sorted(f.name for f in files)
    assert archive.testzip() is None
    total_in = sum(f.stat().st_size for f in files)
    total_out = sum(i.file_size for i in archive.infolist())
    assert total_out < total_in
