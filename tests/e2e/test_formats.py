"""The page lists no format itself: its choices, picker and folder filter are the engine's."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from imgcompress import door

from .conftest import READY_TIMEOUT_MS

pytestmark = pytest.mark.e2e

OPTIONS = "() => [...document.querySelector('#s-format').options].map((o) => [o.value, o.text])"


def _wait_ready(page: Page) -> None:
    expect(page.locator("body")).to_have_attribute("data-engine", "ready", timeout=READY_TIMEOUT_MS)


def test_output_choices_are_the_engines(ready_page: Page) -> None:
    """Once ready, the output-format select holds exactly door.formats()'s choices, in order."""
    expected = [[c["value"], c["label"]] for c in door.formats()["choices"]]
    assert ready_page.evaluate(OPTIONS) == expected
    expect(ready_page.locator("#s-format")).to_be_enabled()


def test_file_picker_accepts_what_the_engine_reads(ready_page: Page) -> None:
    """Once ready, the file input's accept= is door.formats()'s accept string."""
    expect(ready_page.locator("#file-input")).to_have_attribute("accept", door.formats()["accept"])


def test_drop_note_names_the_readable_formats(ready_page: Page) -> None:
    """The drop zone's note names every format the engine reads, by its label."""
    note = ready_page.locator("#empty-note")
    for fmt in door.formats()["formats"]:
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
    """?format=avif (well-formed, not offered) becomes "keep" once ready, in the form and URL."""
    assert "avif" not in [c["value"] for c in door.formats()["choices"]]
    page.goto(base_url + "?format=avif&quality=50&mode=quality")
    _wait_ready(page)
    expect(page.locator("#s-format")).to_have_value("keep")
    page.wait_for_url(lambda url: "format=" not in url, timeout=5_000)
    assert parse_qs(urlsplit(page.url).query)["quality"] == ["50"]
