"""Submissions: every import with its status and quality score; one submission's report, its feedback
workbook and its Great Expectations Data Docs; periodic checks of the store."""
# nav: section=Data quality; title=Submissions; icon=:material/fact_check:; order=20; needs=check_quality

import streamlit as st

from workbench.i18n import _
from workbench.ui import quality
from workbench.ui.session import page_guard

page_guard()  # a page runs only through the entry script's login gate

st.title(_("Submissions"))
st.caption(
    _(
        "Every import is checked by the data-quality suites before anything is stored: **critical** rows are "
        "quarantined, **warning** rows are stored and flagged. Row numbers are spreadsheet rows (header = row 1)."
    )
)

subs = quality.submissions()
if subs.empty:
    st.info(_("No submission yet. Import a data set on the **Data** page, or run `workbench import PATH`."))
    st.stop()
quality.submissions_overview(subs)

with st.expander(_("Checks of the whole store")):
    quality.store_check_panel()

report = quality.submission_report(quality.choose_submission(subs))
quality.report_header(report)
if report.run is not None and quality.failed_expectations(report):
    quality.failing_rows_panel(report)
