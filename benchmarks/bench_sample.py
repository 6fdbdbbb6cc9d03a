"""The sample generator on its own: generation, then CSV writing, with wall and CPU seconds.

Run by hand (one size, prints one JSON line)::

    python -m benchmarks.bench_sample 1000000 [--out /tmp/sample-1m]

CPU seconds are reported beside wall seconds because a shared 2-core machine can stretch wall
time several-fold while the work done stays the same.
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.harness import benchmark


def bench_generate(n: int, out: Path | None = None, seed: int = 1) -> dict[str, Any]:
    """Generate ``n`` cases and (if ``out``) write them as a CSV folder; timings, rows and peak memory."""
    from workbench.sample.generator import generate

    t0, c0 = time.perf_counter(), time.process_time()
    ds = generate(n, seed=seed)
    t1, c1 = time.perf_counter(), time.process_time()
    result: dict[str, Any] = {
        "cases": n,
        "generate_s": round(t1 - t0, 2),
        "generate_cpu_s": round(c1 - c0, 2),
        "rows": {k: len(v) for k, v in ds.tables.items()},
    }
    if out is not None:
        from workbench.exchange.files import write_dataset

        write_dataset(ds.tables, out)
        result["write_csv_s"] = round(time.perf_counter() - t1, 2)
        result["write_csv_cpu_s"] = round(time.process_time() - c1, 2)
        result["total_s"] = round(time.perf_counter() - t0, 2)
    result["peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return result


@benchmark("sample_generate", repeat=1)
def bench_sample_generate(size: int, workdir: Path) -> dict[str, Any]:
    """Generation only (the ``generate`` benchmark includes writing): CPU seconds as an extra column."""
    r = bench_generate(size)
    return {"cpu_s": r["generate_cpu_s"], "rows": sum(r["rows"].values())}


def main() -> None:
    p = argparse.ArgumentParser(prog="python -m benchmarks.bench_sample", description=__doc__)
    p.add_argument("cases", type=int)
    p.add_argument("--out", type=Path, help="CSV folder to write (default: a temporary folder)")
    p.add_argument("--no-write", action="store_true", help="time generation only")
    args = p.parse_args()
    out = None if args.no_write else (args.out or Path(tempfile.mkdtemp(prefix="wb-sample-")) / "data")
    print(json.dumps(bench_generate(args.cases, out)))


if __name__ == "__main__":
    main()
