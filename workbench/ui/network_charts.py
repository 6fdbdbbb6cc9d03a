"""Streamlit glue for the stored link charts on the Network page (:mod:`workbench.network.charts`).

:func:`chart_source` is the page's selector ("Case graph" or a stored chart's name); :func:`chart_panels`
shows a chart with the case graph's drawing widget (:func:`workbench.ui.network.vis_spec`): the chart
drawn around a searched node, the ranking table, Louvain communities with their modularity, the shortest
path between two nodes and the export. A personal chart asks for the purpose first (the library checks
``view_personal`` and audits the consultation); the loaded chart is kept in the session (one consultation
per chart and session, not one per rerun).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from workbench.i18n import N_, _, code_label
from workbench.identity import PermissionDenied, can
from workbench.network.charts import (
    RANKINGS,
    ChartError,
    LinkChart,
    chart_communities,
    chart_graph,
    chart_in_period,
    chart_path,
    chart_periods,
    export_chart,
    list_charts,
    load_chart,
    rank_chart,
    search_chart,
)
from workbench.ui.network import DRAW_LIMIT, network_view, vis_spec
from workbench.ui.resources import get_store
from workbench.ui.session import get_principal, need_purpose
from workbench.ui.state import get_state
from workbench.ui.widgets import data_table

__all__ = ["CASE_GRAPH", "chart_source", "chart_panels", "chart_drawing"]

#: How each ranking measure is named on the page.
RANKING_LABELS = {
    "degree": N_("degree (distinct links)"),
    "weighted_degree": N_("weighted degree (sum of the weights)"),
    "betweenness": N_("betweenness"),
}
#: Headers of the ranking table (workbench.network.charts.rank_chart).
_RANK_COLUMNS = {
    "rank": N_("rank"),
    "label": N_("name"),
    "kind": N_("kind"),
    **RANKING_LABELS,
    "in_degree": N_("links in"),
    "out_degree": N_("links out"),
}
#: The selector's first choice: the graph of the cases (the page as it was).
CASE_GRAPH = ""


def chart_source(key: str = "net_source") -> str | None:
    """The selector "Case graph / <chart name>"; None for the case graph (or when no chart is stored)."""
    charts = list_charts(get_store(), actor=get_principal())
    if charts.empty:
        return None
    names = [CASE_GRAPH, *charts["name"].astype(str)]
    picked = st.selectbox(
        _("Network"),
        names,
        format_func=lambda n: _("Case graph") if n == CASE_GRAPH else _("Link chart: {name}", name=n),
        key=key,
        help=_("The entity graph of the cases, or a network imported with `workbench network import`."),
    )
    return None if picked == CASE_GRAPH else str(picked)


def _chart(name: str) -> LinkChart | None:
    """The chart, loaded once per session (a personal chart after the purpose is stated)."""
    ex = get_state().extras
    held = ex.get("network.chart")
    if isinstance(held, LinkChart) and held.name == name:
        return held
    principal = get_principal()
    charts = list_charts(get_store(), actor=principal)
    personal = bool(charts.loc[charts["name"] == name, "personal"].any())
    actor: Any = principal
    if personal:
        if not can(principal, "view_personal"):
            st.info(_("The chart '{name}' names persons, which your role may not see.", name=name))
            return None
        actor = need_purpose(principal, subject=f"chart {name}")
        if actor is None:
            return None
    try:
        chart = load_chart(get_store(), name, actor=actor)
    except (ChartError, PermissionDenied) as e:
        st.error(str(e))
        return None
    ex["network.chart"] = chart
    ex["network.chart_actor"] = actor
    return chart


def chart_drawing(chart: LinkChart, centre: str | None, hops: int, limit: int = DRAW_LIMIT) -> Any:
    """The graph drawn: the nodes within ``hops`` of ``centre`` (the whole chart without one), at most
    ``limit`` (nearest first), with ``label``, ``kind`` and the node's full ``degree``."""
    import networkx as nx

    g = chart_graph(chart)
    full = dict(g.degree())
    if centre is not None and centre in g:
        dist = nx.single_source_shortest_path_length(g.to_undirected(as_view=True), centre, cutoff=hops)
        keep = sorted(dist, key=lambda n: (dist[n], -full[n], str(n)))[:limit]
        g = g.subgraph(keep).copy()
        g.graph["seeds"] = [centre]
    elif g.number_of_nodes() > limit:
        keep = sorted(g.nodes, key=lambda n: (-full[n], str(n)))[:limit]
        g = g.subgraph(keep).copy()
    for n in g.nodes:
        g.nodes[n]["degree"] = full[n]
    return g


@st.cache_data(ttl=1800, max_entries=8, show_spinner=N_("Finding the communities ..."))
def _communities(url: str, name: str, version: str, period: str | None, _chart: LinkChart) -> pd.DataFrame:
    """Louvain on a chart, once per chart, version (the time it was stored) and period (a rerun must not
    run it again)."""
    return chart_communities(_chart)


@st.cache_data(ttl=1800, max_entries=16, show_spinner=N_("Ranking the nodes ..."))
def _ranking(
    url: str, name: str, version: str, period: str | None, by: str, _chart: LinkChart
) -> pd.DataFrame:
    """The ranking of a chart, once per chart, version, period and measure."""
    return rank_chart(_chart, by=by)


