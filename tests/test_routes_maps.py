"""The map spec, PNG and standalone HTML built from the same data; what the browser receives stays
small; nothing points to the internet."""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import route_tables, seizure_like
from workbench.routes.flows import prepare_flows
from workbench.routes.maps import (
    BLANK_STYLE,
    CATEGORY_COLOURS,
    MapOptions,
    deck_bytes,
    legend_entries,
    map_data,
    map_html,
    map_png,
    route_deck,
)


@pytest.fixture(scope="module")
def base():  # type: ignore[no-untyped-def]
    return prepare_flows(seizure_like(route_tables()))


def _layers(deck) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    return {layer["id"].rsplit("-", 1)[0]: layer for layer in json.loads(deck.to_json())["layers"]}


def test_deck_is_offline_and_has_every_layer(base) -> None:  # type: ignore[no-untyped-def]
    data = map_data(base, MapOptions(mode="od"))
    spec = json.loads(route_deck(data).to_json())
    assert spec["mapStyle"] == BLANK_STYLE and spec.get("mapProvider") is None
    assert not re.findall(r"https?://", json.dumps(spec))
    layers = _layers(route_deck(data))
    assert set(layers) == {
        "countries",
        "borders",
        "hotspots",
        "inferred",
        "flows",
        "places",
        "labels",
        "highlight",
    }
    assert all(layers[k]["pickable"] for k in ("countries", "flows", "inferred", "places"))
    assert not layers["borders"]["pickable"]  # see route_deck: outlines must not take clicks
    tok = data.token
    assert all(layer["id"].endswith(tok) for layer in spec["layers"])


def test_arcs_colour_direction_width_and_inferred(base) -> None:  # type: ignore[no-untyped-def]
    data = map_data(base, MapOptions(mode="od", by="category"))
    arcs = _layers(route_deck(data))["flows"]["data"]
    by_key = {(a["origin"], a["destination"], a["commodity"]): a for a in arcs}
    tobacco = by_key[("BR", "ES", "tobacco")]
    drugs = by_key[("BR", "ES", "drugs")]
    assert tobacco["source_colour"] != tobacco["target_colour"]  # direction: pale origin, dark destination
    assert sum(tobacco["source_colour"][:3]) > sum(tobacco["target_colour"][:3])
    assert tobacco["target_colour"][:3] != drugs["target_colour"][:3]  # coloured by category
    assert tobacco["tilt"] != drugs["tilt"]  # categories of one pair fan out
    assert tobacco["width"] > drugs["width"]  # 2 cases against 1
    assert "2 cases" in tobacco["line1"] and "%" in tobacco["line1"]  # counts and share in the tooltip
    assert "sticks" in tobacco["line2"]  # quantities
    inferred = _layers(route_deck(data))["inferred"]["data"]
    assert [(a["origin"], a["destination"]) for a in inferred] == [("CO", "FR")]
    assert "inferred" in inferred[0]["label"]
    assert "inferred for 1" in by_key[("CO", "FR", "drugs")]["line3"]
    leg = legend_entries(data)
    assert set(leg["colours"]) == {"drugs", "tobacco"}
    assert leg["colours"]["drugs"][1][:3] != list(CATEGORY_COLOURS["drugs"])  # darker at the destination


def test_width_by_quantity_and_region_level(base) -> None:  # type: ignore[no-untyped-def]
    data = map_data(base, MapOptions(mode="od", by="none", width_by="quantity_sticks"))
    arcs = _layers(route_deck(data))["flows"]["data"]
    assert [(a["origin"], a["destination"]) for a in arcs] == [("BR", "ES")]  # only flows with sticks
    assert legend_entries(data)["width"] == "arc width: sticks"
    regional = map_data(base, MapOptions(mode="od", level="region"))
    arcs = _layers(route_deck(regional))["flows"]["data"]
    assert all(a["source"] != a["target"] for a in arcs)
    assert {a["destination"] for a in arcs} == {"Europe"}


def test_country_shading_and_places(base) -> None:  # type: ignore[no-untyped-def]
    data = map_data(base, MapOptions(shading="destined"))
    feats = {
        f["properties"]["key"]: f["properties"]
        for f in _layers(route_deck(data))["countries"]["data"]["features"]
    }
    assert "3 cases destined for" in feats["ES"]["line1"]
    assert feats["FR"]["line3"] == "of which destination inferred: 1"
    assert feats["ES"]["fill"] != feats["BR"]["fill"]
    places = _layers(route_deck(data))["places"]["data"]
    assert places[0]["key"] == "MAD" and places[0]["radius"] >= places[-1]["radius"]


def test_what_the_browser_gets_is_bounded_by_top_not_by_cases(seeded_sqlite: str) -> None:
    from workbench.store import open_store
    from workbench.store.frames import seizure_frame

    base = prepare_flows(seizure_frame(open_store(seeded_sqlite)))
    small = deck_bytes(route_deck(map_data(base, MapOptions(top=10))))
    large = deck_bytes(route_deck(map_data(base, MapOptions(top=300))))
    assert small < large < 3_000_000
    assert (
        len(
            json.loads(route_deck(map_data(base, MapOptions(top=10, by="none"))).to_json())["layers"][3][
                "data"
            ]
        )
        <= 10
    )


