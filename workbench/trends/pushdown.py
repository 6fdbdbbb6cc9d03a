"""Trend series computed inside the database: :func:`workbench.trends.series.time_series` without the frame.

:func:`time_series_in_store` returns the same table as ``time_series(seizure_frame(store, flt), by, freq,
measure, top=top)`` (the counting rules of :mod:`workbench.trends.series`: cases are distinct per period and
series, quantities per unit, blank values ``(not stated)``, every series zero-filled over the period range,
the largest ``top`` series kept and the rest ``(other)``), but the grouping runs in SQL (SQLite or
PostgreSQL) and only one row per period and series comes back. Months, quarters and years, split by
nothing or by one field of the case or item (:data:`PUSHDOWN_SPLITS`); other choices
(:func:`pushdown_supported` says) stay with the frame. Tests compare the two engines on the sample, with
filters, on both databases (``tests/test_pushdown.py``).

Examples
--------
>>> from workbench.store import open_store
>>> time_series_in_store(open_store("sqlite://"), by="transport_mode").columns.tolist()
['period', 'transport_mode', 'cases', 'value_usd']
>>> pushdown_supported("route", "M"), pushdown_supported("commodity_type", "Q"), pushdown_supported(None, "W")
(False, True, False)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from workbench.store import DATA_TABLES, Store
from workbench.store.filters import CaseFilter
from workbench.store.summaries import CASE_SUMMARIES, summaries_current, summary_filter_ok, summary_select
from workbench.trends.series import MEASURES, NOT_STATED, OTHER

__all__ = [
    "PUSHDOWN_SPLITS",
    "PUSHDOWN_FREQUENCIES",
    "SUMMARY_SPLITS",
    "from_summaries",
    "pushdown_supported",
    "time_series_in_store",
    "TrendFacts",
    "trend_facts",
]

CASES = DATA_TABLES["cases"]
ITEMS = DATA_TABLES["items"]

#: Splits the database computes: fields of the case or of the item, read as they are stored.
PUSHDOWN_SPLITS: dict[str, str] = {
    "reporting_country": "cases",
    "transport_mode": "cases",
    "detection_method": "cases",
    "concealment_method": "cases",
    "customs_procedure": "cases",
    "offence_type": "cases",
    "commodity_category": "items",
    "commodity_type": "items",
}
#: Periods the database computes, and how many months each holds (pandas period ordinals count from 1970).
PUSHDOWN_FREQUENCIES: dict[str, int] = {"M": 1, "Q": 3, "Y": 12}


def pushdown_supported(by: str | None, freq: str) -> bool:
    """Whether :func:`time_series_in_store` computes this split and period."""
    return (by is None or by in PUSHDOWN_SPLITS) and freq in PUSHDOWN_FREQUENCIES


def _ordinal(col: sa.ColumnElement[Any], dialect: str, freq: str) -> sa.ColumnElement[int]:
    """The pandas period ordinal of a date column at ``freq`` (months, quarters or years since 1970)."""
    if dialect == "postgresql":
        year = sa.cast(sa.extract("year", col), sa.Integer)
        month = sa.cast(sa.extract("month", col), sa.Integer)
    else:
        year = sa.cast(sa.func.strftime("%Y", col), sa.Integer)
        month = sa.cast(sa.func.strftime("%m", col), sa.Integer)
    months = (year - 1970) * 12 + (month - 1)
    step = PUSHDOWN_FREQUENCIES[freq]
    if step == 1:
        return months
    # SQL's integer division truncates towards zero; periods count down from 1970 as pandas' do
    return sa.case((months >= 0, months // step), else_=-((-months + step - 1) // step))


def _split_value(col: sa.ColumnElement[Any]) -> sa.ColumnElement[str]:
    return sa.func.coalesce(sa.func.nullif(sa.func.trim(col), ""), NOT_STATED)


#: Splits the monthly summaries hold (:mod:`workbench.store.summaries`).
SUMMARY_SPLITS = ("reporting_country", "transport_mode", "commodity_category")


def from_summaries(
    store: Store, flt: CaseFilter, by: str | None, measure: str, unit: str | None, recode: bool = False
) -> bool:
    """Whether the monthly summaries answer this series exactly (and are current): cases or value, split
    by nothing or one of their dimensions, a filter on their dimensions only (several commodity categories
    only when split by category, whose values are then not counted together into ``(other)``)."""
    if measure == "quantity" or unit is not None or (by is not None and by not in SUMMARY_SPLITS):
        return False
    by_category = by == "commodity_category"
    if by_category and recode:
        return False  # a case with two categories outside the top would count twice in (other)
    return summary_filter_ok(flt, categories=None if by_category else 1) and summaries_current(store)


def _grouped_summaries(
    store: Store, flt: CaseFilter, by: str | None, freq: str, kept: tuple[str, ...] | None
) -> pd.DataFrame:
    s = CASE_SUMMARIES
    keys: list[sa.ColumnElement[Any]] = [_ordinal(s.c.month_start, store.dialect, freq).label("_period")]
    if by is not None:
        split = _split_value(s.c[by])
        if kept is not None:
            split = sa.case((split.in_(kept), split), else_=sa.literal(OTHER))
        keys.append(split.label(by))
    stmt: sa.Select[Any] = sa.select(
        *keys, sa.func.sum(s.c.cases).label("cases"), sa.func.sum(s.c.value_usd).label("value_usd")
    ).where(s.c.month_start.is_not(None))
    stmt = summary_select(stmt, flt, by_category=by == "commodity_category").group_by(*keys)
    return _read(store, stmt)


def _read(store: Store, stmt: sa.Select[Any]) -> pd.DataFrame:
    with store.engine.connect() as conn:
        res = conn.execute(stmt)
        df = pd.DataFrame(res.fetchall(), columns=list(res.keys()))
    for c in ("value_usd", "quantity"):
        if c in df.columns:
            df[c] = pd.to_numeric(df[c], errors="coerce").astype(float).fillna(0.0)
    df["cases"] = df["cases"].astype("int64")
    df["_period"] = df["_period"].astype("int64")
    return df


def _grouped(
    store: Store,
    flt: CaseFilter,
    by: str | None,
    freq: str,
    quantity: bool,
    unit: str | None,
    kept: tuple[str, ...] | None,
    summaries: bool = True,
) -> pd.DataFrame:
    """One row per period, split value (and unit): cases, value_usd (and quantity). ``kept``: split values
    kept as they are, the others counted together as ``(other)``."""
    measure = "quantity" if quantity else "cases"
    if summaries and from_summaries(store, flt, by, measure, unit, recode=kept is not None):
        return _grouped_summaries(store, flt, by, freq, kept)
    period = _ordinal(CASES.c.seizure_date, store.dialect, freq).label("_period")
    keys: list[sa.ColumnElement[Any]] = [period]
    if by is not None:
        table = CASES if PUSHDOWN_SPLITS[by] == "cases" else ITEMS
        split = _split_value(table.c[by])
        if kept is not None:
            split = sa.case((split.in_(kept), split), else_=sa.literal(OTHER))
        keys.append(split.label("split"))
    if quantity:
        keys.append(ITEMS.c.unit.label("unit"))
    sums = [sa.func.sum(ITEMS.c.estimated_value_usd).label("value_usd")]
    if quantity:
        sums.append(sa.func.sum(ITEMS.c.quantity).label("quantity"))
    join = sa.and_(
        ITEMS.c.reporting_country == CASES.c.reporting_country,
        ITEMS.c.case_id == CASES.c.case_id,
        *flt.item_clauses(ITEMS),
    )
    # per case first (a case counts once per period and series), then per period and series
    inner = sa.select(*keys, CASES.c.reporting_country, CASES.c.case_id, *sums).select_from(
        CASES.outerjoin(ITEMS, join)
    )
    inner = flt.to_sql(inner).where(CASES.c.seizure_date.is_not(None))
    if quantity:
        inner = inner.where(ITEMS.c.unit.is_not(None), ITEMS.c.unit != "")
    if unit is not None:
        inner = inner.where(ITEMS.c.unit == unit)
    names = [k.name for k in keys]
    per_case = inner.group_by(*keys, CASES.c.reporting_country, CASES.c.case_id).subquery("per_case")
    outer_keys = [per_case.c[n] for n in names]
    stmt = sa.select(
        *outer_keys,
        sa.func.count().label("cases"),
        *[sa.func.sum(per_case.c[s.name]).label(s.name) for s in sums],
    ).group_by(*outer_keys)
    df = _read(store, stmt)
    return df.rename(columns={"split": by}) if by is not None else df


def _categories(values: pd.Series, recoded: bool) -> list[str]:
    """The categories in the order :func:`workbench.trends.series.time_series` gives them: the values
    sorted, ``(not stated)`` last (sorted with the others once split values were recoded into ``(other)``)."""
    present = set(values.astype(str))
    if recoded:
        return sorted(present)
    return sorted(present - {NOT_STATED}) + ([NOT_STATED] if NOT_STATED in present else [])


def time_series_in_store(
    store: Store,
    flt: CaseFilter | None = None,
    by: str | None = None,
    freq: str = "M",
    measure: str = "cases",
    *,
    top: int | None = None,
    unit: str | None = None,
    summaries: bool = True,
) -> pd.DataFrame:
    """:func:`workbench.trends.series.time_series` of the seizures matching ``flt`` (only the items of a
    ``unit`` when given), computed in the database (see the module docstring): from the monthly summaries
    where they answer it (:func:`from_summaries`; not with ``summaries=False``), else from the data
    tables."""
    flt = flt or CaseFilter()
    if not pushdown_supported(by, freq):
        raise ValueError(f"the database does not compute the series by {by!r} per {freq!r}")
    if measure not in MEASURES:
        raise ValueError(f"measure {measure!r} is not one of {', '.join(MEASURES)}")
    quantity = measure == "quantity"
    grouped = _grouped(store, flt, by, freq, quantity, unit, None, summaries)
    recoded = False
    if top is not None and by is not None and len(grouped):
        rank = "value_usd" if measure == "value_usd" else "cases"
        totals = grouped.groupby(by)[rank].sum()
        if quantity:  # cases of a split value over every unit: count them again without the unit
            totals = _grouped(store, flt, by, freq, False, unit, None, summaries).groupby(by)["cases"].sum()
        totals = totals.reindex(_categories(totals.index.to_series(), False))
        if len(totals) > top:
            kept = tuple(totals.sort_values(ascending=False, kind="stable").index[:top])
            grouped = _grouped(store, flt, by, freq, quantity, unit, kept, summaries)
            recoded = True
    series_keys = [*([by] if by else []), *(["unit"] if quantity else [])]
    value_cols = ["cases", *(["quantity"] if quantity else []), "value_usd"]
    if len(grouped):
        periods = np.arange(int(grouped["_period"].min()), int(grouped["_period"].max()) + 1, dtype=np.int64)
        if series_keys:
            combos = grouped[series_keys].drop_duplicates()
            full = combos.loc[combos.index.repeat(len(periods))].reset_index(drop=True)
            full.insert(0, "_period", np.tile(periods, len(combos)))
        else:
            full = pd.DataFrame({"_period": periods})
        out = full.merge(grouped, on=["_period", *series_keys], how="left")
        out[value_cols] = out[value_cols].fillna(0)
    else:
        out = pd.DataFrame({c: pd.Series(dtype="int64") for c in ["_period", *series_keys, *value_cols]})
    for c in series_keys:
        cats = _categories(out[c], recoded and c == by) if c == by else sorted(set(out[c].astype(str)))
        out[c] = pd.Categorical(out[c].astype(str) if len(out) else out[c], categories=cats)
    if series_keys:
        out = out.sort_values([*series_keys, "_period"], kind="stable")
    out["cases"] = out["cases"].astype("int64")
    for c in value_cols[1:]:
        out[c] = out[c].astype(float)
    dtype = pd.PeriodDtype({"M": "M", "Q": "Q-DEC", "Y": "Y-DEC"}[freq])
    period = pd.PeriodIndex(pd.arrays.PeriodArray(out["_period"].to_numpy(np.int64), dtype=dtype))
    out = out.drop(columns="_period")
    out.insert(0, "period", pd.Series(period, index=out.index))
    out = out[["period", *series_keys, *value_cols]].reset_index(drop=True)
    out.attrs.update({"freq": freq, "by": (by,) if by else (), "measure": measure})
    return out


@dataclass(frozen=True)
class TrendFacts:
    """What the Trends tabs need to know of the filtered seizures before they ask for a series: how many
    cases, their first and last seizure date, and the units their (filtered) items are measured in, the
    most used first (:func:`workbench.trends.series.main_unit` reads the first)."""

    cases: int
    first: dt.date | None
    last: dt.date | None
    units: tuple[str, ...]

    @property
    def main_unit(self) -> str | None:
        return self.units[0] if self.units else None


def trend_facts(store: Store, flt: CaseFilter | None = None) -> TrendFacts:
    """:class:`TrendFacts` of the cases matching ``flt``, counted in the database.

    >>> from workbench.store import open_store
    >>> trend_facts(open_store("sqlite://"))
    TrendFacts(cases=0, first=None, last=None, units=())
    """
    flt = flt or CaseFilter()
    join = sa.and_(
        ITEMS.c.reporting_country == CASES.c.reporting_country,
        ITEMS.c.case_id == CASES.c.case_id,
        *flt.item_clauses(ITEMS),
    )
    items = sa.func.count().label("items")
    with store.engine.connect() as conn:
        n, first, last = conn.execute(
            flt.to_sql(
                sa.select(
                    sa.func.count(), sa.func.min(CASES.c.seizure_date), sa.func.max(CASES.c.seizure_date)
                )
            )
        ).one()
        stmt = sa.select(ITEMS.c.unit, items).where(ITEMS.c.unit.is_not(None))
        if any(c.table == "cases" for c in flt.set_criteria()):
            stmt = flt.to_sql(stmt.select_from(CASES.join(ITEMS, join)))
        else:  # every item of the chosen commodities belongs to a case that matches: no join
            stmt = stmt.where(*flt.item_clauses(ITEMS))
        units = conn.execute(stmt.group_by(ITEMS.c.unit).order_by(sa.desc(items), ITEMS.c.unit)).fetchall()
    return TrendFacts(int(n), first, last, tuple(str(u) for u, _ in units))
