"""The periodic check of the store: the suites run inside SQLite and PostgreSQL (through GX SQL data
sources), the place rules on a narrow frame; ``workbench validate --db URL``; the run is recorded."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from data_quality.models import DQRun
from data_quality.reports import store_runs
from data_quality.store_check import validate_store
from workbench.cli import main
from workbench.exchange.files import write_dataset
from workbench.exchange.ingest import import_path
from workbench.store import DATA_TABLES, open_store


def _seed(url: str, tmp_path: Path) -> None:
    cases = pd.DataFrame(
        {
            "case_id": ["C1", "C2", "C3", "C4"],
            "reporting_country": ["FR", "FR", "FR", "FR"],
            "seizure_date": ["2024-02-01", "2024-02-01", "2024-02-03", "2024-02-04"],
            "place_code": ["CDG", "CDG", None, None],
            "latitude": ["49.0", "49.0", "2.35", None],
            "longitude": ["2.55", "2.55", "48.85", None],
            "departure_country": ["BR", "BR", "ES", "FR"],
            "destination_country": ["FR", "FR", "FR", "FR"],
            "customs_procedure": ["import", "import", "import", "import"],
        }
    )
    items = pd.DataFrame(
        {
            "case_id": ["C1", "C2", "C3", "C4"],
            "reporting_country": ["FR"] * 4,
            "item_no": ["1"] * 4,
            "commodity_category": ["drugs"] * 4,
            "commodity_type": ["cocaine", "cocaine", "cocaine", "cocaine"],
            "quantity": ["5", "5", "60000", "1"],
            "unit": ["kg"] * 4,
        }
    )
    write_dataset({"cases": cases, "items": items}, tmp_path / "ds")
    store = open_store(url)
    assert import_path(tmp_path / "ds", store).status == "accepted"  # no gate: the store check finds them
    with store.engine.begin() as conn:  # rows written by other means than an import
        conn.execute(
            sa.update(DATA_TABLES["cases"])
            .where(DATA_TABLES["cases"].c.case_id == "C4")
            .values(transport_mode="plane", entry_date=pd.Timestamp("2024-01-01").date())
        )
        conn.execute(
            sa.update(DATA_TABLES["items"]).where(DATA_TABLES["items"].c.case_id == "C4").values(unit="l")
        )


def _ids(store, table: str, case_ids: list[str]) -> set[int]:  # type: ignore[no-untyped-def]
    t = DATA_TABLES[table]
    with store.engine.connect() as conn:
        return {r[0] for r in conn.execute(sa.select(t.c.id).where(t.c.case_id.in_(case_ids)))}


def test_store_check_in_sql(store_url: str, tmp_path: Path) -> None:
    _seed(store_url, tmp_path)
    store = open_store(store_url)
    res = validate_store(store)
    found = {(f["table"], f["column"], f["expectation"]): set(f["rows"]) for f in res.failures_json()}
    assert res.to_json()["errors"] == []
    assert found[("cases", "transport_mode", "expect_column_values_to_be_in_set")] == _ids(
        store, "cases", ["C4"]
    )
    assert found[("cases", "entry_date", "expect_entry_date_not_before_seizure_date")] == _ids(
        store, "cases", ["C4"]
    )
    assert found[("items", "unit", "expect_unit_to_suit_commodity")] == _ids(store, "items", ["C4"])
    assert found[("items", "quantity", "expect_quantity_plausible_for_commodity")] == _ids(
        store, "items", ["C3"]
    )
    assert found[("items", "case_id", "expect_no_likely_duplicate_seizure")] == _ids(store, "items", ["C2"])
    assert found[("cases", "destination_country", "expect_departure_to_differ_from_destination")] == _ids(
        store, "cases", ["C4"]
    )
    assert found[("cases", "latitude, longitude", "expect_place_in_or_near_reporting_country")] == _ids(
        store, "cases", ["C3"]
    )
    assert not res.success
    runs = store_runs(store)
    assert len(runs) == 1 and runs.iloc[0]["critical_rows"] == 2  # case C4 and its item
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(DQRun.kind)).scalar_one() == "store"


def test_validate_db_command(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 's.db'}"
    _seed(url, tmp_path)
    out = tmp_path / "r.json"
    assert main(["validate", "--db", url, "--json", str(out), "--quiet"]) == 1
    report = json.loads(out.read_text())
    assert report["success"] is False and {f["severity"] for f in report["failures"]} == {
        "critical",
        "warning",
    }
