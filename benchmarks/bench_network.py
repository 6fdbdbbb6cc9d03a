"""Network benchmarks: entity resolution (speed on the prepared stores; quality on FEBRL with and without
identity numbers, beside the hand weights and Splink), graph build and an ego query."""

from __future__ import annotations

from pathlib import Path
from typing import Any

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


# ------------------------------------------------------------------ resolution quality on FEBRL
#: FEBRL file per size: 1,000 records (FEBRL 1), 5,000 (FEBRL 3: up to 9 records per person) and
#: 10,000 (FEBRL 4a + 4b: one duplicate each). The sizes are records, not cases.
_FEBRL = {1_000: "1", 5_000: "3", 10_000: "4"}


def _febrl_quality(size: int, run: Any) -> dict[str, Any]:
    """Pairwise precision, recall and F1 of ``run(persons) -> (entity per record, pairs compared,
    extra figures)`` on the FEBRL file of ``size``, with its identity numbers and without them."""
    import time

    from workbench.network.resolve import load_febrl, pairwise_quality

    persons, truth = load_febrl(_FEBRL[size])
    out: dict[str, Any] = {"febrl": _FEBRL[size]}
    for tag, table in (("ids", persons), ("noid", persons.assign(passport_number=""))):
        t0 = time.perf_counter()
        entity, pairs, extra = run(table)
        seconds = time.perf_counter() - t0
        q = pairwise_quality(entity, truth)
        # as text: the harness prints floats with one decimal, too few for F1
        out.update(
            {
                f"f1_{tag}": f"{q['f1']:.4f}",
                f"p_{tag}": f"{q['precision']:.4f}",
                f"r_{tag}": f"{q['recall']:.4f}",
                f"pairs_{tag}": pairs,
                f"s_{tag}": f"{seconds:.2f}",
            }
        )
        out.update({f"{k}_{tag}": f"{v:.4f}" for k, v in extra.items()})
    return out


def _ours(method: str) -> Any:
    def run(table: Any) -> tuple[Any, int, dict[str, Any]]:
        from workbench.network.resolve import blocking_recall, candidate_pairs, load_febrl, person_features
        from workbench.network.resolve import resolve as resolve_records

        res = resolve_records(table, "person", method=method, explain=False)  # type: ignore[arg-type]
        extra: dict[str, Any] = {}
        if method == "model":  # blocking is the same for both methods: reported once
            i, j, _ = candidate_pairs(person_features(table))
            truth = load_febrl(_FEBRL[len(table)])[1]
            extra["blocking_recall"] = blocking_recall(i, j, truth)["blocking_recall"]
        return res.assignments["entity_id"], int(res.stats["candidate_pairs"]), extra

    return run


@benchmark("resolve_febrl_model", sizes=tuple(_FEBRL), repeat=1)
def bench_resolve_febrl_model(size: int, workdir: Path) -> dict:
    """The default resolver (Fellegi-Sunter, m and u by EM without labels) on FEBRL, with and without
    the identity numbers: pairwise F1, precision, recall, pairs compared, seconds, blocking recall."""
    return _febrl_quality(size, _ours("model"))


@benchmark("resolve_febrl_weights", sizes=tuple(_FEBRL), repeat=1)
def bench_resolve_febrl_weights(size: int, workdir: Path) -> dict:
    """The hand-set weights (``method="weights"``) on the same blocked pairs."""
    return _febrl_quality(size, _ours("weights"))


def splink_reference(persons: Any, *, threshold: float = 0.9) -> tuple[Any, int, dict[str, Any]]:
    """Reference: Splink 5 (DuckDB) on the same columns, trained as its tutorials train it (prior from
    a deterministic rule, u by random sampling, m by EM on two blocking rules), clustered at
    ``threshold``. Splink is a dev dependency used only here."""
    import logging

    import splink.comparison_library as cl
    from splink import Linker, SettingsCreator, block_on
    from splink.backends.duckdb import DuckDBAPI

    df = persons.rename(columns={"person_id": "unique_id"}).replace("", None)
    df["postcode"] = df["address"].str.extract(r"(\d{4})\s+\w+$")[0]
    comparisons = [
        cl.NameComparison("first_name"),
        cl.NameComparison("last_name"),
        cl.DateOfBirthComparison("date_of_birth", input_is_string=True),
        cl.LevenshteinAtThresholds("address", [2, 5]),
        cl.ExactMatch("postcode"),
    ]
    from workbench.format.schema import FORMAT

    # the persons' identifier columns (the passport number), as the format declares them
    for ident in (c.name for c in FORMAT.table("persons").columns if c.kind == "identifier" and c.name in df):
        if df[ident].notna().any():
            comparisons.append(cl.LevenshteinAtThresholds(ident, [1]))
        else:
            df = df.drop(columns=ident)
    rules = [block_on("first_name"), block_on("last_name"), block_on("date_of_birth"), block_on("postcode")]
    settings = SettingsCreator(
        link_type="dedupe_only", comparisons=comparisons, blocking_rules_to_generate_predictions=rules
    )
    linker = Linker(DuckDBAPI().register(df), settings, log_level=logging.WARNING)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("first_name", "last_name", "date_of_birth")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("last_name"))
    pred = linker.inference.predict()
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        pred, threshold
    ).as_pandas_dataframe()
    entity = persons["person_id"].map(clusters.set_index("unique_id")["cluster_id"])
    return entity, len(pred.as_pandas_dataframe()), {}


@benchmark("resolve_febrl_splink", sizes=tuple(_FEBRL), repeat=1)
def bench_resolve_febrl_splink(size: int, workdir: Path) -> dict:
    """The reference beside the resolver: Splink 5 on the same FEBRL files and columns."""
    return _febrl_quality(size, splink_reference)
