"""Languages in real Chromium (issue 21): an administrator switches to French in the sidebar, the choice is
kept on the account (a new sign-in is still in French), every page opens in French with a screenshot in
``test-output/screenshots/fr/``; then Arabic: the main block reads right to left, every page is
photographed in ``test-output/screenshots/ar/``, and a table that fits the page has its first column on
the right."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.conftest import (
    PASSWORD,
    SHOTS,
    add_accounts,
    assert_no_exception,
    open_page,
    served_app,
    sign_in,
)
from workbench.i18n import LANGUAGE_NAMES, _, use_language

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture(scope="module")
def little_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The workbench over a store of 150 generated cases with the test accounts: (app URL, store URL)."""
    from workbench.exchange.files import write_dataset
    from workbench.exchange.ingest import import_path
    from workbench.sample.generator import generate
    from workbench.store import open_store

    folder = tmp_path_factory.mktemp("languages")
    write_dataset(generate(150, seed=7).tables, folder / "data")
    url = f"sqlite:///{folder / 'languages.db'}"
    assert import_path(folder / "data", open_store(url)).status == "accepted"
    add_accounts(url)
    with served_app(url, folder / "streamlit-languages.log", role="admin") as app:
        yield app, url


def _settle(pg) -> None:  # type: ignore[no-untyped-def]
    """The script has run: no running-man, no skeleton, the main block's text unchanged for 0.6 s."""
    last = None
    for _i in range(120):
        busy = pg.locator('[data-testid="stStatusWidget"], [data-testid="stSkeleton"]').count() > 0
        size = pg.evaluate(
            "() => { const m = document.querySelector('[data-testid=\"stMain\"]');"
            " return m ? m.innerText.length : -1 }"
        )
        if not busy and size > 0 and size == last:
            return
        last = size
        pg.wait_for_timeout(250)
    raise TimeoutError("the page did not settle")


def _choose_language(pg, code: str) -> None:  # type: ignore[no-untyped-def]
    opener = pg.locator('[data-testid="stSidebar"] .st-key-workbench_language_switch button')
    option = pg.locator('[role="option"]').filter(has_text=LANGUAGE_NAMES[code]).first
    for _attempt in range(5):  # a redraw may fold the list as it opens
        opener.first.click()
        try:
            option.wait_for(timeout=3000)
            break
        except Exception:
            pg.screenshot(path=str(SHOTS / "language-switch-closed.png"))
    option.click()
    _settle(pg)
    assert _switch(pg).input_value() == LANGUAGE_NAMES[code]


def _switch(pg):  # type: ignore[no-untyped-def]
    """The sidebar's language box (its label is translated: found by its key)."""
    return pg.locator('[data-testid="stSidebar"] .st-key-workbench_language_switch input')


def _walk(pg, code: str, only: tuple[str, ...] = ()) -> list[Path]:  # type: ignore[no-untyped-def]
    """Open the pages of the navigation (by address: the titles are translated), all or ``only``, and
    photograph each."""
    folder = SHOTS / code
    folder.mkdir(parents=True, exist_ok=True)
    links = pg.locator('[data-testid="stSidebarNav"] a')
    shots = []
    for i in range(links.count()):
        link = links.nth(i)
        name = (link.get_attribute("href") or "").rstrip("/").rsplit("/", 1)[-1]
        name = "overview" if not name or ":" in name else name  # the default page is the app's root
        if only and name not in only:
            continue
        link.click()
        _settle(pg)
        assert_no_exception(pg)
        path = folder / f"{i:02d}-{name}.png"
        pg.screenshot(path=str(path))
        shots.append(path)
    return shots


def test_french_then_arabic_for_an_administrator(browser, little_app: tuple[str, str]) -> None:  # type: ignore[no-untyped-def]
    from workbench.identity.accounts import account_language
    from workbench.store import open_store

    app, url = little_app
    with open_page(browser, app) as pg:
        sign_in(pg, "ada", PASSWORD)
        _choose_language(pg, "fr")
        assert account_language(open_store(url), "ada") == "fr"
        with use_language("fr"):
            sign_out = _("Sign out")
        pg.get_by_role("button", name=sign_out).click()
        pg.wait_for_selector('input[type="password"]', timeout=60_000)
    with open_page(browser, app) as pg:  # signed in again: still French
        sign_in(pg, "ada", PASSWORD)
        assert _switch(pg).input_value() == LANGUAGE_NAMES["fr"]
        sidebar = pg.locator('[data-testid="stSidebar"]').inner_text()
        with use_language("fr"):
            assert _("Filters") in sidebar
        shots = _walk(pg, "fr")
        assert len(shots) >= 15
        _choose_language(pg, "ar")
        direction = pg.evaluate(
            "() => getComputedStyle(document.querySelector('[data-testid=\"stMain\"]')).direction"
        )
        assert direction == "rtl"
        assert (
            pg.evaluate(
                "() => getComputedStyle(document.querySelector('[data-testid=\"stSidebar\"]')).direction"
            )
            == "rtl"
        )
        assert len(_walk(pg, "ar")) == len(shots)  # every page, right to left
        # the data grid too: a table that fits the page has its first column on the right (the grid's
        # accessible header row lists the columns in the order drawn, left to right)
        pg.locator('[data-testid="stSidebarNav"] a[href$="/admin"]').first.click()
        _settle(pg)
        headers = pg.evaluate(
            """() => Array.from(document.querySelector('[data-testid="stDataFrame"]')
                .querySelectorAll('[role="columnheader"]')).map(h => h.innerText.trim())"""
        )
        with use_language("ar"):
            assert headers[-1] == _("code") and headers[0] == _("accounts"), headers
    assert account_language(open_store(url), "ada") == "ar"
