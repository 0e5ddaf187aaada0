"""The Debian mirror for the toolchain's chroot, taken from the host's apt configuration.

The repository names no package host: the chroot uses whatever Debian archive this machine's
apt already uses (so a developer behind a proxy or a local mirror needs no change here), or
the one in $IMGCOMPRESS_DEBIAN_MIRROR when that is set.

apt reads /etc/apt/sources.list (one-line format) and then /etc/apt/sources.list.d/*.list
(one-line) and *.sources (deb822), in that order; files with any other name are ignored, as
apt ignores them. The mirror is the first enabled `deb` or `deb-src` entry of a Debian release
suite (a name such as "bookworm" or "sid", not "bookworm-security" or "bookworm-updates",
which live at other paths or hosts) with the "main" component.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

MIRROR_ENV = "IMGCOMPRESS_DEBIAN_MIRROR"
SOURCES_LIST = Path("etc/apt/sources.list")
SOURCES_PARTS = Path("etc/apt/sources.list.d")
SOURCE_TYPES = frozenset({"deb", "deb-src"})
# The schemes debootstrap can fetch a whole distribution from.
SCHEMES = ("http://", "https://", "ftp://", "file:/")


class MirrorError(RuntimeError):
    """No Debian mirror could be found: the message says where we looked and what to set."""


@dataclass(frozen=True)
class Source:
    """One apt source: a type, an archive URI, one suite, its components, where it was read."""

    type: str
    uri: str
    suite: str
    components: tuple[str, ...]
    origin: str


def parse_one_line(text: str, origin: str = "sources.list") -> list[Source]:
    """Sources of the one-line format: ``deb [options] uri suite [component...]``."""
    sources = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        kind, *tail = line.split(None, 1)
        rest = tail[0] if tail else ""
        if rest.startswith("["):
            options, bracket, rest = rest[1:].partition("]")
            if not bracket:
                continue  # an unclosed option list: apt refuses the line, so do we
            if "enabled=no" in options.split():
                continue
        words = rest.split()
        if kind not in SOURCE_TYPES or len(words) < 2:
            continue
        uri, suite, *components = words
        sources.append(Source(kind, uri, suite, tuple(components), f"{origin}:{number}"))
    return sources


def _stanzas(text: str) -> Iterator[tuple[int, dict[str, str]]]:
    """deb822 paragraphs as {lower-case field: value}, with the line each starts on."""
    fields: dict[str, str] = {}
    start = 0
    last = ""
    for number, raw in enumerate([*text.splitlines(), ""], start=1):
        if raw.startswith("#"):
            continue
        if not raw.strip():
            if fields:
                yield start, fields
            fields, last = {}, ""
            continue
        if raw[0] in " \t":  # a continuation line (e.g. an inline Signed-By key)
            if last:
                fields[last] += "\n" + raw.strip()
            continue
        name, colon, value = raw.partition(":")
        if not colon:
            continue
        if not fields:
            start = number
        last = name.strip().lower()
        fields[last] = value.strip()


def parse_deb822(text: str, origin: str = "debian.sources") -> list[Source]:
    """Sources of the deb822 format: paragraphs with Types, URIs, Suites and Components."""
    sources = []
    for number, fields in _stanzas(text):
        if fields.get("enabled", "yes").lower() == "no":
            continue
        components = tuple(fields.get("components", "").split())
        for kind in fields.get("types", "").split():
            if kind not in SOURCE_TYPES:
                continue
            for uri in fields.get("uris", "").split():
                for suite in fields.get("suites", "").split():
                    sources.append(Source(kind, uri, suite, components, f"{origin}:{number}"))
    return sources


def configured_sources(root: Path = Path("/")) -> tuple[list[Source], list[Path]]:
    """Every source apt would read under ``root``, in apt's order, and the files read."""
    sources: list[Source] = []
    read: list[Path] = []
    main = root / SOURCES_LIST
    if main.is_file():
        sources += parse_one_line(main.read_text(), str(main))
        read.append(main)
    parts = root / SOURCES_PARTS
    for path in sorted(parts.iterdir()) if parts.is_dir() else []:
        if path.suffix == ".list":
            sources += parse_one_line(path.read_text(), str(path))
        elif path.suffix == ".sources":
            sources += parse_deb822(path.read_text(), str(path))
        else:
            continue
        read.append(path)
    return sources, read


def is_release_archive(source: Source) -> bool:
    """A Debian archive serving a whole release: a plain suite name and the main component."""
    plain_suite = "-" not in source.suite and "/" not in source.suite
    return plain_suite and "main" in source.components and source.uri.startswith(SCHEMES)


def debian_mirror(env: Mapping[str, str] = os.environ, root: Path = Path("/")) -> str:
    """The mirror URI: $IMGCOMPRESS_DEBIAN_MIRROR, else the first release archive apt uses."""
    override = env.get(MIRROR_ENV, "").strip()
    if override:
        return override.rstrip("/")
    sources, read = configured_sources(root)
    for source in sources:
        if is_release_archive(source):
            return source.uri.rstrip("/")
    looked = ", ".join(str(p) for p in read) or f"{root / SOURCES_LIST} and {root / SOURCES_PARTS}"
    raise MirrorError(
        f"no Debian mirror found in the apt configuration ({looked}): none has an enabled "
        f"`deb` entry for a release suite with `main`. Set {MIRROR_ENV} to a Debian archive URI."
    )
