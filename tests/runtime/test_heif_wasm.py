"""HEIC in Pyodide: the lazy `heif` package (pillow-heif, libheif, libde265 as separate side
modules) decodes as the native build does, and the engine treats HEIC as it does natively."""

from __future__ import annotations

import array
import hashlib
import io
import json
import shutil
import zipfile
from pathlib import Path

import heif_wheel
import pytest
from PIL import Image, ImageChops, ImageStat

from imgcompress import Options, codecs, compress

from .conftest import PyodideRun
from .test_pillow_wasm import assert_jpeg_close

pytestmark = pytest.mark.runtime

LOAD_HEIF = "import pyodide_js\nawait pyodide_js.loadPackage('heif')\n"
NOKIA = "heic_nokia_alpha_3images.heic"
SONY = "heic_sony_gray_exif_xmp_iptc.heic"
EXTENSION = "_pillow_heif.cpython-314-wasm32-emscripten.so"
GPS_IFD = 0x8825
ORIENTATION = 0x0112
# Native and Pyodide decode with the same libde265 (1.1.3) and nearly the same libheif (the
# native wheel's 1.23.6, ours 1.23.5): HEVC decoding is exact, and only the YCbCr->RGB step could
# round differently (measured: the Nokia photo decodes bit-identical). With libheif's Emscripten
# default (deblocking and SAO off) only 53% of the values were identical, the mean difference
# 0.6-1.1 levels per channel and the largest 15: far outside these bounds.
SAME_PIXELS = 0.99  # at least this share of the channel values are identical to native's
MAX_MEAN_DIFF = 0.1  # and the mean difference per channel stays below this many levels


def _wheel(site: Path) -> tuple[dict, Path]:
    lock = json.loads((site / "wheels" / "pyodide-lock.json").read_text())
    entry = lock["packages"]["heif"]
    return entry, site / "wheels" / entry["file_name"]


def _native_heic(image: Image.Image, exif: Image.Exif) -> bytes:
    """A HEIC written natively by libheif's x265 encoder (the site ships no HEVC encoder)."""
    codecs.heic.is_available()
    out = io.BytesIO()
    image.save(out, "HEIF", quality=90, exif=exif.tobytes())
    return out.getvalue()


def _ten_bit_heic(image: Image.Image) -> bytes:
    """A 10-bit HEIC of an 8-bit RGB image, written natively (each value scaled to 16 bits)."""
    import pillow_heif

    codecs.heic.is_available()
    wide = array.array("H", (value * 257 for value in image.tobytes())).tobytes()
    heif = pillow_heif.from_bytes(mode="RGB;16", size=image.size, data=wide)
    saved = pillow_heif.options.SAVE_HDR_TO_12_BIT
    pillow_heif.options.SAVE_HDR_TO_12_BIT = False  # 16-bit input is written as 10-bit
    try:
        out = io.BytesIO()
        heif.save(out, quality=95)
    finally:
        pillow_heif.options.SAVE_HDR_TO_12_BIT = saved
    with Image.open(io.BytesIO(out.getvalue())) as check:
        assert check.info["bit_depth"] == 10
    return out.getvalue()


def _gps_exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (60.0, 10.0, 0.0), 3: "E", 4: (24.0, 56.0, 0.0)})
    return exif


def _agreement(a: Image.Image, b: Image.Image) -> tuple[float, float]:
    """The share of identical channel values, and the largest mean difference per channel."""
    diff = ImageChops.difference(a, b)
    histogram = diff.histogram()
    bands = len(diff.getbands())
    same = sum(histogram[band * 256] for band in range(bands)) / (a.width * a.height * bands)
    return same, max(ImageStat.Stat(diff).mean)


def test_lock_file_lists_heif_as_a_codec_package(site: Path) -> None:
    """The lock file has `heif` depending on `pillow`, holding the extension and the two
    libraries as separate .so files, with the licences of all three."""
    entry, path = _wheel(site)
    assert entry["depends"] == ["pillow"]
    with zipfile.ZipFile(path) as wheel:
        modules = [n for n in wheel.namelist() if n.endswith(".so")]
        licences = {Path(n).name for n in wheel.namelist() if "/licenses/" in n}
        metadata = next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
        text = wheel.read(metadata).decode()
    assert sorted(modules) == sorted(
        [EXTENSION, "pillow_heif.libs/libde265.so", "pillow_heif.libs/libheif.so"]
    )
    assert {"libheif-COPYING", "libde265-COPYING", "pillow-heif-LICENSE"} <= licences
    assert "License-Expression: BSD-3-Clause AND LGPL-3.0-or-later" in text


