"""search: the index of everything the search finds (entries, their keys, the index's state)

Revision ID: 0009_search
Revises: 0001

See ``workbench/store/search.py``. The index is filled by the first search (or import) after this
migration, from the data already stored.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_search"
down_revision = "0001"
branch_labels = ("search",)
depends_on = None

_KEY = sa.String(length=200).with_variant(sa.String(length=200, collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "search_entries",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("normal", sa.String(length=200), nullable=False),
        sa.Column("node", sa.Text(), nullable=True),
        sa.Column("tbl", sa.String(length=40), nullable=False),
        sa.Column("reporting_country", sa.String(length=2), nullable=False),
        sa.Column("case_id", sa.Text(), nullable=False),
        sa.Column("record_id", sa.Text(), nullable=True),
        sa.Column("personal", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_search_entries_case", "search_entries", ["reporting_country", "case_id"])
    op.create_index("ix_search_entries_normal", "search_entries", ["kind", "normal"])
    op.create_table(
        "search_keys",
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=8), nullable=False),
        sa.Column("key", _KEY, nullable=False),
        sa.ForeignKeyConstraint(["entry_id"], ["search_entries.id"], ondelete="CASCADE"),
    )
    op.create_index("ix_search_keys_entry_id", "search_keys", ["entry_id"])
    op.create_index("ix_search_keys_key", "search_keys", ["field", "key"])
    state = op.create_table(
        "search_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=True),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    # the one row the refresh locks (never built yet), so that two first refreshes queue on it
    op.bulk_insert(state, [{"id": 1, "submission_id": None, "built_at": None}])


def downgrade() -> None:
    op.drop_table("search_state")
    op.drop_index("ix_search_keys_key", table_name="search_keys")
    op.drop_index("ix_search_keys_entry_id", table_name="search_keys")
    op.drop_table("search_keys")
    op.drop_index("ix_search_entries_normal", table_name="search_entries")
    op.drop_index("ix_search_entries_case", table_name="search_entries")
    op.drop_table("search_entries")
