"""External link charts (issue 14, part 4): each reader (edge list, matrix, GraphML, GEXF, i2) with its
errors naming file, row and column; hostile XML refused; storage on SQLite and PostgreSQL with the
permissions and the audit; rankings, paths and Louvain communities equal to networkx's on Zachary's karate
club; exports."""

from __future__ import annotations

import io
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest
import sqlalchemy as sa

from workbench.identity import PermissionDenied, Principal
from workbench.network import charts as C
from workbench.store import open_store

ANA = Principal("ana", "FR-DGDDI", frozenset({"analyst"}), personal=True)
VIC = Principal("vic", "FR-DGDDI", frozenset({"viewer"}), personal=False)


def _karate_csv(path: Path) -> Path:
    g = nx.karate_club_graph()
    rows = [(f"m{a}", f"m{b}", d["weight"]) for a, b, d in g.edges(data=True)]
    pd.DataFrame(rows, columns=["source", "target", "weight"]).to_csv(path, index=False)
    return path


# ------------------------------------------------------------------------------------ readers
def test_edge_list_with_weight_period_direction_and_attributes() -> None:
    text = "From,To,Trips,Year,direction,note\nAna,Bo,3,2021,directed,x\nBo,Cy,,2022,,\nAna,Bo,2,2022,directed,\n"
    c = C.read_edgelist(io.StringIO(text), name="t", file_name="t.csv", weight="Trips")
    assert c.directed and c.nodes["node"].tolist() == ["Ana", "Bo", "Cy"]
    assert c.edges[["source", "target", "weight", "directed", "period"]].values.tolist() == [
        ["Ana", "Bo", 3.0, True, "2021"],
        ["Bo", "Cy", 1.0, False, "2022"],
        ["Ana", "Bo", 2.0, True, "2022"],
    ]
    assert c.edges["attributes"].tolist() == [{"note": "x"}, {}, {}]
    g = C.chart_graph(c)  # parallel rows add up; an undirected row of a directed chart goes both ways
    assert g["Ana"]["Bo"]["weight"] == 5.0 and g.has_edge("Cy", "Bo")
    assert C.chart_graph(c, period="2022")["Ana"]["Bo"]["weight"] == 2.0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("source,target,weight\nA,B,1\nC,,2\n", "e.csv, row 3, column 'target': blank node"),
        ("source,target,weight\nA,B,1\nC,D,2kg\n", "e.csv, row 3, column 'weight': '2kg' is not a number"),
        ("source,target,direction\nA,B,sideways\n", "e.csv, row 2, column 'direction': 'sideways' is not a"),
        ("a\nb\n", "e.csv: an edge list needs a source and a target column"),
    ],
)
def test_edge_list_errors_name_file_row_and_column(text: str, message: str) -> None:
    with pytest.raises(C.ChartError, match=message.replace("(", r"\(")):
        C.read_edgelist(io.StringIO(text), name="e", file_name="e.csv")


def test_weight_column_that_is_not_there_is_named(tmp_path: Path) -> None:
    p = tmp_path / "e.csv"
    p.write_text("source,target\nA,B\n")
    with pytest.raises(
        C.ChartError, match="e.csv: no column 'trips' for the weight; the columns are: source, target"
    ):
        C.read_chart(p, name="e", weight="trips")


def test_adjacency_matrix_csv_and_xlsx(tmp_path: Path) -> None:
    m = pd.DataFrame(
        [[0, 1, 0, 2], [1, 0, 3, 0], [0, 3, 0, 1], [2, 0, 1, 0]],
        index=["Ana", "Bo", "Cy", "Dee"],
        columns=["Ana", "Bo", "Cy", "Dee"],
    )
    m.to_csv(tmp_path / "m.csv")
    m.to_excel(tmp_path / "m.xlsx")
    for f in ("m.csv", "m.xlsx"):
        c = C.read_chart(tmp_path / f, name="m", fmt="matrix")
        assert not c.directed and len(c.edges) == 4
        ref = nx.from_pandas_adjacency(m.astype(float))
        g = C.chart_graph(c)
        assert {frozenset(e) for e in g.edges} == {frozenset(e) for e in ref.edges}
        assert dict(g.degree(weight="weight")) == dict(ref.degree(weight="weight"))


