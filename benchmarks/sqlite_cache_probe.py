"""Why a big import grew faster than its data: SQLite alone, one transaction inserting rows with a random
unique key and a random date index (as the data tables have), with the default 2 MiB page cache and
with the import's widened cache (:data:`workbench.store.database.BULK_CACHE_KIB`).

    python -m benchmarks.sqlite_cache_probe 300000 3000000
"""

from __future__ import annotations

import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path


def probe(cache_kib: int, n: int) -> dict[str, float]:
    """Insert ``n`` rows in one transaction with a cache of ``cache_kib``; seconds and WAL size."""
    rnd = random.Random(1)
    countries = ["FR", "NG", "US", "BR", "IN", "CN"]
    rows = [
        (
            rnd.choice(countries),
            f"C{rnd.getrandbits(40):012d}",
            f"20{rnd.randint(10, 25)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}",
        )
        for _ in range(n)
    ]
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "probe.db"
        con = sqlite3.connect(path, isolation_level=None)
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=NORMAL")
        con.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, rc TEXT, cid TEXT, d TEXT, UNIQUE (rc, cid))")
        con.execute("CREATE INDEX ix_d ON t (d)")
        con.execute(f"PRAGMA cache_size=-{cache_kib}")
        t0, c0 = time.perf_counter(), time.process_time()
        con.execute("BEGIN")
        for i in range(0, n, 50_000):
            con.executemany("INSERT INTO t (rc, cid, d) VALUES (?, ?, ?)", rows[i : i + 50_000])
        wal = Path(f"{path}-wal").stat().st_size
        con.execute("COMMIT")
        out = {"wall_s": time.perf_counter() - t0, "cpu_s": time.process_time() - c0, "wal_mb": wal / 1e6}
        con.close()
    return out


def main(argv: list[str]) -> int:
    from workbench.store.database import BULK_CACHE_KIB

    print("| rows | cache KiB | CPU s | wall s | WAL before commit MB |")
    print("|---|---|---|---|---|")
    for n in [int(a) for a in argv] or [300_000]:
        for cache in (2000, BULK_CACHE_KIB):
            r = probe(cache, n)
            print(
                f"| {n:,} | {cache:,} | {r['cpu_s']:.1f} | {r['wall_s']:.1f} | {r['wal_mb']:.0f} |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
