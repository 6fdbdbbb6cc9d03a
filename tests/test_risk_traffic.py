"""Traffic: the generator (seized rows are the sample's cases, no hint of the outcome), the shipped file,
reading users' files with clear messages, and the traffic table in the store."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from workbench.risk.traffic import (
    COLUMN_NAMES,
    TRAFFIC,
    TrafficError,
    generate_traffic,
    load_traffic,
    read_traffic,
    sample_traffic_path,
    store_traffic,
    traffic_sources,
    typed_traffic,
    write_traffic,
)
from workbench.sample.generator import build_default_sample, generate
from workbench.store import AuditEntry, open_store


@pytest.fixture(scope="module")
def ds():  # type: ignore[no-untyped-def]
    return generate(1500, seed=8)


def test_generated_traffic(ds) -> None:  # type: ignore[no-untyped-def]
    before = {k: v.copy() for k, v in ds.tables.items()}
    t = generate_traffic(ds, innocent_per_seizure=20)
    for k, v in ds.tables.items():  # the sample is left as it was
        pd.testing.assert_frame_equal(v, before[k])
    pd.testing.assert_frame_equal(t, generate_traffic(ds, innocent_per_seizure=20))
    assert not t.equals(generate_traffic(ds, innocent_per_seizure=20, seed=99))
    assert list(t.columns) == list(COLUMN_NAMES)
    assert t["movement_id"].is_unique and t["movement_date"].is_monotonic_increasing
    seized = t[t["seized"]]
    cases = ds.tables["cases"].set_index("case_id")
    assert len(seized) == len(cases) and len(t) == 21 * len(cases)
    assert set(seized["case_id"]) == set(cases.index) and t.loc[~t["seized"], "case_id"].isna().all()
    # the seized rows carry their case's pre-control fields
    joined = seized.merge(cases.reset_index(), on="case_id", suffixes=("", "_case"))
    for col in ("reporting_country", "transport_mode", "departure_country", "transit_countries"):
        a, b = joined[col].astype(object), joined[f"{col}_case"].astype(object)
        assert ((a == b) | (a.isna() & b.isna())).all(), col
    assert (joined["movement_date"] == pd.to_datetime(joined["seizure_date"])).all()
    # passengers declare no goods; routes never start where they are controlled on import
    pax = t["transport_mode"].isin(["air_passenger", "pedestrian"])
    assert t.loc[pax, "hs_code"].isna().all()
    imp = t[(t["customs_procedure"] == "import") & ~t["seized"]]
    assert (imp["departure_country"] != imp["reporting_country"]).mean() > 0.99


def test_no_hint_of_the_outcome_in_blanks_or_order(ds) -> None:  # type: ignore[no-untyped-def]
    t = generate_traffic(ds, innocent_per_seizure=20)
    s, i = t[t["seized"]], t[~t["seized"]]
    for col in (
        "hs_code",
        "declared_value_usd",
        "departure_country",
        "conveyance_id",
        "place_code",
        "customs_procedure",
    ):
        assert abs(s[col].isna().mean() - i[col].isna().mean()) < 0.05, col
    # seized rows are spread through the id order like the rest
    pos = np.flatnonzero(t["seized"].to_numpy()) / len(t)
    assert 0.4 < pos.mean() < 0.6


def test_seizure_share_and_ratio(ds) -> None:  # type: ignore[no-untyped-def]
    t = generate_traffic(ds, innocent_per_seizure=5, seizure_share=0.2)
    n = int(t["seized"].sum())
    assert 0.15 * 1500 < n < 0.25 * 1500 and len(t) == 6 * n
    with pytest.raises(ValueError):
        generate_traffic(ds, seizure_share=0)


def test_shipped_traffic_is_what_the_generator_makes() -> None:
    """sample_data/traffic/traffic.csv goes with the default sample (its seized rows are its cases)."""
    shipped = read_traffic(sample_traffic_path())
    assert not shipped.notices
    again = generate_traffic(build_default_sample(), innocent_per_seizure=25, seizure_share=0.08)
    pd.testing.assert_frame_equal(shipped.frame, again, check_dtype=False)
    default_cases = pd.read_csv(
        sample_traffic_path().parents[1] / "default" / "cases.csv", usecols=["case_id"]
    )
    assert set(shipped.frame["case_id"].dropna()) <= set(default_cases["case_id"])


# ------------------------------------------------------------------ reading users' files
def _csv(tmp_path: Path, text: str, name: str = "t.csv") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_bad_cells_are_named_by_row_and_column(tmp_path: Path) -> None:
    p = _csv(
        tmp_path,
        "movement_id,movement_date,transport_mode,departure_country,seized,declared_value_usd\n"
        "A,2024-01-01,air_passenger,CO,true,10\n"
        "B,01/02/2024,air,CO,maybe,x\n"
        "C,2024-01-03,road,ZZ,no,-5\n",
    )
    with pytest.raises(TrafficError) as e:
        read_traffic(p)
    msg = str(e.value)
    assert msg.startswith("t.csv: 6 bad cell(s)")
    for fragment in (
        "t.csv, row 3, column 'movement_date': not a date",
        "t.csv, row 3, column 'transport_mode': not one of: air_passenger",
        "t.csv, row 4, column 'departure_country': not an ISO 3166-1 alpha-2",
        "t.csv, row 3, column 'seized': not true/false",
        "t.csv, row 3, column 'declared_value_usd': not a number",
        "t.csv, row 4, column 'declared_value_usd': out of range: must be >= 0",
    ):
        assert fragment in msg, fragment


def test_file_level_problems(tmp_path: Path) -> None:
    with pytest.raises(TrafficError, match="required column 'movement_date' missing"):
        read_traffic(_csv(tmp_path, "movement_id,transport_mode\nA,road\n"))
    with pytest.raises(TrafficError, match=r"row 4, column 'movement_id': duplicate 'A' \(first at row 2\)"):
        read_traffic(_csv(tmp_path, "movement_id,movement_date\nA,2024-01-01\nB,2024-01-01\nA,2024-01-02\n"))
    with pytest.raises(TrafficError, match="row 3, column 'movement_date': required value is blank"):
        read_traffic(_csv(tmp_path, "movement_id,movement_date\nA,2024-01-01\nB,\n"))
    with pytest.raises(TrafficError, match="a traffic file is a .csv"):
        read_traffic(_csv(tmp_path, "x", "t.txt"))
    with pytest.raises(TrafficError, match="no such file"):
        read_traffic(tmp_path / "missing.csv")
    book = tmp_path / "t.xlsx"
    write_traffic(pd.DataFrame({"movement_date": pd.to_datetime(["2024-01-01"])}), book)
    import openpyxl

    wb = openpyxl.load_workbook(book)
    wb["traffic"].title = "declarations"
    wb.save(book)
    with pytest.raises(TrafficError, match="t.xlsx: no sheet named 'traffic' \\(sheets: 'declarations'\\)"):
        read_traffic(book)


def test_lenient_where_it_can_be(tmp_path: Path) -> None:
    t = read_traffic(
        _csv(
            tmp_path,
            "movement_date,transit_countries,seized,passenger_age,hs_code\n"
            "2024-01-01,sn; ml,YES,31,080390\n2024-01-02,,0,,\n",
        )
    )
    f = t.frame
    assert f["movement_id"].tolist() == ["row-2", "row-3"]
    assert f["transit_countries"].iloc[0] == "SN;ML" and f["seized"].tolist() == [True, False]
    assert f["passenger_age"].iloc[0] == "31" and "transport_mode" in f.columns
    assert any("passenger_age" in n for n in t.notices) and any("movement_id" in n for n in t.notices)
    assert any("not in the file; treated as blank" in n for n in t.notices)


def test_workbook_round_trip_and_title_lines(tmp_path: Path, ds) -> None:  # type: ignore[no-untyped-def]
    from workbench.exchange.excel import formatted_workbook

    t = generate_traffic(ds, innocent_per_seizure=1).head(200)
    book = write_traffic(t, tmp_path / "t.xlsx")
    pd.testing.assert_frame_equal(read_traffic(book).frame, t, check_dtype=False)
    # a formatted export (title lines above the header) reads too, with right row numbers
    bad = t.copy().astype({"movement_date": "object"})
    bad.loc[5, "movement_date"] = "soon"
    fancy = tmp_path / "fancy.xlsx"
    fancy.write_bytes(formatted_workbook({"traffic": bad}, title="Traffic", notes=["for the test"]))
    with pytest.raises(TrafficError, match=r"fancy.xlsx, sheet 'traffic', row 11, column 'movement_date'"):
        read_traffic(fancy)


def test_typed_traffic_doctest_shape() -> None:
    raw = pd.DataFrame({"movement_id": ["A"], "movement_date": ["2024-01-02"], "seized": ["true"]})
    f = typed_traffic(raw).frame
    assert str(f["movement_date"].dtype).startswith("datetime64") and f["seized"].dtype == bool


# ------------------------------------------------------------------ the traffic table
def test_store_traffic_replaces_its_source_and_keeps_extras(store_url: str, ds) -> None:  # type: ignore[no-untyped-def]
    store = open_store(store_url)
    t = generate_traffic(ds, innocent_per_seizure=2)
    t["passenger_age"] = pd.array(["31"] + [None] * (len(t) - 1), dtype="str")
    assert store_traffic(store, t, "a") == len(t)
    store_traffic(store, t.head(50), "b")
    store_traffic(store, t.head(100), "a")  # replaces a's rows
    src = traffic_sources(store).set_index("source")
    assert src.loc["a", "rows"] == 100 and src.loc["b", "rows"] == 50
    back = load_traffic(store, "a")
    assert len(back) == 100 and back["movement_id"].tolist() == t.head(100)["movement_id"].tolist()
    assert back["seized"].tolist() == t.head(100)["seized"].tolist()
    assert (back["movement_date"] == t.head(100)["movement_date"]).all()
    with store.engine.connect() as conn:
        extra = (
            conn.execute(sa.select(TRAFFIC.c.extra).where(TRAFFIC.c.source == "a").order_by(TRAFFIC.c.id))
            .scalars()
            .first()
        )
        actions = (
            conn.execute(sa.select(AuditEntry.details).where(AuditEntry.action == "risk.traffic_loaded"))
            .scalars()
            .all()
        )
    assert json.loads(extra) == {"passenger_age": "31"}
    assert len(actions) == 3 and json.loads(actions[-1])["replaced"] == len(t)


def test_store_traffic_is_all_or_nothing(tmp_path: Path, ds) -> None:  # type: ignore[no-untyped-def]
    store = open_store(f"sqlite:///{tmp_path / 's.db'}")
    t = generate_traffic(ds, innocent_per_seizure=1).head(300).reset_index(drop=True)
    store_traffic(store, t, "a")
    broken = t.copy()
    broken.loc[250, "movement_id"] = broken.loc[10, "movement_id"]  # violates the unique key while writing
    with pytest.raises(sa.exc.IntegrityError):
        store_traffic(store, broken, "a")
    assert traffic_sources(store).set_index("source").loc["a", "rows"] == 300
