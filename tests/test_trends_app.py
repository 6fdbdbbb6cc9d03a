"""AppTest of the Trends and Standard statistics pages on the 3,000-case sample: build a chart, pick a
split, switch views, select an emerging flag, run and download standard reports."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

APP = str(ROOT / "app.py")


@pytest.fixture()
def app(seeded_sqlite: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("WORKBENCH_DB_URL", seeded_sqlite)
    monkeypatch.setenv("WORKBENCH_ROLE", "analyst")
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    assert not at.exception, at.exception
    return at


def _vega(at: AppTest, n: int = 0) -> dict:
    return json.loads(at.get("vega_lite_chart")[n].proto.spec)


def _open_tab(at: AppTest, label: str) -> None:
    """Open a tab of the Trends page (what a click does): only the open tab computes and draws."""
    at.session_state["trends_tab"] = label
    at.run()
    assert not at.exception, at.exception


def _chart_rows(at: AppTest, n: int = 0) -> list[dict]:
    """The rows a chart sends to the browser (Streamlit ships them as Arrow beside the spec)."""
    import pyarrow as pa

    el = at.get("vega_lite_chart")[n]
    rows: list[dict] = []
    for d in el.proto.datasets:
        rows += pa.ipc.open_stream(d.data.data).read_all().to_pylist()
    return rows


def test_trends_page_builds_a_chart_and_switches_split(app: AppTest) -> None:
    app.switch_page("pages/trends.py")
    app.run()
    assert not app.exception, app.exception
    assert app.title[0].value == "Trends"
    # the caveat is visible
    assert any("enforcement effort" in i.value for i in app.info)
    rows = _chart_rows(app)
    assert {r["series"] for r in rows} >= {"drugs", "tobacco"}  # split by commodity category by default
    # pick another split, a quarterly period and stacked bars
    app.selectbox(key="trends_split").set_value("transport_mode").run()
    app.selectbox(key="trends_freq").set_value("Q").run()
    app.selectbox(key="trends_view").set_value("stacked bars").run()
    assert not app.exception, app.exception
    spec = _vega(app)
    rows = _chart_rows(app)
    assert spec["mark"]["type"] == "bar"
    assert {r["series"] for r in rows} >= {"road", "air passenger"}
    assert all(r["period"][4] == "Q" for r in rows)  # 2024Q3
    # every case has one transport mode (or none stated), so the series add up to all 3,000 cases
    assert sum(r["value"] for r in rows) == 3000
    # small multiples of the quantity in one unit
    app.selectbox(key="trends_measure").set_value("quantity").run()
    app.selectbox(key="trends_view").set_value("small multiples").run()
    assert not app.exception, app.exception
    spec = _vega(app)
    assert "facet" in spec
    assert app.selectbox(key="trends_unit").value in ("kg", "sticks", "pieces", "items", "usd", "g", "l")


def test_trends_page_movers_methods_season_and_emerging(app: AppTest) -> None:
    app.switch_page("pages/trends.py")
    app.run()
    assert not app.exception, app.exception
    # only the open tab (the chart builder) computed and drew
    assert len(app.get("vega_lite_chart")) == 1
    assert app.selectbox(key="trends_split") is not None
    # each tab draws its chart when opened: movers, methods, (emerging: chart only once selected), season
    for label in ("Top movers", "Methods", "Seasonal profile"):
        _open_tab(app, label)
        assert len(app.get("vega_lite_chart")) == 1, label
    _open_tab(app, "Methods")
    app.selectbox(key="methods_method").set_value("concealment_method").run()
    app.selectbox(key="methods_value").set_value("quantity_share").run()
    assert not app.exception, app.exception
    _open_tab(app, "Seasonal profile")
    app.selectbox(key="season_freq").set_value("Q").run()
    _open_tab(app, "Emerging trends")
    app.selectbox(key="emerging_freq").set_value("Q").run()
    assert not app.exception, app.exception
    assert any("series flagged" in m.value for m in app.markdown)


@pytest.fixture(scope="module")
def default_store(default_sample_store: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A copy of the store holding the shipped default sample (20,000 cases, with planted emerging routes)."""
    from tests.conftest import copy_sqlite

    return copy_sqlite(default_sample_store, tmp_path_factory.mktemp("default") / "default.db")


