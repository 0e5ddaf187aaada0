"""Accessibility: axe-core finds nothing serious, and the whole flow works from the keyboard."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import Browser, FileChooser, Page, expect

pytestmark = pytest.mark.e2e

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
READY_MS = 120_000
WORK_MS = 120_000
PHOTOS = ("exif_orientation6_landscape.jpg", "kodim23.png")


def serious_violations(page: Page) -> list[str]:
    """Run axe-core in the page (evaluated by the driver, so the page's CSP needs no exception)."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: `make deps` installs axe-core with npm")
    page.evaluate(AXE.read_text())
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_axe_empty_working_and_done(page: Page, base_url: str, corpus: Path) -> None:
    """No serious or critical axe-core violation on the empty page, during work, with results."""
    page.goto(base_url)
    assert serious_violations(page) == []
    expect(page.locator("body")).to_have_attribute("data-engine", "ready", timeout=READY_MS)
    page.locator("input[type=file]").set_input_files(
        [corpus / "photo_gps_iphone6_hdr_no_8mp.jpg", *(corpus / n for n in PHOTOS)]
    )
    expect(page.locator('[data-file-row][data-state="working"]').first).to_be_visible(
        timeout=WORK_MS
    )
    assert serious_violations(page) == []
    expect(page.locator('[data-file-row][data-state="done"]')).to_have_count(3, timeout=WORK_MS)
    assert serious_violations(page) == []
    page.locator("#privacy-button").click()
    assert serious_violations(page) == []


def press_until_focused(page: Page, selector: str, limit: int = 80) -> None:
    """Tab through the page until `selector` has the focus, as a keyboard user would."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement?.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    pytest.fail(f"{selector} never received the focus from the keyboard")


def test_keyboard_only(page: Page, base_url: str, corpus: Path) -> None:
    """Add files through the picker, compress, compare with the arrow keys and download the ZIP,
    all without a mouse, with a visible focus."""
    # Playwright intercepts the file chooser only once a listener exists, and enabling that is
    # asynchronous: listen from the start, or a quick key press races it (seen: 1 run in 4).
    choosers: list[FileChooser] = []
    page.on("filechooser", lambda chooser: choosers.append(chooser))
    page.goto(base_url)
    expect(page.locator("body")).to_have_attribute("data-engine", "ready", timeout=READY_MS)

    press_until_focused(page, "input[type=file]")
    page.keyboard.press("Space")
    for _ in range(50):
        if choosers:
            break
        page.wait_for_timeout(100)
    assert choosers, "Space on the focused picker opened no file chooser"
    choosers[0].set_files([corpus / n for n in PHOTOS])
    expect(page.locator('[data-file-row][data-state="done"]')).to_have_count(2, timeout=WORK_MS)

    press_until_focused(page, "[data-file-row] [data-compare]")
    outline = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, s.outlineWidth, s.boxShadow]; }"
    )
    assert outline[0] != "none" or outline[2] != "none", "the focused control shows no focus"
    page.keyboard.press("Enter")
    divider = page.locator("#compare [role=slider]")
    expect(divider).to_be_focused()
    before = divider.get_attribute("aria-valuenow")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    assert divider.get_attribute("aria-valuenow") != before
    page.keyboard.press("Escape")
    expect(page.locator("#compare")).not_to_be_visible()

    press_until_focused(page, "#download-all")
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    data = Path(download.value.path()).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert len(zf.namelist()) == len(PHOTOS)


def test_fits_a_phone_without_sideways_scrolling(
    browser: Browser, base_url: str, corpus: Path
) -> None:
    """At 320 px wide (WCAG reflow) nothing scrolls sideways: empty, with results, panel open."""
    context = browser.new_context(viewport={"width": 320, "height": 700})
    try:
        page = context.new_page()
        page.goto(base_url)
        overflow = "() => document.documentElement.scrollWidth - window.innerWidth"
        assert page.evaluate(overflow) <= 0
        expect(page.locator("body")).to_have_attribute("data-offline", "ready", timeout=READY_MS)
        page.locator("input[type=file]").set_input_files([corpus / n for n in PHOTOS])
        expect(page.locator('[data-file-row][data-state="done"]')).to_have_count(2, timeout=WORK_MS)
        assert page.evaluate(overflow) <= 0
        page.locator("#privacy-button").click()
        for summary in page.locator("#privacy-panel summary").all():  # files, then licences
            summary.click()
        expect(page.locator("#licences tbody tr").first).to_be_visible()
        assert page.evaluate(overflow) <= 0
    finally:
        context.close()
