"""Data: upload a data set from any source, map its columns if it has its own layout, preview, import
with a progress bar and the result report; export the filtered data in the kind the recipient may get."""
# nav: section=Data quality; title=Data; icon=:material/upload_file:; order=10

from pathlib import Path

import streamlit as st

from workbench.i18n import _
from workbench.ui import data as ui
from workbench.ui.session import page_guard
from workbench.ui.state import get_state
from workbench.ui.widgets import filter_caption

page_guard()  # a page runs only through the entry script's login gate

state = get_state()
st.title(_("Data"))

tab_import, tab_export = st.tabs([_("Import"), _("Export")])

with tab_import:
    if ui.import_allowed():
        st.markdown(
            _(
                "Upload a data set: an `.xlsx` workbook, a `.zip` of CSV files, a `.csv`, or an MS Access "
                "`.mdb`/`.accdb` file. Files in the **exchange format** import as they are (a single CSV with "
                "the columns of the cases table is the cases table, whatever its name); files with their own "
                "layout (own headers, French or Spanish, country names, Excel dates, decimal commas) go through "
                "the **mapping** step, which you can save as a profile for the next file. Rows that fail a "
                "check are quarantined with their reasons; good rows are stored in one transaction. A case "
                "already stored (same reporting country and case id) is replaced: you are asked first."
            )
        )
        limit = _("Largest upload: {mb} MB.", mb=ui.upload_limit_mb())
        st.caption(limit)
        upload = st.file_uploader(_("Data set"), type=ui.UPLOAD_TYPES, key="data_upload", help=limit)
        if upload is not None:
            ui.remember_upload(upload)
        else:
            ui.forget_upload()
        encoding = ui.choose_encoding()
        read = (
            ui.read_upload(encoding) if upload is not None or state.extras.get("data.upload_path") else None
        )
        if read is not None:
            path, source = read
            mode = ui.choose_mode(source)
            raw = ui.preview_exchange(source) if mode == "exchange" else ui.mapping_step(source)
            if raw is not None:
                confirmed = ui.confirm_import(raw)
                if st.button(_("Import"), type="primary", key="data_import", disabled=not confirmed):
                    ui.run_import(raw, Path(path).name)
        ui.import_report()

with tab_export:
    filter_caption(state.filter)
    st.markdown(
        _(
            "Export the cases matching the current filters. The **non-personal** export (cases and items, free "
            "text scrubbed of names, passport and phone numbers) may go to a regional or global database; "
            "exports with personal data or pseudonyms need a stated legal basis. Every export is audited."
        )
    )
    ui.export_panel()
