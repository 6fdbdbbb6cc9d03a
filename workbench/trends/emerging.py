"""Emerging-trend detection: which series' latest period departs from its baseline, beyond noise.

The method (also in ``docs/trends.md``), for the case counts of every series (for example cocaine by
express courier into Western Europe, or cocaine on the route Brazil → France):

1. **Series.** Cases per period (default quarters) for each combination of the split sets in
   :data:`DEFAULT_SERIES`; series with a blank split value are left out.
2. **Baseline.** The ``baseline`` periods (default 8) before the tested period (default the last
   complete period of the data; ``gap`` periods just before it can be skipped). The rate is estimated
   by ``λ = (baseline cases + ½) / Σ season factors``; the half case keeps an empty baseline from
   meaning a rate of zero. The expected count is ``μ = λ × season factor of the tested period``.
   Season factors come from :func:`workbench.trends.series.seasonal_profile` of all the cases analysed
   (months and quarters; 1 otherwise).
3. **Model.** Counts are negative binomial: variance ``μ + α μ²``. The overdispersion ``α`` is
   estimated once per split set, by the method of moments on successive differences within the
   baseline windows of all its series (:func:`estimate_overdispersion`), so that a series that grew
   steadily through its baseline does not pass its growth off as noise.
4. **Test.** One-sided and conditional on the total: with ``n`` the cases of the baseline and the
   tested period together, if the rate did not change the tested period's share of ``n`` is
   beta-binomial with shapes ``f_t/α`` and ``Σf_b/α`` (binomial with ``p = f_t / (f_t + Σf_b)`` when
   ``α = 0``); ``p = P(Y ≥ observed | n)``. The unknown rate drops out, so the test is exact for
   Poisson counts and for negative binomial counts of a known overdispersion.
5. **Multiple testing.** Benjamini-Hochberg across every series tested (all split sets together):
   a series is flagged when its q-value is at most ``fdr`` (default 0.05), it has at least
   ``min_count`` cases (default 5) and at least ``min_ratio`` times (default 1.5) the expected count.

What this promises: on a series whose rate did not change, the uncorrected p-value is below ``a`` in
at most about a share ``a`` of tests (the per-series false-alarm rate; tests simulate it); with the
correction, among all flags the expected share of false ones is at most ``fdr``, and when nothing
changed anywhere the chance of any flag at all is at most about ``fdr``.

Each flag carries its effect size (observed / expected, excess cases), its significance (p and
q) and a sentence: "cocaine by express courier into Western Europe: 41 cases in 2025Q3 against 15
expected (2.7×, p < 0.001)".

Examples
--------
>>> p = rise_p_value(observed=12, baseline=[3, 5, 4, 2, 4, 3, 5, 4], alpha=0.0)
>>> round(p, 5)
0.00158
>>> benjamini_hochberg([0.01, 0.04, 0.03, 0.5]).round(3).tolist()
[0.04, 0.053, 0.053, 0.5]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from workbench.i18n import N_, _

if TYPE_CHECKING:
    from workbench.store.filters import CaseFilter

from workbench.trends.series import (
    FREQUENCIES,
    NOT_STATED,
    SPLITS,
    latest_complete_period,
    period_labels,
    seasonal_profile,
    time_series,
    value_label,
)

__all__ = [
    "DEFAULT_SERIES",
    "EmergingFlag",
    "EmergingResult",
    "detect_emerging",
    "EmergingSource",
    "detect_emerging_in",
    "period_to_test",
    "stated_end",
    "data_end",
    "score_quantities",
    "QUANTITY_LOG_SD_FLOOR",
    "rise_p_value",
    "estimate_overdispersion",
    "score_counts",
    "benjamini_hochberg",
    "series_label",
    "flag_series",
    "flag_filter",
    "series_of_flag",
    "METHOD",
]

#: The split sets scanned by default: each tuple makes one family of series.
DEFAULT_SERIES: tuple[tuple[str, ...], ...] = (
    ("commodity_type",),
    ("commodity_type", "transport_mode"),
    ("commodity_type", "transport_mode", "destination_rilo"),
    ("commodity_type", "route"),
    ("commodity_type", "reporting_country"),
    ("commodity_type", "detection_method"),
    ("commodity_type", "concealment_method"),
)

#: The method in one paragraph, for pages, exports and reports (English: translated where shown).
METHOD = N_(
    "Each series' case count in the tested period is compared with its baseline (the preceding periods), "
    "adjusted for season, under a negative binomial model whose overdispersion is estimated from the "
    "baselines of all series of the same kind. The test is one-sided (a rise), and the Benjamini-Hochberg "
    "procedure controls the share of false flags across all series tested. A flag also needs a minimum "
    "number of cases and a minimum ratio to the expected count."
)


# ------------------------------------------------------------------------------------ statistics
def benjamini_hochberg(p_values: Sequence[float] | np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (q-values), in the input order."""
    p = np.asarray(p_values, dtype=float)
    n = len(p)
    if n == 0:
        return p
    order = np.argsort(p, kind="stable")
    ranked = p[order] * n / np.arange(1, n + 1)
    q = np.minimum.accumulate(ranked[::-1])[::-1]
    out = np.empty(n)
    out[order] = np.minimum(q, 1.0)
    return out


