"""The app's session: who is signed in, the login gate, sign-out, idle expiry and the purpose prompt.

The entry script calls :func:`require_login` before the navigation, so nothing of the app is reachable
without a session; pages call :func:`get_principal` for the actor they pass to the library (which checks
the permission itself, :func:`workbench.identity.require`) and :func:`need_purpose` before they show
personal data.

How a session starts:

- the store has accounts: the login form (name, password, then the one-time code when the account has
  a second factor), :func:`workbench.identity.accounts.sign_in`, which audits every attempt;
- the administration configured an identity provider (``[auth]`` in ``.streamlit/secrets.toml``):
  Streamlit's ``st.login`` and ``st.user``, mapped to an account by
  :func:`workbench.identity.accounts.oidc_principal`;
- the store has no account yet (an analyst's own file, single user): the local principal of
  ``WORKBENCH_USER``/``WORKBENCH_ROLE``, as on the command line
  (:func:`workbench.identity.accounts.current_principal`). The sidebar says so, and says how to create
  the first administrator. As soon as the store has an account, that path is closed.

A signed-in session ends on sign-out or after ``WORKBENCH_SESSION_IDLE_MINUTES`` without a run; both are
audited (``login.sign_out``, ``login.expired``).
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import streamlit as st

from workbench.i18n import _
from workbench.identity import PermissionDenied, Principal, Purpose
from workbench.identity.accounts import (
    SignInRefused,
    change_password,
    current_principal,
    has_accounts,
    oidc_principal,
    password_notice,
    sign_in,
)
from workbench.store import audit
from workbench.ui.language import apply_language, forget_language, language_switch
from workbench.ui.navigation import page_spec
from workbench.ui.resources import get_home_store, get_settings

__all__ = [
    "SignedIn",
    "consultant",
    "get_principal",
    "need_purpose",
    "page_guard",
    "require_login",
    "sign_out",
    "signed_in",
    "who_am_i",
]

_KEY = "_workbench_session"
_LOCAL = "_workbench_local_principal"  # the principal of a store without accounts, for this run
_SECOND_FACTOR = "_workbench_login_second_factor"  # the name waiting for its one-time code
_ENDED = "_workbench_session_ended"  # why the last session ended, shown above the form once
_LOCAL_PURPOSES = "_workbench_local_purposes"  # purposes stated in a store without accounts
_EXPIRED = "_workbench_login_expired"  # the name whose password expired, to set a new one
_GATE = "_workbench_gate"  # on the script run context: the entry script's gate passed in this run


@dataclass
class SignedIn:
    """A signed-in session: the principal, when it last ran, the notice shown after sign-in, the purposes
    stated (one for the session, or one per case when ``WORKBENCH_PURPOSE_SCOPE`` is ``case``)."""

    principal: Principal
    last_seen: float
    notice: str | None = None
    purposes: dict[str, Purpose] = field(default_factory=dict)


def signed_in() -> SignedIn | None:
    """The signed-in session, or None (no sign-in yet, or a store without accounts)."""
    value = st.session_state.get(_KEY)
    return value if isinstance(value, SignedIn) else None


def get_principal() -> Principal:
    """Who acts in this session (the account signed in, or the local user of a store without accounts).

    Raises :class:`~workbench.identity.PermissionDenied` outside a session, which cannot happen on a
    page: the entry script stops before the navigation when nobody is signed in."""
    session = signed_in()
    if session is not None:
        return session.principal
    local = st.session_state.get(_LOCAL)
    if isinstance(local, Principal):
        return local
    raise PermissionDenied(_("nobody is signed in"))


def _audit_session(principal: Principal, action: str, details: dict[str, Any]) -> None:
    with get_home_store().session() as s:
        audit(s, action, details, cast(Any, principal))  # the store takes any actor with user and role


def _start(principal: Principal) -> None:
    st.session_state.pop(_SECOND_FACTOR, None)
    st.session_state.pop(_ENDED, None)
    notice = password_notice(get_home_store(), principal) if principal.mode == "account" else None
    st.session_state[_KEY] = SignedIn(principal, time.time(), notice)


def _end(reason: str | None) -> None:
    forget_language()
    st.session_state.pop(_KEY, None)
    st.session_state.pop(_SECOND_FACTOR, None)
    if reason:
        st.session_state[_ENDED] = reason


def sign_out() -> None:
    """End the session (audited); the next run shows the login form."""
    session = signed_in()
    if session is None:
        return
    _audit_session(session.principal, "login.sign_out", {"mode": session.principal.mode})
    _end(_("You signed out."))
    if _oidc_configured() and st.user.is_logged_in:
        st.logout()  # the identity provider's cookie too, or the next run signs in again


def _oidc_configured() -> bool:
    """Whether the administration configured an identity provider (``[auth]`` in the secrets)."""
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, KeyError):
        return False
    except Exception:  # an unreadable secrets file: no identity provider, and the form still works
        return False


def _idle_expired(session: SignedIn) -> bool:
    idle = get_settings().session_idle_minutes
    return idle > 0 and time.time() - session.last_seen > idle * 60


def _mark_gate() -> None:
    """Note that the entry script's gate let this script run through (see :func:`page_guard`)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx(suppress_warning=True)
    if ctx is not None:
        setattr(ctx, _GATE, ctx.cursors)  # the cursor table is made anew for each run


