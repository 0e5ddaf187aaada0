"""compress() and inspect(): decode, prepare the pixels, search, report; each job has its module.

The default quality mode is a visual target on the engine's score (``imgcompress.score``):
``DEFAULT_VISUAL_TARGET`` = 0.94, or a codec's own calibrated default (``Codec.
default_target``; JPEG's is 0.936, measured against Squoosh's MozJPEG q75 where the page
writes JPEG, see ``codecs/jpeg.py``).  A codec needs its own because the score's relation to
scikit-image's RGB SSIM depends on the codec: at one target 0.936, on the eight Kodak photos
(median SSIM), JPEG lands at 0.9226, AVIF 0.9179 and WebP 0.9138.  0.94 kept "smallest"
(AVIF) at or above Squoosh's JPEG SSIM (0.9211); at 0.936 it fell below.

The block-grid guard (``imgcompress.score.Reference.grid_allowance``) holds the default to
no more block grid in flat areas than the codec's own plain q75 encode of the same photo
shows.  It is what stops JPEG on four of the eight Kodak photos and on both phone photos,
at q74-75 whatever the target below ~0.95: their SSIM would pass far lower (the phone
photos below q50).  So lowering the target buys bytes only on photos without flat areas;
the photos held by SSIM itself (kodim01, 04, 13, 15) stay above Squoosh's bytes.
"""

from __future__ import annotations

import threading
import warnings
from dataclasses import dataclass
from typing import Any

from PIL import Image

from . import budget, decode, metadata, pixels, report, search
from .codecs import Codec
from .errors import CorruptImageError, ImageTooLargeError, InvalidOptionsError
from .options import Options
from .report import Info, Notes, Result

DEFAULT_VISUAL_TARGET = 0.94
_pillow_lock = threading.RLock()


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


def compress(data: bytes, options: Options | None = None) -> Result:
    """Compress one image.

    A file the engine refuses raises an ``ImageCompressError``; any other exception is a
    bug in the engine and propagates as itself.
    """
    options = options or Options()
    if not isinstance(options, Options):
        raise InvalidOptionsError("options", "must be an imgcompress.Options")
    if not isinstance(data, bytes | bytearray | memoryview):
        raise InvalidOptionsError("data", "must be the file's bytes")
    data = bytes(data)
    with _PillowGuard():
        try:
            return _compress(data, options)
        except MemoryError:
            raise ImageTooLargeError(
                "the image needs more memory than is available; try a smaller image"
            ) from None


def inspect(data: bytes, max_pixels: int | None = None) -> Info:
    """Describe an image from its header (a damaged container is refused here too)."""
    data = bytes(data)
    with _PillowGuard():
        image, codec = decode.open_image(data, max_pixels or Options().max_pixels)
        found = metadata.read(image, data, codec)
        frames = int(getattr(image, "n_frames", 1))
        return Info(
            format=codec.name,
            mime_type=codec.mime_type,
            width=image.size[0],
            height=image.size[1],
            mode=image.mode,
            frames=frames,
            animated=frames > 1,
            has_alpha=image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info,
            size=len(data),
            metadata=found.to_dict(),
        )


@dataclass
class _Input:
    """What is known about the input once it is decoded."""

    data: bytes
    codec: Codec
    image: Image.Image
    found: metadata.Found
    kept: list[str]
    exif_lossless: bytes | None


