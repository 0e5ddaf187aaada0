"""A dropped folder adds the images inside it, by the extensions the engine lists."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .conftest import wait_settled
from .images import photo_like, save

pytestmark = pytest.mark.e2e

ROWS = "() => [...document.querySelectorAll('[data-file-row]')].map((r) => r.dataset.name).sort()"


def _drop(page: Page, paths: list[Path]) -> None:
    """Drop real files and folders from disk the way a person does (Chromium's own drag and
    drop through CDP, so the page sees directory entries, which a synthetic DragEvent lacks)."""
    box = page.locator("#dropzone").bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    data = {"items": [], "files": [str(p) for p in paths], "dragOperationsMask": 1}
    cdp = page.context.new_cdp_session(page)
    for kind in ("dragEnter", "dragOver", "drop"):
        cdp.send("Input.dispatchDragEvent", {"type": kind, "x": x, "y": y, "data": data})
    cdp.detach()


def _folder(tmp: Path) -> Path:
    folder = tmp / "holiday"
    save(photo_like((200, 150), seed=1), folder / "beach.jpg", "JPEG", quality=95)
    save(photo_like((200, 150), seed=2), folder / "day 2" / "Sunset.PNG", "PNG")
    (folder / "notes.txt").write_text("not a picture\n")
    (folder / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    (folder / "day 2" / "track.gpx").write_text("<gpx/>\n")
    return folder


def test_folder_dropped_while_loading_adds_only_its_images(
    page: Page, base_url: str, tmp_path: Path
) -> None:
    """A folder dropped before the engine is ready gets rows, once it is, for its images (also
    in subfolders, any letter case) and none for its other files; they all finish."""
    folder = _folder(tmp_path)
    page.goto(base_url)
    _drop(page, [folder])
    assert page.evaluate("document.body.dataset.engine") == "loading"
    wait_settled(page, 2)
    assert page.evaluate(ROWS) == ["Sunset.PNG", "beach.jpg"]
    expect(page.locator('[data-file-row][data-state="done"]')).to_have_count(2)


def test_a_file_dropped_beside_a_folder_is_added_whatever_it_is(
    page: Page, base_url: str, tmp_path: Path
) -> None:
    """A loose file is not filtered (the engine says why it cannot read it); only a folder's
    contents are."""
    folder = _folder(tmp_path)
    loose = tmp_path / "list.txt"
    loose.write_text("shopping list\n")
    page.goto(base_url)
    _drop(page, [folder, loose])
    wait_settled(page, 3)
    assert page.evaluate(ROWS) == ["Sunset.PNG", "beach.jpg", "list.txt"]
    expect(page.locator('[data-file-row][data-name="list.txt"] [data-error]')).to_have_attribute(
        "data-error", "unsupported_format"
    )
