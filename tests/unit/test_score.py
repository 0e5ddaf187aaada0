"""The Pillow-only score agrees with scikit-image's SSIM.

Tolerances (measured, see imgcompress.score): per channel our SSIM is within 0.004 of
skimage (gaussian_weights, sigma 1.5, population covariance); the combined score
(0.8 Y + 0.1 Cb + 0.1 Cr) is between 0 and +0.05 above skimage's RGB-mean SSIM for
JPEG q20-95, because chroma planes are smoother than R, G and B; the tile proxy is
within 0.002 of the full-image score.
"""

from __future__ import annotations

import io
import subprocess
import sys

import numpy as np
import pytest
from imagehelpers import corpus, encode, graphic
from PIL import Image
from skimage.metrics import structural_similarity

from imgcompress import score as S

# Two Kodak scans and two phone photos (1200-px copies); tests/corpus/ runs all eight Kodak ones.
PHOTOS = [
    "kodim03.png",
    "kodim23.png",
    "photo_gps_nokia8.3_1200px.jpg",
    "photo_gps_iphone6_1200px.jpg",
]
QUALITIES = [20, 50, 75, 95]


def _skimage(a: Image.Image, b: Image.Image, **kw: object) -> float:
    return float(
        structural_similarity(
            np.asarray(a),
            np.asarray(b),
            gaussian_weights=True,
            sigma=1.5,
            use_sample_covariance=False,
            data_range=255,
            **kw,
        )
    )


def _jpeg(image: Image.Image, quality: int) -> Image.Image:
    return Image.open(io.BytesIO(encode(image, "JPEG", quality=quality))).convert("RGB")


@pytest.fixture(scope="module")
def pairs() -> list[tuple[str, int, Image.Image, Image.Image]]:
    out = []
    for name in PHOTOS:
        image = Image.open(io.BytesIO(corpus(name))).convert("RGB")
        out.extend((name, q, image, _jpeg(image, q)) for q in QUALITIES)
    return out


def test_identical_images_score_one() -> None:
    """An image compared with itself scores exactly 1."""
    image = Image.open(io.BytesIO(corpus("kodim03.png"))).convert("RGB")
    assert S.score(image, image) == pytest.approx(1.0, abs=1e-6)


def test_channel_matches_skimage(pairs: list[tuple[str, int, Image.Image, Image.Image]]) -> None:
    """Single-channel SSIM is within 0.004 of skimage on every photo and quality."""
    for name, q, a, b in pairs[::2]:
        for channel in "RGB":
            ours = S.ssim_channel(a.getchannel(channel), b.getchannel(channel))
            ref = _skimage(a.getchannel(channel), b.getchannel(channel))
            assert ours == pytest.approx(ref, abs=0.004), (name, q, channel)


def test_score_tracks_skimage_rgb_mean(
    pairs: list[tuple[str, int, Image.Image, Image.Image]],
) -> None:
    """Combined score is 0..0.05 above skimage's RGB-mean SSIM and ranks qualities alike."""
    for name, q, a, b in pairs:
        ours, ref = S.score(a, b), _skimage(a, b, channel_axis=2)
        assert 0 <= ours - ref <= 0.05, (name, q, ours, ref)
    for name in PHOTOS:
        scores = [S.score(a, b) for n, _, a, b in pairs if n == name]
        assert scores == sorted(scores), name


def test_tile_proxy_agrees_with_full_score() -> None:
    """On a 2.8-MP upscaled photo the 64-px tile proxy is within 0.002 of the full score."""
    image = Image.open(io.BytesIO(corpus("photo_gps_iphone6_1200px.jpg"))).convert("RGB")
    image = image.resize((1920, 1440), Image.Resampling.LANCZOS)
    for q in (30, 70):
        other = _jpeg(image, q)
        full = S.score(image, other, proxy_pixels=0)
        proxy = S.score(image, other, proxy_pixels=300_000)
        assert proxy == pytest.approx(full, abs=0.002), q


def test_alpha_changes_count() -> None:
    """Changing only the alpha channel lowers the score; hidden colour does not."""
    image = graphic()
    faded = image.copy()
    faded.putalpha(image.getchannel("A").point(lambda a: a // 3))
    assert S.score(image, faded) < 0.9
    recoloured = image.copy()
    recoloured.paste((9, 9, 9, 0), (0, 0, 5, 5))
    assert S.score(image, recoloured) == pytest.approx(1.0, abs=1e-6)


def test_size_mismatch_is_refused() -> None:
    """Scoring images of different sizes is a programming error, not a number."""
    with pytest.raises(ValueError, match="cannot score"):
        S.score(Image.new("RGB", (10, 10)), Image.new("RGB", (11, 10)))


def test_engine_never_imports_numpy() -> None:
    """The browser build has no numpy: importing and using the engine must not load it."""
    code = (
        "import sys, imgcompress, imgcompress.cli;"
        "from PIL import Image; import io;"
        "b = io.BytesIO(); Image.new('RGB', (64, 64), 'red').save(b, 'PNG');"
        "imgcompress.compress(b.getvalue());"
        "assert 'numpy' not in sys.modules, 'numpy imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_grey_images_are_scored_on_luma_only() -> None:
    """Two grey images score exactly their luma SSIM (no free points from flat chroma)."""
    image = Image.open(io.BytesIO(corpus("kodim23.png"))).convert("L")
    other = Image.open(io.BytesIO(encode(image, "JPEG", quality=20)))
    other.load()
    assert S.score(image, other) == pytest.approx(_skimage(image, other), abs=0.002)
    rgb = S.score(image.convert("RGB"), other.convert("RGB"))
    assert rgb > S.score(image, other)


def test_colour_shift_measures_block_means() -> None:
    """A uniform 20-level shift reads as 20; the same pixels shuffled within blocks read as 0."""
    a = Image.new("RGB", (64, 64), (143, 68, 59))
    b = Image.new("RGB", (64, 64), (141, 88, 59))
    assert S.colour_shift(a, b) == pytest.approx(20, abs=0.01)
    assert S.colour_shift(a, a.copy()) == 0


def test_guarded_score_refuses_flat_colour_shift() -> None:
    """SSIM forgives a shifted flat colour; the engine's guarded score does not."""
    a = Image.new("RGB", (64, 64), (143, 68, 59))
    b = Image.new("RGB", (64, 64), (141, 84, 39))
    assert S.score(a, b) > 0.99
    assert S.guarded_score(a, b) < 0.85


def test_flat_colour_keeps_its_colour_through_jpeg() -> None:
    """A flat-colour image compressed to JPEG at the default target keeps its colour."""
    from imgcompress import Options, compress

    buf = io.BytesIO()
    Image.new("RGB", (480, 480), (143, 68, 59)).save(buf, "PNG")
    result = compress(buf.getvalue(), Options(format="jpeg"))
    out = Image.open(io.BytesIO(result.data)).convert("RGB")
    for got, want in zip(
        out.resize((1, 1), Image.Resampling.BOX).getpixel((0, 0)), (143, 68, 59), strict=True
    ):
        assert abs(got - want) <= 5