def _compress(data: bytes, options: Options) -> Result:
    image, codec = decode.open_image(data, options.max_pixels)
    input_report = report.input_summary(codec.name, image.size, image.mode, len(data))
    source = decode.decode(image, codec, options.max_pixels)
    found = metadata.read(image, data, codec)
    inp = _Input(
        data=data,
        codec=codec,
        image=image,
        found=found,
        kept=report.kept_tags(found, options.keep),
        exif_lossless=metadata.minimal_exif(image, options.keep, found.orientation),
    )
    rep: dict[str, Any] = {
        "input": input_report,
        "metadata": found.to_dict(),
        "options": options.to_dict(),
    }
    if not options.reencode:
        return _strip_only(inp, rep)
    notes = Notes()
    if source.pages > 1:
        notes(
            "pages_skipped",
            f"This {codec.label} holds {source.pages} {codec.pages}; only the main one "
            "was compressed.",
            pages=source.pages,
        )
    job, icc_removed = _prepare(inp, source, options, notes)
    mode, goal = _mode(options)
    dims = pixels.fit(job.image.size, options.max_width, options.max_height)
    if dims != job.image.size:
        w, h = job.image.size
        text = f"Resized from {w}×{h} to {dims[0]}×{dims[1]}."
        notes("resized", text, width=dims[0], height=dims[1])
    chosen, met = _best(job, search.choose(codec, job, options.format), mode, goal, dims, notes)
    goal = _codec_goal(chosen.codec, options, mode, goal)
    out_data, params = chosen.data, {"format": chosen.codec.name, **chosen.params}
    if _keep_original(inp, chosen, icc_removed):
        stripped = _lossless_strip(inp.codec, data, inp.exif_lossless)
        if stripped is not None and len(stripped) <= len(data):
            out_data, chosen.score = stripped, 1.0
            params = {"format": chosen.codec.name, "lossless_strip": True}
            notes(
                "kept_original",
                "Re-encoding would not make this file smaller, so the original was kept "
                "with its metadata removed losslessly (pixels untouched).",
            )
            met = mode != "target_size" or len(out_data) <= int(goal)
    _outcome_notes(job, inp, chosen, mode, goal, met, len(out_data), notes)
    removed = report.removed_keys(found, inp.kept) + (["icc"] if icc_removed else [])
    kept = list(inp.kept)
    if found.icc_present and not icc_removed and chosen.codec.carries_icc:
        kept.append("icc")
    report.note_removed(notes, removed)
    rep.update(
        removed=removed,
        kept=kept,
        codec=params,
        mode=mode,
        target=goal,
        score=chosen.score,
        target_met=bool(met),
        encodes=job.encodes,
        frames=len(job.frames),
        notes=notes.items,
    )
    return report.result(out_data, chosen.codec.name, chosen.size, len(data), rep)


def _prepare(
    inp: _Input, source: decode.Source, options: Options, notes: Notes
) -> tuple[search.Job, bool]:
    """Upright, 8-bit, profile-handled pixels with no ``info``; and whether ICC was removed."""
    orientation = inp.found.orientation
    frames = [pixels.orient(f, orientation) for f in source.frames]
    base, icc, converted = pixels.normalise(pixels.orient(source.image, orientation), notes)
    if source.animated:
        base = frames[0]
    icc_removed = converted or (inp.found.icc_present and icc is None)
    if options.to_srgb and icc:
        description = metadata.icc_description(icc)
        base = pixels.to_srgb(base, icc, description, notes)
        if source.animated:
            frames = [pixels.to_srgb(f, icc, description, lambda *a, **k: None) for f in frames]
        icc, icc_removed = None, True
    if orientation != 1:
        notes(
            "orientation_applied",
            "The EXIF orientation was applied to the pixels, so the image is upright.",
            orientation=orientation,
        )
    base = pixels.bare(base)
    frames = [pixels.bare(f) for f in frames]
    job = search.Job(
        image=base,
        frames=frames if source.animated else [base],
        durations=source.durations,
        loop=source.loop,
        disposal=source.disposal,
        icc=icc,
        exif=metadata.minimal_exif(inp.image, options.keep, 1),
        options=options,
        photo=pixels.looks_like_photo(base, inp.codec.photographic),
        note=notes,
    )
    return job, icc_removed


def _mode(options: Options) -> tuple[str, float]:
    if options.quality is not None:
        return "quality", options.quality
    if options.target_size is not None:
        return "target_size", options.target_size
    if options.visual_target is not None:
        return "visual_target", options.visual_target
    return "visual_target", DEFAULT_VISUAL_TARGET


def _codec_goal(codec: Codec, options: Options, mode: str, goal: float) -> float:
    """The goal for ``codec``: the one asked for, or, when no visual target was asked for,
    the codec's calibrated default (``Codec.default_target``) if it has one."""
    if mode != "visual_target" or options.visual_target is not None:
        return goal
    return codec.default_target if codec.default_target is not None else goal


def _best(
    job: search.Job,
    candidates: list[Codec],
    mode: str,
    goal: float,
    dims: tuple[int, int],
    notes: Notes,
) -> tuple[search.Candidate, bool]:
    """Run the mode's search for each candidate codec and pick the winner."""
    results: list[tuple[search.Candidate, bool]] = []
    for codec in candidates:
        if mode == "target_size":
            results.append(budget.target_size(job, codec, dims, int(goal)))
        elif mode == "quality":
            results.append((search.fixed(job, codec, dims, int(goal)), True))
        elif job.animated:
            # Each try re-encodes every frame; a fixed quality keeps animations quick.
            cand = search.fixed(job, codec, dims, search.ANIMATION_QUALITY)
            results.append(
                (cand, search.score(job, cand) >= _codec_goal(codec, job.options, mode, goal))
            )
        else:
            target = search.effective_target(job, _codec_goal(codec, job.options, mode, goal))
            cand = search.visual(job, codec, dims, target)
            results.append((cand, search.score(job, cand) >= target))
    met = [r for r in results if r[1]]
    if mode == "target_size" and len(met) > 1:
        # Every candidate fits the budget: the best-looking one wins, not the smallest.
        chosen, target_met = max(met, key=lambda r: search.score(job, r[0]))
    else:
        chosen, target_met = min(met or results, key=lambda r: r[0].nbytes)
    if len(results) > 1:
        sizes = ", ".join(f"{c.codec.label} {c.nbytes:,} B" for c, _ in results)
        how = "Best-scoring format within the size" if mode == "target_size" else "Smallest format"
        notes(
            "format_chosen",
            f"{how} chosen from: {sizes}.",
            tried={c.codec.name: c.nbytes for c, _ in results},
            chosen=chosen.codec.name,
        )
    search.score(job, chosen)
    return chosen, target_met


