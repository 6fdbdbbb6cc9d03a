"""Accounts: argon2id hashes, sign-in refusals and lockout, expiry notice, TOTP, tokens, the local mode,
OIDC mapping. Each on SQLite and PostgreSQL (``store_url``)."""

from __future__ import annotations

import datetime as dt
import json

import pyotp
import pytest
import sqlalchemy as sa

from workbench.config import ROLES as LOCAL_ROLES
from workbench.config import Settings
from workbench.identity import ROLES, PermissionDenied, Principal
from workbench.identity import accounts as acc
from workbench.store import AuditEntry, Store, open_store
from workbench.store.models import Account, AccountToken

PASSWORD = "correct horse battery"
BOOT = acc.installation_principal()


@pytest.fixture
def store(store_url: str) -> Store:
    s = open_store(store_url)
    acc.create_organisation(s, "FR-DGDDI", "French customs", "administration", by=BOOT)
    acc.create_organisation(s, "RILO-WE", "RILO Western Europe", "rilo", by=BOOT)
    acc.create_account(s, "chief", organisation="FR-DGDDI", roles=["admin"], password=PASSWORD, by=BOOT)
    acc.create_account(
        s, "ana", organisation="FR-DGDDI", roles=["analyst"], password=PASSWORD, personal=True, by=BOOT
    )
    return s


def _audit(store: Store) -> list[tuple[str, str, dict]]:
    with store.engine.connect() as c:
        rows = c.execute(
            sa.select(AuditEntry.user, AuditEntry.action, AuditEntry.details).order_by(AuditEntry.id)
        )
        return [(u, a, json.loads(d or "{}")) for u, a, d in rows]


def _account(store: Store, name: str) -> Account:
    with store.session() as s:
        return s.execute(sa.select(Account).where(Account.name == name)).scalar_one()


def test_password_stored_as_argon2id_hash_and_sign_in_audited(store: Store) -> None:
    a = _account(store, "ana")
    assert a.password_hash is not None and a.password_hash.startswith("$argon2id$")
    assert PASSWORD not in a.password_hash
    p = acc.sign_in(store, "ana", PASSWORD)
    assert (p.account, p.organisation, p.roles, p.personal, p.mode) == (
        "ana",
        "FR-DGDDI",
        frozenset({"analyst"}),
        True,
        "account",
    )
    assert p.can_see_personal and p.account_id == a.id
    assert _audit(store)[-1][:2] == ("ana", "login")


def test_unknown_name_and_wrong_password_say_the_same_and_are_audited(store: Store) -> None:
    with pytest.raises(acc.SignInRefused) as unknown:
        acc.sign_in(store, "nobody", PASSWORD)
    with pytest.raises(acc.SignInRefused) as wrong:
        acc.sign_in(store, "ana", "not the password")
    assert unknown.value.reason == wrong.value.reason == "wrong"
    assert str(unknown.value) == str(wrong.value)
    log = _audit(store)
    assert [(u, a, d["reason"]) for u, a, d in log[-2:]] == [
        ("nobody", "failed_login", "wrong"),
        ("ana", "failed_login", "wrong"),
    ]
    assert all("not the password" not in json.dumps(d) and PASSWORD not in json.dumps(d) for _u, _a, d in log)


def test_lockout_after_repeated_failures_even_with_the_right_password(store: Store) -> None:
    settings = Settings.from_env({"WORKBENCH_LOCKOUT_FAILURES": "3", "WORKBENCH_LOCKOUT_MINUTES": "15"})
    for _ in range(3):
        with pytest.raises(acc.SignInRefused, match="wrong"):
            acc.sign_in(store, "ana", "guess guess guess", settings=settings)
    with pytest.raises(acc.SignInRefused) as locked:
        acc.sign_in(store, "ana", PASSWORD, settings=settings)
    assert locked.value.reason == "locked"
    assert [r for r in acc.list_accounts(store) if r["name"] == "ana"][0]["state"] == "locked"
    # the lock passes with time
    with store.session() as s:
        s.execute(
            sa.update(Account)
            .where(Account.name == "ana")
            .values(locked_until=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1))
        )
    assert acc.sign_in(store, "ana", PASSWORD, settings=settings).account == "ana"


def test_disabled_account_refused_and_its_tokens_stop(store: Store) -> None:
    chief = acc.sign_in(store, "chief", PASSWORD)
    token = acc.issue_token(store, "ana", days=5, by=chief)
    acc.disable_account(store, "ana", by=chief)
    with pytest.raises(acc.SignInRefused) as e:
        acc.sign_in(store, "ana", PASSWORD)
    assert e.value.reason == "disabled"
    with pytest.raises(acc.SignInRefused) as e:
        acc.principal_from_token(store, token)
    assert e.value.reason == "disabled"
    acc.enable_account(store, "ana", by=chief)
    assert acc.principal_from_token(store, token).account == "ana"


