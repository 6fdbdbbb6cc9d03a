"""Routes: where goods start, pass and are seized; which corridors grow and which hubs connect them."""
# nav: section=Analysis; title=Routes; icon=:material/route:; order=20

import streamlit as st

from workbench.i18n import _
from workbench.ui import routes as ui
from workbench.ui.session import page_guard
from workbench.ui.state import get_state
from workbench.ui.widgets import empty_store_notice, filter_caption

page_guard()  # a page runs only through the entry script's login gate

st.title(_("Routes"))
flt = get_state().filter  # the shared filter, also when another page sent us here with one
filter_caption(flt)
if empty_store_notice():
    st.stop()
ui.arrive(flt)


def workspace() -> None:
    """Controls, map, the cases behind a selection and the analysis tabs: one fragment, so a click or
    a step of the period reruns only this, and the play control can step it month by month."""
    if ui.play_interval() != st.session_state.get("_routes_run_every"):
        st.rerun()  # play was toggled: rebuild the fragment with (or without) its timer
    base = ui.flow_base(flt)
    if base.n_cases == 0:
        st.warning(_("No case matches the filters. Widen the period or clear a filter in the sidebar."))
        return
    options = ui.map_options(flt)
    window = ui.period_controls(base)
    data = ui.map_panel(flt, options, window)
    ui.selection_table(flt, window)
    hubs, emerging, table, export = st.tabs([_("Hubs"), _("Emerging routes"), _("Flows"), _("Export")])
    with hubs:
        ui.hubs_panel(flt, window, options.level)
    with emerging:
        ui.emerging_panel(flt, window, options.mode, options.level)
    with table:
        ui.flows_table(data)
    with export:
        ui.export_panel(data, flt)


st.session_state["_routes_run_every"] = ui.play_interval()
st.fragment(workspace, run_every=st.session_state["_routes_run_every"])()
