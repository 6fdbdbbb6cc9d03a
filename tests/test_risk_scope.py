"""The sidebar's case filter on traffic (workbench.risk.traffic.scope_traffic and its SQL form): the period,
countries, regions and modes select movements; the commodity criteria select which seizures count.
Both engines agree, on SQLite and PostgreSQL, and the seizures in scope are exactly the filtered cases."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from workbench.risk.backtest import backtest, backtest_sql
from workbench.risk.interchange import read_indicators
from workbench.risk.samples import SAMPLE_INDICATORS
from workbench.risk.scoring import Profile, score_frame, score_sql
from workbench.risk.traffic import (
    describe_scope,
    generate_traffic,
    load_traffic,
    scope_traffic,
    store_traffic,
)
from workbench.store import open_store
from workbench.store.filters import CaseFilter

FILTERS = {
    "period, region, mode, commodity": CaseFilter(
        date_from=dt.date(2021, 1, 1),
        date_to=dt.date(2024, 6, 30),
        wco_regions=("Europe", "West and Central Africa"),
        transport_modes=("air_passenger", "express_courier", "postal", "sea_container"),
        commodity_categories=("drugs",),
    ),
    "country and type": CaseFilter(reporting_countries=("NL", "ES", "BE"), commodity_types=("cocaine",)),
    "none": CaseFilter(),
}


@pytest.fixture(scope="module")
def traffic(small_sample) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    return generate_traffic(small_sample, innocent_per_seizure=4)


@pytest.mark.parametrize("name", list(FILTERS))
def test_filter_on_traffic_both_engines(
    name: str, store_url: str, small_sample_dir: Path, small_sample, traffic: pd.DataFrame
) -> None:  # type: ignore[no-untyped-def]
    from workbench.exchange.ingest import import_path

    store = open_store(store_url)
    assert import_path(small_sample_dir, store).status == "accepted"
    store_traffic(store, traffic, "gen")
    flt = FILTERS[name]
    stored = load_traffic(store, "gen")
    scoped = scope_traffic(stored, flt, store)

    # the seizures in scope are exactly the sample's cases the filter selects
    cases, items = small_sample.tables["cases"], small_sample.tables["items"]
    wanted = cases.loc[flt.mask(cases, items), "case_id"]
    assert sorted(scoped.loc[scoped["seized"], "case_id"].astype(str)) == sorted(wanted.astype(str))
    if not flt.is_empty:
        assert 0 < len(scoped) < len(stored)
        assert scoped["seized"].sum() < stored["seized"].sum()
    else:
        assert scoped is stored

    indicators = read_indicators(SAMPLE_INDICATORS)
    in_pandas = backtest(scoped, indicators, threshold=40, split="2023-01-01")
    in_sql = backtest_sql(store, indicators, threshold=40, split="2023-01-01", source="gen", flt=flt)
    for period in ("all", "before", "after"):
        pd.testing.assert_frame_equal(in_pandas.metrics(period), in_sql.metrics(period))
    assert in_sql.summary()["all"]["seized"] == len(wanted)

    profile = Profile(tuple(i for i in indicators if i.status == "active"), 40)
    by_frame = score_frame(scoped, profile)
    by_sql = score_sql(store, profile, source="gen", flt=flt, columns=("movement_date", "seized", "case_id"))
    hits = by_frame[by_frame["score"] > 0]
    assert by_sql["movement_id"].tolist() == hits["movement_id"].tolist()
    assert np.array_equal(by_sql["seized"].astype(bool).to_numpy(), hits["seized"].astype(bool).to_numpy())


def test_describe_scope_names_every_criterion() -> None:
    text = describe_scope(FILTERS["period, region, mode, commodity"])
    for part in (
        "from 2021-01-01 to 2024-06-30",
        "Europe",
        "air_passenger",
        "only seizures of commodity category drugs",
    ):
        assert part in text


def test_describe_scope_says_how_each_criterion_reads() -> None:
    text = describe_scope(CaseFilter(departure_countries=("CO",), detection_methods=("scanner",)))
    assert text == "Traffic leaving CO; only seizures detected by scanner count as seized."


def test_filter_on_traffic_names_every_criterion() -> None:
    from workbench.risk.traffic import FILTER_ON_TRAFFIC
    from workbench.store.criteria import CRITERIA

    named = ", ".join(FILTER_ON_TRAFFIC)
    assert all(c.title() in named for c in CRITERIA)
    assert FILTER_ON_TRAFFIC["WCO region, Reporting country"] == "the country that controls the movement"


def test_a_criterion_that_does_not_apply_to_traffic_leaves_it_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    """Declared ``OnTraffic("none", ...)``, a criterion neither selects movements nor seizures."""
    from dataclasses import replace

    import workbench.store.criteria as criteria
    from workbench.risk.traffic import traffic_mask, traffic_where
    from workbench.store.criteria import OnTraffic

    t = pd.DataFrame(
        {"movement_date": pd.to_datetime(["2024-01-01", "2024-02-01"]), "transport_mode": ["road", "rail"]}
    )
    flt = CaseFilter(transport_modes=("road",))
    assert traffic_mask(t, flt).tolist() == [True, False]
    none = OnTraffic("none", "not known before a control")
    monkeypatch.setattr(
        criteria,
        "CRITERIA",
        tuple(replace(c, on_traffic=none) if c.name == "transport_mode" else c for c in criteria.CRITERIA),
    )
    assert traffic_mask(t, flt).tolist() == [True, True]
    assert traffic_where(flt) == []
    assert describe_scope(flt) == "All traffic."
