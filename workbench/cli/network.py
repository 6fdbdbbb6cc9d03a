"""``workbench network``: external link charts (edge lists, adjacency matrices, GraphML, GEXF, i2 charts)
stored beside the case graph: import, list, rank, communities, path, export, and hubs of a country edge list.

Examples::

    workbench network import covert.csv --format matrix --name "covert cell"
    workbench network import flows-2019.csv --weight seizures --directed --name flows-2019 --non-personal
    workbench network list
    workbench network rank "covert cell" --by betweenness --top 10
    workbench network communities "covert cell"
    workbench network path "covert cell" "Ana Silva" "Bo Berg"
    workbench network hubs flows-2019 --top 20
    workbench network export "covert cell" --format graphml --out cell.graphml --legal-basis "..."

A chart's node labels are personal data unless imported with ``--non-personal`` (a chart of countries or
organisations): reading a personal chart needs the personal-data permission and is audited. Exit 0:
done; 2: the file or the options do not fit (the message names the file, row and column); 3: refused
by the permission matrix.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from workbench.cli.common import add_db_option, store_from_args
from workbench.i18n import _

if TYPE_CHECKING:
    from workbench.network.charts import LinkChart

__all__ = ["register"]


def register(sub: argparse._SubParsersAction) -> None:
    from workbench.network.charts import FORMATS, RANKINGS

    p = sub.add_parser(
        "network",
        help=_("external link charts: import, list, rank, communities, path, hubs, export"),
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    verbs = p.add_subparsers(dest="verb", metavar="VERB", required=True)

    imp = verbs.add_parser("import", help=_("store a chart file under a name"))
    imp.add_argument("file", type=Path)
    imp.add_argument(
        "--format",
        choices=FORMATS,
        help=_("edgelist, matrix, graphml, gexf or i2 (default: from the extension; .csv/.xlsx: edgelist)"),
    )
    imp.add_argument("--directed", action="store_true", help=_("the links have a direction"))
    imp.add_argument("--weight", metavar="COL", help=_("the column (or i2 attribute) that weighs a link"))
    imp.add_argument("--name", required=True, help=_("the chart's name in the store"))
    imp.add_argument(
        "--non-personal",
        action="store_true",
        help=_("the node labels are not personal data (countries, organisations); default: personal"),
    )
    imp.add_argument("--replace", action="store_true", help=_("replace a stored chart of the same name"))
    add_db_option(imp)
    imp.set_defaults(func=run_import)

    ls = verbs.add_parser("list", help=_("the stored charts"))
    add_db_option(ls)
    ls.set_defaults(func=run_list)

    rk = verbs.add_parser("rank", help=_("rank a chart's nodes"))
    rk.add_argument("name")
    rk.add_argument("--by", choices=RANKINGS, default="degree")
    rk.add_argument("--top", type=int, default=20, metavar="N", help=_("the N first (default 20; 0: all)"))
    rk.add_argument("--out", type=Path, help=_("write the ranking as CSV"))
    rk.add_argument("--period", help=_("only the links of this period (e.g. a year of a yearly edge list)"))
    add_db_option(rk)
    rk.set_defaults(func=run_rank)

    cm = verbs.add_parser("communities", help=_("Louvain communities of a chart, with the modularity"))
    cm.add_argument("name")
    cm.add_argument("--seed", type=int, default=0, help=_("Louvain's random seed (default 0)"))
    cm.add_argument("--out", type=Path, help=_("write node and community as CSV"))
    cm.add_argument("--period", help=_("only the links of this period (e.g. a year of a yearly edge list)"))
    add_db_option(cm)
    cm.set_defaults(func=run_communities)

    pa = verbs.add_parser("path", help=_("the shortest path between two nodes (id or label)"))
    pa.add_argument("name")
    pa.add_argument("source")
    pa.add_argument("target")
    add_db_option(pa)
    pa.set_defaults(func=run_path)

    hb = verbs.add_parser(
        "hubs", help=_("every country of a country edge list, ranked by weighted degree or betweenness")
    )
    hb.add_argument("name")
    hb.add_argument("--by", choices=["weighted_degree", "betweenness"], default="weighted_degree")
    hb.add_argument("--top", type=int, default=0, metavar="N", help=_("the N first (default: all)"))
    hb.add_argument("--period", help=_("only the links of this period (e.g. a year of a yearly edge list)"))
    add_db_option(hb)
    hb.set_defaults(func=run_hubs)

    ex = verbs.add_parser("export", help=_("write a stored chart as GraphML or a CSV edge list"))
    ex.add_argument("name")
    ex.add_argument("--format", choices=["graphml", "csv"], default="graphml")
    ex.add_argument("--out", type=Path, required=True)
    ex.add_argument(
        "--legal-basis", help=_("the legal basis for passing on a personal chart (required then)")
    )
    add_db_option(ex)
    ex.set_defaults(func=run_export)


def _loaded(args: argparse.Namespace) -> LinkChart:
    """The chart of ``args.name`` (and ``--period``), loaded as the principal."""
    from workbench.network.charts import chart_in_period, load_chart

    store = store_from_args(args)
    chart = load_chart(store, args.name, actor=args.principal)
    return chart_in_period(chart, getattr(args, "period", None))


def _fail(e: Exception) -> int:
    print(_("error: {e}", e=e), file=sys.stderr)
    return 2


def _show(frame: pd.DataFrame, out: Path | None) -> None:
    if out is not None:
        from workbench.exchange.writers import formula_safe

        out.parent.mkdir(parents=True, exist_ok=True)
        formula_safe(frame).to_csv(out, index=False)
        print(_("wrote {out}: {n} rows", out=out, n=len(frame)), file=sys.stderr)
    else:
        print(frame.to_string(index=False))


def run_import(args: argparse.Namespace) -> int:
    from workbench.network.charts import ChartError, read_chart, store_chart

    store = store_from_args(args, "import_data")
    try:
        chart = read_chart(
            args.file,
            name=args.name,
            fmt=args.format,
            directed=args.directed,
            weight=args.weight,
            personal=not args.non_personal,
        )
        store_chart(store, chart, actor=args.principal, replace=args.replace)
    except ChartError as e:
        return _fail(e)
    print(
        _(
            "stored '{name}' from {file} ({fmt}): {nodes} nodes, {edges} links, {kind}{personal}",
            name=chart.name,
            file=args.file.name,
            fmt=chart.format,
            nodes=len(chart.nodes),
            edges=len(chart.edges),
            kind=_("directed") if chart.directed else _("undirected"),
            personal=_(", node labels personal") if chart.personal else "",
        ),
        file=sys.stderr,
    )
    return 0


def run_list(args: argparse.Namespace) -> int:
    from workbench.network.charts import list_charts

    store = store_from_args(args)
    charts = list_charts(store, actor=args.principal)
    if charts.empty:
        print(
            _("no chart stored; import one with `workbench network import FILE --name NAME`"), file=sys.stderr
        )
        return 0
    charts["uploaded_at"] = pd.to_datetime(charts["uploaded_at"], utc=True).dt.strftime("%Y-%m-%d %H:%M")
    print(charts.to_string(index=False))
    return 0


def run_rank(args: argparse.Namespace) -> int:
    from workbench.network.charts import ChartError, rank_chart

    try:
        chart = _loaded(args)
    except ChartError as e:
        return _fail(e)
    table = rank_chart(chart, by=args.by, top=args.top or None)
    if table.attrs.get("betweenness_pivots"):
        print(
            _(
                "betweenness estimated from {k} source nodes ({n:,} nodes: exact betweenness would take minutes)",
                k=table.attrs["betweenness_pivots"],
                n=len(chart.nodes),
            ),
            file=sys.stderr,
        )
    table["betweenness"] = table["betweenness"].round(4)
    _show(table.drop(columns=["node"] if (table["node"] == table["label"]).all() else []), args.out)
    return 0


def run_communities(args: argparse.Namespace) -> int:
    from workbench.network.charts import ChartError, chart_communities

    try:
        chart = _loaded(args)
    except ChartError as e:
        return _fail(e)
    comm = chart_communities(chart, seed=args.seed)
    print(
        _(
            "{n} communities (Louvain, weighted, seed {seed}); modularity {q:.4f}; sizes {sizes}",
            n=len(comm.attrs["sizes"]),
            seed=args.seed,
            q=comm.attrs["modularity"],
            sizes=", ".join(map(str, comm.attrs["sizes"])),
        ),
        file=sys.stderr,
    )
    _show(comm.sort_values(["community", "label"], kind="stable"), args.out)
    return 0


def _node(chart: LinkChart, text: str) -> str:
    from workbench.network.charts import ChartError

    if text in set(chart.nodes["node"]):
        return text
    same = chart.nodes.loc[chart.nodes["label"] == text, "node"].tolist()
    if len(same) == 1:
        return str(same[0])
    raise ChartError(
        _("'{text}' names {n} nodes of '{name}': give a node id", text=text, n=len(same), name=chart.name)
        if same
        else _("no node '{text}' in '{name}'", text=text, name=chart.name)
    )


def run_path(args: argparse.Namespace) -> int:
    from workbench.network.charts import ChartError, chart_path, load_chart

    store = store_from_args(args)
    try:
        chart = load_chart(store, args.name, actor=args.principal)
        path = chart_path(chart, _node(chart, args.source), _node(chart, args.target))
    except ChartError as e:
        return _fail(e)
    if path is None:
        print(_("not linked"), file=sys.stderr)
        return 1
    labels = chart.labels()
    print(" -> ".join(labels[n] for n in path))
    print(_("{n} link(s)", n=len(path) - 1), file=sys.stderr)
    return 0


def run_hubs(args: argparse.Namespace) -> int:
    from workbench.network.charts import ChartError
    from workbench.routes.flows import edge_list_flows
    from workbench.routes.hubs import country_hubs

    try:
        chart = _loaded(args)
        labels = chart.labels()
        edges = pd.DataFrame(
            {
                "source": [labels[s] for s in chart.edges["source"]],
                "target": [labels[t] for t in chart.edges["target"]],
                "weight": chart.edges["weight"],
            }
        )
        flows = edge_list_flows(edges, file_name=chart.source_file)
    except (ChartError, ValueError) as e:
        return _fail(e)
    if not chart.directed:  # an undirected pair carries flows both ways
        flows = pd.concat([flows, flows.rename(columns={"origin": "destination", "destination": "origin"})])
    print(country_hubs(flows, top=args.top or None, by=args.by).to_string(index=False))
    return 0


def run_export(args: argparse.Namespace) -> int:
    from workbench.network.charts import ChartError, export_chart, load_chart

    store = store_from_args(args)
    try:
        chart = load_chart(store, args.name, actor=args.principal)
        data = export_chart(store, chart, args.format, actor=args.principal, legal_basis=args.legal_basis)
    except ChartError as e:
        return _fail(e)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(data)
    print(
        _("wrote {out}: {n} nodes, {e} links", out=args.out, n=len(chart.nodes), e=len(chart.edges)),
        file=sys.stderr,
    )
    return 0
