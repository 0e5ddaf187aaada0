"""The benchmark's pure parts (ratios, verdicts, tables) and its run on a tiny corpus."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from imagehelpers import corpus
from PIL import Image

from imgcompress import bench
from imgcompress.bench import Measure, Ratios

ROOT = Path(__file__).resolve().parents[2]


def _ratios(size: float, ssim: float) -> Ratios:
    return Ratios(1, "jpeg", size, ssim, 1.0, 1.0, 1.0, 0.9, 0.9)


def test_ratios_are_medians_of_the_per_photo_ratios() -> None:
    """Bytes, SSIM and time ratios are ours/theirs per photo, then the median over photos."""
    ours = {
        "a": Measure(50, 0.90, 1.0, "jpeg"),
        "b": Measure(300, 0.96, 9.0, "jpeg"),
        "c": Measure(80, 0.93, 4.0, "webp"),
    }
    theirs = {
        "a": Measure(100, 0.90, 0.5),
        "b": Measure(100, 0.96, 1.0),
        "c": Measure(100, 0.93, 1.0),
    }
    r = bench.ratios(ours, theirs, ["a", "b", "c"])
    assert (r.photos, r.formats) == (3, "jpeg/webp")
    assert r.size == pytest.approx(0.8)  # per photo 0.5, 3.0, 0.8
    assert r.seconds == pytest.approx(4.0)  # per photo 2, 9, 4
    assert r.ssim == pytest.approx(1.0)
    assert (r.our_kb, r.their_kb) == (pytest.approx(0.08), pytest.approx(0.1))


def test_ratios_skip_photos_only_one_side_measured() -> None:
    """A photo the yardstick did not encode (pngquant on a JPEG) is left out, not counted."""
    ours = {"a": Measure(50, 0.9, 1.0), "b": Measure(500, 0.9, 1.0)}
    r = bench.ratios(ours, {"a": Measure(100, 0.9, 1.0)}, ["a", "b"])
    assert (r.photos, r.size) == (1, 0.5)


def test_ratios_refuse_an_empty_comparison() -> None:
    """No photo in common is an error, never a table of NaNs."""
    with pytest.raises(ValueError, match="no photo"):
        bench.ratios({"a": Measure(1, 1.0, 1.0)}, {"b": Measure(1, 1.0, 1.0)}, ["a", "b"])


@pytest.mark.parametrize(
    ("size", "ssim", "words"),
    [
        (0.9, 1.01, "ahead: fewer bytes, better SSIM"),
        (0.9, 0.9996, "ahead: fewer bytes, equal SSIM"),
        (0.9, 0.99, "mixed: fewer bytes, LOWER SSIM"),
        (1.1, 1.01, "BEHIND: more bytes, better SSIM"),
        (1.0, 1.0004, "BEHIND: more bytes, equal SSIM"),
        (1.1, 0.99, "BEHIND: more bytes, LOWER SSIM"),
    ],
)
def test_verdict_calls_us_ahead_only_with_fewer_bytes_and_no_lower_ssim(
    size: float, ssim: float, words: str
) -> None:
    """The verdict follows the two ratios, a printed 1.000 SSIM ratio being a tie."""
    assert _ratios(size, ssim).verdict == words


def test_comparison_table_prints_the_ratios_per_mode() -> None:
    """One line per mode: its output format, bytes/SSIM/time ratios, both sides, the verdict."""
    lines = bench.comparison_lines(
        "Squoosh X", {"jpeg @0.944": Ratios(8, "jpeg", 1.19, 1.019, 12.7, 59.4, 44.5, 0.93, 0.91)}
    )
    assert lines[0] == "## vs Squoosh X"
    row = lines[2].split()
    assert row[:7] == ["jpeg", "@0.944", "→", "jpeg", "8", "1.19", "1.019"]
    assert row[7:10] == ["12.70", "59.4/44.5", "0.9300/0.9100"]
    assert lines[2].endswith("BEHIND: more bytes, better SSIM")


@pytest.mark.parametrize(
    ("size", "ratio", "ours", "photos", "verdict"),
    [
        (0.94, 1.0, 0.92, 8, "met"),
        (0.96, 1.0, 0.92, 8, "NOT met"),
        (0.9, 0.99, 0.91, 8, "NOT met"),
        (0.9, 0.99, 0.9202, 8, "met"),
        (0.9, 1.0, 0.92, 7, "NOT met"),
    ],
)
def test_a_byte_target_is_met_only_small_enough_at_no_lower_median_ssim_on_every_photo(
    size: float, ratio: float, ours: float, photos: int, verdict: str
) -> None:
    """A target line says met only within its bytes ratio, at no lower median SSIM than the
    yardstick's (whatever the per-photo SSIM ratios), on all the photos."""
    target = bench.TARGETS[0]
    r = Ratios(photos, "jpeg", size, ratio, 1.0, 40.0, 42.0, ours, 0.92)
    lines = bench.target_lines({(target.yardstick, target.mode): r}, 8)
    assert lines[1].startswith(f"  {target.label}: {size:.3f}×")
    assert lines[1].endswith(f": {verdict}")
    assert len(lines) == 1 + len(bench.TARGETS)


