"""The filter sidebar, rendered by the entry script on every page.

The one :class:`~workbench.store.filters.CaseFilter` in :class:`~workbench.ui.state.AppState` is the truth.
Widgets write into it when the user changes them (``on_change``); when a page changes the filter
itself (e.g. "show this trend on the map"), the widgets are re-seeded from it before they are drawn.

The widgets are built from the filter's declaration (:data:`workbench.store.criteria.CRITERIA`): a
date range for a period, a multi-select for a choice, each with its label, help and options
(:func:`workbench.store.queries.filter_options`); the widget of criterion ``name`` has the key
``flt_<name>``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import streamlit as st

from workbench.i18n import _, code_label
from workbench.store.criteria import CRITERIA, Criterion, offered_values, period_bounds
from workbench.store.filters import CaseFilter
from workbench.ui.loaders import filter_options
from workbench.ui.state import get_state
from workbench.ui.widgets import date_input_format

__all__ = ["filter_sidebar", "set_filter", "FILTER_KEYS", "widget_key", "option_label"]


def widget_key(c: Criterion) -> str:
    """The session-state key of criterion ``c``'s widget."""
    return f"flt_{c.name}"


FILTER_KEYS: tuple[str, ...] = tuple(widget_key(c) for c in CRITERIA)


def _bounds(c: Criterion, opts: dict[str, Any]) -> tuple[dt.date, dt.date]:
    lo, hi = period_bounds(c, opts)
    return lo or dt.date(2019, 1, 1), hi or dt.date.today()


def _from_widgets(opts: dict[str, Any]) -> CaseFilter | None:
    """The filter the widgets show, or None before they exist."""
    ss = st.session_state
    if not all(k in ss for k in FILTER_KEYS):
        return None
    values: dict[str, Any] = {}
    for c in CRITERIA:
        shown = ss[widget_key(c)]
        if c.kind == "period":
            lo, hi = _bounds(c, opts)
            start = shown[0] if isinstance(shown, (tuple, list)) and len(shown) >= 1 else None
            end = shown[1] if isinstance(shown, (tuple, list)) and len(shown) == 2 else None
            # the full period is no filter at all
            values.update(
                zip(c.fields, (None if start == lo else start, None if end == hi else end), strict=True)
            )
        else:
            values[c.fields[0]] = tuple(shown)
    return CaseFilter(**values)


def _seed_widgets(flt: CaseFilter, opts: dict[str, Any]) -> None:
    ss = st.session_state
    for c in CRITERIA:
        if c.kind == "period":
            lo, hi = _bounds(c, opts)
            start, end = c.value(flt)
            ss[widget_key(c)] = (start or lo, end or hi)
        else:
            ss[widget_key(c)] = list(c.value(flt))


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


def option_label(c: Criterion) -> Callable[[str], str]:
    """How a value of criterion ``c`` reads in its list, in the language in force: the criterion's own
    label (a country: ``FR – France``, a WCO region), else the value as a code of the taxonomy or of an
    enumeration (``air_passenger`` -> ``air passenger``, ``passager aérien``)."""
    return c.show if c.value_label else code_label


def _widget(c: Criterion, flt: CaseFilter, opts: dict[str, Any]) -> None:
    if c.kind == "period":
        st.date_input(
            c.title(), key=widget_key(c), format=date_input_format(), on_change=_sync, help=c.help_text()
        )
        return
    st.multiselect(
        c.title(),
        offered_values(c, opts, flt),
        key=widget_key(c),
        format_func=option_label(c),
        on_change=_sync,
        help=c.help_text(),
    )


def filter_sidebar() -> CaseFilter:
    """Render the shared filters in the sidebar and return the filter in force."""
    state = get_state()
    opts = filter_options()
    if _from_widgets(opts) != state.filter:
        _seed_widgets(state.filter, opts)
    with st.sidebar:
        st.markdown("### " + _("Filters"))
        for c in CRITERIA:
            _widget(c, state.filter, opts)  # the values chosen so far narrow a list "within" another
        st.button(_("Reset filters"), on_click=_reset, width="stretch")
    return state.filter
