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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from workbench.store import DATA_TABLES, Store
from workbench.store.filters import CaseFilter
from workbench.store.frames import compact
from workbench.store.summaries import CASE_SUMMARIES, summaries_current, summary_filter_ok, summary_select
from workbench.trends.emerging import (
    EmergingFlag,
    EmergingResult,
    EmergingSource,
    detect_emerging_in,
    flag_filter,
    series_of_flag,
)
from workbench.trends.series import (
    MEASURES,
    NOT_STATED,
    OTHER,
    SEASONAL_SERIES,
    _region_maps,
    largest_split_values,
    profile_of_series,
    shares_of_counts,
)
from workbench.trends.statistics import ReportData

__all__ = [
    "PUSHDOWN_SPLITS",
    "PUSHDOWN_FREQUENCIES",
    "SUMMARY_SPLITS",
    "from_summaries",
    "pushdown_supported",
    "time_series_in_store",
    "TrendFacts",
    "trend_facts",
    "split_expr",
    "method_shares_in_store",
    "date_range_in_store",
    "seasonal_profile_in_store",
    "case_commodity_rows",
    "seizure_dates",
    "emerging_source",
    "detect_emerging_in_store",
    "flag_series_in_store",
    "StoreReportData",
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
    # regions of the reporting country (:func:`workbench.trends.series.split_column`), mapped in SQL
    "wco_region": "cases",
    "rilo": "cases",
}
#: Splits read through the reference table of countries from the case's reporting country.
_REGION_SPLITS = ("wco_region", "rilo")
#: Periods the database computes, and how many months each holds (pandas period ordinals count from 1970;
#: days, 0, count days since 1970-01-01).
PUSHDOWN_FREQUENCIES: dict[str, int] = {"D": 0, "M": 1, "Q": 3, "Y": 12}


def pushdown_supported(by: str | Sequence[str] | None, freq: str) -> bool:
    """Whether :func:`time_series_in_store` computes this split (or these splits) and period."""
    return all(b in PUSHDOWN_SPLITS for b in _splits(by)) and freq in PUSHDOWN_FREQUENCIES


def _splits(by: str | Sequence[str] | None) -> tuple[str, ...]:
    if by is None:
        return ()
    return (by,) if isinstance(by, str) else tuple(by)


def _ordinal(col: sa.ColumnElement[Any], dialect: str, freq: str) -> sa.ColumnElement[int]:
    """The pandas period ordinal of a date column at ``freq`` (days, months, quarters or years since 1970)."""
    if freq == "D":
        if dialect == "postgresql":
            return sa.cast(sa.cast(col, sa.Date) - sa.cast(sa.literal("1970-01-01"), sa.Date), sa.Integer)
        return sa.cast(sa.func.julianday(col) - 2440587.5, sa.Integer)
    if dialect == "postgresql":
        year = sa.cast(sa.extract("year", col), sa.Integer)
        month = sa.cast(sa.extract("month", col), sa.Integer)
    else:  # the stored ISO text: cutting it is cheaper than parsing it (strftime) for every row
        year = sa.cast(sa.func.substr(col, 1, 4), sa.Integer)
        month = sa.cast(sa.func.substr(col, 6, 2), sa.Integer)
    # built from the year and the month, not by dividing a month count: exact before 1970 too
    if freq == "Y":
        return year - 1970
    if freq == "Q":
        return (year - 1970) * 4 + (month - 1) // 3
    return (year - 1970) * 12 + (month - 1)


def _split_value(col: sa.ColumnElement[Any]) -> sa.ColumnElement[str]:
    return sa.func.coalesce(sa.func.nullif(sa.func.trim(col), ""), NOT_STATED)


def split_expr(table: sa.FromClause, by: str) -> sa.ColumnElement[str]:
    """The value of split ``by`` in SQL over ``table`` (the cases, the items or a summary holding the
    column): blanks are ``(not stated)`` and regions come from the reporting country, as
    :func:`workbench.trends.series.split_column` reads them."""
    if by in _REGION_SPLITS:
        wco, rilo = _region_maps()
        mapping = wco if by == "wco_region" else rilo
        country = sa.func.trim(table.c["reporting_country"])
        return sa.case(mapping, value=country, else_=sa.literal(NOT_STATED))
    return _split_value(table.c[by])


