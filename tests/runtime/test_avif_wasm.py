"""AVIF in Pyodide: absent at start-up, present once the lazy `avif` package is loaded."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from imgcompress import DEFAULT_VISUAL_TARGET

from .conftest import PyodideRun

pytestmark = pytest.mark.runtime

LOAD_AVIF = "import pyodide_js\nawait pyodide_js.loadPackage('avif')\n"


def test_lock_file_lists_avif_as_a_codec_package(site: Path) -> None:
    """The site's lock file has `avif` (one side module, PIL/_avif) depending on `pillow`, and
    the Pillow wheel no longer holds `_avif`."""
    lock = json.loads((site / "wheels" / "pyodide-lock.json").read_text())
    entry = lock["packages"]["avif"]
    assert entry["depends"] == ["pillow"]
    with zipfile.ZipFile(site / "wheels" / entry["file_name"]) as wheel:
        modules = [n for n in wheel.namelist() if n.endswith(".so")]
        licences = [Path(n).name for n in wheel.namelist() if "/licenses/" in n]
    assert modules == ["PIL/_avif.cpython-314-wasm32-emscripten.so"]
    assert {"libaom-LICENSE", "dav1d-COPYING", "libavif-LICENSE"} <= set(licences)
    pillow = site / "wheels" / lock["packages"]["pillow"]["file_name"]
    with zipfile.ZipFile(pillow) as wheel:
        assert not [n for n in wheel.namelist() if "_avif" in n and n.endswith(".so")]


def test_avif_is_absent_until_its_package_loads(in_pyodide: PyodideRun) -> None:
    """Start-up (pillow + imgcompress) has no AVIF: it is offered as loadable, a file asking
    for it answers codec_unavailable naming `avif`; after loadPackage('avif') Pillow has it."""
    result = in_pyodide(
        "import sys, pyodide_js\n"
        "import PIL.features\n"
        "from PIL import Image\n"
        "from imgcompress import door\n"
        "Image.init()\n"  # imports AvifImagePlugin before _avif exists, as the page does
        "buf = __import__('io').BytesIO()\n"
        "Image.new('RGB', (32, 24), (200, 30, 30)).save(buf, 'PNG')\n"
        "result = {'loaded': sorted(pyodide_js.loadedPackages.object_keys()),\n"
        "          'before': PIL.features.check('avif'),\n"
        "          'offered': [c['value'] for c in door.formats(['avif'])['choices']],\n"
        "          'unavailable': door.compress_file(buf.getvalue(), {'format': 'avif'})}\n"
        "result['unavailable'].pop('data', None)\n"
        + LOAD_AVIF
        + "result['after'] = PIL.features.check('avif')\n"
        "result['version'] = PIL.features.version('avif')\n"
        "answer = door.compress_file(buf.getvalue(), {'format': 'avif'}, 'red.png')\n"
        "result['retry'] = [answer['ok'], answer.get('name')]\n"
    )
    assert "avif" not in result["loaded"]
    assert result["before"] is False
    assert "avif" in result["offered"]
    error = result["unavailable"]
    assert error["ok"] is False
    assert error["error"]["code"] == "codec_unavailable"
    assert error["error"]["package"] == "avif"
    assert result["after"] is True
    assert result["version"].startswith("1.")
    assert result["retry"] == [True, "red.avif"]


def test_engine_writes_and_reads_avif(in_pyodide: PyodideRun, corpus: Path, tmp_path: Path) -> None:
    """With the package loaded, the engine compresses a photo to an AVIF that meets its visual
    target, and reads an AVIF input (made natively) back."""
    shutil.copy(corpus / "kodim23.png", tmp_path / "photo.png")
    native = io.BytesIO()
    Image.open(corpus / "kodim23.png").convert("RGB").save(native, "AVIF", quality=70)
    (tmp_path / "input.avif").write_bytes(native.getvalue())
    result = in_pyodide(
        LOAD_AVIF + "from imgcompress import Options, compress\n"
        "photo = open('/data/photo.png', 'rb').read()\n"
        "r = compress(photo, Options(format='avif'))\n"
        "open('/data/out.avif', 'wb').write(r.data)\n"
        "j = compress(photo, Options(format='jpeg'))\n"
        "a = compress(open('/data/input.avif', 'rb').read(), Options(format='jpeg'))\n"
        "open('/data/from-avif.jpg', 'wb').write(a.data)\n"
        "result = {'avif': r.to_dict(), 'jpeg_size': j.size, 'from_avif': a.to_dict()}\n"
    )
    assert result["avif"]["format"] == "avif"
    assert result["avif"]["report"]["score"] >= DEFAULT_VISUAL_TARGET
    assert (tmp_path / "out.avif").stat().st_size < result["jpeg_size"]
    with Image.open(tmp_path / "out.avif") as back:
        back.load()
        assert (back.format, back.size) == ("AVIF", (768, 512))
    assert result["from_avif"]["format"] == "jpeg"
    with Image.open(tmp_path / "from-avif.jpg") as back:
        assert (back.format, back.size) == ("JPEG", (768, 512))
