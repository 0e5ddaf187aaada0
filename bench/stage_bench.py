"""Where the time of one default compression goes, stage by stage, natively and in Pyodide
(under Node, from the built site: the browser's Pillow, mozjpeg and CPython in
WebAssembly).  Prints figures; it is not a test.

    .venv/bin/python bench/stage_bench.py [--rounds 2] [--files photo_gps_nokia8.3_9mp.jpg ...]
                                          [--native-only | --pyodide-only]
                                          [--site dist/site /tmp/other-site ...]

Needs the shared corpus next to the repository and, for Pyodide, a built site
(``make site``) and node.  The stages are timed by bench/stages.py.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import stages  # noqa: E402  (the timing module beside this script)

from imgcompress.bench import run_in_pyodide  # noqa: E402

SITE = ROOT / "dist" / "site"
CORPUS = ROOT / ".." / "shared" / "corpus"
FILES = ["photo_gps_iphone6_hdr_no_8mp.jpg", "photo_gps_nokia8.3_9mp.jpg"]
PYODIDE_TIMEOUT = 1800


def in_pyodide(names: list[str], rounds: int, site: Path = SITE) -> dict[str, Any]:
    """bench/stages.py run inside Pyodide on the corpus files (mounted at /data)."""
    if not (site / "manifest.json").exists():
        raise SystemExit("dist/site is not built: run `make site` first")
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            shutil.copy(CORPUS / name, Path(tmp) / name)
        paths = [f"/data/{name}" for name in names]
        script = (ROOT / "bench" / "stages.py").read_text()
        script += f"\nresult = corpus_breakdown({paths!r}, {rounds})\n"
        return run_in_pyodide(site, Path(tmp), script, PYODIDE_TIMEOUT)


def show(where: str, found: dict[str, Any]) -> None:
    for name, row in found.items():
        print(
            f"\n{where} · {name}: {row['total'] * 1000:.0f} ms · q{row['quality']} · "
            f"{row['bytes']:,} B · score {row['score']} · {row['encodes']} encodes"
        )
        for stage, seconds in sorted(row["stages"].items(), key=lambda kv: -kv[1]):
            calls = row["calls"].get(stage, "")
            share = seconds / row["total"] * 100
            print(f"  {stage:32s} {seconds * 1000:7.0f} ms  {share:4.0f} %  {calls}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=2, help="timed runs per file (fastest)")
    parser.add_argument("--files", nargs="*", default=FILES, help="corpus files")
    parser.add_argument(
        "--site", type=Path, default=[SITE], nargs="*", help="built sites to compare (Pyodide)"
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--native-only", action="store_true")
    where.add_argument("--pyodide-only", action="store_true")
    args = parser.parse_args()
    if not args.pyodide_only:
        paths = [str(CORPUS / name) for name in args.files]
        show("native", stages.corpus_breakdown(paths, args.rounds))
    if not args.native_only:
        for site in args.site:
            show(f"pyodide ({site})", in_pyodide(args.files, args.rounds, site))


if __name__ == "__main__":
    main()
