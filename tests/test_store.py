"""Contract tests of the store: the same scenarios against SQLite and a real PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import sqlalchemy as sa

from workbench.exchange.files import write_dataset
from workbench.exchange.ingest import import_path
from workbench.store import AuditEntry, open_store
from workbench.store.filters import CaseFilter
from workbench.store.queries import case_detail, load_cases, load_items, overview, search_cases


def _cases(**over):  # type: ignore[no-untyped-def]
    base = {
        "case_id": ["C1", "C2", "C3"],
        "reporting_country": ["ES", "ES", "NL"],
        "seizure_date": ["2024-01-10", "2024-02-11", "2024-03-12"],
        "customs_procedure": ["import", "transit", "import"],
        "transport_mode": ["air_passenger", "sea_container", "air_cargo"],
        "departure_country": ["CO", "BR", "PE"],
        "transit_countries": ["SN", "", "CV;PT"],
        "destination_country": ["", "NL", "NL"],
        "place_code": ["MAD", "ESALG", "AMS"],
        "conveyance_id": ["IB6584", "IMO9321483", "KL0744"],
    }
    base.update(over)
    return pd.DataFrame(base)


ITEMS = pd.DataFrame(
    {
        "case_id": ["C1", "C2", "C2", "C3"],
        "reporting_country": ["ES", "ES", "ES", "NL"],
        "item_no": [1, 1, 2, 1],
        "commodity_category": ["drugs", "drugs", "tobacco", "drugs"],
        "commodity_type": ["cocaine", "cocaine", "cigarettes", "cannabis_herb"],
        "quantity": [2.5, 1200, 500000, 30],
        "unit": ["kg", "kg", "sticks", "kg"],
        "estimated_value_usd": [100000, 48000000, 150000, ""],
    }
)
PERSONS = pd.DataFrame(
    {
        "person_id": ["P1"],
        "case_id": ["C1"],
        "reporting_country": ["ES"],
        "last_name": ["DIALLO"],
        "first_name": ["Amadou"],
        "date_of_birth": ["1990-05-04"],
        "nationality": ["SN"],
        "phone": ["+221 77 123 45 67"],
    }
)


def test_import_query_and_reimport(store_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    d = tmp_path / "ds"
    write_dataset({"cases": _cases(), "items": ITEMS, "persons": PERSONS}, d)
    store = open_store(store_url)
    rep = import_path(d, store)
    assert rep.status == "accepted", rep.rejections
    assert store.counts() == {"cases": 3, "items": 4, "persons": 1, "companies": 0}

    # the same file again: nothing changes, recorded as a duplicate submission
    again = import_path(d, store)
    assert again.status == "duplicate" and again.exit_code == 0
    assert store.counts() == {"cases": 3, "items": 4, "persons": 1, "companies": 0}

    # the same case keys in another file: updated, not duplicated; children replaced
    d2 = tmp_path / "ds2"
    write_dataset({"cases": _cases(place_code=["BCN", "ESALG", "AMS"]), "items": ITEMS.iloc[:3]}, d2)
    upd = import_path(d2, store)
    assert upd.updated["cases"] == 3 and upd.inserted["cases"] == 0
    assert store.counts()["cases"] == 3
    assert store.counts()["items"] == 4  # C3's item stays: the second file carries none for C3

    flt = CaseFilter(commodity_categories=("tobacco",))
    assert load_cases(store, flt)["case_id"].tolist() == ["C2"]
    assert sorted(load_items(store, flt)["commodity_type"]) == ["cigarettes", "cocaine"]
    f2 = CaseFilter(date_from=dt.date(2024, 2, 1), reporting_countries=("ES",))
    assert load_cases(store, f2)["case_id"].tolist() == ["C2"]

    ov = overview(store)
    assert ov.kpis["cases"] == 3 and ov.kpis["reporting_countries"] == 2
    assert dict(zip(ov.by_category.commodity_category, ov.by_category.cases, strict=True)) == {
        "drugs": 3,
        "tobacco": 1,
    }
    assert ov.monthly["cases"].sum() == 3
    routes = {(r.origin, r.destination): (r.cases, r.inferred) for r in ov.top_routes.itertuples()}
    assert routes == {("CO", "ES"): (1, 1), ("BR", "NL"): (1, 0), ("PE", "NL"): (1, 0)}

    page, total = search_cases(store, text="cigarettes")
    assert total == 1 and page["case_id"].tolist() == ["C2"]
    page, total = search_cases(store, text="bcn")
    assert total == 1 and page["case_id"].tolist() == ["C1"]

    det = case_detail(store, "ES", "C1", personal_allowed=False)
    assert det is not None and det.persons is None
    assert det.route.countries == ["CO", "SN", "ES"] and det.route.destination_inferred
    det = case_detail(store, "ES", "C1", personal_allowed=True)
    assert det is not None and det.persons is not None and det.persons["last_name"].tolist() == ["DIALLO"]


def test_audit_log_is_append_only(store_url: str) -> None:
    store = open_store(store_url)
    from workbench.store import audit

    with store.session() as s:
        audit(s, "admin.test", {"x": 1})
    with pytest.raises(sa.exc.DatabaseError):
        with store.connect() as c:
            c.execute(sa.update(AuditEntry).values(action="tampered"))
    with pytest.raises(sa.exc.DatabaseError):
        with store.connect() as c:
            c.execute(sa.delete(AuditEntry))
    with store.engine.connect() as c:
        assert c.execute(sa.select(AuditEntry.action)).scalars().all() == ["admin.test"]


def test_failed_write_leaves_store_as_it_was(store_url: str, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    store = open_store(store_url)
    d = tmp_path / "ds"
    write_dataset({"cases": _cases(), "items": ITEMS}, d)
    import workbench.exchange.ingest as ingest

    real = ingest._write_table

    def boom(conn, name, *a, **k):  # type: ignore[no-untyped-def]
        real(conn, name, *a, **k)
        if name == "items":
            raise RuntimeError("disk full")

    monkeypatch.setattr(ingest, "_write_table", boom)
    with pytest.raises(ingest.ImportFailed, match="nothing was stored"):
        import_path(d, store)
    assert store.counts() == {"cases": 0, "items": 0, "persons": 0, "companies": 0}
    from workbench.store import Submission

    with store.engine.connect() as c:
        assert c.execute(sa.select(Submission.status)).scalars().all() == ["failed"]


def test_migrations_build_exactly_what_the_models_declare(store_url: str) -> None:
    """Every feature's Alembic revision, applied to an empty database, gives the schema of the models."""
    import sqlalchemy as sa
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    import data_quality.models  # noqa: F401  (declare every feature's tables on Base)
    import workbench.exchange.statistics  # noqa: F401
    import workbench.network.charts  # noqa: F401
    import workbench.network.judgements  # noqa: F401
    import workbench.operations.tables  # noqa: F401
    import workbench.risk.registry  # noqa: F401
    import workbench.risk.traffic  # noqa: F401
    import workbench.store.entity_graph  # noqa: F401
    import workbench.training.courses  # noqa: F401
    from workbench.store import Base, open_store

    store = open_store(store_url)
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        heads = {r[0] for r in conn.execute(sa.text("select version_num from alembic_version"))}
    assert not diff, diff
    assert {"0002_quality", "0003_entities", "0004_risk", "0005_indexes"} <= heads


