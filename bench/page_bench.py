"""Benchmark of the page in Chromium: how long until the engine is ready, how fast one image
compresses in the browser against the same engine natively and against Squoosh's MozJPEG
(@jsquash/jpeg, quality 75) in the same Chromium, and batch throughput with one worker and
with the pool.  Prints figures; it is not a test.

    .venv/bin/python bench/page_bench.py [--rounds 3] [--files kodim01.png ...]

Needs a built site (``make site``), the npm codecs (``make deps``) and the shared corpus next
to the repository.  The Squoosh page (bench/squoosh_page.html) is served from the clone by a
server of its own, on another origin than the site: the codec is never part of the site.
"""

from __future__ import annotations

import argparse
import functools
import os
import statistics
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, sync_playwright

from imgcompress import door

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "toolchain"))
import pins  # noqa: E402  (pins.toml's reader lives with the toolchain)

SITE = ROOT / "dist" / "site"
CORPUS = ROOT / ".." / "shared" / "corpus"
CHROMIUM = str(pins.load().chromium)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PHOTOS = [
    "kodim01.png",
    "kodim03.png",
    "kodim04.png",
    "kodim07.png",
    "kodim13.png",
    "kodim15.png",
    "kodim20.png",
    "kodim23.png",
    "exif_orientation6_landscape.jpg",
    "photo_gps_iphone6_hdr_no_8mp.jpg",
    "photo_gps_nokia8.3_9mp.jpg",
]
# What the page sends with its default settings (web/settings.js toOptions).
PAGE_DEFAULT_OPTIONS: dict[str, Any] = {
    "format": "keep",
    "keep": [],
    "to_srgb": False,
    "colors": "auto",
}
READY_MS = 180_000


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class _BenchFiles(_Quiet):
    """The clone (for bench/ and node_modules/), plus the corpus under /corpus/."""

    def translate_path(self, path: str) -> str:
        parts = urllib.parse.urlsplit(path).path.split("/")
        if len(parts) == 3 and parts[1] == "corpus":
            return str(CORPUS / urllib.parse.unquote(parts[2]))
        return super().translate_path(path)


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a browser dropping a connection mid-response is not news


