"""Back-testing: how indicators (and a profile) would have done on traffic whose outcome is known.

For each rule: how many movements it flags (``matched``, the control workload), how many of those were
seized (``seized_matched``), the share of all seizures it flags (**recall**), the share of flagged
movements that were seized (**precision**, the hit rate), and **lift**: precision over the base rate,
i.e. how many times better than picking the same number of movements at random (1 = no better).
Everything is counted per month (hits over time) and on either side of a **split date**, so that a
rule written on the past is measured on what came after. Validity dates are ignored here: the point
is how the rule would have done.

:func:`backtest` counts in pandas, :func:`backtest_sql` inside the database; both return a
:class:`BacktestResult` with the same counts.

Examples
--------
>>> import pandas as pd
>>> from workbench.risk.model import Indicator, parse_condition
>>> traffic = pd.DataFrame({
...     "movement_id": list("abcdefghij"),
...     "movement_date": pd.to_datetime(["2024-01-05"] * 5 + ["2024-02-05"] * 5),
...     "transport_mode": ["road", "road", "air_cargo", "road", "rail"] * 2,
...     "seized": [True, False, False, False, False, True, True, False, False, False]})
>>> road = Indicator("ROAD", "road", "general_high_risk",
...                  parse_condition({"field": "transport_mode", "op": "eq", "value": "road"}), 10)
>>> r = backtest(traffic, [road]).to_records()[0]
>>> r["matched"], r["seized_matched"], r["precision"], r["recall"], round(r["lift"], 3)
(6, 3, 0.5, 1.0, 1.667)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd
import sqlalchemy as sa

from workbench.i18n import _
from workbench.risk.frame_engine import PreparedFrame, prepare
from workbench.risk.model import Indicator, Node

if TYPE_CHECKING:
    from workbench.store import Store
    from workbench.store.filters import CaseFilter

__all__ = [
    "BacktestResult",
    "backtest",
    "backtest_sql",
    "PROFILE",
    "PERIODS",
    "metrics_row",
    "default_split",
    "live_figures",
]

#: The rule key of the profile (the weighted set at its threshold) in a result.
PROFILE = "profile"
#: Periods a result can be read for.
PERIODS = ("all", "before", "after")
# Two counts in one SQL sum: seized matches in the high bits, matches in the low ones.
_SHIFT = 2**32


def _ratio(a: float, b: float) -> float | None:
    return float(a) / float(b) if b else None


def metrics_row(rows: int, seized: int, matched: int, seized_matched: int, months: int) -> dict[str, Any]:
    """The figures for one rule and period from its four counts.

    Examples
    --------
    >>> r = metrics_row(rows=1000, seized=20, matched=50, seized_matched=10, months=5)
    >>> r["precision"], r["recall"], r["lift"], r["workload_share"], r["flagged_per_month"]
    (0.2, 0.5, 10.0, 0.05, 10.0)
    """
    precision = _ratio(seized_matched, matched)
    base = _ratio(seized, rows)
    return {
        "rows": int(rows),
        "seized": int(seized),
        "matched": int(matched),
        "seized_matched": int(seized_matched),
        "precision": precision,
        "recall": _ratio(seized_matched, seized),
        "base_rate": base,
        "lift": precision / base if precision is not None and base else None,
        "workload_share": _ratio(matched, rows),
        "flagged_per_month": _ratio(matched, months),
    }


@dataclass
class BacktestResult:
    """Counts per month and side of the split: ``groups`` (month, after, rows, seized) and
    ``counts`` (month, after, rule, matched, seized_matched)."""

    groups: pd.DataFrame
    counts: pd.DataFrame
    rules: list[str]
    names: dict[str, str]
    split: dt.date | None = None
    threshold: float | None = None

    def _select(self, period: str) -> tuple[pd.DataFrame, pd.DataFrame]:
        if period not in PERIODS:
            raise ValueError(_("period {period!r} is not one of {periods}", period=period, periods=PERIODS))
        if period == "all":
            return self.groups, self.counts
        after = period == "after"
        return self.groups[self.groups["after"] == after], self.counts[self.counts["after"] == after]

    def metrics(self, period: str = "all") -> pd.DataFrame:
        """One row per rule (indicators in order, then the profile): counts and figures for ``period``."""
        g, c = self._select(period)
        rows, seized, months = int(g["rows"].sum()), int(g["seized"].sum()), int(g["month"].nunique())
        per_rule = (
            c.groupby("rule", sort=False)[["matched", "seized_matched"]]
            .sum()
            .reindex(self.rules, fill_value=0)  # a rule that matched nothing: zeros
        )
        matched: list[int] = per_rule["matched"].to_numpy(dtype="int64").tolist()
        seized_matched: list[int] = per_rule["seized_matched"].to_numpy(dtype="int64").tolist()
        out = []
        for rule, m, s in zip(self.rules, matched, seized_matched, strict=True):
            out.append(
                {"id": rule, "name": self.names.get(rule, rule), **metrics_row(rows, seized, m, s, months)}
            )
        return pd.DataFrame(out)

    def hits_over_time(self) -> pd.DataFrame:
        """Per month and rule: matched, seized_matched, precision, and the month's rows and seizures."""
        g = self.groups.groupby("month", as_index=False)[["rows", "seized"]].sum()
        c = self.counts.groupby(["month", "rule"], as_index=False)[["matched", "seized_matched"]].sum()
        out = c.merge(g, on="month", how="left")
        out["precision"] = out["seized_matched"] / out["matched"].where(out["matched"] > 0)
        return out.sort_values(["rule", "month"]).reset_index(drop=True)

    def to_records(self, period: str = "all") -> list[dict[str, Any]]:
        """JSON-ready figures per rule: id, matched, seized_matched, precision, recall, lift, ..."""
        df = self.metrics(period)
        return [
            {k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in r.items()}
            for r in cast("list[dict[str, Any]]", df.to_dict("records"))  # keyed by column name
        ]

    def summary(self) -> dict[str, Any]:
        """Rows, seizures and base rate overall and on each side of the split."""
        out: dict[str, Any] = {
            "split": self.split.isoformat() if self.split else None,
            "threshold": self.threshold,
        }
        for p in PERIODS if self.split else ("all",):
            g, _ = self._select(p)
            rows, seized = int(g["rows"].sum()), int(g["seized"].sum())
            out[p] = {"rows": rows, "seized": seized, "base_rate": _ratio(seized, rows)}
        return out


