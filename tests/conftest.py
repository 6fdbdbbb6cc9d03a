"""Shared test fixtures: stores on SQLite and a real PostgreSQL, a seeded sample, strict mode.

PostgreSQL: ``WORKBENCH_TEST_PG_URL`` if set, otherwise a throw-away server from Debian's packages
(``initdb``/``pg_ctl`` under /usr/lib/postgresql) is started on loopback for the session.
Chromium: /usr/bin/chromium, driven by Playwright (see tests/browser).

``WORKBENCH_STRICT_TESTS=1`` (set by .ci/run) turns every skip for a missing PostgreSQL or Chromium
into a failure, so CI always runs those tests.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

ROOT = Path(__file__).resolve().parents[1]
STRICT = os.environ.get("WORKBENCH_STRICT_TESTS", "").lower() in ("1", "true", "yes")


def skip_or_fail(reason: str) -> None:
    """Skip locally; fail in CI (strict mode), where every dependency must be present."""
    if STRICT:
        pytest.fail(f"strict mode (WORKBENCH_STRICT_TESTS): {reason}")
    pytest.skip(reason)


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
        subprocess.run(
            [*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
        )
        shutil.rmtree(tmp, ignore_errors=True)


@contextmanager
def _pg_database(server_url: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database on ``server_url``, dropped afterwards."""
    import uuid

    import sqlalchemy as sa

    name = "t_" + uuid.uuid4().hex[:12]
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = server_url.rsplit("/", 1)[0] + "/" + name
    try:
        yield url
    finally:
        import gc

        gc.collect()
        with admin.connect() as c:
            c.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture()
def pg_url(pg_server_url: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test."""
    with _pg_database(pg_server_url) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same test against the embedded SQLite store and a real PostgreSQL (contract tests)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def module_store_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """:func:`store_url` shared by the tests of one module (fill it once, then read it in many tests)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('module-store') / 'store.db'}"
        return
    with _pg_database(request.getfixturevalue("pg_server_url")) as url:
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
    """URL of a SQLite store holding the small sample (read-only use, please)."""
    from workbench.exchange.ingest import import_path
    from workbench.store import open_store

    url = f"sqlite:///{tmp_path_factory.mktemp('seeded') / 'seeded.db'}"
    report = import_path(small_sample_dir, open_store(url))
    assert report.status == "accepted", report.rejections[:5]
    return url


@pytest.fixture()
def store_copy(seeded_sqlite: str, tmp_path: Path) -> str:
    """URL of this test's own copy of :func:`seeded_sqlite` (write to it freely)."""
    import sqlite3

    db = tmp_path / "copy.db"
    with sqlite3.connect(seeded_sqlite.removeprefix("sqlite:///")) as src, sqlite3.connect(db) as dst:
        src.backup(dst)
    return f"sqlite:///{db}"


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
