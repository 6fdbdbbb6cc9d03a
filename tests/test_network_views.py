"""What the Network and Duplicates pages draw and list, from the core (workbench.network.views)."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.network.graph import build_graph, communities
from workbench.network.views import (
    PAIR_VIEWS,
    community_members,
    community_table,
    ego_view,
    pairs_in_view,
    path_view,
)


@pytest.fixture(scope="module")
def chain():  # type: ignore[no-untyped-def]
    """Five cases in a chain: each case's courier shares a phone with the next case's courier."""
    n = 5
    cases = pd.DataFrame({"reporting_country": "FR", "case_id": [f"C{i}" for i in range(n)]})
    persons = pd.DataFrame(
        {
            "reporting_country": "FR",
            "case_id": [f"C{i}" for i in range(n) for _ in (0, 1)],
            "person_id": [f"P{i}{k}" for i in range(n) for k in (0, 1)],
            "role": "courier",
            "first_name": [f"N{i}{k}" for i in range(n) for k in (0, 1)],
            "last_name": "Doe",
            # person k=1 of case i and person k=0 of case i+1 share a phone
            "phone": [f"+33 6 00 00 0{i + k:02d}" for i in range(n) for k in (0, 1)],
        }
    )
    return build_graph(cases, persons)


def test_expanding_opens_one_hop_around_each_expanded_node(chain) -> None:  # type: ignore[no-untyped-def]
    seed = "case:FR:C0"
    base = ego_view(chain, seed, hops=1)
    assert "case:FR:C1" not in base  # two hops away
    edge = next(n for n in base if base.nodes[n]["degree"] > base.degree(n))  # has links not drawn
    wider = ego_view(chain, seed, hops=1, expanded=[edge])
    assert set(base) < set(wider) and wider.graph["seeds"] == [seed, edge]
    # the seed's own ego network keeps its attributes (its hop counts) where the two overlap
    assert all(wider.nodes[n]["hop"] == base.nodes[n]["hop"] for n in base)
    # a node that is not in this graph (another filter) is skipped, not an error
    assert set(ego_view(chain, seed, hops=1, expanded=["person:XX:gone"])) == set(base)


def test_the_limit_caps_the_expansions_too(chain) -> None:  # type: ignore[no-untyped-def]
    seed = "case:FR:C0"
    full = ego_view(chain, seed, hops=3)
    capped = ego_view(chain, seed, hops=3, max_nodes=4)
    assert len(capped) < len(full) and capped.graph["truncated"]
    # once the drawing is full, expanding adds nothing
    base = ego_view(chain, seed, hops=1)
    expanded = [n for n in base if base.nodes[n]["degree"] > base.degree(n)]
    assert expanded and set(ego_view(chain, seed, hops=1, expanded=expanded, max_nodes=len(base))) == set(
        base
    )
    assert len(ego_view(chain, seed, hops=1, expanded=expanded)) > len(base)


def test_a_path_is_drawn_with_only_its_links(chain) -> None:  # type: ignore[no-untyped-def]
    from workbench.network.graph import shortest_path

    path = shortest_path(chain, "case:FR:C0", "case:FR:C2")
    assert path is not None
    drawn = path_view(chain, path)
    assert set(drawn.nodes) == set(path)
    assert drawn.number_of_edges() == len(path) - 1 and drawn.graph["seeds"] == [path[0], path[-1]]


def test_communities_table_and_members(chain) -> None:  # type: ignore[no-untyped-def]
    comm = communities(chain)
    table = community_table(chain, comm)
    assert table["nodes"].sum() == len(comm) and table["nodes"].is_monotonic_decreasing
    # issue 15: a group reads as its members, not a bare number
    labels = dict(zip(chain.nodes["node_id"], chain.nodes["label"], strict=True))
    top = table.iloc[0]
    shown = top["members"].split("; ")
    assert 1 <= len(shown) <= 3
    assert all(name in {labels[n] for n in comm.index[comm == top["community"]]} for name in shown)
    first = int(table.iloc[0]["community"])
    members = community_members(comm, first, limit=3)
    assert len(members) == min(3, int(table.iloc[0]["nodes"])) and all(comm[m] == first for m in members)


@pytest.mark.parametrize(
    ("view", "expected"),
    [("review", ["b"]), ("linked", ["a", "d"]), ("not_linked", ["b", "c"]), ("judged", ["d"])],
)
def test_pairs_in_each_view(view: str, expected: list[str]) -> None:
    m = pd.DataFrame(
        {
            "score": [0.95, 0.5, 0.1, 0.6],
            "linked": [True, False, False, True],
            "decision": ["", "", "", "same"],
        },
        index=list("abcd"),
    )
    assert pairs_in_view(m, view).index.tolist() == expected
    assert set(PAIR_VIEWS) == {"review", "linked", "not_linked", "judged"}
    with pytest.raises(ValueError, match="view must be one of"):
        pairs_in_view(m, "everything")
