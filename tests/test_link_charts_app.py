"""AppTest: the Network page opens a stored link chart (issue 14, part 4): the selector, the figures, the
drawing around a searched node, Louvain's modularity as networkx gives it, the ranking, the path; a viewer
is told the personal chart is not for them."""

from __future__ import annotations

import networkx as nx
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT, state_purpose
from workbench.identity import Principal
from workbench.network import charts as C
from workbench.store import open_store

APP = str(ROOT / "app.py")
ANA = Principal("ana", "local", frozenset({"analyst"}), personal=True)


@pytest.fixture()
def chart_store(store_copy: str, tmp_path) -> str:  # type: ignore[no-untyped-def]
    g = nx.karate_club_graph()
    rows = [(f"member {a}", f"member {b}", d["weight"]) for a, b, d in g.edges(data=True)]
    path = tmp_path / "karate.csv"
    pd.DataFrame(rows, columns=["source", "target", "weight"]).to_csv(path, index=False)
    store = open_store(store_copy)
    C.store_chart(store, C.read_chart(path, name="karate"), actor=ANA)
    store.engine.dispose()
    return store_copy


def _open(url: str, role: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("WORKBENCH_DB_URL", url)
    monkeypatch.setenv("WORKBENCH_ROLE", role)
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    state_purpose(at)
    at.switch_page("pages/network.py")
    at.run()
    assert not at.exception, at.exception
    return at


def test_the_network_page_opens_a_stored_chart(chart_store: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _open(chart_store, "analyst", monkeypatch)
    assert at.selectbox(key="net_source").options == ["Case graph", "Link chart: karate"]
    at.selectbox(key="net_source").set_value("karate").run()
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Nodes"] == "34" and metrics["Links"] == "78" and metrics["Node labels"] == "personal"
    # networkx on the same edges, in the file's order (Louvain's result depends on it)
    rows = [
        (f"member {a}", f"member {b}", d["weight"]) for a, b, d in nx.karate_club_graph().edges(data=True)
    ]
    ref = nx.from_pandas_edgelist(
        pd.DataFrame(rows, columns=["s", "t", "weight"]), "s", "t", edge_attr="weight"
    )
    parts = nx.community.louvain_communities(ref, weight="weight", seed=0)
    q = nx.community.modularity(ref, parts, weight="weight")
    assert metrics["Modularity (Louvain, weighted)"] == f"{q:.3f}"
    # the drawing: the whole chart, then the nodes within 1 hop of a searched one
    at.text_input(key="chart_seed_text").set_value("member 33").run()
    at.slider(key="chart_hops").set_value(1).run()
    assert not at.exception, at.exception
    assert f"{ref.degree('member 33') + 1} nodes drawn" in [c.value for c in at.caption]
    # the ranking: degree first, as networkx counts it
    communities, ranking = (d.value for d in at.dataframe)
    assert communities["size"].sum() == 34 and len(communities) == len(parts)
    assert ranking.iloc[0]["label"] == "member 33" and int(ranking.iloc[0]["degree"]) == 17
    # a path
    at.text_input(key="chart_path_a_text").set_value("member 16").run()
    at.text_input(key="chart_path_b_text").set_value("member 26").run()
    labels = nx.shortest_path(ref, "member 16", "member 26")
    assert any(s.value == " → ".join(labels) for s in at.success)


def test_a_viewer_sees_no_personal_chart(chart_store: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _open(chart_store, "viewer", monkeypatch)
    at.selectbox(key="net_source").set_value("karate").run()
    assert not at.exception, at.exception
    assert any("names persons, which your role may not see" in i.value for i in at.info)
