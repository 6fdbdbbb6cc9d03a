"""The standard statistics: every report on the sample (table, Excel, CSV, PNG, SVG), and the numbers of
a few against hand-computed values."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from tests.test_trends import CASES, ITEMS
from workbench.frames import read_seizure_frame
from workbench.statistics import REPORTS, catalogue_workbook, run_report, table_csv


@pytest.fixture(scope="module")
def sample_frame(small_sample_dir: Path) -> pd.DataFrame:
    frame, rejections = read_seizure_frame(small_sample_dir)
    assert rejections == []
    return frame


@pytest.fixture()
def frame() -> pd.DataFrame:
    f = CASES.merge(ITEMS, on=["reporting_country", "case_id"], how="left")
    f.insert(0, "case_key", f["reporting_country"] + ":" + f["case_id"])
    f["seizure_date"] = pd.to_datetime(f["seizure_date"])
    return f


@pytest.mark.parametrize("key", list(REPORTS))
def test_every_report_exports(sample_frame: pd.DataFrame, key: str) -> None:
    from workbench.filters import CaseFilter

    result = run_report(key, sample_frame, CaseFilter())
    assert len(result.table) > 0 and result.title
    book = openpyxl.load_workbook(io.BytesIO(result.to_excel()))
    ws = book.worksheets[0]
    assert ws["A1"].value == result.title
    header_row = next(r for r in range(1, 10) if ws.cell(r, 1).value == result.table.columns[0])
    assert [c.value for c in ws[header_row]][: len(result.table.columns)] == [
        str(c) for c in result.table.columns
    ]
    assert ws.max_row == header_row + len(result.table)
    csv = pd.read_csv(io.BytesIO(result.to_csv()))
    assert list(csv.columns) == [str(c) for c in result.table.columns] and len(csv) == len(result.table)
    if result.chart is not None:
        assert result.chart_png()[:8] == b"\x89PNG\r\n\x1a\n"
        assert result.chart_svg().startswith("<svg")
    else:
        assert key == "largest_seizures"


def test_commodity_region_year_by_hand(frame: pd.DataFrame) -> None:
    t = run_report("commodity_region_year", frame).table.set_index(["commodity category", "WCO region"])
    assert t.loc[("drugs", "Europe"), "2024"] == 3 and t.loc[("drugs", "Europe"), "2025"] == 1
    assert t.loc[("tobacco", "West & Central Africa"), "total"] == 1
    assert t.loc[("ipr", "Europe")].tolist() == [0, 1, 1]


def test_top_routes_by_hand(frame: pd.DataFrame) -> None:
    t = run_report("top_routes_per_commodity", frame).table
    cocaine = t[t["commodity type"] == "cocaine"].set_index("route")
    assert cocaine.loc["Colombia → France", "cases"] == 2  # FR:1 and FR:5
    assert (
        cocaine.loc["Colombia → France", "quantity"] == 6.0
        and cocaine.loc["Colombia → France", "unit"] == "kg"
    )
    assert cocaine.loc["Colombia → France", "rank"] == 1
    # NL:3's cocaine is in grams, not the usual kg of cocaine: counted as a case, not in the quantity
    assert cocaine.loc["Colombia → Netherlands", "quantity"] == 0.0
    cig = t[t["commodity type"] == "cigarettes"].iloc[0]
    assert cig["route"] == "Brazil → Senegal" and cig["of which destination inferred"] == 1


def test_detection_by_mode_by_hand(frame: pd.DataFrame) -> None:
    t = run_report("detection_by_mode", frame).table
    road = t[t["transport mode"] == "road"].set_index("detection method")
    assert road.loc["sniffer dog", "share of cases"] == 0.5
    assert road.loc["sniffer dog", "share of quantity (kg)"] == 1.0


def test_largest_seizures_and_yoy_by_hand(frame: pd.DataFrame) -> None:
    big = run_report("largest_seizures", frame).table
    cocaine_kg = big[(big["commodity type"] == "cocaine") & (big["unit"] == "kg")]
    assert cocaine_kg["quantity"].tolist() == [10.0, 4.0, 2.0] and cocaine_kg["rank"].tolist() == [1, 2, 3]
    # the last complete year of data ending 2025-02-03 is 2024, against 2023 (no data: no base)
    yoy = run_report("yoy_by_commodity", frame).table
    assert yoy.empty or set(yoy.columns) >= {"commodity type", "change"}


def test_catalogue_workbook_has_a_sheet_per_report(sample_frame: pd.DataFrame) -> None:
    results = [run_report(k, sample_frame) for k in list(REPORTS)[:4]]
    book = openpyxl.load_workbook(io.BytesIO(catalogue_workbook(results)))
    assert len(book.sheetnames) == 4
    assert book.worksheets[0]["A1"].value == "Standard statistics"


def test_csv_keeps_formula_looking_text_as_text() -> None:
    csv = table_csv(
        pd.DataFrame({"commodity type": ['=HYPERLINK("x")', "+1", "cocaine"], "cases": [1, 2, 3]})
    )
    lines = csv.decode().splitlines()
    assert lines[1].startswith("\"'=HYPERLINK") and lines[2] == "'+1,2" and lines[3] == "cocaine,3"


def test_unknown_report_is_named(frame: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="no standard report 'nope'"):
        run_report("nope", frame)


def test_every_report_and_the_detector_survive_an_empty_store() -> None:
    from workbench.emerging import detect_emerging
    from workbench.frames import seizure_frame
    from workbench.store import open_store

    empty = seizure_frame(open_store("sqlite://"))
    for key in REPORTS:
        result = run_report(key, empty)
        assert result.table.empty, key
        result.to_excel()
        result.to_csv()
    assert detect_emerging(empty).describe() == "no data to test"
