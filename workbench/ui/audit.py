"""The Audit page's pieces: who is reading, the report's filter widgets, the chain's state, the download.

The reports themselves and the permission check are the library's
(:mod:`workbench.identity.audit_reports`); nothing here reads the log by itself.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from workbench.i18n import N_, _
from workbench.identity import Principal
from workbench.identity.audit_reports import REPORTS, AuditQuery, verify_log
from workbench.store import Store
from workbench.ui.widgets import date_input_format

__all__ = ["REPORT_TITLES", "query_widgets", "chain_status", "report_download", "flat"]

#: The reports as the page names them (keys of :data:`workbench.identity.audit_reports.REPORTS`).
REPORT_TITLES: dict[str, str] = {
    "consultations": N_("Who consulted whom"),
    "exports": N_("Exports and disclosures by recipient"),
    "unusual": N_("Bulk, burst or off-hours consultation"),
    "entries": N_("Every entry"),
}
assert set(REPORT_TITLES) == set(REPORTS)


def query_widgets() -> AuditQuery:
    """The filter of the report: period, account, organisation, purpose reference, record key."""
    today = dt.date.today()
    c1, c2, c3 = st.columns(3)
    since = c1.date_input(
        _("From"), value=today - dt.timedelta(days=30), key="audit_since", format=date_input_format()
    )
    until = c1.date_input(_("To"), value=today, key="audit_until", format=date_input_format())
    user = c2.text_input(_("Account"), key="audit_user").strip() or None
    org = c2.text_input(_("Organisation"), key="audit_org").strip() or None
    purpose = c3.text_input(_("Purpose reference"), key="audit_purpose").strip() or None
    obj = c3.text_input(_("Record key contains (e.g. ES/C1)"), key="audit_object").strip() or None
    return AuditQuery(
        since if isinstance(since, dt.date) else None,
        until if isinstance(until, dt.date) else None,
        user,
        org,
        (),
        purpose,
        obj,
    )


def chain_status(store: Store, principal: Principal) -> None:
    """Verify the hash chain on demand and say what was found."""
    if st.button(_("Verify the chain"), key="audit_verify", icon=":material/verified:"):
        report = verify_log(store, principal)
        (st.success if report.ok else st.error)(str(report))


def flat(frame: pd.DataFrame) -> pd.DataFrame:
    """Lists as text and times without zone (as a workbook holds them)."""
    out = frame.copy()
    for col in out.columns:
        if out[col].map(lambda v: isinstance(v, list)).any():
            out[col] = out[col].map(lambda v: ", ".join(v) if isinstance(v, list) else v)
        elif isinstance(out[col].dtype, pd.DatetimeTZDtype):
            out[col] = out[col].dt.tz_localize(None)
    return out


def report_download(frame: pd.DataFrame, name: str, query: AuditQuery) -> None:
    """The report as a workbook (values only: no cell becomes a formula)."""
    from workbench.exchange.excel import formatted_workbook

    notes = [
        _("Audit report: {title}", title=_(REPORT_TITLES[name])),
        _("Period: {since} to {until} (UTC)", since=query.since or "-", until=query.until or "-"),
    ]
    st.download_button(
        _("Download (Excel)"),
        data=lambda: formatted_workbook({name: flat(frame)}, title=_("Audit report"), notes=notes),
        file_name=f"audit-{name}-{dt.date.today():%Y%m%d}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="audit_download",
        on_click="ignore",
    )
