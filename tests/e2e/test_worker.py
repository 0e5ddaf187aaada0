"""The worker protocol: config by postMessage, bad files answered, a broken runtime reported."""

from __future__ import annotations

import zlib

import pins
import pytest
from playwright.sync_api import Page

from imgcompress import door

pytestmark = pytest.mark.e2e

# A 2 x 2 PNG.
PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasK"
    "b6QAAAABJRU5ErkJggg=="
)

# Talks to a worker of its own, the way engine-client.js does, to pin the message protocol.
PROTOCOL = """async (PNG) => {
    const worker = new Worker(new URL('worker.js', location.href), { type: 'module' });
    const messages = [];
    const next = (pred) => new Promise((resolve) => {
        const check = () => {
            const found = messages.find(pred);
            if (found) resolve(found); else setTimeout(check, 20);
        };
        check();
    });
    worker.onmessage = (e) => messages.push(e.data);
    worker.postMessage({ type: 'start' });
    const ready = await next((m) => m.type === 'ready' || m.type === 'failed');

    const empty = new ArrayBuffer(0);
    worker.postMessage({ id: 1, type: 'compress', data: empty, options: {}, name: 'e.jpg' },
                       [empty]);
    const refused = await next((m) => m.id === 1);

    const png = Uint8Array.from(atob(PNG), (c) => c.charCodeAt(0)).buffer;
    worker.postMessage({ id: 2, type: 'compress', data: png, options: { format: 'png' },
                         name: 'dot.png' }, [png]);
    const done = await next((m) => m.id === 2);

    // A negative length makes `new Uint8Array` throw in the worker, outside Python: a page bug.
    worker.postMessage({ id: 3, type: 'compress', data: -1, options: {}, name: 'x.jpg' });
    const failed = await next((m) => m.type === 'failed');
    worker.terminate();
    return {
        stages: messages.filter((m) => m.type === 'stage').map((m) => m.stage + ':' + m.state),
        python: ready.versions.python,
        pillow: ready.versions.pillow,
        features: ready.versions.features,
        refused: [refused.type, refused.code, refused.message],
        transferred: empty.byteLength === 0 && png.byteLength === 0,
        done: { type: done.type, name: done.name, isBuffer: done.data instanceof ArrayBuffer,
                bytes: Array.from(new Uint8Array(done.data)), crc32: done.crc32,
                heap: done.heap, worker: done.worker, ms: done.ms },
        refusedHeap: refused.heap,
        failed: failed.message,
    };
}"""


def test_worker_protocol_answers_refuses_and_reports_a_broken_runtime(
    page: Page, base_url: str
) -> None:
    """Stages in order; a bad file is an `error` answer (worker lives on); a result comes back
    as a transferred ArrayBuffer with its CRC-32 and the worker's heap size; a request the
    runtime cannot handle posts `failed`."""
    page.goto(base_url)
    result = page.evaluate(PROTOCOL, PNG)
    assert result["stages"] == [
        "runtime:working",
        "runtime:done",
        "pillow:working",
        "pillow:done",
        "imgcompress:working",
        "imgcompress:done",
    ]
    assert result["python"].startswith("3.14")
    # The feature list is stamped into worker.js from pins.toml by the build.
    assert result["pillow"] == pins.load().pillow_version
    assert result["features"] == dict.fromkeys(pins.load().feature_names, True)
    native = door.compress_file(b"", {}, "e.jpg")["error"]
    assert result["refused"] == ["error", native["code"], native["message"]]
    assert result["transferred"], "buffers were copied, not transferred"
    done = result["done"]
    assert (done["type"], done["name"], done["isBuffer"]) == ("result", "dot.png", True)
    data = bytes(done["bytes"])
    assert data.startswith(b"\x89PNG")
    assert done["crc32"] == zlib.crc32(data)
    # Pyodide's WebAssembly memory: tens of MB at least, a whole number of 64 KiB pages.
    assert done["heap"] > 16 * 2**20
    assert done["heap"] % 65536 == 0
    assert result["refusedHeap"] > 16 * 2**20
    assert isinstance(done["ms"], int)
    assert "crashed" in result["failed"]


POOL = """async () => {
    const { EnginePool } = await import('./engine-client.js');
    const pool = new EnginePool(1);
    await new Promise((resolve) => pool.addEventListener('ready', resolve, { once: true }));
    const broken = pool.submit('compress', async () => ({ payload: { data: -1 }, transfer: [] }));
    const crash = await broken.promise.then(() => 'resolved', (e) => [e.code, e.message]);
    const png = Uint8Array.from(atob(
        'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg=='
    ), (c) => c.charCodeAt(0)).buffer;
    const good = pool.submit('compress', async () => ({
        payload: { data: png, options: { format: 'png' }, name: 'dot.png' }, transfer: [png] }));
    const timeout = new Promise((_, reject) =>
        setTimeout(() => reject(new Error('no worker took the job within 60 s')), 60_000));
    const answer = await Promise.race([good.promise, timeout]);
    const after = { size: pool.size, ready: pool.readyCount };
    pool.terminate();
    return { crash, type: answer.type, name: answer.name, after };
}"""


def test_pool_replaces_a_crashed_worker_and_goes_on(page: Page, base_url: str) -> None:
    """A job that breaks its worker fails with the crash message; the pool starts a fresh
    worker and the next job succeeds."""
    page.goto(base_url + "?workers=1")
    result = page.evaluate(POOL)
    assert result["crash"][0] == "worker_failed"
    assert "crashed" in result["crash"][1]
    assert result["type"] == "result"
    assert result["name"] == "dot.png"
    assert result["after"] == {"size": 1, "ready": 1}
