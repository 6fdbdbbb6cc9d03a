"""Analysis frames: the store read once into compact columnar DataFrames that every analysis shares.

Routes, trends, risk back-tests and briefings all work on the same two shapes:

- :func:`seizure_frame`: one row per seized item with its case's fields beside it (a case without
  items gives one row with blank commodity fields), so that counts of *cases* are
  ``frame.drop_duplicates("case_key")`` or ``nunique`` and sums of *quantity* are per ``unit``;
- :func:`case_frame`: one row per case.

Low-cardinality text columns (codes, enumerations, commodity names) are categoricals, dates are
``datetime64``, and ``case_key`` (``"FR:FR-2024-000123"``) identifies a case across tables. Callers in
the app cache these frames (``workbench.ui``) keyed by the store URL and the filter; the core keeps no
cache of its own.

Examples
--------
>>> from workbench.store import open_store
>>> store = open_store("sqlite://")
>>> seizure_frame(store).columns[:4].tolist()
['case_key', 'case_id', 'reporting_country', 'seizure_date']
>>> len(case_frame(store))
0
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa

from workbench.filters import CaseFilter
from workbench.schema import FORMAT
from workbench.store import DATA_TABLES, Store

__all__ = [
    "seizure_frame",
    "case_frame",
    "read_frame",
    "read_arrow",
    "CASE_COLUMNS",
    "ITEM_COLUMNS",
    "compact",
]

CASES = DATA_TABLES["cases"]
ITEMS = DATA_TABLES["items"]

#: Case columns in the frames (the exchange format's, without free text that analysis does not use).
CASE_COLUMNS: tuple[str, ...] = tuple(c for c in FORMAT.table("cases").column_names if c not in ("remarks",))
#: Item columns added by :func:`seizure_frame`.
ITEM_COLUMNS: tuple[str, ...] = (
    "item_no",
    "commodity_category",
    "commodity_type",
    "hs_code",
    "quantity",
    "unit",
    "estimated_value_usd",
)
_TEXT_KEEP = {"case_id", "place_name", "conveyance_id", "transit_countries", "case_key", "hs_code"}


def compact(df: pd.DataFrame) -> pd.DataFrame:
    """Codes and enumerations as categoricals, dates as datetime64: a third of the memory, faster groupby."""
    out = {}
    for c in df.columns:
        s = df[c]
        if c.endswith("_date"):
            out[c] = pd.to_datetime(s, errors="coerce")
        elif c in ("latitude", "longitude", "quantity", "estimated_value_usd"):
            out[c] = pd.to_numeric(s, errors="coerce").astype("float64")
        elif c == "item_no":
            out[c] = pd.to_numeric(s, errors="coerce").astype("Int64")
        elif c in _TEXT_KEEP:
            out[c] = s.astype("string")
        else:
            out[c] = s.astype("category")
    return pd.DataFrame(out, index=df.index)


def read_arrow(store: Store, stmt: sa.Select[Any]) -> Any:
    """Run ``stmt`` and return a ``pyarrow.Table``, through ADBC where the store allows it.

    SQLite files and PostgreSQL are read with the ADBC drivers (columnar, about 7x faster than row
    fetching through SQLAlchemy on a million rows: see ``benchmarks/bench_core.py``); other stores,
    in-memory SQLite, or a missing driver fall back to SQLAlchemy. Filter values are rendered as SQL
    literals by SQLAlchemy's own quoting.
    """
    import pyarrow as pa

    url = store.engine.url
    sql = None
    connect = None
    if store.dialect == "sqlite" and url.database not in (None, "", ":memory:"):
        try:
            import adbc_driver_sqlite.dbapi as adbc_sqlite

            # read-only URI: a read-write ADBC connection (its own SQLite copy) deletes the WAL file on
            # close while SQLAlchemy's connections still write to it, and those writes are lost
            ro_uri = Path(str(url.database)).resolve().as_uri() + "?mode=ro"
            connect = lambda: adbc_sqlite.connect(ro_uri)  # noqa: E731
        except ImportError:
            connect = None
    elif store.dialect == "postgresql":
        try:
            import adbc_driver_postgresql.dbapi as adbc_pg

            pg_url = url.set(drivername="postgresql").render_as_string(hide_password=False)
            connect = lambda: adbc_pg.connect(pg_url)  # noqa: E731
        except ImportError:
            connect = None
    if connect is not None:
        sql = str(stmt.compile(dialect=store.engine.dialect, compile_kwargs={"literal_binds": True}))
        with connect() as conn, conn.cursor() as cur:
            cur.execute(sql)
            return cur.fetch_arrow_table()
    with store.engine.connect() as conn:
        res = conn.execute(stmt)
        cols = list(res.keys())
        rows = res.fetchall()
    return (
        pa.Table.from_pylist([dict(zip(cols, r, strict=True)) for r in rows])
        if rows
        else pa.table({c: pa.array([], pa.null()) for c in cols})
    )


def read_frame(store: Store, stmt: sa.Select[Any]) -> pd.DataFrame:
    """:func:`read_arrow` as a compact DataFrame (see :func:`compact`)."""
    table = read_arrow(store, stmt)
    df = table.to_pandas()
    return compact(df)


def _frame(store: Store, stmt: sa.Select[Any]) -> pd.DataFrame:
    df = read_frame(store, stmt)
    key = df["reporting_country"].astype("string") + ":" + df["case_id"].astype("string")
    df.insert(0, "case_key", key)
    return df


def case_frame(
    store: Store, flt: CaseFilter | None = None, columns: tuple[str, ...] = CASE_COLUMNS
) -> pd.DataFrame:
    """One row per case matching ``flt`` (see the module docstring)."""
    flt = flt or CaseFilter()
    cols = list(dict.fromkeys(("case_id", "reporting_country", *columns)))
    return _frame(store, flt.to_sql(sa.select(*[CASES.c[c] for c in cols])))


def seizure_frame(
    store: Store, flt: CaseFilter | None = None, columns: tuple[str, ...] = CASE_COLUMNS
) -> pd.DataFrame:
    """One row per item of the cases matching ``flt``, with the case's ``columns`` beside it.

    Only items of the filtered commodity categories/types are kept when the filter names any (a case
    with cocaine and cash, filtered on drugs, contributes its cocaine row only).
    """
    flt = flt or CaseFilter()
    cols = list(dict.fromkeys(("case_id", "reporting_country", *columns)))
    join = sa.and_(ITEMS.c.reporting_country == CASES.c.reporting_country, ITEMS.c.case_id == CASES.c.case_id)
    if flt.commodity_categories:
        join = sa.and_(join, ITEMS.c.commodity_category.in_(flt.commodity_categories))
    if flt.commodity_types:
        join = sa.and_(join, ITEMS.c.commodity_type.in_(flt.commodity_types))
    stmt = sa.select(*[CASES.c[c] for c in cols], *[ITEMS.c[c] for c in ITEM_COLUMNS]).select_from(
        CASES.outerjoin(ITEMS, join)
    )
    return _frame(store, flt.to_sql(stmt))
