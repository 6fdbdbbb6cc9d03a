"""statistics: aggregate seizure statistics (events and quantities per period and place)

Revision ID: 0014_statistics
Revises: 0001

See ``workbench/exchange/statistics.py`` (STATISTICS).
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_statistics"
down_revision = "0001"
branch_labels = ("statistics",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "seizure_statistics",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=True),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("granularity", sa.String(length=5), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("reporting_country", sa.String(length=2), nullable=False),
        sa.Column("place_name", sa.Text(), nullable=True),
        sa.Column("commodity_category", sa.String(length=40), nullable=True),
        sa.Column("commodity_type", sa.String(length=80), nullable=True),
        sa.Column("events", sa.Integer(), nullable=True),
        sa.Column("quantity", sa.Float(), nullable=True),
        sa.Column("unit", sa.String(length=10), nullable=True),
        sa.ForeignKeyConstraint(["submission_id"], ["submissions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_seizure_statistics_submission_id", "seizure_statistics", ["submission_id"])
    op.create_index("ix_seizure_statistics_period_start", "seizure_statistics", ["period_start"])
    op.create_index("ix_seizure_statistics_reporting_country", "seizure_statistics", ["reporting_country"])


def downgrade() -> None:
    op.drop_table("seizure_statistics")
