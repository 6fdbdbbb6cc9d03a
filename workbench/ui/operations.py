"""The Operations page's widgets: pick an operation, create one, its template, the entry form derived from
the template, the workbook upload, submissions with their reasons, the live message view, extraction and
close. Every action calls :mod:`workbench.operations`, which checks membership and roles itself.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from workbench.format.schema import FORMAT, Column
from workbench.i18n import _, format_date, format_datetime, ngettext
from workbench.identity import Principal, can
from workbench.operations import groups, messages, submissions
from workbench.operations.groups import Operation
from workbench.operations.templates import FIELD_TYPES, Template, excel_template
from workbench.store import Store
from workbench.ui.widgets import data_editor, data_table, date_input_format

__all__ = [
    "LIVE_SECONDS",
    "create_panel",
    "entry_form",
    "extract_and_close",
    "members_panel",
    "messages_view",
    "pick_operation",
    "submissions_panel",
    "template_panel",
    "workbook_upload",
]

#: How often the live message view looks for new messages.
LIVE_SECONDS = 2


def _gate() -> Any:
    from data_quality.templates import template_gate

    return template_gate


def pick_operation(store: Store, principal: Principal) -> Operation | None:
    """A choice among the principal's operations (with unread messages), or None when there is none."""
    ops = groups.list_operations(store, principal)
    if not ops:
        st.info(_("You are a member of no operation."))
        return None
    unread = messages.unread_counts(store, principal)
    by_code = {op.code: op for op in ops}

    def label(code: str) -> str:
        op = by_code[code]
        n = unread.get(code, 0)
        return f"{op.code}: {op.name}" + (f"  ({_('{n} unread', n=n)})" if n else "")

    code = st.selectbox(_("Operation"), list(by_code), format_func=label, key="operation_code")
    op = by_code[code or ops[0].code]
    st.caption(
        _(
            "TLP:{tlp} · {status} · {start} to {end} · organised by {org} · your role: {role} · legal basis: {basis}",
            tlp=op.tlp.upper(),
            status=op.status,
            start=format_date(op.start_date),
            end=format_date(op.end_date),
            org=op.organiser,
            role=op.role,
            basis=op.legal_basis,
        )
    )
    return op


def create_panel(store: Store, principal: Principal) -> None:
    """The form that creates an operation (for roles that may)."""
    if not can(principal, "create_operations"):
        return
    with st.expander(_("New operation")), st.form("operation_create"):
        code = st.text_input(_("Code"), key="op_new_code")
        name = st.text_input(_("Name"), key="op_new_name")
        basis = st.text_input(_("Legal basis"), key="op_new_basis")
        c1, c2, c3 = st.columns(3)
        start = c1.date_input(
            _("Start"), value=dt.date.today(), key="op_new_start", format=date_input_format()
        )
        end = c2.date_input(
            _("End"),
            value=dt.date.today() + dt.timedelta(days=90),
            key="op_new_end",
            format=date_input_format(),
        )
        tlp = c3.selectbox(
            _("Marking (TLP)"),
            groups.TLP_MARKINGS,
            index=2,
            key="op_new_tlp",
            format_func=lambda t: (
                f"TLP:{t.upper()}"
            ),  # the marking's own name (FIRST TLP 2.0), never translated
        )
        if st.form_submit_button(_("Create")):
            try:
                op = groups.create_operation(
                    store,
                    code=code,
                    name=name,
                    legal_basis=basis,
                    start=start,
                    end=end,
                    tlp=tlp,
                    by=principal,
                )
            except ValueError as e:
                st.error(str(e))
            else:
                st.session_state["operation_code"] = op.code
                st.rerun()


def members_panel(store: Store, op: Operation, principal: Principal) -> None:
    members = groups.list_members(store, op.code, principal)
    data_table(pd.DataFrame([m.__dict__ for m in members]), hide_index=True, width="stretch")
    if op.role != "organiser":
        return
    with st.form("operation_member"):
        c1, c2 = st.columns(2)
        account = c1.text_input(_("Account"), key="op_member_account")
        role = c2.selectbox(
            _("Role in the operation"), list(groups.MEMBER_ROLES), index=1, key="op_member_role"
        )
        if st.form_submit_button(_("Add member")):
            try:
                groups.add_member(store, op.code, account, role, principal)
            except ValueError as e:
                st.error(str(e))
            else:
                st.rerun()


def _template(store: Store, op: Operation, principal: Principal) -> Template | None:
    try:
        return submissions.current_template(store, op.code, principal)
    except ValueError:
        return None


