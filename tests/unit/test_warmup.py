"""The warm-up ladder's synthetic photo and steps (imgcompress.warmup), natively."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from imgcompress import door, warmup


def test_the_sample_is_a_jpeg_of_the_asked_size() -> None:
    """sample_jpeg makes a JPEG of exactly the width and height asked for."""
    with Image.open(io.BytesIO(warmup.sample_jpeg(96, 64))) as img:
        assert (img.format, img.size, img.mode) == ("JPEG", (96, 64), "RGB")


def test_the_sample_is_deterministic() -> None:
    """Two samples of one size made afresh are the same bytes, so every warm-up is the same work."""
    first = warmup.sample_jpeg.__wrapped__(80, 60)
    assert warmup.sample_jpeg.__wrapped__(80, 60) == first


def test_the_sample_is_photo_like_not_flat() -> None:
    """The sample has a photo's spread of tones in every channel, not a flat image's shortcut."""
    with Image.open(io.BytesIO(warmup.sample_jpeg(128, 96))) as img:
        extrema = img.getextrema()
    assert all(high - low > 128 for low, high in extrema)


def test_door_warm_up_runs_one_step() -> None:
    """door.warm_up answers ok with the step's index, its size and the ladder's length."""
    answer = door.warm_up(0)
    width, height = warmup.STEPS[0]
    assert answer["ok"] is True
    assert (answer["step"], answer["steps"]) == (0, len(warmup.STEPS))
    assert (answer["width"], answer["height"]) == (width, height)


@pytest.mark.parametrize("step", [-1, len(warmup.STEPS), True, "0"])
def test_door_warm_up_refuses_a_bad_step(step: object) -> None:
    """A step that is not an index into the ladder answers ok: false instead of raising."""
    assert door.warm_up(step)["ok"] is False  # type: ignore[arg-type]
