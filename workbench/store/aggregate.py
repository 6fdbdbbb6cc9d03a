"""Figures computed inside the database: the in-store engine of the pages' aggregates.

The pages' figures have one definition each; this module chooses where they are computed when the data
are in a store, and brings back only the small results:

- :func:`overview_figures`: the Overview's figures (:class:`workbench.store.queries.Overview`). From the
  monthly summaries (:mod:`workbench.store.summaries`) when they are current and the filter reads only
  their dimensions; otherwise from the data tables (:func:`workbench.store.queries.overview`). The top
  routes come from the route summaries then; the latest cases always from the data tables (an indexed
  ``LIMIT``).
- The trend series are in :mod:`workbench.trends.pushdown` (they belong to the trends' layer).

Tests hold the engines to the same figures on the sample, on SQLite and PostgreSQL
(``tests/test_pushdown.py``).

Examples
--------
>>> from workbench.store import open_store
>>> ov = overview_figures(open_store("sqlite://"))
>>> ov.kpis["cases"], ov.monthly.columns.tolist()
(0, ['month', 'cases'])
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from workbench.store.database import Store
from workbench.store.filters import CaseFilter
from workbench.store.queries import Overview, assemble_overview, overview, overview_latest
from workbench.store.summaries import (
    CASE_SUMMARIES,
    CATEGORY_PAIRS,
    ROUTE_SUMMARIES,
    summaries_current,
    summary_filter_ok,
    summary_select,
)

__all__ = ["overview_figures", "overview_from_summaries", "uses_summaries"]

S = CASE_SUMMARIES


def uses_summaries(store: Store, flt: CaseFilter) -> bool:
    """Whether :func:`overview_figures` answers ``flt`` from the summaries (a filter on their dimensions,
    at most one commodity category: the cases of two cannot be added up)."""
    return summary_filter_ok(flt) and summaries_current(store)


def overview_figures(
    store: Store, flt: CaseFilter | None = None, top: int = 10, latest: int = 15
) -> Overview:
    """The Overview's figures for the cases matching ``flt``, from the summaries where they answer it."""
    flt = flt or CaseFilter()
    if uses_summaries(store, flt):
        return overview_from_summaries(store, flt, top, latest)
    return overview(store, flt, top, latest)


def _top_routes(conn: sa.Connection, flt: CaseFilter, top: int) -> pd.DataFrame:
    """:func:`workbench.store.queries.overview_top_routes` from the route summaries."""
    r = ROUTE_SUMMARIES
    cases = sa.func.sum(r.c.cases).label("cases")
    inferred = sa.func.sum(sa.case((r.c.destination_inferred, r.c.cases), else_=0)).label("inferred")
    stmt = (
        summary_select(sa.select(r.c.origin, r.c.destination, cases, inferred), flt, table=r)
        .group_by(r.c.origin, r.c.destination)
        .order_by(sa.desc("cases"), r.c.origin, r.c.destination)
        .limit(top)
    )
    rows = conn.execute(stmt).fetchall()
    if not rows:  # as the data tables' path gives it
        return pd.DataFrame(columns=["origin", "destination", "cases", "inferred"])
    out = pd.DataFrame(rows, columns=["origin", "destination", "cases", "inferred"])
    return out.astype({"origin": "string", "destination": "string", "cases": "int64", "inferred": "int64"})


def overview_from_summaries(store: Store, flt: CaseFilter, top: int = 10, latest: int = 15) -> Overview:
    """:func:`workbench.store.queries.overview` computed from the summaries (``flt`` must be one that
    :func:`uses_summaries` allows; the summaries must be current)."""
    with store.engine.connect() as conn:
        totals = conn.execute(
            summary_select(
                sa.select(
                    sa.func.coalesce(sa.func.sum(S.c.cases), 0),
                    sa.func.count(sa.distinct(S.c.reporting_country)),
                    sa.func.min(S.c.first_date),
                    sa.func.max(S.c.last_date),
                ),
                flt,
            )
        ).one()
        cases = sa.func.sum(S.c.cases).label("cases")
        if flt.has_item_criteria:  # every category of the cases that have one of the chosen category
            p = CATEGORY_PAIRS
            category = p.c.other_category
            by_cat_stmt = summary_select(
                sa.select(category, sa.func.sum(p.c.cases).label("cases"), sa.func.sum(p.c.value_usd)),
                flt,
                table=p,
            )
        else:
            category = S.c.commodity_category
            by_cat_stmt = summary_select(
                sa.select(category, cases, sa.func.sum(S.c.value_usd)), flt, by_category=True
            )
        by_cat = conn.execute(by_cat_stmt.group_by(category).order_by(sa.desc("cases"))).fetchall()
        monthly = conn.execute(
            summary_select(sa.select(S.c.month_start, cases), flt)
            .group_by(S.c.month_start)
            .order_by(S.c.month_start)
        ).fetchall()
        by_country = conn.execute(
            summary_select(sa.select(S.c.reporting_country, cases), flt)
            .group_by(S.c.reporting_country)
            .order_by(sa.desc("cases"))
        ).fetchall()
        top_routes = _top_routes(conn, flt, top)
    months = [(None if m is None else f"{m:%Y-%m}", int(n)) for m, n in monthly]
    return assemble_overview(
        totals,
        by_cat,
        months,
        by_country,
        top_routes,
        overview_latest(store, flt, latest),
    )
