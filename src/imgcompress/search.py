"""Find the encoding that meets a visual score or a fixed quality (byte budgets: ``budget``).

Strategies follow the codec's capabilities (``quality_range``, ``palette``,
``lossless_alternative``, ``fast_probes``), never its name.  Every candidate is scored
against the same prepared reference the codec encoded from.

A visual-target search on a large image probes on the score's *mosaic* (its tiles side
by side, ``imgcompress.score``), not on the whole image: encoding, decoding and scoring
0.5 MP instead of 8–12 MP is what makes a search cost little more than the final encode.
The tiles sit on the codecs' block grid, so a block codec (JPEG) codes them exactly as it
codes them inside the whole image; codecs with whole-image decisions (WebP's segments,
AVIF) come close.  The quality found is then encoded once at full size and checked on the
same tiles; if that file misses the target, the quality is raised (``CONFIRM_STEP``, at
most ``CONFIRM_TRIES`` encodes in all).
"""

from __future__ import annotations

import io
import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from PIL import Image

from . import codecs, pixels
from .codecs import Codec, Picture, Settings
from .options import Options
from .score import Parts, Reference, mosaic

MAX_ENCODES = 8
# Probes of a codec's other table shapes when the block-grid guard held its search (of the
# mosaic, or of a small image whole): the Kodak photos that tried one spent 3-4 of them, the
# secant starting from the plain shape's quality.
SHAPE_PROBES = 4
# Full-size encodes that confirm a quality found on the mosaic, and the step between them.
CONFIRM_TRIES = 3
CONFIRM_STEP = 2
# A passing full-size file is kept unless the mosaic's curve, moved by the measured bias,
# says a quality this many points lower would pass too (``_confirm``).
CONFIRM_GAIN = 4
# Probes that bisect the point below the lowest passing whole quality, for codecs that take
# fractions (``Codec.fine_quality``): two find it to a quarter of a point.
FINE_PROBES = 2
ANIMATION_QUALITY = 80
# Scores are reported to this many decimals (the score's own noise is ~1e-4).
SCORE_DECIMALS = 5
# Secant steps never jump more than this many quality points at once.
MAX_JUMP = 40
FIRST_STEP = 10
# SSIM barely penalises dither noise (a 32-colour dithered kodim01 still scores 0.96 in
# scikit-image too), so photos stop at 64 colours; graphics go lower.
PHOTO_MIN_COLOURS = 64
GRAPHIC_MIN_COLOURS = 2


@dataclass
class Candidate:
    """One encoded file and what is known about it."""

    data: bytes
    codec: Codec
    params: dict[str, Any]
    score: float | None
    size: tuple[int, int]
    # Encoded from the score's mosaic of the image (a search probe), not the whole image.
    proxy: bool = False
    settings: Settings = field(default_factory=Settings)
    # The score's SSIM and penalties, once scored against a reference (not for lossless).
    parts: Parts | None = None

    @property
    def nbytes(self) -> int:
        """Its length in bytes."""
        return len(self.data)


