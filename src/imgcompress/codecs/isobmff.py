"""The ISO base media file format (HEIF, AVIF): brands to tell them apart, and a box walk.

Both formats are a ``ftyp`` box, a ``meta`` box describing the items and an ``mdat`` box
holding the coded data.  libheif decodes a file whose ``mdat`` is cut short without
complaint, so the codecs check that every top-level box fits in the file.
"""

from __future__ import annotations

import struct
from collections.abc import Callable

from ..errors import CorruptImageError

BOX_HEADER = 8
LARGE_BOX_HEADER = 16
BRAND = 4


def brands(data: bytes) -> tuple[bytes, set[bytes]]:
    """(major brand, compatible brands) from the ``ftyp`` box, or (b"", set()) if none."""
    if data[4:8] != b"ftyp" or len(data) < BOX_HEADER + BRAND:
        return b"", set()
    (size,) = struct.unpack(">I", data[:4])
    size = min(size, len(data))
    major = data[8:12]
    compatible = {data[i : i + BRAND] for i in range(16, size - BRAND + 1, BRAND)}
    return major, compatible


def sniffer(majors: set[bytes], compatible: set[bytes]) -> Callable[[bytes], bool]:
    """Recognise files whose major brand is one of ``majors``, or that list one of
    ``compatible`` under a generic major brand (``mif1``, ``msf1``)."""

    def sniff(data: bytes) -> bool:
        major, listed = brands(data)
        if major in majors:
            return True
        return major in (b"mif1", b"msf1") and bool(listed & compatible)

    return sniff


def boxes(data: bytes) -> list[tuple[bytes, int, int]]:
    """(type, start, end) of every top-level box; ``ValueError`` if one runs past the end."""
    out = []
    pos, n = 0, len(data)
    while pos + BOX_HEADER <= n:
        (size,) = struct.unpack(">I", data[pos : pos + 4])
        btype = data[pos + 4 : pos + 8]
        if size == 1:
            if pos + LARGE_BOX_HEADER > n:
                raise ValueError("the data ends inside a box header")
            (size,) = struct.unpack(">Q", data[pos + 8 : pos + 16])
        elif size == 0:
            size = n - pos
        if size < BOX_HEADER:
            raise ValueError(f"the {btype!r} box has an impossible size")
        if pos + size > n:
            raise ValueError(f"the data ends before the end of its {btype!r} box")
        out.append((btype, pos, pos + size))
        pos += size
    if pos != n:
        raise ValueError("the data ends inside a box header")
    return out


def item_types(data: bytes) -> set[bytes]:
    """The item types the ``meta`` box declares (``hvc1``, ``Exif``, ``mime``, ``iptc``…).

    Read from each ``infe`` entry (version 2 has a 16-bit item ID, version 3 a 32-bit one)
    without parsing the whole box tree: a cheap look for metadata Pillow does not report.
    """
    try:
        meta = next((s, e) for btype, s, e in boxes(data) if btype == b"meta")
    except (ValueError, StopIteration):
        return set()
    found: set[bytes] = set()
    pos = data.find(b"infe", meta[0], meta[1])
    while pos > 0:
        version = data[pos + 4] if pos + 4 < meta[1] else 0
        offset = pos + 4 + 4 + (4 if version >= 3 else 2) + 2
        if version >= 2 and offset + 4 <= meta[1]:
            found.add(data[offset : offset + 4])
        pos = data.find(b"infe", pos + 4, meta[1])
    return found


def checker(label: str) -> Callable[[bytes], None]:
    """A ``Codec.check`` for an ISOBMFF format: every box whole, image items present."""

    def check(data: bytes) -> None:
        try:
            found = {btype for btype, _, _ in boxes(data)}
        except ValueError as exc:
            if "ends" in str(exc):
                raise CorruptImageError(
                    f"the file is truncated: the {label} data ends early"
                ) from None
            raise CorruptImageError(f"the {label} structure is damaged ({exc})") from None
        if b"meta" not in found:
            raise CorruptImageError(f"the {label} file has no image data")

    return check


__all__ = ["boxes", "brands", "checker", "item_types", "sniffer"]
