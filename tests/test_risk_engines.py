"""The two engines from one definition: every operator, nesting, blanks and the transit list give the
same matches in pandas, in SQLite and in PostgreSQL, and the matches a person expects."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from workbench.risk.frame_engine import PreparedFrame, evaluate
from workbench.risk.model import Group, Leaf, Node, Not, parse_condition
from workbench.risk.sql_engine import compile_condition
from workbench.risk.traffic import TRAFFIC, load_traffic, store_traffic
from workbench.store import open_store

# Hand-made traffic with the traps: codes inside other codes, lower case, blanks as NULL and as '',
# LIKE wildcards in data, a NULL value, dates on the edges.
ROWS = [
    # id,  date,        mode,            dep,  transit,   hs,       value,   conveyance, place
    ("m01", "2024-01-01", "air_passenger", "CO", "SN", "080390", 100.0, "AB%1", "Dakar Airport"),
    ("m02", "2024-01-15", "air_passenger", "BO", "GH;SN", "0803", 5000.0, "ABX1", "Accra airport"),
    (
        "m03",
        "2024-02-01",
        "air_passenger",
        "PE",
        "SN;ML",
        "620342",
        15000.5,
        "AB%",
        "Border crossing from Mali",
    ),
    ("m04", "2024-02-29", "sea_container", "CO", "USN;ML", "", None, "IMO9123456", "Rotterdam"),
    ("m05", "2024-03-01", "sea_container", None, "XSN", None, 0.0, None, None),
    ("m06", "2024-03-31", "road", "", "sn;ml", "6203", 250.0, "", ""),
    ("m07", "2024-04-01", "road", "AF", "IR;TR;BG", "240220", 99.99, "TRN12345", "Border crossing from Iran"),
    ("m08", "2024-04-02", None, "CO", None, "240311", 5000.0, "1Z999", "Inland customs control"),
    (
        "m09",
        "2024-05-01",
        "express_courier",
        "BR",
        "NG",
        "950300",
        1.0,
        "RR123456785CN",
        "International mail centre",
    ),
    ("m10", "2024-06-30", "postal", "CN", "", "610910", 15000.5, "CP1", "International mail centre Paris"),
    ("m11", "2024-07-01", "air_cargo", "BO", "TG;GH", "080390", 5000.0, "ET1", "Lomé Airport"),
    ("m12", "2024-07-02", "air_passenger", "CO", "SN", "080390", 100.0, "AB%1", "Dakar Airport"),
]


def hand_frame() -> pd.DataFrame:
    cols = [
        "movement_id",
        "movement_date",
        "transport_mode",
        "departure_country",
        "transit_countries",
        "hs_code",
        "declared_value_usd",
        "conveyance_id",
        "place_name",
    ]
    df = pd.DataFrame(ROWS, columns=cols)
    df["movement_date"] = pd.to_datetime(df["movement_date"])
    for c in cols:
        if c not in ("movement_date", "declared_value_usd"):
            df[c] = df[c].astype(object)
    df["seized"] = [True, False, True, False, False, False, True, False, True, False, False, False]
    return df


def leaf(field: str, op: str, value: object = None) -> dict:
    d = {"field": field, "op": op}
    if op not in ("is_blank", "not_blank"):
        d["value"] = value
    return d


# (condition, the movement ids a person expects)
CASES: list[tuple[dict, set[str]]] = [
    (leaf("transport_mode", "eq", "air_passenger"), {"m01", "m02", "m03", "m12"}),
    (leaf("departure_country", "ne", "CO"), {"m02", "m03", "m07", "m09", "m10", "m11"}),
    (leaf("departure_country", "in", ["BO", "PE"]), {"m02", "m03", "m11"}),
    (leaf("departure_country", "not_in", ["CO", "BO"]), {"m03", "m07", "m09", "m10"}),
    (leaf("transit_countries", "contains_any", ["SN"]), {"m01", "m02", "m03", "m12"}),
    (leaf("transit_countries", "contains_any", ["GH", "TG"]), {"m02", "m11"}),
    (leaf("transit_countries", "contains_any", ["ML", "TR"]), {"m03", "m04", "m07"}),
    (leaf("declared_value_usd", "between", [100, 5000]), {"m01", "m02", "m06", "m08", "m11", "m12"}),
    (leaf("declared_value_usd", "gt", 5000), {"m03", "m10"}),
    (leaf("declared_value_usd", "ge", 5000), {"m02", "m03", "m08", "m10", "m11"}),
    (leaf("declared_value_usd", "lt", 100), {"m05", "m07", "m09"}),
    (leaf("declared_value_usd", "le", 100), {"m01", "m05", "m07", "m09", "m12"}),
    (leaf("declared_value_usd", "eq", 0), {"m05"}),
    (leaf("declared_value_usd", "ne", 100), {"m02", "m03", "m05", "m06", "m07", "m08", "m09", "m10", "m11"}),
    (leaf("declared_value_usd", "in", [0, 99.99]), {"m05", "m07"}),
    (leaf("declared_value_usd", "not_in", [5000, 100]), {"m03", "m05", "m06", "m07", "m09", "m10"}),
    (leaf("movement_date", "between", ["2024-02-01", "2024-03-31"]), {"m03", "m04", "m05", "m06"}),
    (leaf("movement_date", "gt", "2024-06-30"), {"m11", "m12"}),
    (leaf("movement_date", "lt", "2024-01-15"), {"m01"}),
    (leaf("movement_date", "eq", "2024-02-29"), {"m04"}),
    (leaf("hs_code", "startswith", "0803"), {"m01", "m02", "m11", "m12"}),
    (leaf("hs_code", "startswith", ["2402", "2403", "6203"]), {"m03", "m06", "m07", "m08"}),
    (leaf("conveyance_id", "startswith", "AB%"), {"m01", "m03", "m12"}),
    (leaf("conveyance_id", "eq", "AB%"), {"m03"}),
    (leaf("place_name", "regex", "^Border crossing"), {"m03", "m07"}),
    (leaf("place_name", "regex", "(?i)airport"), {"m01", "m02", "m11", "m12"}),
    (leaf("place_name", "regex", "[Aa]irport$"), {"m01", "m02", "m11", "m12"}),
    (leaf("conveyance_id", "regex", "[0-9]{5}"), {"m04", "m07", "m09"}),
    (leaf("transit_countries", "regex", "^SN(;|$)"), {"m01", "m03", "m12"}),
    (leaf("hs_code", "is_blank"), {"m04", "m05"}),
    (leaf("hs_code", "not_blank"), {f"m{k:02d}" for k in range(1, 13)} - {"m04", "m05"}),
    (leaf("departure_country", "is_blank"), {"m05", "m06"}),
    (leaf("declared_value_usd", "is_blank"), {"m04"}),
    (leaf("transport_mode", "is_blank"), {"m08"}),
    (leaf("transit_countries", "not_blank"), {f"m{k:02d}" for k in range(1, 13)} - {"m08", "m10"}),
    # nesting and not: blanks match `not eq` but never `ne`
    (
        {"not": leaf("departure_country", "eq", "CO")},
        {"m02", "m03", "m05", "m06", "m07", "m09", "m10", "m11"},
    ),
    (
        {
            "all": [
                leaf("departure_country", "in", ["BO", "CO", "PE"]),
                leaf("transit_countries", "contains_any", ["GH", "NG", "SN", "TG"]),
                leaf("transport_mode", "eq", "air_passenger"),
            ]
        },
        {"m01", "m02", "m03", "m12"},
    ),
    (
        {
            "any": [
                {
                    "all": [
                        leaf("transport_mode", "eq", "road"),
                        {"not": leaf("hs_code", "startswith", "2402")},
                    ]
                },
                {
                    "not": {
                        "any": [leaf("declared_value_usd", "ge", 100), leaf("declared_value_usd", "is_blank")]
                    }
                },
            ]
        },
        {"m05", "m06", "m07", "m09"},
    ),
    ({"not": {"not": leaf("transport_mode", "eq", "road")}}, {"m06", "m07"}),
    (
        {
            "all": [
                {"not": leaf("transit_countries", "contains_any", ["SN"])},
                leaf("departure_country", "eq", "CO"),
            ]
        },
        {"m04", "m08"},
    ),
]


def _ids(frame: pd.DataFrame, mask: np.ndarray) -> set[str]:
    return set(frame.loc[mask, "movement_id"].astype(str))


@pytest.mark.parametrize("raw, expected", CASES, ids=[f"c{k:02d}" for k in range(len(CASES))])
def test_pandas_engine_matches_what_a_person_expects(raw: dict, expected: set[str]) -> None:
    df = hand_frame()
    cond = parse_condition(raw)
    assert _ids(df, evaluate(cond, df)) == expected
    # the categorical path (frames read from the store) gives the same
    cat = df.copy()
    for c in ("transport_mode", "departure_country", "transit_countries", "hs_code", "place_name"):
        cat[c] = cat[c].astype("category")
    assert _ids(cat, evaluate(cond, cat)) == expected


def test_sql_engine_agrees_on_every_case(store_url: str) -> None:
    """Both backends: every hand case in SQL equals the expected set (and so the pandas engine)."""
    store = open_store(store_url)
    df = hand_frame()
    store_traffic(store, df, "hand")
    from_store = load_traffic(store, "hand")
    prepared = PreparedFrame(from_store)
    wrong = []
    with store.engine.connect() as conn:
        for k, (raw, expected) in enumerate(CASES):
            cond = parse_condition(raw)
            for never_null in (True, False):
                expr = compile_condition(cond, TRAFFIC, never_null=never_null)
                got = {r[0] for r in conn.execute(sa.select(TRAFFIC.c.movement_id).where(expr))}
                if got != expected:
                    wrong.append((k, never_null, raw, sorted(got ^ expected)))
            # never NULL: NOT of the whole expression is exactly the complement
            negated = sa.select(TRAFFIC.c.movement_id).where(sa.not_(compile_condition(cond, TRAFFIC)))
            assert {r[0] for r in conn.execute(negated)} == set(df["movement_id"]) - expected, (k, raw)
            assert _ids(from_store, prepared.evaluate(cond)) == expected, (k, raw)
    assert not wrong, wrong


def test_sql_regex_on_sqlite_uses_python_re(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """SQLite has no REGEXP of its own: the store's engine has one (Python's re.search) on every connection."""
    store = open_store(f"sqlite:///{tmp_path / 'r.db'}")
    with store.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT 'Border crossing' REGEXP '^Bor'")).scalar() == 1
        assert conn.execute(sa.text("SELECT 'x' REGEXP '^Bor'")).scalar() == 0
    # a fresh connection from the pool has it too
    store.engine.dispose()
    with store.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT 'ab12' REGEXP '[0-9]{2}$'")).scalar() == 1


# ------------------------------------------------------------------ random trees on generated traffic
def _random_leaf(rng: np.random.Generator, frame: pd.DataFrame) -> dict:
    kind = rng.integers(0, 9)
    pick = lambda col, k: [  # noqa: E731
        str(x) for x in rng.choice(frame[col].dropna().unique(), size=k, replace=False)
    ]
    if kind == 0:
        return leaf("transport_mode", "eq", pick("transport_mode", 1)[0])
    if kind == 1:
        return leaf("departure_country", ["in", "not_in"][rng.integers(0, 2)], pick("departure_country", 3))
    if kind == 2:
        codes = sorted({c for t in frame["transit_countries"].dropna().unique() for c in t.split(";")})
        return leaf(
            "transit_countries", "contains_any", [str(x) for x in rng.choice(codes, 2, replace=False)]
        )
    if kind == 3:
        hs = pick("hs_code", 2)
        return leaf("hs_code", "startswith", [h[: rng.integers(2, 5)] for h in hs])
    if kind == 4:
        lo = float(rng.integers(0, 20_000))
        return leaf("declared_value_usd", ["gt", "lt", "ge", "le"][rng.integers(0, 4)], lo)
    if kind == 5:
        lo = dt.date(2019, 1, 1) + dt.timedelta(days=int(rng.integers(0, 2000)))
        return leaf("movement_date", "between", [lo.isoformat(), (lo + dt.timedelta(days=400)).isoformat()])
    if kind == 6:
        return leaf(str(rng.choice(["hs_code", "departure_country", "transit_countries"])), "is_blank")
    if kind == 7:
        return leaf(
            "conveyance_id", "regex", str(rng.choice(["^IMO9", "[0-9]{4}$", "^(RR|CP)", "[A-Z]{2} "]))
        )
    return leaf("reporting_country", "ne", pick("reporting_country", 1)[0])


def _random_tree(rng: np.random.Generator, frame: pd.DataFrame, depth: int = 0) -> dict:
    r = rng.random()
    if depth >= 3 or r < 0.4:
        return _random_leaf(rng, frame)
    if r < 0.55:
        return {"not": _random_tree(rng, frame, depth + 1)}
    return {
        str(rng.choice(["all", "any"])): [
            _random_tree(rng, frame, depth + 1) for _ in range(rng.integers(2, 4))
        ]
    }


@pytest.fixture(scope="module")
def generated_traffic() -> pd.DataFrame:
    from workbench.risk.traffic import generate_traffic
    from workbench.sample.generator import generate

    return generate_traffic(generate(400, seed=11), innocent_per_seizure=6)


def test_random_trees_agree_in_both_engines(store_url: str, generated_traffic: pd.DataFrame) -> None:
    store = open_store(store_url)
    store_traffic(store, generated_traffic, "gen")
    frame = generated_traffic
    prepared = PreparedFrame(frame)
    rng = np.random.default_rng(5)
    checked = 0
    with store.engine.connect() as conn:
        for _ in range(60):
            cond = parse_condition(_random_tree(rng, frame))
            pandas_ids = _ids(frame, prepared.evaluate(cond))
            for never_null in (True, False):  # the cheaper form used inside WHERE and CASE agrees too
                expr = compile_condition(cond, TRAFFIC, never_null=never_null)
                sql_ids = {r[0] for r in conn.execute(sa.select(TRAFFIC.c.movement_id).where(expr))}
                assert pandas_ids == sql_ids, (never_null, cond)
            checked += bool(pandas_ids) and len(pandas_ids) < len(frame)
    assert checked > 20  # most trees match some rows but not all


def test_node_types_are_plain_values() -> None:
    cond = parse_condition(
        {"not": {"any": [leaf("hs_code", "startswith", ["62"]), leaf("hs_code", "is_blank")]}}
    )
    assert cond == Not(Group("any", (Leaf("hs_code", "startswith", ("62",)), Leaf("hs_code", "is_blank"))))
    assert isinstance(cond, Node.__args__)  # type: ignore[attr-defined]
