"""Smoke test in Debian's Firefox ESR: compress, refuse a broken file, reload with the server gone.

Firefox is driven by puppeteer-core (npm, `make deps`) over WebDriver BiDi from
firefox_smoke.mjs; this test owns the server and checks what the script reports.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path
from typing import IO, Any

import pytest

from imgcompress import door

from .conftest import SiteServer
from .smoke import BROKEN, PHOTO, check_smoke

pytestmark = pytest.mark.e2e

FIREFOX = Path("/usr/bin/firefox-esr")
SCRIPT = Path(__file__).with_name("firefox_smoke.mjs")
PUPPETEER = Path(__file__).resolve().parents[2] / "node_modules" / "puppeteer-core"
EXIT_TIMEOUT_S = 60


def read_step(proc: subprocess.Popen[str], log: IO[str]) -> dict[str, Any]:
    """The script's next JSON line; its stderr (the page's console) tells why if there is none."""
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:
        proc.wait(timeout=30)
        log.seek(0)
        pytest.fail(f"firefox_smoke.mjs exited {proc.returncode}:\n{log.read()[-4000:]}")
    return json.loads(line)


def test_firefox_compresses_refuses_and_works_offline(own_server: SiteServer, corpus: Path) -> None:
    """In Firefox a photo is Done and a truncated JPEG Failed with the engine's message; with the
    server stopped the page reloads from its service worker and compresses again."""
    if not FIREFOX.exists() or not PUPPETEER.exists():
        pytest.fail("Firefox or puppeteer-core is missing: `make deps` installs both")
    refusal = door.compress_file((corpus / BROKEN).read_bytes(), {}, BROKEN)["error"]
    with tempfile.TemporaryFile("w+") as log:
        args = [str(FIREFOX), own_server.url, str(corpus / PHOTO), str(corpus / BROKEN)]
        with subprocess.Popen(
            ["node", str(SCRIPT), *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        ) as proc:
            try:
                online = read_step(proc, log)
                own_server.stop()
                assert proc.stdin is not None
                proc.stdin.write("stopped\n")
                proc.stdin.close()
                offline = read_step(proc, log)
                assert proc.wait(timeout=EXIT_TIMEOUT_S) == 0
            finally:
                if proc.poll() is None:
                    proc.kill()

    print(
        f"\nFirefox: ready in {online['readyMs'] / 1000:.1f} s, photo + broken file in "
        f"{online['workMs'] / 1000:.1f} s; offline reload and photo in "
        f"{offline['workMs'] / 1000:.1f} s; {online['workers']['size']} workers "
        f"(hardwareConcurrency {online['cores']})"
    )
    check_smoke(online, offline, refusal)
