"""``workbench exchange``: signed packages between workbenches (Icomm).

``pack --recipient ORG --legal-basis TEXT [filters] [--non-personal] --out FILE`` writes a package signed with
the key of ``WORKBENCH_EXCHANGE_KEY`` (or ``--key FILE``) and logs the disclosure; ``receive FILE
[--trust FILE]`` verifies a package (signature of a trusted sender, recipient, format version, every
member's hash) and imports it through the gate with its provenance, or refuses it (exit 2, nothing
stored); ``keygen --out FILE --org ORG`` makes a signing key and the trust line to give to partners.
See docs/exchange-packages.md.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from workbench.cli.common import (
    StderrProgress,
    add_db_option,
    add_filter_options,
    filter_from_args,
    import_gates,
    store_from_args,
)
from workbench.exchange.exports import ExportDenied, ExportRefused
from workbench.exchange.files import DatasetReadError
from workbench.exchange.ingest import ImportFailed
from workbench.exchange.packages import (
    EXCHANGE_KEY_ENV,
    TRUST_ENV,
    PackageRefused,
    generate_exchange_key,
    load_exchange_key,
    pack_exchange,
    receive_exchange,
    trust_line,
)
from workbench.i18n import _


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("exchange", help=_("signed packages between workbenches: pack, receive, keygen"))
    cmds = p.add_subparsers(dest="exchange_command", metavar="ACTION", required=True)

    pk = cmds.add_parser(
        "pack",
        help=_("write a signed package of the filtered cases for another organisation"),
        description=_(
            "Write the filtered cases as a signed package for ORG (the exchange export, or the "
            "non-personal export with --non-personal) and log the disclosure in the audit log."
        ),
    )
    # not --to: the shared filter's --from/--to are the seizure period in every command
    pk.add_argument(
        "--recipient", required=True, metavar="ORG", help=_("the recipient organisation (e.g. ES-AEAT)")
    )
    pk.add_argument(
        "--legal-basis",
        metavar="TEXT",
        help=_("the legal basis for passing the data on (required unless --non-personal)"),
    )
    pk.add_argument(
        "--non-personal",
        action="store_true",
        help=_("only what the global database may receive: the non-personal export (cases and items)"),
    )
    pk.add_argument("--out", type=Path, required=True, metavar="FILE", help=_("the package to write (.zip)"))
    pk.add_argument(
        "--key",
        metavar="FILE",
        help=_("the Ed25519 signing key (default: {exchange_key_env})", exchange_key_env=EXCHANGE_KEY_ENV),
    )
    add_db_option(pk)
    add_filter_options(pk)
    pk.set_defaults(func=run_pack)

    rc = cmds.add_parser(
        "receive",
        help=_("verify a package and import it through the gate"),
        description=_(
            "Verify a package (signed by a trusted sender, addressed to this organisation, same "
            "format version, every member's hash) and import it as one submission. Exit 0: every row "
            "accepted; 1: some rows refused; 2: the package refused (nothing stored)."
        ),
    )
    rc.add_argument("path", type=Path, metavar="FILE", help=_("the package (.zip)"))
    rc.add_argument(
        "--trust",
        metavar="FILE",
        help=_("the trusted senders' keys (default: {trust_env})", trust_env=TRUST_ENV),
    )
    rc.add_argument("--quiet", action="store_true", help=_("no progress output"))
    add_db_option(rc)
    rc.set_defaults(func=run_receive)

    kg = cmds.add_parser("keygen", help=_("make an Ed25519 key that signs packages, and its trust line"))
    kg.add_argument(
        "--out", type=Path, required=True, metavar="FILE", help=_("the key file (readable by you only)")
    )
    kg.add_argument("--org", required=True, metavar="ORG", help=_("your organisation (for the trust line)"))
    kg.set_defaults(func=run_keygen)


def run_pack(args: argparse.Namespace) -> int:
    action = "export_non_personal" if args.non_personal else "export_personal"
    store = store_from_args(args, action)
    try:
        flt = filter_from_args(args)
        res = pack_exchange(
            store,
            args.out,
            to=args.recipient,
            legal_basis=args.legal_basis,
            flt=flt,
            non_personal=args.non_personal,
            actor=args.principal,
            key=args.key,
        )
    except ExportDenied:
        raise  # the matrix's refusal: exit 3
    except (PackageRefused, ExportRefused, ValueError) as e:
        print(_("error: {error}", error=e), file=sys.stderr)
        return 2
    m = res.manifest
    counts = ", ".join(f"{k} {v:,}" for k, v in m["counts"].items())
    print(
        _(
            "package for {to} from {sender}: {counts} -> {path}",
            to=m["recipient"],
            sender=m["sender"],
            counts=counts,
            path=res.path,
        )
    )
    print(
        _(
            "sha256 {digest}; recorded in the audit log (legal basis: {basis})",
            digest=res.package_sha256,
            basis=m["legal_basis"],
        ),
        file=sys.stderr,
    )
    return 0


def run_receive(args: argparse.Namespace) -> int:
    store = store_from_args(args, "import_data")
    try:
        res = receive_exchange(
            store,
            args.path,
            trust=args.trust,
            actor=args.principal,
            gates=import_gates(),
            progress=StderrProgress(args.quiet),
        )
    except PackageRefused as e:
        print(_("refused ({check}): {error}", check=e.check, error=e), file=sys.stderr)
        print(_("nothing was stored"), file=sys.stderr)
        return 2
    except (ImportFailed, DatasetReadError) as e:
        print(_("error: {error}", error=e), file=sys.stderr)
        return 2
    report = res.report
    for n in report.notices:
        print(_("note: {note}", note=n), file=sys.stderr)
    for r in report.rejections[:50]:
        print(_("rejected: {rejection}", rejection=r), file=sys.stderr)
    print(
        _(
            "package from {sender} (legal basis: {basis})",
            sender=res.sender,
            basis=res.manifest.get("legal_basis"),
        )
    )
    print(report.summary())
    return report.exit_code


def run_keygen(args: argparse.Namespace) -> int:
    out: Path = args.out
    pub = out.with_name(out.name + ".pub")
    if out.exists() or pub.exists():
        print(_("{path} exists: not overwritten", path=out if out.exists() else pub), file=sys.stderr)
        return 2
    out.parent.mkdir(parents=True, exist_ok=True)
    pem = generate_exchange_key()
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(pem)
    line = trust_line(args.org.strip(), load_exchange_key(pem))
    pub.write_text(line + "\n", encoding="ascii")
    print(_("signing key written to {path}; set {env}={path}", path=out, env=EXCHANGE_KEY_ENV))
    print(_("give your partners this line for their trust file ({pub}):", pub=pub))
    print(line)
    return 0
