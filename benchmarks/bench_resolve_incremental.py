"""Incremental entity resolution (workbench/network/incremental.py) against the full resolution of the
whole store, on a copy of a generated store.

    nice python -m benchmarks.bench_resolve_incremental --store /tmp/wb-scale-bench/100000/store.db --new 1000 10000

Steps (the original store is never modified: it is copied first):

1. the full resolution, as ``workbench graph-index rebuild`` runs it (``rebuild_graph(resolve=True)``:
   every person and company read, resolved, and the graph tables, entities and the incremental
   resolution's model, keys and name counts written): the reference;
2. for each ``--new`` size, a new submission of about that many persons (a generated data set: new
   people, and planted duplicates among themselves) imported, then its records resolved incrementally
   (``resolve_pending``): the time, and per 1,000 records;
3. a full resolution again on the grown store, and how many of the new records got the same entity
   (the same set of records) from both paths.

With ``--duplicates``, the Duplicates page's first render (``AppTest`` of the entry script, signed in as
the local analyst with the purpose stated) before the full resolution (the page resolves the records of
the filter, as it did before the stored entities) and after it (the linked groups read from the store).

Prints one table: step, records, wall seconds, CPU seconds (this process: the machine is shared, and
the wall time grows with the others' load), CPU s per 1k records, RSS peak.
"""

from __future__ import annotations

import argparse
import resource
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _copy(src: Path, dst: Path) -> str:
    with sqlite3.connect(src) as a, sqlite3.connect(dst) as b:
        a.backup(b)
    return f"sqlite:///{dst}"


def _partition(store: Any, keys: set[str]) -> dict[str, frozenset[str]]:
    """For each record of ``keys``: the set of records of its entity (entity names aside)."""
    import sqlalchemy as sa

    from workbench.store.entity_graph import GRAPH_ENTITIES

    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(GRAPH_ENTITIES.c.record_key, GRAPH_ENTITIES.c.entity).where(
                GRAPH_ENTITIES.c.party_table == "persons"
            )
        ).all()
    members: dict[str, set[str]] = {}
    entity_of = {}
    for k, e in rows:
        members.setdefault(str(e), set()).add(str(k))
        entity_of[str(k)] = str(e)
    return {k: frozenset(members[entity_of[k]]) for k in keys if k in entity_of}


def _duplicates_page(url: str) -> tuple[float, float, str]:
    """The Duplicates page's first render: wall and CPU seconds (this process), and what it lists."""
    import os

    from workbench.ui.simulated_sessions import local_page_run

    os.environ.update(WORKBENCH_DB_URL=url, WORKBENCH_ROLE="analyst")
    wall, cpu, at = local_page_run("pages/entities.py", purpose=("BENCH-1", "benchmark"))
    assert not at.exception, at.exception
    shown = f"view {at.selectbox(key='dup_show').value}, {len(at.dataframe[0].value):,} pairs listed"
    return wall, cpu, shown


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--store", type=Path, default=Path("/tmp/wb-scale-bench/100000/store.db"))
    p.add_argument("--new", type=int, nargs="+", default=[1000, 10000])
    p.add_argument("--no-check", action="store_true", help="skip the second full resolution")
    p.add_argument("--duplicates", action="store_true", help="time the Duplicates page before and after")
    args = p.parse_args(argv)

    import sqlalchemy as sa

    from workbench.exchange.files import write_dataset
    from workbench.exchange.ingest import import_path
    from workbench.network.incremental import pending_count, resolve_pending
    from workbench.network.store_graph import rebuild_graph
    from workbench.sample.generator import generate
    from workbench.store import DATA_TABLES, open_store

    rows: list[tuple[str, int, float, float, str]] = []
    with tempfile.TemporaryDirectory(prefix="wb-bench-resolve-") as tmp:
        work = Path(tmp)
        store = open_store(_copy(args.store, work / "store.db"))
        with store.engine.connect() as conn:
            persons = int(
                conn.execute(sa.select(sa.func.count()).select_from(DATA_TABLES["persons"])).scalar() or 0
            )
            cases = int(
                conn.execute(sa.select(sa.func.count()).select_from(DATA_TABLES["cases"])).scalar() or 0
            )
        print(f"store: {cases:,} cases, {persons:,} persons (a copy of {args.store})", flush=True)
        if args.duplicates:
            wall, cpu, shown = _duplicates_page(store.url)
            rows.append(
                (
                    f"Duplicates page, first render, resolving the filter ({shown})",
                    persons,
                    wall,
                    cpu,
                    f"{_rss_mb():,.0f}",
                )
            )
            print(rows[-1], flush=True)
        t0, c0 = time.perf_counter(), time.process_time()
        rebuild_graph(store, resolve=True)
        full, full_cpu = time.perf_counter() - t0, time.process_time() - c0
        rows.append(
            ("full resolution (rebuild_graph, resolve=True)", persons, full, full_cpu, f"{_rss_mb():,.0f}")
        )
        print(rows[-1], flush=True)
        if args.duplicates:
            wall, cpu, shown = _duplicates_page(store.url)
            rows.append(
                (
                    f"Duplicates page, first render, stored groups ({shown})",
                    persons,
                    wall,
                    cpu,
                    f"{_rss_mb():,.0f}",
                )
            )
            print(rows[-1], flush=True)
        new_keys: set[str] = set()
        for k, n in enumerate(args.new):
            tables = generate(max(10, int(n / 0.85)), seed=100 + k, prefix=f"INC{k}").tables
            folder = work / f"new{k}"
            write_dataset(tables, folder)
            t0 = time.perf_counter()
            assert import_path(folder, store).status in ("accepted", "partial")
            imported = time.perf_counter() - t0
            waiting = pending_count(store)
            t0, c0 = time.perf_counter(), time.process_time()
            figures = resolve_pending(store)
            seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
            assert figures["mode"] == "incremental", figures
            got = int(figures.get("persons", {}).get("records", 0)) + int(
                figures.get("companies", {}).get("records", 0)
            )
            new_keys |= {
                f"{rc}:{c}:{pid}"
                for rc, c, pid in tables["persons"][["reporting_country", "case_id", "person_id"]].itertuples(
                    index=False
                )
            }
            rows.append(
                (
                    f"incremental: {waiting['persons']:,} persons + {waiting['companies']:,} companies new "
                    f"(import {imported:.1f} s apart)",
                    got,
                    seconds,
                    cpu,
                    f"{_rss_mb():,.0f}",
                )
            )
            print(rows[-1], figures, flush=True)
        if not args.no_check:
            incremental = _partition(store, new_keys)
            t0, c0 = time.perf_counter(), time.process_time()
            rebuild_graph(store, resolve=True)
            again, again_cpu = time.perf_counter() - t0, time.process_time() - c0
            rebuilt = _partition(store, new_keys)
            same = sum(1 for k in incremental if rebuilt.get(k) == incremental[k])
            rows.append(
                (
                    "full resolution of the grown store",
                    persons + len(new_keys),
                    again,
                    again_cpu,
                    f"{_rss_mb():,.0f}",
                )
            )
            print(
                f"new person records with the same entity (same records) from both paths: {same:,} of "
                f"{len(incremental):,} ({same / max(len(incremental), 1):.1%})"
            )
    print()
    print("| step | records | wall s | CPU s | CPU s per 1k records | RSS peak MB |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, n, s, cpu, rss in rows:
        print(f"| {name} | {n:,} | {s:.1f} | {cpu:.1f} | {1000 * cpu / max(n, 1):.3f} | {rss} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
