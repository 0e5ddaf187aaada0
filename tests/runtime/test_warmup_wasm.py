"""The warm-up ladder (imgcompress.warmup) through the page's door, in the site's Pyodide."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .conftest import pyodide_runner

pytestmark = pytest.mark.runtime

# Every step through door.warm_up, as worker.js calls it, and whether each answer is plain.
LADDER = """
from imgcompress import door, warmup

def plain(value):
    if isinstance(value, dict):
        return all(isinstance(k, str) and plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(plain(v) for v in value)
    return value is None or isinstance(value, (bool, int, float, str))

answers = [door.warm_up(step) for step in range(len(warmup.STEPS))]
result = {
    "answers": answers,
    "plain": all(plain(a) for a in answers),
    "sizes": [list(s) for s in warmup.STEPS],
    "past_the_end": door.warm_up(len(warmup.STEPS))["ok"],
}
"""


@pytest.fixture(scope="module")
def ladder(site: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The ladder's answers, run once for this module's tests (a Pyodide start is slow)."""
    return pyodide_runner(site, tmp_path_factory.mktemp("warmup"))(LADDER)


def test_every_step_runs_at_its_size(ladder: dict[str, Any]) -> None:
    """Each step answers ok with its own index and the ladder's size for it."""
    answers = ladder["answers"]
    assert [a["ok"] for a in answers] == [True] * len(ladder["sizes"])
    assert [a["step"] for a in answers] == list(range(len(ladder["sizes"])))
    assert [[a["width"], a["height"]] for a in answers] == ladder["sizes"]
    assert all(a["steps"] == len(ladder["sizes"]) and a["bytes"] > 0 for a in answers)


def test_the_answers_are_plain_values(ladder: dict[str, Any]) -> None:
    """The door answers only plain JSON-like values, never a proxy or bytes."""
    assert ladder["plain"] is True


def test_a_step_past_the_ladder_is_refused(ladder: dict[str, Any]) -> None:
    """A step index past the end answers ok: false instead of raising across the door."""
    assert ladder["past_the_end"] is False
