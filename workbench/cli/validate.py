"""``workbench validate``: check a data set (or the store) with the data-quality suites; store nothing.

``workbench validate PATH [--db URL] [--json OUT] [--docs DIR]`` checks a CSV folder, zip or workbook as
an import would (row numbers as in the spreadsheet, header = row 1); with ``--db`` references to cases
and likely duplicates are also checked against that store. ``workbench validate --db URL`` checks
everything stored (in SQL where it can) and records the run. Exit status: 0 when nothing critical
failed, 1 otherwise, 2 when the input cannot be read.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from workbench.exchange.files import DatasetReadError
from workbench.i18n import _


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "validate",
        help=_("check a data set, or the store, with the data-quality suites (nothing is stored)"),
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("path", type=Path, nargs="?", help=_("CSV folder, .zip of CSVs or .xlsx workbook"))
    p.add_argument(
        "--db",
        metavar="URL",
        help=_("with PATH: the store to check references and duplicates against; alone: validate that store"),
    )
    p.add_argument("--json", type=Path, metavar="OUT", help=_("write the report as JSON ('-' for stdout)"))
    p.add_argument("--docs", type=Path, metavar="DIR", help=_("also write Data Docs (static HTML, offline)"))
    p.add_argument(
        "--engine",
        choices=("gx", "pandas"),
        default="gx",
        help=_("run the suites with Great Expectations (default) or as plain pandas"),
    )
    p.add_argument(
        "--mapping",
        type=Path,
        metavar="PROFILE.yaml",
        help=_("dry-run a mapping profile: map PATH with it and check the result as an import would"),
    )
    p.add_argument("--quiet", action="store_true", help=_("print only the verdict"))
    p.set_defaults(func=run)


def _print_report(report: dict[str, Any], quiet: bool, out: TextIO | None = None) -> None:
    out = out or sys.stdout
    if not quiet:
        for f in report["failures"]:
            rows = f["rows"]
            shown = ", ".join(str(r) for r in rows[:10]) + (
                f" ... (+{len(rows) - 10})" if len(rows) > 10 else ""
            )
            print(
                _(
                    "{severity:<8} {table}.{column}: {expectation} - {n:,} row(s): {shown}",
                    severity=f["severity"],
                    table=f["table"],
                    column=f["column"],
                    expectation=f["expectation"],
                    n=len(rows),
                    shown=shown,
                ),
                file=out,
            )
        for n in report.get("notes", []):
            print(_("note: {notice}", notice=n), file=sys.stderr)
    for e in report.get("errors", []):
        print(
            _(
                "error: {table}.{column}: {expectation} could not run: {error}",
                table=e["table"],
                column=e["column"],
                expectation=e["expectation"],
                error=e["error"],
            ),
            file=sys.stderr,
        )
    verdict = _("valid: nothing critical failed") if report["success"] else _("NOT valid: critical failures")
    print(
        _(
            "{verdict} (score {score}; {critical_rows:,} row(s) would be quarantined, "
            "{warning_rows:,} flagged)",
            verdict=verdict,
            score=report["score"],
            critical_rows=report["critical_rows"],
            warning_rows=report["warning_rows"],
        ),
        file=out,
    )


def run(args: argparse.Namespace) -> int:
    from workbench.cli.common import refused, store_from_args

    if args.path is None and not args.db:
        print(_("error: give a PATH to validate, or --db URL to validate a store"), file=sys.stderr)
        return 2
    import data_quality as dq

    engine = dq.GXEngine() if args.engine == "gx" else dq.PandasEngine()
    with refused(DatasetReadError):
        if args.path is None:
            results = dq.validate_store(store_from_args(args, "check_quality"))
        elif args.mapping:
            store = store_from_args(args, "check_quality") if args.db else None
            raw = _mapped(args)
            if "statistics" in raw.tables:
                return _dry_run_statistics(raw.tables["statistics"], args)
            results = dq.validate_dataset(raw, store, engine=engine)
        else:
            store = store_from_args(args, "check_quality") if args.db else None
            results = dq.validate_path(args.path, store, engine=engine)
    report = results.to_json()
    to_stdout = args.json is not None and str(args.json) == "-"
    _print_report(report, args.quiet, sys.stderr if to_stdout else sys.stdout)
    if args.json:
        text = json.dumps(report, indent=2, ensure_ascii=False)
        if to_stdout:
            print(text)
        else:
            args.json.write_text(text, encoding="utf-8")
    if args.docs:
        index = dq.write_data_docs(results, args.docs, title=str(args.path or args.db))
        print(_("Data Docs: {index}", index=index), file=sys.stderr)
    return 0 if report["success"] else 1


def _mapped(args: argparse.Namespace) -> Any:
    from connectors import load, open_connector

    return load(open_connector(str(args.path)), args.mapping)


def _dry_run_statistics(table: Any, args: argparse.Namespace) -> int:
    """Check a statistics table as its import would, storing nothing."""
    from workbench.exchange.statistics import check_statistics

    good = refused = 0
    for chunk in table.iter_chunks(50_000):
        ok, rejections = check_statistics(chunk, table.where)
        good += len(ok)
        refused += len({r.row for r in rejections})
        if not args.quiet:
            for r in rejections:
                print(_("critical {r}", r=r), file=sys.stdout)
    verdict = _("valid: nothing critical failed") if not refused else _("NOT valid: critical failures")
    print(
        _(
            "{verdict} (statistics: {good:,} row(s) would be imported, {refused:,} refused)",
            verdict=verdict,
            good=good,
            refused=refused,
        )
    )
    return 0 if not refused else 1
