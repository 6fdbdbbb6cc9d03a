"""AppTest of the Routes page: it draws on the sample, the period slider and the step buttons change
what is drawn, a pick on the map fills the cases table and survives reruns, the page honours the
shared filter it is sent with, and the exports are offered."""

from __future__ import annotations

import json
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT
from workbench.routes.flows import month_label

APP = str(ROOT / "app.py")


@pytest.fixture()
def at(seeded_sqlite: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("WORKBENCH_DB_URL", seeded_sqlite)
    monkeypatch.setenv("WORKBENCH_ROLE", "analyst")
    app = AppTest.from_file(APP, default_timeout=90)
    app.run()
    app.switch_page("pages/routes.py")
    app.run()
    assert not app.exception, app.exception
    return app


def _spec(at: AppTest) -> dict[str, Any]:
    return json.loads(at.get("deck_gl_json_chart")[0].proto.json)


def _layer(at: AppTest, kind: str) -> dict[str, Any]:
    return next(layer for layer in _spec(at)["layers"] if layer["id"].startswith(f"{kind}-"))


def _pick(at: AppTest, kind: str, index: int) -> None:
    """What the browser sends when a user clicks object ``index`` of a layer: the chart's widget
    state. AppTest has no click for charts, so the state is handed to the next run directly."""
    deck = at.get("deck_gl_json_chart")[0]
    layer = _layer(at, kind)
    obj = layer["data"]["features"][index] if kind == "countries" else layer["data"][index]
    states = at._tree.get_widget_states()
    w = states.widgets.add()
    w.id = deck.proto.id
    w.string_value = json.dumps(
        {"selection": {"indices": {layer["id"]: [index]}, "objects": {layer["id"]: [obj]}}}
    )
    at._run(states)
    assert not at.exception, at.exception


def _state(at: AppTest):  # type: ignore[no-untyped-def]
    return at.session_state["_workbench_state"]


def test_page_draws_the_map(at: AppTest) -> None:
    assert at.title[0].value == "Routes"
    flows = _layer(at, "flows")
    assert len(flows["data"]) > 5
    assert _spec(at)["mapStyle"] == "/app/static/blank_style.json"
    assert any("pale (origin)" in c.value for c in at.caption)
    assert {t.label for t in at.tabs} == {"Hubs", "Emerging routes", "Flows", "Export"}
    assert len(at.get("download_button")) >= 3  # flows CSV, PNG, HTML


def test_period_slider_and_steps_change_the_window(at: AppTest) -> None:
    slider = at.select_slider(key="routes_month")
    assert slider.options[-1] == month_label(slider.value)  # the last month first: the whole period
    token_all = _layer(at, "flows")["id"]
    at.selectbox(key="routes_window").set_value("3 months").run()
    target = slider.value - 24
    at.select_slider(key="routes_month").set_value(target).run()
    assert not at.exception
    assert _layer(at, "flows")["id"] != token_all  # new data, new layer ids (an old pick is dropped)
    assert at.select_slider(key="routes_month").value == target
    assert all("in the period" in a["line1"] for a in _layer(at, "flows")["data"])
    before = at.select_slider(key="routes_month").value
    at.button(key="routes_back").click().run()
    assert month_label(at.select_slider(key="routes_month").value) < month_label(before)
    at.button(key="routes_fwd").click().run()
    assert at.select_slider(key="routes_month").value == before
    # play: the button turns into Pause and the fragment gets its timer; Pause stops it
    at.button(key="routes_play").click().run()
    assert _state(at).extras.get("routes.playing") is True
    assert at.button(key="routes_play").label == "Pause"
    at.button(key="routes_play").click().run()
    assert not _state(at).extras.get("routes.playing")


def test_a_pick_fills_the_cases_table_and_survives_reruns(at: AppTest) -> None:
    assert any("Nothing selected" in c.value for c in at.caption)
    first = _layer(at, "flows")["data"][0]
    _pick(at, "flows", 0)
    heads = [s.value for s in at.subheader]
    assert any(h.endswith("(" + first["commodity"] + ")") and " cases: leg " in h for h in heads), heads
    table = at.dataframe[0].value
    assert len(table) > 0 and {"case_id", "reporting_country", "route", "goods"} <= set(table.columns)
    n_all = int(next(h for h in heads if " cases: " in h).split(" cases")[0].replace(",", ""))
    # a rerun from another widget keeps the selection; a shorter window narrows its cases
    at.selectbox(key="routes_window").set_value("12 months").run()
    heads = [s.value for s in at.subheader]
    n_year = int(next(h for h in heads if " cases: " in h).split(" cases")[0].replace(",", ""))
    assert 0 <= n_year <= n_all
    # switching page and back keeps it too
    at.switch_page("pages/overview.py").run()
    at.switch_page("pages/routes.py").run()
    assert any(" cases: leg " in s.value for s in at.subheader)
    at.button(key="routes_clear").click().run()
    assert not any(" cases: " in s.value for s in at.subheader)


def test_pick_a_country_and_a_place(at: AppTest) -> None:
    features = _layer(at, "countries")["data"]["features"]
    es = next(i for i, f in enumerate(features) if f["properties"]["key"] == "ES")
    _pick(at, "countries", es)
    assert any(s.value.endswith("cases reported by Spain") for s in at.subheader)
    _pick(at, "places", 0)
    assert any(": place of seizure " in s.value for s in at.subheader)
    # a place known only by its coordinates is titled by its name and country, not "@lat,lon"
    places = _layer(at, "places")["data"]
    cell = next(i for i, p in enumerate(places) if p["key"].startswith("@"))
    _pick(at, "places", cell)
    head = next(s.value for s in at.subheader if ": place of seizure " in s.value)
    assert "@" not in head and head.endswith(places[cell]["label"]), head
    assert "@" not in places[cell]["label"] and ", " in places[cell]["label"]


def test_arrival_with_a_filter_from_another_page(at: AppTest) -> None:
    """The Trends page sets the shared filter, then switch_page("pages/routes.py")."""
    import datetime as dt

    from workbench.store.filters import CaseFilter

    at.switch_page("pages/overview.py").run()
    _state(at).filter = CaseFilter(commodity_categories=("tobacco",), date_from=dt.date(2023, 1, 1))
    at.switch_page("pages/routes.py").run()
    assert not at.exception
    assert "commodity category: tobacco" in at.caption[0].value
    cats = {a["commodity"] for a in _layer(at, "flows")["data"]}
    assert cats == {"tobacco"}
    slider = at.select_slider(key="routes_month")
    assert slider.options[0] >= "2023-01"
    assert month_label(slider.value) == slider.options[-1]  # the whole period of the filter is shown


def test_hubs_and_emerging_tabs(at: AppTest) -> None:
    tables = [d.value for d in at.dataframe]
    hubs = next(t for t in tables if "transit_cases" in t.columns)
    assert len(hubs) > 0 and hubs["transit_cases"].is_monotonic_decreasing
    # by default (the map shows all months) the emerging routes compare the last 12 months with the 12
    # before: the planted routes show without touching a setting
    assert at.selectbox(key="routes_window").value == "cumulative"
    emerging = next(t for t in (d.value for d in at.dataframe) if "evidence" in t.columns)
    assert len(emerging) > 0 and {"before", "after", "rise", "growth", "status"} <= set(emerging.columns)
    assert emerging["rise"].is_monotonic_decreasing
    growth = emerging["growth"].astype(str)
    assert not growth.str.contains("inf", case=False).any()  # a new route says "new"
    assert (growth[emerging["status"] == "new"] == "new").all()
    # thresholds nothing meets: the tab says why and what to change
    at.number_input(key="routes_min_cases").set_value(1000).run()
    note = next(i.value for i in at.info if "No route has at least 1000 cases" in i.value)
    assert "Lower **At least cases**" in note
    # a comparison that starts with the data says so
    at.number_input(key="routes_min_cases").set_value(5).run()
    slider = at.select_slider(key="routes_month")
    slider.set_value(slider.value - (len(slider.options) - 1)).run()  # the first month of the data
    assert not at.exception
    assert any("no months before" in i.value for i in at.info)


def test_the_selection_survives_opening_a_case_and_coming_back(at: AppTest) -> None:
    """A row of the cases table opens the case on the Cases page; back on Routes the pick is still there."""
    _pick(at, "flows", 0)
    head = next(s.value for s in at.subheader if " cases: " in s.value)
    table = at.dataframe[0].value
    row = table.iloc[0]
    _state(at).selected_case = (str(row["reporting_country"]), str(row["case_id"]))  # what open_case does
    at.switch_page("pages/cases.py").run()
    assert not at.exception
    at.switch_page("pages/routes.py").run()
    assert not at.exception
    assert head in [s.value for s in at.subheader]
    assert _state(at).extras["routes.selection"].kind == "flow"
    # a later rerun on the same data, with the chart still showing nothing picked, keeps it too
    at.selectbox(key="routes_hotspots").set_value("off").run()
    at.selectbox(key="routes_hotspots").set_value("heatmap").run()
    assert any(" cases: " in s.value for s in at.subheader)


def test_a_route_sent_by_trends_is_highlighted_and_clear_restores_the_filter(at: AppTest) -> None:
    """What the Trends page's "Show on the Routes map" does: narrow the shared filter, set
    ``selected_route`` and switch to Routes. The route is drawn in gold and selected; Clear restores
    the filter in force before."""
    import datetime as dt

    from workbench.store.filters import CaseFilter

    mine = CaseFilter(date_from=dt.date(2020, 1, 1))
    at.switch_page("pages/overview.py").run()
    _state(at).filter = mine
    at.switch_page("pages/routes.py").run()  # the user looks at Routes with their own filter
    at.switch_page("pages/trends.py").run()
    assert not at.exception
    flows = _layer(at, "flows")["data"] if at.get("deck_gl_json_chart") else []
    assert not flows  # on Trends now
    origin, destination = "CO", "ES"
    narrowed = mine.replace(commodity_types=("cocaine",), date_from=dt.date(2023, 1, 1))
    _state(at).filter = narrowed
    _state(at).selected_route = (origin, destination)
    at.switch_page("pages/routes.py").run()
    assert not at.exception
    gold = _layer(at, "highlight")["data"]
    assert [(a["origin"], a["destination"]) for a in gold] == [(origin, destination)]
    assert any(" cases: route Colombia → Spain" in s.value for s in at.subheader), [
        s.value for s in at.subheader
    ]
    notice = next(i.value for i in at.info if "drawn in gold" in i.value)
    assert "commodity type: cocaine" in notice and mine.describe() in notice
    # a rerun of the map keeps it; then Clear puts the user's own filter back and drops the highlight
    at.selectbox(key="routes_hotspots").set_value("off").run()
    assert _layer(at, "highlight")["data"]
    at.button(key="routes_clear_sent").click().run()
    assert not at.exception
    assert _state(at).filter == mine
    assert not _layer(at, "highlight")["data"]
    assert not any(" cases: route Colombia" in s.value for s in at.subheader)
    assert not any("drawn in gold" in i.value for i in at.info)


def test_a_previous_filter_left_by_the_sender_is_what_clear_restores(at: AppTest) -> None:
    import datetime as dt

    from workbench.store.filters import CaseFilter
    from workbench.ui.routes import PREVIOUS_FILTER_KEY

    theirs = CaseFilter(transport_modes=("sea_container",))
    at.switch_page("pages/overview.py").run()
    _state(at).extras[PREVIOUS_FILTER_KEY] = theirs
    _state(at).filter = theirs.replace(date_from=dt.date(2024, 1, 1))
    _state(at).selected_route = ("BR", "NL")
    at.switch_page("pages/routes.py").run()
    at.button(key="routes_clear_sent").click().run()
    assert _state(at).filter == theirs


def test_the_map_fits_the_filtered_data(at: AppTest) -> None:
    """Issue 15: the map stayed on the whole world whatever the filter; it fits the drawn flows and
    fits again when the filter changes."""
    from workbench.routes.maps import DEFAULT_VIEW
    from workbench.store.filters import CaseFilter

    world = _spec(at)["initialViewState"]
    _state(at).filter = CaseFilter(wco_regions=("Europe",), transport_modes=("road",))
    at.run()
    assert not at.exception, at.exception
    view = _spec(at)["initialViewState"]
    assert view != world and view["zoom"] > DEFAULT_VIEW["zoom"]
    # the flows drawn lie inside the view's longitudes (a 1200 px wide frame at this zoom)
    span = 1200 * 360 / (512 * 2 ** view["zoom"])
    lons = [
        p
        for layer in _spec(at)["layers"]
        if layer["id"].startswith("flows-")
        for f in layer["data"]
        for p in (f["source"][0], f["target"][0])
    ]
    assert lons and all(abs(lon - view["longitude"]) <= span / 2 + 1 for lon in lons)


def test_first_render_reads_no_seizure_frame_and_shows_the_same_flows(
    seeded_sqlite: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 22: the page's flows are grouped in the database and the rest comes from one row per case;
    the item-level seizure frame is read only to list the cases behind a selection. The flows drawn and
    tabled are those the frame path gives."""
    import streamlit as st

    import workbench.store.frames as frames
    from workbench.routes.flows import prepare_flows, route_flows
    from workbench.store import open_store

    monkeypatch.setenv("WORKBENCH_DB_URL", seeded_sqlite)
    monkeypatch.setenv("WORKBENCH_ROLE", "analyst")
    store = open_store(seeded_sqlite)
    base = prepare_flows(frames.seizure_frame(store))
    expected = route_flows(
        base, "legs", "country", "category", (base.months[0], base.months[-1]), top=40, include_internal=False
    )
    st.cache_resource.clear()
    st.cache_data.clear()
    real = frames.seizure_frame

    def forbidden(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the Routes page read the seizure frame")

    monkeypatch.setattr(frames, "seizure_frame", forbidden)
    app = AppTest.from_file(APP, default_timeout=90)
    app.run()
    app.switch_page("pages/routes.py")
    app.run()
    assert not app.exception, app.exception
    shown = next(d.value for d in app.dataframe if "value_usd" in d.value.columns)
    assert len(shown) == len(expected) > 5
    assert shown["cases"].tolist() == expected["cases"].tolist()
    assert all(o.endswith(f"({c})") for o, c in zip(shown["origin"], expected["origin"], strict=True))
    assert all(
        d.endswith(f"({c})") for d, c in zip(shown["destination"], expected["destination"], strict=True)
    )
    assert shown["commodity_category"].tolist() == expected["commodity_category"].tolist()
    assert len(_layer(app, "flows")["data"]) > 5
    assert any("transit_cases" in d.value.columns and len(d.value) for d in app.dataframe)  # hubs
    # a pick lists its cases: only now is the seizure frame read
    monkeypatch.setattr(frames, "seizure_frame", real)
    _pick(app, "flows", 0)
    assert any(" cases: leg " in s.value for s in app.subheader)
