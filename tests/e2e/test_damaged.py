"""A damaged file fails alone, with the engine's own words, instead of a partial picture."""

from __future__ import annotations

import io
import random
import struct
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from imgcompress import door

from .conftest import wait_settled
from .images import photo_like, save

pytestmark = pytest.mark.e2e


def damaged_png(size: tuple[int, int] = (256, 192), seed: int = 7) -> bytes:
    """A real PNG (a noisy gradient) with 32 bytes overwritten in the middle of its IDAT data."""
    rnd = random.Random(seed)
    gradient = Image.linear_gradient("L").resize(size).convert("RGB")
    noise = Image.frombytes("RGB", size, rnd.randbytes(size[0] * size[1] * 3))
    buffer = io.BytesIO()
    Image.blend(gradient, noise, 0.3).save(buffer, "PNG")
    data = bytearray(buffer.getvalue())
    pos = 8  # after the signature: chunks of length, type, data, CRC
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        if kind == b"IDAT":
            middle = pos + 8 + length // 2
            assert length > 64, "the IDAT chunk is too small to damage in its middle"
            data[middle - 16 : middle + 16] = rnd.randbytes(32)
            return bytes(data)
        pos += 12 + length
    raise AssertionError("Pillow wrote a PNG without IDAT")


def test_damaged_png_fails_alone_with_the_engines_message(ready_page: Page, tmp_path: Path) -> None:
    """In a batch of three good images and a damaged PNG, the PNG's row is an error showing the
    engine's message (it says "damaged"); the three others are done."""
    page = ready_page
    damaged = tmp_path / "damaged.png"
    damaged.write_bytes(damaged_png())
    refusal = door.compress_file(damaged.read_bytes(), {}, damaged.name)
    assert refusal["ok"] is False, "the engine took the damaged PNG as a good one"
    assert refusal["error"]["code"] == "corrupt_image"
    message = refusal["error"]["message"]
    assert "damaged" in message
    good = [
        save(photo_like((320, 240), seed=1), tmp_path / "one.jpg", "JPEG", quality=95),
        save(photo_like((300, 200), seed=2), tmp_path / "two.png", "PNG"),
        save(photo_like((280, 210), seed=3), tmp_path / "three.webp", "WEBP", quality=95),
    ]
    page.set_input_files("input[type=file][multiple]", [good[0], damaged, *good[1:]])
    wait_settled(page, 4)

    row = page.locator('[data-file-row][data-name="damaged.png"]')
    expect(row).to_have_attribute("data-state", "error")
    error = row.locator("[data-error]")
    expect(error).to_have_attribute("data-error", "corrupt_image")
    expect(error).to_be_visible()
    assert message.lower() in error.inner_text().lower()
    expect(row.locator("a[download]")).to_have_count(0)
    for path in good:
        expect(page.locator(f'[data-file-row][data-name="{path.name}"]')).to_have_attribute(
            "data-state", "done"
        )
    expect(page.locator("#totals")).to_contain_text("3 of 4 done")
    expect(page.locator("#totals")).to_contain_text("1 failed")
