"""The standard statistics: every report on the sample (table, Excel, CSV, PNG, SVG), and the numbers of
a few against hand-computed values."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from workbench.exchange.seizures import read_seizure_frame
from workbench.trends.statistics import REPORTS, catalogue_workbook, run_report, table_csv


@pytest.fixture(scope="module")
def sample_frame(small_sample_dir: Path) -> pd.DataFrame:
    frame, rejections = read_seizure_frame(small_sample_dir)
    assert rejections == []
    return frame


@pytest.fixture()
def frame(trend_frame: pd.DataFrame) -> pd.DataFrame:
    return trend_frame


@pytest.mark.parametrize("key", list(REPORTS))
def test_every_report_exports(sample_frame: pd.DataFrame, key: str) -> None:
    from workbench.store.filters import CaseFilter

    result = run_report(key, sample_frame, CaseFilter())
    assert len(result.table) > 0 and result.title
    book = openpyxl.load_workbook(io.BytesIO(result.to_excel()))
    ws = book.worksheets[0]
    assert ws["A1"].value == result.heading and result.heading.startswith(result.title)
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
    # every sheet is headed by its own report, with the period
    assert [ws["A1"].value for ws in book.worksheets] == [r.heading for r in results]
    assert all("2019–2025" in ws["A1"].value for ws in book.worksheets)


# ------------------------------------------------------------------ a period in the filter (review finding)
@pytest.fixture(scope="module")
def period_filter():  # type: ignore[no-untyped-def]
    import datetime as dt

    from workbench.store.filters import CaseFilter

    return CaseFilter(date_from=dt.date(2024, 3, 1), date_to=dt.date(2024, 8, 31), transport_modes=("road",))


@pytest.fixture(scope="module")
def period_frame(sample_frame: pd.DataFrame, period_filter) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    return period_filter.apply(sample_frame)


def test_monthly_report_shows_only_months_of_the_period(period_frame: pd.DataFrame, period_filter) -> None:  # type: ignore[no-untyped-def]
    r = run_report("monthly_by_category", period_frame, period_filter)
    assert r.table["month"].tolist() == ["2024-03", "2024-04", "2024-05", "2024-06", "2024-07", "2024-08"]
    assert r.table["total"].min() > 0
    assert "Mar–Aug 2024" in r.chart.to_dict()["title"]["text"]


def test_year_on_year_compares_the_period_with_a_year_before(  # type: ignore[no-untyped-def]
    sample_frame: pd.DataFrame, period_frame: pd.DataFrame, period_filter
) -> None:
    from workbench.trends.statistics import year_before_filter

    earlier = year_before_filter(period_frame, period_filter)
    assert (earlier.date_from.isoformat(), earlier.date_to.isoformat()) == ("2023-03-01", "2023-08-31")
    assert earlier.transport_modes == ("road",)
    r = run_report("yoy_by_commodity", period_frame, period_filter, year_before=earlier.apply(sample_frame))
    t = r.table.set_index("commodity type")
    assert list(t.columns[:2]) == ["cases Mar–Aug 2024", "cases Mar–Aug 2023"]
    assert t["cases Mar–Aug 2023"].sum() > 0 and len(t) > 3
    # by hand: distinct road cases of the largest mover in the two periods
    top = t.index[0]

    def cases(f: pd.DataFrame) -> int:
        return int(
            f.loc[f["commodity_type"].astype("string").str.replace("_", " ") == top, "case_key"].nunique()
        )

    assert t.loc[top, "cases Mar–Aug 2024"] == cases(period_frame)
    assert t.loc[top, "cases Mar–Aug 2023"] == cases(earlier.apply(sample_frame))
    assert t.loc[top, "change"] == cases(period_frame) - cases(earlier.apply(sample_frame)) != 0
    # without the year before, its cases are unknown: no table of made-up rises
    assert run_report("yoy_by_commodity", period_frame, period_filter).table.empty


def test_workbook_title_and_tab_say_period_and_filter(period_frame: pd.DataFrame, period_filter) -> None:  # type: ignore[no-untyped-def]
    r = run_report("commodity_region_year", period_frame, period_filter)
    ws = openpyxl.load_workbook(io.BytesIO(r.to_excel())).worksheets[0]
    assert ws.title == "Comm. by region 2024-03–08"
    assert ws["A1"].value == "Seizures by commodity and region, per year, Mar–Aug 2024 (transport mode: road)"
    book = openpyxl.load_workbook(
        io.BytesIO(catalogue_workbook([run_report(k, period_frame, period_filter) for k in REPORTS]))
    )
    assert all(name.endswith("2024-03–08") and len(name) <= 31 for name in book.sheetnames)
    assert len(set(book.sheetnames)) == len(REPORTS)


def test_numbers_are_rounded_and_charts_say_what_they_count(
    period_frame: pd.DataFrame, period_filter
) -> None:  # type: ignore[no-untyped-def]
    for key in REPORTS:
        r = run_report(key, period_frame, period_filter)
        for c in r.table.columns:
            if pd.api.types.is_float_dtype(r.table[c]):
                values = r.table[c].dropna()
                assert (values.round(4) == values).all(), (key, c)
        csv = r.to_csv().decode()
        assert "00000000" not in csv and "99999999" not in csv, key
        if r.chart is not None:
            title = r.chart.to_dict()["title"]
            assert title["subtitle"][0] == r.caption and r.caption, key
            assert "Mar–Aug 2024" in title["subtitle"][1] and "road" in title["subtitle"][1], key
    shares = run_report("detection_by_mode", period_frame, period_filter)
    ws = openpyxl.load_workbook(io.BytesIO(shares.to_excel())).worksheets[0]
    col = list(shares.table.columns).index("share of cases") + 1
    header = next(r for r in range(1, 10) if ws.cell(r, 1).value == shares.table.columns[0])
    assert ws.cell(header + 1, col).number_format == "0.0%"


def test_csv_keeps_formula_looking_text_as_text() -> None:
    csv = table_csv(
        pd.DataFrame({"commodity type": ['=HYPERLINK("x")', "+1", "cocaine"], "cases": [1, 2, 3]})
    )
    lines = csv.decode().splitlines()
    # "+1" is a number, not a formula: it stays as it is (workbench.exchange.writers)
    assert lines[1].startswith("\"'=HYPERLINK") and lines[2] == "+1,2" and lines[3] == "cocaine,3"


def test_unknown_report_is_named(frame: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="no standard report 'nope'"):
        run_report("nope", frame)


def test_every_report_and_the_detector_survive_an_empty_store() -> None:
    from workbench.store import open_store
    from workbench.store.frames import seizure_frame
    from workbench.trends.emerging import detect_emerging

    empty = seizure_frame(open_store("sqlite://"))
    for key in REPORTS:
        result = run_report(key, empty)
        assert result.table.empty, key
        result.to_excel()
        result.to_csv()
    assert detect_emerging(empty).describe() == "no data to test"


def test_one_region_one_year_draws_months_by_commodity(sample_frame: pd.DataFrame) -> None:
    """Issue 15: the default report for one region and one year was a single solid bar."""
    from workbench.store.filters import CaseFilter

    flt = CaseFilter(
        wco_regions=("Europe",),
        date_from=pd.Timestamp("2024-01-01").date(),
        date_to=pd.Timestamp("2024-12-31").date(),
    )
    one = flt.apply(sample_frame)
    r = run_report("commodity_region_year", one, flt)
    spec = r.chart.to_dict()
    assert (
        spec["encoding"]["x"]["field"] == "month"
        and spec["encoding"]["color"]["field"] == "commodity category"
    )
    values = pd.DataFrame(next(iter(spec["datasets"].values())))
    assert values["month"].nunique() > 6 and values["commodity category"].nunique() > 1
    assert r.heading.endswith("2024 (WCO region: Europe)")  # a whole year reads as the year, not "…30 Dec"
    assert "Cases per year by WCO region" in str(
        run_report("commodity_region_year", sample_frame).chart.to_dict()
    )


def test_an_open_period_ends_with_the_datas_last_month() -> None:
    """Issue 15: a period ending 31 Dec read "30 Dec" (the last seizure's day)."""
    from workbench.store.filters import CaseFilter
    from workbench.trends.statistics import ReportContext

    frame = pd.DataFrame({"seizure_date": pd.to_datetime(["2024-01-03", "2024-06-10", "2024-12-30"])})
    assert ReportContext.of(frame).period_label() == "2024"
    assert (
        ReportContext.of(frame, CaseFilter(date_from=pd.Timestamp("2024-01-01").date())).period_label()
        == "2024"
    )
    assert (
        ReportContext.of(frame, CaseFilter(date_to=pd.Timestamp("2024-06-30").date())).period_label()
        == "Jan–Jun 2024"
    )
