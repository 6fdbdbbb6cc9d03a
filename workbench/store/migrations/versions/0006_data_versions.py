"""data versions: one counter per kind of data, moved forward by every write (cache keys of the app)

Revision ID: 0006_data_versions
Revises: 0001

See ``workbench/store/version.py``. The counters start at this migration's time in microseconds, so a
store made anew under the same URL does not reuse the counters of an earlier one.
"""

import time

import sqlalchemy as sa
from alembic import op

revision = "0006_data_versions"
down_revision = "0001"
branch_labels = ("data_versions",)
depends_on = None

#: the scopes of workbench.store.version.SCOPES when this revision was written (a later scope adds its
#: row in its own revision)
SCOPES = ("cases", "submissions", "judgements", "indicators", "traffic")


def upgrade() -> None:
    table = op.create_table(
        "data_versions",
        sa.Column("scope", sa.String(length=20), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("scope"),
    )
    start = int(time.time() * 1_000_000)
    op.bulk_insert(table, [{"scope": s, "version": start, "changed_at": None} for s in SCOPES])


def downgrade() -> None:
    op.drop_table("data_versions")
