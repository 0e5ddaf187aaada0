"""A mixed batch: broken files fail alone with their own message, the ZIP holds the rest."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from imgcompress import door

from .conftest import wait_settled
from .images import photo_like, save

pytestmark = pytest.mark.e2e

BROKEN_FROM_CORPUS = ["corrupt_truncated.jpg", "bomb_20000x20000_gray1bit.png"]


def _batch(tmp: Path, corpus: Path) -> tuple[list[Path], dict[str, str]]:
    """20 files: 4 broken (truncated, bomb, not an image, empty), 16 good, one name clash."""
    files: list[Path] = []
    for name in BROKEN_FROM_CORPUS:
        files.append(Path(shutil.copy(corpus / name, tmp / name)))
    (tmp / "notes.jpg").write_bytes(b"These are my holiday notes, not a picture.\n" * 20)
    (tmp / "empty.png").write_bytes(b"")
    files += [tmp / "notes.jpg", tmp / "empty.png"]
    broken = {f.name: door.compress_file(f.read_bytes(), {}, f.name)["error"] for f in files}
    assert [e["code"] for e in broken.values()] == [
        "corrupt_image",
        "image_too_large",
        "unsupported_format",
        "empty_input",
    ]

    for name in ("alpha_transparent_rgba.png", "screenshot_cfm_terminal.png"):
        files.append(Path(shutil.copy(corpus / name, tmp / name)))
    kinds = [
        ("JPEG", ".jpg", {"quality": 95}),
        ("PNG", ".png", {}),
        ("WEBP", ".webp", {"quality": 95}),
    ]
    for i in range(13):
        fmt, ext, params = kinds[i % 3]
        size = (320 + 16 * i, 240 + 8 * i)
        files.append(save(photo_like(size, seed=i), tmp / f"img{i:02d}{ext}", fmt, **params))
    # Same name as img00.jpg, from another folder: the ZIP must keep both.
    files.append(
        save(photo_like((300, 200), seed=99), tmp / "other" / "img00.jpg", "JPEG", quality=95)
    )
    assert len(files) == 20
    return files, {name: error["message"] for name, error in broken.items()}


def test_mixed_batch_fails_broken_files_alone_and_zips_the_rest(
    ready_page: Page, corpus: Path, tmp_path: Path
) -> None:
    """Broken rows are `error` with the engine's specific message; all others `done`; the
    ZIP holds exactly the done files under their (uniquified) names."""
    page = ready_page
    files, messages = _batch(tmp_path, corpus)
    page.set_input_files("input[type=file][multiple]", files)
    wait_settled(page, 20)

    rows = page.locator("[data-file-row]")
    expect(rows).to_have_count(20)
    for name, message in messages.items():
        row = page.locator(f'[data-file-row][data-name="{name}"]')
        expect(row).to_have_attribute("data-state", "error")
        error = row.locator("[data-error]")
        expect(error).to_be_visible()
        assert message.lower() in error.inner_text().lower()
        expect(row.locator("a[download]")).to_have_count(0)

    done = page.locator('[data-file-row][data-state="done"]')
    expect(done).to_have_count(16)
    expect(page.locator('[data-file-row][data-state="error"]')).to_have_count(4)
    names = done.locator("a[download]").evaluate_all("links => links.map(a => a.download)")
    assert len(names) == 16
    assert names.count("img00.jpg") == 2
    expect(page.locator("#totals")).to_contain_text("16 of 20 done")
    expect(page.locator("#totals")).to_contain_text("4 failed")

    with page.expect_download() as info:
        page.locator("#download-all").click()
    archive = zipfile.ZipFile(io.BytesIO(Path(info.value.path()).read_bytes()))
    assert archive.testzip() is None
    inside = archive.namelist()
    expected = [n for n in names if n != "img00.jpg"] + ["img00.jpg", "img00 (2).jpg"]
    assert sorted(inside) == sorted(expected)
    assert not set(inside) & set(messages)
    for member in inside:
        with Image.open(io.BytesIO(archive.read(member))) as image:
            image.load()
