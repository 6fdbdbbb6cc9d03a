"""Shared test fixtures: stores on SQLite and a real PostgreSQL, a seeded sample, strict mode.

PostgreSQL: ``WORKBENCH_TEST_PG_URL`` if set, otherwise a throw-away server from Debian's packages
(``initdb``/``pg_ctl`` under /usr/lib/postgresql) is started on loopback for the session.
Chromium: /usr/bin/chromium, driven by Playwright (see tests/browser).

``WORKBENCH_STRICT_TESTS=1`` (set by .ci/run) turns every skip for a missing PostgreSQL or Chromium
into a failure, so CI always runs those tests.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest
import xlsxwriter

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

ROOT = Path(__file__).resolve().parents[1]
STRICT = os.environ.get("WORKBENCH_STRICT_TESTS", "").lower() in ("1", "true", "yes")


def skip_or_fail(reason: str) -> None:
    """Skip locally; fail in CI (strict mode), where every dependency must be present."""
    if STRICT:
        pytest.fail(f"strict mode (WORKBENCH_STRICT_TESTS): {reason}")
    pytest.skip(reason)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Keep each module whose tests share a module-scoped fixture (a store filled once, a generated data
    set) on one pytest-xdist worker: ``--dist loadgroup`` hands unmarked tests out one by one, so such a
    fixture was built again on the other worker. The browser modules have their own groups."""

    def shares_a_module_fixture(item: pytest.Item) -> bool:
        info = getattr(item, "_fixtureinfo", None)
        defs = info.name2fixturedefs.values() if info is not None else ()
        return any(d and d[-1].scope == "module" for d in defs)

    grouped = {item.path for item in items if shares_a_module_fixture(item)}
    for item in items:
        if item.path in grouped and item.path.parent.name != "browser":
            if not item.get_closest_marker("xdist_group"):
                item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))


class _LoadgroupIds:
    """pytest-xdist 3.8 marks a test's group by appending ``@group`` to ``item._nodeid``, which pytest 9.2
    no longer reads (node ids are structured, in ``item._id``): ``--dist loadgroup`` then hands every test
    out on its own and no ``xdist_group`` holds (pytest-dev/pytest-xdist#1386). Carry the suffix over
    after xdist's own hook, on the workers, so the groups hold again; a no-op once xdist does it."""

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        for item in items:
            marked = item.__dict__.get("_nodeid")
            if isinstance(marked, str) and "@" in marked and item.nodeid != marked:
                from _pytest.nodeid import NodeId  # pytest >= 9.2 only: older ones never get here

                item._id = NodeId.parse(marked)  # type: ignore[attr-defined]


def pytest_configure(config: pytest.Config) -> None:
    if hasattr(config, "workerinput") and config.getvalue("loadgroup"):
        config.pluginmanager.register(_LoadgroupIds(), "workbench-loadgroup-ids")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pg_bin() -> Path | None:
    for d in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (d / "initdb").exists() and (d / "pg_ctl").exists():
            return d
    return None


