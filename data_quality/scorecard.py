"""Scorecards per reporting country and seizure month: completeness, validity, timeliness, consistency,
uniqueness, and their mean.

While a submission is checked, :class:`ScorecardInputs` counts per case (reporting country, seizure
month): the descriptive fields filled, the entry lag (``entry_date - seizure_date``), and whether the
case was refused, flagged inconsistent or flagged a likely duplicate. Those counts are stored per
submission (``dq_scorecard``); :func:`scores` turns summed counts into percentages:

- **completeness**: share of the descriptive fields filled (:data:`COMPLETENESS_FIELDS`);
- **validity**: share of cases not refused (no critical finding on the case or its items, persons,
  companies);
- **timeliness**: share of cases entered within :data:`TIMELY_DAYS` days of the seizure;
- **consistency**: share of accepted cases without a consistency warning (place, route, quantity, dates);
- **uniqueness**: share of accepted cases not flagged as a likely duplicate;
- **overall**: the mean of the five.

Examples
--------
>>> import pandas as pd
>>> cases = pd.DataFrame({"reporting_country": ["FR", "FR", "NL"], "case_id": ["1", "2", "3"],
...     "seizure_date": pd.to_datetime(["2024-01-05", "2024-01-20", "2024-02-01"]),
...     "entry_date": pd.to_datetime(["2024-01-06", "2024-03-20", None])})
>>> inputs = ScorecardInputs()
>>> inputs.add_cases(cases)
>>> inputs.flag("uniqueness", cases["reporting_country"][:1], cases["case_id"][:1])
>>> s = scores(inputs.frame())
>>> s.loc[s["reporting_country"] == "FR", ["month", "timeliness", "uniqueness"]].to_dict("records")
[{'month': '2024-01', 'timeliness': 50.0, 'uniqueness': 50.0}]
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

from data_quality.duplicates import case_hashes

__all__ = [
    "COMPLETENESS_FIELDS",
    "TIMELY_DAYS",
    "DIMENSION_NAMES",
    "INPUT_COLUMNS",
    "ScorecardInputs",
    "scores",
    "country_order",
    "trend_frame",
    "quarter_of",
    "valid_months",
    "month_of_date_text",
]

#: Descriptive fields of a case whose presence makes it complete; a tuple counts when any member is filled.
COMPLETENESS_FIELDS: tuple[str | tuple[str, ...], ...] = (
    "entry_date",
    "customs_procedure",
    "detection_method",
    "transport_mode",
    "place_type",
    ("place_code", "place_name"),
    ("latitude", "longitude"),
    "departure_country",
    "destination_country",
    "concealment_method",
    "conveyance_type",
    "offence_type",
)
TIMELY_DAYS = 30
DIMENSION_NAMES = ("completeness", "validity", "timeliness", "consistency", "uniqueness")
INPUT_COLUMNS = (
    "cases",
    "refused_cases",
    "fields_expected",
    "fields_filled",
    "lag_cases",
    "lag_days_sum",
    "lag_within_30",
    "inconsistent_cases",
    "duplicate_cases",
)
_FLAG_COLUMN = {"validity": "refused", "consistency": "inconsistent", "uniqueness": "duplicate"}


FIRST_MONTH = "1990-01"
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_ISO_DAY = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})(?:[ T].*)?$")


def _month(s: pd.Series) -> pd.Series:
    d = pd.to_datetime(s, errors="coerce")
    return d.dt.strftime("%Y-%m").astype("string")


def valid_months(months: pd.Series, today: dt.date | None = None) -> pd.Series:
    """Mask of the ``YYYY-MM`` values that are a real seizure month: a month 01-12, from 1990 to this month.

    Anything else (``2023-13``, a month in the future, blank) is a wrong date, refused by the checks, and
    has no place on a scorecard.

    >>> valid_months(pd.Series(["2023-12", "2023-13", "1989-12", "2999-01", None, "2023-1"])).tolist()
    [True, False, False, False, False, False]
    """
    text = months.astype("string")
    shaped = text.str.match(_MONTH).fillna(False).astype(bool)
    this_month = f"{today or dt.date.today():%Y-%m}"
    return shaped & (text >= FIRST_MONTH).fillna(False) & (text <= this_month).fillna(False)


def month_of_date_text(value: object) -> str | None:
    """The ``YYYY-MM`` of a date written ``YYYY-MM-DD``, or None when it is not a real calendar date.

    >>> month_of_date_text("2023-02-28"), month_of_date_text("2023-13-45"), month_of_date_text("2023-02-31")
    ('2023-02', None, None)
    """
    m = _ISO_DAY.match(str(value or ""))
    if m is None:
        return None
    try:
        return f"{dt.date.fromisoformat(m.group(1)):%Y-%m}"
    except ValueError:
        return None


class ScorecardInputs:
    """Per-case counts of one submission, accumulated chunk by chunk; :meth:`frame` sums them."""

    def __init__(self) -> None:
        self._parts: list[pd.DataFrame] = []
        self._flags: dict[str, set[int]] = {k: set() for k in _FLAG_COLUMN}
        self._refused_unseen: list[tuple[str, str]] = []

    def add_cases(self, cases: pd.DataFrame) -> None:
        """Count the cases of one chunk (typed frame, as the checks see it)."""
        if cases.empty:
            return
        filled = np.zeros(len(cases), dtype=np.int16)
        for f in COMPLETENESS_FIELDS:
            members = [f] if isinstance(f, str) else list(f)
            present = [cases[m].notna().to_numpy(dtype=bool) for m in members if m in cases.columns]
            if present:
                filled += np.logical_or.reduce(present).astype(np.int16)
        lag = (pd.to_datetime(cases["entry_date"]) - pd.to_datetime(cases["seizure_date"])).dt.days
        self._parts.append(
            pd.DataFrame(
                {
                    "key": case_hashes(cases["reporting_country"], cases["case_id"]),
                    "reporting_country": cases["reporting_country"].astype("string").to_numpy(),
                    "month": _month(cases["seizure_date"]).to_numpy(),
                    "filled": filled,
                    "lag": lag.to_numpy(dtype=float, na_value=np.nan),
                }
            )
        )

    def flag(self, dimension: str, reporting_country: pd.Series, case_id: pd.Series) -> None:
        """Mark cases as refused (``validity``), inconsistent or likely duplicates."""
        if len(reporting_country):
            self._flags[dimension].update(
                int(k) for k in case_hashes(pd.Series(reporting_country), pd.Series(case_id))
            )

    def add_refused_case(self, reporting_country: str | None, seizure_date: str | None) -> None:
        """A case refused before the checks saw it (only its raw cells are known). Without a real seizure
        date (``2023-13-45``, ``31/02/2023``) it has no month, so no scorecard counts it."""
        month = month_of_date_text(seizure_date)
        if reporting_country and month is not None:
            self._refused_unseen.append((str(reporting_country).strip().upper(), month))

    def flag_keys(self, dimension: str, keys: Iterable[tuple[str, str]]) -> None:
        keys = list(keys)
        if keys:
            rc, cid = zip(*keys, strict=True)
            self.flag(dimension, pd.Series(rc, dtype="string"), pd.Series(cid, dtype="string"))

    def frame(self) -> pd.DataFrame:
        """One row per reporting country and seizure month with :data:`INPUT_COLUMNS`."""
        cols = ["reporting_country", "month", *INPUT_COLUMNS]
        parts = [p for p in self._parts if len(p)]
        if parts:
            df = pd.concat(parts, ignore_index=True).dropna(subset=["reporting_country", "month"])
            # a seizure month before 1990 or in the future is a wrong date (refused), not a month to score
            df = df[valid_months(df["month"])]
        else:
            df = pd.DataFrame(columns=["key", "reporting_country", "month", "filled", "lag"])
        keys = df["key"].to_numpy(dtype=np.uint64)
        for dim, col in _FLAG_COLUMN.items():
            flagged = np.fromiter(self._flags[dim], dtype=np.uint64, count=len(self._flags[dim]))
            df[col] = np.isin(keys, flagged)
        df["inconsistent"] &= ~df["refused"]
        df["duplicate"] &= ~df["refused"]
        lag = df["lag"]
        g = df.assign(
            cases=1,
            fields_expected=len(COMPLETENESS_FIELDS),
            lag_cases=lag.notna().astype(int),
            lag_days_sum=lag.clip(lower=0).fillna(0.0),
            lag_within_30=(lag <= TIMELY_DAYS).astype(int),
        ).groupby(["reporting_country", "month"], as_index=False)
        out = g.agg(
            cases=("cases", "sum"),
            refused_cases=("refused", "sum"),
            fields_expected=("fields_expected", "sum"),
            fields_filled=("filled", "sum"),
            lag_cases=("lag_cases", "sum"),
            lag_days_sum=("lag_days_sum", "sum"),
            lag_within_30=("lag_within_30", "sum"),
            inconsistent_cases=("inconsistent", "sum"),
            duplicate_cases=("duplicate", "sum"),
        )
        if self._refused_unseen:
            extra = pd.DataFrame(self._refused_unseen, columns=["reporting_country", "month"])
            extra = extra[valid_months(extra["month"])]
            extra = extra.value_counts().rename("n").reset_index()
            extra = extra.assign(cases=extra["n"], refused_cases=extra["n"]).drop(columns="n")
            out = pd.concat([out, extra], ignore_index=True).fillna(0)
            out = out.groupby(["reporting_country", "month"], as_index=False).sum()
        for c in INPUT_COLUMNS:
            out[c] = out[c].astype(float if c == "lag_days_sum" else int)
        return out[cols].reset_index(drop=True)


def scores(inputs: pd.DataFrame, by: tuple[str, ...] = ("reporting_country", "month")) -> pd.DataFrame:
    """Percentages per group of summed :data:`INPUT_COLUMNS` (see the module docstring); NaN where
    nothing was there to measure. Adds ``mean_lag_days`` and ``overall``."""
    g = inputs.groupby(list(by), as_index=False)[list(INPUT_COLUMNS)].sum()
    accepted = (g["cases"] - g["refused_cases"]).where(lambda s: s > 0)

    def pct(num: pd.Series, den: pd.Series) -> pd.Series:
        return (100.0 * num / den.where(den > 0)).round(1)

    out = g[list(by)].copy()
    out["cases"] = g["cases"]
    out["completeness"] = pct(g["fields_filled"], g["fields_expected"])
    out["validity"] = pct(g["cases"] - g["refused_cases"], g["cases"])
    out["timeliness"] = pct(g["lag_within_30"], g["lag_cases"])
    out["consistency"] = pct(accepted - g["inconsistent_cases"], accepted)
    out["uniqueness"] = pct(accepted - g["duplicate_cases"], accepted)
    out["mean_lag_days"] = (g["lag_days_sum"] / g["lag_cases"].where(g["lag_cases"] > 0)).round(1)
    out["overall"] = out[list(DIMENSION_NAMES)].mean(axis=1, skipna=True).round(1)
    return out


def country_order(by_country: pd.DataFrame, dimension: str, limit: int) -> list[str]:
    """Of the ``limit`` countries with most cases, weakest ``dimension`` first (``by_country``: scores
    per reporting country).

    >>> card = pd.DataFrame({"reporting_country": ["FR", "NL", "BE"], "cases": [50, 40, 1],
    ...                      "timeliness": [90.0, 40.0, 10.0]})
    >>> country_order(card, "timeliness", 2)
    ['NL', 'FR']
    """
    top = by_country.sort_values("cases", ascending=False).head(limit)
    return top.sort_values([dimension, "reporting_country"])["reporting_country"].tolist()


def quarter_of(month: pd.Series) -> pd.Series:
    """``YYYY-MM`` to the first month of its quarter (``2024-05`` -> ``2024-04``).

    >>> quarter_of(pd.Series(["2024-05", "2024-12"])).tolist()
    ['2024-04', '2024-10']
    """
    m = month.astype(str)
    q = (m.str[5:7].astype(int) - 1) // 3 * 3 + 1
    return m.str[:4] + "-" + q.map("{:02d}".format)


def trend_frame(inputs: pd.DataFrame, compare: Iterable[str] = (), by_quarter: bool = True) -> pd.DataFrame:
    """Scores per quarter (or month) for every country together (series ``all countries``) and for each
    country in ``compare`` (series = the country code), stacked for one line chart; ``month`` holds the
    period's first month."""
    if by_quarter:
        inputs = inputs.assign(month=quarter_of(inputs["month"]))
    parts = [scores(inputs, by=("month",)).assign(series="all countries")]
    compare = list(compare)
    if compare:
        sub = inputs[inputs["reporting_country"].isin(compare)]
        per = scores(sub, by=("reporting_country", "month"))
        parts.append(per.rename(columns={"reporting_country": "series"}))
    return pd.concat(parts, ignore_index=True).sort_values(["series", "month"]).reset_index(drop=True)
