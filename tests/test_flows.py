"""Flows, hubs and emerging routes on a small hand-made seizure frame whose answers are known; the
store path on SQLite and PostgreSQL; the ``workbench flows`` command."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.conftest import route_tables, seizure_like
from workbench.routes.flows import (
    Selection,
    cases_behind,
    country_totals,
    hotspot_grid,
    month_number,
    prepare_flows,
    route_flows,
    seizure_places,
)


@pytest.fixture()
def base(flow_base):  # type: ignore[no-untyped-def]
    return flow_base


def _as_dict(df: pd.DataFrame, *cols: str, value: str = "cases") -> dict[tuple, object]:
    return {tuple(r[c] for c in cols): r[value] for _, r in df.iterrows()}


def test_od_flows_count_cases_once_and_sum_quantities_per_unit(base) -> None:  # type: ignore[no-untyped-def]
    od = route_flows(base, mode="od")
    assert od.columns[:3].tolist() == ["origin", "destination", "cases"]
    assert _as_dict(od, "origin", "destination") == {
        ("BR", "ES"): 2,
        ("CO", "FR"): 1,
        ("CO", "NL"): 1,
        ("TR", "BG"): 1,
        ("MA", "ES"): 1,
    }
    assert _as_dict(od, "origin", "destination", value="inferred_cases")[("CO", "FR")] == 1
    assert od["inferred_cases"].sum() == 1
    row = od.set_index(["origin", "destination"]).loc[("CO", "FR")]
    assert row["quantity_kg"] == pytest.approx(2.5)  # 2 kg + 500 g
    assert "quantity_g" not in od.columns
    assert row["share"] == pytest.approx(1 / 7, abs=1e-5)  # seven cases in all, routed or not
    br = od.set_index(["origin", "destination"]).loc[("BR", "ES")]
    assert br["quantity_sticks"] == 3000 and br["quantity_kg"] == 30


def test_legs_count_a_case_once_per_leg_and_mark_the_inferred_leg(base) -> None:  # type: ignore[no-untyped-def]
    legs = route_flows(base, mode="legs")
    got = _as_dict(legs, "origin", "destination")
    assert got[("TR", "BG")] == 1  # passed twice by case E, counted once
    assert got[("BG", "TR")] == 1
    assert got[("CO", "SN")] == 1 and got[("SN", "FR")] == 1
    inferred = _as_dict(legs, "origin", "destination", value="inferred_cases")
    assert inferred[("SN", "FR")] == 1 and inferred[("CO", "SN")] == 0


def test_breakdown_by_category_and_type(base) -> None:  # type: ignore[no-untyped-def]
    by_cat = route_flows(base, mode="od", by="category")
    got = _as_dict(by_cat, "origin", "destination", "commodity_category")
    assert got[("BR", "ES", "tobacco")] == 2 and got[("BR", "ES", "drugs")] == 1  # D has both
    assert got[("CO", "FR", "drugs")] == 1  # two cocaine items, one case
    assert ("MA", "ES", "drugs") not in got  # a case without items has no category
    by_type = route_flows(base, mode="od", by="type")
    assert _as_dict(by_type, "origin", "destination", "commodity_type")[("BR", "ES", "cannabis_resin")] == 1
    with pytest.raises(ValueError, match="by must be"):
        route_flows(base, by="colour")


def test_window_per_month_top_and_region(base) -> None:  # type: ignore[no-untyped-def]
    feb = int(month_number(["2024-02-01"])[0])
    in_feb = route_flows(base, mode="od", window=(feb, feb))
    assert _as_dict(in_feb, "origin", "destination") == {("CO", "NL"): 1, ("BR", "ES"): 1}
    assert in_feb["share"].sum() == pytest.approx(1.0)  # two cases in February, both routed
    monthly = route_flows(base, mode="od", per_month=True)
    assert _as_dict(monthly, "origin", "destination", "month")[("BR", "ES", "2024-03")] == 1
    top = route_flows(base, mode="od", top=1)
    assert top[["origin", "destination"]].drop_duplicates().values.tolist() == [["BR", "ES"]]
    regions = route_flows(base, mode="od", level="region")
    got = _as_dict(regions, "origin", "destination")
    americas = "South America, North America, Central America and the Caribbean"
    assert got[(americas, "Europe")] == 4  # CO → FR, CO → NL, BR → ES twice
    assert got[("Europe", "Europe")] == 1  # TR → BG stays visible as Europe's internal flow
    external = route_flows(base, mode="od", level="region", include_internal=False)
    assert ("Europe", "Europe") not in _as_dict(external, "origin", "destination")


def test_empty_window(base) -> None:  # type: ignore[no-untyped-def]
    out = route_flows(base, mode="legs", by="category", window=(0, 1))
    assert out.empty and out.columns[:3].tolist() == ["origin", "destination", "cases"]


def test_country_totals(base) -> None:  # type: ignore[no-untyped-def]
    rep = _as_dict(country_totals(base, "reported"), "key")
    assert rep == {("ES",): 3, ("BG",): 1, ("DE",): 1, ("FR",): 1, ("NL",): 1}
    dep = _as_dict(country_totals(base, "departing"), "key")
    assert dep == {("CO",): 2, ("BR",): 2, ("TR",): 1, ("MA",): 1}
    dest = country_totals(base, "destined").set_index("key")
    assert dest.loc["ES", "cases"] == 3 and dest.loc["FR", "inferred_cases"] == 1
    assert country_totals(base, "departing", level="region").set_index("key").loc["Europe", "cases"] == 1


def test_places_and_hotspots(base) -> None:  # type: ignore[no-untyped-def]
    places = seizure_places(base)
    assert places.iloc[0]["key"] == "MAD" and places.iloc[0]["cases"] == 2
    assert set(places["key"]) >= {"CDG", "AMS", "MAD"}
    assert any(k.startswith("@") for k in places["key"])  # no place code: 0.1-degree cell
    grid = hotspot_grid(base)
    assert grid["cases"].sum() == 6  # every case with coordinates, once


def test_cases_behind_a_selection(base) -> None:  # type: ignore[no-untyped-def]
    frame = base.frame

    def ids(sel: Selection, window=None) -> list[str]:  # type: ignore[no-untyped-def]
        return sorted(frame.iloc[cases_behind(base, sel, window)]["case_id"].astype(str))

    assert ids(Selection("flow", origin="BR", destination="ES", mode="od")) == ["C3", "D4"]
    assert ids(
        Selection("flow", origin="BR", destination="ES", commodity="drugs", by="category", mode="od")
    ) == ["D4"]
    assert ids(Selection("flow", origin="TR", destination="BG", mode="legs")) == ["E5"]
    assert ids(Selection("flow", origin="SN", destination="FR", mode="legs")) == ["A1"]
    assert ids(Selection("place", key="MAD")) == ["C3", "D4"]
    assert ids(Selection("country", key="ES", shading="reported")) == ["C3", "D4", "G7"]
    assert ids(Selection("country", key="FR", shading="destined")) == ["A1"]
    assert ids(Selection("country", key="Europe", shading="departing", level="region")) == ["E5"]
    mar = int(month_number(["2024-03-01"])[0])
    assert ids(Selection("flow", origin="BR", destination="ES", mode="od"), (mar, mar)) == ["D4"]
    assert "inferred" not in Selection("flow", origin="BR", destination="ES").describe()
    assert Selection("country", key="FR", shading="destined").describe() == "cases destined for France"


def test_hubs_and_emerging_routes() -> None:
    from workbench.routes.hubs import default_baseline, emerging_routes, hub_ranking

    t = route_tables()
    base = prepare_flows(seizure_like(t))
    hubs = hub_ranking(base)
    assert hubs.set_index("hub").loc["SN", "transit_cases"] == 1
    # TR → BG → TR → BG: BG and TR are its ends, so neither is a hub of that route
    assert "BG" not in set(hubs["hub"]) and "TR" not in set(hubs["hub"])
    # the graph of legs: SN sits between CO and FR
    assert hubs.set_index("hub").loc["SN", "betweenness"] > 0
    # emerging: BR → ES has one case in Feb and one in Mar; CO → NL one in Feb
    feb, mar = (int(m) for m in month_number(["2024-02-01", "2024-03-01"]))
    em = emerging_routes(base, (mar, mar), (feb, feb), min_cases=1)
    got = em.set_index(["origin", "destination"])
    assert got.loc[("TR", "BG"), "status"] == "new" and got.loc[("TR", "BG"), "before"] == 0
    assert ("BR", "ES") not in got.index  # 1 → 1: not growing
    # every route listed rose, and its evidence says from what to what
    assert (em["after"] > em["before"]).all()
    for before, after, evidence in em[["before", "after", "evidence"]].itertuples(index=False):
        assert evidence.startswith(f"{before} cases in ") and f"→ {after} in " in evidence
    assert default_baseline((mar, mar), base.months) == (feb, feb)


def test_emerging_routes_find_the_planted_ones(seeded_sqlite: str) -> None:
    """The generator plants routes that emerge late; they rank as new or growing at the end."""
    from workbench.routes.hubs import emerging_routes
    from workbench.store import open_store
    from workbench.store.frames import seizure_frame

    base = prepare_flows(seizure_frame(open_store(seeded_sqlite)))
    last = base.months[-1]
    em = emerging_routes(base, (last - 11, last), mode="od", min_cases=2, top=None)
    assert len(em) > 0
    assert (em["after"] > em["before"]).all()
    assert set(em["status"]) <= {"new", "growing"}


def test_od_flows_agree_with_the_overview(seeded_sqlite: str) -> None:
    from workbench.store import open_store
    from workbench.store.frames import seizure_frame
    from workbench.store.queries import overview

    store = open_store(seeded_sqlite)
    od = route_flows(prepare_flows(seizure_frame(store)), mode="od").head(10)
    top = overview(store).top_routes
    assert (
        od[["origin", "destination", "cases", "inferred_cases"]].values.tolist()
        == top[["origin", "destination", "cases", "inferred"]].values.tolist()
    )


def test_flows_from_the_store_on_both_backends(store_url: str, tmp_path: Path) -> None:
    from workbench.exchange.files import write_dataset
    from workbench.exchange.ingest import import_path
    from workbench.store import open_store
    from workbench.store.filters import CaseFilter
    from workbench.store.frames import seizure_frame

    write_dataset(route_tables(), tmp_path / "ds")
    store = open_store(store_url)
    assert import_path(tmp_path / "ds", store).status == "accepted"
    from_store = route_flows(prepare_flows(seizure_frame(store)), mode="legs", by="category")
    by_hand = route_flows(prepare_flows(seizure_like(route_tables())), mode="legs", by="category")
    cols = ["origin", "destination", "commodity_category", "cases", "inferred_cases", "quantity_kg"]
    assert from_store[cols].values.tolist() == by_hand[cols].values.tolist()
    drugs = route_flows(
        prepare_flows(seizure_frame(store, CaseFilter(commodity_categories=("drugs",)))), mode="od"
    )
    assert set(map(tuple, drugs[["origin", "destination"]].values)) == {
        ("BR", "ES"),
        ("CO", "FR"),
        ("CO", "NL"),
        ("TR", "BG"),
    }


# ---------------------------------------------------------------- command line
def test_cli_flows_from_a_dataset(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from workbench.cli import main
    from workbench.exchange.files import write_dataset

    write_dataset(route_tables(), tmp_path / "ds")
    out = tmp_path / "flows.csv"
    assert main(["flows", str(tmp_path / "ds"), "--flow", "od", "--level", "country", "--out", str(out)]) == 0
    df = pd.read_csv(out, keep_default_na=False)
    assert df.columns[:3].tolist() == ["origin", "destination", "cases"]
    assert _as_dict(df, "origin", "destination")[("BR", "ES")] == 2
    # commodity type and period
    assert (
        main(
            [
                "flows",
                str(tmp_path / "ds"),
                "--flow",
                "legs",
                "--commodity",
                "cocaine",
                "--from",
                "2024-02-01",
                "--to",
                "2024-02-28",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    df = pd.read_csv(out, keep_default_na=False)
    assert df[["origin", "destination", "cases"]].values.tolist() == [["CO", "NL", 1]]
    assert (
        main(
            [
                "flows",
                str(tmp_path / "ds"),
                "--flow",
                "od",
                "--level",
                "region",
                "--category",
                "drugs",
                "--by",
                "commodity_type",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    df = pd.read_csv(out)
    assert "Europe" in set(df["destination"]) and "commodity_type" in df.columns
    assert "flows from" in capsys.readouterr().out


def test_cli_flows_from_the_store_and_bad_input(
    seeded_sqlite: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from workbench.cli import main

    out = tmp_path / "f.csv"
    assert main(["flows", "--db", seeded_sqlite, "--flow", "od", "--top", "5", "--out", str(out)]) == 0
    df = pd.read_csv(out)
    assert len(df) == 5 and np.all(np.diff(df["cases"]) <= 0)
    assert main(["flows", str(tmp_path / "missing"), "--out", str(out)]) == 2
    assert "no such file" in capsys.readouterr().err
    assert (
        main(
            ["flows", "--from", "2024-05-01", "--to", "2024-01-01", "--db", seeded_sqlite, "--out", str(out)]
        )
        == 2
    )


def test_cli_flows_reports_refused_rows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from workbench.cli import main
    from workbench.exchange.files import write_dataset

    t = route_tables()
    t["cases"].loc[1, "seizure_date"] = "03/02/2024"  # not ISO: the row is left out and said so
    write_dataset(t, tmp_path / "ds")
    out = tmp_path / "f.csv"
    assert main(["flows", str(tmp_path / "ds"), "--flow", "od", "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "cases.csv, row 3, column 'seizure_date'" in err
    assert ("CO", "NL") not in _as_dict(pd.read_csv(out), "origin", "destination")


def test_default_comparison_shows_the_planted_emerging_routes_of_the_default_sample() -> None:
    """On the 20,000-case default sample, the defaults (last 12 months against the 12 before, at least
    5 cases, growth 1.5) list the three planted emerging routes among the first rows, largest rise
    first; a new route's growth is missing, never infinite."""
    from tests.conftest import ROOT
    from workbench.exchange.seizures import read_seizure_frame
    from workbench.routes.hubs import comparison_windows, emerging_routes

    frame, _ = read_seizure_frame(ROOT / "sample_data" / "default")
    base = prepare_flows(frame)
    window, baseline = comparison_windows(base.months)
    assert window[1] == base.months[-1] and window[1] - window[0] == 11 and baseline is not None
    em = emerging_routes(base, window, baseline, mode="od")
    assert em["rise"].is_monotonic_decreasing
    assert not np.isinf(em["growth"].to_numpy(float)).any()
    assert em.loc[em["status"] == "new", "growth"].isna().all()
    first = set(zip(em["origin"].head(10), em["destination"].head(10), strict=True))
    assert first & {("MM", "AU"), ("MM", "NZ"), ("TH", "AU")}, first  # methamphetamine to Oceania
    assert first & {("NG", "VN"), ("CM", "VN"), ("CD", "VN")}, first  # pangolin scales via Ethiopia
    assert first & {(o, d) for o in ("BR", "CO") for d in ("FR", "BE", "NL", "DE")}, (
        first
    )  # cocaine, W Africa
    legs = emerging_routes(base, window, baseline, mode="legs")
    assert {("ET", "VN"), ("NG", "ET")} <= set(
        zip(legs["origin"].head(10), legs["destination"].head(10), strict=True)
    )