def test_password_rules(store: Store) -> None:
    with pytest.raises(ValueError, match="at least 12"):
        acc.create_account(store, "bob", organisation="FR-DGDDI", roles=["viewer"], password="short", by=BOOT)
    with pytest.raises(ValueError, match="name"):
        acc.create_account(
            store,
            "bob.martin",
            organisation="FR-DGDDI",
            roles=["viewer"],
            password="x-bob.martin-2026",
            by=BOOT,
        )
    with pytest.raises(ValueError, match="not a role: wizard"):
        acc.create_account(
            store, "bob", organisation="FR-DGDDI", roles=["wizard"], password=PASSWORD, by=BOOT
        )
    with pytest.raises(ValueError, match="no organisation XX"):
        acc.create_account(store, "bob", organisation="XX", roles=["viewer"], password=PASSWORD, by=BOOT)
    with pytest.raises(ValueError, match="exists already"):
        acc.create_account(
            store, "ana", organisation="FR-DGDDI", roles=["viewer"], password=PASSWORD, by=BOOT
        )


def test_expiry_notice_then_expired_then_changed_with_the_old_one(store: Store) -> None:
    settings = Settings.from_env(
        {"WORKBENCH_PASSWORD_EXPIRY_DAYS": "180", "WORKBENCH_PASSWORD_NOTICE_DAYS": "14"}
    )
    ana = acc.sign_in(store, "ana", PASSWORD, settings=settings)
    assert acc.password_notice(store, ana, settings) is None

    def changed(days_ago: int) -> None:
        with store.session() as s:
            when = dt.datetime.now(dt.UTC) - dt.timedelta(days=days_ago)
            s.execute(sa.update(Account).where(Account.name == "ana").values(password_changed_at=when))

    changed(170)
    notice = acc.password_notice(store, ana, settings)
    assert notice is not None and "expires in 9 days" in notice
    changed(181)
    with pytest.raises(acc.SignInRefused) as e:
        acc.sign_in(store, "ana", PASSWORD, settings=settings)
    assert e.value.reason == "expired"
    with pytest.raises(acc.SignInRefused):
        acc.change_password(store, "ana", "a brand new secret", old_password="not it")
    acc.change_password(store, "ana", "a brand new secret", old_password=PASSWORD)
    assert acc.sign_in(store, "ana", "a brand new secret", settings=settings).account == "ana"
    assert _audit(store)[-2][1] == "administration.password_change"


def test_only_an_administrator_resets_a_password_or_grants(store: Store) -> None:
    ana = acc.sign_in(store, "ana", PASSWORD)
    chief = acc.sign_in(store, "chief", PASSWORD)
    with pytest.raises(PermissionDenied, match="ana \\(analyst\\) may not manage accounts"):
        acc.change_password(store, "chief", "taken over now!", by=ana)
    with pytest.raises(PermissionDenied):
        acc.grant(store, "ana", ["admin"], True, by=ana)
    with pytest.raises(PermissionDenied):
        acc.create_account(store, "eve", organisation="FR-DGDDI", roles=["admin"], password=PASSWORD, by=ana)
    acc.change_password(store, "ana", "reset by the chief", by=chief)
    acc.grant(store, "ana", ["analyst", "steward"], False, by=chief, organisation="RILO-WE")
    p = acc.sign_in(store, "ana", "reset by the chief")
    assert (p.role, p.personal, p.organisation, p.can_see_personal) == (
        "analyst+steward",
        False,
        "RILO-WE",
        False,
    )
    assert _audit(store)[-2][2]["roles_before"] == ["analyst"]


def test_second_factor(store: Store) -> None:
    ana = acc.sign_in(store, "ana", PASSWORD)
    uri = acc.enable_totp(store, "ana", by=ana)
    assert uri.startswith("otpauth://totp/") and "ana" in uri
    totp = pyotp.parse_uri(uri)
    for code in (None, "000000" if totp.now() != "000000" else "111111"):
        with pytest.raises(acc.SignInRefused) as e:
            acc.sign_in(store, "ana", PASSWORD, totp=code)
        assert e.value.reason == "second_factor"
    assert acc.sign_in(store, "ana", PASSWORD, totp=totp.now()).account == "ana"


