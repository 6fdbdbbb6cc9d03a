"""AppTest of the app's session (workbench/ui/session.py): nothing opens without a login on a store with
accounts; a wrong password is refused and audited; sign-out and idle expiry end the session (audited);
a forged WORKBENCH_ROLE grants nothing; the second factor; personal data only after a stated purpose;
each role sees only the pages it may open; the single-user mode of a store without accounts."""

from __future__ import annotations

import time

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT
from workbench.identity import Principal, Purpose
from workbench.ui.navigation import discover_pages, pages_for

APP = str(ROOT / "app.py")
PAGES = [p.path for specs in discover_pages(ROOT).values() for p in specs]
PASSWORD = "correct horse battery staple"
ACCOUNTS = {  # name: (roles, personal)
    "ada": (["admin"], True),
    "ana": (["analyst"], True),
    "nop": (["analyst"], False),
    "vic": (["viewer"], False),
    "aud": (["auditor"], False),
}


@pytest.fixture()
def accounts_url(store_copy: str) -> str:
    """A copy of the seeded sample with an organisation and one account per role of :data:`ACCOUNTS`."""
    from workbench.identity.accounts import create_account, create_organisation, installation_principal
    from workbench.store import open_store

    store = open_store(store_copy)
    setup = installation_principal()
    create_organisation(store, "FR-DGDDI", "French customs", "administration", by=setup)
    for name, (roles, personal) in ACCOUNTS.items():
        create_account(
            store, name, organisation="FR-DGDDI", roles=roles, password=PASSWORD, personal=personal, by=setup
        )
    return store_copy


def _app(monkeypatch: pytest.MonkeyPatch, url: str, role: str = "analyst") -> AppTest:
    monkeypatch.setenv("WORKBENCH_DB_URL", url)
    monkeypatch.setenv("WORKBENCH_ROLE", role)
    monkeypatch.setenv("WORKBENCH_USER", "forger")
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    assert not at.exception, at.exception
    return at


def _sign_in(at: AppTest, name: str, password: str = PASSWORD) -> AppTest:
    at.text_input(key="login_name").set_value(name)
    at.text_input(key="login_password").set_value(password)
    at.button(key="login_submit").click().run()
    assert not at.exception, at.exception
    return at


def _on_login_form(at: AppTest) -> bool:
    return any(s.value == "Sign in" for s in at.subheader) and not at.metric


def _audit(url: str) -> list[tuple[str, str]]:
    from workbench.store import open_store
    from workbench.store.history import audit_history

    log = audit_history(open_store(url))
    return list(zip(log["user"], log["action"], strict=True))


def _switch(at: AppTest, page: str) -> bool:
    """Switch to ``page`` (False when the app's navigation does not even offer it)."""
    try:
        at.switch_page(page)
    except ValueError:  # AppTest: "Could not find a navigation page"
        return False
    at.run()
    assert not at.exception, at.exception
    return True


