"""The gate in the import: critical rows quarantined, warnings stored and flagged, results in the
workbench's own tables; the steward report and the feedback workbook list every planted defect; the
gate gives the same findings whether a submission comes in one piece or in chunks."""

from __future__ import annotations

import io
import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa

from data_quality import default_gates
from data_quality.engine import PandasEngine
from data_quality.gate import QualityGate
from data_quality.models import DQFailingRow, DQResult, DQRun, DQScorecard
from data_quality.reports import feedback_sheets, feedback_workbook, submission_report
from tests.data_quality.conftest import Planted
from workbench.exchange.files import read_dataset, write_dataset
from workbench.exchange.ingest import import_path
from workbench.exchange.rowchecks import check_table
from workbench.store import QuarantinedRow, Submission, open_store


@pytest.fixture(scope="module")
def imported(
    planted_sample: tuple[Path, list[Planted], set[tuple[str, int]]], tmp_path_factory: pytest.TempPathFactory
):  # type: ignore[no-untyped-def]
    folder, planted, cascades = planted_sample
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('gate') / 'g.db'}")
    report = import_path(folder, store, gates=default_gates())
    return store, report, planted, cascades


def test_critical_rows_quarantined_warnings_flagged(imported) -> None:  # type: ignore[no-untyped-def]
    store, report, planted, cascades = imported
    assert report.status == "partial"
    raw = read_dataset(report.source)
    for table, rt in raw.tables.items():
        assert report.accepted[table] + report.rejected[table] == len(rt.frame), table
    with store.engine.connect() as conn:
        quarantined = {
            (t, r) for t, r in conn.execute(sa.select(QuarantinedRow.table_name, QuarantinedRow.row_number))
        }
        n_cases = conn.execute(sa.select(sa.func.count()).select_from(sa.table("cases"))).scalar_one()
        flags = dict(
            conn.execute(sa.text("select case_id, dq_flags from cases where dq_flags is not null")).fetchall()
        )
        score = conn.execute(sa.select(Submission.dq_score)).scalar_one()
    critical = {(p.table, p.row) for p in planted if p.severity == "critical"}
    assert critical <= quarantined
    assert quarantined <= critical | cascades
    assert n_cases == report.accepted["cases"]
    cases = pd.read_csv(Path(report.source) / "cases.csv", dtype=str, keep_default_na=False)
    for p in planted:
        if p.severity == "warning" and p.table == "cases":
            case_id = cases.loc[p.row - 2, "case_id"]
            assert case_id in flags and p.column in flags[case_id], p
    assert 0 < score < 100


def test_results_kept_in_own_tables_and_report_lists_every_defect(imported) -> None:  # type: ignore[no-untyped-def]
    store, report, planted, _ = imported
    with store.engine.connect() as conn:
        n = {
            m.__tablename__: conn.execute(sa.select(sa.func.count()).select_from(m)).scalar_one()
            for m in (DQRun, DQResult, DQFailingRow, DQScorecard)
        }
    assert n["dq_runs"] == 1 and n["dq_results"] >= 80 and n["dq_failing_rows"] >= len(planted)
    assert n["dq_scorecard"] > 1000
    rep = submission_report(store, report.submission_id, personal_allowed=True)
    got = {(r.table, r.column, r.expectation, int(r.row)) for r in rep.failing_rows.itertuples()}
    missing = [p for p in planted if (p.table, p.column, p.expectation, p.row) not in got]
    assert not missing, missing
    assert (rep.failed["failing"] > 0).all()
    assert rep.run["critical_rows"] == report_rejected_rows(report)


def report_rejected_rows(report) -> int:  # type: ignore[no-untyped-def]
    return sum(report.rejected.values())


def test_feedback_workbook_lists_every_defect_and_how_to_fix_it(imported) -> None:  # type: ignore[no-untyped-def]
    from python_calamine import CalamineWorkbook

    store, report, planted, _ = imported
    rep = submission_report(store, report.submission_id, personal_allowed=True)
    data = feedback_workbook(rep)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["Summary", "Problems"]
    sheets = feedback_sheets(rep)
    start = next(i for i, row in enumerate(wb["Problems"].iter_rows(values_only=True)) if row[0] == "sheet")
    assert [c.value for c in wb["Problems"][start + 1]] == list(sheets["Problems"].columns)
    # a second reader: python-calamine, as the import uses
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name("Problems").to_python()
    header = rows[start]
    problems = pd.DataFrame(rows[start + 1 :], columns=header)
    listed = {
        (str(s).split(",")[0].removesuffix(".csv"), int(r), c)
        for s, r, c in problems[["sheet", "row", "column"]].itertuples(index=False)
    }
    for p in planted:
        assert (p.table, p.row, p.column) in listed, p
    assert problems["how to fix"].astype(str).str.len().gt(10).all()
    assert not any(c.data_type == "f" for row in wb["Problems"].iter_rows() for c in row)


