"""Benchmark (not a test): our bytes, SSIM and time next to the yardsticks, measured in one run.

Run natively from a clone, after ``make deps`` (the npm codecs) and ``make bench-deps``
(Debian's pngquant)::

    python -m imgcompress.bench [--corpus ../shared/corpus] [--quick] [--no-yardsticks]

Over the Kodak photos (kodim*.png) and the two GPS camera JPEGs it runs our modes (default,
webp, smallest, avif, jpeg, lossy PNG ...), then the yardsticks on the same source pixels:
Squoosh's own codecs (@jsquash/jpeg MozJPEG, @jsquash/webp, @jsquash/avif, each with its
default options, Squoosh's defaults) in Node's WebAssembly via ``bench/squoosh.mjs``, and
Debian's ``pngquant`` with its default settings on the Kodak PNGs. Each comparison prints
ours/theirs ratios, the median over the photos of the per-photo ratios.

SSIM is scikit-image's ``structural_similarity`` (Gaussian σ=1.5, population covariance,
data_range 255, mean over R, G, B) of the decoded output against the source pixels (upright,
same size). Times are not like for like, and the table says so: ours is a whole
``compress()`` natively (decode, search over several encodes, scoring), theirs one encode
call in WebAssembly (Squoosh) or one native pngquant process.
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps

from .engine import DEFAULT_VISUAL_TARGET, compress
from .options import Options
from .score import score

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CORPUS = ROOT / ".." / "shared" / "corpus"
SQUOOSH_RUNNER = ROOT / "bench" / "squoosh.mjs"
SITE = ROOT / "dist" / "site"
PYODIDE_RUNNER = ROOT / "tests" / "runtime" / "pyodide_runner.mjs"
CAMERA_PHOTOS = ("photo_gps_nokia8.3_9mp.jpg", "photo_gps_iphone6_hdr_no_8mp.jpg")
QUICK_PHOTOS = 3

# The company's figures from another run on its own Kodak set (median KB, median SSIM), kept
# as a labelled reference only: the comparisons use the yardsticks measured in this run.
COMPANY_FIGURES = {
    "Squoosh MozJPEG q75": (51.7, 0.925),
    "Squoosh WebP q75": (49.2, 0.935),
    "pngquant": (255.0, 0.982),
}

MODES: dict[str, Options] = {
    "default": Options(),
    "webp": Options(format="webp"),
    "smallest": Options(format="smallest"),
    "q75 (keep)": Options(quality=75),
    "jpeg default": Options(format="jpeg"),
    "jpeg q75": Options(format="jpeg", quality=75),
    # Our score 0.944, the target that matched Squoosh's SSIM before the guard was re-tuned (now
    # 0.931 in skimage; the default 0.94 gives 0.927): kept so runs compare across versions.
    "jpeg @0.944": Options(format="jpeg", visual_target=0.944),
    "webp q75": Options(format="webp", quality=75),
    "webp @0.944": Options(format="webp", visual_target=0.944),
    "avif default": Options(format="avif"),
    "avif @0.944": Options(format="avif", visual_target=0.944),
    # Lossy PNG: the fewest palette colours meeting the default target, and a fixed 256
    # colours (pngquant's default count).
    "png default": Options(format="png"),
    "png 256 colours": Options(format="png", colors=256),
}
# Our JPEG modes once more inside Pyodide from the built site: the engine the browser runs,
# whose JPEG is mozjpeg (trellis quantisation on the kept file); natively Pillow's wheel has
# libjpeg-turbo, so the native rows state the encoder gap, these the shipped bytes.
BROWSER_MODES = {"jpeg default (browser)": "jpeg default", "jpeg q75 (browser)": "jpeg q75"}
BROWSER_SCRIPT = """
import json, time
from pathlib import Path
from imgcompress import Options, compress
job = json.loads(Path("/data/job.json").read_text())
result = []
for i, (label, options) in enumerate(job["modes"].items()):
    for j, name in enumerate(job["names"]):
        data = Path("/data/" + name).read_bytes()
        start = time.perf_counter()
        out = compress(data, Options.from_mapping(options))
        took = time.perf_counter() - start
        Path(f"/data/out-{i}-{j}").write_bytes(out.data)
        result.append({"mode": label, "name": name, "file": f"out-{i}-{j}", "seconds": took,
                       "format": out.format, "score": out.report["score"],
                       "encodes": out.report["encodes"]})
