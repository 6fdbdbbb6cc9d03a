"""Data: upload a workbook or zipped CSV folder, preview, import with progress and a report; export."""
# nav: section=Data quality; title=Data; icon=:material/upload_file:; order=10

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from workbench.exchange_io import DatasetReadError, read_dataset
from workbench.ingest import ImportFailed, ingest_dataset
from workbench.ui import loaders
from workbench.ui.resources import get_settings, get_store, import_gates
from workbench.ui.state import get_state
from workbench.ui.widgets import excel_download, filter_caption

state = get_state()
st.title("Data")

tab_import, tab_export = st.tabs(["Import", "Export"])

with tab_import:
    st.markdown(
        "Upload a data set in the **exchange format**: one `.xlsx` workbook with sheets `cases`, `items`, "
        "`persons`, `companies`, or a `.zip` of the CSV files. Rows that fail a check are quarantined with "
        "their reasons; good rows are stored in one transaction."
    )
    upload = st.file_uploader("Data set", type=["xlsx", "zip", "csv"], key="data_upload")
    if upload is not None:
        tmp = Path(tempfile.mkdtemp(prefix="wb-upload-")) / Path(upload.name).name
        tmp.write_bytes(upload.getvalue())
        try:
            raw = read_dataset(tmp)
        except DatasetReadError as e:
            st.error(f"Cannot read the upload: {e}")
            st.stop()
        st.markdown("**Preview**")
        for name, t in raw.tables.items():
            st.markdown(f"`{name}` · {len(t.frame):,} rows · {t.where}")
            st.dataframe(t.frame.head(20), hide_index=True, width="stretch")
        for n in raw.notices:
            st.caption(n)
        if st.button("Import", type="primary", key="data_import"):
            bar = st.progress(0.0, text="starting")

            def progress(done: int, total: int, stage: str) -> None:
                bar.progress(min(1.0, done / total) if total else 0.0, text=stage)

            try:
                report = ingest_dataset(
                    raw,
                    get_store(),
                    progress=progress,
                    source_name=upload.name,
                    settings=get_settings(),
                    gates=import_gates(),
                )
            except ImportFailed as e:
                st.error(str(e))
                st.stop()
            bar.progress(1.0, text="done")
            loaders.clear_caches()
            st.session_state["last_import_report"] = report.to_dict()

    rep = st.session_state.get("last_import_report")
    if rep:
        st.markdown("### Import report")
        status = rep["status"]
        msg = f"Submission {rep['submission_id']}: **{status}**"
        {"accepted": st.success, "partial": st.warning, "duplicate": st.info}.get(status, st.error)(msg)
        counts = pd.DataFrame({"accepted": rep["accepted"], "rejected": rep["rejected"]}).rename_axis("table")
        st.dataframe(counts.reset_index(), hide_index=True)
        for n in rep["notices"]:
            st.caption(n)
        if rep["rejections"]:
            rj = pd.DataFrame(rep["rejections"])[["where", "table", "row", "column", "reason"]]
            st.markdown(f"**{len(rj):,} rejected cells** (row numbers as in the spreadsheet, header = row 1)")
            st.dataframe(rj, hide_index=True, width="stretch")

with tab_export:
    filter_caption(state.filter)
    st.markdown(
        "Download the cases matching the current filters as a formatted Excel workbook "
        "(non-personal columns of the `cases` table)."
    )
    if st.button("Prepare workbook", key="export_prepare"):
        df = loaders.cases_for_export(state.filter)
        if df.empty:
            st.warning("No case matches the filters.")
        else:
            excel_download(
                f"Download {len(df):,} cases (.xlsx)",
                {"cases": df},
                title="Cases",
                notes=[f"Filter: {state.filter.describe()}"],
                file_stem="cases",
                key="export_download",
            )