def live_figures(prepared: PreparedFrame, condition: Node) -> dict[str, Any]:
    """:func:`metrics_row` of one condition over the whole of a prepared traffic frame: what the
    indicator editor shows while a rule is written (``seized`` blank counts as not seized; the months
    are those with a movement).

    >>> from workbench.risk.model import parse_condition
    >>> traffic = pd.DataFrame({"movement_date": pd.to_datetime(["2024-01-05", "2024-01-09", "2024-03-01"]),
    ...     "transport_mode": ["road", "road", "rail"], "seized": [True, None, False]})
    >>> f = live_figures(PreparedFrame(traffic), parse_condition({"field": "transport_mode", "op": "eq", "value": "road"}))
    >>> f["matched"], f["seized_matched"], f["precision"], f["flagged_per_month"]
    (2, 1, 0.5, 1.0)
    """
    frame = prepared.frame
    seized = (
        frame["seized"].fillna(False).to_numpy(dtype=bool)
        if "seized" in frame
        else np.zeros(len(frame), dtype=bool)
    )
    months = 1
    if "movement_date" in frame and len(frame):
        days = prepared.numbers("movement_date")  # cached by the prepared frame: every live count reuses it
        known = days[~np.isnan(days)].astype("int64").astype("datetime64[D]")
        months = max(1, len(np.unique(known.astype("datetime64[M]"))))
    hit = prepared.evaluate(condition)
    return metrics_row(len(frame), int(seized.sum()), int(hit.sum()), int((hit & seized).sum()), months)


def default_split(first: dt.date, last: dt.date) -> dt.date:
    """The split a back-test of traffic from ``first`` to ``last`` starts with: the first of January of
    the year before the last movement's (rules written on the earlier years, measured on the last
    whole year and after), never before the first movement.

    >>> default_split(dt.date(2021, 3, 1), dt.date(2024, 6, 30)), default_split(dt.date(2024, 2, 1), dt.date(2024, 6, 30))
    (datetime.date(2023, 1, 1), datetime.date(2024, 2, 1))
    """
    return max(first, dt.date(last.year - 1, 1, 1))


def _as_date(v: Any) -> dt.date | None:
    if v is None or v == "":
        return None
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    return dt.date.fromisoformat(str(v))


def _names(indicators: Sequence[Indicator], threshold: float | None) -> tuple[list[str], dict[str, str]]:
    rules = [i.id for i in indicators]
    if len(set(rules)) != len(rules):
        raise ValueError(_("each indicator may appear once in a back-test"))
    names = {i.id: i.name for i in indicators}
    if threshold is not None:
        rules.append(PROFILE)
        names[PROFILE] = _("profile: weighted score >= {threshold:g}", threshold=threshold)
    return rules, names


