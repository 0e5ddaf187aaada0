"""The engine's notes appear in a row by their code, without repeating the metadata list."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from imgcompress import door

from .conftest import READY_TIMEOUT_MS, wait_settled
from .images import photo_like

pytestmark = pytest.mark.e2e


def _photo_with_gps(path: Path) -> Path:
    exif = Image.Exif()
    exif[0x010F] = "Canon"
    exif[0x0110] = "Canon EOS 5D"
    exif[0x8825] = {1: "N", 2: (40.0, 25.0, 0.0), 3: "W", 4: (3.0, 42.0, 0.0)}
    buffer = io.BytesIO()
    photo_like((640, 480), seed=4).save(buffer, "JPEG", quality=95, exif=exif.tobytes())
    path.write_bytes(buffer.getvalue())
    return path


def test_notes_show_by_code_and_leave_removed_metadata_to_the_list(
    page: Page, base_url: str, tmp_path: Path
) -> None:
    """A resized photo with GPS: the notes show the engine's `resized` text, no
    `metadata_removed` note, and the metadata list names the GPS removal."""
    photo = _photo_with_gps(tmp_path / "gps.jpg")
    native = door.compress_file(photo.read_bytes(), {"max_width": 200}, photo.name)
    notes = {note["code"]: note["text"] for note in native["result"]["report"]["notes"]}
    assert {"resized", "metadata_removed"} <= set(notes)

    page.goto(base_url + "?max_width=200")
    expect(page.locator("body")).to_have_attribute("data-engine", "ready", timeout=READY_TIMEOUT_MS)
    page.set_input_files("input[type=file][multiple]", [photo])
    wait_settled(page, 1)
    row = page.locator('[data-file-row][data-name="gps.jpg"]')
    expect(row).to_have_attribute("data-state", "done")
    shown = row.locator("[data-notes] [data-code]")
    assert shown.evaluate_all("spans => spans.map((s) => s.dataset.code)") == ["resized"]
    expect(shown).to_have_text(notes["resized"])
    expect(row.locator('[data-metadata] li[data-key="gps"]')).to_contain_text("GPS location")
