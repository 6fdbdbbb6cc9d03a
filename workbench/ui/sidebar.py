"""The filter sidebar, rendered by the entry script on every page.

The one :class:`~workbench.store.filters.CaseFilter` in :class:`~workbench.ui.state.AppState` is the truth.
Widgets write into it when the user changes them (``on_change``); when a page changes the filter
itself (e.g. "show this trend on the map"), the widgets are re-seeded from it before they are drawn.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import streamlit as st

from workbench.store.filters import CaseFilter
from workbench.ui.loaders import filter_options
from workbench.ui.resources import get_settings
from workbench.ui.state import get_state

__all__ = ["filter_sidebar", "set_filter", "FILTER_KEYS"]

FILTER_KEYS = ("flt_period", "flt_regions", "flt_countries", "flt_categories", "flt_types", "flt_modes")
_LISTS = {
    "flt_regions": "wco_regions",
    "flt_countries": "reporting_countries",
    "flt_categories": "commodity_categories",
    "flt_types": "commodity_types",
    "flt_modes": "transport_modes",
}


def _country_label(code: str) -> str:
    from workbench.format.reference import country_name

    return f"{code} – {country_name(code)}"


def _period_bounds(opts: dict[str, Any]) -> tuple[dt.date, dt.date]:
    lo, hi = opts["period"]
    return lo or dt.date(2019, 1, 1), hi or dt.date.today()


def _from_widgets(opts: dict[str, Any]) -> CaseFilter | None:
    """The filter the widgets show, or None before they exist."""
    ss = st.session_state
    if not all(k in ss for k in FILTER_KEYS):
        return None
    lo, hi = _period_bounds(opts)
    period = ss["flt_period"]
    start = period[0] if isinstance(period, (tuple, list)) and len(period) >= 1 else None
    end = period[1] if isinstance(period, (tuple, list)) and len(period) == 2 else None
    return CaseFilter(
        date_from=None if start == lo else start,  # the full period is no filter at all
        date_to=None if end == hi else end,
        **{field: tuple(ss[key]) for key, field in _LISTS.items()},
    )


def _seed_widgets(flt: CaseFilter, opts: dict[str, Any]) -> None:
    lo, hi = _period_bounds(opts)
    ss = st.session_state
    ss["flt_period"] = (flt.date_from or lo, flt.date_to or hi)
    for key, field in _LISTS.items():
        ss[key] = list(getattr(flt, field))


def set_filter(flt: CaseFilter) -> None:
    """Put ``flt`` in force and show it in the sidebar's widgets at once; for a widget callback of a page
    that changes the shared filter (seeded later in the run, Chromium may send the old date range back)."""
    get_state().filter = flt
    _seed_widgets(flt, filter_options())


def _sync() -> None:
    flt = _from_widgets(filter_options())
    if flt is not None:
        get_state().filter = flt


def _reset() -> None:
    set_filter(CaseFilter())


def filter_sidebar() -> CaseFilter:
    """Render the shared filters in the sidebar and return the filter in force."""
    from workbench.format.reference import WCO_REGION_SHORT, WCO_REGIONS

    state = get_state()
    opts = filter_options()
    if _from_widgets(opts) != state.filter:
        _seed_widgets(state.filter, opts)
    ss = st.session_state
    with st.sidebar:
        st.markdown("### Filters")
        st.date_input(
            "Seizure period",
            key="flt_period",
            format="YYYY-MM-DD",
            on_change=_sync,
            help="First and last seizure date of the cases shown on every page.",
        )
        st.multiselect(
            "WCO region",
            list(WCO_REGIONS),
            key="flt_regions",
            on_change=_sync,
            format_func=lambda r: WCO_REGION_SHORT.get(r, r),
            help="The WCO's six regions: " + "; ".join(f"{WCO_REGION_SHORT[r]} = {r}" for r in WCO_REGIONS),
        )
        st.multiselect(
            "Reporting country",
            sorted(set(opts["countries"]) | set(ss["flt_countries"])),
            key="flt_countries",
            format_func=_country_label,
            on_change=_sync,
        )
        st.multiselect(
            "Commodity category",
            sorted(set(opts["categories"]) | set(ss["flt_categories"])),
            key="flt_categories",
            on_change=_sync,
        )
        cats = ss["flt_categories"]
        type_opts = sorted({t for c, t in opts["types"] if not cats or c in cats} | set(ss["flt_types"]))
        st.multiselect("Commodity type", type_opts, key="flt_types", on_change=_sync)
        st.multiselect(
            "Transport mode",
            sorted(set(opts["modes"]) | set(ss["flt_modes"])),
            key="flt_modes",
            on_change=_sync,
        )
        st.button("Reset filters", on_click=_reset, width="stretch")
        settings = get_settings()
        personal = "may see personal data" if settings.can_see_personal else "no personal data"
        st.caption(f"User **{settings.user}** · role **{settings.role}** ({personal})")
    return state.filter