@dataclass
class Job:
    """Everything the encoders need about the prepared image."""

    image: Image.Image
    frames: list[Image.Image]
    durations: list[int]
    loop: int | None
    disposal: list[int] | None
    icc: bytes | None
    exif: bytes | None
    options: Options
    photo: bool
    note: Callable[..., None]
    encodes: int = 0
    _scaled: dict[tuple[int, int], tuple[Image.Image, list[Image.Image]]] = field(
        default_factory=dict
    )
    _references: dict[tuple[str, tuple[int, int]], tuple[Reference, str]] = field(
        default_factory=dict
    )
    _mosaics: dict[tuple[str, tuple[int, int]], Picture] = field(default_factory=dict)

    @property
    def animated(self) -> bool:
        """More than one frame."""
        return len(self.frames) > 1

    @property
    def has_alpha(self) -> bool:
        """Whether any pixel is transparent (fully opaque alpha was dropped earlier)."""
        return self.image.mode in ("RGBA", "LA")

    def at(self, size: tuple[int, int]) -> tuple[Image.Image, list[Image.Image]]:
        """The image and frames at ``size``, resized once and remembered."""
        if size == self.image.size:
            return self.image, self.frames
        if size not in self._scaled:
            frames = [pixels.resize(f, size) for f in self.frames]
            first = frames[0] if self.animated else pixels.resize(self.image, size)
            self._scaled[size] = (first, frames)
        return self._scaled[size]

    def reference(self, codec: Codec, size: tuple[int, int]) -> tuple[Reference, str]:
        """What candidates of ``codec`` at ``size`` are scored against, and the mode to
        decode them to; built once, so the original's side of the score is computed once."""
        key = (codec.name, size)
        if key not in self._references:
            prepared = codec.prepare(self.at(size)[0])
            grey = prepared.mode in ("L", "LA")
            alpha = self.has_alpha and codec.alpha
            mode = ("LA" if alpha else "L") if grey else ("RGBA" if alpha else "RGB")
            # Pillow's convert() to the same mode copies every pixel (8 MP: 24 MB, 40-80 ms in
            # the browser); the reference keeps only its mosaic, so the job's pixels serve.
            reference = Reference(prepared if prepared.mode == mode else prepared.convert(mode))
            if codec.quality_range and codec.encode is not None and not self.animated:
                reference.plain = lambda: self._plain(codec, size, mode)
            self._references[key] = (reference, mode)
        return self._references[key]

    def _plain(self, codec: Codec, size: tuple[int, int], mode: str) -> Image.Image:
        """The codec's default-quality encode of what is scored (the mosaic, when there is
        one), decoded: the block grid the guard allows (``Reference.grid_allowance``)."""
        proxy = self.proxy_picture(codec, size)
        cand = encode(self, codec, size, Settings(probe=proxy is not None), proxy)
        with Image.open(io.BytesIO(cand.data)) as decoded:
            return decoded.convert(mode)

    def proxy_picture(self, codec: Codec, size: tuple[int, int]) -> Picture | None:
        """The score's mosaic of what ``codec`` encodes at ``size``, for search probes; None
        when the image is small enough to be probed whole (or is an animation)."""
        reference, _ = self.reference(codec, size)
        if not reference.boxes or self.animated:
            return None
        key = (codec.name, size)
        if key not in self._mosaics:
            prepared = codec.prepare(self.at(size)[0])
            same = reference.mode == prepared.mode
            tiles = reference.mosaic if same else mosaic(prepared, reference.boxes)
            self._mosaics[key] = Picture.still(tiles)
        return self._mosaics[key]

    def picture(self, codec: Codec, size: tuple[int, int]) -> Picture:
        """What ``codec`` encodes at ``size``: the pixels it needs and what travels along."""
        image, frames = self.at(size)
        prepared = [codec.prepare(f) for f in frames] if self.animated else [codec.prepare(image)]
        return Picture(
            image=prepared[0],
            frames=tuple(prepared),
            durations=tuple(self.durations),
            loop=self.loop,
            disposal=tuple(self.disposal) if self.disposal is not None else None,
            icc=self.icc,
            exif=self.exif,
        )


def encode(
    job: Job,
    codec: Codec,
    size: tuple[int, int],
    settings: Settings,
    proxy: Picture | None = None,
) -> Candidate:
    """One encode, counted (of ``proxy``, the mosaic, when given); lossless ones are known
    to score 1.0."""
    job.encodes += 1
    assert codec.encode is not None, "choose() hands out writable codecs only"
    encoded = codec.encode(proxy or job.picture(codec, size), settings)
    exact = settings.lossless or (codec.lossless and settings.colors is None)
    score = 1.0 if exact else None
    return Candidate(encoded.data, codec, encoded.params, score, size, proxy is not None, settings)


def score(job: Job, cand: Candidate) -> float:
    """The visual score of a candidate against what its codec was given."""
    if cand.score is not None:
        return cand.score
    reference, mode = job.reference(cand.codec, cand.size)
    with Image.open(io.BytesIO(cand.data)) as decoded:
        decoded.load()
        decoded_im = decoded if decoded.mode == mode else decoded.convert(mode)
    cand.parts = reference.guarded_parts(decoded_im, proxy=cand.proxy)
    cand.score = round(cand.parts.total, SCORE_DECIMALS)
    return cand.score


