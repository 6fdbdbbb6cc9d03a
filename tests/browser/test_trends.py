"""The Trends and Standard statistics pages in real Chromium: build a chart (split, period), download its
data, look at every tab, run a standard report and download it; screenshots of each."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest

from tests.browser.conftest import assert_no_exception, screenshot, wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

CHART = '[data-testid="stVegaLiteChart"]'


def _choose(page, label: str, option: str) -> None:  # type: ignore[no-untyped-def]
    """Pick ``option`` in the select box labelled ``label`` (the first one visible)."""
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text=label).locator("visible=true").first
    box.click()
    page.keyboard.type(option)
    page.get_by_role("option", name=option, exact=True).click()
    wait_idle(page, CHART)


def _open(page, path: str) -> None:  # type: ignore[no-untyped-def]
    """Open a page the way a user does: the app first, then the page from the navigation.

    (A deep link as the very first request to a fresh server is run by Streamlit as a legacy page,
    without the entry script's navigation and filters: reported to the lead.)
    """
    page.goto(page.app_url)
    wait_idle(page, '[data-testid="stSidebarNav"]')
    page.goto(f"{page.app_url}/{path}")
    wait_idle(page, CHART)


def test_trends_page_builds_a_chart(page) -> None:  # type: ignore[no-untyped-def]
    _open(page, "trends")
    assert page.get_by_role("heading", name="Trends").first.is_visible()
    assert page.get_by_text("Standard statistics").first.is_visible()  # the sections' navigation is there
    assert page.get_by_text("Seizures reflect enforcement effort").first.is_visible()
    assert_no_exception(page)

    _choose(page, "Split by", "transport mode")
    _choose(page, "Period", "quarter")
    _choose(page, "Chart", "stacked areas")
    assert_no_exception(page)
    screenshot(page, "trends-builder")

    # the chart's own data, as the CSV download gives it
    with page.expect_download() as dl:
        page.locator('[data-testid="stDownloadButton"]').filter(has_text="CSV").locator(
            "visible=true"
        ).first.click()
    data = pd.read_csv(dl.value.path(), dtype=str)
    assert {"period", "transport_mode", "cases"} <= set(data.columns)
    assert data["period"].str.match(r"^\d{4}Q[1-4]$").all()
    assert {"road", "air passenger"} <= set(data["transport_mode"])

    for tab, name in (("Top movers", "movers"), ("Methods", "methods"), ("Seasonal profile", "season")):
        page.get_by_role("tab", name=tab).click()
        wait_idle(page, f'[role="tabpanel"]:not([hidden]) {CHART}')
        assert_no_exception(page)
        screenshot(page, f"trends-{name}")
    page.get_by_role("tab", name="Emerging trends").click()
    wait_idle(page, "text=series flagged")
    assert_no_exception(page)
    screenshot(page, "trends-emerging")


def test_standard_statistics_report_downloads(page) -> None:  # type: ignore[no-untyped-def]
    _open(page, "statistics")
    assert page.get_by_role("heading", name="Standard statistics").first.is_visible()
    _choose(page, "Report", "Top 20 routes per commodity")
    assert_no_exception(page)
    screenshot(page, "statistics-top-routes")
    with page.expect_download() as dl:
        page.locator('[data-testid="stDownloadButton"]').filter(has_text="Excel").first.click()
    book = openpyxl.load_workbook(io.BytesIO(open(dl.value.path(), "rb").read()))
    ws = book.worksheets[0]
    assert ws["A1"].value.startswith("Top 20 routes per commodity, ") and ws.freeze_panes
    with page.expect_download() as dl:
        page.locator('[data-testid="stDownloadButton"]').filter(has_text="PNG").first.click()
    assert open(dl.value.path(), "rb").read()[:4] == b"\x89PNG"
    _choose(page, "Report", "Detection methods per transport mode")
    screenshot(page, "statistics-detection")


def test_statistics_and_movers_under_a_period_filter_on_the_default_sample(  # type: ignore[no-untyped-def]
    browser, default_sample_store: str, tmp_path
) -> None:
    """The 20,000-case default sample with a period in the sidebar: monthly report, year on year, movers."""
    from tests.browser.conftest import served_app
    from tests.conftest import copy_sqlite

    url = copy_sqlite(default_sample_store, tmp_path / "default.db")
    with served_app(url, tmp_path / "streamlit-default.log") as app:
        ctx = browser.new_context(viewport={"width": 1440, "height": 1100}, accept_downloads=True)
        pg = ctx.new_page()
        pg.app_url = app
        _open(pg, "statistics")
        # the period field is made of year / month / day spin buttons that move on as one types
        for end, day in (("start", "20240301"), ("end", "20240831")):
            pg.get_by_role("spinbutton", name=f"year, Seizure period {end} date").click()
            pg.keyboard.type(day)
            # the value is taken when the calendar closes and the field loses focus
            pg.keyboard.press("Escape")
            pg.get_by_role("heading", name="Standard statistics").first.click()
            wait_idle(pg, CHART)
        pg.get_by_text("from 2024-03-01").first.wait_for(timeout=30_000)
        wait_idle(pg, CHART)
        screenshot(pg, "statistics-period-set")
        assert "from 2024-03-01" in pg.get_by_text("Filter:").first.inner_text()
        _choose(pg, "Report", "Cases per month by commodity")
        assert pg.get_by_text("Cases per month by commodity, Mar–Aug 2024").first.is_visible()
        assert_no_exception(pg)
        screenshot(pg, "statistics-monthly-period")
        with pg.expect_download() as dl:
            pg.locator('[data-testid="stDownloadButton"]').filter(has_text="Excel").first.click()
        book = openpyxl.load_workbook(io.BytesIO(open(dl.value.path(), "rb").read()))
        assert book.sheetnames == ["Monthly 2024-03–08"]
        months = [r[0] for r in book.worksheets[0].iter_rows(min_row=8, values_only=True)]
        assert months == ["2024-03", "2024-04", "2024-05", "2024-06", "2024-07", "2024-08"]
        _choose(pg, "Report", "Year-on-year change by commodity")
        assert pg.get_by_text("cases Mar–Aug 2023").count() or pg.locator(CHART).count()
        assert_no_exception(pg)
        screenshot(pg, "statistics-yoy-period")
        _choose(pg, "Report", "Detection methods per transport mode")
        screenshot(pg, "statistics-detection-period")
        pg.get_by_role("link", name="Trends").click()
        wait_idle(pg, CHART)
        pg.get_by_role("tab", name="Top movers").click()
        wait_idle(pg, f'[role="tabpanel"]:not([hidden]) {CHART}')
        assert pg.get_by_text("(the last whole quarter of Mar–Aug 2024) against 2023Q2").first.is_visible()
        assert_no_exception(pg)
        screenshot(pg, "trends-movers-period")
        ctx.close()
