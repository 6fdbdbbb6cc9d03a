"""The Data page in real Chromium: upload a workbook with one bad row, import it, read the report;
prepare and download the filtered cases as a formatted workbook."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest

from tests.browser.conftest import assert_no_exception, screenshot, state_purpose, wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_upload_import_and_export(page, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from workbench.exchange.files import write_dataset
    from workbench.sample.generator import generate

    ds = generate(60, seed=99)
    cases = ds.tables["cases"].copy()
    cases["case_id"] = "UP-" + cases["case_id"]
    cases.loc[4, "seizure_date"] = "31/02/2024"  # spreadsheet row 6
    items = ds.tables["items"].copy()
    items["case_id"] = "UP-" + items["case_id"]
    book = tmp_path / "upload.xlsx"
    write_dataset({"cases": cases, "items": items}, book)

    page.goto(f"{page.app_url}/data")
    wait_idle(page, '[data-testid="stFileUploader"]')
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(book))
    wait_idle(page, "text=Preview")
    page.get_by_role("button", name="Import").click()
    wait_idle(page, "text=Import report")
    text = page.locator('[data-testid="stMain"]').inner_text()
    assert "partial" in text
    assert "2 rejected cells" in text  # the bad case, and its item which now has no case
    assert_no_exception(page)
    screenshot(page, "data-import-report")

    page.get_by_role("tab", name="Export").click()
    state_purpose(page)  # the analyst's workbook holds persons: the purpose first
    page.get_by_role("button", name="Prepare workbook").click()
    wait_idle(page, '[data-testid="stDownloadButton"]')
    with page.expect_download() as dl:
        page.locator('[data-testid="stDownloadButton"] button').click()
    data = open(dl.value.path(), "rb").read()
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb["cases"]
    assert ws.freeze_panes is not None and ws.auto_filter.ref
    assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row)
    screenshot(page, "data-export")


def test_mapping_step_and_non_personal_export(page, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import FRENCH_ROWS_2, french_workbook

    book = french_workbook(tmp_path / "saisies-fevrier.xlsx", FRENCH_ROWS_2)
    page.goto(f"{page.app_url}/data")
    wait_idle(page, '[data-testid="stFileUploader"]')
    page.locator('[data-testid="stFileUploader"] input[type="file"]').first.set_input_files(str(book))
    wait_idle(page, "text=Save profile (.yaml)")
    text = page.locator('[data-testid="stMain"]').inner_text()
    assert "Mapping" in text and "kept as extra: Agent" in text and "would be rejected" not in text
    assert_no_exception(page)
    screenshot(page, "data-mapping-step")
    page.get_by_role("button", name="Import", exact=True).click()
    wait_idle(page, "text=Import report")
    text = page.locator('[data-testid="stMain"]').inner_text()
    assert "accepted" in text
    screenshot(page, "data-mapping-import-report")

    page.get_by_role("tab", name="Export").click()
    page.get_by_text("Non-personal (cases + items, scrubbed)").click()
    wait_idle(page, "text=Prepare export")
    page.get_by_role("button", name="Prepare export").click()
    # the mapping step's "Save profile" button is a download button too (on the hidden Import tab)
    wait_idle(page, "text=Download non-personal")
    with page.expect_download() as dl:
        page.get_by_role("button", name=re.compile("Download non-personal")).click()
    wb = openpyxl.load_workbook(io.BytesIO(open(dl.value.path(), "rb").read()))
    assert wb.sheetnames == ["cases", "items"]
    assert_no_exception(page)
    screenshot(page, "data-export-non-personal")
