"""The page lists no format itself: its choices, picker and folder filter are the engine's."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from imgcompress import codecs

from .conftest import READY_TIMEOUT_MS

pytestmark = pytest.mark.e2e

OPTIONS = "() => [...document.querySelector('#s-format').options].map((o) => [o.value, o.text])"


# Records what the first worker's `ready` message says (door.formats() run in Pyodide), so
# the page is compared with the engine the browser really has, not with native Pillow (which
# has codecs the site loads only on demand, or not at all).
RECORD_READY = """() => {
    const Original = window.Worker;
    window.__ready = [];
    window.Worker = class extends Original {
        constructor(...args) {
            super(...args);
            this.addEventListener("message", (e) => {
                if (e.data?.type === "ready") window.__ready.push(e.data);
            });
        }
    };
}"""


def _wait_ready(page: Page) -> None:
    expect(page.locator("body")).to_have_attribute("data-engine", "ready", timeout=READY_TIMEOUT_MS)


@pytest.fixture
def engine_page(page: Page, base_url: str) -> tuple[Page, dict]:
    """The page once ready, with the worker's ready message (formats, choices, accept)."""
    page.add_init_script(f"({RECORD_READY})()")
    page.goto(base_url)
    _wait_ready(page)
    return page, page.evaluate("() => window.__ready[0]")


def test_output_choices_are_the_engines(engine_page: tuple[Page, dict]) -> None:
    """Once ready, the output-format select holds exactly door.formats()'s choices, in order."""
    page, ready = engine_page
    expected = [[c["value"], c["label"]] for c in ready["choices"]]
    assert page.evaluate(OPTIONS) == expected
    assert [v for v, _ in expected[:4]] == ["keep", "jpeg", "png", "webp"]
    expect(page.locator("#s-format")).to_be_enabled()


def test_engine_lists_the_whole_codec_table(engine_page: tuple[Page, dict]) -> None:
    """The browser's engine describes every row of the table, readable or not."""
    _, ready = engine_page
    assert [f["name"] for f in ready["formats"]] == [c.name for c in codecs.TABLE]


def test_file_picker_accepts_what_the_engine_reads(engine_page: tuple[Page, dict]) -> None:
    """Once ready, the file input's accept= is door.formats()'s accept string."""
    page, ready = engine_page
    expect(page.locator("#file-input")).to_have_attribute("accept", ready["accept"])


def test_drop_note_names_the_readable_formats(engine_page: tuple[Page, dict]) -> None:
    """The drop zone's note names every format the engine reads, by its label."""
    page, ready = engine_page
    note = page.locator("#empty-note")
    for fmt in ready["formats"]:
        if fmt["read"]:
            expect(note).to_contain_text(str(fmt["label"]))


def test_a_linked_format_survives_the_engine_start(page: Page, base_url: str) -> None:
    """?format=webp shows WebP before the engine is ready (select disabled) and after it."""
    page.goto(base_url + "?format=webp")
    select = page.locator("#s-format")
    assert page.evaluate("document.body.dataset.engine") == "loading"
    expect(select).to_have_value("webp")
    expect(select).to_be_disabled()
    _wait_ready(page)
    expect(select).to_have_value("webp")
    expect(select).to_be_enabled()
    assert parse_qs(urlsplit(page.url).query)["format"] == ["webp"]


def test_a_format_the_engine_lacks_becomes_keep(page: Page, base_url: str) -> None:
    """?format=tiff (well-formed, never an output) becomes "keep" once ready, form and URL."""
    assert "tiff" not in [c.name for c in codecs.choosable()]
    page.goto(base_url + "?format=tiff&quality=50&mode=quality")
    _wait_ready(page)
    expect(page.locator("#s-format")).to_have_value("keep")
    page.wait_for_url(lambda url: "format=" not in url, timeout=5_000)
    assert parse_qs(urlsplit(page.url).query)["quality"] == ["50"]
