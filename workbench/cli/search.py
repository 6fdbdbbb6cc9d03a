"""``workbench search``: search everything (case ids, places, conveyances, persons, companies, phones,
addresses, passports, registration numbers), ranked, as the Cases and Network pages do."""

from __future__ import annotations

import argparse
import sys

from workbench.cli.common import add_db_option, store_from_args
from workbench.i18n import _
from workbench.store.search import HIT_KINDS


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "search",
        help=_("search everything: case ids, places, conveyances, persons, companies and their identifiers"),
        description=_(
            "Print the hits of TERM, best first (exact normal form, then prefix, then every word, then "
            "fuzzy): kind, how it matched, number of cases, value and its first cases. Phones, names, "
            "addresses and identifiers are compared in their normal forms. Persons, companies and their "
            "identifiers only for roles that may see personal data (WORKBENCH_ROLE); such searches are "
            "written to the audit log. Exit status 1 when nothing matches."
        ),
    )
    p.add_argument("term", help=_("what to look for (quote it when it has spaces)"))
    p.add_argument(
        "--kind",
        action="append",
        choices=HIT_KINDS,
        default=[],
        help=_("only hits of this kind; repeatable"),
    )
    p.add_argument("--limit", type=int, default=20, help=_("most hits printed (default 20)"))
    add_db_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from workbench.store.search import may_search_personal, search

    store = store_from_args(args)
    actor = args.principal
    hits = search(store, args.term, actor=actor, kinds=args.kind or None, limit=max(1, args.limit))
    if not may_search_personal(actor):
        print(
            _(
                "note: role {role} gets no personal hits (persons, companies, their identifiers, plates)",
                role=actor.role,
            ),
            file=sys.stderr,
        )
    if hits.empty:
        print(_("nothing matches {term!r}", term=args.term), file=sys.stderr)
        return 1
    print(f"{_('kind'):<13}{_('match'):<9}{_('cases'):>6}  {_('value')}  ({_('cases')})")
    for h in hits.to_dict("records"):
        keys: list[str] = list(h["case_keys"])
        n = int(h["cases"])
        shown = ", ".join(keys[:3]) + (" …" if n > 3 else "")
        print(f"{h['kind']!s:<13}{h['match']!s:<9}{n:>6}  {h['value']}  ({shown})")
    return 0
