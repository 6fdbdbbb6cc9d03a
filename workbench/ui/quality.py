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
from workbench.i18n import N_, _, code_label, format_datetime, language
from workbench.store.filters import CaseFilter
from workbench.ui.resources import data_version, get_store
from workbench.ui.session import get_principal
from workbench.ui.state import get_state
from workbench.ui.widgets import data_table, datetime_column

__all__ = [
    "DIMENSIONS",
    "DIMENSION_LABELS",
    "dimension_label",
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
    "SHOWN_ROWS",
    "submissions_overview",
    "store_check_panel",
    "choose_submission",
    "report_header",
    "failed_expectations",
    "failing_rows_panel",
]

#: What the scorecards can show: the five dimensions and their mean.
DIMENSIONS: tuple[str, ...] = ("overall", *DIMENSION_NAMES)
#: Headers of the submissions table (data_quality.reports), in the language in force where shown.
SUBMISSION_COLUMNS: dict[str, str] = {
    "submission": N_("submission"),
    "source": N_("source"),
    "status": N_("status"),
    "countries": N_("reporting countries"),
    "accepted": N_("accepted"),
    "refused": N_("refused"),
    "critical_rows": N_("critical rows"),
    "warning_rows": N_("warning rows"),
    "by": N_("submitted by"),
}
#: How each dimension is named where it is shown (page, chart titles), marked for the catalogues.
DIMENSION_LABELS: dict[str, str] = {
    "overall": N_("Overall"),
    "completeness": N_("Completeness"),
    "validity": N_("Validity"),
    "timeliness": N_("Timeliness"),
    "consistency": N_("Consistency"),
    "uniqueness": N_("Uniqueness"),
}
_TTL = 300
#: What the quality pages read: submissions, quarantined rows and quality results.
_SUBMISSIONS = ("submissions",)


@st.cache_data(ttl=_TTL, max_entries=8, show_spinner=False)
def _submissions(url: str, version: tuple[int, ...]) -> pd.DataFrame:
    return dq.submissions(get_store())


def submissions() -> pd.DataFrame:
    """The submissions with status and score, newest first (cached)."""
    return _submissions(get_store().url, data_version(*_SUBMISSIONS))


def _personal() -> bool:
    return get_principal().can_see_personal


@st.cache_data(ttl=_TTL, max_entries=16, show_spinner=False)
def _report(
    url: str, version: tuple[int, ...], submission_id: int, personal: bool, lang: str
) -> SubmissionReport:
    return dq.submission_report(get_store(), submission_id, personal_allowed=personal)


def submission_report(submission_id: int) -> SubmissionReport:
    """A submission's report (cached), without personal data for a role that may not see it."""
    with st.spinner(_("Reading the report ...")):
        return _report(get_store().url, data_version(*_SUBMISSIONS), submission_id, _personal(), language())


@st.cache_data(ttl=_TTL, max_entries=8, show_spinner=False)
def _feedback(url: str, version: tuple[int, ...], submission_id: int, personal: bool, lang: str) -> bytes:
    return dq.feedback_workbook(dq.submission_report(get_store(), submission_id, personal_allowed=personal))


def feedback_workbook(submission_id: int) -> bytes:
    """The feedback workbook of a submission (``.xlsx`` bytes, cached), without personal data for a role
    that may not see it."""
    with st.spinner(_("Writing the feedback workbook ...")):
        return _feedback(get_store().url, data_version(*_SUBMISSIONS), submission_id, _personal(), language())


@st.cache_data(ttl=_TTL, max_entries=4, show_spinner=False)
def _docs(url: str, version: tuple[int, ...], run_id: int, title: str, personal: bool, lang: str) -> bytes:
    return dq.data_docs_for_run(get_store(), run_id, title, personal_allowed=personal)


def data_docs(run_id: int, title: str) -> bytes:
    """Data Docs of a run as a zipped static site (GX is imported here, on demand), without personal data
    for a role that may not see it."""
    with st.spinner(_("Rendering the Data Docs (loads Great Expectations) ...")):
        return _docs(get_store().url, data_version(*_SUBMISSIONS), run_id, title, _personal(), language())


