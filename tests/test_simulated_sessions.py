"""Simulated users (workbench/ui/simulated_sessions.py): two sessions of one server process, at once,
sign in as two different accounts, render the Overview without error, and keep their own session state;
the process's AppTest machinery is put back afterwards."""

from __future__ import annotations

import datetime as dt

import pytest

from workbench.store.filters import CaseFilter
from workbench.ui.simulated_sessions import SimulatedUser, one_server_process, run_at_once

PASSWORD = "correct horse battery staple"


@pytest.fixture()
def two_accounts(store_copy: str, monkeypatch: pytest.MonkeyPatch) -> str:
    from workbench.identity.accounts import create_account, create_organisation, installation_principal
    from workbench.store import open_store

    store = open_store(store_copy)
    setup = installation_principal()
    create_organisation(store, "FR-DGDDI", "French customs", "administration", by=setup)
    for name, role in (("ana", "analyst"), ("vic", "viewer")):
        create_account(
            store, name, organisation="FR-DGDDI", roles=[role], password=PASSWORD, personal=False, by=setup
        )
    store.engine.dispose()
    monkeypatch.setenv("WORKBENCH_DB_URL", store_copy)
    monkeypatch.setenv("WORKBENCH_ROLE", "admin")  # a store with accounts: the role grants nothing
    return store_copy


def test_two_users_at_once_keep_their_own_sessions(two_accounts: str) -> None:
    from streamlit import config
    from streamlit.runtime import Runtime
    from streamlit.testing.v1 import app_test

    def machinery() -> tuple[object, ...]:
        return (
            Runtime._instance,
            app_test.Runtime,
            app_test.ScriptCache,
            app_test.PagesManager,
            config.get_option,
        )

    before = machinery()
    drugs = CaseFilter(date_from=dt.date(2020, 1, 1), commodity_categories=("drugs",))
    with one_server_process():
        ana, vic = SimulatedUser("ana", PASSWORD), SimulatedUser("vic", PASSWORD)
        run_at_once([ana, vic], lambda u: u.sign_in())
        assert not ana.errors + vic.errors
        for user in (ana, vic):
            assert [t.value for t in user.at.title] == ["Overview"]
            assert [label for label, _ in user.times] == ["sign in"]
        assert ana.principal is not None and (ana.principal.user, ana.principal.role) == ("ana", "analyst")
        assert vic.principal is not None and (vic.principal.user, vic.principal.role) == ("vic", "viewer")

        ana.change_filter(drugs, "overview, drugs")  # one user's filter is not the other's
        vic.step("overview again", vic.at.run)
        assert not ana.errors + vic.errors
        assert ana.at.session_state["_workbench_state"].filter == drugs
        assert vic.at.session_state["_workbench_state"].filter == CaseFilter()
        assert ana.principal.user == "ana" and vic.principal.user == "vic"

        with pytest.raises(RuntimeError):  # process-wide: not twice at once
            with one_server_process():
                pass
    assert machinery() == before
    assert config.get_option("global.appTest") is False


def test_a_refused_sign_in_is_an_error_of_the_session(two_accounts: str) -> None:
    with one_server_process():
        eve = SimulatedUser("ana", "not the password")
        assert eve.sign_in() is False
    assert eve.principal is None
    assert any("not signed in" in e for e in eve.errors)
    assert all("not the password" not in e for e in eve.errors)
