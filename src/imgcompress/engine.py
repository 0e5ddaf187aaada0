"""compress() and inspect(): decode safely, prepare pixels, search the quality, report.

The default quality mode is a visual target of ``DEFAULT_VISUAL_TARGET`` = 0.95 on
the engine's score (``imgcompress.score``).  Measured on the eight Kodak photos of
the corpus (median bytes / median scikit-image RGB SSIM / median quality found):

    target   JPEG                       WebP
    0.93     31.1 KB  0.906  q55        21.5 KB  0.906  q47
    0.94     37.6 KB  0.920  q66        25.9 KB  0.918  q56
    0.945    41.0 KB  0.926  q70        28.0 KB  0.927  q62
    0.95     44.7 KB  0.933  q74        31.2 KB  0.932  q70
    0.96     55.7 KB  0.946  q82        39.6 KB  0.945  q78
    0.97     88.8 KB  0.961  q88        55.0 KB  0.958  q84

0.95 is where the median SSIM equals what Pillow's JPEG q75 gives on the same
photos (0.933) — the quality people accept from a "75" default — and stays above
Squoosh's default (MozJPEG q75, SSIM 0.925); below 0.945 the SSIM falls under
Squoosh's, and 0.96 costs 25 % more bytes.  Unlike a fixed q75 it adapts per image:
soft 8–9 MP phone photos reach it around q25–35.
"""

from __future__ import annotations

import contextlib
import io
import logging
import math
import struct
import threading
import warnings
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from PIL import Image, ImageSequence, UnidentifiedImageError

from . import codecs, metadata
from .errors import (
    CodecUnavailableError,
    CorruptImageError,
    EmptyInputError,
    ImageCompressError,
    ImageTooLargeError,
    InvalidOptionsError,
    UnsupportedFormatError,
)
from .options import Options

try:
    from PIL import ImageCms
except ImportError:  # a Pillow built without LittleCMS: no colour management
    ImageCms = None  # type: ignore[assignment]
from .score import guarded_score as visual_score

log = logging.getLogger(__name__)

DEFAULT_VISUAL_TARGET = 0.95
MAX_ENCODES = 8
# Above this many pixels WebP's quality search runs at method 4 (2× faster) and only
# the final file is written at method 6 (and scored again).
FAST_SEARCH_PIXELS = 2_000_000
ANIMATION_QUALITY = 80
# Where the visual-target search starts: near the median quality that reached the
# default target on the Kodak photos, so most images need 3–5 encodes.
START_QUALITY = {"jpeg": 72, "webp": 70}

