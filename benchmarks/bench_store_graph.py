"""The entity graph in the store (workbench/store/entity_graph.py, workbench/network/store_graph.py)
against the in-memory graph (networkx/scipy, workbench/network/graph.py) on the same generated store.

    nice python -m benchmarks.bench_store_graph 20000 100000

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
    from workbench.network.store_graph import compute_analyses, graph_counts, local_graph, store_path
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
    with store.engine.connect() as conn:
        import sqlalchemy as sa

        ids = [
            str(r[0])
            for r in conn.execute(
                sa.text(
                    "SELECT node_id FROM graph_nodes WHERE kind IN ('person','company') ORDER BY random() LIMIT 100"
                )
            )
        ]
    times = []
    sizes = []
    for seed in ids:
        t0 = time.perf_counter()
        g = ego_network(local_graph(store, {seed: 4}, personal_allowed=True), seed, hops=2)
        times.append(time.perf_counter() - t0)
        sizes.append(g.number_of_nodes())
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


def main(argv: list[str]) -> None:
    sizes = [int(a) for a in argv] or [20_000]
    rows = []
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
