"""AppTest of the app shell: every page opens on the sample, filters persist across pages, personal
data is hidden from roles that may not see it, and the Data page imports an upload."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT
from workbench.ui.navigation import NavError, discover_pages, parse_nav

APP = str(ROOT / "app.py")
PAGES = [p.path for specs in discover_pages(ROOT).values() for p in specs]


@pytest.fixture()
def app(seeded_sqlite: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("WORKBENCH_DB_URL", seeded_sqlite)
    monkeypatch.setenv("WORKBENCH_ROLE", "analyst")
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


def test_every_page_file_is_in_the_navigation() -> None:
    files = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "pages").glob("*.py"))
    assert sorted(PAGES) == files
    assert sum(p.default for specs in discover_pages(ROOT).values() for p in specs) == 1


@pytest.mark.parametrize(
    "line",
    [
        "# nav: title=No section",
        "# nav: section=Nowhere; title=X",
        "# nav: section=Analysis",
        "# nav: section=Analysis; title=X; order=first",
        "# nav: section=Analysis; title=X; colour=red",
        "# nav: section=Analysis; title",
        "# nav: section=Analysis; title=X; roles=boss",
        "# nav: section=Analysis; title=X; roles=",
    ],
)
def test_bad_nav_lines_name_the_page(line: str) -> None:
    with pytest.raises(NavError, match="pages/x.py"):
        parse_nav(line, "pages/x.py")


@pytest.mark.parametrize("page", PAGES)
def test_every_page_opens(open_app, seeded_sqlite: str, page: str) -> None:  # type: ignore[no-untyped-def]
    # a page that needs an action an analyst may not do (the Admin page: administer) opens for an admin
    at = open_app(
        seeded_sqlite,
        page,
        role="admin" if page in ("pages/admin.py", "pages/audit.py", "pages/course.py") else "analyst",
        timeout=60,
    )
    assert not at.exception, at.exception
    assert at.title, f"{page} shows no title"


def test_overview_figures(app: AppTest) -> None:
    metrics = {m.label: m.value for m in app.metric}
    assert int(metrics["Cases"].replace(",", "")) == 3000
    assert len(app.get("vega_lite_chart")) >= 2


def test_filter_persists_across_pages(app: AppTest) -> None:
    # AppTest does not carry widget values of the entry script across runs under st.navigation (the
    # real browser does: tests/browser/test_shell.py); set the shared filter the way pages do.
    from workbench.store.filters import CaseFilter

    app.session_state["_workbench_state"].filter = CaseFilter(commodity_categories=("tobacco",))
    app.run()
    n_tobacco = int(next(m.value for m in app.metric if m.label == "Cases").replace(",", ""))
    assert 0 < n_tobacco < 3000
    app.switch_page("pages/cases.py")
    app.run()
    assert "commodity category: tobacco" in app.caption[0].value
    app.switch_page("pages/overview.py")
    app.run()
    assert int(next(m.value for m in app.metric if m.label == "Cases").replace(",", "")) == n_tobacco


def test_case_search_and_detail(app: AppTest, seeded_sqlite: str) -> None:
    from workbench.store import open_store
    from workbench.store.queries import load_cases
    from workbench.ui.state import AppState

    case = load_cases(open_store(seeded_sqlite), limit=1).iloc[0]
    app.switch_page("pages/cases.py")
    app.run()
    app.text_input(key="case_search").set_value(case["case_id"]).run()
    assert not app.exception
    state: AppState = app.session_state["_workbench_state"]
    state.selected_case = (case["reporting_country"], case["case_id"])
    app.run()
    assert any("Route:" in m.value for m in app.markdown)
    assert any(s.value.startswith(f"Case {case['case_id']}") for s in app.subheader)


def test_personal_data_hidden_for_viewer(seeded_sqlite: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from workbench.store import open_store
    from workbench.store.queries import load_cases

    monkeypatch.setenv("WORKBENCH_DB_URL", seeded_sqlite)
    monkeypatch.setenv("WORKBENCH_ROLE", "viewer")
    case = load_cases(open_store(seeded_sqlite), limit=1).iloc[0]
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("pages/cases.py")
    at.run()
    at.session_state["_workbench_state"].selected_case = (case["reporting_country"], case["case_id"])
    at.run()
    assert not at.exception
    assert any("personal data" in i.value for i in at.info)
    assert not any(m.value == "**Persons**" for m in at.markdown)


def test_menus_offer_each_role_its_pages() -> None:
    """Issue 15: Duplicates (persons and companies) stayed in the viewer's menu and was empty."""
    from workbench.identity import Principal
    from workbench.ui.navigation import pages_for

    titles = {
        role: {
            p.title
            for specs in pages_for(
                Principal(role, "X", frozenset({role}), personal=True), discover_pages(ROOT)
            ).values()
            for p in specs
        }
        for role in ("analyst", "steward", "trainer", "rilo", "viewer")
    }
    assert "Duplicates" in titles["analyst"] and "Duplicates" in titles["steward"]
    assert "Duplicates" not in titles["viewer"] and "Duplicates" not in titles["rilo"]
    assert {"Overview", "Cases", "Routes", "Network", "Trends"} <= titles["viewer"]
    # Risk pages for the roles that may write or approve indicators (RILO may both), none for a viewer
    risk = {"Indicators", "Back-test", "Scoring"}
    assert all(risk <= titles[r] for r in ("analyst", "steward", "trainer", "rilo"))
    assert not risk & titles["viewer"]


@pytest.mark.parametrize("role", ["rilo", "viewer"])
def test_case_detail_shows_remarks_as_the_roles_export_does(
    role: str, seeded_sqlite: str, small_sample, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 15: RILO could not read a case's remarks in the detail though its own (non-personal) export
    carried them scrubbed; the detail now shows exactly the export's text."""
    from workbench.exchange.exports import export_tables
    from workbench.identity import Principal
    from workbench.store import open_store
    from workbench.store.filters import CaseFilter

    rc, cid = small_sample.truth["remarks_with_personal_data"][0]
    exported = export_tables(
        open_store(seeded_sqlite),
        "non_personal",
        CaseFilter(reporting_countries=(rc,)),
        actor=Principal("exporter", "X", frozenset({"rilo"}), mode="local"),  # what a RILO's export holds
    )["cases"]
    remarks = exported.loc[exported["case_id"] == cid, "remarks"].iloc[0]
    raw = small_sample.tables["cases"].set_index(["reporting_country", "case_id"]).loc[(rc, cid), "remarks"]
    assert remarks and remarks != raw  # the export scrubbed a name or number out of it
    monkeypatch.setenv("WORKBENCH_DB_URL", seeded_sqlite)
    monkeypatch.setenv("WORKBENCH_ROLE", role)
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("pages/cases.py")
    at.run()
    at.session_state["_workbench_state"].selected_case = (rc, cid)
    at.run()
    assert not at.exception, at.exception
    shown = [m.value for m in at.markdown if m.value.startswith("**Remarks")]
    assert shown == [f"**Remarks (personal data scrubbed, as in the non-personal export):** {remarks}"]
    assert raw not in " ".join(m.value for m in at.markdown)
