"""``workbench seed``: load the shipped sample into an empty store (what ``make run`` does first)."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

from workbench.cli.common import StderrProgress, add_db_option, import_gates, store_from_args
from workbench.config import Settings
from workbench.exchange.ingest import import_path, may_import
from workbench.sample.generator import default_sample_path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("seed", help="load the shipped sample data into the store if it is empty")
    add_db_option(p)
    p.add_argument("--path", type=Path, help="data set to seed with (default: the shipped sample)")
    p.add_argument("--force", action="store_true", help="import even if the store already holds cases")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    store = store_from_args(args)
    settings = Settings.from_env()
    if not args.force and not store.is_empty():
        print(f"store {store.url} already holds data; not seeding")
        return 0
    if not args.force and not settings.seed_sample:
        print("WORKBENCH_SEED_SAMPLE is off; not seeding")
        return 0
    path = args.path or default_sample_path()
    print(f"seeding {store.url} from {path} ...", file=sys.stderr)
    # seeding an empty store is the installation's own act, allowed whatever role the user runs with
    seeder = settings if may_import(settings) else replace(settings, role="admin")
    report = import_path(path, store, progress=StderrProgress(), gates=import_gates(), settings=seeder)
    print(report.summary())
    if report.status not in ("accepted", "duplicate"):
        return 1
    from workbench.risk.samples import load_risk_sample

    # example indicators, and the traffic that goes with the default sample, so the Risk pages work at once
    print(load_risk_sample(store, settings, traffic=args.path is None))
    return 0
