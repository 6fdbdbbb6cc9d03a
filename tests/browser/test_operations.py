"""Operations in real Chromium (issue 18's acceptance): two accounts of two organisations and a third
that sees nothing. The organiser creates an operation and its template and adds the contributor; the
contributor submits a case through the form and a workbook with a good and a bad row; the organiser sees
the two good rows and the bad row's reason, posts a message the contributor sees without reloading, and
extracts to Excel; the third account sees nothing of it on the Operations page, in the search, nor in
the command line."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.conftest import (
    PASSWORD,
    assert_no_exception,
    copy_store,
    open_page,
    screenshot,
    served_app,
    sign_in,
    wait_idle,
)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

CODE = "OP-BROWSER"


@pytest.fixture(scope="module")
def ops_app(seeded_sqlite: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    from workbench.identity.accounts import create_account, create_organisation, installation_principal
    from workbench.operations.messages import KEY_ENV, generate_key
    from workbench.store import open_store

    url = copy_store(seeded_sqlite, tmp_path_factory.mktemp("ops") / "app.db")
    store, setup = open_store(url), installation_principal()
    for name, org in (("olga", "FR-DGDDI"), ("carl", "DE-ZOLL"), ("theo", "ES-AEAT")):
        create_organisation(store, org, org, "administration", by=setup)
        create_account(
            store, name, organisation=org, roles=["analyst"], password=PASSWORD, personal=True, by=setup
        )
    before = os.environ.get(KEY_ENV)
    os.environ[KEY_ENV] = generate_key()  # the server reads it from its environment
    try:
        with served_app(
            url, tmp_path_factory.mktemp("opslog") / "streamlit-operations.log", role="admin"
        ) as app:
            yield app, url
    finally:
        if before is None:
            os.environ.pop(KEY_ENV, None)
        else:
            os.environ[KEY_ENV] = before


def _open_operations(pg) -> None:  # type: ignore[no-untyped-def]
    pg.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="Operations", exact=True).click()
    wait_idle(pg, "h1:has-text('Operations')")


def _tab(pg, name: str) -> None:  # type: ignore[no-untyped-def]
    # not wait_idle: the live message view reruns every few seconds, so the page never stays still
    pg.get_by_role("tab", name=name).click()
    pg.wait_for_timeout(500)


def _member_role(url: str, account: str) -> str | None:
    import sqlalchemy as sa

    from workbench.operations.tables import OPERATION_MEMBERS
    from workbench.store import open_store

    with open_store(url).engine.connect() as conn:
        return conn.execute(
            sa.select(OPERATION_MEMBERS.c.role).where(OPERATION_MEMBERS.c.account == account)
        ).scalar_one_or_none()


def _workbook(url: str, tmp: Path) -> Path:
    import sqlalchemy as sa
    from openpyxl import load_workbook

    from workbench.operations.tables import OPERATION_TEMPLATES, OPERATIONS
    from workbench.operations.templates import Template, excel_template
    from workbench.store import open_store

    with open_store(url).engine.connect() as conn:
        fields = conn.execute(
            sa.select(OPERATION_TEMPLATES.c.fields)
            .join(OPERATIONS, OPERATIONS.c.id == OPERATION_TEMPLATES.c.operation_id)
            .where(OPERATIONS.c.code == CODE)
        ).scalar_one()
    book = excel_template(Template.from_json(fields), tmp / "filled.xlsx")
    wb = load_workbook(book)
    ws = wb["submission"]
    for i, values in enumerate([["OPB-2", "2026-03-02"], ["OPB-3", "31/02/2026"]], start=2):
        for j, v in enumerate(values, start=1):
            ws.cell(row=i, column=j, value=v)
    wb.save(book)
    return book


def test_operation_between_two_organisations_and_a_third_that_sees_nothing(  # type: ignore[no-untyped-def]
    browser, ops_app: tuple[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    app, url = ops_app
    with open_page(browser, app) as olga, open_page(browser, app) as carl:
        # the organiser creates the operation, its template, and adds the contributor
        sign_in(olga, "olga")
        _open_operations(olga)
        olga.get_by_text("New operation").click()
        olga.get_by_label("Code").fill(CODE)
        olga.get_by_label("Name").fill("Browser test operation")
        olga.get_by_label("Legal basis").fill("Naples II art. 23")
        olga.get_by_role("button", name="Create").click()
        wait_idle(olga)
        screenshot(olga, "operations-created")
        olga.get_by_role("tab", name="Members and template").wait_for(timeout=60_000)
        _tab(olga, "Members and template")
        olga.get_by_role("button", name="Save template").click()
        olga.get_by_text("Template saved.").wait_for(timeout=60_000)
        olga.get_by_label("Account").fill("carl")
        olga.get_by_role("button", name="Add member").click()
        wait_idle(olga)
        assert _member_role(url, "carl") == "contributor"
        assert_no_exception(olga)
        # the contributor: one case through the form, a workbook with a good and a bad row
        sign_in(carl, "carl")
        _open_operations(carl)
        carl.get_by_role("textbox", name="case_id *").fill("OPB-1")
        carl.get_by_role("textbox", name="seizure_date *").fill("2026-03-01")
        carl.get_by_role("button", name="Submit", exact=True).click()
        carl.get_by_text("1 row(s) accepted, 0 refused").wait_for(timeout=60_000)
        carl.locator('[data-testid="stFileUploader"] input[type="file"]').first.set_input_files(
            str(_workbook(url, tmp_path))
        )
        wait_idle(carl)
        carl.get_by_role("button", name="Submit the workbook").click()
        carl.get_by_text("1 row(s) accepted, 1 refused").wait_for(timeout=90_000)
        assert_no_exception(carl)
        screenshot(carl, "operations-contributor-submits")
        _tab(carl, "Messages")
        # the organiser sees the two good rows and the bad row's reason
        # (a reload would start a new session, signed out: the navigation reruns the page instead)
        olga.locator('[data-testid="stSidebarNav"]').get_by_role(
            "link", name="Operations", exact=True
        ).click()
        main = olga.locator('[data-testid="stMain"]')
        main.get_by_text("Rows (2)").wait_for(state="attached", timeout=90_000)
        _tab(olga, "Data")
        main.get_by_text("Rows (2)").wait_for(timeout=30_000)
        main.get_by_text("Refused rows").wait_for(timeout=60_000)
        assert (
            "not a date in ISO 8601 form" in olga.locator('[data-testid="stMain"]').inner_text()
            or olga.locator('[data-testid="stDataFrame"]').count() >= 2
        )
        screenshot(olga, "operations-organiser-rows")
        # a message the contributor sees without reloading
        _tab(olga, "Messages")
        olga.get_by_role("textbox", name="Subject (a new thread)").fill("Courier alert")
        olga.get_by_role("textbox", name="Message", exact=True).fill("Passenger on AF0443 tomorrow")
        olga.get_by_role("button", name="Post").click()
        carl.get_by_text("Passenger on AF0443 tomorrow").wait_for(timeout=30_000)
        screenshot(carl, "operations-live-message")
        # extraction to Excel
        _tab(olga, "Extract and close")
        olga.get_by_role("button", name="Extract").click()
        with olga.expect_download() as dl:
            olga.get_by_role("button", name=f"Download {CODE}.xlsx").click()
        import pandas as pd

        extracted = pd.read_excel(dl.value.path(), engine="openpyxl")
        assert sorted(extracted["case_id"]) == ["OPB-1", "OPB-2"]
        assert_no_exception(olga)
    # the third account: nothing on the Operations page nor in the search
    with open_page(browser, app) as theo:
        sign_in(theo, "theo")
        _open_operations(theo)
        text = theo.locator('[data-testid="stMain"]').inner_text()
        assert "You are a member of no operation." in text and CODE not in text
        theo.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="Cases", exact=True).click()
        wait_idle(theo, '[data-testid="stDataFrame"]')
        theo.get_by_label("Search everything").first.fill("OPB-1")
        theo.keyboard.press("Enter")
        theo.get_by_text("Nothing matches").first.wait_for(timeout=60_000)
        screenshot(theo, "operations-third-sees-nothing")
    # ... nor in the command line
    from workbench.cli import main
    from workbench.identity.accounts import issue_token
    from workbench.identity.accounts import sign_in as library_sign_in
    from workbench.store import open_store

    store = open_store(url)
    monkeypatch.setenv(
        "WORKBENCH_TOKEN", issue_token(store, "theo", by=library_sign_in(store, "theo", PASSWORD))
    )
    capsys.readouterr()
    assert main(["operation", "list", "--db", url]) == 0
    assert CODE not in capsys.readouterr().out
    assert main(["operation", "extract", CODE, "--out", str(tmp_path / "x.xlsx"), "--db", url]) == 3
    assert not (tmp_path / "x.xlsx").exists()
