"""Link charts (``workbench network import``): an edge list of N links read, stored in SQLite, loaded back
and ranked by degree, beside the reference (pandas ``read_csv`` + networkx ``from_pandas_edgelist`` of the
same file) and Louvain on the loaded chart."""

from __future__ import annotations

import time
from pathlib import Path

from benchmarks.harness import benchmark

_SIZES = (10_000, 100_000)


def _edge_file(size: int, workdir: Path) -> Path:
    path = workdir / f"links-{size}.csv"
    if not path.exists():
        import networkx as nx
        import numpy as np
        import pandas as pd

        g = nx.gnm_random_graph(max(10, size // 5), size, seed=1)
        rng = np.random.default_rng(1)
        rows = [
            (f"n{a}", f"n{b}", int(w)) for (a, b), w in zip(g.edges, rng.integers(1, 10, size), strict=True)
        ]
        pd.DataFrame(rows, columns=["source", "target", "weight"]).to_csv(path, index=False)
    return path


@benchmark("link_chart_import", sizes=_SIZES, setup=lambda s, w: _edge_file(s, w) and None, repeat=1)
def bench_link_chart_import(size: int, workdir: Path) -> dict:
    """Read + store (timed overall); the parts and the reference as extras."""
    import networkx as nx
    import pandas as pd

    from workbench.identity import Principal
    from workbench.network import charts as C
    from workbench.store import open_store

    path = _edge_file(size, workdir)
    db = workdir / f"charts-{size}-{time.time_ns()}.db"
    store = open_store(f"sqlite:///{db}")
    who = Principal("bench", "local", frozenset({"analyst"}), personal=True)
    t0 = time.perf_counter()
    chart = C.read_chart(path, name="bench", personal=False)
    t1 = time.perf_counter()
    C.store_chart(store, chart, actor=who)
    t2 = time.perf_counter()
    back = C.load_chart(store, "bench", actor=who)
    t3 = time.perf_counter()
    C.rank_chart(back, by="weighted_degree")
    t4 = time.perf_counter()
    C.chart_communities(back)
    t5 = time.perf_counter()
    nx.from_pandas_edgelist(pd.read_csv(path), "source", "target", edge_attr="weight")
    t6 = time.perf_counter()
    db.unlink(missing_ok=True)
    return {
        "read_s": round(t1 - t0, 2),
        "store_s": round(t2 - t1, 2),
        "load_s": round(t3 - t2, 2),
        "rank_s": round(t4 - t3, 2),
        "louvain_s": round(t5 - t4, 2),
        "networkx_read_s": round(t6 - t5, 2),
    }
