"""A new user's walk through the app, per role, in real Chromium (issue 15): each role opens its pages,
clicks the tasks a person would, and the walk checks what tripped users up. Screenshots go to
test-output/screenshots/walk-<role>-*.png (git-ignored); look at them.

Roles come from ``WORKBENCH_ROLE`` today: one server per role, shared with the other browser modules
(``role_app`` in tests/browser/conftest.py).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser.conftest import (
    assert_no_exception,
    open_page,
    screenshot,
    state_purpose,
    wait_idle,
)
from workbench.config import PERSONAL_DATA_ROLES

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

ROLES = ("analyst", "rilo", "steward", "trainer", "viewer")
TABLE = '[data-testid="stDataFrame"]'


@pytest.fixture(params=ROLES)
def walk(request, browser, role_app) -> Iterator[tuple[str, object]]:  # type: ignore[no-untyped-def]
    role = request.param
    with open_page(browser, role_app(role)) as pg:
        yield role, pg


def _go(pg, title: str, ready: str) -> None:  # type: ignore[no-untyped-def]
    pg.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title, exact=True).click()
    pg.get_by_role("heading", name=title).first.wait_for(timeout=60_000)
    wait_idle(pg, ready)
    assert_no_exception(pg)


def _open_first_case(pg) -> None:  # type: ignore[no-untyped-def]
    grid = pg.locator(TABLE).first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    pg.mouse.click(box["x"] + 16, box["y"] + 54)  # the row-selection checkbox of row 1
    pg.get_by_text("Route:").first.wait_for(timeout=60_000)
    wait_idle(pg, "text=Route:")


def _back_to_the_list(pg) -> None:  # type: ignore[no-untyped-def]
    """Click "Back to the list" and wait for the case to go (the case's items are a table too, so
    waiting for a table alone passes before the rerun on a busy machine)."""
    pg.get_by_role("button", name="Back to the list").click()
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        pg.get_by_text("Route:").first.wait_for(state="detached", timeout=60_000)
    except PlaywrightTimeout:
        pass  # the assertion after it says what went wrong
    wait_idle(pg, TABLE)


def _computed(pg) -> None:  # type: ignore[no-untyped-def]
    """Wait until a tab's computation (a spinner: "Finding communities ...") is over and it has drawn."""
    pg.wait_for_timeout(500)
    pg.wait_for_selector('[data-testid="stSpinner"]', state="detached", timeout=180_000)
    wait_idle(pg)


def test_walk(walk) -> None:  # type: ignore[no-untyped-def]
    role, pg = walk
    personal = role in PERSONAL_DATA_ROLES
    pg.goto(pg.app_url)
    wait_idle(pg, '[data-testid="stMetric"]')
    screenshot(pg, f"walk-{role}-overview")

    # the menu offers what the role may use: Duplicates (persons and companies) only with personal data,
    # the Risk pages to those who may write or approve indicators (not a viewer)
    nav = pg.locator('[data-testid="stSidebarNav"]')
    assert nav.get_by_role("link", name="Duplicates", exact=True).count() == (1 if personal else 0)
    assert nav.get_by_role("link", name="Cases", exact=True).count() == 1
    for risk_page in ("Indicators", "Back-test", "Scoring"):
        assert nav.get_by_role("link", name=risk_page, exact=True).count() == (0 if role == "viewer" else 1)

    # Cases: open a case from the list, go back to the list; leave and come back: still the list
    _go(pg, "Cases", TABLE)
    _open_first_case(pg)
    if personal:  # persons and companies once the purpose of the consultation is stated
        state_purpose(pg)
        assert pg.get_by_text("Persons", exact=True).first.is_visible()
    else:
        assert pg.get_by_text("your role does not allow seeing them").count() > 0
    screenshot(pg, f"walk-{role}-case")
    _back_to_the_list(pg)
    assert pg.get_by_text("Route:").count() == 0, "Back to the list did not leave the case"
    assert pg.locator(TABLE).first.is_visible()
    _go(pg, "Overview", '[data-testid="stMetric"]')
    _go(pg, "Cases", TABLE)
    assert pg.get_by_text("Route:").count() == 0, "the case came back after leaving the page"
    _open_first_case(pg)  # and another case still opens
    _back_to_the_list(pg)
    assert pg.get_by_text("Route:").count() == 0

    # Data → Export: only the kinds the role may make; the others are said, not offered
    _go(pg, "Data", '[data-testid="stTabs"]')
    pg.get_by_role("tab", name="Export").click()
    if role == "viewer":  # the matrix gives a viewer no export: the tab says so and who may
        wait_idle(pg, "text=may not export")
        assert pg.get_by_text(f"Your role ({role}) may not export").first.is_visible()
        assert pg.locator('[data-testid="stRadio"]').count() == 0
    else:
        wait_idle(pg, '[data-testid="stRadio"]')
    offered = pg.get_by_text("Exchange format (all tables)").count() > 0
    exports_personal = role in ("analyst", "steward")  # the matrix's export_personal
    assert offered == exports_personal, role
    if role != "viewer" and not exports_personal:
        assert pg.get_by_text(f"Your role ({role}) may export non-personal data only").first.is_visible()
        pg.get_by_text("Non-personal (cases + items, scrubbed)").first.click()
        wait_idle(pg, '[data-testid="stRadio"]')
        pg.get_by_role("button", name="Prepare export").click()
        pg.get_by_role("button", name="Download").first.wait_for(timeout=60_000)
        assert pg.locator('[data-testid="stAlertContentError"]').count() == 0
    screenshot(pg, f"walk-{role}-export")
    _walk_analysis(pg, role)


def _walk_analysis(pg, role: str) -> None:  # type: ignore[no-untyped-def]
    """The analysis pages every role with ``view_data`` opens."""
    # Routes: the controls show their whole choice; the map is drawn
    _go(pg, "Routes", '[data-testid="stDeckGlJsonChart"]')
    pg.wait_for_selector('[data-testid="stDeckGlJsonChart"] canvas', timeout=60_000)
    cut = pg.evaluate(
        """() => [...document.querySelectorAll('[data-testid="stSelectbox"] [data-baseweb="select"] div')]
              .filter(e => e.children.length === 0 && e.innerText && e.scrollWidth > e.clientWidth + 1)
              .map(e => e.innerText)"""
    )
    assert not cut, f"select boxes cut their choice short: {cut}"
    screenshot(pg, f"walk-{role}-routes")

    # Standard statistics and Trends: charts with their period and filter
    _go(pg, "Standard statistics", '[data-testid="stVegaLiteChart"]')
    screenshot(pg, f"walk-{role}-statistics")
    _go(pg, "Trends", '[data-testid="stVegaLiteChart"]')
    screenshot(pg, f"walk-{role}-trends")

    # Network: groups read as their members and size, rankings as names and comparable numbers
    _go(pg, "Network", '[data-testid="stMetric"]')
    screenshot(pg, f"walk-{role}-network")
    pg.get_by_role("tab", name="Communities").click()
    _computed(pg)
    main = pg.locator('[data-testid="stMain"]')
    text = main.inner_text()
    if "No linked groups" not in text:  # the table (drawn on a canvas: its columns are checked in AppTest)
        assert "linked groups" in text and main.locator(f"{TABLE}:visible").count() >= 1
    screenshot(pg, f"walk-{role}-communities")
    pg.get_by_role("tab", name="Rankings").click()
    _computed(pg)
    assert "e-0" not in main.inner_text()
    screenshot(pg, f"walk-{role}-rankings")
