"""Messages of an operation: threads with replies and attachments, encrypted at rest, every read and
post in the audit.

Subjects, bodies, attachment names and contents are encrypted with Fernet (AES-128-CBC with an
HMAC-SHA256, from ``cryptography``) under the key of ``WORKBENCH_OPERATIONS_KEY``; the key is read from
the environment only and never stored, and without it every message function refuses with a message
that says how to make one. Attachments take the upload path's checks (:mod:`workbench.exchange.files`):
a bare file name, a size limit, and zip-based files (workbooks, archives) opened only far enough to
refuse a bomb.

Unread counts come from each member's last read message; they say how many, never what.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from workbench.config import Settings
from workbench.i18n import _
from workbench.identity import Principal
from workbench.operations.groups import Operation, require_member
from workbench.operations.tables import (
    OPERATION_ATTACHMENTS,
    OPERATION_MEMBERS,
    OPERATION_MESSAGES,
    OPERATION_READS,
    OPERATIONS,
    new_id,
)
from workbench.store import Store, audit

if TYPE_CHECKING:
    from cryptography.fernet import Fernet

__all__ = [
    "KEY_ENV",
    "MAX_ATTACHMENT_BYTES",
    "Attachment",
    "Message",
    "OperationsKeyMissing",
    "Thread",
    "attachment",
    "check_key",
    "generate_key",
    "latest_message_id",
    "post_message",
    "read_thread",
    "threads",
    "unread_counts",
]

#: The environment variable of the messages' key (setting ``operations_key``).
KEY_ENV = "WORKBENCH_OPERATIONS_KEY"
#: The largest attachment taken.
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024


class OperationsKeyMissing(RuntimeError):
    """No (valid) key to encrypt or decrypt messages."""


def generate_key() -> str:
    """A new key for ``WORKBENCH_OPERATIONS_KEY`` (keep it outside the database)."""
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode("ascii")


def _fernet(env: Mapping[str, str] | None = None) -> Fernet:
    from cryptography.fernet import Fernet

    key = Settings.from_env(env).operations_key
    if not key:
        raise OperationsKeyMissing(
            _(
                "no key for the operations' messages: set {env} to a key made with `workbench operation keygen` "
                "(kept outside the database)",
                env=KEY_ENV,
            )
        )
    try:
        return Fernet(key.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        raise OperationsKeyMissing(
            _("{env} is not a valid key; make one with `workbench operation keygen`", env=KEY_ENV)
        ) from None


def check_key() -> None:
    """Refuse (:class:`OperationsKeyMissing`, saying how to make one) unless a valid key is set."""
    _fernet()


def _decrypt(f: Fernet, token: bytes | None) -> str:
    from cryptography.fernet import InvalidToken

    if token is None:
        return ""
    try:
        return bytes(f.decrypt(bytes(token))).decode("utf-8")
    except InvalidToken:
        raise OperationsKeyMissing(
            _("a message cannot be decrypted with the key of {env}: the key was changed", env=KEY_ENV)
        ) from None


@dataclass(frozen=True)
class Attachment:
    id: int
    name: str
    size: int


@dataclass(frozen=True)
class Message:
    id: int
    thread_id: int
    account: str
    organisation: str
    subject: str
    body: str
    posted_at: dt.datetime
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True)
class Thread:
    id: int
    subject: str
    account: str
    organisation: str
    posted_at: dt.datetime
    replies: int
    last_at: dt.datetime
    unread: int


def _check_attachment(name: str, content: bytes) -> str:
    """The upload path's checks: a bare name, a size limit, no zip bomb. Returns the bare name."""
    from workbench.exchange.files import DatasetReadError, check_archive

    bare = Path(str(name).replace("\\", "/")).name.strip()
    if not bare or bare in (".", ".."):
        raise ValueError(_("an attachment needs a file name"))
    if len(content) > MAX_ATTACHMENT_BYTES:
        raise ValueError(
            _(
                "{file}: {size:,} bytes, more than the limit of {limit:,} for an attachment",
                file=bare,
                size=len(content),
                limit=MAX_ATTACHMENT_BYTES,
            )
        )
    if content[:2] == b"PK":
        with tempfile.TemporaryDirectory(prefix="wb-attach-") as tmp:
            p = Path(tmp) / bare
            p.write_bytes(content)
            try:
                check_archive(p)
            except DatasetReadError as e:
                raise ValueError(str(e)) from None
    return bare


