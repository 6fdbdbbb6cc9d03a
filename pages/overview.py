"""Overview: KPIs, seizures by category, the monthly trend, top routes and the latest cases."""
# nav: section=Analysis; title=Overview; icon=:material/dashboard:; order=10; default=true

import altair as alt
import streamlit as st

from workbench.format.reference import country_name
from workbench.i18n import N_, _, format_date
from workbench.ui import loaders
from workbench.ui.session import page_guard
from workbench.ui.state import get_state
from workbench.ui.widgets import (
    data_table,
    date_column,
    empty_store_notice,
    filter_caption,
    money,
    open_case,
    readable,
    readable_value,
)

page_guard()  # a page runs only through the entry script's login gate

INFERRED_HELP = N_(
    "Inferred: cases whose destination is blank, taken as the reporting country because the procedure is "
    "import."
)

st.title(_("Overview"))
flt = get_state().filter
filter_caption(flt)
if empty_store_notice():
    st.stop()

ov = loaders.overview(flt)
k = ov.kpis
c1, c2, c3, c4 = st.columns(4)
c1.metric(_("Cases"), _("{n:,}", n=k["cases"]))
c2.metric(_("Reporting countries"), k["reporting_countries"])
c3.metric(_("Estimated value (USD)"), money(k["value_usd"]), help=_("{usd:,.0f} USD", usd=k["value_usd"]))
first, last = k["first_seizure"], k["last_seizure"]
period = (f"{first:%Y}" if first.year == last.year else f"{first:%Y}–{last:%Y}") if first and last else "–"
c4.metric(
    _("Period"),
    period,
    help=_("first seizure {first}, last seizure {last}", first=format_date(first), last=format_date(last)),
)

if k["cases"] == 0:
    st.warning(_("No case matches the filters. Widen the period or clear a filter in the sidebar."))
    st.stop()

left, right = st.columns([3, 2])
with left:
    st.subheader(_("Cases per month"))
    monthly = ov.monthly.assign(month=lambda d: d["month"].astype(str) + "-01")
    spark = (
        alt.Chart(monthly)
        .mark_area(line={"color": "#1F3B57"}, color="#9fb8cf", opacity=0.6)
        .encode(
            x=alt.X("month:T", title=None),
            y=alt.Y("cases:Q", title=_("cases")),
            tooltip=[alt.Tooltip("month:T", title=_("month")), alt.Tooltip("cases:Q", title=_("cases"))],
        )
        .properties(height=220)
    )
    st.altair_chart(spark, width="stretch")
with right:
    st.subheader(_("Seizures by category"))
    by_category = ov.by_category.assign(category=lambda d: d["commodity_category"].map(readable_value))
    bars = (
        alt.Chart(by_category)
        .mark_bar(color="#1F3B57")
        .encode(
            x=alt.X("cases:Q", title=_("cases")),
            y=alt.Y("category:N", sort="-x", title=None, axis=alt.Axis(labelOverlap=False, labelLimit=160)),
            tooltip=[
                alt.Tooltip("category", title=_("category")),
                alt.Tooltip("cases", title=_("cases")),
                alt.Tooltip("value_usd:Q", format=",.0f", title=_("value (USD)")),
            ],
        )
        .properties(height=alt.Step(20))
    )
    st.altair_chart(bars, width="stretch")

left, right = st.columns([2, 3])
with left:
    st.subheader(_("Top routes"))
    tr = ov.top_routes.copy()
    tr["route"] = [
        f"{country_name(o)} → {country_name(d)}" for o, d in zip(tr.origin, tr.destination, strict=True)
    ]
    data_table(
        tr[["route", "cases", "inferred"]],
        hide_index=True,
        width="stretch",
        column_config={
            "route": st.column_config.TextColumn(_("route")),
            "cases": st.column_config.NumberColumn(_("cases")),
            "inferred": st.column_config.NumberColumn(_("of which inferred"), help=_(INFERRED_HELP)),
        },
    )
    st.caption(_("Origin → destination of each case's route.") + " " + _(INFERRED_HELP))
with right:
    st.subheader(_("Latest cases"))
    latest = ov.latest
    event = data_table(
        readable(latest),
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="single-row",
        key="overview_latest",
        column_config={_("seizure date"): date_column(_("seizure date"))},
    )
    st.caption(_("Select a row to open the case."))
    rows = event.selection.rows if event and event.selection else []
    if rows:
        r = latest.iloc[rows[0]]
        open_case(r["reporting_country"], r["case_id"])
