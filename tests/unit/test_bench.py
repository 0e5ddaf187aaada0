"""The benchmark runs end to end and prints the baseline, every mode and the verdict."""

from __future__ import annotations

from pathlib import Path

from imagehelpers import corpus
from PIL import Image

from imgcompress import bench


def test_bench_runs_on_a_tiny_corpus(tmp_path: Path) -> None:
    """On one small Kodak crop the bench reports all modes, medians and the verdict."""
    source = Image.open(__import__("io").BytesIO(corpus("kodim23.png"))).crop((0, 0, 192, 128))
    source.save(tmp_path / "kodim99.png")
    lines: list[str] = []
    summary = bench.run(tmp_path, write=lines.append)
    text = "\n".join(lines)
    assert "# baseline: Pillow JPEG q75 optimize" in text
    for label in bench.MODES:
        assert f"# mode: {label}" in text
        size = summary[label]["kodim99.png"][0]
        assert size > 0
    assert "verdict vs Squoosh default" in text
    assert "Squoosh MozJPEG q75 (default)" in text
