"""The Data page's fixes in real Chromium: a Windows-1252 CSV named after nothing in particular, holding
cases already stored, is detected, previewed as the cases table and imported only once the
replacement is confirmed; a viewer gets no upload widget."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.browser.conftest import assert_no_exception, screenshot, wait_idle
from workbench.store import open_store

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _stored(url: str, n: int) -> list[tuple[str, str, str]]:
    with open_store(url).engine.connect() as c:
        rows = c.execute(
            sa.text(
                "select case_id, reporting_country, seizure_date from cases "
                "where case_id not like 'UP-%' order by case_id desc limit :n"
            ),
            {"n": n},
        ).all()
    return [(r[0], r[1], str(r[2])[:10]) for r in rows]


def test_replacing_stored_cases_is_confirmed_first(page, seeded_sqlite: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rows = [(cid, rc, date, "contrôle corrigé") for cid, rc, date in _stored(seeded_sqlite, 3)]
    rows += [("MARS-1", "FR", "2024-03-01", "saisie à Roissy"), ("MARS-2", "FR", "2024-03-02", "")]
    f = tmp_path / "saisies-mars.csv"
    text = "case_id,reporting_country,seizure_date,remarks\n" + "".join(",".join(r) + "\n" for r in rows)
    f.write_bytes(text.encode("cp1252"))

    page.goto(f"{page.app_url}/data")
    wait_idle(page, '[data-testid="stFileUploader"]')
    page.locator('[data-testid="stFileUploader"] input[type="file"]').first.set_input_files(str(f))
    wait_idle(page, "text=Replace 3 stored cases")
    main = page.locator('[data-testid="stMain"]').inner_text()
    assert "text encoding detected: Windows-1252" in main
    assert "read as the cases table" in main
    assert "3 of the file's 5 cases are already stored" in main
    import_button = page.get_by_role("button", name="Import", exact=True)
    assert import_button.is_disabled()
    assert_no_exception(page)
    page.get_by_text("Replace 3 stored cases").scroll_into_view_if_needed()
    screenshot(page, "data-fix-confirm-replace")

    page.get_by_text("Replace 3 stored cases").click()
    wait_idle(page)
    assert import_button.is_enabled()
    import_button.click()
    wait_idle(page, "text=Import report")
    main = page.locator('[data-testid="stMain"]').inner_text()
    assert "2 new cases, 3 stored cases updated" in main
    # the uploaded file is removed once imported (issue 23): no stale offer to replace the cases again
    assert "Replace 3 stored cases" not in main
    page.get_by_text("Import report").scroll_into_view_if_needed()
    assert_no_exception(page)
    screenshot(page, "data-fix-new-and-updated")


@pytest.fixture()
def viewer_url(role_app) -> str:  # type: ignore[no-untyped-def]
    """The app served to a viewer."""
    return str(role_app("viewer"))


def test_a_viewer_gets_no_upload(page, viewer_url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(viewer_url)
    wait_idle(page)
    page.goto(f"{viewer_url}/data")
    wait_idle(page, "text=read-only")
    main = page.locator('[data-testid="stMain"]').inner_text()
    assert "Your role (viewer) is read-only" in main
    assert page.locator('[data-testid="stFileUploader"]').count() == 0
    assert_no_exception(page)
    screenshot(page, "data-fix-viewer")
