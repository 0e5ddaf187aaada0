"""Benchmark (not a test): bytes, score, scikit-image SSIM, time and encodes on the corpus.

Run natively with the test dependency group installed (numpy, scikit-image)::

    python -m imgcompress.bench [--corpus ../shared/corpus] [--quick]

Over the Kodak photos (kodim*.png) and the two GPS camera JPEGs it runs the
default mode, ``--format webp``, ``--format smallest``, ``--format avif``, fixed quality 75 (format
kept) and, because the yardsticks are JPEG/WebP encoders, ``--format jpeg`` at the
default target and at quality 75.  Native Pillow JPEG q75 (optimize) is measured in
the same run as the baseline; the company's yardsticks on the Kodak photos are
printed next to our medians.  SSIM is scikit-image's ``structural_similarity``
(Gaussian σ=1.5, population covariance, data_range 255, mean over R, G, B) of the
decoded output against the source pixels (upright, same size).
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps

from .engine import DEFAULT_VISUAL_TARGET, compress
from .options import Options
from .score import score

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"

# Measured by the company on the Kodak photos: (median KB, median SSIM RGB mean).
YARDSTICKS = {
    "Squoosh MozJPEG q75 (default)": (51.7, 0.925),
    "Squoosh WebP q75": (49.2, 0.935),
    "Pillow JPEG q75 optimize": (65.8, 0.934),
    "Pillow WebP q75 m6": (46.4, 0.930),
}

MODES: dict[str, Options] = {
    "default": Options(),
    "webp": Options(format="webp"),
    "smallest": Options(format="smallest"),
    "q75 (keep)": Options(quality=75),
    "jpeg default": Options(format="jpeg"),
    "jpeg q75": Options(format="jpeg", quality=75),
    # Our score 0.944 lands near skimage 0.925, Squoosh's default SSIM: equal-SSIM bytes.
    "jpeg @0.944": Options(format="jpeg", visual_target=0.944),
    "webp @0.944": Options(format="webp", visual_target=0.944),
    "avif default": Options(format="avif"),
    "avif @0.944": Options(format="avif", visual_target=0.944),
}
# Company baseline median (Pillow JPEG q75 optimize) the yardsticks were measured with.
YARDSTICK_BASELINE_KB = 65.8


def _ssim(reference: Image.Image, data: bytes) -> float:
    import numpy as np
    from skimage.metrics import structural_similarity

    out = Image.open(io.BytesIO(data)).convert("RGB")
    if out.size != reference.size:
        return float("nan")
    return float(
        structural_similarity(
            np.asarray(reference),
            np.asarray(out),
            channel_axis=2,
            gaussian_weights=True,
            sigma=1.5,
            use_sample_covariance=False,
            data_range=255,
        )
    )


def _baseline(image: Image.Image) -> tuple[bytes, float]:
    start = time.perf_counter()
    out = io.BytesIO()
    image.save(out, "JPEG", quality=75, optimize=True)
    return out.getvalue(), time.perf_counter() - start


def _row(cols: list[str], widths: list[int]) -> str:
    return "  ".join(
        c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(cols, widths, strict=True))
    )


def run(corpus: Path, quick: bool = False, write: Callable[[str], Any] = print) -> dict[str, Any]:
    """Run every mode over the photos; prints a table per mode and the medians."""
    names = sorted(p.name for p in corpus.glob("kodim*.png"))
    names += [
        n
        for n in ("photo_gps_nokia8.3_9mp.jpg", "photo_gps_iphone6_hdr_no_8mp.jpg")
        if (corpus / n).exists()
    ]
    if quick:
        names = names[:3]
    sources = {}
    for name in names:
        data = (corpus / name).read_bytes()
        with Image.open(io.BytesIO(data)) as im:
            upright = ImageOps.exif_transpose(im).convert("RGB")
        sources[name] = (data, upright)

    widths = [34, 10, 7, 7, 7, 6, 5]
    header = ["image", "bytes", "score", "ssim", "×base", "time s", "enc"]
    summary: dict[str, Any] = {}
    base_rows = {}
    write("# baseline: Pillow JPEG q75 optimize (same run)")
    write(_row(header, widths))
    for name, (_, upright) in sources.items():
        data, took = _baseline(upright)
        base_rows[name] = (len(data), _ssim(upright, data), took)
        write(
            _row(
                [
                    name,
                    f"{len(data):,}",
                    "",
                    f"{base_rows[name][1]:.4f}",
                    "1.00",
                    f"{took:.2f}",
                    "1",
                ],
                widths,
            )
        )
    summary["baseline"] = base_rows

    for label, options in MODES.items():
        write("")
        write(
            f"# mode: {label}  ({options.format}, "
            + (
                f"quality {options.quality})"
                if options.quality
                else f"visual target {options.visual_target or DEFAULT_VISUAL_TARGET})"
            )
        )
        write(_row([*header, "fmt"], [*widths, 5]))
        rows = {}
        for name, (data, upright) in sources.items():
            start = time.perf_counter()
            result = compress(data, options)
            took = time.perf_counter() - start
            ssim = _ssim(upright, result.data)
            ours = result.report.get("score")
            if ours is None:
                ours = score(upright, Image.open(io.BytesIO(result.data)).convert("RGB"))
            rows[name] = (result.size, ours, ssim, took, result.report["encodes"], result.format)
            ratio = result.size / base_rows[name][0]
            write(
                _row(
                    [
                        name,
                        f"{result.size:,}",
                        f"{ours:.4f}",
                        f"{ssim:.4f}",
                        f"{ratio:.2f}",
                        f"{took:.2f}",
                        str(result.report["encodes"]),
                        result.format,
                    ],
                    [*widths, 5],
                )
            )
        summary[label] = rows

    write("")
    write("# medians (Kodak photos only, where the yardsticks were measured; then all photos)")
    cols = ["mode", "KB", "score", "ssim", "×base", "time s", "enc"]
    write(_row(cols, widths))
    for group, members in (("kodak", [n for n in names if n.startswith("kodim")]), ("all", names)):
        if not members:
            continue
        b = [base_rows[n] for n in members]
        write(
            _row(
                [
                    f"[{group}] Pillow JPEG q75 baseline",
                    f"{statistics.median(x[0] for x in b) / 1000:.1f}",
                    "",
                    f"{statistics.median(x[1] for x in b):.4f}",
                    "1.00",
                    f"{statistics.median(x[2] for x in b):.2f}",
                    "1",
                ],
                widths,
            )
        )
        for label in MODES:
            r = [summary[label][n] for n in members]
            ratio = statistics.median(summary[label][n][0] / base_rows[n][0] for n in members)
            write(
                _row(
                    [
                        f"[{group}] {label}",
                        f"{statistics.median(x[0] for x in r) / 1000:.1f}",
                        f"{statistics.median(x[1] for x in r):.4f}",
                        f"{statistics.median(x[2] for x in r):.4f}",
                        f"{ratio:.2f}",
                        f"{statistics.median(x[3] for x in r):.2f}",
                        f"{statistics.median(x[4] for x in r):.0f}",
                    ],
                    widths,
                )
            )
    write("")
    write("# yardsticks (company measurements on the Kodak photos)")
    kodak = [n for n in names if n.startswith("kodim")]
    for name, (kb, ssim) in YARDSTICKS.items():
        write(f"{name:34s} {kb:6.1f} KB  SSIM {ssim:.3f}")
    if kodak:
        write("")
        write("# verdict vs Squoosh default (MozJPEG q75: 51.7 KB at SSIM 0.925), Kodak medians")
        sq_kb, sq_ssim = YARDSTICKS["Squoosh MozJPEG q75 (default)"]
        for label in MODES:
            r = [summary[label][n] for n in kodak]
            kb = statistics.median(x[0] for x in r) / 1000
            ssim = statistics.median(x[2] for x in r)
            smaller = kb < sq_kb
            better = ssim >= sq_ssim
            verdict = (
                "beats it (fewer bytes, equal or better SSIM)"
                if smaller and better
                else "smaller but lower SSIM"
                if smaller
                else "better SSIM but MORE bytes"
                if better
                else "loses (more bytes and lower SSIM)"
            )
            write(f"{label:14s} {kb:7.1f} KB  SSIM {ssim:.4f}  -> {verdict}")
        # The company measured on its own Kodak set; scale by the Pillow q75 baseline
        # measured here so both sides see the same images.
        base_kb = statistics.median(base_rows[n][0] for n in kodak) / 1000
        scale = base_kb / YARDSTICK_BASELINE_KB
        write("")
        write(
            f"# same, with yardstick bytes scaled to these images (Pillow q75 here "
            f"{base_kb:.1f} KB vs {YARDSTICK_BASELINE_KB} KB in the company run: x{scale:.3f})"
        )
        for name, (kb, ssim) in YARDSTICKS.items():
            write(f"{name:34s} {kb * scale:6.1f} KB  SSIM {ssim:.3f}")
        sq_scaled = sq_kb * scale
        for label in MODES:
            r = [summary[label][n] for n in kodak]
            kb = statistics.median(x[0] for x in r) / 1000
            ssim = statistics.median(x[2] for x in r)
            diff = 100 * (kb / sq_scaled - 1)
            write(
                f"{label:14s} {kb:7.1f} KB ({diff:+.0f}% vs Squoosh default scaled "
                f"{sq_scaled:.1f} KB)  SSIM {ssim:.4f} ({ssim - sq_ssim:+.4f})"
            )
    if not quick and (corpus / "kodim13.png").exists():
        write("")
        summary["12mp"] = _twelve_megapixels(corpus, write)
    return summary


def _twelve_megapixels(corpus: Path, write: Callable[[str], Any]) -> dict[str, float]:
    """Time one 12-MP photo natively: kodim13 upscaled to 4242×2828, saved as JPEG q92."""
    source = Image.open(corpus / "kodim13.png").convert("RGB")
    big = source.resize((4242, 2828), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    big.save(buffer, "JPEG", quality=92)
    data = buffer.getvalue()
    write(f"# one 12-MP photo (kodim13 upscaled to 4242×2828, JPEG q92, {len(data):,} bytes)")
    times = {}
    for label, options in (("default", Options()), ("webp", Options(format="webp"))):
        start = time.perf_counter()
        result = compress(data, options)
        took = time.perf_counter() - start
        times[label] = took
        write(
            f"{label:8s} {result.format:5s} {result.size:>10,} B  score {result.report['score']}"
            f"  encodes {result.report['encodes']}  {took:.2f} s"
        )
    return times


def main(argv: list[str] | None = None) -> int:
    """Command-line entry: prints the tables to stdout."""
    parser = argparse.ArgumentParser(prog="python -m imgcompress.bench")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--quick", action="store_true", help="first three photos only")
    args = parser.parse_args(argv)
    try:
        import numpy  # noqa: F401
        import skimage  # noqa: F401
    except ImportError:
        print(
            "the benchmark needs the test dependency group (numpy, scikit-image)", file=sys.stderr
        )
        return 2
    run(args.corpus, args.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
