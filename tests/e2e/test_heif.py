"""HEIC input in the page: the picker takes .heic/.heif, the decoder package arrives only when a
HEIC does, and a HEIC photo with GPS comes out as a JPEG without it."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat
from playwright.sync_api import Page, Request, expect

from imgcompress import codecs

from .conftest import READY_TIMEOUT_MS, wait_settled

pytestmark = pytest.mark.e2e

# A real iPhone photo (1200 px, with its own EXIF: GPS, camera, capture time).
SOURCE = "photo_gps_iphone6_1200px.jpg"
HEIF_WHEEL = "/wheels/pillow_heif-"
GPS_IFD = 0x8825


def _heic_photo(corpus: Path, target: Path) -> Path:
    """The iPhone photo as a phone would store it in HEIC, EXIF and GPS included (written
    natively by libheif's x265 encoder; the site itself has no HEVC encoder)."""
    codecs.heic.is_available()
    with Image.open(corpus / SOURCE) as photo:
        exif = photo.getexif()
        assert exif.get_ifd(GPS_IFD), "the source photo should carry GPS"
        photo.convert("RGB").save(target, "HEIF", quality=90, exif=exif.tobytes())
    return target


def test_picker_accepts_heic(page: Page, base_url: str) -> None:
    """Once ready, the file picker's accept= names HEIC's MIME type and its extensions."""
    page.goto(base_url)
    expect(page.locator("body")).to_have_attribute("data-engine", "ready", timeout=READY_TIMEOUT_MS)
    accept = page.locator("#file-input").get_attribute("accept") or ""
    assert {"image/heic", ".heic", ".heif"} <= set(accept.split(","))


def test_heic_photo_becomes_a_jpeg_without_gps(
    page: Page, base_url: str, corpus: Path, tmp_path: Path
) -> None:
    """Start-up fetches no HEIC decoder; a HEIC photo fetches it once, its row says HEIC →
    JPEG and GPS removed, and the download parses as a JPEG of the photo with no EXIF."""
    heic = _heic_photo(corpus, tmp_path / "IMG_0001.HEIC")
    fetched: list[str] = []

    def note(request: Request) -> None:
        if request.service_worker is None:  # the page and its workers, not the precache
            fetched.append(request.url)

    page.on("request", note)
    page.goto(base_url)
    expect(page.locator("body")).to_have_attribute("data-engine", "ready", timeout=READY_TIMEOUT_MS)
    assert [u for u in fetched if HEIF_WHEEL in u] == []

    page.set_input_files("input[type=file][multiple]", [heic])
    wait_settled(page, 1)
    row = page.locator(f'[data-file-row][data-name="{heic.name}"]')
    expect(row).to_have_attribute("data-state", "done")
    assert len([u for u in fetched if HEIF_WHEEL in u]) == 1
    expect(row.locator('[data-notes] [data-code="format_converted"]')).to_contain_text(
        "HEIC → JPEG"
    )
    expect(row.locator('[data-metadata] li[data-key="gps"]')).to_contain_text("GPS location")

    with page.expect_download() as info:
        row.locator("a[download]").click()
    download = info.value
    assert download.suggested_filename == "IMG_0001.jpg"
    data = Path(download.path()).read_bytes()
    markers = {marker for marker, _ in codecs.jpeg.headers(data)}
    assert 0xE1 not in markers  # no EXIF or XMP segment
    with Image.open(io.BytesIO(data)) as out:
        out.load()
        assert out.format == "JPEG"
        assert len(out.getexif()) == 0
        assert not out.getexif().get_ifd(GPS_IFD)
        with Image.open(corpus / SOURCE) as photo:
            assert out.size == photo.size
            diff = ImageChops.difference(out.convert("RGB"), photo.convert("RGB"))
            assert max(ImageStat.Stat(diff).mean) < 6