def post_message(
    store: Store,
    code: str,
    body: str,
    by: Principal,
    *,
    subject: str = "",
    thread_id: int | None = None,
    attachments: Iterable[tuple[str, bytes]] = (),
) -> int:
    """Post a message (a new thread, or a reply to ``thread_id``) with its attachments; any member of an
    operation not archived. Audited (who, which operation and thread, sizes; never the text)."""
    f = _fernet()
    body = body.strip()
    if not body:
        raise ValueError(_("a message needs a text"))
    files = [(_check_attachment(n, c), c) for n, c in attachments]
    with store.engine.begin() as conn:
        op = require_member(conn, code, by)
        if op.status == "archived":
            raise ValueError(_("operation {code} is archived: no more messages", code=op.code))
        m = OPERATION_MESSAGES
        if thread_id is not None:
            root = conn.execute(
                sa.select(m.c.id, m.c.thread_id).where(m.c.id == thread_id, m.c.operation_id == op.id)
            ).first()
            if root is None:
                raise ValueError(_("no thread {id} in operation {code}", id=thread_id, code=op.code))
            thread_id = int(root.thread_id or root.id)
        elif not subject.strip():
            raise ValueError(_("a new thread needs a subject"))
        msg_id = new_id(
            conn.execute(
                sa.insert(m).values(
                    operation_id=op.id,
                    thread_id=thread_id,
                    account=by.account,
                    organisation=by.organisation,
                    subject=f.encrypt(subject.strip().encode("utf-8")) if subject.strip() else None,
                    body=f.encrypt(body.encode("utf-8")),
                    posted_at=dt.datetime.now(dt.UTC),
                )
            )
        )
        for name, content in files:
            conn.execute(
                sa.insert(OPERATION_ATTACHMENTS).values(
                    message_id=msg_id,
                    filename=f.encrypt(name.encode("utf-8")),
                    size=len(content),
                    sha256=hashlib.sha256(content).hexdigest(),
                    content=f.encrypt(content),
                )
            )
        _mark_read(conn, op, by, msg_id)
        audit(
            conn,
            "collect.operation_message",
            {"operation": op.code, "thread": thread_id or msg_id, "attachments": len(files)},
            by,
            objects=[f"operation_message:{msg_id}"],
        )
    return msg_id


def _mark_read(conn: Connection, op: Operation, by: Principal, upto: int) -> None:
    r = OPERATION_READS
    where = sa.and_(r.c.operation_id == op.id, r.c.account == by.account)
    last = conn.execute(sa.select(r.c.last_message_id).where(where)).scalar_one_or_none()
    if last is None:
        conn.execute(sa.insert(r).values(operation_id=op.id, account=by.account, last_message_id=upto))
    elif int(last) < upto:
        conn.execute(sa.update(r).where(where).values(last_message_id=upto))


def _last_read(conn: Connection, op_id: int, account: str) -> int:
    r = OPERATION_READS
    v = conn.execute(
        sa.select(r.c.last_message_id).where(r.c.operation_id == op_id, r.c.account == account)
    ).scalar_one_or_none()
    return int(v or 0)


def threads(store: Store, code: str, by: Principal) -> list[Thread]:
    """The operation's threads, latest activity first, with their unread counts (subjects decrypted:
    audited as a consultation of the operation's messages)."""
    f = _fernet()
    m = OPERATION_MESSAGES
    with store.engine.begin() as conn:
        op = require_member(conn, code, by)
        last = _last_read(conn, op.id, by.account)
        rows = conn.execute(
            sa.select(m.c.id, m.c.thread_id, m.c.account, m.c.organisation, m.c.subject, m.c.posted_at)
            .where(m.c.operation_id == op.id)
            .order_by(m.c.id)
        ).all()
        out: dict[int, dict[str, Any]] = {}
        for r in rows:
            tid = int(r.thread_id or r.id)
            if r.thread_id is None:
                out[tid] = {
                    "id": tid,
                    "subject": _decrypt(f, r.subject),
                    "account": r.account,
                    "organisation": r.organisation,
                    "posted_at": r.posted_at,
                    "replies": 0,
                    "last_at": r.posted_at,
                    "unread": 0,
                }
            elif tid in out:
                out[tid]["replies"] += 1
                out[tid]["last_at"] = r.posted_at
            if tid in out and int(r.id) > last and r.account != by.account:
                out[tid]["unread"] += 1
        audit(conn, "consult.operation_threads", {"operation": op.code, "threads": len(out)}, by)
    return sorted((Thread(**t) for t in out.values()), key=lambda t: t.last_at, reverse=True)


