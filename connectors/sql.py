"""Any SQL database through a SQLAlchemy URL: a table or a query per exchange-format table.

Rows are streamed (server-side cursors where the driver has them) in chunks, so a big table imports
in bounded memory.

The source is only ever read. A query must be exactly one ``SELECT`` (parsed with sqlglot in the
database's dialect): ``INSERT``, ``UPDATE``, ``DELETE``, ``MERGE``, DDL, ``SELECT ... INTO``, a ``WITH``
that wraps or holds a data-modifying statement, and several statements are refused before anything is
sent (:class:`UnsafeQuery`, a :class:`DatasetReadError`). The connection is read-only where the driver
allows it as well: SQLite files are opened with ``mode=ro`` and ``PRAGMA query_only``; PostgreSQL and
MySQL run every transaction ``READ ONLY``. Messages name the database (password hidden), the table or query, and the row
(the record's position in the result, 1 = first record).

Examples
--------
>>> import sqlalchemy as sa
>>> eng = sa.create_engine("sqlite://")
>>> with eng.begin() as c:
...     _ = c.execute(sa.text("create table saisies (case_id text, reporting_country text, seizure_date text)"))
...     _ = c.execute(sa.text("insert into saisies values ('A1', 'FR', '2024-01-02')"))
>>> conn = SqlConnector(eng, tables={"cases": "saisies"})
>>> t = conn.read_source().tables["cases"]
>>> t.where, t.frame["case_id"].tolist()
("sqlite://, table 'saisies'", ['A1'])
>>> check_select("WITH x AS (SELECT 1) DELETE FROM saisies RETURNING *", "sqlite")
Traceback (most recent call last):
...
connectors.sql.UnsafeQuery: the query is a DELETE statement; a source is only read: give one SELECT query (or a table name)
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import pandas as pd
import sqlalchemy as sa

from workbench.exchange.files import ROW, DatasetReadError, RawDataset, RawTable
from workbench.i18n import _

__all__ = ["SqlConnector", "UnsafeQuery", "check_select", "read_only"]


class UnsafeQuery(DatasetReadError):
    """A query that is not exactly one SELECT: refused before anything is sent to the database."""


def _is_query(spec: str) -> bool:
    """A query rather than a table name: it starts like one, or holds blanks or ``;`` that no table
    name of ``schema.table`` form has."""
    s = spec.strip()
    return s.lower().startswith(("select", "with", "(")) or any(ch.isspace() or ch == ";" for ch in s)


#: SQLAlchemy dialect name -> sqlglot dialect
_SQLGLOT_DIALECT = {"postgresql": "postgres", "mssql": "tsql", "mysql": "mysql", "mariadb": "mysql"}


def check_select(sql: str, dialect: str = "") -> None:
    """Raise :class:`UnsafeQuery` unless ``sql`` is exactly one ``SELECT`` (or a set operation of
    SELECTs) that neither writes nor creates anything.

    >>> check_select("select case_id from saisies where seizure_date >= '2024-01-01'", "sqlite")
    >>> check_select("SELECT 1; DROP TABLE saisies", "sqlite")
    Traceback (most recent call last):
    ...
    connectors.sql.UnsafeQuery: the query holds 2 statements; give exactly one SELECT query
    """
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import SqlglotError

    read = _SQLGLOT_DIALECT.get(dialect, dialect) or None
    try:
        statements = [s for s in sqlglot.parse(sql, read=read) if s is not None]
    except SqlglotError as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise UnsafeQuery(
            _("the query cannot be read as one SELECT statement ({first})", first=first[:160])
        ) from None
    if len(statements) != 1:
        raise UnsafeQuery(
            _("the query holds {n} statements; give exactly one SELECT query", n=len(statements))
        )
    (stmt,) = statements
    writes = (exp.Insert, exp.Update, exp.Delete, exp.Merge, exp.Create, exp.Drop, exp.Alter, exp.Command)
    writes += tuple(
        getattr(exp, n) for n in ("TruncateTable", "Copy", "Grant", "Set", "Use") if hasattr(exp, n)
    )
    if not isinstance(stmt, exp.Select | exp.SetOperation):
        kind = stmt.key.upper()
        raise UnsafeQuery(
            _(
                "the query is a {kind} statement; a source is only read: give one SELECT query "
                "(or a table name)",
                kind=kind,
            )
        )
    for node in stmt.walk():
        if isinstance(node, writes):
            raise UnsafeQuery(
                _(
                    "the query holds a {key} statement (in a WITH or a subquery); a source is only "
                    "read: give one SELECT query",
                    key=node.key.upper(),
                )
            )
        if isinstance(node, exp.Select) and node.args.get("into") is not None:
            raise UnsafeQuery(
                _("the query is a SELECT ... INTO, which creates a table; give a plain SELECT query")
            )
        if isinstance(node, exp.Lock):
            raise UnsafeQuery(_("the query locks rows (FOR UPDATE/FOR SHARE); give a plain SELECT query"))


def _read_only_url(url: sa.URL) -> sa.URL:
    """A SQLite file opened read-only (``mode=ro``): the driver refuses every write."""
    db = url.database or ""
    if url.get_backend_name() != "sqlite" or not db or db == ":memory:" or db.startswith("file:"):
        return url
    from urllib.parse import quote

    return url.set(database=f"file:{quote(db)}?mode=ro", query={**url.query, "uri": "true"})


@contextmanager
def read_only(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A connection of ``engine`` on which the database refuses writes, as far as its driver lets us say
    so: ``PRAGMA query_only`` (SQLite), a ``READ ONLY`` transaction (PostgreSQL, MySQL)."""
    with engine.connect() as c:
        name = engine.dialect.name
        if name == "sqlite":
            c.exec_driver_sql("PRAGMA query_only = ON")
        elif name == "postgresql":
            c.exec_driver_sql("SET TRANSACTION READ ONLY")
        elif name in ("mysql", "mariadb"):
            c.exec_driver_sql("START TRANSACTION READ ONLY")
        try:
            yield c
        finally:
            if name == "sqlite":
                c.rollback()
                c.exec_driver_sql("PRAGMA query_only = OFF")  # the pool may hand this connection on


