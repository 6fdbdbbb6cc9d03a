"""Many users at once: simulated sessions driving real page runs in ONE server process.

``python -m benchmarks.bench_load --store /tmp/wb-scale-bench/1000000/store.db --users 1 5 20`` (its own
table, not part of ``make bench``):

- copies the store (the original is never modified: each run writes audit entries and sessions), adds
  an organisation and one analyst account per simulated user, and brings the summaries up to date;
- for each number of users, starts that many sessions at once, each in its own thread of this one
  process: a Streamlit ``AppTest`` of ``app.py`` (the real entry script, login gate, navigation and
  pages, with the process-wide ``st.cache_data``/``st.cache_resource`` caches a server process has),
  which signs in through the login form as its own account, then walks ``--pages``, each page twice:
  as it opens, and after a filter change (each user one of :data:`FILTERS`, so some users share a filter
  and others do not, as colleagues do);
- reports per page the p50 and p95 of the run times, the errors (an exception or an error box on a
  page: must be 0), and the process's resident memory after each step (current and peak), so that
  going 1 -> 5 -> 20 users shows whether the caches are shared (memory grows by the sessions' own state
  only) or copied per session (memory grows with the users).

Why AppTest sessions rather than browsers or websocket clients: 20 Chromium pages on this 2-core machine
would measure the browsers, and a websocket client would re-implement Streamlit's protocol; AppTest runs
the same scripts through Streamlit's script runner with the same process-wide caches, so what is
measured is the server's work per page run (not the network or the drawing in the browser). Each user
keeps its own session state, as a browser tab does.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import secrets
import sqlite3
import statistics
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

__all__ = ["FILTERS", "PAGES", "main"]

ROOT = Path(__file__).resolve().parents[1]

#: The pages each user walks (the analysis pages people open most; ``--pages`` changes it).
PAGES = ["pages/overview.py", "pages/cases.py", "pages/routes.py", "pages/trends.py", "pages/statistics.py"]


def _filters() -> list[Any]:
    from workbench.store.filters import CaseFilter

    return [
        CaseFilter(date_from=dt.date(2024, 1, 1), commodity_categories=("drugs",)),
        CaseFilter(transport_modes=("road",)),
        CaseFilter(commodity_categories=("tobacco",)),
        CaseFilter(date_from=dt.date(2023, 1, 1), date_to=dt.date(2023, 12, 31)),
        CaseFilter(date_from=dt.date(2025, 1, 1), transport_modes=("air",)),
    ]


FILTERS = ["drugs since 2024", "road", "tobacco", "2023", "air since 2025"]


def _rss_mb() -> tuple[float, float]:
    """Current and peak resident memory of this process, MB."""
    with open("/proc/self/statm") as f:
        current = int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    return current, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def prepare(source: Path, workdir: Path, users: int) -> tuple[str, str]:
    """A copy of ``source`` with ``users`` analyst accounts and current summaries: (store URL, password)."""
    from workbench.identity.accounts import create_account, create_organisation, installation_principal
    from workbench.store import open_store
    from workbench.store.summaries import rebuild_summaries, summaries_current

    workdir.mkdir(parents=True, exist_ok=True)
    target = workdir / f"load-{source.parent.name}.db"
    target.unlink(missing_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    url = f"sqlite:///{target}"
    store, setup = open_store(url), installation_principal()
    if not summaries_current(store):
        with store.engine.begin() as conn:
            rebuild_summaries(conn)
    password = secrets.token_urlsafe(18)
    create_organisation(store, "LOAD", "Load-run administration", "administration", by=setup)
    for k in range(users):
        create_account(
            store,
            f"user{k + 1:02d}",
            organisation="LOAD",
            roles=["analyst"],
            password=password,
            personal=True,
            by=setup,
        )
    store.engine.dispose()
    return url, password


def share_one_runtime() -> None:
    """Make every AppTest of this process run under ONE runtime, as the sessions of a server do.

    ``AppTest.run`` installs a fresh mock ``Runtime`` (with its own cache storage) for each run and
    removes it when the run ends, which is right for one test at a time but pulls the runtime from under
    the other sessions' runs when several run at once. Here the process gets one runtime (one media file
    manager, one cache storage manager: what a server process has) and AppTest's own swap is pointed at
    a subclass, where it changes nothing.
    """
    from unittest.mock import MagicMock

    from streamlit.components.v2.component_manager import BidiComponentManager
    from streamlit.runtime import Runtime
    from streamlit.runtime.caching.storage.dummy_cache_storage import MemoryCacheStorageManager
    from streamlit.runtime.dataframe_source_manager import DataframeSourceManager
    from streamlit.runtime.media_file_manager import MediaFileManager
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
    from streamlit.testing.v1 import app_test

    runtime = MagicMock(spec=Runtime)
    runtime.media_file_mgr = MediaFileManager(MemoryMediaFileStorage("/mock/media"))
    runtime.dataframe_source_mgr = DataframeSourceManager()
    runtime.cache_storage_manager = MemoryCacheStorageManager()
    components = BidiComponentManager()
    components.discover_and_register_components(start_file_watching=False)
    runtime.bidi_component_registry = components
    Runtime._instance = runtime

    class _Swapped(Runtime):  # AppTest's per-run swap lands here, not on the process's runtime
        pass

    app_test.Runtime = _Swapped  # type: ignore[attr-defined,misc]
    # and one script cache, as a server has: each script compiled once for every session (AppTest makes a
    # new cache per run, so 20 sessions compiled the pages at once, which Python 3.11's ast module does
    # not survive: "SystemError: AST constructor recursion depth mismatch")
    shared = app_test.ScriptCache()
    app_test.ScriptCache = lambda: shared  # type: ignore[attr-defined,assignment]

    # AppTest also resets the process-wide "pages directory" flag before each run (a server sets it
    # once): another session's reset in the middle of a run sent that run down the legacy pages path
    class _Pages(app_test.PagesManager):  # type: ignore[name-defined,misc]
        pass

    app_test.PagesManager = _Pages  # type: ignore[attr-defined,misc]


class Session:
    """One simulated user: an AppTest of the entry script, signed in as ``user{k}``."""

    def __init__(self, k: int, password: str, timeout: float) -> None:
        from streamlit.testing.v1 import AppTest

        self.k, self.name, self.password = k, f"user{k + 1:02d}", password
        self.at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
        self.times: list[tuple[str, float]] = []
        self.errors: list[str] = []

    def _check(self, step: str) -> None:
        at = self.at
        self.errors += [f"{self.name} {step}: exception {e.value}"[:300] for e in at.exception]
        self.errors += [f"{self.name} {step}: error box {e.value}"[:300] for e in at.error]

    def _timed(self, step: str, fn: Any) -> None:
        t0 = time.perf_counter()
        try:
            fn()
        except Exception as exc:  # a timeout or a crash of the run is an error of the load run
            self.errors.append(f"{self.name} {step}: {type(exc).__name__}: {exc}"[:300])
        self.times.append((step, time.perf_counter() - t0))
        self._check(step)

    def walk(self, pages: list[str], filters: list[Any]) -> None:
        at = self.at
        at.run()  # the login form

        def sign_in() -> None:
            at.text_input(key="login_name").set_value(self.name)
            at.text_input(key="login_password").set_value(self.password)
            at.button(key="login_submit").click()
            at.run()
            if not any(t.value == "Overview" for t in at.title):
                self.errors.append(f"{self.name}: not signed in")

        self._timed("sign in (Overview)", sign_in)
        flt = filters[self.k % len(filters)]
        for page in pages:
            name = Path(page).stem

            def open_page(page: str = page) -> None:
                at.switch_page(page)
                at.run()

            def change_filter() -> None:
                at.session_state["_workbench_state"].filter = flt
                at.run()

            self._timed(name, open_page)
            self._timed(f"{name}, filter changed", change_filter)
            at.session_state["_workbench_state"].filter = type(flt)()  # back to every case for the next page


def _pct(values: list[float], q: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def run_users(n: int, password: str, pages: list[str], timeout: float) -> dict[str, Any]:
    """``n`` sessions at once; their times, errors and the memory after."""
    filters = _filters()
    sessions = [Session(k, password, timeout) for k in range(n)]
    start = threading.Barrier(n)

    def go(s: Session) -> None:
        start.wait()
        s.walk(pages, filters)

    t0 = time.perf_counter()
    threads = [threading.Thread(target=go, args=(s,), name=s.name) for s in sessions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    per_step: dict[str, list[float]] = defaultdict(list)
    for s in sessions:
        for step, secs in s.times:
            per_step[step].append(secs)
    current, peak = _rss_mb()
    return {
        "users": n,
        "wall_s": wall,
        "steps": per_step,
        "errors": [e for s in sessions for e in s.errors],
        "rss_mb": current,
        "peak_mb": peak,
        "sessions": sessions,
    }


def _table(cases: int, results: list[dict[str, Any]]) -> str:
    lines = [
        "| cases | users | page | runs | p50_s | p95_s | max_s | errors |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        for step, times in r["steps"].items():
            errs = sum(1 for e in r["errors"] if f" {step}:" in e)
            lines.append(
                f"| {cases:,} | {r['users']} | {step} | {len(times)} | {_pct(times, 50):.2f} | "
                f"{_pct(times, 95):.2f} | {max(times):.2f} | {errs} |"
            )
    lines += [
        "",
        "| cases | users | wall_s | page runs | errors | RSS after (MB) | peak RSS (MB) |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        runs = sum(len(t) for t in r["steps"].values())
        lines.append(
            f"| {cases:,} | {r['users']} | {r['wall_s']:.0f} | {runs} | {len(r['errors'])} | "
            f"{r['rss_mb']:,.0f} | {r['peak_mb']:,.0f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m benchmarks.bench_load", description=__doc__.split("\n")[0])
    p.add_argument(
        "--store",
        type=Path,
        default=Path("/tmp/wb-scale-bench/100000/store.db"),
        help="a SQLite store (copied)",
    )
    p.add_argument("--users", type=int, nargs="+", default=[1, 5, 20])
    p.add_argument("--pages", nargs="+", default=PAGES)
    p.add_argument("--workdir", type=Path, default=Path("/tmp/wb-load-bench"))
    p.add_argument("--timeout", type=float, default=900, help="seconds one page run may take")
    args = p.parse_args(argv)
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    url, password = prepare(args.store, args.workdir, max(args.users))
    share_one_runtime()
    os.environ["WORKBENCH_DB_URL"] = url
    os.environ["WORKBENCH_ROLE"] = "viewer"  # a store with accounts: the role grants nothing, users sign in
    import sqlalchemy as sa

    from workbench.store import open_store

    with open_store(url).engine.connect() as conn:
        cases = conn.execute(sa.text("SELECT count(*) FROM cases")).scalar_one()
    print(
        f"{cases:,} cases; load average {os.getloadavg()[0]:.1f} (2 cores, shared); RSS {_rss_mb()[0]:,.0f} MB",
        flush=True,
    )
    results = []
    for n in args.users:
        r = run_users(n, password, args.pages, args.timeout)
        results.append(r)
        print(
            f"{n} users: {r['wall_s']:.0f} s, {len(r['errors'])} errors, RSS {r['rss_mb']:,.0f} MB "
            f"(peak {r['peak_mb']:,.0f}); load {os.getloadavg()[0]:.1f}",
            flush=True,
        )
        for e in r["errors"][:20]:
            print("  ", e, flush=True)
        del r["sessions"]
    print()
    print(_table(cases, results))


if __name__ == "__main__":
    main()
