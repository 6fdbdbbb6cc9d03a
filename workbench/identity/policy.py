"""Who is acting, and what they may do: the principal and the one role x action matrix.

The matrix is data (``matrix.yaml``). :func:`can` answers and :func:`require` refuses with a message that
says why. Library functions call :func:`require` before they act, so the pages, the command line and
notebooks obey one rule. Viewing personal data needs a role that allows it *and* the account's own
personal-data permission.

Examples
--------
>>> ana = Principal("ana", "FR-DGDDI", frozenset({"analyst"}), personal=True)
>>> can(ana, "view_personal"), can(ana, "administer")
(True, False)
>>> vic = Principal("vic", "FR-DGDDI", frozenset({"viewer"}))
>>> require(vic, "export_personal")
Traceback (most recent call last):
...
workbench.identity.policy.PermissionDenied: vic (viewer) may not export with personal data (exchange, pseudonymised, formatted with persons); roles that may: analyst, steward, admin
>>> sorted(roles_with("read_audit"))
['admin', 'auditor']
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

import yaml

from workbench.i18n import _

__all__ = [
    "ACTIONS",
    "MODES",
    "PERSONAL_ACTIONS",
    "PermissionDenied",
    "Principal",
    "Purpose",
    "ROLES",
    "can",
    "matrix_table",
    "require",
    "roles_with",
]

#: How a principal came to act: a signed-in ``account``; ``local``, a store with no account yet
#: (an analyst's own file in a notebook, single user); ``installation``, the set-up itself seeding a
#: new store; ``anonymous``, nobody signed in (may do nothing).
Mode = Literal["account", "local", "installation", "anonymous"]
MODES: tuple[str, ...] = ("account", "local", "installation", "anonymous")


@dataclass(frozen=True)
class _Matrix:
    roles: dict[str, str]
    helps: dict[str, str]
    allowed: dict[str, frozenset[str]]


@cache
def _matrix() -> _Matrix:
    text = resources.files("workbench.identity").joinpath("matrix.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    roles = {str(k): str(v) for k, v in data["roles"].items()}
    helps: dict[str, str] = {}
    allowed: dict[str, frozenset[str]] = {}
    for name, spec in data["actions"].items():
        unknown = set(spec["roles"]) - set(roles)
        if unknown:
            raise ValueError(
                _(
                    "matrix.yaml: action {name!r} names unknown roles {unknown}",
                    name=name,
                    unknown=sorted(unknown),
                )
            )
        helps[str(name)] = str(spec["help"])
        allowed[str(name)] = frozenset(str(r) for r in spec["roles"])
    return _Matrix(roles, helps, allowed)


#: Each role with its description, in the matrix's order.
ROLES: dict[str, str] = _matrix().roles
#: Each action with its help text, in the matrix's order.
ACTIONS: dict[str, str] = _matrix().helps


def roles_with(action: str) -> frozenset[str]:
    """The roles the matrix allows ``action`` (KeyError for an action it does not declare)."""
    return _matrix().allowed[action]


@dataclass(frozen=True)
class Purpose:
    """Why personal data is consulted: a case or operation reference and a justification. It goes with
    every audit entry of the consultation."""

    reference: str
    justification: str
    legal_basis: str = ""

    def __post_init__(self) -> None:
        if not self.reference.strip() or not self.justification.strip():
            raise ValueError(_("a purpose needs a case or operation reference and a justification"))


@dataclass(frozen=True)
class Principal:
    """Who acts: an account of an organisation with its roles and the personal-data permission.

    ``user`` and ``role`` are what the audit log and the screens show."""

    account: str
    organisation: str
    roles: frozenset[str]
    personal: bool = False
    mode: Mode = "account"
    purpose: Purpose | None = None
    account_id: int | None = None

    def __post_init__(self) -> None:
        unknown = set(self.roles) - set(ROLES)
        if unknown:
            raise ValueError(
                _(
                    "not a role: {names}; roles are {roles}",
                    names=", ".join(sorted(unknown)),
                    roles=", ".join(ROLES),
                )
            )

    @property
    def user(self) -> str:
        return self.account

    @property
    def role(self) -> str:
        """The roles as one text, in the matrix's order (``analyst+steward``)."""
        return "+".join(r for r in ROLES if r in self.roles) or "none"

    @property
    def can_see_personal(self) -> bool:
        return can(self, "view_personal")

    def with_purpose(self, purpose: Purpose | None) -> Principal:
        return dataclasses.replace(self, purpose=purpose)


#: Actions that show or hand out persons and companies: besides a role that allows them, they need the
#: account's own personal-data permission.
PERSONAL_ACTIONS = frozenset({"view_personal", "export_personal", "judge_duplicates"})


def can(principal: Principal, action: str) -> bool:
    """Whether ``principal`` may do ``action``. The installation may do everything; nobody signed in
    may do nothing.

    >>> ana = Principal("ana", "FR-DGDDI", frozenset({"analyst"}), personal=False)
    >>> can(ana, "export_non_personal"), can(ana, "export_personal"), can(ana, "judge_duplicates")
    (True, False, False)
    """
    if principal.mode == "installation":
        return True
    if principal.mode == "anonymous":
        return False
    allowed = bool(principal.roles & roles_with(action))
    if action in PERSONAL_ACTIONS:
        return allowed and principal.personal
    return allowed


class PermissionDenied(PermissionError):
    """An action the matrix does not allow this principal; the message says why and who may."""


def require(principal: Principal, action: str) -> None:
    """Refuse with :class:`PermissionDenied` unless ``principal`` may do ``action``."""
    if can(principal, action):
        return
    what = ACTIONS[action][0].lower() + ACTIONS[action][1:].rstrip(".")  # "export with personal data (...)"
    if action in PERSONAL_ACTIONS and principal.roles & roles_with(action):
        reason = _(
            "{who} ({role}) does not hold the personal-data permission",
            who=principal.account,
            role=principal.role,
        )
    else:
        reason = _(
            "{who} ({role}) may not {what}; roles that may: {roles}",
            who=principal.account,
            role=principal.role,
            what=what,
            roles=", ".join(r for r in ROLES if r in roles_with(action)),
        )
    raise PermissionDenied(reason)


def matrix_table() -> list[dict[str, str]]:
    """The matrix as rows (action, help, one column per role with "yes" or ""), for the README and the
    Admin page."""
    return [
        {"action": a, "help": h, **{r: ("yes" if r in roles_with(a) else "") for r in ROLES}}
        for a, h in ACTIONS.items()
    ]