@dataclass(frozen=True)
class Curve:
    """What a secant search assumes about how its metric rises with quality: the axis on
    which it is close to a straight line, the slope to guess before two tries measure one
    (None: a fixed ``FIRST_STEP``), and how far past an extrapolated answer to aim so that
    the next try brackets it."""

    forward: Callable[[float], float] = float
    inverse: Callable[[float], float] = float
    first_slope: float | None = None
    overshoot: int = 2


LINEAR = Curve()


def visual_curve(codec: Codec) -> Curve:
    """The curve a visual search of ``codec`` assumes: -log(1 - score) close to linear in
    √q when the codec says its score rises smoothly (``Codec.smooth_slope``), else linear.

    Simulated on every corpus photo's full WebP quality curve at targets 0.90-0.97 (84
    searches), against the linear secant: probes on the large photos' mosaics 6.2 -> 5.0 on
    average, the same quality found in every search.  On JPEG the √q curve found the same
    qualities too, but the table-shape search that starts at the plain shape's answer,
    just above the guard's jump, leapt far below it and ran out of probes.
    """
    if codec.smooth_slope is None:
        return LINEAR
    return Curve(math.sqrt, _square, first_slope=codec.smooth_slope, overshoot=0)


def _square(x: float) -> float:
    return x * x


def _next_try(curve: Curve, history: list[tuple[int, float]], goal: float, passed: bool) -> int:
    """Where to try next while every try so far is on one side of ``goal``: extrapolated
    from the last two tries along ``curve``, or from the guessed slope after one."""
    q, value = history[-1]
    pair = len(history) >= 2 and history[-2][1] != value
    slope = curve.first_slope
    if pair:
        q1, v1 = history[-2]
        measured = (value - v1) / (curve.forward(q) - curve.forward(q1))
        slope = measured if measured > 0 else curve.first_slope
    if slope is None:
        if not pair:
            return q + (-FIRST_STEP if passed else FIRST_STEP)
        jump = 0
    else:
        x = curve.forward(q) + (goal - value) / slope
        jump = round(curve.inverse(x) if x > 0 else 1) - q
    jump = max(-MAX_JUMP, min(MAX_JUMP, jump))
    if len(history) == 1:
        jump = (-1 if passed else 1) * max(FIRST_STEP, abs(jump))
    return q + jump + (-curve.overshoot if passed else curve.overshoot)


def secant(
    make: Callable[[int], Candidate],
    metric: Callable[[Candidate], float],
    goal: float,
    start: int,
    budget: int,
    curve: Curve = LINEAR,
) -> tuple[Candidate | None, Candidate | None]:
    """Lowest q in 1..100 whose candidate has ``metric >= goal`` (metric rising with q).

    With tries on both sides it interpolates between the nearest failing and passing
    ones along ``curve``; with tries on one side only it extrapolates (``_next_try``), so a
    far-away answer is reached in a few jumps.  Every third step bisects so a lopsided
    curve cannot stall it.  Returns (lowest passing, highest failing) after at most
    ``budget`` encodes.
    """
    lo, hi = 0, 101
    lo_v: float | None = None
    hi_v: float | None = None
    best: Candidate | None = None
    closest: Candidate | None = None
    history: list[tuple[int, float]] = []
    q = start
    for step in range(budget):
        cand = make(q)
        value = metric(cand)
        history.append((q, value))
        if value >= goal:
            hi, hi_v, best = q, value, cand
        else:
            lo, lo_v, closest = q, value, cand
        if hi - lo <= 1:
            break
        if lo_v is not None and hi_v is not None:
            if step % 3 == 2 or hi_v <= lo_v:
                q = (lo + hi) // 2
            else:
                x_lo, x_hi = curve.forward(lo), curve.forward(hi)
                q = round(curve.inverse(x_lo + (goal - lo_v) / (hi_v - lo_v) * (x_hi - x_lo)))
        else:
            q = _next_try(curve, history, goal, passed=hi_v is not None)
        q = min(max(q, lo + 1, 1), hi - 1, 100)
        if any(q == tried for tried, _ in history):
            break
    return best, closest


