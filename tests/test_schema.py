"""The schema says what each column means, and everything else is derived from it.

- every column of the format, of the store's additions and of the features' tables declares its kind,
  whether it is personal data and a help text; every table its caption;
- no module outside ``workbench/format`` holds a hand-written list of personal, identifier or phone
  columns (an AST scan of the source tree);
- ``docs/exchange-format.md`` is what the schema generates;
- two spellings of one phone or passport are one pseudonym, one graph node and one lexicon entry,
  because the export, the graph and the scrubbing use the same normal forms;
- category colours, frame dtypes and feature tables come from the schema.
"""

from __future__ import annotations

import ast
import subprocess
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from workbench.config import Settings
from workbench.format.schema import FORMAT, SchemaError, Table, any_table, declared_tables
from workbench.identity import local_principal

ROOT = Path(__file__).resolve().parents[1]


def _all_tables() -> list[Table]:
    return [*FORMAT.tables.values(), *declared_tables().values()]


# ------------------------------------------------------------------------------- the schema itself
@pytest.mark.parametrize("table", _all_tables(), ids=lambda t: t.name)
def test_every_column_declares_its_kind_personal_data_and_help(table: Table) -> None:
    assert table.title and table.caption_template and table.caption_columns
    for c in table.columns:
        assert c.kind in FORMAT.kinds, (table.name, c.name)
        assert len(c.help.split()) >= 2, (table.name, c.name, c.help)
        assert isinstance(c.personal, bool)
        if table.personal:
            assert c.personal, (table.name, c.name)
        if c.node:
            assert c.node in FORMAT.nodes and c.normaliser is not None, (table.name, c.name)
    for c in FORMAT.stored:
        assert c.kind in FORMAT.kinds and c.help


def test_the_store_adds_the_columns_the_schema_declares() -> None:
    from workbench.store import DATA_TABLES

    for name, t in DATA_TABLES.items():
        added = [
            c.name for c in t.columns if c.name != "id" and c.name not in FORMAT.table(name).column_names
        ]
        assert added == [c.name for c in FORMAT.stored], name


def test_meaning_of_the_format_columns() -> None:
    cases, persons, companies = (FORMAT.table(n) for n in ("cases", "persons", "companies"))
    assert [c.name for c in cases.personal_columns] == ["conveyance_id", "remarks"]
    conveyance = cases.column("conveyance_id")
    assert not conveyance.always_personal and cases.column("remarks").always_personal
    rows = pd.DataFrame({"conveyance_type": ["aircraft", "vessel", "train", "car", "truck", "parcel", None]})
    assert conveyance.personal_rows(rows).tolist() == [False, False, False, True, True, True, True]
    assert {c.name: c.node for c in persons.node_columns} == {
        "passport_number": "passport",
        "address": "address",
        "phone": "phone",
    }
    assert persons.column("phone").hint == "nationality" and companies.column("phone").hint == "country"
    assert persons.own_key == ("person_id",) and FORMAT.table("items").own_key == ("item_no",)
    assert FORMAT.party_tables == {"persons": "person", "companies": "company"}
    assert (
        persons.caption({"first_name": "Amadou", "last_name": "DIALLO", "phone": "+221"}) == "Amadou DIALLO"
    )
    assert FORMAT.table("items").caption({"case_id": "C1", "reporting_country": "FR", "item_no": 2.0}) == (
        "C1 (FR) #2"
    )
    assert FORMAT.enumeration("conveyance_type").property("truck", "node") == "vehicle"
    assert FORMAT.enumeration("conveyance_type").property("parcel", "node") is None
    with pytest.raises(ValueError, match="no normal form"):
        cases.column("seizure_date").normal_form("2024-01-01")
    with pytest.raises(KeyError, match="3 columns of kind 'country'"):
        FORMAT.table("cases").column_of_kind("country")


