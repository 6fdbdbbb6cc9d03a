"""Incremental entity resolution (workbench/network/incremental.py): records imported after a full
resolution are resolved against the stored model and blocking keys; the result is a full rebuild's, a
"different" judgement holds, and a failed step leaves every table as it was, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from tests.conftest import workbench_cli
from workbench.exchange.files import write_dataset
from workbench.exchange.ingest import import_path
from workbench.network.incremental import pending_count, resolve_pending
from workbench.network.store_graph import rebuild_graph
from workbench.store import open_store
from workbench.store.entity_graph import GRAPH_EDGES, GRAPH_ENTITIES, GRAPH_NODES, GRAPH_RECORDS
from workbench.store.resolution_index import RESOLUTION_KEYS, RESOLUTION_MODELS, RESOLUTION_TERMS


@pytest.fixture(scope="module")
def first_batch(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.Series]:
    """150 generated cases, and one person of them alone in her entity (name, birth date, passport)."""
    from workbench.sample.generator import generate

    tables = generate(150, seed=11, prefix="A").tables
    d = tmp_path_factory.mktemp("first")
    write_dataset(tables, d)
    p = tables["persons"]
    full = p[(p["date_of_birth"].fillna("") != "") & (p["passport_number"].fillna("") != "")]
    return d, full.iloc[0]


def _second(known: pd.Series, folder: Path) -> Path:
    """Two new cases: the known person written slightly differently (case and accents of the name, the
    birth date as written), and a person never seen."""
    ids = ["INC-1", "INC-2"]
    cases = pd.DataFrame(
        {
            "case_id": ids,
            "reporting_country": "ZW",
            "seizure_date": ["2025-02-03", "2025-02-04"],
            "customs_procedure": "import",
            "transport_mode": "air_passenger",
            "departure_country": "IS",
            "destination_country": "ZW",
        }
    )
    items = pd.DataFrame(
        {
            "case_id": ids,
            "reporting_country": "ZW",
            "item_no": 1,
            "commodity_category": "drugs",
            "commodity_type": "cocaine",
            "quantity": 1.5,
            "unit": "kg",
        }
    )
    persons = pd.DataFrame(
        {
            "person_id": ["P1", "P1"],
            "case_id": ids,
            "reporting_country": "ZW",
            "role": "courier",
            "last_name": [str(known["last_name"]).upper(), "Quattlebaum"],
            "first_name": [str(known["first_name"]).lower(), "Zephyrin"],
            "date_of_birth": [known["date_of_birth"], "1971-11-30"],
            "passport_number": [known["passport_number"], "QX9911772"],
            "nationality": [known["nationality"], "IS"],
        }
    )
    write_dataset({"cases": cases, "items": items, "persons": persons}, folder)
    return folder


def _entities(store) -> dict[tuple[str, str], str]:  # type: ignore[no-untyped-def]
    with store.engine.connect() as conn:
        return {(str(t), str(k)): str(e) for t, k, e in conn.execute(sa.select(GRAPH_ENTITIES))}


def _graph(store) -> tuple[set, set]:  # type: ignore[no-untyped-def]
    """The links and records by node ids (row ids differ between the two paths)."""
    n, e, r = GRAPH_NODES, GRAPH_EDGES, GRAPH_RECORDS
    a, b = n.alias("a"), n.alias("b")
    with store.engine.connect() as conn:
        edges = set(
            conn.execute(
                sa.select(a.c.node_id, b.c.node_id, e.c.relation, e.c.case_ref)
                .join_from(e, a, a.c.id == e.c.src)
                .join(b, b.c.id == e.c.dst)
            ).all()
        )
        records = set(
            conn.execute(
                sa.select(r.c.record_key, n.c.node_id, n.c.label, r.c.case_ref).join_from(
                    r, n, n.c.id == r.c.node
                )
            ).all()
        )
    return edges, records


def _key(known: pd.Series) -> str:
    return f"{known['reporting_country']}:{known['case_id']}:{known['person_id']}"


def test_new_records_join_their_entity_as_a_full_rebuild_would(
    store_url: str, first_batch, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    folder, known = first_batch
    store = open_store(store_url)
    assert import_path(folder, store).status == "accepted"
    rebuild_graph(store, resolve=True)
    before = _entities(store)
    entity = before[("persons", _key(known))]
    assert import_path(_second(known, tmp_path / "second"), store).status == "accepted"
    assert pending_count(store)["persons"] == 2

    figures = resolve_pending(store)

    assert figures["mode"] == "incremental" and figures["persons"]["records"] == 2
    after = _entities(store)
    assert after[("persons", "ZW:INC-1:P1")] == entity  # the known person: the same entity, two cases
    assert {k for k, e in after.items() if e == entity} == {k for k, e in before.items() if e == entity} | {
        ("persons", "ZW:INC-1:P1")
    }
    assert after[("persons", "ZW:INC-2:P1")] == "PE-ZW:INC-2:P1"  # the stranger: alone
    assert {k: e for k, e in after.items() if k in before} == before  # nobody else moved
    assert pending_count(store)["persons"] == 0
    graph = _graph(store)
    # the graph tables hold the entity once, across both cases
    assert any(rk == "ZW:INC-1:P1" and node == f"person:{entity}" for rk, node, _l, _c in graph[1])

    rebuild_graph(store, resolve=True)  # a full resolution of the same data gives the same
    assert _entities(store) == after
    assert _graph(store) == graph


def test_a_judgement_keeps_them_apart_and_a_failure_changes_nothing(
    store_url: str, first_batch, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from workbench.network import incremental
    from workbench.network.judgements import record_judgement

    folder, known = first_batch
    store = open_store(store_url)
    assert import_path(folder, store).status == "accepted"
    rebuild_graph(store, resolve=True)
    assert import_path(_second(known, tmp_path / "second"), store).status == "accepted"
    record_judgement(store, "person", _key(known), "ZW:INC-1:P1", "different")

    def tables() -> list[set]:  # type: ignore[type-arg]
        with store.engine.connect() as conn:
            return [
                set(conn.execute(sa.select(t)).all())
                for t in (GRAPH_ENTITIES, RESOLUTION_KEYS, RESOLUTION_TERMS, RESOLUTION_MODELS)
            ] + list(_graph(store))

    held = tables()

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("disk full")

    monkeypatch.setattr(incremental, "write_graph_cases", broken)
    with pytest.raises(RuntimeError):
        resolve_pending(store)
    assert tables() == held  # one transaction: nothing half-written
    monkeypatch.undo()

    resolve_pending(store)
    after = _entities(store)
    assert after[("persons", "ZW:INC-1:P1")] != after[("persons", _key(known))]


def test_the_duplicates_groups_read_from_the_store_are_the_resolvers(
    store_url: str, first_batch, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """The Duplicates page's linked groups, read from the stored entities (one query, nothing resolved),
    are the groups the page's resolution of the same records finds; a pair is explained on demand with
    the stored model, and its explanation adds up to the listed score."""
    from workbench.network.graph import party_frame
    from workbench.network.incremental import stored_resolution
    from workbench.network.resolve import match_explanation, resolve
    from workbench.network.store_graph import entities_current, stored_groups

    folder, known = first_batch
    store = open_store(store_url)
    assert import_path(folder, store).status == "accepted"
    assert not entities_current(store, "persons")  # never resolved: the page resolves
    # the command line resolves what is pending: the first time, the whole store
    done = workbench_cli("graph-index", "resolve", db=store.url)
    assert done.returncode == 0, done.stderr
    assert "resolved in full" in done.stdout
    assert entities_current(store, "persons")
    status = workbench_cli("graph-index", "status", db=store.url)
    assert "entities: 0 persons and 0 companies pending resolution" in status.stdout

    old = resolve(party_frame(store, "persons", personal_allowed=True), "person").assignments
    groups = {frozenset(g) for _e, g in old.groupby("entity_id")["record_key"] if len(g) >= 2}
    table = stored_groups(store, "persons")
    res = stored_resolution(store, "person", table)
    stored = {frozenset(g) for _e, g in res.assignments.groupby("entity_id")["record_key"]}
    assert groups and stored == groups
    assert res.matches["linked"].all() and len(res.matches) == len(table) - len(groups)
    pair = res.matches.iloc[-1]
    why = match_explanation(res, int(pair["left"]), int(pair["right"]))
    assert abs(float(why["probability"].iloc[-1]) - float(pair["score"])) < 1e-3

    assert import_path(_second(known, tmp_path / "second"), store).status == "accepted"
    assert not entities_current(store, "persons")  # records wait for resolution: the page resolves


def test_the_duplicates_page_opens_on_the_stored_groups(store_copy: str, open_app, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """With the store resolved, the Duplicates page opens on the linked groups without resolving the
    filter (the resolver is not called), lists them and explains the first pair field by field."""
    from workbench.network import resolve as resolver

    rebuild_graph(open_store(store_copy), resolve=True)

    def refused(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("the page resolved the filter again")

    monkeypatch.setattr(resolver, "resolve", refused)
    app = open_app(store_copy, "pages/entities.py", timeout=120)
    assert not app.exception, app.exception
    assert app.selectbox(key="dup_show").value == "linked"
    shown = app.dataframe[0].value
    assert len(shown) and shown["Linked"].all()
    evidence = next(d.value for d in app.dataframe if "Bayes factor" in d.value.columns)
    assert "Name" in evidence["Field"].tolist()
    assert any(m.value.startswith("**Match score") for m in app.markdown)
