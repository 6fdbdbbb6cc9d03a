"""The audit log's cost: writing one chained entry per transaction, and verifying the whole chain.

``audit_write`` writes ``size`` entries, each in its own transaction as the library does (lock the
chain head, read it, insert, move it), on a SQLite file; beside it, the same number of plain inserts
of the pre-chain log (one statement per transaction) as the reference, and the cost per entry of each.
CPU seconds are reported beside wall seconds: on a shared machine the wall time stretches while the
work stays the same. ``audit_verify`` verifies a chain of ``size`` entries (built in the setup); beside it, only reading
the same rows (the floor any verification pays) and DuckDB hashing the same columns with its own
``sha256`` (a column-at-a-time reference that does not follow the links).

    python -m benchmarks --only audit_write audit_verify
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from benchmarks.harness import benchmark


class _Actor:
    user = "bench.analyst"
    role = "analyst"
    organisation = "XX-CUSTOMS"
    purpose = {"reference": "OP-BENCH", "justification": "benchmark", "legal_basis": "none"}


def _url(workdir: Path, name: str) -> str:
    workdir.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{workdir / name}"


@benchmark("audit_write", sizes=(1_000, 10_000), repeat=1)
def bench_audit_write(size: int, workdir: Path) -> dict[str, Any]:
    from workbench.store import open_store
    from workbench.store.audit import AUDIT_LOG, audit

    db = workdir / "write.db"
    db.unlink(missing_ok=True)
    store = open_store(_url(workdir, "write.db"))
    t0, c0 = time.perf_counter(), time.process_time()
    for i in range(size):
        with store.connect() as c:
            audit(
                c,
                "consult.case_detail",
                {"case": f"XX/C{i}"},
                _Actor(),
                objects=[f"case:XX/C{i}"],
                row_count=1,
            )
    chained, chained_cpu = time.perf_counter() - t0, time.process_time() - c0
    t0 = time.perf_counter()
    for i in range(size):
        with store.connect() as c:
            c.execute(
                sa.insert(AUDIT_LOG).values(
                    at=dt.datetime.now(dt.UTC),
                    user="bench",
                    role="analyst",
                    action="x",
                    details=f'{{"i": {i}}}',
                )
            )
    plain = time.perf_counter() - t0
    return {
        "chained_us_per_entry": round(chained / size * 1e6),
        "chained_cpu_us_per_entry": round(chained_cpu / size * 1e6),
        "plain_insert_us_per_entry": round(plain / size * 1e6),
        "chained_s": round(chained, 2),
    }


def _setup_verify(size: int, workdir: Path) -> None:
    """A chain of ``size`` entries, built in bulk (same rows and hashes as ``audit`` writes)."""
    from workbench.store import open_store
    from workbench.store.audit import AUDIT_LOG, GENESIS, entry_hash
    from workbench.store.models import AUDIT_CHAIN

    (workdir / "verify.db").unlink(missing_ok=True)
    store = open_store(_url(workdir, "verify.db"))
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    prev, rows = GENESIS, []
    for i in range(size):
        row: dict[str, Any] = {
            "seq": i + 1,
            "at": start + dt.timedelta(seconds=i),
            "user": "bench.analyst",
            "organisation": "XX-CUSTOMS",
            "role": "analyst",
            "action": "consult.case_detail",
            "kind": "consultation",
            "details": f'{{"case":"XX/C{i}"}}',
            "objects": f'["case:XX/C{i}"]',
            "purpose_ref": "OP-BENCH",
            "justification": "benchmark",
            "legal_basis": "none",
            "recipients": None,
            "query": None,
            "row_count": 1,
            "prev_hash": prev,
        }
        row["hash"] = prev = entry_hash(prev, row)
        rows.append(row)
    with store.engine.begin() as c:
        for k in range(0, len(rows), 10_000):
            c.execute(sa.insert(AUDIT_LOG), rows[k : k + 10_000])
        c.execute(sa.update(AUDIT_CHAIN).where(AUDIT_CHAIN.c.id == 1).values(head_seq=size, head_hash=prev))


@benchmark("audit_verify", sizes=(10_000, 100_000), setup=_setup_verify, repeat=3)
def bench_audit_verify(size: int, workdir: Path) -> dict[str, Any]:
    import duckdb
    import pandas as pd

    from workbench.store import open_store
    from workbench.store.audit import AUDIT_LOG, verify

    store = open_store(_url(workdir, "verify.db"), upgrade=False)
    t0, c0 = time.perf_counter(), time.process_time()
    report = verify(store)
    verify_s, verify_cpu = time.perf_counter() - t0, time.process_time() - c0
    assert report.ok and report.entries == size, str(report)
    t0 = time.perf_counter()
    with store.engine.connect() as c:
        n = len(c.execute(sa.select(AUDIT_LOG)).fetchall())
    read_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    with store.engine.connect() as c:
        frame = pd.read_sql(sa.select(AUDIT_LOG.c.prev_hash, AUDIT_LOG.c.details, AUDIT_LOG.c.at), c)
    con = duckdb.connect()
    con.register("log", frame)
    con.execute(
        'SELECT count(DISTINCT sha256(prev_hash || details || CAST("at" AS VARCHAR))) FROM log'
    ).fetchone()
    duck_s = time.perf_counter() - t0
    assert n == size
    return {
        "verify_s": round(verify_s, 3),
        "verify_cpu_s": round(verify_cpu, 3),
        "read_rows_s": round(read_s, 3),
        "duckdb_sha256_s": round(duck_s, 3),
        "verify_us_per_entry": round(verify_s / size * 1e6, 1),
    }
