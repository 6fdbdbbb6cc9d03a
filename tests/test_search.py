"""Search everything (workbench.store.search), on SQLite and PostgreSQL, and opening a hit in the graph."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from workbench.identity import Principal
from workbench.store import AuditEntry, open_store
from workbench.store.search import HIT_KINDS, MATCHES, SOURCES, search

ANALYST = Principal("searcher", "TEST", frozenset({"analyst"}), personal=True, mode="local")
VIEWER = Principal("looker", "TEST", frozenset({"viewer"}), mode="local")


def _tables() -> dict[str, pd.DataFrame]:
    cases = pd.DataFrame(
        {
            "case_id": ["NG-1", "FR-2", "FR-3", "DE-4"],
            "reporting_country": ["NG", "FR", "FR", "DE"],
            "seizure_date": ["2024-01-05", "2024-02-01", "2024-03-01", "2024-04-01"],
            "place_code": ["LOS", "CDG", "CDG", "FRA"],
            "place_name": [
                "Lagos Murtala Muhammed",
                "Paris Charles de Gaulle",
                "Paris Charles de Gaulle",
                "Frankfurt",
            ],
            "conveyance_type": ["aircraft", "aircraft", "car", "aircraft"],
            "conveyance_id": ["AF 0012", "AF12", "AB-123-CD", "LH400"],
        }
    )
    items = pd.DataFrame(
        {
            "case_id": cases["case_id"],
            "reporting_country": cases["reporting_country"],
            "item_no": 1,
            "commodity_category": "drugs",
            "commodity_type": "cocaine",
            "quantity": 1.0,
            "unit": "kg",
        }
    )
    persons = pd.DataFrame(
        {
            "person_id": ["P1", "P2", "P3", "P4"],
            "case_id": ["NG-1", "NG-1", "FR-2", "DE-4"],
            "reporting_country": ["NG", "NG", "FR", "DE"],
            "role": ["courier", "organiser", "courier", "courier"],
            "last_name": ["Mohammed", "Okafor", "Müller", "Zöllner"],
            "first_name": ["Ali", "Chinedu", "Zoë", "Jürgen"],
            "nationality": ["NG", "NG", "DE", "DE"],
            # P1's phone is on one record only: the graph leaves it out
            "phone": ["0803 123 4567", None, "+49 151 2345 6789", "0151 2345 6789"],
            "passport_number": ["A-0012 345", None, None, "C01X00T47"],
            "address": [None, "12 Harbour Rd., Lagos", None, "Hauptstr. 5, Köln"],
        }
    )
    companies = pd.DataFrame(
        {
            "company_id": ["K1"],
            "case_id": ["FR-2"],
            "reporting_country": ["FR"],
            "name": ["Golden Star Trading Co., Ltd."],
            "country": ["CN"],
            "registration_number": ["91-3100 00XY"],
        }
    )
    return {"cases": cases, "items": items, "persons": persons, "companies": companies}


@pytest.fixture(scope="module")
def searched(module_store_url: str, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from workbench.exchange.files import write_dataset
    from workbench.exchange.ingest import import_path

    folder = tmp_path_factory.mktemp("search-data") / "set"
    write_dataset(_tables(), folder)
    store = open_store(module_store_url)
    report = import_path(folder, store, actor=ANALYST)
    assert report.status == "accepted", report.rejections[:3]
    return store


def _hits(store, text: str, settings: Principal = ANALYST, **kw) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    return search(store, text, actor=settings, **kw)


def test_what_is_searched_comes_from_the_format() -> None:
    from workbench.format.schema import FORMAT

    assert set(HIT_KINDS) == {
        "case",
        "place",
        "conveyance",
        "person",
        "company",
        "phone",
        "address",
        "passport",
        "registration",
    }
    node_columns = {(t.name, c.name) for t in FORMAT.tables.values() for c in t.node_columns}
    searched = {(s.table, c.name) for s in SOURCES for c in s.columns}
    assert node_columns <= searched


@pytest.mark.parametrize(
    "text",
    [
        "0803 123 4567",
        "+234 803 123 4567",
        "00234-803-1234567",
        "(0803) 1234567",
        "2348031234567",
        "8031234567",
    ],
)
def test_a_phone_on_one_record_is_found_in_any_format(searched, text: str) -> None:  # type: ignore[no-untyped-def]
    hits = _hits(searched, text)
    top = hits.iloc[0]
    assert (top["kind"], top["node"], top["match"]) == ("phone", "phone:+2348031234567", "exact")
    assert top["cases"] == 1 and top["case_keys"] == ["NG:NG-1"]
    assert top["records"] == ["persons:NG:NG-1:P1"]


def test_phone_prefix_ranks_after_exact(searched) -> None:  # type: ignore[no-untyped-def]
    hits = _hits(searched, "+49 151 2345")
    top = hits.iloc[0]
    assert (top["kind"], top["match"], top["cases"]) == ("phone", "prefix", 2)  # P3 and P4: one phone


@pytest.mark.parametrize(
    ("text", "value", "match"),
    [
        ("zoe muller", "Zoë Müller", "exact"),
        ("MÜLLER Zoë", "Zoë Müller", "exact"),
        ("Muller", "Zoë Müller", "words"),
        ("mull", "Zoë Müller", "fuzzy"),
        ("Juergen Zollner", "Jürgen Zöllner", "fuzzy"),  # ue: a German transliteration of ü
        ("Muhammad Ali", "Ali Mohammed", "fuzzy"),  # a transliteration: same skeleton
        ("ali mohammed", "Ali Mohammed", "exact"),
    ],
)
def test_names_transliterated_and_with_diacritics(searched, text: str, value: str, match: str) -> None:  # type: ignore[no-untyped-def]
    hits = _hits(searched, text, kinds=["person"])
    assert not hits.empty, text
    top = hits.iloc[0]
    assert (top["value"], top["match"]) == (value, match)


def test_identifiers_addresses_companies_places_conveyances_cases(searched) -> None:  # type: ignore[no-untyped-def]
    def top(text: str) -> tuple[str, str, str]:
        h = _hits(searched, text).iloc[0]
        return str(h["kind"]), str(h["node"]), str(h["match"])

    assert top("a0012345") == ("passport", "passport:A0012345", "exact")
    assert top("91 3100 00 xy") == ("registration", "registration:91310000XY", "exact")
    assert top("12 harbour road, lagos") == ("address", "address:12 harbour road lagos", "exact")
    assert top("hauptstrasse 5 koln") == ("address", "address:hauptstrasse 5 koln", "exact")
    assert top("golden star trading")[0:1] == ("company",)
    assert top("AF 12") == ("conveyance", "conveyance:flight:AF12", "exact")
    assert top("fr-2") == ("case", "case:FR:FR-2", "exact")
    cdg = _hits(searched, "cdg").iloc[0]
    assert (cdg["kind"], cdg["cases"], cdg["node"]) == ("place", 2, None)
    assert sorted(cdg["case_keys"]) == ["FR:FR-2", "FR:FR-3"]
    flight = _hits(searched, "AF0012").iloc[0]
    assert flight["cases"] == 2 and sorted(flight["case_keys"]) == ["FR:FR-2", "NG:NG-1"]


def test_ranking_exact_then_prefix_then_words_then_fuzzy(searched) -> None:  # type: ignore[no-untyped-def]
    hits = _hits(searched, "paris")
    assert list(hits["match"]) == sorted(hits["match"], key=MATCHES.index)
    hits = _hits(searched, "frankfurt")
    assert hits.iloc[0]["match"] == "exact"
    # "Lagos" is a place name's word and an address's word: both found, ranked by how they matched
    lagos = _hits(searched, "lagos")
    assert {"place", "address"} <= set(lagos["kind"])
    ranks = [MATCHES.index(m) for m in lagos["match"]]
    assert ranks == sorted(ranks)


def test_viewer_gets_no_personal_hit_and_is_not_audited(searched) -> None:  # type: ignore[no-untyped-def]
    def audited() -> int:
        with searched.engine.connect() as c:
            return int(
                c.execute(sa.select(sa.func.count()).where(AuditEntry.action == "search")).scalar_one()
            )

    before = audited()
    for text in ("0803 123 4567", "Müller", "A0012345", "AB-123-CD", "golden star"):
        hits = _hits(searched, text, VIEWER)
        assert not hits["personal"].any(), text
        assert not set(hits["kind"]) & {"person", "company", "phone", "passport", "address", "registration"}
    assert _hits(searched, "AB-123-CD", VIEWER).empty  # a car's plate points to a person
    assert _hits(searched, "AB-123-CD", ANALYST).iloc[0]["personal"]
    assert not _hits(searched, "AF12", VIEWER).empty  # a flight does not
    assert _hits(searched, "AF12", VIEWER).iloc[0]["personal"] == False  # noqa: E712
    assert audited() == before + 1  # only the analyst's searches


def test_a_personal_search_is_audited_with_its_terms(searched) -> None:  # type: ignore[no-untyped-def]
    _hits(searched, "Zoë Müller", kinds=["person"])
    with searched.engine.connect() as c:
        row = c.execute(
            sa.select(AuditEntry.user, AuditEntry.role, AuditEntry.details)
            .where(AuditEntry.action == "search")
            .order_by(AuditEntry.id.desc())
            .limit(1)
        ).one()
    details = json.loads(row.details)
    assert (row.user, row.role) == ("searcher", "analyst")
    assert details["terms"] == "Zoë Müller" and details["kinds"] == ["person"] and details["hits"] == 1


def test_nothing_found_and_blank_queries(searched) -> None:  # type: ignore[no-untyped-def]
    assert _hits(searched, "zzzzqqq").empty
    assert _hits(searched, "   ").empty
    assert list(_hits(searched, "x", kinds=["nonsense"]).columns)[:3] == ["kind", "value", "normal"]


def test_the_index_follows_imports_and_is_built_for_an_older_store(
    module_store_url: str, tmp_path: Path
) -> None:
    """A second import re-indexes the cases it wrote (a replaced phone is found by its new number only);
    a store whose index was never built (filled before migration 0009) builds it on the first search."""
    from workbench.exchange.files import write_dataset
    from workbench.exchange.ingest import import_path
    from workbench.store.search import SEARCH_ENTRIES, SEARCH_KEYS, SEARCH_STATE

    store = open_store(module_store_url)
    t = _tables()
    persons = t["persons"][t["persons"]["case_id"] == "NG-1"].assign(phone=["0809 999 0000", None])
    write_dataset(
        {"cases": t["cases"].iloc[[0]], "items": t["items"].iloc[[0]], "persons": persons}, tmp_path / "again"
    )
    try:
        assert import_path(tmp_path / "again", store, actor=ANALYST).status == "accepted"
        assert _hits(store, "0803 123 4567", kinds=["phone"]).empty
        assert _hits(store, "+234 809 999 0000").iloc[0]["case_keys"] == ["NG:NG-1"]
        assert _hits(store, "Müller").iloc[0]["value"] == "Zoë Müller"  # other cases untouched
        with store.connect() as c:  # as a store filled before the index existed
            c.execute(sa.delete(SEARCH_KEYS))
            c.execute(sa.delete(SEARCH_ENTRIES))
            c.execute(sa.update(SEARCH_STATE).values(submission_id=None))
        assert _hits(store, "+234 809 999 0000").iloc[0]["case_keys"] == ["NG:NG-1"]
    finally:  # leave the module's store as the other tests expect it
        write_dataset(
            {
                "cases": t["cases"].iloc[[0]],
                "items": t["items"].iloc[[0]],
                "persons": t["persons"].iloc[[0, 1]],
            },
            tmp_path / "back",
        )
        assert import_path(tmp_path / "back", store, actor=ANALYST).status == "accepted"


def test_a_single_record_phone_opens_in_the_graph(searched) -> None:  # type: ignore[no-untyped-def]
    from workbench.network.graph import ego_network, graph_from_store
    from workbench.network.search import open_hit

    graph = graph_from_store(searched, personal_allowed=True)
    hit = _hits(searched, "0803 123 4567").iloc[0]
    assert hit["node"] not in graph.index.index  # one record holds it: the graph left it out
    opened, node = open_hit(graph, hit.to_dict())
    assert node == "phone:+2348031234567"
    ego = ego_network(opened, node, hops=2)
    assert "case:NG:NG-1" in ego.nodes
    persons = {n for n, d in ego.nodes(data=True) if d["kind"] == "person"}
    assert len(persons) == 2  # its holder and the other person of the case
    # a person hit opens the person's entity; a place opens nothing in the graph
    person = _hits(searched, "Chinedu Okafor").iloc[0]
    assert open_hit(graph, person.to_dict())[1] in graph.index.index
    assert open_hit(graph, _hits(searched, "cdg").iloc[0].to_dict())[1] is None


def test_contained_only_when_nothing_better(searched) -> None:  # type: ignore[no-untyped-def]
    hits = _hits(searched, "harles")  # inside "Paris Charles de Gaulle", the start of no word
    assert set(hits["match"]) == {"contains"} and hits.iloc[0]["kind"] == "place"
    assert "contains" not in set(_hits(searched, "charles")["match"])


#: What the search found on this data before its index was made faster (computed on main at eb6d2f9):
#: the same query with accents, spaces and case changed, partial identifiers, words, a skeleton and the
#: scan of the values. The index's keys are now computed once per distinct normal form; what a query
#: finds must not change.
FOUND_BEFORE = [
    ("zoe MULLER", [["person", "muller zoe", "exact", ["persons:FR:FR-2:P3"]]]),
    ("  zoë   müller ", [["person", "muller zoe", "exact", ["persons:FR:FR-2:P3"]]]),
    ("muller", [["person", "muller zoe", "words", ["persons:FR:FR-2:P3"]]]),
    ("MÜLL", [["person", "muller zoe", "fuzzy", ["persons:FR:FR-2:P3"]]]),
    ("a0012", [["passport", "A0012345", "prefix", ["persons:NG:NG-1:P1"]]]),
    ("A-0012 345", [["passport", "A0012345", "exact", ["persons:NG:NG-1:P1"]]]),
    ("c01x", [["passport", "C01X00T47", "prefix", ["persons:DE:DE-4:P4"]]]),
    ("golden star", [["company", "co golden ltd star trading", "words", ["companies:FR:FR-2:K1"]]]),
    ("GOLDEN", [["company", "co golden ltd star trading", "words", ["companies:FR:FR-2:K1"]]]),
    ("harbour rd lagos", []),
    ("harbour road", [["address", "12 harbour road lagos", "words", ["persons:NG:NG-1:P2"]]]),
    (
        "AF 12",
        [
            ["conveyance", "AF12", "exact", ["cases:NG:NG-1", "cases:FR:FR-2"]],
            ["address", "12 harbour road lagos", "prefix", ["persons:NG:NG-1:P2"]],
        ],
    ),
    ("af0012", [["conveyance", "AF12", "exact", ["cases:NG:NG-1", "cases:FR:FR-2"]]]),
    ("paris", [["place", "paris charles de gaulle", "prefix", ["cases:FR:FR-2", "cases:FR:FR-3"]]]),
    ("charles de", [["place", "paris charles de gaulle", "words", ["cases:FR:FR-2", "cases:FR:FR-3"]]]),
    ("mohamed", [["person", "ali mohammed", "fuzzy", ["persons:NG:NG-1:P1"]]]),
    ("ab 123 cd", [["conveyance", "AB123CD", "exact", ["cases:FR:FR-3"]]]),
    ("913100", [["registration", "91310000XY", "prefix", ["companies:FR:FR-2:K1"]]]),
    ("0151", []),
    ("okafor chinedu", [["person", "chinedu okafor", "exact", ["persons:NG:NG-1:P2"]]]),
    (
        "ol",
        [
            ["company", "co golden ltd star trading", "contains", ["companies:FR:FR-2:K1"]],
            ["address", "hauptstrasse 5 koln", "contains", ["persons:DE:DE-4:P4"]],
            ["person", "jurgen zollner", "contains", ["persons:DE:DE-4:P4"]],
        ],
    ),
]


@pytest.mark.parametrize(("text", "found"), FOUND_BEFORE, ids=[q for q, _ in FOUND_BEFORE])
def test_a_search_finds_what_it_found_before(searched, text: str, found: list) -> None:  # type: ignore[no-untyped-def]
    hits = _hits(searched, text)
    got = [[r.kind, r.normal, r.match, sorted(r.records)] for r in hits.itertuples()]
    assert got == [[*hit[:3], sorted(hit[3])] for hit in found]  # records in the order they were indexed


def test_migration_0009_builds_what_the_module_declares(store_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from workbench.store import Base

    store = open_store(store_url)
    mine = ("search_entries", "search_keys", "search_state")
    with store.engine.connect() as conn:
        assert set(mine) <= set(sa.inspect(conn).get_table_names())
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
        heads = {r[0] for r in conn.execute(sa.text("select version_num from alembic_version"))}
    assert not [d for d in diff if any(t in repr(d) for t in mine)]
    assert "0009_search" in heads


def test_a_term_is_found_after_the_case_holding_its_keys_is_reimported(
    store_url: str, tmp_path: Path
) -> None:
    """The keys of a term (a kind and a normal form) go to one of its entries: when the case holding that
    entry is imported again without the term, another case's entry takes the keys, and the search
    finds the term there (and no longer in the case re-imported)."""
    from workbench.exchange.files import write_dataset
    from workbench.exchange.ingest import import_path

    store = open_store(store_url)
    t = _tables()
    write_dataset(t, tmp_path / "all")
    assert import_path(tmp_path / "all", store, actor=ANALYST).status == "accepted"
    assert sorted(_hits(store, "paris").iloc[0]["records"]) == ["cases:FR:FR-2", "cases:FR:FR-3"]
    moved = (
        t["cases"].iloc[[1]].assign(place_code="LYS", place_name="Lyon Saint Exupery", conveyance_id="LH 9")
    )
    write_dataset({"cases": moved, "items": t["items"].iloc[[1]]}, tmp_path / "moved")
    assert import_path(tmp_path / "moved", store, actor=ANALYST).status == "accepted"
    for text, kind, records in (
        ("paris", "place", ["cases:FR:FR-3"]),
        ("Paris Charles de Gaulle", "place", ["cases:FR:FR-3"]),
        ("charles gaulle", "place", ["cases:FR:FR-3"]),
        ("AF 0012", "conveyance", ["cases:NG:NG-1"]),
        ("lyon", "place", ["cases:FR:FR-2"]),
    ):
        top = _hits(store, text).iloc[0]
        assert (top["kind"], top["records"], top["cases"]) == (kind, records, 1), text
    store.engine.dispose()
