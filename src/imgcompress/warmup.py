"""Warm a fresh worker up before its first real photo.

In Chromium a fresh worker's first 8-MP photo took about 0.5 s longer than its second (README,
"The first photo"): V8 compiles each WebAssembly function lazily and tiers it up only once it is
hot, and Pillow's codecs pay their own first-call costs.  That cost is per function, not per
pixel, so a few small compressions taking the same paths (JPEG decode, the search's mosaic
probes and scores, the final progressive mozjpeg encode) pay most of it while the worker would
otherwise sit idle.  The page runs one step at a time (``door.warm_up``) so that a photo arriving
meanwhile waits for one step at most.

The image is made here, not read from a file: the site ships no sample photo, and a
deterministic one makes every warm-up the same work.
"""

from __future__ import annotations

import functools
import io
import random

from PIL import Image, ImageDraw, ImageFilter

from .engine import compress
from .options import Options

# The ladder, smallest first: one tiny compression reaches every function once (the first calls
# and lazy compilation), then a few larger ones make the hot loops hot enough for V8 to tier them
# up.  A previous measurement found this ladder as good as a larger one (64x48, 256x192 x2,
# 384x288 x2, 512x384) at less total time.  Measured again in Chromium, one worker, the 9-MP
# stand-in photo (bench/warmup_bench.py, 4 fresh pages, a loaded 2-core machine): the first photo
# after it was no slower than the same worker's second (extra 536 -> -234 ms median), for
# 1.3-1.5 s of idle worker time; a photo chosen mid-warm-up waited about 60 ms more than
# without it.  Only this ladder was measured this time.
STEPS: tuple[tuple[int, int], ...] = ((64, 48), (256, 192), (256, 192), (256, 192), (256, 192))

# The seed of the photo-like noise: any fixed value, so every warm-up does the same work.
_SEED = 20_260_101
# Quality of the synthetic source JPEG: a phone's usual setting, so decoding it is typical work.
_SOURCE_QUALITY = 90
# The noise's amplitude (of 255): about a phone sensor's grain at base ISO; without it the
# search finds a flat image trivially and skips the probes' usual work.
_NOISE = 24


@functools.cache
def sample_jpeg(width: int, height: int) -> bytes:
    """A photo-like JPEG (gradients, grain, hard edges and fine detail), made deterministically,
    so the warm-up meets what a photo makes the engine do rather than a flat image's shortcuts."""
    red = Image.linear_gradient("L").resize((width, height))
    green = Image.radial_gradient("L").resize((width, height))
    # The Mandelbrot set: fine detail and sharp edges, like foliage or text in a photo.
    blue = Image.effect_mandelbrot((width, height), (-2.0, -1.2, 1.0, 1.2), 64)
    img = Image.merge("RGB", (red, green, blue))
    draw = ImageDraw.Draw(img)
    draw.rectangle((width // 8, height // 4, width // 3, height * 3 // 4), fill=(200, 60, 40))
    draw.ellipse((width // 2, height // 8, width * 7 // 8, height // 2), fill=(30, 90, 180))
    img = img.filter(ImageFilter.GaussianBlur(1))
    rng = random.Random(_SEED)
    grain = Image.frombytes("RGB", (width, height), rng.randbytes(width * height * 3))
    img = Image.blend(img, grain, _NOISE / 255)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=_SOURCE_QUALITY)
    return out.getvalue()


def run_step(step: int) -> dict[str, object]:
    """Compress the ladder's ``step``-th image with the default settings (the page's usual
    request) and say what was done; the bytes are thrown away."""
    if not 0 <= step < len(STEPS):
        raise ValueError(f"warm-up step {step} is not in 0..{len(STEPS) - 1}")
    width, height = STEPS[step]
    result = compress(sample_jpeg(width, height), Options())
    return {
        "step": step,
        "steps": len(STEPS),
        "width": width,
        "height": height,
        "bytes": len(result.data),
    }


__all__ = ["STEPS", "run_step", "sample_jpeg"]
