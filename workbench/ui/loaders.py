"""Cached data loaders. Keys come from the store URL, its data version (:func:`workbench.ui.resources.data_version`:
a page shows new data on its next run after any write, whoever made it) and the filter object (hashable)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from workbench.i18n import N_
from workbench.identity import Principal
from workbench.store import queries
from workbench.store.filters import CaseFilter
from workbench.ui.resources import data_version, get_store

__all__ = [
    "overview",
    "search_cases",
    "filter_options",
    "cases_for_export",
    "seizure_frame",
    "case_frame",
    "case_as_exported",
]

_TTL = 600
#: What the loaders read: the data tables (moved forward by every import).
_CASES = ("cases",)


@st.cache_data(ttl=_TTL, max_entries=64, show_spinner=False)
def _overview(url: str, version: tuple[int, ...], flt: CaseFilter) -> queries.Overview:
    from workbench.store.aggregate import overview_figures  # the monthly summaries where they answer

    return overview_figures(get_store(), flt)


def overview(flt: CaseFilter) -> queries.Overview:
    return _overview(get_store().url, data_version(*_CASES), flt)


@st.cache_data(ttl=_TTL, max_entries=128, show_spinner=False)
def _search(
    url: str,
    version: tuple[int, ...],
    flt: CaseFilter,
    text: str,
    page: int,
    page_size: int,
    consultant: Principal | None,
) -> tuple[pd.DataFrame, int]:
    # the consultant is part of the key: a cached consultation of personal data is one user's, for one purpose
    return queries.search_cases(
        get_store(), flt, text, page, page_size, personal_allowed=consultant is not None
    )


def search_cases(flt: CaseFilter, text: str, page: int, page_size: int) -> tuple[pd.DataFrame, int]:
    """One page of the case search, for the current user (see :func:`workbench.store.queries.search_cases`):
    conveyance ids (personal data) only once the user has stated the purpose of the consultation."""
    from workbench.ui.session import consultant

    return _search(get_store().url, data_version(*_CASES), flt, text, page, page_size, consultant())


@st.cache_data(ttl=_TTL, max_entries=64, show_spinner=False)
def _case_as_exported(
    url: str, version: tuple[int, ...], rc: str, case_id: str, day: dt.date
) -> dict[str, object] | None:
    from workbench.exchange.exports import non_personal_case

    return non_personal_case(get_store(), rc, case_id, day)


def case_as_exported(rc: str, case_id: str, seizure_date: dt.date) -> dict[str, object] | None:
    """The case's row as the non-personal export carries it (remarks scrubbed of the names, numbers and
    phones the store's parties hold; personal conveyance ids cleared), so that a role that may not see
    personal data reads in the case detail what its own export gives it."""
    return _case_as_exported(get_store().url, data_version(*_CASES), rc, case_id, seizure_date)


@st.cache_data(ttl=_TTL, max_entries=8, show_spinner=False)
def _options(url: str, version: tuple[int, ...]) -> dict[str, object]:
    return queries.filter_options(get_store())


def filter_options() -> dict[str, object]:
    return _options(get_store().url, data_version(*_CASES))


@st.cache_data(ttl=_TTL, max_entries=8, show_spinner=False)
def _export_cases(url: str, version: tuple[int, ...], flt: CaseFilter) -> pd.DataFrame:
    return queries.load_cases(get_store(), flt, order_latest=True)


def cases_for_export(flt: CaseFilter) -> pd.DataFrame:
    return _export_cases(get_store().url, data_version(*_CASES), flt)


# cache_resource, not cache_data: a million-row frame is handed out as is, not unpickled on every rerun.
@st.cache_resource(ttl=_TTL, max_entries=4, show_spinner=N_("Reading the seizures ..."))
def _seizure_frame(url: str, version: tuple[int, ...], flt: CaseFilter) -> pd.DataFrame:
    from workbench.store.frames import seizure_frame as _sf

    return _sf(get_store(), flt)


def seizure_frame(flt: CaseFilter) -> pd.DataFrame:
    """One row per item with its case's fields (:func:`workbench.store.frames.seizure_frame`), cached.

    Pages that analyse (routes, trends, back-tests) share this one cached frame per filter; treat it
    as read-only.
    """
    return _seizure_frame(get_store().url, data_version(*_CASES), flt)


@st.cache_resource(ttl=_TTL, max_entries=4, show_spinner=N_("Reading the cases ..."))
def _case_frame(url: str, version: tuple[int, ...], flt: CaseFilter) -> pd.DataFrame:
    from workbench.store.frames import case_frame as _cf

    return _cf(get_store(), flt)


def case_frame(flt: CaseFilter) -> pd.DataFrame:
    """One row per case (:func:`workbench.store.frames.case_frame`), cached; read-only."""
    return _case_frame(get_store().url, data_version(*_CASES), flt)


def today() -> dt.date:
    return dt.date.today()
