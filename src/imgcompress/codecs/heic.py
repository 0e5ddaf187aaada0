"""HEIC/HEIF, read only: iPhone and Android photos, decoded by libheif with libde265.

Only Safari displays HEIC, so "keep the format" writes these photos as JPEG.  libheif
applies the HEIF transforms (rotation, mirror) while decoding and pillow-heif resets the
EXIF orientation it reports, so the orientation is applied exactly once.  In the browser
the decoder is its own lazily loaded package (``PACKAGE``): libheif and libde265 are
LGPL-3 and are shipped as separate, relinkable side modules.
"""

from __future__ import annotations

import importlib

from .base import Codec
from .isobmff import checker, item_types, sniffer

PACKAGE = "heif"
_HEVC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs"}
_registered: list[bool] = []


def is_available() -> bool:
    """Whether pillow-heif can be imported; registers its Pillow opener the first time.

    Only the primary image is decoded (no thumbnails, depth or auxiliary images), and
    with one thread: the browser has none.
    """
    if _registered:
        return _registered[0]
    try:
        pillow_heif = importlib.import_module("pillow_heif")
    except ImportError:
        return False
    options = pillow_heif.options
    options.THUMBNAILS = False
    options.DEPTH_IMAGES = False
    options.AUX_IMAGES = False
    options.DECODE_THREADS = 1
    pillow_heif.register_heif_opener()
    _registered.append(True)
    return True


def container_metadata(data: bytes) -> set[str]:
    """IPTC, which HEIF stores as an item of its own that Pillow's ``info`` does not name."""
    return {"iptc"} if b"iptc" in item_types(data) else set()


CODEC = Codec(
    name="heic",
    label="HEIC",
    mime_type="image/heic",
    extensions=(".heic", ".heif", ".hif"),
    pillow_formats=("HEIF",),
    sniff=sniffer(_HEVC_BRANDS, _HEVC_BRANDS),
    available=is_available,
    check=checker("HEIC"),
    alpha=True,
    photographic=True,
    keep_as="jpeg",
    pages="images",
    container_metadata=container_metadata,
    package=PACKAGE,
)
