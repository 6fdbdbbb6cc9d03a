"""The store's tables: the exchange format's four data tables plus submissions, quarantine and audit log.

The four data tables are derived from :mod:`workbench.format.schema`; each also carries ``id`` (surrogate
key), ``submission_id`` (the submission that last wrote the row), ``extra`` (JSON of columns the format
does not know, kept rather than dropped) and ``dq_flags`` (warnings raised by the quality gate).
Schema changes go through Alembic migrations (``workbench/store/migrations``).

Examples
--------
>>> [c.name for c in DATA_TABLES["items"].columns][:4]
['id', 'case_id', 'reporting_country', 'item_no']
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from workbench.format.schema import FORMAT, TABLE_NAMES, Column

__all__ = [
    "Base",
    "Case",
    "Item",
    "Person",
    "Company",
    "Submission",
    "QuarantinedRow",
    "AUDIT_CHAIN",
    "AuditEntry",
    "Organisation",
    "Account",
    "AccountToken",
    "DATA_TABLES",
    "SQL_TYPES",
]

#: SQL column type for each exchange-format column type (features with tables of their own reuse it)
SQL_TYPES: dict[str, Any] = {
    "text": sa.Text,
    "iso2": lambda: sa.String(2),
    "date": sa.Date,
    "float": sa.Float,
    "int": sa.Integer,
    "enum": lambda: sa.String(40),
    "iso2_list": lambda: sa.String(255),
}


class Base(DeclarativeBase):
    pass


def _sa_column(col: Column) -> sa.Column[Any]:
    return sa.Column(col.name, SQL_TYPES[col.type](), nullable=not col.required)


def _data_table(name: str) -> sa.Table:
    spec = FORMAT.table(name)
    cols: list[Any] = [sa.Column("id", sa.Integer, primary_key=True, autoincrement=True)]
    cols += [_sa_column(c) for c in spec.columns]
    cols += [
        sa.Column("submission_id", sa.Integer, sa.ForeignKey("submissions.id"), nullable=True, index=True),
        sa.Column("extra", sa.Text, nullable=True),
        sa.Column("dq_flags", sa.Text, nullable=True),
        sa.UniqueConstraint(*spec.key, name=f"uq_{name}_key"),
    ]
    if spec.parent:
        cols.append(
            sa.ForeignKeyConstraint(
                ["reporting_country", "case_id"],
                [f"{spec.parent}.reporting_country", f"{spec.parent}.case_id"],
                ondelete="CASCADE",
                name=f"fk_{name}_case",
            )
        )
    table = sa.Table(name, Base.metadata, *cols)
    if name == "cases":  # period filters and "newest first" everywhere (migration 0005_indexes)
        sa.Index("ix_cases_seizure_date", table.c.seizure_date)
    if spec.parent:
        sa.Index(f"ix_{name}_case", table.c.reporting_country, table.c.case_id)
    return table


class Submission(Base):
    """One file or source handed in: who sent it, when, its hash and what came of it."""

    __tablename__ = "submissions"
    id: Mapped[int] = mapped_column(primary_key=True)
    received_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True))
    submitted_by: Mapped[str] = mapped_column(sa.String(120))
    source_name: Mapped[str] = mapped_column(sa.Text)
    source_kind: Mapped[str] = mapped_column(sa.String(40))
    file_hash: Mapped[str] = mapped_column(sa.String(64), index=True)
    status: Mapped[str] = mapped_column(sa.String(20))  # accepted | partial | rejected | duplicate | failed
    reporting_countries: Mapped[str | None] = mapped_column(sa.Text)
    counts: Mapped[str | None] = mapped_column(
        sa.Text
    )  # JSON {table: {accepted, rejected, inserted, updated}}
    report: Mapped[str | None] = mapped_column(sa.Text)  # JSON: the import report
    dq_score: Mapped[float | None] = mapped_column(sa.Float)


class QuarantinedRow(Base):
    """A row refused at import, with where it was and why."""

    __tablename__ = "quarantine"
    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(sa.ForeignKey("submissions.id"), index=True)
    table_name: Mapped[str] = mapped_column(sa.String(40))
    sheet: Mapped[str | None] = mapped_column(sa.Text)
    row_number: Mapped[int | None] = mapped_column(sa.Integer)
    column_name: Mapped[str | None] = mapped_column(sa.String(80))
    reason: Mapped[str] = mapped_column(sa.Text)
    raw: Mapped[str | None] = mapped_column(sa.Text)  # JSON of the row as read


class AuditEntry(Base):
    """Append-only, hash-chained log (see :mod:`workbench.store.audit`; database triggers refuse UPDATE,
    DELETE and TRUNCATE, but for the entries before the retention anchor)."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the entry's place in the chain (1, 2, ...; no gaps: a rolled-back write takes no number)
    seq: Mapped[int | None] = mapped_column(sa.BigInteger, unique=True, index=True)
    at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True))
    user: Mapped[str] = mapped_column(sa.String(120))
    organisation: Mapped[str | None] = mapped_column(sa.String(120))
    role: Mapped[str] = mapped_column(sa.String(40))
    action: Mapped[str] = mapped_column(sa.String(80), index=True)
    #: the legal kind (collection, consultation, export, ...: workbench.store.audit.LEGAL_KINDS)
    kind: Mapped[str | None] = mapped_column(sa.String(20), index=True)
    details: Mapped[str | None] = mapped_column(sa.Text)
    #: JSON list of the records acted on, by key (``case:ES/C1``), never by personal value
    objects: Mapped[str | None] = mapped_column(sa.Text)
    #: the purpose stated: case or operation reference, justification, legal basis
    purpose_ref: Mapped[str | None] = mapped_column(sa.String(200), index=True)
    justification: Mapped[str | None] = mapped_column(sa.Text)
    legal_basis: Mapped[str | None] = mapped_column(sa.Text)
    #: JSON list of who received a disclosure or an export
    recipients: Mapped[str | None] = mapped_column(sa.Text)
    query: Mapped[str | None] = mapped_column(sa.Text)
    row_count: Mapped[int | None] = mapped_column(sa.Integer)
    prev_hash: Mapped[str | None] = mapped_column(sa.String(64))
    hash: Mapped[str | None] = mapped_column(sa.String(64))


