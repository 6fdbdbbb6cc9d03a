"""``workbench operation``: the scripted workflow, and a third organisation that sees nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workbench.cli import main
from workbench.identity import installation_principal
from workbench.identity.accounts import create_account, create_organisation, issue_token
from workbench.store import open_store


def test_operation_commands_and_the_template_suite(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    db = f"sqlite:///{tmp_path / 'ops.db'}"
    store = open_store(db)
    boot = installation_principal()
    tokens = {}
    for name, org in (("ana", "FR-DGDDI"), ("sara", "DE-ZOLL"), ("eve", "ES-AEAT")):
        create_organisation(store, org, org, "administration", by=boot)
        create_account(
            store, name, organisation=org, roles=["analyst"], password=None, personal=True, by=boot
        )
        tokens[name] = issue_token(store, name, by=boot)

    def run(who: str, *args: str) -> int:
        monkeypatch.setenv("WORKBENCH_TOKEN", tokens[who])
        return main(["operation", *args, "--db", db])

    assert (
        run(
            "ana",
            "create",
            "OP-AIR",
            "--name",
            "Air couriers",
            "--legal-basis",
            "Naples II",
            "--start",
            "2026-01-01",
            "--end",
            "2026-12-31",
        )
        == 0
    )
    assert run("ana", "add-member", "OP-AIR", "sara", "--role", "contributor") == 0
    fields = tmp_path / "fields.json"
    fields.write_text(
        json.dumps(
            [
                {"like": "cases.case_id"},
                {"like": "cases.reporting_country"},
                {"like": "cases.seizure_date"},
                {"name": "kg", "type": "float", "required": True},
                {"name": "trigger", "type": "code", "codes": ["dog", "scanner"]},
            ]
        )
    )
    assert run("ana", "template", "OP-AIR", "--fields", str(fields)) == 0
    book = tmp_path / "op.xlsx"
    assert run("sara", "template", "OP-AIR", "--excel", str(book)) == 0
    from openpyxl import load_workbook

    wb = load_workbook(book)
    ws = wb["submission"]
    rows = [
        ["DE-1", "DE", "2026-03-01", 2.5, "dog"],
        ["DE-2", "DE", "2026-03-02", 1.0, "horse"],  # not a code of the list: the row checks
        ["DE-3", "DE", "2099-01-01", 3.0, "scanner"],  # in the future: the template's GX suite
    ]
    for i, values in enumerate(rows, start=2):
        for j, v in enumerate(values, start=1):
            ws.cell(row=i, column=j, value=v)
    wb.save(book)
    capsys.readouterr()
    assert run("sara", "submit", "OP-AIR", str(book)) == 1
    out = capsys.readouterr().out
    assert "1 row(s) accepted, 2 refused" in out
    assert "op.xlsx, sheet submission, row 3, column 'trigger': not one of: dog, scanner" in out
    assert "row 4, column 'seizure_date'" in out
    assert run("ana", "extract", "OP-AIR", "--out", str(tmp_path / "x.csv")) == 0
    extracted = (tmp_path / "x.csv").read_text()
    assert "DE-1," in extracted and "DE-2," not in extracted and "DE-3," not in extracted
    assert run("sara", "extract", "OP-AIR", "--out", str(tmp_path / "y.csv")) == 3  # contributors do not
    capsys.readouterr()
    assert run("ana", "list") == 0
    assert "OP-AIR\tactive\torganiser" in capsys.readouterr().out
    # the third organisation: nothing, not even the name
    assert run("eve", "list") == 0
    out = capsys.readouterr().out
    assert "OP-AIR" not in out and "Air couriers" not in out
    for verb in (
        ["extract", "OP-AIR", "--out", str(tmp_path / "z.csv")],
        ["template", "OP-AIR"],
        ["submit", "OP-AIR", str(book)],
    ):
        assert run("eve", *verb) == 3
        err = capsys.readouterr()
        assert (
            "no operation OP-AIR of which you are a member" in err.err
            and "Air couriers" not in err.out + err.err
        )
    assert not (tmp_path / "z.csv").exists()
    assert run("ana", "close", "OP-AIR", "--all") == 0
    assert "closed" in capsys.readouterr().out


def test_keygen_prints_a_key(capsys: pytest.CaptureFixture[str]) -> None:
    from cryptography.fernet import Fernet

    assert main(["operation", "keygen"]) == 0
    Fernet(capsys.readouterr().out.strip().encode())
