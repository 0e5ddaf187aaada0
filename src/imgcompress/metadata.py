"""Find the metadata a person would care about, and build the minimal EXIF that is kept.

Reading gives the page something concrete to show ("GPS location 60.17° N removed")
instead of a vague "metadata stripped".  Removing it without re-encoding is container
surgery, so it lives with each format's codec (``Codec.strip``).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from PIL import ExifTags, Image

from .codecs import Codec
from .decode import DECODE_ERRORS

try:
    from PIL import ImageCms
except ImportError:  # a Pillow built without LittleCMS
    ImageCms = None  # type: ignore[assignment]

GPS_IFD = 0x8825
EXIF_IFD = 0x8769
TAG_ORIENTATION = 0x0112
TAG_MAKE = 0x010F
TAG_MODEL = 0x0110
TAG_SOFTWARE = 0x0131
TAG_DATETIME = 0x0132
TAG_COPYRIGHT = 0x8298
TAG_ARTIST = 0x013B
TAG_DATETIME_ORIGINAL = 0x9003
TAG_DATETIME_DIGITIZED = 0x9004


# Plain words for the stable keys of Result.report["removed"] / ["kept"], for people.
REMOVED_WORDS = {
    "gps": "GPS location",
    "camera": "camera make and model",
    "capture_time": "capture time",
    "software": "software name",
    "copyright": "copyright/artist",
    "thumbnail": "embedded thumbnail",
    "exif": "EXIF block",
    "xmp": "XMP",
    "iptc": "IPTC",
    "comment": "comments",
    "text": "text chunks",
    "icc": "ICC colour profile",
}


@dataclass
class Found:
    """What metadata an image carries; ``to_dict`` is the report's "metadata" field."""

    exif: bool = False
    gps: dict[str, float] | None = None
    gps_present: bool = False
    make: str | None = None
    model: str | None = None
    captured: str | None = None
    software: str | None = None
    copyright: str | None = None
    artist: str | None = None
    orientation: int = 1
    thumbnail: bool = False
    xmp: bool = False
    iptc: bool = False
    comment: bool = False
    text: list[str] = field(default_factory=list)
    icc: str | None = None
    icc_present: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (the page renders it into sentences)."""
        return {
            "exif": self.exif,
            "gps": self.gps,
            "gps_present": self.gps_present,
            "camera": {"make": self.make, "model": self.model}
            if (self.make or self.model)
            else None,
            "make": self.make,
            "model": self.model,
            "captured": self.captured,
            "software": self.software,
            "copyright": self.copyright,
            "artist": self.artist,
            "orientation": self.orientation,
            "thumbnail": self.thumbnail,
            "xmp": self.xmp,
            "iptc": self.iptc,
            "comment": self.comment,
            "text": list(self.text),
            "icc": self.icc,
            "icc_present": self.icc_present,
        }

    def removable(self) -> list[str]:
        """Stable keys for what a full strip takes away (ICC is not in it)."""
        keys = []
        if self.gps or self.gps_present:
            keys.append("gps")
        if self.make or self.model:
            keys.append("camera")
        if self.captured:
            keys.append("capture_time")
        if self.software:
            keys.append("software")
        if self.copyright or self.artist:
            keys.append("copyright")
        if self.thumbnail:
            keys.append("thumbnail")
        if self.exif:
            keys.append("exif")
        if self.xmp:
            keys.append("xmp")
        if self.iptc:
            keys.append("iptc")
        if self.comment:
            keys.append("comment")
        if self.text:
            keys.append("text")
        return keys


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    text = str(value).replace("\x00", "").strip()
    return text or None


def _rational(value: object) -> float:
    if isinstance(value, tuple) and len(value) == 2:
        return float(value[0]) / float(value[1]) if value[1] else 0.0
    return float(value)  # type: ignore[arg-type]


def gps_decimal(gps: dict[int, Any]) -> dict[str, float] | None:
    """Degrees/minutes/seconds and N/S/E/W refs to signed decimal degrees."""
    try:
        lat_dms, lon_dms = gps[ExifTags.GPS.GPSLatitude], gps[ExifTags.GPS.GPSLongitude]
        lat = sum(_rational(v) / 60**i for i, v in enumerate(lat_dms))
        lon = sum(_rational(v) / 60**i for i, v in enumerate(lon_dms))
    except (KeyError, TypeError, ValueError, ZeroDivisionError, IndexError):
        return None
    if _text(gps.get(ExifTags.GPS.GPSLatitudeRef)) in ("S", "s"):
        lat = -lat
    if _text(gps.get(ExifTags.GPS.GPSLongitudeRef)) in ("W", "w"):
        lon = -lon
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return {"lat": round(lat, 6), "lon": round(lon, 6)}


def icc_description(icc: bytes) -> str | None:
    """The profile's human name (e.g. "sRGB IEC61966-2.1"), via LittleCMS."""
    if ImageCms is None:
        return None
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        return _text(ImageCms.getProfileDescription(profile))
    except (OSError, ValueError, TypeError, ImageCms.PyCMSError):
        return None


