"""``workbench graph``: export the entity graph as GraphML, GEXF, an i2 workbook or FollowTheMoney."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from workbench.cli.common import add_db_option, add_filter_options, filter_from_args, store_from_args
from workbench.i18n import _

if TYPE_CHECKING:
    import pandas as pd


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "graph",
        help=_("export the entity graph (cases, persons, companies, identifiers, conveyances)"),
        description=_(
            "Build the entity graph of a data set (a CSV folder, .zip or .xlsx in the exchange "
            "format) or of the store, with persons and companies resolved to entities, and write it as "
            "GraphML, GEXF, an i2 Analyst's Notebook workbook or FollowTheMoney entities (JSON lines)."
        ),
    )
    p.add_argument("path", nargs="?", type=Path, help=_("data set to read (default: the store, see --db)"))
    add_db_option(p)
    add_filter_options(p)
    p.add_argument("--format", choices=["graphml", "gexf", "i2", "ftm"], required=True)
    p.add_argument("--out", type=Path, required=True, help=_("file to write"))
    p.add_argument("--no-resolve", action="store_true", help=_("one node per record, no entity resolution"))
    p.add_argument(
        "--non-personal",
        action="store_true",
        help=_(
            "cases, flights, vessels and trains only (also forced when WORKBENCH_ROLE may not see personal data)"
        ),
    )
    p.add_argument(
        "--legal-basis",
        help=_(
            "the legal basis for passing on a graph of the store with persons or companies (required then; "
            "every graph of the store is written to the audit log)"
        ),
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from workbench.exchange.exports import ExportDenied, ExportRefused
    from workbench.identity import local_principal
    from workbench.network.export import FtmUnavailable, graph_bytes, write_graph
    from workbench.network.graph import build_graph, graph_from_store

    t0 = time.perf_counter()
    try:
        flt = filter_from_args(args)
    except ValueError as e:
        print(_("error: {e}", e=e), file=sys.stderr)
        return 2
    if args.path is not None:
        # a file of one's own: read as its local user (WORKBENCH_ROLE says whether persons are drawn)
        personal = local_principal().can_see_personal and not args.non_personal
        from workbench.exchange.files import DatasetReadError, read_dataset

        try:
            ds = read_dataset(args.path)
        except DatasetReadError as e:
            print(_("error: {e}", e=e), file=sys.stderr)
            return 2
        tables = {name: t.frame for name, t in ds.tables.items()}
        cases = tables.get("cases")
        if cases is None:
            print(_("error: {path} has no cases table", path=args.path), file=sys.stderr)
            return 2
        if not flt.is_empty:
            cases = flt.apply(cases, tables.get("items"))
        keys = set(zip(cases["reporting_country"], cases["case_id"], strict=True))

        def of_cases(name: str) -> pd.DataFrame | None:
            df = tables.get(name)
            if df is None or not personal:
                return None
            return df[[k in keys for k in zip(df["reporting_country"], df["case_id"], strict=True)]]

        persons, companies = of_cases("persons"), of_cases("companies")
        entities = {}
        if not args.no_resolve:
            from workbench.network.resolve import resolve

            if persons is not None and len(persons):
                entities["persons"] = resolve(persons, "person", explain=False).entity_of
            if companies is not None and len(companies):
                entities["companies"] = resolve(companies, "company", explain=False).entity_of
        graph = build_graph(cases, persons, companies, entities=entities, personal_conveyances=personal)
    else:
        store = store_from_args(args)
        personal = args.principal.can_see_personal and not args.non_personal
        graph = graph_from_store(
            store, flt, personal_allowed=personal, resolve_entities=not args.no_resolve, actor=args.principal
        )
    try:
        if args.path is None:
            # a graph of the store is an export: legal basis for personal data, and the audit log
            data, _mime, _ext = graph_bytes(
                store, graph, args.format, flt, legal_basis=args.legal_basis, actor=args.principal
            )
            Path(args.out).write_bytes(data)
        else:
            write_graph(graph, args.out, args.format)
    except ExportDenied:
        raise  # the matrix's refusal: "refused: ...", exit 3
    except (FtmUnavailable, ExportRefused) as e:
        print(_("error: {e}", e=e), file=sys.stderr)
        return 2
    counts = ", ".join(f"{k} {v:,}" for k, v in graph.counts().items())
    print(
        _(
            "wrote {n:,} nodes ({counts}) and {n2:,} links to {out} in {seconds:.1f} s",
            n=len(graph.nodes),
            counts=counts,
            n2=len(graph.edges),
            out=args.out,
            seconds=time.perf_counter() - t0,
        ),
        file=sys.stderr,
    )
    return 0
