"""Mapping profiles that derive values, conflicts never merged silently, cases with every item refused,
and the names real data uses (UNODC drug groups, UN country names, former states)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from connectors import open_connector
from connectors.derive import parse_derivation
from connectors.mapping import MappingProfile, apply_mapping, load_profile, suggest_mapping
from workbench.exchange.files import DatasetReadError
from workbench.exchange.ingest import ingest_dataset
from workbench.store import QuarantinedRow, open_store
from workbench.store.queries import load_cases, load_items

SEIZURES = """Case,Country,Date,Drug,Weight (lbs)
A1,United States,2019-03-01,Cocaine,10
A1,United States,2020-03-01,Cocaine,12
A2,United States,2019-04-01,Heroin,2
A2,United States,2019-04-01,Cannabis,3
A3,United States,2019-05-01,Unobtainium,3
A4,United States,2019-06-01,Ecstasy,1.5
"""


def _import(tmp_path: Path, text: str, profile: MappingProfile | None = None):  # type: ignore[no-untyped-def]
    (tmp_path / "seizures.csv").write_text(text, encoding="utf-8")
    source = open_connector(str(tmp_path / "seizures.csv")).read_source()
    profile = profile or suggest_mapping(source, name="p")
    store = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    return store, ingest_dataset(apply_mapping(source, profile), store, chunk_rows=2), profile


def test_rows_of_one_case_that_disagree_are_refused_with_both_rows(tmp_path: Path) -> None:
    store, report, _ = _import(tmp_path, SEIZURES)
    conflict = [str(r) for r in report.rejections if "not merged" in r.reason]
    assert len(conflict) == 2  # both rows of case A1, each naming rows 2 and 3 and the column
    assert all("rows 2 and 3" in c and "seizure_date" in c for c in conflict)
    cases = load_cases(store)
    assert "A1" not in set(cases["case_id"])  # not one case dated in the first year
    # rows that are items of one case and agree on its columns: one case, two items
    items = load_items(store)
    assert sorted(items.loc[items["case_id"] == "A2", "commodity_type"]) == ["cannabis_herb", "heroin"]


def test_a_case_whose_every_item_is_refused_is_refused_with_them(tmp_path: Path) -> None:
    store, report, _ = _import(tmp_path, SEIZURES)
    assert "A3" not in set(load_cases(store)["case_id"])
    why = [r for r in report.rejections if r.table == "cases" and "every item" in r.reason]
    assert [r.row for r in why] == [6] and "rows 6" in why[0].reason
    unknown = [r for r in report.rejections if r.column == "commodity_type"]
    assert "unknown commodity 'Unobtainium'" in unknown[0].reason
    assert not [r for r in report.rejections if r.column == "commodity_category"]  # said once, truly
    with store.engine.connect() as c:
        rows = c.execute(
            sa.select(QuarantinedRow.row_number).where(QuarantinedRow.table_name == "cases")
        ).all()
    assert 6 in {r[0] for r in rows}
    assert report.accepted["cases"] == len(load_cases(store)) == 2  # A2 and A4


def test_pounds_are_converted_and_a_value_map_stays_as_written(tmp_path: Path) -> None:
    store, report, profile = _import(tmp_path, SEIZURES)
    items = load_items(store).set_index("case_id")
    assert items.loc["A4", ["commodity_type", "unit"]].tolist() == ["ecstasy", "kg"]  # ecstasy in kg is fine
    assert items.loc["A4", "quantity"] == pytest.approx(1.5 * 0.45359237)
    # a profile that maps a value keeps it as written, never turned back into another name
    text = SEIZURES.replace("Ecstasy", "XTC pills")
    d = profile.to_dict()
    d["tables"]["items"]["values"] = {"commodity_type": {"XTC pills": "mdma"}}
    (tmp_path / "b").mkdir()
    store2, _report2, _profile2 = _import(tmp_path / "b", text, MappingProfile.from_dict(d))
    assert load_items(store2).set_index("case_id").loc["A4", "commodity_type"] == "mdma"


@pytest.mark.parametrize(
    ("spec", "cells", "expect"),
    [
        ({"date": {"year": "Y", "month": "M", "day": 1}}, {"Y": [2019], "M": ["mars"]}, ["2019-03-01"]),
        ({"date": {"year": "Y", "month": 1, "day": 1}}, {"Y": ["2019"]}, ["2019-01-01"]),
        (
            {"date": {"fiscal_year": "Y", "month": "M", "start_month": 7, "day": 1}},
            {"Y": ["2020"], "M": [7]},
            ["2019-07-01"],
        ),
        ({"date": {"excel_serial": "S"}}, {"S": [45292]}, ["2024-01-01"]),
        ({"date": {"text": "T", "format": "%d.%m.%Y"}}, {"T": ["05.06.2024"]}, ["2024-06-05"]),
        ({"convert": {"column": "Q", "from": "oz", "to": "g"}}, {"Q": ["2"]}, [56.69904625]),
        ({"convert": {"column": "Q", "from": "t", "to": "kg"}}, {"Q": [1.5]}, [1500.0]),
        ({"split": {"column": "P", "sep": "/", "index": 1}}, {"P": ["CDG / Paris"]}, ["Paris"]),
        ({"join": {"columns": ["A", "B"], "sep": "-"}}, {"A": ["FY20"], "B": ["7"]}, ["FY20-7"]),
        ({"row_number": {"prefix": "US-"}}, {"A": ["x"]}, ["US-2"]),
        (
            {"period": {"fiscal_year": "Y", "month": "M", "start_month": 10}},
            {"Y": ["FY21"], "M": ["Dec"]},
            ["2020-12"],
        ),
    ],
)
def test_the_derivation_vocabulary(spec: dict, cells: dict, expect: list) -> None:  # type: ignore[type-arg]
    values, why = parse_derivation("x", spec).apply(pd.DataFrame(cells), pd.Series([2]))
    assert (
        values.tolist() == pytest.approx(expect)
        if isinstance(expect[0], float)
        else values.tolist() == expect
    )
    assert why.isna().all()


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"date": {"year": "Y"}}, "a year alone is never taken as 1 January"),
        ({"date": {"fiscal_year": "Y", "month": "M", "day": 1}}, "start_month"),
        ({"convert": {"column": "Q", "from": "stone", "to": "kg"}}, "unit 'stone'"),
        ({"eval": "__import__('os')"}, "'eval' is not one of"),
        ({"date": {"text": "T", "format": "%Y"}}, "must name day, month and year"),
    ],
)
def test_a_profile_is_data_checked_with_clear_errors(tmp_path: Path, spec: dict, message: str) -> None:  # type: ignore[type-arg]
    p = tmp_path / "p.yaml"
    import yaml

    p.write_text(yaml.safe_dump({"tables": {"cases": {"source": "s", "derive": {"seizure_date": spec}}}}))
    with pytest.raises(DatasetReadError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_profile(p)


def test_a_bare_year_never_becomes_the_first_of_january(tmp_path: Path) -> None:
    text = "Case,Country,Date,Drug,Quantity,Unit\nB1,France,2019,Cocaine,1,kg\n"
    store, report, _ = _import(tmp_path, text)
    assert report.accepted["cases"] == 0
    assert "a year (or a year and month) alone is not a date" in report.rejections[0].reason


def test_one_profile_serves_next_years_file(tmp_path: Path) -> None:
    (tmp_path / "fy2020.csv").write_text(SEIZURES, encoding="utf-8")
    profile = suggest_mapping(open_connector(str(tmp_path / "fy2020.csv")).read_source(), name="p")
    (tmp_path / "fy2021.csv").write_text(SEIZURES.replace("A", "B"), encoding="utf-8")
    mapped = apply_mapping(open_connector(str(tmp_path / "fy2021.csv")).read_source(), profile)
    assert mapped.tables["cases"].head(1)["case_id"].tolist() == ["B1"]  # found by its columns


def test_former_states_and_un_names_quoted_when_refused(tmp_path: Path) -> None:
    text = "Case,Country,Date,Drug,Quantity,Unit\nC1,Narnia,2019-01-02,LSD,10,pieces\nC2,Zaire,2019-01-02,khat,3,kg\n"
    store, report, _ = _import(tmp_path, text)
    assert {str(r).split(": ", 1)[1] for r in report.rejections if r.column == "reporting_country"} == {
        "not an ISO 3166-1 alpha-2 country code (use XX for unknown): 'Narnia'"
    }
    assert load_cases(store)["reporting_country"].tolist() == ["CD"]  # Zaire is today's DR Congo