# --------------------------------------------------------------------- tables declared by features
def _declare(folder: Path, text: str) -> dict[str, Table]:
    (folder / "feature.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    declared_tables.cache_clear()
    try:
        return declared_tables(folder)
    finally:
        declared_tables.cache_clear()


def test_a_feature_declares_its_tables_like_the_format(tmp_path: Path) -> None:
    tables = _declare(
        tmp_path,
        """
        tables:
          sightings:
            title: one row per sighting of a person of interest
            caption: "{full_name} at {place_code}"
            personal: true
            key: [sighting_id]
            columns:
              - {name: sighting_id, type: text, kind: reference, help: the sighting's reference}
              - {name: full_name, type: text, kind: name, help: the person's name as written}
              - {name: mobile, type: text, kind: phone, node: phone, hint: seen_in, help: a phone seen with them}
              - {name: seen_in, type: iso2, kind: country, help: where they were seen}
              - {like: cases.place_code}
              - {like: cases.conveyance_type}
              - {like: cases.conveyance_id, help: the flight or vehicle they came by}
        """,
    )
    t = tables["sightings"]
    assert [c.name for c in t.personal_columns] == t.column_names  # a personal table: every column
    assert t.column("conveyance_id").always_personal  # in a personal table, whatever the type
    assert t.column("conveyance_id").help == "the flight or vehicle they came by"
    assert t.column("place_code").origin == "cases.place_code" and t.column("place_code").kind == "code"
    assert t.column("mobile").normal_form("0803 123 4567", "NG") == "+2348031234567"
    assert t.caption({"full_name": "A. Diallo", "place_code": "CDG"}) == "A. Diallo at CDG"
    # the shipped declarations are untouched by a folder of one's own
    assert "traffic" in declared_tables() and "sightings" not in declared_tables()


@pytest.mark.parametrize(
    ("column", "message"),
    [
        ("{name: x, type: text, kind: colour, help: a colour}", "kind 'colour' is not one of the kinds"),
        ("{name: x, type: text, kind: free_text}", "every column needs a help text"),
        ("{name: x, type: texts, kind: free_text, help: some text}", "unknown type 'texts'"),
        (
            "{name: x, type: text, kind: phone, hint: nowhere, help: a phone}",
            "hint 'nowhere' is not a column",
        ),
        ("{name: x, type: text, kind: identifier, node: boat, help: a boat}", "node 'boat' is not one of"),
        (
            "{name: x, type: text, kind: free_text, help: notes, secret: true}",
            "unknown attributes \\['secret'\\]",
        ),
        (
            "{name: x, type: text, kind: identifier, help: an id, personal: {unless: {y: [car]}}}",
            "personal unless 'y': no such column",
        ),
        (
            "{like: cases.conveyance_type, personal: {unless: {conveyance_type: [boat]}}}",
            "not in the enumeration",
        ),
    ],
)
def test_a_declaration_the_schema_cannot_make_sense_of_is_refused(
    tmp_path: Path, column: str, message: str
) -> None:
    text = f"""
    tables:
      broken:
        title: a broken table
        caption: "{{x}}"
        key: []
        columns:
          - {column}
    """
    with pytest.raises(SchemaError, match=message):
        _declare(tmp_path, text)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"colour": "#123456"}, "node kind x: no plural"),
        ({"plural": "Xs"}, "node kind x: no colour"),
        ({"plural": "Xs", "colour": "teal"}, "colour 'teal' is not #RRGGBB"),
        ({"plural": "Xs", "colour": "#12345G"}, "is not #RRGGBB"),
        ({"plural": "Xs", "colour": "#123456", "shape": "dot"}, "unknown attributes \\['shape'\\]"),
    ],
)
def test_a_node_kind_declares_its_plural_and_colour(spec: dict[str, str], message: str) -> None:
    from workbench.format.schema import _node_kind

    with pytest.raises(SchemaError, match=message):
        _node_kind("x", spec)
    assert all(n.plural and n.colour.startswith("#") for n in FORMAT.nodes.values())


def test_the_traffic_table_is_declared_with_the_format() -> None:
    from workbench.risk.fields import traffic_fields
    from workbench.risk.traffic import COLUMNS, PRE_CONTROL_CASE_COLUMNS, non_personal_traffic

    traffic = any_table("traffic")
    assert COLUMNS == traffic.columns
    assert (
        PRE_CONTROL_CASE_COLUMNS[0] == "reporting_country" and PRE_CONTROL_CASE_COLUMNS[-1] == "conveyance_id"
    )
    assert "case_id" not in PRE_CONTROL_CASE_COLUMNS and "hs_code" not in PRE_CONTROL_CASE_COLUMNS
    assert traffic_fields()["reporting_country"].help == "the administration that controls the movement"
    assert traffic_fields()["transport_mode"].help == FORMAT.table("cases").column("transport_mode").help
    t = pd.DataFrame({"conveyance_type": ["bus", "train"], "conveyance_id": ["GX-118-KL", "ICE 512"]})
    assert non_personal_traffic(t)["conveyance_id"].tolist() == [None, "ICE 512"]