def test_squoosh_runner_encodes_the_given_pixels_with_each_codec(tmp_path: Path) -> None:
    """bench/squoosh.mjs under Node returns a JPEG, a WebP and an AVIF of the very pixels sent."""
    source = Image.open(io.BytesIO(corpus("kodim23.png"))).convert("RGB").crop((0, 0, 96, 64))
    measured, versions = bench.squoosh({"tiny": source}, bench.SQUOOSH_KEYS, tmp_path)
    lock = json.loads((ROOT / "package-lock.json").read_text())["packages"]
    for key, fmt in (("jpeg", "JPEG"), ("webp", "WEBP"), ("avif", "AVIF")):
        data = (tmp_path / f"tiny.{key}").read_bytes()
        with Image.open(io.BytesIO(data)) as out:
            assert (out.format, out.size) == (fmt, source.size)
        m = measured[key]["tiny"]
        assert m.size == len(data)
        assert 0.8 < m.ssim < 1.0  # lossy, and of this photo (a wrong picture scores near 0)
        assert versions[f"@jsquash/{key}"] == lock[f"node_modules/@jsquash/{key}"]["version"]


def test_equal_ssim_finds_a_setting_that_reaches_their_ssim() -> None:
    """The =SSIM row's file really reaches the target; an unreachable target gives None."""
    upright = Image.open(io.BytesIO(corpus("kodim23.png"))).convert("RGB").crop((0, 0, 192, 128))
    buffer = io.BytesIO()
    upright.save(buffer, "PNG")
    data = buffer.getvalue()
    found = bench.at_equal_ssim(data, upright, "jpeg", 0.9)
    assert found is not None
    measure, quality = found
    assert measure.ssim >= 0.9
    assert measure.format == "jpeg"
    assert 1 <= quality < 100
    assert bench.at_equal_ssim(data, upright, "pngquant", 1.01) is None


def test_benchmark_codecs_stay_out_of_the_site() -> None:
    """The site is web/ plus what build_wheel makes: no Squoosh codec or pngquant reaches it."""
    package = json.loads((ROOT / "package.json").read_text())
    assert "dependencies" not in package
    assert any(name.startswith("@jsquash/") for name in package["devDependencies"])
    for path in (ROOT / "web").rglob("*"):
        if path.is_file():
            assert path.suffix != ".wasm", path
            text = path.read_bytes().decode("utf-8", "replace").lower()
            for word in ("jsquash", "mozjpeg_enc", "node_modules", "pngquant"):
                assert word not in text, f"{path} mentions {word}"


def test_bench_runs_on_a_tiny_corpus(tmp_path: Path) -> None:
    """On one Kodak crop the bench reports every mode and the Squoosh JPEG comparison."""
    source = Image.open(io.BytesIO(corpus("kodim23.png"))).crop((0, 0, 192, 128))
    source.save(tmp_path / "kodim99.png")
    lines: list[str] = []
    summary = bench.run(tmp_path, write=lines.append, yardsticks=("jpeg",), in_browser=False)
    text = "\n".join(lines)
    assert "# baseline: Pillow JPEG q75 optimize" in text
    for label in bench.MODES:
        assert f"# mode: {label}" in text
        assert summary[label]["kodim99.png"][0] > 0
    assert summary["yardsticks"]["jpeg"]["kodim99.png"].size > 0
    assert "## vs Squoosh MozJPEG q75 (@jsquash/jpeg), Kodak" in text
    assert "jpeg @0.944 → jpeg" in text
    assert "jpeg =SSIM → jpeg" in text
    assert "pngquant default" not in text  # not asked for, so not run
