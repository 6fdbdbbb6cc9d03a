"""The benchmark harness: each case runs in a fresh subprocess (so peak memory is its own), several
times; the table shows the median wall time and the largest peak resident memory.

A benchmark is a function ``bench_x(size: int, workdir: Path) -> dict | None`` registered with
:func:`benchmark`; it may return extra columns (e.g. bytes sent to the browser).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "benchmark",
    "REGISTRY",
    "Bench",
    "run_one",
    "run_setup",
    "run_all",
    "format_table",
    "load_benchmarks",
]


@dataclass
class Bench:
    name: str
    func: Callable[[int, Path], dict[str, Any] | None]
    sizes: tuple[int, ...]
    setup: Callable[[int, Path], None] | None
    repeat: int


REGISTRY: dict[str, Bench] = {}


def benchmark(
    name: str,
    sizes: tuple[int, ...] = (10_000, 100_000, 1_000_000),
    *,
    setup: Callable[[int, Path], None] | None = None,
    repeat: int = 3,
) -> Callable:
    """Register ``func`` as benchmark ``name`` (``setup`` runs once per size, untimed)."""

    def deco(
        func: Callable[[int, Path], dict[str, Any] | None],
    ) -> Callable[[int, Path], dict[str, Any] | None]:
        REGISTRY[name] = Bench(name, func, sizes, setup, repeat)
        return func

    return deco


def run_one(name: str, size: int, workdir: Path) -> dict[str, Any]:
    """Run one benchmark once in this process; returns seconds, peak RSS and extras."""
    import resource

    load_benchmarks()
    b = REGISTRY[name]
    t0 = time.perf_counter()
    extra = b.func(size, workdir) or {}
    seconds = time.perf_counter() - t0
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"seconds": seconds, "peak_mb": peak_kb / 1024, **extra}


def load_benchmarks() -> None:
    """Import every ``benchmarks/bench_*.py`` module; each registers its benchmarks."""
    import importlib
    import pkgutil

    import benchmarks

    for m in sorted(pkgutil.iter_modules(benchmarks.__path__), key=lambda m: m.name):
        if m.name.startswith("bench_"):
            importlib.import_module(f"benchmarks.{m.name}")


def _subprocess(args: list[str], what: str) -> str:
    out = subprocess.run([sys.executable, "-m", "benchmarks", *args], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"{what}: {out.stderr[-2000:]}")
    return out.stdout


def run_setup(name: str, size: int, workdir: Path) -> None:
    """Run one benchmark's setup in this process (the harness calls it in a subprocess)."""
    load_benchmarks()
    setup = REGISTRY[name].setup
    if setup is not None:
        setup(size, workdir)


def run_all(
    names: list[str], sizes: list[int] | None, workdir: Path, repeat: int | None
) -> list[dict[str, Any]]:
    load_benchmarks()

    rows = []
    for name in names:
        b = REGISTRY[name]
        for size in sizes or b.sizes:
            if size not in b.sizes:  # e.g. no 1M workbook: an .xlsx sheet holds about a million rows
                continue
            wd = workdir / f"{size}"
            wd.mkdir(parents=True, exist_ok=True)
            if b.setup:
                # in a subprocess too: a heavy setup in this process would raise the peak memory that
                # Linux reports for every child started after it
                _subprocess(["--setup", name, "--size", str(size), "--workdir", str(wd)], f"{name} setup")
            runs = []
            for _ in range(repeat or b.repeat):
                out = _subprocess(
                    ["--one", name, "--size", str(size), "--workdir", str(wd)], f"{name} at {size}"
                )
                runs.append(json.loads(out.strip().splitlines()[-1]))
            row = {
                "benchmark": name,
                "cases": size,
                "median_s": statistics.median(r["seconds"] for r in runs),
                "peak_mb": max(r["peak_mb"] for r in runs),
                "runs": len(runs),
            }
            for k, v in runs[-1].items():
                if k not in ("seconds", "peak_mb"):
                    row[k] = v
            rows.append(row)
            print(format_table([row], header=len(rows) == 1), flush=True)
    return rows


def format_table(rows: list[dict[str, Any]], header: bool = True) -> str:
    """A Markdown table: the common columns, then each benchmark's own figures as ``key value`` pairs."""
    cols = ["benchmark", "cases", "median_s", "peak_mb", "runs", "details"]
    lines = []
    if header:
        lines.append("| " + " | ".join(cols) + " |")
        lines.append("|" + "|".join("---" for _ in cols) + "|")

    def fmt(c: str, v: Any) -> str:
        if isinstance(v, float):
            return f"{v:.3f}" if c == "median_s" else f"{v:,.1f}"
        if isinstance(v, int):
            return f"{v:,}"
        return str(v)

    for r in rows:
        details = "; ".join(f"{k} {fmt(k, v)}" for k, v in r.items() if k not in cols and v not in (None, ""))
        cells = [fmt(c, r.get(c, "")) for c in cols[:-1]] + [details]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
