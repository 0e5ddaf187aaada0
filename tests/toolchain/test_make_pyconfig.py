"""pyconfig.h for wasm32: the host header's shape with Pyodide's values."""

from __future__ import annotations

from pathlib import Path

from make_pyconfig import rewrite

HOST = """\
#define SIZEOF_LONG 8
/* #undef HAVE_BROKEN_SEM_GETVALUE */
#define HAVE_EPOLL 1
#define _GNU_SOURCE 1
#if defined AC_APPLE_UNIVERSAL_BUILD
# if defined __BIG_ENDIAN__
#  define WORDS_BIGENDIAN 1
# endif
#endif
"""


def test_values_come_from_pyodide(tmp_path: Path) -> None:
    """Recorded macros take Pyodide's value, defined or undefined, in the host's place."""
    header = tmp_path / "pyconfig.h"
    header.write_text(HOST)
    out = rewrite(
        str(header), {"SIZEOF_LONG": 4, "HAVE_BROKEN_SEM_GETVALUE": 1, "HAVE_EPOLL": 0}
    ).splitlines()[1:]
    assert out[:3] == [
        "#define SIZEOF_LONG 4",
        "#define HAVE_BROKEN_SEM_GETVALUE 1",
        "/* #undef HAVE_EPOLL */",
    ]


def test_unrecorded_lines_and_conditionals_stay(tmp_path: Path) -> None:
    """Macros Pyodide does not record keep the host's line, inside their #if blocks."""
    header = tmp_path / "pyconfig.h"
    header.write_text(HOST)
    out = rewrite(str(header), {"SIZEOF_LONG": 4}).splitlines()[1:]
    assert out[3:] == HOST.splitlines()[3:]
