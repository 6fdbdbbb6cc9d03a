"""Analysis frames: the store read once into compact columnar DataFrames that every analysis shares.

Routes, trends, risk back-tests and briefings all work on the same two shapes:

- :func:`seizure_frame`: one row per seized item with its case's fields beside it (a case without
  items gives one row with blank commodity fields), so that counts of *cases* are
  ``frame.drop_duplicates("case_key")`` or ``nunique`` and sums of *quantity* are per ``unit``;
- :func:`case_frame`: one row per case.

:func:`workbench.exchange.seizures.read_seizure_frame` builds the same frame from files, without a store.

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

from collections.abc import Sequence
from typing import Any

import pandas as pd
import sqlalchemy as sa

from workbench.format.schema import FORMAT, FrameDtype
from workbench.i18n import _
from workbench.store import DATA_TABLES, Store
from workbench.store.filters import CaseFilter

__all__ = [
    "filter_seizure_frame",
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
CASE_COLUMNS: tuple[str, ...] = tuple(c.name for c in FORMAT.table("cases").columns if c.kind != "free_text")
#: Item columns added by :func:`seizure_frame` (the items' own, without the case key they repeat).
ITEM_COLUMNS: tuple[str, ...] = tuple(c.name for c in FORMAT.table("items").own_columns)


def compact(df: pd.DataFrame) -> pd.DataFrame:
    """Columns in the dtypes the format gives them (:attr:`workbench.format.schema.Column.frame_dtype`):
    codes and enumerations as categoricals, dates as datetime64, numbers as numbers: a third of the
    memory, faster groupby. ``case_key`` stays text; other columns the format does not know become
    categoricals."""
    out = {}
    for c in df.columns:
        s = df[c]
        dtype: FrameDtype = "string" if c == "case_key" else FORMAT.frame_dtypes.get(str(c), "category")
        if dtype.startswith("datetime64"):
            out[c] = pd.to_datetime(s, errors="coerce").astype(dtype)
        elif dtype in ("float64", "Int64"):
            out[c] = pd.to_numeric(s, errors="coerce").astype(dtype)
        else:
            out[c] = s.astype(dtype)
    return pd.DataFrame(out, index=df.index)


#: SQLite files at least this large are read in a helper process (see :func:`read_arrow`).
SUBPROCESS_MIN_BYTES = 64 * 1024**2

# The helper process: read one query with ADBC and write the Arrow table to a file.
_CHILD = """
import sys
import adbc_driver_sqlite.dbapi as adbc
import pyarrow as pa
sql = sys.stdin.read()
with adbc.connect(sys.argv[1]) as conn, conn.cursor() as cur:
    cur.execute(sql)
    table = cur.fetch_arrow_table()
with pa.OSFile(sys.argv[2], "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
    writer.write_table(table)
"""


def _rows_to_arrow(cols: list[str], rows: Sequence[Any]) -> Any:
    import pyarrow as pa

    if not rows:
        return pa.table({c: pa.array([], pa.null()) for c in cols})
    return pa.table({c: pa.array(v) for c, v in zip(cols, zip(*rows, strict=True), strict=True)})


def _sqlite_in_helper_process(path: str, sql: str) -> Any:
    import subprocess
    import sys
    import tempfile

    import pyarrow as pa

    with tempfile.TemporaryDirectory(prefix="wb-frame-") as tmp:
        out = f"{tmp}/frame.arrow"
        proc = subprocess.run(
            [sys.executable, "-c", _CHILD, path, out], input=sql, capture_output=True, text=True
        )
        if proc.returncode != 0:
            raise RuntimeError(
                _("reading {path} failed: {stderr}", path=path, stderr=proc.stderr.strip()[-2000:])
            )
        with pa.memory_map(out) as source:
            return pa.ipc.open_file(source).read_all()


def read_arrow(store: Store, stmt: sa.Select[Any]) -> Any:
    """Run ``stmt`` and return a ``pyarrow.Table``, columnar where the store allows it.

    - PostgreSQL: the ADBC driver (libpq, columnar).
    - SQLite files of :data:`SUBPROCESS_MIN_BYTES` or more: ADBC in a short-lived helper process,
      handing the table back as an Arrow file (1M cases: ~4 s against ~12 s fetching rows). Not in
      this process: the ADBC driver carries its own copy of SQLite, and when a second SQLite library
      closes the file, POSIX drops the locks this process's own connections hold on it, which turns
      the next write into "disk I/O error".
    - Everything else (smaller SQLite files, in-memory SQLite, a missing driver): rows through
      SQLAlchemy, turned into columns.

    Filter values are rendered as SQL literals by SQLAlchemy's own quoting.
    """
    url = store.engine.url
    path = url.database
    if store.dialect == "postgresql":
        try:
            import adbc_driver_postgresql.dbapi as adbc_pg
        except ImportError:
            adbc_pg = None
        if adbc_pg is not None:
            pg_url = url.set(drivername="postgresql").render_as_string(hide_password=False)
            sql = str(stmt.compile(dialect=store.engine.dialect, compile_kwargs={"literal_binds": True}))
            with adbc_pg.connect(pg_url) as conn, conn.cursor() as cur:
                cur.execute(sql)
                return cur.fetch_arrow_table()
    elif store.dialect == "sqlite" and path not in (None, "", ":memory:"):
        import importlib.util
        import os

        big = os.path.exists(path) and os.path.getsize(path) >= SUBPROCESS_MIN_BYTES
        if big and importlib.util.find_spec("adbc_driver_sqlite") is not None:
            sql = str(stmt.compile(dialect=store.engine.dialect, compile_kwargs={"literal_binds": True}))
            return _sqlite_in_helper_process(str(path), sql)
    with store.engine.connect() as conn:
        res = conn.execute(stmt)
        cols = list(res.keys())
        rows = res.fetchall()
    return _rows_to_arrow(cols, rows)


def read_frame(store: Store, stmt: sa.Select[Any]) -> pd.DataFrame:
    """:func:`read_arrow` as a compact DataFrame (see :func:`compact`)."""
    table = read_arrow(store, stmt)
    df: pd.DataFrame = table.to_pandas(date_as_object=False)
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
    join = sa.and_(
        ITEMS.c.reporting_country == CASES.c.reporting_country,
        ITEMS.c.case_id == CASES.c.case_id,
        *flt.item_clauses(ITEMS),
    )
    stmt = sa.select(*[CASES.c[c] for c in cols], *[ITEMS.c[c] for c in ITEM_COLUMNS]).select_from(
        CASES.outerjoin(ITEMS, join)
    )
    return _frame(store, flt.to_sql(stmt))


def filter_seizure_frame(frame: pd.DataFrame, flt: CaseFilter | None) -> pd.DataFrame:
    """Narrow an in-memory seizure frame by a :class:`~workbench.store.filters.CaseFilter`, as the store does.

    Cases are kept by the criteria on cases and by having an item that meets the criteria on items
    (commodity); of those cases, only the items that meet them stay (as in :func:`seizure_frame`).
    """
    if flt is None or flt.is_empty:
        return frame
    keep = flt.mask(frame, frame if flt.has_item_criteria else None).to_numpy(bool)
    return frame[keep & flt.item_mask(frame)]
