"""Streamlit glue for the Network and Duplicates pages: cached graph and resolution, the graph drawing.

The drawing is a small Streamlit component (``network_view/index.html``) around vis-network 9.1.9,
bundled in the package, so it works offline: pan, zoom, click a node to select it, double-click to
expand it. :func:`vis_spec` turns an ego network into the component's nodes and edges (colour by
kind, size by degree, edges labelled by relation); it is plain Python and tested without a browser.
"""

from __future__ import annotations

import hashlib
import math
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa
import streamlit as st
import streamlit.components.v1 as components

from workbench.network.graph import EntityGraph, graph_from_store
from workbench.store.filters import CaseFilter
from workbench.ui.resources import get_settings, get_store

__all__ = [
    "KIND_COLOURS",
    "entity_graph",
    "resolution",
    "judgement_stamp",
    "vis_spec",
    "network_view",
    "clear_network_caches",
    "DRAW_LIMIT",
    "DRAW_MAX",
    "view_graph",
    "community_table",
    "graph_communities",
    "graph_rankings",
    "wanted",
    "focus",
    "AUTO_ANALYSIS_NODES",
    "judge_pair",
    "export_panel",
    "path_graph",
    "review_table",
    "compare_records",
    "SCORE_HELP",
    "CARD_COLUMNS",
    "legend_html",
    "count",
]

#: Colours per node kind (colour-blind-safe palette, Okabe-Ito).
KIND_COLOURS: dict[str, str] = {
    "case": "#1F3B57",
    "person": "#D55E00",
    "company": "#0072B2",
    "passport": "#CC79A7",
    "registration": "#56B4E9",
    "phone": "#009E73",
    "address": "#E69F00",
    "conveyance": "#7F7F7F",
}
#: Most nodes the page draws by default. Measured in headless Chromium on a loaded 2-core machine with
#: software rendering: 1,000 nodes lay out in about 3.7 s and zoom at 22 frames/s; 1,500 in 5 s at
#: 26 frames/s; 2,500 take 14 s and zoom at 11 frames/s (docs/network.md).
DRAW_LIMIT = 1000
#: Highest limit the page offers.
DRAW_MAX = 3000
_TTL = 1800
_VIEW = Path(__file__).parent / "network_view"
_component = components.declare_component("workbench_network", path=str(_VIEW))


def judgement_stamp() -> str:
    """Changes whenever a judgement is recorded, so cached graphs and resolutions are rebuilt."""
    from workbench.network.judgements import MatchJudgement

    t = MatchJudgement.__table__
    with get_store().engine.connect() as conn:
        n, last = conn.execute(sa.select(sa.func.count(), sa.func.max(t.c.decided_at))).one()
    return f"{n}:{last}"


@st.cache_resource(ttl=_TTL, max_entries=3, show_spinner="Building the entity graph ...")
def _graph(url: str, flt: CaseFilter, personal: bool, stamp: str) -> EntityGraph:
    if not personal:
        return graph_from_store(get_store(), flt, personal_allowed=False)
    # the Duplicates page's cached resolutions: one reading and one resolution per filter
    parties, entities = {}, {}
    for table, kind in (("persons", "person"), ("companies", "company")):
        frame, res = _resolution(url, flt, kind, stamp)
        parties[table], entities[table] = frame, res.entity_of
    return graph_from_store(get_store(), flt, personal_allowed=True, parties=parties, entities=entities)


def entity_graph(flt: CaseFilter) -> EntityGraph:
    """The entity graph of the filtered cases (personal nodes only for roles that may see them)."""
    return _graph(*_key(flt))


@st.cache_resource(ttl=_TTL, max_entries=4, show_spinner="Resolving entities ...")
def _resolution(url: str, flt: CaseFilter, kind: str, stamp: str) -> Any:
    from workbench.network.graph import party_frame
    from workbench.network.judgements import load_judgements
    from workbench.network.resolve import resolve

    store = get_store()
    table = party_frame(store, "persons" if kind == "person" else "companies", flt, personal_allowed=True)
    return table, resolve(table, kind, judgements=load_judgements(store, kind))  # type: ignore[arg-type]


def resolution(flt: CaseFilter, kind: str) -> tuple[pd.DataFrame, Any]:
    """The party table and its :class:`~workbench.network.resolve.Resolution` (personal data: check the role first)."""
    if not get_settings().can_see_personal:
        raise PermissionError("entity resolution works on personal data, which the current user may not see")
    return _resolution(get_store().url, flt, kind, judgement_stamp())  # type: ignore[no-any-return]