def page_guard() -> Principal:
    """The first line of every page: the principal, after the same checks as the entry script's.

    A page normally runs from the entry script's ``st.navigation``, which already passed the login gate
    and left out the pages the principal may not open. But Streamlit runs a page of ``pages/`` on its
    own, without ``app.py``, while it takes the app for a legacy "pages folder" app (a server started
    with plain ``streamlit run`` whose first visitor follows a deep link, before any ``st.navigation``;
    and AppTest, on every run). Such a run passes the gate here: the login form when nobody is signed in,
    a refusal when the page ``needs`` an action the principal may not do, and the sidebar's
    :func:`who_am_i`."""
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx(suppress_warning=True)
    if ctx is None or getattr(ctx, _GATE, None) is ctx.cursors:
        return get_principal()
    PagesManager.uses_pages_directory = False  # from the next run on, the entry script runs every page
    principal = _session_principal()
    apply_language(principal)
    if principal is None:
        _login_page()
        st.stop()
    assert principal is not None
    caller = sys._getframe(1).f_globals.get("__file__")
    spec = page_spec(Path(caller)) if caller else None
    if spec is not None and not spec.opens_for(principal):
        st.error(_("Your roles ({role}) do not open this page.", role=principal.role))
        st.stop()
    _mark_gate()
    with st.sidebar:  # the entry script did not run: who is signed in, and the way out, all the same
        who_am_i()
    return principal


def require_login() -> Principal:
    """The principal of this session; renders the login form and stops the script when there is none.

    Called by the entry script before the navigation, on every run. The login form is the app's only
    page then (``st.navigation`` with it alone), so any address shows the form."""
    principal = _session_principal()
    apply_language(principal)
    if principal is None:
        st.navigation([st.Page(_login_page, title=_("Sign in"), url_path="sign-in")], position="hidden").run()
        st.stop()
    assert principal is not None
    _mark_gate()
    return principal


def _session_principal() -> Principal | None:
    store = get_home_store()
    st.session_state.pop(_LOCAL, None)
    session = signed_in()
    if session is not None:
        if _idle_expired(session):
            minutes = get_settings().session_idle_minutes
            _audit_session(session.principal, "login.expired", {"idle_minutes": minutes})
            _end(_("Your session ended after {n} minutes without activity; sign in again.", n=minutes))
        else:
            session.last_seen = time.time()
            return session.principal
    if not has_accounts(store):
        local = current_principal(store)  # single user: WORKBENCH_USER / WORKBENCH_ROLE, as the CLI
        st.session_state[_LOCAL] = local
        return local
    if _oidc_configured() and st.user.is_logged_in:
        try:
            principal = oidc_principal(
                store, st.user.to_dict(), groups_claim=get_settings().oidc_groups_claim
            )
        except (SignInRefused, PermissionDenied) as exc:
            st.session_state[_ENDED] = str(exc)
            st.logout()  # refused by the workbench: the provider's cookie goes too, the form says why
            return None
        _start(principal)
        return principal
    return None


def _login_page() -> None:
    st.title(_("CEN Intelligence Workbench"))
    ended = st.session_state.get(_ENDED)
    if ended:
        st.info(ended)
    if _oidc_configured():
        st.button(_("Sign in with your organisation's account"), on_click=st.login, type="primary")
        st.caption(_("Or sign in with a workbench account:"))
    expired = st.session_state.get(_EXPIRED)
    if expired:
        st.warning(_("The password of {name} has expired: choose a new one.", name=expired))
        if _password_form(expired, "expired"):
            st.session_state.pop(_EXPIRED, None)
            st.session_state[_ENDED] = _("Password changed; sign in with the new one.")
            st.rerun()
        return
    pending = st.session_state.get(_SECOND_FACTOR)
    with st.form("login", border=True):
        st.subheader(_("Sign in"))
        name = st.text_input(_("Account"), key="login_name", value=pending or "", disabled=bool(pending))
        password = st.text_input(_("Password"), type="password", key="login_password")
        code = None
        if pending:
            code = st.text_input(
                _("One-time code"),
                key="login_totp",
                help=_("The six digits your authenticator app shows for the workbench."),
            )
        pressed = st.form_submit_button(_("Sign in"), type="primary", key="login_submit")
    if not pressed:
        return
    account = pending or name.strip()
    try:
        principal = sign_in(get_home_store(), account, password, totp=(code or None))
    except SignInRefused as exc:
        if exc.reason == "second_factor" and not pending:
            st.session_state[_SECOND_FACTOR] = account
            st.rerun()
        if exc.reason == "expired":  # the password was right: the user may set a new one with it
            st.session_state.pop(_SECOND_FACTOR, None)
            st.session_state[_EXPIRED] = account
            st.rerun()
        st.error(str(exc))
        return
    _start(principal)
    st.rerun()


