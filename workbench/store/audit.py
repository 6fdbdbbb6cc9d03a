"""The audit log as the law asks: one event schema, a hash chain, signed checkpoints and retention.

Every act the Law Enforcement Directive (2016/680, art. 25) asks to log (collection, alteration,
consultation, disclosure, combination, erasure) and the workbench's own (export, login, failed login,
administration) is one row of ``audit_log`` written by :func:`audit` inside the caller's transaction:
sequence, time, account, organisation, role, action and its legal kind (derived from the action's
prefix by :data:`AUDIT_KINDS`, the one table of them), objects, purpose (reference, justification,
legal basis), recipients, query and row count, and the free ``details``.

Tamper evidence:

- each row holds ``prev_hash`` (the hash of the entry before it) and ``hash``, the SHA-256 of
  ``prev_hash`` and a canonical JSON of the row (:func:`entry_hash`); the chain's head (its last
  sequence and hash) is one row of ``audit_chain`` that every writer updates first, so concurrent
  writers queue on that row lock (PostgreSQL) or on the write lock (SQLite) and never fork the chain;
- :func:`verify` walks the chain and names the first entry changed, removed, reordered or inserted;
- :func:`checkpoint` signs the head with an Ed25519 key kept outside the database; given that
  checkpoint, :func:`verify` also proves that nothing up to it was rewritten (even consistently);
- the database refuses UPDATE, DELETE and TRUNCATE of the log (triggers, re-created by
  :func:`ensure_triggers` whenever the store is opened); the only deletion it allows is of entries at
  or before the chain's anchor, which :func:`erase_expired` (retention) moves forward, recording the
  erasure in the chain itself so that the rest still verifies.

The store does not import :mod:`workbench.identity`: the actor is anything with ``user`` and ``role``
(and optionally ``organisation`` and ``purpose``), the :class:`Actor` protocol.

Examples
--------
>>> from workbench.store import open_store
>>> from workbench.config import Settings
>>> store = open_store("sqlite://")
>>> me = Settings.from_env({"WORKBENCH_USER": "ana", "WORKBENCH_ROLE": "analyst"})
>>> with store.connect() as conn:
...     audit(conn, "export.non_personal", {"counts": {"cases": 3}}, me, row_count=3)
1
>>> audit_kind("export.non_personal"), audit_kind("consult.case"), audit_kind("import")
('export', 'consultation', 'collection')
>>> verify(store).ok
True
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast, runtime_checkable

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from workbench.i18n import _
from workbench.store.models import AUDIT_CHAIN, AuditEntry

#: the log's table (for Core statements)
AUDIT_LOG = cast(sa.Table, AuditEntry.__table__)

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

    from workbench.store.database import Store

__all__ = [
    "AUDIT_KINDS",
    "AUDIT_LOG",
    "LEGAL_KINDS",
    "GENESIS",
    "HASHED_FIELDS",
    "SIGNING_KEY_ENV",
    "Actor",
    "AuditBreak",
    "Checkpoint",
    "VerifyReport",
    "audit",
    "audit_kind",
    "checkpoint",
    "consulted",
    "ensure_triggers",
    "entry_hash",
    "erase_expired",
    "generate_signing_key",
    "load_signing_key",
    "rechain",
    "verify",
]

#: The legal kinds of an audit entry: the six acts of LED art. 25 and the workbench's own four.
LEGAL_KINDS: tuple[str, ...] = (
    "collection",
    "alteration",
    "consultation",
    "disclosure",
    "combination",
    "erasure",
    "export",
    "login",
    "failed_login",
    "administration",
)

#: An action's legal kind, by the action's prefix (the longest dotted prefix that is listed wins, so
#: ``login.failed`` is a failed login while ``login`` is a login). The one table of them: an action
#: whose prefix is not here is refused by :func:`audit` (add it here, with its kind).
AUDIT_KINDS: dict[str, str] = {
    # collection: data taken into the store
    "import": "collection",
    "seed": "collection",
    "collect": "collection",
    # alteration: stored data or rules changed
    "alter": "alteration",
    "risk": "alteration",
    "indicator": "alteration",
    "traffic": "alteration",
    "data": "alteration",
    # consultation: personal data shown to someone
    "consult": "consultation",
    "search": "consultation",
    # disclosure: personal data handed to a recipient outside the workbench
    "disclose": "disclosure",
    "share": "disclosure",
    # combination: records of different sources joined (duplicates judged, entities resolved)
    "combine": "combination",
    "match_judgement": "combination",
    "resolve": "combination",
    # erasure
    "erase": "erasure",
    "erasure": "erasure",
    "retention": "erasure",
    # export: files written from the store
    "export": "export",
    # sign-in
    "login": "login",
    "login.failed": "failed_login",
    "failed_login": "failed_login",
    # administration: accounts, roles, tokens, settings, the audit log itself
    "admin": "administration",
    "administration": "administration",
    "user": "administration",
    "account": "administration",
    "organisation": "administration",
    "token": "administration",
    "audit": "administration",
}

#: The hash of "no entry before": the first entry's ``prev_hash``.
GENESIS = "0" * 64

#: The columns a row's hash covers (with its ``prev_hash``). Not ``id`` (the database's key) nor
#: ``seq`` (its place, which the links of the chain prove), nor ``hash`` itself.
HASHED_FIELDS: tuple[str, ...] = (
    "at",
    "user",
    "organisation",
    "role",
    "action",
    "kind",
    "details",
    "objects",
    "purpose_ref",
    "justification",
    "legal_basis",
    "recipients",
    "query",
    "row_count",
)

#: The environment variable holding the checkpoint signing key (the setting ``audit_signing_key`` of
#: :mod:`workbench.config`): a PEM text or the path of a PEM file.
SIGNING_KEY_ENV = "WORKBENCH_AUDIT_SIGNING_KEY"


@runtime_checkable
class Actor(Protocol):
    """Who acts: a :class:`workbench.identity.Principal`, or the configuration's single user."""

    @property
    def user(self) -> str: ...

    @property
    def role(self) -> str: ...


