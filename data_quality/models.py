"""The data-quality tables, in the workbench's own store (Alembic revision ``0002_quality``).

Validation results are kept here, per submission, so history, reports and scorecards never depend on
Great Expectations' own stores:

- ``dq_runs``: one validation run (a submission's, or a periodic check of the store), its score;
- ``dq_results``: one row per expectation and column: how many rows it looked at and how many failed;
- ``dq_failing_rows``: every failing row with its spreadsheet row number, the value and the message;
- ``dq_scorecard``: per submission, reporting country and seizure month, the counts the scorecards
  are computed from (cases, refused, fields filled, entry lag, inconsistent, likely duplicates).

The models are declared on :class:`workbench.store.Base`, so ``open_store`` migrates them with the rest.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from workbench.store import Base

__all__ = ["DQRun", "DQResult", "DQFailingRow", "DQScorecard", "QUALITY_TABLES"]


class DQRun(Base):
    """One validation run: of a submission (``submission_id``) or of the whole store (``kind='store'``)."""

    __tablename__ = "dq_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("submissions.id", ondelete="CASCADE"), index=True, nullable=True
    )
    kind: Mapped[str] = mapped_column(sa.String(20))  # submission | store
    engine: Mapped[str] = mapped_column(sa.String(60))  # e.g. great_expectations 1.24.1
    started_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True))
    seconds: Mapped[float] = mapped_column(sa.Float)
    rows_total: Mapped[int] = mapped_column(sa.Integer)
    critical_rows: Mapped[int] = mapped_column(sa.Integer)
    warning_rows: Mapped[int] = mapped_column(sa.Integer)
    score: Mapped[float | None] = mapped_column(sa.Float)
    summary: Mapped[str | None] = mapped_column(sa.Text)  # JSON: rows per table, notes


class DQResult(Base):
    """One expectation on one table and column, in one run."""

    __tablename__ = "dq_results"
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("dq_runs.id", ondelete="CASCADE"), index=True)
    submission_id: Mapped[int | None] = mapped_column(sa.Integer, index=True, nullable=True)
    table_name: Mapped[str] = mapped_column(sa.String(40))
    sheet: Mapped[str | None] = mapped_column(sa.Text)
    expectation: Mapped[str] = mapped_column(sa.String(120))
    column_name: Mapped[str] = mapped_column(sa.String(200))
    severity: Mapped[str] = mapped_column(sa.String(20))
    dimension: Mapped[str] = mapped_column(sa.String(20))
    stage: Mapped[str] = mapped_column(sa.String(20))
    kwargs: Mapped[str | None] = mapped_column(sa.Text)  # JSON of the expectation's arguments
    element_count: Mapped[int] = mapped_column(sa.Integer)
    unexpected_count: Mapped[int] = mapped_column(sa.Integer)
    success: Mapped[bool] = mapped_column(sa.Boolean)
    problem: Mapped[str] = mapped_column(sa.Text)
    fix: Mapped[str] = mapped_column(sa.Text)
    error: Mapped[str | None] = mapped_column(sa.Text)


class DQFailingRow(Base):
    """One row that failed one expectation."""

    __tablename__ = "dq_failing_rows"
    id: Mapped[int] = mapped_column(primary_key=True)
    result_id: Mapped[int] = mapped_column(sa.ForeignKey("dq_results.id", ondelete="CASCADE"), index=True)
    run_id: Mapped[int] = mapped_column(sa.Integer, index=True)
    row_number: Mapped[int | None] = mapped_column(sa.Integer)  # spreadsheet row (header = 1); store id
    reporting_country: Mapped[str | None] = mapped_column(sa.String(8))
    case_id: Mapped[str | None] = mapped_column(sa.Text)
    value: Mapped[str | None] = mapped_column(sa.Text)
    message: Mapped[str | None] = mapped_column(sa.Text)


class DQScorecard(Base):
    """Scorecard inputs of one submission for one reporting country and seizure month."""

    __tablename__ = "dq_scorecard"
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("dq_runs.id", ondelete="CASCADE"), index=True)
    submission_id: Mapped[int | None] = mapped_column(sa.Integer, index=True, nullable=True)
    reporting_country: Mapped[str] = mapped_column(sa.String(8), index=True)
    month: Mapped[str] = mapped_column(sa.String(7))  # YYYY-MM of the seizure
    cases: Mapped[int] = mapped_column(sa.Integer)
    refused_cases: Mapped[int] = mapped_column(sa.Integer)
    fields_expected: Mapped[int] = mapped_column(sa.Integer)
    fields_filled: Mapped[int] = mapped_column(sa.Integer)
    lag_cases: Mapped[int] = mapped_column(sa.Integer)  # cases with an entry date
    lag_days_sum: Mapped[float] = mapped_column(sa.Float)
    lag_within_30: Mapped[int] = mapped_column(sa.Integer)
    inconsistent_cases: Mapped[int] = mapped_column(sa.Integer)
    duplicate_cases: Mapped[int] = mapped_column(sa.Integer)


QUALITY_TABLES = (DQRun, DQResult, DQFailingRow, DQScorecard)
