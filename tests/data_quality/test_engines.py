"""The rules: each check on small tables (a parametrised table of cases), and the two engines (Great
Expectations and plain pandas) agreeing row for row on a sample with a defect of every kind."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from data_quality.catalogue import BUILT_IN, all_rules, rule, rules_for
from data_quality.engine import GXEngine, PandasEngine
from tests.data_quality.conftest import Planted

S = "string"


def _frame(**cols: list) -> pd.DataFrame:
    n = len(next(iter(cols.values())))
    out = {"_row": list(range(2, n + 2))}
    for k, v in cols.items():
        if k.endswith("_date") or k == "date_of_birth":
            out[k] = pd.to_datetime(pd.Series(v))
        elif k in ("latitude", "longitude", "quantity"):
            out[k] = pd.Series(v, dtype="float64")
        else:
            out[k] = pd.Series(v, dtype=S)
    return pd.DataFrame(out)


# (table, expectation, column, frame, failing spreadsheet rows)
CASES = [
    (
        "cases",
        "expect_place_in_or_near_reporting_country",
        "latitude, longitude",
        _frame(
            latitude=[48.85, 2.35, None, 43.3],
            longitude=[2.35, 48.85, 2.0, 5.37],
            reporting_country=["FR", "FR", "FR", "FR"],
        ),
        [3],
    ),
    (
        "cases",
        "expect_place_in_or_near_reporting_country",
        "latitude, longitude",
        _frame(latitude=[51.9, 25.27], longitude=[4.4, 55.3], reporting_country=["NL", "XX"]),
        [],
    ),
    (
        "cases",
        "expect_place_code_near_coordinates",
        "place_code",
        _frame(
            place_code=["CDG", "CDG", "ZZZ", None],
            latitude=[49.01, 40.64, 0.0, 1.0],
            longitude=[2.55, -73.78, 0.0, 1.0],
        ),
        [3],
    ),
    (
        "cases",
        "expect_place_code_in_reporting_country",
        "place_code",
        _frame(place_code=["CDG", "JFK", "NLRTM"], reporting_country=["FR", "FR", "BE"]),
        [3, 4],
    ),
    (
        "cases",
        "expect_place_code_to_be_iata_or_unlocode",
        "place_code",
        _frame(place_code=["CDG", "NLRTM", "DEHAM", "Paris", "FR1", "ZZ2B9"]),
        [5, 6],
    ),
    (
        "cases",
        "expect_departure_to_differ_from_destination",
        "destination_country",
        _frame(
            departure_country=["FR", "FR", "FR", "XX", None],
            destination_country=["FR", "FR", "DE", "XX", "FR"],
            customs_procedure=["import", "domestic", "import", None, "import"],
        ),
        [2],
    ),
    (
        "cases",
        "expect_transit_without_repeated_neighbours",
        "transit_countries",
        _frame(transit_countries=["SN;SN", "SN;ML;SN", "ES", "AE;TR;TR;BG", None]),
        [2, 5],
    ),
    (
        "cases",
        "expect_entry_date_not_before_seizure_date",
        "entry_date",
        _frame(
            seizure_date=["2024-01-05", "2024-01-05", "2024-01-05"],
            entry_date=["2024-01-04", "2024-01-05", None],
        ),
        [2],
    ),
    (
        "cases",
        "expect_date_not_in_future_nor_before_1990",
        "seizure_date",
        _frame(seizure_date=["1989-12-31", "1990-01-01", "2099-01-01", None]),
        [2, 4],
    ),
    (
        "items",
        "expect_unit_to_suit_commodity",
        "unit",
        _frame(
            commodity_type=[
                "cigarettes",
                "cigarettes",
                "cigarettes",
                "cocaine",
                "cocaine",
                "cash",
                "unknown_thing",
            ],
            unit=["sticks", "pieces", "l", "g", "items", "kg", "l"],
        ),
        [4, 6, 7],
    ),
    (
        "items",
        "expect_quantity_plausible_for_commodity",
        "quantity",
        _frame(
            commodity_type=["cocaine", "cocaine", "cocaine", "cocaine", "cigarettes"],
            quantity=[50_000.0, 19_000.0, 50_000_000.0, 21_000_000.0, 5e8],
            unit=["kg", "kg", "g", "g", "sticks"],
        ),
        [2, 4, 5, 6],
    ),
    (
        "items",
        "expect_commodity_type_in_taxonomy",
        "commodity_type",
        _frame(
            commodity_category=["drugs", "drugs", "tobacco", "cites"],
            commodity_type=["cocaine", "cigarettes", "cigarettes", "unicorn_horn"],
        ),
        [3, 5],
    ),
    (
        "items",
        "expect_column_values_to_be_between",
        "quantity",
        _frame(quantity=[0.0, -1.0, 0.001, None]),
        [2, 3],
    ),
    (
        "items",
        "expect_column_values_to_match_regex",
        "hs_code",
        _frame(hs_code=["293991", "2939", "29399A", None]),
        [3, 4],
    ),
    (
        "cases",
        "expect_column_values_to_match_regex",
        "transit_countries",
        _frame(transit_countries=["SN;ES", "SN;QQ", "sn"]),
        [3, 4],
    ),
    (
        "cases",
        "expect_compound_columns_to_be_unique",
        "reporting_country, case_id",
        _frame(reporting_country=["FR", "FR", "NL"], case_id=["A", "A", "A"]),
        [2, 3],
    ),
    (
        "persons",
        "expect_date_of_birth_plausible",
        "date_of_birth",
        _frame(date_of_birth=["1899-12-31", "1970-01-01", "2090-01-01"]),
        [2, 4],
    ),
    ("companies", "expect_column_values_to_not_be_null", "name", _frame(name=["ACME", None, "B"]), [3]),
]


@pytest.mark.parametrize(("table", "expectation", "column", "frame", "failing"), CASES)
@pytest.mark.parametrize("engine", ["pandas", "gx"])
def test_rule(
    table: str, expectation: str, column: str, frame: pd.DataFrame, failing: list[int], engine: str
) -> None:
    r = rule(table, expectation, column)
    eng = PandasEngine() if engine == "pandas" else GXEngine()
    [outcome] = eng.run(table, frame, [r])
    assert outcome.error is None
    assert sorted(outcome.failing.tolist()) == failing
    assert outcome.element_count == len(frame)


def test_every_rule_has_a_class_and_a_pandas_form() -> None:
    from data_quality.expectations import EXPECTATION_CLASSES, expectation_class

    for r in all_rules():
        if r.stage == "read":
            continue
        cls = expectation_class(r.expectation)
        if r.expectation in BUILT_IN:
            base = expectation_class(BUILT_IN[r.expectation])
            assert issubclass(cls, base), r.expectation
    assert set(EXPECTATION_CLASSES) >= set(BUILT_IN)


def test_format_rules_follow_the_format() -> None:
    from workbench.format.schema import FORMAT

    for name, spec in FORMAT.tables.items():
        ids = {r.id for r in rules_for(name)}
        for c in spec.columns:
            assert (f"{name}.expect_column_values_to_not_be_null.{c.name}" in ids) == c.required
            if c.type == "enum":
                r = rule(name, "expect_column_values_to_be_in_set", c.name)
                assert tuple(r.kwargs["value_set"]) == FORMAT.enum_values(c)
        assert f"{name}.expect_compound_columns_to_be_unique.{', '.join(spec.key)}" in ids
    assert {r.severity for r in all_rules()} == {"critical", "warning"}


def test_engines_agree_row_for_row(planted_sample: tuple[Path, list[Planted], set]) -> None:
    from data_quality.catalogue import DUPLICATE_OF
    from data_quality.duplicates import DuplicateTracker
    from data_quality.validate import _case_known
    from workbench.exchange.files import read_dataset
    from workbench.exchange.rowchecks import check_table

    folder, _, _ = planted_sample
    raw = read_dataset(folder)
    frames = _case_known({n: check_table(t) for n, t in raw.tables.items()}, None)
    tracker = DuplicateTracker()
    tracker.add_cases(frames["cases"])
    frames["items"] = frames["items"].assign(**{DUPLICATE_OF: tracker.mark_items(frames["items"])})
    for name, frame in frames.items():
        g = {
            o.rule.id: (o.element_count, o.failing.tolist(), o.error)
            for o in GXEngine().run(name, frame, rules_for(name))
        }
        p = {
            o.rule.id: (o.element_count, o.failing.tolist(), o.error)
            for o in PandasEngine().run(name, frame, rules_for(name))
        }
        assert g == p, name
        assert any(v[1] for v in g.values()), name
    assert np.all(
        frames["items"][DUPLICATE_OF].isna() | frames["items"][DUPLICATE_OF].str.startswith("items row")
    )
