"""The visual-target search: mosaic probes, their budget, and what it reports.

The photo is the 8-MP iPhone stand-in of tests/testdata.py (large enough to be probed on the
score's mosaic); a smooth sky-like gradient stands in for the flat areas where blocking shows.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from typing import Any

import pytest
from imagehelpers import corpus, encode
from PIL import Image, ImageChops

from imgcompress import DEFAULT_VISUAL_TARGET, Options, compress, search
from imgcompress import score as S
from imgcompress.codecs import CODECS, Picture, Settings

PHOTO = "photo_gps_iphone6_hdr_no_8mp.jpg"
# Most encodes a search may spend: its probes, the block-grid guard's one default-quality
# encode of the mosaic (``Reference.grid_allowance``), the other table shapes' probes, the
# fractions of a point and the full-size confirmations.
BUDGET = search.MAX_ENCODES + 1 + search.SHAPE_PROBES + search.FINE_PROBES + search.CONFIRM_TRIES
# The corpus's phone photos at full size (their tests/testdata.py stand-ins): sky, a painted
# post, soft backgrounds, probed on the mosaic as the real ones are.
PHONE_PHOTOS = ("photo_gps_nokia8.3_9mp.jpg", PHOTO)
# Block-grid contrast is noisy by about this much between neighbouring qualities.
GRID_NOISE = 0.01


@pytest.fixture(scope="module")
def photo() -> Image.Image:
    return Image.open(io.BytesIO(corpus(PHOTO))).convert("RGB")


def _sky(size: tuple[int, int] = (640, 480)) -> Image.Image:
    """A soft blue gradient with ±1 level of grain: flat blocks, as in a phone photo's sky."""
    w, h = size
    ramp = Image.linear_gradient("L").resize((w, h)).point(lambda v: 70 + v // 2)
    grain = Image.frombytes("L", size, random.Random(1).randbytes(w * h)).point(
        lambda v: v * 3 // 256
    )
    luma = ImageChops.add(ramp, grain, offset=-1)
    return Image.merge(
        "RGB", (luma.point(lambda v: v // 2), luma, luma.point(lambda v: min(255, v + 60)))
    )


def test_jpeg_mosaic_tiles_decode_as_in_the_whole_image(photo: Image.Image) -> None:
    """A codec marked exact_tiles scores its mosaic probe exactly as its full-size file."""
    jpeg = CODECS["jpeg"]
    assert jpeg.exact_tiles
    reference = S.Reference(photo)
    assert reference.boxes, "the photo must be large enough for a mosaic"
    for quality in (20, 60, 92):
        probe = jpeg.encode(Picture.still(reference.mosaic), Settings(quality=quality, probe=True))
        full = jpeg.encode(Picture.still(photo), Settings(quality=quality))
        from_probe = reference.ssim(Image.open(io.BytesIO(probe.data)), proxy=True)
        from_full = reference.ssim(Image.open(io.BytesIO(full.data)))
        assert from_probe == pytest.approx(from_full, abs=1e-4), quality


@pytest.fixture(scope="module")
def results() -> dict[str, Any]:
    """The default search of the photo, as JPEG and as WebP."""
    return {fmt: compress(corpus(PHOTO), Options(format=fmt)) for fmt in ("jpeg", "webp")}


@pytest.mark.parametrize("fmt", ["jpeg", "webp"])
def test_search_stays_within_its_encode_budget(fmt: str, results: dict[str, Any]) -> None:
    """A default search of an 8-MP photo reaches the target within MAX_ENCODES probes, the
    guard's one encode and CONFIRM_TRIES full-size encodes."""
    result = results[fmt]
    assert result.report["target_met"]
    assert result.report["score"] >= DEFAULT_VISUAL_TARGET
    assert 2 <= result.report["encodes"] <= BUDGET


def test_unreachable_target_is_said_not_met() -> None:
    """A target no lossy file reaches ends within budget with a note saying so."""
    png = io.BytesIO()
    Image.open(io.BytesIO(corpus(PHOTO))).save(png, "PNG", compress_level=1)
    result = compress(png.getvalue(), Options(format="jpeg", visual_target=1.0))
    assert not result.report["target_met"]
    assert result.report["encodes"] <= BUDGET
    assert "visual_target_missed" in [n["code"] for n in result.report["notes"]]


def test_confirmed_score_is_the_full_files(results: dict[str, Any]) -> None:
    """The reported score of a mosaic-searched WebP is its own full-size file's score."""
    result = results["webp"]
    original = Image.open(io.BytesIO(corpus(PHOTO))).convert("RGB")
    out = Image.open(io.BytesIO(result.data)).convert("RGB")
    assert result.report["score"] == pytest.approx(S.guarded_score(original, out), abs=1e-4)


def test_predict_interpolates_the_shifted_curve() -> None:
    """The confirm step's prediction reads the quality off the mosaic curve moved by the bias."""
    history = [(20, 2.0), (40, 3.0), (60, 4.0)]
    assert search._predict(history, goal=3.5, offset=0.0) == 50
    assert search._predict(history, goal=3.5, offset=0.5) == 40
    assert search._predict(history, goal=9.0, offset=0.0) == 61


def _confirm_with(
    monkeypatch: pytest.MonkeyPatch,
    full_score: Callable[[int], float],
    mosaic_score: dict[int, float],
) -> tuple[search.Candidate, list[int]]:
    """``_confirm`` on a stand-in codec whose full-size files score ``full_score(quality)``,
    after a mosaic search that saw ``mosaic_score``; returns its choice and the qualities it
    encoded at full size."""
    written: list[int] = []

    def fake_encode(job: object, codec: object, size: object, settings: Settings) -> Any:
        written.append(settings.quality)
        data = bytes(int(settings.quality or 0))
        return search.Candidate(data, codec, {"quality": settings.quality}, None, (1, 1))

    def fake_score(job: object, cand: search.Candidate) -> float:
        cand.score = full_score(int(cand.params["quality"]))
        return cand.score

    monkeypatch.setattr(search, "encode", fake_encode)
    monkeypatch.setattr(search, "score", fake_score)
    history = [(q, search._log_distance(v)) for q, v in sorted(mosaic_score.items())]
    chosen = search._confirm(None, CODECS["webp"], (1, 1), 0.94, 20, history)  # type: ignore[arg-type]
    return chosen, written


MOSAIC = {18: 0.935, 20: 0.941, 24: 0.95}


def test_confirm_keeps_a_passing_file_when_a_lower_quality_would_save_little(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A first full-size file that passes is kept, in one encode, when the bias predicts a
    quality fewer than CONFIRM_GAIN points lower."""

    def full(q: int) -> float:
        return 0.945 + 0.003 * (q - 20)

    chosen, written = _confirm_with(monkeypatch, full, MOSAIC)
    assert written == [20]
    assert chosen.params["quality"] == 20


def test_confirm_tries_the_predicted_quality_when_it_saves_enough(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A whole image that scores far above its mosaic is written again at the quality the
    shifted curve predicts, and the smaller passing file is kept."""
    mosaic = {10: 0.90, 20: 0.941, 24: 0.95}

    def full(q: int) -> float:
        return 0.96 - 0.0025 * (20 - q)

    chosen, written = _confirm_with(monkeypatch, full, mosaic)
    assert written[0] == 20
    assert len(written) == 2
    assert written[1] <= 20 - search.CONFIRM_GAIN
    assert chosen.params["quality"] == written[1]


def test_confirm_raises_the_quality_when_the_first_file_fails(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A first full-size file below the target is followed by a higher quality that passes."""

    def full(q: int) -> float:
        return 0.935 + 0.0025 * (q - 20)

    chosen, written = _confirm_with(monkeypatch, full, MOSAIC)
    assert written[0] == 20
    assert len(written) <= search.CONFIRM_TRIES
    assert full(int(chosen.params["quality"])) >= 0.94
    assert chosen.params["quality"] > 20


def test_blocking_reads_zero_on_the_original_and_high_on_flat_blocks() -> None:
    """No grid in the original; a low-quality JPEG of a soft gradient shows one."""
    sky = _sky()
    assert S.blocking(sky, sky) == pytest.approx(0.0, abs=0.05)
    low = Image.open(io.BytesIO(encode(sky, "JPEG", quality=10))).convert("RGB")
    q75 = Image.open(io.BytesIO(encode(sky, "JPEG", quality=75))).convert("RGB")
    assert S.blocking(sky, low) > S.GRID_FREE
    assert S.blocking(sky, low) > S.blocking(sky, q75)


def test_blocking_ignores_images_without_flat_areas() -> None:
    """Busy texture (no flat block) reads 0: there is nowhere for a grid to show."""
    noise = Image.effect_noise((256, 256), 60).convert("RGB")
    low = Image.open(io.BytesIO(encode(noise, "JPEG", quality=10))).convert("RGB")
    assert S.blocking(noise, low) == 0.0


def test_guarded_score_charges_for_a_block_grid() -> None:
    """On flat blocks the guarded score falls below the plain SSIM by the grid penalty."""
    sky = _sky()
    low = Image.open(io.BytesIO(encode(sky, "JPEG", quality=10))).convert("RGB")
    grid = (S.blocking(sky, low) - S.GRID_FREE) * S.GRID_PENALTY
    shift = max(0.0, S.colour_shift(sky, low) - S.SHIFT_FREE) * S.SHIFT_PENALTY
    assert grid > 0.1
    assert S.guarded_score(sky, low) == pytest.approx(S.score(sky, low) - shift - grid, abs=1e-6)


def _jpeg_q75(image: Image.Image) -> Image.Image:
    """Our JPEG codec's own plain q75 encode (mozjpeg's tables, as Squoosh's default)."""
    data = CODECS["jpeg"].encode(Picture.still(image), Settings(quality=75)).data
    return Image.open(io.BytesIO(data)).convert("RGB")


def test_default_jpeg_of_a_sky_shows_no_more_grid_than_q75() -> None:
    """The default JPEG of a soft sky shows no more block grid than a plain q75 JPEG of it,
    though SSIM alone would accept a coarser one."""
    sky = _sky()
    buf = io.BytesIO()
    sky.save(buf, "PNG")
    result = compress(buf.getvalue(), Options(format="jpeg"))
    out = Image.open(io.BytesIO(result.data)).convert("RGB")
    assert result.report["target_met"]
    allowed = max(S.GRID_FREE, S.blocking(sky, _jpeg_q75(sky)))
    assert S.blocking(sky, out) <= allowed + GRID_NOISE
    coarse = Image.open(io.BytesIO(encode(sky, "JPEG", quality=30))).convert("RGB")
    assert S.score(sky, coarse) >= DEFAULT_VISUAL_TARGET
    assert S.blocking(sky, coarse) > allowed + GRID_NOISE


@pytest.mark.parametrize("name", PHONE_PHOTOS)
def test_default_jpeg_of_a_phone_photo_shows_no_more_grid_than_q75(name: str) -> None:
    """On the phone photos (whose SSIM passes at any quality) the block grid, not SSIM,
    stops the default JPEG: no more grid in flat areas than their plain q75 JPEG."""
    data = corpus(name)
    original = Image.open(io.BytesIO(data)).convert("RGB")
    result = compress(data, Options(format="jpeg"))
    out = Image.open(io.BytesIO(result.data)).convert("RGB")
    assert result.report["target_met"]
    allowed = max(S.GRID_FREE, S.blocking(original, _jpeg_q75(original)))
    assert S.blocking(original, out) <= allowed + GRID_NOISE


@pytest.mark.parametrize(
    ("parts", "held"),
    [
        (S.Parts(ssim=0.95, shift=0.0, grid=0.02), True),
        (S.Parts(ssim=0.93, shift=0.0, grid=0.02), False),
        (S.Parts(ssim=0.95, shift=0.02, grid=0.02), False),
        (S.Parts(ssim=0.93, shift=0.0, grid=0.0), False),
    ],
)
def test_grid_held_only_when_the_grid_penalty_alone_failed_the_target(
    parts: S.Parts, held: bool
) -> None:
    """Other table shapes are tried only when SSIM less the colour shift passed the target and
    the block-grid penalty took it below."""
    cand = search.Candidate(b"", CODECS["jpeg"], {}, parts.total, (8, 8), parts=parts)
    assert search.grid_held(cand, 0.94) is held


def test_phone_photo_default_jpeg_reports_the_table_shape_it_wrote() -> None:
    """The default JPEG of a phone photo (held by the block grid) names a shape of the codec's,
    and its file carries that shape's tables."""
    data = corpus(PHOTO)
    result = compress(data, Options(format="jpeg"))
    shape = result.report["codec"]["tables"]
    assert shape in CODECS["jpeg"].shapes
    quality = result.report["codec"]["quality"]
    original = Image.open(io.BytesIO(data)).convert("RGB")
    again = CODECS["jpeg"].encode(Picture.still(original), Settings(quality=quality, shape=shape))
    written = Image.open(io.BytesIO(result.data)).quantization
    assert written == Image.open(io.BytesIO(again.data)).quantization


def _tries(curve: search.Curve, goal: float) -> tuple[int | None, int]:
    """(lowest passing quality found, tries spent) by a secant search along ``curve`` of a
    metric linear in √q, as WebP's -log(1 - score) is on photos."""
    tried: list[int] = []

    def make(q: int) -> search.Candidate:
        tried.append(q)
        return search.Candidate(b"", CODECS["webp"], {"quality": q}, None, (1, 1))

    def metric(cand: search.Candidate) -> float:
        return 1.4 + 0.18 * int(cand.params["quality"]) ** 0.5

    best, _ = search.secant(make, metric, goal, 70, search.MAX_ENCODES, curve)
    return (int(best.params["quality"]) if best else None), len(tried)


def test_smooth_curve_finds_the_lowest_passing_quality_in_fewer_tries() -> None:
    """Along WebP's √q curve the search finds the same lowest passing quality as linear steps,
    in fewer tries over a range of targets."""
    curve = search.visual_curve(CODECS["webp"])
    goals = [1.4 + 0.18 * q**0.5 - 1e-9 for q in (8, 15, 30, 55, 90)]
    smooth = [_tries(curve, goal) for goal in goals]
    linear = [_tries(search.LINEAR, goal) for goal in goals]
    assert [q for q, _ in smooth] == [8, 15, 30, 55, 90]
    assert [q for q, _ in linear] == [8, 15, 30, 55, 90]
    assert sum(n for _, n in smooth) < sum(n for _, n in linear)


def test_fine_probes_pass_the_target_with_no_more_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    """A JPEG search that also bisects the point below its lowest passing whole quality keeps
    a file no larger, still at the target, within that point."""
    data = corpus("kodim23.png")
    fine = compress(data, Options(format="jpeg"))
    monkeypatch.setattr(search, "FINE_PROBES", 0)
    whole = compress(data, Options(format="jpeg"))
    assert fine.report["target_met"]
    assert fine.report["score"] >= fine.report["target"]
    assert len(fine.data) <= len(whole.data)
    quality, whole_quality = fine.report["codec"]["quality"], whole.report["codec"]["quality"]
    assert whole_quality - 1 < quality <= whole_quality
