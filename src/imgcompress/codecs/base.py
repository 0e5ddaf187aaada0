"""The contract every codec module fills in: what its format can hold and how to write it.

The engine reads only these fields; it never asks which format it is holding.  A codec
owns its container too: the byte-level check that a file is whole (``check``) and the
lossless metadata removal (``strip``) live beside the encoder, because both need the same
knowledge of chunks, markers and segments.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image


@dataclass(frozen=True)
class Picture:
    """What to encode: the prepared pixels and what travels with them.

    ``frames`` holds every frame of an animation (the first is ``image``); a still has
    ``frames == (image,)``.  ``icc`` and ``exif`` are written only when the codec can
    carry them.
    """

    image: Image.Image
    frames: tuple[Image.Image, ...]
    durations: tuple[int, ...] = ()
    loop: int | None = 0
    disposal: tuple[int, ...] | None = None
    icc: bytes | None = None
    exif: bytes | None = None

    @property
    def animated(self) -> bool:
        """More than one frame."""
        return len(self.frames) > 1

    @classmethod
    def still(
        cls, image: Image.Image, *, icc: bytes | None = None, exif: bytes | None = None
    ) -> Picture:
        """One image, optionally with a profile and EXIF to carry."""
        return cls(image=image, frames=(image,), icc=icc, exif=exif)

    @classmethod
    def animation(
        cls,
        frames: list[Image.Image],
        durations: list[int],
        loop: int | None = 0,
        disposal: list[int] | None = None,
    ) -> Picture:
        """Frames with their durations (ms), looping and GIF disposal methods."""
        return cls(
            image=frames[0],
            frames=tuple(frames),
            durations=tuple(durations),
            loop=loop,
            disposal=tuple(disposal) if disposal is not None else None,
        )


@dataclass(frozen=True)
class Settings:
    """How hard and how lossily to encode; a codec ignores what it has no knob for.

    ``probe`` marks an encode made only to measure during a search: a codec may trade a
    few bytes for speed there, and the engine always writes the final file with
    ``probe=False``.  ``shape`` names one of the codec's ``Codec.shapes`` (None: its first,
    the plain one).  ``quality`` is in whole points except for codecs with
    ``Codec.fine_quality``, which the search also hands fractions of a point.
    """

    quality: float | None = None
    lossless: bool = False
    colors: int | None = None
    probe: bool = False
    shape: str | None = None


@dataclass(frozen=True)
class Encoded:
    """The bytes and what the encoder really did with them (for the report)."""

    data: bytes
    params: dict[str, object]


def save(
    picture: Picture,
    pillow_format: str,
    first: Image.Image,
    rest: list[Image.Image],
    **kwargs: object,
) -> bytes:
    """Pillow's writer for a still or (with ``rest``) an animation, carrying the picture's
    ICC profile and EXIF when it has them: the one place codecs hand Pillow their options."""
    if picture.icc:
        kwargs["icc_profile"] = picture.icc
    if picture.exif:
        kwargs["exif"] = picture.exif
    if rest:
        kwargs.update(
            save_all=True,
            append_images=rest,
            duration=list(picture.durations),
            loop=picture.loop or 0,
        )
    out = io.BytesIO()
    first.save(out, pillow_format, **kwargs)
    return out.getvalue()


def _same(image: Image.Image) -> Image.Image:
    return image


def starts_with(*magic: bytes) -> Callable[[bytes], bool]:
    """A sniffer for formats recognised by their first bytes."""
    return lambda data: data.startswith(magic)


def _always(image: Image.Image) -> bool:
    return True


def _no_check(data: bytes) -> None:
    """Containers without checksums or a structure worth walking are left to the decoder."""


@dataclass(frozen=True)
class Codec:
    """One format, read and/or written, as the engine and the page see it.

    Capabilities the engine acts on:

    * ``lossless``: the default encode keeps every pixel (PNG), so it scores 1.0 unseen;
    * ``quality_range``: the codec has a 1–100 quality knob, so the engine searches it
      (``start_quality`` is where a visual search starts);
    * ``default_target``: the visual target this codec aims at when none is asked for,
      calibrated against the peer its files are compared with (None: the engine's
      ``DEFAULT_VISUAL_TARGET``);
    * ``fine_quality``: the encoder honours fractions of a quality point, so a visual search
      that found the lowest passing whole point also bisects the point below it
      (``search.FINE_PROBES``);
    * ``smooth_slope``: for a codec whose score rises smoothly with quality, about the
      steepest rise of -log(1 - score) per point of √quality measured on photos: a visual
      search then interpolates on √quality and sizes its first step by it
      (``search.Curve``).  None (JPEG, whose block-grid guard makes the score jump a few
      points below q75) keeps plain linear steps;
    * ``palette``: the codec can write a palette of ``colors``, so the engine searches the
      fewest colours that still meet the target (its lossless encode is the ceiling);
    * ``lossless_alternative``: for graphics the codec's lossless mode is tried too, and
      kept when it is smaller;
    * ``fast_probes``: ``Settings(probe=True)`` is markedly faster, so search probes use
      it and only the final file is written at full effort;
    * ``shapes``: names of the codec's quantisation-table shapes, plain first; when the
      block-grid guard held a visual search, the others are tried too (``Settings.shape``)
      and the smaller passing file is kept;
    * ``exact_tiles``: the codec codes every 16×16 block from that block's pixels alone
      (JPEG: DCT, quantisation and 4:2:0 subsampling are per block; only the entropy
      coding is global), so the tiles of the score's mosaic decode as they do inside the
      whole image (all but their outermost pixels, which no SSIM window reads) and the
      search trusts the mosaic's score for the final file (tests/unit/test_search.py);
    * ``container_metadata``: metadata only the container shows (JPEG's XMP, IPTC and
      comment segments), as names of ``metadata.Found`` flags;
    * ``prepare``: what the pixels need before this codec sees them (JPEG flattens
      transparency onto white); the visual score compares against the same prepared
      pixels;
    * ``animated_as``: the codec that holds this format's animations when it cannot;
    * ``smallest``: a candidate for the "smallest" output choice;
    * ``photographic``: files in this format are photos (JPEG: lossy-only, camera output),
      so the engine treats them as photos without sampling their colours;
    * ``smallest_for``: whether "smallest" should try this codec for an image (AVIF only
      up to a size where its encode time is acceptable);
    * ``keep_as``: the codec "keep the format" writes instead (HEIC → JPEG, TIFF → PNG),
      for formats that are read but not written;
    * ``pages``: several frames are not an animation but separate pictures, named so
      for the note ("pages" of a TIFF, "images" of a HEIF); only the main one is used;
    * ``package``: in the browser, the lazily loaded package that provides this codec;
    * ``carries_icc``: the output keeps an ICC profile (GIF's writer drops it);
    * ``choosable``: offered as an output format (GIF is written only to keep a GIF).
    """

    name: str
    label: str
    mime_type: str
    extensions: tuple[str, ...]
    pillow_formats: tuple[str, ...]
    sniff: Callable[[bytes], bool]
    available: Callable[[], bool]
    encode: Callable[[Picture, Settings], Encoded] | None = None
    strip: Callable[[bytes, bytes | None], bytes] | None = None
    check: Callable[[bytes], None] = _no_check
    container_metadata: Callable[[bytes], set[str]] | None = None
    prepare: Callable[[Image.Image], Image.Image] = _same
    animation: bool = False
    alpha: bool = False
    lossless: bool = False
    quality_range: bool = False
    start_quality: int = 75
    default_target: float | None = None
    fine_quality: bool = False
    smooth_slope: float | None = None
    palette: bool = False
    lossless_alternative: bool = False
    fast_probes: bool = False
    exact_tiles: bool = False
    shapes: tuple[str, ...] = ()
    animated_as: str | None = None
    smallest: bool = False
    choosable: bool = True
    carries_icc: bool = True
    smallest_for: Callable[[Image.Image], bool] = _always
    keep_as: str | None = None
    pages: str | None = None
    package: str | None = None
    photographic: bool = False

    @property
    def extension(self) -> str:
        """The extension written on new files (the first one listed)."""
        return self.extensions[0]

    @property
    def can_write(self) -> bool:
        """Whether this codec has an encoder at all (availability is checked separately)."""
        return self.encode is not None

    def describe(self, loadable: frozenset[str] = frozenset()) -> dict[str, object]:
        """A plain description for the page (labels, extensions, what it can hold).

        ``loadable`` names the packages the site can load on demand, so a lazily loaded
        codec counts as present before it is loaded.
        """
        present = self.available() or (self.package is not None and self.package in loadable)
        return {
            "name": self.name,
            "label": self.label,
            "mime_type": self.mime_type,
            "extensions": list(self.extensions),
            "read": present,
            "write": self.can_write and present,
            "package": self.package,
            "animation": self.animation,
            "alpha": self.alpha,
            "smallest": self.smallest,
            "choosable": self.choosable and self.can_write,
        }


__all__ = ["Codec", "Encoded", "Picture", "Settings", "starts_with"]