def _chunks(frame: pd.DataFrame, size: int) -> list[pd.DataFrame]:
    return [frame.iloc[i : i + size].reset_index(drop=True) for i in range(0, len(frame), size)]


def test_same_findings_in_one_piece_or_in_chunks(tmp_path: Path) -> None:
    from workbench.sample.generator import generate

    tables = generate(400, seed=5).tables
    cases, items = tables["cases"].copy(), tables["items"].copy()
    # a seizure reported twice: the copy comes at the end (another chunk)
    twin = cases.iloc[[3]].assign(case_id="TWIN-1")
    cases = pd.concat([cases, twin], ignore_index=True)
    items = pd.concat(
        [items, items[items["case_id"] == cases.loc[3, "case_id"]].assign(case_id="TWIN-1")],
        ignore_index=True,
    )
    cases.loc[10, "entry_date"] = "2018-01-01"
    write_dataset({"cases": cases, "items": items}, tmp_path / "ds")
    raw = read_dataset(tmp_path / "ds")
    frames = {n: check_table(t).frame for n, t in raw.tables.items()}
    where = {n: n for n in frames}

    def findings(gate: QualityGate, pieces: list[dict[str, pd.DataFrame]]) -> set[tuple]:
        gate.start("x")
        out = set()
        for piece in pieces:
            out |= {(f.table, f.row, f.column, f.severity) for f in gate.check(piece, None, where)}
        return out

    whole = findings(QualityGate(PandasEngine()), [frames])
    # cases and items cut at different places
    case_chunks, item_chunks = _chunks(frames["cases"], 150), _chunks(frames["items"], 170)
    aligned = [
        {
            **({"cases": case_chunks[k]} if k < len(case_chunks) else {}),
            **({"items": item_chunks[k]} if k < len(item_chunks) else {}),
        }
        for k in range(max(len(case_chunks), len(item_chunks)))
    ]
    assert findings(QualityGate(PandasEngine()), aligned) == whole
    # every item before any case (items whose case comes later are looked at again then)
    items_first = [{"items": c} for c in item_chunks] + [{"cases": c} for c in case_chunks]
    assert findings(QualityGate(PandasEngine()), items_first) == whole
    assert ("items", len(items) + 1, "case_id", "warning") in whole  # the twin's item
    assert ("cases", 12, "entry_date", "critical") in whole


def test_gate_on_both_stores_and_duplicate_of_a_stored_case(store_url: str, tmp_path: Path) -> None:
    base = {
        "cases": pd.DataFrame(
            {
                "case_id": ["A", "B"],
                "reporting_country": ["ES", "ES"],
                "seizure_date": ["2024-03-01", "2024-03-02"],
                "place_code": ["ESALG", "MAD"],
                "latitude": ["36.13", "40.49"],
                "longitude": ["-5.44", "-3.57"],
            }
        ),
        "items": pd.DataFrame(
            {
                "case_id": ["A", "B"],
                "reporting_country": ["ES", "ES"],
                "item_no": ["1", "1"],
                "commodity_category": ["drugs", "tobacco"],
                "commodity_type": ["cannabis_resin", "cigarettes"],
                "quantity": ["2400", "10000"],
                "unit": ["kg", "l"],
            }
        ),
    }
    write_dataset(base, tmp_path / "base")
    store = open_store(store_url)
    r1 = import_path(tmp_path / "base", store, gates=default_gates())
    # cigarettes in litres; case B, whose only item that was, is refused with it
    assert r1.status == "partial" and r1.rejected == {"cases": 1, "items": 1}
    again = {
        "cases": base["cases"].iloc[[0]].assign(case_id="A2"),
        "items": base["items"].iloc[[0]].assign(case_id="A2"),
    }
    write_dataset(again, tmp_path / "again")
    r2 = import_path(tmp_path / "again", store, gates=default_gates())
    assert r2.status == "accepted" and r2.flagged == {"items": 1}
    assert "stored case ES/A" in r2.warnings[0].reason
    rep = submission_report(store, r2.submission_id, personal_allowed=True)
    assert rep.failed["expectation"].tolist() == ["expect_no_likely_duplicate_seizure"]
    rep1 = submission_report(store, r1.submission_id, personal_allowed=True)
    failing = rep1.failing_rows
    # the unit, and the case refused with its only item (a row refused by the import's own checks)
    assert set(failing["expectation"]) == {"expect_unit_to_suit_commodity", "expect_row_to_be_readable"}
    assert failing.loc[failing["expectation"] == "expect_unit_to_suit_commodity", "row"].tolist() == [3]
    with store.engine.connect() as conn:
        scores = [s for (s,) in conn.execute(sa.select(Submission.dq_score).order_by(Submission.id))]
    assert scores[0] < scores[1] <= 100
    assert json.loads(rep.run["summary"])["rows"] == {"cases": 1, "items": 1}


