"""The import's bulk path: rows written through the driver (SQLite executemany, PostgreSQL COPY), the
SQLite page cache widened for the transaction and restored, and nothing left by a failed import."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from workbench.exchange import ingest
from workbench.exchange.files import write_dataset
from workbench.exchange.ingest import ImportFailed, import_path
from workbench.sample.generator import generate
from workbench.store import open_store
from workbench.store.database import BULK_CACHE_KIB, bulk_insert, bulk_write
from workbench.store.models import DATA_TABLES
from workbench.store.search import SEARCH_ENTRIES, SEARCH_KEYS, refresh_search_index


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("tiny") / "ds"
    write_dataset(generate(40, seed=3).tables, d)
    return d


def _snapshot(url: str) -> dict[str, list[tuple]]:
    """Every row of the data tables and of the search index, without surrogate ids, sorted."""
    eng = sa.create_engine(url)
    out: dict[str, list[tuple]] = {}
    with eng.connect() as conn:
        for name, t in DATA_TABLES.items():
            cols = [c for c in t.columns if c.name != "id"]
            out[name] = sorted(map(tuple, conn.execute(sa.select(*cols))), key=repr)
        e, k = SEARCH_ENTRIES, SEARCH_KEYS
        out["search"] = sorted(
            map(
                tuple,
                conn.execute(
                    sa.select(
                        e.c.kind,
                        e.c.value,
                        e.c.normal,
                        e.c.node,
                        e.c.record_id,
                        e.c.personal,
                        k.c.field,
                        k.c.key,
                    ).select_from(e.join(k, k.c.entry_id == e.c.id))
                ),
            ),
            key=repr,
        )
    eng.dispose()
    return out


def test_bulk_insert_sends_what_sqlalchemy_sends(store_url: str) -> None:
    """The driver path (executemany on SQLite, COPY on PostgreSQL) stores the same values as
    SQLAlchemy's insert: dates, floats from ints, booleans, NULLs, quotes and tabs in text."""
    store = open_store(store_url)
    t = DATA_TABLES["cases"]
    rows = {
        "case_id": ["B1", "B2"],
        "reporting_country": ["FR", "NG"],
        "seizure_date": [dt.date(2024, 1, 2), dt.date(2023, 12, 31)],
        "latitude": [1, None],
        "remarks": ['tab\there "quoted" \\ back', None],
    }
    with store.engine.begin() as conn:
        bulk_insert(conn, t, rows)
        conn.execute(
            sa.insert(t),
            [{**{k: v[i] for k, v in rows.items()}, "case_id": f"S{i + 1}"} for i in range(2)],
        )
    cols = [t.c.seizure_date, t.c.latitude, t.c.remarks]
    with store.engine.connect() as conn:
        got = {r[0]: tuple(r[1:]) for r in conn.execute(sa.select(t.c.case_id, *cols))}
    assert got["B1"] == got["S1"] == (dt.date(2024, 1, 2), 1.0, 'tab\there "quoted" \\ back')
    assert got["B2"] == got["S2"] == (dt.date(2023, 12, 31), None, None)
    store.engine.dispose()


def test_bulk_write_widens_the_sqlite_cache_and_restores_it(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 's.db'}")
    with store.engine.begin() as conn:
        before = conn.exec_driver_sql("PRAGMA cache_size").scalar()
        with bulk_write(conn):
            assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == -BULK_CACHE_KIB
        assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == before
    store.engine.dispose()


def test_import_gives_the_index_a_rebuild_gives(store_url: str, tiny_dir: Path) -> None:
    """Rows written in bulk and the search index refreshed once at the end of the transaction hold
    what a full rebuild of the index from the stored rows holds."""
    store = open_store(store_url)
    report = import_path(tiny_dir, store)
    assert report.status == "accepted"
    after_import = _snapshot(store_url)
    assert after_import["search"] and after_import["cases"]
    with store.engine.begin() as conn:
        refresh_search_index(conn, rebuild=True)
    assert _snapshot(store_url) == after_import
    store.engine.dispose()


