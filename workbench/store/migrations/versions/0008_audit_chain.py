"""audit chain: the event schema's columns, the hash chain of every entry and its head and anchor

Revision ID: 0008_audit_chain
Revises: 0001

See ``workbench/store/audit.py``. The entries written before this revision are chained in ``id`` order
(their legal kind derived from their action), so the log verifies from its first entry. The triggers
are re-made: UPDATE and TRUNCATE refused, DELETE refused but for entries before the retention anchor.
"""

import sqlalchemy as sa
from alembic import op

from workbench.store.audit import GENESIS, drop_triggers, install_triggers, rechain

revision = "0008_audit_chain"
down_revision = "0001"
branch_labels = ("audit_chain",)
depends_on = None

_NEW_COLUMNS = (
    sa.Column("seq", sa.BigInteger(), nullable=True),
    sa.Column("organisation", sa.String(length=120), nullable=True),
    sa.Column("kind", sa.String(length=20), nullable=True),
    sa.Column("objects", sa.Text(), nullable=True),
    sa.Column("purpose_ref", sa.String(length=200), nullable=True),
    sa.Column("justification", sa.Text(), nullable=True),
    sa.Column("legal_basis", sa.Text(), nullable=True),
    sa.Column("recipients", sa.Text(), nullable=True),
    sa.Column("query", sa.Text(), nullable=True),
    sa.Column("row_count", sa.Integer(), nullable=True),
    sa.Column("prev_hash", sa.String(length=64), nullable=True),
    sa.Column("hash", sa.String(length=64), nullable=True),
)


def upgrade() -> None:
    conn = op.get_bind()
    drop_triggers(conn)
    if conn.dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
    for col in _NEW_COLUMNS:
        op.add_column("audit_log", col)
    op.create_index(op.f("ix_audit_log_seq"), "audit_log", ["seq"], unique=True)
    op.create_index(op.f("ix_audit_log_kind"), "audit_log", ["kind"], unique=False)
    op.create_index(op.f("ix_audit_log_purpose_ref"), "audit_log", ["purpose_ref"], unique=False)
    chain = op.create_table(
        "audit_chain",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("head_seq", sa.BigInteger(), nullable=False),
        sa.Column("head_hash", sa.String(length=64), nullable=False),
        sa.Column("anchor_seq", sa.BigInteger(), nullable=False),
        sa.Column("anchor_hash", sa.String(length=64), nullable=False),
        sa.Column("anchor_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.bulk_insert(
        chain, [{"id": 1, "head_seq": 0, "head_hash": GENESIS, "anchor_seq": 0, "anchor_hash": GENESIS}]
    )
    rechain(conn)
    install_triggers(conn)


def downgrade() -> None:
    conn = op.get_bind()
    drop_triggers(conn)
    op.drop_table("audit_chain")
    for name in ("ix_audit_log_purpose_ref", "ix_audit_log_kind", "ix_audit_log_seq"):
        op.drop_index(name, table_name="audit_log")
    with op.batch_alter_table("audit_log") as batch_op:
        for col in reversed(_NEW_COLUMNS):
            batch_op.drop_column(col.name)
