"""AVIF (AV1 stills), read and written through Pillow's libavif plugin (libaom encodes,
dav1d decodes).

AV1 is far slower to encode than JPEG, so search probes use a faster encoder speed and
the final file is written once at full effort.  In the browser the codec lives in its own
lazily loaded package (``PACKAGE``), so start-up does not pay for it.
"""

from __future__ import annotations

import importlib
import sys

from PIL import Image, features

from .base import Codec, Encoded, Picture, Settings, save
from .isobmff import checker, sniffer

PACKAGE = "avif"
# libaom speed (0 slowest … 10 fastest), measured natively on kodim23 (768×512), one thread:
#   speed 4: 1.2–1.5 s   speed 6: 0.17–0.2 s   speed 8: 0.05–0.07 s   speed 9: 0.02 s
# and at equal quality speed 6 files are ~10 % smaller than speed 8 (8 MP photo: 4.0 s
# at speed 6, 1.4 s at speed 8).  6 is where more effort stops paying for its time.
# In WebAssembly (no SIMD, one thread; bench/avif_bench.py, one 3264×2448 encode at q60):
#   Chromium worker: speed 6 16.1 s, speed 8 2.6 s;  Node: 23.1 s and 4.9 s
#   (native on the same machine: 4.5 s and 2.0 s).  Speed 6 is 14 % smaller than 8 there
# too, and speed 7 was no smaller than 8.  A whole 8-MP compress (6 probes at speed 8, the
# final encode, the scoring) took 45–49 s under Node and 66 s in one Chromium worker on a
# busy 2-core machine; a final encode at speed 8 saved only 14 % of that time for a 16 %
# larger file (the probes dominate), so the pair stays.
SPEED = 6
PROBE_SPEED = 8
DEFAULT_QUALITY = 60
# On the Kodak photos a score of 0.95 is reached around q45–55.
START_QUALITY = 50
# "smallest" tries AVIF up to this size: at speed 6 an 8-MP photo costs ~4 s natively and
# several times that in a browser worker, too slow to try on every large photo by default.
SMALLEST_MAX_PIXELS = 4_000_000


def _threads() -> int:
    """One thread in the browser: Pyodide has no threads, yet reports the browser's cores."""
    return 1 if sys.platform == "emscripten" else 0


def is_available() -> bool:
    """Whether this Pillow has its AVIF plugin (in the browser: once the package is loaded)."""
    if not features.check("avif"):
        return False
    from PIL import AvifImagePlugin

    if not AvifImagePlugin.SUPPORTED:
        # Pillow imported its plugin before the codec package arrived (Image.init imports
        # every plugin): run it again so it finds _avif and registers its writer.
        importlib.reload(AvifImagePlugin)
    AvifImagePlugin.DEFAULT_MAX_THREADS = _threads()
    return True


def encode(picture: Picture, settings: Settings) -> Encoded:
    """An RGB/RGBA still (AVIF sequences are not written; animations go to WebP)."""
    image = picture.image
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if "A" in image.mode or image.mode == "P" else "RGB")
    quality = settings.quality or DEFAULT_QUALITY
    speed = PROBE_SPEED if settings.probe else SPEED
    # Pillow's writer has no lossless AV1 mode (it would need identity matrix
    # coefficients), so the codec offers no lossless alternative.
    kwargs: dict[str, object] = {"quality": quality, "speed": speed}
    params = {**kwargs, "subsampling": "4:2:0"}
    threads = _threads()
    if threads:
        kwargs["max_threads"] = threads
    data = save(picture, "AVIF", image, [], **kwargs)
    return Encoded(data, params)


def fits_smallest(image: Image.Image) -> bool:
    """Whether "smallest" should try AVIF for this image (see ``SMALLEST_MAX_PIXELS``)."""
    return image.size[0] * image.size[1] <= SMALLEST_MAX_PIXELS


CODEC = Codec(
    name="avif",
    label="AVIF",
    mime_type="image/avif",
    extensions=(".avif",),
    pillow_formats=("AVIF",),
    sniff=sniffer({b"avif", b"avis"}, {b"avif", b"avis"}),
    available=is_available,
    encode=encode,
    check=checker("AVIF"),
    alpha=True,
    quality_range=True,
    start_quality=START_QUALITY,
    fast_probes=True,
    animated_as="webp",
    smallest=True,
    smallest_for=fits_smallest,
    package=PACKAGE,
)