"""
# Modes that only make sense on a PNG source (pngquant's input): skipped on the camera JPEGs.
PNG_ONLY_MODES = ("png default", "png 256 colours")


@dataclass(frozen=True)
class Yardstick:
    """A competitor's encoder and the modes of ours that answer it."""

    key: str
    label: str
    modes: tuple[str, ...]


YARDSTICKS = (
    Yardstick(
        "jpeg",
        "Squoosh MozJPEG q75 (@jsquash/jpeg)",
        # smallest and webp too: the byte targets are all against Squoosh's default.
        ("default", "jpeg default", "jpeg @0.944", "jpeg q75", *BROWSER_MODES, "smallest", "webp"),
    ),
    Yardstick("webp", "Squoosh WebP q75 (@jsquash/webp)", ("webp", "webp @0.944", "webp q75")),
    Yardstick(
        "avif",
        "Squoosh AVIF q50 speed 6 (@jsquash/avif)",
        ("smallest", "avif default", "avif @0.944"),
    ),
    Yardstick("pngquant", "pngquant default (256 colours, dithered)", PNG_ONLY_MODES),
)
SQUOOSH_KEYS = ("jpeg", "webp", "avif")


@dataclass(frozen=True)
class Target:
    """A byte target on the Kodak photos: our mode's median bytes ratio against a yardstick,
    at no lower median SSIM than the yardstick's (within ``SSIM_TIE``)."""

    label: str
    yardstick: str
    mode: str
    most: float


# The quality-search issue's byte targets, each against the same run's yardstick.
TARGETS = (
    Target(
        "JPEG at defaults, as the page writes it (mozjpeg)", "jpeg", "jpeg default (browser)", 0.95
    ),
    Target("smallest at defaults (native AVIF/WebP)", "jpeg", "smallest", 0.70),
    Target("lossy PNG at pngquant's SSIM", "pngquant", "png =SSIM", 0.90),
)

# Per yardstick, our encoder and the knob bisected per photo until its SSIM reaches theirs:
# bytes at equal SSIM, an encoder-against-encoder figure (SSIM is the oracle here; no mode of
# ours can see it), printed as the "=SSIM" row of each comparison.
EQUAL_SSIM_KNOBS = {
    "jpeg": ("jpeg", "quality", 1, 100),
    "webp": ("webp", "quality", 1, 100),
    "avif": ("avif", "quality", 1, 100),
    "pngquant": ("png", "colors", 2, 256),
}


@dataclass(frozen=True)
class Measure:
    """One encoder's answer for one photo."""

    size: int
    ssim: float
    seconds: float
    format: str = ""


def ssim(reference: Image.Image, data: bytes) -> float:
    """scikit-image SSIM, RGB mean, of the decoded ``data`` against ``reference`` (RGB)."""
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


