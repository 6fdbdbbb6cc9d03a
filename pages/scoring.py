"""Scoring: the active profile applied to traffic (the store's or an uploaded file): each movement's
score and the indicators that fired, ranked."""
# nav: section=Risk; title=Scoring; icon=:material/target:; order=30; needs=write_indicators|approve_indicators

import datetime as dt

import pandas as pd
import streamlit as st

from workbench.exchange.writers import csv_bytes
from workbench.i18n import _
from workbench.identity import can
from workbench.risk import registry as reg
from workbench.risk.scoring import Profile, score_frame
from workbench.risk.traffic import TrafficError, store_traffic
from workbench.ui import risk as rk
from workbench.ui.resources import get_store
from workbench.ui.session import get_principal, page_guard
from workbench.ui.widgets import data_table, open_case

page_guard()  # a page runs only through the entry script's login gate

st.title(_("Scoring"))
st.caption(
    _(
        "Every movement gets the sum of the weights of the active indicators that fire on it; those at or above "
        "the threshold are flagged for control. An indicator fires only within its validity dates."
    )
)
rk.show_flash()
rk.sample_loader()
store = get_store()
active = reg.active_indicators(store)
if not active:
    st.info(
        _("No indicator is in force: approve one on the Indicators page (someone other than its author).")
    )
    st.stop()

c1, c2 = st.columns([1, 3])
threshold = c1.number_input(_("Threshold (score)"), min_value=0.0, value=40.0, step=5.0, key="risk_sc_thr")
profile = Profile(tuple(active), threshold)
with c2.expander(_("Active profile: {profile}", profile=profile.describe())):
    rows = [(i.id, i.weight, i.name, i.version, i.valid_to) for i in profile.indicators]
    headers = [_("id"), _("weight"), _("name"), _("version"), _("valid to")]
    data_table(pd.DataFrame(rows, columns=headers), hide_index=True, width="stretch")

what = st.radio(
    _("Traffic to score"),
    ["stored", "upload"],
    horizontal=True,
    key="risk_sc_what",
    format_func=lambda w: _("traffic in the store") if w == "stored" else _("upload a traffic file"),
)
scored, total = None, None
if what == "stored":
    c1, c2 = st.columns([3, 2])
    with c1:
        source = rk.traffic_picker("risk_sc_source")
    engine = c2.radio(
        _("Engine"),
        ["pandas", "sql"],
        horizontal=True,
        key="risk_sc_engine",
        format_func=lambda e: _("in memory (pandas)") if e == "pandas" else _("in the database (SQL)"),
    )
    if source is None:
        st.stop()
    total = rk.source_rows(source)
    rk.scope_note(total)
    if not total:
        st.warning(_("No movement of this traffic is within the sidebar's filters: widen or reset them."))
        st.stop()
    scored = rk.score_stored(source, list(profile.indicators), threshold, engine)
    if engine == "sql":
        st.caption(_("The database returns the movements at least one indicator fires on."))
    else:
        total = None
else:
    up = st.file_uploader(
        _("Traffic file (.csv, or .xlsx with a sheet 'traffic')"), type=["csv", "xlsx"], key="risk_sc_up"
    )
    if up is None:
        st.stop()
    try:
        traffic = rk.read_upload(up)
    except TrafficError as e:
        head, *lines = str(e).splitlines()
        st.error(
            "\n".join(
                [_("Cannot score this file. {problem}", problem=head), *(f"- {x.strip()}" for x in lines)]
            )
        )
        st.stop()
    for n in traffic.notices:
        st.caption(n)
    in_scope = rk.scoped_upload(traffic.frame)
    rk.scope_note(len(in_scope))
    scored = score_frame(in_scope, profile)
    may_store = can(get_principal(), "write_indicators")
    if may_store and st.button(
        _("Keep this traffic in the store (for back-tests and SQL scoring)"), key="risk_sc_store"
    ):
        n = store_traffic(store, traffic, up.name, actor=get_principal())
        rk.flash("success", _("Stored {n:,} movements as {name!r}.", n=n, name=up.name))
        st.rerun()

picked = rk.scored_view(scored, threshold, total)
if picked is not None:
    row = picked.iloc[0]
    case_id = row.get("case_id")
    if isinstance(case_id, str) and case_id and isinstance(row.get("reporting_country"), str):
        if st.button(_("Open case {case_id}", case_id=case_id), key="risk_sc_open"):
            open_case(str(row["reporting_country"]), case_id)
    fired = row["fired"] or _("none")
    st.caption(
        _("{id}: score {score:g}; fired: {fired}", id=row["movement_id"], score=row["score"], fired=fired)
    )

stamp = f"{dt.date.today():%Y%m%d}"
c1, c2 = st.columns(2)
c1.download_button(
    _("Download all scored rows (.csv)"),
    csv_bytes(rk.for_download(scored)),
    file_name=f"scored-{stamp}.csv",
    mime="text/csv",
    key="risk_sc_csv",
)
flagged = scored[scored["flagged"]]
if not flagged.empty:
    from workbench.exchange.excel import formatted_workbook

    c2.download_button(
        _("Download the {n:,} flagged (.xlsx)", n=len(flagged)),
        formatted_workbook(
            {"flagged": rk.for_download(flagged)},
            title=_("Flagged for control"),
            notes=[_("profile: {profile}", profile=profile.describe()), rk.describe_filter()],
        ),
        file_name=f"flagged-{stamp}.xlsx",
        key="risk_sc_xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
