"""``workbench graph-index``: the entity graph kept in the store's tables (rebuild, resolve, analyses, status).

Each import keeps the graph tables current for the cases it wrote; a rebuild is for a store made
before they existed, after an erasure, or to resolve persons and companies over the whole store again
(:mod:`workbench.store.entity_graph`, :mod:`workbench.network.store_graph`).
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from workbench.cli.common import add_db_option, store_from_args
from workbench.i18n import _


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "graph-index",
        help=_("maintain the entity graph kept in the store (links, entities, communities)"),
        description=_(
            "Maintain the entity graph's tables in the store, which the Network page reads by indexed "
            "look-ups. Imports keep them current; rebuild after an erasure or on an older store."
        ),
    )
    actions = p.add_subparsers(dest="graph_command", required=True, metavar="ACTION")
    r = actions.add_parser(
        "rebuild",
        help=_("rewrite the graph tables from the data tables"),
        description=_(
            "Rewrite every link of the graph tables in one transaction; persons and companies are first "
            "resolved to entities over the whole store (analysts' judgements applied) unless --no-resolve. "
            "Needs the import permission and, with resolution, the permission to see personal data."
        ),
    )
    r.add_argument("--no-resolve", action="store_true", help=_("keep the stored entities, resolve nothing"))
    add_db_option(r)
    r.set_defaults(func=run_rebuild)
    v = actions.add_parser(
        "resolve",
        help=_("resolve the persons and companies imported since the last resolution"),
        description=_(
            "Resolve the persons and companies the graph tables hold without an entity (imported since the "
            "last resolution) against the stored match model and blocking keys, in one transaction; the "
            "first time, a full resolution. Imports do it themselves; this is for records left pending "
            "(an import by someone without the permission to see personal data). Needs the import "
            "permission and the permission to see personal data."
        ),
    )
    add_db_option(v)
    v.set_defaults(func=run_resolve)
    a = actions.add_parser(
        "analyse",
        help=_("compute and store the graph's communities and rankings"),
        description=_(
            "Compute the communities and rankings of the whole graph from its tables and store them with "
            "the data version they hold (the Network page shows them, and starts this itself when stale)."
        ),
    )
    add_db_option(a)
    a.set_defaults(func=run_analyse)
    s = actions.add_parser("status", help=_("whether the graph tables and analyses are current"))
    add_db_option(s)
    s.set_defaults(func=run_status)


def run_rebuild(args: argparse.Namespace) -> int:
    from workbench.network.store_graph import rebuild_graph

    store = store_from_args(args, "import_data")
    t0 = time.perf_counter()
    links = rebuild_graph(store, resolve=not args.no_resolve, actor=args.principal)  # checks and audits
    print(_("{links:,} links written in {seconds:.1f} s", links=links, seconds=time.perf_counter() - t0))
    return 0


def run_resolve(args: argparse.Namespace) -> int:
    from workbench.network.incremental import resolve_pending

    store = store_from_args(args, "view_personal")
    figures = resolve_pending(store, actor=args.principal)  # checks and audits
    print(resolution_summary(figures))
    return 0


def resolution_summary(figures: dict[str, Any]) -> str:
    """One line on a resolution of pending records (:func:`workbench.network.incremental.resolve_pending`)."""
    if figures["mode"] == "none":
        return _("entities: nothing pending")
    if figures["mode"] == "busy":
        return _("entities: not resolved now (another process is resolving); they stay pending")
    if figures["mode"] == "full":
        return _(
            "entities: the store resolved in full (no resolution before) in {seconds:.1f} s",
            seconds=figures["seconds"],
        )
    records = sum(int(figures[t]["records"]) for t in ("persons", "companies") if t in figures)
    joined = sum(int(figures[t]["joined"]) for t in ("persons", "companies") if t in figures)
    return _(
        "entities: {records:,} new records resolved, {joined:,} joined to a known entity, in {seconds:.1f} s",
        records=records,
        joined=joined,
        seconds=figures["seconds"],
    )


def run_analyse(args: argparse.Namespace) -> int:
    from workbench.network.store_graph import compute_analyses

    store = store_from_args(args, "view_personal")
    figures = compute_analyses(store)
    print(
        _(
            "{communities:,} communities among {nodes:,} nodes in {seconds:.1f} s",
            communities=figures["communities"],
            nodes=figures["nodes"],
            seconds=figures["seconds"],
        )
    )
    return 0


def run_status(args: argparse.Namespace) -> int:
    from workbench.network.store_graph import analyses_state
    from workbench.store.entity_graph import graph_built, graph_current

    store = store_from_args(args)
    built, current = graph_built(store), graph_current(store)
    print(
        _("graph tables: current")
        if current
        else (_("graph tables: behind the store (rebuild them)") if built else _("graph tables: never built"))
    )
    from workbench.network.incremental import pending_count

    pending = pending_count(store)
    print(
        _(
            "entities: {persons:,} persons and {companies:,} companies pending resolution",
            persons=pending.get("persons", 0),
            companies=pending.get("companies", 0),
        )
    )
    state = analyses_state(store)
    print(_("analyses: {status}, current: {current}", status=state["status"], current=state["current"]))
    return 0
