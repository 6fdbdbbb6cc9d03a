"""The two filter engines (SQL and pandas) agree on the sample, for a table of filters."""

from __future__ import annotations

import datetime as dt

import pytest

from workbench.store import open_store
from workbench.store.filters import CaseFilter
from workbench.store.queries import load_cases, load_items

FILTERS = [
    CaseFilter(),
    CaseFilter(date_from=dt.date(2023, 1, 1)),
    CaseFilter(date_from="2021-03-01", date_to="2021-12-31"),
    CaseFilter(commodity_categories=("drugs",)),
    CaseFilter(commodity_categories=("tobacco", "ipr"), transport_modes=("sea_container",)),
    CaseFilter(commodity_types=("cocaine",), reporting_countries=("ES", "NL", "BE")),
    CaseFilter(wco_regions=("Europe",)),
    CaseFilter(wco_regions=("Europe",), reporting_countries=("ES", "CO")),
]


@pytest.mark.parametrize("flt", FILTERS, ids=lambda f: f.describe())
def test_sql_and_pandas_engines_agree(seeded_sqlite: str, flt: CaseFilter) -> None:
    store = open_store(seeded_sqlite)
    all_cases, all_items = load_cases(store), load_items(store)
    via_sql = set(zip(*(load_cases(store, flt)[c] for c in ("reporting_country", "case_id")), strict=True))
    sel = flt.apply(all_cases, all_items)
    via_pandas = set(zip(sel["reporting_country"], sel["case_id"], strict=True))
    assert via_sql == via_pandas
    if flt.is_empty:
        assert len(via_sql) == len(all_cases)


def test_bad_period_is_refused() -> None:
    with pytest.raises(ValueError, match="starts"):
        CaseFilter(date_from="2024-02-01", date_to="2024-01-01")


def test_round_trip_dict() -> None:
    f = CaseFilter(date_from="2024-01-01", commodity_categories=["drugs"])
    assert CaseFilter.from_dict(f.to_dict()) == f
    assert hash(f) == hash(CaseFilter.from_dict(f.to_dict()))
