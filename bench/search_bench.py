"""Benchmark of the visual-target search and validation of its score.  Prints figures; it is
not a test.

    .venv/bin/python bench/search_bench.py [--timing-only | --rho-only] [--rounds 3]

Timing: for each camera photo of the corpus, the default ``compress()`` and WebP mode as a
multiple of one plain Pillow decode + JPEG q75 encode of the same file (same run, best of
``--rounds``), with bytes, quality, the engine's score, scikit-image's RGB-mean SSIM of the
output and its block-grid contrast (``imgcompress.score.blocking``) beside a plain q75 JPEG's.

Score: Spearman's rho between the engine's score and scikit-image's SSIM (Gaussian σ=1.5,
RGB mean) over JPEG and WebP candidates of every corpus photo at several qualities, pooled
and per photo.  Run it with another checkout's engine first on ``PYTHONPATH`` to get the
"before" figures.  Needs the shared corpus next to the repository (or $IMGCOMPRESS_CORPUS),
and scikit-image (test dependency group); pillow-heif for the HEIC photo.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import time
from pathlib import Path

import numpy as np
from PIL import Image
from skimage.metrics import structural_similarity

from imgcompress import Options, compress
from imgcompress import score as S

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("IMGCOMPRESS_CORPUS", ROOT / ".." / "shared" / "corpus"))
CAMERA = [
    "photo_gps_iphone6_hdr_no_8mp.jpg",
    "photo_gps_nokia8.3_9mp.jpg",
    "heic_iphone13pro_gps_12mp.heic",
]
KODAK = ["kodim01.png", "kodim03.png", "kodim04.png", "kodim07.png"]
KODAK += ["kodim13.png", "kodim15.png", "kodim20.png", "kodim23.png"]
QUALITIES = (15, 30, 50, 70, 85, 95)
FORMATS = ("JPEG", "WEBP")


def _open(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image.convert("RGB")


def _skimage(a: Image.Image, b: Image.Image) -> float:
    return float(
        structural_similarity(
            np.asarray(a),
            np.asarray(b),
            gaussian_weights=True,
            sigma=1.5,
            use_sample_covariance=False,
            data_range=255,
            channel_axis=2,
        )
    )


def _grid(original: Image.Image, candidate: Image.Image) -> float:
    """Block-grid contrast; NaN for an engine from before ``blocking`` existed."""
    measure = getattr(S, "blocking", None)
    return measure(original, candidate) if measure else float("nan")


def _scorers(original: Image.Image) -> tuple[object, object]:
    """(SSIM, guarded score) of candidates against ``original``, for this engine or an
    earlier one without ``Reference``."""
    if hasattr(S, "Reference"):
        reference = S.Reference(original)
        return reference.ssim, reference.guarded
    return (lambda c: S.score(original, c)), (lambda c: S.guarded_score(original, c))


def _plain(data: bytes) -> float:
    start = time.perf_counter()
    image = Image.open(io.BytesIO(data))
    image.load()
    image.convert("RGB").save(io.BytesIO(), "JPEG", quality=75)
    return time.perf_counter() - start


def _timed(data: bytes, options: Options, rounds: int) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(rounds):
        start = time.perf_counter()
        result = compress(data, options)
        best = min(best, time.perf_counter() - start)
    return best, result


def timing(rounds: int) -> None:
    print("photo  mode  time  ×plain  bytes  q  score  skimage  grid(out)  grid(plain q75)")
    for name in CAMERA:
        data = (CORPUS / name).read_bytes()
        original = _open(data)
        q75 = io.BytesIO()
        original.save(q75, "JPEG", quality=75)
        grid_plain = _grid(original, _open(q75.getvalue()))
        for label, options in (("default", Options()), ("webp", Options(format="webp"))):
            plain = min(_plain(data) for _ in range(rounds))
            seconds, result = _timed(data, options, rounds)
            plain = min(plain, *(_plain(data) for _ in range(rounds)))
            out = _open(result.data)  # type: ignore[attr-defined]
            report = result.report  # type: ignore[attr-defined]
            print(
                f"{name}  {label}  {seconds:.2f}s  {seconds / plain:.1f}×  "
                f"{result.size}  q{report['codec'].get('quality')}  {report['score']}  "  # type: ignore[attr-defined]
                f"{_skimage(original, out):.4f}  {_grid(original, out):.3f}  "
                f"{grid_plain:.3f}  (plain {plain:.3f}s, {report['encodes']} encodes)",
                flush=True,
            )


def _ranks(values: list[float]) -> list[float]:
    order = sorted(range(len(values)), key=values.__getitem__)
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2
        i = j + 1
    return ranks


def spearman(a: list[float], b: list[float]) -> float:
    """Spearman's rank correlation (ties share their mean rank)."""
    ra, rb = _ranks(a), _ranks(b)
    ma, mb = statistics.fmean(ra), statistics.fmean(rb)
    cov = sum((x - ma) * (y - mb) for x, y in zip(ra, rb, strict=True))
    va = sum((x - ma) ** 2 for x in ra)
    vb = sum((y - mb) ** 2 for y in rb)
    return cov / (va * vb) ** 0.5


def rho() -> None:
    ours: list[float] = []
    guarded: list[float] = []
    ref: list[float] = []
    per_photo = []
    for name in KODAK + CAMERA:
        original = _open((CORPUS / name).read_bytes())
        ssim, guard = _scorers(original)
        o, g, r = [], [], []
        for fmt in FORMATS:
            for q in QUALITIES:
                out = io.BytesIO()
                original.save(out, fmt, quality=q)
                candidate = _open(out.getvalue())
                o.append(ssim(candidate))  # type: ignore[operator]
                g.append(guard(candidate))  # type: ignore[operator]
                r.append(_skimage(original, candidate))
        per_photo.append((name, spearman(o, r), max(abs(x - y) for x, y in zip(o, r, strict=True))))
        ours += o
        guarded += g
        ref += r
        print(f"{name}: rho {per_photo[-1][1]:.4f}, score - skimage up to {per_photo[-1][2]:.4f}")
    print(
        f"pooled over {len(ref)} candidates ({len(FORMATS)} formats × {len(QUALITIES)} "
        f"qualities × {len(per_photo)} photos): rho(score, skimage) = {spearman(ours, ref):.4f}, "
        f"rho(guarded score, skimage) = {spearman(guarded, ref):.4f}; "
        f"lowest per-photo rho {min(p[1] for p in per_photo):.4f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--timing-only", action="store_true")
    parser.add_argument("--rho-only", action="store_true")
    args = parser.parse_args()
    try:
        import pillow_heif

        pillow_heif.register_heif_opener()
    except ImportError:
        CAMERA.remove("heic_iphone13pro_gps_12mp.heic")
    if not args.rho_only:
        timing(args.rounds)
    if not args.timing_only:
        rho()


if __name__ == "__main__":
    main()