def _conditional_p(
    observed: np.ndarray, baseline_total: np.ndarray, f_target: float, f_baseline: float, alpha: float
) -> np.ndarray:
    """P(Y >= observed | Y + S = observed + baseline_total) when the rate did not change.

    Poisson counts: ``Y | n`` is binomial with ``p = f_t / (f_t + Σf_b)``. Negative binomial counts with
    overdispersion ``α`` (shape ``1/α`` per period): beta-binomial with shapes ``f_t/α`` and ``Σf_b/α``.
    The unknown rate drops out of the conditional distribution, so no estimate of it enters the test.
    """
    from scipy import stats

    y = np.asarray(observed, float)
    n = y + np.asarray(baseline_total, float)
    if alpha <= 1e-9:
        p = stats.binom.sf(y - 1, n, f_target / (f_target + f_baseline))
    else:
        p = stats.betabinom.sf(y - 1, n, f_target / alpha, f_baseline / alpha)
    return np.where(y <= 0, 1.0, np.clip(p, 0.0, 1.0))


def rise_p_value(
    observed: float,
    baseline: Sequence[float],
    alpha: float = 0.0,
    factors: Sequence[float] | None = None,
    target_factor: float = 1.0,
) -> float:
    """One-sided p-value of ``observed`` cases against a ``baseline`` of counts (see the module docstring).

    >>> round(rise_p_value(5, [5, 5, 5, 5]), 2)   # as many as usual: nothing to see
    0.58
    >>> rise_p_value(30, [5, 5, 5, 5]) < 1e-6
    True
    >>> round(rise_p_value(3, [0] * 8), 5)        # 3 cases where there were none: (1/9)³
    0.00137
    """
    b = np.asarray(baseline, dtype=float)
    f = np.ones(len(b)) if factors is None else np.asarray(factors, float)
    return float(_conditional_p(np.array([observed]), np.array([b.sum()]), target_factor, f.sum(), alpha)[0])


def estimate_overdispersion(baseline: np.ndarray, factors: np.ndarray | None = None) -> float:
    """Overdispersion ``α`` (variance ``μ + αμ²``) pooled over the series' baselines, from successive
    differences, so that a trend inside the baseline is not mistaken for noise.

    ``baseline``: (series, periods) counts; ``factors``: the season factor of each period. With
    ``d = x_t − r x_{t−1}`` and ``r = f_t / f_{t−1}``, ``E[d² − x_t − r² x_{t−1}] = 2αμ_t²`` when the rate
    is steady; the estimate is the pooled ratio of the two sums (at least 0). Returns 0 for
    Poisson-like data.

    >>> rng = np.random.default_rng(1)
    >>> round(estimate_overdispersion(rng.poisson(20, (400, 8))), 2)
    0.0
    >>> nb = rng.negative_binomial(n=1 / 0.2, p=1 / (1 + 0.2 * 20), size=(400, 8))  # mean 20, α 0.2
    >>> 0.15 < estimate_overdispersion(nb) < 0.25
    True
    >>> trend = rng.poisson(np.linspace(5, 60, 8), (400, 8))  # Poisson around a steep trend
    >>> estimate_overdispersion(trend) < 0.03
    True
    """
    x = np.asarray(baseline, dtype=float)
    if x.ndim != 2 or x.shape[1] < 2:
        return 0.0
    f = np.ones(x.shape[1]) if factors is None else np.asarray(factors, float)
    x = x[x.sum(axis=1) > 0]
    if len(x) == 0:
        return 0.0
    rate = x.sum(axis=1) / f.sum()
    r = f[1:] / f[:-1]
    d = x[:, 1:] - r[None, :] * x[:, :-1]
    num = (d**2 - x[:, 1:] - r[None, :] ** 2 * x[:, :-1]).sum()
    den = 2 * ((rate[:, None] * f[None, 1:]) ** 2).sum()
    return float(max(0.0, num / den)) if den > 0 else 0.0


