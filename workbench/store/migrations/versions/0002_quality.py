"""data quality: validation runs, results per expectation, failing rows, scorecard inputs

Revision ID: 0002_quality
Revises: 0001
Create Date: 2026-11-24

The models are in ``data_quality/models.py`` (the core does not import data_quality, so the tables are
spelled out here; ``tests/data_quality/test_models.py`` checks that the two agree).
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_quality"
down_revision = "0001"
branch_labels = ("quality",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dq_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("engine", sa.String(length=60), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("rows_total", sa.Integer(), nullable=False),
        sa.Column("critical_rows", sa.Integer(), nullable=False),
        sa.Column("warning_rows", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["submission_id"], ["submissions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_dq_runs_submission_id", "dq_runs", ["submission_id"])

    op.create_table(
        "dq_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=True),
        sa.Column("table_name", sa.String(length=40), nullable=False),
        sa.Column("sheet", sa.Text(), nullable=True),
        sa.Column("expectation", sa.String(length=120), nullable=False),
        sa.Column("column_name", sa.String(length=200), nullable=False),
        sa.Column("severity", sa.String(length=20), nullable=False),
        sa.Column("dimension", sa.String(length=20), nullable=False),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("kwargs", sa.Text(), nullable=True),
        sa.Column("element_count", sa.Integer(), nullable=False),
        sa.Column("unexpected_count", sa.Integer(), nullable=False),
        sa.Column("success", sa.Boolean(), nullable=False),
        sa.Column("problem", sa.Text(), nullable=False),
        sa.Column("fix", sa.Text(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["dq_runs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_dq_results_run_id", "dq_results", ["run_id"])
    op.create_index("ix_dq_results_submission_id", "dq_results", ["submission_id"])

    op.create_table(
        "dq_failing_rows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("result_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=True),
        sa.Column("reporting_country", sa.String(length=8), nullable=True),
        sa.Column("case_id", sa.Text(), nullable=True),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["result_id"], ["dq_results.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_dq_failing_rows_result_id", "dq_failing_rows", ["result_id"])
    op.create_index("ix_dq_failing_rows_run_id", "dq_failing_rows", ["run_id"])

    op.create_table(
        "dq_scorecard",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=True),
        sa.Column("reporting_country", sa.String(length=8), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("cases", sa.Integer(), nullable=False),
        sa.Column("refused_cases", sa.Integer(), nullable=False),
        sa.Column("fields_expected", sa.Integer(), nullable=False),
        sa.Column("fields_filled", sa.Integer(), nullable=False),
        sa.Column("lag_cases", sa.Integer(), nullable=False),
        sa.Column("lag_days_sum", sa.Float(), nullable=False),
        sa.Column("lag_within_30", sa.Integer(), nullable=False),
        sa.Column("inconsistent_cases", sa.Integer(), nullable=False),
        sa.Column("duplicate_cases", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["dq_runs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_dq_scorecard_run_id", "dq_scorecard", ["run_id"])
    op.create_index("ix_dq_scorecard_submission_id", "dq_scorecard", ["submission_id"])
    op.create_index("ix_dq_scorecard_reporting_country", "dq_scorecard", ["reporting_country"])


def downgrade() -> None:
    for name in ("dq_scorecard", "dq_failing_rows", "dq_results", "dq_runs"):
        op.drop_table(name)
