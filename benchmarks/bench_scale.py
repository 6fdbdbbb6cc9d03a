"""Scale: the pages' aggregates in the database (pushdown, summaries) against the old path and DuckDB.

``python -m benchmarks.bench_scale --sizes 100000 1000000`` generates the data set (seed 1, the generator
of :mod:`benchmarks.bench_core`), imports its CSV folder into a SQLite store (timed: the import row; the
store and the data set are kept under ``--workdir``, default ``/tmp/wb-scale-bench``, for the next run),
then times every figure three ways on the same data:

- ``workbench_s``: what the page computes now (:func:`workbench.store.aggregate.overview_figures`,
  :func:`workbench.trends.pushdown.time_series_in_store`, :func:`workbench.trends.pushdown.trend_facts`,
  :func:`workbench.routes.pushdown.route_flows_in_store`); ``engine`` says where: ``summaries`` (the
  monthly summary table), ``sql`` (grouped in the database over the data tables);
- ``old_s``: what the page computed before: the Overview's queries over the data tables
  (:func:`workbench.store.queries.overview`), the Trends' seizure frame read into pandas and
  :func:`workbench.trends.series.time_series`, the Routes' frame prepared by
  :func:`workbench.routes.flows.prepare_flows` and :func:`workbench.routes.flows.route_flows`
  (``old_read_s`` is the frame's reading, which the app then caches per filter);
- ``duckdb_s``: DuckDB answering the same grouped questions over the same cases and items, loaded from
  the CSV folder into its own tables beforehand (``duckdb_load_s``, not in the figure): the reference.

Times are the median of ``--repeat`` runs (warm database cache, no application cache). Each figure's
result is checked against the old path's before it is timed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.bench_core import dataset_dir

__all__ = ["FIGURES", "Figure", "main", "run_size"]


@dataclass(frozen=True)
class Figure:
    """One page aggregate: its name, the filter (keyword arguments of ``CaseFilter``), and the trend
    series it asks for (None: the Overview's figures)."""

    name: str
    filter: dict[str, Any]
    series: tuple[str | None, str, str] | None = None  # by, freq, measure
    flows: dict[str, Any] | None = None  # route_flows' keyword arguments (mode, level, by, per_month)
    facts: bool = False  # the Trends tabs' cases, dates and units (trend_facts)
    tab: tuple[str, ...] | None = (
        None  # a Trends tab: ("methods", method, within), ("season", freq), ("emerging",)
    )


FIGURES: list[Figure] = [
    Figure("overview, all cases", {}),
    Figure("overview, road since 2024", {"date_from": dt.date(2024, 1, 1), "transport_modes": ("road",)}),
    Figure(
        "overview, drugs since 2024", {"date_from": dt.date(2024, 1, 1), "commodity_categories": ("drugs",)}
    ),
    Figure("trends, cases by category per month", {}, ("commodity_category", "M", "cases")),
    Figure(
        "trends, value by mode per quarter since 2024",
        {"date_from": dt.date(2024, 1, 1)},
        ("transport_mode", "Q", "value_usd"),
    ),
    Figure(
        "trends, drugs by reporting country per month",
        {"commodity_categories": ("drugs",)},
        ("reporting_country", "M", "cases"),
    ),
    Figure("trends, quantity by commodity type per year", {}, ("commodity_type", "Y", "quantity")),
    Figure("trends, the tabs' cases, dates and units", {}, facts=True),
    Figure("routes, OD flows, all cases", {}, flows={"mode": "od"}),
    Figure(
        "routes, legs by category, drugs since 2024",
        {"date_from": dt.date(2024, 1, 1), "commodity_categories": ("drugs",)},
        flows={"mode": "legs", "by": "category"},
    ),
    Figure(
        "routes, OD per month by region, road",
        {"transport_modes": ("road",)},
        flows={"mode": "od", "level": "region", "per_month": True},
    ),
    Figure(
        "trends tab methods, detection by mode", {}, tab=("methods", "detection_method", "transport_mode")
    ),
    Figure(
        "trends tab methods, drugs since 2024",
        {"date_from": dt.date(2024, 1, 1), "commodity_categories": ("drugs",)},
        tab=("methods", "detection_method", "transport_mode"),
    ),
    Figure("trends tab seasonal profile, months", {}, tab=("season", "M")),
    Figure("trends tab seasonal profile, road, months", {"transport_modes": ("road",)}, tab=("season", "M")),
    Figure("trends tab emerging, quarters", {}, tab=("emerging", "Q")),
    Figure(
        "statistics, commodity by region per year (first report)", {}, tab=("report", "commodity_region_year")
    ),
    Figure(
        "statistics, detection by mode, road since 2024",
        {"date_from": dt.date(2024, 1, 1), "transport_modes": ("road",)},
        tab=("report", "detection_by_mode"),
    ),
    Figure(
        "trends tab emerging, drugs since 2024, months",
        {"date_from": dt.date(2024, 1, 1), "commodity_categories": ("drugs",)},
        tab=("emerging", "M"),
    ),
    Figure(
        "trends, cases by detection method per month, 2023",
        {"date_from": dt.date(2023, 1, 1), "date_to": dt.date(2023, 12, 31)},
        ("detection_method", "M", "cases"),
    ),
]


def _median_time(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def _bulk_load(data: Path, store: Any) -> int:
    """Cases and items written straight into the tables (no row checks, no search index, no other
    tables): a store to query when the machine has no time for the import itself."""
    import pandas as pd

    from workbench.store import bump_data_version

    rows = 0
    with store.engine.begin() as conn:
        for name in ("cases", "items"):
            for chunk in pd.read_csv(
                data / f"{name}.csv", dtype=str, keep_default_na=False, na_values=[""], chunksize=100_000
            ):
                for c in ("latitude", "longitude", "quantity", "estimated_value_usd"):
                    if c in chunk.columns:
                        chunk[c] = pd.to_numeric(chunk[c])
                if "item_no" in chunk.columns:
                    chunk["item_no"] = pd.to_numeric(chunk["item_no"]).astype("int64")
                chunk.to_sql(name, conn, if_exists="append", index=False)
                rows += len(chunk)
        bump_data_version(conn, "cases")
    return rows


def _store(size: int, workdir: Path, bulk: bool = False) -> tuple[str, dict[str, Any]]:
    """The store of ``size`` cases, imported once (timed), and the import's figures; ``bulk``: cases and
    items loaded straight into their tables (:func:`_bulk_load`), the import not measured."""
    from workbench.exchange.ingest import import_path
    from workbench.store import open_store

    wd = workdir / str(size)
    wd.mkdir(parents=True, exist_ok=True)
    db, facts = wd / "store.db", wd / "import.json"
    data = dataset_dir(size, wd)
    if bulk and not db.exists():
        store = open_store(f"sqlite:///{db}")
        t0 = time.perf_counter()
        rows = _bulk_load(data, store)
        facts.write_text(json.dumps({"bulk_load_s": round(time.perf_counter() - t0, 1), "rows": rows}))
    if not db.exists() or not facts.exists():
        db.unlink(missing_ok=True)
        store = open_store(f"sqlite:///{db}")
        t0, c0 = time.perf_counter(), time.process_time()
        rep = import_path(data, store)
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
        facts.write_text(
            json.dumps(
                {
                    "import_s": round(seconds, 1),
                    "import_cpu_s": round(cpu, 1),
                    "load": round(os.getloadavg()[0], 1),
                    "rows": sum(rep.accepted.values()),
                }
            )
        )
    return f"sqlite:///{db}", json.loads(facts.read_text())


# ------------------------------------------------------------------------------------ DuckDB
def _duck_where(flt: dict[str, Any], alias: str = "c") -> str:
    parts = []
    if flt.get("date_from"):
        parts.append(f"{alias}.seizure_date >= DATE '{flt['date_from']}'")
    if flt.get("date_to"):
        parts.append(f"{alias}.seizure_date <= DATE '{flt['date_to']}'")
    if flt.get("transport_modes"):
        parts.append(f"{alias}.transport_mode IN ({', '.join(repr(v) for v in flt['transport_modes'])})")
    if flt.get("commodity_categories"):
        cats = ", ".join(repr(v) for v in flt["commodity_categories"])
        parts.append(
            f"EXISTS (SELECT 1 FROM items f WHERE f.reporting_country = {alias}.reporting_country "
            f"AND f.case_id = {alias}.case_id AND f.commodity_category IN ({cats}))"
        )
    return " AND ".join(parts) or "TRUE"


def _duck_item_join(flt: dict[str, Any]) -> str:
    cats = flt.get("commodity_categories")
    extra = f" AND i.commodity_category IN ({', '.join(repr(v) for v in cats)})" if cats else ""
    return f"LEFT JOIN items i ON i.reporting_country = c.reporting_country AND i.case_id = c.case_id{extra}"


def _duck_overview(con: Any, flt: dict[str, Any]) -> None:
    w = _duck_where(flt)
    con.execute(
        f"SELECT count(*), count(DISTINCT reporting_country), min(seizure_date), max(seizure_date) FROM cases c WHERE {w}"
    ).fetchall()
    con.execute(
        "SELECT i.commodity_category, count(DISTINCT (i.reporting_country, i.case_id)) AS n, "
        "sum(i.estimated_value_usd) FROM items i JOIN cases c ON c.reporting_country = i.reporting_country "
        f"AND c.case_id = i.case_id WHERE {w} GROUP BY 1 ORDER BY n DESC"
    ).fetchall()
    con.execute(
        f"SELECT strftime(seizure_date, '%Y-%m') AS m, count(*) FROM cases c WHERE {w} GROUP BY 1 ORDER BY 1"
    ).fetchall()
    con.execute(
        f"SELECT reporting_country, count(*) AS n FROM cases c WHERE {w} GROUP BY 1 ORDER BY n DESC"
    ).fetchall()
    con.execute(
        "SELECT reporting_country, departure_country, transit_countries, destination_country, customs_procedure, "
        f"count(*) FROM cases c WHERE {w} GROUP BY ALL"
    ).fetchall()
    con.execute(f"SELECT * FROM cases c WHERE {w} ORDER BY seizure_date DESC LIMIT 15").fetchall()


def _duck_series(con: Any, flt: dict[str, Any], by: str | None, freq: str, measure: str) -> None:
    period = {"M": "month", "Q": "quarter", "Y": "year"}[freq]
    table = "i" if by in ("commodity_category", "commodity_type") else "c"
    split = f"coalesce(nullif(trim({table}.{by}), ''), '(not stated)')" if by else "NULL"
    unit = ", i.unit" if measure == "quantity" else ""
    qty = ", sum(i.quantity) AS q" if measure == "quantity" else ""
    where = _duck_where(flt) + (" AND i.unit IS NOT NULL" if measure == "quantity" else "")
    con.execute(
        f"WITH per_case AS (SELECT date_trunc('{period}', c.seizure_date) AS p, {split} AS s{unit}, "
        f"c.reporting_country, c.case_id, sum(i.estimated_value_usd) AS v{qty} FROM cases c "
        f"{_duck_item_join(flt)} WHERE {where} AND c.seizure_date IS NOT NULL GROUP BY ALL) "
        f"SELECT p, s{unit.replace('i.', '')}, count(*), sum(v){', sum(q)' if qty else ''} FROM per_case GROUP BY ALL"
    ).fetchall()


_DUCK_ROUTE = (
    "c.departure_country, c.transit_countries, c.destination_country, "
    "CASE WHEN c.destination_country IS NULL AND c.customs_procedure = 'import' THEN c.reporting_country END"
)


def _duck_routes(con: Any, flt: dict[str, Any], flows: dict[str, Any]) -> None:
    """The groups the route flows are made of: cases and item sums per route (breakdown, month, unit)."""
    by = {"category": "i.commodity_category", "type": "i.commodity_type"}.get(flows.get("by") or "", "")
    keys = (
        _DUCK_ROUTE
        + (f", {by}" if by else "")
        + (", date_trunc('month', c.seizure_date)" if flows.get("per_month") else "")
    )
    where = _duck_where(flt) + " AND c.seizure_date IS NOT NULL"
    n = "count(DISTINCT (c.reporting_country, c.case_id))" if by else "count(*)"
    src = f"cases c {_duck_item_join(flt)}" if by else "cases c"
    con.execute(f"SELECT {keys}, {n} FROM {src} WHERE {where} GROUP BY ALL").fetchall()
    con.execute(
        f"SELECT {keys}, i.unit, sum(i.quantity), sum(i.estimated_value_usd) FROM cases c "
        f"{_duck_item_join(flt).replace('LEFT JOIN', 'JOIN')} WHERE {where} GROUP BY ALL"
    ).fetchall()
    con.execute(f"SELECT count(*) FROM cases c WHERE {where}").fetchall()


def _duck_facts(con: Any, flt: dict[str, Any]) -> None:
    w = _duck_where(flt)
    con.execute(f"SELECT count(*), min(seizure_date), max(seizure_date) FROM cases c WHERE {w}").fetchall()
    con.execute(
        f"SELECT i.unit, count(*) AS n FROM cases c {_duck_item_join(flt).replace('LEFT JOIN', 'JOIN')} "
        f"WHERE {w} AND i.unit IS NOT NULL GROUP BY 1 ORDER BY n DESC, 1"
    ).fetchall()


def _duck_shares(con: Any, flt: dict[str, Any], method: str, within: str) -> None:
    """The methods tab's groups: per case, then per value of the two splits (cases, quantity in kg, value,
    the median per case)."""
    keys = f"coalesce(nullif(trim(c.{within}), ''), '(not stated)') AS w, coalesce(nullif(trim(c.{method}), ''), '(not stated)') AS m"
    con.execute(
        f"WITH per_case AS (SELECT {keys}, c.reporting_country, c.case_id, "
        "sum(CASE WHEN i.unit = 'kg' THEN i.quantity END) AS q, max(CASE WHEN i.unit = 'kg' THEN 1 ELSE 0 END) AS k, "
        f"sum(i.estimated_value_usd) AS v FROM cases c {_duck_item_join(flt)} WHERE {_duck_where(flt)} GROUP BY ALL) "
        "SELECT w, m, count(*), sum(q), sum(v), median(CASE WHEN k = 1 THEN coalesce(q, 0) END) FROM per_case GROUP BY ALL"
    ).fetchall()


def _duck_category_country_year(con: Any, flt: dict[str, Any]) -> None:
    """The first standard report's groups: cases per year, commodity category and reporting country
    (the region is the country's), and per month by category (its chart)."""
    w = _duck_where(flt)
    con.execute(
        "SELECT date_trunc('year', c.seizure_date), i.commodity_category, c.reporting_country, "
        f"count(DISTINCT (c.reporting_country, c.case_id)) FROM cases c {_duck_item_join(flt)} WHERE {w} GROUP BY ALL"
    ).fetchall()


def _duck_emerging(con: Any, flt: dict[str, Any]) -> None:
    """The emerging trends' rows: the distinct dates, and one row per case and commodity type of the last
    three years with the columns the series split by (the window of the test)."""
    w = _duck_where(flt)
    con.execute(f"SELECT DISTINCT seizure_date FROM cases c WHERE {w}").fetchall()
    con.execute(
        "SELECT c.reporting_country, c.case_id, c.seizure_date, c.transport_mode, c.detection_method, "
        "c.concealment_method, c.departure_country, c.transit_countries, c.destination_country, "
        f"c.customs_procedure, i.commodity_type, sum(i.estimated_value_usd) FROM cases c {_duck_item_join(flt)} "
        f"WHERE {w} AND c.seizure_date >= (SELECT max(seizure_date) FROM cases) - INTERVAL 3 YEAR GROUP BY ALL"
    ).fetchdf()


def _duckdb(data: Path) -> tuple[Any, float]:
    import duckdb

    con = duckdb.connect()
    t0 = time.perf_counter()
    for name in ("cases", "items"):
        con.execute(
            f"CREATE TABLE {name} AS SELECT * FROM read_csv('{data / (name + '.csv')}', header = true)"
        )
    return con, time.perf_counter() - t0


# ------------------------------------------------------------------------------------ the run
def _same(new: Any, old: Any) -> None:
    """The new path's result is the old one's (the figures, not the timing, is what a user sees)."""
    import pandas as pd

    if isinstance(new, pd.DataFrame):
        if "origin" in new.columns:  # flows: units sorted here, in order of appearance there; sums' last bit
            pd.testing.assert_frame_equal(new[old.columns], old, check_exact=False, atol=2e-3)
            return
        pd.testing.assert_frame_equal(new, old, check_exact=False, check_categorical=False)
        return
    if hasattr(new, "units"):  # trend facts against the frame
        assert (new.cases, set(new.units)) == (old["cases"], old["units"]), (new, old)
        return
    assert new.kpis == {**old.kpis, "value_usd": new.kpis["value_usd"]}, (new.kpis, old.kpis)
    assert abs(new.kpis["value_usd"] - old.kpis["value_usd"]) <= 1e-6 * max(1.0, old.kpis["value_usd"])
    assert new.monthly.equals(old.monthly)
    key = ["commodity_category"]
    a = new.by_category.sort_values(key, na_position="first").reset_index(drop=True)
    b = old.by_category.sort_values(key, na_position="first").reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b, check_exact=False, check_dtype=False)


def run_size(
    size: int, workdir: Path, repeat: int, bulk: bool = False, only: tuple[str, ...] = ()
) -> list[dict[str, Any]]:
    """Every figure at ``size`` cases, plus the import row."""
    import sqlalchemy as sa

    from workbench.store import open_store
    from workbench.store.summaries import CASE_SUMMARIES, CATEGORY_PAIRS, ROUTE_SUMMARIES, rebuild_summaries

    url, facts = _store(size, workdir, bulk)
    store = open_store(url)
    t0 = time.perf_counter()
    with store.engine.begin() as conn:
        rebuild_summaries(conn)
        summary_rows = sum(
            conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
            for t in (CASE_SUMMARIES, ROUTE_SUMMARIES, CATEGORY_PAIRS)
        )
    rebuild_s = time.perf_counter() - t0
    first = "import of the CSV folder (summaries included)"
    if "bulk_load_s" in facts:
        first = f"(no import: cases and items bulk-loaded in {facts['bulk_load_s']} s)"
    rows: list[dict[str, Any]] = [
        {
            "figure": first,
            "cases": size,
            "workbench_s": facts.get("import_s", ""),
            "engine": f"{facts['rows']:,} rows",
            "details": (
                f"CPU {facts['import_cpu_s']} s, load {facts['load']}; " if "import_cpu_s" in facts else ""
            )
            + f"rebuild-summaries {rebuild_s:.2f} s, {summary_rows:,} summary rows",
        }
    ]
    con, load_s = _duckdb(dataset_dir(size, workdir / str(size)))
    old_repeat = 1 if size >= 1_000_000 else repeat
    for fig in FIGURES:
        if only and not any(o in fig.name for o in only):
            continue
        rows.append(_figure_row(fig, size, store, con, repeat, old_repeat))
        print(_table(rows[-1:], header=False), flush=True)
    rows[0]["details"] += f"; DuckDB load {load_s:.1f} s"
    return rows


def _figure_row(fig: Figure, size: int, store: Any, con: Any, repeat: int, old_repeat: int) -> dict[str, Any]:
    """One figure timed three ways (see the module docstring), its result checked against the old path:
    the page's path (:func:`workbench_call`), the old one (:func:`_old_path`) and DuckDB
    (:func:`duckdb_call`)."""
    engine, call = workbench_call(fig, store)
    new_s, new = _median_time(call, repeat)
    read_s, query_s, old = _old_path(fig, store, old_repeat)
    if fig.tab is not None and fig.tab[0] in ("report", "emerging"):
        new = new.table if fig.tab[0] == "report" else new.table()
    duck_s, _ = _median_time(duckdb_call(fig, con), repeat)
    _same(new, old)
    old_s = read_s + query_s
    return {
        "figure": fig.name,
        "cases": size,
        "workbench_s": round(new_s, 3),
        "engine": engine,
        "old_s": round(old_s, 3),
        "old_read_s": round(read_s, 3)
        if read_s and (fig.series or fig.flows or fig.tab or fig.facts)
        else "",
        "duckdb_s": round(duck_s, 3),
        "vs_duckdb": round(new_s / duck_s, 1) if duck_s else "",
        "speed_up": round(old_s / new_s, 1) if new_s else "",
    }


def _old_path(fig: Figure, store: Any, repeat: int) -> tuple[float, float, Any]:
    """What the page computed before for ``fig``: (seconds reading the frame, seconds computing on it, the
    result in the new path's shape). The Overview read the data tables (no frame read)."""
    from workbench.store.filters import CaseFilter
    from workbench.store.frames import seizure_frame
    from workbench.store.queries import overview

    flt = CaseFilter(**fig.filter)
    if fig.series is None and fig.flows is None and fig.tab is None and not fig.facts:
        query_s, old = _median_time(lambda: overview(store, flt), repeat)
        return 0.0, query_s, old
    if fig.facts:

        def from_frame() -> dict[str, Any]:
            frame = seizure_frame(store, flt)
            keys = frame[["reporting_country", "case_id"]].drop_duplicates()
            return {"cases": len(keys), "units": set(frame["unit"].dropna().astype(str))}

        read_s, old = _median_time(from_frame, repeat)
        return read_s, 0.0, old
    if fig.flows is not None:
        from workbench.routes.flows import prepare_flows, route_flows

        kw = fig.flows
        read_s, base = _median_time(lambda: prepare_flows(seizure_frame(store, flt)), repeat)
        query_s, old = _median_time(lambda: route_flows(base, **kw), repeat)
        return read_s, query_s, old
    read_s, frame = _median_time(lambda: seizure_frame(store, flt), repeat)
    if fig.tab is None:
        from workbench.trends.series import time_series

        assert fig.series is not None
        by, freq, measure = fig.series
        query_s, old = _median_time(lambda: time_series(frame, by, freq, measure), repeat)
        return read_s, query_s, old
    from workbench.trends.emerging import detect_emerging
    from workbench.trends.series import method_shares, seasonal_profile_of_largest

    kind = fig.tab[0]
    if kind == "methods":
        method, within = fig.tab[1], fig.tab[2]
        query_s, old = _median_time(lambda: method_shares(frame, method, within), repeat)
    elif kind == "season":
        freq = fig.tab[1]
        query_s, old = _median_time(lambda: seasonal_profile_of_largest(frame, freq), repeat)
    elif kind == "report":
        from workbench.trends.statistics import run_report

        key = fig.tab[1]
        query_s, want = _median_time(lambda: run_report(key, frame, flt), repeat)
        old = want.table
    else:
        kw = {"freq": fig.tab[1], "end": flt.date_to}
        query_s, want = _median_time(lambda: detect_emerging(frame, **kw), repeat)
        old = want.table()
    return read_s, query_s, old


def workbench_call(fig: Figure, store: Any) -> tuple[str, Callable[[], Any]]:
    """What the page computes for ``fig`` on ``store`` (the workbench path of :func:`_figure_row`), and
    where it comes from (``summaries`` or ``sql``), for benchmarks that time it elsewhere
    (:mod:`benchmarks.bench_pg_scale`)."""
    from workbench.store.aggregate import overview_figures, uses_summaries
    from workbench.store.filters import CaseFilter
    from workbench.trends import pushdown as pdn

    flt = CaseFilter(**fig.filter)
    if fig.flows is not None:
        from workbench.routes.pushdown import route_flows_in_store

        kw = fig.flows
        return "sql", lambda: route_flows_in_store(store, flt, **kw)
    if fig.facts:
        return "sql", lambda: pdn.trend_facts(store, flt)
    if fig.tab is not None:
        kind = fig.tab[0]
        on_summaries = pdn.from_summaries(store, flt, None, "cases", None)
        if kind == "methods":
            method, within = fig.tab[1], fig.tab[2]
            return "sql", lambda: pdn.method_shares_in_store(store, flt, method, within)
        if kind == "season":
            freq = fig.tab[1]
            return ("summaries" if on_summaries else "sql"), lambda: pdn.seasonal_profile_in_store(
                store, flt, freq
            )
        if kind == "report":
            from workbench.trends.statistics import run_report

            key = fig.tab[1]

            def rows() -> Any:
                raise AssertionError("the report read the seizure rows")

            summaries = key == "commodity_region_year" and pdn.from_summaries(
                store, flt, ("commodity_category", "wco_region"), "cases", None
            )
            return ("summaries" if summaries else "sql"), lambda: run_report(
                key, pdn.StoreReportData(store, flt, rows), flt
            )
        kw = {"freq": fig.tab[1], "end": flt.date_to}
        return ("sql + summaries" if on_summaries else "sql"), lambda: pdn.detect_emerging_in_store(
            store, flt, **kw
        )
    if fig.series is None:
        return ("summaries" if uses_summaries(store, flt) else "sql"), lambda: overview_figures(store, flt)
    by, freq, measure = fig.series
    engine = "summaries" if pdn.from_summaries(store, flt, by, measure, None) else "sql"
    return engine, lambda: pdn.time_series_in_store(store, flt, by, freq, measure)


def duckdb_call(fig: Figure, con: Any) -> Callable[[], Any]:
    """DuckDB's answer to the same question as :func:`workbench_call` (the reference of :func:`_figure_row`)."""
    f = fig.filter
    if fig.flows is not None:
        kw = fig.flows
        return lambda: _duck_routes(con, f, kw)
    if fig.facts:
        return lambda: _duck_facts(con, f)
    if fig.tab is not None:
        kind = fig.tab[0]
        if kind == "methods":
            method, within = fig.tab[1], fig.tab[2]
            return lambda: _duck_shares(con, f, method, within)
        if kind == "season":
            freq = fig.tab[1]
            return lambda: _duck_series(con, f, None, freq, "cases")
        if kind == "report":
            if fig.tab[1] == "detection_by_mode":
                return lambda: _duck_shares(con, f, "detection_method", "transport_mode")
            return lambda: _duck_category_country_year(con, f)
        return lambda: _duck_emerging(con, f)
    if fig.series is None:
        return lambda: _duck_overview(con, f)
    by, freq, measure = fig.series
    return lambda: _duck_series(con, f, by, freq, measure)


_COLS = [
    "figure",
    "cases",
    "workbench_s",
    "engine",
    "old_s",
    "old_read_s",
    "duckdb_s",
    "vs_duckdb",
    "speed_up",
]


def _table(rows: list[dict[str, Any]], header: bool = True) -> str:
    cols = [*_COLS, "details"]
    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"] if header else []
    for r in rows:
        cells = [f"{r.get(c, ''):,}" if isinstance(r.get(c), int) else str(r.get(c, "")) for c in cols]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m benchmarks.bench_scale", description=__doc__.split("\n")[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    p.add_argument("--workdir", type=Path, default=Path("/tmp/wb-scale-bench"))
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--only", nargs="+", default=[], help="only the figures whose name contains one of these")
    p.add_argument(
        "--bulk",
        action="store_true",
        help="load cases and items straight into the store instead of importing (the import is not timed)",
    )
    args = p.parse_args(argv)
    print(f"load average before: {os.getloadavg()[0]:.1f} (2 cores, shared)", flush=True)
    print(_table([], header=True), flush=True)
    rows = []
    for size in args.sizes:
        rows += run_size(size, args.workdir, args.repeat, args.bulk, tuple(args.only))
    print(f"\nload average after: {os.getloadavg()[0]:.1f}\n")
    print(_table(rows))


if __name__ == "__main__":
    main()
