"""Fit a byte budget: the highest quality (or the most colours) whose file fits, downscaling
only when allowed and nothing at full size fits.

Kept apart from the visual search (``search``): it never scores a candidate until the engine
reports the winner, and it compares bytes, not looks.
"""

from __future__ import annotations

import math

from . import search
from .codecs import Codec, Settings
from .search import Candidate, Job

# A byte-budget search over "q' = 101 - q" starts at q = 75.
SIZE_SEARCH_START = 26
# Palette sizes a byte budget tries, largest first.
BUDGET_COLOURS = (256, 64, 16, 4, 2)
# Downscaling to fit a byte budget: at most this many rounds, each at least 10 % smaller.
MAX_DOWNSCALES = 4
DOWNSCALE_MARGIN = 0.9
MIN_SIDE = 16


def _sized(job: Job, codec: Codec, size: tuple[int, int], target: int) -> tuple[Candidate, bool]:
    """Largest quality whose file fits ``target`` bytes at this size (or the smallest)."""

    def fits(c: Candidate) -> bool:
        return c.nbytes <= target

    if codec.quality_range:
        # Highest quality that fits = lowest q' = 101 - q whose -log(size) reaches -log(target).
        best_fit, smallest = search.secant(
            lambda qq: search.encode(job, codec, size, Settings(quality=101 - qq)),
            lambda c: -math.log(c.nbytes),
            -math.log(target),
            SIZE_SEARCH_START,
            search.MAX_ENCODES,
        )
        if best_fit is not None:
            if codec.lossless_alternative and not job.photo and not job.animated:
                # Within the budget, a lossless graphic beats any lossy one that fits.
                lossless = search.encode(job, codec, size, Settings(lossless=True))
                if fits(lossless):
                    return lossless, True
            return best_fit, True
        if smallest is None or smallest.params.get("quality") != 1:
            smallest = search.encode(job, codec, size, Settings(quality=1))
        return smallest, fits(smallest)
    base = search.encode(job, codec, size, Settings())
    if fits(base) or not codec.palette or job.animated:
        return base, fits(base)
    smallest = base
    for colors in BUDGET_COLOURS:
        if job.options.colors != "auto" and colors != job.options.colors:
            continue
        cand = search.encode(job, codec, size, Settings(colors=colors))
        if cand.nbytes < smallest.nbytes:
            smallest = cand
        if fits(cand):
            return cand, True
    return smallest, False


def target_size(
    job: Job, codec: Codec, size: tuple[int, int], target: int
) -> tuple[Candidate, bool]:
    """The best file within ``target`` bytes, downscaling when allowed and needed."""
    cand, met = _sized(job, codec, size, target)
    allow_downscale = job.options.max_width is None and job.options.max_height is None
    attempts = 0
    while not met and allow_downscale and attempts < MAX_DOWNSCALES:
        attempts += 1
        ratio = math.sqrt(target / cand.nbytes) * DOWNSCALE_MARGIN
        w, h = cand.size
        step = min(ratio, DOWNSCALE_MARGIN)
        new = (max(1, round(w * step)), max(1, round(h * step)))
        if new == cand.size or min(new) < MIN_SIDE:
            break
        cand, met = _sized(job, codec, new, target)
        if met:
            job.note(
                "scaled_to_fit",
                f"Scaled down to {new[0]}×{new[1]} pixels to fit {target:,} bytes.",
                width=new[0],
                height=new[1],
            )
    return cand, met


__all__ = ["target_size"]
