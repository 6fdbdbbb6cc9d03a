"""``workbench import``: bring a data set into the store, from any source, as one submission."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from workbench.cli.common import StderrProgress, add_db_option, import_gates, store_from_args
from workbench.exchange.files import REFUSED, ROW, DatasetReadError, EncodingError
from workbench.exchange.ingest import ImportFailed, ingest_dataset
from workbench.i18n import _

if TYPE_CHECKING:
    from connectors import Connector


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "import",
        help=_(
            "import a CSV folder, .zip, .xlsx, Access .mdb/.accdb or SQL database (optionally through a mapping)"
        ),
        description=_(
            "Import a data set. Exit 0: every row accepted; 1: some rows refused (each reported); "
            "2: the input cannot be read at all."
        ),
    )
    p.add_argument(
        "path",
        help=_(
            "CSV folder, .zip of CSVs, .csv, .xlsx, .mdb/.accdb, or a SQLAlchemy URL (postgresql+psycopg://...)"
        ),
    )
    add_db_option(p)
    p.add_argument("--json", type=Path, metavar="REPORT", help=_("write the import report as JSON"))
    p.add_argument("--quiet", action="store_true", help=_("no progress output"))
    p.add_argument(
        "--mapping",
        type=Path,
        metavar="PROFILE.yaml",
        help=_("map columns and values with this saved profile"),
    )
    p.add_argument(
        "--suggest-mapping",
        type=Path,
        metavar="PROFILE.yaml",
        help=_("do not import: suggest a mapping from headers and cells, save it here and show a preview"),
    )
    p.add_argument(
        "--force",
        action="store_true",
        help=_("with --suggest-mapping: replace an existing profile (never replaced without it)"),
    )
    p.add_argument(
        "--constant",
        action="append",
        default=[],
        metavar="COLUMN=VALUE",
        help=_(
            "with --suggest-mapping: a value the file does not hold, for every row (e.g. "
            "reporting_country=US); repeatable"
        ),
    )
    p.add_argument(
        "--encoding",
        help=_("encoding of CSV files that are not UTF-8 (e.g. cp1252, latin-1), or auto to detect it"),
    )
    p.add_argument(
        "--delimiter",
        help=_("column separator of CSV files: ',', ';', tab or '|' (detected when not given)"),
    )
    p.add_argument(
        "--decimal",
        choices=(".", ","),
        help=_(
            "decimal mark of numbers in CSV files (detected when not given; a mapping profile's "
            "'decimal' otherwise)"
        ),
    )
    p.add_argument(
        "--max-rejected-rows",
        type=int,
        metavar="N",
        help=_(
            "refuse the whole submission when more than N rows are refused (default: "
            "WORKBENCH_MAX_REJECTED_ROWS)"
        ),
    )
    p.add_argument(
        "--excel-reader",
        choices=("calamine", "openpyxl"),
        default="calamine",
        help=_("workbook reader: calamine (fast, default) or openpyxl read-only (about half the memory)"),
    )
    p.add_argument(
        "--table",
        action="append",
        default=[],
        metavar="NAME=SOURCE",
        help=_("SQL sources: exchange table = database table or SELECT query (repeatable)"),
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from connectors import load, open_connector

    tables = {}
    for spec in args.table:
        name, sep, source = spec.partition("=")
        if not sep:
            print(_("error: --table {spec!r}: expected NAME=SOURCE", spec=spec), file=sys.stderr)
            return 2
        tables[name.strip()] = source.strip()
    try:
        conn = open_connector(
            args.path,
            tables=tables or None,
            encoding=args.encoding,
            engine=args.excel_reader,
            delimiter=args.delimiter,
            decimal=args.decimal,
        )
        if args.suggest_mapping:
            if args.suggest_mapping.exists() and not args.force:
                print(
                    _(
                        "error: {suggest_mapping} exists: it is not replaced (it may hold your edits); "
                        "name another file, or add --force to replace it",
                        suggest_mapping=args.suggest_mapping,
                    ),
                    file=sys.stderr,
                )
                return 2
            return _suggest(conn, args.suggest_mapping, args)
        raw = load(conn, args.mapping)
    except DatasetReadError as e:
        print(_("error: {e}", e=e), file=sys.stderr)
        if isinstance(e, EncodingError):
            print(
                _(
                    "hint: name its encoding with --encoding (e.g. --encoding cp1252), --encoding auto to "
                    "detect it, or 'encoding:' in a mapping profile"
                ),
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
            max_rejected_rows=args.max_rejected_rows,
        )
    except ImportFailed as e:
        print(_("error: {e}", e=e), file=sys.stderr)
        return 2
    for n in report.notices:
        print(_("note: {notice}", notice=n), file=sys.stderr)
    for r in report.rejections[:50]:
        print(_("rejected: {r}", r=r), file=sys.stderr)
    if len(report.rejections) > 50:
        print(_("... and {n} more rejections (see --json)", n=len(report.rejections) - 50), file=sys.stderr)
    print(report.summary())
    if report.status in ("accepted", "partial"):  # the persons and companies it brought: resolved
        from workbench.cli.graph_index import resolution_summary
        from workbench.network.incremental import resolve_after_import

        figures = resolve_after_import(store, args.principal)
        if figures is None:
            print(
                _("note: new persons and companies stay pending resolution (your role may not resolve them)"),
                file=sys.stderr,
            )
        elif not args.quiet:
            print(resolution_summary(figures), file=sys.stderr)
    if args.json:
        args.json.write_text(report.to_json(), encoding="utf-8")
    return report.exit_code


def _suggest(conn: Connector, out: Path, args: argparse.Namespace) -> int:
    """Suggest a mapping profile. It reads the source as an import does, so it needs the import right
    and is audited; the preview shows no personal value (those columns by name and kind only)."""
    from connectors import preview, suggest_mapping
    from workbench.format.privacy import personal_columns
    from workbench.store import audit

    where = getattr(conn, "name", None) or str(getattr(conn, "path", ""))
    store = store_from_args(args, action="import_data")  # refused (exit 3) before the source is read
    source = conn.read_source()
    profile = suggest_mapping(source, name=out.stem)
    stale = set(profile.unmapped_notes())  # said again below, after the constants
    for spec in args.constant:
        column, sep, value = spec.partition("=")
        if not sep:
            print(_("error: --constant {spec!r}: expected COLUMN=VALUE", spec=spec), file=sys.stderr)
            return 2
        for m in profile.tables.values():
            if column.strip() in m.columns or column.strip() in m.derive:
                continue
            m.constants[column.strip()] = value.strip()
    profile.notes = [n for n in profile.notes if n not in stale]
    profile.notes += profile.unmapped_notes()
    profile.save(out)
    print(_("mapping profile written to {out}:", out=out))
    print(profile.to_yaml())
    for n in profile.notes:
        print(_("note: {notice}", notice=n), file=sys.stderr)
    pv = preview(source, profile, rows=5)
    withheld: dict[str, dict[str, str]] = {}
    for name, frame in pv.frames.items():
        shown = frame.drop(columns=[ROW, REFUSED], errors="ignore")  # refusals are listed after
        # a statistic holds no personal data (counts and quantities per period and place)
        withheld[name] = {} if name == "statistics" else personal_columns(shown, name)
        print(_("--- {name} (first rows as they would be imported)", name=name))
        print(shown.drop(columns=list(withheld[name])).to_string(index=False, max_colwidth=30))
        if withheld[name]:
            kinds = ", ".join(f"{c} ({k})" for c, k in withheld[name].items())
            print(_("personal columns, values not shown: {kinds}", kinds=kinds))
    for r in pv.rejections[:20]:
        # a rejection names table, row, column and reason; the value it quotes may be personal
        column = getattr(r, "column", None)
        if column in withheld.get(getattr(r, "table", ""), {}):
            print(
                _(
                    "would be rejected: {table}, row {row}, column {column!r}",
                    table=r.table,
                    row=r.row,
                    column=column,
                ),
                file=sys.stderr,
            )
        else:
            print(_("would be rejected: {r}", r=r), file=sys.stderr)
    with store.session() as s:
        audit(
            s,
            "import.suggest_mapping",
            {
                "source": where,
                "tables": {n: str(getattr(t, "where", n)) for n, t in source.tables.items()},
                "profile": str(out),
                "personal_columns_read": withheld,
            },
            args.principal,
        )
    print(
        _(
            "import with: workbench import {source} --mapping {out}",
            source=getattr(conn, "path", ""),
            out=out,
        )
    )
    return 0
