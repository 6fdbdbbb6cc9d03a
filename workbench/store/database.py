"""The database behind the store: engine, migrations, sessions and the audit log entry.

:func:`open_store` opens (and upgrades to the newest Alembic revision) SQLite or PostgreSQL.

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
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from workbench.config import Settings
from workbench.store.models import DATA_TABLES, AuditEntry

__all__ = ["Store", "open_store", "make_engine", "migrate", "audit"]


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
    cfg.set_main_option("script_location", "workbench.store:migrations")
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


class _Actor(Protocol):
    """Who acts, as the audit log needs it (a workbench.identity Principal; the store may not import it)."""

    @property
    def user(self) -> str: ...
    @property
    def role(self) -> str: ...


def audit(
    conn: Connection | Session, action: str, details: dict[str, Any], settings: _Actor | None = None
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
