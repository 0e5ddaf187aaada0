"""Big-batch parts of the page: throughput and time left while a batch runs, and "Download all"
as ZIPs composed in the page, whole or in parts."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .conftest import READY_TIMEOUT_MS, wait_settled
from .images import photo_like, save

pytestmark = pytest.mark.e2e

RATE = re.compile(
    r"^(?P<rate>\d+(?:\.\d)?) images/(?P<unit>s|min) · "
    r"(?:about (?:(?P<h>\d+) h )?(?P<n>\d+) (?P<eta_unit>s|min) left|almost done)$"
)


def _row_downloads(page: Page) -> list[tuple[str, str]]:
    """Each done row's own download (its link, as a person clicks it): name and SHA-256, in
    row order. The page's CSP lets nothing fetch its blob: URLs, so this is the way in."""
    out = []
    links = page.locator("[data-file-row][data-state=done] a[download]")
    for k in range(links.count()):
        with page.expect_download() as info:
            links.nth(k).press("Enter")
        digest = hashlib.sha256(Path(info.value.path()).read_bytes()).hexdigest()
        out.append((info.value.suggested_filename, digest))
    return out


def _members(data: bytes) -> list[tuple[str, str]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        assert all(i.compress_type == zipfile.ZIP_STORED for i in archive.infolist())
        return [(n, hashlib.sha256(archive.read(n)).hexdigest()) for n in archive.namelist()]


def _mixed(tmp: Path, count: int) -> list[Path]:
    """`count` small photos, two of them with the same name from different folders, and one
    file that is not an image."""
    files = [
        save(photo_like((300 + 8 * i, 220), seed=50 + i), tmp / f"p{i}.jpg", "JPEG", quality=93)
        for i in range(count - 2)
    ]
    files.append(save(photo_like((280, 200), seed=7), tmp / "again" / "p0.jpg", "JPEG", quality=93))
    broken = tmp / "broken.jpg"
    broken.write_bytes(b"not a picture at all\n" * 10)
    return [*files, broken]


def test_batch_header_shows_throughput_and_time_left_while_running(
    page: Page, base_url: str, tmp_path: Path
) -> None:
    """While files are pending the header reads "N images/s|min · about T left", with T the
    files left over that rate; the text goes away when the batch is done."""
    page.goto(base_url + "?workers=1")
    expect(page.locator("body")).to_have_attribute("data-engine", "ready", timeout=READY_TIMEOUT_MS)
    files = [
        save(photo_like((1600, 1200), seed=i), tmp_path / f"big{i}.jpg", "JPEG", quality=95)
        for i in range(8)
    ]
    added = page.evaluate("() => performance.now()")
    page.set_input_files("input[type=file][multiple]", files)
    seen = page.wait_for_function(
        """() => {
            const el = document.querySelector('#batch-rate');
            const c = window.imgcompress.counts();
            if (el.hidden || !/images/.test(el.textContent) || c.pending === 0) return null;
            return { text: el.textContent, pending: c.pending, finished: c.done + c.error,
                     now: performance.now() };
        }""",
        timeout=180_000,
    ).json_value()
    match = RATE.match(seen["text"])
    assert match, seen["text"]
    per_second = float(match["rate"]) / (60 if match["unit"] == "min" else 1)
    assert per_second > 0
    # The clock starts when the first file reaches the worker, after the files were added, so
    # the page's rate is at least the files finished over the time since they were added.
    at_least = seen["finished"] / ((seen["now"] - added) / 1000)
    assert per_second >= at_least * 0.95, (seen, at_least)  # the rate is shown rounded
    # The time left is the pending files over that rate, up to rounding: the rate to 2-3
    # figures (within 10 %), the time to the second or to the minute.
    eta = seen["pending"] / per_second
    assert match["n"], seen["text"]
    if match["eta_unit"] == "s":
        shown, step = int(match["n"]), 1
    else:
        shown, step = (int(match["h"] or 0) * 60 + int(match["n"])) * 60, 30
    assert 0.9 * eta - step <= shown <= 1.1 * eta + step, (seen, eta)
    wait_settled(page, len(files), timeout_ms=600_000)
    expect(page.locator("#batch-rate")).to_be_hidden()


def test_download_all_zip_holds_exactly_the_done_files_bytes(
    ready_page: Page, tmp_path: Path
) -> None:
    """The ZIP opens with zipfile and holds each done row's download byte for byte, under
    names made unique ("p0 (2).jpg"); the failed file is not in it."""
    page = ready_page
    files = _mixed(tmp_path, 6)
    page.set_input_files("input[type=file][multiple]", files)
    wait_settled(page, len(files))
    expect(page.locator('[data-file-row][data-state="error"]')).to_have_count(1)
    rows = _row_downloads(page)
    assert len(rows) == 5
    with page.expect_download() as info:
        page.locator("#download-all").click()
    assert info.value.suggested_filename == "imgcompress-5-files.zip"
    members = _members(Path(info.value.path()).read_bytes())
    assert [name for name, _ in rows] == ["p0.jpg", "p1.jpg", "p2.jpg", "p3.jpg", "p0.jpg"]
    expected = [("p0.jpg", rows[0][1]), *rows[1:4], ("p0 (2).jpg", rows[4][1])]
    assert members == expected
    expect(page.locator("#zip-parts")).to_be_hidden()


def test_download_all_splits_into_valid_parts_at_the_part_limit(
    ready_page: Page, tmp_path: Path
) -> None:
    """With the part size lowered (the documented test hook), "Download all" offers parts
    named ...-partK-of-N.zip, each a valid ZIP within the limit, together holding every done
    file's bytes once, in order."""
    page = ready_page
    # Few files: in our runs headless Chromium sometimes left the 11th download of one page
    # unanswered.
    files = _mixed(tmp_path, 5)
    page.set_input_files("input[type=file][multiple]", files)
    wait_settled(page, len(files))
    rows = _row_downloads(page)
    sizes = page.evaluate("() => window.imgcompress.rows().map((r) => r.size).filter(Boolean)")
    assert len(rows) == len(sizes) == 4
    # Two results and their headers (under 250 bytes for these names) fit in a part, three
    # do not: the four make two parts.
    limit = max(sizes[0] + sizes[1], sizes[2] + sizes[3]) + 400
    assert min(sizes) > 400 + 2 * (max(sizes) - min(sizes))
    page.evaluate("n => localStorage.setItem('imgcompress-test-zip-part-bytes', String(n))", limit)
    page.locator("#download-all").click()
    links = page.locator("#zip-parts a[download]")
    expect(page.locator("#zip-parts")).to_be_visible()
    count = links.count()
    assert count == 2
    members: list[tuple[str, str]] = []
    for k in range(count):
        with page.expect_download() as info:
            links.nth(k).press("Enter")
        assert info.value.suggested_filename == f"imgcompress-4-files-part{k + 1}-of-{count}.zip"
        data = Path(info.value.path()).read_bytes()
        assert len(data) <= limit
        part = _members(data)
        assert part
        members += part
    names = [name for name, _ in rows]
    names[names.index("p0.jpg", 1)] = "p0 (2).jpg"
    assert members == [(name, digest) for name, (_, digest) in zip(names, rows, strict=True)]
