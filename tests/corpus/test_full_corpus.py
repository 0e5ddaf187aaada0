"""The extended suite: the real big files of the company corpus, and proof that tests/data is true.

Opt-in (``pytest --full-corpus tests/corpus``, ``make test-corpus``): the default suite runs on
tests/data/ and the stand-ins of tests/testdata.py; this one checks that those stand for the
corpus (same bytes, same metadata, same sizes) and repeats the checks that the default suite
makes on copies or stand-ins on the originals.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from skimage.metrics import structural_similarity

import testdata
from imgcompress import Options, compress, inspect
from imgcompress import score as S
from imgcompress.codecs import CODECS, Picture, Settings

pytestmark = pytest.mark.full_corpus

GPS_PHOTOS = {
    "photo_gps_nokia8.3_9mp.jpg": ((59.5, 60.7), (24, 26)),  # Helsinki
    "photo_gps_iphone6_hdr_no_8mp.jpg": ((40, 41), (-4.5, -3)),  # Madrid
}
# Every quality the default suite's score test uses on its two Kodak photos.
QUALITIES = (20, 50, 75, 95)
# Tolerance of the combined score above scikit-image's RGB-mean SSIM (see imgcompress.score):
# kodim13 at q20 reads 0.051 above with the triangle window (0.049 with the old Gaussian).
SCORE_ABOVE_SKIMAGE = 0.055


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_copies_are_the_corpus_files(full_corpus: Path) -> None:
    """Every file of tests/data not derived by us is byte-identical to its corpus original."""
    copies = [n for n in testdata.names() if (testdata.DATA / n).is_file()]
    copies = [n for n in copies if n not in testdata.DERIVED]
    assert copies
    for name in copies:
        assert _sha((testdata.DATA / name).read_bytes()) == _sha((full_corpus / name).read_bytes())


def test_derived_files_are_remade_exactly(full_corpus: Path) -> None:
    """`python tests/testdata.py derive` gives back the derived files of tests/data."""
    for name, spec in testdata.DERIVED.items():
        made = spec.make((full_corpus / spec.source).read_bytes())
        assert made == (testdata.DATA / name).read_bytes(), name


@pytest.mark.parametrize("name", sorted(testdata.STAND_INS))
def test_stand_ins_match_the_originals(full_corpus: Path, name: str) -> None:
    """A stand-in has its original's format, mode and size; a photo also its metadata segments
    and about its byte count (within a factor of 1.5: as heavy to handle as the real file)."""
    original = (full_corpus / name).read_bytes()
    stand_in = testdata.read(name)
    with Image.open(io.BytesIO(original)) as real, Image.open(io.BytesIO(stand_in)) as fake:
        assert (fake.format, fake.mode, fake.size) == (real.format, real.mode, real.size)
    if name.endswith(".jpg"):
        assert testdata.jpeg_metadata(stand_in) == testdata.jpeg_metadata(original)
        assert 1 / 1.5 < len(stand_in) / len(original) < 1.5


@pytest.mark.parametrize("name", sorted(GPS_PHOTOS))
def test_real_gps_photos(full_corpus: Path, name: str) -> None:
    """The real photos read where they were taken, and strip losslessly to smaller files."""
    data = (full_corpus / name).read_bytes()
    (lat_lo, lat_hi), (lon_lo, lon_hi) = GPS_PHOTOS[name]
    gps = inspect(data).metadata["gps"]
    assert lat_lo < gps["lat"] < lat_hi
    assert lon_lo < gps["lon"] < lon_hi
    result = compress(data, Options(reencode=False))
    assert result.size < len(data)
    with Image.open(io.BytesIO(data)) as before, Image.open(io.BytesIO(result.data)) as after:
        assert before.tobytes() == after.tobytes()
        assert not after.getexif().get_ifd(0x8825)  # GPS IFD


def test_real_sixteen_bit_png(full_corpus: Path) -> None:
    """The corpus's 16-bit grey PNG becomes an 8-bit image with the same look."""
    data = (full_corpus / "gray16_artificial_3072x2048.png").read_bytes()
    result = compress(data, Options(format="webp", quality=90, max_width=768))
    out = Image.open(io.BytesIO(result.data)).convert("RGB")
    with Image.open(io.BytesIO(data)) as source:
        ref = source.convert("I").point(lambda v: v / 257).convert("L").resize(out.size)
    assert S.score(ref.convert("RGB"), out) > 0.85


@pytest.mark.parametrize("name", [f"kodim{n:02d}.png" for n in (1, 3, 4, 7, 13, 15, 20, 23)])
def test_score_tracks_skimage_on_every_kodak_photo(full_corpus: Path, name: str) -> None:
    """Our combined score is 0..0.055 above scikit-image's RGB-mean SSIM on all Kodak photos."""
    image = Image.open(full_corpus / name).convert("RGB")
    for quality in QUALITIES:
        buf = io.BytesIO()
        image.save(buf, "JPEG", quality=quality)
        other = Image.open(buf).convert("RGB")
        ref = structural_similarity(
            np.asarray(image),
            np.asarray(other),
            gaussian_weights=True,
            sigma=1.5,
            use_sample_covariance=False,
            data_range=255,
            channel_axis=2,
        )
        assert 0 <= S.score(image, other) - ref <= SCORE_ABOVE_SKIMAGE, (name, quality)


# Block-grid contrast is noisy by about this much between neighbouring qualities.
GRID_NOISE = 0.01


@pytest.mark.parametrize("name", sorted(GPS_PHOTOS))
def test_default_jpeg_shows_no_more_grid_than_plain_q75(full_corpus: Path, name: str) -> None:
    """The default output of a real phone photo has no more block grid in its flat areas
    (sky, walls) than a plain q75 JPEG of it as the page's Pillow writes one (mozjpeg's
    default tables, which our JPEG codec also uses natively), within GRID_NOISE."""
    data = (full_corpus / name).read_bytes()
    original = Image.open(io.BytesIO(data)).convert("RGB")
    plain = CODECS["jpeg"].encode(Picture.still(original), Settings(quality=75)).data
    result = compress(data)
    out = Image.open(io.BytesIO(result.data)).convert("RGB")
    assert result.report["target_met"]
    q75 = S.blocking(original, Image.open(io.BytesIO(plain)).convert("RGB"))
    assert S.blocking(original, out) <= q75 + GRID_NOISE


@pytest.mark.parametrize("name", sorted(GPS_PHOTOS))
def test_mosaic_probe_scores_the_real_photo_exactly(full_corpus: Path, name: str) -> None:
    """On the real phone photos a JPEG probe of the mosaic scores as the full-size file does:
    SSIM exactly, the guards within 5e-4 (they read the tiles' edge pixels, whose upsampled
    chroma comes from the neighbouring tile)."""
    from imgcompress.codecs import CODECS, Picture, Settings

    original = Image.open(full_corpus / name).convert("RGB")
    reference = S.Reference(original)
    jpeg = CODECS["jpeg"]
    for quality in (25, 50):
        probe = jpeg.encode(Picture.still(reference.mosaic), Settings(quality=quality, probe=True))
        full = jpeg.encode(Picture.still(original), Settings(quality=quality))
        probed = Image.open(io.BytesIO(probe.data))
        whole = Image.open(io.BytesIO(full.data))
        assert reference.ssim(probed, proxy=True) == pytest.approx(reference.ssim(whole), abs=1e-6)
        assert reference.guarded(probed, proxy=True) == pytest.approx(
            reference.guarded(whole), abs=5e-4
        )
