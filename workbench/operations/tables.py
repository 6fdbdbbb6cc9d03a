"""The operations' own tables: operations, members, templates, submitted rows, messages and attachments.

Submissions stay here, apart from the main store's case tables, until the organiser hands them off at
close: the main search (:mod:`workbench.store.search`) and the analysis pages never read these tables,
so nothing of an operation reaches anyone outside it. Message bodies and attachments are stored
encrypted (:mod:`workbench.operations.messages`). Migration ``0011_operations`` creates them.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from workbench.store import Base

__all__ = [
    "new_id",
    "OPERATIONS",
    "OPERATION_MEMBERS",
    "OPERATION_TEMPLATES",
    "OPERATION_SUBMISSIONS",
    "OPERATION_ROWS",
    "OPERATION_MESSAGES",
    "OPERATION_ATTACHMENTS",
    "OPERATION_READS",
]

_AT = sa.DateTime(timezone=True)


def new_id(result: sa.CursorResult[Any]) -> int:
    """The primary key an INSERT gave its row."""
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


OPERATIONS = sa.Table(
    "operations",
    Base.metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("code", sa.String(40), nullable=False, unique=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("organiser", sa.String(40), nullable=False),
    sa.Column("legal_basis", sa.Text, nullable=False),
    sa.Column("start_date", sa.Date, nullable=False),
    sa.Column("end_date", sa.Date, nullable=False),
    sa.Column("tlp", sa.String(20), nullable=False),
    sa.Column("language", sa.String(8), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("retention_days", sa.Integer, nullable=False),
    sa.Column("created_at", _AT, nullable=False),
    sa.Column("closed_at", _AT, nullable=True),
    sa.Column("archived_at", _AT, nullable=True),
)

OPERATION_MEMBERS = sa.Table(
    "operation_members",
    Base.metadata,
    sa.Column(
        "operation_id", sa.Integer, sa.ForeignKey("operations.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("account", sa.String(120), primary_key=True),
    sa.Column("organisation", sa.String(40), nullable=False),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("added_at", _AT, nullable=False),
)

OPERATION_TEMPLATES = sa.Table(
    "operation_templates",
    Base.metadata,
    sa.Column(
        "operation_id", sa.Integer, sa.ForeignKey("operations.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("fields", sa.Text, nullable=False),
    sa.Column("created_by", sa.String(120), nullable=False),
    sa.Column("created_at", _AT, nullable=False),
)

OPERATION_SUBMISSIONS = sa.Table(
    "operation_submissions",
    Base.metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("operation_id", sa.Integer, sa.ForeignKey("operations.id", ondelete="CASCADE"), nullable=False),
    sa.Column("template_version", sa.Integer, nullable=False),
    sa.Column("account", sa.String(120), nullable=False),
    sa.Column("organisation", sa.String(40), nullable=False),
    sa.Column("channel", sa.String(20), nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("accepted", sa.Integer, nullable=False),
    sa.Column("rejected", sa.Integer, nullable=False),
    sa.Column("rejections", sa.Text, nullable=False),
    sa.Column("submitted_at", _AT, nullable=False),
    sa.Index("ix_operation_submissions_operation", "operation_id"),
)

OPERATION_ROWS = sa.Table(
    "operation_rows",
    Base.metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("operation_id", sa.Integer, sa.ForeignKey("operations.id", ondelete="CASCADE"), nullable=False),
    sa.Column(
        "submission_id",
        sa.Integer,
        sa.ForeignKey("operation_submissions.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("row_no", sa.Integer, nullable=False),
    sa.Column("organisation", sa.String(40), nullable=False),
    sa.Column("data", sa.Text, nullable=True),
    sa.Column("handed_off", sa.Boolean, nullable=False),
    sa.Column("erased", sa.Boolean, nullable=False),
    sa.Index("ix_operation_rows_operation", "operation_id"),
)

OPERATION_MESSAGES = sa.Table(
    "operation_messages",
    Base.metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("operation_id", sa.Integer, sa.ForeignKey("operations.id", ondelete="CASCADE"), nullable=False),
    sa.Column("thread_id", sa.Integer, nullable=True),
    sa.Column("account", sa.String(120), nullable=False),
    sa.Column("organisation", sa.String(40), nullable=False),
    sa.Column("subject", sa.LargeBinary, nullable=True),
    sa.Column("body", sa.LargeBinary, nullable=True),
    sa.Column("posted_at", _AT, nullable=False),
    sa.Index("ix_operation_messages_operation", "operation_id"),
)

OPERATION_ATTACHMENTS = sa.Table(
    "operation_attachments",
    Base.metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "message_id", sa.Integer, sa.ForeignKey("operation_messages.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("filename", sa.LargeBinary, nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("content", sa.LargeBinary, nullable=True),
    sa.Index("ix_operation_attachments_message", "message_id"),
)

OPERATION_READS = sa.Table(
    "operation_reads",
    Base.metadata,
    sa.Column(
        "operation_id", sa.Integer, sa.ForeignKey("operations.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("account", sa.String(120), primary_key=True),
    sa.Column("last_message_id", sa.Integer, nullable=False),
)
