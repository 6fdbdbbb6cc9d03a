"""AppTest of the steward pages: submissions with status and score, a submission's report with its
failing rows and feedback workbook, scorecards as a heat map and a trend. GX is not imported to show them."""

from __future__ import annotations

import json
import sys

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

APP = str(ROOT / "app.py")


def _chart_data(proto) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    """The data Streamlit sends beside a Vega-Lite spec (Arrow IPC)."""
    import pyarrow as pa

    raw = proto.datasets[0].data.data if len(proto.datasets) else proto.data.data
    return pa.ipc.open_stream(raw).read_all().to_pandas()


@pytest.fixture()
def app(quality_store: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("WORKBENCH_DB_URL", quality_store)
    monkeypatch.setenv("WORKBENCH_ROLE", "steward")
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    assert not at.exception, at.exception
    return at


def test_submissions_page_lists_and_reports(app: AppTest) -> None:
    app.switch_page("pages/submissions.py")
    app.run()
    assert not app.exception, app.exception
    assert app.title[0].value == "Submissions"
    listing = app.dataframe[0].value
    assert set(listing["submission"]) == {1, 2}
    assert listing.loc[listing["submission"] == 2, "status"].iloc[0].endswith("partial")
    # the newest (the defective one) is reported first
    metrics = {m.label: m.value for m in app.metric}
    assert int(metrics["Rows quarantined"].replace(",", "")) > 0
    failed = app.dataframe[1].value
    assert {"expect_unit_to_suit_commodity", "expect_no_likely_duplicate_seizure"} <= set(
        failed["expectation"]
    )
    rows = app.dataframe[2].value
    assert rows["row"].notna().all() and (rows["row"] >= 2).all()
    app.selectbox(key="quality_rows_filter").set_value(
        next(
            o
            for o in app.selectbox(key="quality_rows_filter").options
            if "expect_unit_to_suit_commodity" in o
        )
    ).run()
    assert set(app.dataframe[2].value["expectation"]) == {"expect_unit_to_suit_commodity"}
    # the clean submission
    app.selectbox(key="quality_submission").set_value(1).run()
    assert not app.exception
    assert any("Every expectation was met" in s.value for s in app.success) or len(app.dataframe) >= 2


def test_pages_do_not_load_great_expectations(quality_store: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKBENCH_DB_URL", quality_store)
    for name in [m for m in sys.modules if m.startswith("great_expectations")]:
        monkeypatch.delitem(sys.modules, name)
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    for page in ("pages/submissions.py", "pages/scorecards.py"):
        at.switch_page(page)
        at.run()
        assert not at.exception, at.exception
    assert not [m for m in sys.modules if m.startswith("great_expectations")]


def test_scorecards_page_shows_heatmap_and_trend(app: AppTest) -> None:
    app.switch_page("pages/scorecards.py")
    app.run()
    assert not app.exception, app.exception
    charts = app.get("vega_lite_chart")
    assert len(charts) == 2
    heat = json.loads(charts[0].proto.spec)
    assert heat["mark"]["type"] == "rect" if isinstance(heat["mark"], dict) else heat["mark"] == "rect"
    data = _chart_data(charts[0].proto)
    assert data["reporting_country"].nunique() >= 10 and data["month"].nunique() >= 24
    assert any("A white cell is a month with nothing to score" in c.value for c in app.caption)  # issue 15
    app.selectbox(key="quality_dimension").set_value("timeliness").run()
    assert not app.exception
    table = app.dataframe[0].value
    assert table["timeliness"].min() < table["timeliness"].max()
