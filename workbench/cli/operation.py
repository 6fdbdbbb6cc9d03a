"""``workbench operation``: joint operations (closed groups) from the command line: create, add-member,
template, submit, extract, close, list, retention and keygen.

Every verb runs as the signed-in principal (``WORKBENCH_TOKEN`` or the password prompt) and the library
checks the principal's role in the operation: a non-member is told that no such operation exists.
Submissions run the template's row checks and its Great Expectations suite; refused rows are printed
with file, sheet, row, column and reason, and the command exits 1 when any row was refused.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from workbench.cli.common import add_db_option, import_gates, store_from_args
from workbench.i18n import _
from workbench.operations import groups, messages, submissions
from workbench.operations.templates import excel_template

__all__ = ["register"]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "operation",
        help=_("joint operations: create, add-member, template, submit, extract, close, list"),
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    verbs = p.add_subparsers(dest="verb", metavar="VERB", required=True)

    c = verbs.add_parser("create", help=_("create an operation organised by your organisation"))
    c.add_argument("code")
    c.add_argument("--name", required=True)
    c.add_argument("--legal-basis", required=True, help=_("the text that allows the exchange"))
    c.add_argument("--start", required=True, help=_("YYYY-MM-DD"))
    c.add_argument("--end", required=True, help=_("YYYY-MM-DD"))
    c.add_argument("--tlp", default="amber", choices=groups.TLP_MARKINGS, help=_("default handling marking"))
    c.add_argument("--language", default="en")
    c.add_argument("--status", default="active", choices=("planned", "active"))
    c.add_argument("--retention-days", type=int, default=365, help=_("days after close before erasure"))
    c.set_defaults(func=run_create)

    m = verbs.add_parser(
        "add-member", help=_("add an account (any organisation) with its role in the operation")
    )
    m.add_argument("code")
    m.add_argument("account")
    m.add_argument("--role", required=True, choices=list(groups.MEMBER_ROLES))
    m.set_defaults(func=run_add_member)

    t = verbs.add_parser(
        "template", help=_("set the template (--fields) or write it as an Excel workbook (--excel)")
    )
    t.add_argument("code")
    t.add_argument("--fields", type=Path, help=_("a JSON or YAML list of fields (organisers)"))
    t.add_argument("--excel", type=Path, help=_("write the Excel template for offline entry here"))
    t.set_defaults(func=run_template)

    s = verbs.add_parser(
        "submit", help=_("submit a filled Excel template (or a CSV file of the template's columns)")
    )
    s.add_argument("code")
    s.add_argument("path", type=Path)
    s.add_argument(
        "--no-gx", action="store_true", help=_("row checks only, without the Great Expectations suite")
    )
    s.set_defaults(func=run_submit)

    e = verbs.add_parser(
        "extract", help=_("write the operation's rows to Excel, CSV or Parquet (organisers)")
    )
    e.add_argument("code")
    e.add_argument("--out", type=Path, required=True, help=_("a .xlsx, .csv or .parquet file"))
    e.set_defaults(func=run_extract)

    cl = verbs.add_parser("close", help=_("close the operation, handing selected rows to the main store"))
    cl.add_argument("code")
    cl.add_argument("--hand-off", type=int, nargs="*", default=[], metavar="ROW_ID", help=_("rows to import"))
    cl.add_argument("--all", action="store_true", help=_("hand off every row"))
    cl.set_defaults(func=run_close)

    ls = verbs.add_parser("list", help=_("the operations you are a member of, with unread messages"))
    ls.set_defaults(func=run_list)

    r = verbs.add_parser(
        "retention", help=_("archive operations past their retention and erase their personal data")
    )
    r.set_defaults(func=run_retention)

    k = verbs.add_parser("keygen", help=_("print a new key for WORKBENCH_OPERATIONS_KEY"))
    k.set_defaults(func=run_keygen)

    for name, v in verbs.choices.items():
        if name != "keygen":
            add_db_option(v)


def _fail(e: Exception) -> int:
    print(_("error: {e}", e=e), file=sys.stderr)
    return 2


def run_create(args: argparse.Namespace) -> int:
    store = store_from_args(args)
    try:
        op = groups.create_operation(
            store,
            code=args.code,
            name=args.name,
            legal_basis=args.legal_basis,
            start=args.start,
            end=args.end,
            tlp=args.tlp,
            language=args.language,
            status=args.status,
            retention_days=args.retention_days,
            by=args.principal,
        )
    except ValueError as e:
        return _fail(e)
    print(
        _(
            "created operation {code} ({status}), organised by {org}",
            code=op.code,
            status=op.status,
            org=op.organiser,
        )
    )
    return 0


def run_add_member(args: argparse.Namespace) -> int:
    store = store_from_args(args)
    try:
        m = groups.add_member(store, args.code, args.account, args.role, args.principal)
    except ValueError as e:
        return _fail(e)
    print(
        _(
            "{account} ({org}) is {role} of {code}",
            account=m.account,
            org=m.organisation,
            role=m.role,
            code=args.code,
        )
    )
    return 0


def run_template(args: argparse.Namespace) -> int:
    import yaml

    store = store_from_args(args)
    try:
        if args.fields:
            spec = yaml.safe_load(args.fields.read_text(encoding="utf-8"))
            t = submissions.set_template(store, args.code, spec, args.principal)
            print(
                _("template version {v} of {code}: {n} fields", v=t.version, code=args.code, n=len(t.fields))
            )
        else:
            t = submissions.current_template(store, args.code, args.principal)
        if args.excel:
            excel_template(t, args.excel, title=args.code)
            print(_("wrote {path}", path=args.excel))
        if not args.fields and not args.excel:
            print(json.dumps(t.to_spec(), indent=2, ensure_ascii=False))
    except PermissionError:
        raise  # refused (an OSError too): exit 3 in main
    except (ValueError, OSError) as e:
        return _fail(e)
    return 0


def run_submit(args: argparse.Namespace) -> int:
    store = store_from_args(args)
    gate = None
    if not args.no_gx:
        from data_quality.templates import template_gate

        gate = template_gate
    try:
        result = submissions.submit_workbook(store, args.code, args.path, args.principal, gate=gate)
    except ValueError as e:
        return _fail(e)
    print(result.summary())
    return 1 if result.rejected_rows else 0


def run_extract(args: argparse.Namespace) -> int:
    store = store_from_args(args)
    try:
        out = submissions.extract(store, args.code, args.principal, args.out)
    except ValueError as e:
        return _fail(e)
    print(_("wrote {path}", path=out))
    return 0


def run_close(args: argparse.Namespace) -> int:
    store = store_from_args(args)
    try:
        chosen = list(args.hand_off)
        if args.all:
            chosen = submissions.submitted_rows(store, args.code, args.principal)["row_id"].tolist()
        report = submissions.close_operation(
            store, args.code, args.principal, hand_off=chosen, gates=import_gates() if chosen else ()
        )
    except ValueError as e:
        return _fail(e)
    if report is not None:
        print(report.summary())
        if report.status not in ("accepted", "duplicate"):
            return 1
    print(_("operation {code} closed", code=args.code))
    return 0


def run_list(args: argparse.Namespace) -> int:
    store = store_from_args(args)
    ops = groups.list_operations(store, args.principal)
    if not ops:
        print(_("you are a member of no operation"))
        return 0
    unread = messages.unread_counts(store, args.principal)
    for op in ops:
        print(
            f"{op.code}\t{op.status}\t{op.role}\t{op.start_date}..{op.end_date}\tTLP:{op.tlp.upper()}\t"
            + _("{n} unread", n=unread.get(op.code, 0))
            + f"\t{op.name}"
        )
    return 0


def run_retention(args: argparse.Namespace) -> int:
    store = store_from_args(args)
    done = submissions.apply_retention(store, args.principal)
    for code, n in done.items():
        print(_("{code}: archived, personal data of {n} rows erased", code=code, n=n))
    if not done:
        print(_("no operation is past its retention"))
    return 0


def run_keygen(args: argparse.Namespace) -> int:
    print(messages.generate_key())
    return 0
