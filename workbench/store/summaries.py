"""Monthly summaries of the cases: small tables the Overview and Trends read instead of every row.

One row of ``case_summaries`` per month x reporting country x transport mode x commodity category holds
the number of cases, their estimated value (USD, summed over their items) and the first and last seizure
date. Rows whose ``commodity_category`` is :data:`ALL_CATEGORIES` (``"*"``) count each case once,
whatever its items; the other rows count the cases with at least one item of that category and sum the
value of those items only (a case with cocaine and cash counts once under ``drugs`` and once under
``currency``, as in :mod:`workbench.trends.series`). A blank category or mode stays NULL.

Kept fresh inside each import's transaction (:func:`refresh_summaries`, called by
:func:`workbench.exchange.ingest.ingest_dataset`): the rows of the reporting countries the submission
wrote are recomputed from the data tables with the same statement a rebuild runs, so an import leaves
exactly what :func:`rebuild_summaries` (``workbench store rebuild-summaries``) would. The ``cases``
data version the summaries were built at is stored beside them; a reader uses them only while it is
the store's current one (:func:`summaries_current`), so a write that does not refresh them (an
erasure) sends readers back to the data tables until the next import or rebuild.

Which filters the summaries answer: :func:`summary_filter_ok`: every criterion set reads a dimension of
the table (period, WCO region, reporting country, transport mode, commodity category) and a period
starts on the first of a month and ends on the last day of one. The criteria's own ``sql`` (from
:data:`workbench.store.criteria.CRITERIA`) narrows the summary rows, so the filter's meaning is
declared once.

Examples
--------
>>> from workbench.store import open_store
>>> from workbench.store.filters import CaseFilter
>>> import datetime as dt
>>> summary_filter_ok(CaseFilter(date_from=dt.date(2024, 1, 1), transport_modes=("road",)))
True
>>> summary_filter_ok(CaseFilter(date_from=dt.date(2024, 1, 15)))
False
>>> summary_filter_ok(CaseFilter(detection_methods=("x_ray",)))
False
>>> store = open_store("sqlite://")
>>> summaries_current(store)
False
>>> with store.engine.begin() as conn:
...     rebuild_summaries(conn)
0
>>> summaries_current(store)
True
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from workbench.store.criteria import Criterion
from workbench.store.models import DATA_TABLES, Base
from workbench.store.version import DATA_VERSIONS

if TYPE_CHECKING:
    from workbench.store.database import Store
    from workbench.store.filters import CaseFilter

__all__ = [
    "ALL_CATEGORIES",
    "CASE_SUMMARIES",
    "ROUTE_SUMMARIES",
    "CATEGORY_PAIRS",
    "SUMMARY_STATE",
    "SUMMARY_DIMENSIONS",
    "month_start_expr",
    "rebuild_summaries",
    "refresh_summaries",
    "summaries_current",
    "summary_filter_ok",
    "summary_select",
    "written_countries",
]

#: ``commodity_category`` of the rows that count every case once.
ALL_CATEGORIES = "*"

CASE_SUMMARIES = sa.Table(
    "case_summaries",
    Base.metadata,
    sa.Column("month_start", sa.Date, nullable=True),  # first day of the month; NULL: no seizure date
    sa.Column("reporting_country", sa.String(2), nullable=False),
    sa.Column("transport_mode", sa.String(40), nullable=True),
    sa.Column("commodity_category", sa.String(40), nullable=True),
    sa.Column("cases", sa.Integer, nullable=False),
    sa.Column("value_usd", sa.Float, nullable=True),
    sa.Column("first_date", sa.Date, nullable=True),
    sa.Column("last_date", sa.Date, nullable=True),
    sa.Index("ix_case_summaries_country", "reporting_country", "month_start"),
    sa.Index("ix_case_summaries_category", "commodity_category", "month_start"),
)

#: Cases per month x reporting country x transport mode x origin -> destination (as
#: :func:`workbench.format.route.od_pairs` reads the route; ``destination_inferred``: the destination is
#: the reporting country of an import): the Overview's top routes.
ROUTE_SUMMARIES = sa.Table(
    "route_summaries",
    Base.metadata,
    sa.Column("month_start", sa.Date, nullable=True),
    sa.Column("reporting_country", sa.String(2), nullable=False),
    sa.Column("transport_mode", sa.String(40), nullable=True),
    sa.Column("commodity_category", sa.String(40), nullable=True),
    sa.Column("origin", sa.String(2), nullable=False),
    sa.Column("destination", sa.String(2), nullable=False),
    sa.Column("destination_inferred", sa.Boolean, nullable=False),
    sa.Column("cases", sa.Integer, nullable=False),
    sa.Index("ix_route_summaries_country", "reporting_country", "month_start"),
    sa.Index("ix_route_summaries_category", "commodity_category", "month_start"),
)

#: The categories seized together: per month x reporting country x transport mode, the cases with an item
#: of ``commodity_category`` that also have an item of ``other_category`` (the category itself included),
#: and the value of those other items. What the Overview lists under "seizures by category" when the
#: filter names one category.
CATEGORY_PAIRS = sa.Table(
    "category_pair_summaries",
    Base.metadata,
    sa.Column("month_start", sa.Date, nullable=True),
    sa.Column("reporting_country", sa.String(2), nullable=False),
    sa.Column("transport_mode", sa.String(40), nullable=True),
    sa.Column("commodity_category", sa.String(40), nullable=True),
    sa.Column("other_category", sa.String(40), nullable=True),
    sa.Column("cases", sa.Integer, nullable=False),
    sa.Column("value_usd", sa.Float, nullable=True),
    sa.Index("ix_category_pair_summaries_category", "commodity_category", "month_start"),
)

#: One row: the ``cases`` data version the summaries were built at (NULL: never built).
SUMMARY_STATE = sa.Table(
    "case_summary_state",
    Base.metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("cases_version", sa.BigInteger, nullable=True),
    sa.Column("built_at", sa.DateTime(timezone=True), nullable=True),
)

#: The summary's dimensions: the column of the data tables each one is (the summary's own column has
#: the same name).
SUMMARY_DIMENSIONS: dict[str, tuple[str, str]] = {
    "month_start": ("cases", "seizure_date"),
    "reporting_country": ("cases", "reporting_country"),
    "transport_mode": ("cases", "transport_mode"),
    "commodity_category": ("items", "commodity_category"),
}

CASES = DATA_TABLES["cases"]
ITEMS = DATA_TABLES["items"]


def month_start_expr(col: sa.ColumnElement[Any], dialect: str) -> sa.ColumnElement[Any]:
    """The first day of the month of a date column, as a date, in the store's SQL dialect."""
    if dialect == "postgresql":
        return sa.cast(sa.func.date_trunc("month", col), sa.Date)
    return sa.func.date(col, "start of month", type_=sa.Date)


