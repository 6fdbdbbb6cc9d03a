"""Intelligence products in real Chromium (the acceptance of issue 17): an analyst builds a trend report
for one region and year on the Briefing builder, reorders its blocks, adds a text block, marks it, saves
it and sends it for review; another account approves and issues it and downloads a PDF copy. The PDF's
pages are rendered to PNG (kept beside the screenshots, to be looked at) and its text holds the marking
and page number on every page, the watermark, and the figures of `workbench trends` on the same filter."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from tests.browser.conftest import SHOTS, assert_no_exception, open_page, screenshot, sign_in, wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

MARKING = "RESTRICTED · TLP:AMBER"


def _choose(pg, label: str, option: str) -> None:  # type: ignore[no-untyped-def]
    box = pg.locator('[data-testid="stSelectbox"]').filter(has_text=label).locator("visible=true").first
    box.click()
    pg.keyboard.type(option)
    pg.get_by_role("option", name=option, exact=True).click()
    wait_idle(pg)


def _nav(pg, title: str) -> None:  # type: ignore[no-untyped-def]
    pg.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title, exact=True).click()
    wait_idle(pg, f"h1:has-text('{title}')")


def _click(pg, name: str, nth: int = 0) -> None:  # type: ignore[no-untyped-def]
    pg.get_by_role("button", name=name, exact=True).nth(nth).click()
    wait_idle(pg)


def _see(pg, text: str) -> None:  # type: ignore[no-untyped-def]
    """Wait until the main area shows ``text`` (a step's message may come a few seconds after the click)."""
    pg.locator('[data-testid="stMain"]').get_by_text(text, exact=False).first.wait_for(timeout=120_000)
    wait_idle(pg)


def _block_titles(pg, first: list[str] | None = None) -> list[str]:  # type: ignore[no-untyped-def]
    """The blocks' titles in order; with ``first``, once the first titles are those (a reassembly can
    take some seconds on a busy machine)."""
    for _ in range(240):
        texts = pg.locator('[data-testid="stMarkdownContainer"] strong').all_inner_texts()
        titles = [t for t in texts if re.match(r"^\d+\. ", t)]
        if first is None or titles[: len(first)] == first:
            return titles
        pg.wait_for_timeout(500)
    return titles


def test_trend_report_from_builder_to_issued_pdf(
    browser, accounts_app: tuple[str, str], tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    import pypdfium2 as pdfium

    from workbench.cli import main

    app, db = accounts_app
    with open_page(browser, app) as pg:
        sign_in(pg, "ana")
        _nav(pg, "Briefing builder")
        _choose(pg, "Template", "Trend report")
        _choose(pg, "Region", "Europe")
        _choose(pg, "Year", "2024")
        _click(pg, "Assemble")
        pg.get_by_text("Save draft", exact=True).wait_for(timeout=120_000)  # the blocks are assembled
        wait_idle(pg)
        assert _block_titles(pg)[:2] == ["1. Key figures", "2. Trend of cases"]
        _click(pg, "Down", 0)  # key figures below the trend
        assert _block_titles(pg, ["1. Trend of cases", "2. Key figures"])[:2] == [
            "1. Trend of cases",
            "2. Key figures",
        ]
        n = len(_block_titles(pg))
        _click(pg, "Add text block")
        pg.get_by_text(f"{n + 1}. Analyst's note", exact=True).wait_for(timeout=120_000)
        area = pg.get_by_label("Text", exact=True).last
        area.fill("Analyst's view: Rotterdam and Antwerp remain the main entry points.")
        area.press("Control+Enter")
        wait_idle(pg)
        _choose(pg, "Classification", "RESTRICTED")
        _choose(pg, "TLP", "AMBER")
        screenshot(pg, "products-builder")
        _click(pg, "Save draft")
        _see(pg, "Draft saved")
        _nav(pg, "Products")
        _click(pg, "Send for review")
        _see(pg, "is now in review")
        assert pg.get_by_role("button", name="Approve", exact=True).count() == 1
        _click(pg, "Approve")  # the author may not
        assert (
            "ana wrote this product; someone else must approve it"
            in pg.locator('[data-testid="stMain"]').inner_text()
        )
        assert_no_exception(pg)

    with open_page(browser, app) as pg:
        sign_in(pg, "ada")
        _nav(pg, "Products")
        _click(pg, "Approve")
        _see(pg, "is now approved")
        pg.get_by_label("Distribution list (comma-separated)").fill("FR-DGDDI, NL-FIOD")
        pg.get_by_label("Distribution list (comma-separated)").press("Enter")
        wait_idle(pg)
        _click(pg, "Issue")
        _see(pg, "is now issued")
        pg.get_by_label("Recipient", exact=True).fill("NL-FIOD")
        pg.get_by_label("Recipient", exact=True).press("Enter")
        wait_idle(pg)
        _click(pg, "Prepare copy")
        screenshot(pg, "products-register")
        with pg.expect_download(timeout=90_000) as dl:
            pg.get_by_role("button", name="Download the copy (.pdf)").click()
        pdf_path = tmp_path / "copy.pdf"
        dl.value.save_as(pdf_path)
        assert_no_exception(pg)

    pdf = pdfium.PdfDocument(pdf_path, autoclose=True)
    n = len(pdf)
    SHOTS.mkdir(parents=True, exist_ok=True)
    text = ""
    for i, page in enumerate(pdf):
        page.render(scale=1.2).to_pil().save(SHOTS / f"products-pdf-page{i + 1}.png")
        t = page.get_textpage().get_text_range()
        assert t.count(MARKING) >= 2, f"page {i + 1} lacks the marking in its header and footer"
        assert f"Page {i + 1} of {n}" in t and "Copy for NL-FIOD" in t
        text += t + "\n"
    assert "Rotterdam and Antwerp" in text
    assert text.index("Trend of cases") < text.index("Key figures\r\n")
    # the figures of `workbench trends` on the same filter
    out = tmp_path / "trends.csv"
    args = [
        "trends",
        "--db",
        db,
        "--region",
        "Europe",
        "--from",
        "2024-01-01",
        "--to",
        "2024-12-31",
        "--freq",
        "M",
    ]
    from workbench.identity.accounts import installation_principal, issue_token
    from workbench.store import open_store

    monkeypatch.setenv("WORKBENCH_TOKEN", issue_token(open_store(db), "ada", by=installation_principal()))
    assert main([*args, "--out", str(out)]) == 0
    cli = pd.read_csv(out, dtype={"period": str})
    flat = re.sub(r"\s+", " ", text)
    for period, cases in zip(cli["period"], cli["cases"], strict=True):
        assert re.search(rf"{period} {cases:,} ", flat), (period, cases)
