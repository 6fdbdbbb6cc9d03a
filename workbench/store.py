"""The store: SQLAlchemy 2 models for the exchange format plus submissions, quarantine and audit log.

The four data tables are derived from :mod:`workbench.schema`; each also carries ``id`` (surrogate key),
``submission_id`` (the submission that last wrote the row), ``extra`` (JSON of columns the format does
not know, kept rather than dropped) and ``dq_flags`` (warnings raised by the quality gate).
Schema changes go through Alembic migrations (``workbench/migrations``); :func:`open_store` upgrades
the database to the newest revision.

Examples
--------
>>> store = open_store("sqlite://")
>>> store.counts()
{'cases': 0, 'items': 0, 'persons': 0, 'companies': 0}
>>> store.dialect
'sqlite'
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.pool import StaticPool

from workbench.config import Settings
from workbench.schema import FORMAT, TABLE_NAMES, Column

__all__ = [
    "Base",
    "Case",
    "Item",
    "Person",
    "Company",
    "Submission",
    "QuarantinedRow",
    "AuditEntry",
    "Store",
    "open_store",
    "DATA_TABLES",
    "audit",
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
    """Append-only log (database triggers refuse UPDATE and DELETE)."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True))
    user: Mapped[str] = mapped_column(sa.String(120))
    role: Mapped[str] = mapped_column(sa.String(40))
    action: Mapped[str] = mapped_column(sa.String(80), index=True)
    details: Mapped[str | None] = mapped_column(sa.Text)


DATA_TABLES: dict[str, sa.Table] = {name: _data_table(name) for name in TABLE_NAMES}


class Case(Base):
    __table__ = DATA_TABLES["cases"]


class Item(Base):
    __table__ = DATA_TABLES["items"]


class Person(Base):
    __table__ = DATA_TABLES["persons"]


class Company(Base):
    __table__ = DATA_TABLES["companies"]


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def make_engine(url: str) -> Engine:
    """An engine for ``url``, with SQLite tuned (WAL, foreign keys) and its folder created."""
    if url.startswith("sqlite"):
        u = sa.make_url(url)
        kwargs: dict[str, Any] = {"connect_args": {"check_same_thread": False}}
        if u.database in (None, "", ":memory:"):
            kwargs["poolclass"] = StaticPool
        else:
            Path(u.database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return sa.create_engine(url, pool_pre_ping=True)


def migrate(engine: Engine, revision: str = "heads") -> None:
    """Bring the database schema to ``revision`` (default: every head) with Alembic.

    Features add their tables in their own revisions branching from ``0001``; ``heads`` applies all.
    """
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", "workbench:migrations")
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


@dataclass
class Store:
    """A handle on one database: engine, sessions and small helpers used everywhere."""

    engine: Engine

    @cached_property
    def _sessionmaker(self) -> sessionmaker[Session]:
        return sessionmaker(self.engine, expire_on_commit=False)

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on any error."""
        with self._sessionmaker() as s, s.begin():
            yield s

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            yield conn

    def counts(self) -> dict[str, int]:
        """Row counts of the four data tables."""
        with self.engine.connect() as conn:
            return {
                name: int(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one())
                for name, t in DATA_TABLES.items()
            }

    def is_empty(self) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(DATA_TABLES["cases"].c.id).limit(1)).first() is None


def open_store(url: str | None = None, *, upgrade: bool = True) -> Store:
    """Open (and by default migrate) the store at ``url``, or at ``WORKBENCH_DB_URL``/the default."""
    url = url or Settings.from_env().db_url
    store = Store(make_engine(url))
    if upgrade:
        migrate(store.engine)
    return store


def audit(
    conn: Connection | Session, action: str, details: dict[str, Any], settings: Settings | None = None
) -> None:
    """Append one entry to the audit log inside the caller's transaction."""
    settings = settings or Settings.from_env()
    stmt = sa.insert(AuditEntry).values(
        at=dt.datetime.now(dt.UTC),
        user=settings.user,
        role=settings.role,
        action=action,
        details=json.dumps(details, default=str, ensure_ascii=False),
    )
    conn.execute(stmt)
