"""Where the page's start-up time goes, in Chromium: navigation to the first worker ready and to
the whole pool ready, cold (a fresh browser profile: no service worker, empty HTTP and code
caches) and warm (a reload: service worker, Cache Storage and code caches filled), with each
worker step (web/worker.js `steps`), then Python's own import times (-X importtime) for the
engine.  Prints figures; it is not a test.

    .venv/bin/python bench/startup_bench.py [--rounds 5] [--site dist/site]

Needs a built site (``make site``). The machine's load moves every figure: compare the steps
of one run with each other, and runs of the same machine, not seconds across machines.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import statistics
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from page_bench import CHROMIUM, CHROMIUM_ARGS, all_workers_ready, ready_ms, serve
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
# "[imgcompress-1] ready in 1234 ms: ...; steps (ms since the worker was created): a=1 b=2"
READY_LINE = re.compile(
    r"^\[(?P<worker>[\w-]+)\] ready in (?P<ms>\d+) ms.*steps[^:]*: (?P<steps>.*)$"
)
STEP = re.compile(r"(\w+)=(\d+)")
# What each step of web/worker.js covers (it ends when the named thing is done).
STEP_MEANING = {
    "scripts": "worker.js and pyodide.mjs fetched, compiled, run",
    "wasm": "pyodide.asm.wasm fetched (streaming), compiled, instantiated",
    "python": "stdlib zip written, CPython initialised (Emscripten main)",
    "runtime": "Pyodide's Python side bootstrapped (loadPyodide done)",
    "pillow": "pillow wheel fetched, checked, unpacked, its .so side modules loaded",
    "imgcompress": "imgcompress wheel fetched, checked, unpacked",
    "import": "import imgcompress.door (the engine, PIL, the codec table)",
    "versions": "Python/Pillow versions and PIL.features checks",
    "formats": "the `formats` door call",
}
# Runs the worker straight from the page (as tests/e2e/test_worker.py does), with -X importtime.
PROFILE = """async () => {
    const worker = new Worker(new URL('worker.js', location.href), { type: 'module' });
    const ready = await new Promise((resolve) => {
        worker.onmessage = (e) => {
            if (e.data.type === 'ready' || e.data.type === 'failed') resolve(e.data);
        };
        worker.postMessage({ type: 'start', profile: true });
    });
    worker.terminate();
    return ready;
}"""


class Visit:
    """One page load: navigation → first worker ready and → pool ready, with its steps."""

    def __init__(self, page: Page) -> None:
        self.lines: dict[str, str] = {}
        page.on("console", self._console)

    def _console(self, message: ConsoleMessage) -> None:
        found = READY_LINE.match(message.text)
        if found:
            self.lines.setdefault(found["worker"], message.text)

    def measure(self, page: Page) -> dict[str, Any]:
        first = ready_ms(page)
        all_workers_ready(page)
        pool = float(page.evaluate("() => performance.now()"))
        size = int(page.evaluate("() => window.imgcompress.workers().size"))
        found = READY_LINE.match(self.lines.get("imgcompress-1", ""))
        # A site from before the worker logged its steps has only the page's two figures.
        steps = {name: int(ms) for name, ms in STEP.findall(found["steps"])} if found else {}
        return {
            "first": first,
            "pool": pool,
            "size": size,
            "steps": steps,
            # The page's time before the worker was created: the page itself, the service
            # worker's install (a first visit precaches the site) and the pool's core probe.
            "before": first - steps["formats"] if steps else float("nan"),
        }


def visit(page: Page, url: str, reload: bool) -> dict[str, Any]:
    watcher = Visit(page)
    if reload:
        page.reload()
    else:
        page.goto(url)
    result = watcher.measure(page)
    page.remove_listener("console", watcher._console)
    return result


def startup(browser: Browser, url: str, rounds: int) -> tuple[list[dict], list[dict]]:
    cold, warm = [], []
    for _ in range(rounds):
        context = browser.new_context()  # a fresh profile: empty HTTP and code caches
        page = context.new_page()
        cold.append(visit(page, url, reload=False))
        for _ in range(2):
            warm.append(visit(page, url, reload=True))
        context.close()
    return cold, warm


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def print_visits(label: str, runs: list[dict]) -> None:
    print(f"{label} ({len(runs)} runs; medians, ms)")
    each = ", ".join(f"{r['first']:.0f}" for r in runs)
    print(f"  first worker ready {median([r['first'] for r in runs]):6.0f}   (runs: {each})")
    size = runs[0]["size"]
    print(f"  whole pool ready   {median([r['pool'] for r in runs]):6.0f}   (pool of {size})")
    before = median([r["before"] for r in runs])
    print(f"  before the worker  {before:6.0f}   (page, service worker, core probe)")
    if not runs[0]["steps"]:
        print("  (this site's worker does not log its steps)\n")
        return
    print("  the first worker's steps (duration of each, ms):")
    names = list(runs[0]["steps"])
    previous = {id(r): 0 for r in runs}
    for name in names:
        durations = []
        for r in runs:
            durations.append(r["steps"][name] - previous[id(r)])
            previous[id(r)] = r["steps"][name]
        print(f"    {name:12} {median(durations):6.0f}   {STEP_MEANING.get(name, '')}")
    print(f"    {'total':12} {median([r['steps']['formats'] for r in runs]):6.0f}\n")


def print_importtime(lines: list[str], top: int) -> None:
    """-X importtime lines: 'import time: self | cumulative | name' (microseconds)."""
    rows = []
    for line in lines:
        _, self_us, cumulative_us, name = (
            part.strip() for part in re.split(r"[:|]", line, maxsplit=3)
        )
        if self_us.isdigit():
            rows.append((name, int(self_us), int(cumulative_us)))
    ours = [r for r in rows if r[0].strip().startswith(("imgcompress", "PIL"))]
    print("Python imports during start-up (-X importtime, warm caches; ms)")
    for package in ("imgcompress", "imgcompress.door"):
        row = next((r for r in rows if r[0] == package), None)
        if row:
            print(f"  import {package}, cumulative: {row[2] / 1000:6.1f}")
    by_package: dict[str, int] = defaultdict(int)
    for name, self_us, _ in rows:
        root = name.strip().split(".")[0]
        by_package[root if root in ("imgcompress", "PIL") else "stdlib and Pyodide"] += self_us
    for package, us in sorted(by_package.items(), key=lambda kv: -kv[1]):
        print(f"  self time, {package:20} {us / 1000:6.1f}")
    print(f"  slowest of ours and PIL's (self time; top {top}):")
    for name, self_us, cumulative_us in sorted(ours, key=lambda r: -r[1])[:top]:
        print(
            f"    {name.strip():34} {self_us / 1000:6.1f}   (cumulative {cumulative_us / 1000:.1f})"
        )
    print()


def print_profile(profiled: dict[str, Any], top: int) -> None:
    if profiled.get("type") != "ready":
        raise SystemExit(f"the profiled worker failed: {profiled.get('message')}")
    if "importtime" not in profiled:
        print("(this site's worker has no profiled start)\n")
        return
    print("One worker started from the warm page with -X importtime (its figures include that)")
    steps = {s["name"]: s["ms"] for s in profiled["steps"]}
    wheel = next((f for f in profiled["fetches"] if f["name"].startswith("pillow-")), None)
    print(f"  pillow step {steps['pillow'] - steps['runtime']} ms: ", end="")
    if wheel:
        print(f"fetch {wheel['ms']} ms, ", end="")
    print(f"unpacking the wheel alone {profiled['unpackMs']} ms; the rest is its .so modules")
    print("  fetches (ms from the worker's creation: start + duration):")
    for f in profiled["fetches"]:
        print(f"    {f['name']:40} {f['start']:6} + {f['ms']:5}")
    print()
    print_importtime(profiled["importtime"], top)


def profile(browser: Browser, url: str) -> dict[str, Any]:
    context = browser.new_context()
    page = context.new_page()
    page.goto(url)
    ready_ms(page)
    page.reload()
    ready_ms(page)
    profiled = page.evaluate(PROFILE)
    context.close()
    return profiled


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="cold starts (each then 2 warm)")
    parser.add_argument(
        "--site",
        type=Path,
        action="append",
        help="a built site (default dist/site); given twice or more, their rounds alternate, "
        "so that the machine's load weighs the same on each",
    )
    parser.add_argument("--top", type=int, default=12, help="modules listed in the import profile")
    args = parser.parse_args()
    sites = args.site or [ROOT / "dist" / "site"]
    for site in sites:
        if not (site / "manifest.json").exists():
            raise SystemExit(f"{site} is not built: run `make site` first")
    with contextlib.ExitStack() as stack:
        urls = [stack.enter_context(serve(site)) for site in sites]
        pw = stack.enter_context(sync_playwright())
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        print(f"imgcompress start-up · Chromium {browser.version}\n")
        results: dict[int, tuple[list[dict], list[dict]]] = {i: ([], []) for i in range(len(sites))}
        for _ in range(args.rounds):
            for i, url in enumerate(urls):
                cold, warm = startup(browser, url, 1)
                results[i][0].extend(cold)
                results[i][1].extend(warm)
        profiles = [profile(browser, url) for url in urls]
        browser.close()
    for i, site in enumerate(sites):
        print(f"=== {site}\n")
        print_visits("cold: a fresh profile, first visit", results[i][0])
        print_visits("warm: a reload (service worker and caches warm)", results[i][1])
        print_profile(profiles[i], args.top)


if __name__ == "__main__":
    sys.exit(main())
