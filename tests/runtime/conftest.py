"""Run Python inside Pyodide under Node, with the wheels of the built site."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

RUNNER = Path(__file__).with_name("pyodide_runner.mjs")
PyodideRun = Callable[[str], Any]


def pyodide_runner(site: Path, data: Path, timeout: float = 300) -> PyodideRun:
    """A function that runs a script in Pyodide with `data` as its /data; `result` comes back."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed; the runtime tests need it")

    def run(script: str) -> Any:
        out = data / "result.json"
        proc = subprocess.run(
            [node, str(RUNNER), str(site), str(data), str(out)],
            input=script,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if proc.returncode != 0:
            pytest.fail(f"Pyodide run failed:\n{proc.stderr[-4000:]}")
        return json.loads(out.read_text())

    return run


@pytest.fixture
def in_pyodide(site: Path, tmp_path: Path) -> PyodideRun:
    """Run a script in Pyodide; `tmp_path` is its /data, its `result` comes back as JSON."""
    return pyodide_runner(site, tmp_path)
