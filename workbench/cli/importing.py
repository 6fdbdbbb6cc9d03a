"""``workbench import``: bring a data set into the store, from any source, as one submission."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from workbench.cli.common import StderrProgress, add_db_option, import_gates, store_from_args
from workbench.exchange.files import DatasetReadError, EncodingError
from workbench.exchange.ingest import ImportFailed, ingest_dataset

if TYPE_CHECKING:
    from connectors import Connector


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "import",
        help="import a CSV folder, .zip, .xlsx, Access .mdb/.accdb or SQL database (optionally through a mapping)",
        description="Import a data set. Exit 0: every row accepted; 1: some rows refused (each reported); "
        "2: the input cannot be read at all.",
    )
    p.add_argument(
        "path",
        help="CSV folder, .zip of CSVs, .csv, .xlsx, .mdb/.accdb, or a SQLAlchemy URL (postgresql+psycopg://...)",
    )
    add_db_option(p)
    p.add_argument("--json", type=Path, metavar="REPORT", help="write the import report as JSON")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    p.add_argument(
        "--mapping", type=Path, metavar="PROFILE.yaml", help="map columns and values with this saved profile"
    )
    p.add_argument(
        "--suggest-mapping",
        type=Path,
        metavar="PROFILE.yaml",
        help="do not import: suggest a mapping from headers and cells, save it here and show a preview",
    )
    p.add_argument(
        "--encoding",
        help="encoding of CSV files that are not UTF-8 (e.g. cp1252, latin-1), or auto to detect it",
    )
    p.add_argument(
        "--excel-reader",
        choices=("calamine", "openpyxl"),
        default="calamine",
        help="workbook reader: calamine (fast, default) or openpyxl read-only (about half the memory)",
    )
    p.add_argument(
        "--table",
        action="append",
        default=[],
        metavar="NAME=SOURCE",
        help="SQL sources: exchange table = database table or SELECT query (repeatable)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from connectors import load, open_connector

    tables = {}
    for spec in args.table:
        name, sep, source = spec.partition("=")
        if not sep:
            print(f"error: --table {spec!r}: expected NAME=SOURCE", file=sys.stderr)
            return 2
        tables[name.strip()] = source.strip()
    try:
        conn = open_connector(
            args.path, tables=tables or None, encoding=args.encoding, engine=args.excel_reader
        )
        if args.suggest_mapping:
            return _suggest(conn, args.suggest_mapping)
        raw = load(conn, args.mapping)
    except DatasetReadError as e:
        print(f"error: {e}", file=sys.stderr)
        if isinstance(e, EncodingError):
            print(
                "hint: name its encoding with --encoding (e.g. --encoding cp1252), --encoding auto to "
                "detect it, or 'encoding:' in a mapping profile",
                file=sys.stderr,
            )
        return 2
    store = store_from_args(args, "import_data")
    try:
        report = ingest_dataset(
            raw,
            store,
            actor=args.principal,
            progress=StderrProgress(args.quiet),
            gates=import_gates(),
            source_name=getattr(conn, "name", None) if conn.kind == "sql" else None,
        )
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


def _suggest(conn: Connector, out: Path) -> int:
    from connectors import preview, suggest_mapping

    source = conn.read_source()
    profile = suggest_mapping(source, name=out.stem)
    profile.save(out)
    print(f"mapping profile written to {out}:")
    print(profile.to_yaml())
    for n in profile.notes:
        print(f"note: {n}", file=sys.stderr)
    pv = preview(source, profile, rows=5)
    for name, frame in pv.frames.items():
        print(f"--- {name} (first rows as they would be imported)")
        print(frame.drop(columns=["_row"]).to_string(index=False, max_colwidth=30))
    for r in pv.rejections[:20]:
        print(f"would be rejected: {r}", file=sys.stderr)
    print(f"import with: workbench import {getattr(conn, 'path', '')} --mapping {out}")
    return 0
