"""The auditor's reports on the audit log: who consulted whom, exports by recipient, bulk or off-hours
consultation, and the log itself filtered. Frames, for the Audit page, the command line and notebooks.

Every report, and verifying the chain, requires the ``read_audit`` action of the matrix (auditor,
admin); retention requires ``administer``. The checks are here, in the library, not only on the page. The reports name records by key (``person:ES/C1/P1``) as the log
does, never by a personal value.

Examples
--------
>>> from workbench.store import open_store
>>> from workbench.identity import Principal
>>> store = open_store("sqlite://")
>>> auditor = Principal("aud", "DPO", frozenset({"auditor"}))
>>> list(exports_by_recipient(store, auditor).columns)
['recipient', 'exports', 'rows', 'first', 'last', 'kinds', 'legal_bases', 'users']
>>> consultations(store, Principal("vi", "FR", frozenset({"viewer"})))
Traceback (most recent call last):
...
workbench.identity.policy.PermissionDenied: vi (viewer) may not read the audit log, verify its chain, run the auditor's reports; roles that may: auditor, admin
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from workbench.i18n import _
from workbench.identity.accounts import authorise
from workbench.identity.policy import Principal
from workbench.store import Store
from workbench.store.audit import AUDIT_LOG, LEGAL_KINDS, Checkpoint, VerifyReport, erase_expired, verify

__all__ = [
    "AuditQuery",
    "audit_entries",
    "consultations",
    "exports_by_recipient",
    "unusual_consultations",
    "REPORTS",
    "apply_retention",
    "verify_log",
]

_COLUMNS = (
    "seq",
    "at",
    "user",
    "organisation",
    "role",
    "action",
    "kind",
    "objects",
    "purpose_ref",
    "justification",
    "legal_basis",
    "recipients",
    "query",
    "row_count",
    "details",
)


@dataclass(frozen=True)
class AuditQuery:
    """What part of the log a report reads: a period (UTC dates, both included), an account, an
    organisation, legal kinds, a purpose reference and a text to find among the objects (a record key
    such as ``ES/C1``)."""

    since: dt.date | None = None
    until: dt.date | None = None
    user: str | None = None
    organisation: str | None = None
    kinds: tuple[str, ...] = ()
    purpose: str | None = None
    object_contains: str | None = None

    def __post_init__(self) -> None:
        unknown = [k for k in self.kinds if k not in LEGAL_KINDS]
        if unknown:
            raise ValueError(
                _(
                    "not a kind of audit entry: {unknown}; kinds are {legal_kinds}",
                    unknown=", ".join(unknown),
                    legal_kinds=", ".join(LEGAL_KINDS),
                )
            )

    def where(self, stmt: sa.Select[Any]) -> sa.Select[Any]:
        t = AUDIT_LOG
        if self.since is not None:
            stmt = stmt.where(t.c.at >= dt.datetime.combine(self.since, dt.time(), dt.UTC))
        if self.until is not None:
            stmt = stmt.where(
                t.c.at < dt.datetime.combine(self.until + dt.timedelta(days=1), dt.time(), dt.UTC)
            )
        if self.user:
            stmt = stmt.where(t.c.user == self.user)
        if self.organisation:
            stmt = stmt.where(t.c.organisation == self.organisation)
        if self.kinds:
            stmt = stmt.where(t.c.kind.in_(self.kinds))
        if self.purpose:
            stmt = stmt.where(t.c.purpose_ref == self.purpose)
        if self.object_contains:
            stmt = stmt.where(t.c.objects.contains(self.object_contains, autoescape=True))
        return stmt


def _utc(s: pd.Series) -> pd.Series:
    """Times in UTC (SQLite hands them back naive, in UTC; PostgreSQL aware)."""
    return pd.to_datetime(s, utc=True).astype("datetime64[us, UTC]")


def _list(text: object) -> list[str]:
    if not isinstance(text, str) or not text:
        return []
    value = json.loads(text)
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def audit_entries(
    store: Store, principal: Principal, query: AuditQuery | None = None, *, limit: int | None = 10_000
) -> pd.DataFrame:
    """The log's entries matching ``query``, newest first (at most ``limit``), every column of the event
    schema; ``objects`` and ``recipients`` as lists."""
    authorise(store, principal, "read_audit")
    t = AUDIT_LOG
    stmt = (query or AuditQuery()).where(sa.select(*(t.c[c] for c in _COLUMNS))).order_by(t.c.seq.desc())
    if limit is not None:
        stmt = stmt.limit(limit)
    with store.engine.connect() as conn:
        df = pd.DataFrame(conn.execute(stmt).fetchall(), columns=list(_COLUMNS))
    df["at"] = _utc(df["at"]) if len(df) else pd.Series(dtype="datetime64[us, UTC]")
    df["objects"] = df["objects"].map(_list)
    df["recipients"] = df["recipients"].map(_list)
    return df


def consultations(store: Store, principal: Principal, query: AuditQuery | None = None) -> pd.DataFrame:
    """Who consulted whom: one row per person or company shown to someone, with when, who (account,
    organisation, role), the purpose stated and the action that showed it (case detail, network,
    duplicates, search). A consultation of a whole table (a network's persons) appears once with the
    object ``persons`` and its row count."""
    q = query or AuditQuery()
    q = AuditQuery(q.since, q.until, q.user, q.organisation, ("consultation",), q.purpose, q.object_contains)
    df = audit_entries(store, principal, q, limit=None)
    cols = [
        "at",
        "user",
        "organisation",
        "role",
        "object",
        "purpose_ref",
        "justification",
        "action",
        "rows",
        "seq",
    ]
    if df.empty:
        return pd.DataFrame(columns=cols)
    df["object"] = [
        [o for o in objs if not o.startswith("case:")] or [a.removeprefix("consult.")]
        for objs, a in zip(df["objects"], df["action"], strict=True)
    ]
    df = df.explode("object").rename(columns={"row_count": "rows"})
    if q.object_contains:  # an entry naming several records: keep the ones asked about
        df = df[df["object"].str.contains(q.object_contains, regex=False)]
    return df[cols].reset_index(drop=True)


def exports_by_recipient(store: Store, principal: Principal, query: AuditQuery | None = None) -> pd.DataFrame:
    """Exports and disclosures by recipient: how many, how many rows, first and last, the kinds of
    export, the legal bases and who made them. Entries that name no recipient are grouped as
    ``(none stated)``."""
    q = query or AuditQuery()
    q = AuditQuery(
        q.since, q.until, q.user, q.organisation, ("export", "disclosure"), q.purpose, q.object_contains
    )
    df = audit_entries(store, principal, q, limit=None)
    cols = ["recipient", "exports", "rows", "first", "last", "kinds", "legal_bases", "users"]
    if df.empty:
        return pd.DataFrame(columns=cols)
    df["recipient"] = df["recipients"].map(lambda r: r or ["(none stated)"])
    df = df.explode("recipient")
    df["rows"] = pd.to_numeric(df["row_count"]).fillna(0).astype("int64")

    def joined(s: pd.Series) -> str:
        return ", ".join(sorted({str(v) for v in s.dropna() if str(v)}))

    out = (
        df.groupby("recipient", sort=False)
        .agg(
            exports=("seq", "count"),
            rows=("rows", "sum"),
            first=("at", "min"),
            last=("at", "max"),
            kinds=("action", joined),
            legal_bases=("legal_basis", joined),
            users=("user", joined),
        )
        .reset_index()
        .sort_values(["exports", "recipient"], ascending=[False, True], ignore_index=True)
    )
    return out[cols]


def unusual_consultations(
    store: Store,
    principal: Principal,
    query: AuditQuery | None = None,
    *,
    bulk_rows: int = 500,
    burst: int = 50,
    office_hours: tuple[int, int] = (7, 19),
    weekends: bool = True,
    timezone: str = "UTC",
) -> pd.DataFrame:
    """Consultations an auditor should look at, each with its reasons: ``bulk`` (one consultation of
    at least ``bulk_rows`` rows), ``burst`` (the account's ``burst``-th consultation or more within one
    hour), ``off-hours`` (outside ``office_hours`` in ``timezone``) and ``weekend``."""
    q = query or AuditQuery()
    q = AuditQuery(q.since, q.until, q.user, q.organisation, ("consultation",), q.purpose, q.object_contains)
    df = audit_entries(store, principal, q, limit=None)
    cols = ["seq", "at", "user", "organisation", "action", "rows", "purpose_ref", "reasons"]
    if df.empty:
        return pd.DataFrame(columns=cols)
    df = df.sort_values("seq", ignore_index=True)
    local = df["at"].dt.tz_convert(timezone)
    rows = pd.to_numeric(df["row_count"]).fillna(0)
    # per account, how many of its consultations fell in the hour up to each one (this one included)
    in_hour = np.zeros(len(df), dtype=np.int64)
    for _user, idx in df.groupby("user").indices.items():
        times = df["at"].iloc[idx].to_numpy(dtype="datetime64[us]")
        order = np.argsort(times, kind="stable")
        ts = times[order]
        counts = np.arange(1, len(ts) + 1) - np.searchsorted(ts, ts - np.timedelta64(1, "h"), side="right")
        in_hour[np.asarray(idx)[order]] = counts
    start, end = office_hours
    reasons: list[list[str]] = []
    for i in range(len(df)):
        r = []
        if rows.iloc[i] >= bulk_rows:
            r.append("bulk")
        if in_hour[i] >= burst:
            r.append("burst")
        if not start <= local.iloc[i].hour < end:
            r.append("off-hours")
        if weekends and local.iloc[i].day_of_week >= 5:
            r.append("weekend")
        reasons.append(r)
    df["reasons"] = [", ".join(r) for r in reasons]
    df["rows"] = rows.astype("int64")
    flagged = df[df["reasons"] != ""]
    return flagged[cols].sort_values("seq", ascending=False, ignore_index=True)


#: The reports by name (for the command line and the page): each takes (store, principal, query).
REPORTS = {
    "entries": audit_entries,
    "consultations": consultations,
    "exports": exports_by_recipient,
    "unusual": unusual_consultations,
}


def verify_log(
    store: Store, principal: Principal, checkpoint: Checkpoint | None = None, **kw: Any
) -> VerifyReport:
    """:func:`workbench.store.audit.verify` for someone who may read the audit log."""
    authorise(store, principal, "read_audit")
    return verify(store, checkpoint, **kw)


def apply_retention(store: Store, principal: Principal, years: float | None = None) -> int:
    """Erase the audit entries older than ``years`` (default: ``WORKBENCH_AUDIT_RETENTION_YEARS``), as
    an administrator; the erasure is written to the log in the principal's name. Returns how many."""
    from workbench.config import Settings

    authorise(store, principal, "administer")
    return erase_expired(
        store, years if years is not None else Settings.from_env().audit_retention_years, principal
    )