def _criterion_column(c: Criterion) -> str | None:
    """The summary column that criterion ``c`` reads (None: the summary cannot answer it)."""
    for name, (table, column) in SUMMARY_DIMENSIONS.items():
        if c.table == table and c.column == column:
            return name
    return None


def _month_aligned(lo: dt.date | None, hi: dt.date | None) -> bool:
    if lo is not None and lo.day != 1:
        return False
    return hi is None or hi.day == calendar.monthrange(hi.year, hi.month)[1]


def summary_filter_ok(flt: CaseFilter, *, categories: int | None = 1) -> bool:
    """Whether the summaries answer ``flt`` exactly: each criterion set reads one of their dimensions,
    the period covers whole months, and at most ``categories`` commodity categories are chosen (the cases
    of two categories cannot be added up: a case may have both; None: any number, for figures split by
    category)."""
    for c in flt.set_criteria():
        if _criterion_column(c) is None:
            return False
        if c.kind == "period" and not _month_aligned(*c.value(flt)):
            return False
        if c.table == "items" and categories is not None and len(c.value(flt)) > categories:
            return False
    return True


def summary_select(
    stmt: sa.Select[Any], flt: CaseFilter, *, by_category: bool = False, table: sa.Table = CASE_SUMMARIES
) -> sa.Select[Any]:
    """Narrow a select over :data:`CASE_SUMMARIES` (or :data:`ROUTE_SUMMARIES`, :data:`CATEGORY_PAIRS`) by
    ``flt`` (which :func:`summary_filter_ok` allows), with each criterion's own SQL on the summary's column;
    of the case and route summaries keep the per-case rows, or the per-category rows when a category is
    chosen or ``by_category``."""
    s = table
    for c in flt.set_criteria():
        column = _criterion_column(c)
        if column is None or column not in s.c:
            raise ValueError(f"the summaries cannot answer the criterion {c.name!r}")
        stmt = stmt.where(*c.sql(s.c[column], flt))
    if s is CATEGORY_PAIRS:
        return stmt
    if by_category or flt.has_item_criteria:
        return stmt.where(s.c.commodity_category.is_distinct_from(ALL_CATEGORIES))
    return stmt.where(s.c.commodity_category == ALL_CATEGORIES)


