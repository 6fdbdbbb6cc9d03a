"""Accounts: organisations, named accounts with roles, sign-in, tokens, and who acts in the CLI and notebooks.

A store with no account works in the *local* single-user mode (``WORKBENCH_USER``/``WORKBENCH_ROLE``, an
analyst's own file in a notebook). Its first account ends that mode: from then on those variables grant
nothing, and the command line and notebooks act as a named account, signed in by a password prompt or by
an access token (``WORKBENCH_TOKEN``) that :func:`issue_token` hands out once.

Passwords are kept as argon2id hashes (argon2-cffi); tokens as their SHA-256 (they are long random
strings); the second factor is TOTP (pyotp). Every sign-in attempt is written to the audit log by
:func:`sign_in` itself (``login`` / ``failed_login``), every administration act as ``administration.*``.
The policy's numbers (lockout, password length and expiry, token lifetime) are settings of
:mod:`workbench.config`.

Examples
--------
>>> from workbench.store import open_store
>>> store = open_store("sqlite://")
>>> has_accounts(store)
False
>>> current_principal(store, {"WORKBENCH_USER": "ana", "WORKBENCH_ROLE": "analyst"}).mode
'local'
>>> boot = installation_principal()
>>> create_organisation(store, "FR-DGDDI", "French customs", "administration", by=boot)
>>> _ = create_account(store, "chief", organisation="FR-DGDDI", roles=["admin"],
...                    password="correct horse battery", by=boot)
>>> sign_in(store, "chief", "correct horse battery").role
'admin'
>>> sign_in(store, "chief", "wrong one")
Traceback (most recent call last):
...
workbench.identity.accounts.SignInRefused: wrong name or password
>>> current_principal(store, {"WORKBENCH_ROLE": "admin"})
Traceback (most recent call last):
...
workbench.identity.policy.PermissionDenied: this store has accounts: sign in with `WORKBENCH_TOKEN` (from `workbench user token NAME`) or with a password; WORKBENCH_USER and WORKBENCH_ROLE grant nothing
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from typing import Any, Literal, NamedTuple

import pyotp
import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy.orm import Session

from workbench.config import Settings
from workbench.i18n import _
from workbench.identity.policy import ROLES, PermissionDenied, Principal, require
from workbench.store import Store, audit
from workbench.store.models import Account, AccountToken, Organisation

__all__ = [
    "ORGANISATION_KINDS",
    "account_language",
    "set_account_language",
    "REFUSALS",
    "Credentials",
    "SignInRefused",
    "acting",
    "authorise",
    "change_password",
    "check_password",
    "create_account",
    "create_organisation",
    "current_principal",
    "disable_account",
    "enable_account",
    "enable_totp",
    "grant",
    "has_accounts",
    "installation_principal",
    "issue_token",
    "list_accounts",
    "list_organisations",
    "local_principal",
    "oidc_principal",
    "password_notice",
    "principal_from_token",
    "revoke_token",
    "sign_in",
]

#: Kinds of organisation an account may belong to
ORGANISATION_KINDS = ("administration", "rilo", "secretariat", "other")

Refusal = Literal["wrong", "locked", "disabled", "expired", "second_factor"]
#: Why a sign-in is refused. An unknown name and a wrong password say the same ("wrong").
REFUSALS: tuple[str, ...] = ("wrong", "locked", "disabled", "expired", "second_factor")

_HASHER = PasswordHasher()  # argon2id with argon2-cffi's recommended parameters


@cache
def _dummy_hash() -> str:
    """Verified against when the name is unknown, so an unknown name costs the same time as a wrong
    password (made on first use: hashing costs time no import should pay)."""
    return _HASHER.hash(secrets.token_urlsafe(16))


TOKEN_PREFIX = "wbt_"


class SignInRefused(PermissionError):
    """A refused sign-in: ``reason`` is one of :data:`REFUSALS`, the message says what to do."""

    def __init__(self, reason: Refusal, message: str) -> None:
        super().__init__(message)
        self.reason: Refusal = reason


class Credentials(NamedTuple):
    """What a password prompt returns: the account's name, its password and, if it has one, the
    current code of its second factor."""

    name: str
    password: str
    totp: str | None = None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite gives back naive datetimes for what was stored in UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt.UTC)


def _audit(s: Session, action: str, details: dict[str, Any], actor: Principal) -> None:
    audit(s, action, details, actor)


def _nobody(name: str) -> Principal:
    """The actor of a refused sign-in: the name that was tried, no role."""
    return Principal(name[:120], "", frozenset(), mode="anonymous")


def installation_principal() -> Principal:
    """The installation itself, seeding a new store (``make run``): may do everything, and is written to
    the audit log as ``installation``."""
    return Principal("installation", "installation", frozenset({"admin"}), personal=True, mode="installation")


def has_accounts(store: Store) -> bool:
    """Whether the store has any account (then the local single-user mode is over)."""
    with store.engine.connect() as conn:
        return conn.execute(sa.select(Account.id).limit(1)).first() is not None


def _principal(s: Session, account: Account) -> Principal:
    org = s.get(Organisation, account.organisation_id)
    return Principal(
        account.name,
        org.code if org else "",
        frozenset(r for r in account.roles.split(",") if r),
        personal=account.personal,
        mode="account",
        account_id=account.id,
    )


def _account(s: Session, name: str) -> Account | None:
    return s.execute(sa.select(Account).where(Account.name == name)).scalar_one_or_none()


def _known(s: Session, name: str) -> Account:
    account = _account(s, name)
    if account is None:
        raise KeyError(_("no account named {name}", name=name))
    return account


def _roles(roles: Iterable[str]) -> list[str]:
    given = [r.strip().lower() for r in roles if r.strip()]
    unknown = sorted(set(given) - set(ROLES))
    if unknown:
        raise ValueError(
            _("not a role: {names}; roles are {roles}", names=", ".join(unknown), roles=", ".join(ROLES))
        )
    if not given:
        raise ValueError(_("an account needs at least one role; roles are {roles}", roles=", ".join(ROLES)))
    return [r for r in ROLES if r in given]


def check_password(name: str, password: str, settings: Settings | None = None) -> None:
    """Refuse (ValueError saying why, never repeating the password) a password the rules do not allow:
    shorter than ``WORKBENCH_PASSWORD_MIN_LENGTH``, or the account's name in it.

    >>> check_password("ana", "short")
    Traceback (most recent call last):
    ...
    ValueError: a password needs at least 12 characters
    >>> check_password("ana.lopez", "my-ANA.LOPEZ-2026")
    Traceback (most recent call last):
    ...
    ValueError: a password may not contain the account's name
    """
    settings = settings or Settings.from_env()
    if len(password) < settings.password_min_length:
        raise ValueError(_("a password needs at least {n} characters", n=settings.password_min_length))
    if name.strip() and name.strip().lower() in password.lower():
        raise ValueError(_("a password may not contain the account's name"))


def authorise(store: Store, principal: Principal, action: str) -> None:
    """:func:`~workbench.identity.policy.require` on ``store``: besides the matrix, a principal of the
    local single-user mode acts only on a store with no account (once it has one, WORKBENCH_ROLE grants
    nothing). Every library entry point that acts on a store calls this."""
    if principal.mode == "local" and has_accounts(store):
        raise PermissionDenied(
            _(
                "{who}: this store has accounts, so the local single-user mode is over; sign in with "
                "`WORKBENCH_TOKEN` (from `workbench user token NAME`) or with a password",
                who=principal.account,
            )
        )
    require(principal, action)


def _may_administer(store: Store, by: Principal) -> None:
    """Administration needs the ``administer`` action; on a store with no account yet the local user (who
    holds the file anyway) may create the first one."""
    if by.mode == "local" and not has_accounts(store):
        return
    authorise(store, by, "administer")


def create_organisation(store: Store, code: str, name: str, kind: str, by: Principal) -> None:
    """Add an organisation (a national administration, a RILO, the secretariat); audited."""
    _may_administer(store, by)
    code = code.strip()
    if not code:
        raise ValueError(_("an organisation needs a code"))
    if kind not in ORGANISATION_KINDS:
        raise ValueError(
            _(
                "not a kind of organisation: {kind}; kinds are {kinds}",
                kind=kind,
                kinds=", ".join(ORGANISATION_KINDS),
            )
        )
    with store.session() as s:
        if s.execute(sa.select(Organisation.id).where(Organisation.code == code)).first():
            raise ValueError(_("an organisation {code} exists already", code=code))
        s.add(Organisation(code=code, name=name.strip() or code, kind=kind, created_at=_now()))
        _audit(s, "administration.organisation_create", {"organisation": code, "kind": kind}, by)


def list_organisations(store: Store) -> list[dict[str, Any]]:
    """Every organisation: code, name, kind and how many accounts it has."""
    with store.session() as s:
        counts = {
            int(org): int(n)
            for org, n in s.execute(
                sa.select(Account.organisation_id, sa.func.count()).group_by(Account.organisation_id)
            )
        }
        return [
            {"code": o.code, "name": o.name, "kind": o.kind, "accounts": int(counts.get(o.id, 0))}
            for o in s.execute(sa.select(Organisation).order_by(Organisation.code)).scalars()
        ]


def create_account(
    store: Store,
    name: str,
    *,
    organisation: str,
    roles: Iterable[str],
    password: str | None,
    personal: bool = False,
    email: str | None = None,
    by: Principal,
    settings: Settings | None = None,
) -> int:
    """Add an account of ``organisation`` with ``roles`` (and the personal-data permission if
    ``personal``); returns its id. ``password`` ``None``: it signs in through the identity provider
    only. Needs ``administer``; the first account of a store may be created by its local user and must
    be an administrator (or nobody could administer the store). Audited."""
    _may_administer(store, by)
    name = name.strip()
    if not name or len(name) > 120 or any(c.isspace() for c in name):
        raise ValueError(_("an account's name is 1 to 120 characters without spaces"))
    chosen = _roles(roles)
    if password is not None:
        check_password(name, password, settings)
    first = not has_accounts(store)
    if first and by.mode == "local" and "admin" not in chosen:
        raise ValueError(_("the first account of a store must be an administrator (role admin)"))
    with store.session() as s:
        if _account(s, name) is not None:
            raise ValueError(_("an account named {name} exists already", name=name))
        org = s.execute(sa.select(Organisation).where(Organisation.code == organisation)).scalar_one_or_none()
        if org is None:
            raise ValueError(
                _(
                    "no organisation {code}; add it first (known: {known})",
                    code=organisation,
                    known=", ".join(s.execute(sa.select(Organisation.code)).scalars()) or "-",
                )
            )
        account = Account(
            name=name,
            organisation_id=org.id,
            roles=",".join(chosen),
            personal=personal,
            password_hash=_HASHER.hash(password) if password is not None else None,
            password_changed_at=_now() if password is not None else None,
            failed_logins=0,
            disabled=False,
            email=email,
            created_at=_now(),
        )
        s.add(account)
        s.flush()
        _audit(
            s,
            "administration.account_create",
            {"account": name, "organisation": organisation, "roles": chosen, "personal": personal},
            by,
        )
        return int(account.id)


def list_accounts(store: Store, settings: Settings | None = None) -> list[dict[str, Any]]:
    """Every account with its organisation, roles, permission and state (never a hash or a secret)."""
    settings = settings or Settings.from_env()
    now = _now()
    with store.session() as s:
        orgs = {int(i): str(c) for i, c in s.execute(sa.select(Organisation.id, Organisation.code))}
        rows = []
        for a in s.execute(sa.select(Account).order_by(Account.name)).scalars():
            locked = _aware(a.locked_until)
            state = "disabled" if a.disabled else "locked" if locked and locked > now else "active"
            if state == "active" and _expired(a, settings, now):
                state = "expired"
            rows.append(
                {
                    "name": a.name,
                    "organisation": orgs.get(a.organisation_id, ""),
                    "roles": a.roles.replace(",", "+"),
                    "personal": a.personal,
                    "state": state,
                    "second_factor": a.totp_secret is not None,
                    "last_login": _aware(a.last_login_at),
                }
            )
        return rows


def _expiry(account: Account, settings: Settings) -> dt.datetime | None:
    changed = _aware(account.password_changed_at)
    if changed is None or settings.password_expiry_days <= 0:
        return None
    return changed + dt.timedelta(days=settings.password_expiry_days)


def _expired(account: Account, settings: Settings, now: dt.datetime) -> bool:
    end = _expiry(account, settings)
    return end is not None and end <= now


def _verify(hashed: str | None, password: str) -> bool:
    try:
        return _HASHER.verify(hashed or _dummy_hash(), password) and hashed is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def sign_in(
    store: Store, name: str, password: str, *, totp: str | None = None, settings: Settings | None = None
) -> Principal:
    """The principal of account ``name`` if ``password`` (and, when the account has a second factor,
    the ``totp`` code) is right; else :class:`SignInRefused` with its reason. Every attempt is written to
    the audit log (``login`` or ``failed_login`` with the reason); failures in a row lock the account
    for a while."""
    settings = settings or Settings.from_env()
    now = _now()
    refusal: SignInRefused | None = None
    with store.session() as s:
        account = _account(s, name.strip())
        right = _verify(account.password_hash if account else None, password)
        locked = _aware(account.locked_until) if account else None
        if account is None:
            refusal = SignInRefused("wrong", _("wrong name or password"))
        elif locked is not None and locked > now:
            refusal = SignInRefused(
                "locked",
                _(
                    "this account is locked after too many failed sign-ins; try again in {n} minutes",
                    n=max(1, int((locked - now).total_seconds() // 60) + 1),
                ),
            )
        elif not right:
            refusal = SignInRefused("wrong", _("wrong name or password"))
        elif account.disabled:
            refusal = SignInRefused("disabled", _("this account is disabled; ask an administrator"))
        elif account.totp_secret and not (
            totp and pyotp.TOTP(account.totp_secret).verify(totp.strip(), valid_window=1)
        ):
            refusal = SignInRefused(
                "second_factor", _("this account needs the current code of its second factor")
            )
        elif _expired(account, settings, now):
            refusal = SignInRefused(
                "expired", _("the password has expired; change it (workbench user passwd) and sign in again")
            )
        if refusal is not None:
            if account is not None and refusal.reason in ("wrong", "second_factor"):
                account.failed_logins = (account.failed_logins or 0) + 1
                if account.failed_logins >= settings.lockout_failures > 0:
                    account.locked_until = now + dt.timedelta(minutes=settings.lockout_minutes)
                    account.failed_logins = 0
            _audit(s, "failed_login", {"method": "password", "reason": refusal.reason}, _nobody(name.strip()))
        else:
            assert account is not None
            account.failed_logins = 0
            account.locked_until = None
            account.last_login_at = now
            if account.password_hash and _HASHER.check_needs_rehash(account.password_hash):
                account.password_hash = _HASHER.hash(password)
            principal = _principal(s, account)
            _audit(s, "login", {"method": "password"}, principal)
    if refusal is not None:
        raise refusal
    return principal


def password_notice(store: Store, principal: Principal, settings: Settings | None = None) -> str | None:
    """A notice when the principal's password expires within ``WORKBENCH_PASSWORD_NOTICE_DAYS``, else None."""
    settings = settings or Settings.from_env()
    if principal.mode != "account":
        return None
    with store.session() as s:
        account = _account(s, principal.account)
        end = _expiry(account, settings) if account else None
    if end is None:
        return None
    left = end - _now()
    if left > dt.timedelta(days=settings.password_notice_days):
        return None
    days = max(0, left.days)
    return _("your password expires in {n} days; change it before then", n=days)


