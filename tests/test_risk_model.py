"""Indicator definitions: what is refused and how it is said; YAML and Excel in and out."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from workbench.risk.fields import traffic_fields
from workbench.risk.interchange import (
    diff_text,
    indicators_from_yaml,
    indicators_to_yaml,
    indicators_workbook,
    read_indicators,
)
from workbench.risk.model import Indicator, IndicatorError, changed_fields, describe, parse_condition

GOOD = {
    "id": "RI-017",
    "name": "Cocaine couriers from the Andean region via West Africa",
    "category": "general_high_risk",
    "weight": 40,
    "when": {
        "all": [
            {"field": "departure_country", "op": "in", "value": ["BO", "CO", "PE"]},
            {"field": "transit_countries", "op": "contains_any", "value": ["GH", "NG", "SN", "TG"]},
            {"field": "transport_mode", "op": "eq", "value": "air_passenger"},
        ]
    },
}


def with_leaf(leaf: dict) -> dict:
    return {**GOOD, "when": {"all": [GOOD["when"]["all"][0], leaf]}}


# (indicator, fragments the message must hold: which indicator, which path, what was expected)
REFUSED = [
    (
        with_leaf({"field": "transit", "op": "contains_any", "value": ["GH"]}),
        ["RI-017", "when.all[1]", "'transit'", "transit_countries"],
    ),
    (
        with_leaf({"field": "transport_mode", "op": "eq", "value": "air"}),
        ["when.all[1] (transport_mode eq)", "'air' is not one of", "air_passenger"],
    ),
    (
        with_leaf({"field": "transit_countries", "op": "eq", "value": "GH"}),
        ["operator 'eq' does not apply to transit_countries (iso2_list)", "contains_any"],
    ),
    (
        with_leaf({"field": "hs_code", "op": "startswith", "value": 6203}),
        ["hs_code startswith", "is a number", "quotes ('6203')"],
    ),
    (
        with_leaf({"field": "departure_country", "op": "in", "value": ["SE", False]}),
        ["true/false", "quote the code"],
    ),
    (
        with_leaf({"field": "departure_country", "op": "eq", "value": "co"}),
        ["not an ISO 3166-1 alpha-2", "did you mean 'CO'"],
    ),
    (
        with_leaf({"field": "departure_country", "op": "eq", "value": "UK"}),
        ["'UK' is not an ISO 3166-1 alpha-2"],
    ),
    (
        with_leaf({"field": "departure_country", "op": "eq", "value": ["CO", "PE"]}),
        ["is a list", "use in for a list"],
    ),
    (
        with_leaf({"field": "declared_value_usd", "op": "gt", "value": "5000"}),
        ["declared_value_usd gt", "'5000' is not a number"],
    ),
    (
        with_leaf({"field": "declared_value_usd", "op": "between", "value": [10, 5]}),
        ["low end is above the high end"],
    ),
    (with_leaf({"field": "declared_value_usd", "op": "between", "value": 10}), ["not a list [low, high]"]),
    (with_leaf({"field": "movement_date", "op": "gt", "value": "31/12/2024"}), ["not a date YYYY-MM-DD"]),
    (with_leaf({"field": "movement_date", "op": "lt", "value": "2024-02-30"}), ["not a date YYYY-MM-DD"]),
    (
        with_leaf({"field": "place_name", "op": "regex", "value": "(unclosed"}),
        ["not a valid regular expression"],
    ),
    (with_leaf({"field": "place_name", "op": "regex", "value": r"\bAir"}), ["PostgreSQL", r"\b"]),
    (with_leaf({"field": "place_name", "op": "regex", "value": "(?P<x>a)"}), ["Python-only"]),
    (with_leaf({"field": "seized", "op": "eq", "value": True}), ["'seized' is an outcome", "cannot use it"]),
    (with_leaf({"field": "case_id", "op": "not_blank"}), ["'case_id' is an outcome"]),
    (with_leaf({"field": "hs_code", "op": "is_blank", "value": "x"}), ["is_blank takes no value"]),
    (with_leaf({"field": "hs_code", "op": "in", "value": []}), ["an empty list"]),
    (with_leaf({"field": "hs_code", "op": "in"}), ["no value; in needs a list of values"]),
    (with_leaf({"field": "hs_code", "op": "like", "value": "62%"}), ["unknown operator 'like'"]),
    (with_leaf({"field": "hs_code", "value": "62"}), ["a condition has keys field, op and value"]),
    (with_leaf({"all": [], "any": []}), ["exactly one key"]),
    (with_leaf({"any": []}), ["when.all[1].any", "non-empty list"]),
    (with_leaf(["hs_code", "eq", "6203"]), ["expected a mapping"]),
    ({**GOOD, "weight": "high"}, ["RI-017, weight", "not a number >= 0"]),
    ({**GOOD, "weight": -1}, ["not a number >= 0"]),
    ({k: v for k, v in GOOD.items() if k != "weight"}, ["weight: None is not a number"]),
    ({**GOOD, "category": "drugs"}, ["category: 'drugs' is not one of standardised_risk_assessment"]),
    ({**GOOD, "status": "approved"}, ["status: 'approved' is not one of draft, in_review, active, retired"]),
    ({**GOOD, "id": "RI 017"}, ["is not an id"]),
    (
        {**GOOD, "valid_from": "2025-01-01", "valid_to": "2024-01-01"},
        ["valid_to: 2024-01-01 is before valid_from"],
    ),
    ({**GOOD, "owner": "me"}, ["owner: unknown key(s)"]),
    ({k: v for k, v in GOOD.items() if k != "when"}, ["when: missing"]),
]


@pytest.mark.parametrize("raw, fragments", REFUSED, ids=[f"r{k:02d}" for k in range(len(REFUSED))])
def test_refused_with_a_clear_message(raw: dict, fragments: list[str]) -> None:
    with pytest.raises(IndicatorError) as e:
        Indicator.from_dict(raw, where="rules.yaml, indicator 1")
    msg = str(e.value)
    assert msg.startswith("rules.yaml, indicator 1")
    for f in fragments:
        assert f in msg, f"{f!r} not in {msg!r}"


def test_every_problem_is_listed() -> None:
    raw = {
        **GOOD,
        "weight": "x",
        "category": "y",
        "when": {
            "all": [{"field": "nope", "op": "eq", "value": 1}, {"field": "hs_code", "op": "eq", "value": 1}]
        },
    }
    with pytest.raises(IndicatorError) as e:
        Indicator.from_dict(raw)
    assert len(e.value.problems) == 4


def test_accepted_forms_are_normalised() -> None:
    ind = Indicator.from_dict(
        {
            **GOOD,
            "valid_from": dt.date(2024, 1, 1),
            "valid_to": "2025-12-31",
            "when": {
                "any": [
                    {"field": "transit_countries", "op": "contains_any", "value": "GH"},
                    {"field": "hs_code", "op": "startswith", "value": "0803"},
                    {
                        "field": "movement_date",
                        "op": "between",
                        "value": ["2024-01-01", dt.date(2024, 6, 30)],
                    },
                    {"field": "declared_value_usd", "op": "in", "value": [10, 20.5]},
                ]
            },
        }
    )
    leaves = ind.when.items  # type: ignore[union-attr]
    assert leaves[0].value == ("GH",) and leaves[1].value == ("0803",)
    assert leaves[2].value == (dt.date(2024, 1, 1), dt.date(2024, 6, 30))
    assert leaves[3].value == (10.0, 20.5)
    assert ind.valid_to == dt.date(2025, 12, 31) and ind.status == "draft"
    assert describe(ind.when).startswith("transit_countries contains any of GH OR hs_code starts with 0803")


def test_extra_fields_of_a_frame_can_be_used() -> None:
    import pandas as pd

    from workbench.risk.fields import fields_of_frame

    frame = pd.DataFrame({"movement_date": pd.to_datetime(["2024-01-01"]), "passenger_age": [31.0]})
    fs = fields_of_frame(frame)
    cond = parse_condition({"field": "passenger_age", "op": "lt", "value": 25}, fs)
    assert cond.field == "passenger_age"  # type: ignore[union-attr]
    with pytest.raises(IndicatorError, match="not a field of the traffic data"):
        parse_condition({"field": "passenger_age", "op": "lt", "value": 25}, traffic_fields())


# ------------------------------------------------------------------ YAML and Excel
def test_yaml_round_trip_and_flow_leaves() -> None:
    inds = indicators_from_yaml(
        (Path(__file__).parents[1] / "sample_data/indicators/sample-indicators.yaml").read_text()
    )
    text = indicators_to_yaml(inds)
    assert "- {field: departure_country, op: in, value: [BO, CO, PE]}" in text
    assert indicators_from_yaml(text) == inds
    no = Indicator.from_dict(with_leaf({"field": "departure_country", "op": "in", "value": ["NO", "SE"]}))
    assert "'NO'" in indicators_to_yaml([no])  # quoted, so that it reads back as Norway
    assert indicators_from_yaml(indicators_to_yaml([no])) == [no]


def test_yaml_file_problems_name_the_place() -> None:
    with pytest.raises(IndicatorError, match=r"x.yaml, line \d+, column \d+: not valid YAML"):
        indicators_from_yaml("- id: A\n  name: [unclosed\n", "x.yaml")
    with pytest.raises(IndicatorError, match="expected a list of indicators"):
        indicators_from_yaml("id: A", "x.yaml")
    text = indicators_to_yaml([Indicator.from_dict(GOOD)] * 2)
    with pytest.raises(IndicatorError, match="RI-017 appear more than once"):
        indicators_from_yaml(text, "x.yaml")
    bad = indicators_to_yaml([Indicator.from_dict(GOOD)]).replace("air_passenger", "air")
    with pytest.raises(
        IndicatorError, match=r"x.yaml, indicator 1, RI-017, when.all\[2\] \(transport_mode eq\)"
    ):
        indicators_from_yaml(bad, "x.yaml")


def test_excel_round_trip(tmp_path: Path) -> None:
    inds = read_indicators(Path(__file__).parents[1] / "sample_data/indicators/sample-indicators.yaml")
    book = tmp_path / "rules.xlsx"
    book.write_bytes(indicators_workbook(inds))
    ws = openpyxl.load_workbook(book)["indicators"]
    assert ws.freeze_panes is not None
    assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row)
    assert read_indicators(book) == inds


def test_excel_bad_cells_name_file_sheet_row_and_column(tmp_path: Path) -> None:
    inds = read_indicators(Path(__file__).parents[1] / "sample_data/indicators/sample-indicators.yaml")[:3]
    book = tmp_path / "rules.xlsx"
    book.write_bytes(indicators_workbook(inds))
    wb = openpyxl.load_workbook(book)
    ws = wb["indicators"]
    header_row = next(r for r in range(1, 10) if ws.cell(r, 1).value == "id")
    cols = {ws.cell(header_row, c).value: c for c in range(1, ws.max_column + 1)}
    ws.cell(header_row + 2, cols["weight"]).value = "heavy"
    ws.cell(header_row + 3, cols["when"]).value = "{all: [{field: hs_code, op: eq, value: 6203}]}"
    wb.save(book)
    with pytest.raises(IndicatorError) as e:
        read_indicators(book)
    msg = str(e.value)
    assert (
        f"rules.xlsx, sheet 'indicators', row {header_row + 2}, RI-021, weight: 'heavy' is not a number"
        in msg
    )
    assert f"rules.xlsx, sheet 'indicators', row {header_row + 3}, RI-024, when.all[0] (hs_code eq)" in msg
    wb.create_sheet("other")["A1"] = "notes"
    del wb["indicators"]
    wb.save(book)
    with pytest.raises(IndicatorError, match="no sheet named 'indicators'"):
        read_indicators(book)


def test_diff_between_versions() -> None:
    a = Indicator.from_dict({**GOOD, "version": 1})
    b = Indicator.from_dict(
        {
            **with_leaf({"field": "transit_countries", "op": "contains_any", "value": ["GH", "NG"]}),
            "weight": 45,
            "version": 2,
        }
    )
    changes = dict((k, (o, n)) for k, o, n in changed_fields(a, b))
    assert set(changes) == {"weight", "when"} and changes["weight"] == (40, 45)
    text = diff_text(a, b)
    assert "--- RI-017 v1" in text and "+++ RI-017 v2" in text
    assert "-  weight: 40" in text and "+  weight: 45" in text
    assert "+      - {field: transit_countries, op: contains_any, value: [GH, NG]}" in text