def _of(countries: tuple[str, ...] | None, *columns: sa.ColumnElement[Any]) -> list[sa.ColumnElement[bool]]:
    """The clauses that keep the rows of ``countries`` (none: every row)."""
    return [] if countries is None else [c.in_(countries) for c in columns]


def _case_join(other: sa.FromClause) -> sa.ColumnElement[bool]:
    """The join of the cases with a table (or subquery) of their items, on the case's key."""
    return sa.and_(other.c.reporting_country == CASES.c.reporting_country, other.c.case_id == CASES.c.case_id)


def _case_rows(dialect: str, countries: tuple[str, ...] | None) -> list[sa.Select[Any]]:
    """The rows of :data:`CASE_SUMMARIES`: per case (category ``*``), then per category."""
    month = month_start_expr(CASES.c.seizure_date, dialect).label("month_start")
    values = (
        sa.select(
            ITEMS.c.reporting_country,
            ITEMS.c.case_id,
            sa.func.sum(ITEMS.c.estimated_value_usd).label("value_usd"),
        )
        .where(*_of(countries, ITEMS.c.reporting_country))
        .group_by(ITEMS.c.reporting_country, ITEMS.c.case_id)
        .subquery("case_values")
    )
    keys = [month, CASES.c.reporting_country, CASES.c.transport_mode]
    dates = [
        sa.func.min(CASES.c.seizure_date).label("first_date"),
        sa.func.max(CASES.c.seizure_date).label("last_date"),
    ]
    per_case = sa.select(
        *keys,
        sa.literal(ALL_CATEGORIES, sa.String(40)).label("commodity_category"),
        sa.func.count().label("cases"),
        sa.func.sum(values.c.value_usd).label("value_usd"),
        *dates,
    ).select_from(CASES.outerjoin(values, _case_join(values)))
    per_category = sa.select(
        *keys,
        ITEMS.c.commodity_category,
        sa.func.count(sa.distinct(CASES.c.case_id)).label("cases"),  # grouped by country: case_id is unique
        sa.func.sum(ITEMS.c.estimated_value_usd).label("value_usd"),
        *dates,
    ).select_from(CASES.join(ITEMS, _case_join(ITEMS)))
    return [
        stmt.where(*_of(countries, CASES.c.reporting_country)).group_by(*keys, *extra)
        for stmt, extra in ((per_case, []), (per_category, [ITEMS.c.commodity_category]))
    ]


