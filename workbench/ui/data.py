"""The Data page's parts: upload, mapping step, preview, import with progress; the export kinds.

The page (``pages/data.py``) only lays these out. State lives in ``AppState.extras`` under
``data.*`` keys: the uploaded file's path (so a rerun does not re-read the upload), the mapping
profile being edited, and the last import report.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from workbench.exchange.files import (
    AUTO_ENCODING,
    ENCODING_NAMES,
    REFUSED,
    ROW,
    DatasetReadError,
    EncodingError,
    RawDataset,
)
from workbench.i18n import N_, _, ngettext
from workbench.ui.state import get_state
from workbench.ui.widgets import column_label, data_editor, data_table

__all__ = [
    "UPLOAD_TYPES",
    "import_allowed",
    "remember_upload",
    "forget_upload",
    "upload_limit_mb",
    "choose_encoding",
    "read_upload",
    "choose_mode",
    "preview_exchange",
    "mapping_step",
    "confirm_import",
    "run_import",
    "import_report",
    "export_panel",
]

UPLOAD_TYPES = ["xlsx", "zip", "csv", "mdb", "accdb"]
_PATH, _PROFILE, _REPORT, _MODE = "data.upload_path", "data.profile", "data.last_report", "data.mode"
_ENCODING, _PLAN = "data.encoding", "data.plan"
_CONFIRM = "data_confirm_replace"
#: Uploads that may hold CSV text (the only ones whose encoding is chosen).
_TEXT_SUFFIXES = (".csv", ".zip")
MODES = (N_("Exchange format (sheets or files named cases, items, …)"), N_("Map columns (another layout)"))


#: How an import's status reads (the report keeps the code).
IMPORT_STATUSES = {
    "accepted": N_("accepted"),
    "partial": N_("partial"),
    "duplicate": N_("duplicate"),
    "rejected": N_("rejected"),
    "failed": N_("failed"),
}
_COUNT_HEADERS = {
    "table": N_("table"),
    "accepted": N_("accepted"),
    "new": N_("new"),
    "updated": N_("updated"),
    "rejected": N_("rejected"),
}
_REJECTION_HEADERS = {
    "where": N_("where"),
    "table": N_("table"),
    "row": N_("row"),
    "column": N_("column"),
    "reason": N_("reason"),
}


def _extras() -> dict[str, Any]:
    return get_state().extras


def import_allowed() -> bool:
    """Whether the current role may import; a read-only role is told so (and gets no upload widget)."""
    from workbench.exchange.ingest import may_import
    from workbench.ui.session import get_principal

    actor = get_principal()
    if may_import(actor):
        return True
    st.info(
        _(
            "Your role ({role}) is read-only: you can look at the data and export what your role may see, "
            "but not import. Ask an analyst or a data steward to import a data set.",
            role=actor.role,
        ),
        icon=":material/lock:",
    )
    return False


#: Folders holding uploads of this process, removed at exit whatever happened to the sessions.
_LIVE_UPLOADS: set[str] = set()


@atexit.register
def _remove_live_uploads() -> None:
    for folder in list(_LIVE_UPLOADS):
        shutil.rmtree(folder, ignore_errors=True)
        _LIVE_UPLOADS.discard(folder)


def upload_limit_mb() -> int:
    """The largest upload the server takes, in MB (``server.maxUploadSize`` of .streamlit/config.toml)."""
    return int(st.get_option("server.maxUploadSize"))


def _remove_upload(done: bool = True) -> None:
    """Forget the upload and remove the temporary folder :func:`remember_upload` made for it (it holds
    personal data); ``done``: the upload was imported or refused, so the same upload is not written
    to disk again on the next rerun."""
    ex = _extras()
    ex.pop(_PATH, None)
    if done:
        ex["data.done_key"] = ex.get("data.upload_key")
    folder = ex.pop("data.upload_folder", None)
    if folder and folder in _LIVE_UPLOADS:  # only a folder this server made, never another path
        shutil.rmtree(folder, ignore_errors=True)
        _LIVE_UPLOADS.discard(folder)


def forget_upload() -> None:
    """The upload widget was cleared: remove the file it had left on disk."""
    ex = _extras()
    if ex.pop("data.upload_key", None) is not None:
        _remove_upload(done=False)
        ex.pop("data.done_key", None)


def remember_upload(upload: Any) -> None:
    """Keep an uploaded file on disk once per upload (the same bytes are not re-read on rerun).

    The file lives in its own temporary folder until the upload is imported, refused, replaced or
    cleared (:func:`forget_upload`), and at the latest until the server stops.
    """
    ex = _extras()
    key = (upload.name, upload.size)
    if ex.get("data.upload_key") == key and (ex.get(_PATH) or ex.get("data.done_key") == key):
        return
    _remove_upload(done=False)
    folder = tempfile.mkdtemp(prefix="wb-upload-")
    _LIVE_UPLOADS.add(folder)
    ex["data.upload_folder"] = folder
    tmp = Path(folder) / Path(upload.name).name
    tmp.write_bytes(upload.getvalue())
    ex["data.upload_key"] = key
    ex.pop("data.done_key", None)
    ex[_PATH] = str(tmp)
    for k in (_PROFILE, _MODE, _PLAN):
        ex.pop(k, None)
    st.session_state.pop(_CONFIRM, None)


def choose_encoding() -> str:
    """The text encoding of an uploaded CSV (or zip of CSVs): detected unless the user names one."""
    ex = _extras()
    path = ex.get(_PATH)
    if not path or Path(path).suffix.lower() not in _TEXT_SUFFIXES:
        return AUTO_ENCODING
    options = [AUTO_ENCODING, *ENCODING_NAMES]
    chosen = st.selectbox(
        _("Text encoding of the CSV file"),
        options,
        format_func=lambda e: (
            _("Detect (UTF-8, else Windows-1252)") if e == AUTO_ENCODING else ENCODING_NAMES[e]
        ),
        key="data_encoding",
        help=_(
            "Files saved by Excel on Windows in Western Europe are usually Windows-1252. The encoding "
            "used is said under the preview."
        ),
    )
    if ex.get(_ENCODING, AUTO_ENCODING) != chosen:
        # the headers may read differently: suggest the mapping again
        for k in (_PROFILE, _PLAN):
            ex.pop(k, None)
    ex[_ENCODING] = chosen
    return chosen


def _encoding_message(e: EncodingError) -> str:
    name = ENCODING_NAMES.get(e.encoding.lower(), e.encoding.upper())
    if e.column:
        where = _("{file}, row {row}, column {column!r}", file=e.file, row=e.row, column=e.column)
    else:
        where = _("{file}, row {row}", file=e.file, row=e.row)
    text = _(
        "Cannot read {where}: the file is not {name} text (byte {byte!r}).",
        where=where,
        name=name,
        byte=e.byte,
    )
    if e.latin:
        text += " " + _("It looks like Windows-1252 or Latin-1.")
    return text + " " + _("Choose the file's encoding above, or save it as UTF-8 and upload it again.")


def read_upload(encoding: str = AUTO_ENCODING) -> tuple[Path, RawDataset] | None:
    """The remembered upload read as a source (every sheet/file/table under its own name)."""
    from connectors import open_connector

    path = _extras().get(_PATH)
    if not path:
        return None
    p = Path(path)
    try:
        return p, open_connector(p, encoding=encoding).read_source()
    except EncodingError as e:
        st.error(_encoding_message(e))  # kept on disk: another encoding may read it
    except DatasetReadError as e:
        st.error(_("Cannot read the upload: {error}", error=e))
        _remove_upload()
    return None


def _is_exchange(source: RawDataset) -> bool:
    from workbench.exchange.files import exchange_tables

    return "cases" in exchange_tables(source).values()


def choose_mode(source: RawDataset) -> str:
    ex = _extras()
    default = 0 if _is_exchange(source) else 1
    mode = st.radio(
        _("How to read it"),
        MODES,
        format_func=_,
        index=default if ex.get(_MODE) not in MODES else MODES.index(ex[_MODE]),
        horizontal=True,
        key="data_mode",
        help=_(
            "A file from another system (own headers, French or Spanish, country names, Excel dates) "
            "needs the mapping step."
        ),
    )
    ex[_MODE] = mode
    return "exchange" if mode == MODES[0] else "mapping"


def _as_written(s: pd.Series) -> pd.Series:
    """Cells as text the way the file shows them: a whole number a workbook stores as a float (item 1,
    quantity 250) reads ``1``, not ``1.0``."""
    if pd.api.types.is_float_dtype(s) or s.dtype == object:
        s = s.astype(object).map(
            lambda v: str(int(v)) if isinstance(v, float) and v.is_integer() else str(v), na_action="ignore"
        )
    return s.astype("string")


def preview_exchange(source: RawDataset) -> RawDataset | None:
    from workbench.exchange.files import select_tables

    try:
        raw = select_tables(source)
    except DatasetReadError as e:
        st.error(str(e))
        return None
    st.markdown(_("**Preview**"))
    for name, t in raw.tables.items():
        st.markdown(
            _("`{name}` · about {n:,} rows · {where}", name=name, n=t.approx_rows or 0, where=t.where)
        )
        head = t.head(20).apply(_as_written).rename(columns={ROW: _("row")})  # the spreadsheet row number
        data_table(head, hide_index=True, width="stretch")
    for n in raw.notices:
        st.caption(n)
    return raw


def _profile(source: RawDataset) -> Any:
    from connectors import suggest_mapping

    ex = _extras()
    if _PROFILE not in ex:
        ex[_PROFILE] = suggest_mapping(source, name=Path(source.path).stem)
    return ex[_PROFILE]


def mapping_step(source: RawDataset) -> RawDataset | None:
    """Suggest (or load) a mapping, let the user correct it, preview it; the mapped data set."""
    from connectors import apply_mapping, load_profile, preview
    from connectors.mapping import table_spec

    ex = _extras()
    st.markdown(_("**Mapping** · suggested from the headers and cells; correct what is wrong, then import"))
    saved = st.file_uploader(
        _("Use a saved profile (.yaml)"), type=["yaml", "yml"], key="data_profile_upload"
    )
    if saved is not None and ex.get("data.profile_key") != (saved.name, saved.size):
        folder = tempfile.mkdtemp(prefix="wb-profile-")
        tmp = Path(folder) / Path(saved.name).name
        try:
            tmp.write_bytes(saved.getvalue())
            ex[_PROFILE] = load_profile(tmp)
            ex["data.profile_key"] = (saved.name, saved.size)
        except DatasetReadError as e:
            st.error(str(e))
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    profile = _profile(source)
    read_as = sorted(
        {enc for t in source.tables.values() if (enc := t.encoding) and not enc.startswith("utf-8")}
    )
    if read_as and not profile.encoding:
        profile.encoding = read_as[0]  # a saved profile then reads the next file the same way
    headers = sorted({h for t in source.tables.values() for h in t.columns})
    c1, c2, c3, c4 = st.columns(4)
    profile.name = c1.text_input(_("Profile name"), profile.name, key="data_profile_name")
    profile.decimal = c2.selectbox(
        _("Decimal mark"), [".", ","], index=0 if profile.decimal == "." else 1, key="data_decimal"
    )
    profile.thousands = c3.text_input(
        _("Thousands separators"), profile.thousands, key="data_thousands", help=_("e.g. '.' or ' ' or both")
    )
    profile.dayfirst = c4.toggle(_("Day first (31/01/2024)"), profile.dayfirst, key="data_dayfirst")
    date_format = c4.text_input(
        _("Date format"),
        profile.date_format or "",
        key="data_date_format",
        help=_(
            "How dates like 05/06/2024 are read, e.g. %d/%m/%Y (day first) or %m/%d/%Y. Without it, a "
            "date that reads both ways is refused, never guessed."
        ),
    ).strip()
    profile.date_format = date_format or None
    for tname, m in profile.tables.items():
        with st.expander(f"{column_label(tname)} ← {m.source}", expanded=tname == "cases"):
            spec = table_spec(tname)  # an exchange-format table, or aggregate statistics
            rows = pd.DataFrame(
                {
                    "column": spec.column_names,
                    "required": [c.required for c in spec.columns],
                    "source column": [m.columns.get(c, "") for c in spec.column_names],
                }
            )
            edited = data_editor(
                rows,
                hide_index=True,
                width="stretch",
                disabled=["column", "required"],
                column_config={
                    "column": st.column_config.TextColumn(_("column")),
                    "required": st.column_config.CheckboxColumn(_("required")),
                    "source column": st.column_config.SelectboxColumn(
                        _("source column"), options=["", *headers], required=False
                    ),
                },
                key=f"data_map_{tname}",
            )
            m.columns = {
                r["column"]: r["source column"]
                for r in edited.to_dict("records")
                if isinstance(r["source column"], str) and r["source column"]
            }
    for note in [*source.notices, *profile.notes]:
        st.caption(note)
    try:
        pv = preview(source, profile, rows=10)
    except DatasetReadError as e:
        st.error(str(e))
        return None
    st.markdown(_("**Preview** (first rows as they will be imported)"))
    for tname, frame in pv.frames.items():
        extra = pv.extra_columns[tname]
        st.markdown(
            _("`{table}` · kept as extra: {columns}", table=tname, columns=", ".join(extra))
            if extra
            else f"`{tname}`"
        )
        shown = frame.drop(columns=[ROW, REFUSED], errors="ignore")  # refusals are listed below the preview
        data_table(shown.astype("string"), hide_index=True, width="stretch")
        if pv.unmapped_required[tname]:
            st.warning(
                _(
                    "{table}: required columns not mapped: {columns}",
                    table=tname,
                    columns=", ".join(pv.unmapped_required[tname]),
                )
            )
    if pv.rejections:
        st.warning(
            ngettext(
                "{n} cell of the preview would be rejected:",
                "{n} cells of the preview would be rejected:",
                len(pv.rejections),
            )
        )
        data_table(
            pd.DataFrame(
                [
                    {"table": r.table, "row": r.row, "column": r.column, "reason": r.reason}
                    for r in pv.rejections
                ]
            ),
            hide_index=True,
            width="stretch",
            column_config={c: st.column_config.Column(_(label)) for c, label in _REJECTION_HEADERS.items()},
        )
    st.download_button(
        _("Save profile (.yaml)"),
        profile.to_yaml().encode("utf-8"),
        file_name=f"{profile.name}.yaml",
        mime="application/x-yaml",
        key="data_profile_download",
        on_click="ignore",
        help=_(
            "Reuse it for the next file from the same administration: here, or with "
            "`workbench import PATH --mapping PROFILE.yaml`"
        ),
    )
    return apply_mapping(source, profile)


def confirm_import(raw: RawDataset) -> bool:
    """Say how many stored cases the import would replace; True when it may go ahead.

    Replacing stored cases needs the box ticked; a file that only adds cases needs nothing.
    """
    from workbench.exchange.ingest import plan_import
    from workbench.ui.resources import get_store

    ex = _extras()
    profile = ex.get(_PROFILE)
    key = (ex.get(_PATH), ex.get(_MODE), ex.get(_ENCODING), profile.to_yaml() if profile else None)
    cached = ex.get(_PLAN)
    if cached is None or cached[0] != key:
        try:
            with st.spinner(_("Looking up the file's cases in the store …")):
                cached = (key, plan_import(raw, get_store()))
        except DatasetReadError as e:
            st.error(str(e))
            return False
        ex[_PLAN] = cached
    plan = cached[1]
    if plan.duplicate_of is not None:
        st.info(
            _(
                "This very file was already imported (submission {submission}): importing it again changes "
                "nothing.",
                submission=plan.duplicate_of,
            )
        )
        return True
    if plan.stored_cases == 0:
        st.caption(
            ngettext(
                "{n:,} case in the file, new to the store.",
                "{n:,} cases in the file, all new to the store.",
                plan.file_cases,
            )
        )
        return True
    st.warning(
        _(
            "**{stored:,} of the file's {total:,} cases are already stored.** Importing replaces them: their "
            "values, and their items, persons and companies where the file carries some. {new:,} cases are new.",
            stored=plan.stored_cases,
            total=plan.file_cases,
            new=plan.new_cases,
        ),
        icon=":material/warning:",
    )
    return st.checkbox(
        ngettext("Replace {n:,} stored case", "Replace {n:,} stored cases", plan.stored_cases), key=_CONFIRM
    )


def run_import(raw: RawDataset, source_name: str) -> None:
    """Import with a progress bar; the report is kept for the page to show."""
    from workbench.exchange.ingest import ImportFailed, ingest_dataset
    from workbench.ui.resources import get_store, import_gates
    from workbench.ui.session import get_principal

    bar = st.progress(0.0, text=_("starting"))

    def progress(done: int, total: int, stage: str) -> None:
        frac = min(1.0, done / total) if total else 0.0
        if done < total:
            text = _("{stage} · {done:,} of about {total:,} rows", stage=stage, done=done, total=total)
        else:
            text = _("{stage} · {done:,} of {total:,} rows", stage=stage, done=done, total=total)
        bar.progress(frac, text=text)

    try:
        report = ingest_dataset(
            raw,
            get_store(),
            progress=progress,
            source_name=source_name,
            actor=get_principal(),
            gates=import_gates(),
        )
    except ImportFailed as e:
        bar.empty()
        st.error(str(e))
        return
    finally:
        _remove_upload()  # imported, refused or failed: the uploaded file goes
    if report.status in ("accepted", "partial"):  # the persons and companies it brought: resolved
        from workbench.network.incremental import resolve_after_import

        bar.progress(1.0, text=_("Resolving entities ..."))
        resolve_after_import(get_store(), get_principal())
    bar.progress(1.0, text=_("done"))
    _extras().pop(_PLAN, None)
    st.session_state.pop(_CONFIRM, None)
    _extras()[_REPORT] = report.to_dict()
    st.session_state["last_import_report"] = report.to_dict()
    # run the page again: what it said before the import (cases it would replace) is now out of date
    st.rerun()


def import_report() -> None:
    rep = _extras().get(_REPORT) or st.session_state.get("last_import_report")
    if not rep:
        return
    st.markdown(_("### Import report"))
    status = rep["status"]
    new, updated = rep.get("inserted", {}).get("cases", 0), rep.get("updated", {}).get("cases", 0)
    values = dict(
        submission=rep["submission_id"], status=_(IMPORT_STATUSES.get(status, status)), seconds=rep["seconds"]
    )
    if status != "duplicate":
        msg = _(
            "Submission {submission}: **{status}**: {new:,} new cases, {updated:,} stored cases updated ({seconds:.1f} s)",
            new=new,
            updated=updated,
            **values,
        )
    else:
        msg = _("Submission {submission}: **{status}** ({seconds:.1f} s)", **values)
    {"accepted": st.success, "partial": st.warning, "duplicate": st.info}.get(status, st.error)(msg)
    counts = pd.DataFrame({"accepted": rep["accepted"], "rejected": rep["rejected"]}).rename_axis("table")
    # new vs updated only means something for cases (children carried by a file replace the stored ones)
    counts.insert(1, "new", pd.Series({"cases": new}, dtype="Int64"))
    counts.insert(2, "updated", pd.Series({"cases": updated}, dtype="Int64"))
    data_table(
        counts.reset_index(),
        hide_index=True,
        column_config={c: st.column_config.Column(_(label)) for c, label in _COUNT_HEADERS.items()},
    )
    for n in rep["notices"]:
        st.caption(n)
    if rep["rejections"]:
        rj = pd.DataFrame(rep["rejections"])[["where", "table", "row", "column", "reason"]]
        st.markdown(
            ngettext(
                "**{n:,} rejected cell** (row numbers as in the spreadsheet, header = row 1)",
                "**{n:,} rejected cells** (row numbers as in the spreadsheet, header = row 1)",
                len(rj),
            )
        )
        data_table(
            rj,
            hide_index=True,
            width="stretch",
            column_config={c: st.column_config.Column(_(label)) for c, label in _REJECTION_HEADERS.items()},
        )


def export_panel() -> None:
    """Choose the export kind (only those the matrix lets the signed-in account make), format and legal
    basis; prepare (audited) and download. A refusal says why in plain view."""
    from workbench.exchange.exports import (
        EXPORT_KINDS,
        PERSONAL_EXPORT_KINDS,
        ExportRefused,
        export_bytes,
        export_kinds_for,
    )
    from workbench.i18n import _
    from workbench.identity import ROLES, roles_with
    from workbench.ui.resources import get_settings, get_store
    from workbench.ui.session import get_principal, need_purpose

    state = get_state()
    settings = get_settings()
    labels = {
        "formatted": _("Formatted workbook (filtered view)"),
        "exchange": _("Exchange format (all tables)"),
        "non_personal": _("Non-personal (cases + items, scrubbed)"),
        "pseudonymised": _("Pseudonymised (keyed pseudonyms)"),
    }
    actor = get_principal()
    kinds = export_kinds_for(actor)
    if not kinds:
        st.info(
            _(
                "Your role ({role}) may not export: exports are made by the roles {roles}.",
                role=actor.role,
                roles=", ".join(r for r in ROLES if r in roles_with("export_non_personal")),
            )
        )
        return
    if set(EXPORT_KINDS) - set(kinds):
        st.info(
            _(
                "Your role ({role}) may export non-personal data only: the formatted workbook and the "
                "non-personal export, free text scrubbed. The {kinds} exports carry personal data; they are "
                "made by the roles {roles} with the personal-data permission.",
                role=actor.role,
                kinds=_(" and ").join(
                    labels[k].split(" (")[0].lower() for k in EXPORT_KINDS if k in PERSONAL_EXPORT_KINDS
                ),
                roles=", ".join(r for r in ROLES if r in roles_with("export_personal")),
            )
        )
    kind = st.radio(
        _("Kind of export"),
        kinds,
        format_func=labels.__getitem__,
        horizontal=True,
        key="export_kind",
    )
    st.caption(_(EXPORT_KINDS[kind]))
    fmt = "xlsx"
    if kind != "formatted":
        fmt = st.radio(
            _("Format"),
            ["xlsx", "csv"],
            horizontal=True,
            key="export_fmt",
            format_func=lambda f: _("Excel workbook") if f == "xlsx" else _("CSV folder (.zip)"),
        )
    needs_basis = kind in PERSONAL_EXPORT_KINDS
    basis = st.text_input(
        _("Legal basis (required)") if needs_basis else _("Legal basis"),
        key="export_basis",
        placeholder=_("e.g. mutual administrative assistance agreement, art. 4"),
        help=_("Written to the audit log with the filter and your user name."),
    )
    missing_key = kind == "pseudonymised" and not settings.pseudonym_key
    if missing_key:
        st.warning(
            _(
                "Pseudonymised exports need WORKBENCH_PSEUDONYM_KEY set in the environment of the app; ask "
                "the administrator to set it."
            )
        )
    elif needs_basis and not basis.strip():
        st.caption(_("State the legal basis to prepare this export: it carries personal data or pseudonyms."))
    principal = actor
    if kind != "non_personal" and principal.can_see_personal:
        stated = need_purpose(principal)
        if stated is None:
            return  # the purpose prompt is shown: an export with persons goes with its purpose
        principal = stated
    label = _("Prepare workbook") if kind == "formatted" else _("Prepare export")
    blocked = missing_key or (needs_basis and not basis.strip())
    if st.button(label, key="export_prepare", disabled=blocked):
        refused = None
        with st.status(_("Preparing the export …"), expanded=False) as status:
            try:
                data, name, counts = export_bytes(
                    get_store(), kind, state.filter, fmt=fmt, legal_basis=basis or None, actor=principal
                )
            except ExportRefused as e:
                refused = str(e)
                status.update(label=_("Refused: nothing was exported"), state="error", expanded=False)
            else:
                status.update(
                    label=_("Ready: {counts}", counts=", ".join(f"{k} {v:,}" for k, v in counts.items())),
                    state="complete",
                )
        if refused is not None:
            st.error(_("The export was refused: {reason}", reason=refused))
            return
        if counts.get("cases", 0) == 0:
            st.warning(_("No case matches the filters."))
        mime = (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            if name.endswith(".xlsx")
            else "application/zip"
        )
        st.download_button(
            _("Download {name}", name=name),
            data,
            file_name=name,
            mime=mime,
            key="export_download",
            on_click="ignore",
        )
        st.caption(_("This export is recorded in the audit log (Admin → Accounts & store)."))
