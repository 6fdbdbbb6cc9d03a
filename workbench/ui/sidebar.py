"""The filter sidebar, rendered by the entry script on every page so its widgets keep their values.

Each widget's value is initialised from the shared :class:`~workbench.ui.state.AppState` filter
the first time; every change is written back to that one filter object, which pages read.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from workbench.filters import CaseFilter
from workbench.ui.loaders import filter_options
from workbench.ui.resources import get_settings
from workbench.ui.state import get_state

__all__ = ["filter_sidebar", "FILTER_KEYS"]

FILTER_KEYS = ("flt_period", "flt_regions", "flt_countries", "flt_categories", "flt_types", "flt_modes")


def _country_label(code: str) -> str:
    from workbench.reference import country_name

    try:
        return f"{code} – {country_name(code)}"
    except Exception:
        return code


def _reset() -> None:
    for k in FILTER_KEYS:
        st.session_state.pop(k, None)
    get_state().filter = CaseFilter()


def filter_sidebar() -> CaseFilter:
    """Render the shared filters in the sidebar and return the filter now in force."""
    state = get_state()
    opts = filter_options()
    f = state.filter
    lo, hi = opts["period"]  # type: ignore[misc]
    ss = st.session_state
    if "flt_period" not in ss:
        ss["flt_period"] = (f.date_from or lo or dt.date(2019, 1, 1), f.date_to or hi or dt.date.today())
    ss.setdefault("flt_regions", list(f.wco_regions))
    ss.setdefault("flt_countries", list(f.reporting_countries))
    ss.setdefault("flt_categories", list(f.commodity_categories))
    ss.setdefault("flt_types", list(f.commodity_types))
    ss.setdefault("flt_modes", list(f.transport_modes))

    from workbench.reference import WCO_REGIONS

    with st.sidebar:
        st.markdown("### Filters")
        period = st.date_input(
            "Seizure period",
            key="flt_period",
            format="YYYY-MM-DD",
            help="First and last seizure date of the cases shown on every page.",
        )
        regions = st.multiselect("WCO region", list(WCO_REGIONS), key="flt_regions")
        countries = st.multiselect(
            "Reporting country", opts["countries"], key="flt_countries", format_func=_country_label
        )
        cats = st.multiselect("Commodity category", opts["categories"], key="flt_categories")
        type_opts = sorted({t for c, t in opts["types"] if not cats or c in cats})  # type: ignore[union-attr]
        types = st.multiselect("Commodity type", type_opts, key="flt_types")
        modes = st.multiselect("Transport mode", opts["modes"], key="flt_modes")
        st.button("Reset filters", on_click=_reset, width="stretch")
        settings = get_settings()
        personal = "may see personal data" if settings.can_see_personal else "no personal data"
        st.caption(f"User **{settings.user}** · role **{settings.role}** ({personal})")

    start = end = None
    if isinstance(period, (tuple, list)):
        if len(period) >= 1:
            start = period[0]
        if len(period) == 2:
            end = period[1]
    # A full-period selection is no filter at all: keeps cache keys shared with the CLI's default.
    if start == lo:
        start = None
    if end == hi:
        end = None
    flt = CaseFilter(
        date_from=start,
        date_to=end,
        reporting_countries=tuple(countries),
        wco_regions=tuple(regions),
        commodity_categories=tuple(cats),
        commodity_types=tuple(t for t in types if t in type_opts),
        transport_modes=tuple(modes),
    )
    state.filter = flt
    return flt
