"""The connector contract: the same scenario through every connector gives the same submission.

The scenario (tests/connectors/conftest.py) has one bad case (an impossible date), an item of a good
case, a column the format does not know, and typed values where the source has types (SQL). Each
source is imported into a fresh store; the outcome must be the same: the same rows accepted and
refused (naming table, row and column), the same stored values, the unknown column kept as extra,
and the same content again is a duplicate submission.

Access files are written by the tests' own Jet 4 / ACE writer (tests/connectors/jet4.py: no tool
here writes Access files) and read by the connector through mdbtools, and through access-parser, an
independent reader, so a file that is not valid Access fails.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from connectors import Connector, load, open_connector
from connectors.access import mdbtools_available
from tests.conftest import skip_or_fail
from tests.connectors.jet4 import DOUBLE, LONG, TEXT, write_access
from workbench.exchange.files import write_dataset
from workbench.exchange.ingest import ingest_dataset
from workbench.store import open_store
from workbench.store.queries import load_cases, load_items


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
    if kind.startswith("access"):
        suffix, backend = {
            "access-mdb": (".mdb", "mdbtools"),
            "access-accdb": (".accdb", "mdbtools"),
            "access-parser": (".mdb", "access_parser"),
        }[kind]
        if backend == "mdbtools" and not mdbtools_available():
            skip_or_fail("mdbtools is not installed (apt-get install mdbtools)")
        path = _access_file(
            scenario, tmp_path / f"scenario{suffix}", "ace12" if suffix == ".accdb" else "jet4"
        )
        conn = open_connector(path)
        conn.backend = backend  # type: ignore[attr-defined]
        return conn, 2
    raise AssertionError(kind)


def _access_file(scenario: dict[str, pd.DataFrame], path: Path, version: str) -> Path:
    """The scenario as a real Access database: text, double and long columns, blanks as NULL."""
    types = {
        "cases": {c: (DOUBLE if c == "latitude" else TEXT) for c in scenario["cases"].columns},
        "items": {
            c: (LONG if c == "item_no" else DOUBLE if c == "quantity" else TEXT)
            for c in scenario["items"].columns
        },
    }
    tables = {}
    for name, df in scenario.items():
        rows = [
            [
                None
                if v == ""
                else (float(v) if types[name][c] == DOUBLE else int(v) if types[name][c] == LONG else v)
                for c, v in zip(df.columns, rec, strict=True)
            ]
            for rec in df.itertuples(index=False)
        ]
        tables[name] = (types[name], rows)
    write_access(path, tables, version=version)
    return path


@pytest.mark.parametrize(
    "kind", ["csv", "xlsx", "sqlite", "postgresql", "access-mdb", "access-accdb", "access-parser"]
)
def test_the_same_scenario_through_every_connector(
    kind: str, scenario: dict[str, pd.DataFrame], tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    conn, first = _source(kind, scenario, tmp_path, request)
    assert isinstance(conn, Connector) and conn.kind in ("csv", "xlsx", "sql", "access")
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


def test_an_access_database_with_its_own_layout_imports_through_a_mapping(tmp_path: Path) -> None:
    """Access tables with their own names and French headers, dates as Date/Time: suggested mapping."""
    import datetime as dt

    from connectors.mapping import apply_mapping, suggest_mapping
    from tests.connectors.jet4 import DATETIME

    types = {
        "N° dossier": TEXT,
        "Pays déclarant": TEXT,
        "Date de saisie": DATETIME,
        "Marchandise": TEXT,
        "Quantité": DOUBLE,
        "Unité": TEXT,
    }
    rows = [
        ["D-1", "Sénégal", dt.date(2024, 4, 2), "Cocaïne", 1.25, "kg"],
        ["D-2", "Sénégal", dt.date(2024, 4, 9), "Résine de cannabis", 40.0, "kilogrammes"],
    ]
    path = write_access(tmp_path / "cen.accdb", {"tblSaisies": (types, rows)}, version="ace12")
    source = open_connector(path).read_source()
    assert list(source.tables) == ["tblSaisies"]
    profile = suggest_mapping(source)
    store = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    rep = ingest_dataset(apply_mapping(source, profile), store)
    assert rep.status == "accepted", rep.rejections
    cases = load_cases(store).sort_values("case_id")
    assert cases["reporting_country"].tolist() == ["SN", "SN"]
    assert [d.date().isoformat() for d in cases["seizure_date"]] == ["2024-04-02", "2024-04-09"]
    items = load_items(store).sort_values("case_id")
    assert items[["commodity_type", "quantity", "unit"]].values.tolist() == [
        ["cocaine", 1.25, "kg"],
        ["cannabis_resin", 40.0, "kg"],
    ]
