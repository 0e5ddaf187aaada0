"""Shared fixtures: test images by corpus name (tests/data and stand-ins) and generated ones."""

from __future__ import annotations

from pathlib import Path

import pytest
from imagehelpers import corpus


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark everything here as a unit test so ``-m unit`` selects the fast suite."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.unit)


@pytest.fixture(scope="session")
def kodim() -> bytes:
    """A Kodak photo (lossless PNG source)."""
    return corpus("kodim23.png")


@pytest.fixture(scope="session")
def gps_photo_small_result() -> tuple[bytes, object]:
    """The 9-MP Nokia GPS photo compressed once at max_width 1200 (shared by tests)."""
    from imgcompress import Options, compress

    data = corpus("photo_gps_nokia8.3_9mp.jpg")
    return data, compress(data, Options(max_width=1200))
