"""The steward pages in real Chromium, over a store holding the default sample and a submission with a
defect of every kind: upload a defective workbook on the Data page, read its report on Submissions,
download the feedback workbook and the Data Docs (opened offline), and look at the scorecards."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from tests.browser.conftest import SHOTS, assert_no_exception, screenshot, served_app, wait_idle
from workbench.sample.generator import default_sample_path

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture(scope="module")
def quality_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app over a store with the default sample and a defective submission, both through the gate."""
    from tests.data_quality.conftest import build_quality_store

    tmp = tmp_path_factory.mktemp("quality-app")
    url = build_quality_store(f"sqlite:///{tmp / 'q.db'}", default_sample_path(), tmp)
    with served_app(url, tmp / "streamlit.log", "steward") as app:
        yield app


def _open(page, base: str, path: str, ready: str) -> None:  # type: ignore[no-untyped-def]
    """Open a page by its URL (``workbench serve`` runs the entry script for a deep link too)."""
    page.goto(f"{base}/{path}")
    wait_idle(page, ready)
    assert page.locator('[data-testid="stSidebar"]').get_by_role("heading", name="Filters").is_visible()


def _upload(tmp_path: Path) -> Path:
    from workbench.exchange.files import write_dataset
    from workbench.sample.generator import generate

    ds = generate(80, seed=21)
    cases, items = ds.tables["cases"].copy(), ds.tables["items"].copy()
    cases["case_id"] = "UPQ-" + cases["case_id"]
    items["case_id"] = "UPQ-" + items["case_id"]
    cases.loc[5, "entry_date"] = "2018-01-01"  # entered before the seizure: row 7, quarantined
    cases.loc[9, "transit_countries"] = "TR;TR"  # row 11, stored and flagged
    items.loc[2, "unit"] = "l"  # row 4 (the item's commodity is not a liquid), quarantined
    items.loc[2, "commodity_type"] = "cigarettes"
    items.loc[2, "commodity_category"] = "tobacco"
    book = tmp_path / "defects.xlsx"
    write_dataset({"cases": cases, "items": items}, book)
    return book


def test_upload_report_feedback_and_data_docs(page, quality_app: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page.set_default_timeout(120_000)
    _open(page, quality_app, "data", '[data-testid="stFileUploader"]')
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(_upload(tmp_path)))
    wait_idle(page, "text=Preview")
    page.get_by_role("button", name="Import").click()
    wait_idle(page, "text=Import report")
    text = page.locator('[data-testid="stMain"]').inner_text()
    assert "Submission 3: partial" in text and "rejected cells" in text
    assert_no_exception(page)

    page.get_by_role("link", name="Submissions").click()
    wait_idle(page, "text=Failed expectations")
    main = page.locator('[data-testid="stMain"]')
    assert "Submission 3: defects.xlsx" in main.inner_text()
    assert_no_exception(page)
    screenshot(page, "quality-submission-report")

    with page.expect_download() as dl:
        page.get_by_role("button", name="Feedback workbook (.xlsx)").click()
    wb = openpyxl.load_workbook(io.BytesIO(Path(dl.value.path()).read_bytes()))
    cells = [[c for c in row] for row in wb["Problems"].iter_rows(values_only=True)]
    listed = {(r[0], r[1], r[2]) for r in cells if r and isinstance(r[1], int)}
    assert {
        ("defects.xlsx, sheet 'cases'", 7, "entry_date"),
        ("defects.xlsx, sheet 'items'", 4, "unit"),
        ("defects.xlsx, sheet 'cases'", 11, "transit_countries"),
    } <= listed

    page.get_by_role("button", name="Build Data Docs").click()
    wait_idle(page, "text=Data Docs (static site, .zip)")
    with page.expect_download() as dl:
        page.get_by_role("button", name="Data Docs (static site, .zip)").click()
    site = tmp_path / "site"
    zipfile.ZipFile(dl.value.path()).extractall(site)
    # opened from the file system, offline: the page fixture fails the test on any outside request
    page.goto((site / "data-docs" / "items.html").as_uri())
    page.wait_for_load_state("load")
    assert "unit does not measure this commodity" in page.content()
    screenshot(page, "quality-data-docs")


def test_scorecards(page, quality_app: str) -> None:  # type: ignore[no-untyped-def]
    page.set_default_timeout(120_000)
    page.set_viewport_size({"width": 1440, "height": 1800})
    _open(page, quality_app, "scorecards", '[data-testid="stVegaLiteChart"]')
    assert page.locator('[data-testid="stVegaLiteChart"]').count() == 2
    assert page.get_by_role("heading", name="Overall by country and month").is_visible()
    assert_no_exception(page)
    screenshot(page, "quality-scorecards")
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text="Dimension")
    box.click()
    page.get_by_role("option", name="Timeliness").click()
    wait_idle(page, "text=Timeliness by country and month")
    assert_no_exception(page)
    screenshot(page, "quality-scorecards-timeliness")
    assert (SHOTS / "quality-scorecards.png").exists()
