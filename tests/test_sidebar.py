"""The filter sidebar, built from the declaration: one widget per criterion with its label, help and the
options the store offers; a value chosen in a widget puts the filter in force, and every page that
shows data shows it filtered."""

from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT
from workbench.i18n import code_label
from workbench.store import open_store
from workbench.store.criteria import CRITERIA, offered_values
from workbench.store.filters import CaseFilter
from workbench.store.queries import filter_options
from workbench.ui.navigation import discover_pages
from workbench.ui.sidebar import option_label

#: Pages that show no data of the store, so no filter (indicator register, submissions, admin).
UNFILTERED = {
    "pages/indicators.py",
    "pages/submissions.py",
    "pages/admin.py",
    "pages/audit.py",
    "pages/course.py",  # training: courses and exercises, no case data of the store shown
    "pages/exercise.py",
    "pages/operations.py",
    "pages/products.py",  # the register of products, each with its own parameters
    "pages/briefing.py",  # a product states its own region, period and commodity (kept with it)  # an operation's own submissions and messages, not the store's cases
}
PAGES = [p.path for specs in discover_pages(ROOT).values() for p in specs]


def sidebar_only() -> None:
    """The sidebar alone, with the filter in force written below it."""
    import streamlit as st

    from workbench.ui.sidebar import filter_sidebar

    st.caption("in force: " + filter_sidebar().describe())


@pytest.fixture()
def sidebar(seeded_sqlite: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("WORKBENCH_DB_URL", seeded_sqlite)
    monkeypatch.setenv("WORKBENCH_ROLE", "analyst")
    at = AppTest.from_function(sidebar_only, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


def _in_force(at: AppTest) -> CaseFilter:
    flt: CaseFilter = at.session_state["_workbench_state"].filter
    return flt


def test_every_criterion_has_its_widget_and_filters(sidebar: AppTest, seeded_sqlite: str) -> None:
    """For each declared criterion: a widget with its label, help and options; choosing in it puts the
    filter in force; reset clears it."""
    options = filter_options(open_store(seeded_sqlite))
    for c in CRITERIA:
        widget = (
            sidebar.date_input(key=f"flt_{c.name}")
            if c.kind == "period"
            else sidebar.multiselect(key=f"flt_{c.name}")
        )
        assert widget.label == c.title() and widget.help == c.help_text()
        if c.kind == "period":
            lo, hi = options[c.name]
            chosen: tuple[dt.date, dt.date] = (lo + dt.timedelta(days=100), hi)
            widget.set_value(chosen).run()
            expected = CaseFilter(**{c.fields[0]: chosen[0]})  # the data's last day is no bound
        else:
            offered = offered_values(c, options, CaseFilter())
            # a country or region by its label, a code of the taxonomy or an enumeration by its own
            assert widget.options == [option_label(c)(v) for v in offered]
            widget.set_value(offered[:2]).run()
            expected = CaseFilter(**{c.fields[0]: tuple(offered[:2])})
        assert not sidebar.exception, sidebar.exception
        assert _in_force(sidebar) == expected
        assert sidebar.caption[0].value == "in force: " + expected.describe()
        sidebar.button[0].click().run()  # reset
        assert _in_force(sidebar) == CaseFilter()


def test_a_narrowing_criterion_limits_the_next_list(sidebar: AppTest, seeded_sqlite: str) -> None:
    items = open_store(seeded_sqlite)
    from workbench.store.queries import load_items

    tobacco = set(load_items(items).query("commodity_category == 'tobacco'")["commodity_type"])
    sidebar.multiselect(key="flt_commodity_category").set_value(["tobacco"]).run()
    # the list shows each type by its label (code_label: the code with spaces in English)
    assert set(sidebar.multiselect(key="flt_commodity_type").options) == {code_label(t) for t in tobacco}


def test_a_filter_set_by_a_page_shows_in_the_widgets(sidebar: AppTest) -> None:
    """A page changes the filter in force (e.g. "show this trend on the map"): the widgets follow, even
    with a value the store's options lack."""
    flt = CaseFilter(date_from="2022-01-01", departure_countries=("CO", "ZZ"), detection_methods=("scanner",))
    sidebar.session_state["_workbench_state"].filter = flt
    sidebar.run()
    assert sidebar.multiselect(key="flt_departure_country").value == ["CO", "ZZ"]
    assert sidebar.multiselect(key="flt_detection_method").value == ["scanner"]
    assert sidebar.date_input(key="flt_period").value[0] == dt.date(2022, 1, 1)
    assert _in_force(sidebar) == flt


def test_the_sidebar_filters_every_page(
    store_copy: str, small_sample, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """A category chosen in the app's sidebar is in force on every page, and each page that shows data
    says so (its filter caption, or on the risk pages how the filter reads on traffic)."""
    from workbench.risk.samples import load_risk_sample
    from workbench.risk.traffic import generate_traffic, store_traffic

    store = open_store(store_copy)  # the risk pages need traffic and indicators in force
    store_traffic(store, generate_traffic(small_sample, innocent_per_seizure=2), "gen")
    load_risk_sample(store, traffic=False)
    monkeypatch.setenv("WORKBENCH_DB_URL", store_copy)
    monkeypatch.setenv("WORKBENCH_ROLE", "analyst")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.run()
    n_all = int(next(m.value for m in at.metric if m.label == "Cases").replace(",", ""))
    at.sidebar.multiselect(key="flt_commodity_category").set_value(["tobacco"]).run()
    tobacco = CaseFilter(commodity_categories=("tobacco",))
    assert _in_force(at) == tobacco
    assert 0 < int(next(m.value for m in at.metric if m.label == "Cases").replace(",", "")) < n_all
    assert UNFILTERED < set(PAGES)
    for page in PAGES:
        at.switch_page(page)
        at.run()
        assert not at.exception, (page, at.exception)
        assert _in_force(at) == tobacco, page
        if page in UNFILTERED:
            continue
        shown = [e.value for e in (*at.caption, *at.info)]
        assert any("commodity category: tobacco" in s or "commodity category tobacco" in s for s in shown), (
            page,
            shown[:5],
        )


def test_declared_words_reach_the_widgets_in_the_language_in_force(
    sidebar: AppTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Labels are looked up when the sidebar is drawn (not when the declaration is imported)."""
    import workbench.store.criteria as criteria

    seen: list[str] = []

    def recording(message: str, /, **values: object) -> str:
        seen.append(message)
        return message.format(**values) if values else message

    monkeypatch.setattr(criteria, "_", recording)
    sidebar.run()
    assert {c.label for c in CRITERIA} <= set(seen)