#: Splits the monthly summaries hold (:mod:`workbench.store.summaries`), or read from what they hold.
SUMMARY_SPLITS = ("reporting_country", "transport_mode", "commodity_category", *_REGION_SPLITS)


def from_summaries(
    store: Store,
    flt: CaseFilter,
    by: str | Sequence[str] | None,
    measure: str,
    unit: str | None,
    recode: bool = False,
    freq: str = "M",
) -> bool:
    """Whether the monthly summaries answer this series exactly (and are current): cases or value, split
    by nothing or one of their dimensions, a filter on their dimensions only (several commodity categories
    only when split by category, whose values are then not counted together into ``(other)``)."""
    splits = _splits(by)
    if measure == "quantity" or unit is not None or any(b not in SUMMARY_SPLITS for b in splits):
        return False
    if freq == "D":  # the summaries hold months
        return False
    by_category = "commodity_category" in splits
    if by_category and recode:
        return False  # a case with two categories outside the top would count twice in (other)
    return summary_filter_ok(flt, categories=None if by_category else 1) and summaries_current(store)


def _grouped_summaries(
    store: Store, flt: CaseFilter, by: tuple[str, ...], freq: str, kept: tuple[str, ...] | None
) -> pd.DataFrame:
    s = CASE_SUMMARIES
    keys: list[sa.ColumnElement[Any]] = [_ordinal(s.c.month_start, store.dialect, freq).label("_period")]
    for b in by:
        split = split_expr(s, b)
        if kept is not None:
            split = sa.case((split.in_(kept), split), else_=sa.literal(OTHER))
        keys.append(split.label(b))
    stmt: sa.Select[Any] = sa.select(
        *keys, sa.func.sum(s.c.cases).label("cases"), sa.func.sum(s.c.value_usd).label("value_usd")
    ).where(s.c.month_start.is_not(None))
    stmt = summary_select(stmt, flt, by_category="commodity_category" in by).group_by(*keys)
    return _read(store, stmt)


def result_frame(res: sa.CursorResult[Any]) -> pd.DataFrame:
    """The rows of a result as a frame, built column by column (pandas given SQLAlchemy's rows probes
    each one for named-tuple fields through the row's attribute fallback: 1.9 of 2.4 s for 40,000 rows)."""
    keys = list(res.keys())
    rows = res.fetchall()
    if not rows:
        return pd.DataFrame({k: pd.Series(dtype=object) for k in keys})
    return pd.DataFrame(dict(zip(keys, (list(c) for c in zip(*rows, strict=True)), strict=True)))


def _read(store: Store, stmt: sa.Select[Any]) -> pd.DataFrame:
    with store.engine.connect() as conn:
        res = conn.execute(stmt)
        df = result_frame(res)
    for c in ("value_usd", "quantity"):
        if c in df.columns:
            df[c] = pd.to_numeric(df[c], errors="coerce").astype(float).fillna(0.0)
    df["cases"] = df["cases"].astype("int64")
    df["_period"] = df["_period"].astype("int64")
    return df


