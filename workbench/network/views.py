"""What an analyst looks at of the entity graph: the ego network with the nodes they expanded, a path
drawn with only its links, the table of communities, and the resolver's pairs in the review's views.

These are the views the Network and Duplicates pages show; they work on an
:class:`~workbench.network.graph.EntityGraph` (or a resolution's matches) and return small networkx
graphs or DataFrames, so a notebook gets exactly what the page draws.

Examples
--------
>>> import pandas as pd
>>> from workbench.network.graph import build_graph
>>> cases = pd.DataFrame({"reporting_country": ["FR", "DE", "ES"], "case_id": ["C1", "C2", "C3"]})
>>> persons = pd.DataFrame({"reporting_country": ["FR", "DE", "DE", "ES"], "case_id": ["C1", "C2", "C2", "C3"],
...     "person_id": ["P1", "P2", "P3", "P4"], "first_name": ["Ana", "Bo", "Cy", "Di"],
...     "last_name": ["Silva", "Berg", "Hale", "Ruiz"], "phone": ["0803 123 4567", "0803 123 4567", None, "+44 7700 900123"],
...     "passport_number": [None, None, "X123", "X123"]})
>>> g = build_graph(cases, persons)
>>> view = ego_view(g, "person:FR:C1:P1", hops=1)
>>> sorted(view.nodes)
['case:FR:C1', 'person:DE:C2:P2', 'person:FR:C1:P1', 'phone:08031234567']
>>> wider = ego_view(g, "person:FR:C1:P1", hops=1, expanded=["person:DE:C2:P2"])
>>> sorted(set(wider.nodes) - set(view.nodes)), wider.graph["seeds"]
(['case:DE:C2', 'person:DE:C2:P3'], ['person:FR:C1:P1', 'person:DE:C2:P2'])
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

from workbench.i18n import N_, _
from workbench.network.graph import MAX_EGO_NODES, NODE_KINDS, EntityGraph, ego_network, to_networkx

if TYPE_CHECKING:  # pragma: no cover
    import networkx as nx

__all__ = ["ego_view", "path_view", "community_table", "community_members", "PAIR_VIEWS", "pairs_in_view"]


def ego_view(
    graph: EntityGraph,
    seed: str,
    hops: int = 2,
    expanded: Sequence[str] = (),
    *,
    max_nodes: int = MAX_EGO_NODES,
) -> nx.Graph:
    """The ego network of ``seed`` at ``hops`` (:func:`~workbench.network.graph.ego_network`), plus one
    hop around each node in ``expanded`` (in the order the user expanded them) while fewer than
    ``max_nodes`` are drawn; an expanded node that is not in the graph (another filter) is skipped.

    Attributes of the seed's own ego network win over those of an expansion; the graph attribute
    ``seeds`` lists the seed and the expanded nodes, ``truncated`` says whether a cap cut anything.
    """
    import networkx as nx

    g = ego_network(graph, seed, hops, max_nodes=max_nodes)
    for node in expanded:
        if node in graph.index.index and g.number_of_nodes() < max_nodes:
            more = ego_network(graph, node, 1, max_nodes=max(10, max_nodes - g.number_of_nodes()))
            truncated = g.graph["truncated"] or more.graph["truncated"]
            g = nx.compose(more, g)  # attributes of the main ego network win
            g.graph.update(truncated=truncated, seeds=[seed, *expanded])
    g.graph.setdefault("seeds", [seed])
    return g


def path_view(graph: EntityGraph, path: Sequence[str]) -> nx.Graph:
    """A shortest path's drawing: its nodes and only the links it takes (so the links drawn are the
    links :func:`~workbench.network.graph.describe_path` counts); its ends are the seeds."""
    g = to_networkx(graph, [graph.position(p) for p in path])
    on_path = {frozenset(e) for e in zip(path, path[1:], strict=False)}
    g.remove_edges_from([e for e in list(g.edges) if frozenset(e) not in on_path])
    g.graph["seeds"] = [path[0], path[-1]]
    return g


def community_table(graph: EntityGraph, comm: pd.Series) -> pd.DataFrame:
    """One row per community of :func:`~workbench.network.graph.communities`: its number, node count,
    its best-linked members by name (up to three, persons and companies first) and nodes per kind,
    largest first."""
    kinds = graph.nodes.set_index("node_id").loc[comm.index, "kind"]
    table = (
        pd.DataFrame({"community": comm.to_numpy(), "kind": kinds.to_numpy()})
        .pivot_table(index="community", columns="kind", aggfunc="size", fill_value=0)
        .reindex(columns=[k for k in NODE_KINDS if k in set(kinds)])
    )
    table.insert(0, "nodes", table.sum(axis=1))
    # who is in it: the best-linked persons and companies (else any nodes), by name, so that a group
    # reads as its people rather than a bare number
    nodes = graph.nodes.set_index("node_id").loc[comm.index]
    degree = pd.Series(graph.degree, index=graph.nodes["node_id"]).loc[comm.index]
    parties = nodes["kind"].isin(["person", "company"]).to_numpy()
    ranked = pd.DataFrame(
        {
            "community": comm.to_numpy(),
            "label": nodes["label"].astype(str).to_numpy(),
            "party": parties,
            "degree": degree.to_numpy(),
        }
    ).sort_values(["party", "degree"], ascending=False, kind="stable")
    members = ranked.groupby("community", sort=False)["label"].agg(lambda s: "; ".join(s.head(3)))
    table.insert(1, "members", members.reindex(table.index))
    return table.reset_index().sort_values("nodes", ascending=False)


def community_members(comm: pd.Series, community: int, limit: int = 60) -> list[str]:
    """Up to ``limit`` node ids of one community, in the order :func:`communities` lists them (what a
    drawing of the community starts from: the first is its seed, the others are expanded).

    >>> community_members(pd.Series([0, 1, 0], index=["a", "b", "c"]), 0)
    ['a', 'c']
    """
    return [str(n) for n in comm.index[comm == community][:limit]]


#: The review's views of the resolver's proposed pairs: what the Duplicates page offers.
PAIR_VIEWS: dict[str, str] = {
    "review": N_("to review (score 0.3–0.8, not judged)"),
    "linked": N_("linked"),
    "not_linked": N_("not linked"),
    "judged": N_("judged"),
}


def pairs_in_view(
    matches: pd.DataFrame, view: str, score_range: tuple[float, float] = (0.0, 1.0)
) -> pd.DataFrame:
    """The pairs of a resolution's ``matches`` in one of :data:`PAIR_VIEWS` with a score in
    ``score_range`` (both ends included): ``review`` holds the uncertain pairs (score 0.3 to 0.8) no one
    has judged, ``linked`` and ``not_linked`` follow the resolver (after judgements), ``judged`` the
    pairs an analyst decided.

    >>> m = pd.DataFrame({"score": [0.95, 0.5, 0.1, 0.6], "linked": [True, False, False, True],
    ...                   "decision": ["", "", "", "same"]})
    >>> [pairs_in_view(m, v).index.tolist() for v in PAIR_VIEWS]
    [[1], [0, 3], [1, 2], [3]]
    >>> pairs_in_view(m, "linked", (0.0, 0.9)).index.tolist()
    [3]
    """
    if view == "review":
        sel = matches[(matches["score"] >= 0.3) & (matches["score"] <= 0.8) & (matches["decision"] == "")]
    elif view == "linked":
        sel = matches[matches["linked"].astype(bool)]
    elif view == "not_linked":
        sel = matches[~matches["linked"].astype(bool)]
    elif view == "judged":
        sel = matches[matches["decision"] != ""]
    else:
        raise ValueError(
            _("view must be one of {pair_views}, not {view!r}", pair_views=", ".join(PAIR_VIEWS), view=view)
        )
    lo, hi = score_range
    return sel[(sel["score"] >= lo) & (sel["score"] <= hi)]
