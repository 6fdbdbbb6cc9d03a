"""``workbench export``: the filtered data as a formatted workbook, in the exchange format, as the
non-personal export or pseudonymised; every export is written to the audit log."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from workbench.cli.common import add_db_option, add_filter_options, filter_from_args, store_from_args
from workbench.exchange.exports import EXPORT_KINDS, ExportDenied, ExportRefused, export_data
from workbench.i18n import _


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "export",
        help=_(
            "export the filtered data: exchange format, non-personal, pseudonymised, or a formatted workbook"
        ),
        description=_(
            "Write an export and record it in the audit log with its filter, the user and the "
            "stated legal basis. OUT ending in .xlsx: one workbook; otherwise a folder of CSV files."
        ),
    )
    p.add_argument(
        "--out", type=Path, required=True, help=_("a path ending in .xlsx, or a folder for CSV files")
    )
    kind = p.add_mutually_exclusive_group()
    kind.add_argument(
        "--non-personal",
        dest="kind",
        action="store_const",
        const="non_personal",
        help=_(EXPORT_KINDS["non_personal"]),
    )
    kind.add_argument(
        "--pseudonymise",
        dest="kind",
        action="store_const",
        const="pseudonymised",
        help=_("{kind} (needs WORKBENCH_PSEUDONYM_KEY)", kind=_(EXPORT_KINDS["pseudonymised"])),
    )
    kind.add_argument(
        "--formatted", dest="kind", action="store_const", const="formatted", help=_(EXPORT_KINDS["formatted"])
    )
    p.set_defaults(kind="exchange")
    p.add_argument(
        "--legal-basis",
        metavar="TEXT",
        help=_(
            "the legal basis for passing this data on (required for exports with personal data or pseudonyms)"
        ),
    )
    add_db_option(p)
    add_filter_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    store = store_from_args(args)
    try:
        flt = filter_from_args(args)
        res = export_data(store, args.out, args.kind, flt, legal_basis=args.legal_basis, actor=args.principal)
    except ExportDenied:
        raise  # the matrix's refusal: "refused: ...", exit 3
    except (ExportRefused, ValueError) as e:
        print(_("error: {e}", e=e), file=sys.stderr)
        return 2
    counts = ", ".join(f"{k} {v:,}" for k, v in res.counts.items())
    print(
        _(
            "{kind}: {counts} ({filter}) -> {paths}",
            kind=_(EXPORT_KINDS[res.kind]),
            counts=counts,
            filter=flt.describe(),
            paths=", ".join(str(p) for p in res.paths),
        )
    )
    print(
        _("recorded in the audit log (legal basis: {legal_basis})", legal_basis=res.legal_basis),
        file=sys.stderr,
    )
    return 0
