"""The entity graph: normalisation and construction on hand-made cases, the planted networks of the
default sample, exports that load back, and the ``workbench graph`` command."""

from __future__ import annotations

import io
import json

import networkx as nx
import pandas as pd
import pytest

from tests.conftest import ROOT
from workbench.format.normalise import (
    address_key,
    canonical_phone,
    company_key,
    conveyance_key,
    identifier_key,
    legal_form,
    name_key,
    name_skeleton,
)
from workbench.format.schema import FORMAT
from workbench.network.export import i2_tables, write_graph
from workbench.network.graph import (
    CONVEYANCE_KINDS,
    IDENTIFIER_COLUMNS,
    NODE_KINDS,
    PARTY_TABLES,
    build_graph,
    communities,
    ego_network,
    entity_card,
    rankings,
    search_nodes,
    shortest_path,
)


# ------------------------------------------------------------------------------------ normalisation
@pytest.mark.parametrize(
    ("a", "b"),
    [
        (("+234 803 123 4567",), ("002348031234567",)),
        (("+234-803-123-4567",), ("0803 123 4567", "NG")),
        (("00234 803 1234567",), ("+2348031234567",)),
        (("+44 20 7946 0958",), ("020 7946 0958", "GB")),
    ],
)
def test_phone_styles_meet(a: tuple[str, ...], b: tuple[str, ...]) -> None:
    assert canonical_phone(*a) == canonical_phone(*b) != ""


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        (("MOHAMMED", "Ali"), ("Ali", "Mohammed"), True),
        (("José", "Núñez"), ("jose", "NUNEZ"), True),
        (("O'Brien", "Seán"), ("o brien", "sean"), True),
        (("Ana", "Silva"), ("Ana", "Silvas"), False),
    ],
)
def test_name_keys(a: tuple[str, str], b: tuple[str, str], same: bool) -> None:
    assert (name_key(*a) == name_key(*b)) is same


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Muhammad Yusuf", "Mohamed Youssef"),
        ("Hussein Khalid", "Huseyin Khaled"),
        ("Mustafa Ibrahim", "Moustapha Ebrahim"),
        ("Oumar Ousmane", "Umar Usman"),
        ("Ahmed", "Ahmet"),
    ],
)
def test_transliterations_share_a_skeleton(a: str, b: str) -> None:
    assert name_skeleton(a) == name_skeleton(b)


def test_addresses_identifiers_conveyances_companies() -> None:
    assert address_key("5 Harbour Rd., LAGOS") == address_key("5 harbour road, Lagos")
    assert address_key("5 Harbour Road") != address_key("6 Harbour Road")
    assert identifier_key("ab 12-34") == "AB1234"
    assert conveyance_key("aircraft", "KL 0592") == conveyance_key("aircraft", "kl592") == "KL592"
    assert conveyance_key("vessel", "IMO 9321483") == conveyance_key("vessel", "9321483")
    assert company_key("Golden Star Trading Co., Ltd.") == company_key("GOLDEN STAR TRDG CO LTD")
    assert legal_form("Euro Foods B.V.") == legal_form("Euro Foods BV") != legal_form("Euro Foods SA")


# ----------------------------------------------------------------------------- graph construction
def test_kinds_come_from_the_format() -> None:
    assert set(PARTY_TABLES) == {t for t, spec in FORMAT.tables.items() if spec.personal}
    for table, cols in IDENTIFIER_COLUMNS.items():
        assert set(cols) <= set(FORMAT.table(table).column_names)
    assert set(CONVEYANCE_KINDS) <= set(FORMAT.enums["conveyance_type"])
    assert NODE_KINDS[0] == "case"


@pytest.fixture()
def tiny() -> dict[str, pd.DataFrame]:
    """Three cases: two couriers sharing a phone (written two ways), one consignee company in two
    cases (one record each), a flight shared by cases 1 and 3, a unique vehicle plate."""
    cases = pd.DataFrame(
        {
            "reporting_country": ["FR", "DE", "NL"],
            "case_id": ["C1", "C2", "C3"],
            "seizure_date": ["2024-01-05", "2024-02-01", "2024-03-09"],
            "departure_country": ["BR", "NG", "BR"],
            "transit_countries": ["", "ES", ""],
            "destination_country": ["FR", "DE", "NL"],
            "conveyance_type": ["aircraft", "car", "aircraft"],
            "conveyance_id": ["AF 0012", "AB-123-CD", "AF12"],
        }
    )
    persons = pd.DataFrame(
        {
            "reporting_country": ["FR", "DE", "DE"],
            "case_id": ["C1", "C2", "C2"],
            "person_id": ["P1", "P2", "P3"],
            "role": ["courier", "courier", "driver"],
            "first_name": ["Ana", "Bo", "Cy"],
            "last_name": ["Silva", "Berg", "Hale"],
            "nationality": ["NG", "NG", "DE"],
            "phone": ["+234 803 123 4567", "0803 123 4567", ""],
            "passport_number": ["X1", "Y2", "Z3"],
        }
    )
    companies = pd.DataFrame(
        {
            "reporting_country": ["DE", "NL"],
            "case_id": ["C2", "C3"],
            "company_id": ["K1", "K2"],
            "role": ["consignee", "consignee"],
            "name": ["Euro Foods BV", "EURO FOODS B.V."],
            "country": ["NL", "NL"],
            "registration_number": ["NL-123", "nl 123"],
        }
    )
    return {"cases": cases, "persons": persons, "companies": companies}


