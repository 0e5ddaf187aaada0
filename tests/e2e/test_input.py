"""Files arrive by drop anywhere on the page and by paste, not only through the picker."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .conftest import wait_settled
from .images import photo_like, save

pytestmark = pytest.mark.e2e

DISPATCH = """([kind, files]) => {
    const dt = new DataTransfer();
    for (const [name, b64, type] of files) {
        const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        dt.items.add(new File([bytes], name, { type }));
    }
    const target = document.querySelector('footer');
    const init = { bubbles: true, cancelable: true };
    if (kind === 'drop') {
        target.dispatchEvent(new DragEvent('dragenter', { dataTransfer: dt, bubbles: true }));
        const over = new DragEvent('dragover', { dataTransfer: dt, ...init });
        target.dispatchEvent(over);
        const drop = new DragEvent('drop', { dataTransfer: dt, ...init });
        target.dispatchEvent(drop);
        return [over.defaultPrevented, drop.defaultPrevented, document.body.dataset.engine];
    }
    const paste = new ClipboardEvent('paste', { clipboardData: dt, ...init });
    document.body.dispatchEvent(paste);
    return [paste.defaultPrevented];
}"""


def _payload(path: Path, mime: str) -> list[str]:
    return [path.name, base64.b64encode(path.read_bytes()).decode(), mime]


def test_drop_anywhere_and_paste_add_files(page: Page, base_url: str, tmp_path: Path) -> None:
    """A drop on any part of the page (here the footer), made while the engine is still
    loading, and a paste each add rows that finish once the engine is ready."""
    one = save(photo_like((200, 150), seed=1), tmp_path / "dropped.jpg", "JPEG", quality=95)
    two = save(photo_like((200, 150), seed=2), tmp_path / "pasted.png", "PNG")
    page.goto(base_url)
    handled = page.evaluate(DISPATCH, ["drop", [_payload(one, "image/jpeg")]])
    assert handled[:2] == [True, True], "the page did not take the drop (the browser would open it)"
    assert handled[2] == "loading", "the drop should happen before the engine is ready"
    expect(page.locator('[data-file-row][data-name="dropped.jpg"]')).to_have_attribute(
        "data-state", "queued"
    )
    expect(page.locator("body")).not_to_have_class("dragging")
    handled = page.evaluate(DISPATCH, ["paste", [_payload(two, "image/png")]])
    assert handled == [True]
    wait_settled(page, 2)
    for name in ("dropped.jpg", "pasted.png"):
        expect(page.locator(f'[data-file-row][data-name="{name}"]')).to_have_attribute(
            "data-state", "done"
        )
