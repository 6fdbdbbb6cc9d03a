"""Real Chromium: the one search box finds a phone seen on one case only, on the Cases page (a click
opens the case) and on the Network page (its ego network is drawn: the phone, its holder, the case);
screenshots go to test-output/screenshots."""

from __future__ import annotations

import pytest

from tests.browser.conftest import assert_no_exception, screenshot, state_purpose, wait_idle
from tests.conftest import single_record_phone

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

FRAME = 'iframe[title="workbench.ui.network.workbench_network"]'


def test_search_a_phone_seen_on_one_case_and_open_it(page, small_sample) -> None:  # type: ignore[no-untyped-def]
    phone, rc, cid = single_record_phone(small_sample)
    page.goto(page.app_url)
    wait_idle(page, '[data-testid="stMetric"]')
    page.get_by_role("link", name="Cases").click()
    wait_idle(page, '[data-testid="stDataFrame"]')
    # typed as a user copies it from a report: dashes instead of spaces
    page.get_by_label("Search everything").first.fill(phone.replace(" ", "-"))
    page.keyboard.press("Enter")
    page.get_by_text("match(es), best first").first.wait_for(timeout=60_000)
    wait_idle(page, '[data-testid="stDataFrame"]')
    assert_no_exception(page)
    screenshot(page, "search-cases-phone")
    grid = page.locator('[data-testid="stDataFrame"]').first
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 16, box["y"] + 54)  # the row-selection checkbox of the first hit
    page.get_by_text("Route:").first.wait_for(timeout=60_000)
    wait_idle(page, "text=Route:")
    assert page.get_by_role("heading", name=f"Case {cid}").first.is_visible()
    assert_no_exception(page)
    screenshot(page, "search-cases-phone-opened")
    # the same phone on the Network page: the graph left it out (one record), the search opens it
    page.get_by_role("link", name="Network").click()
    page.get_by_role("heading", name="Network").first.wait_for(timeout=60_000)
    wait_idle(page, '[data-testid="stMetric"]')
    if page.get_by_label("Case or operation reference").count():  # persons once the purpose is stated
        state_purpose(page)
    page.get_by_label("Search an entity").first.fill(phone)
    page.keyboard.press("Enter")
    wait_idle(page, FRAME)
    page.wait_for_selector(FRAME, timeout=60_000)
    frame = page.frame_locator(FRAME).first
    frame.locator("#graph[data-drawn-ms]").wait_for(timeout=60_000)
    assert int(frame.locator("#graph").get_attribute("data-nodes")) >= 3  # phone, person, case
    page.get_by_text("phone · 1 case", exact=False).first.wait_for(timeout=30_000)
    assert_no_exception(page)
    page.locator(FRAME).first.scroll_into_view_if_needed()
    screenshot(page, "search-network-phone")
