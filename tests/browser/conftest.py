"""Browser fixtures: the app served by Streamlit on loopback, and real Chromium driven by Playwright.

Every request the page makes is watched; any that would leave the machine is aborted and recorded,
and the ``page`` fixture fails the test if there was one. Screenshots go to test-output/screenshots.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.conftest import ROOT, copy_sqlite, free_port, skip_or_fail, wait_for_http

SHOTS = ROOT / "test-output" / "screenshots"

#: The browser modules run in two xdist groups, one per worker (``make test`` runs ``-n 2 --dist
#: loadgroup``), so that neither worker waits on Chromium alone: one group held every browser test and was
#: the whole run's critical path. The heavy modules are spread by hand; any other alternates by name.
BROWSER_GROUPS = {
    "test_trends": 0,
    "test_identity": 0,
    "test_routes_page": 0,
    "test_data_page": 0,
    "test_security_headers": 0,
    "test_export_markup": 0,
    "test_quality": 1,
    "test_risk_pages": 1,
    "test_walk": 1,
    "test_network_page": 1,
    "test_shell": 1,
    "test_data_fixes": 1,
    "test_fresh_data": 1,
    "test_search_page": 1,
}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Put each browser module in its group (before pytest-xdist names the groups)."""
    unknown = sorted({i.path.stem for i in items if i.path.parent.name == "browser"} - set(BROWSER_GROUPS))
    extra = {name: k % 2 for k, name in enumerate(unknown)}
    for item in items:
        if item.path.parent.name == "browser" and item.get_closest_marker("browser"):
            group = {**BROWSER_GROUPS, **extra}[item.path.stem]
            item.add_marker(pytest.mark.xdist_group(f"browser-{group}"))


CHROMIUM = os.environ.get("WORKBENCH_CHROMIUM", "/usr/bin/chromium")
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", ""}


