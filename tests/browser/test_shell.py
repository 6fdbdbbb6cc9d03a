"""Real Chromium opens every page of the app shell with the sample loaded and takes screenshots."""

from __future__ import annotations

import pytest

from tests.browser.conftest import assert_no_exception, screenshot, wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

# (url path, screenshot name, title, an element that shows the page has drawn its content); the Admin
# page, for administrators only, is opened in test_identity.py
SHELL_PAGES = [
    ("", "overview", "Overview", '[data-testid="stVegaLiteChart"]'),
    ("cases", "cases", "Cases", '[data-testid="stDataFrame"]'),
    ("data", "data", "Data", '[data-testid="stFileUploader"]'),
]


@pytest.mark.parametrize(("path", "name", "title", "ready"), SHELL_PAGES)
def test_page_opens(page, path: str, name: str, title: str, ready: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{page.app_url}/{path}")
    wait_idle(page, ready)
    assert page.get_by_role("heading", name=title).first.is_visible()
    assert_no_exception(page)
    screenshot(page, f"shell-{name}")


def test_filter_survives_page_switch_and_case_opens(page) -> None:  # type: ignore[no-untyped-def]
    page.goto(page.app_url)
    wait_idle(page, '[data-testid="stMetric"]')
    side = page.locator('[data-testid="stSidebar"]')
    box = side.locator('[data-testid="stMultiSelect"]').filter(has_text="Commodity category")
    box.locator("input").click()
    page.keyboard.type("tobacco")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    wait_idle(page, '[data-testid="stMetric"]')
    assert "commodity category: tobacco" in page.get_by_text("Filter:").first.inner_text()
    page.get_by_role("link", name="Cases").click()
    wait_idle(page, '[data-testid="stDataFrame"]')
    assert "commodity category: tobacco" in page.get_by_text("Filter:").first.inner_text()
    # search a commodity, then open the first case of the list
    page.get_by_test_id("stTextInputField").fill("cigarettes")
    page.keyboard.press("Enter")
    wait_idle(page, '[data-testid="stDataFrame"]')
    grid = page.locator('[data-testid="stDataFrame"]').first
    screenshot(page, "shell-cases-search")
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 16, box["y"] + 54)  # the row-selection checkbox of row 1
    wait_idle(page, "text=Route:")
    page.get_by_text("Route:").first.wait_for(timeout=30_000)
    assert page.get_by_text("cigarettes").count() > 0
    assert_no_exception(page)
    screenshot(page, "shell-case-detail")


def test_deep_link_as_first_visit_gets_the_whole_app(browser, seeded_sqlite, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A fresh server whose very first request is a page URL still runs the app with its navigation."""
    from tests.browser.conftest import copy_store, served_app

    url = copy_store(seeded_sqlite, tmp_path / "deep.db")
    with served_app(url, tmp_path / "streamlit-deeplink.log") as app:
        ctx = browser.new_context(viewport={"width": 1440, "height": 960})
        pg = ctx.new_page()
        pg.goto(f"{app}/cases")
        wait_idle(pg, '[data-testid="stDataFrame"]')
        side = pg.locator('[data-testid="stSidebar"]')
        assert side.get_by_text("Filters").first.is_visible()  # the entry script ran: sidebar filters
        assert side.get_by_text("Data quality").first.is_visible()  # navigation sections, not file names
        assert pg.get_by_role("heading", name="Cases").first.is_visible()
        assert_no_exception(pg)
        screenshot(pg, "shell-deep-link")
        ctx.close()
