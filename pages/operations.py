"""Operations: closed groups of a joint operation (CENcomm): data by template, messages, extraction.

Members only: the library shows a principal nothing of an operation it does not belong to."""
# nav: section=Analysis; title=Operations; icon=:material/groups:; order=90

import streamlit as st

from workbench.i18n import _
from workbench.ui.operations import (
    create_panel,
    entry_form,
    extract_and_close,
    members_panel,
    messages_view,
    pick_operation,
    submissions_panel,
    template_panel,
    workbook_upload,
)
from workbench.ui.resources import get_store
from workbench.ui.session import get_principal, page_guard

page_guard()  # a page runs only through the entry script's login gate
principal = get_principal()
store = get_store()

st.title(_("Operations"))
create_panel(store, principal)
op = pick_operation(store, principal)
if op is None:
    st.stop()
assert op is not None
data, talk, setup, out = st.tabs(
    [_("Data"), _("Messages"), _("Members and template"), _("Extract and close")]
)
with data:
    entry_form(store, op, principal)
    workbook_upload(store, op, principal)
    submissions_panel(store, op, principal)
with talk:
    messages_view(store, op, principal)
with setup:
    members_panel(store, op, principal)
    template_panel(store, op, principal)
with out:
    extract_and_close(store, op, principal)
