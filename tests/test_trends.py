"""Time series against hand-computed values on a small frame, and the same answers from the SQLite and
PostgreSQL stores and from an exchange-format folder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from workbench.exchange.seizures import read_seizure_frame
from workbench.store.filters import CaseFilter
from workbench.trends import series as T


@pytest.fixture()
def frame(trend_frame: pd.DataFrame) -> pd.DataFrame:
    return trend_frame


def _as_dict(ts: pd.DataFrame, key: str, value: str = "cases") -> dict[tuple[str, str], float]:
    labels = T.period_labels(ts["period"])
    return {(p, str(k)): v for p, k, v in zip(labels, ts[key], ts[value], strict=True)}


def test_cases_per_month_by_mode_zero_filled(frame: pd.DataFrame) -> None:
    ts = T.time_series(frame, "transport_mode", "M")
    got = _as_dict(ts, "transport_mode")
    # 14 months (2024-01 .. 2025-02) for each of 4 series (3 modes + not stated)
    assert len(ts) == 14 * 4
    assert got[("2024-01", "postal")] == 1 and got[("2024-01", "road")] == 1
    assert got[("2024-02", "road")] == 1
    assert got[("2024-04", T.NOT_STATED)] == 1
    assert got[("2025-01", "postal")] == 1 and got[("2025-02", "air_cargo")] == 1
    assert got[("2024-03", "road")] == 0
    assert ts["cases"].sum() == 6  # every case once: a case has one mode
    # values: FR:2 (cocaine + heroin) = 450 in 2024-01 on the road
    assert _as_dict(ts, "transport_mode", "value_usd")[("2024-01", "road")] == 450.0


@pytest.mark.parametrize(
    ("freq", "expected"),
    [
        ("D", {"2024-01-05": 1, "2024-01-07": 1, "2024-01-06": 0}),
        # 2024-01-05 is a Friday, 2024-01-07 the Sunday of the same ISO week 1
        ("W", {"2024-W01": 2, "2024-W02": 0, "2024-W14": 1}),
        ("M", {"2024-01": 2, "2024-02": 1, "2025-02": 1}),
        ("Q", {"2024Q1": 3, "2024Q2": 1, "2024Q3": 0, "2025Q1": 2}),
        ("Y", {"2024": 4, "2025": 2}),
    ],
)
def test_every_frequency(frame: pd.DataFrame, freq: str, expected: dict[str, int]) -> None:
    ts = T.time_series(frame, None, freq)
    got = dict(zip(T.period_labels(ts["period"]), ts["cases"], strict=True))
    for label, n in expected.items():
        assert got[label] == n, label
    assert sum(got.values()) == 6


def test_commodity_splits_count_cases_per_value(frame: pd.DataFrame) -> None:
    types = T.time_series(frame, "commodity_type", "Y")
    got = _as_dict(types, "commodity_type")
    # FR:2 counts under cocaine and under heroin; FR:5 under cocaine and both counterfeits
    assert got[("2024", "cocaine")] == 3 and got[("2024", "heroin")] == 1
    assert got[("2025", "cocaine")] == 1 and got[("2025", "counterfeit_toys")] == 1
    cats = _as_dict(T.time_series(frame, "commodity_category", "Y"), "commodity_category")
    # ...but a case with two drugs counts once under drugs; US:6 has no items: not stated
    assert cats[("2024", "drugs")] == 3 and cats[("2025", "ipr")] == 1
    assert cats[("2025", T.NOT_STATED)] == 1


def test_quantity_is_summed_per_unit_never_across(frame: pd.DataFrame) -> None:
    q = T.time_series(frame, "commodity_type", "Y", "quantity")
    rows = {
        (p, str(t), str(u)): (c, v)
        for p, t, u, c, v in zip(
            T.period_labels(q["period"]),
            q["commodity_type"],
            q["unit"],
            q["cases"],
            q["quantity"],
            strict=True,
        )
    }
    assert rows[("2024", "cocaine", "kg")] == (2, 12.0)  # FR:1 2 kg + FR:2 10 kg
    assert rows[("2024", "cocaine", "g")] == (1, 500.0)  # NL:3 in grams stays apart
    assert rows[("2025", "cocaine", "kg")] == (1, 4.0)
    assert ("2024", "cocaine", "sticks") not in rows  # no series for units a commodity never had
    total = T.time_series(frame, None, "Y", "quantity")
    assert set(total["unit"].astype(str)) == {"kg", "g", "sticks", "pieces"}
    assert total.loc[total["unit"] == "pieces", "quantity"].sum() == 42.0


def test_derived_splits(frame: pd.DataFrame) -> None:
    region = _as_dict(T.time_series(frame, "wco_region", "Y"), "wco_region")
    assert region[("2024", "Europe")] == 3 and region[("2024", "Central and West Africa")] == 1
    assert region[("2025", "South America, North America, Central America and the Caribbean")] == 1
    rilo = _as_dict(T.time_series(frame, "rilo", "Y"), "rilo")
    assert rilo[("2024", "Western Europe")] == 3 and rilo[("2024", "West Africa")] == 1
    route = _as_dict(T.time_series(frame, "route", "Y"), "route")
    assert route[("2024", "CO → FR")] == 1 and route[("2025", "CO → FR")] == 1
    assert route[("2024", "MA → FR")] == 1 and route[("2024", "CO → NL")] == 1
    assert route[("2024", "BR → SN (inferred)")] == 1  # blank destination of an import: the reporter
    assert route[("2025", T.NOT_STATED)] == 1  # US:6: an export with no route
    dest = _as_dict(T.time_series(frame, "destination_rilo", "Y"), "destination_rilo")
    assert dest[("2024", "Western Europe")] == 3
    assert T.value_label("route", "BR → SN (inferred)") == "Brazil → Senegal (inferred)"


def test_top_keeps_the_largest_and_counts_other_cases_once(frame: pd.DataFrame) -> None:
    ts = T.time_series(frame, "commodity_type", "Y", top=1)
    got = _as_dict(ts, "commodity_type")
    assert set(ts["commodity_type"].astype(str)) == {"cocaine", T.OTHER}
    # 2025: FR:5 has two counterfeits (both "other") and US:6 no item: 2 cases, not 3
    assert got[("2025", T.OTHER)] == 2
    assert got[("2024", T.OTHER)] == 2  # FR:2 (heroin) and SN:4 (cigarettes)


def test_changes_and_rolling_mean_by_hand() -> None:
    periods = pd.period_range("2023-01", "2024-03", freq="M")
    values = [10, 12, 8, 10, 10, 10, 10, 10, 10, 10, 10, 10, 15, 6, 20]
    s = pd.DataFrame({"period": periods, "cases": values})
    c = T.with_changes(s, "cases", window=3)
    last = c.iloc[-1]
    assert (
        last["previous"] == 6 and last["change"] == 14 and last["change_pct"] == pytest.approx(233.333, 1e-3)
    )
    assert last["year_before"] == 8 and last["yoy_change"] == 12 and last["yoy_pct"] == 150.0
    assert last["rolling_mean"] == pytest.approx((15 + 6 + 20) / 3)
    assert np.isnan(c.iloc[0]["previous"]) and np.isnan(c.iloc[0]["year_before"])
    assert np.isnan(c.iloc[1]["rolling_mean"]) and c.iloc[2]["rolling_mean"] == 10.0


def test_changes_per_series_and_yoy_for_days_and_weeks(frame: pd.DataFrame) -> None:
    c = T.with_changes(T.time_series(frame, "transport_mode", "M"))
    postal = c[c["transport_mode"] == "postal"].set_index(
        T.period_labels(c.loc[c["transport_mode"] == "postal", "period"])
    )
    assert postal.loc["2025-01", "year_before"] == 1 and postal.loc["2025-01", "yoy_change"] == 0
    assert postal.loc["2024-02", "previous"] == 1 and postal.loc["2024-02", "change_pct"] == -100.0
    days = pd.DataFrame({"period": pd.period_range("2023-03-01", "2024-03-01", freq="D")})
    days["cases"] = np.arange(len(days))
    d = T.with_changes(days).set_index(T.period_labels(days["period"]))
    assert d.loc["2024-03-01", "year_before"] == 0  # 2023-03-01, a leap year between
    weeks = pd.DataFrame({"period": pd.period_range("2023-01-02", periods=60, freq="W"), "cases": range(60)})
    w = T.with_changes(weeks)
    assert w.iloc[55]["year_before"] == 3  # 52 weeks back


def test_seasonal_profile_is_not_fooled_by_a_trend() -> None:
    # two full years; every year has twice as many cases in Q4 as in the other quarters, and 2024 doubles 2023
    rows = []
    for year, scale in ((2023, 1), (2024, 2)):
        for month, n in ((2, 10), (5, 10), (8, 10), (11, 20)):
            rows += [f"{year}-{month:02d}-15"] * (n * scale)
    rows += ["2023-01-01", "2024-12-31"]  # the data span both years whole
    f = pd.DataFrame({"case_key": [str(i) for i in range(len(rows))], "seizure_date": pd.to_datetime(rows)})
    prof = T.seasonal_profile(f, "Q")
    index = dict(zip(prof["label"], prof["index"], strict=True))
    assert index["Q4"] == pytest.approx(20 / 12.5, rel=0.03) and index["Q2"] == pytest.approx(
        10 / 12.5, rel=0.03
    )
    with pytest.raises(ValueError, match="seasonal profile"):
        T.seasonal_profile(f, "Y")


def test_top_movers_and_latest_complete_period(frame: pd.DataFrame) -> None:
    ts = T.time_series(frame, "commodity_category", "Y")
    movers = T.top_movers(ts, "cases", compare="previous")
    got = dict(zip(movers["commodity_category"].astype(str), movers["change"], strict=True))
    assert got == {"drugs": -2.0, "tobacco": -1.0, "ipr": 1.0, T.NOT_STATED: 1.0}
    assert movers.iloc[0]["commodity_category"] == "drugs"  # largest absolute change first
    assert str(T.latest_complete_period(pd.Timestamp("2025-02-03"), "M")) == "2025-01"
    assert str(T.latest_complete_period(pd.Timestamp("2025-03-31"), "Q")) == "2025Q1"


def test_method_shares_by_hand(frame: pd.DataFrame) -> None:
    sh = T.method_shares(frame, "detection_method", "transport_mode", unit="kg")
    road = sh[sh["transport_mode"] == "road"].set_index("detection_method")
    assert road.loc["sniffer_dog", "cases"] == 1 and road.loc["scanner", "cases"] == 1
    assert road.loc["sniffer_dog", "case_share"] == 0.5
    # kg on the road: FR:2 has 11 kg (sniffer dog); NL:3 is in grams, so scanner has no kg
    assert road.loc["sniffer_dog", "quantity_share"] == 1.0 and road.loc["scanner", "quantity"] == 0.0
    overall = T.method_shares(frame, "detection_method", None, unit="kg").set_index("detection_method")
    assert overall["cases"].to_dict() == {"scanner": 4, "sniffer_dog": 1, "tip_off": 1}
    assert overall.loc["scanner", "quantity_share"] == pytest.approx(2 / 17)


def test_bad_choices_are_named(frame: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="cannot split by 'colour'"):
        T.time_series(frame, "colour", "M")
    with pytest.raises(ValueError, match="frequency 'H'"):
        T.time_series(frame, None, "H")
    with pytest.raises(ValueError, match="measure 'weight'"):
        T.time_series(frame, None, "M", "weight")


# ------------------------------------------------------------------------------ stores and files
def test_store_and_file_give_the_same_series(store_url: str, small_sample_dir: Path) -> None:
    """SQLite and PostgreSQL stores, and the exchange-format folder read directly, agree."""
    import sqlalchemy as sa

    from workbench.exchange.ingest import import_path
    from workbench.store import DATA_TABLES, open_store
    from workbench.store.frames import seizure_frame

    store = open_store(store_url)
    assert import_path(small_sample_dir, store).status == "accepted"
    flt = CaseFilter(commodity_categories=("drugs",), date_from="2021-01-01")
    from_store = T.time_series(
        seizure_frame(store, flt), ("commodity_type", "transport_mode"), "Q", "quantity"
    )
    file_frame, rejections = read_seizure_frame(small_sample_dir, flt)
    assert rejections == []
    from_file = T.time_series(file_frame, ("commodity_type", "transport_mode"), "Q", "quantity")
    pd.testing.assert_frame_equal(
        from_store.astype({c: str for c in ("commodity_type", "transport_mode", "unit")}),
        from_file.astype({c: str for c in ("commodity_type", "transport_mode", "unit")}),
        check_categorical=False,
    )
    # and the database's own count of cases per transport mode agrees with the series
    cases = DATA_TABLES["cases"]
    with store.engine.connect() as conn:
        by_mode = dict(
            conn.execute(
                flt.to_sql(sa.select(cases.c.transport_mode, sa.func.count())).group_by(
                    cases.c.transport_mode
                )
            ).all()
        )
    series = T.time_series(seizure_frame(store, flt), "transport_mode", "Y")
    got = series.groupby("transport_mode", observed=True)["cases"].sum().to_dict()
    assert {k: v for k, v in got.items() if k != T.NOT_STATED} == {k: v for k, v in by_mode.items() if k}
