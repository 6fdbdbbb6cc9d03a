"""The Admin page's account administration: organisations, accounts, roles, passwords, second factors and
access tokens.

Every panel calls :mod:`workbench.identity.accounts` with the signed-in principal as ``by``; the library
checks the ``administer`` permission and writes the audit entry, so these panels only read widgets and
show what the library says. A refusal (:class:`~workbench.identity.PermissionDenied`, a ``ValueError``
naming the rule) is shown as it is; a password is never repeated and a token is shown once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from workbench.i18n import _
from workbench.identity import ROLES, PermissionDenied, Principal
from workbench.identity.accounts import (
    ORGANISATION_KINDS,
    create_account,
    create_organisation,
    disable_account,
    enable_account,
    enable_totp,
    grant,
    issue_token,
    list_accounts,
    list_organisations,
    revoke_token,
)
from workbench.identity.accounts import change_password as set_password
from workbench.ui.resources import get_store
from workbench.ui.widgets import data_table, headers

__all__ = ["accounts_panel", "organisations_panel"]

_DONE = "_workbench_admin_done"  # the message of the last action, shown after the rerun
_SECRET = "_workbench_admin_secret"  # a token or TOTP URI to show once, after the rerun


def _run(action: Callable[[], Any], done: str, secret: str | None = None) -> bool:
    """Run one administration call; its refusal shown as an error, its success after the rerun."""
    try:
        result = action()
    except (PermissionDenied, ValueError, LookupError) as exc:
        st.error(str(exc))
        return False
    st.session_state[_DONE] = done
    if secret is not None:
        st.session_state[_SECRET] = (secret, str(result))
    st.rerun()
    return True  # pragma: no cover  (st.rerun raises)


def _flash() -> None:
    done = st.session_state.pop(_DONE, None)
    if done:
        st.success(done)
    shown = st.session_state.pop(_SECRET, None)
    if shown:
        label, value = shown
        st.warning(_("{what}: shown this once; copy it now.", what=label))
        st.code(value, language=None)


def organisations_panel(by: Principal) -> list[str]:
    """The organisations and a form to add one; returns their codes."""
    store = get_store()
    orgs = list_organisations(store)
    table = pd.DataFrame(orgs, columns=["code", "name", "kind", "accounts"])
    data_table(table, hide_index=True, width="stretch", column_config=headers(table))
    with st.expander(_("Add an organisation")), st.form("admin_org_add", border=False):
        c1, c2, c3 = st.columns([1, 2, 1])
        code = c1.text_input(_("Code"), key="admin_org_code", placeholder=_("FR-DGDDI"))
        name = c2.text_input(_("Name"), key="admin_org_name")
        kind = c3.selectbox(_("Kind"), ORGANISATION_KINDS, key="admin_org_kind")
        if st.form_submit_button(_("Add the organisation"), key="admin_org_submit"):
            _run(
                lambda: create_organisation(store, code, name, kind, by), _("Organisation {c} added.", c=code)
            )
    return [str(o["code"]) for o in orgs]


def _add_account(by: Principal, organisations: list[str]) -> None:
    store = get_store()
    with st.expander(_("Add an account")), st.form("admin_add", border=False):
        c1, c2 = st.columns(2)
        name = c1.text_input(_("Account name"), key="admin_add_name")
        org = c2.selectbox(_("Organisation"), organisations, key="admin_add_org")
        roles = st.multiselect(
            _("Roles"), list(ROLES), key="admin_add_roles", help=_("See the matrix below.")
        )
        personal = st.checkbox(
            _("May see personal data (with a role that allows it)"), key="admin_add_personal"
        )
        password = st.text_input(
            _("First password"),
            type="password",
            key="admin_add_password",
            help=_("Give it to the user by a separate channel; they change it after signing in."),
        )
        if st.form_submit_button(_("Add the account"), key="admin_add_submit"):
            _run(
                lambda: create_account(
                    store,
                    name,
                    organisation=org or "",
                    roles=roles,
                    password=password,
                    personal=personal,
                    by=by,
                ),
                _("Account {n} added.", n=name),
            )


def _manage(by: Principal, accounts: list[dict[str, Any]]) -> None:
    store = get_store()
    names = [str(a["name"]) for a in accounts]
    name = st.selectbox(_("Account"), names, key="admin_manage_name")
    if not name:
        return
    row = next(a for a in accounts if a["name"] == name)
    tab_roles, tab_password, tab_access = st.tabs([_("Roles"), _("Password"), _("Access")])
    with tab_roles, st.form(f"admin_grant_{name}", border=False):
        current = [r for r in str(row["roles"]).split("+") if r in ROLES]
        roles = st.multiselect(_("Roles"), list(ROLES), default=current, key=f"admin_grant_roles_{name}")
        personal = st.checkbox(
            _("May see personal data"), value=bool(row["personal"]), key=f"admin_grant_personal_{name}"
        )
        if st.form_submit_button(_("Save the roles"), key="admin_grant_submit"):
            _run(lambda: grant(store, name, roles, personal, by=by), _("Roles of {n} saved.", n=name))
    with tab_password, st.form(f"admin_reset_{name}", border=False):
        new = st.text_input(_("New password"), type="password", key=f"admin_reset_pw_{name}")
        if st.form_submit_button(_("Reset the password"), key="admin_reset_submit"):
            _run(lambda: set_password(store, name, new, by=by), _("Password of {n} reset.", n=name))
    with tab_access:
        c1, c2, c3 = st.columns(3)
        if row["state"] == "disabled":
            if c1.button(_("Enable the account"), key="admin_enable"):
                _run(lambda: enable_account(store, name, by=by), _("Account {n} enabled.", n=name))
        elif c1.button(_("Disable the account"), key="admin_disable"):
            _run(lambda: disable_account(store, name, by=by), _("Account {n} disabled.", n=name))
        days = c2.number_input(
            _("Token lifetime (days)"), min_value=1, max_value=365, value=30, key="admin_days"
        )
        if c2.button(_("Issue an access token"), key="admin_token"):
            _run(
                lambda: issue_token(store, name, days=int(days), by=by),
                _("Token issued for {n}.", n=name),
                secret=_("Access token of {n} (WORKBENCH_TOKEN)", n=name),
            )
        if c3.button(_("Revoke all tokens"), key="admin_revoke"):
            _run(lambda: revoke_token(store, name, by=by), _("Tokens of {n} revoked.", n=name))
        if c3.button(_("Set up a second factor"), key="admin_totp"):
            _run(
                lambda: enable_totp(store, name, by=by),
                _("Second factor set up for {n}.", n=name),
                secret=_("Provisioning URI for the authenticator app of {n}", n=name),
            )


def accounts_panel(by: Principal) -> None:
    """Accounts: the list, adding one, roles, password reset, disabling, tokens, second factor."""
    _flash()
    st.subheader(_("Organisations"))
    organisations = organisations_panel(by)
    st.subheader(_("Accounts"))
    accounts = list_accounts(get_store())
    columns = ["name", "organisation", "roles", "personal", "state", "second_factor", "last_login"]
    table = pd.DataFrame(accounts, columns=columns)
    data_table(table, hide_index=True, width="stretch", column_config=headers(table))
    if not accounts:
        st.info(
            _(
                "This store has no account yet: whoever opens the app acts as the local user. Add the first "
                "account, an administrator, and from then on everyone signs in."
            )
        )
    _add_account(by, organisations)
    if accounts:
        _manage(by, accounts)
