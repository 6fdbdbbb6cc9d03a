"""Scrubbing that does not rely on the persons table: personal values typed into remarks, place names
and conveyance ids leave neither the non-personal export nor the viewer's formatted workbook, even
when no persons row holds them (issue 23)."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest

from workbench.config import Settings
from workbench.exchange.exports import export_bytes, export_data
from workbench.exchange.files import write_dataset
from workbench.exchange.ingest import import_path
from workbench.format.scrub import find_personal, scrub_personal
from workbench.sample.generator import generate
from workbench.store import open_store

#: (remark, the personal values it holds)
PLANTED = [
    ("Ivan PETROVIC (born 12.03.1985) drove the truck.", ["Ivan", "PETROVIC", "12.03.1985"]),
    (
        "Contact olga.ivanova@mail.ru paid from IBAN DE89 3704 0044 0532 0130 00.",
        ["olga.ivanova", "DE89 3704"],
    ),
    ("Passport AB1234567 of the courier; lives 14 rue des Lilas, Lille.", ["AB1234567", "rue des Lilas"]),
    ("Courier Serkan KILIC, tel. +90 532 123 45 67.", ["Serkan", "KILIC", "532 123"]),
]
PLACE = "Farm of Ivan PETROVIC near Sofia"
PLATE_OWNER = "Mehmet YILMAZ"


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("Ivan PETROVIC (born 12.03.1985)", ["name", "date of birth"]),
        ("write to a.b@example.org", ["e-mail"]),
        ("IBAN GB82 WEST 1234 5698 7654 32", ["iban"]),
        ("passport no. 187143414", ["id"]),
        ("lives 221 Baker Street, London", ["address"]),
        ("Mme Kowalska took the parcel", ["name"]),
        ("call 0034 612 345 678", ["phone"]),
    ],
)
def test_recogniser_finds_each_kind(text: str, kinds: list[str]) -> None:
    assert [f.kind for f in find_personal(text)] == kinds


@pytest.mark.parametrize(
    "text",
    [
        "Seized at Charles de Gaulle Airport after an API/PNR hit.",
        "Vessel MSC OSCAR from Santos; container MSCU1234567; IMO9750844.",
        "Flight TK107 from Istanbul, 2024-03-12; HS code 2106909890.",
        "Parcel from Santa Cruz de la Sierra declared as handicrafts.",
        "Container selected by risk profile; seal intact.",
    ],
)
def test_recogniser_leaves_non_personal_text(text: str) -> None:
    assert scrub_personal(text) == text


@pytest.fixture(scope="module")
def store_without_persons(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Cases and items only (no persons or companies table): names live only in the free text."""
    d = tmp_path_factory.mktemp("scrub")
    ds = generate(80, seed=9)
    cases = ds.tables["cases"].copy()
    for i, (remark, _) in enumerate(PLANTED):
        cases.loc[cases.index[i], "remarks"] = remark
    cases.loc[cases.index[4], "place_name"] = PLACE
    road = cases.index[cases["conveyance_type"].isin(["aircraft", "vessel", "train"])][0]
    cases.loc[road, "conveyance_id"] = f"{PLATE_OWNER} private jet"
    write_dataset({"cases": cases, "items": ds.tables["items"]}, d / "sample")
    url = f"sqlite:///{d / 'scrub.db'}"
    assert import_path(d / "sample", open_store(url)).status == "accepted"
    return url


def _viewer() -> Settings:
    return Settings.from_env({"WORKBENCH_ROLE": "viewer", "WORKBENCH_USER": "scrub-test"})


def _values() -> list[str]:
    return [v for _, vs in PLANTED for v in vs] + ["PETROVIC", "YILMAZ", "Mehmet"]


def test_non_personal_export_holds_no_personal_value_without_persons_table(
    store_without_persons: str, tmp_path: Path
) -> None:
    res = export_data(open_store(store_without_persons), tmp_path / "np", "non_personal", settings=_viewer())
    text = "\n".join(p.read_text(encoding="utf-8") for p in res.paths)
    assert "[name]" in text and "Sofia" in text  # scrubbed, not dropped
    leaked = [v for v in _values() if v in text]
    assert not leaked, leaked


def test_viewer_formatted_workbook_holds_no_personal_value(store_without_persons: str) -> None:
    """The formatted workbook of someone who may not export personal data (a RILO officer; a viewer
    exports nothing at all)."""
    from workbench.identity import Principal

    rilo = Principal("scrub-test", "X", frozenset({"rilo"}), mode="local")
    data, _, _ = export_bytes(open_store(store_without_persons), "formatted", actor=rilo)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    cells = " ".join(str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value is not None)
    leaked = [v for v in _values() if v in cells]
    assert not leaked, leaked
    assert "Sofia" in cells