@pytest.mark.parametrize("page", PAGES)
def test_no_page_opens_without_a_login(page: str, accounts_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _app(monkeypatch, accounts_url)
    assert _on_login_form(at)
    assert not _switch(at, page)  # signed out, the navigation offers the login form only


@pytest.mark.parametrize("page", PAGES)
def test_a_page_run_alone_asks_for_a_login(
    page: str, accounts_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Streamlit's legacy mode runs a page of pages/ on its own, without app.py (a deep link into a server
    # started with plain `streamlit run`; AppTest once the navigation offered the page): the page's own
    # guard shows the login form then
    at = _sign_in(_app(monkeypatch, accounts_url), "ada")
    assert _switch(at, page)
    at.session_state["_workbench_session"].last_seen = time.time() - 31 * 60  # the session ends
    at.run()
    assert not at.exception, at.exception
    assert _on_login_form(at), page
    assert not at.dataframe and not at.get("vega_lite_chart"), page


def test_every_page_passes_the_guard_first() -> None:
    import ast

    for path in PAGES:
        tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
        body = [n for n in tree.body if not isinstance(n, (ast.Import, ast.ImportFrom))]
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            body = body[1:]  # the docstring
        first = body[0]
        assert (
            isinstance(first, ast.Expr)
            and isinstance(first.value, ast.Call)
            and getattr(first.value.func, "id", None) == "page_guard"
        ), f"{path}: the first statement after the imports must be page_guard()"


def test_forged_role_grants_nothing(accounts_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _app(monkeypatch, accounts_url, role="admin")  # WORKBENCH_ROLE=admin, WORKBENCH_USER=forger
    assert _on_login_form(at)
    assert not any("forger" in c.value for c in at.caption)


def test_wrong_password_is_refused_and_audited(accounts_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _sign_in(_app(monkeypatch, accounts_url), "ana", "not the password at all")
    assert at.error, "no message for a wrong password"
    assert _on_login_form(at)
    unknown = _sign_in(at, "nobody-here", "not the password at all")
    assert unknown.error[-1].value == at.error[0].value  # an unknown name and a wrong password say the same
    assert any(user == "ana" and "fail" in action for user, action in _audit(accounts_url))


def test_sign_in_and_sign_out(accounts_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _sign_in(_app(monkeypatch, accounts_url), "ana")
    assert not _on_login_form(at)
    assert any(m.label == "Cases" for m in at.metric)
    assert any("Signed in as **ana**" in c.value for c in at.sidebar.caption)
    at.button(key="sign_out").click().run()
    assert _on_login_form(at)
    assert any("signed out" in i.value for i in at.info)
    assert ("ana", "login.sign_out") in _audit(accounts_url)


def test_idle_session_ends(accounts_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _sign_in(_app(monkeypatch, accounts_url), "ana")
    session = at.session_state["_workbench_session"]
    session.last_seen = time.time() - 31 * 60  # the default idle limit is 30 minutes
    at.run()
    assert _on_login_form(at)
    assert any("without activity" in i.value for i in at.info)
    assert ("ana", "login.expired") in _audit(accounts_url)


def test_second_factor(accounts_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import pyotp

    from workbench.identity.accounts import enable_totp, installation_principal
    from workbench.store import open_store

    uri = enable_totp(open_store(accounts_url), "ana", by=installation_principal())
    at = _sign_in(_app(monkeypatch, accounts_url), "ana")
    assert _on_login_form(at)
    code = at.text_input(key="login_totp")  # asked once the password was right
    at.text_input(key="login_password").set_value(PASSWORD)
    code.set_value("000000" if pyotp.parse_uri(uri).now() != "000000" else "111111")
    at.button(key="login_submit").click().run()
    assert _on_login_form(at) and at.error
    at.text_input(key="login_password").set_value(PASSWORD)
    at.text_input(key="login_totp").set_value(pyotp.parse_uri(uri).now())
    at.button(key="login_submit").click().run()
    assert not _on_login_form(at), [e.value for e in at.error]


def _open_case(at: AppTest, url: str) -> tuple[str, str]:
    from workbench.store import open_store
    from workbench.store.queries import load_cases

    case = load_cases(open_store(url), limit=1).iloc[0]
    at.switch_page("pages/cases.py")
    at.run()
    at.session_state["_workbench_state"].selected_case = (case["reporting_country"], case["case_id"])
    at.run()
    assert not at.exception, at.exception
    return case["reporting_country"], case["case_id"]


def _persons_shown(at: AppTest) -> bool:
    return any(m.value == "**Persons**" for m in at.markdown)


def test_personal_data_only_after_a_purpose(accounts_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _sign_in(_app(monkeypatch, accounts_url), "ana")
    _open_case(at, accounts_url)
    assert not _persons_shown(at)
    at.button(key="purpose_submit_").click().run()  # an empty purpose is refused
    assert at.error and not _persons_shown(at)
    at.text_input(key="purpose_ref_").set_value("OP-2026-17")
    at.text_area(key="purpose_why_").set_value("cocaine route investigation, suspect vehicle")
    at.button(key="purpose_submit_").click().run()
    assert not at.exception, at.exception
    assert _persons_shown(at)
    assert any("Purpose: OP-2026-17" in c.value for c in at.sidebar.caption)


@pytest.mark.parametrize("name", ["vic", "nop"])
def test_no_personal_data_without_the_permission(
    name: str, accounts_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = _sign_in(_app(monkeypatch, accounts_url), name)
    _open_case(at, accounts_url)
    assert not _persons_shown(at)
    assert not [t for t in at.text_input if t.key and t.key.startswith("purpose_")]  # no prompt to answer
    assert any("personal data" in i.value for i in at.info)


def test_purpose_per_case(accounts_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from workbench.ui.session import _purpose_key

    monkeypatch.setenv("WORKBENCH_PURPOSE_SCOPE", "case")
    at = _sign_in(_app(monkeypatch, accounts_url), "ana")
    rc, cid = _open_case(at, accounts_url)
    key = _purpose_key(f"case {rc}/{cid}")
    assert key
    at.text_input(key=f"purpose_ref_{key}").set_value("OP-1")
    at.text_area(key=f"purpose_why_{key}").set_value("checking the driver")
    at.button(key=f"purpose_submit_{key}").click().run()
    assert _persons_shown(at)
    purposes = at.session_state["_workbench_session"].purposes
    assert purposes == {key: Purpose("OP-1", "checking the driver", "")}


def _titles(principal: Principal) -> set[str]:
    return {p.path for specs in pages_for(principal, discover_pages(ROOT)).values() for p in specs}


def test_each_role_sees_only_its_pages() -> None:
    admin = _titles(Principal("ada", "X", frozenset({"admin"})))
    analyst = _titles(Principal("ana", "X", frozenset({"analyst"}), personal=True))
    viewer = _titles(Principal("vic", "X", frozenset({"viewer"})))
    auditor = _titles(Principal("aud", "X", frozenset({"auditor"})))
    assert "pages/admin.py" in admin and "pages/admin.py" not in analyst | viewer | auditor
    assert "pages/overview.py" in viewer and "pages/overview.py" not in auditor
    assert "pages/scorecards.py" in analyst and "pages/scorecards.py" not in viewer
    anonymous = Principal("nobody", "", frozenset(), mode="anonymous")
    assert _titles(anonymous) == set()


def test_admin_page_is_not_reachable_for_an_analyst(
    accounts_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = _sign_in(_app(monkeypatch, accounts_url), "ana")
    assert not _switch(at, "pages/admin.py")  # the navigation leaves it out


def test_a_page_run_alone_checks_what_it_needs(accounts_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import dataclasses

    at = _sign_in(_app(monkeypatch, accounts_url), "ada")
    assert _switch(at, "pages/admin.py")
    assert any(t.value == "Accounts & store" for t in at.title)
    session = at.session_state["_workbench_session"]
    session.principal = dataclasses.replace(session.principal, roles=frozenset({"analyst"}))
    at.run()  # the page alone (legacy mode): its guard checks the page's needs=administer
    assert any("do not open this page" in e.value for e in at.error)
    assert not any(t.value == "Accounts & store" for t in at.title)


def test_a_store_without_accounts_is_single_user(seeded_sqlite: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _app(monkeypatch, seeded_sqlite, role="viewer")
    assert not _on_login_form(at)
    assert any(m.label == "Cases" for m in at.metric)
    captions = " ".join(c.value for c in at.sidebar.caption)
    assert "Single-user mode" in captions and "role **viewer**" in captions
    assert not any(b.key == "sign_out" for b in at.button)


def matrix_markdown() -> str:
    """The role x action matrix as the README's Markdown table."""
    from workbench.identity import ROLES, matrix_table

    cols = ["action", *ROLES, "help"]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for row in matrix_table():
        cells = [f"`{row['action']}`", *("✓" if row[r] == "yes" else "" for r in ROLES), row["help"]]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def test_readme_shows_the_declared_matrix() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = readme.split("<!-- matrix:start -->\n", 1)[1].split("\n<!-- matrix:end -->", 1)[0]
    assert shown == matrix_markdown(), (
        "README's matrix differs from matrix.yaml; paste this:\n" + matrix_markdown()
    )


def test_an_expired_password_is_changed_at_sign_in(
    accounts_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import datetime as dt

    import sqlalchemy as sa

    from workbench.store import open_store
    from workbench.store.models import Account

    with open_store(accounts_url).session() as s:
        s.execute(
            sa.update(Account)
            .where(Account.name == "ana")
            .values(password_changed_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=400))
        )
    at = _sign_in(_app(monkeypatch, accounts_url), "ana")
    assert any("has expired" in w.value for w in at.warning)
    new = "a brand new passphrase 2026"
    at.text_input(key="pw_old_expired").set_value(PASSWORD)
    at.text_input(key="pw_new_expired").set_value(new)
    at.text_input(key="pw_again_expired").set_value(new + "x")
    at.button(key="pw_submit_expired").click().run()
    assert any("differ" in e.value for e in at.error)
    at.text_input(key="pw_again_expired").set_value(new)
    at.button(key="pw_submit_expired").click().run()
    assert any("Password changed" in i.value for i in at.info)
    at = _sign_in(at, "ana", new)
    assert not _on_login_form(at)
    assert ("ana", "administration.password_change") in _audit(accounts_url)


def test_own_password_change_in_the_sidebar(accounts_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _sign_in(_app(monkeypatch, accounts_url), "vic")
    at.run()  # AppTest runs the page on its own from here on: the sidebar drawn by its guard
    new = "another long passphrase 77"
    at.text_input(key="pw_old_own").set_value("not my password at all")
    at.text_input(key="pw_new_own").set_value(new)
    at.text_input(key="pw_again_own").set_value(new)
    at.button(key="pw_submit_own").click().run()
    assert any("wrong" in e.value for e in at.error)
    at.text_input(key="pw_old_own").set_value(PASSWORD)
    at.button(key="pw_submit_own").click().run()
    assert any("Password changed" in m.value for m in at.success)
    at.button(key="sign_out").click().run()
    assert not _on_login_form(_sign_in(at, "vic", new))
