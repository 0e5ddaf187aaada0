"""A visual-quality score (SSIM) and its guards, computed with Pillow alone.

Why not numpy: the browser build has none, and the score drives every visual-target
search, so it must run in both places and give the same numbers.

How it works.  SSIM (Wang et al. 2004, C1=(0.01·255)², C2=(0.03·255)²) needs local
means, variances and covariance under a window of σ=1.5.  They come from one C-level
operation: ``Image.resize`` of a 32-bit float ("F") plane with the bilinear filter.
Shrinking by a factor s, that filter is a triangle of half-width s (variance s²/6), so
s ≈ 3.7 gives σ ≈ 1.5 (``STRIDE``), and each output pixel *is* the window average around
its centre.  The SSIM map is then evaluated on that coarse grid of window centres
(spaced s px apart, so every pixel still falls in a window) and averaged.  Float
planes keep x² and x·y exact enough (float32: ~0.004 grey levels² of rounding).
Against scikit-image's Gaussian SSIM (σ=1.5, tests/unit/test_score.py) one channel
agrees within 0.004 (the triangle and the Gaussian differ only in their tails), at a
tenth of the cost of the two 5×5 ``ImageFilter.Kernel`` passes this module used before.
Windows that reach past the image edge (or a tile seam, below) are left out, as
skimage leaves out its border.

Channels: the score is 0.8·SSIM(Y) + 0.1·SSIM(Cb) + 0.1·SSIM(Cr) in JPEG's
YCbCr (two grey images, "L"/"LA", are scored on luma alone: their flat chroma
would otherwise add a free 0.2).  The eye resolves detail mostly in luma, and JPEG
and WebP already spend most bits there; chroma still gets a fifth of the say so an
encoder cannot wash out colour for free.  Images with alpha are composited over
white and over black and the lower score is kept, then combined (min) with the SSIM
of the alpha channel, so changes hidden in transparent areas do not count but
changes to transparency do.  The combined score runs 0.005–0.051 above skimage's
RGB-mean SSIM on the corpus photos at JPEG q20–95 (more at low quality), because
Cb/Cr are smoother than R, G and B — so 0.95 here is about 0.93 there (see
``imgcompress.engine``).

Large images are scored on a proxy: ``PROXY_PIXELS`` worth of full-resolution
``TILE``-px tiles spread evenly over the image and laid side by side in a *mosaic*.
Tiles (not a downscale) because downscaling hides exactly the artefacts SSIM should
see; windows crossing a seam between tiles are left out.  Tiles start on multiples of
``ALIGN`` px, the largest block the lossy codecs code independently (JPEG's 4:2:0
macroblock), so a block codec coding the mosaic sees the same blocks it would see in
the whole image — which is what lets the search probe on the mosaic (``imgcompress.
search``).  A ``Reference`` keeps everything about the original that does not change
between candidates (its mosaic, its window means and second moments, its block
averages, its flat areas), so each candidate costs only its own planes.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image, ImageChops, ImageMath, ImageStat

C1 = (0.01 * 255) ** 2
C2 = (0.03 * 255) ** 2
WEIGHTS = (0.8, 0.1, 0.1)
# Shrink factor of the bilinear (triangle) window.  1.5·√6 ≈ 3.67 would give σ = 1.5
# exactly, but the triangle lacks the Gaussian's tails: 3.8 (σ ≈ 1.55) matched
# scikit-image best on the Kodak photos at JPEG q10–95 (per channel within ±0.004,
# mean -0.0006; at 3.67: -0.008..0.001, at 4.0: -0.005..+0.013).
STRIDE = 3.8
# Windows whose centre is nearer than this to an edge or seam reach past it (≥ STRIDE).
BORDER = 4
PROXY_PIXELS = 500_000
TILE = 64
ALIGN = 16

Group = list[tuple[float, Image.Image]]


def _window(plane: Image.Image, size: tuple[int, int]) -> Image.Image:
    return plane.resize(size, Image.Resampling.BILINEAR)


def _axis_mask(length: int, out: int, period: int) -> list[float]:
    """1 for window centres at least BORDER px inside every ``period``-px span, else 0."""
    scale = length / out
    keep = []
    for i in range(out):
        centre = (i + 0.5) * scale - 0.5
        offset = centre % period
        keep.append(1.0 if BORDER <= offset <= period - 1 - BORDER else 0.0)
    return keep


class _Plane:
    """One reference channel: its float plane and window moments, kept between candidates."""

    def __init__(self, channel: Image.Image, size: tuple[int, int], mask: Image.Image) -> None:
        self.x = channel.convert("F")
        self.size = size
        self.mask = mask
        self.mu = _window(self.x, size)
        self.xx = _window(ImageMath.lambda_eval(lambda e: e["x"] * e["x"], x=self.x), size)

    def ssim(self, channel: Image.Image) -> float:
        """Mean SSIM of ``channel`` (same size, "L") against this plane."""
        y = channel.convert("F")
        mu_y = _window(y, self.size)
        yy = _window(ImageMath.lambda_eval(lambda e: e["y"] * e["y"], y=y), self.size)
        xy = _window(ImageMath.lambda_eval(lambda e: e["x"] * e["y"], x=self.x, y=y), self.size)

        def ssim_map(e: dict[str, object]) -> object:
            ma, mb = e["ma"], e["mb"]
            va = e["aa"] - ma * ma  # type: ignore[operator]
            vb = e["bb"] - mb * mb  # type: ignore[operator]
            cov = e["ab"] - ma * mb  # type: ignore[operator]
            num = (2 * ma * mb + C1) * (2 * cov + C2)  # type: ignore[operator]
            den = (ma * ma + mb * mb + C1) * (va + vb + C2)  # type: ignore[operator]
            return num / den * e["m"]

        smap = ImageMath.lambda_eval(
            ssim_map, ma=self.mu, mb=mu_y, aa=self.xx, bb=yy, ab=xy, m=self.mask
        )
        return _mean(smap) / _mean(self.mask)


def _mean(image: Image.Image) -> float:
    return float(image.resize((1, 1), Image.Resampling.BOX).getpixel((0, 0)))  # type: ignore[arg-type]


def _flatten(image: Image.Image, background: tuple[int, int, int]) -> Image.Image:
    base = Image.new("RGBA", image.size, (*background, 255))
    return Image.alpha_composite(base, image.convert("RGBA")).convert("RGB")


def _ycbcr(image: Image.Image) -> Group:
    return list(zip(WEIGHTS, image.convert("YCbCr").split(), strict=True))


def _groups(image: Image.Image, kind: str) -> list[Group]:
    """The channel groups scored for an image of this kind; the score is the worst group."""
    if kind == "grey":
        return [[(1.0, image.convert("L"))]]
    if kind == "grey_alpha":
        la = image.convert("LA")
        return [[(1.0, la.getchannel("L"))], [(1.0, la.getchannel("A"))]]
    if kind == "alpha":
        rgba = image.convert("RGBA")
        return [
            _ycbcr(_flatten(rgba, (255, 255, 255))),
            _ycbcr(_flatten(rgba, (0, 0, 0))),
            [(1.0, rgba.getchannel("A"))],
        ]
    return [_ycbcr(image.convert("RGB"))]


def _kind(a: Image.Image, b: Image.Image) -> str:
    if a.mode in ("L", "LA") and b.mode in ("L", "LA"):
        # Grey images have flat chroma that would score a free 0.2: luma only.
        return "grey_alpha" if "A" in a.mode or "A" in b.mode else "grey"
    if a.mode in ("RGBA", "LA") or b.mode in ("RGBA", "LA") or "transparency" in a.info:
        return "alpha"
    return "colour"


def tiles(size: tuple[int, int], budget: int = PROXY_PIXELS) -> list[tuple[int, int, int, int]]:
    """The proxy's tiles for an image of ``size``, or [] when the whole image is scored."""
    w, h = size
    if not budget or w * h <= budget * 1.5 or min(w, h) < TILE:
        return []
    count = max(1, budget // (TILE * TILE))
    cols = max(1, round(math.sqrt(count * w / h)))
    rows = max(1, math.ceil(count / cols))

    def place(extent: int, n: int, k: int) -> int:
        free = (extent - TILE) // ALIGN
        return ALIGN * (round(free * (k + 0.5) / n) if n > 1 else free // 2)

    return [
        (place(w, cols, c), place(h, rows, r), place(w, cols, c) + TILE, place(h, rows, r) + TILE)
        for r in range(rows)
        for c in range(cols)
    ]


def mosaic(image: Image.Image, boxes: list[tuple[int, int, int, int]]) -> Image.Image:
    """The tiles of ``image`` side by side (the whole image when there are no tiles)."""
    if not boxes:
        return image
    cols = sum(1 for box in boxes if box[1] == boxes[0][1])
    rows = math.ceil(len(boxes) / cols)
    out = Image.new(image.mode, (cols * TILE, rows * TILE))
    for i, box in enumerate(boxes):
        out.paste(image.crop(box), ((i % cols) * TILE, (i // cols) * TILE))
    return out


@dataclass(frozen=True)
class Parts:
    """A guarded score's SSIM and the two penalties taken from it."""

    ssim: float
    shift: float
    grid: float

    @property
    def total(self) -> float:
        """The guarded score itself."""
        return max(0.0, self.ssim - self.shift - self.grid)


class Reference:
    """The original, prepared once for scoring many candidates of the same size.

    ``candidate`` arguments are either the whole decoded candidate or, when
    ``proxy=True``, a decoded encode of ``self.mosaic`` itself.
    """

    def __init__(self, original: Image.Image, proxy_pixels: int = PROXY_PIXELS) -> None:
        self.size = original.size
        self.mode = original.mode
        self.boxes = tiles(original.size, proxy_pixels)
        self.mosaic = mosaic(original, self.boxes)
        # Only its mode and info are read again (``_kind``); the pixels live in the mosaic.
        self._original = Image.new(original.mode, (1, 1))
        self._original.info = dict(original.info)
        self._planes: dict[str, list[list[_Plane]] | None] = {}
        self._blocks: Image.Image | None = None
        self._grid: list[tuple[Image.Image, Image.Image]] | None = None
        # The codec's own plain encode of what is scored (``view`` shape), decoded: set by
        # whoever can encode (the search); asked for only once a candidate's grid passes
        # ``GRID_FREE``, then remembered as ``grid_allowance``.
        self.plain: Callable[[], Image.Image] | None = None
        self._allowance: float | None = None

    def view(self, candidate: Image.Image, proxy: bool = False) -> Image.Image:
        """What of ``candidate`` is compared: its tiles, in the reference's mosaic."""
        if proxy:
            if candidate.size != self.mosaic.size:
                raise ValueError(f"cannot score {candidate.size} against {self.mosaic.size}")
            return candidate
        if candidate.size != self.size:
            raise ValueError(f"cannot score {candidate.size} against {self.size}")
        return mosaic(candidate, self.boxes)

    def _reference_planes(self, kind: str) -> list[list[_Plane]] | None:
        if kind not in self._planes:
            w, h = self.mosaic.size
            if min(w, h) <= 2 * BORDER + 1:
                self._planes[kind] = None
            else:
                out = (max(1, round(w / STRIDE)), max(1, round(h / STRIDE)))
                period_x = TILE if self.boxes else w
                period_y = TILE if self.boxes else h
                mask = _outer(_axis_mask(w, out[0], period_x), _axis_mask(h, out[1], period_y))
                self._planes[kind] = [
                    [_Plane(channel, out, mask) for _, channel in group]
                    for group in _groups(self.mosaic, kind)
                ]
        return self._planes[kind]

    def ssim(self, candidate: Image.Image, proxy: bool = False) -> float:
        """SSIM in [~0, 1] of ``candidate`` against the original (1 = identical)."""
        view = self.view(candidate, proxy)
        kind = _kind(self._original, view)
        planes = self._reference_planes(kind)
        groups = _groups(view, kind)
        if planes is None:
            return _tiny_similarity(self.mosaic, view)
        value = min(
            sum(
                weight * plane.ssim(channel)
                for (weight, channel), plane in zip(group, plane_group, strict=True)
            )
            for group, plane_group in zip(groups, planes, strict=True)
        )
        return max(0.0, min(1.0, value))

    def colour_shift(self, candidate: Image.Image, proxy: bool = False) -> float:
        """See ``colour_shift``; the original's block averages are computed once."""
        view = _opaque(self.view(candidate, proxy))
        if self._blocks is None:
            self._blocks = _block_means(_opaque(self.mosaic))
        return max(ImageStat.Stat(ImageChops.difference(self._blocks, _block_means(view))).mean)

    def blocking(self, candidate: Image.Image, proxy: bool = False) -> float:
        """See ``blocking``; the original's flat areas are found once."""
        if self._grid is None:
            self._grid = _grid_masks(_opaque(self.mosaic).convert("L"), TILE if self.boxes else 0)
        luma = _opaque(self.view(candidate, proxy)).convert("L")
        return _grid_contrast(luma, self._grid)

    def grid_allowance(self) -> float:
        """The block grid a candidate may show for free: ``GRID_FREE``, or what the codec's
        own plain encode of this image shows when that is more (``plain``).

        The guard's promise is "no more grid in flat areas than a plain q75 JPEG of the same
        photo", and how much that is depends on the photo (0.27-0.37 on the Kodak photos with
        mozjpeg's tables at q75): one fixed limit is too strict on some and too loose on
        others.  Never below ``GRID_FREE``, so codecs whose own grid is low (WebP) keep it.
        """
        if self._allowance is None:
            own = self.blocking(self.plain(), proxy=bool(self.boxes)) if self.plain else 0.0
            self._allowance = max(GRID_FREE, own)
        return self._allowance

    def guarded_parts(self, candidate: Image.Image, proxy: bool = False) -> Parts:
        """The engine's score in its parts, so a search can tell which of them held it."""
        ssim = self.ssim(candidate, proxy)
        shift = max(0.0, self.colour_shift(candidate, proxy) - SHIFT_FREE) * SHIFT_PENALTY
        grid = self.blocking(candidate, proxy)
        # The allowance costs an encode: it is asked for only when it can matter.
        excess = max(0.0, grid - self.grid_allowance()) if grid > GRID_FREE else 0.0
        return Parts(ssim, shift, excess * GRID_PENALTY)

    def guarded(self, candidate: Image.Image, proxy: bool = False) -> float:
        """The engine's score: SSIM less the colour-shift and block-grid penalties (see
        ``guarded_score``)."""
        return self.guarded_parts(candidate, proxy).total


def _outer(xs: list[float], ys: list[float]) -> Image.Image:
    """The 0/1 float image xs[i]·ys[j]."""
    row = Image.new("F", (len(xs), 1))
    row.putdata(xs)
    col = Image.new("F", (1, len(ys)))
    col.putdata(ys)
    size = (len(xs), len(ys))
    nearest = Image.Resampling.NEAREST
    return ImageMath.lambda_eval(
        lambda e: e["r"] * e["c"], r=row.resize(size, nearest), c=col.resize(size, nearest)
    )


def _tiny_similarity(a: Image.Image, b: Image.Image) -> float:
    """Too small for a window: a plain "identical or not" ratio of the mean difference."""
    ra, rb = a.convert("RGBA"), b.convert("RGBA")
    diff = ImageStat.Stat(ImageChops.difference(ra, rb)).mean
    return 1.0 - min(1.0, max(diff) / 255)


def ssim_channel(a: Image.Image, b: Image.Image) -> float:
    """SSIM of two same-size 8-bit single-channel ("L") images."""
    if a.size != b.size:
        raise ValueError("images differ in size")
    return Reference(a, proxy_pixels=0).ssim(b)


def score(original: Image.Image, candidate: Image.Image, proxy_pixels: int = PROXY_PIXELS) -> float:
    """Visual similarity in [~0, 1] (1 = identical) of two same-size images.

    ``proxy_pixels`` bounds the work on big images (see module docstring); pass 0
    to always score every pixel.
    """
    if original.size != candidate.size:
        raise ValueError(f"cannot score {candidate.size} against {original.size}")
    return Reference(original, proxy_pixels).ssim(candidate)


SHIFT_BLOCK = 8
SHIFT_FREE = 3.0
SHIFT_PENALTY = 0.01


def _opaque(image: Image.Image) -> Image.Image:
    return _flatten(image, (255, 255, 255)) if "A" in image.mode else image.convert("RGB")


def _block_means(image: Image.Image) -> Image.Image:
    return image.reduce(SHIFT_BLOCK) if min(image.size) >= SHIFT_BLOCK else image


def colour_shift(original: Image.Image, candidate: Image.Image) -> float:
    """Mean absolute difference of 8×8 block averages, worst RGB channel, in levels (0-255).

    SSIM is nearly blind to a colour shift over a flat area: its luminance term moves by
    only Δ²/(μa²+μb²), so a brick red turning brown by 20 levels still scores 0.997. JPEG's
    coarse DC steps at low quality do exactly that to flat images (logos, solid fills, the
    CMYK sample in the corpus). Block averages are what the DC coefficients carry.
    Measured on the corpus photos at the qualities our default target picks: 0.6-2.7.
    """
    return Reference(original, proxy_pixels=0).colour_shift(candidate)


GRID = 8
# An 8×8 block of the original is flat when its luma varies by less than this (std, levels).
FLAT_STD = 2.0
# Steps below about a level are not seen: added to the denominator of the contrast.
GRID_SOFTNESS = 1.0
# Below this share of flat block edges the grid has nowhere to show (and the measure is
# noise).
GRID_MIN_SHARE = 0.02
# A plain (Annex K) q75 JPEG of the corpus photos reads 0.27-0.33, one with mozjpeg's
# (Robidoux) tables, which the browser ships and Squoosh's default writes, 0.32-0.37.  Up to
# 0.30, or up to what the codec's own default-quality encode of the same image shows when
# that is more (``Reference.grid_allowance``), a grid is free; WebP's loop filter keeps its
# grid at 0.07-0.21, so the guard costs WebP nothing.
GRID_FREE = 0.30
# Beyond the allowance every 0.01 of grid costs 0.03 of score.  At 1.0 the search still
# traded grid for SSIM: the phone photos, whose SSIM is far above any target, went to q68
# with 0.39 of grid where their own q75 shows 0.35; at 3.0 they stop at the q75 grid, and
# the Kodak median at the default target costs 47.4 KB instead of 45.7 KB.
GRID_PENALTY = 3.0


def _grid_masks(luma: Image.Image, seam: int) -> list[tuple[Image.Image, Image.Image]]:
    """For horizontal then vertical steps: masks (255/0) of the steps across block edges
    and of those inside blocks, both limited to flat areas of ``luma`` (and never across a
    mosaic seam, every ``seam`` px)."""
    out = []
    for image in (luma, luma.transpose(Image.Transpose.TRANSPOSE)):
        w, h = image.size
        if w <= GRID or h < GRID:
            out.append((Image.new("L", (1, 1)), Image.new("L", (1, 1))))
            continue
        wb, hb = w // GRID * GRID, h // GRID * GRID
        plane = image.crop((0, 0, wb, hb)).convert("F")
        mean = plane.reduce(GRID)
        square = ImageMath.lambda_eval(lambda e: e["x"] * e["x"], x=plane).reduce(GRID)
        flat_blocks = ImageMath.lambda_eval(
            lambda e: (e["s"] - e["m"] * e["m"] < FLAT_STD * FLAT_STD) * 255, s=square, m=mean
        ).convert("L")
        flat = Image.new("L", (w, h))
        flat.paste(flat_blocks.resize((wb, hb), Image.Resampling.NEAREST))
        # Step i is between pixels i and i+1: flat when both sides are.
        both = ImageChops.darker(flat.crop((0, 0, w - 1, h)), flat.crop((1, 0, w, h)))
        # A tile's first and last pixels take chroma from its neighbour when a codec
        # upsamples, so steps touching them differ between a mosaic and the whole image.
        near_seam = [bool(seam) and (i + 2) % seam < 3 for i in range(w - 1)]
        row = Image.new("L", (w - 1, 1))
        row.putdata([255 if i % GRID == GRID - 1 and not near_seam[i] else 0 for i in range(w - 1)])
        seams = Image.new("L", (w - 1, 1))
        seams.putdata([255 if near else 0 for near in near_seam])
        nearest = Image.Resampling.NEAREST
        edges = row.resize((w - 1, h), nearest)
        inside = ImageChops.subtract(
            ImageChops.subtract(both, edges), seams.resize((w - 1, h), nearest)
        )
        out.append((ImageChops.multiply(both, edges), inside))
    return out


def _grid_contrast(luma: Image.Image, masks: list[tuple[Image.Image, Image.Image]]) -> float:
    edge_sum = edge_count = inner_sum = inner_count = 0.0
    for image, (edges, inside) in zip(
        (luma, luma.transpose(Image.Transpose.TRANSPOSE)), masks, strict=True
    ):
        w, h = image.size
        if edges.size != (w - 1, h):
            continue
        steps = ImageChops.difference(image.crop((1, 0, w, h)), image.crop((0, 0, w - 1, h)))
        for mask, is_edge in ((edges, True), (inside, False)):
            stat = ImageStat.Stat(steps, mask)
            count = stat.count[0]
            if is_edge:
                edge_sum, edge_count = edge_sum + stat.sum[0], edge_count + count
            else:
                inner_sum, inner_count = inner_sum + stat.sum[0], inner_count + count
    total_edges = sum((e.size[0] * e.size[1]) / GRID for e, _ in masks)
    if not edge_count or not inner_count or edge_count < GRID_MIN_SHARE * total_edges:
        return 0.0
    edge, inner = edge_sum / edge_count, inner_sum / inner_count
    return (edge - inner) / (edge + inner + GRID_SOFTNESS)


def blocking(original: Image.Image, candidate: Image.Image) -> float:
    """How much of the luma change in the original's flat areas sits on the 8×8 block
    grid: (E - I) / (E + I + 1), E and I the mean steps across and inside block edges.

    SSIM lets blocking through: a soft sky coded as flat blocks scores well, because
    each window sees a nearly flat patch either way, yet the eye picks out the staircase
    of block edges.  0 is no grid (the originals: -0.02..0.10); a plain q75 JPEG of the
    corpus photos reads 0.27–0.32, flat blocks with one-level steps between them ~0.4–0.6.
    Flat: 8×8 blocks of the original with a luma std under ``FLAT_STD``.
    """
    return Reference(original, proxy_pixels=0).blocking(candidate)


def guarded_score(original: Image.Image, candidate: Image.Image) -> float:
    """The engine's score: SSIM, less 0.01 per level of colour shift beyond 3 levels and
    ``GRID_PENALTY`` per unit of block-grid contrast beyond ``GRID_FREE`` (``blocking``;
    the search also allows what the codec's own default encode shows, which a bare
    original cannot know).

    Up to 3 levels (what photos show at good qualities) nothing changes; a 20-level shift
    costs 0.17, so no visual target above 0.83 accepts it.
    """
    return Reference(original).guarded(candidate)


__all__ = [
    "Parts",
    "Reference",
    "blocking",
    "colour_shift",
    "guarded_score",
    "mosaic",
    "score",
    "ssim_channel",
    "tiles",
]