def squoosh(
    sources: Mapping[str, Image.Image], keys: Sequence[str], workdir: Path
) -> tuple[dict[str, dict[str, Measure]], dict[str, Any]]:
    """Encode every photo with Squoosh's codecs under Node; per codec, per photo, a Measure.

    The photos go to Node as raw RGBA (decoded here by Pillow), so both sides start from the
    very same pixels.  Also returns Node's and the packages' versions.
    """
    node = shutil.which("node")
    if node is None:
        raise SystemExit("the Squoosh yardsticks need Node (node) on PATH")
    if not (ROOT / "node_modules" / "@jsquash").is_dir():
        raise SystemExit("the Squoosh codecs are not installed: run `make deps` (npm ci)")
    images = []
    for name, upright in sources.items():
        raw = workdir / f"{name}.rgba"
        raw.write_bytes(upright.convert("RGBA").tobytes())
        images.append(
            {"name": name, "rgba": str(raw), "width": upright.width, "height": upright.height}
        )
    job = {"codecs": list(keys), "out": str(workdir), "images": images}
    done = subprocess.run(
        [node, str(SQUOOSH_RUNNER)],
        input=json.dumps(job),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"bench/squoosh.mjs failed: {done.stderr.strip()}")
    answer = json.loads(done.stdout)
    out: dict[str, dict[str, Measure]] = {key: {} for key in keys}
    for r in answer["results"]:
        data = Path(r["file"]).read_bytes()
        if len(data) != r["bytes"]:
            raise SystemExit(f"{r['file']}: {len(data)} bytes on disk, Node said {r['bytes']}")
        out[r["codec"]][r["name"]] = Measure(
            len(data), ssim(sources[r["name"]], data), r["ms"] / 1000
        )
    return out, {"node": answer["node"], **answer["versions"]}


def run_in_pyodide(site: Path, workdir: Path, script: str, timeout: float | None = None) -> Any:
    """Runs ``script`` in the built site's Pyodide under Node (the runtime tests' runner), with
    ``workdir`` as its /data, and returns the script's ``result``."""
    node = shutil.which("node")
    if node is None:
        raise SystemExit("running the engine in Pyodide needs Node (node) on PATH")
    out = workdir / "result.json"
    done = subprocess.run(
        [node, str(PYODIDE_RUNNER), str(site), str(workdir), str(out)],
        input=script,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"the Pyodide run failed: {done.stderr.strip()[-2000:]}")
    return json.loads(out.read_text())


def browser(
    sources: Mapping[str, tuple[Path, bytes, Image.Image]], workdir: Path
) -> dict[str, dict[str, tuple[Measure, float, int]]]:
    """``BROWSER_MODES`` run by the built site's engine in Pyodide under Node; per mode, per
    photo, a Measure (its SSIM measured here, its time Pyodide's ``compress()``), our score
    and the encodes spent."""
    for name, (_, data, _) in sources.items():
        (workdir / name).write_bytes(data)
    modes = {label: MODES[mode].to_dict() for label, mode in BROWSER_MODES.items()}
    (workdir / "job.json").write_text(json.dumps({"modes": modes, "names": list(sources)}))
    measured: dict[str, dict[str, tuple[Measure, float, int]]] = {m: {} for m in BROWSER_MODES}
    for r in run_in_pyodide(SITE, workdir, BROWSER_SCRIPT):
        data = (workdir / r["file"]).read_bytes()
        upright = sources[r["name"]][2]
        m = Measure(len(data), ssim(upright, data), r["seconds"], r["format"])
        measured[r["mode"]][r["name"]] = (m, r["score"], r["encodes"])
    return measured


def pngquant(
    files: Mapping[str, Path], sources: Mapping[str, Image.Image], workdir: Path
) -> tuple[dict[str, Measure], str]:
    """Debian's pngquant with its default settings on each PNG; a Measure per photo."""
    exe = shutil.which("pngquant")
    if exe is None:
        raise SystemExit("the pngquant yardstick needs Debian's pngquant: run `make bench-deps`")
    version = subprocess.run(
        [exe, "--version"], capture_output=True, text=True, check=True
    ).stdout.strip()
    out = {}
    for name, path in files.items():
        target = workdir / f"{name}.pngquant.png"
        start = time.perf_counter()
        subprocess.run([exe, "--force", "--output", str(target), "--", str(path)], check=True)
        took = time.perf_counter() - start
        data = target.read_bytes()
        out[name] = Measure(len(data), ssim(sources[name], data), took)
    return out, version


# Half a unit of the printed SSIM ratio's last decimal: closer to 1 than this is a tie.
SSIM_TIE = 0.0005


