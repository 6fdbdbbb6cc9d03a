"""Any SQL database through a SQLAlchemy URL: a table or a query per exchange-format table.

Rows are streamed (server-side cursors where the driver has them) in chunks, so a big table imports
in bounded memory. Messages name the database (password hidden), the table or query, and the row
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
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from typing import Any

import pandas as pd
import sqlalchemy as sa

from workbench.exchange.files import ROW, DatasetReadError, RawDataset, RawTable

__all__ = ["SqlConnector"]


def _is_query(spec: str) -> bool:
    return spec.lstrip().lower().startswith(("select ", "with ", "select\n", "with\n"))


class SqlConnector:
    """Tables or queries of a SQL database (SQLite, PostgreSQL, anything SQLAlchemy reaches).

    ``tables`` maps an exchange table (or any name a mapping profile uses) to a database table
    (``schema.table`` allowed) or a ``SELECT`` query. Without it, every table of the database is
    offered under its own name.
    """

    kind = "sql"

    def __init__(self, url: str | sa.Engine, *, tables: Mapping[str, str] | None = None) -> None:
        self.engine = url if isinstance(url, sa.Engine) else sa.create_engine(url)
        self.name = self.engine.url.render_as_string(hide_password=True)
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
            return sa.text(spec), f"query {spec.strip()[:60]!r}"
        schema, _, table = spec.rpartition(".")
        if schema:
            insp = sa.inspect(self.engine)
            if not insp.has_table(table, schema=schema):
                raise DatasetReadError(f"{self.name}: table {spec!r} does not exist (schema {schema!r})")
            t = sa.table(table, schema=schema)
            return sa.select(sa.text("*")).select_from(t), f"table {spec!r}"
        real = known.get((None, table.lower()))
        if real is None:
            there = ", ".join(sorted(v for v in known.values())[:30]) or "none"
            raise DatasetReadError(f"{self.name}: table {spec!r} does not exist; tables there: {there}")
        return sa.select(sa.text("*")).select_from(sa.table(real)), f"table {real!r}"

    def _table(self, name: str, stmt: Any, label: str) -> RawTable:
        engine = self.engine
        where = f"{self.name}, {label}"
        try:
            with engine.connect() as c:
                res = c.execute(stmt if _is_text(stmt) else stmt.limit(0))
                columns = [str(k) for k in res.keys()]
                res.close()
                count_stmt = sa.select(sa.func.count()).select_from(
                    stmt.subquery() if not _is_text(stmt) else sa.text(f"({stmt.text}) AS q")
                )
                approx = int(c.execute(count_stmt).scalar_one())
        except sa.exc.DBAPIError as e:
            raise DatasetReadError(
                f"{where}: cannot be read ({str(e.orig).strip().splitlines()[0]})"
            ) from None

        def chunks(rows: int) -> Iterator[pd.DataFrame]:
            start = 1
            try:
                with engine.connect() as c:
                    res = c.execution_options(stream_results=True, max_row_buffer=rows).execute(stmt)
                    for part in res.partitions(rows):
                        df = pd.DataFrame([tuple(r) for r in part], columns=columns, dtype=object)
                        df.insert(0, ROW, range(start, start + len(df)))
                        start += len(df)
                        yield df
            except sa.exc.DBAPIError as e:
                raise DatasetReadError(
                    f"{where}, after row {start - 1}: cannot be read ({str(e.orig).strip().splitlines()[0]})"
                ) from None

        return RawTable(name, None, where, chunks=chunks, columns=columns, approx_rows=approx, header_row=0)

    def read_source(self) -> RawDataset:
        try:
            known = self._table_names()
        except sa.exc.DBAPIError as e:
            raise DatasetReadError(f"{self.name}: cannot connect ({str(e.orig).strip()})") from None
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
