"""Reading the store: filtered cases as DataFrames, the overview figures, case search and case detail.

Aggregates run inside the database (SQLite or PostgreSQL) so pages stay quick on a million cases;
personal tables are only read when the caller says the user may see them.

Examples
--------
>>> from workbench.store import open_store
>>> store = open_store("sqlite://")
>>> load_cases(store).shape[0]
0
>>> overview(store).kpis["cases"]
0
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import pandas as pd
import sqlalchemy as sa

from workbench.format.privacy import NON_PERSONAL_CONVEYANCE_TYPES, non_personal_cases
from workbench.format.route import Route, case_route, od_pairs
from workbench.format.schema import FORMAT
from workbench.i18n import _
from workbench.store import DATA_TABLES, Store
from workbench.store.audit import Actor, consulted
from workbench.store.criteria import CRITERIA, Options, criterion
from workbench.store.filters import CaseFilter

__all__ = [
    "load_cases",
    "load_items",
    "load_table",
    "Overview",
    "overview",
    "assemble_overview",
    "overview_top_routes",
    "overview_latest",
    "search_cases",
    "CaseDetail",
    "case_detail",
    "month_expr",
    "data_period",
    "filter_options",
]

CASES = DATA_TABLES["cases"]
ITEMS = DATA_TABLES["items"]
_FORMAT_COLS = {name: FORMAT.table(name).column_names for name in FORMAT.tables}
#: Columns read as dates: the format's date columns (whatever their name).
_DATE_COLUMNS = FORMAT.column_names_of_type("date")


def month_expr(col: sa.ColumnElement[Any], dialect: str) -> sa.ColumnElement[str]:
    """``YYYY-MM`` of a date column, in the store's SQL dialect."""
    if dialect == "postgresql":
        return sa.func.to_char(col, "YYYY-MM")
    return sa.func.strftime("%Y-%m", col)


def _read(store: Store, stmt: sa.Select[Any]) -> pd.DataFrame:
    with store.engine.connect() as conn:
        res = conn.execute(stmt)
        df = pd.DataFrame(res.fetchall(), columns=list(res.keys()))
    for c in df.columns:
        if c in _DATE_COLUMNS:
            df[c] = pd.to_datetime(df[c], errors="coerce")
    return df


def load_cases(
    store: Store,
    flt: CaseFilter | None = None,
    columns: list[str] | None = None,
    limit: int | None = None,
    order_latest: bool = False,
) -> pd.DataFrame:
    """Cases matching ``flt`` with the exchange-format columns (or ``columns``)."""
    flt = flt or CaseFilter()
    cols = columns or _FORMAT_COLS["cases"]
    stmt = flt.to_sql(sa.select(*[CASES.c[c] for c in cols]))
    if order_latest:
        stmt = stmt.order_by(CASES.c.seizure_date.desc(), CASES.c.id.desc())
    if limit:
        stmt = stmt.limit(limit)
    return _read(store, stmt)


def _children(store: Store, table: str, flt: CaseFilter | None) -> pd.DataFrame:
    t = DATA_TABLES[table]
    flt = flt or CaseFilter()
    stmt = sa.select(*[t.c[c] for c in _FORMAT_COLS[table]]).join(
        CASES, sa.and_(CASES.c.reporting_country == t.c.reporting_country, CASES.c.case_id == t.c.case_id)
    )
    return _read(store, flt.to_sql(stmt))


def load_items(store: Store, flt: CaseFilter | None = None) -> pd.DataFrame:
    """Items of the cases matching ``flt`` (all items of those cases)."""
    return _children(store, "items", flt)


def load_table(
    store: Store,
    table: str,
    flt: CaseFilter | None = None,
    *,
    personal_allowed: bool = False,
    actor: Actor | None = None,
) -> pd.DataFrame:
    """Any exchange-format table for the cases matching ``flt``; personal tables need ``personal_allowed``.

    Given the ``actor`` a personal table is shown to (a notebook's principal), its reading is audited as a
    consultation with the actor's purpose. The library's own reads for an act audited as a whole (an
    export, whose entry counts its rows) pass none."""
    personal = FORMAT.table(table).personal
    if personal and not personal_allowed:
        raise PermissionError(
            _("the {table} table holds personal data, which the current user may not see", table=table)
        )
    if table == "cases":
        return load_cases(store, flt)
    df = _children(store, table, flt)
    if personal and actor is not None:
        consulted(store, table, actor, query=(flt or CaseFilter()).describe(), row_count=len(df))
    return df