def test_graph_nodes_and_edges(tiny: dict[str, pd.DataFrame]) -> None:
    g = build_graph(tiny["cases"], tiny["persons"], tiny["companies"])
    assert g.counts() == {
        "case": 3,
        "person": 3,
        "company": 2,
        "registration": 1,
        "phone": 1,
        "conveyance": 1,
    }
    nxg = nx.Graph()
    ids = g.nodes["node_id"].tolist()
    nxg.add_edges_from((ids[s], ids[t], {"relation": r}) for s, t, r in g.edges.itertuples(index=False))
    assert nxg.edges["person:DE:C2:P3", "case:DE:C2"]["relation"] == "driver"
    assert nxg.edges["phone:+2348031234567", "person:FR:C1:P1"]["relation"] == "phone"
    assert nxg.edges["case:FR:C1", "conveyance:flight:AF12"]["relation"] == "aircraft"
    assert nxg.has_edge("registration:NL123", "company:NL:C3:K2")
    # unique identifiers (passports, the plate) link nothing and are left out
    assert not any(n.startswith(("passport:", "conveyance:vehicle")) for n in ids)


def test_resolved_entities_merge_records(tiny: dict[str, pd.DataFrame]) -> None:
    from workbench.network.resolve import resolve

    ents = resolve(tiny["companies"], "company").entity_of
    g = build_graph(tiny["cases"], tiny["persons"], tiny["companies"], entities={"companies": ents})
    assert g.counts()["company"] == 1
    company = next(n for n in g.nodes["node_id"] if n.startswith("company:"))
    card = entity_card(g, company)
    assert card["cases"]["case_key"].tolist() == ["DE:C2", "NL:C3"]
    assert card["cases"]["role"].tolist() == ["consignee", "consignee"]
    assert card["cases"]["route"].tolist() == ["NG → ES → DE", "BR → NL"]
    assert card["records"] == 2 and len(card["names"]) == 2


def test_non_personal_graph_has_no_personal_nodes(tiny: dict[str, pd.DataFrame]) -> None:
    g = build_graph(tiny["cases"], personal_conveyances=False)
    assert set(g.nodes["kind"]) == {"case", "conveyance"}
    assert not g.nodes["node_id"].str.startswith("conveyance:vehicle").any()


def test_ego_path_search_hubs(tiny: dict[str, pd.DataFrame]) -> None:
    g = build_graph(tiny["cases"], tiny["persons"], tiny["companies"])
    one = ego_network(g, "person:FR:C1:P1", hops=1)
    assert "person:DE:C2:P2" in one  # via the shared phone
    assert "person:DE:C2:P3" not in one  # two links away
    assert "person:DE:C2:P3" in ego_network(g, "person:FR:C1:P1", hops=2)
    assert shortest_path(g, "person:FR:C1:P1", "company:NL:C3:K2") == [
        "person:FR:C1:P1",
        "case:FR:C1",
        "conveyance:flight:AF12",
        "case:NL:C3",
        "company:NL:C3:K2",
    ]
    assert search_nodes(g, "silva")["node_id"].tolist() == ["person:FR:C1:P1"]
    # with a hub limit of 1, the flight (2 cases) is a hub: shown, not expanded, avoided by paths
    g.hub_degree = 1
    ego = ego_network(g, "case:FR:C1", hops=1)
    assert ego.nodes["conveyance:flight:AF12"]["hub"] and "case:NL:C3" not in ego
    assert shortest_path(g, "case:FR:C1", "case:NL:C3") is None
    assert shortest_path(g, "case:FR:C1", "case:NL:C3", avoid_hubs=False) is not None


def test_ego_network_is_capped(tiny: dict[str, pd.DataFrame]) -> None:
    g = build_graph(tiny["cases"], tiny["persons"], tiny["companies"])
    ego = ego_network(g, "case:DE:C2", hops=3, max_nodes=4)
    assert ego.number_of_nodes() == 4 and ego.graph["truncated"]