def test_report_for_a_viewer_lists_no_personal_row(imported) -> None:  # type: ignore[no-untyped-def]
    store, report, planted, _ = imported
    full = submission_report(store, report.submission_id, personal_allowed=True)
    seen = submission_report(store, report.submission_id, personal_allowed=False)
    personal = full.failing_rows["table"].isin(["persons", "companies"])
    assert personal.sum() > 0 and any(p.table == "persons" for p in planted)
    assert seen.personal_hidden and seen.hidden_rows == int(personal.sum())
    assert not seen.failing_rows["table"].isin(["persons", "companies"]).any()
    assert len(seen.failing_rows) == len(full.failing_rows) - int(personal.sum())
    remarks = seen.failing_rows[seen.failing_rows["column"].isin(["remarks", "conveyance_id"])]
    assert remarks["value"].isna().all()
    # the counts per expectation stay
    pd.testing.assert_frame_equal(seen.expectations, full.expectations)
    wb = openpyxl.load_workbook(io.BytesIO(feedback_workbook(seen)))
    sheets = {str(c.value) for row in wb["Problems"].iter_rows() for c in row if c.value is not None}
    assert not any(s.startswith("persons") or s.startswith("companies") for s in sheets)
    names = full.failing_rows.loc[personal & ~full.failing_rows["column"].str.contains("case_id"), "value"]
    names = {str(v) for v in names.dropna()} - {""}
    assert names and not (names & sheets), names & sheets


def test_a_date_that_is_no_date_never_reaches_the_scorecards(store_url: str, tmp_path: Path) -> None:
    from data_quality.reports import scorecard_inputs
    from data_quality.scorecard import scores

    cases = pd.DataFrame(
        {
            "case_id": ["A", "B", "C"],
            "reporting_country": ["ES", "ES", "ES"],
            "seizure_date": ["2024-03-01", "2023-13-45", "2023-02-31"],
            "place_code": ["ESALG", "MAD", "MAD"],
        }
    )
    items = pd.DataFrame(
        {
            "case_id": ["A", "B", "C"],
            "reporting_country": ["ES"] * 3,
            "item_no": ["1"] * 3,
            "commodity_category": ["drugs"] * 3,
            "commodity_type": ["cannabis_resin"] * 3,
            "quantity": ["2400"] * 3,
            "unit": ["kg"] * 3,
        }
    )
    write_dataset({"cases": cases, "items": items}, tmp_path / "bad")
    store = open_store(store_url)
    r = import_path(tmp_path / "bad", store, gates=default_gates())
    assert r.rejected["cases"] == 2
    inputs = scorecard_inputs(store)
    assert set(inputs["month"]) == {"2024-03"}
    card = scores(inputs)
    assert set(card["month"]) == {"2024-03"}
    # an old run that stored a month that is none is left out when read
    with store.engine.begin() as conn:
        run_id = conn.execute(sa.select(sa.func.max(DQScorecard.run_id))).scalar_one()
        row = dict(conn.execute(sa.select(DQScorecard.__table__).limit(1)).mappings().one())
        row.pop("id", None)
        conn.execute(sa.insert(DQScorecard.__table__), [{**row, "run_id": run_id, "month": "2023-13"}])
    assert set(scorecard_inputs(store)["month"]) == {"2024-03"}
