"""The built site served on 127.0.0.1, and Debian's Chromium driven by pytest-playwright.

Firefox and WebKit each have one smoke test of their own (test_firefox.py, test_webkit.py), on a
server of their own that the test can stop.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pins
import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

CHROMIUM = str(pins.load().chromium)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
READY_TIMEOUT_MS = 120_000
browser_log = logging.getLogger("browser")
browser_log.setLevel(logging.INFO)


class SiteServer(ThreadingHTTPServer):
    """A static host like any other, that remembers what it was asked for.

    It serves `root`, which a test may point at another build (a new version of the site).
    """

    root: Path
    requests: list[tuple[str, str]]
    stopped: bool = False

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/"

    def stop(self) -> None:
        """Stop answering and close the port: the browser's requests are refused from now on."""
        self.stopped = True
        self.shutdown()
        self.server_close()


class QuietHandler(SimpleHTTPRequestHandler):
    server: SiteServer

    def __init__(self, request: Any, client_address: Any, server: SiteServer) -> None:
        super().__init__(request, client_address, server, directory=str(server.root))

    def log_message(self, format: str, *args: Any) -> None:
        self.server.requests.append((self.command, self.path))


@contextlib.contextmanager
def serve(root: Path) -> Iterator[SiteServer]:
    """Serve `root` on a free port of 127.0.0.1 until the block ends (or `stop()`)."""
    httpd = SiteServer(("127.0.0.1", 0), QuietHandler)
    httpd.root = root
    httpd.requests = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd
    finally:
        if not httpd.stopped:
            httpd.stop()


@pytest.fixture(scope="session")
def server(site: Path) -> Iterator[SiteServer]:
    with serve(site) as httpd:
        yield httpd


@pytest.fixture
def own_server(site: Path) -> Iterator[SiteServer]:
    """The site on a port of its own (a fresh origin), which the test may stop or re-point."""
    with serve(site) as httpd:
        yield httpd


@pytest.fixture(scope="session")
def base_url(server: SiteServer) -> str:
    return server.url


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make deps` installs Debian's chromium")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def page(page: Page) -> Page:
    """Every page, with its own and its workers' console in the test log."""

    def forward(msg: ConsoleMessage) -> None:
        browser_log.info("[%s] %s", msg.type, msg.text)

    page.on("console", forward)
    page.on("pageerror", lambda err: browser_log.error("[pageerror] %s", err))
    page.on("worker", lambda worker: browser_log.info("[worker] started %s", worker.url))
    return page


@pytest.fixture
def ready_page(page: Page, base_url: str) -> Page:
    """The page with its engine ready (at least one worker accepts work)."""
    page.goto(base_url)
    expect(page.locator("body")).to_have_attribute("data-engine", "ready", timeout=READY_TIMEOUT_MS)
    return page


def wait_settled(page: Page, count: int, timeout_ms: int = 180_000) -> None:
    """Wait until ``count`` rows exist and none is still queued or working."""
    page.wait_for_function(
        """n => {
            const rows = document.querySelectorAll('[data-file-row]');
            const busy = document.querySelectorAll(
                '[data-file-row][data-state=queued], [data-file-row][data-state=working]');
            return rows.length === n && busy.length === 0;
        }""",
        arg=count,
        timeout=timeout_ms,
    )
