"""Products: the register of intelligence products, their lifecycle (review by another person, issue to a
distribution list, withdrawal, new versions), audited copies, and the GIIS metrics."""
# nav: section=Briefings; title=Products; icon=:material/library_books:; order=30

import streamlit as st

from workbench.i18n import _
from workbench.ui import products as ui
from workbench.ui.session import page_guard

page_guard()  # a page runs only through the entry script's login gate

st.title(_("Products"))
st.caption(
    _(
        "Drafts, products in review, approved and issued products. The approver is never the author; every "
        "issue and every copy is written to the audit as a disclosure with its recipients."
    )
)
ui.register_panel()
