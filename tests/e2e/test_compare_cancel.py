"""Compare view by keyboard and mouse; cancelling stops work without stopping the batch."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .conftest import READY_TIMEOUT_MS, wait_settled
from .images import photo_like, save

pytestmark = pytest.mark.e2e


def test_compare_divider_moves_by_keyboard_and_mouse_and_zooms(
    ready_page: Page, tmp_path: Path
) -> None:
    """Arrow keys, Home/End and a click move the divider; 100 % shows real pixels; Esc closes."""
    page = ready_page
    source = save(photo_like((1200, 800), seed=3), tmp_path / "view.jpg", "JPEG", quality=95)
    page.set_input_files("input[type=file][multiple]", [source])
    wait_settled(page, 1)
    compare_button = page.locator('[data-file-row][data-name="view.jpg"] [data-compare]')
    compare_button.click()
    dialog = page.locator("#compare")
    expect(dialog).to_be_visible()
    divider = dialog.locator('[role="slider"]')
    expect(divider).to_be_focused()
    expect(divider).to_have_attribute("aria-valuenow", "50")
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    expect(divider).to_have_attribute("aria-valuenow", "55")
    page.keyboard.press("Shift+ArrowLeft")
    expect(divider).to_have_attribute("aria-valuenow", "45")
    page.keyboard.press("Home")
    expect(divider).to_have_attribute("aria-valuenow", "0")
    page.keyboard.press("End")
    expect(divider).to_have_attribute("aria-valuenow", "100")

    frame = dialog.locator("[data-compare-frame]")
    box = frame.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] * 0.25, box["y"] + box["height"] / 2)
    assert abs(int(divider.get_attribute("aria-valuenow") or "-1") - 25) <= 1
    clip = dialog.locator("[data-compare-after]").evaluate("img => img.style.clipPath")
    assert clip.startswith("inset(0")
    assert "25" in clip

    assert box["width"] < 1200  # fit: the whole picture inside the dialog
    dialog.locator('[data-zoom="actual"]').click()
    expect(dialog.locator('[data-zoom="actual"]')).to_have_attribute("aria-pressed", "true")
    assert frame.evaluate("f => f.getBoundingClientRect().width") == 1200
    dialog.locator('[data-zoom="fit"]').click()
    assert frame.evaluate("f => f.getBoundingClientRect().width") < 1200

    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(compare_button).to_be_focused()


def test_cancelling_a_running_file_replaces_its_worker_and_the_rest_finish(
    page: Page, base_url: str, corpus: Path, tmp_path: Path
) -> None:
    """With one worker, cancelling the running photo terminates that worker, a fresh one
    starts, the cancelled row disappears and the queued files still finish."""
    page.goto(base_url + "?workers=1")
    expect(page.locator("body")).to_have_attribute("data-engine", "ready", timeout=READY_TIMEOUT_MS)
    workers_started: list[str] = []
    page.on("worker", lambda worker: workers_started.append(worker.url))
    small = [
        save(photo_like((320, 240), seed=i), tmp_path / f"small{i}.jpg", "JPEG", quality=95)
        for i in range(2)
    ]
    page.set_input_files(
        "input[type=file][multiple]", [corpus / "photo_gps_nokia8.3_9mp.jpg", *small]
    )
    big = page.locator('[data-file-row][data-name="photo_gps_nokia8.3_9mp.jpg"]')
    expect(big).to_have_attribute("data-state", "working", timeout=30_000)
    expect(page.locator('[data-file-row][data-name="small0.jpg"]')).to_have_attribute(
        "data-state", "queued"
    )
    big.locator("[data-cancel]").click()
    expect(big).to_have_count(0)
    wait_settled(page, 2, timeout_ms=120_000)
    expect(page.locator('[data-file-row][data-state="done"]')).to_have_count(2)
    assert len(workers_started) == 1, "the cancelled worker was not replaced by a fresh one"
    expect(page.locator("#engine-status")).to_contain_text("1 of 1 worker ready")

    # Cancel all drops what is still waiting and keeps what is done.
    page.set_input_files("input[type=file][multiple]", [corpus / "photo_gps_nokia8.3_9mp.jpg"])
    expect(big).to_have_attribute("data-state", "working", timeout=30_000)
    page.locator("#cancel-all").click()
    expect(big).to_have_count(0)
    expect(page.locator("[data-file-row]")).to_have_count(2)
    expect(page.locator("#cancel-all")).to_be_disabled()
