"""AppTest of the Risk pages: each opens; the editor's live counts follow a changed condition and saving
makes a new version; someone other than the author approves; back-test and scoring in both engines."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

APP = str(ROOT / "app.py")
PAGES = ("pages/indicators.py", "pages/backtest.py", "pages/scoring.py")


@pytest.fixture()
def risk_db(seeded_sqlite: str, tmp_path: Path) -> str:
    """A private copy of the seeded store (the shared one stays read-only)."""
    db = tmp_path / "risk.db"
    src, dst = sqlite3.connect(seeded_sqlite.removeprefix("sqlite:///")), sqlite3.connect(db)
    try:
        src.backup(dst)
    finally:  # closed, not only committed: an open handle beside the WAL-mode engines breaks them
        dst.close()
        src.close()
    return f"sqlite:///{db}"


def _app(monkeypatch: pytest.MonkeyPatch, url: str, user: str = "ann", role: str = "analyst") -> AppTest:
    monkeypatch.setenv("WORKBENCH_DB_URL", url)
    monkeypatch.setenv("WORKBENCH_USER", user)
    monkeypatch.setenv("WORKBENCH_ROLE", role)
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    assert not at.exception, at.exception
    return at


def _open(at: AppTest, page: str) -> AppTest:
    at.switch_page(page)
    at.run()
    assert not at.exception, at.exception
    return at


def _tab(at: AppTest, label: str) -> AppTest:
    """Open a tab of the Indicators page (a keyed tab bar: only the open tab runs)."""
    at.session_state["risk_tab"] = label
    at.run()
    assert not at.exception, at.exception
    return at


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


@pytest.mark.parametrize("page", PAGES)
def test_each_page_opens_empty_then_with_the_sample(monkeypatch, risk_db: str, page: str) -> None:  # type: ignore[no-untyped-def]
    at = _open(_app(monkeypatch, risk_db), page)
    assert at.title[0].value in ("Indicators", "Back-test", "Scoring")
    at.button(key="risk_load_sample").click().run()
    assert not at.exception, at.exception
    assert any("Loaded 15 sample indicators" in s.value for s in at.success)
    if page == "pages/backtest.py":
        m = _metrics(at)
        assert m["Movements"] == "39,494" and m["Seized"] == "1,519"
        assert len(at.get("vega_lite_chart")) == 1
    if page == "pages/scoring.py":
        m = _metrics(at)
        assert int(m["Flagged for control"].replace(",", "")) > 100


def test_edit_live_count_save_review_approve(monkeypatch, risk_db: str) -> None:  # type: ignore[no-untyped-def]
    from workbench.risk.registry import indicator_versions
    from workbench.store import AuditEntry, open_store

    at = _open(_app(monkeypatch, risk_db, "ann"), "pages/indicators.py")
    at.button(key="risk_load_sample").click().run()
    assert at.selectbox(key="risk_pick").value == "RI-017"
    _tab(at, "Edit")
    before = _metrics(at)
    assert before["Matches"] == "75" and before["Lift"].endswith("×")
    values = [t for t in at.text_input if t.key and t.key.endswith("_text")]
    assert [t.value for t in values] == ["BO, CO, PE", "GH, NG, SN, TG"]
    values[0].set_value("BO, CO, PE, BR, VE").run()
    after = _metrics(at)
    assert int(after["Matches"]) > 75 and after["Matches"] != before["Matches"]
    assert not at.exception
    # a broken value is explained and cannot be saved
    values = [t for t in at.text_input if t.key and t.key.endswith("_text")]
    values[1].set_value("GH, Nigeria").run()
    assert any("'NIGERIA' is not an ISO 3166-1 alpha-2" in e.value for e in at.error)
    assert at.button(key="risk_save").disabled
    values = [t for t in at.text_input if t.key and t.key.endswith("_text")]
    values[1].set_value("GH, NG, SN, TG").run()
    note = next(t for t in at.text_input if t.key and t.key.startswith("ri_note"))
    note.set_value("Brazil and Venezuela too").run()
    at.button(key="risk_save").click().run()
    assert any("Saved RI-017 v2 as a draft by ann" in s.value for s in at.success)

    # review: ann submits, cannot approve her own version; bob approves
    assert at.session_state["risk_tab"] == "Edit"  # the tab stays open after the save
    _tab(at, "Review & versions")
    at.button(key="risk_submit").click().run()
    assert not at.exception
    assert any("Waiting for a review by someone other than you" in i.value for i in at.info)
    assert not [b for b in at.button if b.key == "risk_approve"]
    monkeypatch.setenv("WORKBENCH_USER", "bob")
    at.run()
    at.button(key="risk_approve").click().run()
    assert any("RI-017 v2 is now active" in s.value for s in at.success)
    versions = indicator_versions(open_store(risk_db), "RI-017")
    assert [(v.version, v.status, v.author, v.reviewer) for v in versions] == [
        (1, "retired", "m.diallo", "a.kowalski"),
        (2, "active", "ann", "bob"),
    ]
    assert any(m.value.startswith("Latest **v2** is **active**") for m in at.markdown)
    code = [c.value for c in at.code]
    assert any("+      - {field: departure_country, op: in, value: [BO, CO, PE, BR, VE]}" in c for c in code)
    import sqlalchemy as sa

    with open_store(risk_db).engine.connect() as conn:
        actions = conn.execute(
            sa.select(AuditEntry.user, AuditEntry.action).where(AuditEntry.action.like("risk.%"))
        ).fetchall()
    assert ("ann", "risk.indicator_saved") in actions and ("bob", "risk.indicator_approved") in actions


def test_tree_editing_and_filters(monkeypatch, risk_db: str) -> None:  # type: ignore[no-untyped-def]
    at = _open(_app(monkeypatch, risk_db), "pages/indicators.py")
    at.button(key="risk_load_sample").click().run()
    _tab(at, "Edit")
    n_text = len([t for t in at.text_input if t.key and t.key.endswith("_text")])
    root_add = next(b for b in at.button if b.key and b.key.endswith("_addg"))
    root_add.click().run()
    assert not at.exception
    assert len([b for b in at.button if b.key and b.key.endswith("_rmg")]) == 1
    # the new group's condition is transport_mode = (first value): counts still show
    assert _metrics(at)["Matches"] != "–"
    next(b for b in at.button if b.key and b.key.endswith("_rmg")).click().run()
    assert len([t for t in at.text_input if t.key and t.key.endswith("_text")]) == n_text
    _tab(at, "List")
    at.multiselect(key="risk_f_cat").set_value(["ipr"]).run()
    assert sorted(at.dataframe[0].value["id"]) == ["RI-050", "RI-051"]
    at.multiselect(key="risk_f_cat").set_value([]).run()
    at.multiselect(key="risk_f_status").set_value(["draft"]).run()
    assert at.dataframe[0].value["id"].tolist() == ["RI-099"]


def test_a_viewer_gets_no_risk_page(monkeypatch, risk_db: str) -> None:  # type: ignore[no-untyped-def]
    """Issue 15: a viewer may neither write nor approve indicators, so the Risk pages are not in its
    menu, and a page run on its own (a deep link before the navigation ran) refuses it."""
    at = _app(monkeypatch, risk_db, "vic", "viewer")
    for page in PAGES:
        with pytest.raises(ValueError, match="navigation page"):  # not offered
            at.switch_page(page)
        alone = AppTest.from_file(str(ROOT / page), default_timeout=60)
        alone.run()
        assert not alone.exception, alone.exception
        assert any("do not open this page" in e.value for e in alone.error), page
        assert not alone.title, page


def test_backtest_and_scoring_engines_agree(monkeypatch, risk_db: str) -> None:  # type: ignore[no-untyped-def]
    at = _open(_app(monkeypatch, risk_db), "pages/backtest.py")
    at.button(key="risk_load_sample").click().run()
    pandas_table = at.dataframe[0].value
    at.radio(key="risk_bt_engine").set_value("sql").run()
    assert not at.exception
    assert at.dataframe[0].value.equals(pandas_table)
    assert pandas_table.iloc[-1]["id"] == "profile"
    _open(at, "pages/scoring.py")
    pandas_metrics = _metrics(at)
    at.radio(key="risk_sc_engine").set_value("sql").run()
    assert not at.exception
    assert _metrics(at) == pandas_metrics
    at.number_input(key="risk_sc_thr").set_value(70.0).run()
    assert int(_metrics(at)["Flagged for control"].replace(",", "")) < int(
        pandas_metrics["Flagged for control"].replace(",", "")
    )


def test_a_seized_row_opens_its_case(monkeypatch, risk_db: str, small_sample) -> None:  # type: ignore[no-untyped-def]
    """Traffic around the stored sample: selecting a seized movement offers its case, which opens on Cases."""
    from workbench.risk.interchange import read_indicators
    from workbench.risk.registry import import_indicators
    from workbench.risk.samples import SAMPLE_INDICATORS
    from workbench.risk.traffic import generate_traffic, store_traffic
    from workbench.store import open_store

    store = open_store(risk_db)
    import_indicators(store, read_indicators(SAMPLE_INDICATORS), source="sample")
    store_traffic(store, generate_traffic(small_sample, innocent_per_seizure=5), "small sample traffic")
    at = _open(_app(monkeypatch, risk_db), "pages/scoring.py")
    table = at.dataframe[1].value
    row = int(table.index[table["case_id"].notna()][0])
    at.session_state["risk_scored"] = {"selection": {"rows": [row], "columns": [], "cells": []}}
    at.run()
    case_id = table.loc[row, "case_id"]
    at.button(key="risk_sc_open").click().run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Cases"
    assert any(s.value.startswith(f"Case {case_id} ·") for s in at.subheader)


def test_changing_a_conditions_field_starts_its_value_afresh(monkeypatch, risk_db: str) -> None:  # type: ignore[no-untyped-def]
    """A value typed for one field is not kept for another (a transport mode is no departure country)."""
    at = _open(_app(monkeypatch, risk_db), "pages/indicators.py")
    at.button(key="risk_load_sample").click().run()
    _tab(at, "Edit")  # RI-017: departure_country in BO, CO, PE AND transit_countries ...
    fields = [s for s in at.selectbox if s.key and s.key.endswith("_field")]
    assert [s.value for s in fields[:2]] == ["departure_country", "transit_countries"]
    fields[0].set_value("destination_country").run()
    assert not at.exception, at.exception
    values = [t for t in at.text_input if t.key and t.key.endswith("_text")]
    assert [t.value for t in values] == ["", "GH, NG, SN, TG"]
    assert any("value" in e.value for e in at.error)  # an empty value is explained, not matched
    # an enumeration: the values offered and chosen are the new field's, not the old one's
    fields = [s for s in at.selectbox if s.key and s.key.endswith("_field")]
    fields[0].set_value("transport_mode").run()
    chosen = at.multiselect(key=fields[0].key.replace("_field", "_transport_mode_enumn"))
    assert chosen.value == []
    chosen.set_value(["road"]).run()
    fields = [s for s in at.selectbox if s.key and s.key.endswith("_field")]
    fields[0].set_value("conveyance_type").run()
    assert not at.exception, at.exception
    chosen = at.multiselect(key=fields[0].key.replace("_field", "_conveyance_type_enumn"))
    assert chosen.value == [] and "road" not in chosen.options and "truck" in chosen.options
    fields = [s for s in at.selectbox if s.key and s.key.endswith("_field")]
    fields[0].set_value("place_name").run()
    values = [t for t in at.text_input if t.key and t.key.endswith("_text")]
    assert values[0].value == ""


def test_sidebar_filters_apply_to_the_traffic(monkeypatch, risk_db: str, small_sample) -> None:  # type: ignore[no-untyped-def]
    """The sidebar's filters select the movements (mode, period, country) and, with a commodity, which
    seizures count; the pages say so, and both engines agree."""
    from workbench.risk.interchange import read_indicators
    from workbench.risk.registry import import_indicators
    from workbench.risk.samples import SAMPLE_INDICATORS
    from workbench.risk.traffic import generate_traffic, store_traffic
    from workbench.store import open_store
    from workbench.store.filters import CaseFilter

    store = open_store(risk_db)
    import_indicators(store, read_indicators(SAMPLE_INDICATORS), source="sample")
    traffic = generate_traffic(small_sample, innocent_per_seizure=5)
    store_traffic(store, traffic, "small sample traffic")
    at = _open(_app(monkeypatch, risk_db), "pages/backtest.py")
    assert _metrics(at)["Movements"] == f"{len(traffic):,}"
    assert any("sidebar's filters apply to the traffic" in c.value for c in at.caption)

    flt = CaseFilter(transport_modes=("air_passenger", "express_courier"), commodity_categories=("drugs",))
    at.session_state["_workbench_state"].filter = flt  # what the sidebar's widgets write
    at.run()
    assert not at.exception, at.exception
    cases, items = small_sample.tables["cases"], small_sample.tables["items"]
    in_mode = int(traffic["transport_mode"].isin(flt.transport_modes).sum())
    m = _metrics(at)
    assert m["Movements"] == f"{in_mode:,}" and m["Seized"] == f"{int(flt.mask(cases, items).sum()):,}"
    assert any("only seizures of commodity category drugs count as seized" in i.value for i in at.info)
    pandas_table = at.dataframe[0].value
    at.radio(key="risk_bt_engine").set_value("sql").run()
    assert at.dataframe[0].value.equals(pandas_table) and _metrics(at) == m

    _open(at, "pages/scoring.py")
    assert _metrics(at)["Movements scored"] == f"{in_mode:,}"
    assert any("Sidebar filters" in i.value for i in at.info)
    scored = at.dataframe[1].value
    assert set(scored["transport_mode"]) <= set(flt.transport_modes)
    seized_ids = set(scored.loc[scored["seized"].astype(bool), "case_id"])
    drugs = set(items.loc[items["commodity_category"] == "drugs", "case_id"])
    assert seized_ids and seized_ids <= drugs
    pandas_metrics = _metrics(at)
    at.radio(key="risk_sc_engine").set_value("sql").run()
    assert _metrics(at) == pandas_metrics


@pytest.mark.parametrize("page", PAGES)
def test_a_filter_that_leaves_no_traffic_is_explained(monkeypatch, risk_db: str, page: str) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from workbench.store.filters import CaseFilter

    at = _open(_app(monkeypatch, risk_db), page)
    at.button(key="risk_load_sample").click().run()
    at.session_state["_workbench_state"].filter = CaseFilter(date_from=dt.date(2031, 1, 1))
    if page == "pages/indicators.py":
        at.session_state["risk_tab"] = "Edit"
    for engine in ("pandas", "sql") if page == "pages/scoring.py" else ("pandas",):
        if page == "pages/scoring.py":
            at.radio(key="risk_sc_engine").set_value(engine)
        at.run()
        assert not at.exception, at.exception
        assert any("from 2031-01-01" in i.value for i in at.info)
        shown = [w.value for w in at.warning] + [m.value for m in at.metric]
        assert any("No movement" in str(v) for v in shown) or _metrics(at).get("Movements scored") == "0", (
            shown
        )
