"""``workbench import``: bring an exchange-format data set into the store."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from workbench.cli.common import StderrProgress, add_db_option, import_gates, store_from_args
from workbench.exchange_io import DatasetReadError
from workbench.ingest import ImportFailed, import_path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "import",
        help="import a CSV folder, zip of CSVs or .xlsx workbook in the exchange format",
        description="Import a data set. Exit 0: every row accepted; 1: some rows refused (each reported); "
        "2: the input cannot be read at all.",
    )
    p.add_argument("path", type=Path, help="CSV folder, .zip of CSVs or .xlsx workbook")
    add_db_option(p)
    p.add_argument("--json", type=Path, metavar="REPORT", help="write the import report as JSON")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    store = store_from_args(args)
    try:
        report = import_path(args.path, store, progress=StderrProgress(args.quiet), gates=import_gates())
    except DatasetReadError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except ImportFailed as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    for n in report.notices:
        print(f"note: {n}", file=sys.stderr)
    for r in report.rejections[:50]:
        print(f"rejected: {r}", file=sys.stderr)
    if len(report.rejections) > 50:
        print(f"... and {len(report.rejections) - 50} more rejections (see --json)", file=sys.stderr)
    print(report.summary())
    if args.json:
        args.json.write_text(report.to_json(), encoding="utf-8")
    return report.exit_code
