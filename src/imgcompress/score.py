"""A visual-quality score (SSIM) computed with Pillow alone.

Why not numpy: the browser build has none, and the score drives every visual-target
search, so it must run in both places and give the same numbers.

How it works.  SSIM (Wang et al. 2004, C1=(0.01·255)², C2=(0.03·255)²) needs local
means, variances and covariance under a Gaussian window with σ=1.5.  Pillow's own
``ImageFilter.GaussianBlur(radius)`` takes a standard deviation (it approximates a
Gaussian of σ=radius with three extended box blurs), but it only accepts 8-bit
images, and 8-bit local moments are far too coarse for variances.  ``ImageFilter.Kernel``
does accept 32-bit integer images ("I"): it sums in float32 and rounds, exactly to
±0.5 for values below 2**24 (measured), but it mishandles negatives and allows only
5×5.  So:

* the Gaussian is two passes of a 5×5 separable kernel whose 1-D variance is
  1.125, so the passes add up to σ² = 2.25 (σ = 1.5) over a 9×9 support — the
  truncated Gaussian skimage uses reaches 11×11, but the mass beyond ±4 px is
  under 1 %;
* means are blurred from x·4096, second moments from x·y·256 (both below 2**24,
  so rounding errors are ~1e-4 and ~2e-3 grey levels²), then combined as floats
  with ``ImageMath``; the mean of the SSIM map is taken with a 1×1 box resize;
* like skimage, a 4-pixel border (half the window) is left out of the mean.

Channels: the score is 0.8·SSIM(Y) + 0.1·SSIM(Cb) + 0.1·SSIM(Cr) in JPEG's
YCbCr (two grey images, "L"/"LA", are scored on luma alone: their flat chroma
would otherwise add a free 0.2).  The eye resolves detail mostly in luma, and JPEG
and WebP already spend most bits there; chroma still gets a fifth of the say so an
encoder cannot wash out colour for free.  Images with alpha are composited over
white and over black and the lower score is kept, then combined (min) with the SSIM
of the alpha channel, so changes hidden in transparent areas do not count but
changes to transparency do.

Against scikit-image (tests/unit/test_score.py): single channels agree within
0.002; the combined score runs 0.005–0.045 above skimage's RGB-mean SSIM on the
corpus photos at JPEG q20–95 (more at low quality), because Cb/Cr are smoother than
R, G and B — so 0.95 here is about 0.93 there (see ``imgcompress.engine``).

Large images are scored on a proxy: up to ``PROXY_PIXELS`` worth of full-resolution
tiles spread evenly over the image, each scored alone and averaged.  Tiles (not a
downscale) because downscaling hides exactly the artefacts SSIM should see.  Measured
on the two 8–9 MP corpus photos at JPEG q20/50/80: 64-px tiles over 0.5 MP differ
from the full score by at most 0.0005 (256-px tiles over 1 MP: up to 0.0074) and take
0.3 s instead of 5–7 s; tests/unit/test_score.py checks the agreement.
"""

from __future__ import annotations

import math

from PIL import Image, ImageChops, ImageFilter, ImageMath, ImageStat

C1 = (0.01 * 255) ** 2
C2 = (0.03 * 255) ** 2
WEIGHTS = (0.8, 0.1, 0.1)
BORDER = 4
PROXY_PIXELS = 500_000
TILE = 64

_MEAN_SCALE = 4096
_MOMENT_SCALE = 256


def _kernel_1d(variance: float) -> list[float]:
    """Sampled 5-tap Gaussian with the given discrete variance (found by bisection)."""
    lo, hi = 0.1, 10.0
    weights: list[float] = []
    for _ in range(60):
        s = (lo + hi) / 2
        weights = [math.exp(-(i * i) / (2 * s * s)) for i in range(-2, 3)]
        total = sum(weights)
        var = sum(i * i * w for i, w in zip(range(-2, 3), weights, strict=True)) / total
        if var < variance:
            lo = s
        else:
            hi = s
    total = sum(weights)
    return [w / total for w in weights]


