"""Data-quality benchmarks: the full suite with Great Expectations beside the same rules as plain
vectorised pandas, and an import through the quality gate.

``quality_suite_gx`` and ``quality_suite_pandas`` read and row-check a prepared data set (untimed in
``suite_s``), derive what the stateful rules need (likely duplicates, cases known: ``prep_s``, the same
code for both engines), then run every rule of every table: ``suite_s`` is that run alone. The GX row
also runs the plain pandas engine in the same process and reports ``pandas_s`` and ``ratio`` (GX time
over pandas time), and ``gx_import_s``, the one-off cost of importing GX.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from benchmarks.bench_core import dataset_dir
from benchmarks.harness import benchmark


def _frames(size: int, workdir: Path) -> tuple[dict[str, Any], float]:
    """Typed frames of the prepared data set with the derived columns; and the seconds deriving took."""
    from data_quality.catalogue import DUPLICATE_OF
    from data_quality.duplicates import DuplicateTracker
    from data_quality.validate import _case_known
    from workbench.exchange.files import read_dataset
    from workbench.exchange.rowchecks import check_table
    from workbench.format.reference import country_codes

    raw = read_dataset(dataset_dir(size, workdir))
    codes = country_codes()
    checked = {n: check_table(t, codes) for n, t in raw.tables.items()}
    t0 = time.perf_counter()
    frames = _case_known(checked, None)
    tracker = DuplicateTracker()
    tracker.add_cases(frames["cases"])
    frames["items"] = frames["items"].assign(**{DUPLICATE_OF: tracker.mark_items(frames["items"])})
    return frames, time.perf_counter() - t0


def _run(engine: Any, frames: dict[str, Any]) -> tuple[float, int, int]:
    from data_quality.catalogue import rules_for

    t0 = time.perf_counter()
    rules = failing = 0
    for name, frame in frames.items():
        outcomes = engine.run(name, frame, rules_for(name))
        rules += len(outcomes)
        failing += sum(o.unexpected_count for o in outcomes)
    return time.perf_counter() - t0, rules, failing


@benchmark("quality_suite_gx", setup=lambda s, w: dataset_dir(s, w) and None, repeat=1)
def bench_quality_gx(size: int, workdir: Path) -> dict:
    frames, prep = _frames(size, workdir)
    t0 = time.perf_counter()
    from data_quality.engine import GXEngine, PandasEngine, _context

    _context()
    gx_import = time.perf_counter() - t0
    suite_s, rules, failing = _run(GXEngine(), frames)
    pandas_s, _, pandas_failing = _run(PandasEngine(), frames)
    assert pandas_failing == failing, (pandas_failing, failing)
    return {
        "rows": sum(len(f) for f in frames.values()),
        "rules": rules,
        "failing": failing,
        "prep_s": round(prep, 2),
        "gx_import_s": round(gx_import, 2),
        "suite_s": round(suite_s, 2),
        "pandas_s": round(pandas_s, 2),
        "ratio": round(suite_s / pandas_s, 1),
    }


@benchmark("quality_suite_pandas", setup=lambda s, w: dataset_dir(s, w) and None, repeat=1)
def bench_quality_pandas(size: int, workdir: Path) -> dict:
    from data_quality.engine import PandasEngine

    frames, prep = _frames(size, workdir)
    suite_s, rules, failing = _run(PandasEngine(), frames)
    return {
        "rows": sum(len(f) for f in frames.values()),
        "rules": rules,
        "failing": failing,
        "prep_s": round(prep, 2),
        "suite_s": round(suite_s, 2),
    }


@benchmark("import_gated", sizes=(10_000, 100_000), setup=lambda s, w: dataset_dir(s, w) and None, repeat=1)
def bench_import_gated(size: int, workdir: Path) -> dict:
    """``import_csv`` with the quality gate (what ``workbench import`` and ``workbench seed`` do)."""
    import tempfile

    from data_quality import default_gates
    from workbench.exchange.ingest import import_path
    from workbench.store import open_store

    db = Path(tempfile.mkdtemp(dir=workdir)) / "t.db"
    gates = default_gates()
    rep = import_path(dataset_dir(size, workdir), open_store(f"sqlite:///{db}"), gates=gates)
    db.unlink()
    return {
        "rows": sum(rep.accepted.values()),
        "refused": sum(rep.rejected.values()),
        "flagged": sum(rep.flagged.values()),
        "gate_s": round(gates[0].seconds, 2),
    }