def _log_distance(value: float) -> float:
    """-log(1 - score): close to linear in quality, so secant steps land well."""
    return -math.log(max(1e-6, 1.0 - value))


def _quality_visual(job: Job, codec: Codec, size: tuple[int, int], target: float) -> Candidate:
    proxy = job.proxy_picture(codec, size)
    probe = proxy is not None and codec.fast_probes
    history: list[tuple[int, float]] = []

    def metric(cand: Candidate) -> float:
        value = _log_distance(score(job, cand))
        history.append((int(cand.params["quality"]), value))
        return value

    best, closest = secant(
        lambda q: encode(job, codec, size, Settings(quality=q, probe=probe), proxy),
        metric,
        _log_distance(target),
        codec.start_quality,
        MAX_ENCODES,
        visual_curve(codec),
    )
    chosen = best or closest
    assert chosen is not None
    if proxy is None:
        # Small images are searched whole: every candidate is already a final file.
        if best is None:
            return chosen
        shaped = _other_shapes(job, codec, size, target, best, closest)
        return _finer(job, codec, size, target, shaped)
    quality = int(chosen.params["quality"])
    if best is None:
        # Not even the best quality tried reaches the target: write the closest once.
        return encode(job, codec, size, Settings(quality=quality))
    if codec.exact_tiles:
        chosen = _other_shapes(job, codec, size, target, best, closest, proxy)
        chosen = _finer(job, codec, size, target, chosen, proxy)
        # The whole image's tiles decode exactly as the probe's: its score is the probe's.
        final = encode(job, codec, size, replace(chosen.settings, probe=False))
        final.score = chosen.score
        return final
    return _confirm(job, codec, size, target, quality, history)


def grid_held(cand: Candidate | None, target: float) -> bool:
    """Whether ``cand`` failed ``target`` only for its block grid: SSIM less the colour
    shift would have passed."""
    parts = cand.parts if cand is not None else None
    return parts is not None and parts.grid > 0 and parts.ssim - parts.shift >= target


def _other_shapes(
    job: Job,
    codec: Codec,
    size: tuple[int, int],
    target: float,
    best: Candidate,
    failed: Candidate | None,
    proxy: Picture | None = None,
) -> Candidate:
    """The smallest passing mosaic probe over the codec's table shapes, ``best`` being the
    plain shape's: tried only when the block grid held the plain search at ``failed`` (the
    highest quality that missed), within ``SHAPE_PROBES`` probes (of the mosaic when there is
    one, else of the whole image, which are then final files).

    On a mosaic, bytes are compared on the probes and the kept file is the same quality and
    shape written with the codec's full effort; that this changes both shapes' bytes by about
    the same factor is assumed, not measured (small images compare final files).
    """
    if len(codec.shapes) < 2 or not grid_held(failed, target):
        return best
    goal = _log_distance(target)
    probe = proxy is not None and codec.fast_probes
    start = int(best.params["quality"])
    passing = [best]
    others = codec.shapes[1:]
    for i, shape in enumerate(others):
        budget = SHAPE_PROBES // len(others) + (i < SHAPE_PROBES % len(others))
        found, _ = secant(
            lambda q, shape=shape: encode(
                job, codec, size, Settings(quality=q, probe=probe, shape=shape), proxy
            ),
            lambda cand: _log_distance(score(job, cand)),
            goal,
            start,
            budget,
            visual_curve(codec),
        )
        if found is not None:
            passing.append(found)
    return min(passing, key=lambda c: c.nbytes)


def _finer(
    job: Job,
    codec: Codec,
    size: tuple[int, int],
    target: float,
    best: Candidate,
    proxy: Picture | None = None,
) -> Candidate:
    """``best`` (the lowest passing whole quality of its shape) or a passing file a fraction
    of a point below it, bisected within ``FINE_PROBES`` probes, for codecs that take
    fractions (``Codec.fine_quality``; on the mosaic when there is one).

    Why: a whole-point search overshoots the lowest passing quality by half a point on
    average.  The point below ``best`` usually missed (a shape search with few probes may
    not have tried it), so only that point is bisected, and only a smaller passing file
    replaces ``best``.
    """
    quality = float(best.params["quality"])
    if not codec.fine_quality or quality <= 1:
        return best
    probe = proxy is not None and codec.fast_probes
    lo, hi = quality - 1, quality
    for _ in range(FINE_PROBES):
        mid = (lo + hi) / 2
        cand = encode(job, codec, size, replace(best.settings, quality=mid, probe=probe), proxy)
        if score(job, cand) >= target and cand.nbytes <= best.nbytes:
            best, hi = cand, mid
        else:
            lo = mid
    return best


