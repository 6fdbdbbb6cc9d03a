"""resolution: the match model, blocking keys and name frequencies kept for incremental resolution

Revision ID: 0019_resolution
Revises: 0001

See ``workbench/store/resolution_index.py``: ``resolution_models`` (the fitted model per kind),
``resolution_keys`` (each resolved record's blocking keys, hashed, indexed), ``resolution_terms``
(how many records hold each name); and an index of ``graph_entities`` by entity (an incremental
resolution that links two entities renames one). Empty until the next full resolution.
"""

import sqlalchemy as sa
from alembic import op

revision = "0019_resolution"
down_revision = "0001"
branch_labels = ("resolution",)
depends_on = "0018_graph"


def upgrade() -> None:
    op.create_table(
        "resolution_models",
        sa.Column("kind", sa.String(length=20), primary_key=True),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "resolution_keys",
        sa.Column("key", sa.BigInteger(), nullable=False),
        sa.Column("record_key", sa.String(length=200), nullable=False),
    )
    op.create_index("ix_resolution_keys_key", "resolution_keys", ["key"])
    op.create_table(
        "resolution_terms",
        sa.Column("term", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("count", sa.Integer(), nullable=False),
    )
    op.create_index("ix_graph_entities_entity", "graph_entities", ["party_table", "entity"])


def downgrade() -> None:
    op.drop_index("ix_graph_entities_entity", table_name="graph_entities")
    op.drop_table("resolution_terms")
    op.drop_index("ix_resolution_keys_key", table_name="resolution_keys")
    op.drop_table("resolution_keys")
    op.drop_table("resolution_models")
