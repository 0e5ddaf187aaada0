"""The pins of pins.toml (at the repository root), read once and checked for shape.

One file holds every pinned version, hash and path, so that a bump is one edit that the build,
the tests and (through the build) the worker all see.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path

PINS_FILE = Path(__file__).resolve().parent.parent / "pins.toml"


@dataclass(frozen=True)
class MozjpegPins:
    """pins.toml's [mozjpeg]: the PyPI sdist that bundles mozjpeg's source, and its build."""

    sdist: str
    sdist_version: str
    sdist_sha256: str
    version: str
    build: str

    @property
    def sdist_file(self) -> str:
        """The file name pip gives the sdist (the project name normalized with underscores)."""
        return f"{self.sdist.replace('-', '_')}-{self.sdist_version}.tar.gz"


@dataclass(frozen=True)
class Pins:
    """The pinned values, by what they are for (see pins.toml for why each is pinned)."""

    pyodide_version: str
    pyodide_integrity: str
    pyodide_platform: str
    pillow_version: str
    pillow_sdist_sha256: str
    # PIL.features name -> Pillow build switch, in pins.toml's order.
    pillow_features: dict[str, str]
    chromium: Path
    debian_suite: str
    # mozjpeg, Pillow's JPEG library in the browser: the sdist that bundles its source.
    mozjpeg: MozjpegPins

    @property
    def feature_names(self) -> list[str]:
        """The PIL.features names the browser's Pillow must report as present."""
        return list(self.pillow_features)


MOZJPEG_KEYS = ("sdist", "sdist_version", "sdist_sha256", "version", "build")


@functools.cache
def load(path: Path = PINS_FILE) -> Pins:
    """Read pins.toml; a missing or misspelt key fails here, naming it, not later in a build."""
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    try:
        pyodide, pillow = data["pyodide"], data["pillow"]
        return Pins(
            pyodide_version=pyodide["version"],
            pyodide_integrity=pyodide["integrity"],
            pyodide_platform=pyodide["platform"],
            pillow_version=pillow["version"],
            pillow_sdist_sha256=pillow["sdist_sha256"],
            pillow_features=dict(pillow["features"]),
            chromium=Path(data["chromium"]["path"]),
            debian_suite=data["debian"]["suite"],
            mozjpeg=MozjpegPins(**{k: data["mozjpeg"][k] for k in MOZJPEG_KEYS}),
        )
    except KeyError as missing:
        raise SystemExit(f"{path.name} lacks the key {missing}") from None


@dataclass(frozen=True)
class HeifPins:
    """The `heif` package's sources (pins.toml's [heif]): its own block, its own build."""

    pillow_heif_version: str
    pillow_heif_sdist_sha256: str
    pylibheif_version: str
    pylibheif_sdist_sha256: str
    libheif_version: str
    libde265_version: str
    libde265_orig: str
    libde265_orig_sha256: str


@functools.cache
def load_heif(path: Path = PINS_FILE) -> HeifPins:
    """Read pins.toml's [heif]; a missing or misspelt key fails here, naming it."""
    with path.open("rb") as handle:
        heif = tomllib.load(handle).get("heif", {})
    try:
        return HeifPins(**{name: heif[name] for name in HeifPins.__dataclass_fields__})
    except KeyError as missing:
        raise SystemExit(f"{path.name} lacks the key heif.{missing.args[0]}") from None