@dataclass
class Overview:
    kpis: dict[str, Any]
    by_category: pd.DataFrame  # commodity_category, cases, value_usd
    monthly: pd.DataFrame  # month, cases
    top_routes: pd.DataFrame  # origin, destination, cases, inferred (cases whose destination is inferred)
    latest: pd.DataFrame
    by_country: pd.DataFrame = field(default_factory=pd.DataFrame)  # reporting_country, cases


def overview(store: Store, flt: CaseFilter | None = None, top: int = 10, latest: int = 15) -> Overview:
    """The overview page's figures for the cases matching ``flt``."""
    flt = flt or CaseFilter()
    d = store.dialect
    with store.engine.connect() as conn:
        n_cases = conn.execute(flt.to_sql(sa.select(sa.func.count()).select_from(CASES))).scalar_one()
        n_countries = conn.execute(
            flt.to_sql(sa.select(sa.func.count(sa.distinct(CASES.c.reporting_country))).select_from(CASES))
        ).scalar_one()
        first_last = conn.execute(
            flt.to_sql(sa.select(sa.func.min(CASES.c.seizure_date), sa.func.max(CASES.c.seizure_date)))
        ).one()
        joined = sa.select(
            ITEMS.c.commodity_category,
            sa.func.count(sa.distinct(ITEMS.c.reporting_country + ":" + ITEMS.c.case_id)).label("cases"),
            sa.func.sum(ITEMS.c.estimated_value_usd).label("value_usd"),
        ).join(
            CASES,
            sa.and_(
                CASES.c.reporting_country == ITEMS.c.reporting_country, CASES.c.case_id == ITEMS.c.case_id
            ),
        )
        by_cat = conn.execute(
            flt.to_sql(joined).group_by(ITEMS.c.commodity_category).order_by(sa.desc("cases"))
        ).fetchall()
        month = month_expr(CASES.c.seizure_date, d).label("month")
        monthly = conn.execute(
            flt.to_sql(sa.select(month, sa.func.count().label("cases"))).group_by(month).order_by(month)
        ).fetchall()
        by_country = conn.execute(
            flt.to_sql(sa.select(CASES.c.reporting_country, sa.func.count().label("cases")))
            .group_by(CASES.c.reporting_country)
            .order_by(sa.desc("cases"))
        ).fetchall()
        top_routes = overview_top_routes(conn, flt, top)
    return assemble_overview(
        (n_cases, n_countries, first_last[0], first_last[1]),
        by_cat,
        monthly,
        by_country,
        top_routes,
        overview_latest(store, flt, latest),
    )


def assemble_overview(
    totals: Sequence[Any],
    by_category: Sequence[Sequence[Any]],
    monthly: Sequence[Sequence[Any]],
    by_country: Sequence[Sequence[Any]],
    top_routes: pd.DataFrame,
    latest: pd.DataFrame,
) -> Overview:
    """The :class:`Overview` from its parts, whichever engine computed them (the data tables here, the
    monthly summaries in :mod:`workbench.store.aggregate`): ``totals`` is (cases, reporting countries,
    first seizure, last seizure); ``by_category`` rows of (category, cases, value), most cases first;
    ``monthly`` rows of (``YYYY-MM``, cases); ``by_country`` rows of (country, cases). The key figures
    derived from them (total value, number of categories) are defined here only."""
    by_cat = pd.DataFrame(list(map(tuple, by_category)), columns=["commodity_category", "cases", "value_usd"])
    kpis = {
        "cases": int(totals[0]),
        "reporting_countries": int(totals[1]),
        "first_seizure": totals[2],
        "last_seizure": totals[3],
        "value_usd": float(by_cat["value_usd"].fillna(0).sum()) if len(by_cat) else 0.0,
        "categories": int(len(by_cat)),
    }
    return Overview(
        kpis=kpis,
        by_category=by_cat,
        monthly=pd.DataFrame(list(map(tuple, monthly)), columns=["month", "cases"]),
        top_routes=top_routes,
        latest=latest,
        by_country=pd.DataFrame(list(map(tuple, by_country)), columns=["reporting_country", "cases"]),
    )


#: The route columns the Overview's top routes are read from (see :func:`workbench.format.route.od_pairs`).
_ROUTE_COLS = [
    "reporting_country",
    "departure_country",
    "transit_countries",
    "destination_country",
    "customs_procedure",
]


