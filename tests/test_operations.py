"""Operations (issue 18): closed groups tested through the library, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from workbench.identity import PermissionDenied, Principal, Purpose, installation_principal
from workbench.identity.accounts import create_account, create_organisation
from workbench.operations import groups, messages, submissions
from workbench.operations.groups import OperationNotFound
from workbench.operations.templates import Template, excel_template
from workbench.store import open_store
from workbench.store.audit import AUDIT_LOG

TEMPLATE = [
    {"like": "cases.case_id"},
    {"like": "cases.reporting_country"},
    {"like": "cases.seizure_date"},
    {"like": "cases.departure_country", "required": True},
    {"like": "cases.concealment_method"},
    {"name": "cocaine_kg", "type": "float", "required": True},
    {"name": "booking_channel", "type": "code", "codes": ["online", "travel_agency"]},
    {"name": "courier_name", "type": "text", "personal": True},
]


@pytest.fixture(scope="module")
def accounts(module_store_url: str):  # type: ignore[no-untyped-def]
    """One store per backend for the module, with three administrations' accounts (each test makes its
    own operation in it)."""
    store = open_store(module_store_url)
    boot = installation_principal()
    for code in ("FR-DGDDI", "DE-ZOLL", "ES-AEAT"):
        create_organisation(store, code, code, "administration", by=boot)
    who = {}
    for name, org, role in (
        ("ana", "FR-DGDDI", "analyst"),
        ("sara", "DE-ZOLL", "steward"),
        ("eve", "ES-AEAT", "analyst"),
        ("adm", "FR-DGDDI", "admin"),
    ):
        # no password: signing in is tested elsewhere (argon2 costs a second per account)
        made = create_account(
            store, name, organisation=org, roles=[role], password=None, personal=True, by=boot
        )
        who[name] = Principal(name, org, frozenset({role}), personal=True, account_id=made)
    return store, who


@pytest.fixture()
def people(accounts, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """The store and accounts, with a new operation ``OP-<test>`` organised by ana, sara contributor."""
    monkeypatch.setenv("WORKBENCH_OPERATIONS_KEY", messages.generate_key())
    store, who = accounts
    code = "OP-" + request.node.originalname.split("_")[1].upper()
    op = groups.create_operation(
        store,
        code=code,
        name="Secret cocaine op",
        legal_basis="Naples II art. 23",
        start="2026-01-01",
        end="2026-12-31",
        by=who["ana"],
    )
    assert op.role == "organiser" and op.organiser == "FR-DGDDI"
    groups.add_member(store, code, "sara", "contributor", who["ana"])
    submissions.set_template(store, code, TEMPLATE, who["ana"])
    return store, who, code


def _rows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "case_id": ["DE-1", "DE-2", "DE-3"],
            "reporting_country": ["DE", "DE", "DE"],
            "seizure_date": ["2026-03-01", "2026-03-02", "2026-03-03"],
            "departure_country": ["BR", "CO", "PE"],
            "concealment_method": ["baggage", "body_carry", "under_the_seat"],
            "cocaine_kg": ["2.5", "1", "3"],
            "booking_channel": ["online", "", "online"],
            "courier_name": ["Ana Pereira", "", ""],
        }
    )


def test_non_members_see_nothing_through_the_library(people) -> None:  # type: ignore[no-untyped-def]
    store, who, code = people
    eve, adm = who["eve"], who["adm"]
    assert groups.list_operations(store, eve) == [] and groups.list_operations(store, adm) == []
    calls = [
        lambda: groups.get_operation(store, code, eve),
        lambda: groups.list_members(store, code, eve),
        lambda: submissions.current_template(store, code, eve),
        lambda: submissions.submitted_rows(store, code, adm),
        lambda: submissions.submit_rows(store, code, _rows(), eve),
        lambda: messages.threads(store, code, eve),
        lambda: messages.post_message(store, code, "hello", eve, subject="hi"),
        lambda: submissions.extract(store, code, adm, "/tmp/never.csv"),
    ]
    for call in calls:
        with pytest.raises(OperationNotFound) as e:
            call()
        # the same words as for a code nobody uses: nothing of the operation leaks
        assert "Secret" not in str(e.value)
    with pytest.raises(OperationNotFound) as unknown:
        groups.get_operation(store, "OP-NONE", eve)
    assert str(unknown.value).replace("OP-NONE", "X") == str(e.value).replace(code, "X")
    assert messages.unread_counts(store, eve) == {}
    # a contributor may not do the organiser's part
    with pytest.raises(PermissionDenied, match="contributor"):
        groups.add_member(store, code, "eve", "observer", who["sara"])


def test_submission_form_and_workbook_with_reasons_then_extract_and_search(people, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store, who, code = people
    ana, sara = who["ana"], who["sara"]
    result = submissions.submit_rows(store, code, _rows().iloc[:2], sara)
    assert result.accepted == 2 and result.rejections == []
    # the workbook: the Excel template filled offline, one bad row
    template = submissions.current_template(store, code, sara)
    book = excel_template(template, tmp_path / "template.xlsx")
    from openpyxl import load_workbook

    wb = load_workbook(book)
    ws = wb["submission"]
    assert [c.value for c in ws[1]] == template.names
    assert any("lists!" in str(dv.formula1) for dv in ws.data_validations.dataValidation)
    filled = [*(list(r) for r in _rows().iloc[2:].itertuples(index=False))]
    filled.append(["DE-4", "DE", "2026-03-04", "BR", "baggage", 1.5, "online", None])
    for i, values in enumerate(filled, start=2):
        for j, v in enumerate(values, start=1):
            ws.cell(row=i, column=j, value=v)
    wb.save(book)
    result = submissions.submit_workbook(store, code, book, sara)
    assert result.accepted == 1
    assert [(r.row, r.column) for r in result.rejections] == [(2, "concealment_method")]
    assert "template.xlsx, sheet submission" in str(result.rejections[0])
    assert "not one of" in result.rejections[0].reason
    seen = submissions.submitted_rows(store, code, ana)
    assert sorted(seen["case_id"]) == ["DE-1", "DE-2", "DE-4"]
    subs = submissions.list_submissions(store, code, ana)
    assert "under_the_seat" not in subs.to_string()  # reasons name the column, not the value
    assert json.loads(subs["rejections"].iloc[1])[0]["row"] == 2
    # extraction: three formats, each audited as a disclosure
    for fmt in ("xlsx", "csv", "parquet"):
        out = submissions.extract(store, code, ana, tmp_path / f"x.{fmt}")
        assert out.stat().st_size > 0
    assert len(pd.read_parquet(tmp_path / "x.parquet")) == 3
    with pytest.raises(PermissionDenied):
        submissions.extract(store, code, sara, tmp_path / "no.csv")
    with store.engine.connect() as conn:
        kinds = (
            conn.execute(
                sa.select(AUDIT_LOG.c.kind).where(AUDIT_LOG.c.action == "disclose.operation_extract")
            )
            .scalars()
            .all()
        )
    assert kinds == ["disclosure"] * 3


def test_messages_encrypted_unread_and_audited(people, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    store, who, code = people
    ana, sara = who["ana"], who["sara"]
    tid = messages.post_message(
        store,
        code,
        "Courier on AF0443 tomorrow",
        ana,
        subject="Tip",
        attachments=[("../../etc/pnr.txt", b"PNR data")],
    )
    assert messages.unread_counts(store, sara)[code] == 1
    [thread] = messages.threads(store, code, sara)
    assert thread.subject == "Tip" and thread.unread == 1
    msgs = messages.read_thread(store, code, tid, sara)
    assert msgs[0].body == "Courier on AF0443 tomorrow"
    assert msgs[0].attachments[0].name == "pnr.txt"
    assert messages.attachment(store, code, msgs[0].attachments[0].id, sara) == ("pnr.txt", b"PNR data")
    assert messages.unread_counts(store, sara)[code] == 0
    messages.post_message(store, code, "Seen, thanks", sara, thread_id=tid)
    assert messages.threads(store, code, ana)[0].replies == 1
    with store.engine.connect() as conn:
        raw = conn.execute(sa.text("select body, subject from operation_messages")).all()
        actions = conn.execute(sa.select(AUDIT_LOG.c.action, AUDIT_LOG.c.details)).all()
    assert all(b"AF0443" not in bytes(r[0]) and b"Tip" not in bytes(r[1] or b"") for r in raw)
    logged = [a for a, _d in actions if "operation_message" in a or "operation_attachment" in a]
    assert logged.count("collect.operation_message") == 2 and "consult.operation_messages" in logged
    assert not any("AF0443" in str(d) for _a, d in actions)
    monkeypatch.delenv("WORKBENCH_OPERATIONS_KEY")
    with pytest.raises(messages.OperationsKeyMissing, match="WORKBENCH_OPERATIONS_KEY"):
        messages.read_thread(store, code, tid, sara)


def test_close_hands_off_with_provenance_then_retention_erases(people) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    store, who, code = people
    ana, sara, adm = who["ana"], who["sara"], who["adm"]
    submissions.submit_rows(store, code, _rows().iloc[:2], sara)
    from workbench.store.search import search

    asking = ana.with_purpose(Purpose(code, "test of the search"))
    # the main search never sees an operation's rows, not even its organiser's search
    assert search(store, "DE-1", actor=asking).empty and search(store, "Pereira", actor=asking).empty
    rows = submissions.submitted_rows(store, code, ana)
    first = int(rows.loc[rows["case_id"] == "DE-1", "row_id"].iloc[0])
    report = submissions.close_operation(store, code, ana, hand_off=[first])
    assert report.status == "accepted"
    assert groups.get_operation(store, code, ana).status == "closed"
    with store.engine.connect() as conn:
        case = conn.execute(sa.text("select case_id, extra from cases")).all()
        source = (
            conn.execute(sa.text("select source_name from submissions order by id desc")).scalars().first()
        )
    assert [c[0] for c in case] == ["DE-1"] and code in case[0][1]
    assert f"operation {code}" in source
    assert not search(store, "DE-1", actor=asking).empty  # handed off: now in the main store
    with pytest.raises(ValueError, match="closed"):
        submissions.submit_rows(store, code, _rows(), sara)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=400)
    assert submissions.apply_retention(store, adm, now=later) == {code: 2}
    assert groups.get_operation(store, code, ana).status == "archived"
    kept = submissions.submitted_rows(store, code, ana)
    assert kept["courier_name"].isna().all() and kept["cocaine_kg"].notna().all()
    with store.engine.connect() as conn:
        details = conn.execute(
            sa.select(AUDIT_LOG.c.details).where(AUDIT_LOG.c.action == "erase.operation_retention")
        ).scalar_one()
    assert "Pereira" not in str(details) and "courier_name" in str(details)


def test_template_refuses_unknown_fields() -> None:
    with pytest.raises(ValueError, match="cases.nope"):
        Template.from_spec([{"like": "cases.nope"}])
    with pytest.raises(ValueError, match="codes"):
        Template.from_spec([{"name": "x", "type": "code"}])


def test_the_demo_operation_of_the_seeded_store(tmp_path: Path) -> None:
    from workbench.cli.seed import DEMO_ACCOUNTS, DEMO_ORGANISATIONS
    from workbench.operations.demo import DEMO_CODE, seed_demo_operation

    store = open_store(f"sqlite:///{tmp_path / 'demo.db'}")
    boot = installation_principal()
    for code, name, kind in DEMO_ORGANISATIONS:
        create_organisation(store, code, name, kind, by=boot)
    for name, org, roles, personal in DEMO_ACCOUNTS:
        create_account(store, name, organisation=org, roles=roles, password=None, personal=personal, by=boot)
    assert "12 fields, 3 rows" in seed_demo_operation(store, boot)
    assert "exists already" in seed_demo_operation(store, boot)
    sara = Principal("sara.steward", "DE-ZOLL", frozenset({"steward"}))
    vic = Principal("vic.viewer", "DE-ZOLL", frozenset({"viewer"}))
    [op] = groups.list_operations(store, sara)
    assert (op.code, op.status, op.role) == (DEMO_CODE, "active", "contributor")
    assert groups.list_operations(store, vic) == []  # same organisation, not a member
    assert {m.organisation for m in groups.list_members(store, DEMO_CODE, sara)} == {
        "FR-DGDDI",
        "DE-ZOLL",
        "RILO-WE",
    }
    assert len(submissions.current_template(store, DEMO_CODE, sara).fields) == 12
