"""``python -m benchmarks [--only NAME ...] [--sizes 10000,100000] [--repeat N]`` prints a table."""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from benchmarks.harness import REGISTRY, format_table, load_benchmarks, run_all, run_one, run_setup


def main() -> None:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    p.add_argument("--only", nargs="*", help="benchmark names (default: all)")
    p.add_argument("--sizes", help="comma-separated case counts (default: each benchmark's own)")
    p.add_argument("--repeat", type=int, help="runs per size (default: each benchmark's own)")
    p.add_argument("--workdir", type=Path, help="where generated data is kept between runs")
    p.add_argument("--list", action="store_true", help="list the benchmarks")
    p.add_argument("--one", help=argparse.SUPPRESS)
    p.add_argument("--setup", help=argparse.SUPPRESS)
    p.add_argument("--size", type=int, help=argparse.SUPPRESS)
    args = p.parse_args()
    load_benchmarks()

    if args.setup:
        run_setup(args.setup, args.size, args.workdir)
        return
    if args.one:
        print(json.dumps(run_one(args.one, args.size, args.workdir), default=str))
        return
    if args.list:
        for name, b in REGISTRY.items():
            print(f"{name:<28} sizes {', '.join(f'{s:,}' for s in b.sizes)}")
        return
    names = args.only or list(REGISTRY)
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else None
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="wb-bench-"))
    rows = run_all(names, sizes, workdir, args.repeat)
    print()
    print(format_table(rows))


if __name__ == "__main__":
    main()