# ---------------------------------------------------- no hand-written lists of personal columns
def _known_and_sensitive() -> tuple[frozenset[str], frozenset[str]]:
    """Every column name the schema knows, and those of personal, identifier or phone columns: the
    columns that name or identify a party (names, birth dates, identifiers, phones, addresses) and the
    columns that are personal inside a non-personal table (free text, conveyance ids). The columns the
    store adds (``extra``...) are known, not counted as personal columns of the format."""
    naming = {"name", "given_name", "family_name", "birth_date", "identifier", "phone", "address"}
    known: set[str] = {c.name for c in FORMAT.stored}
    sensitive: set[str] = set()
    for t in _all_tables():
        for c in t.columns:
            known.add(c.name)
            if c.node or (c.kind in naming and c.personal) or (c.personal and not t.personal):
                sensitive.add(c.name)
    return frozenset(known), frozenset(sensitive)


def hand_written_column_lists(source: str) -> list[tuple[int, list[str]]]:
    """Collections written out in ``source`` (tuple, list or set literals of strings; dict literals with
    string keys and constant values) that are mostly (4 in 5) column names of the format, one of them a
    personal, identifier or phone column. A dict that maps columns to computed values builds rows; it
    does not restate what columns mean, and is not counted."""
    known, sensitive = _known_and_sensitive()
    found = []
    for node in ast.walk(ast.parse(source)):
        names: list[str] | None = None
        if isinstance(node, ast.Tuple | ast.List | ast.Set) and node.elts:
            if all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts):
                names = [e.value for e in node.elts]  # type: ignore[attr-defined]
        elif isinstance(node, ast.Dict) and node.keys:
            keys_ok = all(isinstance(k, ast.Constant) and isinstance(k.value, str) for k in node.keys)
            if keys_ok and all(_is_literal(v) for v in node.values):
                names = [k.value for k in node.keys]  # type: ignore[union-attr]
        if names and set(names) & sensitive and sum(n in known for n in names) >= 0.8 * len(names):
            found.append((node.lineno, names))
    return sorted(found)


def _is_literal(node: ast.expr) -> bool:
    """A constant, a collection of constants, or ``frozenset``/``set``/``tuple`` of one."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return all(_is_literal(e) for e in node.elts)
    if isinstance(node, ast.Dict):
        return all(k is not None and _is_literal(k) for k in node.keys) and all(map(_is_literal, node.values))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return node.func.id in ("frozenset", "set", "tuple") and all(map(_is_literal, node.args))
    return False


def test_the_scan_finds_the_hand_copies_it_forbids() -> None:
    # hand copies as they were before the schema said what columns mean
    before = """
IDENTIFIER_COLUMNS = {
    "persons": {"passport_number": "passport", "phone": "phone", "address": "address"},
    "companies": {"registration_number": "registration", "phone": "phone", "address": "address"},
}
PERSONAL_TEXT_COLUMNS = {"cases": frozenset({"remarks", "conveyance_id"})}
CASE_COLUMNS = tuple(c for c in FORMAT.table("cases").column_names if c not in ("remarks",))
_TEXT_KEEP = {"case_id", "place_name", "conveyance_id", "transit_countries", "case_key", "hs_code"}
def pseudonymise(p):
    for c in ("last_name", "first_name", "address"):
        p[c] = None
    return p.rename(columns={"date_of_birth": "birth_year"})
"""
    assert [line for line, _ in hand_written_column_lists(before)] == [3, 4, 6, 7, 8, 10, 12]
    # what is not a list of personal columns: rows built from computed values, node kinds, other words
    fine = """