def _pair_rows(dialect: str, countries: tuple[str, ...] | None) -> list[sa.Select[Any]]:
    """The rows of :data:`CATEGORY_PAIRS`: the categories of each case, then each of its items beside
    each of them."""
    month = month_start_expr(CASES.c.seizure_date, dialect).label("month_start")
    cc = (
        sa.select(ITEMS.c.reporting_country, ITEMS.c.case_id, ITEMS.c.commodity_category)
        .distinct()
        .where(*_of(countries, ITEMS.c.reporting_country))
        .subquery("case_categories")
    )
    keys = [month, CASES.c.reporting_country, CASES.c.transport_mode, cc.c.commodity_category]
    return [
        sa.select(
            *keys,
            ITEMS.c.commodity_category.label("other_category"),
            sa.func.count(sa.distinct(CASES.c.case_id)).label("cases"),
            sa.func.sum(ITEMS.c.estimated_value_usd).label("value_usd"),
        )
        .select_from(CASES.join(cc, _case_join(cc)).join(ITEMS, _case_join(ITEMS)))
        .where(*_of(countries, CASES.c.reporting_country))
        .group_by(*keys, ITEMS.c.commodity_category)
    ]


_ROUTE_COLUMNS = ("departure_country", "transit_countries", "destination_country", "customs_procedure")


def _route_rows(dialect: str, countries: tuple[str, ...] | None) -> list[sa.Select[Any]]:
    """The grouped cases the rows of :data:`ROUTE_SUMMARIES` are read from (:func:`_route_summary`): by
    month, country, mode, the columns that decide a route (and commodity category: ``*`` for every case
    once, else the cases with an item of it)."""
    month = month_start_expr(CASES.c.seizure_date, dialect).label("month_start")
    keys = [month, CASES.c.reporting_country, CASES.c.transport_mode, *[CASES.c[c] for c in _ROUTE_COLUMNS]]
    cc = (
        sa.select(ITEMS.c.reporting_country, ITEMS.c.case_id, ITEMS.c.commodity_category)
        .distinct()
        .where(*_of(countries, ITEMS.c.reporting_country))
        .subquery("case_categories")
    )
    every = sa.select(
        *keys,
        sa.literal(ALL_CATEGORIES, sa.String(40)).label("commodity_category"),
        sa.func.count().label("cases"),
    )
    per_category = sa.select(*keys, cc.c.commodity_category, sa.func.count().label("cases")).select_from(
        CASES.join(cc, _case_join(cc))
    )
    return [
        stmt.where(*_of(countries, CASES.c.reporting_country)).group_by(*keys, *extra)
        for stmt, extra in ((every, []), (per_category, [cc.c.commodity_category]))
    ]


def _route_summary(grouped: pd.DataFrame) -> pd.DataFrame:
    """The grouped cases read as origin -> destination by :func:`workbench.format.route.od_pairs` (the one
    definition of a route) and added up: the rows of :data:`ROUTE_SUMMARIES`."""
    from workbench.format.route import od_pairs

    od = od_pairs(grouped)
    dims = [
        "month_start",
        "reporting_country",
        "transport_mode",
        "commodity_category",
        "origin",
        "destination",
        "destination_inferred",
    ]
    grouped = pd.concat([grouped[[*dims[:4], "cases"]], od], axis=1).dropna(subset=["origin", "destination"])
    out = grouped.groupby(dims, dropna=False, as_index=False).agg(cases=("cases", "sum"))
    out["cases"] = out["cases"].astype("int64")
    out["destination_inferred"] = out["destination_inferred"].astype(bool)
    return out


@dataclass(frozen=True)
class _Summary:
    """How one summary table is computed: ``rows`` gives the selects over the data tables (of some
    reporting countries, or all) whose rows it holds; ``then``, when given, turns their rows into the
    table's in pandas (routes are read by the one route definition, which is Python)."""

    table: sa.Table
    rows: Callable[[str, tuple[str, ...] | None], list[sa.Select[Any]]]
    then: Callable[[pd.DataFrame], pd.DataFrame] | None = None


#: Every summary table and how it is computed.
SUMMARIES: tuple[_Summary, ...] = (
    _Summary(CASE_SUMMARIES, _case_rows),
    _Summary(CATEGORY_PAIRS, _pair_rows),
    _Summary(ROUTE_SUMMARIES, _route_rows, _route_summary),
)


