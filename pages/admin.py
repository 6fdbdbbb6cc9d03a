"""Accounts & store: the accounts and organisations, the role x action matrix, where the data lives, when it
changed, the submissions, the audit log and the settings."""
# nav: section=Admin; title=Accounts & store; icon=:material/admin_panel_settings:; order=10; needs=administer

import pandas as pd
import streamlit as st

from workbench.config import settings_table
from workbench.i18n import _, format_datetime
from workbench.identity import can, matrix_table
from workbench.store import data_changes
from workbench.store.history import audit_history, submission_history
from workbench.ui.accounts import accounts_panel
from workbench.ui.resources import get_settings, get_store
from workbench.ui.session import get_principal, page_guard
from workbench.ui.widgets import column_label, data_table, headers

page_guard()  # a page runs only through the entry script's login gate

st.title(_("Accounts & store"))
principal = get_principal()
if not can(principal, "administer"):  # the navigation leaves the page out too; the library checks again
    st.error(_("Only an administrator opens this page."))
    st.stop()

tab_accounts, tab_matrix, tab_store = st.tabs([_("Accounts"), _("Roles and permissions"), _("Store & audit")])
with tab_accounts:
    accounts_panel(principal)
with tab_matrix:
    st.caption(_("What each role may do; the library enforces it on every page, command and notebook."))
    matrix = pd.DataFrame(matrix_table())
    matrix["help"] = matrix["help"].map(_)  # matrix.yaml text, translated where shown
    data_table(matrix, hide_index=True, width="stretch", column_config=headers(matrix))

with tab_store:
    store = get_store()
    st.markdown(_("**Store:** `{url}` ({dialect})", url=store.url, dialect=store.dialect))
    counts = store.counts()
    cols = st.columns(len(counts))
    for c, (k, v) in zip(cols, counts.items(), strict=True):
        c.metric(column_label(k), _("{n:,}", n=v))

    st.subheader(_("Data versions"))
    st.caption(
        _(
            "Every write moves its kind of data's counter forward, from this app, another user's session or the "
            "command line; every page shows the new data on its next run."
        )
    )
    changes = data_changes(store).drop(columns="version")  # the counters themselves mean nothing to people
    changes["what"] = changes["what"].map(_)  # store.version.SCOPES, marked N_
    changes["changed"] = [
        _("not since the store was made") if pd.isna(t) else _("{moment} UTC", moment=format_datetime(t))
        for t in changes["changed"]
    ]
    data_table(changes, hide_index=True, width="stretch", column_config=headers(changes))

    st.subheader(_("Submissions"))
    subs = submission_history(store)
    data_table(subs, hide_index=True, width="stretch", column_config=headers(subs))
    st.subheader(_("Audit log (newest first, append-only)"))
    log = audit_history(store)
    data_table(log, hide_index=True, width="stretch", column_config=headers(log))

    st.subheader(_("Settings"))
    settings = pd.DataFrame(settings_table(get_settings()))
    settings["help"] = settings["help"].map(_)  # config.SETTINGS help, marked N_
    data_table(settings, hide_index=True, width="stretch", column_config=headers(settings))
