"""Where one ``compress()`` spends its time, by stage; imported natively by
bench/stage_bench.py and piped into Pyodide by it (so it imports nothing but the engine).

Each stage is a function of the engine wrapped with a timer for the length of one call;
a stage's time excludes the stages called inside it, so the rows add up to the total
(the rest, "other", is the engine's own glue).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from imgcompress import decode, engine, metadata, search
from imgcompress import score as S

# (module or class, attribute, label); a label of None takes it from the call (encodes).
_STAGES: list[tuple[Any, str, str | None]] = [
    (decode, "open_image", "open (header)"),
    (decode, "decode", "decode (full size)"),
    (metadata, "read", "metadata scan"),
    (engine, "_prepare", "prepare (orient, normalise)"),
    (search.Job, "reference", "reference (convert, mosaic)"),
    (search.Job, "proxy_picture", "probe mosaic"),
    (search.Job, "_plain", "guard: q75 of mosaic, decode"),
    (search, "encode", None),
    (search, "score", "candidate decode"),
    (S.Reference, "_reference_planes", "reference planes"),
    (S, "_grid_masks", "reference flat-area masks"),
    (S.Reference, "ssim", "score: SSIM"),
    (S.Reference, "colour_shift", "score: colour shift"),
    (S.Reference, "blocking", "score: block grid"),
]


def _encode_label(args: tuple[Any, ...], kwargs: dict[str, Any], stack: list[str]) -> str:
    proxy = args[4] if len(args) > 4 else kwargs.get("proxy")
    if stack and stack[-1].startswith("guard"):
        return "guard: q75 of mosaic, encode"
    return "probe encode (mosaic)" if proxy is not None else "final encode (full size)"


def breakdown(data: bytes, rounds: int = 2) -> dict[str, Any]:
    """Per-stage seconds of the fastest of ``rounds`` default compressions of ``data``
    (after one untimed run, so imports and first calls are not counted)."""
    engine.compress(data)
    best: dict[str, Any] | None = None
    for _ in range(rounds):
        found = _one(data)
        if best is None or found["total"] < best["total"]:
            best = found
    assert best is not None
    return best


def _one(data: bytes) -> dict[str, Any]:
    times: dict[str, float] = {}
    counts: dict[str, int] = {}
    stack: list[str] = []
    inner: list[float] = [0.0]
    saved = []

    def wrap(fn: Callable[..., Any], label: str | None) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            name = label or _encode_label(args, kwargs, stack)
            stack.append(name)
            outer_inner, inner[0] = inner[0], 0.0
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent = time.perf_counter() - started
                times[name] = times.get(name, 0.0) + spent - inner[0]
                counts[name] = counts.get(name, 0) + 1
                inner[0] = outer_inner + spent
                stack.pop()

        return timed

    for owner, attr, label in _STAGES:
        fn = getattr(owner, attr)
        saved.append((owner, attr, fn))
        setattr(owner, attr, wrap(fn, label))
    try:
        started = time.perf_counter()
        result = engine.compress(data)
        total = time.perf_counter() - started
    finally:
        for owner, attr, fn in reversed(saved):
            setattr(owner, attr, fn)
    times["other"] = total - sum(times.values())
    rep = result.report
    return {
        "total": total,
        "stages": times,
        "calls": counts,
        "bytes": len(result.data),
        "quality": rep["codec"].get("quality"),
        "score": rep["score"],
        "encodes": rep["encodes"],
    }


def corpus_breakdown(paths: list[str], rounds: int) -> dict[str, Any]:
    """``breakdown`` of each file, by name."""
    out = {}
    for path in paths:
        with open(path, "rb") as f:
            out[path.rsplit("/", 1)[-1]] = breakdown(f.read(), rounds)
    return out
