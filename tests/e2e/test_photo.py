"""A real GPS photo goes through the page and comes back clean, smaller and upright."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageOps, ImageStat
from playwright.sync_api import Page, expect

from .conftest import wait_settled

pytestmark = pytest.mark.e2e

GPS_PHOTO = "photo_gps_iphone6_hdr_no_8mp.jpg"
ROTATED = "exif_orientation6_landscape.jpg"


def _download(page: Page, row_name: str) -> tuple[str, bytes]:
    row = page.locator(f'[data-file-row][data-name="{row_name}"]')
    with page.expect_download() as info:
        row.locator("a[download]").click()
    download = info.value
    return download.suggested_filename, Path(download.path()).read_bytes()


def _difference(a: Image.Image, b: Image.Image) -> float:
    a = a.convert("RGB").resize((96, 72))
    b = b.convert("RGB").resize((96, 72))
    return sum(ImageStat.Stat(ImageChops.difference(a, b)).mean) / 3


def test_gps_photo_is_downloaded_smaller_without_metadata_and_upright(
    ready_page: Page, corpus: Path
) -> None:
    """GPS photo → done → download decodes natively: valid, smaller, no EXIF/GPS, upright."""
    page = ready_page
    page.set_input_files("input[type=file][multiple]", [corpus / GPS_PHOTO, corpus / ROTATED])
    wait_settled(page, 2)

    gps_row = page.locator(f'[data-file-row][data-name="{GPS_PHOTO}"]')
    expect(gps_row).to_have_attribute("data-state", "done")
    metadata = gps_row.locator("[data-metadata]")
    expect(metadata).to_contain_text("GPS location 40.4470° N, 3.7248° W removed")
    expect(metadata).to_contain_text("Camera (Apple iPhone 6) removed")
    expect(metadata).to_contain_text("Capture time")
    for thumb in ("[data-thumb-before]", "[data-thumb-after]"):  # small canvases, drawn lazily
        expect(gps_row.locator(thumb)).to_be_visible()
        assert gps_row.locator(thumb).evaluate("c => [c.width, c.height]") == [171, 128]

    original = (corpus / GPS_PHOTO).read_bytes()
    name, data = _download(page, GPS_PHOTO)
    assert name == GPS_PHOTO
    assert len(data) < len(original) * 0.5
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        assert image.format == "JPEG"
        assert image.size == (3264, 2448)
        exif = image.getexif()
        assert len(exif) == 0, dict(exif)
        assert not exif.get_ifd(0x8825)  # GPS IFD
        assert "exif" not in image.info
        assert _difference(image, Image.open(corpus / GPS_PHOTO)) < 6

    # Orientation 6: the pixels come back rotated so the file is upright without any tag.
    name, data = _download(page, ROTATED)
    with Image.open(corpus / ROTATED) as source:
        upright = ImageOps.exif_transpose(source)
        assert source.size == (450, 600)
        assert upright.size == (600, 450)
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        assert image.size == upright.size
        assert image.getexif().get(0x0112) in (None, 1)
        assert _difference(image, upright) < 6
        assert _difference(image, upright.rotate(180)) > 2 * _difference(image, upright)


def test_engine_notes_are_visible_in_the_row(ready_page: Page, corpus: Path) -> None:
    """A photo kept as PNG says in its row that JPEG or WebP would be smaller, in text on the
    page (not only in a tooltip)."""
    page = ready_page
    page.set_input_files("input[type=file][multiple]", [corpus / "kodim23.png"])
    wait_settled(page, 1)
    notes = page.locator('[data-file-row][data-name="kodim23.png"] [data-notes]')
    expect(notes).to_be_visible()
    expect(notes).to_contain_text("kept as PNG")
    expect(notes).to_contain_text("WebP")