def _refresh_table(conn: Connection, summary: _Summary, countries: tuple[str, ...] | None) -> int:
    """Replace the rows of ``countries`` (None: every row) of one summary table; returns the rows written."""
    table = summary.table
    conn.execute(sa.delete(table).where(*_of(countries, table.c.reporting_country)))
    cols = [c.name for c in table.columns]
    written = 0
    selects = summary.rows(conn.dialect.name, countries)
    if summary.then is None:
        for select in selects:
            written += conn.execute(sa.insert(table).from_select(cols, select)).rowcount or 0
        return written
    frames = []
    for select in selects:
        res = conn.execute(select)
        frames.append(pd.DataFrame.from_records([tuple(r) for r in res.fetchall()], columns=list(res.keys())))
    grouped = pd.concat(frames, ignore_index=True)
    if grouped.empty:
        return 0
    out = summary.then(grouped)[cols]
    records = [
        {str(k): v for k, v in r.items()}
        for r in out.astype(object).where(out.notna(), None).to_dict("records")
    ]
    if records:
        conn.execute(sa.insert(table), records)
    return len(records)


def _write(conn: Connection, countries: tuple[str, ...] | None) -> int:
    return sum(_refresh_table(conn, summary, countries) for summary in SUMMARIES)


def _cases_version(conn: Connection) -> int | None:
    v = conn.execute(sa.select(DATA_VERSIONS.c.version).where(DATA_VERSIONS.c.scope == "cases")).scalar()
    return None if v is None else int(v)


def _record(conn: Connection) -> None:
    values = {"cases_version": _cases_version(conn), "built_at": dt.datetime.now(dt.UTC)}
    if conn.execute(sa.update(SUMMARY_STATE).where(SUMMARY_STATE.c.id == 1).values(**values)).rowcount == 0:
        conn.execute(sa.insert(SUMMARY_STATE).values(id=1, **values))


def rebuild_summaries(conn: Connection) -> int:
    """Recompute every summary row inside the caller's transaction; returns the rows written."""
    written = _write(conn, None)
    _record(conn)
    return written


def refresh_summaries(conn: Connection, countries: set[str] | tuple[str, ...], previous_version: int) -> int:
    """Recompute the rows of ``countries`` inside the caller's (import's) transaction, after it has moved
    the ``cases`` data version forward from ``previous_version``. When the summaries were not current at
    ``previous_version`` (never built, or a write since did not refresh them), rebuild them all instead.
    Returns the rows written."""
    built = conn.execute(sa.select(SUMMARY_STATE.c.cases_version).where(SUMMARY_STATE.c.id == 1)).scalar()
    if built is None or int(built) != previous_version:
        return rebuild_summaries(conn)
    touched = tuple(sorted(c for c in countries if c))
    written = _write(conn, touched) if touched else 0  # none: the write left the cases as they were
    _record(conn)
    return written


def summaries_current(store: Store | Connection) -> bool:
    """Whether the summaries hold the store's data as it is now (built at the current ``cases`` version)."""
    stmt = (
        sa.select(sa.func.count())
        .select_from(SUMMARY_STATE)
        .join(DATA_VERSIONS, DATA_VERSIONS.c.scope == "cases")
        .where(SUMMARY_STATE.c.id == 1, SUMMARY_STATE.c.cases_version == DATA_VERSIONS.c.version)
    )
    if isinstance(store, Connection):
        return bool(store.execute(stmt).scalar())
    with store.engine.connect() as conn:
        return bool(conn.execute(stmt).scalar())


def written_countries(conn: Connection, submission_id: int) -> set[str]:
    """The reporting countries of the cases and items that submission ``submission_id`` wrote."""
    found: set[str] = set()
    for name in ("cases", "items"):
        t = DATA_TABLES[name]
        rows = conn.execute(
            sa.select(t.c.reporting_country).where(t.c.submission_id == submission_id).distinct()
        )
        found.update(str(r[0]) for r in rows if r[0])
    return found
