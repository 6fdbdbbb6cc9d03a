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

The sessions are :mod:`workbench.ui.simulated_sessions` (one runtime and one script cache for the
process, as a server has; a signed-in ``AppTest`` per user; their walks started at once, one thread each).

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
from collections import defaultdict
from pathlib import Path
from typing import Any

from workbench.ui.simulated_sessions import SimulatedUser, one_server_process, run_at_once

__all__ = ["FILTERS", "PAGES", "main", "walk"]

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


def walk(user: SimulatedUser, k: int, pages: list[str], filters: list[Any]) -> None:
    """User ``k``'s walk: sign in (lands on the Overview), then each page as it opens and after a filter
    change (the user's own filter among ``filters``), back to every case before the next page."""
    user.sign_in("sign in (Overview)")
    flt = filters[k % len(filters)]
    for page in pages:
        name = Path(page).stem
        user.open_page(page, name)
        user.change_filter(flt, f"{name}, filter changed")
        user.set_filter(type(flt)())


def _pct(values: list[float], q: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def run_users(n: int, password: str, pages: list[str], timeout: float) -> dict[str, Any]:
    """``n`` sessions at once; their times, errors and the memory after."""
    filters = _filters()
    users = [SimulatedUser(f"user{k + 1:02d}", password, timeout=timeout) for k in range(n)]
    number = {u.name: k for k, u in enumerate(users)}
    wall = run_at_once(users, lambda u: walk(u, number[u.name], pages, filters))
    per_step: dict[str, list[float]] = defaultdict(list)
    for u in users:
        for step, secs in u.times:
            per_step[step].append(secs)
    current, peak = _rss_mb()
    return {
        "users": n,
        "wall_s": wall,
        "steps": per_step,
        "errors": [e for u in users for e in u.errors],
        "rss_mb": current,
        "peak_mb": peak,
        "sessions": users,
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
    with one_server_process():  # one server for every step: its caches stay warm from one step to the next
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
