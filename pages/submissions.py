"""Submissions: every import with its status and quality score; one submission's report, its feedback
workbook and its Great Expectations Data Docs; periodic checks of the store."""
# nav: section=Data quality; title=Submissions; icon=:material/fact_check:; order=20

import datetime as dt

import pandas as pd
import streamlit as st

from workbench.ui import quality
from workbench.ui.state import get_state

SHOWN = 10_000  # failing rows shown in the page
state = get_state()
st.title("Submissions")
st.caption(
    "Every import is checked by the data-quality suites before anything is stored: **critical** rows are "
    "quarantined, **warning** rows are stored and flagged. Row numbers are spreadsheet rows (header = row 1)."
)

subs = quality.submissions()
if subs.empty:
    st.info("No submission yet. Import a data set on the **Data** page, or run `workbench import PATH`.")
    st.stop()

checked = subs[subs["run_id"].notna()]
c1, c2, c3, c4 = st.columns(4)
c1.metric("Submissions", f"{len(subs):,}")
c2.metric("Checked by the gate", f"{len(checked):,}")
c3.metric("With quarantined rows", f"{int((subs['status'].isin(['partial', 'rejected'])).sum()):,}")
c4.metric("Median score", f"{checked['score'].median():.1f}" if checked["score"].notna().any() else "–")

st.dataframe(
    subs.drop(columns=["run_id", "kind"]),
    hide_index=True,
    width="stretch",
    column_config={
        "score": st.column_config.ProgressColumn("score", min_value=0, max_value=100, format="%.1f"),
        "received": st.column_config.DatetimeColumn("received", format="YYYY-MM-DD HH:mm"),
    },
)

with st.expander("Checks of the whole store"):
    st.caption("`workbench validate --db URL` runs the suites inside the database (SQLite or PostgreSQL).")
    if st.button("Check the store now", key="quality_store_check"):
        with st.spinner("Checking everything stored ..."):
            res = quality.check_store()
        st.success(
            f"Checked: score {res['score']}, {len(res['failures'])} failed expectation(s), listed below."
        )
    last, last_failed = quality.latest_store_check()
    if last is None:
        st.caption("No check of the store yet.")
    else:
        st.markdown(
            f"**Latest check** (run {last['id']}, {pd.Timestamp(last['started_at']):%Y-%m-%d %H:%M}): "
            f"score {last['score']}, {len(last_failed)} failed expectation(s)"
        )
        st.dataframe(
            last_failed[["table", "column", "problem", "severity", "failing", "share_pct", "expectation"]],
            hide_index=True,
            width="stretch",
            column_config={
                "share_pct": st.column_config.NumberColumn(
                    "% of rows", format="%.2f", help="of the table's rows"
                )
            },
        )
        st.caption("Every check of the store, newest first:")
        st.dataframe(quality.store_runs(), hide_index=True, width="stretch")

ids = subs["submission"].tolist()
default = state.extras.get("quality.submission")
chosen = st.selectbox(
    "Report of submission",
    ids,
    index=ids.index(default) if default in ids else 0,
    format_func=lambda i: f"{i} · {subs.loc[subs['submission'] == i, 'source'].iloc[0]}",
    key="quality_submission",
)
state.extras["quality.submission"] = chosen

report = quality.submission_report(int(chosen))
sub = report.submission
st.subheader(f"Submission {sub['id']}: {sub['source']}")
st.caption(
    f"received {pd.Timestamp(sub['received']):%Y-%m-%d %H:%M} from {sub['by']} · status **{sub['status']}** · "
    f"reporting countries: {(sub['countries'] or '–').replace(';', ', ')}"
)
for note in report.notes:
    st.caption(note)
if report.run is None:
    st.stop()

run = report.run
failed = report.failed
m1, m2, m3, m4 = st.columns(4)
m1.metric("Quality score", f"{run['score']:.1f}" if run["score"] is not None else "–")
m2.metric("Rows quarantined", f"{run['critical_rows']:,}", help="rows with a critical finding: not stored")
m3.metric("Rows flagged", f"{run['warning_rows']:,}", help="rows with warnings only: stored and flagged")
m4.metric("Expectations failed", f"{len(failed)} of {len(report.expectations)}")

left, right = st.columns([1, 1])
with left:
    st.download_button(
        "Feedback workbook (.xlsx)",
        data=quality.feedback_workbook(int(chosen)),
        file_name=f"feedback-submission-{chosen}-{dt.date.today():%Y%m%d}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/download:",
        key="quality_feedback",
        help="For the submitting administration: every problem, where it is, and how to fix it.",
    )
with right:
    if st.button("Build Data Docs", key="quality_docs_build", icon=":material/description:"):
        state.extras["quality.docs_for"] = int(run["id"])
    if state.extras.get("quality.docs_for") == int(run["id"]):
        st.download_button(
            "Data Docs (static site, .zip)",
            data=quality.data_docs(int(run["id"]), f"submission {chosen}: {sub['source']}"),
            file_name=f"data-docs-submission-{chosen}.zip",
            mime="application/zip",
            key="quality_docs_download",
            help="Great Expectations Data Docs: unzip and open index.html; it works offline.",
        )

for e in report.expectations[report.expectations["error"].notna()].itertuples(index=False):
    st.warning(f"{e.table}.{e.column}: {e.expectation} could not run ({e.error})")
if failed.empty:
    st.success("Every expectation was met.")
    st.stop()

st.markdown("**Failed expectations**")
st.caption(
    "**% of rows**: failing rows as a share of the rows of that table in the submission ("
    + ", ".join(f"{t}: {n:,}" for t, n in report.table_rows.items())
    + ")."
)
st.dataframe(
    failed[["table", "column", "problem", "severity", "failing", "share_pct", "expectation", "fix"]],
    hide_index=True,
    width="stretch",
    column_config={
        "share_pct": st.column_config.NumberColumn(
            "% of rows", format="%.2f", help="failing rows / rows of that table in the submission"
        )
    },
)

rows = report.failing_rows
st.markdown(f"**Failing rows** ({len(rows):,})")
if report.hidden_rows:
    st.caption(
        f"{report.hidden_rows:,} failing row(s) of persons and companies are not listed: personal data, "
        "which your role may not see (the counts above include them)."
    )
labels = ["all"] + sorted((rows["table"] + " · " + rows["column"] + " · " + rows["expectation"]).unique())
pick = st.selectbox("Show", labels, key="quality_rows_filter")
if pick != "all":
    table, column, expectation = pick.split(" · ")
    rows = rows[(rows["table"] == table) & (rows["column"] == column) & (rows["expectation"] == expectation)]
if len(rows) > SHOWN:
    st.caption(f"The first {SHOWN:,} rows; the feedback workbook lists all {len(rows):,}.")
shown_columns = [
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
st.dataframe(
    rows.head(SHOWN)[shown_columns],
    hide_index=True,
    width="stretch",
    height=min(600, 38 + 35 * max(1, min(len(rows), SHOWN))),
)