def template_panel(store: Store, op: Operation, principal: Principal) -> None:
    """The template's fields, its Excel workbook, and (organisers) the editor that saves a new version."""
    template = _template(store, op, principal)
    if template is not None:
        data_table(
            pd.DataFrame(
                [
                    {
                        _("field"): f.name,
                        _("from the format"): f.like or "",
                        _("type"): "code" if f.codes else f.column().type,
                        _("required"): f.column().required,
                        _("allowed values"): ", ".join(f.allowed),
                    }
                    for f in template.fields
                ]
            ),
            hide_index=True,
            width="stretch",
        )
        with tempfile.TemporaryDirectory(prefix="wb-optemplate-") as tmp:
            data = excel_template(template, Path(tmp) / f"{op.code}.xlsx", title=op.code).read_bytes()
        st.download_button(
            _("Excel template"), data, file_name=f"{op.code}-template.xlsx", key="op_template_xlsx"
        )
    if op.role != "organiser":
        return
    st.subheader(_("Edit the template"))
    choices = [f"{t}.{c}" for t in ("cases", "items") for c in FORMAT.table(t).column_names]
    current = (
        [f.like for f in template.fields if f.like] if template else ["cases.case_id", "cases.seizure_date"]
    )
    likes = st.multiselect(_("Fields of the exchange format"), choices, default=current, key="op_tpl_likes")
    own_now = [
        {"name": f.name, "type": f.type, "codes": ", ".join(f.codes), "required": f.required}
        for f in (template.fields if template else ())
        if not f.like
    ]
    own = data_editor(
        pd.DataFrame(own_now, columns=["name", "type", "codes", "required"]),
        num_rows="dynamic",
        column_config={
            "type": st.column_config.SelectboxColumn(_("type"), options=list(FIELD_TYPES)),
            "required": st.column_config.CheckboxColumn(_("required")),
            "codes": st.column_config.TextColumn(_("codes (comma-separated, for type code)")),
        },
        key="op_tpl_own",
    )
    if st.button(_("Save template"), key="op_tpl_save"):
        spec: list[dict[str, Any]] = [{"like": like} for like in likes]
        for rec in own.to_dict("records"):
            if str(rec.get("name") or "").strip():
                codes = [c.strip() for c in str(rec.get("codes") or "").split(",") if c.strip()]
                spec.append(
                    {
                        "name": rec["name"],
                        "type": rec.get("type") or "text",
                        "codes": codes,
                        "required": bool(rec.get("required")),
                    }
                )
        try:
            submissions.set_template(store, op.code, spec, principal)
        except ValueError as e:
            st.error(str(e))
        else:
            st.success(_("Template saved."))


def _widget(col: Column, allowed: tuple[str, ...], key: str) -> Any:
    label = col.name + (" *" if col.required else "")
    if allowed:
        return st.selectbox(label, ["", *allowed], key=key, help=col.help or None)
    if col.type == "date":
        # typed as in the workbook (and checked the same way): a date picker's default would be a guess
        return st.text_input(label, key=key, placeholder=_("YYYY-MM-DD"), help=col.help or None)
    if col.type in ("float", "int"):
        return st.number_input(
            label, value=None, step=1.0 if col.type == "float" else 1, key=key, help=col.help or None
        )
    return st.text_input(label, key=key, help=col.help or None)


def _show_result(result: submissions.SubmissionResult) -> None:
    if result.rejections:
        st.warning(result.summary().splitlines()[0])
        data_table(
            pd.DataFrame([r.to_dict() for r in result.rejections])[["where", "row", "column", "reason"]],
            hide_index=True,
            width="stretch",
        )
    else:
        st.success(result.summary())


def entry_form(store: Store, op: Operation, principal: Principal) -> None:
    """The entry form derived from the template: one widget per field."""
    template = _template(store, op, principal)
    if template is None or op.role not in ("organiser", "contributor"):
        return
    with st.form("op_entry", clear_on_submit=True):
        values = {f.name: _widget(f.column(), f.allowed, f"op_field_{f.name}") for f in template.fields}
        sent = st.form_submit_button(_("Submit"))
    if sent:
        row = {k: ("" if v is None else v) for k, v in values.items()}
        try:
            result = submissions.submit_rows(store, op.code, pd.DataFrame([row]), principal, gate=_gate())
        except ValueError as e:
            st.error(str(e))
        else:
            _show_result(result)


def workbook_upload(store: Store, op: Operation, principal: Principal) -> None:
    """Upload the filled Excel template; its refused rows with their reasons."""
    if op.role not in ("organiser", "contributor"):
        return
    up = st.file_uploader(_("Filled Excel template"), type=["xlsx"], key="op_workbook")
    if up is None or not st.button(_("Submit the workbook"), key="op_workbook_submit"):
        return
    with tempfile.TemporaryDirectory(prefix="wb-upload-") as tmp:
        path = Path(tmp) / Path(up.name).name
        path.write_bytes(up.getvalue())
        try:
            result = submissions.submit_workbook(store, op.code, path, principal, gate=_gate(), name=up.name)
        except ValueError as e:
            st.error(str(e))
            return
    _show_result(result)