def test_emerging_flags_link_to_their_chart_and_the_routes_map(
    default_store: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from workbench.store.filters import CaseFilter
    from workbench.ui.trends import routes_page_available

    monkeypatch.setenv("WORKBENCH_DB_URL", default_store)
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    at.switch_page("pages/trends.py")
    at.run()
    assert not at.exception, at.exception
    _open_tab(at, "Emerging trends")
    table = next(df for df in at.dataframe if "series" in df.value.columns)
    labels = table.value["series"].tolist()
    assert "cocaine by express courier into Western Europe" in labels
    n_charts = len(at.get("vega_lite_chart"))
    # select a flag (what a click on its row does) -> its chart and sentence appear
    state = at.session_state["_workbench_state"]
    state.extras["trends.flag"] = "cocaine by express courier into Western Europe"
    at.run()
    assert not at.exception, at.exception
    assert len(at.get("vega_lite_chart")) == n_charts + 1
    sentence = "cocaine by express courier into Western Europe: 128 cases in 2025Q4 against 39 expected (3.3×, p < 0.001)"
    assert any(m.value == sentence for m in at.markdown)
    if routes_page_available():
        at.button(key="emerging_to_routes").click().run()
        assert not at.exception, at.exception
        flt: CaseFilter = at.session_state["_workbench_state"].filter
        assert flt.commodity_types == ("cocaine",) and flt.transport_modes == ("express_courier",)
    else:
        assert any("Routes map is not part of this app" in c.value for c in at.caption)


def test_a_route_flag_hands_its_route_and_the_previous_filter_to_routes(
    default_store: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import datetime as dt

    from workbench.store.filters import CaseFilter
    from workbench.ui.trends import ROUTES_FOCUS, routes_page_available

    if not routes_page_available():
        pytest.skip("the Routes page is not part of this app")
    monkeypatch.setenv("WORKBENCH_DB_URL", default_store)
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    before = CaseFilter(date_from=dt.date(2020, 1, 1))
    state = at.session_state["_workbench_state"]
    state.filter = before
    at.switch_page("pages/trends.py")
    at.run()
    _open_tab(at, "Emerging trends")
    state = at.session_state["_workbench_state"]
    state.extras["trends.flag"] = "cocaine on the route Brazil → France"
    at.run()
    assert not at.exception, at.exception
    button = at.button(key="emerging_to_routes")
    assert button.label == "Show Brazil → France on the Routes map"
    button.click().run()
    assert not at.exception, at.exception
    state = at.session_state["_workbench_state"]
    focus = state.extras[ROUTES_FOCUS]
    assert (focus["origin"], focus["destination"], focus["commodity"]) == ("BR", "FR", "cocaine")
    assert focus["previous_filter"] == before
    # Routes pops "routes.previous_filter" once it has read it; either it is still there or Routes took it
    assert state.extras.get("routes.previous_filter", before) == before
    assert focus["filter"] == state.filter and state.filter.commodity_types == ("cocaine",)
    assert focus["label"] == "cocaine on the route Brazil → France" and focus["inferred"] is False
    assert state.selected_route == ("BR", "FR")


def test_statistics_page_runs_every_report(app: AppTest) -> None:
    from workbench.trends.statistics import REPORTS

    app.switch_page("pages/statistics.py")
    app.run()
    assert not app.exception, app.exception
    assert app.title[0].value == "Standard statistics"
    for key in REPORTS:
        app.selectbox(key="stats_report").set_value(key).run()
        assert not app.exception, (key, app.exception)
        assert len(app.dataframe) == 1, key
        assert app.dataframe[0].value.shape[0] > 0, key
        assert len(app.get("vega_lite_chart")) == (
            0 if REPORTS[key].build.__name__ == "_largest_seizures" else 1
        )
    app.button(key="stats_all").click().run()
    assert not app.exception, app.exception


def test_pages_say_so_when_no_case_matches(app: AppTest) -> None:
    from workbench.store.filters import CaseFilter

    app.session_state["_workbench_state"].filter = CaseFilter(commodity_types=("no_such_commodity",))
    for page in ("pages/trends.py", "pages/statistics.py"):
        app.switch_page(page)
        app.run()
        assert not app.exception, (page, app.exception)
        assert any("No case matches" in w.value for w in app.warning), page


def test_movers_under_a_period_filter_compare_whole_periods_with_a_year_before(app: AppTest) -> None:
    import datetime as dt

    from workbench.store.filters import CaseFilter

    state = app.session_state["_workbench_state"]
    state.filter = CaseFilter(date_from=dt.date(2024, 3, 1), date_to=dt.date(2024, 8, 31))
    app.switch_page("pages/trends.py")
    app.run()
    assert not app.exception, app.exception
    _open_tab(app, "Top movers")
    caption = next(c.value for c in app.caption if c.value.startswith("Cases in "))
    # the last whole quarter of Mar–Aug 2024 against the same quarter a year before (outside the filter)
    assert caption == "Cases in 2024Q2 (the last whole quarter of Mar–Aug 2024) against 2023Q2."
    movers = next(df.value for df in app.dataframe if "cases 2023Q2" in df.value.columns)
    assert list(movers.columns) == ["commodity type", "cases 2024Q2", "cases 2023Q2", "change", "change %"]
    assert len(movers) > 3 and movers["cases 2023Q2"].sum() > 0
    # a period holding no whole quarter says so instead of comparing a part of one
    state = app.session_state["_workbench_state"]
    state.filter = CaseFilter(date_from=dt.date(2024, 3, 15), date_to=dt.date(2024, 5, 31))
    app.run()
    assert any("holds no whole quarter" in i.value for i in app.info)


def test_empty_states_say_what_to_change(app: AppTest) -> None:
    import datetime as dt

    from workbench.store.filters import CaseFilter

    state = app.session_state["_workbench_state"]
    state.filter = CaseFilter(commodity_types=("no_such_commodity",))
    app.switch_page("pages/trends.py")
    app.run()
    assert not app.exception, app.exception
    for label in ("Chart builder", "Top movers", "Methods", "Seasonal profile", "Emerging trends"):
        _open_tab(app, label)
        assert len([w for w in app.warning if "No case matches" in w.value]) == 1, label  # the open tab's
    assert not any("rose beyond" in i.value for i in app.info)  # not "nothing rose": nothing is there
    state = app.session_state["_workbench_state"]
    state.filter = CaseFilter(date_from=dt.date(2024, 3, 10), date_to=dt.date(2024, 3, 20))
    app.run()
    assert not app.exception, app.exception
    assert any(w.value.startswith("Emerging trends need a longer period") for w in app.warning)


def test_the_trend_chart_says_its_period_and_filter(app: AppTest) -> None:
    """Issue 15: the Trends PNG carried neither the filter nor the period; the chart's own subtitle does."""
    from workbench.store.filters import CaseFilter

    app.session_state["_workbench_state"].filter = CaseFilter(commodity_categories=("tobacco",))
    app.switch_page("pages/trends.py")
    app.run()
    assert not app.exception, app.exception
    subtitle = _vega(app)["title"]["subtitle"]
    assert subtitle[0].startswith("Period: ") and "20" in subtitle[0]
    assert subtitle[1] == "Filter: commodity category: tobacco"


def test_trends_first_render_reads_no_seizure_frame(
    seeded_sqlite: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 22: every tab of the Trends page (builder, movers, methods, emerging, seasons) computes its
    figures in the database; the item-level seizure frame is not read, on the first render (the chart
    builder alone: only the open tab computes) nor when each tab opens. The methods' shares and the
    seasonal profile shown are those of the frame path."""
    from typing import Any

    import streamlit as st

    import workbench.store.frames as frames
    from workbench.store import open_store
    from workbench.trends.series import method_shares, seasonal_profile_of_largest

    monkeypatch.setenv("WORKBENCH_DB_URL", seeded_sqlite)
    monkeypatch.setenv("WORKBENCH_ROLE", "analyst")
    frame = frames.seizure_frame(open_store(seeded_sqlite))
    shares = method_shares(frame, "detection_method", "transport_mode")
    season = seasonal_profile_of_largest(frame, "M")
    st.cache_resource.clear()
    st.cache_data.clear()

    def forbidden(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the Trends page read the seizure frame")

    monkeypatch.setattr(frames, "seizure_frame", forbidden)
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    at.switch_page("pages/trends.py")
    at.run()
    assert not at.exception, at.exception
    assert len(at.get("vega_lite_chart")) == 1  # the builder's
    _open_tab(at, "Top movers")
    assert len(at.get("vega_lite_chart")) == 1
    _open_tab(at, "Emerging trends")
    assert any("series flagged" in m.value for m in at.markdown)
    _open_tab(at, "Methods")
    methods = next(d.value for d in at.dataframe if "share of cases" in d.value.columns)
    assert methods["cases"].tolist() == shares["cases"].tolist()
    _open_tab(at, "Seasonal profile")
    bars = _chart_rows(at, 0)
    shown = {r["label"]: round(r["index"], 9) for r in bars if "label" in r}
    assert shown == {lab: round(i, 9) for lab, i in zip(season["label"], season["index"], strict=True)}


def test_statistics_reports_read_no_seizure_frame(
    seeded_sqlite: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 22: the Standard statistics page's reports compute their figures in the database; only the
    two that list routes and seizures read the seizure frame. The first report shown is the frame path's."""
    from typing import Any

    import streamlit as st

    import workbench.store.frames as frames
    from workbench.store import open_store
    from workbench.trends.statistics import REPORTS, run_report

    monkeypatch.setenv("WORKBENCH_DB_URL", seeded_sqlite)
    monkeypatch.setenv("WORKBENCH_ROLE", "analyst")
    expected = run_report("commodity_region_year", frames.seizure_frame(open_store(seeded_sqlite))).table
    st.cache_resource.clear()
    st.cache_data.clear()

    def forbidden(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the Standard statistics page read the seizure frame")

    monkeypatch.setattr(frames, "seizure_frame", forbidden)
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    at.switch_page("pages/statistics.py")
    at.run()
    assert not at.exception, at.exception
    assert at.selectbox(key="stats_report").value == "commodity_region_year"
    assert at.dataframe[0].value.equals(expected)
    for key in REPORTS:
        if key in ("top_routes_per_commodity", "largest_seizures"):
            continue
        at.selectbox(key="stats_report").set_value(key).run()
        assert not at.exception, (key, at.exception)
        assert at.dataframe[0].value.shape[0] > 0, key
