"""Scale: ``workbench import`` of a CSV folder, with and without the quality gate, timed per phase,
beside DuckDB reading the same folder (``read_csv``) and inserting it into a fresh DuckDB file.

Run on demand::

    python -m benchmarks --only import_phases import_phases_gated   # the harness (10k, 100k, 1M)
    python -m benchmarks.bench_import FOLDER [--gate] [--pg URL] [--profile OUT.prof]

Each phase is the wall time spent in one step of :func:`workbench.exchange.ingest.ingest_dataset`
(measured by wrapping the step; the wrappers cost nothing measurable): ``read`` (CSV chunks parsed),
``rowchecks`` (types, enumerations, keys), ``referential`` (children against the cases), ``gate``
(the Great Expectations suites and the likely-duplicate marks, per chunk, plus the run stored at the
end), ``write`` (rows inserted or updated), ``search`` (the search index), ``summaries``, ``graph`` (the entity graph's tables), and ``other``
(submission record, quarantine, commit, the rest).
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from benchmarks.bench_core import dataset_dir
from benchmarks.harness import benchmark

_INGEST = "workbench.exchange.ingest"
#: (module, class or "", attribute, phase): the steps of the import that are timed.
_STEPS = (
    (_INGEST, "", "check_table", "rowchecks"),
    (_INGEST, "", "_referential", "referential"),
    (_INGEST, "", "_refuse_itemless_cases", "referential"),
    (_INGEST, "", "_write_table", "write"),
    (_INGEST, "", "refresh_search_index", "search"),
    (_INGEST, "", "refresh_summaries", "summaries"),
    (_INGEST, "", "refresh_graph", "graph"),
    ("data_quality.gate", "QualityGate", "check", "gate"),
    ("data_quality.gate", "QualityGate", "record", "gate"),
)


@contextlib.contextmanager
def phase_timer() -> Iterator[dict[str, float]]:
    """Time the import's steps (see the module docstring) while the block runs."""
    import importlib

    from workbench.exchange.files import RawTable

    spent: dict[str, float] = defaultdict(float)  # phase -> wall s; "phase cpu" -> CPU s
    undo: list[tuple[Any, str, Any]] = []

    def timed(func: Callable[..., Any], phase: str) -> Callable[..., Any]:
        @functools.wraps(func)
        def wrapper(*a: Any, **k: Any) -> Any:
            t0, c0 = time.perf_counter(), time.process_time()
            try:
                return func(*a, **k)
            finally:
                spent[phase] += time.perf_counter() - t0
                spent[f"{phase} cpu"] += time.process_time() - c0

        return wrapper

    for mod, cls, attr, phase in _STEPS:
        owner: Any = importlib.import_module(mod)
        if cls:
            owner = getattr(owner, cls)
        undo.append((owner, attr, owner.__dict__[attr]))
        setattr(owner, attr, timed(owner.__dict__[attr], phase))

    chunks = RawTable.iter_chunks

    def timed_chunks(self: Any, *a: Any, **k: Any) -> Iterator[Any]:
        it = chunks(self, *a, **k)
        while True:
            t0, c0 = time.perf_counter(), time.process_time()
            try:
                chunk = next(it)
            except StopIteration:
                return
            finally:
                spent["read"] += time.perf_counter() - t0
                spent["read cpu"] += time.process_time() - c0
            yield chunk

    undo.append((RawTable, "iter_chunks", chunks))
    RawTable.iter_chunks = timed_chunks  # type: ignore[method-assign]
    try:
        yield spent
    finally:
        for owner, attr, value in undo:
            setattr(owner, attr, value)


