"""``workbench seed``: set up a new store (what ``make run`` does first): its demo accounts and the shipped
sample.

A new store (no account, no case) is seeded by the installation itself: it creates the organisations,
the demo administrator (password from ``WORKBENCH_ADMIN_PASSWORD``, else a one-time password printed
here once) and a few demo accounts of other organisations and roles, then loads the sample. ``--local``
leaves the store without accounts (the local single-user mode of an analyst's own file). Re-seeding a
store that holds data (``--force``) needs an administrator signed in.
"""

from __future__ import annotations

import argparse
import secrets
import sys
from pathlib import Path

from workbench.cli.common import StderrProgress, add_db_option, import_gates, principal_for
from workbench.config import Settings
from workbench.i18n import _
from workbench.identity import Principal, authorise, has_accounts, installation_principal
from workbench.identity.accounts import create_account, create_organisation
from workbench.store import Store, open_store

__all__ = ["DEMO_ADMIN", "DEMO_ACCOUNTS", "DEMO_ORGANISATIONS", "register", "run", "seed_accounts"]

#: The demo store's organisations: (code, name, kind)
DEMO_ORGANISATIONS = (
    ("CEN-SEC", "CEN secretariat", "secretariat"),
    ("FR-DGDDI", "French customs (DGDDI)", "administration"),
    ("DE-ZOLL", "German customs (Zoll)", "administration"),
    ("RILO-WE", "RILO Western Europe", "rilo"),
)
#: The demo administrator's account
DEMO_ADMIN = "admin"
#: The other demo accounts: (name, organisation, roles, personal-data permission). They share one
#: password, printed with the administrator's, to try the permissions with.
DEMO_ACCOUNTS = (
    ("ana.analyst", "FR-DGDDI", ("analyst",), True),
    ("bruno.analyst", "FR-DGDDI", ("analyst",), True),
    ("sara.steward", "DE-ZOLL", ("steward",), True),
    ("rita.rilo", "RILO-WE", ("rilo",), False),
    ("vic.viewer", "DE-ZOLL", ("viewer",), False),
    ("tom.trainer", "CEN-SEC", ("trainer",), True),
    ("aud.auditor", "CEN-SEC", ("auditor",), False),
)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "seed",
        help=_("set up a new store: demo accounts and the shipped sample (if it is empty)"),
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_db_option(p)
    p.add_argument("--path", type=Path, help=_("data set to seed with (default: the shipped sample)"))
    p.add_argument(
        "--force",
        action="store_true",
        help=_("import even if the store already holds cases (administrators)"),
    )
    p.add_argument(
        "--local",
        action="store_true",
        help=_("create no accounts: the store stays in the local single-user mode (WORKBENCH_USER/ROLE)"),
    )
    p.set_defaults(func=run)


def seed_accounts(store: Store, settings: Settings, *, demo: bool) -> dict[str, str]:
    """The organisations and the demo administrator (and with ``demo`` the other demo accounts) of a
    new store; returns each created account's password (to print once)."""
    boot = installation_principal()
    for code, name, kind in DEMO_ORGANISATIONS:
        create_organisation(store, code, name, kind, by=boot)
    admin_password = settings.admin_password or secrets.token_urlsafe(12)
    create_account(
        store,
        DEMO_ADMIN,
        organisation="CEN-SEC",
        roles=["admin"],
        password=admin_password,
        personal=True,
        by=boot,
    )
    made = {DEMO_ADMIN: admin_password}
    if demo:
        shared = secrets.token_urlsafe(12)
        for name, org, roles, personal in DEMO_ACCOUNTS:
            create_account(
                store, name, organisation=org, roles=roles, password=shared, personal=personal, by=boot
            )
            made[name] = shared
    return made


def _seeder(store: Store, args: argparse.Namespace) -> Principal:
    """Who seeds: the installation on a new store; otherwise the signed-in principal, who needs
    ``administer`` to re-seed a store holding data (``--force``), ``import_data`` to fill an empty one."""
    if not has_accounts(store) and store.is_empty():
        return installation_principal()
    principal = principal_for(store)
    authorise(store, principal, "administer" if args.force else "import_data")
    return principal


def run(args: argparse.Namespace) -> int:
    from workbench.exchange.ingest import import_path
    from workbench.sample.generator import default_sample_path

    store = open_store(getattr(args, "db", None))
    settings = Settings.from_env()
    if not args.force and not store.is_empty():
        print(_("store {url} already holds data; not seeding", url=store.url))
        return 0
    seeder = _seeder(store, args)
    if seeder.mode == "installation" and not args.local:
        made = seed_accounts(store, settings, demo=settings.seed_sample)
        print(
            _("created the administrator {demo_admin!r} (organisation CEN-SEC)", demo_admin=DEMO_ADMIN),
            file=sys.stderr,
        )
        if not settings.admin_password:
            # shown once: only its hash is stored
            print(
                _(
                    "one-time password of {demo_admin!r}: {password}  (change it after signing in)",
                    demo_admin=DEMO_ADMIN,
                    password=made[DEMO_ADMIN],
                )
            )
        others = [n for n in made if n != DEMO_ADMIN]
        if others:
            print(
                _(
                    "demo accounts {others}; their password: {password}",
                    others=", ".join(others),
                    password=made[others[0]],
                )
            )
    if not args.force and not settings.seed_sample:
        print(_("WORKBENCH_SEED_SAMPLE is off; not seeding"))
        return 0
    path = args.path or default_sample_path()
    print(_("seeding {url} from {path} ...", url=store.url, path=path), file=sys.stderr)
    report = import_path(path, store, progress=StderrProgress(), gates=import_gates(), actor=seeder)
    print(report.summary())
    if report.status not in ("accepted", "duplicate"):
        return 1
    from workbench.cli.graph_index import resolution_summary
    from workbench.network.incremental import resolve_after_import

    # the sample's persons and companies resolved into entities, so the Network and Duplicates pages
    # open on them (a first resolution is a full one: about 11 CPU s for the default sample)
    figures = resolve_after_import(store, seeder)
    if figures is not None:
        print(resolution_summary(figures), file=sys.stderr)
    from workbench.risk.samples import load_risk_sample

    # example indicators, and the traffic that goes with the default sample, so the Risk pages work at once
    print(load_risk_sample(store, seeder, traffic=args.path is None))
    if seeder.mode == "installation" and not args.local:
        from workbench.operations.demo import seed_demo_operation

        print(seed_demo_operation(store, seeder))  # the demo operation of the demo accounts
    if (
        args.path is None
    ):  # synthetic photos on a share of the default sample's cases, near-duplicates planted
        from workbench.sample.photos import attach_sample_photos

        print(_("attached {n} sample photos", n=len(attach_sample_photos(store, seeder))))
    return 0