def _self_or_admin(store: Store, by: Principal, name: str) -> None:
    if by.mode == "account" and by.account == name:
        return
    authorise(store, by, "administer")


def change_password(
    store: Store,
    name: str,
    new_password: str,
    *,
    old_password: str | None = None,
    by: Principal | None = None,
    settings: Settings | None = None,
) -> None:
    """Set a new password: by the account itself with its ``old_password`` (also when the old one has
    expired), or by an administrator ``by`` (a reset). Audited; the failure count and lock are cleared."""
    check_password(name, new_password, settings)
    with store.session() as s:
        account = _known(s, name)
        if old_password is not None:
            if not _verify(account.password_hash, old_password):
                raise SignInRefused("wrong", _("wrong name or password"))
            actor = _principal(s, account)
        elif by is None:
            raise PermissionDenied(_("changing a password needs the old one or an administrator"))
        else:
            authorise(store, by, "administer")
            actor = by
        if _verify(account.password_hash, new_password):
            raise ValueError(_("the new password must differ from the old one"))
        account.password_hash = _HASHER.hash(new_password)
        account.password_changed_at = _now()
        account.failed_logins = 0
        account.locked_until = None
        action = (
            "administration.password_change" if old_password is not None else "administration.password_reset"
        )
        _audit(s, action, {"account": name}, actor)