def _grouped(
    store: Store,
    flt: CaseFilter,
    by: tuple[str, ...],
    freq: str,
    quantity: bool,
    unit: str | None,
    kept: tuple[str, ...] | None,
    summaries: bool = True,
) -> pd.DataFrame:
    """One row per period, split values (and unit): cases, value_usd (and quantity). ``kept`` (one split):
    split values kept as they are, the others counted together as ``(other)``."""
    measure = "quantity" if quantity else "cases"
    if summaries and from_summaries(store, flt, by, measure, unit, recode=kept is not None, freq=freq):
        return _grouped_summaries(store, flt, by, freq, kept)
    period = _ordinal(CASES.c.seizure_date, store.dialect, freq).label("_period")
    keys: list[sa.ColumnElement[Any]] = [period]
    for i, b in enumerate(by):
        split = split_expr(_split_table(b), b)
        if kept is not None:
            split = sa.case((split.in_(kept), split), else_=sa.literal(OTHER))
        keys.append(split.label(f"split{i}"))
    named = {f"split{i}": b for i, b in enumerate(by)}
    if quantity:
        keys.append(ITEMS.c.unit.label("unit"))
    if not quantity and all(PUSHDOWN_SPLITS[b] == "cases" for b in by):
        # a case is one row: count the cases where the date index finds them and add each one's value
        # from its items (a look-up by the items' case index), rather than join and group per case,
        # which makes SQLite walk every case in key order whatever the period
        value = (
            sa.select(sa.func.sum(ITEMS.c.estimated_value_usd))
            .where(
                ITEMS.c.reporting_country == CASES.c.reporting_country,
                ITEMS.c.case_id == CASES.c.case_id,
                *flt.item_clauses(ITEMS),
            )
            .correlate(CASES)
            .scalar_subquery()
        )
        per_row = flt.to_sql(sa.select(*keys, value.label("value_usd"))).where(
            CASES.c.seizure_date.is_not(None)
        )
        rows = per_row.subquery("per_case")
        row_keys = [rows.c[k.name] for k in keys]
        stmt = sa.select(
            *row_keys, sa.func.count().label("cases"), sa.func.sum(rows.c.value_usd).label("value_usd")
        ).group_by(*row_keys)
        return _read(store, stmt).rename(columns=named)
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
    return _read(store, stmt).rename(columns=named)


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
    by: str | Sequence[str] | None = None,
    freq: str = "M",
    measure: str = "cases",
    *,
    top: int | None = None,
    unit: str | None = None,
    summaries: bool = True,
    start: dt.date | pd.Timestamp | None = None,
    end: dt.date | pd.Timestamp | None = None,
) -> pd.DataFrame:
    """:func:`workbench.trends.series.time_series` of the seizures matching ``flt`` (only the items of a
    ``unit`` when given), computed in the database (see the module docstring): from the monthly summaries
    where they answer it (:func:`from_summaries`; not with ``summaries=False``), else from the data
    tables. ``by``: one split or several (``top`` with one only); ``start``/``end`` bound the periods
    filled with zeros, as for ``time_series``."""
    flt = flt or CaseFilter()
    splits = _splits(by)
    if not pushdown_supported(splits, freq):
        raise ValueError(f"the database does not compute the series by {by!r} per {freq!r}")
    if measure not in MEASURES:
        raise ValueError(f"measure {measure!r} is not one of {', '.join(MEASURES)}")
    if top is not None and len(splits) > 1:
        raise ValueError("the database keeps the top series of one split only")
    quantity = measure == "quantity"
    grouped = _grouped(store, flt, splits, freq, quantity, unit, None, summaries)
    recoded = False
    one = splits[0] if len(splits) == 1 else None
    if top is not None and one is not None and len(grouped):
        rank = "value_usd" if measure == "value_usd" else "cases"
        totals = grouped.groupby(one)[rank].sum()
        if quantity:  # cases of a split value over every unit: count them again without the unit
            totals = (
                _grouped(store, flt, splits, freq, False, unit, None, summaries).groupby(one)["cases"].sum()
            )
        totals = totals.reindex(_categories(totals.index.to_series(), False))
        if len(totals) > top:
            kept = tuple(totals.sort_values(ascending=False, kind="stable").index[:top])
            grouped = _grouped(store, flt, splits, freq, quantity, unit, kept, summaries)
            recoded = True
    series_keys = [*splits, *(["unit"] if quantity else [])]
    value_cols = ["cases", *(["quantity"] if quantity else []), "value_usd"]
    ords = grouped["_period"]
    lo = _period_bound(start, freq) if start is not None else (int(ords.min()) if len(ords) else None)
    hi = _period_bound(end, freq) if end is not None else (int(ords.max()) if len(ords) else None)
    if lo is not None and hi is not None and hi >= lo:
        periods = np.arange(lo, hi + 1, dtype=np.int64)
        if series_keys:
            combos = grouped[series_keys].drop_duplicates()
            full = combos.loc[combos.index.repeat(len(periods))].reset_index(drop=True)
            full.insert(0, "_period", np.tile(periods, len(combos)))
        else:
            full = pd.DataFrame({"_period": periods})
        out = full.merge(grouped, on=["_period", *series_keys], how="left")
        out[value_cols] = out[value_cols].fillna(0)
    elif len(grouped):
        out = grouped
    else:
        out = pd.DataFrame({c: pd.Series(dtype="int64") for c in ["_period", *series_keys, *value_cols]})
    for c in series_keys:
        cats = _categories(out[c], recoded and c == one) if c in splits else sorted(set(out[c].astype(str)))
        out[c] = pd.Categorical(out[c].astype(str) if len(out) else out[c], categories=cats)
    if series_keys:
        out = out.sort_values([*series_keys, "_period"], kind="stable")
    out["cases"] = out["cases"].astype("int64")
    for c in value_cols[1:]:
        out[c] = out[c].astype(float)
    dtype = pd.PeriodDtype(_PERIOD_DTYPES[freq])
    period = pd.PeriodIndex(pd.arrays.PeriodArray(out["_period"].to_numpy(np.int64), dtype=dtype))
    out = out.drop(columns="_period")
    out.insert(0, "period", pd.Series(period, index=out.index))
    out = out[["period", *series_keys, *value_cols]].reset_index(drop=True)
    out.attrs.update({"freq": freq, "by": splits, "measure": measure})
    return out