def _pick_node(chart: LinkChart, label: str, key: str) -> str | None:
    text = st.text_input(label, key=f"{key}_text", placeholder=_("a name or part of one"))
    if not text:
        return None
    found = search_chart(chart, text)
    if found.empty:
        st.caption(_("Nothing in the chart matches “{text}”.", text=text))
        return None
    names = dict(zip(found["node"], found["label"] + " · " + found["degree"].astype(str), strict=True))
    picked = st.selectbox(_("Matches"), list(names), format_func=names.__getitem__, key=f"{key}_pick")
    return str(picked) if picked is not None else None


def chart_panels(name: str) -> None:
    """The chart's figures and its tabs: drawing, path, communities, rankings, export."""
    chart = _chart(name)
    if chart is None:
        return
    periods = chart_periods(chart)
    period = None
    if periods:
        period = st.selectbox(
            _("Period"),
            [None, *periods],
            format_func=lambda p: _("all periods") if p is None else str(p),
            key="chart_period",
            help=_("Only the links of one period (a year of a yearly edge list, say); every node is kept."),
        )
        chart = chart_in_period(chart, period)
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(_("Nodes"), f"{len(chart.nodes):,}")
    c2.metric(_("Links"), f"{len(chart.edges):,}")
    c3.metric(_("Links have"), _("a direction") if chart.directed else _("no direction"))
    c4.metric(_("Node labels"), _("personal") if chart.personal else _("not personal"))
    st.caption(
        _(
            "From {file} ({fmt}), imported by {who} ({org}).",
            file=chart.source_file,
            fmt=chart.format,
            who=chart.info.get("uploaded_by") or "?",
            org=chart.info.get("organisation") or "?",
        )
    )
    draw, path, comm, rank, export = st.tabs(
        [_("Drawing"), _("Shortest path"), _("Communities"), _("Rankings"), _("Export")]
    )
    with draw:
        left, right = st.columns([3, 1])
        with left:
            centre = _pick_node(chart, _("Search a node"), "chart_seed")
        hops = right.slider(_("Hops"), 1, 4, 2, key="chart_hops")
        g = chart_drawing(chart, centre, hops)
        st.caption(_("{n:,} nodes drawn", n=g.number_of_nodes()))
        network_view(vis_spec(g, selected=centre), key="chart_view")
    with path:
        a_col, b_col = st.columns(2)
        with a_col:
            a = _pick_node(chart, _("From"), "chart_path_a")
        with b_col:
            b = _pick_node(chart, _("To"), "chart_path_b")
        if a and b:
            found = chart_path(chart, a, b)
            labels = chart.labels()
            if found is None:
                st.info(_("These two are not linked in the chart."))
            else:
                st.success(" → ".join(labels[n] for n in found))
                network_view(
                    vis_spec(chart_graph(chart).subgraph(found).copy(), path=found),
                    height=360,
                    key="chart_path_view",
                )
    with comm:
        communities = _communities(
            get_store().url, chart.name, str(chart.info.get("uploaded_at")), period, chart
        )
        st.metric(_("Modularity (Louvain, weighted)"), f"{communities.attrs['modularity']:.3f}")
        table = (
            communities.groupby("community")["label"]
            .agg(size="size", members=lambda s: ", ".join(map(str, s.head(12))))
            .reset_index()
        )
        data_table(
            table,
            hide_index=True,
            width="stretch",
            key="chart_comm_table",
            column_config={"community": _("group"), "size": _("size"), "members": _("members")},
        )
    with rank:
        by = st.selectbox(
            _("Rank by"), RANKINGS, key="chart_rank_by", format_func=lambda r: _(RANKING_LABELS[r])
        )
        ranking = _ranking(get_store().url, chart.name, str(chart.info.get("uploaded_at")), period, by, chart)
        shown = ranking.drop(columns=["node"]).assign(betweenness=ranking["betweenness"].round(4))
        data_table(
            shown.assign(kind=shown["kind"].map(code_label, na_action="ignore")),
            hide_index=True,
            width="stretch",
            key="chart_rank_table",
            column_config={c: _(label) for c, label in _RANK_COLUMNS.items()},
        )
    with export:
        _export(chart)


def _export(chart: LinkChart) -> None:
    principal = get_principal()
    action = "export_personal" if chart.personal else "export_non_personal"
    if not can(principal, action):
        st.caption(_("Your roles ({role}) may not export this chart.", role=principal.role))
        return
    fmt = st.radio(_("Format"), ["graphml", "csv"], key="chart_dl_fmt", horizontal=True)
    basis = st.text_input(
        _("Legal basis") + (_(" (required: the chart names persons)") if chart.personal else ""),
        key="chart_dl_basis",
    )
    if not st.button(_("Prepare download"), key="chart_dl_prepare"):
        return
    actor = get_state().extras.get("network.chart_actor") or principal
    try:
        data = export_chart(get_store(), chart, fmt, actor=actor, legal_basis=basis or None)
    except (ChartError, PermissionDenied) as e:
        st.error(_("Not exported: {e}", e=e))
        return
    file_name = f"{chart.name}.{fmt}"
    st.download_button(
        _("Download {name}", name=file_name), data, file_name=file_name, key="chart_dl", on_click="ignore"
    )
    st.caption(_("This download is recorded in the audit log."))
