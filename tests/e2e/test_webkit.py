"""Smoke test in WebKit: compress, refuse a broken file, reload with the server gone.

WebKitGTK's MiniBrowser (Debian's webkit2gtk-driver) has no headless mode, so its WebDriver runs
under xvfb-run; selenium (the dev dependencies) drives it. MiniBrowser needs `--automation`.
"""

from __future__ import annotations

import contextlib
import glob
import os
import socket
import subprocess
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.file_detector import UselessFileDetector
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from imgcompress import door

from .conftest import SiteServer
from .smoke import BROKEN, PHOTO, check_smoke

pytestmark = pytest.mark.e2e

XVFB_RUN = Path("/usr/bin/xvfb-run")
WEBDRIVER = Path("/usr/bin/WebKitWebDriver")
MINIBROWSER = "/usr/lib/*/webkit2gtk-4.1/MiniBrowser"  # the multiarch directory varies
READY_S = 240  # WebKit compiles the WebAssembly runtime more slowly than the other engines
WORK_S = 180
DRIVER_START_S = 30

LOOK = """return {
    engine: document.body.dataset.engine,
    offline: document.body.dataset.offline ?? null,
    badge: !document.getElementById('offline-badge').hidden,
    workers: window.imgcompress.workers(),
    cores: navigator.hardwareConcurrency,
    rows: [...document.querySelectorAll('[data-file-row]')].map((row) => ({
        name: row.dataset.name,
        state: row.dataset.state,
        code: row.querySelector('[data-error-slot]').dataset.error ?? null,
        error: row.querySelector('[data-error-slot]').textContent,
    })),
}"""
SETTLED = """return document.querySelectorAll('[data-file-row]').length === arguments[0] &&
    !document.querySelector(
        '[data-file-row][data-state=queued], [data-file-row][data-state=working]')"""
READY = "return !!document.querySelector('body[data-engine=ready][data-offline=ready]')"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_listening(port: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + DRIVER_START_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"WebKitWebDriver exited {proc.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return
        time.sleep(0.2)
    pytest.fail(f"WebKitWebDriver did not listen on {port} within {DRIVER_START_S} s")


@pytest.fixture
def webkit() -> Iterator[WebDriver]:
    """MiniBrowser in automation mode, on a virtual display of its own."""
    browsers = glob.glob(MINIBROWSER)
    if not (XVFB_RUN.exists() and WEBDRIVER.exists() and browsers):
        pytest.fail("WebKit is missing: `make deps` installs webkit2gtk-driver and xvfb")
    port = free_port()
    with subprocess.Popen(
        [str(XVFB_RUN), "-a", str(WEBDRIVER), f"--port={port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # xvfb-run, Xvfb and the driver: one group, stopped together
    ) as proc:
        try:
            wait_listening(port, proc)
            options = webdriver.WebKitGTKOptions()
            options.binary_location = browsers[0]
            options.add_argument("--automation")
            with warnings.catch_warnings():
                # selenium 4.51 warns about its own call into RemoteConnection, whatever the
                # caller passes; nothing of ours is deprecated.
                warnings.filterwarnings("ignore", "setting remote_server_addr", DeprecationWarning)
                driver = webdriver.Remote(f"http://127.0.0.1:{port}", options=options)
            # The driver runs on this machine: file inputs take local paths, never uploads.
            driver.file_detector = UselessFileDetector()
            try:
                yield driver
            finally:
                driver.quit()
        finally:
            os.killpg(proc.pid, 15)
            proc.wait(timeout=30)


def compress(driver: WebDriver, files: list[Path]) -> float:
    """Choose `files` in the picker (one path a line) and wait until every row has settled."""
    started = time.monotonic()
    driver.find_element(By.ID, "file-input").send_keys("\n".join(str(f) for f in files))
    WebDriverWait(driver, WORK_S).until(lambda d: d.execute_script(SETTLED, len(files)))
    return time.monotonic() - started


def look(driver: WebDriver) -> dict[str, Any]:
    return driver.execute_script(LOOK)


def test_webkit_compresses_refuses_and_works_offline(
    webkit: WebDriver, own_server: SiteServer, corpus: Path
) -> None:
    """In WebKit a photo is Done and a truncated JPEG Failed with the engine's message; with the
    server stopped the page reloads from its service worker and compresses again."""
    refusal = door.compress_file((corpus / BROKEN).read_bytes(), {}, BROKEN)["error"]
    started = time.monotonic()
    webkit.get(own_server.url)
    WebDriverWait(webkit, READY_S).until(lambda d: d.execute_script(READY))
    ready_s = time.monotonic() - started
    work_s = compress(webkit, [corpus / PHOTO, corpus / BROKEN])
    online = look(webkit)

    own_server.stop()
    webkit.refresh()
    WebDriverWait(webkit, READY_S).until(lambda d: d.execute_script(READY))
    offline_s = compress(webkit, [corpus / PHOTO])
    offline = look(webkit)

    print(
        f"\nWebKit: ready in {ready_s:.1f} s, photo + broken file in {work_s:.1f} s; offline "
        f"reload and photo in {offline_s:.1f} s; {online['workers']['size']} workers "
        f"(hardwareConcurrency {online['cores']})"
    )
    check_smoke(online, offline, refusal)