def account_language(store: Store, name: str) -> str | None:
    """The language the account ``name`` chose (``fr``...), or None when it chose none (or is unknown).

    >>> from workbench.store import open_store
    >>> store = open_store("sqlite://")
    >>> boot = installation_principal()
    >>> create_organisation(store, "FR-DGDDI", "French customs", "administration", by=boot)
    >>> _ = create_account(store, "ana", organisation="FR-DGDDI", roles=["analyst"], password="long enough pass", by=boot)
    >>> account_language(store, "ana") is None
    True
    >>> set_account_language(store, "ana", "fr_FR.UTF-8", by=sign_in(store, "ana", "long enough pass"))
    >>> account_language(store, "ana")
    'fr'
    """
    from workbench.i18n import language_from

    with store.engine.connect() as conn:
        code = conn.execute(sa.select(Account.language).where(Account.name == name)).scalar_one_or_none()
    return language_from(code)


def set_account_language(store: Store, name: str, code: str | None, *, by: Principal) -> None:
    """Store the language of the account ``name`` (None: back to the browser's), by the account itself or
    an administrator. Audited as ``administration.account_language``; a code the workbench has no
    language for is refused."""
    from workbench.i18n import LANGUAGES, language_from

    chosen = language_from(code) if code else None
    if code and chosen is None:
        raise ValueError(
            _(
                "{code!r} is not a language of the workbench ({languages})",
                code=code,
                languages=", ".join(LANGUAGES),
            )
        )
    _self_or_admin(store, by, name)
    with store.session() as s:
        account = _known(s, name)
        if account.language == chosen:
            return
        account.language = chosen
        _audit(s, "administration.account_language", {"account": name, "language": chosen}, by)