def overview_top_routes(conn: sa.Connection, flt: CaseFilter, top: int = 10) -> pd.DataFrame:
    """The Overview's top origin -> destination routes of the cases matching ``flt`` (origin,
    destination, cases, inferred: of which the destination is inferred)."""
    cols = [CASES.c[c] for c in _ROUTE_COLS]
    grouped = conn.execute(
        flt.to_sql(sa.select(*cols, sa.func.count().label("n"))).group_by(*cols)
    ).fetchall()
    routes = pd.DataFrame(grouped, columns=[*_ROUTE_COLS, "n"])
    if not len(routes):
        return pd.DataFrame(columns=["origin", "destination", "cases", "inferred"])
    od = od_pairs(routes)
    routes = pd.concat([od, routes["n"]], axis=1).dropna(subset=["origin", "destination"])
    return (
        routes.assign(inferred=lambda d: d["n"].where(d["destination_inferred"], 0))
        .groupby(["origin", "destination"], as_index=False)
        .agg(cases=("n", "sum"), inferred=("inferred", "sum"))
        .sort_values(["cases", "origin"], ascending=[False, True])
        .head(top)
        .reset_index(drop=True)
    )


def overview_latest(store: Store, flt: CaseFilter, latest: int = 15) -> pd.DataFrame:
    """The Overview's latest cases matching ``flt``, newest first."""
    return load_cases(
        store,
        flt,
        columns=[
            "case_id",
            "reporting_country",
            "seizure_date",
            "transport_mode",
            "place_name",
            "departure_country",
            "destination_country",
        ],
        limit=latest,
        order_latest=True,
    )


def search_cases(
    store: Store,
    flt: CaseFilter | None = None,
    text: str = "",
    page: int = 1,
    page_size: int = 50,
    *,
    personal_allowed: bool = False,
) -> tuple[pd.DataFrame, int]:
    """One page of cases matching ``flt`` and a free-text search, newest first, and the total count.

    The text is looked for (case-insensitively) in the case id, place code and name, conveyance id
    and the commodity types of the case's items. Without ``personal_allowed``, conveyance ids that
    point to a person (plates, parcels: :mod:`workbench.format.privacy`) are neither shown nor searched.
    """
    flt = flt or CaseFilter()
    cols = FORMAT.table("cases").featured_columns
    base = sa.select(*[CASES.c[c] for c in cols], *([] if personal_allowed else [CASES.c.conveyance_type]))
    count = sa.select(sa.func.count()).select_from(CASES)
    text = text.strip()
    if text:
        like = f"%{text.lower()}%"
        item_match = sa.exists(
            sa.select(ITEMS.c.id).where(
                ITEMS.c.reporting_country == CASES.c.reporting_country,
                ITEMS.c.case_id == CASES.c.case_id,
                sa.func.lower(ITEMS.c.commodity_type).like(like),
            )
        )
        conveyance: sa.ColumnElement[bool] = sa.func.lower(CASES.c.conveyance_id).like(like)
        if not personal_allowed:
            conveyance = sa.and_(
                conveyance, CASES.c.conveyance_type.in_(sorted(NON_PERSONAL_CONVEYANCE_TYPES))
            )
        cond = sa.or_(
            sa.func.lower(CASES.c.case_id).like(like),
            sa.func.lower(CASES.c.place_code).like(like),
            sa.func.lower(CASES.c.place_name).like(like),
            conveyance,
            item_match,
        )
        base, count = base.where(cond), count.where(cond)
    base = flt.to_sql(base).order_by(CASES.c.seizure_date.desc(), CASES.c.id.desc())
    page = max(1, page)
    with store.engine.connect() as conn:
        total = int(conn.execute(flt.to_sql(count)).scalar_one())
    df = _read(store, base.limit(page_size).offset((page - 1) * page_size))
    if not personal_allowed:
        df = non_personal_cases(df).drop(columns=["conveyance_type"])
    return df, total


@dataclass
class CaseDetail:
    case: dict[str, Any]
    items: pd.DataFrame
    route: Route
    persons: pd.DataFrame | None  # None: the user may not see personal data
    companies: pd.DataFrame | None
    extra: dict[str, Any] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)


