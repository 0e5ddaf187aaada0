"""How long one AVIF encode of an 8-MP photo takes in Pyodide: under Node, in one Chromium
worker, and natively, at the codec's speeds (codecs/avif.py's SPEED and PROBE_SPEED).
Prints figures; it is not a test.

    .venv/bin/python bench/avif_bench.py [--speeds 6 8] [--no-chromium]

Needs a built site (``make site``). The photo is the tests' 8-MP stand-in (tests/testdata.py).
"""

from __future__ import annotations

import argparse
import functools
import io
import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "toolchain"))
sys.path.insert(0, str(ROOT / "tests"))
import pins  # noqa: E402

import testdata  # noqa: E402

SITE = ROOT / "dist" / "site"
RUNNER = ROOT / "tests" / "runtime" / "pyodide_runner.mjs"
PHOTO = "photo_gps_iphone6_hdr_no_8mp.jpg"
QUALITY = 60

# Run in Pyodide (top-level await): encode the photo once per speed, decode the last result.
SCRIPT = """
import io, time, pyodide_js
await pyodide_js.loadPackage("avif")
from PIL import Image
im = Image.open(PHOTO_PATH).convert("RGB")
result = {"size": list(im.size)}
for speed in SPEEDS:
    started = time.perf_counter()
    buf = io.BytesIO()
    im.save(buf, "AVIF", quality=QUALITY, speed=speed, max_threads=1)
    result[f"speed {speed}"] = [round(time.perf_counter() - started, 2), len(buf.getvalue())]
started = time.perf_counter()
Image.open(io.BytesIO(buf.getvalue())).load()
result["decode"] = round(time.perf_counter() - started, 2)
"""

PAGE = """<!doctype html><meta charset="utf-8"><title>avif bench</title>
<script type="module">
window.bench = (photo, script) => new Promise((resolve, reject) => {
  const worker = new Worker("bench-worker.mjs", { type: "module" });
  worker.onmessage = (event) => resolve(event.data);
  worker.onerror = (event) => reject(new Error(event.message));
  worker.postMessage({ photo, script });
});
</script>"""

WORKER = """import { loadPyodide } from "./pyodide/pyodide.mjs";
onmessage = async ({ data }) => {
  const base = new URL("./", import.meta.url);
  const pyodide = await loadPyodide({
    indexURL: new URL("pyodide/", base).href,
    lockFileURL: new URL("wheels/pyodide-lock.json", base).href,
  });
  await pyodide.loadPackage("pillow", { messageCallback: () => {} });
  pyodide.FS.writeFile("/photo.jpg", new Uint8Array(data.photo));
  await pyodide.runPythonAsync(data.script);
  postMessage(JSON.parse(pyodide.runPython("import json; json.dumps(result)")));
};
"""


def script(photo_path: str, speeds: list[int]) -> str:
    head = f"PHOTO_PATH = {photo_path!r}\nSPEEDS = {speeds!r}\nQUALITY = {QUALITY}\n"
    return head + SCRIPT


def native(photo: Path, speeds: list[int]) -> dict[str, Any]:
    im = Image.open(photo).convert("RGB")
    result: dict[str, Any] = {"size": list(im.size)}
    for speed in speeds:
        started = time.perf_counter()
        buf = io.BytesIO()
        im.save(buf, "AVIF", quality=QUALITY, speed=speed, max_threads=1)
        result[f"speed {speed}"] = [round(time.perf_counter() - started, 2), len(buf.getvalue())]
    return result


def node(photo: Path, speeds: list[int]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(photo, Path(tmp) / "photo.jpg")
        out = Path(tmp) / "out.json"
        subprocess.run(
            ["node", str(RUNNER), str(SITE), tmp, str(out)],
            input=script("/data/photo.jpg", speeds),
            text=True,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        return json.loads(out.read_text())


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def chromium(photo: Path, speeds: list[int]) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for name in ("pyodide", "wheels"):
            (root / name).symlink_to(SITE / name)
        (root / "index.html").write_text(PAGE)
        (root / "bench-worker.mjs").write_text(WORKER)
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=tmp))
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(
                    executable_path=str(pins.load().chromium), args=["--no-sandbox"]
                )
                page = browser.new_page()
                page.goto(f"http://127.0.0.1:{httpd.server_address[1]}/")
                page.set_default_timeout(600_000)
                result = page.evaluate(
                    "([photo, script]) => window.bench(photo, script)",
                    [list(photo.read_bytes()), script("/photo.jpg", speeds)],
                )
                browser.close()
                return result
        finally:
            httpd.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--speeds", type=int, nargs="+", default=[6, 8])
    parser.add_argument("--no-chromium", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        photo = testdata.materialise(Path(tmp)) / PHOTO
        runs = {"native": native, "node": node}
        if not args.no_chromium:
            runs["chromium"] = chromium
        for name, run in runs.items():
            print(f"{name:9} {json.dumps(run(photo, args.speeds))}  (seconds, bytes)", flush=True)


if __name__ == "__main__":
    main()
