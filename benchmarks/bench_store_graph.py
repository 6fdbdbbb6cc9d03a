"""The entity graph in the store (workbench/store/entity_graph.py, workbench/network/store_graph.py)
against the in-memory graph (networkx/scipy, workbench/network/graph.py) on the same generated store.

    nice python -m benchmarks.bench_store_graph 20000 100000
    nice python -m benchmarks.bench_store_graph --bulk /tmp/wb-scale-bench/1000000

``--bulk FOLDER``: instead of generating and importing, copies ``FOLDER/store.db`` (bench_scale's store,
cases and items loaded straight into the tables; never modified), loads ``FOLDER/dataset``'s persons and
companies the same way, rebuilds the graph tables (timed: ``rebuild_s`` in place of the import), then
times the same store queries and the Network page's first render (AppTest, local analyst with a
declared purpose) with the opening figures kept; the analyses and the in-memory reference are left out
(131 s and 6.5 GB at 1M in the main table).

Prints one table row per size: the import with the graph kept (s, and per 1k cases), the page's first
figures by SQL counts, ego networks at 2 hops (p50/p95 ms over 100 seeds), a shortest path, the
analyses (communities + rankings) from the tables, the process RSS, and beside them the in-memory
build and ego query.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path


def run(n: int, workdir: Path) -> dict[str, float | int]:
    import numpy as np

    from workbench.exchange.files import write_dataset
    from workbench.exchange.ingest import import_path
    from workbench.network.graph import ego_network, graph_from_store
    from workbench.network.store_graph import compute_analyses, graph_counts, store_path
    from workbench.sample.generator import generate
    from workbench.store import open_store

    src = workdir / f"s{n}"
    write_dataset(generate(n, seed=11).tables, src)
    store = open_store(f"sqlite:///{workdir / f's{n}.db'}")
    t0 = time.perf_counter()
    import_path(src, store)
    import_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    counts, links = graph_counts(store, personal_allowed=True)
    counts_s = time.perf_counter() - t0
    ids = _seeds(store)
    times, sizes = _ego(store, ids)
    t0 = time.perf_counter()
    store_path(store, ids[0], ids[1], personal_allowed=True)
    path_s = time.perf_counter() - t0
    rss_store = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0 = time.perf_counter()
    analyses = compute_analyses(store)
    analyses_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    mem = graph_from_store(store, personal_allowed=True, resolve_entities=False)
    mem_build_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    for seed in ids[:20]:
        ego_network(mem, seed, hops=2)
    mem_ego_ms = (time.perf_counter() - t0) / 20 * 1000
    return {
        "cases": n,
        "import_s": round(import_s, 1),
        "import_s_per_1k": round(import_s / n * 1000, 3),
        "nodes": sum(counts.values()),
        "links": links,
        "counts_s": round(counts_s, 2),
        "ego_p50_ms": round(float(np.percentile(times, 50)) * 1000, 1),
        "ego_p95_ms": round(float(np.percentile(times, 95)) * 1000, 1),
        "ego_nodes_max": max(sizes),
        "path_s": round(path_s, 3),
        "rss_after_queries_mb": round(rss_store),
        "analyses_s": round(analyses_s, 1),
        "communities": analyses["communities"],
        "memory_build_s": round(mem_build_s, 1),
        "memory_ego_ms": round(mem_ego_ms, 1),
        "rss_after_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def _seeds(store) -> list[str]:
    """100 random persons and companies of the graph tables: the ego networks' seeds."""
    import sqlalchemy as sa

    with store.engine.connect() as conn:
        return [
            str(r[0])
            for r in conn.execute(
                sa.text(
                    "SELECT node_id FROM graph_nodes WHERE kind IN ('person','company') ORDER BY random() LIMIT 100"
                )
            )
        ]


def _ego(store, ids: list[str]) -> tuple[list[float], list[int]]:
    from workbench.network.graph import ego_network
    from workbench.network.store_graph import local_graph

    times, sizes = [], []
    for seed in ids:
        t0 = time.perf_counter()
        g = ego_network(local_graph(store, {seed: 4}, personal_allowed=True), seed, hops=2)
        times.append(time.perf_counter() - t0)
        sizes.append(g.number_of_nodes())
    return times, sizes


def run_bulk(folder: Path, workdir: Path) -> dict[str, float | int]:
    """The store queries and the Network page on bench_scale's bulk-loaded store with its parties."""
    import os
    import shutil

    import numpy as np
    import pandas as pd
    import sqlalchemy as sa

    from workbench.network.store_graph import graph_counts, store_path
    from workbench.store import bump_data_version, open_store
    from workbench.store.entity_graph import rebuild_graph_tables
    from workbench.ui.simulated_sessions import local_page_run

    db = workdir / "store.db"
    shutil.copyfile(folder / "store.db", db)
    store = open_store(f"sqlite:///{db}")
    t0 = time.perf_counter()
    with store.engine.begin() as conn:
        n = int(conn.execute(sa.text("SELECT count(*) FROM cases")).scalar_one())
        for name in ("persons", "companies"):
            for chunk in pd.read_csv(
                folder / "dataset" / f"{name}.csv",
                dtype=str,
                keep_default_na=False,
                na_values=[""],
                chunksize=100_000,
            ):
                chunk.to_sql(name, conn, if_exists="append", index=False)
        bump_data_version(conn, "cases")
    load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    with store.engine.begin() as conn:
        rebuild_graph_tables(conn)
    rebuild_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    counts, links = graph_counts(store, personal_allowed=True)
    counts_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    graph_counts(store, personal_allowed=True)
    kept_ms = (time.perf_counter() - t0) * 1000
    ids = _seeds(store)
    times, sizes = _ego(store, ids)
    t0 = time.perf_counter()
    store_path(store, ids[0], ids[1], personal_allowed=True)
    path_s = time.perf_counter() - t0
    rss_store = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    store.engine.dispose()
    os.environ.update(WORKBENCH_DB_URL=f"sqlite:///{db}", WORKBENCH_ROLE="analyst")
    page_s, page_cpu, at = local_page_run("pages/network.py", purpose=("BENCH-1", "benchmark"))
    errors = len(at.exception) + len(at.error)
    return {
        "cases": n,
        "parties_load_s": round(load_s, 1),
        "rebuild_s": round(rebuild_s, 1),
        "nodes": sum(counts.values()),
        "links": links,
        "counts_s": round(counts_s, 2),
        "counts_kept_ms": round(kept_ms, 1),
        "ego_p50_ms": round(float(np.percentile(times, 50)) * 1000, 1),
        "ego_p95_ms": round(float(np.percentile(times, 95)) * 1000, 1),
        "ego_nodes_max": max(sizes),
        "path_s": round(path_s, 3),
        "rss_after_queries_mb": round(rss_store),
        "network_page_first_render_s": round(page_s, 2),
        "network_page_errors": errors,
        "rss_after_page_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def main(argv: list[str]) -> None:
    rows = []
    if argv[:1] == ["--bulk"]:
        with tempfile.TemporaryDirectory() as d:
            rows.append(run_bulk(Path(argv[1]), Path(d)))
    else:
        sizes = [int(a) for a in argv] or [20_000]
        for n in sizes:
            with tempfile.TemporaryDirectory() as d:
                rows.append(run(n, Path(d)))
    keys = list(rows[0])
    print("| " + " | ".join(keys) + " |")
    print("|" + "---|" * len(keys))
    for r in rows:
        print("| " + " | ".join(f"{r[k]:,}" if isinstance(r[k], int) else str(r[k]) for k in keys) + " |")


if __name__ == "__main__":
    main(sys.argv[1:])
