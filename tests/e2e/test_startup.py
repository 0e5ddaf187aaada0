"""Start-up: the worker restores the build's memory snapshot, and starts Python the usual way
when the snapshot is missing or from another build, saying so."""

from __future__ import annotations

import gzip
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import build_wheel
import pytest
from playwright.sync_api import Page

from .conftest import SiteServer

pytestmark = pytest.mark.e2e

SNAPSHOT = "pyodide/snapshot.bin.gz"
# Pyodide's snapshot header (pyodide.asm.mjs, makeSnapshot): four u32 words, then the runtime's
# build id in the next eight; changing one byte of it makes the snapshot another build's.
BUILD_ID_OFFSET = 16
STEPS = ["scripts", "wasm", "python", "runtime", "pillow", "imgcompress", "import", "versions"]

# A worker of its own, as engine-client.js starts one; then a 2×2 PNG through it.
START = """async (options) => {
    const worker = new Worker(new URL('worker.js', location.href), { type: 'module' });
    const ready = await new Promise((resolve) => {
        worker.onmessage = (e) => {
            if (e.data.type === 'ready' || e.data.type === 'failed') resolve(e.data);
        };
        worker.postMessage({ type: 'start', ...options });
    });
    const png = Uint8Array.from(atob(
        'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg=='
    ), (c) => c.charCodeAt(0)).buffer;
    const answer = await new Promise((resolve) => {
        worker.onmessage = (e) => { if (e.data.id === 1) resolve(e.data); };
        worker.postMessage({ id: 1, type: 'compress', data: png, options: { format: 'png' },
                             name: 'dot.png' }, [png]);
    });
    worker.terminate();
    return { type: ready.type, boot: ready.boot, steps: (ready.steps ?? []).map((s) => s.name),
             ms: (ready.steps ?? []).map((s) => s.ms), message: ready.message,
             answer: answer.type };
}"""


def start_worker(page: Page, url: str, **options: object) -> dict:
    page.goto(url)
    return page.evaluate(START, options)


def site_with(site: Path, dest: Path, change: Callable[[Path], None]) -> Path:
    """A copy of the site with its snapshot changed, stamped as its own version like a build."""
    shutil.copytree(site, dest)
    change(dest / SNAPSHOT)
    shutil.copy2(build_wheel.WEB / "sw.js", dest / "sw.js")
    pillow_build = json.loads((site / "manifest.json").read_text())["pillow_build"]
    build_wheel.write_manifest(dest, pillow_build)
    return dest


def another_build(snapshot: Path) -> None:
    memory = bytearray(gzip.decompress(snapshot.read_bytes()))
    memory[BUILD_ID_OFFSET] ^= 0xFF
    snapshot.write_bytes(gzip.compress(bytes(memory), mtime=0))


def test_worker_restores_the_snapshot(page: Page, base_url: str) -> None:
    """The built site's worker boots from its snapshot, reports its steps in order, and works."""
    result = start_worker(page, base_url)
    assert result["type"] == "ready", result["message"]
    assert result["boot"] == "snapshot"
    assert result["steps"] == [*STEPS, "formats"]
    assert result["ms"] == sorted(result["ms"])
    assert result["answer"] == "result"


def test_worker_starts_python_as_usual_when_asked(page: Page, base_url: str) -> None:
    """`snapshot: false` starts CPython the usual way, and the worker works the same."""
    result = start_worker(page, base_url, snapshot=False)
    assert result["type"] == "ready", result["message"]
    assert result["boot"] == "normal (snapshot not asked for)"
    assert result["answer"] == "result"


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (Path.unlink, "answered HTTP 404"),
        (another_build, "Snapshot build id mismatch"),
    ],
    ids=["missing", "another-build"],
)
def test_worker_falls_back_to_a_normal_start(
    page: Page,
    own_server: SiteServer,
    site: Path,
    tmp_path: Path,
    change: Callable[[Path], None],
    why: str,
) -> None:
    """A snapshot that is missing or from another build of the runtime: the worker says why in
    the console and in `boot`, starts Python the usual way, and works."""
    own_server.root = site_with(site, tmp_path / "site", change)
    warnings: list[str] = []
    page.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None)
    result = start_worker(page, own_server.url)
    assert result["type"] == "ready", result["message"]
    assert result["boot"].startswith("normal (snapshot ")
    assert why in result["boot"]
    assert any("memory snapshot not used" in w and why in w for w in warnings), warnings
    assert result["steps"] == [*STEPS, "formats"]
    assert result["answer"] == "result"