def read_thread(store: Store, code: str, thread_id: int, by: Principal) -> list[Message]:
    """The messages of one thread, oldest first, decrypted; marks them read. Audited."""
    f = _fernet()
    m, a = OPERATION_MESSAGES, OPERATION_ATTACHMENTS
    with store.engine.begin() as conn:
        op = require_member(conn, code, by)
        rows = conn.execute(
            sa.select(m)
            .where(m.c.operation_id == op.id, sa.or_(m.c.id == thread_id, m.c.thread_id == thread_id))
            .order_by(m.c.id)
        ).all()
        if not rows:
            raise ValueError(_("no thread {id} in operation {code}", id=thread_id, code=op.code))
        ids = [int(r.id) for r in rows]
        files: dict[int, list[Attachment]] = {}
        for r in conn.execute(
            sa.select(a.c.id, a.c.message_id, a.c.filename, a.c.size)
            .where(a.c.message_id.in_(ids))
            .order_by(a.c.id)
        ):
            files.setdefault(int(r.message_id), []).append(
                Attachment(int(r.id), _decrypt(f, r.filename), int(r.size))
            )
        subject = _decrypt(f, rows[0].subject)
        out = [
            Message(
                id=int(r.id),
                thread_id=thread_id,
                account=r.account,
                organisation=r.organisation,
                subject=subject,
                body=_decrypt(f, r.body),
                posted_at=r.posted_at,
                attachments=tuple(files.get(int(r.id), ())),
            )
            for r in rows
        ]
        _mark_read(conn, op, by, max(ids))
        audit(
            conn,
            "consult.operation_messages",
            {"operation": op.code, "thread": thread_id, "messages": len(ids)},
            by,
            objects=[f"operation_message:{i}" for i in ids],
            row_count=len(ids),
        )
    return out


def attachment(store: Store, code: str, attachment_id: int, by: Principal) -> tuple[str, bytes]:
    """One attachment's name and content, decrypted, for a member of its operation. Audited."""
    f = _fernet()
    m, a = OPERATION_MESSAGES, OPERATION_ATTACHMENTS
    with store.engine.begin() as conn:
        op = require_member(conn, code, by)
        r = conn.execute(
            sa.select(a.c.filename, a.c.content, a.c.sha256)
            .join(m, m.c.id == a.c.message_id)
            .where(a.c.id == attachment_id, m.c.operation_id == op.id)
        ).first()
        if r is None or r.content is None:
            raise ValueError(_("no attachment {id} in operation {code}", id=attachment_id, code=op.code))
        content = bytes(f.decrypt(bytes(r.content)))
        audit(
            conn,
            "consult.operation_attachment",
            {"operation": op.code, "attachment": attachment_id, "sha256": r.sha256},
            by,
        )
    return _decrypt(f, r.filename), content


def unread_counts(store: Store, by: Principal) -> dict[str, int]:
    """Unread messages (posted by others since the member last read) per operation code of ``by``."""
    m, mem, r, o = OPERATION_MESSAGES, OPERATION_MEMBERS, OPERATION_READS, OPERATIONS
    q = (
        sa.select(o.c.code, sa.func.count(m.c.id))
        .select_from(mem)
        .join(o, o.c.id == mem.c.operation_id)
        .outerjoin(r, sa.and_(r.c.operation_id == mem.c.operation_id, r.c.account == mem.c.account))
        .outerjoin(
            m,
            sa.and_(
                m.c.operation_id == mem.c.operation_id,
                m.c.account != by.account,
                m.c.id > sa.func.coalesce(r.c.last_message_id, 0),
            ),
        )
        .where(mem.c.account == by.account)
        .group_by(o.c.code)
    )
    if by.mode not in ("account", "local"):
        return {}
    with store.engine.connect() as conn:
        return {str(c): int(n) for c, n in conn.execute(q)}


def latest_message_id(store: Store, code: str, by: Principal) -> int:
    """The newest message's id in the operation (0: none), for a member: what a live view polls to know
    whether to read again. It shows no content, so it is not a consultation."""
    m = OPERATION_MESSAGES
    with store.engine.connect() as conn:
        op = require_member(conn, code, by)
        return int(
            conn.execute(
                sa.select(sa.func.coalesce(sa.func.max(m.c.id), 0)).where(m.c.operation_id == op.id)
            ).scalar_one()
        )
