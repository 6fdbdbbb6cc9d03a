"""graph: the entity graph's nodes, links, party records, stored entities and state

Revision ID: 0018_graph
Revises: 0001

See ``workbench/store/entity_graph.py``: ``graph_nodes`` (one per node), ``graph_edges`` (each link
both ways, with the case it comes from), ``graph_records`` (party records and their entity),
``graph_entities`` (the resolver's entity per record), ``graph_state`` (the ``cases`` data version the
tables hold), and ``graph_analyses`` / ``graph_communities`` (communities and rankings computed in the
background, see ``workbench/network/store_graph.py``). Empty until the next import or ``workbench
graph-index rebuild``; until then the Network page builds the graph in memory.
"""

import sqlalchemy as sa
from alembic import op

revision = "0018_graph"
down_revision = "0001"
branch_labels = ("graph",)
depends_on = "0006_data_versions"


def upgrade() -> None:
    op.create_table(
        "graph_nodes",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("node_id", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("subkind", sa.String(length=20), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("personal", sa.Boolean(), nullable=False),
        sa.UniqueConstraint("node_id", name="uq_graph_nodes_node_id"),
    )
    op.create_index("ix_graph_nodes_kind", "graph_nodes", ["kind"])
    op.create_table(
        "graph_edges",
        sa.Column("src", sa.Integer(), nullable=False),
        sa.Column("dst", sa.Integer(), nullable=False),
        sa.Column("relation", sa.String(length=40), nullable=False),
        sa.Column("case_ref", sa.Integer(), nullable=False),
        sa.Column("personal", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_graph_edges_src", "graph_edges", ["src", "dst"])
    op.create_index("ix_graph_edges_case", "graph_edges", ["case_ref"])
    op.create_table(
        "graph_records",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("record_key", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("node", sa.Integer(), nullable=False),
        sa.Column("case_ref", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.Column("written", sa.Text(), nullable=False),
    )
    op.create_index("ix_graph_records_node", "graph_records", ["node"])
    op.create_index("ix_graph_records_case", "graph_records", ["case_ref"])
    op.create_index("ix_graph_records_key", "graph_records", ["kind", "record_key"])
    op.create_table(
        "graph_entities",
        sa.Column("party_table", sa.String(length=20), primary_key=True),
        sa.Column("record_key", sa.String(length=200), primary_key=True),
        sa.Column("entity", sa.Text(), nullable=False),
    )
    op.create_table(
        "graph_state",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("cases_version", sa.BigInteger(), nullable=False),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved", sa.Boolean(), nullable=False),
    )
    op.create_table(
        "graph_analyses",
        sa.Column("name", sa.String(length=20), primary_key=True),
        sa.Column("cases_version", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("seconds", sa.Float(), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
    )
    op.create_table(
        "graph_communities",
        sa.Column("node", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("community", sa.Integer(), nullable=False),
    )
    op.create_index("ix_graph_communities_community", "graph_communities", ["community"])


def downgrade() -> None:
    for t in (
        "graph_communities",
        "graph_analyses",
        "graph_state",
        "graph_entities",
        "graph_records",
        "graph_edges",
        "graph_nodes",
    ):
        op.drop_table(t)
