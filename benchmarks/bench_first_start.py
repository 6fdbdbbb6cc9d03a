"""First start: ``workbench seed`` of the shipped sample into a new SQLite store (what ``make run`` does
before serving), phase by phase, wall-clock and CPU seconds. CPU is the figure to compare on a shared
machine: the wall-clock time grows with the load of other jobs, CPU time hardly.

The phases are timed by wrapping the functions the seed calls; the sample is the shipped one (20,000
cases), whatever the size asked.
"""

from __future__ import annotations

import functools
import importlib
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.harness import benchmark

#: (module, function, phase) the seed goes through
PHASES = (
    ("workbench.cli.seed", "seed_accounts", "accounts"),
    ("workbench.exchange.ingest", "_check_chunk", "checks"),
    ("workbench.exchange.ingest", "_write_table", "write"),
    ("workbench.exchange.ingest", "refresh_search_index", "search_index"),
    ("workbench.risk.samples", "load_risk_sample", "risk_sample"),
)


def _timed(func: Callable[..., Any], spent: list[float]) -> Callable[..., Any]:
    @functools.wraps(func)
    def run(*args: Any, **kwargs: Any) -> Any:
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            return func(*args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - wall
            spent[1] += time.process_time() - cpu

    return run


@benchmark("first_start", sizes=(20_000,), repeat=1)
def bench_first_start(size: int, workdir: Path) -> dict:
    """``workbench seed`` of the shipped sample into a new store: each phase's wall and CPU seconds."""
    import os

    from workbench.cli import main

    db = workdir / f"first-start-{time.monotonic_ns()}.db"
    spent: dict[str, list[float]] = {}
    saved = []
    for module, name, phase in PHASES:
        m = importlib.import_module(module)
        saved.append((m, name, getattr(m, name)))
        spent[phase] = [0.0, 0.0]
        setattr(m, name, _timed(getattr(m, name), spent[phase]))
    env = {"WORKBENCH_DB_URL": f"sqlite:///{db}", "WORKBENCH_ADMIN_PASSWORD": "first-start-benchmark"}
    before = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        rc = main(["seed"])
    finally:
        total = (time.perf_counter() - wall, time.process_time() - cpu)
        for m, name, func in saved:
            setattr(m, name, func)
        for k, v in before.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        db.unlink(missing_ok=True)
    out: dict[str, Any] = {"rc": rc, "seed_wall_s": round(total[0], 1), "seed_cpu_s": round(total[1], 1)}
    for phase, (w, c) in spent.items():
        out[f"{phase}_wall_s"] = round(w, 1)
        out[f"{phase}_cpu_s"] = round(c, 1)
    out["load_avg"] = round(os.getloadavg()[0], 1)
    return out