def disable_account(store: Store, name: str, *, by: Principal) -> None:
    """Disable an account (it can no longer sign in; its tokens stop working). Audited."""
    _set_disabled(store, name, True, by)


def enable_account(store: Store, name: str, *, by: Principal) -> None:
    """Enable a disabled account again. Audited."""
    _set_disabled(store, name, False, by)


def _set_disabled(store: Store, name: str, disabled: bool, by: Principal) -> None:
    authorise(store, by, "administer")
    if disabled and by.mode == "account" and by.account == name:
        raise ValueError(_("an administrator may not disable their own account"))
    with store.session() as s:
        account = _known(s, name)
        account.disabled = disabled
        action = "administration.account_disable" if disabled else "administration.account_enable"
        _audit(s, action, {"account": name}, by)


def grant(
    store: Store,
    name: str,
    roles: Iterable[str],
    personal: bool,
    *,
    by: Principal,
    organisation: str | None = None,
) -> None:
    """Set an account's roles and personal-data permission (and, if given, move it to another
    organisation). Audited with the roles before and after."""
    authorise(store, by, "administer")
    chosen = _roles(roles)
    with store.session() as s:
        account = _known(s, name)
        if by.mode == "account" and by.account == name and "admin" not in chosen:
            raise ValueError(_("an administrator may not take the admin role from their own account"))
        details: dict[str, Any] = {
            "account": name,
            "roles_before": account.roles.split(","),
            "roles": chosen,
            "personal_before": account.personal,
            "personal": personal,
        }
        if organisation is not None:
            org = s.execute(
                sa.select(Organisation).where(Organisation.code == organisation)
            ).scalar_one_or_none()
            if org is None:
                raise ValueError(_("no organisation {code}", code=organisation))
            account.organisation_id = org.id
            details["organisation"] = organisation
        account.roles = ",".join(chosen)
        account.personal = personal
        _audit(s, "administration.grant", details, by)