@dataclass(frozen=True)
class Ratios:
    """Medians over the photos of ours/theirs per photo, and the medians of each side."""

    photos: int
    formats: str
    size: float
    ssim: float
    seconds: float
    our_kb: float
    their_kb: float
    our_ssim: float
    their_ssim: float

    @property
    def verdict(self) -> str:
        """Plain words for where we stand: ahead only with fewer bytes and no lower SSIM.

        SSIM ratios within ``SSIM_TIE`` of 1 count as equal: the table prints three decimals,
        and a verdict must not call a printed 1.000 lower (or better).
        """
        if self.ssim > 1 + SSIM_TIE:
            quality = "better SSIM"
        elif self.ssim < 1 - SSIM_TIE:
            quality = "LOWER SSIM"
        else:
            quality = "equal SSIM"
        if self.size < 1.0:
            return f"{'ahead' if quality != 'LOWER SSIM' else 'mixed'}: fewer bytes, {quality}"
        return f"BEHIND: more bytes, {quality}"


def ratios(
    ours: Mapping[str, Measure], theirs: Mapping[str, Measure], names: Iterable[str]
) -> Ratios:
    """Per-photo ours/theirs for bytes, SSIM and seconds, reduced to medians over ``names``."""
    names = [n for n in names if n in ours and n in theirs]
    if not names:
        raise ValueError("no photo measured by both sides")

    def median(values: Iterable[float]) -> float:
        return float(statistics.median(values))

    return Ratios(
        photos=len(names),
        formats="/".join(sorted({ours[n].format for n in names if ours[n].format})),
        size=median(ours[n].size / theirs[n].size for n in names),
        ssim=median(ours[n].ssim / theirs[n].ssim for n in names),
        seconds=median(ours[n].seconds / theirs[n].seconds for n in names),
        our_kb=median(ours[n].size / 1000 for n in names),
        their_kb=median(theirs[n].size / 1000 for n in names),
        our_ssim=median(ours[n].ssim for n in names),
        their_ssim=median(theirs[n].ssim for n in names),
    )


COMPARISON_HEADER = [
    "ours (mode)",
    "n",
    "bytes ×",
    "SSIM ×",
    "time ×",
    "KB ours/theirs",
    "SSIM ours/theirs",
    "",
]
COMPARISON_WIDTHS = [27, 2, 7, 7, 7, 15, 16, 0]


def comparison_lines(label: str, rows: Mapping[str, Ratios]) -> list[str]:
    """The table of one yardstick: a line per mode of ours, ratios first, then the medians."""
    lines = [f"## vs {label}", _row(COMPARISON_HEADER, COMPARISON_WIDTHS).rstrip()]
    for mode, r in rows.items():
        cells = [
            f"{mode} → {r.formats}" if r.formats else mode,
            str(r.photos),
            f"{r.size:.2f}",
            f"{r.ssim:.3f}",
            f"{r.seconds:.2f}",
            f"{r.our_kb:.1f}/{r.their_kb:.1f}",
            f"{r.our_ssim:.4f}/{r.their_ssim:.4f}",
            r.verdict,
        ]
        lines.append(_row(cells, COMPARISON_WIDTHS))
    return lines


def target_lines(rows: Mapping[tuple[str, str], Ratios], photos: int) -> list[str]:
    """One line per byte target: the measured median ratio, and met or NOT met (a target
    counts as met only on every Kodak photo and at no lower median SSIM than the
    yardstick's)."""
    lines = ["# byte targets, Kodak medians against the same run's yardsticks"]
    for target in TARGETS:
        r = rows.get((target.yardstick, target.mode))
        if r is None:
            lines.append(f"  {target.label}: not measured in this run")
            continue
        # The issue's criterion is the medians' SSIM, not the median of per-photo SSIM ratios
        # (which the comparison rows print): an adaptive default spends SSIM where it is cheap.
        no_lower = r.our_ssim >= r.their_ssim - SSIM_TIE
        met = r.size <= target.most and no_lower and r.photos == photos
        lines.append(
            f"  {target.label}: {r.size:.3f}× (target ≤ {target.most:.2f}×) at SSIM "
            f"{r.our_ssim:.4f}/{r.their_ssim:.4f} on {r.photos} of {photos} photos: "
            + ("met" if met else "NOT met")
        )
    return lines


