"""How long the first photo takes in WebKit, from the moment it is chosen on a fresh visit until
its row is Done, and how many workers the pool chose. Prints figures; it is not a test.

    .venv/bin/python bench/first_file_bench.py [--rounds 2] [--file photo_gps_nokia8.3_9mp.jpg]

WebKit reports 4 cores on any machine with fewer than 8; a pool that believed it started 3 more
workers beside the first file and starved it. Needs a built site (``make site``) and what
`make deps` installs (webkit2gtk-driver, xvfb). The photo is the tests' 9-MP stand-in.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import glob
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.file_detector import UselessFileDetector
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import testdata  # noqa: E402

SITE = ROOT / "dist" / "site"
MINIBROWSER = "/usr/lib/*/webkit2gtk-4.1/MiniBrowser"
DONE = """const row = document.querySelector('[data-file-row]');
return row && ['done', 'error'].includes(row.dataset.state) && row.dataset.state"""


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def serve() -> Iterator[str]:
    """A fresh origin each time, so every round is a first visit (no service worker yet)."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(SITE)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


@contextlib.contextmanager
def webkit() -> Iterator[WebDriver]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    cmd = ["xvfb-run", "-a", "WebKitWebDriver", f"--port={port}"]
    with subprocess.Popen(cmd, stderr=subprocess.DEVNULL, start_new_session=True) as proc:
        try:
            for _ in range(100):
                with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port)):
                    break
                time.sleep(0.2)
            options = webdriver.WebKitGTKOptions()
            options.binary_location = glob.glob(MINIBROWSER)[0]
            options.add_argument("--automation")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                driver = webdriver.Remote(f"http://127.0.0.1:{port}", options=options)
            driver.file_detector = UselessFileDetector()
            try:
                yield driver
            finally:
                driver.quit()
        finally:
            os.killpg(proc.pid, 15)


def first_file(photo: Path) -> dict[str, Any]:
    with serve() as url, webkit() as driver:
        driver.get(url)
        chosen = time.monotonic()
        driver.find_element(By.ID, "file-input").send_keys(str(photo))
        state = WebDriverWait(driver, 600, 0.1).until(lambda d: d.execute_script(DONE))
        seconds = time.monotonic() - chosen
        workers = driver.execute_script("return window.imgcompress.workers()")
        cores = driver.execute_script("return navigator.hardwareConcurrency")
    return {"state": state, "seconds": seconds, "workers": workers, "cores": cores}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--file", default="photo_gps_nokia8.3_9mp.jpg")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        photo = Path(tmp) / args.file
        photo.write_bytes(testdata.read(args.file))
        print(f"{args.file}: {photo.stat().st_size / 1e6:.1f} MB, {os.cpu_count()} cores here")
        for round_ in range(1, args.rounds + 1):
            r = first_file(photo)
            print(
                f"round {round_}: first file {r['state']} after {r['seconds']:.1f} s "
                f"(chosen at page load); pool {r['workers']['size']} workers, "
                f"{r['workers']['ready']} ready; hardwareConcurrency {r['cores']}"
            )


if __name__ == "__main__":
    main()