def test_matrix_errors(tmp_path: Path) -> None:
    p = tmp_path / "covert.csv"
    p.write_text(",A,B,C\nA,0,1,0\nB,1,0,1\nC,1,1,0\n")
    with pytest.raises(
        C.ChartError, match=r"covert.csv, row 2, column 'C': 0, but row 4, column 'A' is 1: .*--directed"
    ):
        C.read_chart(p, name="c", fmt="matrix")
    directed = C.read_chart(p, name="c", fmt="matrix", directed=True)
    assert directed.directed and len(directed.edges) == 5
    p.write_text(",A,B\nA,0,1\nC,1,0\n")
    with pytest.raises(
        C.ChartError, match="row 3: the label 'C' is not the column's in the same place \\('B'\\)"
    ):
        C.read_chart(p, name="c", fmt="matrix")
    p.write_text(",A,B,C\nA,0,1,0\nB,1,0,1\n")
    with pytest.raises(C.ChartError, match="not square: 2 rows of labels but 3 columns"):
        C.read_chart(p, name="c", fmt="matrix")
    p.write_text(",A,B\nA,0,x\nB,x,0\n")
    with pytest.raises(C.ChartError, match="row 2, column 'B': 'x' is not a number"):
        C.read_chart(p, name="c", fmt="matrix")


def test_graphml_and_gexf_keep_attributes_weights_and_direction(tmp_path: Path) -> None:
    g = nx.DiGraph()
    g.add_node("p1", label="Ana Silva", role="courier")
    g.add_node("p2", label="Bo Berg")
    g.add_edge("p1", "p2", weight=4.0, period="2023")
    nx.write_graphml(g, tmp_path / "g.graphml")
    nx.write_gexf(g, tmp_path / "g.gexf")
    for f in ("g.graphml", "g.gexf"):
        c = C.read_chart(tmp_path / f, name="g")
        assert c.directed and c.format == f.split(".")[1]
        assert c.labels() == {"p1": "Ana Silva", "p2": "Bo Berg"}
        assert c.nodes.loc[0, "attributes"]["role"] == "courier"
        e = c.edges.iloc[0]
        assert (e["source"], e["target"], e["weight"], e["period"]) == ("p1", "p2", 4.0, "2023")


@pytest.mark.parametrize(
    "xml",
    [
        # billion laughs
        '<?xml version="1.0"?><!DOCTYPE g [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns"><graph edgedefault="undirected">'
        '<node id="&b;"/></graph></graphml>',
        # an external entity reading a local file
        '<?xml version="1.0"?><!DOCTYPE g [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns"><graph edgedefault="undirected">'
        '<node id="&x;"/></graph></graphml>',
    ],
)
def test_hostile_xml_is_refused(tmp_path: Path, xml: str) -> None:
    for fmt, name in (("graphml", "h.graphml"), ("gexf", "h.gexf"), ("i2", "h.anx")):
        p = tmp_path / name
        p.write_text(xml)
        with pytest.raises(C.ChartError, match=f"{name}: refused: the XML declares a document type"):
            C.read_chart(p, name="h", fmt=fmt)


ANX = """<?xml version="1.0" encoding="UTF-8"?>
<Chart>
 <AttributeClassCollection><AttributeClass Name="Phone" Id="ac1" Type="AttText"/></AttributeClassCollection>
 <ChartItemCollection>
  <ChartItem Label="Ana Silva"><End><Entity EntityId="e1" Identity="Ana Silva">
   <Icon><IconStyle Type="Person"/></Icon></Entity></End>
   <AttributeCollection><Attribute AttributeClassReference="ac1" Value="+33 6 12"/></AttributeCollection></ChartItem>
  <ChartItem Label="Bo Berg"><End><Entity EntityId="e2" Identity="Bo Berg">
   <Icon><IconStyle Type="Person"/></Icon></Entity></End></ChartItem>
  <ChartItem Label="Blue Ltd"><End><Entity EntityId="e3" Identity="Blue Ltd">
   <Icon><IconStyle Type="Organisation"/></Icon></Entity></End></ChartItem>
  <ChartItem Label="calls" DateTime="2023-04-02T10:00:00" DateSet="true">
   <Link End1Id="e1" End2Id="e2"><LinkStyle ArrowStyle="ArrowOnHead"/></Link>
   <AttributeCollection><Attribute AttributeClass="Calls" Value="12"/></AttributeCollection></ChartItem>
  <ChartItem Label="director"><Link End1Id="e3" End2Id="e2"><LinkStyle ArrowStyle="ArrowOnTail"/></Link></ChartItem>
 </ChartItemCollection>
</Chart>
"""