def test_manifest_records_every_source_with_its_hash(site: Path) -> None:
    """manifest.json names the three archives the package was built from, each with its pinned
    sha256 and licence, and the served wheel's own hash (for the page's Licences section)."""
    import pins

    heif = json.loads((site / "manifest.json").read_text())["pillow_build"]["heif"]
    pinned = pins.load_heif()
    assert {s["archive"]: (s["sha256"], s["licence"]) for s in heif["sources"]} == {
        f"libde265_{pinned.libde265_version}.orig.tar.gz": (
            pinned.libde265_orig_sha256,
            "LGPL-3.0-or-later",
        ),
        f"pylibheif-{pinned.pylibheif_version}.tar.gz": (
            pinned.pylibheif_sdist_sha256,
            "LGPL-3.0-or-later",
        ),
        f"pillow_heif-{pinned.pillow_heif_version}.tar.gz": (
            pinned.pillow_heif_sdist_sha256,
            "BSD-3-Clause",
        ),
    }
    _, wheel = _wheel(site)
    assert heif["sha256"] == hashlib.sha256(wheel.read_bytes()).hexdigest()
    assert heif["libheif"] == pinned.libheif_version


def test_libraries_are_linked_dynamically(site: Path) -> None:
    """The extension imports libheif's API from libheif.so and libheif imports libde265's from
    libde265.so (LGPL-3: either can be replaced), each found through a $ORIGIN runtime path."""
    from check_imports import imports_and_exports

    _, path = _wheel(site)
    with zipfile.ZipFile(path) as wheel:
        ext, heif, de265 = (
            wheel.read(n)
            for n in (EXTENSION, "pillow_heif.libs/libheif.so", "pillow_heif.libs/libde265.so")
        )
    assert heif_wheel.dylink(ext) == (["libheif.so"], ["$ORIGIN", "$ORIGIN/pillow_heif.libs"])
    assert heif_wheel.dylink(heif) == (["libde265.so"], ["$ORIGIN"])
    ext_imports, ext_exports = imports_and_exports(ext)
    heif_imports, heif_exports = imports_and_exports(heif)
    _, de265_exports = imports_and_exports(de265)
    assert "heif_context_read_from_memory_without_copy" in {f for _, f in ext_imports}
    assert "heif_context_read_from_memory_without_copy" in heif_exports
    assert not [e for e in ext_exports if e.startswith(("heif_", "de265_"))]
    assert "de265_push_NAL" in {f for _, f in heif_imports}
    assert "de265_push_NAL" in de265_exports
    assert not [e for e in heif_exports if e.startswith("de265_")]


def test_heif_is_absent_until_its_package_loads(in_pyodide: PyodideRun, tmp_path: Path) -> None:
    """Start-up does not load `heif`; HEIC is offered as readable anyway, a HEIC answers
    codec_unavailable naming `heif`, and after loadPackage('heif') the same call succeeds."""
    shutil.copy(Path(__file__).resolve().parents[1] / "data" / SONY, tmp_path / SONY)
    result = in_pyodide(
        "import pyodide_js\n"
        "from imgcompress import door\n"
        f"data = open('/data/{SONY}', 'rb').read()\n"
        "accept = door.formats(['heif'])['accept'].split(',')\n"
        "result = {'loaded': sorted(pyodide_js.loadedPackages.object_keys()),\n"
        "          'accept': accept,\n"
        "          'before': door.compress_file(data, {}, 'sony.heic')}\n"
        "result['before'].pop('data', None)\n"
        + LOAD_HEIF
        + "after = door.compress_file(data, {}, 'sony.heic')\n"
        "result['after'] = [after['ok'], after.get('name'), after['result']['format']]\n"
        "result['notes'] = [n['text'] for n in after['result']['report']['notes']]\n"
    )
    assert "heif" not in result["loaded"]
    assert {"image/heic", ".heic", ".heif"} <= set(result["accept"])
    assert result["before"]["ok"] is False
    assert result["before"]["error"]["code"] == "codec_unavailable"
    assert result["before"]["error"]["package"] == "heif"
    assert result["after"] == [True, "sony.jpg", "jpeg"]
    assert any(text.startswith("HEIC → JPEG") for text in result["notes"])


