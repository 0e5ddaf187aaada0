"""Benchmark of a big batch through the real page in Chromium, default settings: N copies
(default 500) of the corpus's 8-9 MP camera photos. Prints wall time and images/s, the time to
the first done row, each worker's WebAssembly heap (after its first file, and at its peak: it
must stay flat over the batch), the page's JavaScript heap, and the time and size of "Download
all". Prints figures; it is not a test.

    .venv/bin/python bench/batch_bench.py [--count 500] [--workers auto]

Needs a built site (``make site``) and the shared corpus next to the repository. The copies go
to a temporary folder; Chromium runs with a profile of its own in another, so that Blob storage
can spill to disk as it does for a person.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

from page_bench import CHROMIUM, CHROMIUM_ARGS, CORPUS, SITE, ready_ms, serve
from playwright.sync_api import Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

PHOTOS = ["photo_gps_iphone6_hdr_no_8mp.jpg", "photo_gps_nokia8.3_9mp.jpg"]
# How often the benchmark prints a progress line (the log of a 30-min
# run should show it moving).
POLL_S = 15
BATCH_TIMEOUT_S = 3 * 3600
MB = 1e6
MIB = 2**20

# Records, in the page, when the first row becomes done (the rows' data-state attribute).
WATCH_FIRST_DONE = """() => {
    window.__firstDone = null;
    const observer = new MutationObserver(() => {
        if (document.querySelector('[data-file-row][data-state=done]')) {
            window.__firstDone = performance.now();
            observer.disconnect();
        }
    });
    observer.observe(document.querySelector('#files'),
                     { subtree: true, attributes: true, attributeFilter: ['data-state'] });
    return performance.now();
}"""

SETTLED = """n => { const c = window.imgcompress.counts();
                       return c.total === n && c.pending === 0; }"""
JS_HEAP = "() => performance.memory ? performance.memory.usedJSHeapSize : null"


def make_copies(folder: Path, count: int, photos: list[str]) -> list[Path]:
    """`count` files, the photos in turn, each under a name of its own."""
    files = []
    for i in range(count):
        source = CORPUS / photos[i % len(photos)]
        files.append(Path(shutil.copyfile(source, folder / f"batch_{i:04d}{source.suffix}")))
    return files


def run(page: Page, files: list[Path]) -> dict[str, Any]:
    """Add the files at once and wait, printing progress, until no row is pending."""
    added = page.evaluate(WATCH_FIRST_DONE)
    started = time.perf_counter()
    page.set_input_files("input[type=file][multiple]", [str(f) for f in files])
    print(f"  files added in {time.perf_counter() - started:.1f} s", flush=True)
    while True:
        try:
            page.wait_for_function(SETTLED, arg=len(files), timeout=POLL_S * 1000, polling=200)
            break
        except PlaywrightTimeoutError:
            pass
        if time.perf_counter() - started > BATCH_TIMEOUT_S:
            raise SystemExit(f"the batch did not finish in {BATCH_TIMEOUT_S} s")
        c = page.evaluate("() => window.imgcompress.counts()")
        # An older build (--site) has no rate in its header.
        rate = page.evaluate("() => document.querySelector('#batch-rate')?.textContent ?? ''")
        print(
            f"  {time.perf_counter() - started:7.0f} s: {c['done']} done, {c['error']} failed, "
            f"{c['pending']} pending · {rate}",
            flush=True,
        )
    wall = time.perf_counter() - started
    first = page.evaluate("() => window.__firstDone")
    return {
        "wall": wall,
        "first_done_s": (first - added) / 1000 if first else None,
        "rows": page.evaluate("() => window.imgcompress.rows()"),
    }


def download_all(page: Page, folder: Path) -> tuple[float, list[Path]]:
    """Click "Download all" and save every part; seconds from the click to the last byte."""
    started = time.perf_counter()
    saved: list[Path] = []
    with page.expect_download(timeout=30 * 60_000) as info:
        page.locator("#download-all").click()
        if page.locator("#zip-parts a").count() > 1:
            # Several parts: the first is clicked here, the others below.
            page.locator("#zip-parts a").first.click()
    downloads = [info.value]
    for k in range(1, page.locator("#zip-parts a").count()):
        with page.expect_download(timeout=30 * 60_000) as more:
            page.locator("#zip-parts a").nth(k).click()
        downloads.append(more.value)
    for download in downloads:
        target = folder / download.suggested_filename
        download.save_as(target)
        saved.append(target)
    return time.perf_counter() - started, saved


def heap_table(rows: list[dict[str, Any]]) -> list[str]:
    """Per worker: files, heap after its first file, after its tenth, at its peak. The heap
    never shrinks, so sorting a worker's values gives them in the order its files finished."""
    by_worker: dict[str, list[int]] = {}
    for row in rows:
        if row.get("heap") is not None:
            by_worker.setdefault(row["worker"], []).append(row["heap"])
    lines = []
    for worker, heaps in sorted(by_worker.items()):
        heaps.sort()
        tenth = heaps[min(9, len(heaps) - 1)]
        lines.append(
            f"  {worker:16} {len(heaps):5} files   after 1st {heaps[0] / MIB:6.0f} MiB   "
            f"after 10th {tenth / MIB:6.0f} MiB   peak (end) {heaps[-1] / MIB:6.0f} MiB"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=500, help="photos in the batch")
    parser.add_argument("--photos", nargs="*", default=PHOTOS, help="corpus photos to copy")
    parser.add_argument("--workers", default="auto", help="the page's workers setting")
    parser.add_argument("--site", type=Path, default=SITE, help="the built site to serve")
    args = parser.parse_args()
    if not (args.site / "manifest.json").exists():
        raise SystemExit(f"{args.site} is not built: run `make site` first")

    with tempfile.TemporaryDirectory(prefix="imgcompress-batch-") as tmp:
        folder = Path(tmp)
        (folder / "in").mkdir()
        (folder / "out").mkdir()
        files = make_copies(folder / "in", args.count, args.photos)
        total_in = sum(f.stat().st_size for f in files)
        load = os.getloadavg()
        print(
            f"imgcompress batch benchmark · {os.cpu_count()} CPUs · load {load[0]:.1f} "
            f"{load[1]:.1f} {load[2]:.1f} · Chromium {CHROMIUM}"
        )
        print(f"batch: {len(files)} copies of {', '.join(args.photos)} ({total_in / MB:.0f} MB)\n")
        query = "" if args.workers == "auto" else f"?workers={args.workers}"
        with serve(args.site) as url, sync_playwright() as pw:
            context = pw.chromium.launch_persistent_context(
                str(folder / "profile"),
                executable_path=CHROMIUM,
                args=CHROMIUM_ARGS,
                accept_downloads=True,
            )
            page = context.new_page()
            page.goto(url + query)
            ready = ready_ms(page)
            workers = page.evaluate("() => window.imgcompress.workers()")
            js_start = page.evaluate(JS_HEAP)
            print(f"engine ready {ready / 1000:.1f} s after navigation; pool: {workers}")
            batch = run(page, files)
            page.wait_for_timeout(1000)
            js_end = page.evaluate(JS_HEAP)
            zip_s, parts = download_all(page, folder / "out")
            workers = page.evaluate("() => window.imgcompress.workers()")
            context.close()

        rows = batch["rows"]
        bad = [r for r in rows if r["state"] != "done"]
        wall = batch["wall"]
        total_out = sum(r["size"] for r in rows if r["size"] is not None)
        print(f"\nbatch of {len(rows)} photos ({total_in / MB:.0f} MB), pool of {workers['size']}")
        print(f"  wall time          : {wall:7.1f} s   {len(rows) / wall:.2f} images/s")
        first = batch["first_done_s"]
        if first is not None:
            print(f"  first done row     : {first:7.1f} s after adding the files")
        print(
            f"  per image in worker: median {statistics.median(r['ms'] for r in rows) / 1000:.2f} s"
        )
        print(f"  failed             : {len(bad)}")
        print(f"  output             : {total_out / MB:.0f} MB")
        print("WebAssembly heap per worker (memory.buffer.byteLength)")
        for line in heap_table(rows):
            print(line)
        if js_start is not None:
            print(
                f"page JS heap (performance.memory) : {js_start / MIB:.0f} MiB before, "
                f"{js_end / MIB:.0f} MiB after the batch"
            )
        zip_bytes = sum(p.stat().st_size for p in parts)
        print(
            f'"Download all"     : {zip_s:7.1f} s from the click to the last byte saved, '
            f"{len(parts)} part(s), {zip_bytes / MB:.0f} MB"
        )
        checked = time.perf_counter()
        entries = 0
        for part in parts:
            with zipfile.ZipFile(part) as archive:
                if archive.testzip() is not None:
                    raise SystemExit(f"{part.name}: a CRC does not match")
                entries += len(archive.namelist())
        print(
            f"  zipfile.testzip   : {entries} entries, every CRC good "
            f"({time.perf_counter() - checked:.1f} s)"
        )
        if entries != len(rows) - len(bad):
            raise SystemExit(f"the ZIP holds {entries} files, {len(rows) - len(bad)} were done")


if __name__ == "__main__":
    main()