def score_counts(
    counts: np.ndarray,
    *,
    baseline: int | None = None,
    gap: int = 0,
    factors: Sequence[float] | np.ndarray | None = None,
    alpha: float | None = None,
) -> pd.DataFrame:
    """Test the last column of a (series × periods) count matrix against the columns before it.

    The baseline is the ``baseline`` columns (default: all) before the last, skipping ``gap``;
    ``factors`` are season factors for every column (default 1); ``alpha`` is estimated from the
    baselines unless given. Returns ``observed``, ``expected``, ``ratio``, ``excess`` and
    ``p_value`` per row, with the overdispersion used in ``attrs["alpha"]``.

    >>> s = score_counts(np.array([[4, 6, 5, 5, 5], [4, 6, 5, 5, 19]]))
    >>> s[["observed", "expected", "p_value"]].round(4).values.tolist()
    [[5.0, 5.125, 0.5793], [19.0, 5.125, 0.0001]]
    """
    x = np.asarray(counts, dtype=float)
    if x.ndim != 2 or x.shape[1] < 2:
        raise ValueError(_("counts must be a (series × periods) matrix with at least two periods"))
    n_before = x.shape[1] - 1 - gap
    n_base = n_before if baseline is None else min(baseline, n_before)
    if n_base < 1:
        raise ValueError(_("no baseline period before the tested one"))
    f = np.ones(x.shape[1]) if factors is None else np.asarray(factors, float)
    b = x[:, n_before - n_base : n_before]
    f_base = f[n_before - n_base : n_before]
    y = x[:, -1]
    a = estimate_overdispersion(b, f_base) if alpha is None else float(alpha)
    mu = (b.sum(axis=1) + 0.5) / f_base.sum() * f[-1]
    out = pd.DataFrame(
        {
            "observed": y,
            "expected": mu,
            "ratio": y / mu,
            "excess": y - mu,
            "p_value": _conditional_p(y, b.sum(axis=1), float(f[-1]), float(f_base.sum()), a),
        }
    )
    out.attrs["alpha"] = a
    return out


# ------------------------------------------------------------------------------------ flags
def series_label(key: dict[str, str]) -> str:
    """A series as words: ``{"commodity_type": "cocaine", "transport_mode": "express_courier",
    "destination_rilo": "Western Europe"}`` -> "cocaine by express courier into Western Europe".

    >>> series_label({"commodity_type": "cocaine", "route": "BR → FR"})
    'cocaine on the route Brazil → France'
    """
    first = [k for k in key if SPLITS[k].level == "item"]
    rest = [k for k in key if k not in first]
    words = [_(SPLITS[k].phrase, value=value_label(k, key[k])) for k in [*first, *rest]]
    text = " ".join(words)
    return text if first else _("cases {what}", what=text)


def _fmt_count(x: float) -> str:
    return f"{x:,.0f}" if x >= 10 else f"{x:.1f}"


