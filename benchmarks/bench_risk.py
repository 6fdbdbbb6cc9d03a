"""Risk benchmarks: scoring and back-testing traffic with 100 indicators, in pandas and inside SQLite.

The size is the number of **traffic rows** (declarations and passenger movements), generated around a
sample of ``size / 31`` cases (30 innocent movements per seizure, seed 1). The 100 indicators are the
15 shipped ones plus 85 deterministic variants over every operator (``benchmark_indicators``). Setup
(untimed) writes the traffic as Parquet and into a SQLite store in the work folder.

By hand::

    python -m benchmarks --only risk_score_pandas risk_score_sql --sizes 10000,100000 --workdir /work/bench
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from benchmarks.harness import benchmark

N_INDICATORS = 100
RATIO = 30


def _paths(size: int, workdir: Path) -> dict[str, Path]:
    return {"parquet": workdir / "risk-traffic.parquet", "db": workdir / "risk-traffic.db"}


def benchmark_indicators(n: int = N_INDICATORS, seed: int = 1) -> list[Any]:
    """The shipped indicators and deterministic variants of them, ``n`` in all, every operator used."""
    import numpy as np

    from workbench.risk.interchange import read_indicators
    from workbench.risk.model import Indicator
    from workbench.risk.traffic import sample_traffic_path

    base = read_indicators(sample_traffic_path().parents[1] / "indicators" / "sample-indicators.yaml")
    rng = np.random.default_rng(seed)
    countries = ["CO", "BR", "PE", "EC", "VE", "BO", "AF", "PK", "IR", "TR", "CN", "HK", "VN", "MM", "TH",
                 "NG", "GH", "SN", "TG", "AE", "OM", "MA", "SY", "LB", "IN", "MX", "ES", "NL", "BE", "DE"]  # fmt: skip
    modes = [
        "air_passenger",
        "air_cargo",
        "sea_container",
        "sea_other",
        "road",
        "rail",
        "postal",
        "express_courier",
    ]
    prefixes = ["0803", "0804", "0901", "2402", "2403", "6203", "6109", "6403", "8517", "9503", "3004", "29"]
    out = list(base)
    k = 0
    while len(out) < n:
        k += 1
        dep = sorted(rng.choice(countries, size=int(rng.integers(1, 5)), replace=False).tolist())
        via = sorted(rng.choice(countries, size=int(rng.integers(1, 4)), replace=False).tolist())
        mode = sorted(rng.choice(modes, size=int(rng.integers(1, 3)), replace=False).tolist())
        pref = sorted(rng.choice(prefixes, size=int(rng.integers(1, 3)), replace=False).tolist())
        shape = k % 5
        leaves: list[dict[str, Any]] = [{"field": "departure_country", "op": "in", "value": dep}]
        if shape == 0:
            leaves += [
                {"field": "transit_countries", "op": "contains_any", "value": via},
                {"field": "transport_mode", "op": "in", "value": mode},
            ]
        elif shape == 1:
            leaves += [
                {"field": "hs_code", "op": "startswith", "value": pref},
                {"not": {"field": "customs_procedure", "op": "eq", "value": "transit"}},
            ]
        elif shape == 2:
            lo = float(rng.integers(0, 20_000))
            leaves += [
                {"field": "declared_value_usd", "op": "between", "value": [lo, lo + 30_000]},
                {
                    "any": [
                        {"field": "transport_mode", "op": "in", "value": mode},
                        {"field": "transit_countries", "op": "is_blank"},
                    ]
                },
            ]
        elif shape == 3:
            leaves += [
                {
                    "field": "conveyance_id",
                    "op": "regex",
                    "value": str(rng.choice(["^IMO9", "^(RR|CP)", "[0-9]{4}$"])),
                },
                {"field": "movement_date", "op": "gt", "value": f"{int(rng.integers(2019, 2025))}-01-01"},
            ]
        else:
            leaves += [
                {"field": "destination_country", "op": "in", "value": via},
                {"field": "transport_mode", "op": "not_in", "value": mode},
                {"field": "place_type", "op": "ne", "value": "inland"},
            ]
        raw = {"id": f"BENCH-{k:03d}", "name": f"variant {k}", "category": "general_high_risk",
               "status": "active", "weight": float(rng.integers(5, 50)), "when": {"all": leaves}}  # fmt: skip
        out.append(Indicator.from_dict(raw))
    return [i.with_(status="active") for i in out[:n]]


def setup_traffic(size: int, workdir: Path) -> None:
    """Generate ``size`` traffic rows (seed 1) as Parquet and into a SQLite store, once per folder."""
    p = _paths(size, workdir)
    if p["parquet"].exists() and p["db"].exists():
        return
    from workbench.risk.traffic import generate_traffic, store_traffic
    from workbench.sample.generator import generate
    from workbench.store import open_store

    traffic = generate_traffic(generate(max(1, size // (RATIO + 1)), seed=1), innocent_per_seizure=RATIO)
    traffic.to_parquet(p["parquet"], index=False)
    tmp = p["db"].with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    store = open_store(f"sqlite:///{tmp}")
    store_traffic(store, traffic, "bench")
    with store.engine.connect() as conn:  # fold the WAL into the file before it is renamed
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    store.engine.dispose()
    tmp.rename(p["db"])


def _profile() -> Any:
    from workbench.risk.scoring import Profile

    return Profile(tuple(benchmark_indicators()), threshold=40)


@benchmark("risk_score_pandas", setup=setup_traffic)
def bench_score_pandas(size: int, workdir: Path) -> dict[str, Any]:
    """Read the traffic (Parquet) and score every row with 100 indicators in pandas."""
    import pandas as pd

    from workbench.risk.scoring import score_frame

    traffic = pd.read_parquet(_paths(size, workdir)["parquet"])
    profile = _profile()
    t0 = time.perf_counter()
    scored = score_frame(traffic, profile)
    return {
        "traffic_rows": len(traffic),
        "indicators": len(profile.indicators),
        "flagged": int(scored["flagged"].sum()),
        "score_s": round(time.perf_counter() - t0, 2),
    }


@benchmark("risk_score_sql", setup=setup_traffic)
def bench_score_sql(size: int, workdir: Path) -> dict[str, Any]:
    """Score the traffic with 100 indicators inside SQLite; the rows any indicator fires on come back."""
    from workbench.risk.scoring import score_sql
    from workbench.store import open_store

    store = open_store(f"sqlite:///{_paths(size, workdir)['db']}")
    profile = _profile()
    t0 = time.perf_counter()
    scored = score_sql(store, profile)
    return {
        "indicators": len(profile.indicators),
        "rows_returned": len(scored),
        "flagged": int(scored["flagged"].sum()),
        "score_s": round(time.perf_counter() - t0, 2),
    }


@benchmark("risk_backtest_pandas", setup=setup_traffic, sizes=(10_000, 100_000))
def bench_backtest_pandas(size: int, workdir: Path) -> dict[str, Any]:
    """Back-test 100 indicators and their profile, with a split, in pandas."""
    import pandas as pd

    from workbench.risk.backtest import backtest

    traffic = pd.read_parquet(_paths(size, workdir)["parquet"])
    profile = _profile()
    t0 = time.perf_counter()
    backtest(traffic, profile.indicators, threshold=40, split="2024-01-01")
    return {"traffic_rows": len(traffic), "backtest_s": round(time.perf_counter() - t0, 2)}


@benchmark("risk_backtest_sql", setup=setup_traffic, sizes=(10_000, 100_000))
def bench_backtest_sql(size: int, workdir: Path) -> dict[str, Any]:
    """Back-test 100 indicators and their profile inside SQLite (one scan)."""
    from workbench.risk.backtest import backtest_sql
    from workbench.store import open_store

    store = open_store(f"sqlite:///{_paths(size, workdir)['db']}")
    profile = _profile()
    t0 = time.perf_counter()
    backtest_sql(store, profile.indicators, threshold=40, split="2024-01-01")
    return {"backtest_s": round(time.perf_counter() - t0, 2)}
