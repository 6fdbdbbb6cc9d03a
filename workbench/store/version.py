"""The store's data version: counters that every write moves forward, so that caches know when to reread.

Each kind of data has its own counter (a *scope*, see :data:`SCOPES`) in the one-row-per-scope table
``data_versions``. A write moves its scope's counter forward with :func:`bump_data_version` inside its
own transaction, so the new counter becomes visible exactly when the new data does, to every process
(the app, the command line, another user's session), on SQLite and PostgreSQL alike. A reader takes
:func:`data_version` (one query of a five-row table) *before* reading the data it caches under it:
a cache entry keyed by a counter can then hold newer data than the counter says, never older.

Counters start at the migration's time in microseconds, so a store deleted and made anew under the same
URL does not reuse the counters of the old one.

Why one row per scope and not one counter for everything: a judgement on the Duplicates page must not
throw away a million-case seizure frame that the Routes and Trends pages are using, and a traffic load
must not rebuild the entity graph. Why not a sequence: PostgreSQL sequences are not transactional; a
reader could see the new number before the data commits and cache the old data under it for good.
Concurrent writers of one scope queue on its row only for the end of their transactions, where the
writes below bump it.

Examples
--------
>>> from workbench.store import open_store
>>> store = open_store("sqlite://")
>>> before = data_version(store)
>>> with store.connect() as conn:
...     bump_data_version(conn, "judgements")
>>> after = data_version(store)
>>> after["judgements"] - before["judgements"], after.of("cases") == before.of("cases")
(1, True)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from workbench.i18n import N_, _
from workbench.store.models import Base

if TYPE_CHECKING:
    from workbench.store.database import Store

__all__ = ["SCOPES", "DATA_VERSIONS", "DataVersion", "bump_data_version", "data_version", "data_changes"]

#: What each counter covers (and who moves it forward).
SCOPES: dict[str, str] = {
    "cases": N_("the seizure data: cases, items, persons, companies (imports)"),
    "submissions": N_("submissions, quarantined rows and data-quality results (imports, store checks)"),
    "judgements": N_("analysts' judgements on proposed matches of persons and companies"),
    "indicators": N_("risk indicators, their versions and reviews"),
    "traffic": N_("traffic: declarations and passenger movements for the risk pages"),
}

DATA_VERSIONS = sa.Table(
    "data_versions",
    Base.metadata,
    sa.Column("scope", sa.String(20), primary_key=True),
    sa.Column("version", sa.BigInteger, nullable=False),
    sa.Column("changed_at", sa.DateTime(timezone=True), nullable=True),
)


@dataclass(frozen=True)
class DataVersion:
    """The counters of every scope at one moment; hashable, so a part of it can key a cache.

    >>> v = DataVersion((("cases", 7), ("traffic", 3)))
    >>> v["cases"], v.of("traffic", "cases")
    (7, (3, 7))
    """

    counters: tuple[tuple[str, int], ...]

    def __getitem__(self, scope: str) -> int:
        for name, value in self.counters:
            if name == scope:
                return value
        raise KeyError(
            _(
                "no data version for {scope!r}: known scopes are {scopes}",
                scope=scope,
                scopes=", ".join(SCOPES),
            )
        )

    def of(self, *scopes: str) -> tuple[int, ...]:
        """The counters of ``scopes``, in that order (what a cache that reads those scopes keys on)."""
        return tuple(self[s] for s in scopes)


def bump_data_version(conn: Connection | Session, *scopes: str) -> None:
    """Move the counters of ``scopes`` forward inside the caller's transaction (call it at the end of
    the write, so that concurrent writers hold the row lock only briefly).

    Raises ValueError for an unknown scope and RuntimeError when the store lacks the table's rows (its
    schema is older than this code: open it with :func:`workbench.store.open_store`, which migrates).
    """
    wanted = sorted(set(scopes))
    unknown = [s for s in wanted if s not in SCOPES]
    if unknown or not wanted:
        raise ValueError(
            _("scopes must be some of {scopes}, not {scopes2!r}", scopes=", ".join(SCOPES), scopes2=scopes)
        )
    c = conn.connection() if isinstance(conn, Session) else conn
    t = DATA_VERSIONS
    done = c.execute(
        sa.update(t)
        .where(t.c.scope.in_(wanted))
        .values(version=t.c.version + 1, changed_at=dt.datetime.now(dt.UTC))
    ).rowcount
    if done != len(wanted):
        raise RuntimeError(
            _(
                "the store has no data-version rows for {wanted}: migrate it (workbench.store.migrate)",
                wanted=wanted,
            )
        )


def data_version(store: Store | Connection) -> DataVersion:
    """The counters of every scope now (one query of a five-row table)."""
    t = DATA_VERSIONS
    stmt = sa.select(t.c.scope, t.c.version).order_by(t.c.scope)
    if isinstance(store, Connection):
        rows = store.execute(stmt).all()
    else:
        with store.engine.connect() as conn:
            rows = conn.execute(stmt).all()
    return DataVersion(tuple((str(s), int(v)) for s, v in rows))


def _utc(t: dt.datetime | None) -> dt.datetime | None:
    """A stored time in UTC (SQLite hands it back without a zone; it was written in UTC)."""
    if t is None:
        return None
    return t.replace(tzinfo=dt.UTC) if t.tzinfo is None else t.astimezone(dt.UTC)


def data_changes(store: Store) -> pd.DataFrame:
    """When each kind of data last changed: scope, what it covers, its counter and the time of the last
    write in UTC (NaT: never written since the store was made).

    >>> from workbench.store import open_store
    >>> changes = data_changes(open_store("sqlite://"))
    >>> changes["scope"].tolist()[:2], changes["changed"].isna().all()
    (['cases', 'submissions'], np.True_)
    """
    t = DATA_VERSIONS
    with store.engine.connect() as conn:
        rows = {str(r.scope): r for r in conn.execute(sa.select(t.c.scope, t.c.version, t.c.changed_at))}
    out = pd.DataFrame(
        [
            {
                "scope": scope,
                "what": what,
                "version": int(rows[scope].version) if scope in rows else None,
                "changed": _utc(rows[scope].changed_at) if scope in rows else None,
            }
            for scope, what in SCOPES.items()
        ]
    )
    out["changed"] = pd.to_datetime(out["changed"], utc=True)
    return out