@st.cache_resource(ttl=_TTL, max_entries=3, show_spinner="Finding communities ...")
def _communities(url: str, flt: CaseFilter, personal: bool, stamp: str) -> pd.Series:
    from workbench.network.graph import communities

    return communities(_graph(url, flt, personal, stamp))


@st.cache_resource(ttl=_TTL, max_entries=3, show_spinner="Ranking entities ...")
def _rankings(url: str, flt: CaseFilter, personal: bool, stamp: str) -> pd.DataFrame:
    from workbench.network.graph import rankings

    return rankings(_graph(url, flt, personal, stamp))


def _key(flt: CaseFilter) -> tuple[str, CaseFilter, bool, str]:
    personal = get_settings().can_see_personal
    return get_store().url, flt, personal, judgement_stamp() if personal else ""


def graph_communities(flt: CaseFilter) -> pd.Series:
    """:func:`workbench.network.graph.communities` of the filtered graph, cached with it."""
    return _communities(*_key(flt))


def graph_rankings(flt: CaseFilter) -> pd.DataFrame:
    """:func:`workbench.network.graph.rankings` of the filtered graph, cached with it."""
    return _rankings(*_key(flt))


#: Graphs up to this many nodes get communities and rankings at once; larger ones when asked (at a
#: million cases communities take about four minutes: docs/network.md).
AUTO_ANALYSIS_NODES = 300_000


def wanted(what: str, graph: EntityGraph, flt: CaseFilter) -> bool:
    """Whether to compute ``what`` (communities, rankings) now: at once for small graphs, after a click
    for large ones (the choice is kept per filter)."""
    from workbench.ui.state import get_state

    extras = get_state().extras
    key = f"network.{what}"
    if len(graph) <= AUTO_ANALYSIS_NODES or extras.get(key) == flt:
        return True
    st.button(
        f"Compute {what} ({len(graph):,} nodes: this can take minutes)",
        key=f"net_{what}_go",
        on_click=lambda: extras.update({key: flt}),
    )
    return False


def focus(seed: str, expanded: list[str] | None = None) -> None:
    """Centre the Network page's drawing on ``seed`` (selected), with ``expanded`` nodes opened."""
    from workbench.ui.state import get_state

    get_state().extras.update(
        {"network.seed": seed, "network.selected": seed, "network.expanded": list(expanded or [])}
    )


def count(n: int, noun: str) -> str:
    """``n`` and ``noun``, plural when ``n`` is not 1.

    >>> count(1, "node"), count(1200, "link")
    ('1 node', '1,200 links')
    """
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def legend_html(counts: dict[str, int]) -> str:
    """The drawing's legend: a symbol per node kind present, what hubs and dashed borders mean, and
    what a hop is (two links), so that hop counts and link counts read consistently.

    >>> "◆</span> case" in legend_html({"case": 3, "person": 2}) and "phone" not in legend_html({"case": 3})
    True
    """
    kinds = " · ".join(
        f"<span style='color:{c}'>●</span> {k}"
        for k, c in KIND_COLOURS.items()
        if k in counts and k != "case"
    )
    return (
        f"<div style='font-size:0.85rem;color:#555'><span style='color:{KIND_COLOURS['case']}'>◆</span> case"
        + (f" · {kinds}" if kinds else "")
        + " · ■ hub (shared by many, not expanded) · dashed border: more links, double-click to expand. "
        "A hop goes from one entity to the next through the case or identifier they share: two links "
        "(person – case – person).</div>"
    )


#: Column labels of the entity card's cases table.
CARD_COLUMNS: dict[str, str] = {
    "reporting_country": "Reporting country",
    "case_id": "Case",
    "role": "Role",
    "route": "Route",
    "transport_mode": "Transport mode",
    "conveyance": "Conveyance",
}

#: What the resolver's score means, for the Duplicates page's labels.
SCORE_HELP = (
    "How alike the two records are, from 0 (nothing in common) to 1 (identical): names, birth date, "
    "nationality, passport, phone and address compared. From the threshold up (0.5 by default) the two "
    "records are linked as one entity, unless you judge otherwise."
)


def _record_names(table: pd.DataFrame, kind: str, positions: pd.Series) -> pd.Series:
    """``Name · case C1 (FR)`` for rows of the party table (a record is one person in one case)."""

    def col(c: str) -> pd.Series:
        return (
            table[c].astype("string").fillna("") if c in table.columns else pd.Series("", index=table.index)
        )

    name = (col("first_name") + " " + col("last_name")).str.strip() if kind == "person" else col("name")
    label = (
        name.replace("", "(no name)") + " · case " + col("case_id") + " (" + col("reporting_country") + ")"
    )
    return pd.Series(label.to_numpy()[positions.to_numpy(dtype="int64")], index=positions.index)