def test_decode_matches_native_so_deblocking_is_on(
    in_pyodide: PyodideRun, corpus: Path, tmp_path: Path
) -> None:
    """The Nokia photo decoded in Pyodide is near-identical to the native decode: libheif's
    Emscripten default (deblocking and SAO off, blocky pictures) is patched out."""
    shutil.copy(corpus / NOKIA, tmp_path / NOKIA)
    in_pyodide(
        LOAD_HEIF + "from imgcompress import codecs\n"
        "codecs.heic.is_available()\n"
        "from PIL import Image\n"
        f"Image.open('/data/{NOKIA}').convert('RGB').save('/data/wasm.png')\n"
        "result = None\n"
    )
    codecs.heic.is_available()
    native = Image.open(corpus / NOKIA).convert("RGB")
    wasm = Image.open(tmp_path / "wasm.png")
    assert wasm.size == native.size == (1440, 960)
    same, mean = _agreement(wasm, native)
    assert same >= SAME_PIXELS, f"only {same:.4f} of the values are as natively decoded"
    assert mean < MAX_MEAN_DIFF


def test_metadata_is_reported_and_removed(
    in_pyodide: PyodideRun, corpus: Path, tmp_path: Path
) -> None:
    """The Sony file's EXIF, XMP and IPTC and a HEIC's GPS are reported as natively, and the
    JPEGs written in Pyodide carry none of them."""
    shutil.copy(corpus / SONY, tmp_path / SONY)
    source = Image.open(corpus / "kodim23.png").convert("RGB").crop((0, 0, 300, 200))
    (tmp_path / "gps.heic").write_bytes(_native_heic(source, _gps_exif()))
    result = in_pyodide(
        LOAD_HEIF + "from imgcompress import Options, compress\n"
        "result = {}\n"
        f"for name in ('{SONY}', 'gps.heic'):\n"
        "    r = compress(open('/data/' + name, 'rb').read(), Options(quality=85))\n"
        "    open('/data/' + name + '.jpg', 'wb').write(r.data)\n"
        "    result[name] = r.report\n"
    )
    native_sony = compress((corpus / SONY).read_bytes(), Options(quality=85)).report
    assert {"exif", "xmp", "iptc", "camera"} <= set(result[SONY]["removed"])
    assert set(result[SONY]["removed"]) == set(native_sony["removed"])
    assert result[SONY]["metadata"]["make"] == "SONY"
    assert result["gps.heic"]["metadata"]["gps"] == pytest.approx(
        {"lat": 60.1667, "lon": 24.9333}, abs=1e-3
    )
    assert "gps" in result["gps.heic"]["removed"]
    for name in (SONY, "gps.heic"):
        data = (tmp_path / f"{name}.jpg").read_bytes()
        markers = {marker for marker, _ in codecs.jpeg.headers(data)}
        assert not markers & {0xE1, 0xED}  # no EXIF/XMP (APP1), no IPTC (APP13)
        with Image.open(io.BytesIO(data)) as back:
            assert back.format == "JPEG"
            assert len(back.getexif()) == 0
        assert b"PhoneMaker" not in data


def test_rotation_is_applied_once(in_pyodide: PyodideRun, corpus: Path, tmp_path: Path) -> None:
    """EXIF orientation 6 (a HEIF rotation) turns the picture once, as natively."""
    source = Image.open(corpus / "kodim23.png").convert("RGB").crop((0, 0, 300, 200))
    (tmp_path / "rot.heic").write_bytes(_native_heic(source, _gps_exif(orientation=6)))
    in_pyodide(
        LOAD_HEIF + "from imgcompress import Options, compress\n"
        "r = compress(open('/data/rot.heic', 'rb').read(), Options(quality=90))\n"
        "open('/data/rot.jpg', 'wb').write(r.data)\n"
        "result = None\n"
    )
    out = Image.open(tmp_path / "rot.jpg").convert("RGB")
    expected = source.transpose(Image.Transpose.ROTATE_270)
    assert out.size == expected.size == (200, 300)
    assert max(ImageStat.Stat(ImageChops.difference(out, expected)).mean) < 4