_INPUT_FORMATS = {"JPEG": "jpeg", "MPO": "jpeg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
_OPEN_FORMATS = ["JPEG", "PNG", "WEBP", "GIF"]
_MAGIC = [
    (b"\xff\xd8\xff", "jpeg"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
]
_OTHER_MAGIC = [
    (b"BM", "BMP"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"%PDF", "PDF"),
    (b"\x00\x00\x01\x00", "ICO"),
    (b"8BPS", "PSD"),
]
_DECODE_ERRORS = (
    OSError,
    SyntaxError,
    ValueError,
    struct.error,
    EOFError,
    IndexError,
    KeyError,
    TypeError,
    ZeroDivisionError,
    zlib.error,
    Image.DecompressionBombError,
)
_pillow_lock = threading.RLock()
_SRGB = ImageCms.createProfile("sRGB") if ImageCms is not None else None


@dataclass
class Result:
    """One compressed image and everything the page shows about it."""

    data: bytes
    format: str
    mime_type: str
    width: int
    height: int
    original_size: int
    size: int
    report: dict[str, Any] = field(default_factory=dict)

    @property
    def extension(self) -> str:
        """File name extension for ``format`` (".jpg", ".png", ...)."""
        return str(codecs.CODECS[self.format].EXTENSION)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary without the bytes (the page transfers those separately)."""
        saved = self.original_size - self.size
        return {
            "format": self.format,
            "mime_type": self.mime_type,
            "extension": self.extension,
            "width": self.width,
            "height": self.height,
            "original_size": self.original_size,
            "size": self.size,
            "saved_bytes": saved,
            "saved_percent": round(100 * saved / self.original_size, 1)
            if self.original_size
            else 0.0,
            "report": self.report,
        }


@dataclass
class Info:
    """What an image is, read from its header, for the page to show before compressing."""

    format: str
    mime_type: str
    width: int
    height: int
    mode: str
    frames: int
    animated: bool
    has_alpha: bool
    size: int
    metadata: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready copy of every field."""
        return {
            "format": self.format,
            "mime_type": self.mime_type,
            "width": self.width,
            "height": self.height,
            "mode": self.mode,
            "frames": self.frames,
            "animated": self.animated,
            "has_alpha": self.has_alpha,
            "size": self.size,
            "metadata": self.metadata,
        }


class _PillowGuard:
    """Lift Pillow's own bomb limit (we apply ``max_pixels`` ourselves) and mute its
    advisory warnings for the duration of one call.

    Both are process-global in Pillow, so calls are serialised with a lock; the
    browser runs one engine per worker and the CLI is sequential, so nothing waits.
    """

    def __enter__(self) -> None:
        _pillow_lock.acquire()
        self._old = Image.MAX_IMAGE_PIXELS
        Image.MAX_IMAGE_PIXELS = None
        self._warnings = warnings.catch_warnings()
        self._warnings.__enter__()
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        warnings.filterwarnings("ignore", category=UserWarning, module=r"PIL\.")
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"PIL\.")

    def __exit__(self, *exc: object) -> None:
        self._warnings.__exit__(*exc)
        Image.MAX_IMAGE_PIXELS = self._old
        _pillow_lock.release()


def _sniff(data: bytes) -> str | None:
    for magic, name in _MAGIC:
        if data.startswith(magic):
            return name
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def _unsupported(data: bytes) -> ImageCompressError:
    for magic, name in _OTHER_MAGIC:
        if data.startswith(magic):
            return UnsupportedFormatError(
                f"{name} files are not supported; convert to JPEG, PNG, WebP or GIF first"
            )
    head = data[:64].lstrip().lower()
    if head.startswith((b"<svg", b"<?xml")):
        return UnsupportedFormatError("SVG is not supported; export it as PNG first")
    if data[4:8] == b"ftyp":
        return UnsupportedFormatError(
            "HEIC/AVIF files are not supported; export the photo as JPEG first"
        )
    return UnsupportedFormatError(
        "this is not an image file the engine reads (JPEG, PNG, WebP or GIF)"
    )


def _corrupt(exc: BaseException, kind: str | None) -> CorruptImageError:
    text = str(exc).lower()
    what = (kind or "image").upper() if kind != "webp" else "WebP"
    if "truncated" in text or isinstance(exc, EOFError) or "end of file" in text:
        return CorruptImageError(f"the file is truncated: the {what} data ends early")
    if isinstance(exc, MemoryError):
        return CorruptImageError("the image needs more memory to decode than is available")
    return CorruptImageError(f"the {what} data is damaged and cannot be decoded ({exc})")


def _open(data: bytes, max_pixels: int) -> Image.Image:
    if not data:
        raise EmptyInputError("the file is empty (0 bytes)")
    kind = _sniff(data)
    try:
        image = Image.open(io.BytesIO(data), formats=_OPEN_FORMATS)
    except UnidentifiedImageError as exc:
        if kind:
            raise _corrupt(exc, kind) from None
        raise _unsupported(data) from None
    except (*_DECODE_ERRORS, MemoryError) as exc:
        raise _corrupt(exc, kind) from None
    w, h = image.size
    if w < 1 or h < 1:
        raise CorruptImageError(f"the header claims an empty {w}×{h} image")
    if w * h > max_pixels:
        limit = max_pixels / 1_000_000
        limit_text = f"{limit:g}-megapixel" if limit >= 1 else f"{max_pixels}-pixel"
        raise ImageTooLargeError(
            f"{w}×{h} pixels is over the {limit_text} limit; scale it down before compressing"
        )
    return image


@dataclass
class _Source:
    image: Image.Image
    kind: str
    frames: list[Image.Image]
    durations: list[int]
    loop: int | None
    disposal: list[int] | None

    @property
    def animated(self) -> bool:
        return len(self.frames) > 1


def _decode(image: Image.Image, kind: str, max_pixels: int) -> _Source:
    n = getattr(image, "n_frames", 1)
    if n > 1:
        w, h = image.size
        if n * w * h > 4 * max_pixels:
            raise ImageTooLargeError(
                f"{n} frames of {w}×{h} pixels is over the limit for animations"
            )
        frames, durations, disposal = [], [], []
        for frame in ImageSequence.Iterator(image):
            frame.load()
            durations.append(int(frame.info.get("duration", 100) or 0))
            disposal.append(int(getattr(frame, "disposal_method", 0) or 0))
            frames.append(frame.convert("RGBA"))
        loop = image.info.get("loop", 0)
        return _Source(frames[0], kind, frames, durations, loop, disposal)
    image.load()
    return _Source(image, kind, [image], [], None, None)


def _to_8bit(image: Image.Image) -> Image.Image:
    if image.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        _, hi = image.getextrema()  # type: ignore[misc]
        scale = 1 / 257 if hi > 255 else 1
        return image.convert("I").point(lambda v: v * scale).convert("L")
    if image.mode == "F":
        return image.convert("L")
    return image


def _normalise(image: Image.Image, notes: list[str]) -> tuple[Image.Image, bytes | None, bool]:
    """To L/LA/RGB/RGBA; returns (image, icc profile to keep, icc converted)."""
    icc = image.info.get("icc_profile") or None
    converted = False
    if image.mode == "CMYK":
        if icc and ImageCms is not None:
            try:
                src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
                image = ImageCms.profileToProfile(image, src, _SRGB, outputMode="RGB")
                notes.append("CMYK converted to sRGB through its embedded ICC profile.")
                converted = True
            except (ImageCms.PyCMSError, OSError, ValueError):
                image = image.convert("RGB")
                notes.append("CMYK converted to RGB without colour management (bad ICC).")
        else:
            image = image.convert("RGB")
            notes.append("CMYK converted to RGB without a profile (colours approximate).")
        return image, None, converted
    image = _to_8bit(image)
    if image.mode in ("P", "PA"):
        image = image.convert("RGBA")
    elif image.mode == "1":
        image = image.convert("L")
    elif image.mode in ("L", "RGB") and "transparency" in image.info:
        image = image.convert("RGBA" if image.mode == "RGB" else "LA")
    elif image.mode not in ("L", "LA", "RGB", "RGBA"):
        image = image.convert("RGBA" if "A" in image.mode else "RGB")
    if image.mode in ("RGBA", "LA") and image.getchannel("A").getextrema() == (255, 255):
        image = image.convert("RGB" if image.mode == "RGBA" else "L")
    if icc and image.mode in ("L", "LA"):
        icc = icc if _profile_space(icc) == "GRAY" else None
    elif icc and _profile_space(icc) not in ("RGB", None):
        icc = None
    return image, icc, converted


def _profile_space(icc: bytes) -> str | None:
    return icc[16:20].decode("ascii", "replace").strip() if len(icc) >= 20 else None


def _to_srgb(image: Image.Image, icc: bytes, notes: list[str]) -> Image.Image:
    if ImageCms is None:
        raise CodecUnavailableError(
            "this build has no colour management (LittleCMS); turn off sRGB conversion"
        )
    try:
        src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        mode = image.mode
        if mode in ("L", "LA"):
            return image
        out = ImageCms.profileToProfile(image.convert("RGB"), src, _SRGB, outputMode="RGB")
        if mode == "RGBA":
            out.putalpha(image.getchannel("A"))
        notes.append(
            f"Colours converted from {metadata.icc_description(icc) or 'the embedded profile'} "
            "to sRGB; the profile was dropped."
        )
        return out
    except (ImageCms.PyCMSError, OSError, ValueError):
        notes.append("The embedded ICC profile could not be read; it was dropped unconverted.")
        return image


def _bare(image: Image.Image) -> Image.Image:
    image.info = {}
    return image


def _flatten_white(image: Image.Image) -> Image.Image:
    """JPEG has no alpha: composite over white (what the JPEG encoder path does)."""
    if image.mode not in ("RGBA", "LA"):
        return image
    rgba = image.convert("RGBA")
    base = Image.new("RGB", image.size, (255, 255, 255))
    base.paste(rgba, mask=rgba.getchannel("A"))
    return base if image.mode == "RGBA" else base.convert("L")


def _fit(size: tuple[int, int], options: Options) -> tuple[int, int]:
    w, h = size
    scale = 1.0
    if options.max_width and w > options.max_width:
        scale = min(scale, options.max_width / w)
    if options.max_height and h > options.max_height:
        scale = min(scale, options.max_height / h)
    if scale >= 1.0:
        return w, h
    return max(1, round(w * scale)), max(1, round(h * scale))


def _resize(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    if image.size == size:
        return image
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def _orient(image: Image.Image, orientation: int) -> Image.Image:
    if orientation == 1:
        return image
    method = {
        2: Image.Transpose.FLIP_LEFT_RIGHT,
        3: Image.Transpose.ROTATE_180,
        4: Image.Transpose.FLIP_TOP_BOTTOM,
        5: Image.Transpose.TRANSPOSE,
        6: Image.Transpose.ROTATE_270,
        7: Image.Transpose.TRANSVERSE,
        8: Image.Transpose.ROTATE_90,
    }.get(orientation)
    if method is None:
        return image
    info = image.info
    out = image.transpose(method)
    out.info.update(info)
    return out


@dataclass
class _Candidate:
    data: bytes
    fmt: str
    params: dict[str, Any]
    score: float | None
    size: tuple[int, int]

    @property
    def nbytes(self) -> int:
        return len(self.data)


@dataclass
class _Job:
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
    encodes: int = 0
    notes: list[str] = field(default_factory=list)
    _scaled: dict[tuple[int, int], tuple[Image.Image, list[Image.Image]]] = field(
        default_factory=dict
    )

    @property
    def animated(self) -> bool:
        return len(self.frames) > 1

    @property
    def has_alpha(self) -> bool:
        return self.image.mode in ("RGBA", "LA")

    def at(self, size: tuple[int, int]) -> tuple[Image.Image, list[Image.Image]]:
        if size == self.image.size:
            return self.image, self.frames
        if size not in self._scaled:
            frames = [_resize(f, size) for f in self.frames]
            self._scaled[size] = (frames[0] if self.animated else _resize(self.image, size), frames)
        return self._scaled[size]


def _encode(job: _Job, fmt: str, size: tuple[int, int], **params: Any) -> _Candidate:
    image, frames = job.at(size)
    codec = codecs.get(fmt)
    anim = frames if job.animated else None
    job.encodes += 1
    if fmt == "jpeg":
        im = _flatten_white(image)
        kwargs: dict[str, Any] = {"icc_profile": job.icc, "exif": job.exif, **params}
    elif fmt == "gif":
        im = image
        kwargs = {
            "frames": anim,
            "durations": job.durations,
            "loop": job.loop,
            "disposal": job.disposal,
        }
    else:
        im = image
        kwargs = {
            "icc_profile": job.icc,
            "exif": job.exif,
            "frames": anim,
            "durations": job.durations,
            "loop": job.loop or 0,
            **params,
        }
    data = codec.encode(im, **kwargs)
    used = codec.parameters(im, **kwargs)
    return _Candidate(data, fmt, used, None, size)


def _score(job: _Job, cand: _Candidate) -> float:
    if cand.score is not None:
        return cand.score
    reference, _ = job.at(cand.size)
    if cand.fmt == "jpeg":
        reference = _flatten_white(reference)
    grey = reference.mode in ("L", "LA")
    alpha = job.has_alpha and cand.fmt != "jpeg"
    mode = ("LA" if alpha else "L") if grey else ("RGBA" if alpha else "RGB")
    with Image.open(io.BytesIO(cand.data)) as decoded:
        decoded.load()
        decoded_im = decoded.convert(mode)
    cand.score = round(visual_score(reference.convert(mode), decoded_im), 5)
    return cand.score


def _search(
    make: Callable[[int], _Candidate],
    metric: Callable[[_Candidate], float],
    goal: float,
    start: int,
    budget: int,
) -> tuple[_Candidate | None, _Candidate | None]:
    """Lowest q in 1..100 whose candidate has ``metric >= goal`` (metric rising with q).

    A secant search: with tries on both sides it interpolates between the nearest
    failing and passing ones; with tries on one side only it extrapolates from the
    last two (first step ±10), so a far-away answer is reached in a few jumps.  Every
    third step bisects so a lopsided curve cannot stall it.  Returns (lowest
    passing, highest failing) after at most ``budget`` encodes.
    """
    lo, hi = 0, 101
    lo_v: float | None = None
    hi_v: float | None = None
    best: _Candidate | None = None
    closest: _Candidate | None = None
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
                q = lo + round((goal - lo_v) / (hi_v - lo_v) * (hi - lo))
        elif len(history) >= 2 and history[-1][1] != history[-2][1]:
            (q1, v1), (q2, v2) = history[-2], history[-1]
            slope = (v2 - v1) / (q2 - q1)
            jump = (goal - v2) / slope if slope > 0 else 0
            q = q2 + max(-40, min(40, round(jump)))
            q = q + (1 if hi_v is None else -1) * 2
        else:
            q = q + (10 if hi_v is None else -10)
        q = min(max(q, lo + 1, 1), hi - 1, 100)
        if any(q == tried for tried, _ in history):
            break
    return best, closest


def _visual_metric(job: _Job) -> Callable[[_Candidate], float]:
    """-log(1 - score): close to linear in quality, so secant steps land well."""
    return lambda c: -math.log(max(1e-6, 1.0 - _score(job, c)))


def _lossy_visual(job: _Job, fmt: str, size: tuple[int, int], target: float) -> _Candidate:
    fast = fmt == "webp" and size[0] * size[1] > FAST_SEARCH_PIXELS
    extra: dict[str, Any] = {"method": 4} if fast else {}
    best, closest = _search(
        lambda q: _encode(job, fmt, size, quality=q, **extra),
        _visual_metric(job),
        -math.log(max(1e-6, 1.0 - target)),
        START_QUALITY[fmt],
        MAX_ENCODES - (1 if fast else 0),
    )
    chosen = best or closest
    assert chosen is not None
    if fast:
        final = _encode(job, fmt, size, quality=int(chosen.params["quality"]))
        # Method 6 is usually smaller at the same score; keep the method-4 file when
        # it is not (or when the method-6 file slips under the target).
        if final.nbytes <= chosen.nbytes and (_score(job, final) >= target or best is None):
            chosen = final
    return chosen


def _palette_visual(job: _Job, size: tuple[int, int], target: float) -> _Candidate | None:
    """Fewest colours (from 256 down, halving) whose palette PNG meets the target."""
    if job.options.colors != "auto":
        cand = _encode(job, "png", size, colors=job.options.colors)
        _score(job, cand)
        return cand
    best = None
    colors = 256
    # SSIM barely penalises dither noise (a 32-colour dithered kodim01 still scores
    # 0.96 in scikit-image too), so photos stop at 64 colours; graphics go lower.
    floor = 64 if job.photo else 2
    while colors >= floor:
        cand = _encode(job, "png", size, colors=colors)
        if _score(job, cand) < target:
            break
        if best is not None and cand.nbytes >= best.nbytes:
            break
        best = cand
        colors //= 2
    return best


def _lossless_png(job: _Job, size: tuple[int, int]) -> _Candidate:
    image, _ = job.at(size)
    exact = None if job.animated else codecs.png.exact_palette(image)
    if exact is not None:
        job.encodes += 1
        data = codecs.png.encode(exact, icc_profile=job.icc, exif=job.exif)
        used = {**codecs.png.parameters(exact), "palette": "exact"}
        return _Candidate(data, "png", used, 1.0, size)
    cand = _encode(job, "png", size)
    cand.score = 1.0
    return cand


def _png_visual(job: _Job, size: tuple[int, int], target: float) -> _Candidate:
    lossless = _lossless_png(job, size)
    if target >= 1.0 or job.animated:
        return lossless
    palette = _palette_visual(job, size, target)
    if job.options.colors != "auto" and palette is not None:
        return palette
    if palette is not None and palette.nbytes < lossless.nbytes:
        return palette
    return lossless


def _webp_lossless_try(job: _Job, size: tuple[int, int], lossy: _Candidate) -> _Candidate:
    if job.photo or job.animated:
        return lossy
    cand = _encode(job, "webp", size, lossless=True)
    cand.score = 1.0
    return cand if cand.nbytes <= lossy.nbytes else lossy


def _visual(job: _Job, fmt: str, size: tuple[int, int], target: float) -> _Candidate:
    if fmt == "png":
        return _png_visual(job, size, target)
    if fmt == "gif":
        cand = _encode(job, "gif", size)
        _score(job, cand)
        return cand
    cand = _lossy_visual(job, fmt, size, target)
    if fmt == "webp":
        cand = _webp_lossless_try(job, size, cand)
    return cand


def _png_quality_target(quality: int) -> float:
    """PNG has no quality knob: q asks for a palette scoring ≥ 0.8 + 0.002·q (q=75 ↔ 0.95)."""
    return 0.8 + 0.002 * quality


def _fixed_quality(job: _Job, fmt: str, size: tuple[int, int], quality: int) -> _Candidate:
    if fmt == "png":
        return _png_visual(job, size, 1.0 if quality >= 100 else _png_quality_target(quality))
    if fmt == "gif":
        return _encode(job, "gif", size)
    cand = _encode(job, fmt, size, quality=quality)
    if fmt == "webp":
        cand = _webp_lossless_try(job, size, cand)
    return cand


def _sized(job: _Job, fmt: str, size: tuple[int, int], target: int) -> tuple[_Candidate, bool]:
    """Largest quality whose file fits ``target`` bytes at this size (or the smallest)."""

    def fits(c: _Candidate) -> bool:
        return c.nbytes <= target

    if fmt in ("jpeg", "webp"):
        # Highest quality that fits = lowest q' = 101 - q whose -log(size) reaches -log(target).
        best_fit, smallest = _search(
            lambda qq: _encode(job, fmt, size, quality=101 - qq),
            lambda c: -math.log(c.nbytes),
            -math.log(target),
            26,
            MAX_ENCODES,
        )
        if best_fit is not None and fmt == "webp" and not job.photo and not job.animated:
            lossless = _encode(job, fmt, size, lossless=True)
            if fits(lossless):
                lossless.score = 1.0
                return lossless, True
        if best_fit is not None:
            return best_fit, True
        if smallest is None or smallest.params.get("quality") != 1:
            smallest = _encode(job, fmt, size, quality=1)
        return smallest, fits(smallest)
    if fmt == "png":
        lossless = _lossless_png(job, size)
        if fits(lossless):
            return lossless, True
        if job.animated:
            return lossless, False
        smallest = lossless
        for colors in (256, 64, 16, 4, 2):
            if job.options.colors != "auto" and colors != job.options.colors:
                continue
            cand = _encode(job, "png", size, colors=colors)
            if cand.nbytes < smallest.nbytes:
                smallest = cand
            if fits(cand):
                return cand, True
        return smallest, False
    cand = _encode(job, fmt, size)
    return cand, fits(cand)


def _target_size(
    job: _Job, fmt: str, size: tuple[int, int], target: int
) -> tuple[_Candidate, bool]:
    cand, met = _sized(job, fmt, size, target)
    allow_downscale = job.options.max_width is None and job.options.max_height is None
    attempts = 0
    while not met and allow_downscale and attempts < 4:
        attempts += 1
        ratio = math.sqrt(target / cand.nbytes) * 0.9
        w, h = cand.size
        new = (max(1, round(w * min(ratio, 0.9))), max(1, round(h * min(ratio, 0.9))))
        if new == cand.size or min(new) < 16:
            break
        cand, met = _sized(job, fmt, new, target)
        if met:
            job.notes.append(f"Scaled down to {new[0]}×{new[1]} pixels to fit {target:,} bytes.")
    return cand, met


def _choose_formats(source_kind: str, job: _Job, options: Options) -> list[str]:
    fmt = options.format
    if fmt == "keep":
        chosen = source_kind
        if job.animated and chosen == "jpeg":
            chosen = "webp"
        return [chosen]
    if fmt == "smallest":
        if job.animated:
            names = ["webp", "gif"] if source_kind == "gif" else ["webp", "png"]
        else:
            names = ["webp", "png"] if job.has_alpha else ["jpeg", "webp", "png"]
            if job.photo and not job.has_alpha:
                # A photo as PNG is 3-10x bigger than as JPEG/WebP at the same score;
                # trying it only costs seconds (zlib on megapixels).
                names.remove("png")
        return [n for n in names if codecs.CODECS[n].is_available()] or names[:1]
    if fmt == "jpeg" and job.animated:
        job.notes.append(
            f"JPEG cannot hold an animation, so it was written as animated WebP to keep "
            f"all {len(job.frames)} frames."
        )
        return ["webp"]
    if fmt == "jpeg" and job.has_alpha:
        job.notes.append("JPEG has no transparency: transparent areas were filled with white.")
    return [fmt]


def _looks_like_photo(image: Image.Image, kind: str) -> bool:
    """Photos have many distinct colours even in a sparse sample; graphics few.

    The sample is nearest-neighbour so no new (averaged) colours appear at text and
    edges, which would make every screenshot look like a photo.
    """
    if kind == "jpeg":
        return True
    step = max(1, max(image.size) // 256)
    w, h = image.size
    small = image.resize((max(1, w // step), max(1, h // step)), Image.Resampling.NEAREST)
    if small.mode in ("L", "LA"):
        found = small.convert("L").getcolors(256) or []
        return len(found) > 128
    return small.convert("RGB").getcolors(2048) is None


def _effective_target(job: _Job, target: float) -> float:
    """Graphics aim for a quarter of the distortion a photo may have.

    Mean SSIM is inflated by flat areas: a screenshot at WebP q1 still averages 0.955
    because its empty background is perfect while the text is smeared.
    """
    if job.photo or target >= 1.0:
        return target
    return 1.0 - (1.0 - target) / 4


def compress(data: bytes, options: Options | None = None) -> Result:
    """Compress one image; only ``ImageCompressError`` subclasses are raised."""
    options = options or Options()
    if not isinstance(options, Options):
        raise InvalidOptionsError("options", "must be an imgcompress.Options")
    if not isinstance(data, bytes | bytearray | memoryview):
        raise InvalidOptionsError("data", "must be the file's bytes")
    data = bytes(data)
    with _engine_errors(data, "processed"), _PillowGuard():
        return _compress(data, options)


@contextlib.contextmanager
def _engine_errors(data: bytes, verb: str) -> Iterator[None]:
    """Only the error family leaves the public functions: what Pillow or a codec raises is
    turned into a message a person can act on; anything else is a bug, logged with its trace."""
    try:
        yield
    except ImageCompressError:
        raise
    except MemoryError:
        raise CorruptImageError(
            "the image needs more memory than is available; try a smaller image"
        ) from None
    except _DECODE_ERRORS as exc:
        raise _corrupt(exc, _sniff(data)) from None
    except Exception as exc:
        log.exception("unexpected failure while the image was %s", verb)
        raise CorruptImageError(
            f"the image could not be {verb} ({type(exc).__name__}: {exc})"
        ) from None


def inspect(data: bytes, max_pixels: int | None = None) -> Info:
    """Describe an image from its header, without decoding the pixels."""
    data = bytes(data)
    limit = max_pixels or Options().max_pixels
    with _engine_errors(data, "read"), _PillowGuard():
        image = _open(data, limit)
        kind = _INPUT_FORMATS[image.format or ""]
        found = metadata.read(image, data)
        frames = int(getattr(image, "n_frames", 1))
        has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
        return Info(
            format=kind,
            mime_type=str(codecs.CODECS[kind].MIME_TYPE),
            width=image.size[0],
            height=image.size[1],
            mode=image.mode,
            frames=frames,
            animated=frames > 1,
            has_alpha=has_alpha,
            size=len(data),
            metadata=found.to_dict(),
        )


def _lossless_strip(data: bytes, kind: str, exif: bytes | None) -> bytes | None:
    stripped = _strip(data, kind, exif)
    if stripped is None and exif:
        # e.g. a simple (VP8-only) WebP has nowhere to put EXIF: strip without it.
        stripped = _strip(data, kind, None)
    return stripped


def _strip(data: bytes, kind: str, exif: bytes | None) -> bytes | None:
    try:
        if kind == "jpeg":
            return metadata.strip_jpeg(data, exif)
        if kind == "png":
            return metadata.strip_png(data, exif)
        if kind == "webp":
            return metadata.strip_webp(data, exif)
        if kind == "gif":
            return metadata.strip_gif(data)
    except (ValueError, IndexError, struct.error):
        return None
    return None


def _compress(data: bytes, options: Options) -> Result:
    image = _open(data, options.max_pixels)
    kind = _INPUT_FORMATS[image.format or ""]
    found = metadata.read(image, data)
    removable = found.removable()
    kept = [
        k
        for k in options.keep
        if (k == "datetime" and found.captured)
        or (k == "copyright" and (found.copyright or found.artist))
    ]
    notes: list[str] = []
    original_dims = image.size
    report: dict[str, Any] = {
        "input": {
            "format": kind,
            "width": image.size[0],
            "height": image.size[1],
            "mode": image.mode,
            "size": len(data),
        },
        "metadata": found.to_dict(),
        "options": options.to_dict(),
    }
    keep_exif_lossless = metadata.minimal_exif(image, options.keep, found.orientation)
    if not options.reencode:
        return _reencode_free(data, kind, image, found, keep_exif_lossless, kept, report)

    source = _decode(image, kind, options.max_pixels)
    frames = [_orient(f, found.orientation) for f in source.frames]
    base, icc, icc_converted = _normalise(_orient(source.image, found.orientation), notes)
    if source.animated:
        base = frames[0]
    icc_removed = icc_converted or (found.icc_present and icc is None)
    if options.to_srgb and icc:
        base = _to_srgb(base, icc, notes)
        if source.animated:
            frames = [_to_srgb(f, icc, []) for f in frames]
        icc, icc_removed = None, True
    if found.orientation != 1:
        notes.append("The EXIF orientation was applied to the pixels, so the image is upright.")
    target_dims = _fit(base.size, options)
    if target_dims != base.size:
        notes.append(
            f"Resized from {base.size[0]}×{base.size[1]} to {target_dims[0]}×{target_dims[1]}."
        )
    new_exif = metadata.minimal_exif(image, options.keep, 1)
    # Pillow's savers fall back to ``im.info`` for comments, ICC and more; the job's
    # images must carry nothing, so only what we pass explicitly is written.
    base = _bare(base)
    frames = [_bare(f) for f in frames]
    job = _Job(
        image=base,
        frames=frames if source.animated else [base],
        durations=source.durations,
        loop=source.loop,
        disposal=source.disposal,
        icc=icc,
        exif=new_exif,
        options=options,
        photo=_looks_like_photo(base, kind),
        notes=notes,
    )
    formats = _choose_formats(kind, job, options)
    mode, target_value = _mode(options)
    results: list[tuple[_Candidate, bool]] = []
    for fmt in formats:
        if mode == "target_size":
            results.append(_target_size(job, fmt, target_dims, int(target_value)))
        elif mode == "quality":
            cand = _fixed_quality(job, fmt, target_dims, int(target_value))
            results.append((cand, True))
        elif job.animated:
            # Each try re-encodes every frame; a fixed quality keeps animations quick.
            cand = _fixed_quality(job, fmt, target_dims, ANIMATION_QUALITY)
            results.append((cand, _score(job, cand) >= float(target_value)))
        else:
            goal = _effective_target(job, float(target_value))
            cand = _visual(job, fmt, target_dims, goal)
            results.append((cand, _score(job, cand) >= goal))
    met = [r for r in results if r[1]]
    if mode == "target_size" and len(met) > 1:
        # Every candidate fits the budget: the best-looking one wins, not the smallest.
        chosen, target_met = max(met, key=lambda r: _score(job, r[0]))
    else:
        chosen, target_met = min(met or results, key=lambda r: r[0].nbytes)
    if len(formats) > 1:
        sizes = ", ".join(f"{c.fmt.upper()} {c.nbytes:,} B" for c, _ in results)
        how = "Best-scoring format within the size" if mode == "target_size" else "Smallest format"
        notes.append(f"{how} chosen from: {sizes}.")
    if chosen.score is None:
        _score(job, chosen)

    out_data, out_fmt, out_dims = chosen.data, chosen.fmt, chosen.size
    codec_params = dict(chosen.params)
    guard = (
        len(out_data) >= len(data)
        and out_fmt == kind
        and out_dims == original_dims
        and not icc_removed
    )
    if guard:
        stripped = _lossless_strip(data, kind, keep_exif_lossless)
        if stripped is not None and len(stripped) <= len(data):
            out_data = stripped
            chosen.score = 1.0
            codec_params = {"lossless_strip": True}
            notes.append(
                "Re-encoding would not make this file smaller, so the original was kept "
                "with its metadata removed losslessly (pixels untouched)."
            )
            target_met = mode != "target_size" or len(out_data) <= int(target_value)
    if out_fmt == "png" and job.photo and options.format == "keep":
        notes.append(
            'This looks like a photo kept as PNG; as JPEG or WebP (format "smallest") '
            "it would typically be 4–6× smaller at the same visual score."
        )
    if mode == "target_size" and not target_met:
        notes.append(
            f"Could not reach {int(target_value):,} bytes; this is the smallest result "
            f"({len(out_data):,} bytes)."
        )
    if mode == "visual_target" and job.animated:
        notes.append(
            f"Animations are encoded at quality {ANIMATION_QUALITY} (no per-frame search); "
            "the score is for the first frame."
        )
    if mode == "visual_target" and not job.photo and not job.animated:
        notes.append(
            f"Graphics aim for a score of {_effective_target(job, float(target_value)):.4g}: "
            "flat areas make the average score too forgiving for text and lines."
        )
    if mode == "visual_target" and not target_met:
        notes.append(
            f"The visual target {target_value} was not reached; the closest result scores "
            f"{chosen.score}."
        )
    removed = [
        k
        for k in removable
        if not (
            (k == "capture_time" and "datetime" in kept)
            or (k == "copyright" and "copyright" in kept)
        )
    ]
    if icc_removed:
        removed.append("icc")
    kept_list = list(kept)
    if found.icc_present and not icc_removed and out_fmt != "gif":
        kept_list.append("icc")
    if removed:
        notes.append(
            "Removed: " + ", ".join(metadata.REMOVED_WORDS.get(k, k) for k in removed) + "."
        )
    codec = codecs.CODECS[out_fmt]
    report.update(
        {
            "removed": removed,
            "kept": kept_list,
            "codec": {"format": out_fmt, **codec_params},
            "mode": mode,
            "target": target_value,
            "score": chosen.score,
            "target_met": bool(target_met),
            "encodes": job.encodes,
            "frames": len(job.frames),
            "notes": notes,
        }
    )
    return Result(
        data=out_data,
        format=out_fmt,
        mime_type=str(codec.MIME_TYPE),
        width=out_dims[0],
        height=out_dims[1],
        original_size=len(data),
        size=len(out_data),
        report=report,
    )


def _mode(options: Options) -> tuple[str, float]:
    if options.quality is not None:
        return "quality", options.quality
    if options.target_size is not None:
        return "target_size", options.target_size
    if options.visual_target is not None:
        return "visual_target", options.visual_target
    return "visual_target", DEFAULT_VISUAL_TARGET


def _reencode_free(
    data: bytes,
    kind: str,
    image: Image.Image,
    found: metadata.Found,
    exif: bytes | None,
    kept: list[str],
    report: dict[str, Any],
) -> Result:
    notes: list[str] = []
    stripped = _lossless_strip(data, kind, exif)
    if stripped is None:
        raise CorruptImageError(
            f"the {kind.upper()} structure is damaged, so metadata cannot be removed "
            "without re-encoding; try again with re-encoding on"
        )
    removed = found.removable()
    removed = [
        k
        for k in removed
        if not (
            (k == "capture_time" and "datetime" in kept)
            or (k == "copyright" and "copyright" in kept)
        )
    ]
    if found.orientation != 1:
        notes.append("Only the orientation tag was kept so the photo still displays upright.")
    notes.append("Metadata removed without re-encoding: pixels are identical.")
    kept_list = list(kept) + (["icc"] if found.icc_present else [])
    report.update(
        {
            "removed": removed,
            "kept": kept_list,
            "codec": {"format": kind, "lossless_strip": True},
            "mode": "strip",
            "target": None,
            "score": 1.0,
            "target_met": True,
            "encodes": 0,
            "frames": int(getattr(image, "n_frames", 1)),
            "notes": notes,
        }
    )
    return Result(
        data=stripped,
        format=kind,
        mime_type=str(codecs.CODECS[kind].MIME_TYPE),
        width=image.size[0],
        height=image.size[1],
        original_size=len(data),
        size=len(stripped),
        report=report,
    )
