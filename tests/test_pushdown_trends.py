"""The Trends tabs' other figures computed in the database are those of the frame, on SQLite and PostgreSQL.

- :func:`workbench.trends.pushdown.method_shares_in_store` against
  :func:`workbench.trends.series.method_shares` (the Methods tab);
- :func:`workbench.trends.pushdown.seasonal_profile_in_store` against
  :func:`workbench.trends.series.seasonal_profile_of_largest` (the Seasonal profile tab);
- the series split by a region of the reporting country and per day (in SQL and from the summaries).

With filters the summaries answer and filters only the data tables answer, an empty result, and blanks
(transport modes, values, units) in the sample.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pandas as pd
import pytest

from workbench.exchange.ingest import import_path
from workbench.store import Store, open_store
from workbench.store.filters import CaseFilter
from workbench.store.frames import seizure_frame
from workbench.trends.emerging import detect_emerging, flag_series
from workbench.trends.pushdown import (
    StoreReportData,
    detect_emerging_in_store,
    flag_series_in_store,
    method_shares_in_store,
    seasonal_profile_in_store,
    time_series_in_store,
)
from workbench.trends.series import method_shares, seasonal_profile_of_largest, time_series
from workbench.trends.statistics import REPORTS, run_report, year_before_filter

from .test_pushdown import _sample


@pytest.fixture(scope="module")
def filled(module_store_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    one, two = _sample(tmp_path_factory.mktemp("pushdown-trends"), n=160, seed=5)
    store = open_store(module_store_url)
    for folder in (one, two):
        assert import_path(folder, store).status == "accepted"
    yield store
    store.engine.dispose()


FILTERS = {
    "all": CaseFilter(),
    "drugs since March 2021": CaseFilter(commodity_categories=("drugs",), date_from=dt.date(2021, 3, 1)),
    "two categories, mid-month": CaseFilter(
        commodity_categories=("drugs", "tobacco"), date_to=dt.date(2024, 5, 20)
    ),
    "Europe by road": CaseFilter(wco_regions=("Europe",), transport_modes=("road", "air_passenger")),
    "scanner": CaseFilter(detection_methods=("scanner",)),
    "empty": CaseFilter(reporting_countries=("ZZ",)),
}
SHARES = [
    ("detection_method", "transport_mode"),
    ("concealment_method", "commodity_category"),
    ("transport_mode", None),
]
SEASONS = [("Q", "commodity_category"), ("M", "wco_region"), ("D", None)]


@pytest.mark.parametrize("name", ["all", "two categories, mid-month", "scanner", "empty"])
def test_method_shares_and_seasons_in_the_database_are_those_of_the_frame(filled: Store, name: str) -> None:
    flt = FILTERS[name]
    frame = seizure_frame(filled, flt)
    for method, within in SHARES:
        expected = method_shares(frame, method, within)
        got = method_shares_in_store(filled, flt, method, within)
        pd.testing.assert_frame_equal(
            got,
            expected,
            check_exact=False,
            check_dtype=len(expected) > 0,
            check_categorical=len(expected) > 0,
            obj=f"shares {method} within {within}",
        )
    for freq, split in SEASONS:
        expected = seasonal_profile_of_largest(frame, freq, split)
        got = seasonal_profile_in_store(filled, flt, freq, split)
        where = f"season {freq} {split}"
        if expected.empty:
            assert got.empty, where
            continue
        pd.testing.assert_frame_equal(got, expected, check_exact=False, check_categorical=False, obj=where)


@pytest.mark.parametrize("name", ["Europe by road"])
def test_region_and_day_series_in_the_database(filled: Store, name: str) -> None:
    flt = FILTERS[name]
    frame = seizure_frame(filled, flt)
    bounds = {"start": pd.Timestamp("2022-03-01"), "end": pd.Timestamp("2024-02-29")}
    for by, freq, top, span in (
        ("wco_region", "M", 3, {}),
        ("rilo", "Q", None, {}),
        (None, "D", None, {}),
        (("commodity_category", "wco_region"), "Y", None, {}),
        (("rilo", "commodity_category"), "Y", None, {}),
        ("commodity_category", "M", None, bounds),
        (None, "M", None, bounds),
    ):
        expected = time_series(frame, by, freq, top=top, **span)
        for summaries in (False, True):
            got = time_series_in_store(filled, flt, by, freq, top=top, summaries=summaries, **span)
            where = f"{by} {freq} {span} {summaries}"
            pd.testing.assert_frame_equal(
                got, expected, check_exact=False, check_categorical=False, obj=where
            )


@pytest.mark.parametrize("name", ["drugs since March 2021", "empty"])
def test_emerging_trends_in_the_database_are_those_of_the_frame(filled: Store, name: str) -> None:
    flt = FILTERS[name]
    frame = seizure_frame(filled, flt)
    for freq, baseline, min_count, end in (("Q", 4, 1, None), ("M", 6, 1, dt.date(2024, 6, 30))):
        settings = {"freq": freq, "baseline": baseline, "min_count": min_count, "end": end, "fdr": 0.5}
        try:
            expected = detect_emerging(frame, **settings)
        except ValueError as e:
            with pytest.raises(ValueError, match=str(e)[:20]):
                detect_emerging_in_store(filled, flt, **settings)
            continue
        got = detect_emerging_in_store(filled, flt, **settings)
        assert got.describe() == expected.describe()
        assert got.overdispersion == pytest.approx(expected.overdispersion)
        pd.testing.assert_frame_equal(got.table(), expected.table(), check_exact=False)
        assert [f.sentence for f in got.flags] == [f.sentence for f in expected.flags]
        for flag in expected.flags[:3]:
            pd.testing.assert_frame_equal(
                flag_series_in_store(filled, flt, flag), flag_series(frame, flag), check_categorical=False
            )


@pytest.mark.parametrize("name", ["Europe by road", "scanner"])
def test_standard_reports_in_the_database_are_those_of_the_frame(filled: Store, name: str) -> None:
    flt = FILTERS[name]
    frame = seizure_frame(filled, flt)

    def no_rows() -> pd.DataFrame:
        raise AssertionError("the report read the seizure rows")

    for key in REPORTS:
        if key in ("top_routes_per_commodity", "largest_seizures"):
            continue  # they list routes and seizures: the rows
        expected = run_report(key, frame, flt)
        got = run_report(key, StoreReportData(filled, flt, no_rows), flt)
        pd.testing.assert_frame_equal(got.table, expected.table, check_exact=False, obj=key)
        assert got.heading == expected.heading and got.notes == expected.notes, key
    # a period in the filter: the year-on-year report reads the year before from the database too
    dated = flt.replace(date_from=dt.date(2023, 3, 1), date_to=dt.date(2024, 2, 29))
    frame = seizure_frame(filled, dated)
    earlier = year_before_filter(frame, dated)
    expected = run_report("yoy_by_commodity", frame, dated, year_before=seizure_frame(filled, earlier))
    got = run_report(
        "yoy_by_commodity",
        StoreReportData(filled, dated, no_rows),
        dated,
        year_before=StoreReportData(filled, earlier, no_rows),
    )
    pd.testing.assert_frame_equal(got.table, expected.table, check_exact=False)
