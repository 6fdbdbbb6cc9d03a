"""The connector contract: the same scenario through every connector gives the same submission.

The scenario (tests/connectors/conftest.py) has one bad case (an impossible date), an item of a good
case, a column the format does not know, and typed values where the source has types (SQL). Each
source is imported into a fresh store; the outcome must be the same: the same rows accepted and
refused (naming table, row and column), the same stored values, the unknown column kept as extra,
and the same content again is a duplicate submission.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from connectors import load, open_connector
from connectors.access import mdbtools_available
from workbench.exchange_io import write_dataset
from workbench.ingest import ingest_dataset
from workbench.queries import load_cases, load_items
from workbench.store import open_store

ACCESS_FIXTURES = Path(__file__).parent / "fixtures"


def _sql_tables(url: str, scenario: dict[str, pd.DataFrame]) -> None:
    eng = sa.create_engine(url)
    cases = scenario["cases"].rename(columns={"case_id": "case_id"})
    items = scenario["items"].astype({"item_no": int, "quantity": float})
    # the database's own table names: the connector is told which is which
    cases.to_sql("saisies", eng, index=False)
    items.to_sql("marchandises", eng, index=False)
    eng.dispose()


def _source(kind: str, scenario: dict[str, pd.DataFrame], tmp_path: Path, request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """(connector, row number of the first record)."""
    if kind == "csv":
        write_dataset(scenario, tmp_path / "ds")
        return open_connector(tmp_path / "ds"), 2
    if kind == "xlsx":
        write_dataset(scenario, tmp_path / "ds.xlsx")
        return open_connector(tmp_path / "ds.xlsx"), 2
    if kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'source.db'}"
        _sql_tables(url, scenario)
        return open_connector(url, tables={"cases": "saisies", "items": "marchandises"}), 1
    if kind == "postgresql":
        url = request.getfixturevalue("pg_url")
        _sql_tables(url, scenario)
        return open_connector(url, tables={"cases": "saisies", "items": "SELECT * FROM marchandises"}), 1
    if kind == "access":
        fixture = ACCESS_FIXTURES / "scenario.mdb"
        if not fixture.exists() or not mdbtools_available():
            pytest.skip("no real Access file of the scenario (see docs/connectors.md: Access test files)")
        shutil.copy(fixture, tmp_path / "scenario.mdb")
        return open_connector(tmp_path / "scenario.mdb"), 2
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", ["csv", "xlsx", "sqlite", "postgresql", "access"])
def test_the_same_scenario_through_every_connector(
    kind: str, scenario: dict[str, pd.DataFrame], tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    conn, first = _source(kind, scenario, tmp_path, request)
    assert conn.kind in ("csv", "xlsx", "sql", "access")
    raw = load(conn)
    assert set(raw.tables) == {"cases", "items"}
    store = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    rep = ingest_dataset(raw, store, chunk_rows=2)  # several chunks, even for four rows
    assert rep.status == "partial"
    assert rep.accepted == {"cases": 3, "items": 4} and rep.rejected == {"cases": 1, "items": 0}
    (bad,) = rep.rejections
    assert (bad.table, bad.row, bad.column) == ("cases", first + 2, "seizure_date")
    assert bad.where  # names the file / sheet / table
    assert any("local_ref" in n for n in rep.notices)
    cases = load_cases(store).sort_values("case_id").reset_index(drop=True)
    assert cases["case_id"].tolist() == ["K1", "K2", "K4"]
    assert cases["latitude"].tolist()[0] == pytest.approx(40.47) and pd.isna(cases["latitude"][1])
    assert str(cases["seizure_date"][2].date()) == "2024-03-12"
    items = load_items(store).sort_values(["case_id", "item_no"])
    assert items["quantity"].tolist() == [2.5, 1200.0, 500000.0, 30.0]
    assert items["item_no"].tolist() == [1, 1, 2, 1]
    with store.engine.connect() as c:
        extra = c.execute(sa.text("select extra from cases where case_id = 'K4'")).scalar_one()
    assert json.loads(extra) == {"local_ref": "NL-10"}
    # the same content again changes nothing
    again = ingest_dataset(load(conn), store)
    assert again.status == "duplicate"
    assert store.counts()["cases"] == 3