def load_sources(corpus: Path, quick: bool) -> dict[str, tuple[Path, bytes, Image.Image]]:
    """The photos by name: their path, their bytes and their upright RGB pixels."""
    names = sorted(p.name for p in corpus.glob("kodim*.png"))
    names += [n for n in CAMERA_PHOTOS if (corpus / n).exists()]
    if quick:
        names = names[:QUICK_PHOTOS]
    sources = {}
    for name in names:
        data = (corpus / name).read_bytes()
        with Image.open(io.BytesIO(data)) as im:
            upright = ImageOps.exif_transpose(im).convert("RGB")
        sources[name] = (corpus / name, data, upright)
    return sources


def run(
    corpus: Path,
    quick: bool = False,
    write: Callable[[str], Any] = print,
    yardsticks: Sequence[str] = tuple(y.key for y in YARDSTICKS),
    in_browser: bool = True,
) -> dict[str, Any]:
    """Run our modes and the chosen yardsticks over the photos; print tables and ratios.

    ``in_browser``: also ``BROWSER_MODES`` in Pyodide, when the site is built."""
    sources = load_sources(corpus, quick)
    names = list(sources)
    pixels = {name: upright for name, (_, _, upright) in sources.items()}
    pngs = [n for n, (path, _, _) in sources.items() if path.suffix == ".png"]

    widths = [34, 10, 7, 7, 7, 6, 5]
    header = ["image", "bytes", "score", "ssim", "×base", "time s", "enc"]
    summary: dict[str, Any] = {}
    base_rows = {}
    write("# baseline: Pillow JPEG q75 optimize (same run)")
    write(_row(header, widths))
    for name, upright in pixels.items():
        data, took = _baseline(upright)
        base_rows[name] = (len(data), ssim(upright, data), took)
        cells = [
            name,
            f"{len(data):,}",
            "",
            f"{base_rows[name][1]:.4f}",
            "1.00",
            f"{took:.2f}",
            "1",
        ]
        write(_row(cells, widths))
    summary["baseline"] = base_rows

    ours: dict[str, dict[str, Measure]] = {}
    for label, options in MODES.items():
        write("")
        target = (
            f"quality {options.quality}"
            if options.quality
            else f"visual target {options.visual_target or DEFAULT_VISUAL_TARGET}"
        )
        colours = f", {options.colors} colours" if options.colors != "auto" else ""
        write(f"# mode: {label}  ({options.format}, {target}{colours})")
        write(_row([*header, "fmt"], [*widths, 5]))
        rows = {}
        ours[label] = {}
        for name, (_, data, upright) in sources.items():
            if label in PNG_ONLY_MODES and name not in pngs:
                continue
            start = time.perf_counter()
            result = compress(data, options)
            took = time.perf_counter() - start
            measured = ssim(upright, result.data)
            ours_score = result.report.get("score")
            if ours_score is None:
                ours_score = score(upright, Image.open(io.BytesIO(result.data)).convert("RGB"))
            rows[name] = (
                result.size,
                ours_score,
                measured,
                took,
                result.report["encodes"],
                result.format,
            )
            ours[label][name] = Measure(result.size, measured, took, result.format)
            cells = [
                name,
                f"{result.size:,}",
                f"{ours_score:.4f}",
                f"{measured:.4f}",
                f"{result.size / base_rows[name][0]:.2f}",
                f"{took:.2f}",
                str(result.report["encodes"]),
                result.format,
            ]
            write(_row(cells, [*widths, 5]))
        summary[label] = rows

    if in_browser and (SITE / "index.html").exists():
        with tempfile.TemporaryDirectory(prefix="imgcompress-bench-") as tmp:
            in_pyodide = browser(sources, Path(tmp))
        for label, rows in in_pyodide.items():
            write("")
            write(f"# mode: {label}  (in Pyodide from {SITE.name}/, mozjpeg; time: Pyodide)")
            write(_row([*header, "fmt"], [*widths, 5]))
            ours[label], summary[label] = {}, {}
            for name, (m, ours_score, encodes) in rows.items():
                ours[label][name] = m
                summary[label][name] = (m.size, ours_score, m.ssim, m.seconds, encodes, m.format)
                cells = [
                    name,
                    f"{m.size:,}",
                    f"{ours_score:.4f}",
                    f"{m.ssim:.4f}",
                    f"{m.size / base_rows[name][0]:.2f}",
                    f"{m.seconds:.2f}",
                    str(encodes),
                    m.format,
                ]
                write(_row(cells, [*widths, 5]))
    elif in_browser:
        write("")
        write(f"# browser engine rows skipped: no built site in {SITE} (make site)")

    write("")
    write("# medians of our modes (Kodak photos; then all photos)")
    write(_row(["mode", "KB", "score", "ssim", "×base", "time s", "enc"], widths))
    for group, members in (("kodak", [n for n in names if n.startswith("kodim")]), ("all", names)):
        if not members:
            continue
        for label in [*MODES, *(m for m in BROWSER_MODES if m in summary)]:
            present = [n for n in members if n in summary[label]]
            if not present:
                continue
            r = [summary[label][n] for n in present]
            cells = [
                f"[{group}] {label}",
                f"{statistics.median(x[0] for x in r) / 1000:.1f}",
                f"{statistics.median(x[1] for x in r):.4f}",
                f"{statistics.median(x[2] for x in r):.4f}",
                f"{statistics.median(summary[label][n][0] / base_rows[n][0] for n in present):.2f}",
                f"{statistics.median(x[3] for x in r):.2f}",
                f"{statistics.median(x[4] for x in r):.0f}",
            ]
            write(_row(cells, widths))

    if yardsticks:
        summary["yardsticks"] = _yardsticks(sources, pixels, pngs, ours, yardsticks, write)
    if not quick and (corpus / "kodim13.png").exists():
        write("")
        summary["12mp"] = _twelve_megapixels(corpus, write)
    return summary


