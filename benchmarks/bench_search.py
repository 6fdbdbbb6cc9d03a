"""Search benchmarks: building the search index, and the latency of ``search`` on the prepared stores,
beside the reference a store without the index has: ``LIKE '%term%'`` over the case and person columns
(what the Cases page's search did), which finds neither a phone in another format nor a transliterated
name."""

from __future__ import annotations

import time
from pathlib import Path

from benchmarks.bench_core import store_url
from benchmarks.harness import benchmark

_SIZES = (20_000, 100_000)


def _terms(store) -> list[str]:  # type: ignore[no-untyped-def]
    """30 terms users type: phones as written, last names, case ids, passports, places, flights."""
    import sqlalchemy as sa

    from workbench.store import DATA_TABLES

    p, c = DATA_TABLES["persons"], DATA_TABLES["cases"]
    with store.engine.connect() as conn:
        phones = [r[0] for r in conn.execute(sa.select(p.c.phone).where(p.c.phone.is_not(None)).limit(8))]
        names = [
            r[0] for r in conn.execute(sa.select(p.c.last_name).where(p.c.last_name.is_not(None)).limit(6))
        ]
        passports = [
            r[0]
            for r in conn.execute(
                sa.select(p.c.passport_number).where(p.c.passport_number.is_not(None)).limit(4)
            )
        ]
        cases = [r[0] for r in conn.execute(sa.select(c.c.case_id).limit(6))]
        places = [
            r[0] for r in conn.execute(sa.select(c.c.place_name).where(c.c.place_name.is_not(None)).limit(3))
        ]
        flights = [
            r[0]
            for r in conn.execute(
                sa.select(c.c.conveyance_id).where(c.c.conveyance_type == "aircraft").limit(3)
            )
        ]
    return [str(t) for t in (*phones, *names, *passports, *cases, *places, *flights)]


@benchmark("search", sizes=_SIZES, setup=lambda s, w: store_url(s, w) and None, repeat=1)
def bench_search(size: int, workdir: Path) -> dict:
    """Index rebuilt from scratch (timed), then 30 searches as an analyst (median and slowest), beside
    the LIKE scan of a store without the index."""
    import statistics

    import sqlalchemy as sa

    from workbench.config import Settings
    from workbench.store import DATA_TABLES, open_store
    from workbench.store.search import SEARCH_KEYS, refresh_search_index, search

    store = open_store(store_url(size, workdir))
    t0 = time.perf_counter()
    with store.connect() as conn:
        refresh_search_index(conn, rebuild=True)
    build_s = time.perf_counter() - t0
    with store.engine.connect() as conn:
        keys = int(conn.execute(sa.select(sa.func.count()).select_from(SEARCH_KEYS)).scalar_one())
    settings = Settings.from_env({"WORKBENCH_ROLE": "analyst", "WORKBENCH_USER": "bench"})
    terms = _terms(store)
    took, found = [], 0
    for t in terms:
        t0 = time.perf_counter()
        found += int(not search(store, t, actor=settings, limit=50).empty)
        took.append(time.perf_counter() - t0)
    p, c = DATA_TABLES["persons"], DATA_TABLES["cases"]
    like = []
    for t in terms:
        q = f"%{t.lower()}%"
        t0 = time.perf_counter()
        with store.engine.connect() as conn:
            conn.execute(
                sa.select(c.c.id).where(
                    sa.or_(
                        sa.func.lower(c.c.case_id).like(q),
                        sa.func.lower(c.c.place_name).like(q),
                        sa.func.lower(c.c.conveyance_id).like(q),
                    )
                )
            ).all()
            conn.execute(
                sa.select(p.c.id).where(
                    sa.or_(
                        sa.func.lower(p.c.last_name).like(q),
                        sa.func.lower(p.c.phone).like(q),
                        sa.func.lower(p.c.passport_number).like(q),
                    )
                )
            ).all()
        like.append(time.perf_counter() - t0)
    return {
        "index_build_s": round(build_s, 1),
        "keys": keys,
        "terms": len(terms),
        "found": found,
        "search_median_ms": round(statistics.median(took) * 1000, 1),
        "search_max_ms": round(max(took) * 1000, 1),
        "like_scan_median_ms": round(statistics.median(like) * 1000, 1),
    }
