"""Briefing builder: a region, year and commodity give an assembled product (key figures, trends, routes,
emerging trends, notable cases...) whose blocks the analyst reorders, removes, adds and writes between."""
# nav: section=Briefings; title=Briefing builder; icon=:material/edit_note:; order=20; needs=draft_products

import streamlit as st

from workbench.i18n import _
from workbench.ui import products as ui
from workbench.ui.session import page_guard
from workbench.ui.widgets import empty_store_notice

page_guard()  # a page runs only through the entry script's login gate

st.title(_("Briefing builder"))
st.caption(
    _(
        "Every figure comes from the workbench's own analyses; the product keeps its parameters, the data "
        "version and a hash of each block, so it can be rebuilt and checked later. Save it as a draft, then "
        "send it for review on the Products page."
    )
)
if empty_store_notice():
    st.stop()
ui.builder_panel()
