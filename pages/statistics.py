"""Standard statistics: ready reports like CEN's predefined queries, as Excel, CSV, PNG and SVG."""
# nav: section=Briefings; title=Standard statistics; icon=:material/table_chart:; order=10

import streamlit as st

from workbench.i18n import _
from workbench.ui import trends as ui
from workbench.ui.session import page_guard
from workbench.ui.state import get_state
from workbench.ui.widgets import empty_store_notice, filter_caption

page_guard()  # a page runs only through the entry script's login gate

st.title(_("Standard statistics"))
flt = get_state().filter
filter_caption(flt)
if empty_store_notice():
    st.stop()
st.caption(
    _(
        "Ready reports on the cases matching the filters in the sidebar. Each downloads as a formatted Excel "
        "sheet or CSV, and its chart as PNG or SVG. Seizures reflect enforcement effort as well as trafficking."
    )
)
ui.statistics_catalogue(flt)