def _predict(history: list[tuple[int, float]], goal: float, offset: float) -> int:
    """Lowest quality whose mosaic metric, shifted by ``offset``, reaches ``goal``
    (linear between the qualities tried, which rise with quality)."""
    points = sorted(dict(history).items())
    for (q1, v1), (q2, v2) in itertools.pairwise(points):
        if v2 + offset >= goal:
            if v1 + offset >= goal or v2 <= v1:
                return q1
            return q1 + math.ceil((goal - offset - v1) / (v2 - v1) * (q2 - q1))
    return points[0][0] if points[0][1] + offset >= goal else min(100, points[-1][0] + 1)


def _confirm(
    job: Job,
    codec: Codec,
    size: tuple[int, int],
    target: float,
    quality: int,
    history: list[tuple[int, float]],
) -> Candidate:
    """The whole image at the quality the mosaic search found, corrected by the mosaic's
    measured bias: codecs with whole-image decisions (WebP's segments and loop filter)
    score their mosaic differently, and not always in the same direction (measured on the
    corpus's large photos at targets 0.90-0.97: the whole image's -log(1 - score) was
    0.08 below to 0.11 above the mosaic's).

    The first full encode, at the mosaic's quality, measures the bias; the mosaic's curve
    shifted by it predicts the quality to write next.  A file that passes is kept unless the
    prediction is at least ``CONFIRM_GAIN`` points lower: another full encode costs as much
    as the rest of the search, for about 2 % of bytes a point.  A file that fails is followed
    by the prediction, then by ``CONFIRM_STEP`` rises, within ``CONFIRM_TRIES`` full encodes.
    The smallest passing file is kept.
    """
    goal = _log_distance(target)
    mosaic_value = dict(history)[quality]
    tried: dict[int, Candidate] = {}
    q = quality
    for attempt in range(CONFIRM_TRIES):
        tried[q] = encode(job, codec, size, Settings(quality=q))
        value = _log_distance(score(job, tried[q]))
        passing = [int(c.params["quality"]) for c in tried.values() if score(job, c) >= target]
        if attempt == 0:
            nxt = _predict(history, goal, value - mosaic_value)
            if passing and nxt > q - CONFIRM_GAIN:
                break
        elif passing:
            break
        else:
            nxt = q + CONFIRM_STEP
        nxt = min(100, max(1, nxt))
        if (passing and nxt >= min(passing)) or nxt in tried or (not passing and q >= 100):
            break
        q = nxt
    passing_files = [c for c in tried.values() if score(job, c) >= target]
    if passing_files:
        return min(passing_files, key=lambda c: c.nbytes)
    return tried[max(tried)]


def _with_lossless(job: Job, codec: Codec, size: tuple[int, int], lossy: Candidate) -> Candidate:
    """Graphics often compress better losslessly: keep that when it is smaller."""
    if not codec.lossless_alternative or job.photo or job.animated:
        return lossy
    cand = encode(job, codec, size, Settings(lossless=True))
    return cand if cand.nbytes <= lossy.nbytes else lossy


def _palette_visual(
    job: Job, codec: Codec, size: tuple[int, int], target: float
) -> Candidate | None:
    """Fewest colours (from 256 down, halving) whose palette meets the target."""
    if job.options.colors != "auto":
        cand = encode(job, codec, size, Settings(colors=int(job.options.colors)))
        score(job, cand)
        return cand
    best = None
    colors = 256
    floor = PHOTO_MIN_COLOURS if job.photo else GRAPHIC_MIN_COLOURS
    while colors >= floor:
        cand = encode(job, codec, size, Settings(colors=colors))
        if score(job, cand) < target:
            break
        if best is not None and cand.nbytes >= best.nbytes:
            break
        best = cand
        colors //= 2
    return best


