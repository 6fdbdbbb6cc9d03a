"""The database behind the store: engine, migrations and sessions (the audit log: :mod:`workbench.store.audit`).

:func:`open_store` opens (and upgrades to the newest Alembic revision) SQLite or PostgreSQL, and re-creates
the audit log's append-only triggers if someone dropped them (an entry records it).

Examples
--------
>>> store = open_store("sqlite://")
>>> store.counts()
{'cases': 0, 'items': 0, 'persons': 0, 'companies': 0}
>>> store.dialect
'sqlite'
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from workbench.config import Settings
from workbench.store.audit import audit, ensure_triggers
from workbench.store.models import DATA_TABLES

__all__ = [
    "Store",
    "open_store",
    "make_engine",
    "migrate",
    "audit",
    "db_error_text",
    "bulk_insert",
    "bulk_write",
    "BULK_CACHE_KIB",
]


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


#: SQLite page cache of a connection writing in bulk (an import), in KiB. SQLite's default (2 MiB)
#: spills dirty pages of a big transaction to the WAL long before the commit, and a B-tree page written
#: at random (a unique index, the store's secondary indexes) then goes to the WAL again and again: the
#: import of 1,000,000 cases grew its WAL to gigabytes and took 24x the time of 100,000. The cache only
#: takes the memory the transaction uses.
BULK_CACHE_KIB = 512 * 1024


@contextmanager
def bulk_write(conn: Connection) -> Iterator[None]:
    """Tune ``conn`` for one big write inside its open transaction, and restore it after.

    On SQLite: a page cache of :data:`BULK_CACHE_KIB`, so the transaction's pages stay in memory until
    the commit instead of spilling to the WAL (the sorter of ``CREATE INDEX`` uses as much before it
    spills to a temporary file). (``temp_store`` cannot change inside a transaction.) Atomicity is untouched: the journal mode, synchronous and the transaction are as they
    were, so a failed write still leaves nothing. Other dialects: nothing to do.

    >>> store = open_store("sqlite://")
    >>> with store.engine.begin() as conn:
    ...     with bulk_write(conn):
    ...         inside = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    ...     after = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    >>> inside == -BULK_CACHE_KIB, after
    (True, -2000)
    """
    if conn.dialect.name != "sqlite":
        yield
        return
    before = int(conn.exec_driver_sql("PRAGMA cache_size").scalar() or 0)
    conn.exec_driver_sql(f"PRAGMA cache_size=-{BULK_CACHE_KIB}")
    try:
        yield
    finally:
        # a connection the failure broke is discarded by the pool anyway: its error is the one to raise
        with suppress(sa.exc.DBAPIError):
            conn.exec_driver_sql(f"PRAGMA cache_size={before}")


_PLAIN_BOOLS = frozenset({bool, type(None)})


def bulk_insert(conn: Connection, table: sa.Table, columns: dict[str, list[Any]]) -> None:
    """Insert rows given column by column (``columns``: column name -> its values, plain Python
    values, all lists of one length) into ``table`` inside the caller's transaction, through the
    driver: SQLite's ``executemany``, PostgreSQL's ``COPY ... FROM STDIN``. SQLAlchemy's per-row work
    (a parameter dictionary per row, compiled parameters) cost more than the database's own.

    Values go through each column type's bind processor, as SQLAlchemy would send them (column by
    column: per value, it cost as much as the insert).

    >>> store = open_store("sqlite://")
    >>> from workbench.store.models import DATA_TABLES
    >>> import datetime as dt
    >>> with store.engine.begin() as conn:
    ...     bulk_insert(conn, DATA_TABLES["cases"], {"case_id": ["C1", "C2"], "reporting_country": ["FR", "FR"],
    ...         "seizure_date": [dt.date(2024, 1, 2), dt.date(2024, 1, 3)], "latitude": [1, None]})
    >>> store.counts()["cases"]
    2
    """
    dialect = conn.dialect
    values: list[list[Any]] = []
    for name, column in columns.items():
        kind = table.c[name].type
        process = kind.dialect_impl(dialect).bind_processor(dialect)
        if isinstance(kind, sa.Boolean) and set(map(type, column)) <= _PLAIN_BOOLS:
            process = None  # Python booleans bind as they are (1/0 on SQLite): no call per value
        values.append(column if process is None else [None if v is None else process(v) for v in column])
    rows = list(zip(*values, strict=True))
    if not rows:
        return
    quoted = ", ".join(dialect.identifier_preparer.quote(c) for c in columns)
    name = dialect.identifier_preparer.format_table(table)
    if dialect.name == "postgresql" and dialect.driver == "psycopg":
        raw: Any = conn.connection.dbapi_connection  # a psycopg.Connection, in the open transaction
        with raw.cursor() as cur, cur.copy(f"COPY {name} ({quoted}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    sql = f"INSERT INTO {name} ({quoted}) VALUES ({', '.join([mark] * len(columns))})"
    for i in range(0, len(rows), 50_000):
        conn.exec_driver_sql(sql, rows[i : i + 50_000])


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
        ensure_triggers(store.engine)
    return store


_SQLITE_CONSTRAINT = re.compile(
    r"(UNIQUE|NOT NULL|CHECK|FOREIGN KEY) constraint failed(?:: ([\w.]+(?:, [\w.]+)*))?"
)


def db_error_text(error: BaseException) -> str:
    """What a database error says without any value it carries: its kind, the SQLSTATE and the
    constraint, table and column it names, never the statement's parameters nor the values a message
    may quote (PostgreSQL's ``Key (passport_number)=(...)``). For logs, audit entries and reports.

    >>> import sqlalchemy as sa, sqlite3
    >>> e = sa.exc.IntegrityError("INSERT INTO persons ...", {"last_name": "DIALLO"},
    ...                           sqlite3.IntegrityError("UNIQUE constraint failed: persons.person_id"))
    >>> db_error_text(e)
    'IntegrityError: UNIQUE constraint failed: persons.person_id'
    >>> "DIALLO" in db_error_text(e)
    False
    """
    orig = getattr(error, "orig", None) or error
    kind = type(error).__name__
    parts = [kind if orig is error or type(orig).__name__ == kind else f"{kind} ({type(orig).__name__})"]
    sqlstate = getattr(orig, "sqlstate", None)
    diag = getattr(orig, "diag", None)
    if sqlstate:
        parts.append(f"SQLSTATE {sqlstate}")
    if diag is not None:
        for label, attr in (
            ("constraint", "constraint_name"),
            ("table", "table_name"),
            ("column", "column_name"),
        ):
            value = getattr(diag, attr, None)
            if value:
                parts.append(f"{label} {value}")
    else:
        m = _SQLITE_CONSTRAINT.search(str(orig))
        if m:
            parts.append(m.group(0))
    return ": ".join(parts[:1]) + (": " + ", ".join(parts[1:]) if len(parts) > 1 else "")