def test_png_and_html_exports(base) -> None:  # type: ignore[no-untyped-def]
    from io import BytesIO

    from PIL import Image

    data = map_data(base, MapOptions(mode="od"))
    png = map_png(data, title="Routes", subtitle="test", width=800, height=450)
    img = Image.open(BytesIO(png))
    assert img.size == (800, 450) and len(img.getcolors(1 << 20) or []) > 50
    html = map_html(route_deck(data), title="Routes <test>", subtitle="a & b", legend=legend_entries(data))
    assert "Routes &lt;test&gt;" in html and "createDeck(" in html
    start = html.index("<script>") + len("<script>")
    end = html.index("</script>", start)
    own = html[:start] + html[end:]
    assert not re.findall(r"https?://", own)
    assert "mapStyle" not in own.split("createDeck(")[1]  # no base map to fetch in the file
    assert "<link" not in own and 'src="' not in own


def test_arcs_and_places_are_sized_in_screen_pixels(base) -> None:  # type: ignore[no-untyped-def]
    """Units are constants deck.gl understands ("pixels", not the accessor "@@=pixels" that pydeck makes
    of a bare string and that left arcs in common units, growing with every zoom step), and arc widths
    run from the thinnest to the busiest within a fixed pixel range."""
    from workbench.routes.maps import ARC_PIXELS

    layers = _layers(route_deck(map_data(base, MapOptions(mode="od", by="category"))))
    for kind in ("flows", "inferred"):
        assert layers[kind]["widthUnits"] == "pixels"
        assert (layers[kind]["widthMinPixels"], layers[kind]["widthMaxPixels"]) == ARC_PIXELS
        widths = [a["width"] for a in layers[kind]["data"]]
        assert widths and all(ARC_PIXELS[0] <= w <= ARC_PIXELS[1] for w in widths)
    assert max(a["width"] for a in layers["flows"]["data"]) == ARC_PIXELS[1]  # the busiest arc
    assert layers["places"]["radiusUnits"] == "pixels"


def test_the_default_map_of_the_default_sample_stays_small() -> None:
    """On the 20,000-case default sample the first map the page draws is under 500 kB of JSON (it was
    540 kB with 800 place dots), and its JSON is made once per deck (Streamlit asks on every rerun)."""
    from tests.conftest import ROOT
    from workbench.exchange.seizures import read_seizure_frame
    from workbench.routes.maps import MAX_PLACES

    frame, _ = read_seizure_frame(ROOT / "sample_data" / "default")
    base = prepare_flows(frame)
    data = map_data(base, MapOptions(), (base.months[0], base.months[-1]))
    assert len(data.places) == MAX_PLACES
    deck = route_deck(data)
    assert deck_bytes(deck) < 500_000
    assert deck.to_json() is deck.to_json()


def test_a_pick_on_each_pickable_layer_decodes_to_what_lists_its_cases(base) -> None:  # type: ignore[no-untyped-def]
    """A click's picked object, as deck.gl reports it under the layer id the deck was built with, gives
    the selection whose cases the Routes page lists; a pick on a map drawn for other options does not."""
    from workbench.routes.flows import cases_behind, cases_table
    from workbench.routes.maps import selection_from_pick

    data = map_data(base, MapOptions(mode="od", highlight=("CO", "FR")))
    spec = json.loads(route_deck(data).to_json())
    picked = {}
    for layer in spec["layers"]:
        objs = layer["data"]["features"] if isinstance(layer["data"], dict) else layer["data"]
        if layer["id"].startswith("countries-"):  # a reporting country (most countries have no case)
            reporting = set(base.labels["reporting_country"])
            objs = [f for f in objs if f["properties"]["key"] in reporting]
        if layer.get("pickable") and objs:
            kind = layer["id"].rsplit("-", 1)[0]
            picked[kind] = selection_from_pick({layer["id"]: [objs[0]]}, data)
    assert set(picked) >= {"countries", "flows", "places"}
    assert {k: s.kind for k, s in picked.items() if s} == {
        "countries": "country",
        "flows": "flow",
        "places": "place",
        **({"inferred": "flow"} if "inferred" in picked else {}),
        **({"highlight": "flow"} if "highlight" in picked else {}),
    }
    for kind, selection in picked.items():
        rows = cases_behind(base, selection)
        assert len(rows) > 0, kind  # the pick points at cases of this data
        assert len(cases_table(base, rows)) == len(rows)
    other = map_data(base, MapOptions(mode="legs"))
    flows = next(layer for layer in spec["layers"] if layer["id"].startswith("flows-"))
    assert selection_from_pick({flows["id"]: flows["data"][:1]}, other) is None
