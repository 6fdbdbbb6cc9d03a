"""The route model on small hand-made routes: sequence, legs, OD pair, inferred destination; and the
vectorised forms (route_index, route_legs, route_pairs, od_pairs) agreeing with the one-case form."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.format.route import (
    case_route,
    countries_at_level,
    od_pairs,
    route_index,
    route_legs,
    route_pairs,
)

# departure, transit, destination, procedure, reporting -> countries, inferred, legs, od
ROUTES = [
    (
        "CO",
        "SN;ES",
        "FR",
        "import",
        "FR",
        ["CO", "SN", "ES", "FR"],
        False,
        [("CO", "SN"), ("SN", "ES"), ("ES", "FR")],
        ("CO", "FR"),
    ),
    (
        "CO",
        "SN;ES",
        None,
        "import",
        "FR",
        ["CO", "SN", "ES", "FR"],
        True,
        [("CO", "SN"), ("SN", "ES"), ("ES", "FR")],
        ("CO", "FR"),
    ),
    (
        "CO",
        "SN;ES",
        None,
        "export",
        "CO",
        ["CO", "SN", "ES"],
        False,
        [("CO", "SN"), ("SN", "ES")],
        ("CO", "ES"),
    ),
    ("CO", "SN;ES", None, None, "FR", ["CO", "SN", "ES"], False, [("CO", "SN"), ("SN", "ES")], ("CO", "ES")),
    (
        "CO",
        " SN ; SN ;ES",
        "ES",
        "transit",
        "SN",
        ["CO", "SN", "ES"],
        False,
        [("CO", "SN"), ("SN", "ES")],
        ("CO", "ES"),
    ),
    (
        "FR",
        None,
        None,
        "import",
        "FR",
        ["FR"],
        True,
        [],
        None,
    ),  # departure = inferred destination: one country
    (None, None, None, "import", "NL", ["NL"], True, [], None),
    (None, "", "", "export", "NL", [], False, [], None),
    ("BR", None, "ES", "import", "PT", ["BR", "ES"], False, [("BR", "ES")], ("BR", "ES")),
    (None, "SN", "FR", "import", "FR", ["SN", "FR"], False, [("SN", "FR")], ("SN", "FR")),
    (
        "TR",
        "BG;RS;BG",
        "DE",
        "import",
        "DE",
        ["TR", "BG", "RS", "BG", "DE"],
        False,
        [("TR", "BG"), ("BG", "RS"), ("RS", "BG"), ("BG", "DE")],
        ("TR", "DE"),
    ),
]


@pytest.mark.parametrize(
    ("dep", "transit", "dest", "proc", "rep", "countries", "inferred", "legs", "od"), ROUTES
)
def test_case_route(dep, transit, dest, proc, rep, countries, inferred, legs, od) -> None:  # type: ignore[no-untyped-def]
    r = case_route(dep, transit, dest, proc, rep)
    assert r.countries == countries
    assert r.destination_inferred is inferred
    assert r.legs == legs
    assert r.od == od
    if inferred and countries:
        assert r.label().endswith("(inferred)")


def _frame(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(
        [r[:5] for r in rows],
        columns=[
            "departure_country",
            "transit_countries",
            "destination_country",
            "customs_procedure",
            "reporting_country",
        ],
    )


def test_route_index_groups_identical_routes_and_matches_case_route() -> None:
    frame = _frame(ROUTES + ROUTES[:3])  # repeated rows share their route
    idx = route_index(frame)
    assert len(idx.codes) == len(frame)
    assert idx.codes[len(ROUTES)] == idx.codes[0]
    for i, row in enumerate(ROUTES + ROUTES[:3]):
        code = idx.codes[i]
        if not row[5]:
            assert code == -1
            continue
        rec = idx.routes.iloc[code]
        assert list(rec["countries"]) == row[5]
        assert bool(rec["inferred"]) is row[6]


def test_reporting_country_only_matters_for_an_inferred_destination() -> None:
    frame = _frame(
        [("CO", None, "ES", "import", "ES", *[None] * 4), ("CO", None, "ES", "import", "PT", *[None] * 4)]
    )
    assert len(set(route_index(frame).codes)) == 1


def test_route_index_on_categoricals_like_the_frames() -> None:
    frame = _frame(ROUTES).astype(
        {
            "departure_country": "category",
            "destination_country": "category",
            "customs_procedure": "category",
            "reporting_country": "category",
            "transit_countries": "string",
        }
    )
    idx = route_index(frame)
    assert [list(idx.routes.iloc[c]["countries"]) if c >= 0 else [] for c in idx.codes] == [
        r[5] for r in ROUTES
    ]


def test_legs_and_pairs_per_distinct_route() -> None:
    idx = route_index(_frame(ROUTES))
    legs = route_legs(idx.routes)
    for i, row in enumerate(ROUTES):
        code = idx.codes[i]
        if code < 0:
            continue
        got = legs[legs["route"] == code]
        # a leg repeated in one route is listed once
        assert [tuple(x) for x in got[["source", "target"]].values] == list(dict.fromkeys(row[7]))
        # only the last leg of an inferred route is inferred
        assert got["inferred"].tolist() == [row[6] and j == len(row[7]) - 1 for j in range(len(got))]
    pairs = route_pairs(idx.routes).set_index("route")
    for i, row in enumerate(ROUTES):
        code = idx.codes[i]
        if row[8] is None:
            assert code < 0 or code not in pairs.index
        else:
            assert tuple(pairs.loc[code, ["origin", "destination"]]) == row[8]
            assert bool(pairs.loc[code, "inferred"]) is row[6]


def test_od_pairs_agrees_with_route_pairs() -> None:
    frame = _frame(ROUTES)
    od = od_pairs(frame)
    idx = route_index(frame)
    pairs = route_pairs(idx.routes).set_index("route")
    for i, row in enumerate(ROUTES):
        code = idx.codes[i]
        if row[8] is None or len(set(row[5])) != len(row[5]):
            continue  # od_pairs does not collapse transit repeats beyond first/last; compare the rest
        assert (od.loc[i, "origin"], od.loc[i, "destination"]) == tuple(
            pairs.loc[code, ["origin", "destination"]]
        )
        assert bool(od.loc[i, "destination_inferred"]) is bool(pairs.loc[code, "inferred"])


def test_region_level() -> None:
    assert countries_at_level(("CO", "SN", "ES", "FR"), "region") == (
        "South America, North America, Central America and the Caribbean",
        "Central and West Africa",
        "Europe",
    )
    assert countries_at_level(("FR", "DE"), "region") == ("Europe", "Europe")  # internal flow kept
    assert countries_at_level(("FR",), "region") == ("Europe",)
    assert countries_at_level(("XX", "FR"), "region") == ("Unknown", "Europe")
    with pytest.raises(ValueError, match="level"):
        countries_at_level(("FR",), "continent")
    idx = route_index(_frame(ROUTES[:2]))
    legs = route_legs(idx.routes, "region")
    assert legs.groupby("route").size().tolist() == [2, 2]
    assert legs["inferred"].tolist() == [False, False, False, True]


def test_route_index_on_many_rows() -> None:
    # correctness on a larger frame (speed lives in benchmarks/bench_flows.py); the export and the
    # blank-procedure rows of CO → SN → ES are one distinct route
    frame = _frame(ROUTES * 5000)
    idx = route_index(frame)
    assert len(idx.routes) == len(ROUTES) - 1
    assert np.array_equal(idx.codes[: len(ROUTES)], idx.codes[len(ROUTES) : 2 * len(ROUTES)])
