"""The test images: small real files in tests/data/, and stand-ins made here for the big ones.

A fresh clone must test itself with nothing beside it, and the repository stays small, so the
multi-megapixel files of the company corpus are not copied. Each test still asks for a file by
its corpus name; for the few big ones this module makes a faithful stand-in instead:

- the two GPS phone photos: a 1200-px copy of the real photo, carrying the original's metadata
  segments byte for byte (tests/data/*_1200px.jpg), is scaled back to the original's size with a
  little grain, saved at about the phones' quality and given those metadata segments again.
  Same name, size, EXIF (GPS, camera, capture time) and compressibility.
- the 16-bit grey PNG: a synthetic 3072×2048 I;16 image whose low bytes carry information.

Stand-ins are deterministic (seeded), made once per test session, and never written into the
repository. tests/data/README.md names every file's source and licence.

The full company corpus (../shared/corpus, or $IMGCOMPRESS_CORPUS) is only for benchmarks and
for the opt-in extended suite (`pytest --full-corpus`, see tests/corpus/).

Run ``python tests/testdata.py derive [CORPUS]`` to remake the derived files in tests/data/.
"""

from __future__ import annotations

import functools
import io
import os
import random
import shutil
import struct
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageChops, ImageMath

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
CORPUS_ENV = "IMGCOMPRESS_CORPUS"
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"

# The derived photos are this wide, at this quality: enough detail to scale back up to 8-9 MP
# convincingly, small enough (about 100 and 260 KB) to keep tests/data/ a few MB in all.
DERIVED_WIDTH = 1200
DERIVED_QUALITY = 85
# The stand-ins are saved as the phones saved the originals: the Nokia's quantization tables
# are libjpeg's at quality 95, the iPhone's a little finer.
STAND_IN_QUALITY = 95
# Grain added to the scaled-up photos, in 8-bit levels (uniform, ±GRAIN/2): without it an
# upscaled photo is unnaturally smooth. With 6 the stand-ins are 2.1 and 2.2 MB (originals 2.2
# and 2.0 MB) and the engine's default brings them to 9% and 17% (originals: 13% and 17%).
GRAIN = 6