_K1 = _kernel_1d(1.5**2 / 2)
_KERNEL = ImageFilter.Kernel((5, 5), [a * b for a in _K1 for b in _K1], scale=1)


def _blur(image: Image.Image) -> Image.Image:
    return image.filter(_KERNEL).filter(_KERNEL)


def _mean(image: Image.Image) -> float:
    w, h = image.size
    inner = image.crop((BORDER, BORDER, w - BORDER, h - BORDER))
    return float(inner.resize((1, 1), Image.Resampling.BOX).getpixel((0, 0)))  # type: ignore[arg-type]


def ssim_channel(a: Image.Image, b: Image.Image) -> float:
    """SSIM of two same-size 8-bit single-channel ("L") images."""
    if a.size != b.size:
        raise ValueError("images differ in size")
    if min(a.size) <= 2 * BORDER + 1:
        # Too small for a window: fall back to a plain "identical or not" ratio.
        diff = ImageMath.lambda_eval(lambda e: abs(e["a"] - e["b"]), a=a, b=b)
        return 1.0 - min(1.0, _mean_any(diff) / 255)
    ai = a.convert("I")
    bi = b.convert("I")
    mu_a = _blur(ImageMath.lambda_eval(lambda e: e["x"] * _MEAN_SCALE, x=ai))
    mu_b = _blur(ImageMath.lambda_eval(lambda e: e["x"] * _MEAN_SCALE, x=bi))
    aa = _blur(ImageMath.lambda_eval(lambda e: e["x"] * e["x"] * _MOMENT_SCALE, x=ai))
    bb = _blur(ImageMath.lambda_eval(lambda e: e["x"] * e["x"] * _MOMENT_SCALE, x=bi))
    ab = _blur(ImageMath.lambda_eval(lambda e: e["x"] * e["y"] * _MOMENT_SCALE, x=ai, y=bi))

    def ssim_map(e: dict[str, object]) -> object:
        ma, mb = e["ma"] / _MEAN_SCALE, e["mb"] / _MEAN_SCALE  # type: ignore[operator]
        va = e["aa"] / _MOMENT_SCALE - ma * ma  # type: ignore[operator]
        vb = e["bb"] / _MOMENT_SCALE - mb * mb  # type: ignore[operator]
        cov = e["ab"] / _MOMENT_SCALE - ma * mb  # type: ignore[operator]
        return ((2 * ma * mb + C1) * (2 * cov + C2)) / ((ma * ma + mb * mb + C1) * (va + vb + C2))

    floats = {
        k: v.convert("F")
        for k, v in (("ma", mu_a), ("mb", mu_b), ("aa", aa), ("bb", bb), ("ab", ab))
    }
    smap = ImageMath.lambda_eval(ssim_map, **floats)
    return _mean(smap)


def _mean_any(image: Image.Image) -> float:
    return float(image.convert("F").resize((1, 1), Image.Resampling.BOX).getpixel((0, 0)))  # type: ignore[arg-type]


def _flatten(image: Image.Image, background: tuple[int, int, int]) -> Image.Image:
    base = Image.new("RGBA", image.size, (*background, 255))
    return Image.alpha_composite(base, image.convert("RGBA")).convert("RGB")


def _score_rgb(a: Image.Image, b: Image.Image) -> float:
    ya = a.convert("YCbCr").split()
    yb = b.convert("YCbCr").split()
    return sum(w * ssim_channel(x, y) for w, x, y in zip(WEIGHTS, ya, yb, strict=True))


def _score_gray(a: Image.Image, b: Image.Image) -> float:
    return ssim_channel(a.convert("L"), b.convert("L"))


