"""Opening a search hit (:func:`workbench.store.search.search`) in the entity graph.

The graph keeps only the identifiers that link two records (:mod:`workbench.network.graph`), but a user
searches every identifier they hold: a phone seen on one case must open too. :func:`open_hit` gives
the graph node a hit stands for (a party record's resolved entity, a case, an identifier or a
conveyance) and, when the graph left that identifier out because only one record holds it, a graph
with the node added and linked to the records that hold it, so that its ego network shows the case
and its parties.

Examples
--------
>>> import pandas as pd
>>> from workbench.network.graph import build_graph, ego_network
>>> cases = pd.DataFrame({"reporting_country": ["FR"], "case_id": ["C1"]})
>>> persons = pd.DataFrame({"reporting_country": ["FR", "FR"], "case_id": ["C1", "C1"],
...     "person_id": ["P1", "P2"], "first_name": ["Ana", "Bo"], "last_name": ["Silva", "Berg"],
...     "phone": ["+44 7700 900123", None]})
>>> g = build_graph(cases, persons)
>>> "phone:+447700900123" in g.index.index
False
>>> hit = {"kind": "phone", "node": "phone:+447700900123", "normal": "+447700900123",
...        "records": ["persons:FR:C1:P1"]}
>>> opened, node = open_hit(g, hit)
>>> node, sorted(ego_network(opened, node, hops=2).nodes)
('phone:+447700900123', ['case:FR:C1', 'person:FR:C1:P1', 'person:FR:C1:P2', 'phone:+447700900123'])
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from workbench.network.graph import PARTY_TABLES, EntityGraph

__all__ = ["open_hit", "holders"]


def holders(graph: EntityGraph, records: list[str]) -> list[str]:
    """The graph nodes of the rows holding a hit (``table:RC:case_id[:record_id]``, as the search lists
    them): a party record's entity, or a case; rows outside the graph (another filter) are left out."""
    out: list[str] = []
    if len(graph.records):
        by_record = graph.records.drop_duplicates("record_key").set_index("record_key")["node_id"]
    else:
        by_record = pd.Series(dtype=object)
    for rec in records:
        table, _, key = rec.partition(":")
        if table in PARTY_TABLES:
            node = by_record.get(key)
        else:
            node = "case:" + ":".join(key.split(":")[:2])
        if isinstance(node, str) and node in graph.index.index and node not in out:
            out.append(node)
    return out


def open_hit(graph: EntityGraph, hit: Mapping[str, Any]) -> tuple[EntityGraph, str | None]:
    """The graph to draw a search hit in and the node to centre on (None: nothing of it is in the
    graph, e.g. a place, or its cases are outside the filter).

    ``hit``: a row of :func:`workbench.store.search.search` (``kind``, ``node``, ``normal``,
    ``records``). A party hit opens its first record's entity; an identifier or a conveyance the graph
    left out (held by one record) is added, linked to the records holding it.
    """
    kind, node = str(hit.get("kind") or ""), hit.get("node")
    records = list(hit.get("records") or [])
    if kind in PARTY_TABLES.values() or kind == "case":
        found = holders(graph, records)
        return graph, (found[0] if found else None)
    if not isinstance(node, str) or not node:
        return graph, None
    if node in graph.index.index:
        return graph, node
    linked = holders(graph, records)
    if not linked:
        return graph, None
    subkind = node.split(":")[1] if kind == "conveyance" else ""
    relation = subkind or kind
    start = len(graph.nodes)
    nodes = pd.concat(
        [
            graph.nodes,
            pd.DataFrame(
                {
                    "node_id": [node],
                    "kind": [kind],
                    "label": [str(hit.get("normal") or node)],
                    "subkind": [subkind],
                }
            ),
        ],
        ignore_index=True,
    )
    positions = graph.index.reindex(linked).astype("int64").to_numpy()
    edges = pd.concat(
        [
            graph.edges,
            pd.DataFrame({"source": positions, "target": start, "relation": relation}).astype(
                graph.edges.dtypes.to_dict()
            ),
        ],
        ignore_index=True,
    )
    degree = None if graph.node_degree is None else np.r_[graph.node_degree, len(positions)]
    return EntityGraph(nodes, edges, graph.records, graph.cases, graph.hub_degree, degree), node
