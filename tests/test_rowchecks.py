"""Row-level checks: a parametrised table of cells and the verdict each gets."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from workbench.exchange.files import ROW, RawTable
from workbench.exchange.rowchecks import check_table

CODES = frozenset({"FR", "ES", "NL", "CO", "XX", "SN"})


def _case(**cells: object) -> pd.DataFrame:
    row = {"case_id": "A1", "reporting_country": "FR", "seizure_date": "2024-01-31", **cells}
    return pd.DataFrame({ROW: [2], **{k: [v] for k, v in row.items()}})


@pytest.mark.parametrize(
    ("column", "value", "ok", "reason"),
    [
        ("reporting_country", "fr", True, None),
        ("reporting_country", "FRA", False, "ISO 3166-1 alpha-2"),
        ("reporting_country", "", False, "required value is blank"),
        ("reporting_country", "XX", False, "cannot name the reporting administration"),
        ("reporting_country", "xx", False, "cannot name the reporting administration"),
        ("seizure_date", "2024-02-30", False, "ISO 8601"),
        ("seizure_date", "31/01/2024", False, "ISO 8601"),
        ("seizure_date", dt.datetime(2024, 1, 31), True, None),
        ("seizure_date", "2024-01-31 00:00:00", True, None),
        ("latitude", "91", False, "out of range"),
        ("latitude", "48.85", True, None),
        ("latitude", "abc", False, "not a number"),
        ("transport_mode", "Air_Passenger", True, None),
        ("transport_mode", "camel", False, "not one of"),
        ("transit_countries", "SN; ES", True, None),
        ("transit_countries", "SN;ZZ", False, "ISO2"),
        ("departure_country", "XX", True, None),
        ("remarks", '=HYPERLINK("x")', True, None),
    ],
)
def test_case_cells(column: str, value: object, ok: bool, reason: str | None) -> None:
    checked = check_table(RawTable("cases", _case(**{column: value}), "cases.csv"), CODES)
    assert (len(checked.frame) == 1) is ok, checked.rejections
    if not ok:
        (r,) = checked.rejections
        assert r.row == 2 and r.column == column and reason in r.reason
        assert str(r).startswith("cases.csv, row 2, column")


@pytest.mark.parametrize(
    ("cells", "ok", "column"),
    [
        ({"quantity": "0"}, False, "quantity"),
        ({"quantity": "-2"}, False, "quantity"),
        ({"quantity": "1.5"}, True, None),
        ({"item_no": "1.5"}, False, "item_no"),
        ({"item_no": 2.0}, True, None),
        ({"hs_code": "29399"}, False, "hs_code"),
        ({"unit": "tonnes"}, False, "unit"),
        ({"commodity_category": "Drugs"}, True, None),
        ({"estimated_value_usd": "-1"}, False, "estimated_value_usd"),
    ],
)
def test_item_cells(cells: dict[str, object], ok: bool, column: str | None) -> None:
    row = {
        "case_id": "A1",
        "reporting_country": "FR",
        "item_no": "1",
        "commodity_category": "drugs",
        "commodity_type": "cocaine",
        "quantity": "2",
        "unit": "kg",
        "hs_code": "293991",
        **cells,
    }
    raw = pd.DataFrame({ROW: [2], **{k: [v] for k, v in row.items()}})
    checked = check_table(RawTable("items", raw, "book.xlsx", "items"), CODES)
    assert (len(checked.frame) == 1) is ok
    if not ok:
        assert {r.column for r in checked.rejections} == {column}
        assert checked.rejections[0].where == "book.xlsx, sheet 'items'"


@pytest.mark.parametrize(
    ("born", "ok"),
    [
        ("1980-05-01", True),
        ("2090-01-01", False),
        (dt.date.today() + dt.timedelta(days=1), False),
        ("", True),
    ],
)
def test_a_date_of_birth_in_the_future_is_refused(born: object, ok: bool) -> None:
    """Issue 15: a person born in 2090 was stored with a warning; it is an error naming row and column."""
    raw = pd.DataFrame(
        {
            ROW: [7],
            "person_id": ["P1"],
            "case_id": ["A1"],
            "reporting_country": ["FR"],
            "date_of_birth": [born],
        }
    )
    checked = check_table(RawTable("persons", raw, "book.xlsx", "persons"), CODES)
    assert (len(checked.frame) == 1) is ok, checked.rejections
    if not ok:
        (r,) = checked.rejections
        assert (r.row, r.column, r.severity) == (7, "date_of_birth", "critical")
        assert "in the future" in r.reason and str(r).startswith("book.xlsx, sheet 'persons', row 7")


def test_an_unknown_reporting_country_is_refused_in_every_table() -> None:
    raw = pd.DataFrame(
        {
            ROW: [2],
            "case_id": ["A1"],
            "reporting_country": ["XX"],
            "item_no": ["1"],
            "commodity_category": ["drugs"],
            "commodity_type": ["cocaine"],
            "quantity": ["2"],
            "unit": ["kg"],
        }
    )
    checked = check_table(RawTable("items", raw, "items.csv"), CODES)
    assert checked.frame.empty and [(r.row, r.column) for r in checked.rejections] == [
        (2, "reporting_country")
    ]


def test_missing_required_column_refuses_every_row() -> None:
    raw = pd.DataFrame({ROW: [2, 3], "case_id": ["A", "B"], "reporting_country": ["FR", "FR"]})
    checked = check_table(RawTable("cases", raw, "cases.csv"), CODES)
    assert checked.frame.empty and checked.rejected_rows == {2, 3}
    assert (
        checked.rejections[0].column == "seizure_date"
        and "required column missing" in checked.rejections[0].reason
    )


def test_duplicate_keys_and_unknown_columns() -> None:
    raw = pd.DataFrame(
        {
            ROW: [2, 3, 4],
            "case_id": ["A", "B", "A"],
            "reporting_country": ["FR", "FR", "fr"],
            "seizure_date": ["2024-01-01"] * 3,
            "local_ref": ["x1", "", "x3"],
        }
    )
    checked = check_table(RawTable("cases", raw, "cases.csv"), CODES)
    assert checked.frame["case_id"].tolist() == ["A", "B"]
    (dup,) = checked.rejections
    assert dup.row == 4 and "first at row 2" in dup.reason
    assert checked.unknown_columns == ["local_ref"]
    assert checked.frame["extra"].tolist()[0] == '{"local_ref": "x1"}'
    assert pd.isna(checked.frame["extra"].tolist()[1])
