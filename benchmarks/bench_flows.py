"""Route flows on the shared seizure frame: grouping the routes once, then the aggregations the Routes
page runs on every move of the period slider, and the bytes of the map sent to the browser.

The seizure frame itself is read before the clock starts (its reading is the ``seizure_frame``
benchmark in bench_core.py); ``prepare_ms`` is the one-off grouping of routes (cached by the app per
filter), ``flows_ms`` one aggregation (legs by category over a 12-month window, as the slider moves), ``first_flows_ms`` the first aggregations (expansions, reference data), ``page_ms`` everything
one rerun of the map computes (flows, places, hotspots, shading, the deck JSON).
"""

from __future__ import annotations

import time
from pathlib import Path

from benchmarks.bench_core import store_url
from benchmarks.harness import benchmark


def _frame(size: int, workdir: Path):  # type: ignore[no-untyped-def]
    from workbench.store import open_store
    from workbench.store.frames import seizure_frame

    # read only: no migration of the shared prepared store (other branches may have revisions of their own)
    return seizure_frame(open_store(store_url(size, workdir), upgrade=False))


@benchmark("route_flows", sizes=(10_000, 100_000, 1_000_000), setup=lambda s, w: store_url(s, w) and None)
def bench_route_flows(size: int, workdir: Path) -> dict:
    from workbench.routes.flows import prepare_flows, route_flows
    from workbench.routes.maps import MapOptions, deck_bytes, map_data, route_deck

    frame = _frame(size, workdir)
    t0 = time.perf_counter()
    base = prepare_flows(frame)
    t1 = time.perf_counter()
    window = (base.months[-12], base.months[-1])
    for mode in ("legs", "od"):  # first use: leg/OD expansions at both levels, reference data loaded
        for level in ("country", "region"):
            route_flows(base, mode, level, None, window)
    t2 = time.perf_counter()
    # steady state, as when the period slider moves: 12-month windows stepping back month by month
    steps = 12
    for k in range(steps):
        w = (base.months[-12 - k], base.months[-1 - k])
        flows = route_flows(base, "legs", "country", "category", w)
    t3 = time.perf_counter()
    deck = route_deck(map_data(base, MapOptions(), window))
    browser_bytes = deck_bytes(deck)
    t4 = time.perf_counter()
    deck_all = route_deck(map_data(base, MapOptions(top=300), None))
    return {
        "prepare_ms": int((t1 - t0) * 1000),
        "flows_ms": int((t3 - t2) / steps * 1000),
        "first_flows_ms": int((t2 - t1) * 1000),
        "page_ms": int((t4 - t3) * 1000),
        "flow_rows": len(flows),
        "browser_kb": round(browser_bytes / 1024, 1),
        "browser_kb_top300": round(deck_bytes(deck_all) / 1024, 1),
    }