def review_table(table: pd.DataFrame, kind: str, pairs: pd.DataFrame) -> pd.DataFrame:
    """The Duplicates page's list of pairs with readable columns: Record A, Record B, Match score,
    Linked, Your judgement, Why."""
    return pd.DataFrame(
        {
            "Record A": _record_names(table, kind, pairs["left"]),
            "Record B": _record_names(table, kind, pairs["right"]),
            "Match score": pairs["score"].astype(float),
            "Linked": pairs["linked"].astype(bool),
            "Your judgement": pairs["decision"]
            .map({"same": "the same", "different": "different"})
            .fillna(""),
            "Why": pairs["explanation"].astype("string"),
        }
    )


def compare_records(table: pd.DataFrame, left: int, right: int) -> pd.DataFrame:
    """Two records of the party table side by side, one row per field, fields named in plain words."""
    shown = [c for c in table.columns if c not in ("extra", "dq_flags")]
    return pd.DataFrame(
        {
            "Field": [c.replace("_", " ").capitalize() for c in shown],
            "Record A": [table.iloc[left][c] for c in shown],
            "Record B": [table.iloc[right][c] for c in shown],
        }
    ).astype("string")


def judge_pair(
    kind: str,
    left_key: str,
    right_key: str,
    score: float,
    decision: str,
    names: tuple[str, str] | None = None,
) -> None:
    """Record the Duplicates page's judgement on one pair with the note submitted with it (a form
    callback: ``st.session_state["dup_note"]`` holds the note as submitted, not an earlier run's)."""
    from workbench.network.judgements import record_judgement
    from workbench.ui.state import get_state

    note = str(st.session_state.get("dup_note") or "").strip()
    record_judgement(get_store(), kind, left_key, right_key, decision, score=score, note=note or None)
    clear_network_caches()
    verdict = "the same" if decision == "same" else "different"
    a, b = names or (left_key, right_key)
    get_state().extras["duplicates.last"] = f"Recorded: {a} and {b} are {verdict}" + (
        f" (note: {note})." if note else "."
    )


def export_panel(graph: EntityGraph, node_ids: list[str], flt: CaseFilter, *, key: str = "net_dl") -> None:
    """Download the drawn network (GraphML or i2 workbook): a legal basis is asked when it holds personal
    data, the role is checked and every download is audited (:func:`workbench.network.export.graph_bytes`)."""
    from workbench.exchange.exports import ExportRefused
    from workbench.network.export import graph_bytes, personal_kinds

    drawn = graph.subgraph(node_ids)
    personal = personal_kinds(drawn)
    formats = {"graphml": "GraphML (Gephi, yEd, networkx)", "i2": "i2 Analyst's Notebook workbook"}
    c1, c2 = st.columns([2, 3])
    fmt = c1.radio("Format", list(formats), format_func=formats.__getitem__, key=f"{key}_fmt")
    basis = c2.text_input(
        "Legal basis" + (" (required: persons and companies are personal data)" if personal else ""),
        key=f"{key}_basis",
        placeholder="e.g. mutual administrative assistance agreement, art. 4",
        help="Written to the audit log with the filter, the number of nodes and your user name.",
    )
    if not st.button("Prepare download", key=f"{key}_prepare"):
        return
    try:
        data, name, counts = graph_bytes(
            get_store(), drawn, fmt, flt, legal_basis=basis or None, settings=get_settings()
        )
    except ExportRefused as e:
        st.error(f"Not exported: {e}.")
        return
    st.download_button(f"Download {name}", data, file_name=name, key=f"{key}_download", on_click="ignore")
    st.caption(
        f"{count(sum(counts.values()), 'node')}; this download is recorded in the audit log (Admin → Store & audit)."
    )


def clear_network_caches() -> None:
    for cached in (_graph, _resolution, _communities, _rankings):
        cached.clear()


