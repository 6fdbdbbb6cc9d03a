"""The SQL connector only ever reads its source: one SELECT is accepted, nothing else, and the
connection itself refuses writes where the driver allows it (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from connectors import load, open_connector
from connectors.sql import SqlConnector, UnsafeQuery, read_only
from workbench.cli import main
from workbench.exchange.files import DatasetReadError

from .conftest import CASES

GOOD = CASES.drop(index=2).reset_index(drop=True)
PERSONS = pd.DataFrame(
    {"person_id": ["P1", "P2"], "case_id": ["A1", "A2"], "last_name": ["PETROVIC", "DIALLO"]}
)

#: query -> what the message must say
REFUSED = {
    "WITH x AS (SELECT 1) DELETE FROM persons RETURNING *": "DELETE statement",
    "DELETE FROM persons": "DELETE statement",
    "UPDATE persons SET last_name = 'X'": "UPDATE statement",
    "INSERT INTO persons (person_id) VALUES ('P9')": "INSERT statement",
    "DROP TABLE persons": "DROP statement",
    "CREATE TABLE copy AS SELECT * FROM persons": "CREATE statement",
    "SELECT * FROM saisies; DELETE FROM persons": "2 statements",
    "select * from saisies;\ndrop table persons": "2 statements",
    "WITH gone AS (DELETE FROM persons RETURNING *) SELECT * FROM gone": "DELETE statement (in a WITH",
    "SELECT * INTO copy FROM persons": "SELECT ... INTO",
    "SELECT * FROM persons FOR UPDATE": "FOR UPDATE",
}


def _source(url: str) -> None:
    eng = sa.create_engine(url)
    GOOD.to_sql("saisies", eng, index=False, if_exists="replace")
    PERSONS.to_sql("persons", eng, index=False, if_exists="replace")
    eng.dispose()


def _persons(url: str) -> list[str]:
    eng = sa.create_engine(url)
    with eng.connect() as c:
        names = [r[0] for r in c.execute(sa.text("select last_name from persons order by person_id"))]
    eng.dispose()
    return names


@pytest.fixture(params=["sqlite", "postgresql"])
def source_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    url = (
        f"sqlite:///{tmp_path / 'src.db'}" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    )
    _source(url)
    return url


@pytest.mark.parametrize(("query", "message"), list(REFUSED.items()))
def test_only_one_select_is_accepted(source_url: str, query: str, message: str) -> None:
    if "FOR UPDATE" in query and source_url.startswith("sqlite"):
        pytest.skip("SQLite has no FOR UPDATE")
    conn = open_connector(source_url, tables={"cases": query})
    with pytest.raises(UnsafeQuery, match=re.escape(message)) as e:
        load(conn)
    assert "query" in str(e.value)
    assert _persons(source_url) == ["PETROVIC", "DIALLO"]


def test_cli_refuses_a_delete_in_a_with_and_the_source_keeps_its_rows(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'src.db'}"
    _source(url)
    store = f"sqlite:///{tmp_path / 'store.db'}"
    q = "cases=WITH x AS (SELECT 1) DELETE FROM persons RETURNING *"
    assert main(["import", url, "--table", q, "--db", store]) == 2
    err = capsys.readouterr().err
    assert "DELETE statement" in err and "give one SELECT query" in err
    assert _persons(url) == ["PETROVIC", "DIALLO"]


def test_a_select_still_imports(source_url: str) -> None:
    conn = open_connector(source_url, tables={"cases": "SELECT * FROM saisies WHERE case_id <> 'nothing';"})
    raw = load(conn)
    assert sorted(raw.tables["cases"].frame["case_id"]) == sorted(GOOD["case_id"])


def test_the_connection_itself_refuses_writes(source_url: str) -> None:
    """Beyond the parser: a write sent on the connector's connection fails in the database."""
    conn = SqlConnector(source_url)
    with pytest.raises(sa.exc.DBAPIError), read_only(conn.engine) as c:
        c.exec_driver_sql("DELETE FROM persons")
    assert _persons(source_url) == ["PETROVIC", "DIALLO"]


def test_sqlite_source_is_opened_read_only(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'src.db'}"
    _source(url)
    conn = SqlConnector(url)
    assert conn.engine.url.query.get("uri") == "true" and "mode=ro" in str(conn.engine.url.database)
    assert conn.name == url  # messages name the database as the user gave it
    with pytest.raises(sa.exc.OperationalError, match="readonly"), conn.engine.connect() as c:
        c.exec_driver_sql("DELETE FROM persons")


def test_postgresql_side_effect_in_a_select_is_refused_by_the_database(pg_url: str) -> None:
    """``nextval`` in a SELECT passes the parser; the read-only transaction stops it."""
    _source(pg_url)
    eng = sa.create_engine(pg_url)
    with eng.begin() as c:
        c.exec_driver_sql("CREATE SEQUENCE IF NOT EXISTS s")
    eng.dispose()
    conn = open_connector(pg_url, tables={"cases": "SELECT nextval('s') AS case_id"})
    with pytest.raises(DatasetReadError, match="read-only transaction"):
        load(conn)