def submissions_panel(store: Store, op: Operation, principal: Principal) -> None:
    """The kept rows and each submission's refusals (organisers: every member's)."""
    if op.role not in ("organiser", "contributor"):
        st.info(_("Observers read and post messages; the data is for organisers and contributors."))
        return
    if _template(store, op, principal) is None:
        st.info(_("No template yet."))
        return
    rows = submissions.submitted_rows(store, op.code, principal)
    st.subheader(_("Rows ({n})", n=len(rows)))
    data_table(rows, hide_index=True, width="stretch", key="op_rows")
    subs = submissions.list_submissions(store, op.code, principal)
    refused = [
        {**r, "submission": s["id"], "account": s["account"]}
        for s in subs.to_dict("records")
        for r in json.loads(s["rejections"])
    ]
    if refused:
        st.subheader(_("Refused rows"))
        frame = pd.DataFrame(refused)
        data_table(
            frame[["submission", "account", "where", "row", "column", "reason"]],
            hide_index=True,
            width="stretch",
        )


def _thread_view(store: Store, op: Operation, principal: Principal) -> None:
    """Threads and the open thread; reads (and audits) again only when a new message arrived."""
    latest = messages.latest_message_id(store, op.code, principal)
    memo = f"op_msgs_{op.code}"
    if st.session_state.get(memo, (None,))[0] != latest:
        st.session_state[memo] = (latest, messages.threads(store, op.code, principal), {})
    _latest, threads, read = st.session_state[memo]
    if not threads:
        st.caption(_("No message yet."))
        return
    for t in threads:
        unread = f" · **{_('{n} unread', n=t.unread)}**" if t.unread else ""
        with st.expander(
            f"{t.subject} · {t.account} ({t.organisation}) · "
            + ngettext("{n} reply", "{n} replies", t.replies)
            + unread,
            expanded=True,
        ):
            if t.id not in read:
                read[t.id] = messages.read_thread(store, op.code, t.id, principal)
            for m in read[t.id]:
                st.markdown(f"**{m.account}** ({m.organisation}), {format_datetime(m.posted_at, 'short')}")
                st.text(m.body)
                for a in m.attachments:
                    st.caption(_("📎 {name} ({size:,} bytes)", name=a.name, size=a.size))


def messages_view(store: Store, op: Operation, principal: Principal) -> None:
    """The live message view (a fragment refreshing every :data:`LIVE_SECONDS`) and the post form."""
    try:
        messages.check_key()
    except messages.OperationsKeyMissing as e:
        st.error(str(e))
        return
    st.fragment(run_every=LIVE_SECONDS)(_thread_view)(store, op, principal)
    with st.form("op_post", clear_on_submit=True):
        subject = st.text_input(_("Subject (a new thread)"), key="op_post_subject")
        body = st.text_area(_("Message"), key="op_post_body")
        files = st.file_uploader(_("Attachments"), accept_multiple_files=True, key="op_post_files")
        if st.form_submit_button(_("Post")):
            try:
                messages.post_message(
                    store,
                    op.code,
                    body,
                    principal,
                    subject=subject,
                    attachments=[(f.name, f.getvalue()) for f in files or []],
                )
            except ValueError as e:
                st.error(str(e))
            else:
                st.session_state.pop(f"op_msgs_{op.code}", None)
                st.rerun()


def extract_and_close(store: Store, op: Operation, principal: Principal) -> None:
    """Organisers: extraction (audited as a disclosure) and close with hand-off."""
    if op.role != "organiser" or _template(store, op, principal) is None:
        return
    fmt = st.segmented_control(_("Format"), submissions.EXTRACT_FORMATS, default="xlsx", key="op_extract_fmt")
    if st.button(_("Extract"), key="op_extract"):
        with tempfile.TemporaryDirectory(prefix="wb-extract-") as tmp:
            path = submissions.extract(store, op.code, principal, Path(tmp) / f"{op.code}.{fmt}")
            st.session_state["op_extract_file"] = (path.name, path.read_bytes())
    if "op_extract_file" in st.session_state:
        name, data = st.session_state["op_extract_file"]
        st.download_button(_("Download {file}", file=name), data, file_name=name, key="op_extract_download")
    if not op.is_open:
        return
    st.subheader(_("Close the operation"))
    rows = submissions.submitted_rows(store, op.code, principal)
    chosen = st.multiselect(
        _("Rows to hand off to the main store"), rows["row_id"].tolist(), key="op_handoff"
    )
    if st.button(_("Close"), key="op_close"):
        from workbench.ui.resources import import_gates

        try:
            report = submissions.close_operation(
                store, op.code, principal, hand_off=chosen, gates=import_gates()
            )
        except ValueError as e:
            st.error(str(e))
        else:
            st.success(report.summary() if report is not None else _("Closed."))
