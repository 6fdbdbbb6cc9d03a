"""Streamlit glue of the data-quality pages: cached loaders of the quality tables and the chart specs
(Altair, drawn offline by Streamlit's bundled Vega).

Nothing here imports Great Expectations: reports and scorecards come from the workbench's own tables.
GX is loaded only when a steward asks for Data Docs or a check of the store.

Reports, feedback workbooks and Data Docs follow the current role: for one that may not see personal data
(:attr:`workbench.config.Settings.can_see_personal`) they list no row of persons or companies and no
personal free-text value (:func:`data_quality.reports.without_personal_data`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

import data_quality as dq
from data_quality import (
    DIMENSION_NAMES,
    INPUT_COLUMNS,
    TIMELY_DAYS,
    SubmissionReport,
    country_order,
    scores,
    trend_frame,
)
from workbench.store.filters import CaseFilter
from workbench.ui.resources import get_settings, get_store

__all__ = [
    "DIMENSIONS",
    "TIMELY_DAYS",
    "scores",
    "country_order",
    "trend_frame",
    "submissions",
    "submission_report",
    "feedback_workbook",
    "data_docs",
    "scorecard_inputs",
    "heatmap_chart",
    "trend_chart",
    "store_runs",
    "latest_store_check",
    "check_store",
]

#: What the scorecards can show: the five dimensions and their mean.
DIMENSIONS: tuple[str, ...] = ("overall", *DIMENSION_NAMES)
_TTL = 300


@st.cache_data(ttl=_TTL, max_entries=8, show_spinner=False)
def _submissions(url: str) -> pd.DataFrame:
    return dq.submissions(get_store())


def submissions() -> pd.DataFrame:
    """The submissions with status and score, newest first (cached)."""
    return _submissions(get_store().url)


def _personal() -> bool:
    return get_settings().can_see_personal


@st.cache_data(ttl=_TTL, max_entries=16, show_spinner="Reading the report ...")
def _report(url: str, submission_id: int, personal: bool) -> SubmissionReport:
    return dq.submission_report(get_store(), submission_id, personal_allowed=personal)


def submission_report(submission_id: int) -> SubmissionReport:
    """A submission's report (cached), without personal data for a role that may not see it."""
    return _report(get_store().url, submission_id, _personal())


@st.cache_data(ttl=_TTL, max_entries=8, show_spinner="Writing the feedback workbook ...")
def _feedback(url: str, submission_id: int, personal: bool) -> bytes:
    return dq.feedback_workbook(dq.submission_report(get_store(), submission_id, personal_allowed=personal))


def feedback_workbook(submission_id: int) -> bytes:
    """The feedback workbook of a submission (``.xlsx`` bytes, cached), without personal data for a role
    that may not see it."""
    return _feedback(get_store().url, submission_id, _personal())


@st.cache_data(ttl=_TTL, max_entries=4, show_spinner="Rendering the Data Docs (loads Great Expectations) ...")
def _docs(url: str, run_id: int, title: str, personal: bool) -> bytes:
    return dq.data_docs_for_run(get_store(), run_id, title, personal_allowed=personal)


def data_docs(run_id: int, title: str) -> bytes:
    """Data Docs of a run as a zipped static site (GX is imported here, on demand), without personal data
    for a role that may not see it."""
    return _docs(get_store().url, run_id, title, _personal())


@st.cache_data(ttl=_TTL, max_entries=16, show_spinner="Reading the scorecards ...")
def _inputs(url: str, countries: tuple[str, ...], date_from: Any, date_to: Any) -> pd.DataFrame:
    return dq.scorecard_inputs(get_store(), countries, date_from, date_to)


def _countries_of(flt: CaseFilter) -> tuple[str, ...]:
    countries = set(flt.reporting_countries)
    if flt.wco_regions:
        from workbench.format.reference import countries as all_countries

        c = all_countries()
        in_regions = set(c.loc[c["wco_region"].isin(flt.wco_regions), "iso2"])
        countries = (countries & in_regions) if countries else in_regions
    return tuple(sorted(countries))


def scorecard_inputs(flt: CaseFilter) -> pd.DataFrame:
    """Summed scorecard inputs per reporting country and seizure month for the shared filter's countries,
    WCO regions and period (cached). Turn them into percentages with :func:`data_quality.scorecard.scores`."""
    countries = _countries_of(flt)
    if (flt.reporting_countries or flt.wco_regions) and not countries:
        return pd.DataFrame(columns=["reporting_country", "month", *INPUT_COLUMNS])
    return _inputs(get_store().url, countries, _as_date(flt.date_from), _as_date(flt.date_to))