_SOI = b"\xff\xd8"
_SOS = 0xDA
# APP0-APP15 and COM: where JPEG files keep EXIF, XMP, ICC, IPTC and comments.
_METADATA_MARKERS = frozenset(range(0xE0, 0xF0)) | {0xFE}
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# PNG chunks that describe the pixels themselves, so a cropped copy must not keep the original's.
_PNG_IMAGE_CHUNKS = frozenset({b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND", b"iDOT"})


def full_corpus() -> Path:
    """Where the company corpus is expected ($IMGCOMPRESS_CORPUS, else ../shared/corpus)."""
    return Path(os.environ.get(CORPUS_ENV, DEFAULT_CORPUS)).resolve()


# --- JPEG and PNG surgery ---------------------------------------------------------------------


def jpeg_segments(data: bytes) -> list[tuple[int, bytes]]:
    """The marker segments before the first scan, as (marker, whole segment bytes)."""
    if not data.startswith(_SOI):
        raise ValueError("not a JPEG")
    segments = []
    i = len(_SOI)
    while i < len(data) and data[i + 1] != _SOS:
        marker = data[i + 1]
        (length,) = struct.unpack(">H", data[i + 2 : i + 4])
        segments.append((marker, data[i : i + 2 + length]))
        i += 2 + length
    return segments


def jpeg_metadata(data: bytes) -> list[bytes]:
    """The APPn and COM segments of a JPEG, in file order, byte for byte."""
    return [seg for marker, seg in jpeg_segments(data) if marker in _METADATA_MARKERS]


def with_jpeg_metadata(encoded: bytes, metadata: list[bytes]) -> bytes:
    """``encoded`` with its own APPn/COM segments replaced by ``metadata``."""
    segments = jpeg_segments(encoded)
    scan = 2 + sum(len(seg) for _, seg in segments)
    tables = [seg for marker, seg in segments if marker not in _METADATA_MARKERS]
    return b"".join([_SOI, *metadata, *tables]) + encoded[scan:]


def png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """Every chunk of a PNG as (type, whole chunk bytes including length and CRC)."""
    if not data.startswith(_PNG_SIGNATURE):
        raise ValueError("not a PNG")
    chunks = []
    i = len(_PNG_SIGNATURE)
    while i < len(data):
        (length,) = struct.unpack(">I", data[i : i + 4])
        chunks.append((data[i + 4 : i + 8], data[i : i + 12 + length]))
        i += 12 + length
    return chunks


def with_png_metadata(encoded: bytes, source: bytes) -> bytes:
    """``encoded`` given every ancillary chunk of ``source`` that does not describe pixels."""
    extra = [c for t, c in png_chunks(source) if t not in _PNG_IMAGE_CHUNKS]
    own = png_chunks(encoded)
    head = [c for t, c in own if t == b"IHDR"]
    body = [c for t, c in own if t in (b"PLTE", b"tRNS", b"IDAT", b"IEND")]
    return b"".join([_PNG_SIGNATURE, *head, *extra, *body])


# --- the derived files in tests/data (made once, by hand, from the company corpus) -----------


def derive_photo(original: bytes) -> bytes:
    """A DERIVED_WIDTH-px copy of a camera JPEG with the original's metadata segments."""
    with Image.open(io.BytesIO(original)) as image:
        height = round(image.height * DERIVED_WIDTH / image.width)
        small = image.convert("RGB").resize((DERIVED_WIDTH, height), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        small.save(out, "JPEG", quality=DERIVED_QUALITY)
    return with_jpeg_metadata(out.getvalue(), jpeg_metadata(original))


def derive_crop(original: bytes, box: tuple[int, int, int, int]) -> bytes:
    """A crop of a PNG that keeps the original's ancillary chunks (ICC, EXIF, XMP, …)."""
    with Image.open(io.BytesIO(original)) as image:
        out = io.BytesIO()
        image.crop(box).save(out, "PNG", optimize=True)
    return with_png_metadata(out.getvalue(), original)


@dataclass(frozen=True)
class Derived:
    """A file of tests/data made from a corpus file (see tests/data/README.md)."""

    source: str
    make: Callable[[bytes], bytes]


DERIVED = {
    "photo_gps_nokia8.3_1200px.jpg": Derived("photo_gps_nokia8.3_9mp.jpg", derive_photo),
    "photo_gps_iphone6_1200px.jpg": Derived("photo_gps_iphone6_hdr_no_8mp.jpg", derive_photo),
    # The top-left of the screenshot: its title, toolbar buttons and menu (text on flat colour).
    "screenshot_grouch_web_rgba_crop.png": Derived(
        "screenshot_grouch_web_rgba.png", functools.partial(derive_crop, box=(0, 0, 640, 480))
    ),
}


def derive(corpus: Path) -> None:
    """Remake every derived file of tests/data from the company corpus."""
    for name, spec in DERIVED.items():
        data = spec.make((corpus / spec.source).read_bytes())
        (DATA / name).write_bytes(data)
        print(f"{name}: {len(data)} bytes from {spec.source}")


# --- stand-ins for the big corpus files (made at test time) ----------------------------------


def photo_stand_in(seed_name: str, size: tuple[int, int], grain_seed: int) -> bytes:
    """A derived photo scaled back to its original ``size``, with grain and its metadata."""
    seed = read(seed_name)
    with Image.open(io.BytesIO(seed)) as small:
        big = small.convert("RGB").resize(size, Image.Resampling.BICUBIC)
    noise = random.Random(grain_seed).randbytes(size[0] * size[1])
    grain = Image.frombytes("L", size, noise).point(lambda v: v * GRAIN // 256)
    big = ImageChops.add(big, Image.merge("RGB", [grain] * 3), offset=-(GRAIN // 2))
    out = io.BytesIO()
    big.save(out, "JPEG", quality=STAND_IN_QUALITY)
    return with_jpeg_metadata(out.getvalue(), jpeg_metadata(seed))


def gray16_stand_in(size: tuple[int, int]) -> bytes:
    """A synthetic 16-bit grey PNG whose low bytes carry information.

    Kodak 23's luma gives the structure, a fine ramp fills the low byte, so converting to 8 bits
    really drops information, as it does for the corpus's computer-generated image.
    """
    with Image.open(io.BytesIO(read("kodim23.png"))) as kodak:
        luma = kodak.convert("L").resize(size, Image.Resampling.BICUBIC)
    # 8-bit luma as the high byte, a 0..255 horizontal ramp as the low byte.
    ramp = Image.linear_gradient("L").rotate(90).resize(size)
    image = ImageMath.lambda_eval(lambda a: a["high"] * 256 + a["low"], high=luma, low=ramp)
    image = image.convert("I;16")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


# The sizes are the originals' (MANIFEST.md); the grain seeds are arbitrary but fixed, so every
# run tests the same bytes.
STAND_INS: dict[str, Callable[[], bytes]] = {
    "photo_gps_nokia8.3_9mp.jpg": functools.partial(
        photo_stand_in, "photo_gps_nokia8.3_1200px.jpg", (4608, 1976), 9
    ),
    "photo_gps_iphone6_hdr_no_8mp.jpg": functools.partial(
        photo_stand_in, "photo_gps_iphone6_1200px.jpg", (3264, 2448), 8
    ),
    "gray16_artificial_3072x2048.png": functools.partial(gray16_stand_in, (3072, 2048)),
}


# --- what the tests call -----------------------------------------------------------------------


@functools.cache
def read(name: str) -> bytes:
    """The bytes of a test image by its corpus name: a file of tests/data or a stand-in."""
    path = DATA / name
    if path.is_file():
        return path.read_bytes()
    if name in STAND_INS:
        return STAND_INS[name]()
    raise FileNotFoundError(
        f"{path} is missing: copy the file from the company corpus into tests/data/ "
        "and name its source and licence in tests/data/README.md"
    )


def names() -> list[str]:
    """Every test image by name: the files of tests/data and the stand-ins."""
    files = [p.name for p in DATA.iterdir() if p.is_file() and p.name != "README.md"]
    return sorted({*files, *STAND_INS})


def materialise(dest: Path) -> Path:
    """A folder holding every test image under its name (stand-ins written, files linked)."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in names():
        target = dest / name
        if (DATA / name).is_file():
            shutil.copyfile(DATA / name, target)
        else:
            target.write_bytes(read(name))
    return dest


if __name__ == "__main__":
    if sys.argv[1:2] != ["derive"]:
        raise SystemExit("usage: python tests/testdata.py derive [CORPUS]")
    derive(Path(sys.argv[2]) if len(sys.argv) > 2 else full_corpus())
