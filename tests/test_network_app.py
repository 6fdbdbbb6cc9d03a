"""AppTest of the Network and Duplicates pages on the seeded sample."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

APP = str(ROOT / "app.py")


@pytest.fixture()
def app(seeded_sqlite: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("WORKBENCH_DB_URL", seeded_sqlite)
    monkeypatch.setenv("WORKBENCH_ROLE", "analyst")
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    return at


def _planted_member(small_sample) -> str:  # type: ignore[no-untyped-def]
    net = next(n for n in small_sample.truth["networks"] if n["kind"] == "shared_phone")
    return net["shared"]["phone"]


def test_network_page_searches_draws_and_expands(app: AppTest, small_sample) -> None:  # type: ignore[no-untyped-def]
    app.switch_page("pages/network.py")
    app.run()
    assert not app.exception, app.exception
    metrics = {m.label: m.value for m in app.metric}
    assert int(metrics["Cases"].replace(",", "")) == 3000
    assert int(metrics["Persons"].replace(",", "")) > 0
    app.text_input(key="net_seed_text").set_value(_planted_member(small_sample)).run()
    assert not app.exception, app.exception
    ex = app.session_state["_workbench_state"].extras
    assert ex["network.seed"].startswith("phone:")
    # the entity card lists the couriers' cases
    assert any("case(s)" in m.value for m in app.markdown)
    before = len(ex.get("network.expanded", []))
    app.button(key="net_expand").click().run()
    assert not app.exception, app.exception
    assert len(app.session_state["_workbench_state"].extras["network.expanded"]) == before + 1


def test_network_tabs_rankings_and_communities(app: AppTest) -> None:
    app.switch_page("pages/network.py")
    app.run()
    frames = app.dataframe
    assert len(frames) >= 2  # communities and rankings tables
    assert not app.exception


def test_network_page_for_viewer_hides_personal_nodes(seeded_sqlite: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKBENCH_DB_URL", seeded_sqlite)
    monkeypatch.setenv("WORKBENCH_ROLE", "viewer")
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("pages/network.py")
    at.run()
    assert not at.exception, at.exception
    labels = {m.label for m in at.metric}
    assert "Persons" not in labels and "Cases" in labels
    assert any("personal data" in i.value for i in at.info)