def import_once(folder: Path, url: str, *, gate: bool) -> dict[str, Any]:
    """Import ``folder`` into the (empty) store at ``url``; wall seconds in all and per phase."""
    from workbench.exchange.ingest import import_path
    from workbench.store import open_store

    store = open_store(url)
    gates: list[Any] = []
    if gate:
        from data_quality import default_gates

        gates = default_gates()
    with phase_timer() as spent:
        t0, c0 = time.perf_counter(), time.process_time()
        rep = import_path(folder, store, gates=gates)
        total, cpu = time.perf_counter() - t0, time.process_time() - c0
    store.engine.dispose()
    out: dict[str, Any] = {"import_s": round(total, 2), "import_cpu_s": round(cpu, 2)}
    for k, v in sorted(spent.items()):
        out[k.replace(" ", "_") + "_s"] = round(v, 2)
    out["other_s"] = round(total - sum(v for k, v in spent.items() if not k.endswith("cpu")), 2)
    out["other_cpu_s"] = round(cpu - sum(v for k, v in spent.items() if k.endswith("cpu")), 2)
    out["rows"] = sum(rep.accepted.values())
    out["refused"] = sum(rep.rejected.values())
    out["flagged"] = sum(rep.flagged.values())
    return out


def duckdb_reference(folder: Path) -> float:
    """DuckDB's ``read_csv`` of every file of ``folder`` inserted into a fresh DuckDB file (seconds)."""
    import duckdb

    with tempfile.TemporaryDirectory() as d:
        t0 = time.perf_counter()
        con = duckdb.connect(str(Path(d) / "ref.duckdb"))
        for f in sorted(folder.glob("*.csv")):
            con.execute(f"CREATE TABLE {f.stem} AS SELECT * FROM read_csv(?, all_varchar = false)", [str(f)])
        con.close()
        return time.perf_counter() - t0


def _sqlite_run(folder: Path, gate: bool) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as d:
        return import_once(folder, f"sqlite:///{Path(d) / 's.db'}", gate=gate)


@benchmark("import_phases", setup=lambda s, w: dataset_dir(s, w) and None, repeat=1)
def bench_import_phases(size: int, workdir: Path) -> dict:
    """The import without the gate, per phase, with DuckDB's load of the same folder."""
    out = _sqlite_run(dataset_dir(size, workdir), gate=False)
    out["duckdb_s"] = round(duckdb_reference(dataset_dir(size, workdir)), 2)
    return out


@benchmark("import_phases_gated", setup=lambda s, w: dataset_dir(s, w) and None, repeat=1)
def bench_import_phases_gated(size: int, workdir: Path) -> dict:
    """The import as ``workbench import`` runs it (the quality gate included), per phase."""
    out = _sqlite_run(dataset_dir(size, workdir), gate=True)
    out["duckdb_s"] = round(duckdb_reference(dataset_dir(size, workdir)), 2)
    return out


def main(argv: list[str]) -> int:
    import argparse
    import json
    import resource

    p = argparse.ArgumentParser(prog="python -m benchmarks.bench_import")
    p.add_argument("folder", type=Path)
    p.add_argument("--gate", action="store_true")
    p.add_argument("--pg", metavar="URL", help="a PostgreSQL URL whose database is emptied and used")
    p.add_argument("--duckdb", action="store_true", help="time DuckDB's load of the folder too")
    p.add_argument("--profile", type=Path, metavar="OUT.prof")
    args = p.parse_args(argv)
    if args.pg:
        import sqlalchemy as sa

        eng = sa.create_engine(args.pg)
        with eng.begin() as c:
            c.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        eng.dispose()

    def run() -> dict[str, Any]:
        if args.pg:
            return import_once(args.folder, args.pg, gate=args.gate)
        return _sqlite_run(args.folder, args.gate)

    if args.profile:
        import cProfile

        prof = cProfile.Profile()
        out = prof.runcall(run)
        prof.dump_stats(args.profile)
    else:
        out = run()
    if args.duckdb:
        out["duckdb_s"] = round(duckdb_reference(args.folder), 2)
    out["peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    out["load"] = round(os.getloadavg()[0], 1)
    print(json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