# --------------------------------------------------------------------------- the planted networks
@pytest.fixture(scope="module")
def default_graph():  # type: ignore[no-untyped-def]
    """The shipped default sample (20,000 cases) as a resolved entity graph, and its truth."""
    from workbench.network.resolve import resolve

    folder = ROOT / "sample_data" / "default"
    read = lambda name: pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False)  # noqa: E731
    cases, persons, companies = read("cases"), read("persons"), read("companies")
    p_ent = resolve(persons, "person", explain=False).entity_of
    c_ent = resolve(companies, "company", explain=False).entity_of
    g = build_graph(cases, persons, companies, entities={"persons": p_ent, "companies": c_ent})
    truth = json.loads((ROOT / "sample_data" / "default_truth.json").read_text())
    node_of = {}
    for df, ent, kind in ((persons, p_ent, "person"), (companies, c_ent, "company")):
        keys = df["reporting_country"] + ":" + df["case_id"] + ":" + df[f"{kind}_id"]
        node_of.update(dict(zip(df[f"{kind}_id"], kind + ":" + keys.map(ent), strict=True)))
    return g, truth, node_of


def test_planted_networks_are_found(default_graph) -> None:  # type: ignore[no-untyped-def]
    g, truth, node_of = default_graph
    comm = communities(g)
    kinds = set()
    for net in truth["networks"]:
        members = sorted({node_of[p] for p in net["person_ids"]} | {node_of[c] for c in net["company_ids"]})
        cases = [f"case:{rc}:{cid}" for rc, cid in net["case_keys"]]
        for m in members:
            ego = ego_network(g, m, hops=2)
            missing = [x for x in members + cases if x not in ego]
            assert not missing, f"{net['name']}: from {m} the 2-hop ego network misses {missing[:5]}"
        found = {int(comm.get(x, -1)) for x in members + cases}
        assert len(found) == 1 and -1 not in found, f"{net['name']}: members in communities {found}"
        kinds.add(net["kind"])
        print(
            f"{net['name']}: {len(members)} entities, {len(cases)} cases, one community of {int((comm == found.pop()).sum())} nodes"
        )
    assert kinds == {"shared_consignee", "shared_phone", "shared_address", "travel_group", "organiser"}


def test_rankings(default_graph) -> None:  # type: ignore[no-untyped-def]
    g, _, _ = default_graph
    r = rankings(g, top=10)
    assert {"node_id", "degree", "betweenness"} <= set(r.columns)
    assert r["degree"].iloc[0] == r["degree"].max() > 1
    assert r["betweenness"].notna().any() and r.attrs["betweenness_nodes"] > 0


# ------------------------------------------------------------------------------------------ exports
@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_graphml_gexf_round_trip(tiny: dict[str, pd.DataFrame], fmt: str) -> None:
    g = build_graph(tiny["cases"], tiny["persons"], tiny["companies"])
    buf = io.BytesIO()
    write_graph(g, buf, fmt)
    back = (nx.read_graphml if fmt == "graphml" else nx.read_gexf)(io.BytesIO(buf.getvalue()))
    ids = g.nodes["node_id"].tolist()
    assert set(back.nodes) == set(ids)
    assert {frozenset(e) for e in back.edges} == {
        frozenset((ids[s], ids[t])) for s, t in zip(g.edges["source"], g.edges["target"], strict=True)
    }
    assert back.nodes["person:FR:C1:P1"]["kind"] == "person"
    assert back.edges["person:DE:C2:P3", "case:DE:C2"]["relation"] == "driver"


def test_i2_workbook(tiny: dict[str, pd.DataFrame]) -> None:
    import openpyxl

    g = build_graph(tiny["cases"], tiny["persons"], tiny["companies"])
    tables = i2_tables(g)
    assert len(tables["Entities"]) == len(g.nodes) and len(tables["Links"]) == len(g.edges)
    buf = io.BytesIO()
    write_graph(g, buf, "i2")
    wb = openpyxl.load_workbook(io.BytesIO(buf.getvalue()))
    assert wb.sheetnames == ["Entities", "Links"]
    header = [c.value for c in next(r for r in wb["Links"].iter_rows() if r[0].value == "From Identity")]
    assert header == ["From Identity", "To Identity", "Link Type"]