def enable_totp(store: Store, name: str, *, by: Principal) -> str:
    """Give an account a second factor (TOTP); returns the provisioning URI (``otpauth://...``, to show
    once as text or a QR code). From then on :func:`sign_in` needs the current code. Audited."""
    _self_or_admin(store, by, name)
    secret = pyotp.random_base32()
    with store.session() as s:
        account = _known(s, name)
        account.totp_secret = secret
        _audit(s, "administration.totp_enable", {"account": name}, by)
    return pyotp.TOTP(secret).provisioning_uri(name=name, issuer_name="CEN Intelligence Workbench")


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.strip().encode()).hexdigest()


def issue_token(
    store: Store, name: str, *, days: int | None = None, by: Principal, settings: Settings | None = None
) -> str:
    """A new access token for ``name`` (by the account itself or an administrator), valid ``days``
    (default ``WORKBENCH_TOKEN_DAYS``). It is returned once; only its hash is stored. Audited."""
    _self_or_admin(store, by, name)
    days = (settings or Settings.from_env()).token_days if days is None else days
    if days <= 0:
        raise ValueError(_("a token lives at least one day"))
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with store.session() as s:
        account = _known(s, name)
        expires = _now() + dt.timedelta(days=days)
        s.add(
            AccountToken(
                account_id=account.id, token_hash=_token_hash(token), created_at=_now(), expires_at=expires
            )
        )
        s.flush()
        _audit(s, "administration.token_issue", {"account": name, "expires": expires.isoformat()}, by)
    return token


