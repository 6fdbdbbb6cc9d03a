"""Fresh data everywhere, in real Chromium: with the app served, a data set imported on the Data page and
then another imported with the command line (another process, while the app runs) both show on the
Routes map and on the Network page, without a restart.

The two data sets are unmistakable: all their cases come from Iceland (the first) or Bhutan (the second),
countries the sample never uses, and the same courier, Zephyrin Quattlebaum, is in two cases of each.
Routes and Network are drawn once before the imports, so that whatever they cached is there to go stale.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from tests.browser.conftest import (
    assert_no_exception,
    copy_store,
    open_page,
    screenshot,
    served_app,
    state_purpose,
    wait_idle,
)
from tests.conftest import fresh_dataset, workbench_cli

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

MAP = '[data-testid="stDeckGlJsonChart"]'
N = 40  # cases per data set: enough for their route to be among the busiest drawn


def _text(page) -> str:  # type: ignore[no-untyped-def]
    return str(page.locator('[data-testid="stMain"]').inner_text())


def _go(page, name: str, ready: str) -> None:  # type: ignore[no-untyped-def]
    """Open a page from the navigation, as a user does, and wait until it has settled."""
    page.get_by_role("link", name=name, exact=True).click()
    page.get_by_role("heading", name=name).first.wait_for(timeout=60_000)
    wait_idle(page, ready)


def _routes(page, shot: str) -> tuple[int, set[str]]:  # type: ignore[no-untyped-def]
    """The cases the Routes map counts, and the origins of the flows it draws (its Flows tab's CSV)."""
    _go(page, "Routes", f"{MAP} canvas")
    found = re.search(r"([\d,]+) cases; the \d+ busiest", _text(page))
    assert found, _text(page)[:2000]
    page.get_by_role("tab", name="Flows").click()
    with page.expect_download() as dl:
        page.get_by_role("button", name="Download flows (CSV)").click()
    rows = list(csv.DictReader(io.StringIO(Path(dl.value.path()).read_text(encoding="utf-8"))))
    assert_no_exception(page)
    page.get_by_role("tab", name="Hubs").click()
    page.get_by_role("heading", name="Routes").first.scroll_into_view_if_needed()
    screenshot(page, shot)
    return int(found.group(1).replace(",", "")), {r["origin"] for r in rows}


def _network(page, shot: str) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    """The cases the Network page counts, and what it says of the courier (search, then entity card)."""
    _go(page, "Network", '[data-testid="stMetric"]')
    metric = page.locator('[data-testid="stMetric"]').filter(has_text="Cases").first.inner_text()
    cases = int(re.search(r"([\d,]+)", metric.split("Cases", 1)[1]).group(1).replace(",", ""))  # type: ignore[union-attr]
    if page.get_by_label("Case or operation reference").count():  # asked once per session
        state_purpose(page)
    page.get_by_label("Search an entity").first.fill("Quattlebaum")
    page.keyboard.press("Enter")
    page.get_by_text(re.compile(r"Zephyrin Quattlebaum · person · \d+ case|Nothing matches")).first.wait_for(
        timeout=60_000
    )
    wait_idle(page)
    text = _text(page)
    card = re.search(r"Zephyrin Quattlebaum · person · (\d+) cases?", text)
    assert_no_exception(page)
    screenshot(page, shot)
    return cases, (card.group(1) if card else "not found")


def test_imports_from_the_data_page_and_the_command_line_show_without_a_restart(
    browser, seeded_sqlite: str, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from workbench.exchange.files import write_dataset

    first = tmp_path / "fresh-iceland.xlsx"
    write_dataset(fresh_dataset("ICE", "IS", n=N), first)  # type: ignore[arg-type]
    second = tmp_path / "fresh-bhutan"
    write_dataset(fresh_dataset("BHU", "BT", n=N), second)  # type: ignore[arg-type]
    db = copy_store(seeded_sqlite, tmp_path / "fresh.db")

    with served_app(db, tmp_path / "fresh-streamlit.log") as app, open_page(browser, app) as page:
        page.goto(app)
        wait_idle(page, '[data-testid="stMetric"]')
        cases, origins = _routes(page, "fresh-0-routes-before")
        assert not {"IS", "BT"} & origins
        net_cases, courier = _network(page, "fresh-0-network-before")
        assert (net_cases, courier) == (cases, "not found")

        # 1. an import on the Data page
        _go(page, "Data", '[data-testid="stFileUploader"]')
        page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(first))
        wait_idle(page, "text=Preview")
        page.get_by_role("button", name="Import", exact=True).click()
        wait_idle(page, "text=Import report")
        assert "accepted" in _text(page) and f"{N} new cases" in _text(page)
        screenshot(page, "fresh-1-data-import")
        after, origins = _routes(page, "fresh-1-routes-after-data-page")
        assert (after, "IS" in origins, "BT" in origins) == (cases + N, True, False)
        # the courier's records are linked and resolved at import (the first time, the whole store)
        assert _network(page, "fresh-1-network-after-data-page") == (cases + N, "2")

        # 2. an import from the command line, in another process, while the app runs
        out = workbench_cli("import", str(second), "--quiet", db=db)
        assert out.returncode == 0, out.stdout + out.stderr
        after, origins = _routes(page, "fresh-2-routes-after-cli")
        assert (after, "IS" in origins, "BT" in origins) == (cases + 2 * N, True, True)
        # resolved incrementally by the command line's import: one courier in the four cases
        assert _network(page, "fresh-2-network-after-cli") == (cases + 2 * N, "4")
