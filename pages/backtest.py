"""Back-test: how indicators and the weighted profile would have done on traffic with a known outcome,
before and after a split date, month by month."""
# nav: section=Risk; title=Back-test; icon=:material/query_stats:; order=20; needs=write_indicators|approve_indicators

import streamlit as st

from workbench.i18n import _, format_date
from workbench.risk import registry as reg
from workbench.risk.backtest import PROFILE, default_split
from workbench.ui import risk as rk
from workbench.ui.resources import get_store
from workbench.ui.session import page_guard
from workbench.ui.widgets import data_table, date_input_format, excel_download

page_guard()  # a page runs only through the entry script's login gate

st.title(_("Back-test"))
st.caption(
    _(
        "Measure rules against history: how much traffic each would flag (the control workload), how many "
        "seizures it would have found (recall), how often a flag is a hit (precision) and how many times better "
        "than random selection that is (lift). Split the period to measure a rule written on the past on what came after."
    )
)
rk.show_flash()
rk.sample_loader()
store = get_store()
source = rk.traffic_picker("risk_bt_source")
prepared = rk.prepared_traffic(source) if source else None
if prepared is None:
    st.stop()
rk.scope_note(len(prepared))
if not len(prepared):
    st.warning(_("No movement of this traffic is within the sidebar's filters: widen or reset them."))
    st.stop()

c1, c2 = st.columns([3, 1])
which = c2.radio(
    _("Versions"),
    ["latest", "in force"],
    format_func=lambda w: _("latest") if w == "latest" else _("in force"),
    key="risk_bt_which",
    help=_("latest drafts, or the active versions"),
)
pool = reg.latest_indicators(store) if which == "latest" else reg.active_indicators(store)
if not pool:
    st.info(_("No indicators to back-test: write or import some on the Indicators page."))
    st.stop()
by_id = {i.id: i for i in pool}
chosen = c1.multiselect(
    _("Indicators"),
    list(by_id),
    default=list(by_id),
    key=f"risk_bt_ids_{which}",
    format_func=lambda i: f"{i} · {by_id[i].name} (v{by_id[i].version}, {by_id[i].status})",
)
dates = prepared.frame["movement_date"]
lo, hi = dates.min().date(), dates.max().date()
c1, c2, c3 = st.columns(3)
use_profile = c1.checkbox(_("Back-test the weighted profile too"), value=True, key="risk_bt_profile")
threshold = c2.number_input(
    _("Profile threshold (score)"), min_value=0.0, value=40.0, step=5.0, key="risk_bt_thr"
)
split = c3.date_input(
    _("Split date (first day of the later period)"),
    value=default_split(lo, hi),
    min_value=lo,
    max_value=hi,
    key="risk_bt_split",
    format=date_input_format(),
)
engine = st.radio(
    _("Engine"),
    ["pandas", "sql"],
    horizontal=True,
    key="risk_bt_engine",
    format_func=lambda e: _("in memory (pandas)") if e == "pandas" else _("inside the database (SQL)"),
)
if not chosen:
    st.info(_("Choose at least one indicator."))
    st.stop()

result = rk.cached_backtest(
    source, [by_id[i] for i in chosen], threshold if use_profile else None, split, engine
)
summary = result.summary()
cols = st.columns(5)
cols[0].metric(_("Movements"), _("{n:,}", n=summary["all"]["rows"]))
cols[1].metric(_("Seized"), _("{n:,}", n=summary["all"]["seized"]))
cols[2].metric(
    _("Base rate"), rk.fmt_pct(summary["all"]["base_rate"]), help=_("share of all movements that were seized")
)
cols[3].metric(
    _("After the split"),
    _("{n:,}", n=summary["after"]["rows"]),
    help=_("movements on or after the split date"),
)
cols[4].metric(_("Seized after it"), _("{n:,}", n=summary["after"]["seized"]))

st.subheader(_("Measured after {split} (rules written before it)", split=format_date(split)))
data_table(
    rk.metrics_view(result, "after"), hide_index=True, width="stretch", height="content", key="risk_bt_after"
)
with st.expander(_("Before {split}, and over the whole period", split=format_date(split))):
    st.markdown(_("**Before the split**"))
    data_table(rk.metrics_view(result, "before"), hide_index=True, width="stretch", height="content")
    st.markdown(_("**Whole period**"))
    data_table(rk.metrics_view(result, "all"), hide_index=True, width="stretch", height="content")

st.subheader(_("Hits over time"))
rules = result.rules
names = result.names
rule = st.selectbox(
    _("Rule"),
    rules,
    index=rules.index(PROFILE) if PROFILE in rules else 0,
    key="risk_bt_rule",
    format_func=lambda r: f"{r} · {names[r]}",
)
st.altair_chart(rk.hits_chart(result, rule), width="stretch")
st.caption(
    _("Bars: movements the rule flags each month, and how many of those were seized. Dashed line: the split.")
)

excel_download(
    _("Download the back-test (.xlsx)"),
    {p: result.metrics(p) for p in ("after", "before", "all")} | {"by month": result.hits_over_time()},
    title=_("Back-test"),
    notes=[
        _(
            "traffic: {source}; split {split}; threshold {threshold:g}",
            source=source,
            split=split,
            threshold=threshold,
        )
        if use_profile
        else _("traffic: {source}; split {split}", source=source, split=split),
        rk.describe_filter(),
    ],
    file_stem="backtest",
    key="risk_bt_download",
)
