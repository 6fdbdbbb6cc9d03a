"""Network: search an entity, its ego network drawn interactively, paths, communities and rankings; or a
stored link chart (an imported network) with the same views."""
# nav: section=Analysis; title=Network; icon=:material/hub:; order=30

import streamlit as st

from workbench.i18n import _
from workbench.ui import network as ui
from workbench.ui import network_charts
from workbench.ui.session import page_guard
from workbench.ui.state import get_state
from workbench.ui.widgets import empty_store_notice, filter_caption

page_guard()  # a page runs only through the entry script's login gate

flt = get_state().filter
st.title(_("Network"))
chart = network_charts.chart_source()
if chart is not None:
    network_charts.chart_panels(chart)
    st.stop()
filter_caption(flt)
if empty_store_notice():
    st.stop()
ui.personal_notice()

source = ui.network_source(flt)  # the store's graph tables when current, else the graph in memory
ui.graph_figures(source)
if source.size() == 0:
    st.warning(_("No case matches the filters. Widen the period or clear a filter in the sidebar."))
    st.stop()

tab_ego, tab_path, tab_comm, tab_rank = st.tabs(
    [_("Ego network"), _("Shortest path"), _("Communities"), _("Rankings")]
)
with tab_ego:
    ui.ego_panel(source, flt)
with tab_path:
    ui.path_panel(source)
with tab_comm:
    ui.communities_panel(source, flt)
with tab_rank:
    ui.rankings_panel(source, flt)