def _yardsticks(
    sources: Mapping[str, tuple[Path, bytes, Image.Image]],
    pixels: Mapping[str, Image.Image],
    pngs: Sequence[str],
    ours: Mapping[str, Mapping[str, Measure]],
    keys: Sequence[str],
    write: Callable[[str], Any],
) -> dict[str, dict[str, Measure]]:
    """Measure the chosen yardsticks on the same photos, print them, then every comparison."""
    theirs: dict[str, dict[str, Measure]] = {}
    with tempfile.TemporaryDirectory(prefix="imgcompress-bench-") as tmp:
        workdir = Path(tmp)
        wanted = [k for k in SQUOOSH_KEYS if k in keys]
        if wanted:
            measured, versions = squoosh(pixels, wanted, workdir)
            theirs.update(measured)
            write("")
            write(
                "# Squoosh codecs, default options, in Node's WebAssembly (same run): "
                + ", ".join(f"{k} {v}" for k, v in versions.items())
            )
        if "pngquant" in keys and pngs:
            files = {n: sources[n][0] for n in pngs}
            theirs["pngquant"], version = pngquant(files, pixels, workdir)
            write(f"# pngquant {version}, default settings, on the Kodak PNGs (same run)")
    for yardstick in YARDSTICKS:
        if yardstick.key not in theirs:
            continue
        write("")
        write(f"# {yardstick.label}")
        write(_row(["image", "bytes", "ssim", "time s"], [34, 10, 7, 7]))
        for name, m in theirs[yardstick.key].items():
            write(_row([name, f"{m.size:,}", f"{m.ssim:.4f}", f"{m.seconds:.2f}"], [34, 10, 7, 7]))

    write("")
    write("# ours / theirs, per photo, median over the photos (× < 1: we are smaller/faster)")
    write(
        "# time: ours = whole compress() natively (decode, search over several encodes, "
        "scoring); theirs = one encode call"
    )
    write(
        "# (Squoosh: WebAssembly under Node; pngquant: one native process). Shared 2-core "
        "machine with other builds running: times are noisy."
    )
    kodak = [n for n in sources if n.startswith("kodim")]
    kodak_rows: dict[tuple[str, str], Ratios] = {}
    for yardstick in YARDSTICKS:
        if yardstick.key not in theirs:
            continue
        fmt, knob = EQUAL_SSIM_KNOBS[yardstick.key][:2]
        equal = f"{fmt} =SSIM"
        settings = {}
        ours = {**ours, equal: {}}
        for name, m in theirs[yardstick.key].items():
            _, data, upright = sources[name]
            found = at_equal_ssim(data, upright, yardstick.key, m.ssim)
            if found is not None:
                ours[equal][name], settings[name] = found
        missed = sorted(set(theirs[yardstick.key]) - set(settings))
        for group, members in (("Kodak", kodak), ("all photos", list(sources))):
            measured = [n for n in members if n in theirs[yardstick.key]]
            if group != "Kodak" and measured == [n for n in kodak if n in theirs[yardstick.key]]:
                continue  # no other photo: the same table again would say nothing new
            if not measured:
                continue
            rows = {
                mode: ratios(ours[mode], theirs[yardstick.key], measured)
                for mode in yardstick.modes
                if mode in ours
            }
            if any(n in ours[equal] for n in measured):
                rows[equal] = ratios(ours[equal], theirs[yardstick.key], measured)
            if group == "Kodak":
                kodak_rows.update({(yardstick.key, mode): r for mode, r in rows.items()})
            write("")
            for line in comparison_lines(f"{yardstick.label}, {group}", rows):
                write(line)
        reached = ", ".join(f"{n} {v}" for n, v in settings.items()) or "none"
        write(
            f"  {equal}: our {fmt} encoder at the lowest {knob} reaching their SSIM, per photo: "
            + reached
            + (f"; never reached (even at the top setting): {', '.join(missed)}" if missed else "")
            + "; its time is one compress() at that setting"
        )
    write("")
    for line in target_lines(kodak_rows, len(kodak)):
        write(line)
    write("")
    write(
        "# reference only, not measured here: the company's earlier figures on its Kodak set "
        + "; ".join(f"{k} {kb:.1f} KB @ SSIM {s:.3f}" for k, (kb, s) in COMPANY_FIGURES.items())
    )
    return theirs


