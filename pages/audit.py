"""Audit: who consulted whom, exports by recipient, unusual consultation, the chain's integrity.

For auditors and administrators; the library refuses everyone else (``read_audit``)."""
# nav: section=Admin; title=Audit; icon=:material/policy:; order=20; needs=read_audit

import streamlit as st

from workbench.i18n import _
from workbench.identity import PermissionDenied
from workbench.identity.audit_reports import REPORTS
from workbench.ui.audit import (
    REPORT_TITLES,
    chain_status,
    flat,
    query_widgets,
    report_download,
)
from workbench.ui.resources import get_store
from workbench.ui.session import get_principal, page_guard
from workbench.ui.widgets import data_table, headers

page_guard()  # a page runs only through the entry script's login gate
principal = get_principal()

st.title(_("Audit"))
st.caption(
    _(
        "Every consultation, disclosure, export, import, change, erasure and sign-in, as the Law Enforcement "
        "Directive asks; records are named by key, never by a personal value."
    )
)
store = get_store()
try:
    chain_status(store, principal)
    name = st.segmented_control(
        _("Report"),
        list(REPORT_TITLES),
        format_func=lambda k: _(REPORT_TITLES[k]),
        default="consultations",
        key="audit_report",
    )
    query = query_widgets()
    frame = REPORTS[name or "consultations"](store, principal, query)
except PermissionDenied as e:
    st.error(str(e))
    st.stop()
shown = flat(frame)
data_table(shown, hide_index=True, width="stretch", column_config=headers(shown))
st.caption(_("{n} rows", n=len(frame)))
report_download(frame, name or "consultations", query)
