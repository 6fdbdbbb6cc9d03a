"""The in-database engines give the figures of the pandas/data-table definitions, on SQLite and PostgreSQL.

- the Overview from the monthly summaries (:mod:`workbench.store.aggregate`) against
  :func:`workbench.store.queries.overview` over the data tables;
- the trend series in SQL and from the summaries (:mod:`workbench.trends.pushdown`) against
  :func:`workbench.trends.series.time_series` over the seizure frame;
- the route flows grouped in SQL (:mod:`workbench.routes.pushdown`) against
  :func:`workbench.routes.flows.route_flows` over the prepared seizure frame;
- an import refreshes the summaries exactly as a rebuild does; a write that does not refresh them sends
  readers back to the data tables.

The store holds a small generated sample with blanks added (transport modes, values), two imports.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from workbench.cli import main
from workbench.exchange.files import write_dataset
from workbench.exchange.ingest import import_path
from workbench.routes.flows import month_number, prepare_flows, route_flows
from workbench.routes.pushdown import route_flows_in_store
from workbench.store import Store, bump_data_version, open_store
from workbench.store.aggregate import overview_figures, uses_summaries
from workbench.store.filters import CaseFilter
from workbench.store.frames import seizure_frame
from workbench.store.queries import overview
from workbench.store.summaries import (
    CASE_SUMMARIES,
    CATEGORY_PAIRS,
    ROUTE_SUMMARIES,
    rebuild_summaries,
    summaries_current,
    summary_filter_ok,
)
from workbench.trends.pushdown import from_summaries, time_series_in_store, trend_facts
from workbench.trends.series import NOT_STATED, main_unit, time_series
from workbench.trends.statistics import ReportContext


def _sample(tmp: Path, n: int = 240, seed: int = 11) -> tuple[Path, Path]:
    """A sample written as two CSV folders: the first half of the reporting countries, then the rest with
    a few cases of the first half again, moved to another month (an update)."""
    from workbench.sample.generator import generate

    tables = generate(n, seed=seed).tables
    cases, items = tables["cases"].copy(), tables["items"].copy()
    rng = np.random.default_rng(seed)
    cases.loc[rng.random(len(cases)) < 0.1, "transport_mode"] = None  # blanks: "(not stated)"
    items.loc[rng.random(len(items)) < 0.1, "estimated_value_usd"] = None
    countries = sorted(cases["reporting_country"].unique())
    first = set(countries[: len(countries) // 2])
    in_first = cases["reporting_country"].isin(first)
    moved = cases[in_first].head(5).copy()
    moved["seizure_date"] = "2020-02-10"
    moved["entry_date"] = "2020-02-11"
    out = []
    for name, part in (("one", cases[in_first]), ("two", pd.concat([cases[~in_first], moved]))):
        keys = pd.MultiIndex.from_frame(part[["reporting_country", "case_id"]])
        its = items[pd.MultiIndex.from_frame(items[["reporting_country", "case_id"]]).isin(keys)]
        write_dataset({"cases": part, "items": its}, tmp / name)
        out.append(tmp / name)
    return out[0], out[1]


@pytest.fixture(scope="module")
def filled(module_store_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    one, two = _sample(tmp_path_factory.mktemp("pushdown"))
    store = open_store(module_store_url)
    for folder in (one, two):
        assert import_path(folder, store).status == "accepted"
    yield store
    store.engine.dispose()


FILTERS = {
    "all": (CaseFilter(), True),
    "months and modes": (
        CaseFilter(
            date_from=dt.date(2021, 3, 1), date_to=dt.date(2024, 6, 30), transport_modes=("road", "postal")
        ),
        True,
    ),
    "region": (CaseFilter(wco_regions=("Europe",)), True),
    "empty": (CaseFilter(reporting_countries=("ZZ",)), True),
    "mid-month": (CaseFilter(date_from=dt.date(2022, 1, 15)), False),
    "detection": (CaseFilter(detection_methods=("scanner",)), False),
    "category": (CaseFilter(commodity_categories=("drugs",), date_from=dt.date(2021, 1, 1)), True),
    "two categories": (CaseFilter(commodity_categories=("drugs", "tobacco")), False),
}


def _sorted(df: pd.DataFrame, key: str) -> pd.DataFrame:
    return df.sort_values(key, na_position="first").reset_index(drop=True)


@pytest.mark.parametrize("name", list(FILTERS))
def test_overview_from_summaries_is_the_overview(filled: Store, name: str) -> None:
    flt, summarised = FILTERS[name]
    assert uses_summaries(filled, flt) is summarised
    old, new = overview(filled, flt), overview_figures(filled, flt)
    assert set(old.kpis) == set(new.kpis)
    for k in old.kpis:
        assert new.kpis[k] == pytest.approx(old.kpis[k]), k
    pd.testing.assert_frame_equal(new.monthly, old.monthly)
    pd.testing.assert_frame_equal(
        _sorted(new.by_category, "commodity_category"),
        _sorted(old.by_category, "commodity_category"),
        check_dtype=False,
    )
    pd.testing.assert_frame_equal(
        _sorted(new.by_country, "reporting_country"),
        _sorted(old.by_country, "reporting_country"),
        check_dtype=False,
    )
    pd.testing.assert_frame_equal(new.top_routes, old.top_routes, check_dtype=False)
    pd.testing.assert_frame_equal(new.latest, old.latest)
    if name == "empty":
        assert new.kpis["cases"] == 0 and new.monthly.empty and new.top_routes.empty


SERIES_FILTERS = {
    "all": CaseFilter(),
    "drugs since March 2021": CaseFilter(commodity_categories=("drugs",), date_from=dt.date(2021, 3, 1)),
    "two categories, mid-month": CaseFilter(
        commodity_categories=("drugs", "tobacco"), date_to=dt.date(2024, 5, 20)
    ),
    "Europe by road": CaseFilter(wco_regions=("Europe",), transport_modes=("road", "air_passenger")),
    "empty": CaseFilter(reporting_countries=("ZZ",)),
}
#: Every split, period, measure and the top-N rule at least once (split, period, measure, top).
CHOICES = [
    (None, "M", "cases", None),
    (None, "Q", "value_usd", None),
    (None, "Y", "quantity", None),
    ("transport_mode", "M", "cases", None),
    ("transport_mode", "Q", "value_usd", 3),
    ("commodity_category", "M", "cases", 3),
    ("commodity_category", "Y", "value_usd", None),
    ("commodity_category", "Q", "quantity", None),
    ("commodity_type", "Y", "quantity", 3),
    ("commodity_type", "M", "cases", 3),
    ("reporting_country", "Q", "cases", 3),
    ("reporting_country", "M", "value_usd", None),
    ("detection_method", "Y", "cases", None),
]


@pytest.mark.parametrize("name", list(SERIES_FILTERS))
def test_series_in_the_database_are_the_series_of_the_frame(filled: Store, name: str) -> None:
    flt = SERIES_FILTERS[name]
    frame = seizure_frame(filled, flt)
    summarised = 0
    for by, freq, measure, top in CHOICES:
        expected = time_series(frame, by, freq, measure, top=top)
        for summaries in (False, True):
            got = time_series_in_store(filled, flt, by, freq, measure, top=top, summaries=summaries)
            where = f"{by} {freq} {measure} top={top} summaries={summaries}"
            # an empty frame's categories are typed as its reader gives them (object or str): not compared
            pd.testing.assert_frame_equal(
                got,
                expected,
                check_exact=False,
                check_dtype=len(expected) > 0,
                check_categorical=len(expected) > 0,
                obj=where,
            )
        summarised += from_summaries(filled, flt, by, measure, None)
    if name != "two categories, mid-month":
        assert summarised > 0  # the summaries answered some of them
    else:
        assert summarised == 0  # a period that ends mid-month: only the data tables answer it


def test_series_of_one_unit_and_blanks(filled: Store) -> None:
    frame = seizure_frame(filled)
    unit = frame["unit"].astype("string").mode().iloc[0]
    expected = time_series(
        frame[frame["unit"].astype("string").eq(unit).fillna(False).to_numpy()],
        "commodity_type",
        "Q",
        "quantity",
        top=4,
    )
    got = time_series_in_store(filled, None, "commodity_type", "Q", "quantity", top=4, unit=unit)
    pd.testing.assert_frame_equal(got, expected, check_exact=False)
    modes = time_series_in_store(filled, None, "transport_mode", "Y")
    assert NOT_STATED in modes["transport_mode"].cat.categories  # the blanks added to the sample


#: A filter on items only (trend_facts reads the units without the cases then) beside the series' filters.
FACTS_FILTERS = {**SERIES_FILTERS, "cash only": CaseFilter(commodity_categories=("currency",))}


@pytest.mark.parametrize("name", list(FACTS_FILTERS))
def test_trend_facts_in_the_database_are_those_of_the_frame(filled: Store, name: str) -> None:
    flt = FACTS_FILTERS[name]
    frame = seizure_frame(filled, flt)
    facts = trend_facts(filled, flt)
    assert facts.cases == len(frame[["reporting_country", "case_id"]].drop_duplicates())
    assert set(facts.units) == set(frame["unit"].dropna().astype(str))
    counts = frame["unit"].dropna().astype(str).value_counts()
    if len(counts):  # the main unit: the most used (on a tie, the first in alphabetical order here)
        assert counts[facts.main_unit] == counts.max()
        assert main_unit(frame) in counts[counts == counts.max()].index
    else:
        assert facts.main_unit is None
    assert ReportContext.of_dates(facts.first, facts.last, flt) == ReportContext.of(frame, flt)


#: Every mode, level, breakdown, window, month split, top and the internal flows at least once.
FLOW_CHOICES = [
    {"mode": "od"},
    {"mode": "legs"},
    {"mode": "legs", "by": "category", "per_month": True},
    {"mode": "od", "level": "region", "include_internal": False},
    {"mode": "legs", "level": "region", "by": "type", "top": 3},
    {"mode": "od", "by": "commodity_type", "window": "last year"},
    {"mode": "legs", "per_month": True, "window": "last year"},
]


@pytest.mark.parametrize("name", list(SERIES_FILTERS))
def test_route_flows_in_the_database_are_the_flows_of_the_frame(filled: Store, name: str) -> None:
    flt = SERIES_FILTERS[name]
    base = prepare_flows(seizure_frame(filled, flt))
    last = int(month_number(pd.Series([pd.Timestamp("2024-12-31")]))[0])
    for choice in FLOW_CHOICES:
        kw = {**choice, "window": (last - 11, last) if "window" in choice else None}
        expected = route_flows(base, **kw)  # type: ignore[arg-type]
        got = route_flows_in_store(filled, flt, **kw)  # type: ignore[arg-type]
        assert sorted(got.columns) == sorted(expected.columns), choice
        # units come in the frame's order of appearance there, sorted here; sums may differ in the last bit
        pd.testing.assert_frame_equal(
            got[expected.columns], expected, check_exact=False, atol=2e-3, obj=str(choice)
        )
        if name == "empty":
            assert got.empty
    if name == "all":
        assert base.frame["destination_country"].isna().any()  # inferred destinations are in the sample
        assert route_flows_in_store(filled, flt, mode="od")["inferred_cases"].sum() > 0


def _summaries(store: Store) -> dict[str, pd.DataFrame]:
    out = {}
    with store.engine.connect() as conn:
        for t in (CASE_SUMMARIES, ROUTE_SUMMARIES, CATEGORY_PAIRS):
            cols = [c.name for c in t.columns]
            df = pd.DataFrame(conn.execute(sa.select(t)).fetchall(), columns=cols)
            out[t.name] = df.sort_values(cols, na_position="first").reset_index(drop=True)
    return out


def test_an_import_updates_the_summaries_as_a_rebuild_does(store_url: str, tmp_path: Path) -> None:
    one, two = _sample(tmp_path, n=120, seed=5)
    store = open_store(store_url)
    assert import_path(one, store).status == "accepted"
    assert summaries_current(store)
    assert import_path(two, store).status == "accepted"  # other countries, and five cases moved
    assert summaries_current(store)
    after_import = _summaries(store)
    with store.engine.begin() as conn:
        rebuild_summaries(conn)
    rebuilt = _summaries(store)
    for name in rebuilt:
        assert len(rebuilt[name]) > 0
        pd.testing.assert_frame_equal(after_import[name], rebuilt[name], check_exact=False, obj=name)
    # the moved cases left their old month: February 2020 holds them now
    feb = rebuilt["case_summaries"]
    assert (feb["month_start"] == dt.date(2020, 2, 1)).any()
    store.engine.dispose()


def test_stale_summaries_are_not_used_and_a_rebuild_restores_them(store_copy: str) -> None:
    store = open_store(store_copy)
    assert summaries_current(store)
    with store.engine.begin() as conn:  # a write that does not refresh them (as an erasure would)
        conn.execute(sa.text("DELETE FROM items WHERE case_id IN (SELECT case_id FROM cases LIMIT 3)"))
        conn.execute(sa.text("DELETE FROM cases WHERE case_id IN (SELECT case_id FROM cases LIMIT 3)"))
        bump_data_version(conn, "cases")
    assert not summaries_current(store)
    flt = CaseFilter()
    assert not uses_summaries(store, flt) and not from_summaries(store, flt, None, "cases", None)
    assert overview_figures(store, flt).kpis == overview(store, flt).kpis
    assert main(["store", "rebuild-summaries", "--db", store_copy]) == 0
    assert summaries_current(store) and uses_summaries(store, flt)
    assert overview_figures(store, flt).kpis == overview(store, flt).kpis


def test_which_filters_the_summaries_answer() -> None:
    assert summary_filter_ok(CaseFilter(date_from=dt.date(2024, 2, 1), date_to=dt.date(2024, 2, 29)))
    assert not summary_filter_ok(CaseFilter(date_to=dt.date(2024, 2, 28)))
    assert summary_filter_ok(CaseFilter(commodity_categories=("drugs",)))
    assert not summary_filter_ok(CaseFilter(commodity_categories=("drugs", "tobacco")))
    assert summary_filter_ok(CaseFilter(commodity_categories=("drugs", "tobacco")), categories=None)
    assert not summary_filter_ok(CaseFilter(commodity_types=("cocaine",)))
    assert not summary_filter_ok(CaseFilter(departure_countries=("CO",)))


def test_a_statistics_import_keeps_the_summaries_current(seeded_sqlite: str, tmp_path: Path) -> None:
    """Aggregate statistics move the data version forward but write no case: the summaries stay in use."""
    import sqlite3

    from tests.test_statistics_input import COUNTRY_YEAR, _suggest_and_import

    with (
        sqlite3.connect(seeded_sqlite.removeprefix("sqlite:///")) as src,
        sqlite3.connect(tmp_path / "store.db") as dst,
    ):
        src.backup(dst)
    db = f"sqlite:///{tmp_path / 'store.db'}"
    assert summaries_current(open_store(db))
    _, code = _suggest_and_import(tmp_path, "unodc", COUNTRY_YEAR)
    assert code == 0
    store = open_store(db)
    assert summaries_current(store) and uses_summaries(store, CaseFilter())
    assert overview_figures(store).kpis == overview(store).kpis
