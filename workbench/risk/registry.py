"""Indicators in the store: every version kept, a review in which someone other than the author
approves, and every change in the audit log.

Life of an indicator version::

    draft --submit--> in_review --approve (not the author)--> active --retire--> retired
      ^                   |
      +--reject/withdraw--+

Saving a changed definition makes a new version (a draft); the active version stays in force until a
newer one is approved, which retires it. A version in review cannot be overtaken by a new one (withdraw
it first). Who acts is a :class:`~workbench.identity.Principal` (default: the
:func:`~workbench.identity.accounts.current_principal`); writing needs the matrix's ``write_indicators``,
approving and rejecting ``approve_indicators`` (:class:`ReviewDenied` otherwise).

Examples
--------
>>> from workbench.identity import Principal
>>> from workbench.store import open_store
>>> from workbench.risk.model import Indicator, parse_condition
>>> store = open_store("sqlite://")
>>> ann = Principal("ann", "FR-DGDDI", frozenset({"analyst"}))
>>> bob = Principal("bob", "FR-DGDDI", frozenset({"analyst"}))
>>> ind = Indicator("RI-1", "Road from AF", "general_high_risk",
...                 parse_condition({"field": "departure_country", "op": "eq", "value": "AF"}), 20)
>>> save_version(store, ind, ann).version
1
>>> submit(store, "RI-1", ann).status
'in_review'
>>> approve(store, "RI-1", ann)
Traceback (most recent call last):
...
workbench.risk.registry.ReviewError: RI-1 v1: ann wrote this version; someone else must approve it
>>> approve(store, "RI-1", bob).status, get_indicator(store, "RI-1").reviewer
('active', 'bob')
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from workbench.i18n import N_, _, code_label
from workbench.identity import PermissionDenied, Principal, acting, authorise, can, roles_with
from workbench.risk.model import Indicator, changed_fields, condition_to_dict, parse_condition
from workbench.store import Base, audit, bump_data_version

if TYPE_CHECKING:
    from workbench.store import Store

__all__ = [
    "IndicatorRecord",
    "IndicatorVersion",
    "ReviewEvent",
    "ReviewError",
    "ReviewDenied",
    "ImportSummary",
    "save_version",
    "submit",
    "withdraw",
    "approve",
    "reject",
    "retire",
    "get_indicator",
    "indicator_versions",
    "list_indicators",
    "active_indicators",
    "latest_indicators",
    "review_log",
    "import_indicators",
    "EDITOR_ROLES",
]

#: Roles that may write indicators (the matrix's ``write_indicators``; a viewer only reads).
EDITOR_ROLES = roles_with("write_indicators")


class IndicatorRecord(Base):
    """One indicator: its id, who created it and when; its content lives in its versions."""

    __tablename__ = "risk_indicators"
    id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(sa.String(120))


class IndicatorVersion(Base):
    """One version of an indicator: the definition as saved, its status and who wrote and reviewed it."""

    __tablename__ = "risk_indicator_versions"
    indicator_id: Mapped[str] = mapped_column(
        sa.String(40), sa.ForeignKey("risk_indicators.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    name: Mapped[str] = mapped_column(sa.Text)
    category: Mapped[str] = mapped_column(sa.String(40))
    description: Mapped[str | None] = mapped_column(sa.Text)
    rationale: Mapped[str | None] = mapped_column(sa.Text)
    weight: Mapped[float] = mapped_column(sa.Float)
    valid_from: Mapped[dt.date | None] = mapped_column(sa.Date)
    valid_to: Mapped[dt.date | None] = mapped_column(sa.Date)
    condition: Mapped[str] = mapped_column(sa.Text)  # JSON of the condition tree
    status: Mapped[str] = mapped_column(sa.String(20), index=True)
    author: Mapped[str] = mapped_column(sa.String(120))
    created_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True))
    reviewer: Mapped[str | None] = mapped_column(sa.String(120))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    note: Mapped[str | None] = mapped_column(sa.Text)


class ReviewEvent(Base):
    """One step of an indicator's history: saved, submitted, approved, rejected, withdrawn, retired."""

    __tablename__ = "risk_reviews"
    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[str] = mapped_column(
        sa.String(40), sa.ForeignKey("risk_indicators.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int] = mapped_column(sa.Integer)
    action: Mapped[str] = mapped_column(sa.String(20))
    user: Mapped[str] = mapped_column(sa.String(120))
    role: Mapped[str] = mapped_column(sa.String(40))
    at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True))
    comment: Mapped[str | None] = mapped_column(sa.Text)


