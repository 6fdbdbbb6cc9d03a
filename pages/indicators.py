"""Indicators: the list, the editor with live counts on the traffic, review, versions and diff, import/export."""
# nav: section=Risk; title=Indicators; icon=:material/rule:; order=10; needs=write_indicators|approve_indicators

import streamlit as st

from workbench.i18n import _
from workbench.identity import can
from workbench.risk import registry as reg
from workbench.ui import risk as rk
from workbench.ui.resources import get_store
from workbench.ui.session import get_principal, page_guard
from workbench.ui.state import get_state

page_guard()  # a page runs only through the entry script's login gate

st.title(_("Indicators"))
st.caption(
    _(
        "Risk indicators are rules over what is known of a declaration or passenger movement before a control. "
        "Edit a rule and see at once what it would match in the traffic; a version comes into force when "
        "someone other than its author approves it."
    )
)
rk.show_flash()
rk.sample_loader()
store, state = get_store(), get_state()
listing = reg.list_indicators(store)
ids = listing["id"].tolist()
options = [rk.NEW, *ids]
wanted = state.extras.pop("risk.select", None)
if wanted in options:
    st.session_state["risk_pick"] = wanted
elif st.session_state.get("risk_pick") not in options:
    st.session_state["risk_pick"] = ids[0] if ids else rk.NEW
names = dict(zip(listing["id"], listing["name"], strict=True))

c1, c2 = st.columns([3, 2], vertical_alignment="bottom")
ident = c1.selectbox(
    _("Indicator"),
    options,
    key="risk_pick",
    format_func=lambda i: _(rk.NEW) if i == rk.NEW else f"{i} · {names[i]}",
)
with c2:
    source = rk.traffic_picker("risk_edit_source")

# A keyed tab bar keeps its tab when something above it comes and goes (a message), and only the open
# tab runs.
tab_list, tab_edit, tab_review, tab_io = st.tabs(
    [_("List"), _("Edit"), _("Review & versions"), _("Import / export")], key="risk_tab", on_change="rerun"
)
if tab_list.open:
    with tab_list:
        if listing.empty:
            st.info(_("No indicators yet: write one on the Edit tab or import a file."))
        else:
            rk.indicator_list(listing)

if tab_edit.open:
    with tab_edit:
        if not can(get_principal(), "write_indicators"):
            st.warning(_("Your role may read indicators but not change them."))
        rk.indicator_editor(ident, rk.prepared_traffic(source) if source else None)

if tab_review.open:
    with tab_review:
        if ident == rk.NEW:
            st.info(_("Choose a stored indicator above to review it and compare its versions."))
        else:
            st.subheader(f"{ident} · {names.get(ident, '')}")
            rk.review_panel(ident)
            st.divider()
            rk.versions_panel(ident)

if tab_io.open:
    with tab_io:
        rk.import_export_panel()
