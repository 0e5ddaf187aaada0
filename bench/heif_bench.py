"""How long decoding a 12-MP iPhone HEIC takes in Pyodide under Node (the `heif` package:
pillow-heif, libheif and libde265 as side modules, one thread) and natively (pillow-heif's
own wheel). Prints figures; it is not a test.

    .venv/bin/python bench/heif_bench.py [--rounds 3] [--photo PATH]

Needs a built site (``make site``) and the company corpus (../shared/corpus or
$IMGCOMPRESS_CORPUS), which holds the 12-MP photo; tests/data has only small HEIC files.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
import testdata  # noqa: E402
from imgcompress import codecs  # noqa: E402

SITE = ROOT / "dist" / "site"
RUNNER = ROOT / "tests" / "runtime" / "pyodide_runner.mjs"
PHOTO = "heic_iphone13pro_gps_12mp.heic"

# Run in Pyodide (top-level await): the package's load, then each round's decode to RGB.
SCRIPT = """
import time, pyodide_js
started = time.perf_counter()
await pyodide_js.loadPackage("heif")
from imgcompress import codecs
codecs.heic.is_available()
from PIL import Image
result = {"load": round(time.perf_counter() - started, 2), "decode": []}
for _ in range(ROUNDS):
    started = time.perf_counter()
    im = Image.open("/data/photo.heic")
    im.load()
    result["decode"].append(round(time.perf_counter() - started, 2))
result["size"] = list(im.size)
"""


def native(photo: Path, rounds: int) -> list[float]:
    codecs.heic.is_available()
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        with Image.open(photo) as im:
            im.load()
        times.append(round(time.perf_counter() - started, 2))
    return times


def in_node(photo: Path, rounds: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(photo, Path(tmp) / "photo.heic")
        out = Path(tmp) / "result.json"
        subprocess.run(
            ["node", str(RUNNER), str(SITE), tmp, str(out)],
            input=SCRIPT.replace("ROUNDS", str(rounds)),
            text=True,
            check=True,
        )
        return json.loads(out.read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--photo", type=Path, default=testdata.full_corpus() / PHOTO)
    args = parser.parse_args()
    if not (SITE / "wheels" / "pyodide-lock.json").exists():
        raise SystemExit("dist/site is not built: run `make site`")
    node = in_node(args.photo, args.rounds)
    here = native(args.photo, args.rounds)
    print(f"{args.photo.name}: {node['size'][0]}x{node['size'][1]}")
    print(f"  native pillow-heif decode: {here} s (best {min(here)})")
    print(f"  Pyodide under Node decode: {node['decode']} s (best {min(node['decode'])})")
    print(f"  Pyodide package load (heif, once): {node['load']} s")
    print(f"  ratio Pyodide/native (best of each): {min(node['decode']) / min(here):.1f}x")


if __name__ == "__main__":
    main()
