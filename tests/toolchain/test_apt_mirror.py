"""The chroot's Debian mirror comes from the host's apt configuration, or the override."""

from __future__ import annotations

from pathlib import Path

import pytest
from apt_mirror import (
    MIRROR_ENV,
    MirrorError,
    Source,
    debian_mirror,
    parse_deb822,
    parse_one_line,
)

ARCHIVE = "http://mirror.example/debian"
SECURITY = "http://security.example/debian-security"

DEB822 = f"""\
Types: deb
# a comment inside a paragraph
URIs: {ARCHIVE}/
Suites: bookworm bookworm-updates
Components: main contrib
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

# the next paragraph is security updates
Types: deb deb-src
URIs: {SECURITY}
Suites: bookworm-security
Components: main
"""


def apt_root(tmp_path: Path, files: dict[str, str]) -> Path:
    """A fake / with the given files under etc/apt (names relative to etc/apt)."""
    for name, text in files.items():
        path = tmp_path / "etc/apt" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def test_one_line_format_with_options_and_comments() -> None:
    """Options in brackets, comments and blank lines are handled; each suite is one source."""
    text = (
        "# deb http://old.example/debian buster main\n"
        "\n"
        f"deb [arch=amd64 signed-by=/k.gpg] {ARCHIVE} bookworm main non-free  # trailing note\n"
        f"deb-src\t{ARCHIVE} bookworm main\n"
        "deb [enabled=no] http://off.example/debian bookworm main\n"
        "rpm http://not.example/ stable main\n"
    )
    assert parse_one_line(text, "s.list") == [
        Source("deb", ARCHIVE, "bookworm", ("main", "non-free"), "s.list:3"),
        Source("deb-src", ARCHIVE, "bookworm", ("main",), "s.list:4"),
    ]


def test_deb822_format_expands_types_uris_and_suites() -> None:
    """Each type × URI × suite of a paragraph is a source; comment lines are skipped."""
    sources = parse_deb822(DEB822, "debian.sources")
    assert [(s.type, s.uri, s.suite) for s in sources] == [
        ("deb", f"{ARCHIVE}/", "bookworm"),
        ("deb", f"{ARCHIVE}/", "bookworm-updates"),
        ("deb", SECURITY, "bookworm-security"),
        ("deb-src", SECURITY, "bookworm-security"),
    ]
    assert sources[0].components == ("main", "contrib")
    assert sources[0].origin == "debian.sources:1"


def test_deb822_disabled_paragraph_and_continuation_lines() -> None:
    """`Enabled: no` drops a paragraph; an inline key's continuation lines are not fields."""
    text = (
        "Types: deb\nURIs: http://off.example/debian\nSuites: sid\nComponents: main\n"
        "Enabled: no\n\n"
        f"Types: deb\nURIs: {ARCHIVE}\nSuites: sid\nComponents: main\n"
        "Signed-By:\n -----BEGIN PGP PUBLIC KEY BLOCK-----\n .\n URIs: http://fake.example/\n"
    )
    assert [(s.uri, s.suite) for s in parse_deb822(text)] == [(ARCHIVE, "sid")]


def test_mirror_from_deb822_skips_updates_and_security(tmp_path: Path) -> None:
    """The release suite's archive is the mirror (trailing slash dropped), as on Debian 12."""
    root = apt_root(tmp_path, {"sources.list.d/debian.sources": DEB822})
    assert debian_mirror({}, root) == ARCHIVE


def test_mirror_reads_sources_list_first_and_ignores_other_names(tmp_path: Path) -> None:
    """sources.list comes before sources.list.d/, whose files apt ignores unless .list/.sources."""
    root = apt_root(
        tmp_path,
        {
            "sources.list": f"deb {SECURITY} bookworm-security main\ndeb {ARCHIVE} bookworm main\n",
            "sources.list.d/a.list.disabled": "deb http://off.example/debian bookworm main\n",
            "sources.list.d/b.sources": "Types: deb\nURIs: http://later.example/debian\n"
            "Suites: bookworm\nComponents: main\n",
        },
    )
    assert debian_mirror({}, root) == ARCHIVE


def test_a_release_without_main_is_not_a_debian_archive(tmp_path: Path) -> None:
    """A third-party repository (no `main`, or a non-release suite) is never picked."""
    root = apt_root(
        tmp_path,
        {
            "sources.list.d/a-vendor.list": "deb http://vendor.example/apt stable contrib\n",
            "sources.list.d/z-debian.list": f"deb {ARCHIVE} trixie main\n",
        },
    )
    assert debian_mirror({}, root) == ARCHIVE


def test_environment_overrides_the_apt_configuration(tmp_path: Path) -> None:
    """$IMGCOMPRESS_DEBIAN_MIRROR wins, even when apt has nothing at all."""
    assert debian_mirror({MIRROR_ENV: "http://local.example/debian/"}, tmp_path) == (
        "http://local.example/debian"
    )
    root = apt_root(tmp_path, {"sources.list": f"deb {ARCHIVE} bookworm main\n"})
    assert debian_mirror({MIRROR_ENV: "file:/srv/debian"}, root) == "file:/srv/debian"
    assert debian_mirror({MIRROR_ENV: "  "}, root) == ARCHIVE


def test_nothing_configured_is_a_clear_error(tmp_path: Path) -> None:
    """With no usable entry the error names the files read and the variable to set."""
    with pytest.raises(MirrorError, match=MIRROR_ENV) as empty:
        debian_mirror({}, tmp_path)
    assert "sources.list" in str(empty.value)
    root = apt_root(
        tmp_path, {"sources.list.d/debian.sources": "# Types: deb\n# URIs: http://x.example/\n"}
    )
    with pytest.raises(MirrorError, match=r"debian\.sources"):
        debian_mirror({}, root)
