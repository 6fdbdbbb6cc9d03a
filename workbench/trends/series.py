"""Time series of seizures: cases, quantity per unit and estimated value by period and split.

Everything here works on the shared analysis frame (:func:`workbench.store.frames.seizure_frame`: one row per
seized item with its case's fields beside it) and returns plain DataFrames. The counting rules:

- **cases** are distinct ``case_key``; a case with cocaine and heroin counts once under *drugs* and
  once under each of the two types, so the cases of a commodity split may add up to more than the total;
- **quantity** is summed per ``unit`` (kilograms are never added to sticks): a quantity series carries
  a ``unit`` column and each unit is its own series;
- **estimated value** is in USD, summed over the items;
- **periods** are days, weeks (Monday to Sunday), months, quarters and calendar years (:data:`FREQUENCIES`);
  every series is filled with zeros over the whole period range, so changes and averages are honest;
- **splits** (:data:`SPLITS`) are fields of the case or item, or derived from them: the reporting
  country's WCO region and RILO, and the origin-destination route of :func:`workbench.format.route.od_pairs`
  (a destination inferred from the reporting country of an import is marked ``(inferred)``). A blank
  value is shown as ``(not stated)``.

Seizures measure enforcement effort as well as trafficking: a rise can be more controls, better
reporting or a new scanner as much as more smuggling.

Examples
--------
>>> import pandas as pd
>>> frame = pd.DataFrame({
...     "case_key": ["FR:1", "FR:1", "FR:2", "NL:3"],
...     "reporting_country": ["FR", "FR", "FR", "NL"],
...     "seizure_date": pd.to_datetime(["2024-01-05", "2024-01-05", "2024-02-10", "2024-02-11"]),
...     "transport_mode": ["postal", "postal", "road", "road"],
...     "commodity_type": ["cocaine", "heroin", "cocaine", "cocaine"],
...     "quantity": [2.0, 1.0, 10.0, 500.0],
...     "unit": ["kg", "kg", "kg", "g"],
...     "estimated_value_usd": [100.0, 50.0, 400.0, 30.0],
... })
>>> time_series(frame, "transport_mode", "M")[["period", "transport_mode", "cases", "value_usd"]]
    period transport_mode  cases  value_usd
0  2024-01         postal      1      150.0
1  2024-02         postal      0        0.0
2  2024-01           road      0        0.0
3  2024-02           road      2      430.0
>>> q = time_series(frame, "commodity_type", "Q", "quantity")
>>> q[["commodity_type", "unit", "cases", "quantity"]].to_string(index=False)
'commodity_type unit  cases  quantity\\n       cocaine    g      1     500.0\\n       cocaine   kg      2      12.0\\n        heroin   kg      1       1.0'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from workbench.i18n import N_, _, code_label

__all__ = [
    "FREQUENCIES",
    "MEASURES",
    "NOT_STATED",
    "OTHER",
    "Split",
    "SPLITS",
    "split_column",
    "value_label",
    "period_ordinals",
    "period_labels",
    "periods_per_year",
    "latest_complete_period",
    "movers_periods",
    "time_series",
    "with_changes",
    "seasonal_profile",
    "profile_of_series",
    "SEASONAL_SERIES",
    "largest_split_values",
    "seasonal_profile_of_largest",
    "top_movers",
    "method_shares",
    "shares_of_counts",
    "main_unit",
    "ENFORCEMENT_NOTE",
    "event_counts",
    "cases_and_events",
]

#: Period codes and their names.
FREQUENCIES: dict[str, str] = {
    "D": N_("day"),
    "W": N_("week"),
    "M": N_("month"),
    "Q": N_("quarter"),
    "Y": N_("year"),
}
_PANDAS_FREQ = {"D": "D", "W": "W-SUN", "M": "M", "Q": "Q-DEC", "Y": "Y-DEC"}
#: Measures a series can carry, and how they read.
MEASURES: dict[str, str] = {
    "cases": N_("cases"),
    "quantity": N_("quantity (per unit)"),
    "value_usd": N_("estimated value (USD)"),
}
#: Label of a blank split value.
NOT_STATED = N_("(not stated)")
#: Label of the split values outside the top N.
OTHER = N_("(other)")
#: The caveat every trend view shows.
ENFORCEMENT_NOTE = N_(
    "Seizures reflect enforcement effort as well as trafficking: a rise may mean more controls, better "
    "targeting or more complete reporting, not only more smuggling; a fall may mean the opposite."
)


@dataclass(frozen=True)
class Split:
    """A field a series can be split by.

    ``level`` is ``"item"`` for commodity fields (a case may have several values) and ``"case"``
    otherwise; ``phrase`` is how a value reads in a sentence (``"by {value}"``).
    """

    name: str
    label: str
    level: str
    phrase: str
    country_valued: bool = False


#: Every split, in the order the app offers them.
SPLITS: dict[str, Split] = {
    s.name: s
    for s in (
        Split("commodity_category", N_("commodity category"), "item", "{value}"),
        Split("commodity_type", N_("commodity type"), "item", "{value}"),
        Split("reporting_country", N_("reporting country"), "case", N_("reported by {value}"), True),
        Split("wco_region", N_("WCO region (of the reporting country)"), "case", N_("reported in {value}")),
        Split("rilo", N_("RILO region (of the reporting country)"), "case", N_("reported in RILO {value}")),
        Split("transport_mode", N_("transport mode"), "case", N_("by {value}")),
        Split("detection_method", N_("detection method"), "case", N_("detected by {value}")),
        Split("concealment_method", N_("concealment method"), "case", N_("with {value} concealment")),
        Split("route", N_("route (origin → destination)"), "case", N_("on the route {value}")),
        Split("origin_country", N_("origin country"), "case", N_("from {value}"), True),
        Split("destination_country", N_("destination country"), "case", N_("into {value}"), True),
        Split("destination_rilo", N_("destination RILO region"), "case", N_("into {value}")),
        Split("customs_procedure", N_("customs procedure"), "case", N_("at {value}")),
        Split("offence_type", N_("offence type"), "case", "({value})"),
    )
}
_ROUTE_COLUMNS = (
    "departure_country",
    "transit_countries",
    "destination_country",
    "customs_procedure",
    "reporting_country",
)
_ROUTE_SPLITS = ("route", "origin_country", "destination_country", "destination_rilo")
#: Splits whose values are codes of the taxonomy or of an enumeration (shown through ``code_label``).
_CODE_SPLITS = frozenset(
    {
        "commodity_category",
        "commodity_type",
        "transport_mode",
        "detection_method",
        "concealment_method",
        "customs_procedure",
        "offence_type",
    }
)


# ------------------------------------------------------------------------------------ splits
def _as_tuple(by: str | Sequence[str] | None) -> tuple[str, ...]:
    if by is None:
        return ()
    if isinstance(by, str):
        return (by,) if by else ()
    return tuple(by)


def _check_split(name: str) -> Split:
    if name not in SPLITS:
        raise ValueError(
            _("cannot split by {name!r}: choose one of {splits}", name=name, splits=", ".join(SPLITS))
        )
    return SPLITS[name]


def _categorical(s: pd.Series) -> pd.Categorical[Any]:
    values = s.array
    if isinstance(values, pd.Categorical):
        return values
    return pd.Categorical(s.astype("string").str.strip().replace({"": pd.NA}))


def _recode(cat: pd.Categorical[Any], mapping: dict[Any, Any]) -> pd.Categorical[Any]:
    """Map a categorical's categories through ``mapping`` (missing -> NA) without touching each row."""
    mapped = [mapping.get(c) for c in cat.categories]
    new_cats = pd.Index(sorted({m for m in mapped if isinstance(m, str)}))
    lookup = np.array([new_cats.get_loc(m) if isinstance(m, str) else -1 for m in mapped] + [-1])
    codes = np.asarray(cat.codes)
    return pd.Categorical.from_codes(lookup[codes], categories=new_cats)


