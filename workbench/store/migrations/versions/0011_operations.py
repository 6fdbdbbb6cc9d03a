"""operations: closed groups per joint operation (members, templates, submissions, messages)

Revision ID: 0011_operations
Revises: 0001

See ``workbench/operations/tables.py``. Message bodies, subjects, attachment names and contents are
stored encrypted with the key of ``WORKBENCH_OPERATIONS_KEY``.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_operations"
down_revision = "0001"
branch_labels = ("operations",)
depends_on = "0007_accounts"

_AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "operations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("organiser", sa.String(length=40), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("tlp", sa.String(length=20), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("retention_days", sa.Integer(), nullable=False),
        sa.Column("created_at", _AT, nullable=False),
        sa.Column("closed_at", _AT, nullable=True),
        sa.Column("archived_at", _AT, nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_table(
        "operation_members",
        sa.Column("operation_id", sa.Integer(), nullable=False),
        sa.Column("account", sa.String(length=120), nullable=False),
        sa.Column("organisation", sa.String(length=40), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("added_at", _AT, nullable=False),
        sa.ForeignKeyConstraint(["operation_id"], ["operations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("operation_id", "account"),
    )
    op.create_table(
        "operation_templates",
        sa.Column("operation_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("fields", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", _AT, nullable=False),
        sa.ForeignKeyConstraint(["operation_id"], ["operations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("operation_id", "version"),
    )
    op.create_table(
        "operation_submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("operation_id", sa.Integer(), nullable=False),
        sa.Column("template_version", sa.Integer(), nullable=False),
        sa.Column("account", sa.String(length=120), nullable=False),
        sa.Column("organisation", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("accepted", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("rejections", sa.Text(), nullable=False),
        sa.Column("submitted_at", _AT, nullable=False),
        sa.ForeignKeyConstraint(["operation_id"], ["operations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_operation_submissions_operation", "operation_submissions", ["operation_id"])
    op.create_table(
        "operation_rows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("operation_id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("row_no", sa.Integer(), nullable=False),
        sa.Column("organisation", sa.String(length=40), nullable=False),
        sa.Column("data", sa.Text(), nullable=True),
        sa.Column("handed_off", sa.Boolean(), nullable=False),
        sa.Column("erased", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["operation_id"], ["operations.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["submission_id"], ["operation_submissions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_operation_rows_operation", "operation_rows", ["operation_id"])
    op.create_table(
        "operation_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("operation_id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=True),
        sa.Column("account", sa.String(length=120), nullable=False),
        sa.Column("organisation", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.LargeBinary(), nullable=True),
        sa.Column("body", sa.LargeBinary(), nullable=True),
        sa.Column("posted_at", _AT, nullable=False),
        sa.ForeignKeyConstraint(["operation_id"], ["operations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_operation_messages_operation", "operation_messages", ["operation_id"])
    op.create_table(
        "operation_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.LargeBinary(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(["message_id"], ["operation_messages.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_operation_attachments_message", "operation_attachments", ["message_id"])
    op.create_table(
        "operation_reads",
        sa.Column("operation_id", sa.Integer(), nullable=False),
        sa.Column("account", sa.String(length=120), nullable=False),
        sa.Column("last_message_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["operation_id"], ["operations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("operation_id", "account"),
    )


def downgrade() -> None:
    op.drop_table("operation_reads")
    op.drop_index("ix_operation_attachments_message", table_name="operation_attachments")
    op.drop_table("operation_attachments")
    op.drop_index("ix_operation_messages_operation", table_name="operation_messages")
    op.drop_table("operation_messages")
    op.drop_index("ix_operation_rows_operation", table_name="operation_rows")
    op.drop_table("operation_rows")
    op.drop_index("ix_operation_submissions_operation", table_name="operation_submissions")
    op.drop_table("operation_submissions")
    op.drop_table("operation_templates")
    op.drop_table("operation_members")
    op.drop_table("operations")
