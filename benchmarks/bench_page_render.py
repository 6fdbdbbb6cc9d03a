"""A page's first render in a fresh process: ``python benchmarks/bench_page_render.py --store STORE.db``.

For each page of ``--pages`` (default: Trends, Standard statistics, Routes), a new Python process copies
the store (the original is never modified), opens ``app.py`` as an analyst (:func:`workbench.ui.simulated_sessions.local_page_run`),
switches to the page and times its first run (caches cold: what a user waits for after a server start
or a filter change), then a second run (caches warm), and reports its peak resident memory. Run it with
``PYTHONPATH`` pointing at another tree to measure that tree's pages and ``app.py`` (before/after a change). Prints a
Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PAGES = ["pages/trends.py", "pages/statistics.py", "pages/routes.py"]


def render(store: Path, page: str, timeout: float) -> dict[str, object]:
    """One page's first and second run, in this process (called in a fresh one by :func:`main`)."""
    from workbench.ui.serve import APP
    from workbench.ui.simulated_sessions import local_page_run

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "store.db"
        shutil.copy(store, db)
        os.environ["WORKBENCH_DB_URL"] = f"sqlite:///{db}"
        os.environ.setdefault("WORKBENCH_ROLE", "analyst")
        os.chdir(APP.parent)  # the entry script reads its static files relative to the working directory
        first, _cpu, at = local_page_run(page, timeout=timeout)
        t0 = time.perf_counter()
        at.run()
        second = time.perf_counter() - t0
        errors = len(at.exception) + len(at.error)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "page": page,
        "first_s": round(first, 2),
        "rerun_s": round(second, 2),
        "peak_mb": round(peak),
        "errors": errors,
    }


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--store", type=Path, required=True)
    p.add_argument("--pages", nargs="+", default=PAGES)
    p.add_argument("--timeout", type=float, default=900)
    p.add_argument("--one", help=argparse.SUPPRESS)  # the child process: one page, JSON out
    args = p.parse_args(argv)
    if args.one:
        print(json.dumps(render(args.store, args.one, args.timeout)))
        return
    print(f"load average before: {os.getloadavg()[0]:.1f}")
    print("| page | first render (s) | rerun (s) | peak RSS (MB) | errors |\n|---|---|---|---|---|")
    for page in args.pages:
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--store",
                str(args.store),
                "--one",
                page,
                "--timeout",
                str(args.timeout),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"| {r['page']} | {r['first_s']} | {r['rerun_s']} | {r['peak_mb']} | {r['errors']} |", flush=True
        )
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