def revoke_token(store: Store, name: str, *, by: Principal) -> int:
    """Revoke every live token of ``name`` (by the account itself or an administrator); returns how
    many. Audited."""
    _self_or_admin(store, by, name)
    with store.session() as s:
        account = _known(s, name)
        live = s.execute(
            sa.select(AccountToken).where(
                AccountToken.account_id == account.id, AccountToken.revoked_at.is_(None)
            )
        ).scalars()
        count = 0
        for token in live:
            token.revoked_at = _now()
            count += 1
        _audit(s, "administration.token_revoke", {"account": name, "tokens": count}, by)
    return count


def principal_from_token(store: Store, token: str) -> Principal:
    """The principal an access token stands for; :class:`SignInRefused` for an unknown, revoked or
    expired token or a disabled account. Each use is audited (``login`` / ``failed_login``, method
    token)."""
    now = _now()
    refusal: SignInRefused | None = None
    with store.session() as s:
        row = s.execute(
            sa.select(AccountToken).where(AccountToken.token_hash == _token_hash(token))
        ).scalar_one_or_none()
        account = s.get(Account, row.account_id) if row else None
        expires = _aware(row.expires_at) if row else None
        if row is None or account is None or row.revoked_at is not None:
            refusal = SignInRefused("wrong", _("this token is unknown or revoked"))
        elif expires is not None and expires <= now:
            refusal = SignInRefused(
                "expired", _("this token has expired; ask for a new one (workbench user token)")
            )
        elif account.disabled:
            refusal = SignInRefused("disabled", _("this account is disabled; ask an administrator"))
        if refusal is not None:
            who = account.name if account is not None else "(token)"
            _audit(s, "failed_login", {"method": "token", "reason": refusal.reason}, _nobody(who))
        else:
            assert account is not None
            account.last_login_at = now
            principal = _principal(s, account)
            _audit(s, "login", {"method": "token"}, principal)
    if refusal is not None:
        raise refusal
    return principal


def local_principal(settings: Settings | None = None) -> Principal:
    """The single user of a store with no account (``WORKBENCH_USER``/``WORKBENCH_ROLE``): they decide
    their own role (it is their own file); personal data as the role allows. :func:`authorise` refuses it
    on a store that has accounts.

    >>> local_principal(Settings.from_env({"WORKBENCH_USER": "ana", "WORKBENCH_ROLE": "viewer"}))
    Principal(account='ana', organisation='local', roles=frozenset({'viewer'}), personal=True, mode='local', purpose=None, account_id=None)
    """
    settings = settings or Settings.from_env()
    return Principal(settings.user, "local", frozenset({settings.role}), personal=True, mode="local")


def acting(store: Store, actor: Principal | None) -> Principal:
    """``actor``, or when a library function was called without one (a notebook), :func:`current_principal`."""
    return actor if actor is not None else current_principal(store)


def current_principal(
    store: Store,
    env: Mapping[str, str] | None = None,
    *,
    prompt: Callable[[], Credentials] | None = None,
) -> Principal:
    """Who acts in the command line or a notebook.

    A store without accounts: the local single user of ``WORKBENCH_USER``/``WORKBENCH_ROLE``. A store
    with accounts: the account of ``WORKBENCH_TOKEN``, else the one ``prompt`` signs in (the CLI asks for
    a name and password), else :class:`PermissionDenied` saying how to sign in. There
    ``WORKBENCH_USER``/``WORKBENCH_ROLE`` grant nothing."""
    settings = Settings.from_env(env)
    if not has_accounts(store):
        return local_principal(settings)
    if settings.token:
        return principal_from_token(store, settings.token)
    if prompt is not None:
        given = prompt()
        return sign_in(store, given.name, given.password, totp=given.totp, settings=settings)
    raise PermissionDenied(
        _(
            "this store has accounts: sign in with `WORKBENCH_TOKEN` (from `workbench user token NAME`) "
            "or with a password; WORKBENCH_USER and WORKBENCH_ROLE grant nothing"
        )
    )


