"""Command line: compress files and folders into an output directory.

One line per file on stderr (and a progress bar when there are several), ``--json``
for machines on stdout.  Failures print ``<file name>: <message>`` and never a
traceback; exit status is 0 when all succeeded, 1 when any failed, 2 for usage.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import sys
import traceback
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TextIO

from . import metadata
from .engine import compress
from .errors import ImageCompressError, InvalidOptionsError
from .options import FORMATS, Options

INTERNAL_MESSAGE = (
    "something went wrong inside imgcompress (a bug, not your file); "
    "the details are above — please report them"
)

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".apng", ".webp", ".gif"}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmg]?i?b?)?\s*$", re.IGNORECASE)
_UNITS = {
    "": 1,
    "b": 1,
    "k": 1000,
    "kb": 1000,
    "kib": 1024,
    "m": 1000**2,
    "mb": 1000**2,
    "mib": 1024**2,
    "g": 1000**3,
    "gb": 1000**3,
    "gib": 1024**3,
}


def parse_size(text: str) -> int:
    """'200KB' → 200000 (SI units, as file managers show them), '1.5MiB' → binary."""
    match = _SIZE.match(text)
    unit = (match.group(2) or "").lower() if match else ""
    if not match or unit not in _UNITS:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (try 200KB or 1.5MB)")
    return int(float(match.group(1)) * _UNITS[unit])


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="imgcompress",
        description="Compress images privately: smaller files, metadata removed.",
    )
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="image files or folders")
    p.add_argument("-o", "--output", required=True, metavar="OUTDIR", help="output folder")
    p.add_argument("--format", choices=FORMATS, default="keep")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--quality", type=int, metavar="N", help="1-100, per codec")
    mode.add_argument("--target-size", type=parse_size, metavar="SIZE", help="e.g. 200KB")
    mode.add_argument("--visual-target", type=float, metavar="X", help="score 0.5-1.0")
    p.add_argument("--max-width", type=int, metavar="W")
    p.add_argument("--max-height", type=int, metavar="H")
    p.add_argument("--keep", default="", metavar="TAGS", help="datetime,copyright")
    p.add_argument("--to-srgb", action="store_true", help="convert colours to sRGB")
    p.add_argument("--colors", default="auto", help="PNG palette size 2-256 or auto")
    p.add_argument("--json", action="store_true", help="one JSON report per file on stdout")
    return p


def _walk(inputs: Iterable[str]) -> tuple[list[Path], list[str]]:
    files: list[Path] = []
    missing: list[str] = []
    for name in inputs:
        path = Path(name)
        if path.is_dir():
            files.extend(
                sorted(
                    p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES
                )
            )
        elif path.is_file():
            files.append(path)
        else:
            missing.append(name)
    seen: set[Path] = set()
    unique = []
    for f in files:
        key = f.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique, missing


def _destination(outdir: Path, stem: str, ext: str, inputs: set[Path], taken: set[Path]) -> Path:
    """OUTDIR/stem.ext, or stem-1.ext, stem-2.ext ... never an input, never reused."""
    n = 0
    while True:
        name = f"{stem}{ext}" if n == 0 else f"{stem}-{n}{ext}"
        candidate = outdir / name
        key = candidate.resolve()
        if key not in inputs and key not in taken and not candidate.exists():
            return candidate
        n += 1


def _human(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB"):
        if size < 1000 or unit == "MB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size:.1f} GB"


_BAR_WIDTH = 24
# Carriage return, blanks over the bar, carriage return: the next line starts clean.
_CLEAR = "\r" + " " * (_BAR_WIDTH + 16) + "\r"
# Note codes whose content the per-file line already says.
_SAID_ON_THE_LINE = {"metadata_removed"}


def _report_bug(path: Path, err: TextIO) -> None:
    """A bug in imgcompress, not a bad file: the traceback for a developer, one plain line
    for the person, and the batch goes on."""
    traceback.print_exc(file=err)
    err.write(f"{_CLEAR}{path.name}: {INTERNAL_MESSAGE}\n")


def _progress(done: int, total: int, err: TextIO) -> None:
    if total < 2:
        return
    width = _BAR_WIDTH
    filled = width * done // total
    err.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} ")
    err.flush()
    if done == total:
        err.write("\n")


def main(
    argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """Entry point; returns the exit status instead of exiting so tests can call it."""
    out = out or sys.stdout
    err = err or sys.stderr
    parser = _parser()
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
            args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    colors: int | str = args.colors
    if isinstance(colors, str) and colors.isdigit():
        colors = int(colors)
    try:
        options = Options(
            format=args.format,
            quality=args.quality,
            target_size=args.target_size,
            visual_target=args.visual_target,
            max_width=args.max_width,
            max_height=args.max_height,
            keep=args.keep,
            to_srgb=args.to_srgb,
            colors=colors,
        )
    except InvalidOptionsError as exc:
        err.write(f"imgcompress: error: {exc.message}\n")
        return 2
    files, missing = _walk(args.inputs)
    outdir = Path(args.output)
    if outdir.exists() and not outdir.is_dir():
        err.write(f"imgcompress: error: {outdir} exists and is not a folder\n")
        return 2
    if not files and not missing:
        err.write("imgcompress: error: no image files found in the inputs\n")
        return 2
    try:
        outdir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        err.write(f"imgcompress: error: cannot create {outdir}: {exc.strerror}\n")
        return 2
    failures = len(missing)
    for name in missing:
        err.write(f"{name}: no such file or folder\n")
    input_keys = {f.resolve() for f in files}
    taken: set[Path] = set()
    total_in = total_out = 0
    for index, path in enumerate(files, 1):
        try:
            data = path.read_bytes()
            result = compress(data, options)
            dest = _destination(outdir, path.stem, result.extension, input_keys, taken)
            dest.write_bytes(result.data)
        except ImageCompressError as exc:
            failures += 1
            err.write(f"{_CLEAR if len(files) > 1 else ''}{path.name}: {exc.message}\n")
            if args.json:
                out.write(json.dumps({"file": str(path), "error": exc.to_dict()}) + "\n")
            _progress(index, len(files), err)
            continue
        except OSError as exc:
            failures += 1
            if exc.filename is None:  # not the file system: a bug below compress()
                _report_bug(path, err)
            else:
                err.write(f"{_CLEAR}{path.name}: {exc.strerror or exc}\n")
            _progress(index, len(files), err)
            continue
        except Exception:
            failures += 1
            _report_bug(path, err)
            _progress(index, len(files), err)
            continue
        taken.add(dest.resolve())
        total_in += result.original_size
        total_out += result.size
        removed = result.report.get("removed") or []
        saved = 100 * (result.original_size - result.size) / result.original_size
        line = (
            f"{path.name}: {_human(result.original_size)} → {_human(result.size)} "
            f"({saved:.0f}% saved)"
            + (
                f", removed {', '.join(metadata.REMOVED_WORDS.get(k, k) for k in removed)}"
                if removed
                else ""
            )
            + f" → {dest.name}"
        )
        err.write(f"{_CLEAR if len(files) > 1 else ''}{line}\n")
        for note in result.report.get("notes") or []:
            # The removed metadata is already named on the line above.
            if note.get("code") not in _SAID_ON_THE_LINE:
                err.write(f"  {note['text']}\n")
        if args.json:
            record = {"file": str(path), "output": str(dest), **result.to_dict()}
            out.write(json.dumps(record) + "\n")
            out.flush()
        _progress(index, len(files), err)
    ok = len(files) + len(missing) - failures
    if total_in:
        err.write(
            f"total: {ok} written, {failures} failed, {_human(total_in)} → {_human(total_out)} "
            f"({100 * (total_in - total_out) / total_in:.0f}% saved)\n"
        )
    else:
        err.write(f"total: {ok} written, {failures} failed\n")
    return 1 if failures else 0
