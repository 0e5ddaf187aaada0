"""What the Firefox and WebKit smoke tests both check, from what the page showed them."""

from __future__ import annotations

import os
from typing import Any

PHOTO = "exif_orientation6_landscape.jpg"
BROKEN = "corrupt_truncated.jpg"


def check_smoke(online: dict[str, Any], offline: dict[str, Any], refusal: dict[str, Any]) -> None:
    """The photo is Done and the broken file fails as natively; the pool fits the machine's
    cores (WebKit claims 4 on any machine with fewer than 8); offline, the reload works."""
    assert online["badge"], "Works offline is not shown"
    states = {row["name"]: (row["state"], row["code"]) for row in online["rows"]}
    assert states == {PHOTO: ("done", None), BROKEN: ("error", refusal["code"])}
    error = next(row["error"] for row in online["rows"] if row["name"] == BROKEN)
    assert refusal["message"].lower() in error.lower()
    assert 1 <= online["workers"]["size"] <= (os.cpu_count() or 1)
    assert offline["engine"] == "ready"
    assert offline["badge"]
    assert [(row["name"], row["state"]) for row in offline["rows"]] == [(PHOTO, "done")]
