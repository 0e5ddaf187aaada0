"""GIF codec: animations keep frames and durations."""

from __future__ import annotations

import io

from PIL import Image

from imgcompress.codecs import Picture, Settings, gif


def test_animation_round_trip() -> None:
    """Every frame and its duration survive, looping is kept."""
    frames = [Image.new("RGBA", (30, 30), (i * 50, 0, 255 - i * 50, 255)) for i in range(4)]
    encoded = gif.encode(Picture.animation(frames, [70, 80, 90, 100], loop=0), Settings())
    data, params = encoded.data, encoded.params
    out = Image.open(io.BytesIO(data))
    assert out.n_frames == 4
    got = []
    for i in range(4):
        out.seek(i)
        got.append(out.info["duration"])
    assert got == [70, 80, 90, 100]
    assert out.info.get("loop") == 0
    assert params["frames"] == 4


def test_still_gif() -> None:
    """A single image is a valid one-frame GIF."""
    data = gif.encode(Picture.still(Image.new("RGB", (10, 10), "red")), Settings()).data
    assert Image.open(io.BytesIO(data)).n_frames == 1
