"""Network benchmarks: entity resolution, graph build and an ego query on the prepared stores."""

from __future__ import annotations

from pathlib import Path

from benchmarks.bench_core import store_url
from benchmarks.harness import benchmark

_SIZES = (10_000, 100_000, 1_000_000)


@benchmark("resolve_persons", sizes=_SIZES, setup=lambda s, w: store_url(s, w) and None, repeat=1)
def bench_resolve_persons(size: int, workdir: Path) -> dict:
    """Blocking, comparison and clustering of every person record in the store."""
    from workbench.network.graph import party_frame
    from workbench.network.resolve import resolve
    from workbench.store import open_store

    persons = party_frame(open_store(store_url(size, workdir)), "persons", personal_allowed=True)
    res = resolve(persons, "person", explain=False)
    return {"rows": len(persons), "pairs": res.stats["candidate_pairs"], "entities": res.stats["entities"]}


@benchmark("resolve_companies", sizes=_SIZES, setup=lambda s, w: store_url(s, w) and None, repeat=1)
def bench_resolve_companies(size: int, workdir: Path) -> dict:
    from workbench.network.graph import party_frame
    from workbench.network.resolve import resolve
    from workbench.store import open_store

    companies = party_frame(open_store(store_url(size, workdir)), "companies", personal_allowed=True)
    res = resolve(companies, "company", explain=False)
    return {"rows": len(companies), "pairs": res.stats["candidate_pairs"], "entities": res.stats["entities"]}


@benchmark("graph_build", sizes=_SIZES, setup=lambda s, w: store_url(s, w) and None, repeat=1)
def bench_graph_build(size: int, workdir: Path) -> dict:
    """What the Network page does on first open: read cases and parties, resolve, build the graph."""
    from workbench.network.graph import graph_from_store
    from workbench.store import open_store

    g = graph_from_store(open_store(store_url(size, workdir)), personal_allowed=True)
    return {"nodes": len(g.nodes), "edges": len(g.edges)}


@benchmark("ego_query", sizes=_SIZES, setup=lambda s, w: store_url(s, w) and None, repeat=1)
def bench_ego_query(size: int, workdir: Path) -> dict:
    """Graph built (untimed), then 20 ego networks at 2 hops, a shortest path and communities (timed)."""
    import time

    import numpy as np

    from workbench.network.graph import communities, ego_network, graph_from_store, shortest_path
    from workbench.store import open_store

    g = graph_from_store(open_store(store_url(size, workdir)), personal_allowed=True)
    parties = g.nodes.index[g.nodes["kind"].isin(["person", "company"])].to_numpy()
    rng = np.random.default_rng(1)
    seeds = g.nodes["node_id"].to_numpy()[rng.choice(parties, 20, replace=False)]
    t0 = time.perf_counter()
    sizes = [ego_network(g, s, hops=2).number_of_nodes() for s in seeds]
    ego_s = (time.perf_counter() - t0) / len(seeds)
    t0 = time.perf_counter()
    shortest_path(g, seeds[0], seeds[1])
    path_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    n_comm = communities(g).nunique()
    comm_s = time.perf_counter() - t0
    return {
        "ego_ms": round(ego_s * 1000, 1),
        "ego_nodes_max": max(sizes),
        "path_s": round(path_s, 2),
        "communities_s": round(comm_s, 2),
        "communities": int(n_comm),
    }
