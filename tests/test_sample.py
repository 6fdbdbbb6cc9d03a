"""The sample generator: deterministic, valid against the format, realistic, with its planted structure."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.format.reference import commodities, country_codes
from workbench.format.route import case_route
from workbench.format.schema import FORMAT
from workbench.sample.generator import NETWORK_KINDS, PATTERNS, generate


@pytest.fixture(scope="module")
def ds():  # type: ignore[no-untyped-def]
    return generate(8000, seed=5)


def test_deterministic() -> None:
    a, b, c = generate(500, seed=9), generate(500, seed=9), generate(500, seed=10)
    for name in a.tables:
        pd.testing.assert_frame_equal(a.tables[name], b.tables[name])
    assert not a.tables["cases"].equals(c.tables["cases"])


def test_columns_enums_codes_keys(ds) -> None:  # type: ignore[no-untyped-def]
    codes = country_codes()
    for name, df in ds.tables.items():
        spec = FORMAT.table(name)
        assert list(df.columns) == spec.column_names
        assert not df.duplicated(list(spec.key)).any(), name
        for col in spec.columns:
            s = df[col.name].dropna()
            if col.required:
                assert df[col.name].notna().all(), f"{name}.{col.name} has blanks"
            if col.type == "enum":
                assert set(s) <= set(FORMAT.enums[col.enum or ""]), f"{name}.{col.name}"
            if col.type == "iso2":
                assert set(s) <= codes, f"{name}.{col.name}: {set(s) - codes}"
            if col.type == "iso2_list":
                assert set(";".join(s).split(";")) - {""} <= codes
    cases = ds.tables["cases"]
    keys = set(zip(cases.reporting_country, cases.case_id, strict=True))
    for name in ("items", "persons", "companies"):
        df = ds.tables[name]
        assert set(zip(df.reporting_country, df.case_id, strict=True)) <= keys, name
    assert (ds.tables["items"]["quantity"] > 0).all()
    entry = pd.to_datetime(cases["entry_date"])
    assert (entry.dropna() >= pd.to_datetime(cases["seizure_date"])[entry.notna()]).all()


def test_consistent_methods_and_units(ds) -> None:  # type: ignore[no-untyped-def]
    c = ds.tables["cases"]
    body = c["concealment_method"].isin(["internal_body", "body_carry"])
    assert c.loc[body, "transport_mode"].isin(["air_passenger", "pedestrian", "road"]).all()
    mail = c["concealment_method"] == "mail_item"
    assert c.loc[mail, "transport_mode"].isin(["postal", "express_courier"]).all()
    sea = c["transport_mode"].isin(["sea_container", "sea_other"])
    assert (c.loc[sea, "place_type"] == "seaport").all() and (c.loc[sea, "conveyance_type"] == "vessel").all()
    air = c["transport_mode"] == "air_passenger"
    assert c.loc[air & c.conveyance_id.notna(), "conveyance_id"].str.match(r"^[A-Z0-9]{2}\d{2,4}$").all()
    items = ds.tables["items"]
    default_unit = commodities().set_index("type")["default_unit"]
    assert (items["unit"] == items["commodity_type"].map(default_unit)).all()
    cig = items[items.commodity_type == "cigarettes"]
    assert (cig["unit"] == "sticks").all()
    # heavy tail: the largest cocaine seizures are orders of magnitude above the median
    coke = items.loc[items.commodity_type == "cocaine", "quantity"]
    assert coke.quantile(0.99) > 50 * coke.median()


def test_known_routes_are_there(ds) -> None:  # type: ignore[no-untyped-def]
    c = ds.tables["cases"]
    routes = [
        case_route(
            r.departure_country,
            r.transit_countries,
            r.destination_country,
            r.customs_procedure,
            r.reporting_country,
        ).countries
        for r in c.itertuples()
    ]
    via_west_africa = sum(
        1 for r in routes if r and r[0] in {"BR", "CO"} and set(r[1:-1]) & {"GH", "NG", "SN", "TG"}
    )
    balkan = sum(1 for r in routes if r and r[0] == "AF" and "TR" in r and "BG" in r)
    assert via_west_africa > 100 and balkan > 100


def test_planted_networks(ds) -> None:  # type: ignore[no-untyped-def]
    nets = ds.truth["networks"]
    kinds = {n["kind"] for n in nets}
    assert kinds == set(NETWORK_KINDS)
    persons, companies = (
        ds.tables["persons"].set_index("person_id"),
        ds.tables["companies"].set_index("company_id"),
    )
    for net in nets:
        assert len(net["case_keys"]) >= 3
        assert len({k[0] for k in net["case_keys"]}) >= 2, net["name"]
        if net["kind"] == "shared_phone":
            assert set(persons.loc[net["person_ids"], "phone"]) == {net["shared"]["phone"]}
        if net["kind"] == "shared_address":
            assert set(companies.loc[net["company_ids"], "address"]) == {net["shared"]["address"]}
        if net["kind"] == "travel_group":
            assert set(persons.loc[net["person_ids"], "address"]) == {net["shared"]["address"]}
            cases = ds.tables["cases"].set_index(["reporting_country", "case_id"])
            flights = {cases.loc[tuple(k), "conveyance_id"] for k in net["case_keys"]}
            assert flights <= set(net["shared"]["conveyance_id"])
        if net["kind"] == "organiser":
            members = persons.loc[net["person_ids"]]
            org = members[members["role"] == "organiser"]
            assert set(org["passport_number"]) == {net["shared"]["passport_number"]}
            assert len(org) == len(net["case_keys"])  # recorded once in each case
            assert (members["role"] == "courier").any()  # with the couriers of those cases


def test_planted_duplicates(ds) -> None:  # type: ignore[no-untyped-def]
    ent = pd.Series(ds.truth["person_entities"])
    dup = ent[ent.duplicated(keep=False)]
    assert len(dup) > 100
    p = ds.tables["persons"].set_index("person_id")
    # variants: some duplicates differ in spelling or date of birth from the original
    differ = 0
    for _, group in dup.groupby(dup):
        rows = p.loc[group.index]
        if (
            rows["last_name"].nunique() > 1
            or rows["date_of_birth"].nunique() > 1
            or rows["first_name"].nunique() > 1
        ):
            differ += 1
    assert differ > 50
    cent = pd.Series(ds.truth["company_entities"])
    assert cent.duplicated().sum() > 20


@pytest.mark.parametrize("name", [p["name"] for p in PATTERNS if "emerge" in p])
def test_emerging_routes_grow(ds, name: str) -> None:  # type: ignore[no-untyped-def]
    pat = next(p for p in PATTERNS if p["name"] == name)
    c = ds.tables["cases"]
    sel = c["departure_country"].isin(pat["departure"]) & c["transport_mode"].isin(pat["modes"])
    sel &= c["transit_countries"].fillna("").isin([t for t in pat["transit"] if t])
    sel &= c["destination_country"].isin(pat["destination"]) | c["destination_country"].isna()
    d = pd.to_datetime(c.loc[sel, "seizure_date"])
    last12 = (d > "2024-12-31").sum()
    prior12 = ((d > "2023-12-31") & (d <= "2024-12-31")).sum()
    before = (d < pd.Timestamp(pat["emerge"]) - pd.Timedelta(days=365)).sum()
    assert last12 >= 1.5 * max(prior12, 1), (name, prior12, last12)
    assert last12 > 3 * max(before, 1) / 2, (name, before, last12)


@pytest.mark.parametrize("n", [1, 2, 7, 60])
def test_tiny_samples(n: int) -> None:
    ds = generate(n, seed=n)
    assert len(ds.tables["cases"]) == n