@contextmanager
def served_app(db_url: str, log_path: Path, role: str = "analyst") -> Iterator[str]:
    """Serve the workbench over ``db_url`` on a free loopback port, as ``make run`` does, to a user of
    ``role``."""
    port = free_port()
    env = {
        **os.environ,
        "WORKBENCH_DB_URL": db_url,
        "WORKBENCH_ROLE": role,
        "WORKBENCH_USER": "browser-test",
        "GX_ANALYTICS_ENABLED": "false",
    }
    log = open(log_path, "w+")  # noqa: SIM115
    proc = subprocess.Popen(
        # the same launcher as `make run` (see workbench/ui/serve.py for why not plain `streamlit run`)
        [sys.executable, "-m", "workbench", "serve", "--port", str(port), "--address", "127.0.0.1"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/_stcore/health", timeout=90)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.seek(0)
        text = log.read()
        log.close()
        (ROOT / "test-output").mkdir(exist_ok=True)
        (ROOT / "test-output" / log_path.name).write_text(text)


def copy_store(seeded_sqlite: str, target: Path) -> str:
    """A copy of a SQLite store (the backup API: a WAL-mode database keeps recent writes beside the file)."""
    return copy_sqlite(seeded_sqlite, target)


@pytest.fixture(scope="session")
def app_url(seeded_sqlite: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The workbench served on a free loopback port, over a copy of the seeded sample store."""
    url = copy_store(seeded_sqlite, tmp_path_factory.mktemp("app") / "app.db")
    with served_app(url, tmp_path_factory.mktemp("applog") / "streamlit.log") as app:
        yield app


@pytest.fixture(scope="session")
def role_app(seeded_sqlite: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], str]]:
    """``role_app(role)``: the URL of the workbench served to ``role`` over a copy of the seeded sample,
    started on first use and shared by every test of the session that asks for that role (a server
    start and its first page cost seconds each). Apart from :func:`app_url`, whose store the Data page's
    tests import into: these stores hold the seeded sample only, so tests on them must not import."""
    servers: dict[str, str] = {}
    with ExitStack() as stack:

        def serve(role: str) -> str:
            if role not in servers:
                tmp = tmp_path_factory.mktemp(f"app-{role}")
                url = copy_store(seeded_sqlite, tmp / "app.db")
                servers[role] = stack.enter_context(served_app(url, tmp / f"streamlit-{role}.log", role=role))
            return servers[role]

        yield serve


#: The accounts of :func:`accounts_app` (name: roles, personal-data permission), all with :data:`PASSWORD`.
ACCOUNTS = {
    "ada": (["admin"], True),
    "ana": (["analyst"], True),
    "ben": (["analyst"], True),
    "vic": (["viewer"], False),
}
PASSWORD = "correct horse battery staple"


def add_accounts(db_url: str) -> None:
    """An organisation and the :data:`ACCOUNTS` in the store at ``db_url`` (as the set-up would add them)."""
    from workbench.identity.accounts import create_account, create_organisation, installation_principal
    from workbench.store import open_store

    store, setup = open_store(db_url), installation_principal()
    create_organisation(store, "FR-DGDDI", "French customs", "administration", by=setup)
    for name, (roles, personal) in ACCOUNTS.items():
        create_account(
            store, name, organisation="FR-DGDDI", roles=roles, password=PASSWORD, personal=personal, by=setup
        )


@pytest.fixture(scope="session")
def accounts_app(seeded_sqlite: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The workbench served over a copy of the seeded sample that has accounts, so everyone signs in:
    (app URL, store URL). The server's WORKBENCH_ROLE grants nothing there."""
    url = copy_store(seeded_sqlite, tmp_path_factory.mktemp("accounts") / "app.db")
    add_accounts(url)
    with served_app(
        url, tmp_path_factory.mktemp("accountslog") / "streamlit-accounts.log", role="admin"
    ) as app:
        yield app, url


def sign_in(pg, name: str, password: str = PASSWORD) -> None:  # type: ignore[no-untyped-def]
    """Sign in through the login form at the app's address (``pg.app_url``)."""
    pg.goto(pg.app_url)
    wait_idle(pg, 'input[type="password"]')
    pg.get_by_label("Account", exact=True).fill(name)
    pg.get_by_label("Password", exact=True).fill(password)
    pg.get_by_role("button", name="Sign in").click()
    # signed in (the navigation appears) or refused (a message under the form)
    pg.wait_for_selector('[data-testid="stSidebarNav"], [data-testid="stAlert"]', timeout=90_000)
    wait_idle(pg)


def state_purpose(pg, reference: str = "OP-BROWSER-1") -> None:  # type: ignore[no-untyped-def]
    """Answer the purpose prompt the page shows before personal data (a case reference and why)."""
    pg.get_by_label("Case or operation reference").wait_for(timeout=90_000)
    pg.get_by_label("Case or operation reference").fill(reference)
    pg.get_by_label("Justification").fill("automated browser test")
    pg.get_by_role("button", name="Show personal data").click()
    pg.get_by_label("Case or operation reference").wait_for(state="detached", timeout=90_000)
    wait_idle(pg)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        skip_or_fail(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("playwright is not installed")
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--use-gl=swiftshader",
                "--enable-unsafe-swiftshader",
            ],
        )
        yield b
        b.close()


@pytest.fixture()
def page(browser, app_url: str) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """A fresh page on the shared app; fails the test if it tried to reach any host but this machine."""
    with open_page(browser, app_url) as pg:
        yield pg


@contextmanager
def open_page(browser, app_url: str) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """A fresh page on the app at ``app_url`` (``page.app_url``); fails if it tried to reach any host
    but this machine."""
    ctx = browser.new_context(viewport={"width": 1440, "height": 960}, accept_downloads=True)
    outside: list[str] = []

    def guard(route) -> None:  # type: ignore[no-untyped-def]
        host = urlparse(route.request.url).hostname or ""
        if route.request.url.startswith(("data:", "blob:")) or host in LOCAL_HOSTS:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    ctx.route("**/*", guard)
    pg = ctx.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.app_url = app_url  # type: ignore[attr-defined]
    try:
        yield pg
    finally:
        ctx.close()
    assert not outside, f"requests tried to leave the machine: {outside[:10]}"


#: One look at the page: is a script run going on (Streamlit marks the app with the state of its script
#: run as soon as it knows of one, before any "Running" sign shows), is anything still a placeholder, and
#: how long is the visible text of the main area.
_PAGE_STATE = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  const main = document.querySelector('[data-testid="stMain"]');
  return {
    run: app ? app.getAttribute('data-test-script-state') : null,
    busy: document.querySelector('[data-testid="stStatusWidget"], [data-testid="stSkeleton"]') !== null,
    size: main ? main.innerText.length : -1,
  };
}"""


def wait_idle(pg, ready: str | None = None, timeout: float = 90_000) -> None:  # type: ignore[no-untyped-def]
    """Wait until the script has run and the page's visible text stops changing for 0.6 s.

    ``ready``: a selector that must be visible too (a page's main content). Streamlit may run the
    script twice on a first visit and hide what is not yet redrawn, so visible text is what counts; and
    a click's rerun starts a moment after the click, hence the quiet spell on top of the run state.
    """
    import time

    pg.wait_for_selector('[data-testid="stApp"]', timeout=timeout)
    deadline = time.monotonic() + timeout / 1000
    last, stable = None, 0
    while time.monotonic() < deadline:
        state = pg.evaluate(_PAGE_STATE)
        busy = state["busy"] or state["run"] in ("running", "rerunRequested", "stopRequested")
        if not busy and ready is not None and not pg.locator(ready).first.is_visible():
            busy = True
        size = state["size"]
        stable = stable + 1 if (size == last and not busy and size > 0) else 0
        if stable >= 2:
            return
        last = size
        pg.wait_for_timeout(300)
    raise TimeoutError(f"the page did not settle within {timeout / 1000:.0f} s (ready: {ready})")


def screenshot(pg, name: str) -> Path:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    pg.screenshot(path=str(path), full_page=True)
    return path


def assert_no_exception(pg) -> None:  # type: ignore[no-untyped-def]
    exc = pg.locator('[data-testid="stException"]')
    assert exc.count() == 0, exc.first.inner_text()[:2000]