def test_a_failed_bulk_import_leaves_the_store_as_it_was(
    store_url: str, tiny_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second import fails after every row and the search index were written in bulk: nothing of it
    stays (data rows, index), on SQLite and PostgreSQL, and SQLite's pool gets its cache back."""
    store = open_store(store_url)
    import_path(tiny_dir, store)
    before = _snapshot(store_url)
    more = generate(30, seed=11).tables
    more["cases"] = more["cases"].assign(case_id="X" + more["cases"]["case_id"].astype(str))
    for name in ("items", "persons", "companies"):
        more[name] = more[name].assign(case_id="X" + more[name]["case_id"].astype(str))
    write_dataset(more, tmp_path / "more")

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the summaries failed")

    monkeypatch.setattr(ingest, "refresh_summaries", broken)
    with pytest.raises(ImportFailed, match="nothing was stored"):
        import_path(tmp_path / "more", store)
    assert _snapshot(store_url) == before
    if store.dialect == "sqlite":
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == -2000
    store.engine.dispose()


def test_update_of_stored_cases_keeps_their_values(tmp_path: Path) -> None:
    """Cases that come again are updated (not inserted in bulk): the second import's values win."""
    store = open_store(f"sqlite:///{tmp_path / 's.db'}")
    cases = pd.DataFrame(
        {"case_id": ["A1"], "reporting_country": ["FR"], "seizure_date": ["2024-01-02"], "remarks": ["one"]}
    )
    items = pd.DataFrame(
        {
            "case_id": ["A1"],
            "reporting_country": ["FR"],
            "item_no": [1],
            "commodity_category": ["drugs"],
            "commodity_type": ["cocaine"],
            "quantity": [2.5],
            "unit": ["kg"],
        }
    )
    write_dataset({"cases": cases, "items": items}, tmp_path / "a")
    write_dataset({"cases": cases.assign(remarks="two"), "items": items}, tmp_path / "b")
    assert import_path(tmp_path / "a", store).status == "accepted"
    report = import_path(tmp_path / "b", store)
    assert (report.inserted["cases"], report.updated["cases"]) == (0, 1)
    t = DATA_TABLES["cases"]
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(t.c.remarks)).scalars().all() == ["two"]
    store.engine.dispose()


def _graph(conn: sa.Connection) -> list[tuple]:
    """Every stored link by its ends' node ids (row ids differ between builds), sorted."""
    from workbench.store.entity_graph import GRAPH_EDGES, GRAPH_NODES

    a, b = GRAPH_NODES.alias("a"), GRAPH_NODES.alias("b")
    e = GRAPH_EDGES
    stmt = sa.select(a.c.node_id, b.c.node_id, e.c.relation, e.c.case_ref, e.c.personal).select_from(
        e.join(a, a.c.id == e.c.src).join(b, b.c.id == e.c.dst)
    )
    return sorted(map(tuple, conn.execute(stmt)), key=repr)


def test_a_graph_rebuild_indexes_what_it_wrote(store_url: str, tiny_dir: Path) -> None:
    """A whole rebuild writes the edges before indexing them: after it, the indexes the readers use are
    there again and the links are those the import wrote (personal ends marked), on both engines."""
    from workbench.store.entity_graph import GRAPH_EDGES, GRAPH_NODES, rebuild_graph_tables

    store = open_store(store_url)
    assert import_path(tiny_dir, store).status == "accepted"
    with store.engine.connect() as conn:
        imported = _graph(conn)
    assert imported and any(row[4] for row in imported) and not all(row[4] for row in imported)
    with store.engine.begin() as conn:
        rebuild_graph_tables(conn)
    with store.engine.connect() as conn:
        assert _graph(conn) == imported
        inspector = sa.inspect(conn)
        for table in (GRAPH_EDGES, GRAPH_NODES):
            names = {ix["name"] for ix in inspector.get_indexes(table.name)}
            assert {ix.name for ix in table.indexes} <= names
    store.engine.dispose()