def vis_spec(g: Any, selected: str | None = None, path: list[str] | None = None) -> dict[str, Any]:
    """Nodes and edges for the drawing: colour by kind, size by degree (log), cases as diamonds, hubs
    as squares, seeds with a thick border, nodes with links not drawn yet with a dashed border, a
    path's edges highlighted.

    >>> import networkx as nx
    >>> g = nx.Graph(); g.add_node("case:FR:C1", kind="case", label="C1 (FR)", degree=3)
    >>> g.add_node("person:P1", kind="person", label="Ana Silva", degree=1); g.add_edge("case:FR:C1", "person:P1", relation="courier")
    >>> spec = vis_spec(g, selected="person:P1")
    >>> [n["color"]["background"] for n in spec["nodes"]], spec["edges"][0]["label"]
    (['#1F3B57', '#D55E00'], 'courier')
    """
    seeds = set(g.graph.get("seeds", []))
    on_path = set(zip(path or [], (path or [])[1:], strict=False))
    on_path |= {(b, a) for a, b in on_path}
    nodes = []
    for nid, d in g.nodes(data=True):
        kind = d.get("kind", "")
        deg = int(d.get("degree", g.degree(nid)) or 0)
        colour = KIND_COLOURS.get(kind, "#999999")
        hidden = max(0, deg - g.degree(nid))
        title = f"{kind}: {d.get('label', nid)}\n{deg} links" + (
            "\nhub: not expanded"
            if d.get("hub")
            else f"\n{hidden} more: double-click to expand"
            if hidden
            else ""
        )
        nodes.append(
            {
                "hidden_links": hidden,
                "shapeProperties": {"borderDashes": [4, 3] if hidden else False},
                "id": nid,
                "label": str(d.get("label", nid))[:40],
                "title": title,
                "size": round(8 + 5 * math.log1p(deg), 1),
                "shape": "square" if d.get("hub") else ("diamond" if kind == "case" else "dot"),
                "color": {"background": colour, "border": "#111111" if nid in seeds or hidden else colour},
                "borderWidth": 4 if nid in seeds else (2 if hidden else 1),
                "group": kind,
            }
        )
    edges = [
        {
            "from": a,
            "to": b,
            "label": str(d.get("relation", "")).replace("_", " "),
            "width": 4 if (a, b) in on_path else 1,
            **({"color": {"color": "#C0392B"}} if (a, b) in on_path else {}),
        }
        for a, b, d in g.edges(data=True)
    ]
    key = hashlib.sha1(
        ("|".join(sorted(g.nodes)) + "#" + str(len(edges)) + "#" + ",".join(path or [])).encode()
    ).hexdigest()[:16]
    return {"nodes": nodes, "edges": edges, "selected": selected, "key": key}


def network_view(spec: dict[str, Any], *, height: int = 620, key: str) -> dict[str, Any] | None:
    """Draw ``spec``; returns the last click ``{"action": "select"|"expand", "node": id, "n": k}``."""
    value = _component(spec=spec, height=height, key=key, default=None)
    return value if isinstance(value, dict) else None


def view_graph(graph: EntityGraph, seed: str, hops: int, expanded: list[str], limit: int = DRAW_LIMIT) -> Any:
    """The ego network of ``seed`` at ``hops``, plus one hop around each node the user expanded."""
    import networkx as nx

    from workbench.network.graph import ego_network

    g = ego_network(graph, seed, hops, max_nodes=limit)
    for node in expanded:
        if node in graph.index.index and g.number_of_nodes() < limit:
            more = ego_network(graph, node, 1, max_nodes=max(10, limit - g.number_of_nodes()))
            truncated = g.graph["truncated"] or more.graph["truncated"]
            g = nx.compose(more, g)  # attributes of the main ego network win
            g.graph.update(truncated=truncated, seeds=[seed, *expanded])
    g.graph.setdefault("seeds", [seed])
    return g


def path_graph(graph: EntityGraph, path: list[str]) -> Any:
    """The drawing of a shortest path: its nodes and only the links it takes (so the links drawn are
    the links the path description counts)."""
    from workbench.network.graph import to_networkx

    g = to_networkx(graph, [graph.position(p) for p in path])
    on_path = {frozenset(e) for e in zip(path, path[1:], strict=False)}
    g.remove_edges_from([e for e in list(g.edges) if frozenset(e) not in on_path])
    g.graph["seeds"] = [path[0], path[-1]]
    return g


def community_table(graph: EntityGraph, comm: pd.Series) -> pd.DataFrame:
    """One row per community: its number, node count and nodes per kind, largest first."""
    from workbench.network.graph import NODE_KINDS

    kinds = graph.nodes.set_index("node_id").loc[comm.index, "kind"]
    table = (
        pd.DataFrame({"community": comm.to_numpy(), "kind": kinds.to_numpy()})
        .pivot_table(index="community", columns="kind", aggfunc="size", fill_value=0)
        .reindex(columns=[k for k in NODE_KINDS if k in set(kinds)])
    )
    table.insert(0, "nodes", table.sum(axis=1))
    return table.reset_index().sort_values("nodes", ascending=False)
