"""What happened to the store: the submissions (every file or source handed in) and the audit log.

Both are read newest first and bounded, for the Admin page, the command line and notebooks; the
data-quality view of the submissions (with scores) is :func:`data_quality.submissions`.

Examples
--------
>>> from workbench.store import open_store
>>> store = open_store("sqlite://")
>>> list(submission_history(store).columns)
['id', 'received', 'by', 'source', 'kind', 'status', 'countries', 'counts']
>>> audit_history(store).empty
True
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from workbench.store.database import Store
from workbench.store.models import AuditEntry, Submission

__all__ = ["submission_history", "audit_history"]


def _frame(store: Store, stmt: sa.Executable, columns: list[str]) -> pd.DataFrame:
    with store.engine.connect() as conn:
        return pd.DataFrame(conn.execute(stmt).fetchall(), columns=columns)


def submission_history(store: Store, limit: int = 200) -> pd.DataFrame:
    """The last ``limit`` submissions, newest first: id, received, by, source, kind, status, reporting
    countries and the counts per table (JSON)."""
    s = Submission
    stmt = (
        sa.select(
            s.id,
            s.received_at,
            s.submitted_by,
            s.source_name,
            s.source_kind,
            s.status,
            s.reporting_countries,
            s.counts,
        )
        .order_by(s.id.desc())
        .limit(limit)
    )
    return _frame(store, stmt, ["id", "received", "by", "source", "kind", "status", "countries", "counts"])


def audit_history(store: Store, limit: int = 200, action: str | None = None) -> pd.DataFrame:
    """The last ``limit`` entries of the audit log (of one ``action`` if given), newest first in the
    chain's order: seq, at, user, organisation, role, action, kind, purpose (reference), row count and
    details (JSON)."""
    a = AuditEntry
    stmt = (
        sa.select(
            a.seq,
            a.at,
            a.user,
            a.organisation,
            a.role,
            a.action,
            a.kind,
            a.purpose_ref,
            a.row_count,
            a.details,
        )
        .order_by(a.seq.desc())
        .limit(limit)
    )
    if action is not None:
        stmt = stmt.where(a.action == action)
    return _frame(
        store,
        stmt,
        ["seq", "at", "user", "organisation", "role", "action", "kind", "purpose", "row_count", "details"],
    )
