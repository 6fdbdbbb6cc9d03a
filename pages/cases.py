"""Cases: search by case id, place, commodity or conveyance; a paginated table; the case detail."""
# nav: section=Analysis; title=Cases; icon=:material/search:; order=90

import math

import pandas as pd
import streamlit as st

from workbench.format.reference import country_name
from workbench.store.queries import case_detail
from workbench.ui import loaders
from workbench.ui.resources import get_store
from workbench.ui.session import consultant, get_principal, need_purpose, page_guard
from workbench.ui.state import get_state
from workbench.ui.widgets import empty_store_notice, filter_caption, plural, readable, readable_value

page_guard()  # a page runs only through the entry script's login gate

PAGE_SIZE = 50
state = get_state()
principal = get_principal()

st.title("Cases")
filter_caption(state.filter)
if empty_store_notice():
    st.stop()


def show_detail(rc: str, cid: str) -> None:
    subject = f"case {rc}/{cid}"
    who = consultant(subject)  # persons and companies once the purpose is stated (asked below)
    d = case_detail(get_store(), rc, cid, personal_allowed=who is not None)
    if d is None:
        st.error(f"Case {rc}/{cid} is not in the store.")
        return
    c = d.case
    st.subheader(f"Case {cid} · {country_name(rc)}")
    facts = {
        "Seizure date": str(c.get("seizure_date") or "–"),
        "Transport": readable_value(c.get("transport_mode")),
        "Detection": readable_value(c.get("detection_method")),
        "Concealment": readable_value(c.get("concealment_method")),
    }
    for col, (label, value) in zip(st.columns(4), facts.items(), strict=True):
        col.markdown(
            f"<small>{label}</small><br><span style='font-size:1.35rem'>{value}</span>",
            unsafe_allow_html=True,
        )
    st.markdown(f"**Route:** {d.route.label()}")
    if d.route.destination_inferred:
        st.caption(
            "The destination is blank in the report; for an import it is taken to be the reporting country."
        )
    place_type = readable_value(c.get("place_type")) if c.get("place_type") else None
    place = " · ".join(str(x) for x in (place_type, c.get("place_code"), c.get("place_name")) if x)
    conveyance = f"{readable_value(c.get('conveyance_type'))} {c.get('conveyance_id') or ''}".strip()
    st.markdown(
        f"**Place of seizure:** {place or '–'}  \n"
        f"**Procedure:** {readable_value(c.get('customs_procedure'))} · "
        f"**Offence:** {readable_value(c.get('offence_type'))} · **Conveyance:** {conveyance}"
    )
    if c.get("entry_date"):
        st.markdown(f"**Entered:** {c['entry_date']}")
    if c.get("remarks") and who is not None:
        st.markdown(f"**Remarks:** {c['remarks']}")
    st.markdown("**Items**")
    st.dataframe(
        readable(d.items.drop(columns=["case_id", "reporting_country"])), hide_index=True, width="stretch"
    )
    if d.flags:
        st.warning("Quality warnings on this case: " + "; ".join(d.flags))
    if d.extra:
        st.markdown("**Extra attributes (columns not in the exchange format)**")
        st.json(d.extra)
    if d.persons is None and principal.can_see_personal:
        need_purpose(principal, subject=subject)
    elif d.persons is None:
        st.info("Persons and companies are personal data; your role does not allow seeing them.")
    else:
        st.markdown("**Persons**")
        if d.persons.empty:
            st.caption("none recorded")
        else:
            st.dataframe(
                d.persons.drop(columns=["case_id", "reporting_country"]), hide_index=True, width="stretch"
            )
        st.markdown("**Companies**")
        if d.companies is None or d.companies.empty:
            st.caption("none recorded")
        else:
            st.dataframe(
                d.companies.drop(columns=["case_id", "reporting_country"]), hide_index=True, width="stretch"
            )


if state.selected_case:
    rc, cid = state.selected_case
    if st.button("← Back to the list", key="case_back"):
        state.selected_case = None
        st.rerun()
    show_detail(rc, cid)
    st.stop()

text = st.text_input(
    "Search", key="case_search", placeholder="case id, place, commodity type or conveyance id"
)
df, total = loaders.search_cases(state.filter, text, 1, 1)
pages = max(1, math.ceil(total / PAGE_SIZE))
c1, c2 = st.columns([1, 4])
page = c1.number_input("Page", min_value=1, max_value=pages, value=1, step=1, key="case_page")
c2.markdown(
    f"<div style='padding-top:2rem'>{plural(total, 'case')} · page {page} of {pages}</div>",
    unsafe_allow_html=True,
)
df, total = loaders.search_cases(state.filter, text, int(page), PAGE_SIZE)
event = st.dataframe(
    readable(df),
    hide_index=True,
    width="stretch",
    on_select="rerun",
    selection_mode="single-row",
    key="cases_table",
    column_config={"seizure date": st.column_config.DateColumn("seizure date", format="YYYY-MM-DD")},
)
st.caption("Select a row to open the case detail.")
rows = event.selection.rows if event and event.selection else []
if rows:
    r = df.iloc[rows[0]]
    state.selected_case = (str(r["reporting_country"]), str(r["case_id"]))
    st.rerun()
if isinstance(df, pd.DataFrame) and df.empty:
    st.info("No case matches the search and filters.")
