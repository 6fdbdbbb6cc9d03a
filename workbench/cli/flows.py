"""``workbench flows``: flows of cases along routes, from a data set or the store, to a CSV file.

The CSV starts with ``origin, destination, cases`` (ISO2 codes, or WCO region names with
``--level region``), then ``inferred_cases``, ``share``, the breakdown and month columns asked for,
``value_usd`` and one ``quantity_<unit>`` column per unit.

The filters are the shared ones (``--from``, ``--to``, ``--mode`` for the transport mode, ``--category``,
``--commodity`` for the commodity type, ...: ``workbench.cli.common.add_filter_options``). Spellings
of earlier versions still work, with a warning on stderr: ``--mode legs|od`` (now ``--flow``),
``--commodity CATEGORY`` (now ``--category``) and ``--by category|type`` (now the field names,
as in ``workbench trends``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from workbench.cli.common import (
    add_db_option,
    add_filter_options,
    deprecated,
    filter_from_args,
    store_from_args,
)
from workbench.exchange.files import DatasetReadError
from workbench.exchange.writers import write_csv
from workbench.i18n import _

FLOWS = ("legs", "od")
BREAKDOWNS = ("none", "commodity_category", "commodity_type")
#: ``--by`` values of earlier versions -> the field names
_OLD_BREAKDOWNS = {"category": "commodity_category", "type": "commodity_type"}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "flows",
        help=_("flows of cases by leg or origin-destination pair, country or WCO region, to CSV"),
        description=_(
            "Aggregate cases along their routes (departure, transit countries, destination; an "
            "import with a blank destination is taken as bound for the reporting country and counted in "
            "inferred_cases). Reads an exchange-format data set (CSV folder, .zip or .xlsx) or the store."
        ),
    )
    p.add_argument("path", nargs="?", type=Path, help=_("data set to read instead of the store"))
    add_db_option(p)
    p.add_argument(
        "--flow", choices=FLOWS, help=_("legs (each hop, the default) or od (first to last country)")
    )
    p.add_argument(
        "--level", choices=["country", "region"], default="country", help=_("countries or WCO regions")
    )
    p.add_argument(
        "--by",
        choices=[*BREAKDOWNS, *_OLD_BREAKDOWNS],
        default="none",
        metavar="{" + ",".join(BREAKDOWNS) + "}",
        help=_("one row per commodity category or type"),
    )
    p.add_argument("--per-month", action="store_true", help=_("one row per month as well"))
    p.add_argument(
        "--top", type=int, metavar="N", help=_("only the N origin-destination pairs with most cases")
    )
    p.add_argument("--out", type=Path, required=True, metavar="FLOWS.csv", help=_("CSV file to write"))
    add_filter_options(p)
    p.set_defaults(func=run)


def _old_spellings(args: argparse.Namespace) -> str | None:
    """Read the spellings of earlier versions into the current ones (saying so on stderr); an error
    message when they contradict the current ones."""
    from workbench.format.schema import FORMAT
    from workbench.store.criteria import criterion

    modes = criterion("transport_mode").fields[0]
    old_flows = [m for m in getattr(args, modes) if m in FLOWS]
    if old_flows:
        if len(set(old_flows)) > 1 or (args.flow is not None and args.flow != old_flows[0]):
            return _("give the kind of flow once, with --flow legs or --flow od")
        deprecated(
            f"--mode {old_flows[0]}",
            f"--flow {old_flows[0]}",
            _("--mode is the transport mode in every command"),
        )
        args.flow = old_flows[0]
        setattr(args, modes, [m for m in getattr(args, modes) if m not in FLOWS])
    types, categories = criterion("commodity_type").fields[0], criterion("commodity_category").fields[0]
    category_names = set(FORMAT.enums["commodity_category"])
    for value in [v for v in getattr(args, types) if v in category_names]:
        deprecated(
            f"--commodity {value}",
            f"--category {value}",
            _("--commodity is the commodity type in every command; {value} is a category", value=value),
        )
        getattr(args, types).remove(value)
        getattr(args, categories).append(value)
    if args.by in _OLD_BREAKDOWNS:
        deprecated(f"--by {args.by}", f"--by {_OLD_BREAKDOWNS[args.by]}", _("the field's name, as in trends"))
        args.by = _OLD_BREAKDOWNS[args.by]
    return None


def run(args: argparse.Namespace) -> int:
    from workbench.routes.flows import flows_from_frame

    problem = _old_spellings(args)
    if problem:
        print(_("error: {problem}", problem=problem), file=sys.stderr)
        return 2
    try:
        flt = filter_from_args(args)
    except ValueError as e:
        print(_("error: {problem}", problem=e), file=sys.stderr)
        return 2
    if args.path is not None and args.db:
        print(_("error: give a data set PATH or --db, not both"), file=sys.stderr)
        return 2
    if args.path is not None:
        from workbench.exchange.seizures import read_seizure_frame

        try:
            frame, rejections = read_seizure_frame(args.path, flt)
        except DatasetReadError as e:
            print(_("error: {e}", e=e), file=sys.stderr)
            return 2
        for r in rejections[:20]:
            print(_("note: left out: {r}", r=r), file=sys.stderr)
        if len(rejections) > 20:
            print(_("note: ... and {n} more refused rows", n=len(rejections) - 20), file=sys.stderr)
    else:
        from workbench.store.frames import seizure_frame

        frame = seizure_frame(store_from_args(args), flt)
    by = None if args.by == "none" else args.by
    flows = flows_from_frame(
        frame, args.flow or "legs", args.level, by, per_month=args.per_month, top=args.top
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_csv(flows, args.out)
    n_cases = int(frame["case_key"].nunique()) if len(frame) else 0
    print(
        _(
            "{n:,} flows from {n_cases:,} cases ({describe}) written to {out}",
            n=len(flows),
            n_cases=n_cases,
            describe=flt.describe(),
            out=args.out,
        )
    )
    return 0
