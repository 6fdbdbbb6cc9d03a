"""link charts: external networks (edge lists, matrices, GraphML, GEXF, i2) beside the case graph

Revision ID: 0015_link_charts
Revises: 0001

See ``workbench/network/charts.py``: one row per chart (name, format, file, direction, whether its node
labels are personal data, organisation and uploader), its nodes and its edges.
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_link_charts"
down_revision = "0001"
branch_labels = ("link_charts",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "link_charts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("format", sa.String(length=20), nullable=False),
        sa.Column("source_file", sa.Text(), nullable=False),
        sa.Column("directed", sa.Boolean(), nullable=False),
        sa.Column("personal", sa.Boolean(), nullable=False),
        sa.Column("organisation", sa.String(length=100), nullable=True),
        sa.Column("uploaded_by", sa.String(length=100), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("node_count", sa.Integer(), nullable=False),
        sa.Column("edge_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "link_chart_nodes",
        sa.Column("chart_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("node", sa.Text(), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=100), nullable=False),
        sa.Column("attributes", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["chart_id"], ["link_charts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("chart_id", "position"),
    )
    op.create_table(
        "link_chart_edges",
        sa.Column("chart_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("source", sa.Integer(), nullable=False),
        sa.Column("target", sa.Integer(), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("directed", sa.Boolean(), nullable=False),
        sa.Column("period", sa.String(length=40), nullable=True),
        sa.Column("relation", sa.Text(), nullable=False),
        sa.Column("attributes", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["chart_id"], ["link_charts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("chart_id", "position"),
    )


def downgrade() -> None:
    op.drop_table("link_chart_edges")
    op.drop_table("link_chart_nodes")
    op.drop_table("link_charts")
