"""``workbench flows``: flows of cases along routes, from a data set or the store, to a CSV file.

The CSV starts with ``origin, destination, cases`` (ISO2 codes, or WCO region names with
``--level region``), then ``inferred_cases``, ``share``, the breakdown and month columns asked for,
``value_usd`` and one ``quantity_<unit>`` column per unit.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from workbench.cli.common import add_db_option, store_from_args
from workbench.exchange.files import DatasetReadError
from workbench.store.filters import CaseFilter


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "flows",
        help="flows of cases by leg or origin-destination pair, country or WCO region, to CSV",
        description="Aggregate cases along their routes (departure, transit countries, destination; an "
        "import with a blank destination is taken as bound for the reporting country and counted in "
        "inferred_cases). Reads an exchange-format data set (CSV folder, .zip or .xlsx) or the store.",
    )
    p.add_argument("path", nargs="?", type=Path, help="data set to read instead of the store")
    add_db_option(p)
    p.add_argument(
        "--mode", choices=["legs", "od"], default="legs", help="legs (each hop) or od (first to last)"
    )
    p.add_argument(
        "--level", choices=["country", "region"], default="country", help="countries or WCO regions"
    )
    p.add_argument(
        "--commodity",
        action="append",
        default=[],
        metavar="C",
        help="commodity category or type to keep (repeatable), e.g. drugs or cocaine",
    )
    p.add_argument("--from", dest="date_from", metavar="DATE", help="first seizure date (YYYY-MM-DD)")
    p.add_argument("--to", dest="date_to", metavar="DATE", help="last seizure date (YYYY-MM-DD)")
    p.add_argument(
        "--by",
        choices=["none", "category", "type"],
        default="none",
        help="one row per commodity category or type",
    )
    p.add_argument("--per-month", action="store_true", help="one row per month as well")
    p.add_argument("--top", type=int, metavar="N", help="only the N origin-destination pairs with most cases")
    p.add_argument("--out", type=Path, required=True, metavar="FLOWS.csv", help="CSV file to write")
    p.set_defaults(func=run)


def _split_commodities(values: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Names given with --commodity: categories of the format, or commodity types."""
    from workbench.format.schema import FORMAT

    categories = set(FORMAT.enums["commodity_category"])
    cats = tuple(v for v in values if v in categories)
    types = tuple(v for v in values if v not in categories)
    return cats, types


def run(args: argparse.Namespace) -> int:
    from workbench.routes.flows import flows_from_frame

    cats, types = _split_commodities(args.commodity)
    try:
        flt = CaseFilter(
            date_from=args.date_from or None,
            date_to=args.date_to or None,
            commodity_categories=cats,
            commodity_types=types,
        )
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if args.path is not None and args.db:
        print("error: give a data set PATH or --db, not both", file=sys.stderr)
        return 2
    if args.path is not None:
        from workbench.exchange.seizures import read_seizure_frame

        try:
            frame, rejections = read_seizure_frame(args.path, flt)
        except DatasetReadError as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
        for r in rejections[:20]:
            print(f"note: left out: {r}", file=sys.stderr)
        if len(rejections) > 20:
            print(f"note: ... and {len(rejections) - 20} more refused rows", file=sys.stderr)
    else:
        from workbench.store.frames import seizure_frame

        frame = seizure_frame(store_from_args(args), flt)
    by = None if args.by == "none" else args.by
    flows = flows_from_frame(frame, args.mode, args.level, by, per_month=args.per_month, top=args.top)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    flows.to_csv(args.out, index=False)
    n_cases = int(frame["case_key"].nunique()) if len(frame) else 0
    print(f"{len(flows):,} flows from {n_cases:,} cases ({flt.describe()}) written to {args.out}")
    return 0