def case_detail(
    store: Store, reporting_country: str, case_id: str, *, personal_allowed: bool, actor: Actor | None = None
) -> CaseDetail | None:
    """Everything about one case; persons and companies only when ``personal_allowed``, and then the
    consultation is audited (by ``actor``, with its purpose; the case and each party named by key)."""
    import json

    def rows(table: str, cols: list[str]) -> pd.DataFrame:
        t = DATA_TABLES[table]
        stmt = sa.select(*[t.c[c] for c in cols]).where(
            t.c.reporting_country == reporting_country, t.c.case_id == case_id
        )
        return _read(store, stmt)

    case = rows("cases", [*_FORMAT_COLS["cases"], "extra", "dq_flags", "submission_id"])
    if case.empty:
        return None
    if not personal_allowed:
        case = non_personal_cases(case)
    rec = cast("dict[str, Any]", case.iloc[0].to_dict())  # keyed by column name
    extra = json.loads(rec.pop("extra")) if isinstance(rec.get("extra"), str) else {}
    flags = json.loads(rec.pop("dq_flags")) if isinstance(rec.get("dq_flags"), str) else []
    rec.pop("extra", None)
    rec.pop("dq_flags", None)
    for k, v in list(rec.items()):
        if isinstance(v, pd.Timestamp):
            rec[k] = v.date()
        elif v is pd.NaT or (isinstance(v, float) and pd.isna(v)):
            rec[k] = None
    items = rows("items", _FORMAT_COLS["items"]).sort_values("item_no")
    route = case_route(
        rec.get("departure_country"),
        rec.get("transit_countries"),
        rec.get("destination_country"),
        rec.get("customs_procedure"),
        rec.get("reporting_country"),
    )
    persons = rows("persons", _FORMAT_COLS["persons"]) if personal_allowed else None
    if persons is not None:
        persons["date_of_birth"] = persons["date_of_birth"].dt.date
    companies = rows("companies", _FORMAT_COLS["companies"]) if personal_allowed else None
    if persons is not None and companies is not None:
        key = f"{reporting_country}/{case_id}"
        consulted(
            store,
            "case_detail",
            actor,
            objects=[
                f"case:{key}",
                *(f"person:{key}/{p}" for p in persons["person_id"]),
                *(f"company:{key}/{c}" for c in companies["company_id"]),
            ],
            query=f"case {key}",
            row_count=len(persons) + len(companies),
        )
    return CaseDetail(rec, items, route, persons, companies, extra, flags)


def data_period(store: Store) -> tuple[dt.date | None, dt.date | None]:
    """First and last seizure date in the store."""
    with store.engine.connect() as conn:
        lo, hi = conn.execute(
            sa.select(sa.func.min(CASES.c.seizure_date), sa.func.max(CASES.c.seizure_date))
        ).one()
    return lo, hi


def filter_options(store: Store) -> Options:
    """What the filter's lists offer, per criterion of :data:`~workbench.store.criteria.CRITERIA`, from
    where each says its options come from: the first and last date of a period; the values in the store
    of a choice (``(value of within, value)`` pairs when another criterion narrows it); or its fixed
    vocabulary. Blank values are not offered.

    Examples
    --------
    >>> from workbench.store import open_store
    >>> opts = filter_options(open_store("sqlite://"))
    >>> opts["period"], opts["transport_mode"], opts["wco_region"][:1]
    ((None, None), (), ('Central and West Africa',))
    """
    out: Options = {}
    with store.engine.connect() as conn:
        for c in CRITERIA:
            if c.options == "vocabulary":
                out[c.name] = c.vocabulary()
                continue
            col = DATA_TABLES[c.table].c[c.column]
            if c.kind == "period":
                lo, hi = conn.execute(sa.select(sa.func.min(col), sa.func.max(col))).one()
                out[c.name] = (_as_date(lo), _as_date(hi))
                continue
            cols = [col] if c.within is None else [DATA_TABLES[c.table].c[criterion(c.within).column], col]
            stmt = sa.select(*cols).distinct().where(*[k.is_not(None) & (k != "") for k in cols])
            rows = conn.execute(stmt.order_by(*cols)).fetchall()
            out[c.name] = tuple(r[0] for r in rows) if c.within is None else tuple((r[0], r[1]) for r in rows)
    return out


def _as_date(v: Any) -> dt.date | None:
    if v is None or isinstance(v, dt.date):
        return v
    return dt.date.fromisoformat(str(v)[:10])
