"""Benchmark of the warm-up in Chromium, one worker: a fresh worker's first photo without the
warm-up, after it, and dropped the moment the engine is ready (mid-warm-up), each against the
same worker's second compression of that photo, and Squoosh's MozJPEG in the same run.  Prints
figures; it is not a test.

    .venv/bin/python bench/warmup_bench.py [--rounds 3] [--file photo_gps_nokia8.3_9mp.jpg]

Needs what bench/page_bench.py needs (a built site, the npm codecs, the corpus).  "first" and
"warm" are the worker's own time for the job (row ms); "wall" is from choosing the file to its
row being done, so for the mid-warm-up case wall - first is the wait behind the warm-up step.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
import page_bench  # its server, Chromium and Squoosh helpers

# app.js's test hook: "off" turns the warm-up off.
WARM_UP_OFF = "localStorage.setItem('imgcompress-test-warm-up', 'off')"
MODES = ("off", "after warm-up", "at ready")


def add_file(page: Page, path: Path, count: int) -> tuple[float, dict[str, Any]]:
    """Choose one file; wall ms until it is the `count`-th settled row, and that row."""
    started = time.perf_counter()
    page.set_input_files("input[type=file][multiple]", [str(path)])
    page.wait_for_function(
        "n => { const c = window.imgcompress.counts(); return c.total === n && c.pending === 0; }",
        arg=count,
        timeout=10 * 60_000,
    )
    wall = (time.perf_counter() - started) * 1000
    row = page.evaluate("() => window.imgcompress.rows()")[count - 1]
    if row["state"] != "done":
        raise SystemExit(f"{path.name} failed in the browser: {row}")
    return wall, row


def one_round(browser: Browser, url: str, photo: Path, mode: str) -> dict[str, float]:
    context = browser.new_context()
    if mode == "off":
        context.add_init_script(WARM_UP_OFF)
    page = context.new_page()
    page.goto(url + "?workers=1")
    page_bench.ready_ms(page)
    out: dict[str, float] = {}
    if mode == "after warm-up":
        page.wait_for_function("() => window.imgcompress.warmUps().length > 0", timeout=60_000)
        warm_up = page.evaluate("() => window.imgcompress.warmUps()[0]")
        if not warm_up["complete"]:
            raise SystemExit(f"the warm-up did not complete: {warm_up}")
        out["warm-up"] = warm_up["ms"]
    out["wall"], first = add_file(page, photo, 1)
    out["first"] = first["ms"]
    _, second = add_file(page, photo, 2)
    out["warm"] = second["ms"]
    if mode == "at ready":
        warm_ups = page.evaluate("() => window.imgcompress.warmUps()")
        out["steps done"] = warm_ups[0]["done"] if warm_ups else float("nan")
    if mode != "off" and page.evaluate("() => window.imgcompress.counts().total") != 2:
        raise SystemExit("the warm-up showed up as a file")
    context.close()
    return out


def median(values: list[float]) -> str:
    return f"{statistics.median(values):6.0f}  ({', '.join(f'{v:.0f}' for v in values)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="fresh pages per mode")
    parser.add_argument("--file", default="photo_gps_nokia8.3_9mp.jpg", help="corpus photo")
    args = parser.parse_args()
    if not (page_bench.SITE / "manifest.json").exists():
        raise SystemExit("dist/site is not built: run `make site` first")
    photo = page_bench.CORPUS / args.file
    print(f"warm-up benchmark · {os.cpu_count()} CPUs · Chromium · 1 worker · {photo.name}")
    results: dict[str, list[dict[str, float]]] = {mode: [] for mode in MODES}
    with (
        page_bench.serve(page_bench.SITE) as url,
        page_bench.serve(page_bench.ROOT, page_bench._BenchFiles) as bench_url,
        sync_playwright() as pw,
    ):
        browser = pw.chromium.launch(
            executable_path=page_bench.CHROMIUM, args=page_bench.CHROMIUM_ARGS
        )
        # Modes interleaved round by round, so that the machine's load falls on all of them.
        for _ in range(args.rounds):
            for mode in MODES:
                results[mode].append(one_round(browser, url, photo, mode))
        squoosh = [page_bench.squoosh_times(browser, bench_url, [photo])[photo.name]]
        squoosh += [page_bench.squoosh_times(browser, bench_url, [photo])[photo.name]]
        browser.close()

    print(f"{'ms, median (runs)':18} {'first photo':28} {'same photo again':28} {'extra':24}")
    for mode in MODES:
        runs = results[mode]
        first = [r["first"] for r in runs]
        warm = [r["warm"] for r in runs]
        extra = [r["first"] - r["warm"] for r in runs]
        print(f"{mode:18} {median(first):28} {median(warm):28} {median(extra):24}")
    warm_ups = [r["warm-up"] for r in results["after warm-up"]]
    print(f"warm-up itself (worker ms): {median(warm_ups)}")
    at_ready = results["at ready"]
    waits = [r["wall"] - r["first"] for r in at_ready]
    print(f"dropped at ready: wall - worker time (wait + page) {median(waits)}")
    print(f"  warm-up steps done before it stopped: {[r['steps done'] for r in at_ready]}")
    no_warm = [r["wall"] - r["first"] for r in results["off"]]
    print(f"  same without warm-up (page overhead only): {median(no_warm)}")
    both = [s["decodeMs"] + s["encodeMs"] for s in squoosh]
    print(f"Squoosh MozJPEG q75 decode + encode, same run: {median(both)}")


if __name__ == "__main__":
    main()
