"""Aggregate statistics come in as statistics, not fake cases: a national agency's monthly totals in
pounds with fiscal years, and a UN-style country-year table with UN names and zero rows, each imported
from the command line after ``--suggest-mapping`` with no hand edit, three figures checked with pandas."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from connectors.mapping import load_profile
from workbench.cli import main
from workbench.exchange.statistics import load_statistics
from workbench.store import open_store
from workbench.trends.series import cases_and_events, event_counts
from workbench.trends.statistics import events_by_year

MONTHLY = """FY,Month (abbv),Region,Area of Responsibility,Drug Type,Count of Event,Sum Qty (lbs)
FY2020,OCT,Southwest Border,EL PASO FIELD OFFICE,Cocaine,12,340.5
FY2020,NOV,Southwest Border,EL PASO FIELD OFFICE,Cocaine,9,120.25
FY2020,JAN,Southwest Border,SAN DIEGO FIELD OFFICE,Methamphetamine,30,5120
FY2020,SEP,Southwest Border,SAN DIEGO FIELD OFFICE,Marijuana,4,1500
FY2021,OCT,Southwest Border,EL PASO FIELD OFFICE,Khat,2,88
FY2021,DEC,Southwest Border,EL PASO FIELD OFFICE,LSD,1,0.02
FY2021,MAR,Southwest Border,SAN DIEGO FIELD OFFICE,Other Drugs**,6,14.7
"""

COUNTRY_YEAR = """Country/Territory,Year,Drug group,Quantity (kg)
Republic of Korea,2018,Cannabis,12.5
Republic of Korea,2019,Cannabis,0
"China, Hong Kong SAR",2018,Cocaine-type,44.1
"China, Hong Kong SAR",2019,Cocaine-type,0
State of Palestine,2019,Cannabis,3.2
Kosovo under UNSCR 1244,2018,Opioids,7
Netherlands Antilles,2008,Cocaine-type,120
Libyan Arab Jamahiriya,2009,Cannabis,510
USSR,1990,Opioids,1000
Democratic Republic of the Congo,2019,Other drugs,0.5
"""


def _suggest_and_import(tmp_path: Path, name: str, text: str, *extra: str) -> tuple[str, int]:
    src = tmp_path / f"{name}.csv"
    src.write_text(text, encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'store.db'}"
    profile = tmp_path / f"{name}.yaml"
    assert main(["import", str(src), "--db", db, "--suggest-mapping", str(profile), *extra]) == 0
    code = main(["import", str(src), "--db", db, "--mapping", str(profile), "--quiet"])
    return db, code


def test_monthly_totals_in_pounds_with_fiscal_years(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db, code = _suggest_and_import(tmp_path, "totals", MONTHLY, "--constant", "reporting_country=US")
    assert code == 0, capsys.readouterr().err
    profile = load_profile(tmp_path / "totals.yaml").tables["statistics"]
    assert profile.derive["period"].spec["start_month"] == 10
    assert profile.derive["quantity"].spec == {"column": "Sum Qty (lbs)", "from": "lb", "to": "kg"}
    stats = load_statistics(open_store(db))
    assert len(stats) == 7  # seven statistics, not 64 fake cases

    # the same figures with pandas, from the file itself
    src = pd.read_csv(tmp_path / "totals.csv")
    month = pd.to_datetime(src["Month (abbv)"], format="%b").dt.month
    fy = src["FY"].str[2:].astype(int)
    src["year"] = fy - (month >= 10)
    by_year = src.groupby("year")["Count of Event"].sum()
    got = event_counts(stats, "Y").set_index("period")["events"]
    assert got.loc["2019"] == by_year.loc[2019] == 21
    assert got.loc["2020"] == by_year.loc[2020] == 37
    assert stats["quantity"].sum() == pytest.approx(src["Sum Qty (lbs)"].sum() * 0.45359237)
    # an October of FY2020 is October 2019; a monthly figure stays monthly
    assert stats.loc[0, ["period", "granularity"]].tolist() == ["2019-10", "month"]
    assert set(stats["commodity_type"]) == {
        "cocaine",
        "methamphetamine",
        "cannabis_herb",
        "khat",
        "lsd",
        "other_drugs",
    }
    # cases and events said apart: no case was stored
    both = cases_and_events(pd.DataFrame(columns=["case_key", "seizure_date"]), stats)
    assert both["cases"].sum() == 0 and both["events"].sum() == src["Count of Event"].sum()


def test_country_year_with_un_names_and_zero_rows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db, code = _suggest_and_import(tmp_path, "unodc", COUNTRY_YEAR)
    assert code == 0, capsys.readouterr().err
    stats = load_statistics(open_store(db)).sort_values("row_number")
    src = pd.read_csv(tmp_path / "unodc.csv")
    assert len(stats) == len(src)  # zero rows are statistics of zero, not refused, not cases
    assert stats["quantity"].sum() == pytest.approx(src["Quantity (kg)"].sum())
    assert (stats["quantity"] == 0).sum() == (src["Quantity (kg)"] == 0).sum() == 2
    kr = stats.loc[stats["reporting_country"] == "KR", "quantity"].sum()
    assert kr == src.loc[src["Country/Territory"] == "Republic of Korea", "Quantity (kg)"].sum()
    assert dict(zip(src["Country/Territory"], stats["reporting_country"], strict=True)) == {
        "Republic of Korea": "KR",
        "China, Hong Kong SAR": "HK",
        "State of Palestine": "PS",
        "Kosovo under UNSCR 1244": "XK",
        "Netherlands Antilles": "AN",
        "Libyan Arab Jamahiriya": "LY",
        "USSR": "SU",
        "Democratic Republic of the Congo": "CD",
    }
    # a yearly figure is a year, never spread as if it were a date
    assert set(stats["granularity"]) == {"year"}
    monthly = event_counts(stats, "M")
    assert monthly.empty and monthly.attrs["yearly_rows_left_out"] == len(src)
    assert list(events_by_year(stats).columns)[:2] == ["1990", "1991"]


def test_suggest_never_overwrites_a_profile_without_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "unodc.csv"
    src.write_text(COUNTRY_YEAR, encoding="utf-8")
    profile = tmp_path / "p.yaml"
    profile.write_text("# my hand edits\n", encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'store.db'}"
    assert main(["import", str(src), "--db", db, "--suggest-mapping", str(profile)]) == 2
    assert "--force" in capsys.readouterr().err
    assert profile.read_text(encoding="utf-8") == "# my hand edits\n"
    assert main(["import", str(src), "--db", db, "--suggest-mapping", str(profile), "--force"]) == 0
    assert "statistics" in load_profile(profile).tables


def test_validate_dry_runs_a_mapping(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "unodc.csv"
    src.write_text(COUNTRY_YEAR + "Narnia,2019,Cannabis,1\n", encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'store.db'}"
    assert main(["import", str(src), "--db", db, "--suggest-mapping", str(tmp_path / "p.yaml")]) == 0
    capsys.readouterr()
    assert main(["validate", str(src), "--mapping", str(tmp_path / "p.yaml")]) == 1
    out = capsys.readouterr().out
    assert "row 12, column 'reporting_country'" in out and "'Narnia'" in out
    assert "10 row(s) would be imported, 1 refused" in out
    assert load_statistics(open_store(db)).empty  # a dry run stores nothing