_PERIOD_DTYPES = {"D": "D", "M": "M", "Q": "Q-DEC", "Y": "Y-DEC"}


def _period_bound(value: dt.date | pd.Timestamp, freq: str) -> int:
    return int(pd.Timestamp(value).to_period(_PERIOD_DTYPES[freq]).ordinal)


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


# ------------------------------------------------------------------------------------ methods
def _item_join(flt: CaseFilter) -> sa.ColumnElement[bool]:
    """The join of the cases with their items that the filter keeps (as the seizure frame holds them)."""
    return sa.and_(
        ITEMS.c.reporting_country == CASES.c.reporting_country,
        ITEMS.c.case_id == CASES.c.case_id,
        *flt.item_clauses(ITEMS),
    )


def _split_table(by: str) -> sa.Table:
    return CASES if PUSHDOWN_SPLITS[by] == "cases" else ITEMS


def method_shares_in_store(
    store: Store,
    flt: CaseFilter | None = None,
    method: str = "detection_method",
    within: str | None = "transport_mode",
    unit: str | None = None,
) -> pd.DataFrame:
    """:func:`workbench.trends.series.method_shares` of the seizures matching ``flt``, counted in the
    database: per case, then per value of ``within`` and ``method`` (cases, quantity in ``unit``, value),
    and the median quantity per case by a window over the cases in ``unit``; only one row per value comes
    back. ``method`` and ``within`` are :data:`PUSHDOWN_SPLITS`.

    >>> from workbench.store import open_store
    >>> method_shares_in_store(open_store("sqlite://"), within=None).columns.tolist()[:3]
    ['detection_method', 'cases', 'case_share']
    """
    flt = flt or CaseFilter()
    for name in (method, within):
        if name is not None and name not in PUSHDOWN_SPLITS:
            raise ValueError(f"the database does not compute the shares by {name!r}")
    unit = unit or trend_facts(store, flt).main_unit
    names = [within, method] if within is not None and within != method else [method]
    keys = [split_expr(_split_table(n), n).label(f"k{i}") for i, n in enumerate(names)]
    in_unit = ITEMS.c.unit == unit if unit else sa.false()
    per_case = (
        flt.to_sql(
            sa.select(
                *keys,
                # NULL: no item in the unit (a blank quantity in it counts 0, as pandas sums it)
                sa.func.sum(sa.case((in_unit, sa.func.coalesce(ITEMS.c.quantity, 0.0)))).label("quantity"),
                sa.func.sum(ITEMS.c.estimated_value_usd).label("value_usd"),
            ).select_from(CASES.outerjoin(ITEMS, _item_join(flt)))
        )
        # the case's key first: SQLite groups in the order of the cases' key index, without sorting
        .group_by(CASES.c.reporting_country, CASES.c.case_id, *keys)
        .subquery("per_case")
    )
    # one pass over the cases: their rank by quantity among the cases of the same values in the unit
    # gives the median (the middle one, or the mean of the middle two) beside the sums
    outer = [per_case.c[k.name] for k in keys]
    q = per_case.c.quantity
    # one sort: the rank and the count of the same window (partition, then quantity)
    part = [*outer, q.is_(None)]
    ranked = sa.select(
        *outer,
        q,
        per_case.c.value_usd,
        sa.func.row_number().over(partition_by=part, order_by=q).label("rn"),
        sa.func.count().over(partition_by=part, order_by=q, rows=(None, None)).label("n"),
    ).subquery("ranked")
    r_keys = [ranked.c[k.name] for k in keys]
    middle = sa.and_(
        ranked.c.quantity.is_not(None), ranked.c.rn.in_([(ranked.c.n + 1) // 2, (ranked.c.n + 2) // 2])
    )
    counts = sa.select(
        *r_keys,
        sa.func.count().label("cases"),
        sa.func.sum(ranked.c.quantity).label("quantity"),
        sa.func.sum(ranked.c.value_usd).label("value_usd"),
        sa.func.avg(sa.case((middle, ranked.c.quantity))).label("median_quantity"),
    ).group_by(*r_keys)
    with store.engine.connect() as conn:
        res = conn.execute(counts)
        df = result_frame(res)
    key_names = [k.name for k in keys]
    for c in ("quantity", "value_usd", "median_quantity"):
        df[c] = pd.to_numeric(df[c], errors="coerce").astype(float)
    df["value_usd"] = df["value_usd"].fillna(0.0)
    for k in key_names:
        df[k] = pd.Categorical(df[k].astype(str), categories=_categories(df[k].astype(str), False))
    # in the order of the values, as pandas groups them (ties in cases keep it)
    df = df.sort_values(key_names, kind="stable").rename(columns=dict(zip(key_names, names, strict=True)))
    table = df[[*names, "cases", "quantity", "median_quantity", "value_usd"]].reset_index(drop=True)
    return shares_of_counts(table, names, unit)


# ------------------------------------------------------------------------------------ seasons
def date_range_in_store(
    store: Store, flt: CaseFilter | None = None, split: str | None = None, values: Sequence[str] = ()
) -> tuple[dt.date | None, dt.date | None]:
    """The first and last seizure date of the cases matching ``flt`` (with ``split``: of the cases with
    one of its ``values``), from the monthly summaries when they answer it, else from the data tables."""
    flt = flt or CaseFilter()
    if split is None:
        facts = trend_facts(store, flt)
        return facts.first, facts.last
    if from_summaries(store, flt, split, "cases", None):
        s = CASE_SUMMARIES
        stmt = sa.select(sa.func.min(s.c.first_date), sa.func.max(s.c.last_date)).where(
            split_expr(s, split).in_(list(values))
        )
        stmt = summary_select(stmt, flt, by_category=split == "commodity_category")
    else:
        stmt = sa.select(sa.func.min(CASES.c.seizure_date), sa.func.max(CASES.c.seizure_date)).where(
            split_expr(_split_table(split), split).in_(list(values))
        )
        if PUSHDOWN_SPLITS[split] == "items":
            stmt = stmt.select_from(CASES.outerjoin(ITEMS, _item_join(flt)))
        stmt = flt.to_sql(stmt)
    with store.engine.connect() as conn:
        first, last = conn.execute(stmt).one()
    return _as_date(first), _as_date(last)


def _as_date(value: Any) -> dt.date | None:
    """A date read from the database (SQLite may give the stored text)."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def seasonal_profile_in_store(
    store: Store,
    flt: CaseFilter | None = None,
    freq: str = "M",
    split: str | None = None,
    n: int = SEASONAL_SERIES,
) -> pd.DataFrame:
    """:func:`workbench.trends.series.seasonal_profile_of_largest` of the seizures matching ``flt``
    (months, quarters or weekdays; overall or for the ``n`` largest values of a :data:`PUSHDOWN_SPLITS`),
    from series computed in the database (:func:`time_series_in_store`) and the first and last seizure
    date (:func:`date_range_in_store`)."""
    flt = flt or CaseFilter()
    if freq not in ("D", "M", "Q"):
        raise ValueError(f"the database does not compute the seasonal profile per {freq!r}")
    by: tuple[str, ...] = ()
    kept: list[str] = []
    if split is not None:
        kept = [str(v) for v in largest_split_values(time_series_in_store(store, flt, split, "Y"), split, n)]
        by = (split,)
    first, last = date_range_in_store(store, flt, split, kept)
    if first is None or last is None:
        return pd.DataFrame(columns=[*by, "season", "label", "mean", "index"])
    series = time_series_in_store(store, flt, split, freq)
    if split is not None:
        # the series of the kept values over their own period range, as the frame of their rows gives it
        series = series[series[split].isin(kept)]
        p = pd.PeriodIndex(series["period"])
        lo, hi = pd.Period(first, freq=p.freqstr), pd.Period(last, freq=p.freqstr)
        series = series[(p >= lo) & (p <= hi)]
        series[split] = series[split].cat.remove_unused_categories()
        series = series.reset_index(drop=True)
    profile = profile_of_series(series, freq, "cases", by, first, last)
    return profile[profile[split].isin(kept)].reset_index(drop=True) if split else profile


# ------------------------------------------------------------------------------------ emerging
#: The columns of a case the emerging series split by (the route's columns for the route splits).
_EMERGING_CASE_COLUMNS = (
    "seizure_date",
    "transport_mode",
    "detection_method",
    "concealment_method",
    "departure_country",
    "transit_countries",
    "destination_country",
    "customs_procedure",
)


def case_commodity_rows(
    store: Store,
    flt: CaseFilter | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    narrow: CaseFilter | None = None,
) -> pd.DataFrame:
    """One row per case and commodity type of the seizures matching ``flt`` (and ``narrow``) seized from
    ``start`` to ``end``, with the columns of the case the emerging series split by: what
    :func:`workbench.trends.series.time_series` counts cases and values from, without the items'
    quantities (a case counts once per commodity type whatever its items; ``estimated_value_usd`` sums
    its items of that type), so without the seizure frame."""
    flt = flt or CaseFilter()
    join = _item_join(flt)
    if narrow is not None:
        join = sa.and_(join, *narrow.item_clauses(ITEMS))
    keys = [
        CASES.c.reporting_country,
        CASES.c.case_id,
        *(CASES.c[c] for c in _EMERGING_CASE_COLUMNS),
        ITEMS.c.commodity_type,
    ]
    stmt = (
        sa.select(*keys, sa.func.sum(ITEMS.c.estimated_value_usd).label("estimated_value_usd"))
        .select_from(CASES.outerjoin(ITEMS, join))
        .where(CASES.c.seizure_date.is_not(None))
        .group_by(*keys)
    )
    if start is not None:
        stmt = stmt.where(CASES.c.seizure_date >= start)
    if end is not None:
        stmt = stmt.where(CASES.c.seizure_date <= end)
    stmt = flt.to_sql(stmt)
    if narrow is not None:
        stmt = narrow.to_sql(stmt)
    with store.engine.connect() as conn:
        res = conn.execute(stmt)
        df = result_frame(res)
    df.insert(0, "case_key", df["reporting_country"].astype(str) + ":" + df["case_id"].astype(str))
    # in the seizure frame's dtypes (codes as categoricals): the series split them as they split the frame
    return compact(df)


def seizure_dates(store: Store, flt: CaseFilter | None = None) -> pd.Series:
    """The distinct seizure dates of the cases matching ``flt`` (what :func:`workbench.trends.emerging.
    period_to_test` reads of the dates)."""
    flt = flt or CaseFilter()
    stmt = flt.to_sql(sa.select(CASES.c.seizure_date).distinct().where(CASES.c.seizure_date.is_not(None)))
    with store.engine.connect() as conn:
        dates = [d for (d,) in conn.execute(stmt)]
    return pd.Series(pd.to_datetime(pd.Series(dates, dtype=object)), name="seizure_date")


def emerging_source(store: Store, flt: CaseFilter | None = None) -> EmergingSource:
    """The :class:`workbench.trends.emerging.EmergingSource` of the seizures matching ``flt`` in the
    store: their distinct dates, the window's case x commodity rows (:func:`case_commodity_rows`) and the
    seasonal profile computed in the database (:func:`seasonal_profile_in_store`)."""
    flt = flt or CaseFilter()

    def window(lo: pd.Timestamp, hi: pd.Timestamp) -> pd.DataFrame:
        return case_commodity_rows(store, flt, lo.date(), hi.date())

    return EmergingSource(
        seizure_dates(store, flt), window, lambda f: seasonal_profile_in_store(store, flt, f)
    )


def detect_emerging_in_store(store: Store, flt: CaseFilter | None = None, **settings: Any) -> EmergingResult:
    """:func:`workbench.trends.emerging.detect_emerging` of the seizures matching ``flt`` without their
    frame (cases only: a quantity needs the items' figures), with the same settings."""
    if settings.get("measure", "cases") != "cases":
        raise ValueError("the database engine of the emerging trends tests cases")
    return detect_emerging_in(emerging_source(store, flt), **settings)


def flag_series_in_store(
    store: Store, flt: CaseFilter | None, flag: EmergingFlag, freq: str | None = None
) -> pd.DataFrame:
    """:func:`workbench.trends.emerging.flag_series` of the seizures matching ``flt``, from the rows of
    the flag's commodity and mode (:func:`case_commodity_rows`)."""
    if flag.measure != "cases":
        raise ValueError("the database engine of the emerging trends charts cases")
    rows = case_commodity_rows(store, flt, end=flag.period_end, narrow=flag_filter(flag))
    return series_of_flag(rows, flag, freq)


# ------------------------------------------------------------------------------------ standard reports
class StoreReportData(ReportData):
    """:class:`workbench.trends.statistics.ReportData` answered in the database: the series, shares,
    dates and counts the standard reports need, for the cases matching ``flt``; only the reports that
    list seizures or routes read the item-level rows, from ``rows`` (e.g. the app's cached seizure frame),
    and only when they run. Series the database does not compute (splits by route) come from the rows."""

    def __init__(
        self,
        store: Store,
        flt: CaseFilter | None,
        rows: Callable[[], pd.DataFrame],
        facts: TrendFacts | None = None,
    ) -> None:
        # ``facts``: the filter's :func:`trend_facts` when the caller has them (the app caches them)
        self.store, self.flt, self._rows = store, flt or CaseFilter(), rows
        self._facts: TrendFacts | None = facts

    def rows(self) -> pd.DataFrame:
        return self._rows()

    def facts(self) -> TrendFacts:
        if self._facts is None:
            self._facts = trend_facts(self.store, self.flt)
        return self._facts

    @property
    def n_cases(self) -> int:
        return self.facts().cases

    def dates(self) -> tuple[Any, Any]:
        facts = self.facts()
        return facts.first, facts.last

    def main_unit(self) -> str | None:
        return self.facts().main_unit

    def series(
        self,
        by: str | tuple[str, ...],
        freq: str,
        measure: str = "cases",
        *,
        start: Any = None,
        end: Any = None,
    ) -> pd.DataFrame:
        if not pushdown_supported(by, freq):
            return super().series(by, freq, measure, start=start, end=end)
        return time_series_in_store(self.store, self.flt, by, freq, measure, start=start, end=end)

    def shares(self, method: str, within: str | None) -> pd.DataFrame:
        return method_shares_in_store(self.store, self.flt, method, within)

    def type_categories(self) -> pd.Series:
        flt = self.flt
        stmt = sa.select(ITEMS.c.commodity_type, sa.func.min(ITEMS.c.commodity_category)).where(
            *flt.item_clauses(ITEMS)
        )
        if any(c.table == "cases" for c in flt.set_criteria()):
            stmt = flt.to_sql(stmt.select_from(CASES.join(ITEMS, _item_join(flt))))
        stmt = stmt.group_by(ITEMS.c.commodity_type)
        with self.store.engine.connect() as conn:
            pairs = conn.execute(stmt).fetchall()
        return pd.Series(
            [str(c) for _t, c in pairs], index=pd.Index([str(t) for t, _c in pairs]), dtype="string"
        )

    def cases_by_type(self, lo: pd.Timestamp, hi: pd.Timestamp) -> pd.Series:
        flt = self.flt
        lo_d, hi_d = lo.date(), hi.date()
        if flt.date_from is not None:
            lo_d = max(lo_d, flt.date_from)
        if flt.date_to is not None:
            hi_d = min(hi_d, flt.date_to)
        if hi_d < lo_d:
            return pd.Series(dtype="int64")
        ts = time_series_in_store(
            self.store, flt.replace(date_from=lo_d, date_to=hi_d), "commodity_type", "Y"
        )
        totals = ts.groupby("commodity_type", observed=True)["cases"].sum()
        totals.index = pd.Index(totals.index.astype(str), name="type")
        return totals[totals > 0]