@contextmanager
def serve(site: Path, handler: type[SimpleHTTPRequestHandler] = _Quiet) -> Iterator[str]:
    """Serve the built site the way any static host would."""
    httpd = _Server(("127.0.0.1", 0), functools.partial(handler, directory=str(site)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


def ready_ms(page: Page) -> float:
    """Milliseconds from navigation start to body[data-engine=ready] (a performance mark)."""
    page.wait_for_function("() => document.body.dataset.engine === 'ready'", timeout=READY_MS)
    return float(
        page.evaluate("performance.getEntriesByName('imgcompress:engine-ready')[0].startTime")
    )


def all_workers_ready(page: Page) -> None:
    page.wait_for_function(
        "() => { const w = window.imgcompress.workers(); return w.ready === w.size; }",
        timeout=READY_MS,
    )


def run_batch(page: Page, files: list[Path]) -> tuple[float, list[dict[str, Any]]]:
    """Add the files at once; return wall seconds until every row settled, and the rows."""
    started = time.perf_counter()
    page.set_input_files("input[type=file][multiple]", [str(f) for f in files])
    page.wait_for_function(
        """n => { const c = window.imgcompress.counts();
                  return c.total === n && c.pending === 0; }""",
        arg=len(files),
        timeout=30 * 60_000,
    )
    wall = time.perf_counter() - started
    rows = page.evaluate("() => window.imgcompress.rows()")
    bad = [r for r in rows if r["state"] != "done"]
    if bad:
        raise SystemExit(f"files failed in the browser: {bad}")
    return wall, rows


def native_times(files: list[Path]) -> dict[str, float]:
    out = {}
    for f in files:
        data = f.read_bytes()
        started = time.perf_counter()
        answer = door.compress_file(data, PAGE_DEFAULT_OPTIONS, f.name)
        out[f.name] = (time.perf_counter() - started) * 1000
        if not answer["ok"]:
            raise SystemExit(f"{f.name} failed natively: {answer['error']}")
    return out


def squoosh_times(browser: Browser, url: str, files: list[Path]) -> dict[str, dict[str, Any]]:
    """Squoosh's MozJPEG q75 on each photo in the page: browser decode, then one timed encode.

    One untimed round on the first photo first, so compiling the codec is not counted.
    """
    context = browser.new_context()
    page = context.new_page()
    page.goto(url + "bench/squoosh_page.html")
    page.wait_for_function("() => document.body.dataset.ready === 'true'", timeout=READY_MS)
    out = {}
    page.evaluate("u => window.squooshJpeg(u)", "/corpus/" + urllib.parse.quote(files[0].name))
    for f in files:
        out[f.name] = page.evaluate(
            "u => window.squooshJpeg(u)", "/corpus/" + urllib.parse.quote(f.name)
        )
    context.close()
    return out


def startup(browser: Browser, url: str, rounds: int) -> tuple[list[float], list[float], float]:
    cold, warm = [], []
    pool_ready = 0.0
    for _ in range(rounds):
        context = browser.new_context()  # a fresh profile: empty HTTP and code caches
        page = context.new_page()
        page.goto(url)
        cold.append(ready_ms(page))
        all_workers_ready(page)
        pool_ready = page.evaluate("() => performance.now()")
        for _ in range(2):
            page.reload()
            warm.append(ready_ms(page))
            all_workers_ready(page)
        context.close()
    return cold, warm, pool_ready


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="cold starts to measure")
    parser.add_argument("--files", nargs="*", default=PHOTOS, help="corpus files to compress")
    args = parser.parse_args()
    if not (SITE / "manifest.json").exists():
        raise SystemExit("dist/site is not built: run `make site` first")
    files = [CORPUS / name for name in args.files]
    total_mb = sum(f.stat().st_size for f in files) / 1e6

    print(f"imgcompress page benchmark · {os.cpu_count()} CPUs · Chromium {CHROMIUM}")
    print(f"corpus: {len(files)} files, {total_mb:.1f} MB\n")

    native = native_times(files)
    with (
        serve(SITE) as url,
        serve(ROOT, _BenchFiles) as bench_url,
        sync_playwright() as pw,
    ):
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        version = browser.version
        cold, warm, pool_ready = startup(browser, url, args.rounds)
        print(f"Chromium {version}")
        print("navigation → engine ready (first worker accepts work)")
        print(
            f"  cold cache : median {statistics.median(cold):7.0f} ms   (runs: "
            f"{', '.join(f'{v:.0f}' for v in cold)})"
        )
        print(
            f"  warm cache : median {statistics.median(warm):7.0f} ms   (runs: "
            f"{', '.join(f'{v:.0f}' for v in warm)})"
        )
        print(f"  whole pool ready (cold, last run): {pool_ready:.0f} ms\n")

        context = browser.new_context()
        page = context.new_page()
        page.goto(url + "?workers=1")
        ready_ms(page)
        wall_one, rows = run_batch(page, files)
        print("per image, 1 worker (browser time inside the worker vs native CPython, same engine)")
        print(f"  {'file':36} {'in':>9} {'out':>9} {'browser':>9} {'native':>9} {'ratio':>6}")
        ratios = []
        for row in rows:
            nat = native[row["name"]]
            ratio = row["ms"] / nat
            ratios.append(ratio)
            print(
                f"  {row['name']:36} {row['original'] / 1e3:8.0f}K {row['size'] / 1e3:8.0f}K "
                f"{row['ms']:8.0f}ms {nat:8.0f}ms {ratio:5.2f}×"
            )
        browser_sum = sum(r["ms"] for r in rows)
        native_sum = sum(native.values())
        print(
            f"  {'total':36} {'':9} {'':9} {browser_sum:8.0f}ms {native_sum:8.0f}ms "
            f"{browser_sum / native_sum:5.2f}×   (median ratio {statistics.median(ratios):.2f}×)\n"
        )
        context.close()

        squoosh = squoosh_times(browser, bench_url, files)
        print(
            "per image, our engine in 1 worker (page defaults, format kept: decode, search, "
            "encodes) vs "
            "Squoosh MozJPEG q75\n(@jsquash/jpeg in the same Chromium, page main thread: "
            "browser decode + one encode); shared 2-core machine, other builds running"
        )
        print(
            f"  {'file':36} {'ours':>9} {'sq dec':>8} {'sq enc':>8} {'×enc':>6} {'×dec+enc':>8} "
            f"{'ours KB':>8} {'sq KB':>7}"
        )
        by_name = {row["name"]: row for row in rows}
        vs_encode, vs_both = [], []
        for f in files:
            row, sq = by_name[f.name], squoosh[f.name]
            both = sq["decodeMs"] + sq["encodeMs"]
            vs_encode.append(row["ms"] / sq["encodeMs"])
            vs_both.append(row["ms"] / both)
            print(
                f"  {f.name:36} {row['ms']:7.0f}ms {sq['decodeMs']:6.0f}ms {sq['encodeMs']:6.0f}ms "
                f"{vs_encode[-1]:5.2f}× {vs_both[-1]:7.2f}× {row['size'] / 1e3:8.1f} "
                f"{sq['bytes'] / 1e3:7.1f}"
            )
        print(
            f"  median ours/theirs: {statistics.median(vs_encode):.2f}× the encode alone, "
            f"{statistics.median(vs_both):.2f}× decode + encode\n"
        )

        context = browser.new_context()
        page = context.new_page()
        page.goto(url)  # default pool size
        ready_ms(page)
        all_workers_ready(page)
        size = page.evaluate("() => window.imgcompress.workers().size")
        wall_pool, _ = run_batch(page, files)
        context.close()
        browser.close()

    print("throughput over the batch (wall time from adding the files to the last row done)")
    print(
        f"  1 worker   : {wall_one:6.1f} s   {len(files) / wall_one:5.2f} images/s   "
        f"{total_mb / wall_one:5.2f} MB/s"
    )
    print(
        f"  pool of {size} : {wall_pool:6.1f} s   {len(files) / wall_pool:5.2f} images/s   "
        f"{total_mb / wall_pool:5.2f} MB/s   (speed-up {wall_one / wall_pool:.2f}×)"
    )
    print(f"  native, 1 process (sequential): {native_sum / 1000:6.1f} s")


if __name__ == "__main__":
    main()