def backtest(
    traffic: pd.DataFrame | PreparedFrame,
    indicators: Sequence[Indicator],
    *,
    threshold: float | None = None,
    split: dt.date | str | None = None,
) -> BacktestResult:
    """Back-test ``indicators`` (and, with ``threshold``, their weighted profile) on a traffic frame.

    ``traffic`` needs ``movement_date`` and ``seized`` (blank counts as not seized); ``split`` is the
    first day of the "after" period.
    """
    prepared = prepare(traffic)
    frame = prepared.frame
    if "seized" not in frame.columns:
        raise ValueError(_("back-testing needs the outcome: the traffic has no 'seized' column"))
    split_day = _as_date(split)
    rules, names = _names(indicators, threshold)
    dates = pd.to_datetime(frame["movement_date"]).to_numpy("datetime64[D]")
    month_num = dates.astype("datetime64[M]").astype("int64")
    after = dates >= np.datetime64(split_day, "D") if split_day else np.zeros(len(dates), dtype=bool)
    key = month_num * 2 + after.astype("int64")
    keys, inv = np.unique(key, return_inverse=True)
    seized = frame["seized"].fillna(False).to_numpy(dtype=bool) if len(frame) else np.zeros(0, bool)
    months = np.datetime_as_string((keys // 2).astype("datetime64[M]"), unit="M")
    groups = pd.DataFrame(
        {
            "month": months,
            "after": (keys % 2).astype(bool),
            "rows": np.bincount(inv, minlength=len(keys)),
            "seized": np.bincount(inv, weights=seized, minlength=len(keys)).astype("int64"),
        }
    )
    hits: list[tuple[str, np.ndarray]] = []
    score = np.zeros(prepared.n)
    for ind in indicators:
        hit = prepared.evaluate(ind.when)
        score += ind.weight * hit
        hits.append((ind.id, hit))
    if threshold is not None:
        hits.append((PROFILE, score >= threshold))
    counts = []
    for rule, hit in hits:
        df = groups[["month", "after"]].copy()
        df["rule"] = rule
        df["matched"] = np.bincount(inv, weights=hit, minlength=len(keys)).astype("int64")
        df["seized_matched"] = np.bincount(inv, weights=hit & seized, minlength=len(keys)).astype("int64")
        counts.append(df)
    counts_df = pd.concat(counts, ignore_index=True) if counts else _empty_counts()
    return BacktestResult(groups, counts_df, rules, names, split_day, threshold)


def _empty_counts() -> pd.DataFrame:
    return pd.DataFrame({"month": [], "after": [], "rule": [], "matched": [], "seized_matched": []})


def backtest_sql(
    store: Store,
    indicators: Sequence[Indicator],
    *,
    threshold: float | None = None,
    split: dt.date | str | None = None,
    source: str | None = None,
    flt: CaseFilter | None = None,
) -> BacktestResult:
    """:func:`backtest` on the store's traffic table, counted inside the database in one scan.

    ``flt``: the shared case filter as :func:`workbench.risk.traffic.scope_traffic` reads it on traffic.
    """
    from workbench.risk.sql_engine import compile_condition
    from workbench.risk.traffic import TRAFFIC, target_seized_sql, traffic_where
    from workbench.store.queries import month_expr

    t = TRAFFIC
    is_seized = t.c.seized.is_(True) if flt is None else target_seized_sql(flt, t)
    split_day = _as_date(split)
    rules, names = _names(indicators, threshold)
    month = month_expr(t.c.movement_date, store.dialect).label("month")
    after = (t.c.movement_date >= split_day) if split_day else sa.false()
    after_col = sa.case((after, 1), else_=0).label("after")
    seized_int = sa.case((is_seized, 1), else_=0)
    both = sa.case((is_seized, _SHIFT + 1), else_=1)
    conds = [compile_condition(i.when, t, never_null=False) for i in indicators]
    aggs = [sa.func.sum(sa.case((c, both), else_=0)).label(f"r{k}") for k, c in enumerate(conds)]
    if threshold is not None:
        score = sum(
            (sa.case((c, float(i.weight)), else_=0.0) for c, i in zip(conds, indicators, strict=True)),
            start=sa.literal(0.0),
        )
        aggs.append(sa.func.sum(sa.case((score >= threshold, both), else_=0)).label(f"r{len(conds)}"))
    stmt = sa.select(
        month, after_col, sa.func.count().label("rows"), sa.func.sum(seized_int).label("seized"), *aggs
    ).group_by(month, after_col)
    if source is not None:
        stmt = stmt.where(t.c.source == source)
    if flt is not None:
        stmt = stmt.where(*traffic_where(flt, t))
    with store.engine.connect() as conn:
        res = conn.execute(stmt.order_by(month, after_col))
        data = res.fetchall()
    groups = pd.DataFrame(
        {
            "month": [r[0] for r in data],
            "after": [bool(r[1]) for r in data],
            "rows": [int(r[2]) for r in data],
            "seized": [int(r[3] or 0) for r in data],
        },
        columns=["month", "after", "rows", "seized"],
    )
    counts = []
    for k, rule in enumerate(rules):
        total = np.array([int(r[4 + k] or 0) for r in data], dtype="int64")
        df = groups[["month", "after"]].copy()
        df["rule"] = rule
        df["matched"] = total % _SHIFT
        df["seized_matched"] = total // _SHIFT
        counts.append(df)
    counts_df = pd.concat(counts, ignore_index=True) if counts else _empty_counts()
    return BacktestResult(groups, counts_df, rules, names, split_day, threshold)