def _plain_visual(job: Job, codec: Codec, size: tuple[int, int], target: float) -> Candidate:
    """Codecs without a quality knob: the default encode, or a smaller palette that passes."""
    base = encode(job, codec, size, Settings())
    score(job, base)
    if not codec.palette or target >= 1.0 or job.animated:
        return base
    palette = _palette_visual(job, codec, size, target)
    if palette is not None and (job.options.colors != "auto" or palette.nbytes < base.nbytes):
        return palette
    return base


def visual(job: Job, codec: Codec, size: tuple[int, int], target: float) -> Candidate:
    """The smallest file of this codec whose visual score reaches ``target``."""
    if codec.quality_range:
        return _with_lossless(job, codec, size, _quality_visual(job, codec, size, target))
    return _plain_visual(job, codec, size, target)


def palette_target(quality: int) -> float:
    """No quality knob: q asks for a palette scoring ≥ 0.8 + 0.002·q (q=75 ↔ 0.95)."""
    return 0.8 + 0.002 * quality


def fixed(job: Job, codec: Codec, size: tuple[int, int], quality: int) -> Candidate:
    """The file at this quality (for codecs without a knob, the palette it stands for)."""
    if codec.quality_range:
        cand = encode(job, codec, size, Settings(quality=quality))
        return _with_lossless(job, codec, size, cand)
    return _plain_visual(job, codec, size, 1.0 if quality >= 100 else palette_target(quality))


def choose(source: Codec, job: Job, fmt: str) -> list[Codec]:
    """The codecs to try for the requested output format, given what the image holds."""
    if fmt == "smallest":
        chosen = [
            c
            for c in codecs.TABLE
            if c.smallest
            and c.can_write
            and (c.animation or not job.animated)
            and (c.alpha or not job.has_alpha)
            and c.smallest_for(job.image)
        ]
        if job.photo and not job.has_alpha and not job.animated:
            # A photo without a quality knob (PNG) is 3–10× bigger at the same score;
            # trying it only costs seconds.
            chosen = [c for c in chosen if c.quality_range]
        if job.animated and source.animation and source.can_write and source not in chosen:
            chosen.append(source)
        # Availability is checked here, once per image, not on every probe.
        return [codecs.get(c.name) for c in [c for c in chosen if c.available()] or chosen[:1]]
    codec = source if fmt == "keep" else codecs.CODECS[fmt]
    if fmt == "keep" and codec.keep_as:
        written = codecs.CODECS[codec.keep_as]
        job.note(
            "format_converted",
            f"{codec.label} → {written.label}: {codec.label} files are read, not written, "
            f"so this one was written as {written.label}.",
            to=written.name,
        )
        codec = written
    if job.animated and not codec.animation and codec.animated_as:
        holder = codecs.CODECS[codec.animated_as]
        if fmt != "keep":
            job.note(
                "animation_converted",
                f"{codec.label} cannot hold an animation, so it was written as animated "
                f"{holder.label} to keep all {len(job.frames)} frames.",
                to=holder.name,
                frames=len(job.frames),
            )
        codec = holder
    elif job.has_alpha and not codec.alpha:
        job.note(
            "alpha_flattened",
            f"{codec.label} has no transparency: transparent areas were filled with white.",
        )
    return [codecs.get(codec.name)]


def effective_target(job: Job, target: float) -> float:
    """Graphics aim for a quarter of the distortion a photo may have.

    Mean SSIM is inflated by flat areas: a screenshot at WebP q1 still averages 0.955
    because its empty background is perfect while the text is smeared.
    """
    if job.photo or target >= 1.0:
        return target
    return 1.0 - (1.0 - target) / 4


__all__ = [
    "ANIMATION_QUALITY",
    "LINEAR",
    "Candidate",
    "Curve",
    "Job",
    "choose",
    "effective_target",
    "encode",
    "fixed",
    "score",
    "secant",
    "visual",
    "visual_curve",
]
