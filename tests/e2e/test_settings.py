"""Settings: the URL is a shareable preset, remembered locally, and it reaches the engine."""

from __future__ import annotations

import io
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from imgcompress import DEFAULT_VISUAL_TARGET, Options, door

from .conftest import READY_TIMEOUT_MS, wait_settled
from .images import photo_like, save

pytestmark = pytest.mark.e2e

PRESET = (
    "?format=webp&mode=quality&quality=62&max_width=200&metadata=keep"
    "&profile=srgb&colors=64&workers=1"
)


def _form(page: Page) -> dict[str, object]:
    return page.evaluate(
        """() => {
        const f = document.querySelector('#settings');
        const v = (n) => f.elements[n].value;
        return {format: v('format'), mode: v('mode'), quality: v('quality'),
                max_width: v('max_width'), max_height: v('max_height'),
                metadata: v('metadata'), profile: v('profile'), colors: v('colors'),
                workers: v('workers')};
    }"""
    )


def _query(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def test_settings_round_trip_through_the_url(page: Page, base_url: str, browser: Browser) -> None:
    """A preset URL fills the form; a change rewrites the URL; the new URL opened elsewhere
    shows the same settings; a visit without a query restores them from localStorage."""
    page.goto(base_url + PRESET)
    assert _form(page) == {
        "format": "webp",
        "mode": "quality",
        "quality": "62",
        "max_width": "200",
        "max_height": "",
        "metadata": "keep",
        "profile": "srgb",
        "colors": "64",
        "workers": "1",
    }
    # The output formats are the engine's: the select takes a choice once it is ready.
    expect(page.locator("body")).to_have_attribute("data-engine", "ready", timeout=READY_TIMEOUT_MS)
    page.select_option("#s-format", "png")
    page.fill("#s-max-height", "150")
    page.locator("#s-max-height").dispatch_event("change")
    page.wait_for_url(lambda url: "format=png" in url and "max_height=150" in url, timeout=5_000)
    query = _query(page)
    assert query["quality"] == ["62"]
    assert query["workers"] == ["1"]
    assert query["colors"] == ["64"]
    assert "visual" not in query  # defaults stay out of the URL

    shared = browser.new_context().new_page()  # someone else opening the link
    shared.goto(page.url)
    assert _form(shared) == {**_form(page)}
    assert _form(shared)["format"] == "png"
    assert _form(shared)["max_height"] == "150"
    shared.context.close()

    page.goto(base_url)  # same browser, plain address: remembered settings come back
    assert _form(page)["format"] == "png"
    assert _query(page)["format"] == ["png"]


def test_url_settings_reach_the_engine_and_a_change_reruns_the_batch(
    page: Page, base_url: str, tmp_path: Path
) -> None:
    """format=webp&max_width=200 from the URL yields a 200-px WebP; switching the format to
    PNG re-runs the row and yields a PNG named accordingly."""
    page.goto(base_url + "?format=webp&max_width=200&workers=1")
    expect(page.locator("body")).to_have_attribute("data-engine", "ready", timeout=READY_TIMEOUT_MS)
    source = save(photo_like((640, 480), seed=5), tmp_path / "sample.jpg", "JPEG", quality=95)
    page.set_input_files("input[type=file][multiple]", [source])
    wait_settled(page, 1)
    row = page.locator('[data-file-row][data-name="sample.jpg"]')
    expect(row).to_have_attribute("data-state", "done")
    expect(row.locator("a[download]")).to_have_attribute("download", "sample.webp")
    with page.expect_download() as info:
        row.locator("a[download]").click()
    with Image.open(io.BytesIO(Path(info.value.path()).read_bytes())) as image:
        assert image.format == "WEBP"
        assert image.size == (200, 150)

    page.select_option("#s-format", "png")
    expect(row.locator("a[download]")).to_have_attribute("download", "sample.png", timeout=60_000)
    expect(row).to_have_attribute("data-state", "done")
    with page.expect_download() as info:
        row.locator("a[download]").click()
    with Image.open(io.BytesIO(Path(info.value.path()).read_bytes())) as image:
        assert image.format == "PNG"
        assert image.size == (200, 150)


MAPPINGS = """async ([cases, formats]) => {
    const s = await import('./settings.js');
    return cases.map((raw) => s.toOptions(s.normalise(raw, formats)));
}"""


def test_every_setting_maps_to_engine_options_the_engine_accepts(page: Page, base_url: str) -> None:
    """The page's settings → Options mapping (web/settings.js) produces dicts that
    Options.from_mapping accepts, one-to-one with the controls; junk falls back to defaults."""
    cases = [
        {},
        {"mode": "quality", "quality": "40", "format": "jpeg"},
        {"mode": "size", "size_kb": "150", "format": "smallest"},
        {"mode": "visual", "visual": "0.9", "max_width": "1024", "max_height": "768"},
        {"metadata": "keep", "profile": "srgb", "colors": "16", "format": "png"},
        {"format": "bmp", "quality": "500", "colors": "1", "max_width": "-3", "visual": "2"},
    ]
    formats = [choice["value"] for choice in door.formats()["choices"]]
    page.goto(base_url)
    mapped = page.evaluate(MAPPINGS, [cases, formats])
    options = [Options.from_mapping(m) for m in mapped]
    default, quality, size, visual, keep, junk = options
    assert default == Options()
    assert (quality.format, quality.quality) == ("jpeg", 40)
    assert (size.format, size.target_size, size.quality) == ("smallest", 150 * 1024, None)
    assert (visual.visual_target, visual.max_width, visual.max_height) == (0.9, 1024, 768)
    assert (keep.keep, keep.to_srgb, keep.colors, keep.format) == (
        ("datetime", "copyright"),
        True,
        16,
        "png",
    )
    assert junk == Options()


def test_default_visual_target_survives_the_slider(page: Page, base_url: str) -> None:
    """The slider holds the engine's default target exactly (a coarser step would snap it to
    another target, which the page would then ask for) and shows it."""
    page.goto(base_url)
    assert page.eval_on_selector("#s-visual", "e => e.value") == str(DEFAULT_VISUAL_TARGET)
    expect(page.locator("#s-visual-out")).to_have_text(str(DEFAULT_VISUAL_TARGET))
