"""Route flows computed inside the database: :func:`workbench.routes.flows.route_flows` without the frame.

:func:`route_flows_in_store` returns the table ``route_flows(prepare_flows(seizure_frame(store, flt)),
...)`` gives, but the cases and item sums are grouped in SQL (SQLite or PostgreSQL) by the columns that
decide a route (:data:`workbench.format.route.ROUTE_COLUMNS`), the breakdown, the month and the unit, so
only one row per distinct route and breakdown comes back, never one per item. Those groups become flows
by the same code as the frame's (:func:`workbench.routes.flows.route_index` on the distinct routes, then
:func:`workbench.routes.flows.flows_from_groups`): one definition of legs, pairs, inference, shares and
units.

Counting rules are those of :mod:`workbench.routes.flows`: a case counts once per route and breakdown
value (the route is the case's, so once per flow); quantities per unit, grams folded into kilograms;
only the items of the filtered commodities count. Tests compare the two engines on the sample, with
filters, on both databases (``tests/test_pushdown.py``).

Examples
--------
>>> from workbench.store import open_store
>>> route_flows_in_store(open_store("sqlite://"), mode="od").columns.tolist()
['origin', 'destination', 'cases', 'inferred_cases', 'share', 'value_usd']
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from workbench.format.route import ROUTE_COLUMNS, route_index
from workbench.i18n import _
from workbench.routes.flows import (
    _UNIT_FACTORS,
    BY,
    FlowBase,
    expand_routes,
    flows_from_groups,
    month_number,
    prepare_flows,
)
from workbench.store import DATA_TABLES, Store
from workbench.store.filters import CaseFilter
from workbench.store.frames import case_frame
from workbench.store.summaries import month_start_expr

__all__ = [
    "route_flows_in_store",
    "window_dates",
    "case_flow_base",
    "flow_units_in_store",
    "FLOW_CASE_COLUMNS",
]

#: The case columns a case-level :class:`workbench.routes.flows.FlowBase` needs: what decides a route,
#: the month, and the place of seizure (map dots, hotspots, shading, hubs and emerging routes).
FLOW_CASE_COLUMNS: tuple[str, ...] = (
    *ROUTE_COLUMNS,
    "seizure_date",
    "place_code",
    "place_name",
    "latitude",
    "longitude",
)

CASES = DATA_TABLES["cases"]
ITEMS = DATA_TABLES["items"]


def window_dates(window: tuple[int, int]) -> tuple[dt.date, dt.date]:
    """First and last day of a window of month numbers (:func:`workbench.routes.flows.month_number`).

    >>> window_dates((648, 650))
    (datetime.date(2024, 1, 1), datetime.date(2024, 3, 31))
    """
    lo, hi = window
    y, m = 1970 + hi // 12, hi % 12 + 1
    return dt.date(1970 + lo // 12, lo % 12 + 1, 1), dt.date(y, m, calendar.monthrange(y, m)[1])


def case_flow_base(store: Store, flt: CaseFilter | None = None) -> FlowBase:
    """:func:`prepare_flows` of one row per case matching ``flt`` with only :data:`FLOW_CASE_COLUMNS`
    (no item, so no commodity breakdown nor quantities: those come from :func:`route_flows_in_store`).

    Every case-level figure of a seizure-frame base (cases per route, month, place, reporting
    country, hub) is the same on it: a case counts once in both.
    """
    return prepare_flows(case_frame(store, flt, columns=FLOW_CASE_COLUMNS))


def flow_units_in_store(store: Store, flt: CaseFilter | None = None) -> list[str]:
    """The units of the items of ``flt`` as the flows' ``quantity_<unit>`` columns name them (grams
    folded into kilograms), sorted.

    >>> from workbench.store import open_store
    >>> flow_units_in_store(open_store("sqlite://"))
    []
    """
    flt = flt or CaseFilter()
    join = sa.and_(
        ITEMS.c.reporting_country == CASES.c.reporting_country,
        ITEMS.c.case_id == CASES.c.case_id,
        *flt.item_clauses(ITEMS),
    )
    stmt = flt.to_sql(sa.select(ITEMS.c.unit).distinct().select_from(CASES.join(ITEMS, join)))
    with store.engine.connect() as conn:
        units = {str(r[0]) for r in conn.execute(stmt) if r[0] is not None}
    return sorted({_UNIT_FACTORS[u][0] if u in _UNIT_FACTORS else u for u in units})


def _route_keys() -> list[sa.ColumnElement[Any]]:
    """What decides a route (as :func:`workbench.format.route.route_index` reads it), as few distinct
    values as possible: the reporting country and the procedure only where the destination is blank and
    the case an import (its destination is then the reporting country), NULL elsewhere."""
    inferred = sa.and_(CASES.c.destination_country.is_(None), CASES.c.customs_procedure == "import")
    return [
        CASES.c.departure_country,
        CASES.c.transit_countries,
        CASES.c.destination_country,
        sa.case((inferred, sa.literal("import")), else_=sa.null()).label("customs_procedure"),
        sa.case((inferred, CASES.c.reporting_country), else_=sa.null()).label("reporting_country"),
    ]


def _read(conn: sa.Connection, stmt: sa.Select[Any]) -> pd.DataFrame:
    res = conn.execute(stmt)
    # plain tuples: pandas probes a Row's attributes one by one, which costs more than the query
    return pd.DataFrame.from_records([tuple(r) for r in res.fetchall()], columns=list(res.keys()))


def route_flows_in_store(
    store: Store,
    flt: CaseFilter | None = None,
    mode: str = "legs",
    level: str = "country",
    by: str | None = None,
    window: tuple[int, int] | None = None,
    *,
    per_month: bool = False,
    top: int | None = None,
    include_internal: bool = True,
) -> pd.DataFrame:
    """:func:`workbench.routes.flows.route_flows` of the seizures matching ``flt``, grouped in the database
    (same parameters; ``window`` in month numbers)."""
    flt = flt or CaseFilter()
    by_col = BY.get(by, by) if by is not None else None
    if by_col not in (None, "commodity_category", "commodity_type"):
        raise ValueError(_("by must be one of {by}, not {by2!r}", by=", ".join(BY), by2=by))
    join = sa.and_(
        ITEMS.c.reporting_country == CASES.c.reporting_country,
        ITEMS.c.case_id == CASES.c.case_id,
        *flt.item_clauses(ITEMS),
    )
    dated: list[sa.ColumnElement[bool]] = [CASES.c.seizure_date.is_not(None)]
    if window is not None:
        lo, hi = window_dates(window)
        dated += [CASES.c.seizure_date >= lo, CASES.c.seizure_date <= hi]
    keys: list[sa.ColumnElement[Any]] = list(_route_keys())
    if by_col:
        keys.append(ITEMS.c[by_col].label("by"))
    if per_month:
        keys.append(month_start_expr(CASES.c.seizure_date, store.dialect).label("month"))
    # cases: distinct per route (which the reporting country is part of) and breakdown value
    case_key = CASES.c.reporting_country + sa.literal(":") + CASES.c.case_id
    n_cases = sa.func.count(sa.distinct(case_key)) if by_col else sa.func.count()
    cases_stmt = flt.to_sql(
        sa.select(*keys, n_cases.label("cases"))
        .select_from(CASES.outerjoin(ITEMS, join) if by_col else CASES)
        .where(*dated)
        .group_by(*keys)
    )
    items_stmt = flt.to_sql(
        sa.select(
            *keys,
            ITEMS.c.unit,
            sa.func.sum(ITEMS.c.quantity).label("quantity"),
            sa.func.sum(ITEMS.c.estimated_value_usd).label("value_usd"),
        )
        .select_from(CASES.join(ITEMS, join))
        .where(*dated)
        .group_by(*keys, ITEMS.c.unit)
    )
    with store.engine.connect() as conn:
        cases = _read(conn, cases_stmt)
        items = _read(conn, items_stmt)
        # a quantity column for every unit of the filter's items, as the frame has (in or out of the window)
        units = [
            r[0]
            for r in conn.execute(
                flt.to_sql(sa.select(ITEMS.c.unit).distinct().select_from(CASES.join(ITEMS, join)))
            )
            if r[0] is not None
        ]
        total = int(
            conn.execute(flt.to_sql(sa.select(sa.func.count()).select_from(CASES).where(*dated))).scalar()
            or 0
        )
    return _flows(cases, items, units, total, mode, level, by_col, per_month, top, include_internal)


def _flows(
    cases: pd.DataFrame,
    items: pd.DataFrame,
    units: list[str],
    total: int,
    mode: str,
    level: str,
    by_col: str | None,
    per_month: bool,
    top: int | None,
    include_internal: bool,
) -> pd.DataFrame:
    """The grouped rows as :func:`flows_from_groups` takes them: routes numbered over the distinct route
    columns of both, breakdown values coded, units pivoted into ``quantity_<unit>`` columns."""
    route_cols = list(ROUTE_COLUMNS)
    both = pd.concat([cases[route_cols], items[route_cols]], ignore_index=True).astype(object)
    both = both.where(both.notna(), None)
    idx = route_index(both)
    cases = cases.assign(route=idx.codes[: len(cases)])
    items = items.assign(route=idx.codes[len(cases) :])
    keys = ["route"]
    by_labels: np.ndarray | None = None
    if by_col:
        codes, uniques = pd.factorize(
            pd.concat([cases["by"], items["by"]], ignore_index=True).astype("string"), use_na_sentinel=True
        )
        by_labels = np.asarray(uniques.astype(str), dtype=object)
        cases["by"], items["by"] = codes[: len(cases)], codes[len(cases) :]
        keys.append("by")
    if per_month:
        for df in (cases, items):
            df["month"] = month_number(df["month"]) if len(df) else pd.Series(dtype="int64")
        keys.append("month")
    cases = cases[cases["route"] >= 0]
    items = items[items["route"] >= 0]
    unit = items["unit"].astype("string")
    quantity = pd.to_numeric(items["quantity"], errors="coerce").astype(float)
    for u, (target, factor) in _UNIT_FACTORS.items():
        quantity = quantity.where(unit.ne(u).fillna(True), quantity * factor)
        unit = unit.mask(unit.eq(u).fillna(False), target)
    folded = {_UNIT_FACTORS[u][0] if u in _UNIT_FACTORS else u for u in units}
    unit_cols = sorted(f"quantity_{u}" for u in folded)
    sums: dict[str, Any] = {
        "value_usd": pd.to_numeric(items["value_usd"], errors="coerce").astype(float).fillna(0.0).to_numpy()
    }
    for col in unit_cols:
        sums[col] = np.where(unit.eq(col.removeprefix("quantity_")).fillna(False), quantity.fillna(0.0), 0.0)
    item_sums = pd.DataFrame({**{k: items[k].to_numpy() for k in keys}, **sums})
    item_sums = item_sums.groupby(keys, sort=False).sum().reset_index()
    case_counts = pd.DataFrame({**{k: cases[k].to_numpy() for k in keys}, "cases": cases["cases"].to_numpy()})
    case_counts = case_counts.groupby(keys, sort=False).sum().reset_index()
    for df in (item_sums, case_counts):
        for k in keys:
            df[k] = df[k].astype("int64")
    case_counts["cases"] = case_counts["cases"].astype("int64")
    return flows_from_groups(
        case_counts,
        item_sums,
        unit_cols,
        expand_routes(idx.routes, mode, level),
        total,
        by_col,
        by_labels,
        per_month=per_month,
        top=top,
        include_internal=include_internal,
    )
