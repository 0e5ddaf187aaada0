"""Find the metadata a person would care about, and remove it without re-encoding.

Reading gives the page something concrete to show ("GPS location 60.17° N removed")
instead of a vague "metadata stripped".  Removal works on the container structure
only — JPEG markers, PNG chunks, WebP RIFF chunks — so the compressed pixel data is
copied byte for byte and the decoded pixels stay identical.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass, field
from typing import Any

from PIL import ExifTags, Image

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

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_DROP = {b"eXIf", b"tEXt", b"zTXt", b"iTXt", b"tIME"}


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


def read(image: Image.Image, data: bytes) -> Found:
    """Collect metadata from an opened (not necessarily loaded) image and its bytes."""
    found = Found()
    try:
        exif = image.getexif()
    except Exception:  # a broken EXIF block must not stop the compression
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
        except Exception:  # malformed sub-IFDs: report what we could read
            found.captured = found.captured or _text(exif.get(TAG_DATETIME))
    icc = image.info.get("icc_profile")
    if icc:
        found.icc_present = True
        found.icc = icc_description(icc)
    info = image.info
    found.xmp = bool(info.get("xmp") or info.get("XML:com.adobe.xmp"))
    found.comment = bool(info.get("comment"))
    if image.format == "PNG":
        found.text = (
            sorted(k for k in getattr(image, "text", {}) if k not in ("XML:com.adobe.xmp",))
            if _safe_png_text(image)
            else []
        )
    if data[:2] == b"\xff\xd8":
        _scan_jpeg(data, found)
    return found


def _safe_png_text(image: Image.Image) -> bool:
    try:
        return bool(image.text)  # type: ignore[attr-defined]
    except Exception:  # reading text chunks can hit the truncated tail
        return False


def _scan_jpeg(data: bytes, found: Found) -> None:
    for marker, payload in _jpeg_headers(data):
        if marker == 0xE1 and payload.startswith(b"http://ns.adobe.com/xap/"):
            found.xmp = True
        elif marker == 0xED:
            found.iptc = True
        elif marker == 0xFE:
            found.comment = True
        elif marker == 0xE0 and payload.startswith(b"JFXX"):
            found.thumbnail = True


def _jpeg_headers(data: bytes) -> list[tuple[int, bytes]]:
    """(marker, payload) of the header segments before the first scan."""
    out = []
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            break
        marker = data[pos + 1]
        if marker == 0xFF:
            pos += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            pos += 2
            continue
        if marker in (0xDA, 0xD9):
            break
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        out.append((marker, data[pos + 4 : pos + 2 + length]))
        pos += 2 + length
    return out


def _exif_segment(exif: bytes | None) -> bytes:
    if not exif:
        return b""
    body = exif if exif.startswith(b"Exif\x00\x00") else b"Exif\x00\x00" + exif
    if len(body) + 2 > 0xFFFF:
        return b""
    return b"\xff\xe1" + struct.pack(">H", len(body) + 2) + body


def _keep_jpeg_segment(marker: int, payload: bytes) -> bool:
    if marker == 0xE0:
        return payload.startswith(b"JFIF\x00")
    if marker == 0xE2:
        return payload.startswith(b"ICC_PROFILE\x00")
    if marker == 0xEE:
        return payload.startswith(b"Adobe")
    return not (0xE0 <= marker <= 0xEF or marker == 0xFE)


def strip_jpeg(data: bytes, exif: bytes | None = None) -> bytes:
    """Drop APP1 (EXIF/XMP), APP13 (IPTC), COM and other APPn; keep JFIF, ICC, Adobe.

    Everything from the first SOS marker to EOI is copied untouched; trailing bytes
    after EOI (MPF secondary images, phone "depth maps") are dropped because they
    are exactly the hidden extra pictures people do not expect to share.  ``exif``,
    if given, is inserted as the only APP1 (used to keep an orientation tag or the
    tags named in ``keep``).
    """
    if data[:2] != b"\xff\xd8":
        raise ValueError("not a JPEG")
    out = io.BytesIO()
    out.write(b"\xff\xd8")
    pos = 2
    inserted = False
    n = len(data)
    while pos < n:
        if data[pos] != 0xFF:
            raise ValueError("bad JPEG marker")
        marker = data[pos + 1] if pos + 1 < n else 0xD9
        if marker == 0xFF:
            pos += 1
            continue
        if marker == 0xD9:
            break
        if pos + 4 > n:
            raise ValueError("truncated JPEG")
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        end = pos + 2 + length
        if length < 2 or end > n:
            raise ValueError("truncated JPEG")
        payload = data[pos + 4 : end]
        if marker != 0xE0 and not inserted:
            out.write(_exif_segment(exif))
            inserted = True
        if marker == 0xDA:
            scan_end = _scan_end(data, end)
            out.write(data[pos:scan_end])
            pos = scan_end
            continue
        if _keep_jpeg_segment(marker, payload):
            out.write(data[pos:end])
        pos = end
    out.write(b"\xff\xd9")
    return out.getvalue()


def _scan_end(data: bytes, pos: int) -> int:
    """Index of the first marker after entropy-coded data (stuffed FF00 and RSTn skipped)."""
    n = len(data)
    while True:
        pos = data.find(b"\xff", pos)
        if pos < 0 or pos + 1 >= n:
            return n
        nxt = data[pos + 1]
        if nxt == 0x00 or 0xD0 <= nxt <= 0xD7 or nxt == 0xFF:
            pos += 1 if nxt == 0xFF else 2
            continue
        return pos


def strip_png(data: bytes, exif: bytes | None = None) -> bytes:
    """Drop eXIf, tEXt, zTXt, iTXt and tIME chunks; every other chunk is copied verbatim.

    Chunks are copied with their CRCs, so nothing needs recomputing; an ``exif``
    replacement is written as a fresh eXIf chunk with its own CRC before IDAT.
    """
    import zlib

    if not data.startswith(PNG_SIGNATURE):
        raise ValueError("not a PNG")
    out = io.BytesIO()
    out.write(PNG_SIGNATURE)
    pos = len(PNG_SIGNATURE)
    n = len(data)
    inserted = False
    while pos + 8 <= n:
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        ctype = data[pos + 4 : pos + 8]
        end = pos + 12 + length
        if end > n:
            raise ValueError("truncated PNG")
        if ctype in (b"IDAT", b"acTL") and exif and not inserted:
            body = exif[6:] if exif.startswith(b"Exif\x00\x00") else exif
            crc = zlib.crc32(b"eXIf" + body) & 0xFFFFFFFF
            out.write(struct.pack(">I", len(body)) + b"eXIf" + body + struct.pack(">I", crc))
            inserted = True
        if ctype not in PNG_DROP:
            out.write(data[pos:end])
        pos = end
        if ctype == b"IEND":
            break
    return out.getvalue()


def strip_webp(data: bytes, exif: bytes | None = None) -> bytes:
    """Drop the EXIF and XMP RIFF chunks and clear their VP8X flags."""
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise ValueError("not a WebP")
    chunks = []
    pos = 12
    n = len(data)
    while pos + 8 <= n:
        ctype = data[pos : pos + 4]
        (length,) = struct.unpack("<I", data[pos + 4 : pos + 8])
        end = pos + 8 + length + (length & 1)
        if end > n:
            raise ValueError("truncated WebP")
        if ctype not in (b"EXIF", b"XMP "):
            chunk = bytearray(data[pos:end])
            if ctype == b"VP8X":
                chunk[8] &= ~(0x08 | 0x04) & 0xFF
                if exif:
                    chunk[8] |= 0x08
            chunks.append(bytes(chunk))
        pos = end
    if exif:
        if not any(c.startswith(b"VP8X") for c in chunks):
            raise ValueError("simple WebP cannot carry EXIF without VP8X")
        body = exif[6:] if exif.startswith(b"Exif\x00\x00") else exif
        pad = b"\x00" if len(body) & 1 else b""
        chunks.append(b"EXIF" + struct.pack("<I", len(body)) + body + pad)
    payload = b"WEBP" + b"".join(chunks)
    return b"RIFF" + struct.pack("<I", len(payload)) + payload


def _gif_sub_blocks_end(data: bytes, pos: int) -> int:
    n = len(data)
    while True:
        if pos >= n:
            raise ValueError("truncated GIF")
        size = data[pos]
        pos += 1 + size
        if size == 0:
            return pos


def strip_gif(data: bytes) -> bytes:
    """Drop comment extensions and XMP application blocks; frames are copied verbatim.

    Kept: graphic control (timing, transparency), NETSCAPE/ANIMEXTS looping and ICC
    application blocks, plain-text extensions and every image block.
    """
    if data[:6] not in (b"GIF87a", b"GIF89a") or len(data) < 13:
        raise ValueError("not a GIF")
    flags = data[10]
    pos = 13 + (3 * (2 << (flags & 7)) if flags & 0x80 else 0)
    out = bytearray(data[:pos])
    n = len(data)
    while pos < n:
        block = data[pos]
        if block == 0x3B:
            out.append(0x3B)
            return bytes(out)
        if block == 0x21:
            if pos + 2 > n:
                raise ValueError("truncated GIF")
            label = data[pos + 1]
            end = _gif_sub_blocks_end(data, pos + 2)
            drop = label == 0xFE or (label == 0xFF and data[pos + 3 : pos + 14] == b"XMP DataXMP")
            if not drop:
                out += data[pos:end]
            pos = end
        elif block == 0x2C:
            if pos + 10 > n:
                raise ValueError("truncated GIF")
            local = data[pos + 9]
            start = pos + 10 + (3 * (2 << (local & 7)) if local & 0x80 else 0)
            end = _gif_sub_blocks_end(data, start + 1)
            out += data[pos:end]
            pos = end
        else:
            raise ValueError("bad GIF block")
    raise ValueError("truncated GIF")


def minimal_exif(image: Image.Image, keep: tuple[str, ...], orientation: int = 1) -> bytes | None:
    """A fresh EXIF block holding only the kept tags (never GPS), or None if empty."""
    try:
        source = image.getexif()
        sub = source.get_ifd(EXIF_IFD)
    except Exception:
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