def read(image: Image.Image, data: bytes, codec: Codec) -> Found:
    """Collect metadata from an opened image and its bytes.

    Call it after the pixels are decoded (or, for ``inspect``, knowing that Pillow may
    load them here): a damaged EXIF block is reported as absent, never as a failure.
    """
    found = Found()
    try:
        exif = image.getexif()
    except DECODE_ERRORS:
        exif = Image.Exif()
    if len(exif):
        found.exif = True
        found.orientation = int(exif.get(TAG_ORIENTATION, 1) or 1)
        if found.orientation not in range(1, 9):
            found.orientation = 1
        found.make = _text(exif.get(TAG_MAKE))
        found.model = _text(exif.get(TAG_MODEL))
        found.software = _text(exif.get(TAG_SOFTWARE))
        found.copyright = _text(exif.get(TAG_COPYRIGHT))
        found.artist = _text(exif.get(TAG_ARTIST))
        try:
            sub = exif.get_ifd(EXIF_IFD)
            found.captured = _text(
                sub.get(TAG_DATETIME_ORIGINAL) or sub.get(TAG_DATETIME_DIGITIZED)
            ) or _text(exif.get(TAG_DATETIME))
            gps = exif.get_ifd(GPS_IFD)
            found.gps = gps_decimal(gps) if gps else None
            found.gps_present = bool(gps)
            found.thumbnail = bool(exif.get_ifd(ExifTags.IFD.IFD1))
        except DECODE_ERRORS:  # malformed sub-IFDs: report what we could read
            found.captured = found.captured or _text(exif.get(TAG_DATETIME))
    icc = image.info.get("icc_profile")
    if icc:
        found.icc_present = True
        found.icc = icc_description(icc)
    info = image.info
    found.xmp = bool(info.get("xmp") or info.get("XML:com.adobe.xmp"))
    found.comment = bool(info.get("comment"))
    found.text = _text_keys(image)
    if codec.container_metadata is not None:
        for key in codec.container_metadata(data):
            setattr(found, key, True)
    return found


def _text_keys(image: Image.Image) -> list[str]:
    """Names of the text chunks (PNG ``tEXt``/``iTXt``/``zTXt``), XMP excluded."""
    try:
        text = getattr(image, "text", None)
    except DECODE_ERRORS:  # reading text chunks can hit a damaged tail
        return []
    if not isinstance(text, dict):
        return []
    return sorted(k for k in text if k != "XML:com.adobe.xmp")


def minimal_exif(image: Image.Image, keep: tuple[str, ...], orientation: int = 1) -> bytes | None:
    """A fresh EXIF block holding only the kept tags (never GPS), or None if empty."""
    try:
        source = image.getexif()
        sub = source.get_ifd(EXIF_IFD)
    except DECODE_ERRORS:
        return None
    new = Image.Exif()
    if orientation != 1:
        new[TAG_ORIENTATION] = orientation
    if "copyright" in keep:
        for tag in (TAG_COPYRIGHT, TAG_ARTIST):
            if source.get(tag):
                new[tag] = source[tag]
    if "datetime" in keep:
        if source.get(TAG_DATETIME):
            new[TAG_DATETIME] = source[TAG_DATETIME]
        times = {t: sub[t] for t in (TAG_DATETIME_ORIGINAL, TAG_DATETIME_DIGITIZED) if sub.get(t)}
        if times:
            ifd = new.get_ifd(EXIF_IFD)
            ifd.update(times)
    if not len(new) and not new.get_ifd(EXIF_IFD):
        return None
    return new.tobytes()
