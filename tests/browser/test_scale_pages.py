"""Every page of the navigation opens on a 200,000-case store, in real Chromium (issue 22).

The store is made once by the real import (:func:`workbench.exchange.ingest.import_path`, what
``workbench import`` runs: cases, items, persons and companies of the generator with ``n=200_000``, seed
22, written as an exchange-format CSV folder), and kept in the pytest cache folder under a key of the
generator's and the import's source and the migrations, so a re-run starts at once and a clean clone (or
a change to the generator, the import or the schema) builds it again. The test serves the app over a
copy, signs in as a real account (an administrator: every page is in the menu), opens each page of the
navigation from the menu, waits until it has rendered (stating the purpose where a page asks before
personal data), fails on any exception or error box, and prints each page's time: a table with ``-s``,
and the same table in the terminal summary (tests/conftest.py prints the
recorded ``page_times`` property, also from an xdist worker).
"""

from __future__ import annotations

import hashlib
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.conftest import (
    ACCOUNTS,
    add_accounts,
    assert_no_exception,
    copy_store,
    open_page,
    served_app,
    sign_in,
    wait_idle,
)
from tests.conftest import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

CASES = 200_000
#: How long one page may take to render (ms) before it counts as a failure and the walk goes on.
PAGE_TIMEOUT = 180_000
SEED = 22
#: The sources whose change makes another store: the generator and its patterns, the import, the schema.
KEYED = [
    "workbench/sample/generator.py",
    "workbench/sample/patterns.yaml",
    "workbench/exchange/ingest.py",
    "workbench/store/models.py",
    "workbench/store/migrations/versions",
    "workbench/network/incremental.py",
]
#: Each page's time: (section, page, seconds).
TIMES: list[tuple[str, str, float]] = []


def _key() -> str:
    h = hashlib.sha256(f"{CASES}/{SEED}".encode())
    for rel in KEYED:
        p = ROOT / rel
        for f in sorted(p.rglob("*.py")) if p.is_dir() else [p]:
            h.update(f.name.encode())
            h.update(f.read_bytes())
    return h.hexdigest()[:16]