@lru_cache(maxsize=1)
def _region_maps() -> tuple[dict[str, str], dict[str, str]]:
    from workbench.format.reference import countries

    c = countries()
    wco = {k: v for k, v in zip(c["iso2"], c["wco_region"], strict=True) if isinstance(v, str)}
    rilo = {k: v for k, v in zip(c["iso2"], c["rilo"], strict=True) if isinstance(v, str)}
    return wco, rilo


def _route_parts(frame: pd.DataFrame) -> dict[str, pd.Categorical]:
    """Route, origin, destination and destination RILO of every row, computed once per distinct route."""
    missing = [c for c in _ROUTE_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(_("a route split needs the columns {missing}", missing=", ".join(missing)))
    from workbench.format.route import od_pairs

    # one integer per distinct combination of the route columns (mixed radix over their codes)
    codes = []
    for column in _ROUTE_COLUMNS:
        cat = _categorical(frame[column])
        codes.append((np.asarray(cat.codes, dtype=np.int64) + 1, len(cat.categories) + 1))
    key = np.zeros(len(frame), dtype=np.int64)
    for code, radix in codes:
        key = key * radix + code
    _uniq, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    distinct = frame.iloc[first][list(_ROUTE_COLUMNS)].reset_index(drop=True)
    od = od_pairs(distinct)
    origin = od["origin"].astype("string")
    dest = od["destination"].astype("string")
    label = (origin + " → " + dest + od["destination_inferred"].map({True: " (inferred)", False: ""})).astype(
        "string"
    )
    _regions, rilo = _region_maps()
    dest_rilo = dest.map(lambda d: rilo.get(d) if isinstance(d, str) else None)
    out = {}
    for name, values in (
        ("route", label),
        ("origin_country", origin),
        ("destination_country", dest),
        ("destination_rilo", dest_rilo.astype("string")),
    ):
        small = pd.Categorical(values)
        out[name] = pd.Categorical.from_codes(np.asarray(small.codes)[inverse], categories=small.categories)
    return out


def split_column(frame: pd.DataFrame, name: str, *, _cache: dict[str, Any] | None = None) -> pd.Categorical:
    """The values of split ``name`` for every row of ``frame``, as a categorical; blanks are :data:`NOT_STATED`.

    >>> f = pd.DataFrame({"reporting_country": ["FR", "SN", None]})
    >>> list(split_column(f, "wco_region"))
    ['Europe', 'Central and West Africa', '(not stated)']
    """
    _check_split(name)
    if name in ("wco_region", "rilo"):
        wco, rilo = _region_maps()
        cat = _recode(_categorical(frame["reporting_country"]), wco if name == "wco_region" else rilo)
    elif name in _ROUTE_SPLITS:
        parts = _cache.get("route") if _cache is not None else None
        if parts is None:
            parts = _route_parts(frame)
            if _cache is not None:
                _cache["route"] = parts
        cat = parts[name]
    else:
        if name not in frame.columns:
            raise ValueError(_("the frame has no column {name!r} to split by", name=name))
        cat = _categorical(frame[name])
    if cat.isna().any():
        if NOT_STATED not in cat.categories:
            cat = cat.add_categories([NOT_STATED])
        cat = cat.fillna(NOT_STATED)
    return cat.remove_unused_categories()


def value_label(split: str, value: object) -> str:
    """How a split value reads for people: country names, short WCO regions, words for codes.

    >>> value_label("reporting_country", "FR"), value_label("transport_mode", "express_courier")
    ('France', 'express courier')
    >>> value_label("route", "CO → FR (inferred)"), value_label("wco_region", "Europe")
    ('Colombia → France (inferred)', 'Europe')
    """
    from workbench.format.reference import country_name, rilo_label, wco_region_label

    v = str(value)
    if v in (NOT_STATED, OTHER):
        return _(v)
    sp = SPLITS.get(split)
    if sp is not None and sp.country_valued:
        return country_name(v)
    if split == "route":
        # the route's value marks an inferred destination with an English suffix (a code, not a label)
        inferred = v.endswith(" (inferred)")
        route = " → ".join(country_name(p) for p in v.removesuffix(" (inferred)").split(" → "))
        return _("{route} (inferred)", route=route) if inferred else route
    if split == "wco_region":
        return wco_region_label(v, short=True)
    if split in ("rilo", "destination_rilo"):
        return rilo_label(v)
    if split in _CODE_SPLITS or "_" in v:
        return code_label(v)
    return v


# ------------------------------------------------------------------------------------ periods
def _check_freq(freq: str) -> str:
    f = str(freq).upper()
    if f not in FREQUENCIES:
        raise ValueError(
            _("frequency {freq!r} is not one of {frequencies}", freq=freq, frequencies=", ".join(FREQUENCIES))
        )
    return f


def period_ordinals(dates: pd.Series, freq: str) -> np.ndarray:
    """Period numbers (pandas ordinals) of ``dates`` at ``freq``."""
    f = _check_freq(freq)
    return np.asarray(pd.PeriodIndex(pd.to_datetime(dates).dt.to_period(_PANDAS_FREQ[f])).asi8)


def _periods(ordinals: np.ndarray, freq: str) -> pd.PeriodIndex:
    dtype = pd.PeriodDtype(_PANDAS_FREQ[freq])
    return pd.PeriodIndex(pd.arrays.PeriodArray(np.asarray(ordinals, dtype=np.int64), dtype=dtype))


def period_labels(periods: pd.Series | pd.PeriodIndex) -> pd.Series:
    """Labels people read: ``2024-07-01``, ``2024-W27`` (ISO week), ``2024-07``, ``2024Q3``, ``2024``.

    >>> period_labels(pd.PeriodIndex(["2024-07-01/2024-07-07"], freq="W")).tolist()
    ['2024-W27']
    >>> period_labels(pd.PeriodIndex(["2024Q3"], freq="Q")).tolist()
    ['2024Q3']
    """
    idx = pd.PeriodIndex(periods)
    if idx.freqstr.startswith("W"):
        iso = idx.start_time.isocalendar()
        labels = [f"{y}-W{w:02d}" for y, w in zip(iso["year"], iso["week"], strict=True)]
    else:
        labels = [str(p) for p in idx]
    index = periods.index if isinstance(periods, pd.Series) else None
    return pd.Series(labels, index=index, dtype="string")


def periods_per_year(freq: str) -> int:
    """Periods in a year (52 weeks, 365 days)."""
    return {"D": 365, "W": 52, "M": 12, "Q": 4, "Y": 1}[_check_freq(freq)]


def _year_before(ordinals: np.ndarray, freq: str) -> np.ndarray:
    """The ordinal of the same period one year earlier (the same date a year back, for days)."""
    if freq == "D":
        ts = _periods(ordinals, "D").to_timestamp() - pd.DateOffset(years=1)
        return np.asarray(ts.to_period("D").asi8)
    return np.asarray(ordinals) - periods_per_year(freq)


def latest_complete_period(last_date: dt.date | pd.Timestamp, freq: str) -> pd.Period:
    """The last period that ends on or before ``last_date`` (the data's last seizure date).

    >>> str(latest_complete_period(pd.Timestamp("2025-12-31"), "Q")), str(latest_complete_period(pd.Timestamp("2025-11-30"), "Q"))
    ('2025Q4', '2025Q3')
    """
    f = _check_freq(freq)
    ts = pd.Timestamp(last_date)
    p = ts.to_period(_PANDAS_FREQ[f])
    return p if p.end_time.normalize() <= ts.normalize() else p - 1


def movers_periods(
    start: dt.date | pd.Timestamp, end: dt.date | pd.Timestamp, freq: str, compare: str = "year"
) -> tuple[pd.Period, pd.Period] | None:
    """The period :func:`top_movers` should look at and the one it compares with.

    The first is the last period lying whole inside the days observed (``start`` to ``end``, e.g. a
    filter's period); the second is the period before it (``compare="previous"``) or the same period a
    year before (``"year"``), which may lie outside those days: read it too, or it counts as zero.
    None when no whole period fits.

    >>> movers_periods(pd.Timestamp("2024-03-01"), pd.Timestamp("2024-08-31"), "Q")
    (Period('2024Q2', 'Q-DEC'), Period('2023Q2', 'Q-DEC'))
    >>> movers_periods(pd.Timestamp("2024-03-15"), pd.Timestamp("2024-05-31"), "Q") is None
    True
    """
    f = _check_freq(freq)
    current = latest_complete_period(end, f)
    if current.start_time.normalize() < pd.Timestamp(start).normalize():
        return None
    return current, current - (1 if compare == "previous" else periods_per_year(f))


# ------------------------------------------------------------------------------------ series
def _case_codes(frame: pd.DataFrame) -> np.ndarray:
    if "case_key" in frame.columns:
        return np.asarray(pd.factorize(frame["case_key"])[0])
    return np.asarray(pd.factorize(frame["reporting_country"].astype("string") + ":" + frame["case_id"])[0])


def _work(frame: pd.DataFrame, by: tuple[str, ...], freq: str, need_unit: bool) -> pd.DataFrame:
    cache: dict[str, Any] = {}
    cols: dict[str, Any] = {
        "_case": _case_codes(frame),
        "_period": period_ordinals(frame["seizure_date"], freq),
    }
    for b in by:
        cols[b] = split_column(frame, b, _cache=cache)
    if need_unit:
        cols["unit"] = _categorical(frame["unit"]) if "unit" in frame.columns else pd.NA
        cols["quantity"] = pd.to_numeric(frame["quantity"], errors="coerce").to_numpy(float)
    cols["value_usd"] = (
        pd.to_numeric(frame["estimated_value_usd"], errors="coerce").to_numpy(float)
        if "estimated_value_usd" in frame.columns
        else np.zeros(len(frame))
    )
    work = pd.DataFrame(cols)
    return work[work["_period"] != np.iinfo(np.int64).min] if len(work) else work


def _apply_top(work: pd.DataFrame, by: tuple[str, ...], measure: str, top: int, other: bool) -> pd.DataFrame:
    if measure == "value_usd":
        totals = work.groupby(list(by), observed=True)["value_usd"].sum()
    else:
        totals = work.drop_duplicates(["_case", *by]).groupby(list(by), observed=True).size()
    keep = totals.sort_values(ascending=False, kind="stable").index[:top]
    if len(totals) <= top:
        return work
    if len(by) == 1 and other:
        col = by[0]
        kept = set(keep)
        mapping = {c: (c if c in kept else OTHER) for c in work[col].cat.categories}
        return work.assign(**{col: _recode(work[col].array, mapping)})
    mask = pd.MultiIndex.from_frame(work[list(by)]).isin(keep if len(by) > 1 else [(k,) for k in keep])
    return work[mask]


def time_series(
    frame: pd.DataFrame,
    by: str | Sequence[str] | None = None,
    freq: str = "M",
    measure: str = "cases",
    *,
    top: int | None = None,
    other: bool = True,
    start: dt.date | pd.Timestamp | None = None,
    end: dt.date | pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Cases, quantity per unit and estimated value per period, split ``by`` one or more :data:`SPLITS`.

    Returns one row per period and series with columns ``period`` (pandas periods), the split columns,
    ``unit`` (only when ``measure == "quantity"``), ``cases``, ``quantity`` (only for quantity) and
    ``value_usd``. Every series is filled with zeros from the first to the last period of the data
    (or of ``start``/``end``). ``top`` keeps the N largest series by ``measure`` (by cases for
    quantity, whose units do not add up); with a single split the rest become :data:`OTHER` (unless
    ``other=False``), with several they are dropped.
    """
    freq = _check_freq(freq)
    by = _as_tuple(by)
    for b in by:
        _check_split(b)
    if measure not in MEASURES:
        raise ValueError(
            _("measure {measure!r} is not one of {measures}", measure=measure, measures=", ".join(MEASURES))
        )
    quantity = measure == "quantity"
    work = _work(frame, by, freq, quantity)
    if top is not None and by and len(work):
        work = _apply_top(work, by, measure, top, other)
    keys = ["_period", *by, *(["unit"] if quantity else [])]
    if quantity:
        work = work[work["unit"].notna()]
    cases = work.drop_duplicates(["_case", *keys]).groupby(keys, observed=True).size().rename("cases")
    sums = work.groupby(keys, observed=True)[["quantity", "value_usd"] if quantity else ["value_usd"]].sum()
    out = pd.concat([cases, sums], axis=1)

    # zero-fill: every series over the whole period range
    ords = work["_period"]
    lo = _bound(start, freq) if start is not None else (int(ords.min()) if len(ords) else None)
    hi = _bound(end, freq) if end is not None else (int(ords.max()) if len(ords) else None)
    series_keys = keys[1:]
    if lo is not None and hi is not None and hi >= lo:
        all_periods = np.arange(lo, hi + 1, dtype=np.int64)
        full: pd.Index
        if series_keys:
            grouped = out.index
            assert isinstance(grouped, pd.MultiIndex)  # grouped by the period and at least one key
            combos = grouped.droplevel("_period").unique()
            if not isinstance(combos, pd.MultiIndex):
                combos = pd.MultiIndex.from_arrays([combos], names=series_keys)
            n = len(combos)
            repeated = combos.repeat(len(all_periods))
            arrays = [np.tile(all_periods, n)] + [
                repeated.get_level_values(i) for i in range(len(series_keys))
            ]
            full = pd.MultiIndex.from_arrays(arrays, names=keys)
        else:
            full = pd.Index(all_periods, name="_period")
        out = out.reindex(full, fill_value=0)
    out = out.reset_index()
    if series_keys:
        out = out.sort_values([*series_keys, "_period"], kind="stable")
    out["cases"] = out["cases"].astype("int64")
    for c in series_keys:
        if not isinstance(out[c].dtype, pd.CategoricalDtype):
            out[c] = out[c].astype("category")
        out[c] = out[c].cat.remove_unused_categories()
    period = pd.Series(_periods(out["_period"].to_numpy(), freq), index=out.index)
    out = out.drop(columns="_period")
    out.insert(0, "period", period)
    cols = ["period", *series_keys, "cases", *(["quantity"] if quantity else []), "value_usd"]
    out = out[cols].reset_index(drop=True)
    out.attrs.update({"freq": freq, "by": by, "measure": measure})
    return out


def _bound(value: dt.date | pd.Timestamp, freq: str) -> int:
    return int(pd.Timestamp(value).to_period(_PANDAS_FREQ[freq]).ordinal)


def _series_keys(series: pd.DataFrame) -> list[str]:
    return [c for c in series.columns if c not in ("period", "cases", "quantity", "value_usd")]


def with_changes(series: pd.DataFrame, measure: str | None = None, window: int = 3) -> pd.DataFrame:
    """Add period-over-period and year-on-year change and a rolling average to a :func:`time_series`.

    Columns added: ``previous``, ``change``, ``change_pct``, ``year_before``, ``yoy_change``,
    ``yoy_pct`` and ``rolling_mean`` (mean of the last ``window`` periods, the current one included).
    Percentages are blank where the base is zero; changes are blank where the base period is outside
    the data.

    >>> s = pd.DataFrame({"period": pd.period_range("2023-01", periods=15, freq="M"),
    ...                   "cases": [10] * 12 + [12, 15, 9]})
    >>> c = with_changes(s, "cases", window=3)
    >>> c[["previous", "change", "change_pct", "year_before", "yoy_pct", "rolling_mean"]].iloc[13].tolist()
    [12.0, 3.0, 25.0, 10.0, 50.0, 12.333333333333334]
    """
    measure = measure or series.attrs.get("measure", "cases")
    if measure not in series.columns:
        raise ValueError(_("the series has no column {measure!r}", measure=measure))
    freq = series.attrs.get("freq") or _freq_of(series["period"])
    keys = _series_keys(series)
    out = series.copy()
    ords = np.asarray(pd.PeriodIndex(out["period"]).asi8)
    out["_o"] = ords
    base = out[[*keys, "_o", measure]]
    prev = base.assign(_o=base["_o"] + 1).rename(columns={measure: "previous"})
    out = out.merge(prev, on=[*keys, "_o"], how="left")
    out["_yb"] = _year_before(out["_o"].to_numpy(), freq)
    year = base.rename(columns={"_o": "_yb", measure: "year_before"})
    out = out.merge(year, on=[*keys, "_yb"], how="left")
    v = out[measure].astype(float)
    out["previous"] = out["previous"].astype(float)
    out["year_before"] = out["year_before"].astype(float)
    out["change"] = v - out["previous"]
    out["change_pct"] = (out["change"] / out["previous"].where(out["previous"] > 0) * 100).astype(float)
    out["yoy_change"] = v - out["year_before"]
    out["yoy_pct"] = (out["yoy_change"] / out["year_before"].where(out["year_before"] > 0) * 100).astype(
        float
    )
    out = out.sort_values([*keys, "_o"], kind="stable").reset_index(drop=True)
    # rolling mean from running sums (one vectorised pass, however many series)
    vals = out[measure].astype(float)
    if keys:
        grouped = vals.groupby([out[k] for k in keys], observed=True, sort=False)
        running = grouped.cumsum()
        lagged = running.groupby([out[k] for k in keys], observed=True, sort=False).shift(window)
        position = grouped.cumcount()
    else:
        running = vals.cumsum()
        lagged = running.shift(window)
        position = pd.Series(np.arange(len(vals)), index=vals.index)
    rolling = (running - lagged.fillna(0.0)) / window
    out["rolling_mean"] = rolling.where(position >= window - 1)
    out = out.drop(columns="_yb")
    out = out.drop(columns="_o")
    out.attrs.update(series.attrs)
    out.attrs.update({"freq": freq, "measure": measure, "window": window})
    return out


def _freq_of(periods: pd.Series) -> str:
    fs = pd.PeriodIndex(periods).freqstr
    for code, pf in _PANDAS_FREQ.items():
        if fs == pf or fs == code or fs.startswith(code):
            return code
    raise ValueError(_("unknown period frequency {fs!r}", fs=fs))


_SEASON_LABELS = {
    "M": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
    "Q": ["Q1", "Q2", "Q3", "Q4"],
    "D": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
}


def seasonal_profile(
    frame: pd.DataFrame, freq: str = "M", measure: str = "cases", by: str | Sequence[str] | None = None
) -> pd.DataFrame:
    """The seasonal profile: how each month (``M``), quarter (``Q``), ISO week (``W``) or weekday (``D``)
    compares with the average, as an index (1.0 = average).

    Method (ratio to the cycle mean): for every complete year (week, for weekdays) inside the data, each
    season's value is divided by that cycle's mean; the index is the average of those ratios, so a
    trend across years does not bias it. Without a complete cycle, the plain ratio to the overall mean
    is used. Columns: the split columns, ``season`` (1-based), ``label``, ``mean`` (average value per
    period of that season), ``index``.

    >>> days = ["2023-01-01"] * 4 + ["2023-04-10"] * 4 + ["2023-07-15"] * 8 + ["2023-12-31"] * 16
    >>> f = pd.DataFrame({"case_key": [str(i) for i in range(32)], "seizure_date": pd.to_datetime(days)})
    >>> seasonal_profile(f, "Q")[["label", "mean", "index"]].to_string(index=False)
    'label  mean  index\\n   Q1   4.0    0.5\\n   Q2   4.0    0.5\\n   Q3   8.0    1.0\\n   Q4  16.0    2.0'
    """
    freq = _check_freq(freq)
    if freq == "Y":
        raise ValueError(_("a seasonal profile needs days (weekdays), weeks, months or quarters, not years"))
    by = _as_tuple(by)
    if measure == "quantity":
        raise ValueError(
            _("a seasonal profile of quantity needs one unit: filter on it and use cases or value")
        )
    dates = pd.to_datetime(frame["seizure_date"])
    first, last = dates.min(), dates.max()
    if pd.isna(first):
        return pd.DataFrame(columns=[*by, "season", "label", "mean", "index"])
    return profile_of_series(time_series(frame, by, freq, measure), freq, measure, by, first, last)


def profile_of_series(
    series: pd.DataFrame,
    freq: str,
    measure: str,
    by: tuple[str, ...],
    first: dt.date | pd.Timestamp,
    last: dt.date | pd.Timestamp,
) -> pd.DataFrame:
    """:func:`seasonal_profile` from the :func:`time_series` of the seizures at ``freq`` (split ``by``)
    and their first and last seizure date: the pandas and the database engines
    (:func:`workbench.trends.pushdown.seasonal_profile_in_store`) both end here."""
    first, last = pd.Timestamp(first), pd.Timestamp(last)
    cycle_freq = "W" if freq == "D" else "Y"
    p = pd.PeriodIndex(series["period"])
    start = p.start_time
    if freq == "M":
        season = np.asarray(p.month)
    elif freq == "Q":
        season = np.asarray(p.quarter)
    elif freq == "W":
        season = np.asarray(start.isocalendar()["week"].astype(int))
    else:
        season = np.asarray(start.day_of_week) + 1
    cycle = (
        np.asarray(start.to_period("W-SUN").asi8)
        if cycle_freq == "W"
        else np.asarray(start.isocalendar()["year"] if freq == "W" else start.year)
    )
    df = series.assign(_season=season, _cycle=cycle)
    cyc_first = df.groupby("_cycle")["period"].transform(lambda s: pd.PeriodIndex(s).start_time.min())
    cyc_last = df.groupby("_cycle")["period"].transform(lambda s: pd.PeriodIndex(s).end_time.max())
    n_seasons = df.groupby("_cycle")["_season"].transform("nunique")
    full_n = {"M": 12, "Q": 4, "D": 7}.get(freq, 52)
    complete = (cyc_first >= first.normalize()) & (cyc_last.dt.normalize() <= last.normalize())
    complete &= n_seasons >= full_n
    keys = list(by)
    use = df[complete] if complete.any() else df
    cyc_mean = use.groupby([*keys, "_cycle"], observed=True)[measure].transform("mean")
    ratio = (use[measure] / cyc_mean.where(cyc_mean > 0)).rename("_ratio")
    use = use.assign(_ratio=ratio)
    prof = (
        use.groupby([*keys, "_season"], observed=True)
        .agg(mean=(measure, "mean"), index=("_ratio", "mean"))
        .reset_index()
        .rename(columns={"_season": "season"})
    )
    labels = _SEASON_LABELS.get(freq)
    prof.insert(
        len(keys) + 1,
        "label",
        [labels[s - 1] if labels else f"W{s:02d}" for s in prof["season"]],
    )
    prof["index"] = prof["index"].fillna(0.0)
    return prof.reset_index(drop=True)


#: How many of the largest series a split seasonal profile shows.
SEASONAL_SERIES = 4


def largest_split_values(series: pd.DataFrame, split: str, n: int = SEASONAL_SERIES) -> pd.Index:
    """The ``n`` values of ``split`` with the most cases in a :func:`time_series` split by it (ties in
    the series' order)."""
    return series.groupby(split, observed=True)["cases"].sum().nlargest(n).index


def seasonal_profile_of_largest(
    frame: pd.DataFrame, freq: str = "M", split: str | None = None, n: int = SEASONAL_SERIES
) -> pd.DataFrame:
    """The :func:`seasonal_profile` of the cases, overall or (``split``) of the ``n`` values of the split
    with the most cases, each on its own (the rows of the other values are left out)."""
    if split is None:
        return seasonal_profile(frame, freq)
    kept = largest_split_values(time_series(frame, split, "Y"), split, n)
    sub = frame[np.asarray(split_column(frame, split).isin(kept))]
    profile = seasonal_profile(sub, freq, by=(split,))
    return profile[profile[split].isin(kept)].reset_index(drop=True)


def top_movers(
    series: pd.DataFrame,
    measure: str | None = None,
    period: pd.Period | str | None = None,
    compare: str = "previous",
    n: int = 10,
) -> pd.DataFrame:
    """The series that moved most in ``period`` (default: the last one) against the previous period
    (``compare="previous"``) or the same period a year before (``"year"``).

    Returns the split columns, ``period``, ``current``, ``before``, ``change`` and ``change_pct``,
    largest absolute change first (risers and fallers alike).
    """
    measure = measure or series.attrs.get("measure", "cases")
    if compare not in ("previous", "year"):
        raise ValueError(_("compare must be 'previous' or 'year'"))
    keys = _series_keys(series)
    ch = with_changes(series, measure)
    periods = pd.PeriodIndex(ch["period"])
    target: pd.Period | None
    if period is None:
        target = periods.max()
    else:
        target = pd.Period(period, freq=periods.freqstr) if len(periods) else None
    sel = ch[periods == target] if target is not None else ch.iloc[0:0]
    before = sel["previous" if compare == "previous" else "year_before"]
    out = sel[keys].copy()
    out["period"] = period_labels(sel["period"]).to_numpy() if len(sel) else pd.Series(dtype="string")
    out["current"] = sel[measure].astype(float)
    out["before"] = before
    out["change"] = out["current"] - out["before"]
    out["change_pct"] = (out["change"] / out["before"].where(out["before"] > 0) * 100).astype(float)
    out = out[out["change"].notna() & (out["change"] != 0)]
    out = out.reindex(out["change"].abs().sort_values(ascending=False, kind="stable").index)
    return out.head(n).reset_index(drop=True)


def main_unit(frame: pd.DataFrame) -> str | None:
    """The unit most items are measured in (kg, usually); None without items."""
    units = frame["unit"].dropna() if "unit" in frame.columns else pd.Series(dtype="string")
    if units.empty:
        return None
    return str(units.astype("string").value_counts().index[0])


def method_shares(
    frame: pd.DataFrame,
    method: str = "detection_method",
    within: str | None = "transport_mode",
    unit: str | None = None,
) -> pd.DataFrame:
    """How much each method contributes: share of cases, of quantity (in one ``unit``) and of value.

    For every value of ``within`` (or overall when None) and every value of ``method``: ``cases``,
    ``case_share``, ``quantity`` and ``quantity_share`` (items in ``unit``, by default the
    :func:`main_unit`), ``median_quantity`` (per case, in that unit), ``value_usd`` and
    ``value_share``. A method that finds few cases but much of the quantity finds the large seizures.

    >>> f = pd.DataFrame({"case_key": ["1", "2", "3", "3"], "seizure_date": pd.to_datetime(["2024-01-01"] * 4),
    ...                   "detection_method": ["scanner", "scanner", "sniffer_dog", "sniffer_dog"],
    ...                   "quantity": [1.0, 1.0, 6.0, 2.0], "unit": ["kg"] * 4,
    ...                   "estimated_value_usd": [10.0, 10.0, 60.0, 20.0]})
    >>> method_shares(f, within=None)[["detection_method", "cases", "case_share", "quantity_share"]].to_string(index=False)
    'detection_method  cases  case_share  quantity_share\\n         scanner      2    0.666667             0.2\\n     sniffer_dog      1    0.333333             0.8'
    """
    _check_split(method)
    if within is not None:
        _check_split(within)
    unit = unit or main_unit(frame)
    cache: dict[str, Any] = {}
    cols: dict[str, Any] = {"_case": _case_codes(frame), method: split_column(frame, method, _cache=cache)}
    keys = [method]
    if within is not None and within != method:
        cols[within] = split_column(frame, within, _cache=cache)
        keys = [within, method]
    cols["quantity"] = pd.to_numeric(frame["quantity"], errors="coerce") if "quantity" in frame else np.nan
    cols["unit"] = frame["unit"].astype("string") if "unit" in frame.columns else pd.NA
    cols["value_usd"] = (
        pd.to_numeric(frame["estimated_value_usd"], errors="coerce").fillna(0.0)
        if "estimated_value_usd" in frame.columns
        else 0.0
    )
    work = pd.DataFrame(cols)
    cases = work.drop_duplicates(["_case", *keys]).groupby(keys, observed=True).size().rename("cases")
    in_unit = work[work["unit"].eq(unit).fillna(False)] if unit else work.iloc[0:0]
    qty = in_unit.groupby(keys, observed=True)["quantity"].sum().rename("quantity")
    per_case = in_unit.groupby(["_case", *keys], observed=True)["quantity"].sum().reset_index()
    med = per_case.groupby(keys, observed=True)["quantity"].median().rename("median_quantity")
    value = work.groupby(keys, observed=True)["value_usd"].sum().rename("value_usd")
    return shares_of_counts(pd.concat([cases, qty, med, value], axis=1).reset_index(), keys, unit)


def shares_of_counts(counts: pd.DataFrame, keys: list[str], unit: str | None) -> pd.DataFrame:
    """:func:`method_shares` from its counts: one row per value of ``keys`` (``[within, method]`` or
    ``[method]``, categoricals) with ``cases``, ``quantity`` (in ``unit``), ``median_quantity`` and
    ``value_usd``; adds the shares and orders the rows. The pandas and the database engines
    (:func:`workbench.trends.pushdown.method_shares_in_store`) both end here."""
    out = counts
    group = keys[:-1]
    out["cases"] = out["cases"].fillna(0).astype("int64")
    out["quantity"] = out["quantity"].fillna(0.0)

    def share(col: str) -> pd.Series:
        if group:
            tot = out.groupby(group, observed=True)[col].transform("sum")
            return (out[col] / tot.where(tot > 0)).astype(float)
        total = out[col].sum()
        return (out[col] / (total if total > 0 else np.nan)).astype(float)

    out["case_share"] = share("cases")
    out["quantity_share"] = share("quantity")
    out["value_share"] = share("value_usd")
    out["unit"] = unit
    order = [*keys, "cases", "case_share", "quantity", "quantity_share", "median_quantity", "unit"]
    out = out[[*order, "value_usd", "value_share"]]
    out = out.sort_values([*group, "cases"], ascending=[True] * len(group) + [False], kind="stable")
    return out.reset_index(drop=True)


# ------------------------------------------------------------------------------------ frames from files


# ---------------------------------------------------------------- aggregate statistics: events
def event_counts(stats: pd.DataFrame, freq: str = "Y", by: str | None = None) -> pd.DataFrame:
    """Seizure **events** per period from aggregate statistics (:func:`workbench.exchange.statistics.
    load_statistics`), said apart from cases: a statistic is a count of events, not a case.

    ``freq`` is ``"Y"`` (monthly rows roll up into their year) or ``"M"`` (monthly rows only: a
    yearly figure is never spread over months; how many were left out is in
    ``result.attrs["yearly_rows_left_out"]``). ``by``: a column to split by (``commodity_type``,
    ``reporting_country``, ``place_name``). Quantities are summed per unit. Every period of the range
    is present, with zero events where none were reported.

    >>> stats = pd.DataFrame({"period": ["2019-10", "2019-11", "2021"], "granularity": ["month", "month", "year"],
    ...     "commodity_type": ["cocaine"] * 3, "events": [12, 3, 40], "quantity": [150.0, 20.0, 900.0],
    ...     "unit": ["kg"] * 3})
    >>> event_counts(stats)[["period", "events", "quantity"]].values.tolist()
    [['2019', 15, 170.0], ['2020', 0, 0.0], ['2021', 40, 900.0]]
    >>> m = event_counts(stats, "M"); m["events"].tolist(), m.attrs["yearly_rows_left_out"]
    ([12, 3], 1)
    """
    if freq not in ("Y", "M"):
        raise ValueError(
            _(
                "freq must be 'Y' or 'M' for statistics (a yearly figure has no month), not {freq!r}",
                freq=freq,
            )
        )
    df = stats.copy()
    left_out = 0
    if freq == "M":
        yearly = df["granularity"] == "year"
        left_out = int(yearly.sum())
        df = df.loc[~yearly]
        df["period"] = df["period"].astype(str)
    else:
        df["period"] = df["period"].astype(str).str[:4]
    df["unit"] = df["unit"].fillna(NOT_STATED) if "unit" in df.columns else NOT_STATED
    keys = ["period", *([by] if by else []), "unit"]
    if by:
        df[by] = df[by].fillna(NOT_STATED)
    # events not reported (a table of quantities only) stay unknown, never zero
    grouped = (
        df.groupby(keys, dropna=False)
        .agg(events=("events", lambda s: s.sum(min_count=1)), quantity=("quantity", "sum"))
        .reset_index()
    )
    if grouped.empty:
        out = grouped
    else:
        pfreq = "Y" if freq == "Y" else "M"
        periods = pd.period_range(min(grouped["period"]), max(grouped["period"]), freq=pfreq).strftime(
            "%Y" if freq == "Y" else "%Y-%m"
        )
        series = grouped[keys[1:]].drop_duplicates()
        full = series.merge(pd.DataFrame({"period": periods}), how="cross")
        out = full.merge(grouped, on=keys, how="left")
        reported = (
            out[keys[1:]]
            .apply(tuple, axis=1)
            .isin(set(grouped.loc[grouped["events"].notna(), keys[1:]].apply(tuple, axis=1)))
        )
        out["events"] = out["events"].mask(reported & out["events"].isna(), 0).astype("Int64")
        out["quantity"] = out["quantity"].fillna(0.0).astype(float)
        out = out[[*keys, "events", "quantity"]].sort_values(keys[1:] + ["period"]).reset_index(drop=True)
    out.attrs["yearly_rows_left_out"] = left_out
    return out


def cases_and_events(frame: pd.DataFrame, stats: pd.DataFrame, freq: str = "Y") -> pd.DataFrame:
    """Per period, the **cases** stored one by one (distinct ``case_key`` of the seizure frame) and the
    **events** reported as aggregate statistics, side by side and never added together.

    >>> frame = pd.DataFrame({"case_key": ["US:1", "US:2"], "seizure_date": pd.to_datetime(["2019-03-01", "2020-05-02"])})
    >>> stats = pd.DataFrame({"period": ["2019-10"], "granularity": ["month"], "events": [144],
    ...                       "quantity": [10.0], "unit": ["kg"]})
    >>> cases_and_events(frame, stats).values.tolist()
    [['2019', 1, 144], ['2020', 1, 0]]
    """
    per_period = (
        event_counts(stats, freq).groupby("period")["events"].sum()
        if len(stats)
        else pd.Series(dtype="Int64")
    )
    ev = pd.DataFrame({"period": per_period.index, "events": per_period.to_numpy()})
    cases = pd.DataFrame(columns=["period", "cases"])
    if len(frame):
        fmt = "%Y" if freq == "Y" else "%Y-%m"
        per = pd.to_datetime(frame["seizure_date"]).dt.strftime(fmt)
        counted = frame.assign(period=per).groupby("period")["case_key"].nunique()
        cases = pd.DataFrame({"period": counted.index, "cases": counted.to_numpy()})
    out = cases.merge(ev, on="period", how="outer")
    out["cases"] = out["cases"].fillna(0)
    out["events"] = out["events"].fillna(0)
    out["cases"] = out["cases"].astype("int64")
    out["events"] = out["events"].astype("Int64")
    return out.sort_values("period").reset_index(drop=True)[["period", "cases", "events"]]