class ReviewError(Exception):
    """A step the workflow does not allow (the message says why and what to do)."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class ReviewDenied(ReviewError, PermissionDenied):
    """The matrix does not let this principal write or approve indicators."""


def _may(store: Store, actor: Principal, action: str) -> None:
    try:
        authorise(store, actor, action)
    except PermissionDenied as e:
        raise ReviewDenied(str(e)) from e


def _to_indicator(v: IndicatorVersion) -> Indicator:
    when = parse_condition(json.loads(v.condition), where=f"{v.indicator_id} v{v.version}")
    return Indicator(
        id=v.indicator_id,
        name=v.name,
        category=v.category,
        when=when,
        weight=float(v.weight),
        description=v.description or "",
        rationale=v.rationale or "",
        status=v.status,
        author=v.author,
        reviewer=v.reviewer,
        valid_from=v.valid_from,
        valid_to=v.valid_to,
        version=v.version,
        meta={"created_at": v.created_at, "reviewed_at": v.reviewed_at, "note": v.note},
    )


def _versions(s: Session, ident: str) -> list[IndicatorVersion]:
    return list(
        s.scalars(
            sa.select(IndicatorVersion)
            .where(IndicatorVersion.indicator_id == ident)
            .order_by(IndicatorVersion.version)
        )
    )


def _event(s: Session, v: IndicatorVersion, action: str, st: Principal, comment: str | None) -> None:
    s.add(
        ReviewEvent(
            indicator_id=v.indicator_id,
            version=v.version,
            action=action,
            user=st.user,
            role=st.role,
            at=_now(),
            comment=comment or None,
        )
    )
    audit(
        s,
        f"risk.indicator_{action}",
        {"indicator": v.indicator_id, "version": v.version, "status": v.status, "comment": comment or None},
        st,
    )
    bump_data_version(s, "indicators")


def _write_version(
    s: Session,
    ind: Indicator,
    st: Principal,
    *,
    author: str,
    status: str,
    note: str | None,
    reviewer: str | None = None,
) -> IndicatorVersion:
    if s.get(IndicatorRecord, ind.id) is None:
        s.add(IndicatorRecord(id=ind.id, created_at=_now(), created_by=st.user))
        s.flush()
    existing = _versions(s, ind.id)
    v = IndicatorVersion(
        indicator_id=ind.id,
        version=(existing[-1].version + 1) if existing else 1,
        name=ind.name,
        category=ind.category,
        description=ind.description or None,
        rationale=ind.rationale or None,
        weight=float(ind.weight),
        valid_from=ind.valid_from,
        valid_to=ind.valid_to,
        condition=json.dumps(condition_to_dict(ind.when), default=str, ensure_ascii=False),
        status=status,
        author=author,
        created_at=_now(),
        reviewer=reviewer,
        reviewed_at=_now() if reviewer else None,
        note=note or None,
    )
    s.add(v)
    s.flush()
    return v


def _check_new_version(existing: list[IndicatorVersion], ind: Indicator) -> str | None:
    """Why a new version of ``ind`` cannot be saved now (None: it can)."""
    if not existing:
        return None
    latest = existing[-1]
    if not changed_fields(_to_indicator(latest), ind):
        return _("{id}: nothing changed since v{version}", id=ind.id, version=latest.version)
    if latest.status == "in_review":
        return _(
            "{id} v{version} is in review; withdraw it or wait for the review before saving a new version",
            id=ind.id,
            version=latest.version,
        )
    return None


def save_version(
    store: Store, indicator: Indicator, actor: Principal | None = None, note: str = ""
) -> Indicator:
    """Save ``indicator`` as a new draft version written by the current user; returns it as stored.

    Raises :class:`ReviewError` when nothing changed, when the latest version is in review, or when the
    user may not edit.
    """
    st = acting(store, actor)
    _may(store, st, "write_indicators")
    with store.session() as s:
        why = _check_new_version(_versions(s, indicator.id), indicator)
        if why:
            raise ReviewError(why)
        v = _write_version(s, indicator, st, author=st.user, status="draft", note=note)
        _event(s, v, "saved", st, note)
        return _to_indicator(v)


def _latest(s: Session, ident: str) -> IndicatorVersion:
    versions = _versions(s, ident)
    if not versions:
        raise ReviewError(_("no indicator {ident!r} in the store", ident=ident))
    return versions[-1]


def _pick(s: Session, ident: str, version: int | None, status: str, verb: str) -> IndicatorVersion:
    versions = _versions(s, ident)
    if not versions:
        raise ReviewError(_("no indicator {ident!r} in the store", ident=ident))
    if version is None:
        found = [v for v in versions if v.status == status]
        if not found:
            raise ReviewError(
                _(
                    "{ident}: no version is {status}; nothing to {verb}",
                    ident=ident,
                    status=code_label(status),
                    verb=_(verb),
                )
            )
        return found[-1]
    match = [v for v in versions if v.version == version]
    if not match:
        raise ReviewError(_("{ident} has no version {version}", ident=ident, version=version))
    if match[0].status != status:
        raise ReviewError(
            _(
                "{ident} v{version} is {status}, not {wanted}; cannot {verb} it",
                ident=ident,
                version=version,
                status=code_label(match[0].status),
                wanted=code_label(status),
                verb=_(verb),
            )
        )
    return match[0]


def submit(store: Store, ident: str, actor: Principal | None = None, comment: str = "") -> Indicator:
    """Send the latest version (a draft) for review."""
    st = acting(store, actor)
    _may(store, st, "write_indicators")
    with store.session() as s:
        v = _latest(s, ident)
        if v.status != "draft":
            raise ReviewError(
                _(
                    "{ident} v{version} is {status}; only a draft can be submitted for review",
                    ident=ident,
                    version=v.version,
                    status=v.status,
                )
            )
        v.status = "in_review"
        _event(s, v, "submitted", st, comment)
        return _to_indicator(v)


def withdraw(store: Store, ident: str, actor: Principal | None = None, comment: str = "") -> Indicator:
    """Take the version in review back to draft (its author, or an admin)."""
    st = acting(store, actor)
    _may(store, st, "write_indicators")
    with store.session() as s:
        v = _pick(s, ident, None, "in_review", N_("withdraw"))
        if st.user != v.author and not can(st, "administer"):
            raise ReviewError(
                _(
                    "{ident} v{version}: only its author ({author}) or an admin may withdraw it",
                    ident=ident,
                    version=v.version,
                    author=v.author,
                )
            )
        v.status = "draft"
        _event(s, v, "withdrawn", st, comment)
        return _to_indicator(v)


def approve(
    store: Store,
    ident: str,
    actor: Principal | None = None,
    *,
    version: int | None = None,
    comment: str = "",
) -> Indicator:
    """Approve the version in review: it becomes active and the version in force before it is retired.

    The reviewer must not be the version's author (four eyes).
    """
    st = acting(store, actor)
    _may(store, st, "approve_indicators")
    with store.session() as s:
        v = _pick(s, ident, version, "in_review", N_("approve"))
        if st.user == v.author:
            raise ReviewError(
                _(
                    "{ident} v{version}: {user} wrote this version; someone else must approve it",
                    ident=ident,
                    version=v.version,
                    user=st.user,
                )
            )
        for old in _versions(s, ident):
            if old.status == "active":
                old.status = "retired"
                _event(s, old, "retired", st, f"replaced by v{v.version}")
        v.status = "active"
        v.reviewer = st.user
        v.reviewed_at = _now()
        _event(s, v, "approved", st, comment)
        return _to_indicator(v)


def reject(
    store: Store, ident: str, actor: Principal | None = None, *, comment: str, version: int | None = None
) -> Indicator:
    """Send the version in review back to its author as a draft, with the reason (required)."""
    st = acting(store, actor)
    _may(store, st, "approve_indicators")
    if not comment or not comment.strip():
        raise ReviewError(_("say why the version is rejected (a comment is required)"))
    with store.session() as s:
        v = _pick(s, ident, version, "in_review", N_("reject"))
        if st.user == v.author:
            raise ReviewError(
                _(
                    "{ident} v{version}: you wrote this version; withdraw it instead of rejecting it",
                    ident=ident,
                    version=v.version,
                )
            )
        v.status = "draft"
        v.reviewer = st.user
        v.reviewed_at = _now()
        _event(s, v, "rejected", st, comment)
        return _to_indicator(v)


def retire(store: Store, ident: str, actor: Principal | None = None, comment: str = "") -> Indicator:
    """Take the active version out of force."""
    st = acting(store, actor)
    _may(store, st, "write_indicators")
    with store.session() as s:
        v = _pick(s, ident, None, "active", N_("retire"))
        v.status = "retired"
        _event(s, v, "retired", st, comment)
        return _to_indicator(v)


# ------------------------------------------------------------------------------------------ reading
def indicator_versions(store: Store, ident: str) -> list[Indicator]:
    """Every version of an indicator, oldest first."""
    with store.session() as s:
        return [_to_indicator(v) for v in _versions(s, ident)]


def get_indicator(store: Store, ident: str, version: int | None = None) -> Indicator:
    """One version (default: the latest)."""
    versions = indicator_versions(store, ident)
    if not versions:
        raise KeyError(_("no indicator {ident!r} in the store", ident=ident))
    if version is None:
        return versions[-1]
    for v in versions:
        if v.version == version:
            return v
    raise KeyError(_("{ident} has no version {version}", ident=ident, version=version))


def _all_versions(store: Store) -> list[IndicatorVersion]:
    with store.session() as s:
        return list(
            s.scalars(
                sa.select(IndicatorVersion).order_by(IndicatorVersion.indicator_id, IndicatorVersion.version)
            )
        )


def active_indicators(store: Store) -> list[Indicator]:
    """The version in force of every indicator that has one."""
    with store.session() as s:
        rows = s.scalars(
            sa.select(IndicatorVersion)
            .where(IndicatorVersion.status == "active")
            .order_by(IndicatorVersion.indicator_id)
        )
        return [_to_indicator(v) for v in rows]


def latest_indicators(store: Store) -> list[Indicator]:
    """The latest version of every indicator (drafts included)."""
    latest: dict[str, IndicatorVersion] = {}
    for v in _all_versions(store):
        latest[v.indicator_id] = v
    return [_to_indicator(v) for v in latest.values()]


def list_indicators(store: Store) -> pd.DataFrame:
    """One row per indicator: id, name, category, weight, status and author of the latest version,
    the version in force (``active_version``, blank if none), versions, reviewer, last change."""
    by_id: dict[str, list[IndicatorVersion]] = {}
    for v in _all_versions(store):
        by_id.setdefault(v.indicator_id, []).append(v)
    rows = []
    for ident, versions in by_id.items():
        last = versions[-1]
        active = [v.version for v in versions if v.status == "active"]
        rows.append(
            {
                "id": ident,
                "name": last.name,
                "category": last.category,
                "weight": last.weight,
                "status": last.status,
                "version": last.version,
                "active_version": active[-1] if active else None,
                "author": last.author,
                "reviewer": last.reviewer,
                "changed": last.reviewed_at or last.created_at,
            }
        )
    cols = [
        "id",
        "name",
        "category",
        "weight",
        "status",
        "version",
        "active_version",
        "author",
        "reviewer",
        "changed",
    ]
    df = pd.DataFrame(rows, columns=cols)
    df["active_version"] = df["active_version"].astype("Int64")
    return df


def review_log(store: Store, ident: str) -> pd.DataFrame:
    """The history of an indicator: each step, newest first."""
    with store.session() as s:
        rows = s.execute(
            sa.select(
                ReviewEvent.at,
                ReviewEvent.version,
                ReviewEvent.action,
                ReviewEvent.user,
                ReviewEvent.role,
                ReviewEvent.comment,
            )
            .where(ReviewEvent.indicator_id == ident)
            .order_by(ReviewEvent.id.desc())
        ).fetchall()
    return pd.DataFrame(rows, columns=["at", "version", "action", "user", "role", "comment"])


# ------------------------------------------------------------------------------------------ import
@dataclass
class ImportSummary:
    """What an import did: new versions saved, indicators unchanged, and from where."""

    source: str
    saved: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    active: list[str] = field(default_factory=list)

    def describe(self) -> str:
        if self.active:
            return _(
                "{source}: {saved} saved as new version(s), {active} active as reviewed in the file, "
                "{unchanged} unchanged",
                source=self.source,
                saved=len(self.saved),
                active=len(self.active),
                unchanged=len(self.unchanged),
            )
        return _(
            "{source}: {saved} saved as new version(s), {unchanged} unchanged",
            source=self.source,
            saved=len(self.saved),
            unchanged=len(self.unchanged),
        )


def import_indicators(
    store: Store,
    indicators: Sequence[Indicator] | Iterable[Indicator],
    actor: Principal | None = None,
    *,
    source: str = "file",
) -> ImportSummary:
    """Store indicators read from a file: a changed definition becomes a new version, all in one transaction.

    A version arrives as a draft, except: ``in_review`` stays in review, and ``active`` stays active only
    when the file names a reviewer other than the author (reviewed elsewhere; the import is audited with
    the file). The file's author is kept (else the importing user). Refused as a whole, naming every
    indicator, when any of them cannot take a new version now.
    """
    st = acting(store, actor)
    _may(store, st, "write_indicators")
    summary = ImportSummary(source)
    items = list(indicators)
    with store.session() as s:
        problems = []
        plan: list[Indicator] = []
        for ind in items:
            why = _check_new_version(_versions(s, ind.id), ind)
            if why and "nothing changed" in why:
                summary.unchanged.append(ind.id)
            elif why:
                problems.append(why)
            else:
                plan.append(ind)
        if problems:
            raise ReviewError(_("import refused, nothing stored:\n{problems}", problems="\n".join(problems)))
        if any(ind.status == "active" and ind.reviewer for ind in plan):
            _may(store, st, "approve_indicators")  # putting a reviewed version in force is an approval
        for ind in plan:
            reviewed = ind.status == "active" and ind.reviewer and ind.reviewer != (ind.author or st.user)
            status = "active" if reviewed else ("in_review" if ind.status == "in_review" else "draft")
            if status == "active":
                for old in _versions(s, ind.id):
                    if old.status == "active":
                        old.status = "retired"
                        _event(s, old, "retired", st, f"replaced by an import from {source}")
            v = _write_version(
                s,
                ind,
                st,
                author=ind.author or st.user,
                status=status,
                note=f"imported from {source} by {st.user}",
                reviewer=ind.reviewer if status == "active" else None,
            )
            _event(s, v, "imported", st, f"from {source}; status {status}")
            summary.saved.append(ind.id)
            if status == "active":
                summary.active.append(ind.id)
    return summary
