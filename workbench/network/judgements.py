"""Analysts' judgements on proposed matches: "these two records are the same person" or "they are not".

A judgement names the two records by their store keys (``reporting_country:case_id:person_id``), so it
survives re-imports and applies to every later resolution run (:func:`workbench.network.resolve.resolve`
takes them as ``judgements``). The latest judgement on a pair wins; each one is also written to the
audit log.

Examples
--------
>>> from workbench.identity import Principal
>>> from workbench.store import open_store
>>> store, ana = open_store("sqlite://"), Principal("ana", "local", frozenset({"analyst"}), True, "local")
>>> record_judgement(store, "person", "FR:C1:P1", "DE:C9:P7", "same", actor=ana, note="same passport photo")
>>> load_judgements(store, "person")
[('DE:C9:P7', 'FR:C1:P1', 'same')]
>>> record_judgement(store, "person", "DE:C9:P7", "FR:C1:P1", "different", actor=ana)
>>> load_judgements(store, "person")
[('DE:C9:P7', 'FR:C1:P1', 'different')]
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from workbench.format.schema import FORMAT
from workbench.i18n import _
from workbench.identity import Principal, acting, authorise
from workbench.store import Base, Store, audit, bump_data_version

__all__ = ["MatchJudgement", "record_judgement", "load_judgements", "judgement_table", "DECISIONS"]

DECISIONS = ("same", "different")


class MatchJudgement(Base):
    """One analyst's decision on one pair of person or company records (the pair is stored sorted)."""

    __tablename__ = "match_judgements"
    __table_args__ = (sa.UniqueConstraint("kind", "left_key", "right_key", name="uq_match_judgements_pair"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20))  # person | company
    left_key: Mapped[str] = mapped_column(sa.String(300))
    right_key: Mapped[str] = mapped_column(sa.String(300))
    decision: Mapped[str] = mapped_column(sa.String(20))  # same | different
    decided_by: Mapped[str] = mapped_column(sa.String(120))
    role: Mapped[str] = mapped_column(sa.String(40))
    decided_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True))
    score: Mapped[float | None] = mapped_column(sa.Float)  # the resolver's score when judged
    note: Mapped[str | None] = mapped_column(sa.Text)


def record_judgement(
    store: Store,
    kind: str,
    key_a: str,
    key_b: str,
    decision: str,
    *,
    score: float | None = None,
    note: str | None = None,
    actor: Principal | None = None,
) -> None:
    """Store (or replace) the judgement of ``actor`` (default: the
    :func:`~workbench.identity.accounts.current_principal`; the matrix's ``judge_duplicates``) on the pair
    ``key_a``/``key_b`` and audit it."""
    parties = tuple(FORMAT.party_tables.values())
    if kind not in parties:
        raise ValueError(
            _("kind must be one of {parties}, not {kind!r}", parties=", ".join(parties), kind=kind)
        )
    if decision not in DECISIONS:
        raise ValueError(
            _("decision must be one of {decisions}, not {decision!r}", decisions=DECISIONS, decision=decision)
        )
    if key_a == key_b:
        raise ValueError(_("a record cannot be judged against itself"))
    actor = acting(store, actor)
    authorise(store, actor, "judge_duplicates")
    left, right = sorted((key_a, key_b))
    t = MatchJudgement.__table__
    values = {
        "decision": decision,
        "decided_by": actor.user,
        "role": actor.role,
        "decided_at": dt.datetime.now(dt.UTC),
        "score": score,
        "note": note,
    }
    with store.session() as s:
        where = sa.and_(t.c.kind == kind, t.c.left_key == left, t.c.right_key == right)
        if s.execute(sa.select(t.c.id).where(where)).first():
            s.execute(sa.update(MatchJudgement).where(where).values(**values))
        else:
            s.execute(sa.insert(MatchJudgement).values(kind=kind, left_key=left, right_key=right, **values))
        bump_data_version(s, "judgements")
        audit(
            s,
            "match_judgement",
            {"kind": kind, "left": left, "right": right, "decision": decision, "score": score, "note": note},
            actor,
        )


def load_judgements(store: Store, kind: str) -> list[tuple[str, str, str]]:
    """Every judgement of ``kind`` as ``(left_key, right_key, decision)``, for the resolver."""
    t = MatchJudgement.__table__
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(t.c.left_key, t.c.right_key, t.c.decision).where(t.c.kind == kind).order_by(t.c.id)
        ).fetchall()
    return [(str(a), str(b), str(d)) for a, b, d in rows]


def judgement_table(store: Store, kind: str | None = None) -> pd.DataFrame:
    """Judgements with who decided and when, newest first (for review pages and exports)."""
    t = MatchJudgement.__table__
    stmt = sa.select(*[c for c in t.c if c.name != "id"]).order_by(t.c.decided_at.desc())
    if kind:
        stmt = stmt.where(t.c.kind == kind)
    with store.engine.connect() as conn:
        res = conn.execute(stmt)
        return pd.DataFrame(res.fetchall(), columns=list(res.keys()))
