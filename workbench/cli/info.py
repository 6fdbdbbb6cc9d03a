"""``workbench info``: where the store is and what it holds."""

from __future__ import annotations

import argparse

from workbench.cli.common import add_db_option, store_from_args
from workbench.config import Settings, settings_table
from workbench.i18n import _
from workbench.store.queries import data_period


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("info", help=_("show the store, its row counts and the settings in force"))
    add_db_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    store = store_from_args(args)
    print(_("store: {url}", url=store.url))  # the URL without its password
    print(
        _(
            "signed in as: {user} ({role}, {mode})",
            user=args.principal.user,
            role=args.principal.role,
            mode=args.principal.mode,
        )
    )
    for table, n in store.counts().items():
        print(f"  {table:<10} {n:>10,}")
    lo, hi = data_period(store)
    print(_("  seizures from {lo} to {hi}", lo=lo, hi=hi))
    print(_("settings:"))
    for row in settings_table(Settings.from_env()):  # secrets as "(set)", the database password as ***
        print(f"  {row['variable']:<32} {row['value']}")
    return 0
