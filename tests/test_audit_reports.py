"""The auditor's reports: who consulted whom, exports by recipient, bulk/burst/off-hours consultation;
only auditors and administrators may run them (checked in the library)."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from workbench.identity import PermissionDenied, Principal
from workbench.identity.audit_reports import (
    AuditQuery,
    audit_entries,
    consultations,
    exports_by_recipient,
    unusual_consultations,
)
from workbench.store import open_store
from workbench.store.audit import audit

AUDITOR = Principal("dpo", "SECRETARIAT", frozenset({"auditor"}))


class _Who:
    def __init__(self, user: str, org: str, ref: str | None = None) -> None:
        self.user, self.role, self.organisation = user, "analyst", org
        self.purpose = {"reference": ref, "justification": "check"} if ref else None


def _at(store, seq: int, when: dt.datetime) -> None:  # type: ignore[no-untyped-def]
    """Back-date an entry (as a test may: the chain is not what these tests check)."""
    from workbench.store.audit import AUDIT_LOG, drop_triggers, install_triggers

    with store.engine.begin() as c:
        drop_triggers(c)
        c.execute(sa.update(AUDIT_LOG).where(AUDIT_LOG.c.seq == seq).values(at=when))
        install_triggers(c)


@pytest.fixture()
def store(store_url: str):  # type: ignore[no-untyped-def]
    s = open_store(store_url)
    ana, bo = _Who("ana", "FR-DGDDI", "OP-1"), _Who("bo", "ES-AEAT", "OP-2")
    with s.connect() as c:
        audit(
            c,
            "consult.case_detail",
            {},
            ana,
            objects=["case:ES/C1", "person:ES/C1/P1", "person:ES/C1/P2"],
            row_count=2,
        )
        audit(c, "consult.persons", {}, bo, query="Reporting country: ES", row_count=900)
        audit(
            c,
            "export.exchange",
            {"legal_basis": "MAA FR-ES"},
            ana,
            recipients=["ES-AEAT", "OLAF"],
            row_count=40,
        )
        audit(c, "export.non_personal", {}, bo, row_count=10)
        audit(c, "export.exchange", {"legal_basis": "MAA FR-ES"}, bo, recipients=["ES-AEAT"], row_count=5)
    _at(s, 1, dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.UTC))  # a Monday, office hours
    _at(s, 2, dt.datetime(2026, 11, 29, 23, 30, tzinfo=dt.UTC))  # a Sunday, at night
    return s


def test_only_auditors_and_admins_may_read_the_reports(store) -> None:  # type: ignore[no-untyped-def]
    for roles in ({"viewer"}, {"analyst"}, {"steward"}, {"rilo"}, {"trainer"}):
        with pytest.raises(PermissionDenied, match="auditor, admin"):
            consultations(store, Principal("x", "FR", frozenset(roles), personal=True))
    admin = Principal("root", "SECRETARIAT", frozenset({"admin"}))
    assert len(audit_entries(store, admin)) == len(audit_entries(store, AUDITOR)) == 5


def test_who_consulted_whom(store) -> None:  # type: ignore[no-untyped-def]
    df = consultations(store, AUDITOR)
    got = sorted(zip(df["user"], df["object"], df["purpose_ref"], strict=True))
    assert got == [
        ("ana", "person:ES/C1/P1", "OP-1"),
        ("ana", "person:ES/C1/P2", "OP-1"),
        ("bo", "persons", "OP-2"),
    ]
    only = consultations(store, AUDITOR, AuditQuery(object_contains="ES/C1/P2"))
    assert only["object"].tolist() == ["person:ES/C1/P2"]
    assert consultations(store, AUDITOR, AuditQuery(user="bo"))["rows"].tolist() == [900]
    assert consultations(
        store, AUDITOR, AuditQuery(since=dt.date(2026, 11, 30), until=dt.date(2026, 11, 30))
    )["user"].tolist() == ["ana", "ana"]


def test_exports_by_recipient(store) -> None:  # type: ignore[no-untyped-def]
    df = exports_by_recipient(store, AUDITOR).set_index("recipient")
    assert df.loc["ES-AEAT", "exports"] == 2 and df.loc["ES-AEAT", "rows"] == 45
    assert df.loc["ES-AEAT", "users"] == "ana, bo" and df.loc["ES-AEAT", "legal_bases"] == "MAA FR-ES"
    assert df.loc["OLAF", "exports"] == 1 and df.loc["(none stated)", "kinds"] == "export.non_personal"


def test_bulk_burst_and_off_hours_consultation(store) -> None:  # type: ignore[no-untyped-def]
    df = unusual_consultations(store, AUDITOR, bulk_rows=500, burst=3)
    assert dict(zip(df["seq"], df["reasons"], strict=True)) == {2: "bulk, off-hours, weekend"}
    ana = _Who("ana", "FR-DGDDI", "OP-1")
    with store.connect() as c:
        for _ in range(3):
            audit(c, "consult.case_detail", {}, ana, objects=["person:ES/C1/P1"], row_count=1)
    df = unusual_consultations(store, AUDITOR, bulk_rows=500, burst=3, office_hours=(0, 24), weekends=False)
    assert set(df["seq"]) == {2, 8} and df.set_index("seq").loc[8, "reasons"] == "burst"
    with pytest.raises(ValueError, match="not a kind"):
        AuditQuery(kinds=("gossip",))


def test_audit_page_shows_the_reports_to_an_auditor_only(store_url: str, open_app) -> None:  # type: ignore[no-untyped-def]
    s = open_store(store_url)
    with s.connect() as c:
        audit(
            c,
            "consult.case_detail",
            {},
            _Who("ana", "FR-DGDDI", "OP-1"),
            objects=["person:ES/C1/P1"],
            row_count=1,
        )
    at = open_app(store_url, "pages/audit.py", role="auditor", user="dpo")
    assert at.get("segmented_control") and not at.error
    frame = at.dataframe[0].value
    assert frame["object"].tolist() == ["person:ES/C1/P1"] and frame["purpose_ref"].tolist() == ["OP-1"]
    at.button(key="audit_verify").click().run()
    assert "audit log intact" in at.success[0].value
    # an analyst's menu has no Audit page (needs=read_audit), so its address opens nothing; the library
    # refuses the reports too (test_reports_refused_to_other_roles)
    with pytest.raises(ValueError, match="pages/audit.py"):
        open_app(store_url, "pages/audit.py", role="analyst", user="ana")
