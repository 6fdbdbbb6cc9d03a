"""Acceptance: ``workbench validate`` reports every planted defect at its exact table, column and
spreadsheet row; the clean default sample passes with no critical failure; exit statuses 0/1/2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.data_quality.conftest import Planted
from workbench.cli import main


def _validate(args: list[str], out: Path) -> tuple[int, dict]:
    code = main(["validate", *args, "--json", str(out), "--quiet"])
    return code, json.loads(out.read_text(encoding="utf-8"))


def _index(report: dict) -> dict[tuple[str, str, str], set[int]]:
    return {(f["table"], f["column"], f["expectation"]): set(f["rows"]) for f in report["failures"]}


def test_clean_default_sample_has_no_critical_failure(default_copy: Path, tmp_path: Path) -> None:
    code, report = _validate([str(default_copy)], tmp_path / "r.json")
    assert code == 0 and report["success"] is True
    assert not [f for f in report["failures"] if f["severity"] == "critical"], report["failures"]
    assert set(report) >= {"success", "failures"}
    for f in report["failures"]:
        assert set(f) == {"table", "column", "expectation", "severity", "rows"}


def test_every_planted_defect_is_reported_where_it_is(
    planted_sample: tuple[Path, list[Planted], set[tuple[str, int]]], default_copy: Path, tmp_path: Path
) -> None:
    folder, planted, cascades = planted_sample
    code, report = _validate([str(folder)], tmp_path / "r.json")
    assert code == 1 and report["success"] is False
    found = _index(report)
    missing = [p for p in planted if p.row not in found.get((p.table, p.column, p.expectation), set())]
    assert not missing, f"not reported at their place: {missing}"
    for p in planted:
        f = next(
            f
            for f in report["failures"]
            if (f["table"], f["column"], f["expectation"]) == (p.table, p.column, p.expectation)
        )
        assert f["severity"] == p.severity, p
    # nothing critical beyond the planted defects and the children of refused cases
    allowed = {(p.table, p.row) for p in planted} | cascades
    extra = [
        (f["table"], f["column"], f["expectation"], r)
        for f in report["failures"]
        if f["severity"] == "critical"
        for r in f["rows"]
        if (f["table"], r) not in allowed
    ]
    assert not extra, extra
    kinds = {p.expectation for p in planted}
    assert (
        len(kinds) >= 20
    )  # one of every kind: format, places, quantities, dates, routes, references, duplicates


def test_duplicate_of_a_stored_case_and_references_to_stored_cases(tmp_path: Path) -> None:
    import pandas as pd

    from workbench.exchange.files import write_dataset
    from workbench.exchange.ingest import import_path
    from workbench.store import open_store

    url = f"sqlite:///{tmp_path / 's.db'}"
    base = {
        "cases": pd.DataFrame(
            {
                "case_id": ["NL-1"],
                "reporting_country": ["NL"],
                "seizure_date": ["2024-03-01"],
                "place_code": ["NLRTM"],
                "latitude": ["51.95"],
                "longitude": ["4.14"],
            }
        ),
        "items": pd.DataFrame(
            {
                "case_id": ["NL-1"],
                "reporting_country": ["NL"],
                "item_no": ["1"],
                "commodity_category": ["drugs"],
                "commodity_type": ["cocaine"],
                "quantity": ["812.5"],
                "unit": ["kg"],
            }
        ),
    }
    write_dataset(base, tmp_path / "base")
    assert import_path(tmp_path / "base", open_store(url)).status == "accepted"
    again = {
        "cases": base["cases"].assign(case_id=["NL-2"]),
        "items": pd.concat(
            [base["items"].assign(case_id=["NL-2"]), base["items"].assign(item_no=["2"], quantity=["3"])],
            ignore_index=True,
        ),
        "persons": pd.DataFrame({"person_id": ["P1"], "case_id": ["NL-1"], "reporting_country": ["NL"]}),
    }
    write_dataset(again, tmp_path / "again")
    code, report = _validate([str(tmp_path / "again"), "--db", url], tmp_path / "r.json")
    found = _index(report)
    assert found[("items", "case_id", "expect_no_likely_duplicate_seizure")] == {2}
    assert code == 0  # a likely duplicate is a warning; the item and person of stored case NL-1 are fine
    # on its own, the file's references to NL-1 are missing
    code, report = _validate([str(tmp_path / "again")], tmp_path / "r2.json")
    assert code == 1
    assert _index(report)[("items", "case_id", "expect_case_to_exist")] == {3}
    assert _index(report)[("persons", "case_id", "expect_case_to_exist")] == {2}


def test_unreadable_input_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "x.xlsx"
    bad.write_bytes(b"not a workbook")
    assert main(["validate", str(bad)]) == 2
    assert "x.xlsx" in capsys.readouterr().err
    assert main(["validate", str(tmp_path / "missing")]) == 2
    assert main(["validate"]) == 2


def test_workbook_rows_match_the_csv_rows(tmp_path: Path) -> None:
    import pandas as pd

    from workbench.exchange.files import write_dataset

    cases = pd.DataFrame(
        {
            "case_id": ["A", "B", "C"],
            "reporting_country": ["FR", "FR", "FR"],
            "seizure_date": ["2024-01-02", "2024-01-03", "2024-01-04"],
            "entry_date": ["2024-01-02", "2023-12-30", "2024-01-04"],
            "transport_mode": ["road", "road", "hovercraft"],
        }
    )
    write_dataset({"cases": cases}, tmp_path / "x.xlsx")
    write_dataset({"cases": cases}, tmp_path / "csv")
    a = _validate([str(tmp_path / "x.xlsx")], tmp_path / "a.json")[1]
    b = _validate([str(tmp_path / "csv")], tmp_path / "b.json")[1]
    assert a["failures"] == b["failures"]
    assert _index(a)[("cases", "entry_date", "expect_entry_date_not_before_seizure_date")] == {3}
    assert _index(a)[("cases", "transport_mode", "expect_column_values_to_be_in_set")] == {4}