def build_store(target: Path) -> dict[str, float]:
    """Generate the cases, write their CSV folder and import it into a new SQLite store at ``target``."""
    from workbench.exchange.files import write_dataset
    from workbench.exchange.ingest import import_path
    from workbench.sample.generator import generate
    from workbench.store import open_store

    facts: dict[str, float] = {}
    t0 = time.perf_counter()
    ds = generate(CASES, seed=SEED)
    folder = target.parent / "csv"
    write_dataset(ds.tables, folder)
    del ds
    facts["generate_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    store = open_store(f"sqlite:///{target}")
    rep = import_path(folder, store)
    facts["import_s"] = time.perf_counter() - t0
    facts["rows"] = float(sum(rep.accepted.values()))
    # as `workbench import` and the Data page do after an import: its persons and companies resolved (a
    # first, full resolution), so the Network and Duplicates pages open on the stored entities
    from workbench.identity import installation_principal
    from workbench.network.incremental import resolve_pending

    t0 = time.perf_counter()
    resolve_pending(store, actor=installation_principal())
    facts["resolve_s"] = time.perf_counter() - t0
    store.engine.dispose()
    shutil.rmtree(folder, ignore_errors=True)
    add_accounts(f"sqlite:///{target}")
    return facts


def _settle_file(built: Path, db: Path) -> None:
    """``built`` (a WAL-mode store, its recent writes in the ``-wal`` file beside it) as one file at ``db``
    (the backup API, then rollback journaling), put in place only when whole."""
    import sqlite3

    part = db.with_suffix(".part")
    part.unlink(missing_ok=True)
    src, dst = sqlite3.connect(built), sqlite3.connect(part)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")
    finally:
        src.close()
        dst.close()
    part.rename(db)
    for f in built.parent.glob(built.name + "*"):
        f.unlink()


@pytest.fixture(scope="module")
def big_store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The cached 200k-case store (built when missing), copied for this run: the app writes to it."""
    # pytest's cache folder (the cache plugin is off in pyproject's addopts: its place, then)
    plugin = getattr(request.config, "cache", None)
    folder = plugin.mkdir("scale-store") if plugin else ROOT / ".pytest_cache" / "d" / "scale-store"
    cache = Path(folder) / _key()
    db = cache / "store.db"
    if not db.exists():
        cache.parent.mkdir(parents=True, exist_ok=True)
        for old in cache.parent.iterdir():  # stores of an older key
            shutil.rmtree(old, ignore_errors=True)
        cache.mkdir(parents=True)
        facts = build_store(cache / "building.db")
        _settle_file(cache / "building.db", db)
        print(
            f"\n200k store built: generated in {facts['generate_s']:.0f} s, imported "
            f"({facts['rows']:,.0f} rows) in {facts['import_s']:.0f} s, resolved in {facts['resolve_s']:.0f} s"
        )
    return copy_store(f"sqlite:///{db}", tmp_path_factory.mktemp("scale") / "app.db")


@pytest.fixture()
def pg(browser, big_store: str, tmp_path: Path) -> Iterator[object]:  # type: ignore[no-untyped-def]
    with (
        served_app(big_store, tmp_path / "streamlit-scale.log", role="viewer") as app,
        open_page(browser, app) as page,
    ):
        yield page


def _settle(pg, title: str) -> None:  # type: ignore[no-untyped-def]
    """The page's title is shown, the script has finished and the text stopped changing; a purpose
    prompt (personal data) is answered and the page waited for again."""
    pg.get_by_role("heading", name=title).first.wait_for(timeout=PAGE_TIMEOUT)
    wait_idle(pg, timeout=PAGE_TIMEOUT)
    prompt = pg.get_by_label("Case or operation reference")
    if prompt.count():
        prompt.fill("OP-SCALE-1")
        pg.get_by_label("Justification").fill("automated scale test")
        pg.get_by_role("button", name="Show personal data").click()
        prompt.wait_for(state="detached", timeout=PAGE_TIMEOUT)
        wait_idle(pg, timeout=PAGE_TIMEOUT)
    pg.wait_for_selector('[data-testid="stSpinner"]', state="detached", timeout=PAGE_TIMEOUT)


def _error_boxes(pg) -> list[str]:  # type: ignore[no-untyped-def]
    return [t[:300] for t in pg.locator('[data-testid="stAlertContentError"]').all_inner_texts()]


def test_every_page_opens_on_200k_cases(pg, request: pytest.FixtureRequest, record_property) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    from workbench.ui.navigation import discover_pages

    admin = next(name for name, (roles, _) in ACCOUNTS.items() if "admin" in roles)
    t0 = time.perf_counter()
    sign_in(pg, admin)
    _settle(pg, "Overview")
    TIMES.append(("Analysis", "Overview (first, after sign-in)", time.perf_counter() - t0))
    assert_no_exception(pg)
    nav = pg.locator('[data-testid="stSidebarNav"]')
    problems: list[str] = []
    for section, specs in discover_pages(ROOT).items():
        for spec in specs:
            t0 = time.perf_counter()
            try:
                nav.get_by_role("link", name=spec.title, exact=True).click()
                _settle(pg, spec.title)
            except PlaywrightTimeout as exc:
                problems.append(
                    f"{spec.title}: not rendered within {PAGE_TIMEOUT / 1000:.0f} s ({exc.message[:200]})"
                )
            TIMES.append((section, spec.title, time.perf_counter() - t0))
            exc = pg.locator('[data-testid="stException"]')
            if exc.count():
                problems.append(f"{spec.title}: exception {exc.first.inner_text()[:500]}")
            problems += [f"{spec.title}: error box {e}" for e in _error_boxes(pg)]
    # shown in the terminal summary by tests/conftest.py (on the controller too, under xdist)
    record_property("page_times", table())
    (ROOT / "test-output").mkdir(exist_ok=True)
    (ROOT / "test-output" / "scale-page-times.md").write_text(table() + "\n")
    print("\n" + table())
    assert not problems, "\n".join(problems)
    assert len(TIMES) == 1 + sum(len(s) for s in discover_pages(ROOT).values())


def table() -> str:
    lines = [
        f"Page times on {CASES:,} cases (SQLite, Chromium)",
        "| section | page | seconds |",
        "|---|---|---|",
    ]
    lines += [f"| {s} | {t} | {secs:.1f} |" for s, t, secs in TIMES]
    lines.append(f"| | total | {sum(x[2] for x in TIMES):.1f} |")
    return "\n".join(lines)
