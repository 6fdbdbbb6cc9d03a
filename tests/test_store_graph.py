"""The entity graph in store tables (workbench/store/entity_graph.py, workbench/network/store_graph.py):
an import keeps them as a rebuild writes them, and the store path answers what the in-memory graph
answers (counts, ego networks, path lengths), with and without a filter, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from workbench.network.graph import ego_network, shortest_path
from workbench.network.store_graph import (
    analyses_state,
    compute_analyses,
    graph_counts,
    load_graph,
    local_graph,
    store_path,
    stored_communities,
)
from workbench.store import open_store
from workbench.store.entity_graph import (
    GRAPH_EDGES,
    GRAPH_NODES,
    GRAPH_RECORDS,
    graph_current,
    rebuild_graph_tables,
)
from workbench.store.filters import CaseFilter
from workbench.store.frames import case_frame


def _snapshot(store) -> tuple[set, set, set]:  # type: ignore[no-untyped-def]
    """The tables by node ids (row ids differ between an import and a rebuild)."""
    n, e, r = GRAPH_NODES, GRAPH_EDGES, GRAPH_RECORDS
    a, b = n.alias("a"), n.alias("b")
    with store.engine.connect() as conn:
        edges = set(
            conn.execute(
                sa.select(a.c.node_id, b.c.node_id, e.c.relation, e.c.case_ref, e.c.personal)
                .join_from(e, a, a.c.id == e.c.src)
                .join(b, b.c.id == e.c.dst)
            ).all()
        )
        records = set(
            conn.execute(
                sa.select(
                    r.c.record_key, r.c.kind, n.c.node_id, r.c.case_ref, r.c.role, r.c.written
                ).join_from(r, n, n.c.id == r.c.node)
            ).all()
        )
        used = {x[0] for x in edges} | {x[2] for x in records}
        nodes = {
            x
            for x in conn.execute(
                sa.select(n.c.node_id, n.c.kind, n.c.subkind, n.c.label, n.c.personal)
            ).all()
            if x[0] in used
        }
    return nodes, edges, records


@pytest.fixture(scope="module")
def two_batches(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    from workbench.exchange.files import write_dataset
    from workbench.sample.generator import generate

    out = []
    for seed in (3, 4):
        d = tmp_path_factory.mktemp(f"batch{seed}")
        write_dataset(generate(120, seed=seed, prefix=f"B{seed}").tables, d)
        out.append(d)
    return out[0], out[1]


def test_an_import_keeps_the_graph_tables_as_a_rebuild_writes_them(store_url: str, two_batches) -> None:  # type: ignore[no-untyped-def]
    from workbench.exchange.ingest import import_path

    store = open_store(store_url)
    for d in two_batches:
        assert import_path(d, store).status == "accepted"
        assert graph_current(store)
    # a second import of the first batch rewrites its cases (updates), as a re-sent file does
    assert import_path(two_batches[0], store).status in {"accepted", "duplicate"}
    incremental = _snapshot(store)
    assert incremental[1] and incremental[2]
    with store.engine.begin() as conn:
        rebuild_graph_tables(conn)
    assert _snapshot(store) == incremental
    # and on this backend, the store path answers as the in-memory graph (period filter)
    flt = FILTERS[1]
    mem = _memory(store, flt, True)
    assert graph_counts(store, flt, personal_allowed=True) == (mem.counts(), len(mem.edges))
    seeds = _seeds(mem, 4)
    for seed in seeds:
        got = ego_network(local_graph(store, {seed: 4}, flt, personal_allowed=True), seed, hops=2)
        assert set(got.nodes) == set(ego_network(mem, seed, hops=2).nodes)
    want = shortest_path(mem, seeds[0], seeds[-1])
    path = store_path(store, seeds[0], seeds[-1], flt, personal_allowed=True)
    assert (want is None) == (path is None) and (want is None or len(want) == len(path or []))


FILTERS = [
    CaseFilter(),
    CaseFilter(date_from=dt.date(2023, 1, 1), date_to=dt.date(2024, 6, 30)),
    CaseFilter(transport_modes=("air",)),
]


@pytest.fixture(scope="module")
def sample_store(two_batches, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """A SQLite store of the two batches (240 cases), its graph tables kept by the two imports."""
    from workbench.exchange.ingest import import_path

    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('graph') / 'graph.db'}")
    for d in two_batches:
        assert import_path(d, store).status == "accepted"
    return store


def _memory(store, flt: CaseFilter, personal: bool):  # type: ignore[no-untyped-def]
    """The in-memory graph of the same cases, parties as stored (no resolution: the store's are records)."""
    from workbench.network.graph import graph_from_store

    return graph_from_store(store, flt, personal_allowed=personal, resolve_entities=False)


@pytest.mark.parametrize("personal", [True, False])
@pytest.mark.parametrize("flt", FILTERS, ids=["all", "period", "air"])
def test_store_counts_and_graph_are_the_in_memory_ones(sample_store, flt: CaseFilter, personal: bool) -> None:  # type: ignore[no-untyped-def]
    mem = _memory(sample_store, flt, personal)
    counts, links = graph_counts(sample_store, flt, personal_allowed=personal)
    assert counts == mem.counts()
    assert links == len(mem.edges)
    whole = load_graph(sample_store, flt, personal_allowed=personal)
    assert set(whole.nodes["node_id"]) == set(mem.nodes["node_id"])
    ids = mem.nodes["node_id"].to_numpy()
    pairs = {
        frozenset((ids[s], ids[t])) for s, t in zip(mem.edges["source"], mem.edges["target"], strict=True)
    }
    wids = whole.nodes["node_id"].to_numpy()
    assert {
        frozenset((wids[s], wids[t]))
        for s, t in zip(whole.edges["source"], whole.edges["target"], strict=True)
    } == pairs


def _seeds(mem, n: int = 12) -> list[str]:  # type: ignore[no-untyped-def]
    """Linked nodes of every kind (the best linked and some ordinary ones)."""
    deg = pd.Series(mem.degree, index=mem.nodes["node_id"].to_numpy())
    kinds = mem.nodes.set_index("node_id")["kind"]
    out: list[str] = []
    for kind in kinds.unique():
        linked = deg[(kinds == kind).to_numpy() & (deg > 1).to_numpy()].sort_values(ascending=False)
        out += linked.index[:2].tolist() + linked.index[len(linked) // 2 : len(linked) // 2 + 1].tolist()
    return out[:n]


@pytest.mark.parametrize("flt", FILTERS[:2], ids=["all", "period"])
def test_store_ego_networks_and_paths_are_the_in_memory_ones(sample_store, flt: CaseFilter) -> None:  # type: ignore[no-untyped-def]
    mem = _memory(sample_store, flt, True)
    seeds = _seeds(mem)
    assert len(seeds) >= 6
    for seed in seeds:
        want = ego_network(mem, seed, hops=2, max_nodes=100_000)
        local = local_graph(sample_store, {seed: 4}, flt, personal_allowed=True)
        got = ego_network(local, seed, hops=2, max_nodes=100_000)
        assert set(got.nodes) == set(want.nodes), seed
        assert {frozenset(e) for e in got.edges} == {frozenset(e) for e in want.edges}, seed
        assert {n: d["degree"] for n, d in got.nodes(data=True)} == {
            n: d["degree"] for n, d in want.nodes(data=True)
        }
    for a, b in zip(seeds, seeds[1:], strict=False):
        for around in (True, False):
            want_path = shortest_path(mem, a, b, avoid_hubs=around)
            got_path = store_path(sample_store, a, b, flt, personal_allowed=True, avoid_hubs=around)
            assert (got_path is None) == (want_path is None), (a, b)
            if got_path is not None and want_path is not None:
                assert len(got_path) == len(want_path), (a, b)
                assert got_path[0] == a and got_path[-1] == b


def test_without_personal_data_the_store_graph_holds_no_party(sample_store) -> None:  # type: ignore[no-untyped-def]
    mem = _memory(sample_store, CaseFilter(), True)
    person = mem.nodes.loc[mem.nodes["kind"] == "person", "node_id"].iloc[0]
    assert len(local_graph(sample_store, {person: 2}, personal_allowed=False)) == 0
    case = case_frame(sample_store, CaseFilter())
    seed = f"case:{case['reporting_country'].iloc[0]}:{case['case_id'].iloc[0]}"
    g = local_graph(sample_store, {seed: 4}, personal_allowed=False)
    assert not ({"person", "company", "phone"} & set(g.nodes["kind"]))


def test_communities_are_computed_from_the_tables_and_stored(sample_store) -> None:  # type: ignore[no-untyped-def]
    from workbench.network.graph import communities

    store = sample_store
    assert analyses_state(store)["status"] == "none"
    # as the page starts them: in a background process, which stores them with the data version
    import workbench.network.store_graph as sg

    assert sg.refresh_analyses_in_background(store)
    assert sg.refresh_analyses_in_background(store)  # one computation at a time
    child = sg._RUNNING[store.url]
    assert child.wait(timeout=120) == 0
    state = analyses_state(store)
    assert state["current"] and state["status"] == "done"
    assert not sg.refresh_analyses_in_background(store)  # current: nothing to start
    figures = compute_analyses(store)  # the same computation in this process (the CLI's)
    stored = stored_communities(store)
    want = communities(load_graph(store, personal_allowed=True))
    assert figures["communities"] == want.nunique()
    pd.testing.assert_series_equal(stored.sort_index(), want.sort_index(), check_names=False)
    # the groups are those of the in-memory graph built from the data tables
    mem = _memory(store, CaseFilter(), True)
    assert set(stored.index) == set(communities(mem).index)


def test_names_read_from_the_graph_tables_are_audited_consultations(sample_store) -> None:  # type: ignore[no-untyped-def]
    """The analyses' tables name persons and companies: reading them is the consultant's consultation."""
    import workbench.network.store_graph as sg
    from workbench.store.audit import AUDIT_LOG as LOG

    class Analyst:
        user, role, organisation = "bo", "analyst", "FR-DGDDI"
        purpose = {"reference": "OP-2026-17", "justification": "links", "legal_basis": "LED art. 8"}

    store = sample_store
    if not analyses_state(store)["current"]:
        compute_analyses(store)

    def consultations() -> list[tuple[str, int]]:
        with store.engine.connect() as c:
            rows = c.execute(sa.select(LOG.c.action, LOG.c.row_count).where(LOG.c.kind == "consultation"))
            return [(str(a), int(n or 0)) for a, n in rows]

    n0 = len(consultations())
    sg.stored_community_table(store, personal_allowed=False, actor=Analyst())
    sg.load_graph(store, personal_allowed=False, actor=Analyst())
    assert consultations()[n0:] == []  # no name of a person read, nothing consulted
    table, _comm = sg.stored_community_table(store, personal_allowed=True, actor=Analyst())
    rank = sg.stored_rankings(store, personal_allowed=True, actor=Analyst())
    graph = sg.load_graph(store, personal_allowed=True, actor=Analyst())
    new = consultations()[n0:]
    assert {a for a, _n in new} == {"consult.persons", "consult.companies"}
    persons = int((graph.nodes["kind"] == "person").sum())
    assert ("consult.persons", persons) in new and persons > 0
    assert ("consult.persons", int((rank["kind"] == "person").sum())) in new
    assert len(new) >= 5 and not table.empty


def test_cli_rebuilds_the_graph_tables_behind_the_store(tmp_path: Path, two_batches) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import workbench_cli
    from workbench.exchange.ingest import import_path
    from workbench.store.version import bump_data_version

    store_url = f"sqlite:///{tmp_path / 'cli.db'}"  # the rebuild itself runs on PostgreSQL above
    store = open_store(store_url)
    assert import_path(two_batches[0], store).status == "accepted"
    with store.engine.begin() as conn:
        bump_data_version(conn, "cases")  # a write that does not keep the graph (an erasure)
    assert not graph_current(store)
    done = workbench_cli("graph-index", "rebuild", "--no-resolve", db=store_url)
    assert done.returncode == 0, done.stderr
    assert "links written" in done.stdout
    assert graph_current(store)


def test_a_rebuild_needs_the_import_right_in_the_library(sample_store) -> None:  # type: ignore[no-untyped-def]
    """A notebook calling the library is held to the matrix as the command line is; nothing is rewritten."""
    from workbench.identity import PermissionDenied, Principal
    from workbench.network.store_graph import rebuild_graph

    viewer = Principal("vic", "FR-DGDDI", frozenset({"viewer"}), mode="account")
    before = _snapshot(sample_store)
    with pytest.raises(PermissionDenied):
        rebuild_graph(sample_store, resolve=False, actor=viewer)
    assert _snapshot(sample_store) == before


def test_the_opening_figures_are_counted_once_per_state_of_the_graph(  # type: ignore[no-untyped-def]
    store_url: str, two_batches, monkeypatch: pytest.MonkeyPatch
) -> None:
    import workbench.network.store_graph as sg
    from workbench.exchange.ingest import import_path
    from workbench.store import bump_data_version

    def no_count(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("the figures were counted again")

    store = open_store(store_url)
    assert import_path(two_batches[0], store).status == "accepted"
    first = graph_counts(store, personal_allowed=True)
    mem = _memory(store, CaseFilter(), True)
    assert first == (mem.counts(), len(mem.edges))
    # the next opening (any process) reads the kept figures; a filter is still counted
    monkeypatch.setattr(sg, "_count_figures", no_count)
    assert graph_counts(store, personal_allowed=True) == first
    with pytest.raises(AssertionError, match="counted again"):
        graph_counts(store, FILTERS[2], personal_allowed=True)
    with pytest.raises(AssertionError, match="counted again"):  # without personal data: figures of their own
        graph_counts(store, personal_allowed=False)
    monkeypatch.undo()
    # an import moves the graph on: the figures are counted again, and are the new graph's
    assert import_path(two_batches[1], store).status == "accepted"
    second = graph_counts(store, personal_allowed=True)
    mem = _memory(store, CaseFilter(), True)
    assert second == (mem.counts(), len(mem.edges)) and second != first
    # a resolution or a judgement moves the entities: counted again
    with store.engine.begin() as conn:
        bump_data_version(conn, "judgements")
    monkeypatch.setattr(sg, "_count_figures", no_count)
    with pytest.raises(AssertionError, match="counted again"):
        graph_counts(store, personal_allowed=True)
