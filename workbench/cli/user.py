"""``workbench user``: accounts for administrators (add, list, disable, enable, passwd, grant, token, totp,
org).

Each command runs as the signed-in principal (``WORKBENCH_TOKEN`` or the password prompt); on a store
with no account yet, its local user may create the first one, an administrator. Passwords are never
arguments (they would show in the shell's history and the process list): ``--password-stdin`` reads them
from standard input, otherwise they are asked on the terminal. ``user passwd NAME`` (without
``--reset``) is the account's own change with its old password, and works when it has expired.
"""

from __future__ import annotations

import argparse
import getpass
import secrets
import sys

from workbench.cli.common import add_db_option, refused, store_from_args
from workbench.i18n import N_, _
from workbench.identity import ROLES
from workbench.identity.accounts import (
    ORGANISATION_KINDS,
    change_password,
    create_account,
    create_organisation,
    disable_account,
    enable_account,
    enable_totp,
    grant,
    issue_token,
    list_accounts,
    list_organisations,
    revoke_token,
)
from workbench.store import open_store

__all__ = ["register"]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "user",
        help=_("manage accounts: add, list, disable, enable, passwd, grant, token, totp, org"),
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    verbs = p.add_subparsers(dest="verb", metavar="VERB", required=True)

    add = verbs.add_parser("add", help=_("add an account"))
    add.add_argument("name")
    add.add_argument("--org", required=True, help=_("organisation code (added if it does not exist yet)"))
    add.add_argument(
        "--org-kind", choices=ORGANISATION_KINDS, default="administration", help=_("kind of a new org")
    )
    add.add_argument("--role", action="append", default=[], choices=list(ROLES), help=_("a role; repeatable"))
    add.add_argument("--admin", action="store_true", help=_("also the admin role"))
    add.add_argument("--personal", action="store_true", help=_("give the personal-data permission"))
    add.add_argument("--email")
    _password_options(add)
    add.set_defaults(func=run_add)

    ls = verbs.add_parser("list", help=_("list the accounts (and --orgs the organisations)"))
    ls.add_argument("--orgs", action="store_true", help=_("list the organisations instead"))
    ls.set_defaults(func=run_list)

    for verb, helptext, func in (
        ("disable", N_("disable an account (it can no longer sign in; its tokens stop working)"), "disable"),
        ("enable", N_("enable a disabled account again"), "enable"),
    ):
        d = verbs.add_parser(verb, help=_(helptext))
        d.add_argument("name")
        d.set_defaults(func=run_disable, disable=func == "disable")

    pw = verbs.add_parser(
        "passwd",
        help=_("change an account's password (its own, with the old one) or --reset it (administrators)"),
    )
    pw.add_argument("name")
    pw.add_argument("--reset", action="store_true", help=_("an administrator sets a new password"))
    pw.add_argument(
        "--password-stdin",
        action="store_true",
        help=_(
            "read the passwords from standard input: the old then the new one on two lines (with --reset: "
            "the new one)"
        ),
    )
    pw.set_defaults(func=run_passwd)

    gr = verbs.add_parser("grant", help=_("set an account's roles and personal-data permission"))
    gr.add_argument("name")
    gr.add_argument("--role", action="append", default=[], choices=list(ROLES), required=True)
    gr.add_argument("--personal", action=argparse.BooleanOptionalAction, default=False)
    gr.add_argument("--org", help=_("move the account to this organisation"))
    gr.set_defaults(func=run_grant)

    tk = verbs.add_parser(
        "token", help=_("issue an access token for WORKBENCH_TOKEN (shown once), or --revoke")
    )
    tk.add_argument("name")
    tk.add_argument("--days", type=int, help=_("how long it lives (default WORKBENCH_TOKEN_DAYS)"))
    tk.add_argument("--revoke", action="store_true", help=_("revoke every live token of the account"))
    tk.set_defaults(func=run_token)

    tp = verbs.add_parser("totp", help=_("give an account a second factor (prints the otpauth:// URI once)"))
    tp.add_argument("name")
    tp.set_defaults(func=run_totp)

    org = verbs.add_parser("org", help=_("add an organisation"))
    org.add_argument("code")
    org.add_argument("--name", required=True)
    org.add_argument("--kind", choices=ORGANISATION_KINDS, default="administration")
    org.set_defaults(func=run_org)

    for v in verbs.choices.values():
        add_db_option(v)


def _password_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--password-stdin", action="store_true", help=_("read the password from standard input"))


def _stdin_lines(n: int) -> list[str]:
    lines = [line.rstrip("\r\n") for line in sys.stdin.read().splitlines()]
    if len(lines) < n or not all(lines[:n]):
        raise ValueError(_("expected {n} password line(s) on standard input", n=n))
    return lines[:n]