def _fmt_p(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


@dataclass(frozen=True)
class EmergingFlag:
    """One series whose tested period departs from its baseline."""

    split: tuple[str, ...]
    key: dict[str, str]
    label: str
    freq: str
    period: str
    period_start: dt.date
    period_end: dt.date
    baseline_start: dt.date
    observed: float
    expected: float
    ratio: float
    excess: float
    p_value: float
    q_value: float
    sentence: str
    #: what is counted: ``cases`` or ``quantity`` (then in ``unit``)
    measure: str = "cases"
    unit: str = ""
    #: why this period was tested: the last complete period of the range the user stated, or of the data
    basis: str = ""

    def case_filter(self, base: Any = None) -> Any:
        """The :class:`~workbench.store.filters.CaseFilter` closest to this series, over baseline and period.

        Every split that is also a filter criterion (commodity, transport mode, reporting country, WCO
        region, detection method: :meth:`~workbench.store.filters.CaseFilter.narrowed`) and RILO (as its
        countries) become filter criteria; route, origin and destination cannot be filtered on (see
        :meth:`route`).
        """
        from workbench.store.filters import CaseFilter

        flt = (base or CaseFilter()).narrowed(self.key)
        changes: dict[str, Any] = {"date_from": self.baseline_start, "date_to": self.period_end}
        if "rilo" in self.key:
            from workbench.format.reference import countries

            c = countries()
            changes["reporting_countries"] = tuple(sorted(c.loc[c["rilo"] == self.key["rilo"], "iso2"]))
        return flt.replace(**changes)

    def route(self) -> tuple[str, str] | None:
        """(origin, destination) when the series is a route, else None."""
        r = self.key.get("route")
        if not r:
            return None
        parts = r.removesuffix(" (inferred)").split(" → ")
        return (parts[0], parts[-1]) if len(parts) == 2 else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "series": self.label,
            "split": " × ".join(self.split),
            **{f"key_{k}": v for k, v in self.key.items()},
            "period": self.period,
            "measure": self.measure,
            "unit": self.unit,
            "observed": self.observed,
            "expected": round(self.expected, 2),
            "ratio": round(self.ratio, 3),
            "excess": round(self.excess, 2),
            "p_value": self.p_value,
            "q_value": self.q_value,
            "baseline_from": self.baseline_start.isoformat(),
            "period_to": self.period_end.isoformat(),
            "period_basis": self.basis,
            "sentence": self.sentence,
        }


@dataclass
class EmergingResult:
    """Flags, every tested series with its statistics, and the settings used."""

    flags: list[EmergingFlag]
    tested: pd.DataFrame
    period: str
    freq: str
    baseline: int
    overdispersion: dict[str, float]
    settings: dict[str, Any] = field(default_factory=dict)
    #: ``cases`` or ``quantity`` (per unit)
    measure: str = "cases"
    #: why :attr:`period` was tested (:func:`period_to_test`)
    basis: str = ""

    def table(self) -> pd.DataFrame:
        """The flags as a table, most significant first (the CSV that ``workbench trends --emerging`` writes)."""
        cols = [
            "series",
            "split",
            "period",
            "measure",
            "unit",
            "observed",
            "expected",
            "ratio",
            "excess",
            "p_value",
            "q_value",
            "baseline_from",
            "period_to",
            "period_basis",
            "sentence",
        ]
        rows = [f.to_dict() for f in self.flags]
        if not rows:
            return pd.DataFrame(columns=cols)
        df = pd.DataFrame(rows)
        keys = sorted(c for c in df.columns if c.startswith("key_"))
        return df[[*cols[:3], *keys, *cols[3:]]]

    def describe(self) -> str:
        if not self.period:
            return _("no data to test")
        values = {
            "n": len(self.flags),
            "tested": len(self.tested),
            "period": self.period,
            "baseline": self.baseline,
            "fdr": self.settings.get("fdr"),
            "basis": self.basis,
        }
        message = (_QUANTITY_SUMMARY if self.measure == "quantity" else _CASES_SUMMARY)[self.freq]
        return _(message, **values)


def _season_factors(season: Callable[[str], pd.DataFrame], freq: str, seasonal: bool) -> dict[int, float]:
    if not seasonal or freq not in ("M", "Q"):
        return {}
    prof = season(freq)
    # a season without any case would make its expected count zero: floor it
    return {int(s): float(max(v, 0.2)) for s, v in zip(prof["season"], prof["index"], strict=True)}


def data_end(dates: pd.Series) -> pd.Timestamp:
    """The last day the data cover: the last date, or the end of its month (or year) when every date is
    the first of a month (of January): monthly or yearly figures dated the 1st cover the whole period.

    >>> str(data_end(pd.Series(pd.to_datetime(["2024-11-01", "2024-12-01"]))).date())
    '2024-12-31'
    >>> str(data_end(pd.Series(pd.to_datetime(["2023-01-01", "2024-01-01"]))).date())
    '2024-12-31'
    >>> str(data_end(pd.Series(pd.to_datetime(["2024-11-03", "2024-12-28"]))).date())
    '2024-12-28'
    """
    d = pd.to_datetime(dates).dropna()
    last = pd.Timestamp(d.max()).normalize()
    if len(d) and bool((d.dt.day == 1).all()):
        yearly = bool((d.dt.month == 1).all()) and len(d.dt.year.unique()) > 1
        period = last.to_period("Y" if yearly else "M")
        return period.end_time.normalize()
    return last


