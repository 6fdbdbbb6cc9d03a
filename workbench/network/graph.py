"""The entity graph: cases, persons, companies, their identifiers and conveyances, and how they link.

Nodes
    ``case`` (one per case), ``person`` and ``company`` (one per resolved entity, see
    :mod:`workbench.network.resolve`; without resolution one per record), identifier nodes ``passport``,
    ``registration``, ``phone``, ``address`` (normalised, see :mod:`workbench.format.normalise`), and
    ``conveyance`` nodes (flight number, vessel IMO number, vehicle plate, train).
Edges
    party -- case, labelled with the party's role in the case (from the format's role enumerations);
    party -- identifier, labelled with the identifier's kind; case -- conveyance, labelled with the
    conveyance type.

An identifier or conveyance seen with one party or case only links nothing and is left out. Persons,
companies, their identifiers and vehicle plates are **personal data**: without ``personal_allowed``
the graph holds cases, flights, vessels and trains only.

The graph is kept compact (node and edge tables plus a scipy CSR adjacency) so that a million cases
fit in memory; :func:`ego_network`, :func:`shortest_path`, :func:`communities` and :func:`rankings`
work on it and hand back small :mod:`networkx` graphs or DataFrames. networkx and scipy load lazily.

A **hop** is one link between two entities through the case or identifier they share, i.e. two edges
(person -- case -- person, person -- phone -- person, case -- flight -- case). Hub nodes (an address
or flight shared by more than ``hub_degree`` others) are shown but not expanded: a busy airport flight
number says little about who knows whom.

Examples
--------
>>> import pandas as pd
>>> cases = pd.DataFrame({"reporting_country": ["FR", "DE"], "case_id": ["C1", "C2"],
...                       "seizure_date": ["2024-01-05", "2024-02-01"], "conveyance_type": ["aircraft", "aircraft"],
...                       "conveyance_id": ["AF 012", "AF12"]})
>>> persons = pd.DataFrame({"reporting_country": ["FR", "DE"], "case_id": ["C1", "C2"],
...                         "person_id": ["P1", "P2"], "role": ["courier", "courier"],
...                         "first_name": ["Ana", "Bo"], "last_name": ["Silva", "Berg"],
...                         "phone": ["+234 803 123 4567", "0803 123 4567"], "nationality": ["NG", "NG"]})
>>> g = build_graph(cases, persons)
>>> g.counts()
{'case': 2, 'person': 2, 'phone': 1, 'conveyance': 1}
>>> sorted(ego_network(g, "person:FR:C1:P1", hops=1).nodes)
['case:FR:C1', 'conveyance:flight:AF12', 'person:DE:C2:P2', 'person:FR:C1:P1', 'phone:+2348031234567']
>>> shortest_path(g, "case:FR:C1", "case:DE:C2")
['case:FR:C1', 'conveyance:flight:AF12', 'case:DE:C2']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from workbench.format.normalise import company_key, fold
from workbench.format.schema import FORMAT
from workbench.i18n import _, ngettext
from workbench.store.entity_graph import (
    CONVEYANCE_KINDS,
    PARTY_TABLES,
    _col,
    graph_links,
    linker_nodes,
)

if TYPE_CHECKING:  # pragma: no cover
    import networkx as nx

    from workbench.store import Store
    from workbench.store.audit import Actor
    from workbench.store.filters import CaseFilter

__all__ = [
    "EntityGraph",
    "build_graph",
    "graph_from_store",
    "party_frame",
    "ego_network",
    "shortest_path",
    "communities",
    "rankings",
    "entity_card",
    "search_nodes",
    "node_names",
    "describe_path",
    "to_networkx",
    "PARTY_TABLES",
    "IDENTIFIER_COLUMNS",
    "CONVEYANCE_KINDS",
    "NODE_KINDS",
    "PERSONAL_KINDS",
    "HUB_DEGREE",
    "MAX_EGO_NODES",
]

#: Columns of the party tables that identify (and so link) parties, and the node kind they make.
IDENTIFIER_COLUMNS: dict[str, dict[str, str]] = {
    table: {c.name: c.node for c in FORMAT.table(table).node_columns if c.node} for table in PARTY_TABLES
}
_CASES = FORMAT.table("cases")
NODE_KINDS: tuple[str, ...] = tuple(FORMAT.nodes)
PERSONAL_KINDS: frozenset[str] = FORMAT.personal_node_kinds
#: Nodes with more neighbours than this are hubs: shown, not expanded, not used for communities.
HUB_DEGREE = 40
#: Default cap on the nodes of an ego network (what a browser draws smoothly; see docs/network.md).
MAX_EGO_NODES = 1500


@dataclass
class EntityGraph:
    """Node and edge tables with a CSR adjacency.

    ``nodes``: ``node_id``, ``kind``, ``label`` (and ``subkind`` for conveyances), indexed 0..n-1.
    ``edges``: ``source``, ``target`` (node positions), ``relation``.
    ``records``: one row per party record: ``record_key``, ``node`` (its entity's position), ``case``
    (its case's position), ``role``, ``written`` (the name as written). ``cases``: the case frame.
    """

    nodes: pd.DataFrame
    edges: pd.DataFrame
    records: pd.DataFrame = field(default_factory=pd.DataFrame)
    cases: pd.DataFrame = field(default_factory=pd.DataFrame)
    hub_degree: int = HUB_DEGREE
    #: Each node's degree in the graph it was cut from (a part of the store's graph read around some
    #: nodes: :mod:`workbench.network.store_graph`), so that hubs and ranks are those of the whole;
    #: None: the degree in this graph.
    node_degree: np.ndarray | None = None

    @cached_property
    def index(self) -> pd.Series:
        """Node position by ``node_id``."""
        return pd.Series(np.arange(len(self.nodes)), index=self.nodes["node_id"].to_numpy())

    @cached_property
    def adjacency(self) -> Any:
        """Symmetric CSR matrix; ``data`` holds edge position + 1."""
        from scipy.sparse import csr_matrix

        n = len(self.nodes)
        s, t = self.edges["source"].to_numpy(), self.edges["target"].to_numpy()
        e = np.arange(1, len(s) + 1)
        m = csr_matrix((np.r_[e, e], (np.r_[s, t], np.r_[t, s])), shape=(n, n))
        m.sum_duplicates()
        return m

    @cached_property
    def degree(self) -> np.ndarray:
        if self.node_degree is not None:
            return self.node_degree
        return np.diff(self.adjacency.indptr)

    @cached_property
    def _linker(self) -> np.ndarray:
        """Nodes that can be hubs: identifiers and conveyances (not cases, persons or companies)."""
        return ~self.nodes["kind"].isin(["case", *PARTY_TABLES.values()]).to_numpy()

    @property
    def hubs(self) -> np.ndarray:
        """Boolean mask of hub nodes (identifiers and conveyances with degree over ``hub_degree``)."""
        cached = self.__dict__.get("_hubs")
        if cached is None or cached[0] != self.hub_degree:
            cached = (self.hub_degree, (self.degree > self.hub_degree) & self._linker)
            self.__dict__["_hubs"] = cached
        return cached[1]

    def position(self, node_id: str) -> int:
        try:
            return int(self.index[node_id])
        except KeyError:
            raise KeyError(
                _("no node {node_id!r} in the graph (is it outside the filter?)", node_id=node_id)
            ) from None

    def neighbours(self, pos: int) -> np.ndarray:
        a = self.adjacency
        return a.indices[a.indptr[pos] : a.indptr[pos + 1]]

    def counts(self) -> dict[str, int]:
        """Nodes per kind, in :data:`NODE_KINDS` order."""
        vc = self.nodes["kind"].value_counts()
        return {k: int(vc[k]) for k in NODE_KINDS if k in vc.index}

    def __len__(self) -> int:
        return len(self.nodes)

    def subgraph(self, node_ids: Iterable[str]) -> EntityGraph:
        """The graph restricted to ``node_ids`` (e.g. an ego network, for export)."""
        keep = np.zeros(len(self.nodes), dtype=bool)
        keep[self.index.reindex(list(node_ids)).dropna().astype(np.int64).to_numpy()] = True
        new_pos = np.cumsum(keep) - 1
        e = self.edges[keep[self.edges["source"].to_numpy()] & keep[self.edges["target"].to_numpy()]]
        edges = pd.DataFrame(
            {
                "source": new_pos[e["source"].to_numpy()],
                "target": new_pos[e["target"].to_numpy()],
                "relation": e["relation"].to_numpy(),
            }
        )
        nodes = self.nodes[keep].reset_index(drop=True)
        records = (
            self.records[self.records["node_id"].isin(nodes["node_id"])]
            if len(self.records)
            else self.records
        )
        case_keys = nodes.loc[nodes["kind"] == "case", "node_id"].str.removeprefix("case:")
        cases = (
            self.cases.loc[self.cases.index.intersection(case_keys.tolist())]
            if len(self.cases)
            else self.cases
        )
        degree = self.node_degree[keep] if self.node_degree is not None else None
        return EntityGraph(nodes, edges, records, cases, self.hub_degree, degree)


def build_graph(
    cases: pd.DataFrame,
    persons: pd.DataFrame | None = None,
    companies: pd.DataFrame | None = None,
    *,
    entities: Mapping[str, pd.Series] | None = None,
    hub_degree: int = HUB_DEGREE,
    personal_conveyances: bool | None = None,
) -> EntityGraph:
    """The entity graph of exchange-format tables (``cases``; optional ``persons``, ``companies``).

    ``entities``: ``{"persons": Series, "companies": Series}`` mapping record keys
    (``reporting_country:case_id:id``) to entity ids from the resolver; records without one are their
    own entity. ``personal_conveyances``: include vehicle plates (default: when parties are given).
    """
    links = graph_links(
        cases, persons, companies, entities=entities, personal_conveyances=personal_conveyances
    )
    edges = links.edges[["a", "b", "relation"]].drop_duplicates(["a", "b"]).reset_index(drop=True)
    node_parts = [links.nodes]
    # identifier and conveyance nodes: only those that link two or more parties or cases
    known = pd.Index(links.nodes["node_id"])
    linker = ~edges["b"].isin(known)
    counts = edges.loc[linker, "b"].value_counts()
    shared = counts[counts >= 2].index
    edges = edges[~linker | edges["b"].isin(shared)].reset_index(drop=True)
    if len(shared):
        found = linker_nodes(shared)
        for k in found["kind"].unique():
            node_parts.append(found[found["kind"] == k])
    nodes = (
        pd.concat(node_parts, ignore_index=True)
        .drop_duplicates("node_id", keep="first")
        .reset_index(drop=True)
    )
    pos = pd.Series(np.arange(len(nodes)), index=nodes["node_id"].to_numpy())
    src = pos.reindex(edges["a"].to_numpy()).to_numpy()
    dst = pos.reindex(edges["b"].to_numpy()).to_numpy()
    ok = ~(np.isnan(src) | np.isnan(dst)) if len(edges) else np.zeros(0, dtype=bool)
    edge_frame = pd.DataFrame(
        {
            "source": src[ok].astype(np.int64),
            "target": dst[ok].astype(np.int64),
            "relation": edges["relation"].to_numpy(dtype=object)[ok],
        }
    )
    records = links.records
    case_table = cases.assign(case_key=links.case_keys.to_numpy()).set_index("case_key", drop=False)
    for c in ("label",):
        nodes[c] = nodes[c].astype(object).where(nodes[c].notna(), "")
    return EntityGraph(
        nodes=nodes, edges=edge_frame, records=records, cases=case_table, hub_degree=hub_degree
    )


def party_frame(
    store: Store,
    table: str,
    flt: CaseFilter | None = None,
    *,
    personal_allowed: bool,
    actor: Actor | None = None,
) -> pd.DataFrame:
    """A party table (persons or companies) of the cases matching ``flt``, read in columns (ADBC).

    Like :func:`workbench.store.queries.load_table`, it refuses personal tables without
    ``personal_allowed``, and audits their reading as a consultation by ``actor`` (with its purpose).
    """
    import sqlalchemy as sa

    from workbench.store import DATA_TABLES
    from workbench.store.filters import CaseFilter
    from workbench.store.frames import read_arrow

    if FORMAT.table(table).personal and not personal_allowed:
        raise PermissionError(
            _("the {table} table holds personal data, which the current user may not see", table=table)
        )
    t, c = DATA_TABLES[table], DATA_TABLES["cases"]
    flt = flt or CaseFilter()
    stmt = sa.select(*[t.c[col] for col in FORMAT.table(table).column_names]).join(
        c, sa.and_(c.c.reporting_country == t.c.reporting_country, c.c.case_id == t.c.case_id)
    )
    df = read_arrow(store, flt.to_sql(stmt)).to_pandas()
    for col in df.columns:
        df[col] = df[col].astype("string") if df[col].dtype == object else df[col]
    if FORMAT.table(table).personal:
        from workbench.store.audit import consulted

        consulted(store, table, actor, query=flt.describe(), row_count=len(df))
    return df


def graph_from_store(
    store: Store,
    flt: CaseFilter | None = None,
    *,
    personal_allowed: bool,
    resolve_entities: bool = True,
    judgements: bool = True,
    hub_degree: int = HUB_DEGREE,
    parties: Mapping[str, pd.DataFrame] | None = None,
    entities: Mapping[str, pd.Series] | None = None,
    actor: Actor | None = None,
) -> EntityGraph:
    """The entity graph of the cases matching ``flt``, with persons and companies resolved to entities
    (analysts' judgements applied) when ``personal_allowed``.

    ``parties`` / ``entities``: party tables already read and their resolved entities (e.g. from the
    Duplicates page's cached resolution), to avoid reading and resolving twice. Reading the party
    tables is audited as a consultation by ``actor`` (see :func:`party_frame`).
    """
    from workbench.store.frames import case_frame

    # what entity cards show (date, route, mode) and what makes conveyance nodes
    card = ("seizure_date", "departure_country", "transit_countries", "destination_country", "transport_mode")
    conveyances = tuple(n for c in _CASES.node_columns for n in (c.name, c.hint) if n)
    cases = case_frame(store, flt, columns=(*card, *conveyances))
    if not personal_allowed:
        return build_graph(cases, hub_degree=hub_degree, personal_conveyances=False)
    tables = dict(parties or {})
    for table in PARTY_TABLES:
        if table not in tables:
            tables[table] = party_frame(store, table, flt, personal_allowed=True, actor=actor)
    resolved: dict[str, pd.Series] = dict(entities or {})
    if resolve_entities:
        from workbench.network.resolve import resolve, resolver_kind

        for table, df in tables.items():
            if df.empty or table in resolved:
                continue
            kind = resolver_kind(PARTY_TABLES[table])
            judged: list[tuple[str, str, str]] = []
            if judgements:
                from workbench.network.judgements import load_judgements

                judged = load_judgements(store, kind)
            resolved[table] = resolve(df, kind, judgements=judged, explain=False).entity_of
    return build_graph(
        cases, tables.get("persons"), tables.get("companies"), entities=resolved, hub_degree=hub_degree
    )


# ------------------------------------------------------------------------------------------ queries
def search_nodes(
    graph: EntityGraph, text: str, kinds: Iterable[str] | None = None, limit: int = 50
) -> pd.DataFrame:
    """Nodes whose label or id contains ``text`` (folded: accents and case ignored), most linked first.

    >>> import pandas as pd
    >>> g = build_graph(pd.DataFrame({"reporting_country": ["FR"], "case_id": ["C-1"]}))
    >>> search_nodes(g, "c-1")[["node_id", "kind"]].values.tolist()
    [['case:FR:C-1', 'case']]
    """
    nodes = graph.nodes
    sel = np.ones(len(nodes), dtype=bool)
    if kinds:
        sel &= nodes["kind"].isin(list(kinds)).to_numpy()
    words = fold(text).split()
    if words:
        hay = (nodes["label"].astype(str) + " " + nodes["node_id"].astype(str)).map(fold)
        for w in words:
            sel &= hay.str.contains(w, regex=False).to_numpy()
    out = nodes[sel].assign(degree=graph.degree[sel])
    out = out.sort_values(["degree", "label"], ascending=[False, True]).head(limit).reset_index(drop=True)
    return out.assign(detail=_details(graph, out))


def _details(graph: EntityGraph, found: pd.DataFrame) -> pd.Series:
    """What tells apart nodes of the same label and kind: a party's cases, an identifier's kind, a
    conveyance's type; the node id when that is still not enough."""
    detail = found["subkind"].astype(str).where(found["kind"] == "conveyance", "")
    parties = found["kind"].isin(list(PARTY_TABLES.values()))
    if parties.any() and len(graph.records):
        recs = graph.records[graph.records["node_id"].isin(found.loc[parties, "node_id"])]
        labels = graph.nodes["label"].to_numpy(dtype=object)

        def cases_of(case_nodes: pd.Series) -> str:
            distinct = list(dict.fromkeys(case_nodes))
            pos = graph.index.reindex(distinct[:2]).tolist()
            named = ", ".join(str(labels[int(p)]) for p in pos if p == p)
            if len(distinct) > 2:
                return _("cases {named} and {n} more", named=named, n=len(distinct) - 2)
            return ngettext("case {named}", "cases {named}", len(distinct), named=named)

        cases = recs.groupby("node_id", sort=False)["case_node"].agg(cases_of)
        detail = detail.where(~parties, found["node_id"].map(cases).fillna(""))
    same = (found["label"] + "|" + found["kind"] + "|" + detail).duplicated(keep=False)
    return detail.where(~same, detail + " · " + found["node_id"].astype(str))


def node_names(graph: EntityGraph, node_ids: Iterable[str]) -> list[str]:
    """Readable names of nodes: ``label (kind)``, for messages (ids like ``person:FR:C1:P1`` are not).

    >>> g = build_graph(pd.DataFrame({"reporting_country": ["FR"], "case_id": ["C1"]}))
    >>> node_names(g, ["case:FR:C1"])
    ['C1 (FR) (case)']
    """
    ids = list(node_ids)
    labels, kinds = graph.nodes["label"].to_numpy(dtype=object), graph.nodes["kind"].to_numpy(dtype=object)
    pos = graph.index.reindex(ids).tolist()
    return [nid if p != p else f"{labels[int(p)]} ({kinds[int(p)]})" for nid, p in zip(ids, pos, strict=True)]


def describe_path(graph: EntityGraph, path: list[str]) -> str:
    """One sentence on a path from :func:`shortest_path`: how many links (edges) it takes and the
    entities it passes, named by their labels.

    >>> cases = pd.DataFrame({"reporting_country": ["FR", "DE"], "case_id": ["C1", "C2"],
    ...                       "conveyance_type": ["aircraft", "aircraft"], "conveyance_id": ["AF12", "AF 012"]})
    >>> g = build_graph(cases)
    >>> describe_path(g, shortest_path(g, "case:FR:C1", "case:DE:C2"))
    'Linked by 2 links (1 entity in between): C1 (FR) (case) → AF12 (conveyance) → C2 (DE) (case)'
    """
    links = len(path) - 1
    between = max(0, len(path) - 2)
    return _(
        "Linked by {links} ({between} in between): {path}",
        links=ngettext("{n} link", "{n} links", links),
        between=ngettext("{n} entity", "{n} entities", between),
        path=" → ".join(node_names(graph, path)),
    )


def _bfs(
    graph: EntityGraph, seeds: list[int], max_edges: int, max_nodes: int
) -> tuple[np.ndarray, np.ndarray, bool]:
    """Positions and edge distances of nodes within ``max_edges`` of ``seeds``, hubs not expanded."""
    a = graph.adjacency
    hubs = graph.hubs
    dist = {s: 0 for s in seeds}
    frontier = np.array(seeds, dtype=np.int64)
    truncated = False
    for d in range(1, max_edges + 1):
        expand = frontier[~hubs[frontier] | np.isin(frontier, seeds)]
        if not len(expand):
            break
        starts, ends = a.indptr[expand], a.indptr[expand + 1]
        lens = ends - starts
        if lens.sum() == 0:
            break
        idx = np.repeat(starts - np.cumsum(np.r_[0, lens[:-1]]), lens) + np.arange(lens.sum())
        nb = np.unique(a.indices[idx])
        new = [int(x) for x in nb if int(x) not in dist]
        if len(dist) + len(new) > max_nodes:
            # nearest first: keep the most linked of the new ring up to the cap
            new.sort(key=lambda x: -int(graph.degree[x]))
            new = new[: max(0, max_nodes - len(dist))]
            truncated = True
        for x in new:
            dist[x] = d
        frontier = np.array(new, dtype=np.int64)
        if truncated or not len(frontier):
            break
    pos = np.fromiter(dist.keys(), dtype=np.int64)
    return pos, np.fromiter(dist.values(), dtype=np.int64), truncated


def to_networkx(graph: EntityGraph, positions: Iterable[int] | None = None) -> nx.Graph:
    """The graph (or the subgraph on ``positions``) as a networkx Graph with ``kind``, ``label``,
    ``subkind`` node attributes and ``relation`` edge attributes; nodes are named by ``node_id``."""
    import networkx as nx

    nodes = graph.nodes
    if positions is None:
        keep = np.arange(len(nodes))
        e = graph.edges
    else:
        keep = np.unique(np.fromiter(positions, dtype=np.int64))
        # the edges among ``keep``, found through the adjacency (edge position + 1 in its data)
        sub = graph.adjacency[keep][:, keep]
        e = graph.edges.iloc[np.unique(sub.data) - 1] if sub.nnz else graph.edges.iloc[0:0]
    g = nx.Graph()
    ids = nodes["node_id"].to_numpy(dtype=object)
    sub = nodes.iloc[keep]
    g.add_nodes_from(
        (nid, {"kind": k, "label": str(lab), "subkind": str(s)})
        for nid, k, lab, s in zip(sub["node_id"], sub["kind"], sub["label"], sub["subkind"], strict=True)
    )
    g.add_edges_from(
        (ids[s], ids[t], {"relation": str(r)})
        for s, t, r in zip(
            e["source"].to_numpy(), e["target"].to_numpy(), e["relation"].to_numpy(), strict=True
        )
    )
    return g


def ego_network(
    graph: EntityGraph,
    node_ids: str | Iterable[str],
    hops: int = 2,
    *,
    max_nodes: int = MAX_EGO_NODES,
) -> nx.Graph:
    """The nodes within ``hops`` links (two edges each) of one or more nodes, as a networkx Graph.

    Node attributes add ``hop`` (links from the nearest seed, cases and identifiers in between count
    half) and ``hub``; the graph attribute ``truncated`` says whether ``max_nodes`` cut it short.
    """
    seeds = [node_ids] if isinstance(node_ids, str) else list(node_ids)
    pos, dist, truncated = _bfs(graph, [graph.position(s) for s in seeds], 2 * hops, max_nodes)
    g = to_networkx(graph, pos)
    ids = graph.nodes["node_id"].to_numpy(dtype=object)
    hubs = graph.hubs
    for p, d in zip(pos.tolist(), dist.tolist(), strict=True):
        node = g.nodes[ids[p]]
        node["hop"] = d / 2
        node["hub"] = bool(hubs[p])
        node["degree"] = int(graph.degree[p])
    g.graph["truncated"] = truncated
    g.graph["seeds"] = seeds
    return g


def shortest_path(graph: EntityGraph, a: str, b: str, *, avoid_hubs: bool = True) -> list[str] | None:
    """Node ids on a shortest path from ``a`` to ``b`` (None: not connected), around hubs by default."""
    from scipy.sparse.csgraph import breadth_first_order

    pa, pb = graph.position(a), graph.position(b)
    adj = graph.adjacency
    if avoid_hubs:
        keep = ~graph.hubs
        keep[[pa, pb]] = True
        d = np.where(keep, 1, 0)
        from scipy.sparse import diags

        adj = diags(d, dtype=np.int64) @ adj @ diags(d, dtype=np.int64)
    _, pred = breadth_first_order(adj, pa, directed=False, return_predecessors=True)
    if pa != pb and pred[pb] < 0:
        return None
    path = [pb]
    while path[-1] != pa:
        path.append(int(pred[path[-1]]))
    ids = graph.nodes["node_id"].to_numpy(dtype=object)
    return [str(ids[p]) for p in reversed(path)]


def _core_mask(graph: EntityGraph) -> np.ndarray:
    """Nodes that take part in links: not hubs, in components with at least two cases or parties."""
    from scipy.sparse import diags
    from scipy.sparse.csgraph import connected_components

    keep = ~graph.hubs
    adj = (
        diags(keep.astype(np.int64), dtype=np.int64)
        @ graph.adjacency
        @ diags(keep.astype(np.int64), dtype=np.int64)
    )
    _, label = connected_components(adj, directed=False)
    actor = graph.nodes["kind"].isin(["case", *PARTY_TABLES.values()]).to_numpy()
    actors_per = np.bincount(label, weights=actor.astype(float))
    return keep & (actors_per[label] >= 3)


def communities(
    graph: EntityGraph, *, seed: int = 1, max_component: int = 60, louvain_max: int = 20_000
) -> pd.Series:
    """A community number per node (``node_id`` index) for the linked part of the graph.

    Connected groups (hubs set aside) are communities as they are; groups of more than
    ``max_component`` nodes are split by Louvain modularity (networkx, fixed ``seed``), groups of
    more than ``louvain_max`` nodes by fast label propagation (Louvain in pure Python takes minutes
    there). Numbers follow community size, largest first. Nodes outside any link get no number.
    """
    import networkx as nx
    from scipy.sparse import diags
    from scipy.sparse.csgraph import connected_components

    core = _core_mask(graph)
    adj = (
        diags(core.astype(np.int64), dtype=np.int64)
        @ graph.adjacency
        @ diags(core.astype(np.int64), dtype=np.int64)
    )
    _, label = connected_components(adj, directed=False)
    label = np.where(core, label, -1)
    out = np.full(len(graph.nodes), -1, dtype=np.int64)
    next_id = 0
    sizes = np.bincount(label[label >= 0]) if core.any() else np.zeros(0, dtype=np.int64)
    big = np.flatnonzero(sizes > max_component)
    in_big = np.flatnonzero(np.isin(label, big))
    order = in_big[np.argsort(label[in_big], kind="stable")]
    bounds = np.searchsorted(label[order], big)
    for k in range(len(big)):
        members = order[bounds[k] : bounds[k + 1] if k + 1 < len(big) else len(order)]
        sub = to_networkx(graph, members)
        if len(members) <= louvain_max:
            parts = nx.community.louvain_communities(sub, seed=seed, resolution=1.0)
        else:  # very large groups: label propagation, near-linear time
            parts = nx.community.fast_label_propagation_communities(sub, seed=seed)
        for part in parts:
            out[graph.index.reindex(list(part)).to_numpy()] = next_id
            next_id += 1
    small = np.flatnonzero((sizes > 0) & (sizes <= max_component))
    if len(small):
        relabel = np.full(len(sizes), -1, dtype=np.int64)
        relabel[small] = np.arange(next_id, next_id + len(small))
        sel = (label >= 0) & (out < 0)
        out[sel] = relabel[label[sel]]
    # renumber by size, largest first
    s = pd.Series(out, index=graph.nodes["node_id"].to_numpy())
    s = s[s >= 0]
    by_size = s.value_counts().index
    return s.map(pd.Series(np.arange(len(by_size)), index=by_size)).astype("int64")


def rankings(
    graph: EntityGraph,
    *,
    top: int = 25,
    kinds: Iterable[str] = ("person", "company"),
    betweenness_max_nodes: int = 20_000,
    samples: int = 200,
    seed: int = 1,
) -> pd.DataFrame:
    """The most central entities: ``degree`` (distinct neighbours) and ``betweenness`` (share of
    shortest paths through the node, approximated from ``samples`` sources) in the linked part.

    Betweenness is computed on the largest linked groups up to ``betweenness_max_nodes`` nodes (the
    frame's ``attrs["betweenness_nodes"]`` says how many); elsewhere it is blank.
    """
    import networkx as nx
    from scipy.sparse import diags
    from scipy.sparse.csgraph import connected_components

    kinds = list(kinds)
    nodes = graph.nodes
    core = _core_mask(graph)
    adj = (
        diags(core.astype(np.int64), dtype=np.int64)
        @ graph.adjacency
        @ diags(core.astype(np.int64), dtype=np.int64)
    )
    _, label = connected_components(adj, directed=False)
    sizes = pd.Series(label[core]).value_counts()
    chosen: list[int] = []
    total = 0
    for comp, size in zip(sizes.index.tolist(), sizes.tolist(), strict=True):
        if total + size > betweenness_max_nodes:
            continue
        chosen.append(comp)
        total += int(size)
    members = np.flatnonzero(core & np.isin(label, chosen))
    bc = pd.Series(dtype=float)
    if len(members) > 2:
        sub = to_networkx(graph, members)
        k = min(samples, sub.number_of_nodes())
        bc = pd.Series(nx.betweenness_centrality(sub, k=k, seed=seed, normalized=True))
    sel = nodes["kind"].isin(kinds).to_numpy()
    out = nodes.loc[sel, ["node_id", "kind", "label"]].assign(degree=graph.degree[sel])
    out["betweenness"] = out["node_id"].map(bc)
    out = out.sort_values(["degree", "betweenness"], ascending=False).reset_index(drop=True)
    out.attrs["betweenness_nodes"] = int(len(members))
    by_bc = out.dropna(subset=["betweenness"]).sort_values("betweenness", ascending=False).head(top)
    result = pd.concat([out.head(top), by_bc]).drop_duplicates("node_id").reset_index(drop=True)
    result.attrs["betweenness_nodes"] = int(len(members))
    return result


def entity_card(graph: EntityGraph, node_id: str) -> dict[str, Any]:
    """Everything the graph knows about one node: its cases (role, route, date), written names,
    identifiers and direct links.

    ``cases``: ``case_key``, ``reporting_country``, ``case_id``, ``seizure_date``, ``role``,
    ``route`` (departure -> transit -> destination), ``transport_mode``, ``conveyance``.
    """
    pos = graph.position(node_id)
    row = graph.nodes.iloc[pos]
    nb = graph.neighbours(pos)
    nb_nodes = graph.nodes.iloc[nb]
    kind = row["kind"]
    if kind == "case":
        case_nodes = [node_id]
        roles = {node_id: ""}
    elif kind in PARTY_TABLES.values():
        recs = graph.records[graph.records["node_id"] == node_id]
        joined = recs.groupby("case_node")["role"].agg(lambda s: ", ".join(sorted(set(s))))
        roles = dict(zip(joined.index.astype(str).tolist(), joined.tolist(), strict=True))
        case_nodes = list(roles)
    else:
        case_nodes = [str(x) for x in nb_nodes.loc[nb_nodes["kind"] == "case", "node_id"]]
        parties = nb_nodes.loc[nb_nodes["kind"].isin(list(PARTY_TABLES.values())), "node_id"]
        recs = graph.records[graph.records["node_id"].isin(parties)]
        case_nodes += [c for c in recs["case_node"].unique().tolist() if c not in case_nodes]
        roles = {c: "" for c in case_nodes}
        for c, r in recs.groupby("case_node")["role"]:
            roles[str(c)] = ", ".join(sorted(set(r)))
    keys = [c.removeprefix("case:") for c in case_nodes]
    cs = graph.cases.reindex(keys)
    route = (
        _col(cs, "departure_country").replace("", "?")
        + _col(cs, "transit_countries").map(lambda t: "".join(f" → {x}" for x in t.split(";") if x))
        + " → "
        + _col(cs, "destination_country").replace("", "?")
    )
    cases = (
        pd.DataFrame(
            {
                "case_key": keys,
                "reporting_country": _col(cs, "reporting_country").to_numpy(),
                "case_id": _col(cs, "case_id").to_numpy(),
                "seizure_date": pd.to_datetime(cs["seizure_date"], errors="coerce").to_numpy()
                if "seizure_date" in cs
                else pd.NaT,
                "role": [roles.get(c, "") for c in case_nodes],
                "route": route.to_numpy(),
                "transport_mode": _col(cs, "transport_mode").to_numpy(),
                "conveyance": (_col(cs, "conveyance_type") + " " + _col(cs, "conveyance_id"))
                .str.strip()
                .to_numpy(),
            }
        )
        .sort_values("seizure_date", na_position="last", kind="stable")
        .reset_index(drop=True)
    )
    names = graph.records.loc[graph.records["node_id"] == node_id, "written"]
    links = nb_nodes[["node_id", "kind", "label"]].reset_index(drop=True)
    rel = graph.edges[(graph.edges["source"] == pos) | (graph.edges["target"] == pos)]
    other = np.where(rel["source"].to_numpy() == pos, rel["target"].to_numpy(), rel["source"].to_numpy())
    relation = pd.Series(rel["relation"].to_numpy(), index=graph.nodes["node_id"].to_numpy()[other])
    links["relation"] = links["node_id"].map(relation[~relation.index.duplicated()])
    dates = cases["seizure_date"].dropna()
    return {
        "node_id": node_id,
        "kind": kind,
        "label": row["label"],
        "cases": cases,
        "names": sorted(set(names.tolist())),
        "records": int(len(names)),
        "links": links,
        "period": (dates.min(), dates.max()) if len(dates) else (None, None),
    }


def company_label(name: str) -> str:  # pragma: no cover - convenience for notebooks
    """The comparison form of a company name (see :func:`workbench.format.normalise.company_key`)."""
    return company_key(name)
