"""JPEG codec: progressive, optimized, subsampling by quality."""

from __future__ import annotations

import pytest
from imagehelpers import decode, encode, gradient
from PIL import JpegImagePlugin

from imgcompress.codecs import Picture, Settings, jpeg


@pytest.mark.parametrize(("quality", "sampling"), [(50, 2), (75, 2), (89, 2), (90, 0), (98, 0)])
def test_subsampling_follows_quality(quality: int, sampling: int) -> None:
    """4:2:0 below quality 90, 4:4:4 from 90 up (read back from the file)."""
    encoded = jpeg.encode(Picture.still(gradient()), Settings(quality=quality))
    data, params = encoded.data, encoded.params
    assert JpegImagePlugin.get_sampling(decode(data)) == sampling
    assert params["subsampling"] == ("4:4:4" if sampling == 0 else "4:2:0")


def test_progressive_and_smaller_with_lower_quality() -> None:
    """Output is progressive and shrinks when quality drops."""
    high = jpeg.encode(Picture.still(gradient()), Settings(quality=90)).data
    low = jpeg.encode(Picture.still(gradient()), Settings(quality=40)).data
    assert decode(high).info.get("progressive") == 1
    assert len(low) < len(high)


def test_grayscale_is_accepted_and_rgba_refused() -> None:
    """L encodes as 1-channel JPEG; RGBA must be flattened by the caller first."""
    data = jpeg.encode(Picture.still(gradient(mode="L")), Settings(quality=80)).data
    assert decode(data).mode == "L"
    with pytest.raises(ValueError, match="L or RGB"):
        jpeg.encode(Picture.still(gradient(mode="RGBA")), Settings())


def test_fine_low_shape_is_finer_at_dc_and_coarser_at_high_frequencies() -> None:
    """The "fine-low" shape writes a finer DC step and coarser high-frequency steps (the last
    row, natural order) than the plain Robidoux tables at the same quality (read back)."""
    plain = jpeg.encode(Picture.still(gradient()), Settings(quality=60))
    fine = jpeg.encode(Picture.still(gradient()), Settings(quality=60, shape="fine-low"))
    qp, qf = decode(plain.data).quantization[0], decode(fine.data).quantization[0]
    assert qf[0] < qp[0]
    assert sum(qf[56:]) > sum(qp[56:])
    assert (plain.params["tables"], fine.params["tables"]) == ("robidoux", "fine-low")


@pytest.mark.parametrize("quality", [20, 50, 75, 93])
def test_own_table_scaling_is_libjpegs_at_whole_points(quality: int) -> None:
    """``scaled`` gives the tables libjpeg writes for a whole quality (read back)."""
    data = encode(gradient(), "JPEG", quality=quality, qtables=[jpeg.ROBIDOUX_TABLE] * 2)
    assert decode(data).quantization[0] == jpeg.scaled(jpeg.ROBIDOUX_TABLE, quality)


def test_fractional_quality_writes_tables_between_its_whole_points() -> None:
    """Quality 74.5 writes every step between q74's and q75's, some strictly, and says 74.5."""
    picture = Picture.still(gradient())
    steps = {
        q: decode(jpeg.encode(picture, Settings(quality=q)).data).quantization[0]
        for q in (74, 74.5, 75)
    }
    between = zip(steps[74], steps[74.5], steps[75], strict=True)
    assert all(lo >= mid >= hi for lo, mid, hi in between)
    assert steps[74.5] not in (steps[74], steps[75])
    assert jpeg.encode(picture, Settings(quality=74.5)).params["quality"] == 74.5
