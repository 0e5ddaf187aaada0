"""Privacy you can verify: nothing leaves the tab, other origins are blocked, offline works."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Request, expect

pytestmark = pytest.mark.e2e

READY_MS = 120_000
WORK_MS = 120_000
PHOTOS = ("exif_orientation6_landscape.jpg", "kodim23.png", "alpha_transparent_rgba.png")


class Tripwire(ThreadingHTTPServer):
    """Another origin on this machine, which must never hear from the page."""

    hits: list[str]


class TripwireHandler(SimpleHTTPRequestHandler):
    server: Tripwire

    def handle_one_request(self) -> None:
        super().handle_one_request()
        if self.requestline:
            self.server.hits.append(self.requestline)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def other_origin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tripwire]:
    root = tmp_path_factory.mktemp("other-origin")
    httpd = Tripwire(("127.0.0.1", 0), functools.partial(TripwireHandler, directory=str(root)))
    httpd.hits = []
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def other_url(server: Tripwire) -> str:
    host, port = server.server_address[:2]
    return f"http://{host}:{port}/collect"


def open_guarded(page: Page, base_url: str) -> None:
    """Load the page and reload it once the service worker is active, as a returning visitor."""
    page.goto(base_url)
    expect(page.locator("body")).to_have_attribute("data-offline", "ready", timeout=READY_MS)
    page.reload()
    expect(page.locator("body")).to_have_attribute("data-privacy-guard", "active", timeout=READY_MS)
    wait_counting(page)


def wait_counting(page: Page) -> None:
    expect(page.locator("body")).to_have_attribute("data-engine", "ready", timeout=READY_MS)
    expect(page.locator("#privacy-ledger")).to_have_attribute(
        "data-counting", "since-ready", timeout=READY_MS
    )


def compress_all(page: Page, corpus: Path, names: tuple[str, ...]) -> None:
    page.locator("input[type=file]").set_input_files([corpus / n for n in names])
    rows = page.locator("[data-file-row]")
    expect(rows).to_have_count(len(names))
    for name in names:
        expect(page.locator(f'[data-file-row][data-name="{name}"]')).to_have_attribute(
            "data-state", "done", timeout=WORK_MS
        )


def test_requests_stay_on_origin_and_stop_at_ready(
    page: Page, context: BrowserContext, base_url: str, corpus: Path
) -> None:
    """Every request of the page, its workers and its service worker goes to the page's own origin
    as a GET, and none is made after the engine is ready while a batch compresses."""
    seen: list[Request] = []
    context.on("request", lambda request: seen.append(request))
    open_guarded(page, base_url)
    after_ready = len(seen)
    compress_all(page, corpus, PHOTOS)

    foreign = [r.url for r in seen if not r.url.startswith((base_url, "blob:", "data:"))]
    assert foreign == []
    assert {r.method for r in seen} == {"GET"}
    assert [r.url for r in seen[after_ready:] if not r.url.startswith(("blob:", "data:"))] == []
    ledger = page.locator("#privacy-ledger")
    expect(ledger).to_have_attribute("data-requests", "0")
    expect(ledger).to_have_attribute("data-bytes-sent", "0")


def test_other_origins_blocked_from_page_and_worker(
    page: Page, base_url: str, other_origin: Tripwire
) -> None:
    """A fetch to another origin from the page and one from inside a worker both fail, the other
    origin hears nothing, and the ledger counts both blocked attempts."""
    open_guarded(page, base_url)
    target = other_url(other_origin)
    script = f"""async () => {{
        try {{ await fetch({target!r}, {{method: 'POST', body: 'secret'}}); return 'sent'; }}
        catch (e) {{ return 'blocked'; }}
    }}"""
    assert page.evaluate(script) == "blocked"
    assert page.workers, "the page runs its engine in workers"
    assert page.workers[0].evaluate(script) == "blocked"
    ledger = page.locator("#privacy-ledger")
    expect(ledger).to_have_attribute("data-blocked", "2")
    expect(ledger).to_have_attribute("data-bytes-sent", "0")
    assert other_origin.hits == []


def test_offline_after_first_visit(
    page: Page, context: BrowserContext, base_url: str, corpus: Path
) -> None:
    """After one visit the page reloads and compresses a photo with the network off."""
    page.goto(base_url)
    expect(page.locator("body")).to_have_attribute("data-offline", "ready", timeout=READY_MS)
    context.set_offline(True)
    try:
        page.reload()
        expect(page.locator("body")).to_have_attribute("data-engine", "ready", timeout=READY_MS)
        compress_all(page, corpus, PHOTOS[:1])
    finally:
        context.set_offline(False)


def test_works_without_service_workers(browser: Browser, base_url: str, corpus: Path) -> None:
    """With service workers blocked the page still compresses, and never claims the guard."""
    context = browser.new_context(service_workers="block")
    try:
        page = context.new_page()
        page.goto(base_url)
        expect(page.locator("body")).to_have_attribute("data-engine", "ready", timeout=READY_MS)
        compress_all(page, corpus, PHOTOS[:1])
        assert page.locator("body").get_attribute("data-privacy-guard") != "active"
        assert page.locator("body").get_attribute("data-offline") is None
    finally:
        context.close()


def test_first_visit_workers_start_under_the_guard(
    page: Page, base_url: str, other_origin: Tripwire
) -> None:
    """On the very first visit the workers wait for the service worker, so a worker's fetch to
    another origin is already blocked without any reload."""
    page.goto(base_url)
    wait_counting(page)
    expect(page.locator("body")).to_have_attribute("data-privacy-guard", "active")
    script = f"""async () => {{
        try {{ await fetch({other_url(other_origin)!r}); return 'sent'; }}
        catch (e) {{ return 'blocked'; }}
    }}"""
    assert page.workers
    assert all(worker.evaluate(script) == "blocked" for worker in page.workers)
    expect(page.locator("#privacy-ledger")).to_have_attribute(
        "data-blocked", str(len(page.workers))
    )
    assert other_origin.hits == []


def test_ledger_counts_bytes_that_do_leave(browser: Browser, base_url: str) -> None:
    """Where nothing stops a same-origin POST (no service worker), the ledger counts its body:
    the zero it shows otherwise is a measurement, not a constant."""
    context = browser.new_context(service_workers="block")
    try:
        page = context.new_page()
        page.goto(base_url)
        wait_counting(page)
        status = page.evaluate(
            "async () => (await fetch('probe', {method: 'POST', body: 'twelve bytes'})).status"
        )
        assert status == 501  # the static server refuses POST, after receiving it
        ledger = page.locator("#privacy-ledger")
        expect(ledger).to_have_attribute("data-bytes-sent", "12")
        expect(ledger).to_have_attribute("data-requests", "1")
    finally:
        context.close()