#: The chain's one row: its head (last sequence and hash; every writer updates it first, which queues
#: concurrent writers) and its anchor (the last entry erased by retention, where verification starts).
AUDIT_CHAIN = sa.Table(
    "audit_chain",
    Base.metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("head_seq", sa.BigInteger, nullable=False),
    sa.Column("head_hash", sa.String(64), nullable=False),
    sa.Column("anchor_seq", sa.BigInteger, nullable=False),
    sa.Column("anchor_hash", sa.String(64), nullable=False),
    sa.Column("anchor_at", sa.DateTime(timezone=True)),
)


class Organisation(Base):
    """An organisation accounts belong to: a national administration, a RILO, the secretariat
    (migration 0007_accounts; workbench.identity.accounts)."""

    __tablename__ = "organisations"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.Text)
    kind: Mapped[str] = mapped_column(sa.String(20))  # administration | rilo | secretariat | other
    created_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True))


class Account(Base):
    """A named account of an organisation: roles, the personal-data permission, an argon2id password hash,
    lockout and expiry state, an optional TOTP secret (migration 0007_accounts)."""

    __tablename__ = "accounts"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    roles: Mapped[str] = mapped_column(sa.String(200))  # the matrix's role names joined by ","
    personal: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    password_hash: Mapped[str | None] = mapped_column(sa.Text)  # None: signs in only through OIDC
    password_changed_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    failed_logins: Mapped[int] = mapped_column(sa.Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    disabled: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    email: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True))
    last_login_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    # the language chosen in the sidebar (migration 0016_language); None: the browser's
    language: Mapped[str | None] = mapped_column(sa.String(8))


class AccountToken(Base):
    """An access token of an account (``WORKBENCH_TOKEN``): only its SHA-256 is stored; it expires and
    can be revoked (migration 0007_accounts)."""

    __tablename__ = "account_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("accounts.id"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True))
    expires_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))


DATA_TABLES: dict[str, sa.Table] = {name: _data_table(name) for name in TABLE_NAMES}


class Case(Base):
    __table__ = DATA_TABLES["cases"]


class Item(Base):
    __table__ = DATA_TABLES["items"]


class Person(Base):
    __table__ = DATA_TABLES["persons"]


class Company(Base):
    __table__ = DATA_TABLES["companies"]
