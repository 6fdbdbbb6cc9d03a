"""Operations and their members: who belongs to which closed group, with which role.

An operation has an organiser organisation, a name and a code, a legal basis, start and end dates, a
default handling marking (TLP), a language and a status (planned, active, closed, archived). Its
members are named accounts of any organisation, each with a role *in the operation*: ``organiser``
(manages members and the template, extracts, closes), ``contributor`` (submits data, posts messages) or
``observer`` (reads messages and posts). Every function takes the acting principal; a non-member is
told that no such operation exists (the same words as for a code nobody uses), so not even the name of
an operation leaks outside it.

Examples
--------
>>> from workbench.store import open_store
>>> from workbench.identity import installation_principal
>>> store = open_store("sqlite://")
>>> boot = installation_principal()
>>> op = create_operation(store, code="OP-1", name="Test", legal_basis="Naples II art. 12",
...                       start="2026-01-01", end="2026-03-31", organiser="FR-DGDDI", by=boot)
>>> op.code, op.status, op.tlp
('OP-1', 'active', 'amber')
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from workbench.i18n import N_, _
from workbench.identity import PermissionDenied, Principal, require
from workbench.operations.tables import OPERATION_MEMBERS, OPERATIONS, new_id
from workbench.store import Store, audit
from workbench.store.models import Account, Organisation

__all__ = [
    "MEMBER_ROLES",
    "STATUSES",
    "TLP_MARKINGS",
    "Member",
    "Operation",
    "OperationNotFound",
    "add_member",
    "create_operation",
    "get_operation",
    "list_members",
    "list_operations",
    "member_role",
    "require_member",
    "set_status",
]

#: The roles a member holds in one operation, with what each may do.
MEMBER_ROLES: dict[str, str] = {
    "organiser": N_("manages members and the template, extracts the data, closes the operation"),
    "contributor": N_("submits data through the form or the workbook, reads and posts messages"),
    "observer": N_("reads and posts messages"),
}
#: An operation's life: planned -> active -> closed -> archived (personal data erased).
STATUSES: tuple[str, ...] = ("planned", "active", "closed", "archived")
#: Traffic Light Protocol 2.0 markings.
TLP_MARKINGS: tuple[str, ...] = ("red", "amber+strict", "amber", "green", "clear")


class OperationNotFound(PermissionDenied, LookupError):
    """No operation of that code that the principal belongs to (whether or not one exists)."""


@dataclass(frozen=True)
class Operation:
    """One operation as a member sees it (``role``: the principal's role in it)."""

    id: int
    code: str
    name: str
    organiser: str
    legal_basis: str
    start_date: dt.date
    end_date: dt.date
    tlp: str
    language: str
    status: str
    retention_days: int
    role: str

    @property
    def is_open(self) -> bool:
        return self.status in ("planned", "active")


@dataclass(frozen=True)
class Member:
    account: str
    organisation: str
    role: str


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _date(value: dt.date | str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(_("not a date in ISO 8601 form YYYY-MM-DD: {value}", value=value)) from None


def _operation(row: Any, role: str) -> Operation:
    return Operation(
        id=int(row.id),
        code=row.code,
        name=row.name,
        organiser=row.organiser,
        legal_basis=row.legal_basis,
        start_date=row.start_date,
        end_date=row.end_date,
        tlp=row.tlp,
        language=row.language,
        status=row.status,
        retention_days=int(row.retention_days),
        role=role,
    )


def member_role(conn: Connection, operation_id: int, principal: Principal) -> str | None:
    """The principal's role in the operation, or None. The installation (seeding) acts as organiser."""
    if principal.mode == "installation":
        return "organiser"
    if principal.mode == "anonymous":
        return None
    role = conn.execute(
        sa.select(OPERATION_MEMBERS.c.role).where(
            OPERATION_MEMBERS.c.operation_id == operation_id,
            OPERATION_MEMBERS.c.account == principal.account,
        )
    ).scalar_one_or_none()
    return str(role) if role is not None else None


def _not_found(code: str) -> OperationNotFound:
    return OperationNotFound(_("no operation {code} of which you are a member", code=code))


def _load(conn: Connection, code: str, by: Principal) -> Operation:
    row = conn.execute(sa.select(OPERATIONS).where(OPERATIONS.c.code == code.strip())).first()
    if row is None:
        raise _not_found(code)
    role = member_role(conn, int(row.id), by)
    if role is None:
        raise _not_found(code)
    return _operation(row, role)


def require_member(
    conn: Connection, code: str, by: Principal, roles: Iterable[str] = tuple(MEMBER_ROLES)
) -> Operation:
    """The operation ``code`` if ``by`` is a member with one of ``roles``; otherwise refused (a
    non-member as if it did not exist, a member without the role saying which role it takes)."""
    op = _load(conn, code, by)
    allowed = tuple(roles)
    if op.role not in allowed:
        raise PermissionDenied(
            _(
                "{who} is {role} of {code}; this needs: {roles}",
                who=by.account,
                role=op.role,
                code=op.code,
                roles=", ".join(allowed),
            )
        )
    return op


def get_operation(store: Store, code: str, by: Principal) -> Operation:
    """The operation ``code`` as its member ``by`` sees it (:class:`OperationNotFound` otherwise)."""
    with store.engine.connect() as conn:
        return _load(conn, code, by)


def create_operation(
    store: Store,
    *,
    code: str,
    name: str,
    legal_basis: str,
    start: dt.date | str,
    end: dt.date | str,
    by: Principal,
    organiser: str | None = None,
    tlp: str = "amber",
    language: str = "en",
    status: str = "active",
    retention_days: int = 365,
) -> Operation:
    """Create an operation organised by ``by``'s organisation (the installation may name another);
    ``by`` becomes its first organiser. Needs ``create_operations``. Audited."""
    require(by, "create_operations")
    code, name, legal_basis = code.strip(), name.strip(), legal_basis.strip()
    if not code or len(code) > 40 or any(c.isspace() for c in code):
        raise ValueError(_("an operation's code is 1 to 40 characters without spaces"))
    if not name:
        raise ValueError(_("an operation needs a name"))
    if not legal_basis:
        raise ValueError(_("an operation needs a legal basis (the text that allows the exchange)"))
    start_d, end_d = _date(start), _date(end)
    if end_d < start_d:
        raise ValueError(_("the operation ends ({end}) before it starts ({start})", end=end_d, start=start_d))
    if tlp not in TLP_MARKINGS:
        raise ValueError(
            _("not a TLP marking: {tlp}; markings are {all}", tlp=tlp, all=", ".join(TLP_MARKINGS))
        )
    if status not in ("planned", "active"):
        raise ValueError(_("a new operation is planned or active, not {status}", status=status))
    if retention_days < 1:
        raise ValueError(_("the retention is a positive number of days"))
    org = organiser if (organiser and by.mode == "installation") else by.organisation
    with store.engine.begin() as conn:
        if conn.execute(sa.select(OPERATIONS.c.id).where(OPERATIONS.c.code == code)).first():
            raise ValueError(_("an operation {code} exists already", code=code))
        now = _now()
        op_id = new_id(
            conn.execute(
                sa.insert(OPERATIONS).values(
                    code=code,
                    name=name,
                    organiser=org,
                    legal_basis=legal_basis,
                    start_date=start_d,
                    end_date=end_d,
                    tlp=tlp,
                    language=language,
                    status=status,
                    retention_days=retention_days,
                    created_at=now,
                )
            )
        )
        if by.mode in ("account", "local"):
            conn.execute(
                sa.insert(OPERATION_MEMBERS).values(
                    operation_id=op_id,
                    account=by.account,
                    organisation=by.organisation,
                    role="organiser",
                    added_at=now,
                )
            )
        audit(conn, "admin.operation_create", {"operation": code, "organiser": org, "tlp": tlp}, by)
        row = conn.execute(sa.select(OPERATIONS).where(OPERATIONS.c.id == op_id)).one()
    return _operation(row, "organiser")


def list_operations(store: Store, by: Principal) -> list[Operation]:
    """The operations ``by`` is a member of (none for anyone else), newest first."""
    q = sa.select(OPERATIONS, OPERATION_MEMBERS.c.role).join(
        OPERATION_MEMBERS,
        sa.and_(
            OPERATION_MEMBERS.c.operation_id == OPERATIONS.c.id, OPERATION_MEMBERS.c.account == by.account
        ),
    )
    if by.mode == "installation":
        q = sa.select(OPERATIONS, sa.literal("organiser").label("role"))
    elif by.mode not in ("account", "local"):
        return []
    with store.engine.connect() as conn:
        rows = conn.execute(q.order_by(OPERATIONS.c.start_date.desc(), OPERATIONS.c.code)).all()
    return [_operation(r, str(r.role)) for r in rows]


def add_member(store: Store, code: str, account: str, role: str, by: Principal) -> Member:
    """Add (or change the role of) ``account``, of any organisation, in the operation; organisers only.
    Audited."""
    if role not in MEMBER_ROLES:
        raise ValueError(
            _(
                "not a role in an operation: {role}; roles are {roles}",
                role=role,
                roles=", ".join(MEMBER_ROLES),
            )
        )
    with store.engine.begin() as conn:
        op = require_member(conn, code, by, ("organiser",))
        found = conn.execute(
            sa.select(Organisation.code)
            .join(Account, Account.organisation_id == Organisation.id)
            .where(Account.name == account.strip())
        ).first()
        if found is None:
            raise ValueError(_("no account named {name}", name=account))
        org = str(found[0])
        m = OPERATION_MEMBERS
        where = sa.and_(m.c.operation_id == op.id, m.c.account == account.strip())
        if conn.execute(sa.select(m.c.role).where(where)).first():
            conn.execute(sa.update(m).where(where).values(role=role))
        else:
            conn.execute(
                sa.insert(m).values(
                    operation_id=op.id, account=account.strip(), organisation=org, role=role, added_at=_now()
                )
            )
        audit(
            conn,
            "admin.operation_member",
            {"operation": op.code, "account": account.strip(), "organisation": org, "role": role},
            by,
        )
    return Member(account.strip(), org, role)


def list_members(store: Store, code: str, by: Principal) -> list[Member]:
    """The members of the operation (for its members only)."""
    with store.engine.connect() as conn:
        op = require_member(conn, code, by)
        m = OPERATION_MEMBERS
        rows = conn.execute(
            sa.select(m.c.account, m.c.organisation, m.c.role)
            .where(m.c.operation_id == op.id)
            .order_by(m.c.role, m.c.organisation, m.c.account)
        ).all()
    return [Member(r.account, r.organisation, r.role) for r in rows]


def set_status(conn: Connection, op: Operation, status: str, by: Principal) -> None:
    """Move the operation to ``status`` (within the caller's transaction); audited."""
    if status not in STATUSES:
        raise ValueError(
            _("not a status: {status}; statuses are {all}", status=status, all=", ".join(STATUSES))
        )
    values: dict[str, Any] = {"status": status}
    if status == "closed":
        values["closed_at"] = _now()
    if status == "archived":
        values["archived_at"] = _now()
    conn.execute(sa.update(OPERATIONS).where(OPERATIONS.c.id == op.id).values(**values))
    audit(conn, "admin.operation_status", {"operation": op.code, "from": op.status, "to": status}, by)
