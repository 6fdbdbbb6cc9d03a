"""``workbench info``: where the store is and what it holds."""

from __future__ import annotations

import argparse

from workbench.cli.common import add_db_option, store_from_args
from workbench.config import SETTINGS, Settings
from workbench.store.queries import data_period


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("info", help="show the store, its row counts and the settings in force")
    add_db_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    store = store_from_args(args)
    print(f"store: {store.url}")
    for table, n in store.counts().items():
        print(f"  {table:<10} {n:>10,}")
    lo, hi = data_period(store)
    print(f"  seizures from {lo} to {hi}")
    s = Settings.from_env()
    print("settings:")
    for st in SETTINGS:
        value = getattr(s, st.name)
        shown = "(set)" if st.name == "pseudonym_key" and value else value
        print(f"  {st.env:<26} {shown}")
    return 0