def _claim_groups(claims: Mapping[str, Any], groups_claim: str) -> list[str]:
    raw = claims.get(groups_claim) or []
    if isinstance(raw, str):
        raw = [g for g in raw.replace(",", " ").split() if g]
    return [str(g).strip() for g in raw]


def oidc_principal(
    store: Store,
    claims: Mapping[str, Any],
    *,
    groups_claim: str | None = None,
    settings: Settings | None = None,
) -> Principal:
    """The principal of a user signed in by an identity provider (OIDC), from its ID token's
    ``claims``.

    The account is the one named by ``preferred_username`` (else ``email``, else ``sub``). A user without
    an account gets one on first sign-in only when ``WORKBENCH_OIDC_CREATE_ACCOUNTS`` allows it, from
    the groups claim: a group named after a role (``analyst`` or ``workbench-analyst``) gives that role,
    ``org:CODE`` the organisation (which must exist), ``personal-data`` the personal-data permission.
    Otherwise, or with no role or organisation among the groups, the sign-in is refused. An existing
    account keeps the roles the workbench's administrators gave it. Audited like every sign-in.

    >>> from workbench.store import open_store
    >>> store = open_store("sqlite://")
    >>> create_organisation(store, "BE-AGD", "Belgian customs", "administration", by=installation_principal())
    >>> s = Settings.from_env({"WORKBENCH_OIDC_CREATE_ACCOUNTS": "true"})
    >>> p = oidc_principal(store, {"preferred_username": "lena", "groups": ["workbench-analyst", "org:BE-AGD",
    ...                    "personal-data"]}, settings=s)
    >>> p.organisation, p.role, p.can_see_personal
    ('BE-AGD', 'analyst', True)
    """
    settings = settings or Settings.from_env()
    groups = _claim_groups(claims, groups_claim or settings.oidc_groups_claim)
    name = str(claims.get("preferred_username") or claims.get("email") or claims.get("sub") or "").strip()
    roles = [
        g.removeprefix("workbench-").lower() for g in groups if g.removeprefix("workbench-").lower() in ROLES
    ]
    orgs = [g[4:] for g in groups if g.lower().startswith("org:")]
    refusal: SignInRefused | None = None
    with store.session() as s:
        account = _account(s, name) if name else None
        if not name:
            refusal = SignInRefused("wrong", _("the identity provider gave no user name"))
        elif account is None:
            org = (
                s.execute(sa.select(Organisation).where(Organisation.code.in_(orgs))).scalars().first()
                if orgs
                else None
            )
            if not settings.oidc_create_accounts:
                refusal = SignInRefused(
                    "wrong", _("no account for this user; ask an administrator to add one")
                )
            elif not roles or org is None:
                refusal = SignInRefused(
                    "wrong",
                    _("the identity provider's groups give this user no role or no known organisation"),
                )
            else:
                account = Account(
                    name=name[:120],
                    organisation_id=org.id,
                    roles=",".join(_roles(roles)),
                    personal="personal-data" in groups,
                    password_hash=None,
                    failed_logins=0,
                    disabled=False,
                    email=str(claims.get("email") or "") or None,
                    created_at=_now(),
                )
                s.add(account)
                s.flush()
                _audit(
                    s,
                    "administration.account_create",
                    {"account": name, "organisation": org.code, "roles": roles, "source": "oidc"},
                    installation_principal(),
                )
        if refusal is None and account is not None and account.disabled:
            refusal = SignInRefused("disabled", _("this account is disabled; ask an administrator"))
        if refusal is not None:
            _audit(s, "failed_login", {"method": "oidc", "reason": refusal.reason}, _nobody(name or "(oidc)"))
        else:
            assert account is not None
            account.last_login_at = _now()
            principal = _principal(s, account)
            _audit(s, "login", {"method": "oidc"}, principal)
    if refusal is not None:
        raise refusal
    return principal
