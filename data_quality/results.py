"""What the quality checks found in one submission, accumulated over its chunks, in plain objects.

:class:`QualityResults` gathers one :class:`RuleResult` per rule (rows looked at, failing rows with
spreadsheet row, value and message) from the engine's outcomes and from the refusals of the row checks
that ran before the gate; it computes the score and the JSON of ``workbench validate``. Nothing here
imports Great Expectations; GX result objects never leave :mod:`data_quality.engine`.

Examples
--------
>>> res = QualityResults()
>>> _ = res.add_refusal("cases", 3, "seizure_date", "not a date in ISO 8601 form YYYY-MM-DD", {"seizure_date": "31/01"})
>>> res.rows_read["cases"] = 2
>>> [(f["table"], f["column"], f["expectation"], f["rows"]) for f in res.failures_json()]
[('cases', 'seizure_date', 'expect_column_values_to_match_strftime_format', [3])]
>>> res.score()
50.0
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
import pandas as pd

from data_quality.catalogue import Rule, rule_for_rejection, rules_for
from data_quality.engine import RuleOutcome
from workbench.exchange.rowchecks import Rejection

__all__ = ["Failure", "RuleResult", "QualityResults", "WARNING_WEIGHT"]

ROW = "_row"
#: A row with only warnings costs the score this fraction of a refused row.
WARNING_WEIGHT = 0.25


@dataclass
class Failure:
    """One failing row of one rule."""

    row: int | None
    value: str | None = None
    reporting_country: str | None = None
    case_id: str | None = None
    message: str | None = None


@dataclass
class RuleResult:
    rule: Rule
    where: str = ""
    element_count: int = 0
    failures: list[Failure] = field(default_factory=list)
    error: str | None = None
    unlisted: int = 0  # failing rows counted but not listed

    @property
    def unexpected_count(self) -> int:
        return len(self.failures) + self.unlisted

    @property
    def success(self) -> bool:
        return not self.unexpected_count and self.error is None


def _text(v: Any) -> str | None:
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return None
    if isinstance(v, pd.Timestamp | dt.datetime):
        return v.strftime("%Y-%m-%d")
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


class QualityResults:
    """Everything found in one submission (or one store check)."""

    def __init__(self, today: dt.date | None = None) -> None:
        self.today = today or dt.date.today()
        self.results: dict[str, RuleResult] = {}
        self.rows_read: Counter[str] = Counter()
        self.where: dict[str, str] = {}
        self.notes: list[str] = []

    # ------------------------------------------------------------------ adding
    def result(self, rule: Rule, where: str = "") -> RuleResult:
        rr = self.results.get(rule.id)
        if rr is None:
            rr = self.results[rule.id] = RuleResult(rule, where or self.where.get(rule.table, rule.table))
        return rr

    def add_outcomes(
        self,
        table: str,
        frame: pd.DataFrame,
        outcomes: Sequence[RuleOutcome],
        where: str = "",
        messages: Mapping[str, pd.Series] | None = None,
        index: str = ROW,
    ) -> list[Rejection]:
        """Record what the engine found in one chunk; returns the findings for the import (one per row)."""
        findings: list[Rejection] = []
        idx = frame[index].to_numpy(dtype=np.int64)
        for o in outcomes:
            rr = self.result(o.rule, where)
            rr.element_count += o.element_count
            rr.unlisted += o.unlisted
            if o.error:
                rr.error = o.error
                continue
            if not len(o.failing):
                continue
            pos = np.flatnonzero(np.isin(idx, o.failing))
            for row in np.setdiff1d(o.failing, idx[pos]).tolist():  # not in the frame: the row number only
                rr.failures.append(Failure(int(row), message=o.rule.problem))
            sub = frame.iloc[pos]
            cols = [c for c in o.rule.columns if c in sub.columns and not c.startswith("_")]
            shown = [c.strip() for c in o.rule.column.split(",") if c.strip() in sub.columns] or cols
            values = sub[shown].astype(object).to_numpy()
            msgs = messages.get(o.rule.id) if messages else None
            rc = (
                sub["reporting_country"].to_numpy(dtype=object)
                if "reporting_country" in sub
                else [None] * len(sub)
            )
            cid = sub["case_id"].to_numpy(dtype=object) if "case_id" in sub else [None] * len(sub)
            for k in range(len(sub)):
                row = int(sub[index].iloc[k])
                detail = _text(msgs.loc[sub.index[k]]) if msgs is not None else None
                message = f"{o.rule.problem}: {detail}" if detail else o.rule.problem
                value = ", ".join(t for t in (_text(v) for v in values[k]) if t is not None) or None
                rr.failures.append(Failure(row, value, _text(rc[k]), _text(cid[k]), message))
                findings.append(
                    Rejection(table, row, o.rule.column, message, rr.where, severity=o.rule.severity)
                )
        return findings

    def add_refusal(
        self,
        table: str,
        row: int | None,
        column: str | None,
        reason: str,
        raw: Mapping[str, Any] | None = None,
        where: str = "",
        check: str = "",
    ) -> Rule:
        """Record a row refused before the suites ran (row checks, referential check of the import);
        ``check``: the expectation it enforces, when the refusal says (its reason may be in any language)."""
        r = rule_for_rejection(table, column, reason, self.today, check=check or getattr(reason, "check", ""))
        rr = self.result(r, where)
        raw = raw or {}
        first_col = (column or "").split(",")[0].strip()
        value = _text(raw.get(first_col)) if first_col else None
        rr.failures.append(
            Failure(row, value, _text(raw.get("reporting_country")), _text(raw.get("case_id")), reason)
        )
        return r

    def add_rejections(self, rejections: Iterable[Rejection], raw: Mapping[str, pd.DataFrame]) -> None:
        """Record the row checks' rejections; ``raw``: the tables as read (for the refused values)."""
        by_row: dict[str, pd.DataFrame] = {
            n: f.set_index(ROW, drop=False) for n, f in raw.items() if ROW in f
        }
        for rej in rejections:
            rec = None
            frame = by_row.get(rej.table)
            if frame is not None and rej.row is not None and rej.row in frame.index:
                rec = cast("dict[str, Any]", frame.loc[rej.row].to_dict())  # keyed by column name
            self.add_refusal(rej.table, rej.row, rej.column, rej.reason, rec, rej.where, rej.check)

    def cover(self, tables: Iterable[str]) -> None:
        """List every rule of ``tables``, passed ones too; read-stage rules looked at every row read."""
        for t in tables:
            for r in rules_for(t, self.today):
                rr = self.result(r)
                if r.stage == "read" or r.stage == "context":
                    rr.element_count = max(rr.element_count, self.rows_read.get(t, 0))

    # ------------------------------------------------------------------ reading
    def failed(self) -> list[RuleResult]:
        return [rr for rr in self.results.values() if rr.unexpected_count]

    def _rows(self, severity: str) -> set[tuple[str, int]]:
        return {
            (rr.rule.table, f.row)
            for rr in self.results.values()
            if rr.rule.severity == severity
            for f in rr.failures
            if f.row is not None
        }

    def critical_rows(self) -> set[tuple[str, int]]:
        return self._rows("critical")

    def warning_rows(self) -> set[tuple[str, int]]:
        """Rows with a warning and no critical finding."""
        return self._rows("warning") - self.critical_rows()

    @property
    def rows_total(self) -> int:
        return int(sum(self.rows_read.values()))

    @property
    def success(self) -> bool:
        """True when nothing critical failed."""
        return not any(rr.rule.severity == "critical" and rr.unexpected_count for rr in self.results.values())

    def score(self) -> float | None:
        """0-100: 100 minus the share of refused rows, warnings counting :data:`WARNING_WEIGHT` each."""
        total = self.rows_total
        if not total:
            return None
        lost = len(self.critical_rows()) + WARNING_WEIGHT * len(self.warning_rows())
        return round(max(0.0, 100.0 * (1 - lost / total)), 1)

    def failures_json(self) -> list[dict[str, Any]]:
        """``[{table, column, expectation, severity, rows}]``: one entry per failed expectation and column."""
        out = []
        for rr in sorted(self.failed(), key=lambda x: (x.rule.table, x.rule.column, x.rule.expectation)):
            rows = sorted({f.row for f in rr.failures if f.row is not None})
            out.append(
                {
                    "table": rr.rule.table,
                    "column": rr.rule.column,
                    "expectation": rr.rule.expectation,
                    "severity": rr.rule.severity,
                    "rows": rows,
                }
            )
        return out

    def to_json(self) -> dict[str, Any]:
        """The ``workbench validate`` report: success, failures, and a summary for people."""
        return {
            "success": self.success,
            "failures": self.failures_json(),
            "score": self.score(),
            "rows": dict(self.rows_read),
            "critical_rows": len(self.critical_rows()),
            "warning_rows": len(self.warning_rows()),
            "notes": self.notes,
            "errors": [
                {
                    "table": rr.rule.table,
                    "column": rr.rule.column,
                    "expectation": rr.rule.expectation,
                    "error": rr.error,
                }
                for rr in self.results.values()
                if rr.error
            ],
        }
