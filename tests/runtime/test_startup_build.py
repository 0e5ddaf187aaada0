"""What the build adds for a quick start: bytecode in the wheels, and the memory snapshot."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import PyodideRun

pytestmark = pytest.mark.runtime

ROOT = Path(__file__).resolve().parents[2]
MAKE_SNAPSHOT = ROOT / "toolchain" / "make_snapshot.mjs"

# In Pyodide: every source of imgcompress and PIL the page imports has its .pyc beside it,
# an unchecked-hash one (PEP 552 flags word 1) of exactly that source, and the import used it.
BYTECODE = """
import importlib.util, sys
from pathlib import Path
import imgcompress.door, PIL.Image

def check(module):
    source = Path(module.__file__)
    pyc = Path(importlib.util.cache_from_source(str(source)))
    if not pyc.exists():
        return "missing"
    data = pyc.read_bytes()
    if data[:4] != importlib.util.MAGIC_NUMBER or int.from_bytes(data[4:8], "little") != 1:
        return "not unchecked-hash"
    if data[8:16] != importlib.util.source_hash(source.read_bytes()):
        return "of another source"
    return "ok"

ours = [m for n, m in sys.modules.items() if n.split(".")[0] in ("imgcompress", "PIL")
        and getattr(m, "__file__", "").endswith(".py")]
result = {"modules": len(ours), "bad": {m.__name__: check(m) for m in ours if check(m) != "ok"}}
"""


def test_wheels_carry_bytecode_of_their_sources(in_pyodide: PyodideRun) -> None:
    """Each imported module of ours and PIL's has the unchecked-hash .pyc of its own source."""
    result = in_pyodide(BYTECODE)
    assert result["modules"] > 20
    assert result["bad"] == {}


def test_the_snapshot_is_made_again_byte_for_byte(site: Path, tmp_path: Path) -> None:
    """The same runtime gives the same snapshot, so rebuilding keeps the site's version."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed; the runtime tests need it")
    again = tmp_path / "snapshot.bin.gz"
    lock = site / "wheels" / "pyodide-lock.json"
    subprocess.run(
        [node, str(MAKE_SNAPSHOT), str(site / "pyodide"), str(lock), str(again)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    assert again.read_bytes() == (site / "pyodide" / "snapshot.bin.gz").read_bytes()
