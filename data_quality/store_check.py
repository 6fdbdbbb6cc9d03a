"""The periodic check of everything stored: the suites run against the database itself.

Rules SQL can say run **inside the database** through a Great Expectations SQL data source (SQLite or
PostgreSQL), one table asset per exchange-format table: the format's rules, dates, units, quantities,
taxonomy and routes. Referential integrity and likely duplicates run as GX ``UnexpectedRowsExpectation``
queries (joins). The geometric rules (place in the reporting country, place code near the coordinates)
have no SQL form without a spatial extension: they run on a narrow frame (``id`` and the columns they
read) fetched through ADBC, with the same GX expectations on a pandas batch.

Failing rows are named by the store's ``id``; the run is recorded in ``dq_runs`` with ``kind='store'``.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from data_quality.catalogue import Rule, rules_for
from data_quality.engine import GXEngine, RuleOutcome, gx_version, outcomes_from_result, result_format
from data_quality.results import QualityResults
from data_quality.storage import write_run
from workbench.format.schema import TABLE_NAMES
from workbench.i18n import _
from workbench.store import DATA_TABLES, Store

__all__ = ["validate_store", "store_queries"]

_LOCK = threading.Lock()
_DESCRIBE_LIMIT = 1000
#: failing rows listed per expectation in a store check (the rest are counted)
_LISTED = 5000


def store_queries(table: str) -> dict[str, str]:
    """The SQL of the join rules for ``table`` (``{batch}`` is the table), by expectation type."""
    out: dict[str, str] = {}
    if table != "cases":
        out["expect_case_to_exist"] = (
            "SELECT t.id FROM {batch} t LEFT JOIN cases c "
            "ON c.reporting_country = t.reporting_country AND c.case_id = t.case_id WHERE c.id IS NULL"
        )
    if table == "items":
        same_place = (
            "COALESCE(NULLIF(UPPER(c2.place_code), ''), LOWER(c2.place_name), '') = "
            "COALESCE(NULLIF(UPPER(c1.place_code), ''), LOWER(c1.place_name), '')"
        )
        out["expect_no_likely_duplicate_seizure"] = (
            "SELECT i2.id FROM {batch} i2 "
            "JOIN cases c2 ON c2.reporting_country = i2.reporting_country AND c2.case_id = i2.case_id "
            "JOIN cases c1 ON c1.reporting_country = c2.reporting_country AND c1.seizure_date = c2.seizure_date "
            f"AND c1.id < c2.id AND {same_place} "
            "JOIN items i1 ON i1.reporting_country = c1.reporting_country AND i1.case_id = c1.case_id "
            "AND i1.commodity_type = i2.commodity_type AND i1.unit = i2.unit "
            "AND ROUND(CAST(i1.quantity AS NUMERIC), 3) = ROUND(CAST(i2.quantity AS NUMERIC), 3)"
        )
    return out


def _gx_sql_source(ctx: Any, store: Store) -> Any:
    name = f"store-{uuid.uuid4().hex[:8]}"
    url = store.engine.url.render_as_string(hide_password=False)
    if store.dialect == "sqlite":
        return ctx.data_sources.add_sqlite(name=name, connection_string=url)
    if store.dialect == "postgresql":
        return ctx.data_sources.add_postgres(name=name, connection_string=url)
    return ctx.data_sources.add_sql(name=name, connection_string=url)


def _sql_outcomes(source: Any, table: str, rules: list[Rule], n_rows: int) -> list[RuleOutcome]:
    from data_quality.engine import _context, _gx, gx_expectation

    gx = _gx()
    ctx = _context()
    asset = source.add_table_asset(name=table, table_name=table)
    batch = asset.add_batch_definition_whole_table("whole").get_batch()
    queries = store_queries(table)
    expectations = []
    for r in rules:
        if r.expectation in queries:
            meta = {"rule_id": r.id, "column": r.column}
            expectations.append(
                gx.expectations.UnexpectedRowsExpectation(
                    unexpected_rows_query=queries[r.expectation],
                    meta=meta,
                    severity=r.severity,
                    description=_("Expect no row where {problem}.", problem=r.problem),
                )
            )
        else:
            expectations.append(gx_expectation(r, engine="sql"))
    suite = ctx.suites.add(
        gx.ExpectationSuite(name=f"store-{table}-{uuid.uuid4().hex[:8]}", expectations=expectations)
    )
    fmt = result_format("id", listed=_LISTED)
    result = batch.validate(suite, result_format=fmt)
    outs = outcomes_from_result(result, rules, "id", n_rows)
    # query expectations report a count and at most 200 rows: keep both
    by_id = {o.rule.id: o for o in outs}
    for res in result.results:
        rid = (res.expectation_config.meta or {}).get("rule_id")
        rr = res.result or {}
        if rid in by_id and "observed_value" in rr:
            rows = ((rr.get("details") or {}).get("unexpected_rows")) or []
            ids = [int(row["id"] if isinstance(row, dict) else row[0]) for row in rows]
            o = by_id[rid]
            o.failing = np.asarray(ids, dtype=np.int64)
            o.unlisted = max(0, int(rr["observed_value"] or 0) - len(ids))
    ctx.suites.delete(suite.name)
    return outs


def _narrow_frame(store: Store, table: str, columns: list[str]) -> pd.DataFrame:
    from workbench.store.frames import read_arrow

    t = DATA_TABLES[table]
    cols = list(dict.fromkeys(["id", *columns]))
    df: pd.DataFrame = read_arrow(store, sa.select(*[t.c[c] for c in cols])).to_pandas()
    for c in df.columns:
        if c.endswith("_date"):
            df[c] = pd.to_datetime(df[c], errors="coerce")
    return df


def _describe(store: Store, table: str, outcomes: list[RuleOutcome]) -> pd.DataFrame:
    """Case keys and the reported columns of failing rows (a sample per rule), for the record."""
    ids = sorted({int(i) for o in outcomes for i in o.failing[:_DESCRIBE_LIMIT]})
    if not ids:
        return pd.DataFrame(columns=["id"])
    t = DATA_TABLES[table]
    rows: list[sa.RowMapping] = []
    with store.engine.connect() as conn:
        for k in range(0, len(ids), 500):
            rows.extend(conn.execute(sa.select(t).where(t.c.id.in_(ids[k : k + 500]))).mappings().fetchall())
    return pd.DataFrame([dict(r) for r in rows])


def validate_store(store: Store, *, today: dt.date | None = None, record: bool = True) -> QualityResults:
    """Run every suite against the store (see the module docstring) and, by default, record the run."""
    t0 = time.perf_counter()
    started = dt.datetime.now(dt.UTC)
    res = QualityResults(today)
    counts = store.counts()
    gx_engine = GXEngine()
    from data_quality.engine import _context

    with _LOCK:
        ctx = _context()
        source = _gx_sql_source(ctx, store)
        try:
            for table in TABLE_NAMES:
                n = counts.get(table, 0)
                res.rows_read[table] = n
                res.where[table] = _("store table {table}", table=table)
                if not n:
                    continue
                rules = [r for r in rules_for(table, today) if r.stage != "read"]
                in_sql = [r for r in rules if r.sql]
                in_pandas = [r for r in rules if not r.sql and r.stage == "suite"]
                outcomes = _sql_outcomes(source, table, in_sql, n)
                if in_pandas:
                    frame = _narrow_frame(store, table, sorted({c for r in in_pandas for c in r.columns}))
                    outcomes += gx_engine.run(table, frame, in_pandas, index="id")
                described = _describe(store, table, outcomes).rename(columns={"id": "_row"})
                res.add_outcomes(table, described, outcomes, res.where[table])
        finally:
            ctx.data_sources.delete(source.name)
    res.cover(TABLE_NAMES)
    res.notes.append(
        _(
            "rows are the store's ids; the place rules ran on a pandas batch read from the store, the others in SQL"
        )
    )
    if record:
        with store.engine.begin() as conn:
            write_run(
                conn,
                res,
                None,
                submission_id=None,
                kind="store",
                engine=f"great_expectations {gx_version()} (sql)",
                seconds=time.perf_counter() - t0,
                started_at=started,
            )
    return res
