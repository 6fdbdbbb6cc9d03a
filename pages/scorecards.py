"""Scorecards: data quality per reporting country over time (completeness, validity, timeliness,
consistency, uniqueness) as a country-by-month heat map and a trend."""
# nav: section=Data quality; title=Scorecards; icon=:material/grid_on:; order=30; needs=check_quality

import streamlit as st

from workbench.format.reference import country_name
from workbench.i18n import _
from workbench.ui import quality
from workbench.ui.quality import TIMELY_DAYS, country_order, dimension_label, scores, trend_frame
from workbench.ui.session import page_guard
from workbench.ui.state import get_state
from workbench.ui.widgets import data_table, filter_caption

page_guard()  # a page runs only through the entry script's login gate

HELP = {
    "overall": _("the mean of the five dimensions"),
    "completeness": _("share of a case's descriptive fields that are filled"),
    "validity": _("share of cases stored without a critical finding (not quarantined)"),
    "timeliness": _("share of cases entered within {days} days of the seizure", days=TIMELY_DAYS),
    "consistency": _("share of stored cases without a consistency warning (place, route, quantity, dates)"),
    "uniqueness": _("share of stored cases not flagged as a likely duplicate"),
}

state = get_state()
st.title(_("Scorecards"))
filter_caption(state.filter)
st.caption(
    _(
        "Computed from every checked submission, by reporting country and month of seizure. The reporting "
        "country, WCO region and period filters in the sidebar apply."
    )
)

inputs = quality.scorecard_inputs(state.filter)
if inputs.empty:
    st.info(_("No quality results for these filters yet: submissions are scored when they are imported."))
    st.stop()

by_country = scores(inputs, by=("reporting_country",))
left, mid, right = st.columns([2, 2, 3])
dimension = left.selectbox(
    _("Dimension"),
    quality.DIMENSIONS,
    index=quality.DIMENSIONS.index(state.extras.get("quality.dimension", "overall")),
    format_func=lambda d: dimension_label(d),
    key="quality_dimension",
    help="; ".join(f"**{dimension_label(k)}**: {v}" for k, v in HELP.items()),
)
state.extras["quality.dimension"] = dimension
n_countries = len(by_country)
limit = mid.slider(
    _("Countries shown (most cases first)"),
    min_value=1,
    max_value=n_countries,
    value=min(30, n_countries),
    key="quality_country_limit",
)
countries = country_order(by_country, dimension, limit)
worst = countries[:3]
compare = right.multiselect(
    _("Compare in the trend"),
    sorted(by_country["reporting_country"]),
    default=worst,
    format_func=lambda c: f"{c} – {country_name(c)}",
    key="quality_compare",
)

overall = scores(inputs.assign(all="all"), by=("all",)).iloc[0]
cols = st.columns(len(quality.DIMENSIONS))
for c, d in zip(cols, quality.DIMENSIONS, strict=True):
    value = overall[d]
    c.metric(dimension_label(d), "–" if value != value else _("{v:.1f}", v=value), help=HELP[d])

st.subheader(_("{dimension} by country and month", dimension=dimension_label(dimension)))
st.caption(
    _("{help}. Red is poor, green good; weakest countries at the top.", help=HELP[dimension].capitalize())
    + " "
    + _(
        "A white cell is a month with nothing to score: the country reported no case seized that month, "
        "or none this dimension can measure (timeliness needs an entry date)."
    )
)
card = scores(inputs)
st.altair_chart(quality.heatmap_chart(card, dimension, countries), width="stretch")

st.subheader(_("Trend"))
st.altair_chart(quality.trend_chart(trend_frame(inputs, compare), dimension), width="stretch")

st.subheader(_("Countries"))
table = by_country.sort_values(dimension)
table.insert(1, "country", table["reporting_country"].map(country_name))
table = table[["reporting_country", "country", "cases", *quality.DIMENSIONS, "mean_lag_days"]]
data_table(
    table,
    hide_index=True,
    width="stretch",
    column_config={
        d: st.column_config.ProgressColumn(d, min_value=0, max_value=100, format="%.1f")
        for d in quality.DIMENSIONS
    }
    | {"mean_lag_days": st.column_config.NumberColumn(_("mean entry lag (days)"), format="%.1f")},
)