@st.cache_data(ttl=_TTL, max_entries=16, show_spinner=False)
def _inputs(
    url: str, version: tuple[int, ...], countries: tuple[str, ...], date_from: Any, date_to: Any
) -> pd.DataFrame:
    return dq.scorecard_inputs(get_store(), countries, date_from, date_to)


def scorecard_inputs(flt: CaseFilter) -> pd.DataFrame:
    """Summed scorecard inputs per reporting country and seizure month for the shared filter's countries,
    WCO regions and period (cached). Turn them into percentages with :func:`data_quality.scorecard.scores`."""
    countries = flt.countries()  # None: any country
    if countries is not None and not countries:
        return pd.DataFrame(columns=["reporting_country", "month", *INPUT_COLUMNS])
    with st.spinner(_("Reading the scorecards ...")):
        return _inputs(
            get_store().url,
            data_version(*_SUBMISSIONS),
            countries or (),
            _as_date(flt.date_from),
            _as_date(flt.date_to),
        )


def _as_date(v: Any) -> dt.date | None:
    if v is None or v == "":
        return None
    return pd.Timestamp(v).date()


def dimension_label(dimension: str) -> str:
    """A quality dimension's name in the language in force (:data:`DIMENSION_LABELS`).

    >>> dimension_label("timeliness")
    'Timeliness'
    """
    label = DIMENSION_LABELS.get(dimension)
    return _(label) if label else dimension.replace("_", " ").capitalize()


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
        alt.Tooltip("reporting_country:N", title=_("country")),
        alt.Tooltip("month:T", format="%Y-%m"),
        alt.Tooltip("cases:Q", title=_("cases")),
        *[alt.Tooltip(f"{d}:Q", title=dimension_label(d), format=".1f") for d in DIMENSIONS],
        alt.Tooltip("mean_lag_days:Q", title=_("mean entry lag (days)"), format=".1f"),
    ]
    return (
        alt.Chart(data)
        .mark_rect()
        .encode(
            x=alt.X(
                "yearmonth(month):O",
                title=_("seizure month"),
                axis=alt.Axis(labelAngle=-90, labelOverlap=True),
            ),
            y=alt.Y("reporting_country:N", sort=countries, title=None, axis=alt.Axis(labelOverlap=False)),
            color=alt.Color(
                f"{dimension}:Q",
                title=dimension_label(dimension),
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
            x=alt.X("month:T", title=_("seizure quarter")),
            y=alt.Y(
                f"{dimension}:Q",
                title=dimension_label(dimension),
                scale=alt.Scale(domain=[_floor(data[dimension]), 100]),
            ),
            color=alt.Color("series:N", title=None),
            tooltip=[
                alt.Tooltip("series:N", title=_("series")),
                alt.Tooltip("month:T", title=_("quarter from"), format="%Y-%m"),
                alt.Tooltip(f"{dimension}:Q", title=dimension_label(dimension), format=".1f"),
                alt.Tooltip("cases:Q", title=_("cases")),
            ],
        )
        .properties(height=260)
    )


@st.cache_data(ttl=_TTL, max_entries=4, show_spinner=False)
def _store_runs(url: str, version: tuple[int, ...]) -> pd.DataFrame:
    return dq.store_runs(get_store())


def store_runs() -> pd.DataFrame:
    """The periodic checks of the store, newest first (cached)."""
    return _store_runs(get_store().url, data_version(*_SUBMISSIONS))


@st.cache_data(ttl=_TTL, max_entries=4, show_spinner=False)
def _latest_store_check(url: str, version: tuple[int, ...]) -> tuple[dict[str, Any] | None, pd.DataFrame]:
    return dq.latest_store_check(get_store())


def latest_store_check() -> tuple[dict[str, Any] | None, pd.DataFrame]:
    """The latest check of the store and its failed expectations (cached; no failing row values)."""
    return _latest_store_check(get_store().url, data_version(*_SUBMISSIONS))


def check_store() -> dict[str, Any]:
    """Run every suite against the store now (GX, in SQL where it can) and record the run (which moves
    the ``submissions`` data version forward: the next run of any page lists it)."""
    return dq.validate_store(get_store()).to_json()


# ---------------------------------------------------------------- the Submissions page's panels
#: Failing rows the Submissions page lists (the feedback workbook lists them all).
SHOWN_ROWS = 10_000


def submissions_overview(subs: pd.DataFrame) -> None:
    """Figures over every submission and their table."""
    checked = subs[subs["run_id"].notna()]
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(_("Submissions"), f"{len(subs):,}")
    c2.metric(_("Checked by the gate"), f"{len(checked):,}")
    c3.metric(_("With quarantined rows"), f"{int(subs['status'].isin(['partial', 'rejected']).sum()):,}")
    c4.metric(
        _("Median score"), f"{checked['score'].median():.1f}" if checked["score"].notna().any() else "–"
    )
    data_table(
        subs.drop(columns=["run_id", "kind"]).assign(
            status=subs["status"].map(code_label, na_action="ignore")
        ),
        hide_index=True,
        width="stretch",
        column_config={
            **{c: _(label) for c, label in SUBMISSION_COLUMNS.items()},
            "score": st.column_config.ProgressColumn(_("score"), min_value=0, max_value=100, format="%.1f"),
            "received": datetime_column(_("received")),
        },
    )


def _run_store_check() -> None:
    res = check_store()
    get_state().extras["quality.checked"] = _(
        "Checked: score {score}, {n} failed expectation(s), listed below.",
        score=res["score"],
        n=len(res["failures"]),
    )


def store_check_panel() -> None:
    """Run the suites against the whole store; the latest check's failures and every check so far."""
    st.caption(_("`workbench validate --db URL` runs the suites inside the database (SQLite or PostgreSQL)."))
    if st.button(_("Check the store now"), key="quality_store_check"):
        with st.spinner(_("Checking everything stored ...")):
            _run_store_check()
        st.rerun()  # the check moved the data version forward: the next run lists it
    done = get_state().extras.pop("quality.checked", None)
    if done:
        st.success(done)
    last, last_failed = latest_store_check()
    if last is None:
        st.caption(_("No check of the store yet."))
        return
    st.markdown(
        _(
            "**Latest check** (run {run}, {at}): score {score}, {n} failed expectation(s)",
            run=last["id"],
            at=format_datetime(pd.Timestamp(last["started_at"]), "short"),
            score=last["score"],
            n=len(last_failed),
        )
    )
    data_table(
        last_failed[["table", "column", "problem", "severity", "failing", "share_pct", "expectation"]],
        hide_index=True,
        width="stretch",
        column_config={
            "share_pct": st.column_config.NumberColumn(
                _("% of rows"), format="%.2f", help=_("of the table's rows")
            )
        },
    )
    st.caption(_("Every check of the store, newest first:"))
    data_table(store_runs(), hide_index=True, width="stretch")


def choose_submission(subs: pd.DataFrame) -> int:
    """The submission whose report to show (kept across page switches)."""
    extras = get_state().extras
    ids = subs["submission"].tolist()
    default = extras.get("quality.submission")
    chosen = st.selectbox(
        _("Report of submission"),
        ids,
        index=ids.index(default) if default in ids else 0,
        format_func=lambda i: f"{i} · {subs.loc[subs['submission'] == i, 'source'].iloc[0]}",
        key="quality_submission",
    )
    extras["quality.submission"] = chosen
    return int(chosen)


def report_header(report: SubmissionReport) -> None:
    """Who sent the submission, when, its status; with a quality run, its figures and the downloads
    (feedback workbook, Data Docs)."""
    sub = report.submission
    st.subheader(_("Submission {id}: {source}", id=sub["id"], source=sub["source"]))
    st.caption(
        _(
            "received {at} from {by} · status **{status}** · reporting countries: {countries}",
            at=format_datetime(pd.Timestamp(sub["received"]), "short"),
            by=sub["by"],
            status=code_label(sub["status"]),
            countries=(sub["countries"] or "–").replace(";", ", "),
        )
    )
    for note in report.notes:
        st.caption(note)
    run = report.run
    if run is None:
        return
    m1, m2, m3, m4 = st.columns(4)
    m1.metric(_("Quality score"), f"{run['score']:.1f}" if run["score"] is not None else "–")
    m2.metric(
        _("Rows quarantined"), f"{run['critical_rows']:,}", help=_("rows with a critical finding: not stored")
    )
    m3.metric(
        _("Rows flagged"), f"{run['warning_rows']:,}", help=_("rows with warnings only: stored and flagged")
    )
    m4.metric(
        _("Expectations failed"),
        _("{failed} of {total}", failed=len(report.failed), total=len(report.expectations)),
    )
    _report_downloads(report)


def _report_downloads(report: SubmissionReport) -> None:
    extras = get_state().extras
    sub, run = report.submission, report.run
    assert run is not None
    left, right = st.columns([1, 1])
    left.download_button(
        _("Feedback workbook (.xlsx)"),
        data=feedback_workbook(int(sub["id"])),
        file_name=f"feedback-submission-{sub['id']}-{dt.date.today():%Y%m%d}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/download:",
        key="quality_feedback",
        help=_("For the submitting administration: every problem, where it is, and how to fix it."),
    )
    if right.button(_("Build Data Docs"), key="quality_docs_build", icon=":material/description:"):
        extras["quality.docs_for"] = int(run["id"])
    if extras.get("quality.docs_for") == int(run["id"]):
        right.download_button(
            _("Data Docs (static site, .zip)"),
            data=data_docs(
                int(run["id"]), _("submission {id}: {source}", id=sub["id"], source=sub["source"])
            ),
            file_name=f"data-docs-submission-{sub['id']}.zip",
            mime="application/zip",
            key="quality_docs_download",
            help=_("Great Expectations Data Docs: unzip and open index.html; it works offline."),
        )


def failed_expectations(report: SubmissionReport) -> bool:
    """The expectations that could not run and those that failed; False when every one was met."""
    for e in report.expectations[report.expectations["error"].notna()].itertuples(index=False):
        st.warning(
            _(
                "{table}.{column}: {expectation} could not run ({error})",
                table=e.table,
                column=e.column,
                expectation=e.expectation,
                error=e.error,
            )
        )
    failed = report.failed
    if failed.empty:
        st.success(_("Every expectation was met."))
        return False
    st.markdown("**" + _("Failed expectations") + "**")
    st.caption(
        _(
            "**% of rows**: failing rows as a share of the rows of that table in the submission ({rows}).",
            rows=", ".join(f"{t}: {n:,}" for t, n in report.table_rows.items()),
        )
    )
    data_table(
        failed[["table", "column", "problem", "severity", "failing", "share_pct", "expectation", "fix"]],
        hide_index=True,
        width="stretch",
        column_config={
            "share_pct": st.column_config.NumberColumn(
                _("% of rows"), format="%.2f", help=_("failing rows / rows of that table in the submission")
            )
        },
    )
    return True


def failing_rows_panel(report: SubmissionReport) -> None:
    """The failing rows, narrowed to one expectation on one column if the user picks it."""
    rows = report.failing_rows
    st.markdown("**" + _("Failing rows ({n:,})", n=len(rows)) + "**")
    if report.hidden_rows:
        st.caption(
            _(
                "{n:,} failing row(s) of persons and companies are not listed: personal data, which your role "
                "may not see (the counts above include them).",
                n=report.hidden_rows,
            )
        )
    which = rows["table"] + " · " + rows["column"] + " · " + rows["expectation"]
    pick = st.selectbox(_("Show"), ["all", *sorted(which.unique())], key="quality_rows_filter")
    if pick != "all":
        rows = rows[(which == pick).to_numpy()]
    if len(rows) > SHOWN_ROWS:
        st.caption(
            _(
                "The first {shown:,} rows; the feedback workbook lists all {n:,}.",
                shown=SHOWN_ROWS,
                n=len(rows),
            )
        )
    columns = [
        "sheet",
        "row",
        "column",
        "value",
        "message",
        "outcome",
        "reporting_country",
        "case_id",
        "expectation",
    ]
    data_table(
        rows.head(SHOWN_ROWS)[columns],
        hide_index=True,
        width="stretch",
        height=min(600, 38 + 35 * max(1, min(len(rows), SHOWN_ROWS))),
    )
