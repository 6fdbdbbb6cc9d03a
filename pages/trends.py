"""Trends: how seizures move over time, what moved most, which methods find what, what is emerging."""
# nav: section=Analysis; title=Trends; icon=:material/trending_up:; order=40

import streamlit as st

from workbench.i18n import _
from workbench.ui import trends as ui
from workbench.ui.session import page_guard
from workbench.ui.state import get_state
from workbench.ui.widgets import empty_store_notice, filter_caption

page_guard()  # a page runs only through the entry script's login gate

st.title(_("Trends"))
flt = get_state().filter
filter_caption(flt)
if empty_store_notice():
    st.stop()
ui.enforcement_note()

builder, movers, methods, emerging, season = st.tabs(
    [_("Chart builder"), _("Top movers"), _("Methods"), _("Emerging trends"), _("Seasonal profile")],
    key="trends_tab",
    on_change="rerun",
)
# only the open tab computes (a click on another reruns the page): a filter change costs one tab's figures
for tab, panel in (
    (builder, ui.builder_panel),
    (movers, ui.movers_panel),
    (methods, ui.methods_panel),
    (emerging, ui.emerging_panel),
    (season, ui.seasonal_panel),
):
    if tab.open:
        with tab:
            panel(flt)
