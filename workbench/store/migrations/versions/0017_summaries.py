"""summaries: monthly case counts and values per reporting country, transport mode and commodity category

Revision ID: 0017_summaries
Revises: 0001

See ``workbench/store/summaries.py``: ``case_summaries`` (one row per month x reporting country x transport
mode x commodity category, ``*`` for the rows that count every case once), ``route_summaries`` (cases
per month x reporting country x transport mode x commodity category x origin -> destination),
``category_pair_summaries`` (the categories seized together) and ``case_summary_state`` (the
``cases`` data version they were built at). Empty until the next import or ``workbench store
rebuild-summaries``; until then the pages read the data tables.
"""

import sqlalchemy as sa
from alembic import op

revision = "0017_summaries"
down_revision = "0001"
branch_labels = ("summaries",)
depends_on = "0006_data_versions"


def upgrade() -> None:
    op.create_table(
        "case_summaries",
        sa.Column("month_start", sa.Date(), nullable=True),
        sa.Column("reporting_country", sa.String(length=2), nullable=False),
        sa.Column("transport_mode", sa.String(length=40), nullable=True),
        sa.Column("commodity_category", sa.String(length=40), nullable=True),
        sa.Column("cases", sa.Integer(), nullable=False),
        sa.Column("value_usd", sa.Float(), nullable=True),
        sa.Column("first_date", sa.Date(), nullable=True),
        sa.Column("last_date", sa.Date(), nullable=True),
    )
    op.create_index("ix_case_summaries_country", "case_summaries", ["reporting_country", "month_start"])
    op.create_index("ix_case_summaries_category", "case_summaries", ["commodity_category", "month_start"])
    op.create_table(
        "route_summaries",
        sa.Column("month_start", sa.Date(), nullable=True),
        sa.Column("reporting_country", sa.String(length=2), nullable=False),
        sa.Column("transport_mode", sa.String(length=40), nullable=True),
        sa.Column("commodity_category", sa.String(length=40), nullable=True),
        sa.Column("origin", sa.String(length=2), nullable=False),
        sa.Column("destination", sa.String(length=2), nullable=False),
        sa.Column("destination_inferred", sa.Boolean(), nullable=False),
        sa.Column("cases", sa.Integer(), nullable=False),
    )
    op.create_index("ix_route_summaries_country", "route_summaries", ["reporting_country", "month_start"])
    op.create_index("ix_route_summaries_category", "route_summaries", ["commodity_category", "month_start"])
    op.create_table(
        "category_pair_summaries",
        sa.Column("month_start", sa.Date(), nullable=True),
        sa.Column("reporting_country", sa.String(length=2), nullable=False),
        sa.Column("transport_mode", sa.String(length=40), nullable=True),
        sa.Column("commodity_category", sa.String(length=40), nullable=True),
        sa.Column("other_category", sa.String(length=40), nullable=True),
        sa.Column("cases", sa.Integer(), nullable=False),
        sa.Column("value_usd", sa.Float(), nullable=True),
    )
    op.create_index(
        "ix_category_pair_summaries_category",
        "category_pair_summaries",
        ["commodity_category", "month_start"],
    )
    op.create_table(
        "case_summary_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("cases_version", sa.BigInteger(), nullable=True),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("case_summary_state")
    op.drop_index("ix_category_pair_summaries_category", table_name="category_pair_summaries")
    op.drop_table("category_pair_summaries")
    op.drop_index("ix_route_summaries_category", table_name="route_summaries")
    op.drop_index("ix_route_summaries_country", table_name="route_summaries")
    op.drop_table("route_summaries")
    op.drop_index("ix_case_summaries_category", table_name="case_summaries")
    op.drop_index("ix_case_summaries_country", table_name="case_summaries")
    op.drop_table("case_summaries")