def test_i2_anx_entities_and_links(tmp_path: Path) -> None:
    p = tmp_path / "chart.anx"
    p.write_text(ANX)
    c = C.read_chart(p, name="i2", weight="Calls")
    assert c.format == "i2" and c.directed
    assert c.nodes[["node", "label", "kind"]].values.tolist() == [
        ["e1", "Ana Silva", "Person"],
        ["e2", "Bo Berg", "Person"],
        ["e3", "Blue Ltd", "Organisation"],
    ]
    assert c.nodes.loc[0, "attributes"] == {"Phone": "+33 6 12"}
    assert c.edges[["source", "target", "weight", "period", "relation"]].values.tolist() == [
        ["e1", "e2", 12.0, "2023-04-02", "calls"],
        ["e2", "e3", 1.0, None, "director"],  # an arrow on the tail points from End2 to End1
    ]
    p.write_text(ANX.replace('End2Id="e2"><LinkStyle ArrowStyle="ArrowOnHead"', 'End2Id="e9"><LinkStyle'))
    with pytest.raises(C.ChartError, match="chart.anx, chart item 4: the link's End2Id 'e9' is no entity"):
        C.read_chart(p, name="i2")


# ------------------------------------------------------------------------------------ analysis
def test_karate_club_rankings_paths_and_communities_equal_networkx(tmp_path: Path) -> None:
    path = _karate_csv(tmp_path / "karate.csv")
    chart = C.read_chart(path, name="karate", personal=False)
    # the reference: networkx on the same file, read by pandas
    ref = nx.from_pandas_edgelist(pd.read_csv(path), "source", "target", edge_attr="weight")
    rank = C.rank_chart(chart, by="betweenness")
    bc = nx.betweenness_centrality(ref, normalized=True)
    assert dict(zip(rank["node"], rank["betweenness"], strict=True)) == pytest.approx(bc)
    assert rank["node"].tolist()[:3] == sorted(bc, key=lambda n: (-bc[n], n))[:3] == ["m0", "m33", "m32"]
    deg = C.rank_chart(chart, by="degree", top=5)
    assert dict(zip(deg["node"], deg["degree"], strict=True)) == {n: ref.degree(n) for n in deg["node"]}
    assert deg["node"].tolist()[:2] == ["m33", "m0"] and deg["degree"].tolist()[:2] == [17, 16]
    wd = C.rank_chart(chart, by="weighted_degree")
    assert dict(zip(wd["node"], wd["weighted_degree"], strict=True)) == dict(ref.degree(weight="weight"))
    assert C.chart_path(chart, "m16", "m26") == [str(n) for n in nx.shortest_path(ref, "m16", "m26")]
    comm = C.chart_communities(chart, seed=7)
    parts = nx.community.louvain_communities(ref, weight="weight", seed=7)
    assert sorted(map(sorted, comm.attrs["parts"])) == sorted(map(sorted, parts))
    assert comm.attrs["modularity"] == pytest.approx(nx.community.modularity(ref, parts, weight="weight"))
    assert 0.35 < comm.attrs["modularity"] < 0.5


def test_search_and_exports() -> None:
    text = "source,target,weight,year\nJosé Ruiz,=HYPERLINK(1),2,2020\nJosé Ruiz,Bo,1,2021\n"
    c = C.read_edgelist(io.StringIO(text), name="x")
    assert C.search_chart(c, "JOSE")["label"].tolist() == ["José Ruiz"]
    assert C.search_chart(c, "nobody").empty
    back = nx.read_graphml(io.BytesIO(C.chart_bytes(c, "graphml")))
    assert back.number_of_edges() == 2 and back.nodes["José Ruiz"]["label"] == "José Ruiz"
    csv = pd.read_csv(io.BytesIO(C.chart_bytes(c, "csv")), dtype=str)
    assert csv["target"].tolist()[0].startswith("'=")  # a formula in a label is neutralised
    assert csv["period"].tolist() == ["2020", "2021"]