def at_equal_ssim(
    data: bytes, upright: Image.Image, yardstick: str, target: float
) -> tuple[Measure, int] | None:
    """Our encoder at the lowest knob setting whose SSIM reaches ``target``, and that setting.

    Bisection over the knob (SSIM grows with quality and with colours, near enough); None when
    even the top setting stays below.  The time is one more ``compress()`` at that setting.
    """
    fmt, knob, lo, hi = EQUAL_SSIM_KNOBS[yardstick]
    found = None
    while lo <= hi:
        mid = (lo + hi) // 2
        result = compress(data, Options(format=fmt, **{knob: mid}))
        measured = ssim(upright, result.data)
        if measured >= target:
            found = (mid, result.size, measured)
            hi = mid - 1
        else:
            lo = mid + 1
    if found is None:
        return None
    setting, size, measured = found
    start = time.perf_counter()
    compress(data, Options(format=fmt, **{knob: setting}))
    return Measure(size, measured, time.perf_counter() - start, fmt), setting


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
    parser.add_argument(
        "--quick", action="store_true", help=f"first {QUICK_PHOTOS} photos only, no 12-MP run"
    )
    parser.add_argument(
        "--no-yardsticks", action="store_true", help="our modes only (no Node, no pngquant)"
    )
    parser.add_argument(
        "--no-browser",
        action="store_true",
        help="skip the JPEG modes in Pyodide (run by default when dist/site is built)",
    )
    args = parser.parse_args(argv)
    try:
        import numpy  # noqa: F401
        import skimage  # noqa: F401
    except ImportError:
        print(
            "the benchmark needs the test dependency group (numpy, scikit-image)", file=sys.stderr
        )
        return 2
    run(
        args.corpus,
        args.quick,
        yardsticks=() if args.no_yardsticks else tuple(y.key for y in YARDSTICKS),
        in_browser=not args.no_browser,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