def test_what_a_user_without_personal_data_gets(store_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Plates, remarks and unvetted extra columns never reach a viewer: not in the list, the search or
    the case detail; flight and vessel ids do."""
    cases = _cases(
        conveyance_type=["aircraft", "truck", "car"],
        conveyance_id=["IB6584", "9634 KVZ", "AB-123-CD"],
        remarks=["", "driver Ivan PETROV", ""],
        suspect_name=["", "Ivan PETROV", ""],
    )
    write_dataset({"cases": cases, "items": ITEMS}, tmp_path / "ds")
    store = open_store(store_url)
    import_path(tmp_path / "ds", store)

    page, _ = search_cases(store, personal_allowed=False)
    assert "conveyance_type" not in page.columns
    ids = dict(zip(page.case_id, page.conveyance_id, strict=True))
    assert ids["C1"] == "IB6584" and ids["C2"] is None and ids["C3"] is None
    assert search_cases(store, text="kvz", personal_allowed=False)[1] == 0
    assert search_cases(store, text="kvz", personal_allowed=True)[1] == 1
    assert search_cases(store, text="ib6584", personal_allowed=False)[1] == 1

    hidden = case_detail(store, "ES", "C2", personal_allowed=False)
    assert hidden is not None
    assert hidden.case["conveyance_id"] is None and hidden.case["remarks"] is None
    assert hidden.extra == {} and hidden.persons is None
    shown = case_detail(store, "ES", "C2", personal_allowed=True)
    assert shown is not None
    assert shown.case["conveyance_id"] == "9634 KVZ" and shown.extra == {"suspect_name": "Ivan PETROV"}