def _score_full(a: Image.Image, b: Image.Image) -> float:
    if a.mode in ("L", "LA") and b.mode in ("L", "LA"):
        # Grey images have flat chroma that would score a free 0.2: luma only.
        grey = _score_gray(a, b)
        if "A" in a.mode or "A" in b.mode:
            alpha = ssim_channel(a.convert("LA").getchannel("A"), b.convert("LA").getchannel("A"))
            return min(grey, alpha)
        return grey
    if a.mode in ("RGBA", "LA") or b.mode in ("RGBA", "LA") or "transparency" in a.info:
        ra, rb = a.convert("RGBA"), b.convert("RGBA")
        colour = min(
            _score_rgb(_flatten(ra, bg), _flatten(rb, bg)) for bg in ((255, 255, 255), (0, 0, 0))
        )
        return min(colour, ssim_channel(ra.getchannel("A"), rb.getchannel("A")))
    return _score_rgb(a.convert("RGB"), b.convert("RGB"))


def _tiles(size: tuple[int, int], budget: int) -> list[tuple[int, int, int, int]]:
    w, h = size
    count = max(1, budget // (TILE * TILE))
    cols = max(1, round(math.sqrt(count * w / h)))
    rows = max(1, math.ceil(count / cols))
    boxes = []
    for r in range(rows):
        for c in range(cols):
            x = round((w - TILE) * (c + 0.5) / cols) if cols > 1 else (w - TILE) // 2
            y = round((h - TILE) * (r + 0.5) / rows) if rows > 1 else (h - TILE) // 2
            boxes.append((x, y, x + TILE, y + TILE))
    return boxes


def score(original: Image.Image, candidate: Image.Image, proxy_pixels: int = PROXY_PIXELS) -> float:
    """Visual similarity in [~0, 1] (1 = identical) of two same-size images.

    ``proxy_pixels`` bounds the work on big images (see module docstring); pass 0
    to always score every pixel.
    """
    if original.size != candidate.size:
        raise ValueError(f"cannot score {candidate.size} against {original.size}")
    w, h = original.size
    if not proxy_pixels or w * h <= proxy_pixels * 1.5 or min(w, h) < TILE:
        return max(0.0, min(1.0, _score_full(original, candidate)))
    boxes = _tiles((w, h), proxy_pixels)
    total = sum(_score_full(original.crop(box), candidate.crop(box)) for box in boxes)
    return max(0.0, min(1.0, total / len(boxes)))


SHIFT_BLOCK = 8
SHIFT_FREE = 3.0
SHIFT_PENALTY = 0.01


def colour_shift(original: Image.Image, candidate: Image.Image) -> float:
    """Mean absolute difference of 8×8 block averages, worst RGB channel, in levels (0-255).

    SSIM is nearly blind to a colour shift over a flat area: its luminance term moves by
    only Δ²/(μa²+μb²), so a brick red turning brown by 20 levels still scores 0.997. JPEG's
    coarse DC steps at low quality do exactly that to flat images (logos, solid fills, the
    CMYK sample in the corpus). Block averages are what the DC coefficients carry.
    Measured on the corpus photos at the qualities our default target picks: 0.6-2.7.
    """
    a = _flatten(original, (255, 255, 255)) if "A" in original.mode else original.convert("RGB")
    b = _flatten(candidate, (255, 255, 255)) if "A" in candidate.mode else candidate.convert("RGB")
    if min(a.size) >= SHIFT_BLOCK:
        a, b = a.reduce(SHIFT_BLOCK), b.reduce(SHIFT_BLOCK)
    return max(ImageStat.Stat(ImageChops.difference(a, b)).mean)


def guarded_score(original: Image.Image, candidate: Image.Image) -> float:
    """The engine's score: SSIM, less 0.01 per level of colour shift beyond 3 levels.

    Up to 3 levels (what photos show at good qualities) nothing changes; a 20-level shift
    costs 0.17, so no visual target above 0.83 accepts it.
    """
    ssim = score(original, candidate)
    penalty = max(0.0, colour_shift(original, candidate) - SHIFT_FREE) * SHIFT_PENALTY
    return max(0.0, ssim - penalty)
