"""Mapping: a French national export imports after the suggested mapping with no manual edit, and the
saved profile imports the next file from the same administration from the command line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from connectors import load, open_connector
from connectors.mapping import MappingProfile, apply_mapping, load_profile, preview, suggest_mapping
from tests.conftest import FRENCH_ROWS_1, FRENCH_ROWS_2, excel_serial, french_workbook
from workbench.cli import main
from workbench.exchange.files import DatasetReadError, RawDataset, RawTable
from workbench.exchange.ingest import ingest_dataset
from workbench.store import open_store
from workbench.store.queries import load_cases, load_items


def test_french_workbook_imports_after_the_suggested_mapping(tmp_path: Path) -> None:
    book = french_workbook(tmp_path / "saisies-janvier.xlsx", FRENCH_ROWS_1)
    conn = open_connector(book)
    source = conn.read_source()
    profile = suggest_mapping(source, name="douane-fr")
    cases_map, items_map = profile.tables["cases"].columns, profile.tables["items"].columns
    assert cases_map == {
        "case_id": "N° dossier",
        "reporting_country": "Pays déclarant",
        "seizure_date": "Date de saisie",
        "transport_mode": "Mode de transport",
        "departure_country": "Pays de provenance",
        "remarks": "Observations",
    }
    assert items_map == {
        "case_id": "N° dossier",
        "reporting_country": "Pays déclarant",
        "commodity_type": "Marchandise",
        "quantity": "Quantité",
        "unit": "Unité",
        "estimated_value_usd": "Valeur estimée (USD)",
    }
    assert (profile.decimal, profile.thousands) == (",", ". ")
    pv = preview(source, profile)
    assert (
        not pv.rejections and pv.extra_columns["cases"] == ["Agent"] and pv.unmapped_required["cases"] == []
    )

    store = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    rep = ingest_dataset(apply_mapping(source, profile), store)
    assert rep.status == "accepted", rep.rejections
    assert any("above the header skipped" in n for n in rep.notices)
    cases = load_cases(store).sort_values("case_id")
    assert cases["reporting_country"].tolist() == ["FR"] * 3
    assert [d.date().isoformat() for d in cases["seizure_date"]] == ["2024-01-31", "2024-02-03", "2024-02-14"]
    assert cases["transport_mode"].tolist() == ["air_passenger", "sea_container", "road"]
    assert cases["departure_country"].tolist() == ["CO", "BR", "MA"]
    items = load_items(store).sort_values("case_id")
    assert items["commodity_type"].tolist() == ["cocaine", "cannabis_resin", "cigarettes"]
    assert items["commodity_category"].tolist() == ["drugs", "drugs", "tobacco"]
    assert items["quantity"].tolist() == [2.5, 1200.75, 12000.0]
    assert items["unit"].tolist() == ["kg", "kg", "sticks"]
    assert items["estimated_value_usd"].tolist() == [75000.0, 3602250.0, 2400.0]

    # saved as a named profile, it imports the next month's file from the command line
    saved = profile.save(tmp_path / "douane-fr.yaml")
    assert load_profile(saved).to_dict() == profile.to_dict()
    nxt = french_workbook(tmp_path / "saisies-fevrier.xlsx", FRENCH_ROWS_2)
    db = f"sqlite:///{tmp_path / 'store.db'}"
    assert main(["import", str(nxt), "--mapping", str(saved), "--db", db, "--quiet"]) == 0
    cases = load_cases(store).set_index("case_id")
    assert (
        cases.loc["FR-24-104", "departure_country"] == "PE"
        and cases.loc["FR-24-105", "transport_mode"] == "air_passenger"
    )
    items = load_items(store).set_index("case_id")
    assert (
        items.loc["FR-24-105", "commodity_type"] == "heroin"
        and items.loc["FR-24-105", "estimated_value_usd"] == 128000.5
    )
    assert len(load_cases(store)) == 5


def test_suggest_from_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = french_workbook(tmp_path / "s.xlsx", FRENCH_ROWS_1)
    # its own store: the default one (data/workbench.db) may be a seeded store with accounts
    db = f"sqlite:///{tmp_path / 's.db'}"
    assert main(["import", str(book), "--db", db, "--suggest-mapping", str(tmp_path / "p.yaml")]) == 0
    out = capsys.readouterr().out
    assert "Date de saisie" in out and "air_passenger" in out
    assert load_profile(tmp_path / "p.yaml").tables["cases"].source == "Saisies 2024"


@pytest.mark.parametrize(
    ("cells", "expect"),
    [
        ({"Date": "31/01/2024"}, "2024-01-31"),
        ({"Date": dt.datetime(2024, 1, 31)}, "2024-01-31"),
        ({"Date": 45322}, "2024-01-31"),
        ({"Date": "45322"}, "2024-01-31"),
    ],
)
def test_dates(cells: dict[str, object], expect: str) -> None:
    df = pd.DataFrame({"Ref": ["A"], "Pays": ["Espagne"], **{k: [v] for k, v in cells.items()}}, dtype=object)
    raw = RawDataset("x.xlsx", "xlsx", {"Hoja1": RawTable("Hoja1", df, "x.xlsx", "Hoja1")}, "h")
    profile = MappingProfile.from_dict(
        {
            "name": "t",
            "dayfirst": True,
            "tables": {
                "cases": {
                    "source": "Hoja1",
                    "columns": {"case_id": "Ref", "reporting_country": "Pays", "seizure_date": "Date"},
                }
            },
        }
    )
    out = apply_mapping(raw, profile).tables["cases"].frame
    assert out.loc[0, "seizure_date"] == expect and out.loc[0, "reporting_country"] == "ES"


def test_spanish_headers_are_recognised() -> None:
    df = pd.DataFrame(
        {
            "Número de caso": ["E1"],
            "País declarante": ["ESP"],
            "Fecha de incautación": ["2024-05-01"],
            "Medio de transporte": ["Contenedor marítimo"],
            "País de destino": ["Países Bajos"],
        }
    )
    raw = RawDataset("casos.csv", "csv", {"casos": RawTable("casos", df, "casos.csv")}, "h")
    profile = suggest_mapping(raw)
    assert profile.tables["cases"].columns == {
        "case_id": "Número de caso",
        "reporting_country": "País declarante",
        "seizure_date": "Fecha de incautación",
        "transport_mode": "Medio de transporte",
        "destination_country": "País de destino",
    }
    out = apply_mapping(raw, profile).tables["cases"].frame
    assert out.loc[0, ["reporting_country", "transport_mode", "destination_country"]].tolist() == [
        "ES",
        "sea_container",
        "NL",
    ]


def test_a_profile_that_does_not_fit_the_file_says_so(tmp_path: Path) -> None:
    book = french_workbook(tmp_path / "s.xlsx", FRENCH_ROWS_1)
    profile = MappingProfile.from_dict(
        {
            "name": "other",
            "tables": {
                "cases": {
                    "source": "Saisies 2024",
                    "columns": {
                        "case_id": "Numéro",
                        "reporting_country": "Pays déclarant",
                        "seizure_date": "Date de saisie",
                    },
                }
            },
        }
    )
    with pytest.raises(DatasetReadError, match=r"s.xlsx, sheet 'Saisies 2024'.*'Numéro'"):
        load(open_connector(book), profile)
    (tmp_path / "bad.yaml").write_text("tables: {cases: {source: x, columns: {colour: y}}}")
    with pytest.raises(DatasetReadError, match="not a valid mapping profile"):
        load_profile(tmp_path / "bad.yaml")


def test_one_row_per_item_with_the_case_repeated(tmp_path: Path) -> None:
    """A national export often has one row per seized commodity, the case's columns repeated."""
    rows = [
        [
            "FR-24-201",
            "France",
            excel_serial("2024-04-01"),
            "Routier",
            "Espagne",
            "Cigarettes",
            "8 000",
            "bâtonnets",
            "1.600",
            "",
            "",
        ],
        [
            "FR-24-201",
            "France",
            excel_serial("2024-04-01"),
            "Routier",
            "Espagne",
            "Tabac à narguilé",
            "12,5",
            "kg",
            "250",
            "",
            "",
        ],
        [
            "FR-24-202",
            "France",
            excel_serial("2024-04-03"),
            "Aérien passager",
            "Sénégal",
            "Cocaïne",
            "1,1",
            "kg",
            "33.000",
            "",
            "",
        ],
    ]
    book = french_workbook(tmp_path / "per-item.xlsx", rows)
    source = open_connector(book).read_source()
    store = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    rep = ingest_dataset(apply_mapping(source, suggest_mapping(source)), store, chunk_rows=2)
    assert rep.status == "accepted", rep.rejections
    assert rep.accepted == {"cases": 2, "items": 3}
    items = load_items(store).sort_values(["case_id", "item_no"])
    assert items[["case_id", "item_no", "commodity_type"]].values.tolist() == [
        ["FR-24-201", 1, "cigarettes"],
        ["FR-24-201", 2, "water_pipe_tobacco"],
        ["FR-24-202", 1, "cocaine"],
    ]