def test_ftm_entities_load_with_followthemoney(tiny: dict[str, pd.DataFrame]) -> None:
    followthemoney = pytest.importorskip("followthemoney")
    g = build_graph(tiny["cases"], tiny["persons"], tiny["companies"])
    buf = io.BytesIO()
    write_graph(g, buf, "ftm")
    proxies = [
        followthemoney.model.get_proxy(json.loads(line)) for line in buf.getvalue().decode().splitlines()
    ]
    schemata = {p.schema.name for p in proxies}
    assert {"Person", "Company", "Event", "UnknownLink"} <= schemata
    ana = next(p for p in proxies if p.schema.name == "Person" and "Ana Silva" in p.get("name"))
    assert ana.get("phone") == ["+2348031234567"]
    links = [p for p in proxies if p.schema.name == "UnknownLink"]
    assert {"courier", "driver", "consignee"} <= {r for p in links for r in p.get("role")}


def test_graph_command(tmp_path, small_sample_dir, store_copy) -> None:  # type: ignore[no-untyped-def]
    from workbench.cli import main

    out = tmp_path / "g.gexf"
    assert main(["graph", str(small_sample_dir), "--format", "gexf", "--out", str(out)]) == 0
    g = nx.read_gexf(out)
    assert any(n.startswith("person:") for n in g) and any(n.startswith("case:") for n in g)
    out2 = tmp_path / "g.graphml"
    # a graph of the store with persons is a personal export: a legal basis, and the audit log
    import sqlalchemy as sa

    db = store_copy
    args = ["graph", "--db", db, "--format", "graphml", "--out", str(out2), "--category", "drugs"]
    assert main(args) == 2 and not out2.exists()
    assert main([*args, "--legal-basis", "MAA FR-ES art. 4"]) == 0
    assert 0 < nx.read_graphml(out2).number_of_nodes() < g.number_of_nodes()
    with sa.create_engine(db).connect() as conn:
        details = conn.execute(
            sa.text("select details from audit_log where action = 'export.graph'")
        ).scalars()
        assert ["MAA FR-ES art. 4" in d for d in details] == [True]
    assert (
        main(["graph", str(tmp_path / "missing"), "--format", "i2", "--out", str(tmp_path / "x.xlsx")]) == 2
    )


# ------------------------------------------------------------------------- what a new user reads
def test_entity_is_labelled_with_its_most_common_spelling() -> None:
    """A typo on the first record does not name the entity: the spelling most records use does."""
    cases = pd.DataFrame({"reporting_country": ["FR"] * 3, "case_id": ["C1", "C2", "C3"]})
    persons = pd.DataFrame(
        {
            "reporting_country": ["FR"] * 3,
            "case_id": ["C1", "C2", "C3"],
            "person_id": ["P1", "P2", "P3"],
            "first_name": ["Lkas", "Lukas", "Lukas"],
            "last_name": ["Visser", "Visser", "Visser"],
        }
    )
    one = pd.Series("E1", index=["FR:C1:P1", "FR:C2:P2", "FR:C3:P3"])
    g = build_graph(cases, persons, entities={"persons": one})
    assert g.nodes.set_index("node_id").at["person:E1", "label"] == "Lukas Visser"
    # a tie goes to the name seen first
    g2 = build_graph(cases.head(2), persons.head(2), entities={"persons": one.head(2)})
    assert g2.nodes.set_index("node_id").at["person:E1", "label"] == "Lkas Visser"


def test_search_tells_apart_entities_of_the_same_name(tiny: dict[str, pd.DataFrame]) -> None:
    persons = tiny["persons"].copy()
    persons.loc[1, ["first_name", "last_name", "phone"]] = ["Ana", "Silva", ""]  # a second, other Ana Silva
    g = build_graph(tiny["cases"], persons, tiny["companies"])
    found = search_nodes(g, "ana silva")
    assert len(found) == 2 and found["label"].nunique() == 1
    shown = (
        found["label"] + " · " + found["kind"] + " · " + found["detail"] + " · " + found["degree"].astype(str)
    )
    assert shown.is_unique, shown.tolist()
    assert set(found["detail"]) == {"case C1 (FR)", "case C2 (DE)"}


def test_path_is_described_by_labels_and_drawn_with_its_links(tiny: dict[str, pd.DataFrame]) -> None:
    from workbench.network.graph import describe_path
    from workbench.network.views import path_view

    g = build_graph(tiny["cases"], tiny["persons"], tiny["companies"])
    path = shortest_path(g, "person:FR:C1:P1", "person:DE:C2:P3")
    assert path is not None and len(path) == 5  # Ana - phone - Bo - case C2 - Cy
    text = describe_path(g, path)
    assert text.startswith("Linked by 4 links (3 entities in between): Ana Silva (person) → ")
    assert "person:" not in text and "case:" not in text and "Cy Hale (person)" in text
    drawn = path_view(g, path)
    assert drawn.number_of_edges() == 4 and drawn.number_of_nodes() == 5
