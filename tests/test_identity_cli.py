"""``workbench user ...`` end to end, and the command line's sign-in: the first administrator on a store
without accounts, passwords from standard input, tokens, grants, disabling, a password change; `serve`
on loopback by default."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from workbench.cli import build_parser, main
from workbench.identity import accounts as acc
from workbench.store import AuditEntry, open_store

ADMIN_PW = "first admin password"
ANA_PW = "her own secret phrase"


def _stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(text))


def test_user_commands_end_to_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'u.db'}"
    monkeypatch.setenv("WORKBENCH_ROLE", "analyst")
    monkeypatch.setenv("WORKBENCH_USER", "owner")
    # the store's local user creates the first account, which must be an administrator
    _stdin(monkeypatch, ADMIN_PW + "\n")
    assert (
        main(["user", "add", "ana", "--org", "FR-DGDDI", "--role", "analyst", "--password-stdin", "--db", db])
        == 2
    )
    assert "first account of a store must be an administrator" in capsys.readouterr().err
    _stdin(monkeypatch, ADMIN_PW + "\n")
    assert (
        main(
            [
                "user",
                "add",
                "chief",
                "--org",
                "FR-DGDDI",
                "--admin",
                "--personal",
                "--password-stdin",
                "--db",
                db,
            ]
        )
        == 0
    )
    assert "added chief (admin) of FR-DGDDI" in capsys.readouterr().out
    store = open_store(db)
    chief = acc.sign_in(store, "chief", ADMIN_PW)
    assert chief.can_see_personal
    # from now on the local user is nobody: a token signs the administrator in
    _stdin(monkeypatch, ANA_PW + "\n")
    assert (
        main(["user", "add", "ana", "--org", "FR-DGDDI", "--role", "analyst", "--password-stdin", "--db", db])
        == 3
    )
    monkeypatch.setenv("WORKBENCH_TOKEN", acc.issue_token(store, "chief", by=chief))
    _stdin(monkeypatch, "short\n")
    assert (
        main(["user", "add", "ana", "--org", "FR-DGDDI", "--role", "analyst", "--password-stdin", "--db", db])
        == 2
    )
    assert "at least 12 characters" in capsys.readouterr().err
    _stdin(monkeypatch, ANA_PW + "\n")
    assert (
        main(["user", "add", "ana", "--org", "BE-AGD", "--role", "analyst", "--password-stdin", "--db", db])
        == 0
    )
    assert "added the organisation BE-AGD" in capsys.readouterr().err
    _stdin(monkeypatch, "")  # no terminal and no --password-stdin: a generated one-time password, shown once
    assert main(["user", "add", "vic", "--org", "BE-AGD", "--role", "viewer", "--db", db]) == 0
    generated = capsys.readouterr().out.split("one-time password of 'vic': ")[1].split()[0]
    assert acc.sign_in(store, "vic", generated).role == "viewer"

    assert (
        main(["user", "grant", "ana", "--role", "analyst", "--role", "steward", "--personal", "--db", db])
        == 0
    )
    assert acc.sign_in(store, "ana", ANA_PW).role == "analyst+steward"
    assert main(["user", "list", "--db", db]) == 0
    listing = capsys.readouterr().out
    assert "ana" in listing and "analyst+steward" in listing and "personal data" in listing
    assert "argon2" not in listing and ANA_PW not in listing
    assert main(["user", "list", "--orgs", "--db", db]) == 0
    assert "BE-AGD" in capsys.readouterr().out

    # a token for ana, printed once on stdout; it signs her in, and revoking ends it
    assert main(["user", "token", "ana", "--days", "3", "--db", db]) == 0
    token = capsys.readouterr().out.strip()
    assert acc.principal_from_token(store, token).account == "ana"
    monkeypatch.setenv("WORKBENCH_TOKEN", token)
    assert main(["user", "list", "--db", db]) == 3  # ana administers nothing
    assert "ana (analyst+steward) may not manage accounts" in capsys.readouterr().err
    assert main(["info", "--db", db]) == 0
    assert "signed in as: ana (analyst+steward, account)" in capsys.readouterr().out
    assert main(["user", "token", "ana", "--revoke", "--db", db]) == 0  # her own
    assert main(["info", "--db", db]) == 3
    assert "unknown or revoked" in capsys.readouterr().err

    # her own password change needs the old one; an administrator's reset does not
    monkeypatch.delenv("WORKBENCH_TOKEN")
    _stdin(monkeypatch, "not the old one\na brand new phrase\n")
    assert main(["user", "passwd", "ana", "--password-stdin", "--db", db]) == 3
    _stdin(monkeypatch, ANA_PW + "\na brand new phrase\n")
    assert main(["user", "passwd", "ana", "--password-stdin", "--db", db]) == 0
    assert acc.sign_in(store, "ana", "a brand new phrase").account == "ana"
    monkeypatch.setenv("WORKBENCH_TOKEN", acc.issue_token(store, "chief", by=chief))
    _stdin(monkeypatch, "reset by the chief\n")
    assert main(["user", "passwd", "ana", "--reset", "--password-stdin", "--db", db]) == 0
    assert main(["user", "disable", "ana", "--db", db]) == 0
    with pytest.raises(acc.SignInRefused, match="disabled"):
        acc.sign_in(store, "ana", "reset by the chief")
    assert main(["user", "disable", "chief", "--db", db]) == 2  # not one's own account
    assert main(["user", "enable", "ana", "--db", db]) == 0
    assert main(["user", "totp", "ana", "--db", db]) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("otpauth://totp/")
    assert (
        main(["user", "org", "RILO-WE", "--name", "RILO Western Europe", "--kind", "rilo", "--db", db]) == 0
    )

    with store.engine.connect() as c:
        log = c.execute(sa.select(AuditEntry.user, AuditEntry.action, AuditEntry.details)).all()
    actions = [a for _u, a, _d in log]
    for expected in (
        "administration.account_create",
        "administration.grant",
        "administration.token_issue",
        "administration.token_revoke",
        "administration.password_change",
        "administration.password_reset",
        "administration.account_disable",
        "administration.totp_enable",
        "administration.organisation_create",
        "login",
        "failed_login",
    ):
        assert expected in actions, expected
    text = json.dumps([d for _u, _a, d in log])
    for secret in (ADMIN_PW, ANA_PW, "a brand new phrase", "reset by the chief", generated, token):
        assert secret not in text
    assert {u for u, a, _d in log if a == "administration.password_reset"} == {"chief"}


def test_serve_listens_on_loopback_unless_told(monkeypatch: pytest.MonkeyPatch) -> None:
    """The probe: `workbench serve` without --address listened on every interface."""
    seen: dict[str, object] = {}
    monkeypatch.setattr(
        "workbench.ui.serve.serve", lambda port, address: seen.update(port=port, address=address)
    )
    assert main(["serve"]) == 0
    assert seen == {"port": 8501, "address": "127.0.0.1"}
    assert build_parser().parse_args(["serve", "--address", "0.0.0.0"]).address == "0.0.0.0"


def test_the_store_and_settings_as_shown_hold_no_database_password() -> None:
    """The probe: `workbench info` and the Admin page (which shows ``Store.url`` and ``settings_table``)
    printed the database URL with its password."""
    from workbench.config import Settings, settings_table
    from workbench.store import Store, make_engine

    url = "postgresql+psycopg://wb:s3cret-pw@dbhost:5432/cen"
    assert Store(make_engine(url)).url == "postgresql+psycopg://wb:***@dbhost:5432/cen"
    env = {"WORKBENCH_DB_URL": url, "WORKBENCH_TOKEN": "wbt_x", "WORKBENCH_ADMIN_PASSWORD": "a-password-here"}
    shown = {r["variable"]: r["value"] for r in settings_table(Settings.from_env(env))}
    assert "s3cret-pw" not in json.dumps(shown)
    assert shown["WORKBENCH_TOKEN"] == shown["WORKBENCH_ADMIN_PASSWORD"] == "(set)"