def _ask_new(name: str) -> str:
    first = getpass.getpass(_("new password for {name}: ", name=name))
    if getpass.getpass(_("again: ")) != first:
        raise ValueError(_("the two passwords differ"))
    return first


def run_add(args: argparse.Namespace) -> int:
    store = store_from_args(args, None)
    roles = list(dict.fromkeys([*args.role, *(["admin"] if args.admin else [])]))
    generated = False
    with refused(ValueError, KeyError):
        if args.password_stdin:
            password = _stdin_lines(1)[0]
        elif sys.stdin.isatty():
            password = _ask_new(args.name)
        else:
            password, generated = secrets.token_urlsafe(12), True
        if args.org not in {o["code"] for o in list_organisations(store)}:
            create_organisation(store, args.org, args.org, args.org_kind, by=args.principal)
            print(
                _("added the organisation {org} ({kind})", org=args.org, kind=args.org_kind), file=sys.stderr
            )
        create_account(
            store,
            args.name,
            organisation=args.org,
            roles=roles,
            password=password,
            personal=args.personal,
            email=args.email,
            by=args.principal,
        )
    print(_("added {name} ({roles}) of {org}", name=args.name, roles="+".join(roles), org=args.org))
    if generated:
        print(_("one-time password of {name!r}: {password}  (shown once)", name=args.name, password=password))
    return 0


def run_list(args: argparse.Namespace) -> int:
    store = store_from_args(args, "administer")
    if args.orgs:
        for o in list_organisations(store):
            print(
                _(
                    "{code:<12} {kind:<14} {accounts:>4} account(s)  {name}",
                    code=o["code"],
                    kind=o["kind"],
                    accounts=o["accounts"],
                    name=o["name"],
                )
            )
        return 0
    for a in list_accounts(store):
        last = f"{a['last_login']:%Y-%m-%d %H:%M}" if a["last_login"] else "never"
        flags = ", ".join(
            f for f in ("personal data" if a["personal"] else "", "2FA" if a["second_factor"] else "") if f
        )
        print(
            _(
                "{name:<20} {organisation:<10} {roles:<18} {state:<9} last {last}  {flags}",
                name=a["name"],
                organisation=a["organisation"],
                roles=a["roles"],
                state=a["state"],
                last=last,
                flags=flags,
            )
        )
    return 0


def run_disable(args: argparse.Namespace) -> int:
    store = store_from_args(args, None)
    with refused(ValueError, KeyError):
        (disable_account if args.disable else enable_account)(store, args.name, by=args.principal)
    print(_("{name} disabled", name=args.name) if args.disable else _("{name} enabled", name=args.name))
    return 0


def run_passwd(args: argparse.Namespace) -> int:
    with refused(ValueError, KeyError):
        if args.reset:
            store = store_from_args(args, "administer")
            new = _stdin_lines(1)[0] if args.password_stdin else _ask_new(args.name)
            change_password(store, args.name, new, by=args.principal)
        else:
            store = open_store(args.db)  # one's own change: the old password is the proof
            if args.password_stdin:
                old, new = _stdin_lines(2)
            else:
                old = getpass.getpass(_("current password of {name}: ", name=args.name))
                new = _ask_new(args.name)
            change_password(store, args.name, new, old_password=old)
    print(_("password of {name} changed", name=args.name))
    return 0


def run_grant(args: argparse.Namespace) -> int:
    store = store_from_args(args, None)
    with refused(ValueError, KeyError):
        grant(store, args.name, args.role, args.personal, by=args.principal, organisation=args.org)
    print(
        _(
            "{name}: {roles}, personal data {yes}",
            name=args.name,
            roles="+".join(args.role),
            yes=_("yes") if args.personal else _("no"),
        )
    )
    return 0


def run_token(args: argparse.Namespace) -> int:
    store = store_from_args(args, None)
    with refused(ValueError, KeyError):
        if args.revoke:
            n = revoke_token(store, args.name, by=args.principal)
            print(_("revoked {n} token(s) of {name}", n=n, name=args.name))
            return 0
        token = issue_token(store, args.name, days=args.days, by=args.principal)
    print(token)  # shown once: only its hash is stored
    print(
        _("token of {name}: set WORKBENCH_TOKEN to it; it is shown only this once", name=args.name),
        file=sys.stderr,
    )
    return 0


def run_totp(args: argparse.Namespace) -> int:
    store = store_from_args(args, None)
    with refused(KeyError):
        uri = enable_totp(store, args.name, by=args.principal)
    print(uri)
    print(_("add it to an authenticator app; from now on signing in asks for its code"), file=sys.stderr)
    return 0


def run_org(args: argparse.Namespace) -> int:
    store = store_from_args(args, None)
    with refused(ValueError):
        create_organisation(store, args.code, args.name, args.kind, by=args.principal)
    print(_("added the organisation {code}", code=args.code))
    return 0
