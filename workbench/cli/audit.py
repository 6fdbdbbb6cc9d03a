"""``workbench audit``: verify the audit log's hash chain, sign checkpoints of it, apply retention and
print the auditor's reports.

``verify`` exits 1 and names the first entry changed, removed, reordered or inserted (or the checkpoint
that no longer matches); ``checkpoint --out FILE`` writes the chain's head signed with the Ed25519 key
of ``WORKBENCH_AUDIT_SIGNING_KEY`` (or ``--key FILE``), to keep outside the database; ``keygen --out
FILE`` makes such a key; ``retention --years N`` erases the entries older than N years (the erasure is
itself audited and the chain still verifies); ``report`` prints one of the auditor's reports.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

from workbench.cli.common import add_db_option, store_from_args
from workbench.config import Settings
from workbench.i18n import _
from workbench.store.audit import (
    Checkpoint,
    checkpoint,
    generate_signing_key,
    load_signing_key,
    verify,
)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("audit", help=_("verify the audit log's chain, sign checkpoints, retention, reports"))
    cmds = p.add_subparsers(dest="audit_command", metavar="ACTION", required=True)

    v = cmds.add_parser("verify", help=_("check the hash chain; exit 1 naming the first broken entry"))
    v.add_argument(
        "--checkpoint", metavar="FILE", help=_("a signed checkpoint: also prove nothing before it changed")
    )
    v.add_argument(
        "--key",
        metavar="FILE",
        help=_(
            "the signing key the checkpoint must be signed with (default: WORKBENCH_AUDIT_SIGNING_KEY if set)"
        ),
    )
    add_db_option(v)
    v.set_defaults(func=run_verify)

    c = cmds.add_parser("checkpoint", help=_("write the chain's head signed with the audit signing key"))
    c.add_argument("--out", metavar="FILE", required=True, help=_("where to write the checkpoint (JSON)"))
    c.add_argument("--key", metavar="FILE", help=_("Ed25519 key file (default: WORKBENCH_AUDIT_SIGNING_KEY)"))
    add_db_option(c)
    c.set_defaults(func=run_checkpoint)

    k = cmds.add_parser("keygen", help=_("make a new Ed25519 signing key file for checkpoints"))
    k.add_argument(
        "--out", metavar="FILE", required=True, help=_("the key file to write (readable by you only)")
    )
    k.set_defaults(func=run_keygen)

    r = cmds.add_parser("retention", help=_("erase the entries older than the retention period"))
    r.add_argument(
        "--years", type=float, help=_("keep this many years (default: WORKBENCH_AUDIT_RETENTION_YEARS)")
    )
    add_db_option(r)
    r.set_defaults(func=run_retention)

    from workbench.identity.audit_reports import REPORTS

    rep = cmds.add_parser("report", help=_("an auditor's report: entries, consultations, exports, unusual"))
    rep.add_argument("name", choices=list(REPORTS), help=_("which report"))
    rep.add_argument("--since", metavar="DATE", type=dt.date.fromisoformat, help=_("from this day (UTC)"))
    rep.add_argument("--until", metavar="DATE", type=dt.date.fromisoformat, help=_("up to this day (UTC)"))
    rep.add_argument("--user", help=_("one account"))
    rep.add_argument("--org", help=_("one organisation"))
    rep.add_argument("--purpose", help=_("one purpose reference (case or operation)"))
    rep.add_argument(
        "--object", dest="object_contains", metavar="KEY", help=_("records whose key contains KEY")
    )
    rep.add_argument(
        "--out", metavar="PATH", help=_("write it (.xlsx, or a folder for CSV) instead of printing")
    )
    add_db_option(rep)
    rep.set_defaults(func=run_report)


def run_verify(args: argparse.Namespace) -> int:
    store = store_from_args(args, "read_audit")
    cp = None
    if args.checkpoint:
        try:
            cp = Checkpoint.from_json(Path(args.checkpoint).read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            print(
                _("cannot read the checkpoint {path}: {error}", path=args.checkpoint, error=e),
                file=sys.stderr,
            )
            return 2
    key = None
    if cp is not None and (args.key or Settings.from_env().audit_signing_key):
        try:
            key = load_signing_key(args.key)
        except ValueError as e:
            print(e, file=sys.stderr)
            return 2
    report = verify(store, cp, public_key=key)
    print(report, file=sys.stdout if report.ok else sys.stderr)
    return 0 if report.ok else 1


def run_checkpoint(args: argparse.Namespace) -> int:
    store = store_from_args(args, "read_audit")
    try:
        cp = checkpoint(store, args.key)
    except ValueError as e:
        print(e, file=sys.stderr)
        return 2
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(cp.to_json(), encoding="utf-8")
    print(
        _("checkpoint of entry {seq} written to {path}; keep it outside the database", seq=cp.seq, path=out)
    )
    return 0


def run_keygen(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.exists():
        print(_("{path} exists: not overwritten", path=out), file=sys.stderr)
        return 2
    out.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(generate_signing_key())
    print(_("signing key written to {path}; set WORKBENCH_AUDIT_SIGNING_KEY={path}", path=out))
    return 0


def run_retention(args: argparse.Namespace) -> int:
    from workbench.identity.audit_reports import apply_retention

    store = store_from_args(args, "administer")
    try:
        n = apply_retention(store, args.principal, args.years)
    except ValueError as e:
        print(e, file=sys.stderr)
        return 2
    print(_("{n} audit entries past the retention period erased", n=n))
    return 0


def run_report(args: argparse.Namespace) -> int:
    import pandas as pd

    from workbench.exchange.files import write_dataset
    from workbench.identity.audit_reports import REPORTS, AuditQuery

    store = store_from_args(args, "read_audit")
    query = AuditQuery(args.since, args.until, args.user, args.org, (), args.purpose, args.object_contains)
    frame = REPORTS[args.name](store, args.principal, query)
    if args.out:
        flat = frame.copy()
        for col in flat.columns:
            if flat[col].map(lambda v: isinstance(v, list)).any():
                flat[col] = flat[col].map(lambda v: ", ".join(v) if isinstance(v, list) else v)
            elif isinstance(flat[col].dtype, pd.DatetimeTZDtype):
                flat[col] = flat[col].dt.tz_localize(None)
        paths = write_dataset({f"audit_{args.name}": flat}, Path(args.out))
        print(_("{n} rows written to {path}", n=len(frame), path=", ".join(map(str, paths))))
        return 0
    with pd.option_context("display.max_rows", 200, "display.width", 200, "display.max_colwidth", 60):
        print(frame.to_string(index=False) if len(frame) else _("(nothing in this part of the log)"))
    return 0