class SqlConnector:
    """Tables or queries of a SQL database (SQLite, PostgreSQL, anything SQLAlchemy reaches).

    ``tables`` maps an exchange table (or any name a mapping profile uses) to a database table
    (``schema.table`` allowed) or a ``SELECT`` query. Without it, every table of the database is
    offered under its own name.
    """

    kind = "sql"

    def __init__(self, url: str | sa.Engine, *, tables: Mapping[str, str] | None = None) -> None:
        if isinstance(url, sa.Engine):
            self.engine = url
            self.name = url.url.render_as_string(hide_password=True)
        else:
            given = sa.make_url(url)
            self.name = given.render_as_string(hide_password=True)
            self.engine = sa.create_engine(_read_only_url(given))
        self.specs = dict(tables or {})

    def _table_names(self) -> dict[tuple[str | None, str], str]:
        insp = sa.inspect(self.engine)
        found: dict[tuple[str | None, str], str] = {}
        for t in insp.get_table_names():
            found[(None, t.lower())] = t
        for v in insp.get_view_names():
            found[(None, v.lower())] = v
        return found

    def _selectable(self, spec: str, known: dict[tuple[str | None, str], str]) -> tuple[Any, str]:
        if _is_query(spec):
            label = f"query {spec.strip()[:60]!r}"
            try:
                check_select(spec, self.engine.dialect.name)
            except UnsafeQuery as e:
                raise UnsafeQuery(_("{name}, {label}: {e}", name=self.name, label=label, e=e)) from None
            return sa.text(spec.strip().rstrip(";")), label
        schema, _dot, table = spec.rpartition(".")
        if schema:
            insp = sa.inspect(self.engine)
            if not insp.has_table(table, schema=schema):
                raise DatasetReadError(
                    _(
                        "{name}: table {spec!r} does not exist (schema {schema!r})",
                        name=self.name,
                        spec=spec,
                        schema=schema,
                    )
                )
            t = sa.table(table, schema=schema)
            return sa.select(sa.text("*")).select_from(t), f"table {spec!r}"
        real = known.get((None, table.lower()))
        if real is None:
            there = ", ".join(sorted(v for v in known.values())[:30]) or "none"
            raise DatasetReadError(
                _(
                    "{name}: table {spec!r} does not exist; tables there: {there}",
                    name=self.name,
                    spec=spec,
                    there=there,
                )
            )
        return sa.select(sa.text("*")).select_from(sa.table(real)), f"table {real!r}"

    def _table(self, name: str, stmt: Any, label: str) -> RawTable:
        engine = self.engine
        where = f"{self.name}, {label}"
        try:
            with read_only(engine) as c:
                res = c.execute(stmt if _is_text(stmt) else stmt.limit(0))
                columns = [str(k) for k in res.keys()]
                res.close()
                count_stmt = sa.select(sa.func.count()).select_from(
                    stmt.subquery() if not _is_text(stmt) else sa.text(f"({stmt.text}) AS q")
                )
                approx = int(c.execute(count_stmt).scalar_one())
        except sa.exc.DBAPIError as e:
            raise DatasetReadError(
                _("{where}: cannot be read ({error})", where=where, error=str(e.orig).strip().splitlines()[0])
            ) from None

        def chunks(rows: int) -> Iterator[pd.DataFrame]:
            start = 1
            try:
                with read_only(engine) as c:
                    res = c.execution_options(stream_results=True, max_row_buffer=rows).execute(stmt)
                    for part in res.partitions(rows):
                        df = pd.DataFrame([tuple(r) for r in part], columns=columns, dtype=object)
                        df.insert(0, ROW, range(start, start + len(df)))
                        start += len(df)
                        yield df
            except sa.exc.DBAPIError as e:
                raise DatasetReadError(
                    _(
                        "{where}, after row {start}: cannot be read ({error})",
                        where=where,
                        start=start - 1,
                        error=str(e.orig).strip().splitlines()[0],
                    )
                ) from None

        return RawTable(name, None, where, chunks=chunks, columns=columns, approx_rows=approx, header_row=0)

    def read_source(self) -> RawDataset:
        try:
            known = self._table_names()
        except sa.exc.DBAPIError as e:
            raise DatasetReadError(
                _("{name}: cannot connect ({error})", name=self.name, error=str(e.orig).strip())
            ) from None
        specs = self.specs or {v: v for v in known.values()}
        tables: dict[str, RawTable] = {}
        for name, spec in specs.items():
            stmt, label = self._selectable(spec, known)
            tables[name] = self._table(name, stmt, label)
        return RawDataset(self.name, self.kind, tables, self._content_hash(tables))

    def _content_hash(self, tables: dict[str, RawTable]) -> str:
        """SHA-256 over the tables' names, columns and rows: the same content is the same submission."""
        h = hashlib.sha256(self.name.encode())
        for name, t in sorted(tables.items()):
            h.update(name.encode())
            h.update("\x1f".join(t.columns).encode())
            for df in t.iter_chunks(50_000):
                body = df.drop(columns=[ROW]).astype("string").fillna("\x00")
                h.update(pd.util.hash_pandas_object(body, index=False).to_numpy().tobytes())
        return h.hexdigest()


def _is_text(stmt: Any) -> bool:
    return isinstance(stmt, sa.TextClause)