def _keep_original(inp: _Input, chosen: search.Candidate, icc_removed: bool) -> bool:
    """Whether the re-encode lost to the input itself (same format, size and colours)."""
    return (
        chosen.nbytes >= len(inp.data)
        and chosen.codec.name == inp.codec.name
        and chosen.size == inp.image.size
        and not icc_removed
    )


def _lossless_strip(codec: Codec, data: bytes, exif: bytes | None) -> bytes | None:
    """The input with its metadata removed by the codec, or None if it cannot."""
    if codec.strip is None:
        return None
    for attempt in (exif, None) if exif else (None,):
        # e.g. a simple (VP8-only) WebP has nowhere to put EXIF: strip without it.
        try:
            return codec.strip(data, attempt)
        except ValueError:
            continue
    return None


def _outcome_notes(
    job: search.Job,
    inp: _Input,
    chosen: search.Candidate,
    mode: str,
    goal: float,
    met: bool,
    nbytes: int,
    notes: Notes,
) -> None:
    if chosen.codec.lossless and job.photo and job.options.format == "keep":
        notes(
            "photo_as_png",
            f"This looks like a photo kept as {chosen.codec.label}; as JPEG or WebP "
            '(format "smallest") it would typically be 4–6× smaller at the same visual score.',
        )
    if mode == "target_size" and not met:
        notes(
            "target_size_missed",
            f"Could not reach {int(goal):,} bytes; this is the smallest result ({nbytes:,} bytes).",
            target=int(goal),
            size=nbytes,
        )
    if mode == "visual_target" and job.animated:
        notes(
            "animation_fixed_quality",
            f"Animations are encoded at quality {search.ANIMATION_QUALITY} (no per-frame "
            "search); the score is for the first frame.",
            quality=search.ANIMATION_QUALITY,
        )
    if mode == "visual_target" and not job.photo and not job.animated:
        target = search.effective_target(job, goal)
        notes(
            "graphics_target",
            f"Graphics aim for a score of {target:.4g}: flat areas make the average score "
            "too forgiving for text and lines.",
            target=target,
        )
    if mode == "visual_target" and not met:
        notes(
            "visual_target_missed",
            f"The visual target {goal} was not reached; the closest result scores {chosen.score}.",
            target=goal,
            score=chosen.score,
        )


def _strip_only(inp: _Input, rep: dict[str, Any]) -> Result:
    """``reencode=False``: the original bytes minus metadata, pixels untouched."""
    if inp.codec.strip is None:
        raise InvalidOptionsError(
            "reencode",
            f"metadata can be removed from {inp.codec.label} files only by re-encoding; "
            "turn re-encoding on",
        )
    stripped = _lossless_strip(inp.codec, inp.data, inp.exif_lossless)
    if stripped is None:
        raise CorruptImageError(
            f"the {inp.codec.label} structure is damaged, so metadata cannot be removed "
            "without re-encoding; try again with re-encoding on"
        )
    notes = Notes()
    if inp.found.orientation != 1:
        notes(
            "orientation_kept",
            "Only the orientation tag was kept so the photo still displays upright.",
        )
    notes("strip_only", "Metadata removed without re-encoding: pixels are identical.")
    rep.update(
        removed=report.removed_keys(inp.found, inp.kept),
        kept=list(inp.kept) + (["icc"] if inp.found.icc_present else []),
        codec={"format": inp.codec.name, "lossless_strip": True},
        mode="strip",
        target=None,
        score=1.0,
        target_met=True,
        encodes=0,
        frames=int(getattr(inp.image, "n_frames", 1)),
        notes=notes.items,
    )
    return report.result(stripped, inp.codec.name, inp.image.size, len(inp.data), rep)


__all__ = ["DEFAULT_VISUAL_TARGET", "Info", "Result", "compress", "inspect"]
