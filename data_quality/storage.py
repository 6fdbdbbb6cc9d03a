"""Writing a validation run into the workbench's own tables (see :mod:`data_quality.models`)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, cast

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from data_quality.models import DQFailingRow, DQResult, DQRun, DQScorecard
from data_quality.results import QualityResults
from data_quality.scorecard import INPUT_COLUMNS
from workbench.store import Submission, bump_data_version

__all__ = ["write_run"]

_CHUNK = 5000


def write_run(
    conn: Connection,
    results: QualityResults,
    scorecard: pd.DataFrame | None,
    *,
    submission_id: int | None,
    kind: str,
    engine: str,
    seconds: float,
    started_at: dt.datetime | None = None,
) -> int:
    """Store one run (results, failing rows, scorecard inputs) inside the caller's transaction; sets the
    submission's ``dq_score`` and moves the ``submissions`` data version forward. Returns the run id."""
    score = results.score()
    run_id = conn.execute(
        sa.insert(DQRun)
        .values(
            submission_id=submission_id,
            kind=kind,
            engine=engine[:60],
            started_at=started_at or dt.datetime.now(dt.UTC),
            seconds=float(seconds),
            rows_total=results.rows_total,
            critical_rows=len(results.critical_rows()),
            warning_rows=len(results.warning_rows()),
            score=score,
            summary=json.dumps({"rows": dict(results.rows_read), "notes": results.notes}, default=str),
        )
        .returning(DQRun.id)
    ).scalar_one()
    ordered = sorted(results.results.values(), key=lambda rr: (rr.rule.table, rr.rule.id))
    payload: list[dict[str, Any]] = [
        {
            "run_id": run_id,
            "submission_id": submission_id,
            "table_name": rr.rule.table,
            "sheet": rr.where,
            "expectation": rr.rule.expectation,
            "column_name": rr.rule.column,
            "severity": rr.rule.severity,
            "dimension": rr.rule.dimension,
            "stage": rr.rule.stage,
            "kwargs": json.dumps(_small_kwargs(rr.rule.kwargs), default=str),
            "element_count": int(rr.element_count),
            "unexpected_count": rr.unexpected_count,
            "success": rr.success,
            "problem": rr.rule.problem,
            "fix": rr.rule.fix,
            "error": rr.error,
        }
        for rr in ordered
    ]
    ids: list[int] = []
    if payload:
        ids = list(
            conn.execute(
                sa.insert(DQResult).returning(DQResult.id, sort_by_parameter_order=True), payload
            ).scalars()
        )
    failing = [
        {
            "result_id": rid,
            "run_id": run_id,
            "row_number": f.row,
            "reporting_country": (f.reporting_country or "")[:8] or None,
            "case_id": f.case_id,
            "value": None if f.value is None else f.value[:500],
            "message": f.message,
        }
        for rid, rr in zip(ids, ordered, strict=True)
        for f in sorted(rr.failures, key=lambda f: f.row or 0)
    ]
    for i in range(0, len(failing), _CHUNK):
        conn.execute(sa.insert(DQFailingRow), failing[i : i + _CHUNK])
    if scorecard is not None and len(scorecard):
        recs = cast(  # keyed by column name
            "list[dict[str, Any]]",
            scorecard.assign(run_id=run_id, submission_id=submission_id)[
                ["run_id", "submission_id", "reporting_country", "month", *INPUT_COLUMNS]
            ].to_dict("records"),
        )
        for r in recs:
            for c in INPUT_COLUMNS:
                r[c] = float(r[c]) if c == "lag_days_sum" else int(r[c])
        for i in range(0, len(recs), _CHUNK):
            conn.execute(sa.insert(DQScorecard), recs[i : i + _CHUNK])
    if submission_id is not None:
        conn.execute(sa.update(Submission).where(Submission.id == submission_id).values(dq_score=score))
    bump_data_version(conn, "submissions")
    return int(run_id)


def _small_kwargs(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Expectation arguments for the record; long value sets (all country codes) are summarised."""
    out: dict[str, Any] = {}
    for k, v in kwargs.items():
        if isinstance(v, list | tuple) and len(v) > 40:
            out[k] = [*list(v)[:10], f"... {len(v)} values"]
        elif isinstance(v, str) and len(v) > 200:
            out[k] = v[:80] + f"... ({len(v)} characters)"
        else:
            out[k] = v
    return out
