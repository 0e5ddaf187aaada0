"""The worker protocol: config by postMessage, bad files answered, a broken runtime reported."""

from __future__ import annotations

import pins
import pytest
from playwright.sync_api import Page

from imgcompress import door

pytestmark = pytest.mark.e2e

# Talks to a worker of its own, the way engine-client.js does, to pin the message protocol.
PROTOCOL = """async () => {
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

    const text = new TextEncoder().encode('not an image').buffer;
    worker.postMessage({ id: 2, type: 'zip', names: ['a.txt'], files: [text] }, [text]);
    const zipped = await next((m) => m.id === 2);

    // "Download all" of 200 photos: 200 x 300 KB through the worker in one go.
    const many = Array.from({ length: 200 }, () => new ArrayBuffer(300_000));
    const manyNames = Array.from({ length: 200 }, (_, i) => `photo${i % 10}.jpg`);
    const t0 = performance.now();
    worker.postMessage({ id: 4, type: 'zip', names: manyNames, files: many }, many);
    const big = await next((m) => m.id === 4);
    const bigZip = { type: big.type, unique: new Set(big.names).size, bytes: big.data.byteLength,
                     ms: Math.round(performance.now() - t0) };

    worker.postMessage({ id: 3, type: 'zip' });  // no names/files: a page bug
    const failed = await next((m) => m.type === 'failed');
    worker.terminate();
    return {
        stages: messages.filter((m) => m.type === 'stage').map((m) => m.stage + ':' + m.state),
        python: ready.versions.python,
        pillow: ready.versions.pillow,
        features: ready.versions.features,
        refused: [refused.type, refused.code, refused.message],
        transferred: empty.byteLength === 0 && text.byteLength === 0,
        zip: [zipped.type, zipped.names, zipped.data instanceof ArrayBuffer,
              new Uint8Array(zipped.data, 0, 2).join(',')],
        failed: failed.message,
        bigZip,
    };
}"""


def test_worker_protocol_answers_refuses_and_reports_a_broken_runtime(
    page: Page, base_url: str
) -> None:
    """Stages in order; a bad file is an `error` answer (worker lives on); the ZIP comes back as
    a transferred ArrayBuffer, also for 200 photos; a request the runtime cannot handle posts
    `failed`."""
    page.goto(base_url)
    result = page.evaluate(PROTOCOL)
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
    assert result["zip"] == ["result", ["a.txt"], True, "80,75"]  # "PK"
    assert "crashed" in result["failed"]
    big = result["bigZip"]
    print(f"\nZIP of 200 x 300 KB in the worker: {big['bytes'] / 1e6:.0f} MB in {big['ms']} ms")
    assert big["type"] == "result"
    assert big["unique"] == 200
    assert big["bytes"] > 200 * 300_000


POOL = """async () => {
    const { EnginePool } = await import('./engine-client.js');
    const pool = new EnginePool(1);
    await new Promise((resolve) => pool.addEventListener('ready', resolve, { once: true }));
    const broken = pool.submit('zip', async () => ({ payload: {}, transfer: [] }));
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