def stated_end(flt: CaseFilter) -> pd.Timestamp | None:
    """The end of the range a user stated in a filter (``--to``, the sidebar's period), whose last
    complete period the emerging trends test; None when the filter leaves the end open.

    >>> from workbench.store.filters import CaseFilter
    >>> str(stated_end(CaseFilter(date_to=dt.date(2024, 6, 30))).date()), stated_end(CaseFilter())
    ('2024-06-30', None)
    """
    return pd.Timestamp(flt.date_to) if flt.date_to is not None else None


#: Why a period is the one tested, per frequency (whole sentences: the words agree in other languages)
_LAST_STATED = {
    "D": N_("last complete day of the range stated (to {end})"),
    "W": N_("last complete week of the range stated (to {end})"),
    "M": N_("last complete month of the range stated (to {end})"),
    "Q": N_("last complete quarter of the range stated (to {end})"),
    "Y": N_("last complete year of the range stated (to {end})"),
}
_LAST_OF_DATA = {
    "D": N_("last complete day of the data (they end on {end})"),
    "W": N_("last complete week of the data (they end on {end})"),
    "M": N_("last complete month of the data (they end on {end})"),
    "Q": N_("last complete quarter of the data (they end on {end})"),
    "Y": N_("last complete year of the data (they end on {end})"),
}
#: What a detection found, per frequency of its baseline
_CASES_SUMMARY = {
    "D": N_("{n} of {tested:,} series flagged in {period} (baseline {baseline} days, FDR {fdr}; {basis})"),
    "W": N_("{n} of {tested:,} series flagged in {period} (baseline {baseline} weeks, FDR {fdr}; {basis})"),
    "M": N_("{n} of {tested:,} series flagged in {period} (baseline {baseline} months, FDR {fdr}; {basis})"),
    "Q": N_(
        "{n} of {tested:,} series flagged in {period} (baseline {baseline} quarters, FDR {fdr}; {basis})"
    ),
    "Y": N_("{n} of {tested:,} series flagged in {period} (baseline {baseline} years, FDR {fdr}; {basis})"),
}
_QUANTITY_SUMMARY = {
    "D": N_(
        "{n} of {tested:,} quantity series flagged in {period} (baseline {baseline} days, FDR {fdr}; {basis})"
    ),
    "W": N_(
        "{n} of {tested:,} quantity series flagged in {period} (baseline {baseline} weeks, FDR {fdr}; {basis})"
    ),
    "M": N_(
        "{n} of {tested:,} quantity series flagged in {period} (baseline {baseline} months, FDR {fdr}; {basis})"
    ),
    "Q": N_(
        "{n} of {tested:,} quantity series flagged in {period} (baseline {baseline} quarters, FDR {fdr}; {basis})"
    ),
    "Y": N_(
        "{n} of {tested:,} quantity series flagged in {period} (baseline {baseline} years, FDR {fdr}; {basis})"
    ),
}


def period_to_test(
    dates: pd.Series, freq: str, end: dt.date | pd.Timestamp | None = None
) -> tuple[pd.Period, str]:
    """The period an emerging-trend test looks at, and why: the last complete period of the range the
    user stated (``end``, e.g. ``--to`` or the sidebar's period), else of the data (:func:`data_end`).

    >>> dates = pd.Series(pd.to_datetime(["2024-01-05", "2024-12-28"]))
    >>> p, why = period_to_test(dates, "Q")
    >>> str(p), why
    ('2024Q3', 'last complete quarter of the data (they end on 2024-12-28)')
    >>> p, why = period_to_test(dates, "Q", end=dt.date(2024, 12, 31))
    >>> str(p), why
    ('2024Q4', 'last complete quarter of the range stated (to 2024-12-31)')
    """
    from workbench.trends.series import _check_freq

    f = _check_freq(freq)
    if end is not None:
        stop = pd.Timestamp(end).normalize()
        return latest_complete_period(stop, f), _(_LAST_STATED[f], end=stop.strftime("%Y-%m-%d"))
    stop = data_end(dates)
    return latest_complete_period(stop, f), _(_LAST_OF_DATA[f], end=stop.strftime("%Y-%m-%d"))


#: On the log scale, the least spread a quantity's baseline is given (about ±10 % a period): a baseline of
#: identical figures must not make every small change significant.
QUANTITY_LOG_SD_FLOOR = 0.1


