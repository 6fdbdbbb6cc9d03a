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
    assert ws["A1"].value == "Top 20 routes per commodity" and ws.freeze_panes
    with page.expect_download() as dl:
        page.locator('[data-testid="stDownloadButton"]').filter(has_text="PNG").first.click()
    assert open(dl.value.path(), "rb").read()[:4] == b"\x89PNG"
    _choose(page, "Report", "Detection methods per transport mode")
    screenshot(page, "statistics-detection")