row = {"first_name": first, "last_name": last, "phone": phone_text(parts)}
I2 = {"case": "Event", "person": "Person", "phone": "Telephone", "address": "Address"}
route = ("departure_country", "transit_countries", "destination_country")
header = ["iata", "icao", "name", "city", "country", "lat", "lon"]
"""
    assert hand_written_column_lists(fine) == []


def test_no_hand_written_list_of_personal_identifier_or_phone_columns_outside_the_schema() -> None:
    files = subprocess.run(
        ["git", "ls-files", "*.py"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    found = {
        f"{path}:{line}": names
        for path in files
        if not path.startswith(("tests/", "workbench/format/"))
        for line, names in hand_written_column_lists((ROOT / path).read_text(encoding="utf-8"))
    }
    assert len(files) > 100
    assert not found, (
        "derive these from workbench.format.schema (kinds, personal, nodes) instead of listing columns: "
        f"{found}"
    )


# ------------------------------------------------------------------------------ the generated docs
def test_docs_exchange_format_is_generated_from_the_schema() -> None:
    from workbench.format.docs import DOCS_PATH, REGENERATE, render_markdown

    page = render_markdown()
    assert DOCS_PATH.read_text(encoding="utf-8") == page, (
        f"docs/exchange-format.md differs from the schema: run `{REGENERATE}` and commit the page"
    )
    for t in FORMAT.tables.values():
        assert f"## {t.name} ({t.title})" in page
        for c in t.columns:
            assert f"| {c.name} | " in page and c.help.split(";")[0] in page


def test_the_docs_command_checks_and_rewrites(tmp_path: Path) -> None:
    from workbench.format.docs import main, render_markdown

    page = tmp_path / "exchange-format.md"
    page.write_text("# stale\n", encoding="utf-8")
    assert main(["--check", "--path", str(page)]) == 1
    assert main(["--path", str(page)]) == 0
    assert page.read_text(encoding="utf-8") == render_markdown()
    assert main(["--check", "--path", str(page)]) == 0


# ------------------------------------------- one normal form: pseudonyms, graph nodes, scrubbing
def _two_spellings() -> dict[str, pd.DataFrame]:
    cases = pd.DataFrame(
        {
            "case_id": ["C1", "C2", "C3"],
            "reporting_country": ["FR", "ES", "BE"],
            "seizure_date": ["2024-01-05", "2024-02-01", "2024-03-01"],
            "remarks": [None, "courier called 803 123 4567 twice", None],
        }
    )
    items = pd.DataFrame(
        {
            "case_id": ["C1", "C2", "C3"],
            "reporting_country": ["FR", "ES", "BE"],
            "item_no": [1, 1, 1],
            "commodity_category": ["drugs"] * 3,
            "commodity_type": ["cocaine"] * 3,
            "quantity": [1.0, 2.0, 3.0],
            "unit": ["kg"] * 3,
        }
    )
    persons = pd.DataFrame(
        {
            "person_id": ["P1", "P1", "P1"],
            "case_id": ["C1", "C2", "C3"],
            "reporting_country": ["FR", "ES", "BE"],
            "role": ["courier"] * 3,
            "last_name": ["OKAFOR", "Okafor", "Mensah"],
            "first_name": ["Chidi", "Chidi", "Ama"],
            "nationality": ["NG", "NG", "GH"],
            "passport_number": ["A 0012 3456", "A00123456", "G7788990"],
            "phone": ["+234 803 123 4567", "0803 123 4567", "024 555 0101"],
        }
    )
    companies = pd.DataFrame(
        {
            "company_id": ["K1", "K1"],
            "case_id": ["C1", "C3"],
            "reporting_country": ["FR", "BE"],
            "name": ["Lagos Freight Ltd", "LAGOS FREIGHT LIMITED"],
            "country": ["NG", "NG"],
            "registration_number": ["RC-31734", "rc 31734"],
            "phone": ["01 234 5678", "+234 1 234 5678"],
        }
    )
    return {"cases": cases, "items": items, "persons": persons, "companies": companies}


def test_two_spellings_of_one_phone_or_passport_are_one_pseudonym_and_one_graph_node(tmp_path: Path) -> None:
    from workbench.exchange.exports import export_tables
    from workbench.exchange.files import write_dataset
    from workbench.exchange.ingest import import_path
    from workbench.network.graph import build_graph
    from workbench.store import open_store

    data = _two_spellings()
    write_dataset(data, tmp_path / "two")
    store = open_store(f"sqlite:///{tmp_path / 'two.db'}")
    settings = Settings.from_env(
        {"WORKBENCH_ROLE": "analyst", "WORKBENCH_USER": "schema-test", "WORKBENCH_PSEUDONYM_KEY": "k" * 24}
    )
    import_path(tmp_path / "two", store, actor=local_principal(settings))
    out = export_tables(store, "pseudonymised", actor=local_principal(settings), settings=settings)
    p = out["persons"].set_index("case_id")
    assert p.loc["C1", "phone"] == p.loc["C2", "phone"] != p.loc["C3", "phone"]
    assert p.loc["C1", "passport_number"] == p.loc["C2", "passport_number"] != p.loc["C3", "passport_number"]
    assert p.loc["C1", "person_pseudonym"] == p.loc["C2", "person_pseudonym"]  # OKAFOR / Okafor fold alike
    assert str(p.loc["C1", "phone"]).startswith("P-") and "person_id" in p.columns
    c = out["companies"].set_index("case_id")
    assert c.loc["C1", "phone"] == c.loc["C3", "phone"]
    assert c.loc["C1", "registration_number"] == c.loc["C3", "registration_number"]
    # the graph keys its nodes on the same normal forms: one phone, one passport, one registration
    g = build_graph(data["cases"], data["persons"], data["companies"])
    nodes = set(g.nodes["node_id"])
    assert {
        "phone:+2348031234567",
        "passport:A00123456",
        "registration:RC31734",
        "phone:+23412345678",
    } <= nodes
    assert g.counts()["phone"] == 2 and g.counts()["passport"] == 1


def test_the_free_text_lexicon_knows_a_phone_however_it_is_written() -> None:
    from workbench.exchange.exports import PersonalLexicon, scrub_text

    data = _two_spellings()
    lex = PersonalLexicon.build(data["persons"].iloc[[1]], data["companies"].iloc[[0]])
    for spelling in (
        "+234 803 123 4567",
        "00234 803 123 4567",
        "0803 123 4567",
        "803 123 4567",
        "2348031234567",
    ):
        assert lex.holds_phone(spelling), spelling
    assert not lex.holds_phone("0803 999 4567")
    assert lex.holds_phone("01 234 5678") and lex.holds_phone("+234 1 234 5678")
    # a short number the tables hold is scrubbed; one they do not hold stays
    short = PersonalLexicon.build(
        pd.DataFrame({"phone": ["0 77 12 34"], "nationality": ["SN"]}), pd.DataFrame()
    )
    assert scrub_text("call 77 12 34 or 77 99 88", short) == "call [phone] or 77 99 88"
    assert scrub_text("passport A00123456 seen", lex) == "passport [id] seen"
    assert scrub_text("Chidi Okafor and Lagos Freight Ltd", lex) == "[name] and [company]"


# ------------------------------------------------------------------- colours and frames from schema
def test_category_colours_come_from_the_enumeration(trend_frame: pd.DataFrame) -> None:
    import json

    from workbench.routes.maps import CATEGORY_COLOURS
    from workbench.trends.charts import series_chart
    from workbench.trends.series import time_series

    assert CATEGORY_COLOURS == FORMAT.enumeration("commodity_category").colours
    assert set(CATEGORY_COLOURS) == set(FORMAT.enums["commodity_category"])
    assert CATEGORY_COLOURS["drugs"] == (214, 39, 40)
    series = time_series(trend_frame, "commodity_category", "Q")
    spec = json.loads(series_chart(series).to_json())
    scale = spec["encoding"]["color"]["scale"]
    by_label = dict(zip(scale["domain"], scale["range"], strict=True))
    assert by_label["drugs"] == "#D62728" and by_label["tobacco"] == "#8C564B"
    by_mode = json.loads(series_chart(time_series(trend_frame, "transport_mode", "Q")).to_json())
    assert "scale" not in by_mode["encoding"]["color"]  # no colours in the format: Altair's


def test_frame_dtypes_and_columns_come_from_the_schema() -> None:
    from workbench.store.frames import CASE_COLUMNS, ITEM_COLUMNS, compact
    from workbench.store.queries import _DATE_COLUMNS

    assert "remarks" not in CASE_COLUMNS and len(CASE_COLUMNS) == len(FORMAT.table("cases").columns) - 1
    assert ITEM_COLUMNS[0] == "item_no" and "case_id" not in ITEM_COLUMNS
    assert _DATE_COLUMNS == {"seizure_date", "entry_date", "date_of_birth"}
    df = compact(
        pd.DataFrame(
            {
                "case_key": ["FR:C1"],
                "seizure_date": ["2024-01-05"],
                "place_code": ["CDG"],
                "place_name": ["Roissy T2"],
                "hs_code": ["090111"],
                "item_no": ["1"],
                "quantity": ["2.5"],
                "conveyance_id": ["AF 12"],
                "made_up": ["x"],
            }
        )
    )
    assert {c: str(t) for c, t in df.dtypes.items()} == {
        "case_key": "string",
        "seizure_date": "datetime64[us]",
        "place_code": "category",
        "place_name": "string",
        "hs_code": "string",
        "item_no": "Int64",
        "quantity": "float64",
        "conveyance_id": "string",
        "made_up": "category",
    }