def _as_date(v: Any) -> dt.date | None:
    if v is None or v == "":
        return None
    return pd.Timestamp(v).date()


def _label(dimension: str) -> str:
    return dimension.replace("_", " ")


def _floor(values: pd.Series) -> float:
    """The colour scale starts at the lowest score rounded down to 10, so small differences show."""
    lowest = values.min(skipna=True)
    return 0.0 if pd.isna(lowest) else float(max(0, int(lowest // 10 * 10)))


def _with_month_start(frame: pd.DataFrame) -> pd.DataFrame:
    """``month`` (``YYYY-MM``) as the first day of the month; a row whose month is no real month is
    dropped rather than breaking the chart (the readers already leave such months out)."""
    start = pd.to_datetime(frame["month"].astype("string") + "-01", format="%Y-%m-%d", errors="coerce")
    return frame.assign(month=start)[start.notna()]


def heatmap_chart(card: pd.DataFrame, dimension: str, countries: list[str]) -> alt.Chart:
    """Country-by-month heat map of one dimension (0-100; red is poor, green good)."""
    data = _with_month_start(card[card["reporting_country"].isin(countries)])
    tooltip = [
        alt.Tooltip("reporting_country:N", title="country"),
        alt.Tooltip("month:T", format="%Y-%m"),
        alt.Tooltip("cases:Q"),
        *[alt.Tooltip(f"{d}:Q", format=".1f") for d in DIMENSIONS],
        alt.Tooltip("mean_lag_days:Q", title="mean entry lag (days)", format=".1f"),
    ]
    return (
        alt.Chart(data)
        .mark_rect()
        .encode(
            x=alt.X(
                "yearmonth(month):O", title="seizure month", axis=alt.Axis(labelAngle=-90, labelOverlap=True)
            ),
            y=alt.Y("reporting_country:N", sort=countries, title=None, axis=alt.Axis(labelOverlap=False)),
            color=alt.Color(
                f"{dimension}:Q",
                title=_label(dimension),
                scale=alt.Scale(scheme="redyellowgreen", domain=[_floor(data[dimension]), 100], clamp=True),
            ),
            tooltip=tooltip,
        )
        .properties(height=max(180, 22 * len(countries)))
    )


def trend_chart(monthly: pd.DataFrame, dimension: str) -> alt.Chart:
    """Trend of a dimension by quarter: every country together, and each country compared (``series``)."""
    data = _with_month_start(monthly)
    return (
        alt.Chart(data)
        .mark_line(point=True)
        .encode(
            x=alt.X("month:T", title="seizure quarter"),
            y=alt.Y(
                f"{dimension}:Q",
                title=_label(dimension),
                scale=alt.Scale(domain=[_floor(data[dimension]), 100]),
            ),
            color=alt.Color("series:N", title=None),
            tooltip=[
                "series:N",
                alt.Tooltip("month:T", title="quarter from", format="%Y-%m"),
                alt.Tooltip(f"{dimension}:Q", format=".1f"),
                "cases:Q",
            ],
        )
        .properties(height=260)
    )


@st.cache_data(ttl=_TTL, max_entries=4, show_spinner=False)
def _store_runs(url: str) -> pd.DataFrame:
    return dq.store_runs(get_store())


def store_runs() -> pd.DataFrame:
    """The periodic checks of the store, newest first (cached)."""
    return _store_runs(get_store().url)


@st.cache_data(ttl=_TTL, max_entries=4, show_spinner=False)
def _latest_store_check(url: str) -> tuple[dict[str, Any] | None, pd.DataFrame]:
    return dq.latest_store_check(get_store())


def latest_store_check() -> tuple[dict[str, Any] | None, pd.DataFrame]:
    """The latest check of the store and its failed expectations (cached; no failing row values)."""
    return _latest_store_check(get_store().url)


def check_store() -> dict[str, Any]:
    """Run every suite against the store now (GX, in SQL where it can), record the run and forget the
    cached lists of checks, so the panel shows the new one."""
    report = dq.validate_store(get_store()).to_json()
    _store_runs.clear()
    _latest_store_check.clear()
    return report
