"""``workbench store rebuild-summaries``: recompute the monthly summaries the Overview and Trends read.

Each import keeps them fresh in its own transaction; a rebuild is for a store made before they existed,
or after a write that does not refresh them (an erasure), which the pages notice and answer from the
data tables meanwhile (:mod:`workbench.store.summaries`).
"""

from __future__ import annotations

import argparse
import time

from workbench.cli.common import add_db_option, store_from_args
from workbench.i18n import _


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "store",
        help=_("maintain the store's derived tables (the monthly summaries)"),
        description=_("Maintain the tables the store derives from the seizure data."),
    )
    actions = p.add_subparsers(dest="store_command", required=True, metavar="ACTION")
    r = actions.add_parser(
        "rebuild-summaries",
        help=_("recompute the monthly summaries of the cases from the data tables"),
        description=_(
            "Recompute the monthly summaries (cases and value per month, reporting country, transport mode, "
            "commodity category, and per route) in one transaction. Imports keep them fresh; rebuild after "
            "an erasure or on a store made before they existed. Needs the import permission."
        ),
    )
    add_db_option(r)
    r.set_defaults(func=run_rebuild)


def run_rebuild(args: argparse.Namespace) -> int:
    from workbench.store import audit
    from workbench.store.summaries import rebuild_summaries

    store = store_from_args(args, "import_data")
    t0 = time.perf_counter()
    with store.engine.begin() as conn:
        rows = rebuild_summaries(conn)
        audit(conn, "data.rebuild_summaries", {"rows": rows}, args.principal, row_count=rows)
    print(_("{rows:,} summary rows written in {seconds:.1f} s", rows=rows, seconds=time.perf_counter() - t0))
    return 0