@pytest.fixture(scope="session")
def pg_server_url() -> Iterator[str]:
    """URL of an empty-able PostgreSQL server database for the session."""
    url = os.environ.get("WORKBENCH_TEST_PG_URL")
    if url:
        yield url
        return
    bindir = _pg_bin()
    if bindir is None:
        skip_or_fail(
            "no PostgreSQL server binaries (apt-get install postgresql) and no WORKBENCH_TEST_PG_URL"
        )
    assert bindir is not None
    tmp = Path(tempfile.mkdtemp(prefix="wb-pg-"))
    data = tmp / "data"
    as_user: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root
        user = "postgres" if shutil.which("runuser") else None
        if user is None:
            skip_or_fail("running as root without runuser: cannot start PostgreSQL")
        as_user = ["runuser", "-u", "postgres", "--"]
        shutil.chown(tmp, "postgres")
    port = free_port()
    subprocess.run(
        [*as_user, str(bindir / "initdb"), "-D", str(data), "-U", "wb", "--auth=trust", "-E", "UTF8"],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            *as_user,
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(tmp / "log"),
            "-w",
            "-o",
            f"-p {port} -h 127.0.0.1 -k {tmp} -c fsync=off -c synchronous_commit=off -c full_page_writes=off",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql+psycopg://wb@127.0.0.1:{port}/postgres"
    finally:
        _wait_for_drops()
        subprocess.run(
            [*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
        )
        shutil.rmtree(tmp, ignore_errors=True)


@contextmanager
def _pg_database(server_url: str, template: str | None = None) -> Iterator[str]:
    """A fresh PostgreSQL database on ``server_url`` (empty, or a clone of the database ``template``),
    dropped afterwards."""
    import uuid

    import sqlalchemy as sa

    name = "t_" + uuid.uuid4().hex[:12]
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(sa.text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
    admin.dispose()
    url = server_url.rsplit("/", 1)[0] + "/" + name
    try:
        yield url
    finally:
        import gc

        gc.collect()  # connections the test left open are closed before the database goes
        _drop_later(server_url, name)


#: Databases are dropped on a thread of their own: a DROP DATABASE waits for a checkpoint of the server,
#: which the next test need not wait for. :func:`pytest_sessionfinish` waits for the last ones.
_DROPPER: ThreadPoolExecutor | None = None
_DROP_ERRORS: list[str] = []


def _drop_later(server_url: str, name: str) -> None:
    global _DROPPER

    def drop() -> None:
        import sqlalchemy as sa

        admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as c:
                c.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        except Exception as e:  # noqa: BLE001 - reported at the end of the session
            _DROP_ERRORS.append(f"{name}: {e}")
        finally:
            admin.dispose()

    if _DROPPER is None:
        _DROPPER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="drop-database")
    _DROPPER.submit(drop)


def _wait_for_drops() -> None:
    global _DROPPER
    if _DROPPER is not None:
        _DROPPER.shutdown(wait=True)
        _DROPPER = None


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    _wait_for_drops()
    if _DROP_ERRORS:
        session.config.get_terminal_writer().line(f"test databases not dropped: {_DROP_ERRORS[:5]}")


@pytest.fixture()
def pg_url(pg_server_url: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test."""
    with _pg_database(pg_server_url) as url:
        yield url


@pytest.fixture(scope="session")
def pg_store_template(pg_server_url: str) -> Iterator[str]:
    """The name of a PostgreSQL database holding a new, empty store (built by the migrations once per
    worker), which :func:`pg_store_url` clones: a clone takes a fraction of the migrations' time.
    Nothing connects to it after it is built (a template must have no other session)."""
    from workbench.store import open_store

    with _pg_database(pg_server_url) as url:
        open_store(url).engine.dispose()
        yield url.rsplit("/", 1)[1]


@pytest.fixture()
def pg_store_url(pg_server_url: str, pg_store_template: str) -> Iterator[str]:
    """A new, empty store on PostgreSQL (migrated, as ``open_store`` leaves a new database) for one test."""
    with _pg_database(pg_server_url, template=pg_store_template) as url:
        yield url


@pytest.fixture(scope="session")
def sqlite_store_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """URL of a new, empty SQLite store (built by the migrations once per run); read-only: tests get a
    :func:`copy_sqlite` of it."""

    def build(folder: Path) -> None:
        from workbench.store import open_store

        open_store(f"sqlite:///{folder / 'empty.db'}").engine.dispose()

    return f"sqlite:///{built_once(tmp_path_factory, 'empty-store', build) / 'empty.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same test against the embedded SQLite store and a real PostgreSQL (contract tests): a new,
    empty store, migrated as ``open_store`` leaves it (a copy of a template the migrations built once,
    rather than the migrations again in every test)."""
    if request.param == "sqlite":
        return copy_sqlite(request.getfixturevalue("sqlite_store_template"), tmp_path / "store.db")
    return str(request.getfixturevalue("pg_store_url"))


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def module_store_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """:func:`store_url` shared by the tests of one module (fill it once, then read it in many tests)."""
    if request.param == "sqlite":
        template = request.getfixturevalue("sqlite_store_template")
        yield copy_sqlite(template, tmp_path_factory.mktemp("module-store") / "store.db")
        return
    template = request.getfixturevalue("pg_store_template")
    with _pg_database(request.getfixturevalue("pg_server_url"), template=template) as url:
        yield url


@pytest.fixture(scope="session")
def small_sample(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """A 3,000-case generated data set (seed 7), as a SampleDataset."""
    from workbench.sample.generator import generate

    return generate(3000, seed=7)


@pytest.fixture(scope="session")
def small_sample_dir(small_sample, tmp_path_factory: pytest.TempPathFactory) -> Path:  # type: ignore[no-untyped-def]
    from workbench.exchange.files import write_dataset

    d = tmp_path_factory.mktemp("sample") / "small"
    write_dataset(small_sample.tables, d)
    return d


@pytest.fixture(scope="session")
def seeded_sqlite(small_sample_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """URL of a SQLite store holding the small sample (read-only use, please): imported once per run,
    each xdist worker reading its own copy."""

    def build(folder: Path) -> None:
        from workbench.exchange.ingest import import_path
        from workbench.store import open_store

        store = open_store(f"sqlite:///{folder / 'seeded.db'}")
        report = import_path(small_sample_dir, store)
        assert report.status == "accepted", report.rejections[:5]
        store.engine.dispose()

    built = built_once(tmp_path_factory, "seeded", build) / "seeded.db"
    return copy_sqlite(f"sqlite:///{built}", tmp_path_factory.mktemp("seeded") / "seeded.db")


def copy_sqlite(url: str, target: Path) -> str:
    """A copy of the SQLite store at ``url`` in ``target`` (the backup API: a WAL-mode database keeps
    recent writes beside the file), as a URL."""
    import sqlite3

    with sqlite3.connect(url.removeprefix("sqlite:///")) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return f"sqlite:///{target}"


@pytest.fixture()
def store_copy(seeded_sqlite: str, tmp_path: Path) -> str:
    """URL of this test's own copy of :func:`seeded_sqlite` (write to it freely)."""
    return copy_sqlite(seeded_sqlite, tmp_path / "copy.db")


def built_once(tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]) -> Path:
    """A folder ``name`` that ``build(folder)`` fills once for the whole test run: the first pytest-xdist
    worker to ask builds it while the others wait on a file lock, then all read it.

    For expensive read-only data (the 20,000-case store): a test that writes works on a copy.
    """
    import fcntl

    base = tmp_path_factory.getbasetemp()
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base  # shared by this run's workers
    folder = root / f"built-{name}"
    with open(root / f"built-{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not (folder / ".complete").exists():
                shutil.rmtree(folder, ignore_errors=True)
                folder.mkdir()
                build(folder)
                (folder / ".complete").touch()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return folder


@pytest.fixture(scope="session")
def default_sample_store(tmp_path_factory: pytest.TempPathFactory) -> str:
    """URL of a SQLite store holding the shipped default sample (20,000 cases, with planted emerging
    routes), imported once per test run. Read-only: take a :func:`copy_sqlite` of it to write or serve."""

    def build(folder: Path) -> None:
        from workbench.exchange.ingest import import_path
        from workbench.sample.generator import default_sample_path
        from workbench.store import open_store

        store = open_store(f"sqlite:///{folder / 'default.db'}")
        report = import_path(default_sample_path(), store)
        assert report.status == "accepted", report.rejections[:3]
        store.engine.dispose()

    return f"sqlite:///{built_once(tmp_path_factory, 'default-sample', build) / 'default.db'}"


def wait_for_http(url: str, timeout: float = 60) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


# ------------------------------------------------------------------ shared builders
# Hand-made data sets several test modules share. Build them through these fixtures and helpers,
# never by importing another test module.


def state_purpose(at, reference: str = "TEST-1") -> None:  # type: ignore[no-untyped-def]
    """Record in ``at``'s session the purpose of consulting personal data, as the purpose prompt does
    (workbench/ui/session.py) for the local user of a store without accounts; tests/test_session.py
    drives the prompt itself."""
    from workbench.identity import Purpose

    at.session_state["_workbench_local_purposes"] = {"": Purpose(reference, "automated test")}


@pytest.fixture()
def open_app(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Open the app in AppTest over ``db_url`` as ``role`` (and ``user``), on ``page`` if given; with the
    purpose of consulting personal data stated unless ``purpose=False``."""
    from streamlit.testing.v1 import AppTest

    def _open(
        db_url: str,
        page: str | None = None,
        *,
        role: str = "analyst",
        user: str | None = None,
        timeout: float = 90,
        purpose: bool = True,
    ) -> AppTest:
        monkeypatch.setenv("WORKBENCH_DB_URL", db_url)
        monkeypatch.setenv("WORKBENCH_ROLE", role)
        if user:
            monkeypatch.setenv("WORKBENCH_USER", user)
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
        at.run()
        if purpose:
            state_purpose(at)
        if page:
            at.switch_page(page)
            at.run()
        assert not at.exception, at.exception
        return at

    return _open


def workbench_cli(*args: str, db: str) -> subprocess.CompletedProcess[str]:
    """``workbench ARGS --db DB`` in another process (as a user at a terminal would run it), as an analyst."""
    env = {**os.environ, "WORKBENCH_DB_URL": db, "WORKBENCH_ROLE": "analyst", "GX_ANALYTICS_ENABLED": "false"}
    return subprocess.run(
        [sys.executable, "-m", "workbench", *args, "--db", db],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture()
def data_page(open_app):  # type: ignore[no-untyped-def]
    """Open the Data page in AppTest over ``db_url`` as ``role`` (user ``apptest``)."""

    def _open(db_url: str, role: str = "analyst", purpose: bool = True):  # type: ignore[no-untyped-def]
        return open_app(db_url, "pages/data.py", role=role, user="apptest", timeout=60, purpose=purpose)

    return _open


ROUTE_CASE_COLS = [
    "case_id",
    "reporting_country",
    "seizure_date",
    "customs_procedure",
    "place_code",
    "place_name",
    "latitude",
    "longitude",
    "departure_country",
    "transit_countries",
    "destination_country",
]
ROUTE_ITEM_COLS = [
    "case_id",
    "reporting_country",
    "item_no",
    "commodity_category",
    "commodity_type",
    "quantity",
    "unit",
    "estimated_value_usd",
]

ROUTE_CASES = [
    # A: CO → SN → FR, destination blank on an import reported by FR: inferred
    ("A1", "FR", "2024-01-10", "import", "CDG", "Paris CDG", 49.0, 2.55, "CO", "SN", None),
    # B: CO → NL
    ("B2", "NL", "2024-02-03", "import", "AMS", "Schiphol", 52.31, 4.76, "CO", None, "NL"),
    # C, D: BR → ES
    ("C3", "ES", "2024-02-20", "import", "MAD", "Madrid Barajas", 40.47, -3.56, "BR", None, "ES"),
    ("D4", "ES", "2024-03-05", "import", "MAD", "Madrid Barajas", 40.47, -3.56, "BR", None, "ES"),
    # E: TR → BG → TR → BG: the leg TR → BG twice in one route
    ("E5", "BG", "2024-03-15", "import", None, "Kapitan Andreevo", 41.72, 26.32, "TR", "BG;TR", "BG"),
    # F: no route at all
    ("F6", "DE", "2024-03-20", "domestic", None, None, None, None, None, None, None),
    # G: a case without items, route MA → ES
    ("G7", "ES", "2024-01-25", "import", None, "Algeciras", 36.13, -5.44, "MA", None, "ES"),
]
ROUTE_ITEMS = [
    ("A1", "FR", 1, "drugs", "cocaine", 2.0, "kg", 70000.0),
    ("A1", "FR", 2, "drugs", "cocaine", 500.0, "g", 17500.0),
    ("B2", "NL", 1, "drugs", "cocaine", 10.0, "kg", 350000.0),
    ("C3", "ES", 1, "tobacco", "cigarettes", 2000.0, "sticks", 500.0),
    ("D4", "ES", 1, "tobacco", "cigarettes", 1000.0, "sticks", 250.0),
    ("D4", "ES", 2, "drugs", "cannabis_resin", 30.0, "kg", 90000.0),
    ("E5", "BG", 1, "drugs", "heroin", 4.0, "kg", 160000.0),
    ("F6", "DE", 1, "weapons", "handgun", 1.0, "pieces", 800.0),
]


def route_tables() -> dict[str, pd.DataFrame]:
    """Seven hand-made cases whose routes, flows and hubs are known (tests/test_flows.py says which)."""
    return {
        "cases": pd.DataFrame(ROUTE_CASES, columns=ROUTE_CASE_COLS),
        "items": pd.DataFrame(ROUTE_ITEMS, columns=ROUTE_ITEM_COLS),
    }


def seizure_like(t: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The shape of workbench.store.frames.seizure_frame, built by hand."""
    from workbench.store.frames import compact

    df = t["cases"].merge(t["items"], on=["case_id", "reporting_country"], how="left")
    df = compact(df)
    df.insert(0, "case_key", df["reporting_country"].astype("string") + ":" + df["case_id"].astype("string"))
    return df


@pytest.fixture()
def flow_base():  # type: ignore[no-untyped-def]
    """:func:`workbench.routes.flows.prepare_flows` of :func:`route_tables`."""
    from workbench.routes.flows import prepare_flows

    return prepare_flows(seizure_like(route_tables()))


# Six cases, eight items. FR:2 carries cocaine and heroin; NL:3 cocaine in grams; SN:4 has no transport
# mode and an import with no destination (inferred: SN); US:6 has no items at all.
TREND_CASES = pd.DataFrame(
    {
        "case_id": ["1", "2", "3", "4", "5", "6"],
        "reporting_country": ["FR", "FR", "NL", "SN", "FR", "US"],
        "seizure_date": ["2024-01-05", "2024-01-07", "2024-02-11", "2024-04-01", "2025-01-20", "2025-02-03"],
        "transport_mode": ["postal", "road", "road", None, "postal", "air_cargo"],
        "detection_method": ["scanner", "sniffer_dog", "scanner", "scanner", "tip_off", "scanner"],
        "concealment_method": ["mail_item", "vehicle", "vehicle", "baggage", "mail_item", "cargo"],
        "departure_country": ["CO", "MA", "CO", "BR", "CO", None],
        "transit_countries": [None, "ES", None, None, "SN;ES", None],
        "destination_country": ["FR", "FR", "NL", None, "FR", None],
        "customs_procedure": ["import", "import", "import", "import", "import", "export"],
    }
)
TREND_ITEMS = pd.DataFrame(
    {
        "case_id": ["1", "2", "2", "3", "4", "5", "5", "5"],
        "reporting_country": ["FR", "FR", "FR", "NL", "SN", "FR", "FR", "FR"],
        "commodity_category": ["drugs", "drugs", "drugs", "drugs", "tobacco", "drugs", "ipr", "ipr"],
        "commodity_type": [
            "cocaine",
            "cocaine",
            "heroin",
            "cocaine",
            "cigarettes",
            "cocaine",
            "counterfeit_toys",
            "counterfeit_apparel",
        ],
        "quantity": [2.0, 10.0, 1.0, 500.0, 2000.0, 4.0, 30.0, 12.0],
        "unit": ["kg", "kg", "kg", "g", "sticks", "kg", "pieces", "pieces"],
        "estimated_value_usd": [100.0, 400.0, 50.0, 30.0, 500.0, 200.0, 60.0, 40.0],
    }
)


@pytest.fixture()
def trend_frame() -> pd.DataFrame:
    """The shape of workbench.store.frames.seizure_frame for TREND_CASES/TREND_ITEMS: one row per item,
    a case without items once."""
    f = TREND_CASES.merge(TREND_ITEMS, on=["reporting_country", "case_id"], how="left")
    f.insert(0, "case_key", f["reporting_country"] + ":" + f["case_id"])
    f["seizure_date"] = pd.to_datetime(f["seizure_date"])
    return f


# A French national export (merged title row, French headers, decimal commas, country names)
FRENCH_HEADER = [
    "N° dossier",
    "Pays déclarant",
    "Date de saisie",
    "Mode de transport",
    "Pays de provenance",
    "Marchandise",
    "Quantité",
    "Unité",
    "Valeur estimée (USD)",
    "Observations",
    "Agent",
]


def excel_serial(d: str) -> int:
    return (dt.date.fromisoformat(d) - dt.date(1899, 12, 30)).days


FRENCH_ROWS_1 = [
    [
        "FR-24-001",
        "France",
        excel_serial("2024-01-31"),
        "Aérien passager",
        "Colombie",
        "Cocaïne",
        "2,5",
        "kilogrammes",
        "75.000,00",
        "Valise à double fond",
        "B. Martin",
    ],
    [
        "FR-24-002",
        "France",
        excel_serial("2024-02-03"),
        "Conteneur",
        "Brésil",
        "Résine de cannabis",
        "1 200,75",
        "kg",
        "3.602.250",
        "",
        "C. Durand",
    ],
    [
        "FR-24-003",
        "France",
        excel_serial("2024-02-14"),
        "Routier",
        "MAR",
        "Cigarettes",
        "12 000",
        "bâtonnets",
        "2.400",
        "Camion frigorifique",
        "",
    ],
]
FRENCH_ROWS_2 = [
    [
        "FR-24-104",
        "France",
        excel_serial("2024-03-01"),
        "Fret express",
        "Pérou",
        "Cocaïne",
        "0,75",
        "kilos",
        "22.500",
        "",
        "B. Martin",
    ],
    [
        "FR-24-105",
        "France",
        excel_serial("2024-03-09"),
        "Aérien passager",
        "Nigéria",
        "Héroïne",
        "3,2",
        "kg",
        "128.000,50",
        "Ingestion",
        "",
    ],
]


def french_workbook(path: Path, rows: list[list[object]]) -> Path:
    """A national export: a merged title row, a blank line, then French headers and data."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Saisies 2024")
    ws.merge_range(
        0,
        0,
        0,
        len(FRENCH_HEADER) - 1,
        "Direction générale des douanes — saisies 2024",
        wb.add_format({"bold": True}),
    )
    for j, h in enumerate(FRENCH_HEADER):
        ws.write_string(2, j, h)
    for i, row in enumerate(rows, start=3):
        for j, v in enumerate(row):
            ws.write_number(i, j, v) if isinstance(v, int) else ws.write_string(i, j, str(v))
    wb.close()
    return path


#: The phone of the courier of :func:`fresh_dataset`.
FRESH_PHONE = "+354 555 0142"


def fresh_dataset(tag: str, departure: str, n: int = 40) -> dict[str, object]:
    """``n`` cases unmistakably new to the sample: case ids ``{tag}-1`` ..., all seized in France in 2025
    on a route from ``departure`` (a country the sample never uses, e.g. IS or BT), one cocaine item
    each; the first two cases have the same courier, Zephyrin Quattlebaum (phone :data:`FRESH_PHONE`),
    whom entity resolution makes one person across every fresh data set imported.

    Tables as the exchange format's frames (``write_dataset`` writes them as a folder, zip or workbook).
    """
    import pandas as pd

    ids = [f"{tag}-{i}" for i in range(1, n + 1)]
    cases = pd.DataFrame(
        {
            "case_id": ids,
            "reporting_country": "FR",
            "seizure_date": [f"2025-{1 + i % 6:02d}-{1 + i % 27:02d}" for i in range(n)],
            "customs_procedure": "import",
            "transport_mode": "air_passenger",
            "departure_country": departure,
            "destination_country": "FR",
        }
    )
    items = pd.DataFrame(
        {
            "case_id": ids,
            "reporting_country": "FR",
            "item_no": 1,
            "commodity_category": "drugs",
            "commodity_type": "cocaine",
            "quantity": 1.5,
            "unit": "kg",
        }
    )
    persons = pd.DataFrame(
        {
            "person_id": ["P1", "P1"],
            "case_id": ids[:2],
            "reporting_country": "FR",
            "role": "courier",
            "last_name": "Quattlebaum",
            "first_name": "Zephyrin",
            "phone": FRESH_PHONE,
        }
    )
    return {"cases": cases, "items": items, "persons": persons}


def single_record_phone(small_sample) -> tuple[str, str, str]:  # type: ignore[no-untyped-def]
    """A phone of the sample that one person record holds (the graph leaves it out), as written, with
    its case's reporting country and id."""
    from workbench.format.schema import FORMAT

    p = small_sample.tables["persons"]
    col = FORMAT.table("persons").column("phone")
    normal = col.normal_forms(p["phone"], p["nationality"])
    once = normal[(normal != "") & ~normal.duplicated(keep=False)]
    companies = small_sample.tables.get("companies")
    if companies is not None and len(companies):
        theirs = set(
            FORMAT.table("companies").column("phone").normal_forms(companies["phone"], companies["country"])
        )
        once = once[~once.isin(theirs)]
    row = p.loc[once.index[0]]
    return str(row["phone"]), str(row["reporting_country"]), str(row["case_id"])


#: Tables a test recorded as its ``page_times`` property (the 200k-case browser walk), for the summary.
_PAGE_TIMES: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Runs where the reports arrive (the xdist controller too): keeps the recorded page times."""
    if report.when == "call":
        _PAGE_TIMES.extend(str(v) for k, v in report.user_properties if k == "page_times")


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    for table in _PAGE_TIMES:
        terminalreporter.write_sep("=", "page times on the 200k-case store")
        terminalreporter.write_line(table)
