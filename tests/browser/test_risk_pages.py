"""The Risk pages in real Chromium: load the sample, open the editor, change a condition, see the live
count change, save a new version, look at the diff; the back-test and scoring pages render."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import assert_no_exception, screenshot, wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _metric(page, label: str) -> str:  # type: ignore[no-untyped-def]
    box = page.locator('[data-testid="stMetric"]').filter(has=page.get_by_text(label, exact=True)).first
    return box.locator('[data-testid="stMetricValue"]').inner_text().strip()


def _open(page, title: str) -> None:  # type: ignore[no-untyped-def]
    """Open a Risk page the way a user does: from the start page, through the sidebar navigation."""
    page.goto(page.app_url)
    wait_idle(page, '[data-testid="stSidebarNav"]')
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title, exact=True).click()
    wait_idle(page, f"h1:has-text('{title}')")


def _load_sample_if_offered(page) -> None:  # type: ignore[no-untyped-def]
    button = page.get_by_role("button", name="Load the sample indicators and traffic")
    if button.count():
        button.click()
        wait_idle(page, "text=Loaded")


def test_edit_condition_live_count_and_save(page) -> None:  # type: ignore[no-untyped-def]
    _open(page, "Indicators")
    _load_sample_if_offered(page)
    assert_no_exception(page)
    screenshot(page, "risk-indicators-list")

    page.get_by_role("tab", name="Edit").click()
    wait_idle(page, '[data-testid="stMetric"]')
    assert "RI-017" in page.locator('[data-testid="stMain"]').inner_text()
    before = _metric(page, "Matches")
    value = page.locator('input[aria-label="Value"]').first
    assert value.input_value() == "BO, CO, PE"
    value.fill("BO, CO, PE, BR, VE")
    value.press("Enter")
    page.wait_for_function(
        """(before) => [...document.querySelectorAll('[data-testid="stMetric"]')]
             .some(m => m.innerText.startsWith('Matches') && !m.innerText.includes('\\n' + before + '\\n')
                        && !m.innerText.endsWith('\\n' + before))""",
        arg=before,
        timeout=60_000,
    )
    wait_idle(page, '[data-testid="stMetric"]')
    after = _metric(page, "Matches")
    assert after != before and int(after.replace(",", "")) > int(before.replace(",", ""))
    assert "vs saved" in page.locator('[data-testid="stMetric"]').first.inner_text()
    assert_no_exception(page)
    page.get_by_text("What it matches (live, on the traffic)").scroll_into_view_if_needed()
    screenshot(page, "risk-editor-live-count")

    note = page.locator('input[aria-label="Change note"]')
    note.fill("Brazil and Venezuela as departure too")
    note.press("Enter")
    wait_idle(page)
    page.get_by_role("button", name="Save as new version").click()
    wait_idle(page, "text=as a draft by browser-test")
    text = page.locator('[data-testid="stMain"]').inner_text()
    assert re.search(r"Saved RI-017 v(\d+) as a draft by browser-test", text)
    assert_no_exception(page)
    screenshot(page, "risk-editor-saved")

    page.get_by_role("tab", name="Review & versions").click()
    wait_idle(page, "text=Latest")
    main = page.locator('[data-testid="stMain"]').inner_text()
    assert "is in force (approved by a.kowalski)" in main and "draft" in main
    assert "+      - {field: departure_country, op: in, value: [BO, CO, PE, BR, VE]}" in main
    screenshot(page, "risk-review-diff")


def test_import_indicators_from_a_file(page, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from workbench.risk.interchange import indicators_to_yaml, read_indicators
    from workbench.risk.samples import SAMPLE_INDICATORS

    new = read_indicators(SAMPLE_INDICATORS)[0].with_(
        id="RI-900", name="Imported in the browser", status="draft"
    )
    path = tmp_path / "more.yaml"
    path.write_text(indicators_to_yaml([new]), encoding="utf-8")
    _open(page, "Indicators")
    _load_sample_if_offered(page)
    page.get_by_role("tab", name="Import / export").click()
    wait_idle(page, '[data-testid="stFileUploader"]')
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(path))
    wait_idle(page, "text=Import indicators")
    page.get_by_role("button", name="Import indicators").click()
    wait_idle(page, "text=more.yaml: 1 saved as new version(s)")
    assert page.get_by_role("button", name="Download YAML").count() == 1
    assert_no_exception(page)
    screenshot(page, "risk-import")


def test_backtest_and_scoring_pages(page, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _open(page, "Back-test")
    _load_sample_if_offered(page)
    wait_idle(page, '[data-testid="stVegaLiteChart"]')
    assert _metric(page, "Movements") == "39,494"
    assert "profile" in page.locator('[data-testid="stMain"]').inner_text()
    assert_no_exception(page)
    screenshot(page, "risk-backtest")

    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="Scoring", exact=True).click()
    wait_idle(page, "text=highest scores, best first")
    flagged = int(_metric(page, "Flagged for control").replace(",", ""))
    assert flagged > 100
    assert_no_exception(page)
    screenshot(page, "risk-scoring")

    # a user's own file: a bad cell is named by row and column; a good file is scored
    from workbench.risk.traffic import read_traffic, sample_traffic_path, write_traffic

    mine = read_traffic(sample_traffic_path()).frame.iloc[:3000].drop(columns=["seized", "case_id"])
    good = write_traffic(mine, tmp_path / "declarations.csv")
    bad = tmp_path / "broken.csv"
    bad.write_text(good.read_text().replace(",air_passenger,", ",air,", 1))
    page.get_by_text("upload a traffic file").click()
    wait_idle(page, '[data-testid="stFileUploader"]')
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(bad))
    wait_idle(page, "text=Cannot score this file")
    text = page.locator('[data-testid="stMain"]').inner_text()
    assert re.search(r"broken.csv, row \d+, column 'transport_mode': not one of", text)
    screenshot(page, "risk-scoring-bad-file")
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(good))
    wait_idle(page, "text=highest scores, best first")
    assert _metric(page, "Movements scored") == "3,000"
    assert_no_exception(page)
    screenshot(page, "risk-scoring-upload")


def test_sidebar_filter_narrows_the_backtest(page) -> None:  # type: ignore[no-untyped-def]
    """A transport mode chosen in the sidebar narrows the traffic back-tested, and the page says so."""
    _open(page, "Back-test")
    _load_sample_if_offered(page)
    wait_idle(page, '[data-testid="stVegaLiteChart"]')
    everything = int(_metric(page, "Movements").replace(",", ""))
    box = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(
        has_text="Transport mode"
    )
    box.locator("input").click()
    page.keyboard.type("road")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    wait_idle(page, "text=Traffic with transport mode road")
    narrowed = int(_metric(page, "Movements").replace(",", ""))
    assert 0 < narrowed < everything
    assert "Sidebar filters:" in page.locator('[data-testid="stMain"]').inner_text()
    assert_no_exception(page)
    screenshot(page, "risk-backtest-filtered")
