"""risk indicators (versions, reviews) and the traffic table

Revision ID: 0004_risk
Revises: 0001
Create Date: 2026-11-24 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_risk"
down_revision = "0001"
branch_labels = ("risk",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "risk_indicators",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "risk_indicator_versions",
        sa.Column("indicator_id", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("rationale", sa.Text(), nullable=True),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("condition", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("author", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewer", sa.String(length=120), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["indicator_id"], ["risk_indicators.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("indicator_id", "version"),
    )
    with op.batch_alter_table("risk_indicator_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_risk_indicator_versions_status"), ["status"], unique=False)

    op.create_table(
        "risk_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("user", sa.String(length=120), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["indicator_id"], ["risk_indicators.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("risk_reviews", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_risk_reviews_indicator_id"), ["indicator_id"], unique=False)

    op.create_table(
        "traffic",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("movement_id", sa.Text(), nullable=False),
        sa.Column("movement_date", sa.Date(), nullable=False),
        sa.Column("reporting_country", sa.String(length=2), nullable=True),
        sa.Column("customs_procedure", sa.String(length=40), nullable=True),
        sa.Column("transport_mode", sa.String(length=40), nullable=True),
        sa.Column("place_type", sa.String(length=40), nullable=True),
        sa.Column("place_code", sa.Text(), nullable=True),
        sa.Column("place_name", sa.Text(), nullable=True),
        sa.Column("departure_country", sa.String(length=2), nullable=True),
        sa.Column("transit_countries", sa.String(length=255), nullable=True),
        sa.Column("destination_country", sa.String(length=2), nullable=True),
        sa.Column("conveyance_type", sa.String(length=40), nullable=True),
        sa.Column("conveyance_id", sa.Text(), nullable=True),
        sa.Column("hs_code", sa.Text(), nullable=True),
        sa.Column("declared_value_usd", sa.Float(), nullable=True),
        sa.Column("seized", sa.Boolean(), nullable=True),
        sa.Column("case_id", sa.Text(), nullable=True),
        sa.Column("extra", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source", "movement_id", name="uq_traffic_movement"),
    )
    with op.batch_alter_table("traffic", schema=None) as batch_op:
        batch_op.create_index("ix_traffic_movement_date", ["movement_date"], unique=False)
        batch_op.create_index(batch_op.f("ix_traffic_source"), ["source"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("traffic", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_traffic_source"))
        batch_op.drop_index("ix_traffic_movement_date")
    op.drop_table("traffic")
    with op.batch_alter_table("risk_reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_risk_reviews_indicator_id"))
    op.drop_table("risk_reviews")
    with op.batch_alter_table("risk_indicator_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_risk_indicator_versions_status"))
    op.drop_table("risk_indicator_versions")
    op.drop_table("risk_indicators")
