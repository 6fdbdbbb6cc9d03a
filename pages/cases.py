"""Cases: search everything (and the case list by case id, place, commodity or conveyance); a
paginated table; the case detail."""
# nav: section=Analysis; title=Cases; icon=:material/search:; order=90

import math

import pandas as pd
import streamlit as st

from workbench.format.reference import country_name
from workbench.i18n import _, ngettext
from workbench.store.queries import case_detail
from workbench.ui import loaders
from workbench.ui.cases import case_facts
from workbench.ui.photos import photo_panel
from workbench.ui.resources import get_store
from workbench.ui.search import hit_cases, search_box
from workbench.ui.session import consultant, get_principal, need_purpose, page_guard
from workbench.ui.state import get_state
from workbench.ui.widgets import data_table, date_column, empty_store_notice, filter_caption, readable

page_guard()  # a page runs only through the entry script's login gate

PAGE_SIZE = 50
state = get_state()
principal = get_principal()

st.title(_("Cases"))
filter_caption(state.filter)
if empty_store_notice():
    st.stop()


def show_detail(rc: str, cid: str) -> None:
    subject = f"case {rc}/{cid}"
    who = consultant(subject)  # persons and companies once the purpose is stated (asked below)
    d = case_detail(get_store(), rc, cid, personal_allowed=who is not None, actor=who)
    if d is None:
        st.error(_("Case {rc}/{cid} is not in the store.", rc=rc, cid=cid))
        return
    c = d.case
    if who is None and c.get("seizure_date"):
        # until personal data may be shown, the case as the non-personal export carries it: scrubbed
        exported = loaders.case_as_exported(rc, cid, c["seizure_date"]) or {}
        c = {**c, "remarks": exported.get("remarks"), "conveyance_id": exported.get("conveyance_id")}
    st.subheader(_("Case {cid} · {country}", cid=cid, country=country_name(rc)))
    case_facts(c, d.route)
    if c.get("remarks"):
        label = (
            _("Remarks")
            if who is not None
            else _("Remarks (personal data scrubbed, as in the non-personal export)")
        )
        st.markdown(_("**{label}:** {remarks}", label=label, remarks=c["remarks"]))
    st.markdown(_("**Items**"))
    data_table(
        readable(d.items.drop(columns=["case_id", "reporting_country"])), hide_index=True, width="stretch"
    )
    photo_panel(rc, cid, who)
    if d.flags:
        st.warning(_("Quality warnings on this case: {flags}", flags="; ".join(d.flags)))
    if d.extra:
        st.markdown(_("**Extra attributes (columns not in the exchange format)**"))
        st.json(d.extra)
    if d.persons is None and principal.can_see_personal:
        need_purpose(principal, subject=subject)
    elif d.persons is None:
        st.info(_("Persons and companies are personal data; your role does not allow seeing them."))
    else:
        for label, frame in ((_("Persons"), d.persons), (_("Companies"), d.companies)):
            st.markdown(f"**{label}**")
            if frame is None or frame.empty:
                st.caption(_("none recorded"))
            else:
                data_table(
                    readable(frame.drop(columns=["case_id", "reporting_country"])),
                    hide_index=True,
                    width="stretch",
                )


# The table's row selection is widget state that outlives the detail view (a stopped run keeps it),
# so "Back" would reopen the same case: each return to the list draws a fresh table.
table_key = f"cases_table_{state.extras.get('cases_table_generation', 0)}"
if state.selected_case:
    rc, cid = state.selected_case
    if st.button(_("← Back to the list"), key="case_back"):
        state.selected_case = None
        state.extras["cases_table_generation"] = state.extras.get("cases_table_generation", 0) + 1
        st.session_state.pop(table_key, None)
        st.rerun()
    show_detail(rc, cid)
    st.stop()

text, hits, hit = search_box("case_search")
if hit is not None:
    hit_cases(hit, "case_hit", to_network=True, open_single=True)
df, total = loaders.search_cases(state.filter, text, 1, 1)
pages = max(1, math.ceil(total / PAGE_SIZE))
c1, c2 = st.columns([1, 4], vertical_alignment="bottom")
page = c1.number_input(_("Page"), min_value=1, max_value=pages, value=1, step=1, key="case_page")
c2.markdown(
    ngettext(
        "{n:,} case · page {page} of {pages}",
        "{n:,} cases · page {page} of {pages}",
        total,
        page=page,
        pages=pages,
    )
)
df, total = loaders.search_cases(state.filter, text, int(page), PAGE_SIZE)
event = data_table(
    readable(df),
    hide_index=True,
    width="stretch",
    on_select="rerun",
    selection_mode="single-row",
    key=table_key,
    column_config={_("seizure date"): date_column(_("seizure date"))},
)
st.caption(_("Select a row to open the case detail."))
rows = event.selection.rows if event and event.selection else []
if rows:
    r = df.iloc[rows[0]]
    state.selected_case = (str(r["reporting_country"]), str(r["case_id"]))
    st.rerun()
if isinstance(df, pd.DataFrame) and df.empty:
    st.info(
        _("No case matches the search and filters.")
        if hits.empty
        else _("Click a match above to open its cases.")
    )
