"""Trend queries: the workbench (pandas over the shared seizure frame) against DuckDB on the same data.

Each run answers the same five questions, every series zero-filled over the whole period range:

1. cases per month by commodity category;
2. cases per quarter by transport mode;
3. quantity per year by commodity type and unit;
4. cases per month by WCO region of the reporting country;
5. cases per quarter by origin → destination route.

``trends_query`` reads the store with :func:`workbench.store.frames.seizure_frame` (ADBC) and runs
:func:`workbench.trends.series.time_series`; ``trends_query_duckdb`` reads the same rows the same way and
runs the five questions as SQL in DuckDB over the Arrow table (the reference analytical engine);
``trends_query_duckdb_csv`` lets DuckDB read the exchange-format CSV folder itself. Extra columns:
``read_s`` (loading) and ``query_s`` (the five questions). ``trends_emerging`` times the detector.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from benchmarks.bench_core import dataset_dir, store_url
from benchmarks.harness import benchmark

QUESTIONS: list[tuple[str, str, str]] = [
    ("commodity_category", "M", "cases"),
    ("transport_mode", "Q", "cases"),
    ("commodity_type", "Y", "quantity"),
    ("wco_region", "M", "cases"),
    ("route", "Q", "cases"),
]


def _setup(size: int, workdir: Path) -> None:
    store_url(size, workdir)
    dataset_dir(size, workdir)


@benchmark("trends_query", sizes=(10_000, 100_000, 1_000_000), setup=_setup)
def bench_trends_query(size: int, workdir: Path) -> dict[str, Any]:
    from workbench.store import open_store
    from workbench.store.frames import seizure_frame
    from workbench.trends.series import time_series

    t0 = time.perf_counter()
    frame = seizure_frame(open_store(store_url(size, workdir)))
    t1 = time.perf_counter()
    rows = sum(len(time_series(frame, by, freq, measure)) for by, freq, measure in QUESTIONS)
    t2 = time.perf_counter()
    return {"read_s": round(t1 - t0, 2), "query_s": round(t2 - t1, 2), "rows": rows}


# ------------------------------------------------------------------------------------ DuckDB
_PERIOD = {"M": "month", "Q": "quarter", "Y": "year"}


def _duckdb_questions(con: Any) -> int:
    """The five questions in SQL over a relation ``s`` (one row per item, as the seizure frame)."""
    from workbench.format.reference import countries

    con.register("countries", countries()[["iso2", "wco_region"]])
    # origin and destination as workbench.format.route.od_pairs defines them
    con.execute(
        """
        CREATE OR REPLACE TEMP VIEW r AS
        SELECT *,
          coalesce(nullif(trim(departure_country), ''), nullif(trim(split_part(transit_countries, ';', 1)), '')) AS o,
          coalesce(nullif(trim(destination_country), ''),
                   CASE WHEN customs_procedure = 'import' THEN reporting_country END,
                   nullif(trim(split_part(transit_countries, ';', -1)), '')) AS d,
          (nullif(trim(destination_country), '') IS NULL AND customs_procedure = 'import') AS inferred
        FROM s
        """
    )
    rows = 0
    for by, freq, measure in QUESTIONS:
        period = f"date_trunc('{_PERIOD[freq]}', seizure_date)"
        if by == "wco_region":
            key, source = (
                "coalesce(c.wco_region, '(not stated)')",
                "s LEFT JOIN countries c ON c.iso2 = s.reporting_country",
            )
        elif by == "route":
            key = "CASE WHEN o IS NOT NULL AND d IS NOT NULL AND o <> d THEN o || ' → ' || d || CASE WHEN inferred THEN ' (inferred)' ELSE '' END ELSE '(not stated)' END"
            source = "r"
        else:
            key, source = f"coalesce({by}, '(not stated)')", "s"
        if measure == "quantity":
            agg = "count(DISTINCT case_key) AS cases, sum(quantity) AS quantity, sum(estimated_value_usd) AS value_usd"
            keys, where = f"{key} AS k, unit", "WHERE unit IS NOT NULL"
            group = "1, 2, 3"
            fill_keys = "k, unit"
        else:
            agg = "count(DISTINCT case_key) AS cases, sum(estimated_value_usd) AS value_usd"
            keys, where, group, fill_keys = f"{key} AS k", "", "1, 2", "k"
        sql = f"""
            WITH agg AS (
                SELECT {period} AS p, {keys}, {agg} FROM {source} {where} GROUP BY {group}
            ),
            periods AS (
                SELECT range AS p FROM range((SELECT min(p) FROM agg), (SELECT max(p) FROM agg) + INTERVAL 1 DAY,
                                             INTERVAL 1 {_PERIOD[freq]})
            ),
            series AS (SELECT DISTINCT {fill_keys} FROM agg)
            SELECT periods.p, series.*, coalesce(agg.cases, 0) AS cases
            FROM periods CROSS JOIN series LEFT JOIN agg USING (p, {fill_keys})
            ORDER BY ALL
        """
        rows += len(con.execute(sql).fetchall())
    return rows


def _store_select() -> Any:
    import sqlalchemy as sa

    from workbench.store import DATA_TABLES
    from workbench.store.frames import CASE_COLUMNS, ITEM_COLUMNS

    cases, items = DATA_TABLES["cases"], DATA_TABLES["items"]
    join = sa.and_(items.c.reporting_country == cases.c.reporting_country, items.c.case_id == cases.c.case_id)
    key = (cases.c.reporting_country + ":" + cases.c.case_id).label("case_key")
    return sa.select(
        key, *[cases.c[c] for c in CASE_COLUMNS], *[items.c[c] for c in ITEM_COLUMNS]
    ).select_from(cases.outerjoin(items, join))


@benchmark("trends_query_duckdb", sizes=(10_000, 100_000, 1_000_000), setup=_setup)
def bench_trends_query_duckdb(size: int, workdir: Path) -> dict[str, Any]:
    import duckdb

    from workbench.store import open_store
    from workbench.store.frames import read_arrow

    t0 = time.perf_counter()
    table = read_arrow(open_store(store_url(size, workdir)), _store_select())  # the same ADBC read
    t1 = time.perf_counter()
    con = duckdb.connect()
    con.register("s_raw", table)
    con.execute(
        "CREATE OR REPLACE TEMP VIEW s AS SELECT * REPLACE (CAST(seizure_date AS DATE) AS seizure_date) FROM s_raw"
    )
    rows = _duckdb_questions(con)
    t2 = time.perf_counter()
    return {"read_s": round(t1 - t0, 2), "query_s": round(t2 - t1, 2), "rows": rows}


@benchmark("trends_query_duckdb_csv", sizes=(10_000, 100_000, 1_000_000), setup=_setup)
def bench_trends_query_duckdb_csv(size: int, workdir: Path) -> dict[str, Any]:
    import duckdb

    d = dataset_dir(size, workdir)
    t0 = time.perf_counter()
    con = duckdb.connect()
    con.execute(
        f"""
        CREATE TEMP TABLE s AS
        SELECT c.reporting_country || ':' || c.case_id AS case_key, c.*, i.commodity_category, i.commodity_type,
               i.quantity, i.unit, i.estimated_value_usd
        FROM read_csv('{d / "cases.csv"}', all_varchar = true) c
        LEFT JOIN read_csv('{d / "items.csv"}', all_varchar = true) i USING (reporting_country, case_id)
        """
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE s AS SELECT * REPLACE (CAST(seizure_date AS DATE) AS seizure_date, "
        "CAST(quantity AS DOUBLE) AS quantity, CAST(estimated_value_usd AS DOUBLE) AS estimated_value_usd) FROM s"
    )
    t1 = time.perf_counter()
    rows = _duckdb_questions(con)
    t2 = time.perf_counter()
    return {"read_s": round(t1 - t0, 2), "query_s": round(t2 - t1, 2), "rows": rows}


@benchmark("trends_emerging", sizes=(10_000, 100_000, 1_000_000), setup=_setup)
def bench_trends_emerging(size: int, workdir: Path) -> dict[str, Any]:
    from workbench.store import open_store
    from workbench.store.frames import seizure_frame
    from workbench.trends.emerging import detect_emerging

    t0 = time.perf_counter()
    frame = seizure_frame(open_store(store_url(size, workdir)))
    t1 = time.perf_counter()
    result = detect_emerging(frame)
    t2 = time.perf_counter()
    return {
        "read_s": round(t1 - t0, 2),
        "query_s": round(t2 - t1, 2),
        "rows": len(result.tested),
        "flags": len(result.flags),
    }