def score_quantities(
    quantities: np.ndarray,
    *,
    baseline: int | None = None,
    gap: int = 0,
    factors: Sequence[float] | np.ndarray | None = None,
) -> pd.DataFrame:
    """Test the last column of a (series × periods) matrix of quantities (one unit per row) against the
    columns before it.

    Quantities are not counts: each is put on the log scale (``log(1 + q / season factor)``) and the
    tested period is compared with the baseline's mean by the one-sided prediction interval of a normal
    sample, ``t = (y − m) / (s √(1 + 1/n))`` with ``n − 1`` degrees of freedom (``s`` at least
    :data:`QUANTITY_LOG_SD_FLOOR`). ``expected`` is the baseline's geometric level (times the season
    factor), ``ratio`` the observed quantity over it.

    >>> s = score_quantities(np.array([[1200, 1150, 1250, 1210, 1190, 1230, 1180, 1220, 3100.0]]))
    >>> round(float(s["expected"][0])), round(float(s["ratio"][0]), 2), bool(s["p_value"][0] < 0.001)
    (1203, 2.58, True)
    """
    from scipy import stats

    x = np.asarray(quantities, dtype=float)
    if x.ndim != 2 or x.shape[1] < 3:
        raise ValueError(_("quantities must be a (series × periods) matrix with at least three periods"))
    n_before = x.shape[1] - 1 - gap
    n_base = n_before if baseline is None else min(baseline, n_before)
    if n_base < 2:
        raise ValueError(_("the baseline needs at least two periods"))
    f = np.ones(x.shape[1]) if factors is None else np.asarray(factors, float)
    logs = np.log1p(np.nan_to_num(x, nan=0.0).clip(min=0) / f[None, :])
    b = logs[:, n_before - n_base : n_before]
    m = b.mean(axis=1)
    sd = np.maximum(b.std(axis=1, ddof=1), QUANTITY_LOG_SD_FLOOR)
    t = (logs[:, -1] - m) / (sd * np.sqrt(1 + 1 / n_base))
    y = np.nan_to_num(x[:, -1], nan=0.0)
    expected = np.expm1(m) * f[-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(expected > 0, y / expected, np.where(y > 0, np.inf, 1.0))
    return pd.DataFrame(
        {
            "observed": y,
            "expected": expected,
            "ratio": ratio,
            "excess": y - expected,
            "p_value": np.where(y <= 0, 1.0, stats.t.sf(t, df=n_base - 1)),
        }
    )


def detect_emerging(
    frame: pd.DataFrame,
    *,
    freq: str = "Q",
    series: Sequence[Sequence[str]] = DEFAULT_SERIES,
    period: str | pd.Period | None = None,
    end: dt.date | pd.Timestamp | None = None,
    measure: str = "cases",
    baseline: int = 8,
    gap: int = 0,
    fdr: float = 0.05,
    min_count: int = 5,
    min_ratio: float = 1.5,
    seasonal: bool = True,
) -> EmergingResult:
    """Test every series of ``frame`` for a rise in ``period`` (see the module docstring for the method).

    ``frame`` is a seizure frame (:func:`workbench.store.frames.seizure_frame`). ``period`` defaults to
    the last complete period of the range stated (``end``: ``--to`` or the sidebar's period), else of the
    data (:func:`period_to_test`; the result's ``basis`` says which). ``measure``: ``cases`` (the
    negative binomial test) or ``quantity`` (each unit its own series, :func:`score_quantities`; a flag
    also needs ``min_count`` cases in the period). Raises ValueError when there are fewer than 3
    baseline periods, or for another measure.
    """
    dates = pd.to_datetime(frame["seizure_date"]) if len(frame) else pd.Series(dtype="datetime64[us]")

    def window(lo: pd.Timestamp, hi: pd.Timestamp) -> pd.DataFrame:
        return frame[((dates >= lo) & (dates <= hi)).to_numpy()]

    source = EmergingSource(dates, window, lambda f: seasonal_profile(frame, f))
    return detect_emerging_in(
        source,
        freq=freq,
        series=series,
        period=period,
        end=end,
        measure=measure,
        baseline=baseline,
        gap=gap,
        fdr=fdr,
        min_count=min_count,
        min_ratio=min_ratio,
        seasonal=seasonal,
    )


@dataclass(frozen=True)
class EmergingSource:
    """What :func:`detect_emerging_in` reads of the seizures: their ``dates`` (each distinct date once
    suffices: the first, the last, whether all are the first of a month), the ``window`` of seizure rows
    between two days (a seizure frame, or only the columns the series split by), and the ``season``
    profile of all of them at a frequency (:func:`workbench.trends.series.seasonal_profile`). From a
    frame (:func:`detect_emerging`) or from the store (:func:`workbench.trends.pushdown.
    detect_emerging_in_store`)."""

    dates: pd.Series
    window: Callable[[pd.Timestamp, pd.Timestamp], pd.DataFrame]
    season: Callable[[str], pd.DataFrame]


def detect_emerging_in(
    source: EmergingSource,
    *,
    freq: str = "Q",
    series: Sequence[Sequence[str]] = DEFAULT_SERIES,
    period: str | pd.Period | None = None,
    end: dt.date | pd.Timestamp | None = None,
    measure: str = "cases",
    baseline: int = 8,
    gap: int = 0,
    fdr: float = 0.05,
    min_count: int = 5,
    min_ratio: float = 1.5,
    seasonal: bool = True,
) -> EmergingResult:
    """:func:`detect_emerging` of the seizures ``source`` reads (same settings)."""
    from workbench.trends.series import _check_freq

    freq = _check_freq(freq)
    if measure not in ("cases", "quantity"):
        raise ValueError(_("emerging trends test cases or quantity, not {measure!r}", measure=measure))
    quantity = measure == "quantity"
    if baseline < 3:
        raise ValueError(_("the baseline needs at least 3 periods"))
    dates = pd.to_datetime(source.dates).dropna() if len(source.dates) else pd.Series(dtype="datetime64[us]")
    settings = {
        "freq": freq,
        "measure": measure,
        "baseline": baseline,
        "gap": gap,
        "fdr": fdr,
        "min_count": min_count,
        "min_ratio": min_ratio,
        "seasonal": seasonal,
        "series": [list(s) for s in series],
    }
    if dates.empty or dates.isna().all():
        return EmergingResult([], pd.DataFrame(), "", freq, baseline, {}, settings, measure)
    if period is None:
        target, basis = period_to_test(dates, freq, end)
    else:
        target = pd.Period(period, freq=_pfreq(freq))
        basis = _("the period asked for")
    first = pd.Timestamp(dates.min()).to_period(target.freqstr)
    available = target.ordinal - first.ordinal - gap
    n_base = min(baseline, available)
    if n_base < 3:
        raise ValueError(
            _(
                "too little history before {period}: {available} {frequencies}(s) of "
                "data, the baseline needs at least 3",
                period=period_labels(pd.PeriodIndex([target])).iloc[0],
                available=max(available, 0),
                frequencies=_(FREQUENCIES[freq]),
            )
        )
    base_first = target - gap - n_base
    window = pd.period_range(base_first, target, freq=target.freq)
    used = source.window(base_first.start_time, target.end_time)
    factors_by_season = _season_factors(source.season, freq, seasonal)

    def factor(p: pd.Period) -> float:
        if not factors_by_season:
            return 1.0
        s = p.month if freq == "M" else p.quarter
        return factors_by_season.get(int(s), 1.0)

    f_window = np.array([factor(p) for p in window])
    target_label = period_labels(pd.PeriodIndex([target])).iloc[0]

    tested_parts: list[pd.DataFrame] = []
    overdispersion: dict[str, float] = {}
    for split in series:
        split = tuple(split)
        ts = time_series(used, split, freq, measure, start=base_first.start_time, end=target.end_time)
        n_p = len(window)
        if ts.empty:
            continue
        cases = ts["cases"].to_numpy().reshape(-1, n_p)
        keys = ts[[*split, *(["unit"] if quantity else [])]].iloc[::n_p].reset_index(drop=True)
        values = ts["quantity"].to_numpy(float).reshape(-1, n_p) if quantity else cases
        keep = ~keys[list(split)].isin([NOT_STATED]).any(axis=1).to_numpy()
        keep &= values.sum(axis=1) > 0
        values, cases, keys = values[keep], cases[keep], keys[keep].reset_index(drop=True)
        if not len(values):
            continue
        if quantity:
            scores = score_quantities(values, gap=gap, factors=f_window)
        else:
            scores = score_counts(values, gap=gap, factors=f_window)
            overdispersion[" × ".join(split)] = scores.attrs["alpha"]
        part = keys.astype("string")
        part.insert(0, "split", " × ".join(split))
        part["observed"] = (
            scores["observed"].to_numpy() if quantity else scores["observed"].astype(int).to_numpy()
        )
        part["cases"] = cases[:, -1].astype(int)
        for col in ("expected", "ratio", "excess", "p_value"):
            part[col] = scores[col].to_numpy()
        part["baseline_mean"] = values[:, :n_base].mean(axis=1)
        part["_split"] = [split] * len(part)
        tested_parts.append(part)
    if not tested_parts:
        return EmergingResult(
            [], pd.DataFrame(), target_label, freq, n_base, overdispersion, settings, measure, basis
        )
    tested = pd.concat(tested_parts, ignore_index=True)
    tested["q_value"] = benjamini_hochberg(tested["p_value"].to_numpy())
    tested["flagged"] = (
        (tested["q_value"] <= fdr) & (tested["cases"] >= min_count) & (tested["ratio"] >= min_ratio)
    )
    tested = tested.sort_values(["flagged", "p_value", "excess"], ascending=[False, True, False])
    tested = tested.reset_index(drop=True)
    flags = []
    for rec in tested[tested["flagged"]].to_dict("records"):
        split = rec["_split"]
        key = {k: str(rec[k]) for k in split}
        label = series_label(key)
        unit = str(rec["unit"]) if quantity else ""
        said: dict[str, Any] = {
            "series": label,
            "period": target_label,
            "expected": _fmt_count(rec["expected"]),
            "ratio": rec["ratio"],
            "p": _fmt_p(rec["p_value"]),
        }
        sentence = (
            _(
                "{series}: {observed} {unit} in {period} against {expected} expected ({ratio:.1f}×, {p})",
                observed=_fmt_count(rec["observed"]),
                unit=unit,
                **said,
            )
            if quantity
            else _(
                "{series}: {n:,} cases in {period} against {expected} expected ({ratio:.1f}×, {p})",
                n=rec["observed"],
                **said,
            )
        )
        flags.append(
            EmergingFlag(
                split=split,
                key=key,
                label=label,
                freq=freq,
                period=target_label,
                period_start=target.start_time.date(),
                period_end=target.end_time.date(),
                baseline_start=base_first.start_time.date(),
                observed=float(rec["observed"]) if quantity else int(rec["observed"]),
                expected=float(rec["expected"]),
                ratio=float(rec["ratio"]),
                excess=float(rec["excess"]),
                p_value=float(rec["p_value"]),
                q_value=float(rec["q_value"]),
                sentence=sentence,
                measure=measure,
                unit=unit,
                basis=basis,
            )
        )
    tested = tested.drop(columns="_split")
    tested.insert(
        1,
        "series",
        [
            series_label({k: v for k, v in r.items() if k in SPLITS and isinstance(v, str)})
            for r in tested.to_dict("records")
        ],
    )
    return EmergingResult(flags, tested, target_label, freq, n_base, overdispersion, settings, measure, basis)


def _pfreq(freq: str) -> str:
    from workbench.trends.series import _PANDAS_FREQ

    return _PANDAS_FREQ[freq]


def flag_series(frame: pd.DataFrame, flag: EmergingFlag, freq: str | None = None) -> pd.DataFrame:
    """Cases (and, for a quantity flag, the quantity in its unit) per period of a flagged series over all
    the data up to its tested period (for its chart)."""
    from workbench.store.frames import filter_seizure_frame

    sub = filter_seizure_frame(frame, flag_filter(flag))
    return series_of_flag(sub, flag, freq)


def flag_filter(flag: EmergingFlag) -> CaseFilter:
    """The filter that keeps the rows of a flagged series' commodity and transport mode (the other keys
    are kept by :func:`series_of_flag`)."""
    from workbench.store.filters import CaseFilter

    return CaseFilter(
        commodity_types=(flag.key["commodity_type"],) if "commodity_type" in flag.key else (),
        commodity_categories=(flag.key["commodity_category"],) if "commodity_category" in flag.key else (),
        transport_modes=(flag.key["transport_mode"],) if "transport_mode" in flag.key else (),
    )


def series_of_flag(sub: pd.DataFrame, flag: EmergingFlag, freq: str | None = None) -> pd.DataFrame:
    """:func:`flag_series` of the rows :func:`flag_filter` keeps."""
    ts = time_series(sub, flag.split, freq or flag.freq, flag.measure, end=flag.period_end)
    mask = np.ones(len(ts), dtype=bool)
    for k, v in {**flag.key, **({"unit": flag.unit} if flag.measure == "quantity" else {})}.items():
        mask &= (ts[k].astype("string") == v).fillna(False).to_numpy()
    out = ts[mask].reset_index(drop=True)
    out.attrs.update(ts.attrs)
    return out