def audit_kind(action: str) -> str:
    """The legal kind of ``action``: the entry of :data:`AUDIT_KINDS` for its longest listed prefix.

    >>> audit_kind("login.failed"), audit_kind("risk.indicator_approve"), audit_kind("match_judgement")
    ('failed_login', 'alteration', 'combination')
    >>> audit_kind("frobnicate")
    Traceback (most recent call last):
    ...
    ValueError: audit action 'frobnicate' has no legal kind: add its prefix to AUDIT_KINDS in workbench/store/audit.py
    """
    parts = action.split(".")
    for n in range(len(parts), 0, -1):
        kind = AUDIT_KINDS.get(".".join(parts[:n]))
        if kind is not None:
            return kind
    raise ValueError(
        _(
            "audit action {action!r} has no legal kind: add its prefix to AUDIT_KINDS in "
            "workbench/store/audit.py",
            action=action,
        )
    )


def _json(value: Any) -> str:
    return json.dumps(value, default=str, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _at_text(at: dt.datetime | str | None) -> str | None:
    """A time as the hash sees it: UTC, microseconds (SQLite hands it back naive, PostgreSQL aware)."""
    if at is None or isinstance(at, str):
        return at
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(prev_hash: str, row: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of ``prev_hash`` and the canonical JSON of ``row``'s :data:`HASHED_FIELDS`.

    >>> h = entry_hash(GENESIS, {"at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC), "action": "login"})
    >>> len(h), h == entry_hash(GENESIS, {"action": "login", "at": dt.datetime(2026, 1, 1)})
    (64, True)
    """
    body = {f: (_at_text(row.get(f)) if f == "at" else row.get(f)) for f in HASHED_FIELDS}
    return hashlib.sha256((prev_hash + "\n" + _json(body)).encode("utf-8")).hexdigest()


def _purpose_parts(purpose: Any) -> tuple[str | None, str | None, str | None]:
    """(reference, justification, legal basis) of a Purpose-like object, a mapping or a plain text."""
    if purpose is None:
        return None, None, None
    if isinstance(purpose, str):
        return purpose, None, None
    names = ("reference", "justification", "legal_basis")
    if isinstance(purpose, Mapping):
        ref, why, basis = (purpose.get(n) for n in names)
    else:
        ref, why, basis = (getattr(purpose, n, None) for n in names)
    return ref, why, basis


def _text_list(values: Iterable[Any]) -> str | None:
    items = [str(v) for v in values]
    return _json(items) if items else None


def _connection(conn: Connection | Session) -> Connection:
    return conn.connection() if isinstance(conn, Session) else conn


# The writer's three statements, built once (building them per entry cost more than running them).
#: take the chain's lock and the next number: every writer updates the head row first
_TAKE_HEAD = (
    sa.update(AUDIT_CHAIN)
    .where(AUDIT_CHAIN.c.id == 1)
    .values(head_seq=AUDIT_CHAIN.c.head_seq + 1)
    .returning(AUDIT_CHAIN.c.head_seq, AUDIT_CHAIN.c.head_hash)
)
_INSERT_ENTRY = sa.insert(AUDIT_LOG)
_MOVE_HEAD = sa.update(AUDIT_CHAIN).where(AUDIT_CHAIN.c.id == 1).values(head_hash=sa.bindparam("new_hash"))


def audit(
    conn: Connection | Session,
    action: str,
    details: Mapping[str, Any] | None,
    actor: Actor | None = None,
    *,
    objects: Iterable[Any] = (),
    purpose: Any = None,
    recipients: Iterable[Any] = (),
    query: str | None = None,
    row_count: int | None = None,
) -> int:
    """Append one entry to the audit log inside the caller's transaction; return its sequence number.

    ``actor`` has ``user`` and ``role`` (and may have ``organisation`` and ``purpose``); without one,
    the configuration's user (:meth:`workbench.config.Settings.from_env`). ``purpose`` (a
    :class:`workbench.identity.Purpose`, a mapping with ``reference``, ``justification`` and
    ``legal_basis``, or a reference text) defaults to the actor's. ``objects`` name what was acted on
    (record keys such as ``case:ES/C1``, never personal values), ``recipients`` who received a
    disclosure or export. Raises ValueError for an action :data:`AUDIT_KINDS` does not classify.

    The chain's head row is updated first: it is the lock that queues concurrent writers, so the entry
    takes the next sequence number and links to the entry written just before it.
    """
    kind = audit_kind(action)
    if actor is None:
        from workbench.config import Settings

        actor = Settings.from_env()
    ref, justification, basis = _purpose_parts(
        purpose if purpose is not None else getattr(actor, "purpose", None)
    )
    if basis is None and details and isinstance(details.get("legal_basis"), str):
        basis = details["legal_basis"]
    c = _connection(conn)
    head = c.execute(_TAKE_HEAD).first()
    if head is None:
        raise RuntimeError(_("the store has no audit chain head: migrate it (workbench.store.migrate)"))
    seq, prev = head
    row: dict[str, Any] = {
        "seq": seq,
        "at": dt.datetime.now(dt.UTC),
        "user": str(actor.user)[:120],
        "organisation": (str(getattr(actor, "organisation", None) or "") or None),
        "role": str(actor.role)[:40],
        "action": action,
        "kind": kind,
        "details": _json(dict(details)) if details else None,
        "objects": _text_list(objects),
        "purpose_ref": ref,
        "justification": justification,
        "legal_basis": basis,
        "recipients": _text_list(recipients),
        "query": query,
        "row_count": row_count,
        "prev_hash": prev,
    }
    row["hash"] = entry_hash(prev, row)
    c.execute(_INSERT_ENTRY, row)
    c.execute(_MOVE_HEAD, {"new_hash": row["hash"]})
    return int(seq)


def consulted(
    store: Store,
    what: str,
    actor: Actor | None,
    *,
    objects: Iterable[Any] = (),
    query: str | None = None,
    row_count: int | None = None,
    purpose: Any = None,
    details: Mapping[str, Any] | None = None,
) -> int:
    """Record, in a transaction of its own, that ``actor`` was shown personal data: the action
    ``consult.<what>`` with the records' keys, the query (a filter's description) and the row count,
    and the purpose (default: the actor's). The library calls it where it returns persons or
    companies; a page that shows cached personal data calls it at each showing."""
    with store.engine.begin() as conn:
        return audit(
            conn,
            f"consult.{what}",
            details,
            actor,
            objects=objects,
            purpose=purpose,
            query=query,
            row_count=row_count,
        )


# --------------------------------------------------------------------------------------------------
# verification


@dataclass(frozen=True)
class AuditBreak:
    """The first place where the stored log differs from what was written."""

    problem: str  # changed | removed | reordered | inserted | checkpoint
    seq: int | None
    id: int | None
    message: str


@dataclass
class VerifyReport:
    """What :func:`verify` found: ``ok`` when the whole chain (and the checkpoint, if given) holds."""

    entries: int = 0
    first_seq: int | None = None
    last_seq: int | None = None
    anchor_seq: int = 0
    checkpoint_seq: int | None = None
    broken: AuditBreak | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.broken is None

    def __str__(self) -> str:
        lines = []
        if self.ok:
            span = (
                _("entries {a} to {b}", a=self.first_seq, b=self.last_seq)
                if self.entries
                else _("no entries")
            )
            lines.append(
                _("audit log intact: {n} entries ({span}), chain verified", n=self.entries, span=span)
            )
            if self.checkpoint_seq is not None:
                lines.append(
                    _("checkpoint at entry {seq} matches: nothing before it changed", seq=self.checkpoint_seq)
                )
        else:
            assert self.broken is not None
            lines.append(
                _(
                    "audit log BROKEN ({problem}): {message}",
                    problem=self.broken.problem,
                    message=self.broken.message,
                )
            )
        lines.extend(self.notes)
        return "\n".join(lines)


_ROW_COLUMNS = ("id", "seq", *HASHED_FIELDS, "prev_hash", "hash")


def _rows(conn: Connection, batch: int = 5000) -> Iterator[dict[str, Any]]:
    t = AUDIT_LOG
    stmt = sa.select(*(t.c[c] for c in _ROW_COLUMNS)).where(t.c.seq.is_not(None)).order_by(t.c.seq)
    result = conn.execution_options(stream_results=True, yield_per=batch).execute(stmt)
    for r in result.mappings():
        yield dict(r)


def _name(seq: Any, id_: Any) -> str:
    return _("entry {seq} (id {id})", seq=seq, id=id_)


def verify(store: Store, checkpoint: Checkpoint | None = None, *, public_key: Any = None) -> VerifyReport:
    """Walk the audit chain and report the first entry changed, removed, reordered or inserted.

    With ``checkpoint`` (see :func:`checkpoint`), its signature is checked (against ``public_key`` if
    given, else the key it names) and the entry at its sequence must still carry the signed hash: then
    nothing up to it was changed, even by someone who re-computed every hash after.
    """
    report = VerifyReport()
    t = AUDIT_LOG
    with store.engine.connect() as conn:
        head = conn.execute(sa.select(AUDIT_CHAIN).where(AUDIT_CHAIN.c.id == 1)).mappings().first()
        if head is None:
            report.broken = AuditBreak(
                "removed", None, None, _("the chain head row of audit_chain is missing")
            )
            return report
        report.anchor_seq = int(head["anchor_seq"])
        outside = conn.execute(sa.select(t.c.id).where(t.c.seq.is_(None)).order_by(t.c.id).limit(1)).first()
        if outside is not None:
            report.broken = AuditBreak(
                "inserted",
                None,
                outside[0],
                _("entry id {id} was inserted outside the chain (no sequence)", id=outside[0]),
            )
            return report
        expected_prev, expected_seq = head["anchor_hash"], int(head["anchor_seq"]) + 1
        prev: tuple[Any, Any] | None = None  # (seq, id) of the entry before; named only when the chain breaks

        def prev_name() -> str:
            if prev is not None:
                return _name(*prev)
            return _("the anchor") if head["anchor_seq"] else _("the start")

        signed: dict[str, Any] | None = None
        for row in _rows(conn):
            seq, id_ = row["seq"], row["id"]
            if report.entries == 0:
                report.first_seq = seq
            report.entries += 1
            report.last_seq = seq
            if entry_hash(row["prev_hash"] or "", row) != row["hash"]:
                report.broken = AuditBreak(
                    "changed", seq, id_, _("{entry} was changed after it was written", entry=_name(seq, id_))
                )
                return report
            if row["prev_hash"] != expected_prev:
                other = conn.execute(sa.select(t.c.seq, t.c.id).where(t.c.hash == row["prev_hash"])).first()
                if other is not None:
                    report.broken = AuditBreak(
                        "reordered",
                        seq,
                        id_,
                        _(
                            "{entry} follows {other} in the chain but stands after {prev}: entries were reordered",
                            entry=_name(seq, id_),
                            other=_name(other[0], other[1]),
                            prev=prev_name(),
                        ),
                    )
                elif seq > expected_seq:
                    report.broken = AuditBreak(
                        "removed",
                        seq,
                        id_,
                        _(
                            "entries {a} to {b} before {entry} were removed",
                            a=expected_seq,
                            b=seq - 1,
                            entry=_name(seq, id_),
                        ),
                    )
                else:
                    report.broken = AuditBreak(
                        "removed",
                        seq,
                        id_,
                        _(
                            "the chain breaks before {entry}: the entry before it was removed, or {prev} was "
                            "changed and its hash re-computed",
                            entry=_name(seq, id_),
                            prev=prev_name(),
                        ),
                    )
                return report
            if seq != expected_seq:
                report.broken = AuditBreak(
                    "changed",
                    seq,
                    id_,
                    _(
                        "{entry} has sequence {seq} where {expected} was written",
                        entry=_name(seq, id_),
                        seq=seq,
                        expected=expected_seq,
                    ),
                )
                return report
            if checkpoint is not None and seq == checkpoint.seq:
                signed = row
            expected_prev, expected_seq, prev = row["hash"], seq + 1, (seq, id_)
        if int(head["head_seq"]) != expected_seq - 1 or head["head_hash"] != expected_prev:
            if int(head["head_seq"]) > expected_seq - 1:
                report.broken = AuditBreak(
                    "removed",
                    expected_seq,
                    None,
                    _("the last entries ({a} to {b}) were removed", a=expected_seq, b=head["head_seq"]),
                )
            else:
                report.broken = AuditBreak(
                    "changed",
                    expected_seq - 1,
                    None,
                    _(
                        "the chain head (entry {head}) does not match the last entry ({last}): entries were "
                        "appended outside the chain or the head was changed",
                        head=head["head_seq"],
                        last=expected_seq - 1,
                    ),
                )
            return report
    if checkpoint is not None:
        report.checkpoint_seq = checkpoint.seq
        problem = checkpoint.problem(public_key)
        if problem is None:
            if checkpoint.seq == report.anchor_seq and checkpoint.seq > 0:
                if head["anchor_hash"] != checkpoint.hash:
                    problem = _("the anchor (entry {seq}) differs from the checkpoint's", seq=checkpoint.seq)
            elif checkpoint.seq < report.anchor_seq:
                report.notes.append(
                    _(
                        "the checkpoint (entry {seq}) is older than the retention anchor (entry {anchor}): it "
                        "proves nothing about the entries kept",
                        seq=checkpoint.seq,
                        anchor=report.anchor_seq,
                    )
                )
            elif signed is None:
                problem = _(
                    "entry {seq} of the checkpoint is no longer in the log (removed)", seq=checkpoint.seq
                )
            elif signed["hash"] != checkpoint.hash:
                problem = _(
                    "{entry} differs from the signed checkpoint: the log up to it was rewritten",
                    entry=_name(signed["seq"], signed["id"]),
                )
        if problem is not None:
            report.broken = AuditBreak("checkpoint", checkpoint.seq, None, problem)
    return report


# --------------------------------------------------------------------------------------------------
# signed checkpoints


def generate_signing_key() -> str:
    """A new Ed25519 private key as PEM text (keep it outside the database, e.g. in a key file)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return (
        Ed25519PrivateKey.generate()
        .private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        .decode("ascii")
    )


def load_signing_key(
    source: str | Path | None = None, env: Mapping[str, str] | None = None
) -> Ed25519PrivateKey:
    """The Ed25519 key that signs checkpoints: from ``source`` (PEM text or a key file's path), else from
    :data:`SIGNING_KEY_ENV`. Raises ValueError (saying how to make one) when there is none."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from workbench.config import Settings

    text = str(source) if source is not None else Settings.from_env(env).audit_signing_key
    if not text.strip():
        raise ValueError(
            _(
                "no audit signing key: set {env} to a key file's path (make one with `workbench audit keygen "
                "--out FILE`, kept outside the database)",
                env=SIGNING_KEY_ENV,
            )
        )
    if "-----BEGIN" not in text:
        path = Path(text).expanduser()
        if not path.is_file():
            raise ValueError(_("the audit signing key file {path} does not exist", path=path))
        text = path.read_text(encoding="ascii")
    key = serialization.load_pem_private_key(text.encode("ascii"), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(_("the audit signing key is not an Ed25519 key"))
    return key


def _public_b64(key: Ed25519PublicKey) -> str:
    from cryptography.hazmat.primitives import serialization

    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


@dataclass(frozen=True)
class Checkpoint:
    """A signed head of the chain: entry ``seq`` had ``hash`` at ``at``; kept outside the database."""

    seq: int
    hash: str
    at: str
    public_key: str
    signature: str

    def message(self) -> bytes:
        return _json({"seq": self.seq, "hash": self.hash, "at": self.at}).encode("utf-8")

    def to_json(self) -> str:
        return json.dumps(self.__dict__, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Checkpoint:
        try:
            d = json.loads(text)
            return cls(int(d["seq"]), str(d["hash"]), str(d["at"]), str(d["public_key"]), str(d["signature"]))
        except (ValueError, KeyError, TypeError) as e:
            raise ValueError(
                _("not an audit checkpoint file ({error})", error=e.__class__.__name__ + ": " + str(e))
            ) from None

    def problem(self, public_key: Any = None) -> str | None:
        """Why the signature does not hold (None when it does). ``public_key``: the key it must be signed
        with (an Ed25519 public or private key); without it, the key the checkpoint names."""
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

        if isinstance(public_key, Ed25519PrivateKey):
            public_key = public_key.public_key()
        if public_key is not None and _public_b64(public_key) != self.public_key:
            return _("the checkpoint was signed with another key than the audit signing key")
        try:
            key = Ed25519PublicKey.from_public_bytes(base64.b64decode(self.public_key))
            key.verify(base64.b64decode(self.signature), self.message())
        except (InvalidSignature, ValueError):
            return _("the checkpoint's signature does not hold: the file was altered")
        return None


def checkpoint(store: Store, key: Ed25519PrivateKey | str | Path | None = None) -> Checkpoint:
    """Sign the chain's head now with ``key`` (a key, PEM text or key file; default
    :data:`SIGNING_KEY_ENV`). Keep the result elsewhere; :func:`verify` takes it back."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    private = key if isinstance(key, Ed25519PrivateKey) else load_signing_key(key)
    with store.engine.connect() as conn:
        seq, h = conn.execute(
            sa.select(AUDIT_CHAIN.c.head_seq, AUDIT_CHAIN.c.head_hash).where(AUDIT_CHAIN.c.id == 1)
        ).one()
    at = _at_text(dt.datetime.now(dt.UTC))
    assert at is not None
    unsigned = Checkpoint(int(seq), h, at, _public_b64(private.public_key()), "")
    sig = base64.b64encode(private.sign(unsigned.message())).decode("ascii")
    return Checkpoint(unsigned.seq, unsigned.hash, unsigned.at, unsigned.public_key, sig)


# --------------------------------------------------------------------------------------------------
# triggers and retention

_SQLITE_TRIGGERS = {
    "audit_log_no_update": "CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
    "audit_log_no_delete": "CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log "
    "WHEN OLD.seq IS NULL OR OLD.seq > (SELECT anchor_seq FROM audit_chain WHERE id = 1) "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only (only entries before the retention anchor "
    "may be erased)'); END",
}

_PG_FUNCTIONS = (
    "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$",
    "CREATE OR REPLACE FUNCTION audit_log_retention_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN IF OLD.seq IS NULL OR OLD.seq > (SELECT anchor_seq FROM audit_chain WHERE id = 1) THEN "
    "RAISE EXCEPTION 'audit_log is append-only (only entries before the retention anchor may be erased)'; "
    "END IF; RETURN OLD; END $$",
)

_PG_TRIGGERS = {
    "audit_log_no_update": "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
    "audit_log_no_delete": "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION audit_log_retention_only()",
    "audit_log_no_truncate": "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()",
}


def _existing_triggers(conn: Connection) -> set[str]:
    if conn.dialect.name == "sqlite":
        q = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'"
    else:
        q = (
            "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal "
            "AND tgrelid = to_regclass(current_schema() || '.audit_log')"
        )
    return {r[0] for r in conn.execute(sa.text(q))}


def install_triggers(conn: Connection) -> list[str]:
    """Create the triggers that keep the log append-only where they are missing; return their names."""
    wanted = _SQLITE_TRIGGERS if conn.dialect.name == "sqlite" else _PG_TRIGGERS
    if conn.dialect.name not in ("sqlite", "postgresql"):
        return []
    missing = [name for name in wanted if name not in _existing_triggers(conn)]
    if missing and conn.dialect.name == "postgresql":
        for fn in _PG_FUNCTIONS:
            conn.execute(sa.text(fn))
    for name in missing:
        conn.execute(sa.text(wanted[name]))
    return missing


def drop_triggers(conn: Connection) -> None:
    """Drop the append-only triggers (migrations only: to re-chain or re-shape the table)."""
    for name in (*_SQLITE_TRIGGERS, *_PG_TRIGGERS, "audit_log_append_only"):
        if conn.dialect.name == "sqlite":
            conn.execute(sa.text(f"DROP TRIGGER IF EXISTS {name}"))
        elif conn.dialect.name == "postgresql":
            conn.execute(sa.text(f"DROP TRIGGER IF EXISTS {name} ON audit_log"))


class _System:
    """The workbench itself as the actor of what it does on its own (restoring triggers, retention)."""

    user = "workbench"
    role = "system"
    organisation = None
    purpose = None


def ensure_triggers(engine: Engine) -> list[str]:
    """Re-create any dropped append-only trigger (called by :func:`workbench.store.open_store`); the
    restoration is itself written to the audit log. Returns the names re-created."""
    with engine.begin() as conn:
        missing = install_triggers(conn)
        if missing:
            audit(conn, "audit.triggers_restored", {"triggers": missing}, _System())
    return missing


def rechain(conn: Connection) -> int:
    """Give every entry without a place in the chain its sequence and hashes, in ``id`` order, after
    the chain's head (migration 0008 uses it on the entries written before the chain existed).
    The triggers must be dropped while it runs. Returns the number of entries chained."""
    t = AUDIT_LOG
    head = conn.execute(
        sa.select(AUDIT_CHAIN.c.head_seq, AUDIT_CHAIN.c.head_hash).where(AUDIT_CHAIN.c.id == 1)
    ).one()
    seq, prev = int(head[0]), head[1]
    rows = conn.execute(
        sa.select(*(t.c[c] for c in ("id", *HASHED_FIELDS))).where(t.c.seq.is_(None)).order_by(t.c.id)
    ).mappings()
    n = 0
    for r in list(rows):
        row = dict(r)
        if row["kind"] is None:
            try:
                row["kind"] = audit_kind(row["action"])
            except ValueError:
                row["kind"] = "administration"
        seq += 1
        h = entry_hash(prev, row)
        conn.execute(
            sa.update(t).where(t.c.id == row["id"]).values(seq=seq, kind=row["kind"], prev_hash=prev, hash=h)
        )
        prev, n = h, n + 1
    conn.execute(sa.update(AUDIT_CHAIN).where(AUDIT_CHAIN.c.id == 1).values(head_seq=seq, head_hash=prev))
    return n


def erase_expired(
    store: Store, years: float, actor: Actor | None = None, *, now: dt.datetime | None = None
) -> int:
    """Erase the audit entries older than ``years`` (retention): move the chain's anchor to the last
    of them (its sequence and hash, so the entries kept still verify), delete them, and write the
    erasure to the log, all in one transaction. Returns how many were erased."""
    if years <= 0:
        raise ValueError(_("audit retention must be a positive number of years, not {years}", years=years))
    cutoff = (now or dt.datetime.now(dt.UTC)) - dt.timedelta(days=365.25 * years)
    t = AUDIT_LOG
    with store.engine.begin() as conn:
        # take the chain's lock before reading it
        conn.execute(
            sa.update(AUDIT_CHAIN).where(AUDIT_CHAIN.c.id == 1).values(head_seq=AUDIT_CHAIN.c.head_seq)
        )
        last = conn.execute(
            sa.select(t.c.seq, t.c.hash, t.c.at)
            .where(t.c.at < cutoff, t.c.seq.is_not(None))
            .order_by(t.c.seq.desc())
            .limit(1)
        ).first()
        if last is None:
            return 0
        anchor_seq, anchor_hash = int(last[0]), last[1]
        conn.execute(
            sa.update(AUDIT_CHAIN)
            .where(AUDIT_CHAIN.c.id == 1)
            .values(anchor_seq=anchor_seq, anchor_hash=anchor_hash, anchor_at=last[2])
        )
        erased = int(conn.execute(sa.delete(t).where(t.c.seq <= anchor_seq)).rowcount or 0)
        audit(
            conn,
            "erasure.audit_retention",
            {
                "erased": erased,
                "older_than": _at_text(cutoff),
                "anchor_seq": anchor_seq,
                "anchor_hash": anchor_hash,
            },
            actor or _System(),
            row_count=erased,
        )
    return erased