def test_primary_image_and_ten_bits(in_pyodide: PyodideRun, corpus: Path, tmp_path: Path) -> None:
    """Of the Nokia file's three images the primary one is written; a 10-bit HEIC (made
    natively) comes out as an 8-bit JPEG of the same picture."""
    shutil.copy(corpus / NOKIA, tmp_path / NOKIA)
    gradient = Image.linear_gradient("L").resize((256, 128)).convert("RGB")
    (tmp_path / "ten.heic").write_bytes(_ten_bit_heic(gradient))
    result = in_pyodide(
        LOAD_HEIF + "from imgcompress import Options, compress\n"
        "result = {}\n"
        f"for name in ('{NOKIA}', 'ten.heic'):\n"
        "    r = compress(open('/data/' + name, 'rb').read(), Options(quality=90))\n"
        "    open('/data/' + name + '.jpg', 'wb').write(r.data)\n"
        "    result[name] = r.to_dict()\n"
        "    result[name].pop('data', None)\n"
    )
    nokia = result[NOKIA]
    assert (nokia["width"], nokia["height"], nokia["report"]["frames"]) == (1440, 960, 1)
    assert "pages_skipped" in [n["code"] for n in nokia["report"]["notes"]]
    with Image.open(tmp_path / "ten.heic.jpg") as out:
        assert (out.format, out.mode, out.size) == ("JPEG", "RGB", (256, 128))
        assert max(ImageStat.Stat(ImageChops.difference(out, gradient)).mean) < 3


def test_damaged_and_oversized_heic_are_refused(
    in_pyodide: PyodideRun, corpus: Path, tmp_path: Path
) -> None:
    """A truncated HEIC is corrupt_image and a HEIC over the pixel limit image_too_large, in
    Pyodide as natively; neither stops the next file."""
    for name in ("corrupt_truncated.heic", NOKIA, SONY):
        shutil.copy(corpus / name, tmp_path / name)
    result = in_pyodide(
        LOAD_HEIF + "from imgcompress import door\n"
        "def run(name, options):\n"
        "    a = door.compress_file(open('/data/' + name, 'rb').read(), options, name)\n"
        "    return a['ok'] or a['error']['code']\n"
        "result = [run('corrupt_truncated.heic', {}),\n"
        f"          run('{NOKIA}', {{'max_pixels': 1000000}}),\n"
        f"          run('{SONY}', {{}})]\n"
    )
    assert result == ["corrupt_image", "image_too_large", True]


def test_compress_matches_native(in_pyodide: PyodideRun, corpus: Path, tmp_path: Path) -> None:
    """Parity: the engine's JPEG of the Nokia HEIC in Pyodide has the native one's settings,
    and its size and score within the stated mozjpeg/libjpeg-turbo tolerance."""
    shutil.copy(corpus / NOKIA, tmp_path / NOKIA)
    result = in_pyodide(
        LOAD_HEIF + "from imgcompress import compress\n"
        f"r = compress(open('/data/{NOKIA}', 'rb').read())\n"
        "open('/data/wasm.jpg', 'wb').write(r.data)\n"
        "result = r.to_dict()\n"
        "result.pop('data', None)\n"
    )
    native = compress((corpus / NOKIA).read_bytes())
    assert (result["format"], result["width"], result["height"]) == (
        native.format,
        native.width,
        native.height,
    )
    assert result["report"]["codec"] == native.report["codec"]
    # The JPEG is mozjpeg's in the browser and libjpeg-turbo's natively: the stated JPEG
    # tolerance (size ratio, score against the decoded HEIC), not byte or pixel equality.
    source = Image.open(corpus / NOKIA).convert("RGB")
    assert_jpeg_close((tmp_path / "wasm.jpg").read_bytes(), native.data, source, NOKIA)