# ------------------------------------------------------------------------------------ the store
def test_store_load_permissions_and_audit(store_url: str, tmp_path: Path) -> None:
    store = open_store(store_url)
    path = _karate_csv(tmp_path / "karate.csv")
    covert = C.read_chart(path, name="covert cell")  # personal by default
    countries = C.read_edgelist(
        io.StringIO("source,target,weight\nCO,ES,4\nES,FR,2\n"), name="routes", personal=False
    )
    with pytest.raises(PermissionDenied):
        C.store_chart(store, covert, actor=VIC)
    C.store_chart(store, covert, actor=ANA)
    C.store_chart(store, countries, actor=ANA)
    with pytest.raises(C.ChartError, match="a chart named 'routes' is already stored"):
        C.store_chart(store, countries, actor=ANA)
    listed = C.list_charts(store, actor=VIC)
    assert listed[["name", "nodes", "edges", "personal", "organisation", "uploaded_by"]].values.tolist() == [
        ["covert cell", 34, 78, True, "FR-DGDDI", "ana"],
        ["routes", 3, 2, False, "FR-DGDDI", "ana"],
    ]
    back = C.load_chart(store, "covert cell", actor=ANA)
    assert back.nodes["node"].tolist() == covert.nodes["node"].tolist()
    pd.testing.assert_frame_equal(
        back.edges.drop(columns="attributes"), covert.edges.drop(columns="attributes"), check_dtype=False
    )
    assert C.rank_chart(back).equals(C.rank_chart(covert))
    with pytest.raises(PermissionDenied):  # node labels of a personal chart: view_personal
        C.load_chart(store, "covert cell", actor=VIC)
    assert C.load_chart(store, "routes", actor=VIC).labels() == {"CO": "CO", "ES": "ES", "FR": "FR"}
    with pytest.raises(C.ChartError, match="no chart named 'nope'"):
        C.load_chart(store, "nope", actor=ANA)
    with pytest.raises(C.ChartError, match="legal basis"):
        C.export_chart(store, back, actor=ANA)
    assert C.export_chart(store, back, "csv", actor=ANA, legal_basis="art. 8 LED").startswith(b"source,")
    with store.connect() as conn:
        log = conn.execute(sa.text('select action, "user" from audit_log order by seq')).all()
    actions = [a for a, _who in log]
    assert actions.count("collect.link_chart") == 2
    assert actions.count("consult.link_chart") == 1  # the personal chart only
    assert actions[-1] == "export.link_chart"
    C.delete_chart(store, "routes", actor=ANA)
    assert C.list_charts(store, actor=ANA)["name"].tolist() == ["covert cell"]
    store.engine.dispose()


def test_betweenness_is_estimated_on_large_charts_only() -> None:
    small = C.read_edgelist(io.StringIO("source,target\nA,B\nB,C\n"), name="s")
    assert C.rank_chart(small).attrs["betweenness_pivots"] is None
    rows = "\n".join(f"n{i},n{i + 1}" for i in range(C.EXACT_BETWEENNESS_NODES + 50))
    large = C.read_edgelist(io.StringIO("source,target\n" + rows + "\n"), name="l")
    ranked = C.rank_chart(large, by="betweenness", top=3)
    assert ranked.attrs["betweenness_pivots"] == C.BETWEENNESS_PIVOTS
    # the middle of a path is still where the shortest paths go
    middle = (C.EXACT_BETWEENNESS_NODES + 50) // 2
    assert all(abs(int(n[1:]) - middle) < 150 for n in ranked["node"])
    by_degree = C.rank_chart(large, by="degree")  # not asked for on a large chart: not computed
    assert by_degree["betweenness"].isna().all() and by_degree.attrs["betweenness_pivots"] is None


def test_hubs_rank_every_country_of_case_flows_and_of_an_edge_list(flow_base) -> None:  # type: ignore[no-untyped-def]
    from workbench.routes.flows import edge_list_flows, route_flows
    from workbench.routes.hubs import country_hubs, hub_ranking

    legs = route_flows(flow_base, "legs", include_internal=False)
    every = country_hubs(legs)
    countries = set(legs["origin"]) | set(legs["destination"])
    assert set(every["country"]) == countries
    assert set(hub_ranking(flow_base)["hub"]) < countries  # the transit hubs are only some of them
    for c in every["country"]:  # weighted degree = the cases on the legs in and out, as pandas sums them
        expected = (
            legs.loc[legs["origin"] == c, "cases"].sum() + legs.loc[legs["destination"] == c, "cases"].sum()
        )
        assert every.loc[every["country"] == c, "weighted_degree"].item() == expected
    edges = pd.DataFrame({"source": ["Colombia", "Atlantis"], "target": ["ES", "FR"], "weight": [1, 2]})
    with pytest.raises(ValueError, match="flows.csv, row 3, column 'source': 'Atlantis' is not a country"):
        edge_list_flows(edges, file_name="flows.csv")
