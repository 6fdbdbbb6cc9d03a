"""Pieces several commands share: the store option, filter options, progress output."""

from __future__ import annotations

import argparse
import sys
import time

from workbench.store import Store, open_store
from workbench.store.filters import CaseFilter

__all__ = [
    "add_db_option",
    "add_filter_options",
    "filter_from_args",
    "store_from_args",
    "StderrProgress",
    "import_gates",
]


def add_db_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--db",
        metavar="URL",
        help="SQLAlchemy URL of the store (default: WORKBENCH_DB_URL or data/workbench.db)",
    )


def store_from_args(args: argparse.Namespace) -> Store:
    return open_store(getattr(args, "db", None))


def add_filter_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("filters")
    g.add_argument("--from", dest="date_from", metavar="DATE", help="first seizure date (YYYY-MM-DD)")
    g.add_argument("--to", dest="date_to", metavar="DATE", help="last seizure date (YYYY-MM-DD)")
    g.add_argument(
        "--country", action="append", default=[], metavar="ISO2", help="reporting country (repeatable)"
    )
    g.add_argument("--region", action="append", default=[], metavar="NAME", help="WCO region (repeatable)")
    g.add_argument(
        "--category", action="append", default=[], metavar="C", help="commodity category (repeatable)"
    )
    g.add_argument(
        "--commodity", action="append", default=[], metavar="T", help="commodity type (repeatable)"
    )
    g.add_argument(
        "--mode",
        dest="transport_mode",
        action="append",
        default=[],
        metavar="M",
        help="transport mode (repeatable)",
    )


def filter_from_args(args: argparse.Namespace) -> CaseFilter:
    return CaseFilter(
        date_from=args.date_from or None,
        date_to=args.date_to or None,
        reporting_countries=tuple(c.upper() for c in args.country),
        wco_regions=tuple(args.region),
        commodity_categories=tuple(args.category),
        commodity_types=tuple(args.commodity),
        transport_modes=tuple(args.transport_mode),
    )


class StderrProgress:
    """Progress lines on stderr, at most about one a second per stage."""

    def __init__(self, quiet: bool = False) -> None:
        self.quiet = quiet
        self._last = 0.0
        self._stage = ""

    def __call__(self, done: int, total: int, stage: str) -> None:
        if self.quiet:
            return
        now = time.monotonic()
        if stage != self._stage or now - self._last > 1.0 or done >= total:
            pct = f" {100 * done / total:5.1f}%" if total > 1 else ""
            print(
                f"  {stage}{pct} ({done:,}/{total:,})" if total > 1 else f"  {stage}",
                file=sys.stderr,
                flush=True,
            )
            self._last, self._stage = now, stage


def import_gates() -> list:
    """The quality gates every import from the command line runs (see data_quality.default_gates)."""
    from data_quality import default_gates

    return default_gates()