def _password_form(name: str, key: str) -> bool:
    """The form to change ``name``'s own password (the current one, the new one twice); True once
    changed (audited by :func:`workbench.identity.accounts.change_password`)."""
    with st.form(f"password_{key}", border=True):
        old = st.text_input(_("Current password"), type="password", key=f"pw_old_{key}")
        new = st.text_input(_("New password"), type="password", key=f"pw_new_{key}")
        again = st.text_input(_("New password again"), type="password", key=f"pw_again_{key}")
        pressed = st.form_submit_button(_("Change the password"), key=f"pw_submit_{key}")
    if not pressed:
        return False
    if new != again:
        st.error(_("The two new passwords differ."))
        return False
    try:
        change_password(get_home_store(), name, new, old_password=old)
    except (SignInRefused, ValueError) as exc:
        st.error(str(exc))
        return False
    return True


def who_am_i() -> None:
    """The sidebar's "who am I" block: the account, organisation, roles, personal-data permission, the
    purpose stated, the password notice and the sign-out button."""
    principal = get_principal()
    language_switch(principal)
    personal = _("may see personal data") if principal.can_see_personal else _("no personal data")
    if principal.mode == "local":
        st.caption(
            _(
                "User **{user}** · role **{role}** ({personal})",
                user=principal.user,
                role=principal.role,
                personal=personal,
            )
        )
        st.caption(
            _(
                "Single-user mode: this store has no accounts. Create the first administrator with "
                "`workbench user add NAME --org ORG --role admin --admin`; from then on everyone signs in."
            )
        )
        return
    st.caption(
        _(
            "Signed in as **{user}** ({org}) · role **{role}** ({personal})",
            user=principal.user,
            org=principal.organisation,
            role=principal.role,
            personal=personal,
        )
    )
    session = signed_in()
    if session is not None:
        if session.notice:
            st.warning(session.notice)
    stated = consultant()
    if stated is not None and stated.purpose is not None:
        st.caption(_("Purpose: {ref}", ref=stated.purpose.reference))
    with st.popover(_("Change my password"), width="stretch"):
        if principal.mode == "account" and _password_form(principal.account, "own"):
            if session is not None:
                session.notice = None
            st.success(_("Password changed."))
    st.button(_("Sign out"), on_click=sign_out, key="sign_out", width="stretch")


def _purpose_key(subject: str | None) -> str:
    return subject or "" if get_settings().purpose_scope == "case" else ""


def _purposes() -> dict[str, Purpose]:
    session = signed_in()
    if session is not None:
        return session.purposes
    local: dict[str, Purpose] = st.session_state.setdefault(_LOCAL_PURPOSES, {})
    return local


def consultant(subject: str | None = None) -> Principal | None:
    """The principal with the purpose stated for ``subject``, when they may see personal data and have
    said why; None otherwise. Renders nothing (:func:`need_purpose` renders the prompt)."""
    principal = get_principal()
    if not principal.can_see_personal:
        return None
    if principal.purpose is not None:
        return principal
    purpose = _purposes().get(_purpose_key(subject))
    return principal.with_purpose(purpose) if purpose is not None else None


def need_purpose(principal: Principal, *, subject: str | None = None) -> Principal | None:
    """``principal`` with the purpose of this consultation, or None when personal data must not be shown
    (yet).

    None when the principal may not see personal data at all (the page shows its non-personal view) or
    when no purpose has been stated: then the prompt is rendered (a case or operation reference, a
    justification, the legal basis), and the page shows personal data on the run after it is answered.
    ``subject`` names what is consulted (e.g. ``"case FR/123"``): with ``WORKBENCH_PURPOSE_SCOPE=case``
    each subject needs its own purpose, otherwise one purpose holds for the session.
    """
    if not principal.can_see_personal:
        return None
    if principal.purpose is not None:
        return principal
    purposes = _purposes()
    key = _purpose_key(subject)
    if key in purposes:
        return principal.with_purpose(purposes[key])
    with st.form(f"purpose_{key}", border=True):
        st.markdown("**" + _("Personal data: state the purpose of this consultation") + "**")
        st.caption(
            _(
                "Persons and companies are shown once you say why you consult them. The purpose goes with "
                "every entry of the audit log for this consultation."
            )
        )
        reference = st.text_input(_("Case or operation reference"), key=f"purpose_ref_{key}")
        justification = st.text_area(_("Justification"), key=f"purpose_why_{key}", height=80)
        basis = st.text_input(_("Legal basis (optional)"), key=f"purpose_basis_{key}")
        pressed = st.form_submit_button(_("Show personal data"), key=f"purpose_submit_{key}")
    if pressed:
        try:
            purposes[key] = Purpose(reference.strip(), justification.strip(), basis.strip())
        except ValueError as exc:
            st.error(str(exc))
            return None
        st.rerun()
    return None
