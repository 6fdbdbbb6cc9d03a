"""Fixtures of the data-quality tests: a copy of the default sample with a defect of every kind planted
at known places, and what ``workbench validate`` must report for each."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from workbench.sample.generator import default_sample_path

NAMES = ("cases", "items", "persons", "companies")


@dataclass(frozen=True)
class Planted:
    """One planted defect: where it is and what must report it."""

    table: str
    column: str
    expectation: str
    row: int  # spreadsheet row (header = row 1)
    severity: str
    what: str


def _read(folder: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False)


def plant_defects(folder: Path) -> tuple[list[Planted], set[tuple[str, int]]]:
    """Plant one defect of every kind in the CSV folder (each in its own case). Returns the planted
    defects and the rows refused only as a consequence (children of a refused case)."""
    t = {n: _read(folder, n) for n in NAMES}
    cases, items, persons, companies = t["cases"], t["items"], t["persons"], t["companies"]
    planted: list[Planted] = []
    used: set[str] = set()
    refused_cases: list[str] = []

    def pick(pred: pd.Series | None = None, start: int = 300) -> int:
        ok = ~cases["case_id"].isin(used)
        if pred is not None:
            ok &= pred
        ok &= cases.index >= start
        i = int(cases.index[ok][0])
        used.add(cases.at[i, "case_id"])
        return i

    def plant(
        table: str,
        frame: pd.DataFrame,
        i: int,
        column: str,
        value: str,
        expectation: str,
        severity: str,
        what: str,
        report_column: str | None = None,
    ) -> None:
        frame.at[i, column] = value
        planted.append(Planted(table, report_column or column, expectation, i + 2, severity, what))
        if severity == "critical" and table == "cases":
            refused_cases.append(cases.at[i, "case_id"])

    # --- cases: the format
    plant(
        "cases",
        cases,
        pick(),
        "seizure_date",
        "",
        "expect_column_values_to_not_be_null",
        "critical",
        "blank required date",
    )
    plant(
        "cases",
        cases,
        pick(),
        "transport_mode",
        "plane",
        "expect_column_values_to_be_in_set",
        "critical",
        "unknown enumeration",
    )
    plant(
        "cases",
        cases,
        pick(),
        "departure_country",
        "ZZ",
        "expect_column_values_to_be_in_set",
        "critical",
        "unknown ISO code",
    )
    plant(
        "cases",
        cases,
        pick(),
        "entry_date",
        "31/12/2023",
        "expect_column_values_to_match_strftime_format",
        "critical",
        "date not ISO",
    )
    plant(
        "cases",
        cases,
        pick(cases["latitude"] != ""),
        "latitude",
        "95",
        "expect_column_values_to_be_between",
        "critical",
        "latitude out of range",
    )
    plant(
        "cases",
        cases,
        pick(),
        "transit_countries",
        "SN;QQ",
        "expect_column_values_to_match_regex",
        "critical",
        "transit not ISO codes",
    )
    # duplicate key: a later row takes an earlier row's case id (same reporting country)
    first = pick()
    later = pick(cases["reporting_country"] == cases.at[first, "reporting_country"], start=first + 1)
    refused_cases.append(cases.at[later, "case_id"])  # its own items lose their case
    cases.at[later, "case_id"] = cases.at[first, "case_id"]
    planted.append(
        Planted(
            "cases",
            "reporting_country, case_id",
            "expect_compound_columns_to_be_unique",
            later + 2,
            "critical",
            "duplicate key",
        )
    )
    # --- cases: the trust checks
    plant(
        "cases",
        cases,
        pick(cases["place_code"].str.len() == 3),
        "place_code",
        "PARIS1",
        "expect_place_code_to_be_iata_or_unlocode",
        "critical",
        "bad place code",
    )
    fr_cdg = pick(cases["place_code"] == "CDG")
    plant(
        "cases",
        cases,
        fr_cdg,
        "place_code",
        "JFK",
        "expect_place_code_near_coordinates",
        "warning",
        "code far from coordinates",
    )
    planted.append(
        Planted(
            "cases",
            "place_code",
            "expect_place_code_in_reporting_country",
            fr_cdg + 2,
            "warning",
            "code in another country",
        )
    )
    swap = pick(
        (cases["place_code"] == "")
        & (cases["latitude"] != "")
        & cases["reporting_country"].isin(["DE", "FR", "ES", "PL"])
    )
    cases.loc[swap, ["latitude", "longitude"]] = [cases.at[swap, "longitude"], cases.at[swap, "latitude"]]
    planted.append(
        Planted(
            "cases",
            "latitude, longitude",
            "expect_place_in_or_near_reporting_country",
            swap + 2,
            "warning",
            "lat/lon swapped",
        )
    )
    for value in ("2031-01-01", "1985-05-05"):
        i = pick()
        cases.at[i, "entry_date"] = ""
        plant(
            "cases",
            cases,
            i,
            "seizure_date",
            value,
            "expect_date_not_in_future_nor_before_1990",
            "critical",
            f"seizure date {value}",
        )
    plant(
        "cases",
        cases,
        pick(cases["entry_date"] != ""),
        "entry_date",
        "2030-01-01",
        "expect_date_not_in_future_nor_before_1990",
        "critical",
        "entry in the future",
    )
    i = pick(cases["entry_date"] != "")
    before = (pd.Timestamp(cases.at[i, "seizure_date"]) - pd.Timedelta(days=10)).strftime("%Y-%m-%d")
    plant(
        "cases",
        cases,
        i,
        "entry_date",
        before,
        "expect_entry_date_not_before_seizure_date",
        "critical",
        "entered before seized",
    )
    i = pick((cases["customs_procedure"] == "import") & (cases["departure_country"] != ""))
    plant(
        "cases",
        cases,
        i,
        "destination_country",
        cases.at[i, "departure_country"],
        "expect_departure_to_differ_from_destination",
        "warning",
        "departure = destination",
    )
    plant(
        "cases",
        cases,
        pick(),
        "transit_countries",
        "AE;AE",
        "expect_transit_without_repeated_neighbours",
        "warning",
        "transit repeats",
    )

    # --- items, persons, companies (each of an untouched case, each row used once)
    taken: set[tuple[str, int]] = set()

    def child(frame: pd.DataFrame, pred: pd.Series | None = None, name: str = "") -> int:
        ok = ~frame["case_id"].isin(used) & (frame.index >= 300)
        ok &= ~frame.index.isin([j for n, j in taken if n == name])
        if pred is not None:
            ok &= pred
        j = int(frame.index[ok][0])
        used.add(frame.at[j, "case_id"])
        taken.add((name, j))
        return j

    def item(pred: pd.Series | None = None) -> int:
        return child(items, pred, "items")

    plant(
        "items",
        items,
        item(),
        "quantity",
        "12kg",
        "expect_column_values_to_be_in_type_list",
        "critical",
        "quantity with unit",
    )
    plant(
        "items",
        items,
        item(),
        "quantity",
        "0",
        "expect_column_values_to_be_between",
        "critical",
        "zero quantity",
    )
    plant(
        "items",
        items,
        item(items["hs_code"] != ""),
        "hs_code",
        "12AB",
        "expect_column_values_to_match_regex",
        "critical",
        "bad HS code",
    )
    plant(
        "items",
        items,
        item(),
        "commodity_category",
        "",
        "expect_column_values_to_not_be_null",
        "critical",
        "blank category",
    )
    plant(
        "items",
        items,
        item(items["commodity_type"] == "cigarettes"),
        "unit",
        "l",
        "expect_unit_to_suit_commodity",
        "critical",
        "cigarettes in litres",
    )
    plant(
        "items",
        items,
        item((items["commodity_type"] == "cocaine") & (items["unit"] == "kg")),
        "quantity",
        "50000",
        "expect_quantity_plausible_for_commodity",
        "warning",
        "50 t of cocaine",
    )
    plant(
        "items",
        items,
        item(items["commodity_category"] == "cites"),
        "commodity_type",
        "unicorn_horn",
        "expect_commodity_type_in_taxonomy",
        "warning",
        "unknown commodity",
    )
    plant(
        "items",
        items,
        item(),
        "case_id",
        "ZZ-0000-000000",
        "expect_case_to_exist",
        "critical",
        "item of no case",
    )
    # a repeated item key, and a seizure reported twice under two case ids (rows appended at the end)
    dup = items.loc[[item()]]
    items = pd.concat([items, dup], ignore_index=True)
    planted.append(
        Planted(
            "items",
            "reporting_country, case_id, item_no",
            "expect_compound_columns_to_be_unique",
            len(items) + 1,
            "critical",
            "repeated item",
        )
    )
    src = pick((cases["place_code"] != "") & (cases["entry_date"] != ""))
    twin = cases.loc[[src]].assign(case_id=cases.at[src, "case_id"] + "-TWIN")
    cases = pd.concat([cases, twin], ignore_index=True)
    twin_items = items[
        (items["case_id"] == cases.at[src, "case_id"])
        & (items["reporting_country"] == cases.at[src, "reporting_country"])
    ]
    twin_items = twin_items.assign(case_id=cases.at[src, "case_id"] + "-TWIN")
    start = len(items)
    items = pd.concat([items, twin_items], ignore_index=True)
    for k in range(len(twin_items)):
        planted.append(
            Planted(
                "items",
                "case_id",
                "expect_no_likely_duplicate_seizure",
                start + k + 2,
                "warning",
                "same seizure twice",
            )
        )

    # --- persons and companies

    plant(
        "persons",
        persons,
        child(persons, None, "persons"),
        "case_id",
        "ZZ-none",
        "expect_case_to_exist",
        "critical",
        "person of no case",
    )
    plant(
        "persons",
        persons,
        child(persons, None, "persons"),
        "gender",
        "male",
        "expect_column_values_to_be_in_set",
        "critical",
        "unknown gender",
    )
    plant(
        "persons",
        persons,
        child(persons, None, "persons"),
        "date_of_birth",
        "1872-01-01",  # a date of birth in the future is refused by the row checks (issue 15): not a warning
        "expect_date_of_birth_plausible",
        "warning",
        "born before 1900",
    )
    plant(
        "companies",
        companies,
        child(companies, None, "companies"),
        "name",
        "",
        "expect_column_values_to_not_be_null",
        "critical",
        "company without name",
    )
    plant(
        "companies",
        companies,
        child(companies, None, "companies"),
        "country",
        "France",
        "expect_column_values_to_be_in_set",
        "critical",
        "country as a name",
    )

    for name, frame in (("cases", cases), ("items", items), ("persons", persons), ("companies", companies)):
        frame.to_csv(folder / f"{name}.csv", index=False)
    cascades: set[tuple[str, int]] = set()
    for name, frame in (("items", items), ("persons", persons), ("companies", companies)):
        for j in frame.index[frame["case_id"].isin(refused_cases)]:
            cascades.add((name, int(j) + 2))
    # a case whose every item is refused is refused with them, and its persons and companies after it
    bad_items = {p.row for p in planted if p.table == "items" and p.severity == "critical"}
    item_rows = items.assign(_row=items.index + 2).groupby("case_id")["_row"].apply(set)
    itemless = {c for c, rows in item_rows.items() if rows <= bad_items} - set(refused_cases)
    for j in cases.index[cases["case_id"].isin(itemless)]:
        cascades.add(("cases", int(j) + 2))
    for name, frame in (("persons", persons), ("companies", companies)):
        for j in frame.index[frame["case_id"].isin(itemless)]:
            cascades.add((name, int(j) + 2))
    return planted, cascades


@pytest.fixture(scope="session")
def default_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("dq") / "default"
    shutil.copytree(default_sample_path(), d)
    return d


@pytest.fixture(scope="session")
def planted_sample(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, list[Planted], set[tuple[str, int]]]:
    """A copy of the default sample with one defect of every kind (see :func:`plant_defects`)."""
    d = tmp_path_factory.mktemp("dq") / "planted"
    shutil.copytree(default_sample_path(), d)
    planted, cascades = plant_defects(d)
    return d, planted, cascades


def build_quality_store(url: str, base: Path, tmp: Path) -> str:
    """A store holding ``base`` (imported through the quality gate) and a second submission with a defect
    of every kind (a 3,000-case sample of another seed, its case ids suffixed ``-B``)."""
    from data_quality import default_gates
    from workbench.exchange.files import write_dataset
    from workbench.exchange.ingest import import_path
    from workbench.sample.generator import generate
    from workbench.store import open_store

    store = open_store(url)
    assert import_path(base, store, gates=default_gates()).status == "accepted"
    second = tmp / "second"
    tables = generate(3000, seed=43).tables
    write_dataset({n: f.assign(case_id=f["case_id"] + "-B") for n, f in tables.items()}, second)
    plant_defects(second)
    assert import_path(second, store, gates=default_gates()).status == "partial"
    return url


@pytest.fixture(scope="session")
def quality_store(small_sample_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """URL of a SQLite store with two checked submissions: the small sample, then one with defects
    (built once per run, each xdist worker reading its own copy)."""
    from tests.conftest import built_once, copy_sqlite

    def build(folder: Path) -> None:
        build_quality_store(f"sqlite:///{folder / 'q.db'}", small_sample_dir, folder)

    built = built_once(tmp_path_factory, "quality-store", build) / "q.db"
    return copy_sqlite(f"sqlite:///{built}", tmp_path_factory.mktemp("quality-store") / "q.db")