def test_tokens_are_hashed_expire_and_are_revoked(store: Store) -> None:
    ana = acc.sign_in(store, "ana", PASSWORD)
    token = acc.issue_token(store, "ana", days=1, by=ana)
    with store.engine.connect() as c:
        stored = c.execute(sa.select(AccountToken.token_hash)).scalars().all()
    assert token not in stored and len(stored) == 1
    assert acc.principal_from_token(store, token).account == "ana"
    with pytest.raises(PermissionDenied):
        acc.issue_token(store, "chief", by=ana)  # not one's own and not an administrator
    with store.session() as s:
        s.execute(
            sa.update(AccountToken).values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
        )
    with pytest.raises(acc.SignInRefused) as e:
        acc.principal_from_token(store, token)
    assert e.value.reason == "expired"
    fresh = acc.issue_token(store, "ana", by=ana)
    assert acc.revoke_token(store, "ana", by=ana) == 2
    with pytest.raises(acc.SignInRefused, match="unknown or revoked"):
        acc.principal_from_token(store, fresh)
    with pytest.raises(acc.SignInRefused, match="unknown or revoked"):
        acc.principal_from_token(store, "wbt_made-up")
    assert [a for _u, a, d in _audit(store) if d.get("method") == "token"] == [
        "login",
        "failed_login",
        "failed_login",
        "failed_login",
    ]


def test_local_mode_until_the_first_account_then_role_and_user_grant_nothing(store_url: str) -> None:
    store = open_store(store_url)
    forged = {"WORKBENCH_ROLE": "admin", "WORKBENCH_USER": "chief.inspector"}
    local = acc.current_principal(store, forged)
    assert (local.mode, local.account, local.role) == ("local", "chief.inspector", "admin")
    with pytest.raises(ValueError, match="first account of a store must be an administrator"):
        acc.create_account(store, "ana", organisation="X", roles=["analyst"], password=PASSWORD, by=local)
    acc.create_organisation(store, "FR-DGDDI", "French customs", "administration", by=local)
    acc.create_account(store, "chief", organisation="FR-DGDDI", roles=["admin"], password=PASSWORD, by=local)
    assert acc.has_accounts(store)
    with pytest.raises(PermissionDenied, match="grant nothing"):
        acc.current_principal(store, forged)
    # the local principal is no administrator any more either
    with pytest.raises(PermissionDenied):
        acc.create_account(
            store, "eve", organisation="FR-DGDDI", roles=["admin"], password=PASSWORD, by=local
        )
    p = acc.current_principal(store, forged, prompt=lambda: acc.Credentials("chief", PASSWORD))
    assert (p.account, p.mode) == ("chief", "account")
    token = acc.issue_token(store, "chief", by=p)
    assert acc.current_principal(store, {**forged, "WORKBENCH_TOKEN": token}).account == "chief"


def test_oidc_maps_groups_to_roles_and_organisation(store: Store) -> None:
    off = Settings.from_env({})
    on = Settings.from_env({"WORKBENCH_OIDC_CREATE_ACCOUNTS": "true"})
    claims = {
        "preferred_username": "lena",
        "email": "lena@example.org",
        "groups": ["workbench-rilo", "org:RILO-WE"],
    }
    with pytest.raises(acc.SignInRefused, match="no account"):
        acc.oidc_principal(store, claims, settings=off)
    with pytest.raises(acc.SignInRefused, match="no role or no known organisation"):
        acc.oidc_principal(store, {**claims, "groups": ["org:RILO-WE"]}, settings=on)
    p = acc.oidc_principal(store, claims, settings=on)
    assert (p.account, p.organisation, p.role, p.personal) == ("lena", "RILO-WE", "rilo", False)
    # an existing account keeps what the administrators gave it, whatever the groups say
    assert (
        acc.oidc_principal(store, {"preferred_username": "ana", "groups": ["admin"]}, settings=off).role
        == "analyst"
    )
    assert [a for _u, a, d in _audit(store) if d.get("method") == "oidc"] == [
        "failed_login",
        "failed_login",
        "login",
        "login",
    ]


def test_list_accounts_shows_no_secret(store: Store) -> None:
    rows = acc.list_accounts(store)
    assert [r["name"] for r in rows] == ["ana", "chief"]
    assert not any("argon2" in str(v) for r in rows for v in r.values())
    assert {o["code"]: o["accounts"] for o in acc.list_organisations(store)} == {"FR-DGDDI": 2, "RILO-WE": 0}


def test_local_roles_are_the_matrix_roles() -> None:
    """WORKBENCH_ROLE (local mode) takes exactly the matrix's roles."""
    assert set(LOCAL_ROLES) == set(ROLES)
    for role in ROLES:
        Principal("x", "local", frozenset({Settings.from_env({"WORKBENCH_ROLE": role}).role}), mode="local")
