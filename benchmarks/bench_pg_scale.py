"""Scale on PostgreSQL: the pages' figures at 10M cases in PostgreSQL, beside 1M on SQLite and DuckDB.

``python -m benchmarks.bench_pg_scale --cases 10000000`` (its own table, not part of ``make bench``):

1. starts a PostgreSQL server of its own on loopback (Debian's ``/usr/lib/postgresql/*/bin``, a data
   folder under ``--workdir``, default ``/tmp/wb-pg-scale``; as root it runs the server as ``postgres``),
   and migrates an empty store in it (:func:`workbench.store.open_store`);
2. generates the cases IN CHUNKS of ``--chunk`` cases (the generator of :mod:`workbench.sample`, seed
   ``k + 1`` for chunk ``k``: each seed has its own case-id prefix ``S<seed>-``, so the chunks never
   collide), writes each chunk's cases and items as an exchange-format CSV folder, and loads it with
   ``COPY`` (in a thread, while the next chunk is generated). A 1M chunk peaks at about 2.5 GB: 10M are
   never in memory at once. Chunks already written are reused by the next run;
3. moves the ``cases`` data version, runs ``ANALYZE`` and :func:`workbench.store.summaries.rebuild_summaries`
   (timed), then times every figure of :data:`benchmarks.bench_scale.FIGURES` as the pages compute it
   (:func:`workbench.store.aggregate.overview_figures`, :func:`workbench.trends.pushdown.time_series_in_store`)
   on PostgreSQL, beside the same call on a copy of the 1M-case SQLite store of
   :mod:`benchmarks.bench_scale` (``--sqlite-1m``, the goal: PostgreSQL at 10M within 2x of SQLite at
   1M), and DuckDB answering the same grouped questions over the same CSV chunks (loaded into DuckDB
   tables first, not timed in the figure).

``--until HH:MM`` (UTC) stops loading chunks at that time and measures what was loaded: the table says
how many cases. ``--reuse-summaries``: when every chunk is already loaded, time the figures again
without moving the data version or rebuilding the summaries (after a change to the pages' SQL). Progress goes to stdout (run it under ``nice -n 10 ... > log``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import resource
import shutil
import socket
import subprocess
import tempfile
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from benchmarks.bench_scale import FIGURES, Figure, _median_time, duckdb_call, workbench_call

__all__ = ["main", "PgServer"]


def _log(msg: str) -> None:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{dt.datetime.now(dt.UTC):%H:%M:%S} [peak {rss:,.0f} MB] {msg}", flush=True)


class PgServer:
    """A PostgreSQL server on loopback with its data folder under ``root`` (kept between runs)."""

    def __init__(self, root: Path) -> None:
        bindirs = [
            d
            for d in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
            if (d / "initdb").exists()
        ]
        if not bindirs:
            raise SystemExit(
                "no PostgreSQL server binaries under /usr/lib/postgresql (apt-get install postgresql)"
            )
        self.bin = bindirs[0]
        self.root = root
        self.data = root / "pgdata"
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = int(s.getsockname()[1])

    def _run(self, *args: str) -> None:
        subprocess.run([*self.as_user, *args], check=True, capture_output=True)

    def start(self) -> str:
        self.root.mkdir(parents=True, exist_ok=True)
        if self.as_user:
            shutil.chown(self.root, "postgres")
        if not (self.data / "PG_VERSION").exists():
            self._run(
                str(self.bin / "initdb"), "-D", str(self.data), "-U", "wb", "--auth=trust", "-E", "UTF8"
            )
        opts = (
            f"-p {self.port} -h 127.0.0.1 -k {self.root} -c fsync=off -c synchronous_commit=off "
            "-c full_page_writes=off -c shared_buffers=2GB -c work_mem=128MB -c maintenance_work_mem=1GB "
            "-c max_wal_size=16GB -c checkpoint_timeout=30min -c max_parallel_workers_per_gather=2"
        )
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.root / "log"),
            "-w",
            "-o",
            opts,
            "start",
        )
        return f"postgresql+psycopg://wb@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        subprocess.run(
            [*self.as_user, str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "stop"],
            capture_output=True,
        )


# ------------------------------------------------------------------------------------ loading
def _chunk_dir(workdir: Path, k: int, chunk: int) -> Path:
    return workdir / "chunks" / f"{chunk}-seed{k + 1}"


def _write_chunk(workdir: Path, k: int, chunk: int, reuse: Path | None = None) -> Path:
    """Chunk ``k``'s cases and items as a CSV folder in exchange-format column order (generated once;
    reused when already written). ``reuse``: a folder holding this very chunk already (bench_scale's
    data set of ``chunk`` cases, seed 1, for chunk 0), linked instead of generated again."""
    from workbench.format.schema import FORMAT
    from workbench.sample.generator import generate

    d = _chunk_dir(workdir, k, chunk)
    if (d / "done").exists():
        return d
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir(parents=True)
    if reuse is not None and k == 0 and (reuse / "cases.csv").exists():
        for name in ("cases", "items"):
            (d / f"{name}.csv").symlink_to(reuse / f"{name}.csv")
    else:
        ds = generate(chunk, seed=k + 1)
        for name in ("cases", "items"):
            df = ds.tables[name]
            known = [c for c in FORMAT.table(name).column_names if c in df.columns]
            # pandas' C writer: write_dataset's per-cell formula check would take minutes per million
            # rows, and the generator writes no text a spreadsheet could take for a formula
            df.to_csv(
                d / f"{name}.csv", columns=known + [c for c in df.columns if c not in known], index=False
            )
        del ds
    gc.collect()
    (d / "done").write_text("")
    return d


def _copy_chunk(url: str, d: Path) -> tuple[int, float]:
    """COPY the chunk's cases then items into the store (one transaction); rows and seconds."""
    import psycopg

    t0, rows = time.perf_counter(), 0
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        for name in ("cases", "items"):
            path = d / f"{name}.csv"
            with path.open("rb") as f:
                header = f.readline().decode().strip()
                cols = ", ".join(f'"{c}"' for c in header.split(","))
                with conn.cursor() as cur:
                    with cur.copy(f"COPY {name} ({cols}) FROM STDIN WITH (FORMAT csv)") as cp:
                        while block := f.read(1 << 20):
                            cp.write(block)
                    rows += cur.rowcount
        conn.commit()
    return rows, time.perf_counter() - t0


def _loaded(workdir: Path) -> list[int]:
    p = workdir / "loaded.json"
    return json.loads(p.read_text()) if p.exists() else []


def load(
    url: str, workdir: Path, cases: int, chunk: int, until: dt.datetime | None, reuse: Path | None = None
) -> dict[str, Any]:
    """Generate and COPY the chunks not loaded yet; stops before a chunk that would start after ``until``."""
    loaded = _loaded(workdir)
    facts: dict[str, Any] = {"generate_s": 0.0, "copy_s": 0.0, "rows": 0}
    pending: Future[tuple[int, float]] | None = None
    pending_k = -1
    with ThreadPoolExecutor(1) as pool:

        def finish() -> None:
            nonlocal pending
            if pending is not None:
                rows, secs = pending.result()
                facts["copy_s"] += secs
                facts["rows"] += rows
                loaded.append(pending_k)
                (workdir / "loaded.json").write_text(json.dumps(sorted(loaded)))
                _log(f"chunk {pending_k + 1}: {rows:,} rows copied in {secs:.1f} s")
                pending = None

        for k in range(cases // chunk):
            if k in loaded:
                continue
            if until is not None and dt.datetime.now(dt.UTC) >= until:
                _log(f"--until reached: stop loading at {len(loaded) + (pending is not None)} chunks")
                break
            t0 = time.perf_counter()
            d = _write_chunk(workdir, k, chunk, reuse)
            facts["generate_s"] += time.perf_counter() - t0
            _log(f"chunk {k + 1}: generated and written in {time.perf_counter() - t0:.1f} s")
            finish()
            pending, pending_k = pool.submit(_copy_chunk, url, d), k
        finish()
    facts["chunks"] = sorted(loaded)
    return facts


# ------------------------------------------------------------------------------------ figures
def _workbench_figure(store: Any, fig: Figure, repeat: int) -> tuple[float, str]:
    """The figure as the page computes it (every kind: Overview, series, flows, facts, tabs, reports)."""
    engine, call = workbench_call(fig, store)
    secs, _ = _median_time(call, repeat)
    return secs, engine


def _duck_figure(con: Any, fig: Figure, repeat: int) -> float:
    secs, _ = _median_time(duckdb_call(fig, con), repeat)
    return secs


def _rebuild(store: Any) -> tuple[float, int]:
    from workbench.store.summaries import rebuild_summaries

    t0 = time.perf_counter()
    with store.engine.begin() as conn:
        n = rebuild_summaries(conn)
    return time.perf_counter() - t0, n


def run(args: argparse.Namespace) -> list[dict[str, Any]]:
    import duckdb
    import sqlalchemy as sa

    from workbench.store import bump_data_version, open_store
    from workbench.store.summaries import summaries_current

    workdir: Path = args.workdir
    workdir.mkdir(parents=True, exist_ok=True)
    until = None
    if args.until:
        hh, mm = (int(x) for x in args.until.split(":"))
        until = dt.datetime.now(dt.UTC).replace(hour=hh, minute=mm, second=0, microsecond=0)
    server = PgServer(workdir)
    url = server.start()
    _log(f"PostgreSQL {server.bin.parent.name} on 127.0.0.1:{server.port}, data in {server.data}")
    try:
        store = open_store(url)
        facts = load(url, workdir, args.cases, args.chunk, until, args.reuse_seed1)
        with store.engine.begin() as conn:
            n_cases = conn.execute(sa.text("SELECT count(*) FROM cases")).scalar_one()
            n_items = conn.execute(sa.text("SELECT count(*) FROM items")).scalar_one()
            if facts["copy_s"] or not args.reuse_summaries:
                bump_data_version(conn, "cases")
        _log(
            f"store: {n_cases:,} cases, {n_items:,} items; generate {facts['generate_s']:.0f} s, COPY {facts['copy_s']:.0f} s this run"
        )
        t0 = time.perf_counter()
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("ANALYZE"))
        analyze_s = time.perf_counter() - t0
        if args.reuse_summaries and summaries_current(store):
            rebuild_s, summary_rows = 0.0, 0  # nothing loaded this run: the stored summaries stand
        else:
            rebuild_s, summary_rows = _rebuild(store)
        _log(f"ANALYZE {analyze_s:.1f} s; rebuild-summaries {rebuild_s:.1f} s, {summary_rows:,} rows")
        with store.engine.connect() as conn:
            db_mb = conn.execute(sa.text("SELECT pg_database_size(current_database())")).scalar_one() / 2**20

        lite = None
        if args.sqlite_1m:
            copy = workdir / "sqlite-1m.db"
            if not copy.exists():
                shutil.copyfile(args.sqlite_1m, copy)
            lite = open_store(f"sqlite:///{copy}")
            lite_rebuild_s = 0.0
            if not (args.reuse_summaries and summaries_current(lite)):
                lite_rebuild_s, _ = _rebuild(lite)
            _log(f"SQLite 1M copy: rebuild-summaries {lite_rebuild_s:.1f} s")

        chunks = [_chunk_dir(workdir, k, args.chunk) for k in facts["chunks"]]
        con = duckdb.connect()
        t0 = time.perf_counter()
        for name in ("cases", "items"):
            files = ", ".join(f"'{d / (name + '.csv')}'" for d in chunks)
            con.execute(
                f"CREATE TABLE {name} AS SELECT * FROM read_csv([{files}], header = true, union_by_name = true)"
            )
        duck_load_s = time.perf_counter() - t0
        _log(f"DuckDB: {len(chunks)} chunks loaded in {duck_load_s:.1f} s")

        rows: list[dict[str, Any]] = [
            {
                "figure": f"load: {len(chunks)} chunks of {args.chunk:,} (COPY)",
                "pg_cases": n_cases,
                "pg_s": round(facts["copy_s"], 1) if facts["copy_s"] else "(earlier run)",
                "pg_engine": f"{n_cases + n_items:,} rows",
                "details": f"generate+write {facts['generate_s']:.0f} s; ANALYZE {analyze_s:.1f} s; "
                f"rebuild-summaries {rebuild_s:.1f} s ({summary_rows:,} rows); database {db_mb:,.0f} MB; "
                f"DuckDB load {duck_load_s:.1f} s",
            }
        ]
        for fig in FIGURES:
            pg_s, pg_engine = _workbench_figure(store, fig, args.repeat)
            row: dict[str, Any] = {
                "figure": fig.name,
                "pg_cases": n_cases,
                "pg_s": round(pg_s, 3),
                "pg_engine": pg_engine,
            }
            if lite is not None:
                lite_s, lite_engine = _workbench_figure(lite, fig, args.repeat)
                row |= {
                    "sqlite_1m_s": round(lite_s, 3),
                    "sqlite_engine": lite_engine,
                    "pg_vs_sqlite_1m": round(pg_s / lite_s, 1),
                }
            duck_s = _duck_figure(con, fig, args.repeat)
            row |= {"duckdb_s": round(duck_s, 3), "pg_vs_duckdb": round(pg_s / duck_s, 1)}
            rows.append(row)
            print(_table([row], header=False), flush=True)
        return rows
    finally:
        if not args.keep:
            server.stop()


_COLS = [
    "figure",
    "pg_cases",
    "pg_s",
    "pg_engine",
    "sqlite_1m_s",
    "sqlite_engine",
    "pg_vs_sqlite_1m",
    "duckdb_s",
    "pg_vs_duckdb",
    "details",
]


def _table(rows: list[dict[str, Any]], header: bool = True) -> str:
    lines = ["| " + " | ".join(_COLS) + " |", "|" + "|".join("---" for _ in _COLS) + "|"] if header else []
    for r in rows:
        cells = [f"{r.get(c, ''):,}" if isinstance(r.get(c), int) else str(r.get(c, "")) for c in _COLS]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(
        prog="python -m benchmarks.bench_pg_scale", description=__doc__.split("\n")[0]
    )
    p.add_argument("--cases", type=int, default=10_000_000)
    p.add_argument("--chunk", type=int, default=1_000_000)
    p.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "wb-pg-scale")
    p.add_argument(
        "--sqlite-1m",
        type=Path,
        default=None,
        help="the 1M SQLite store of bench_scale (copied, never modified)",
    )
    p.add_argument(
        "--reuse-seed1",
        type=Path,
        default=None,
        help="bench_scale's data set folder of --chunk cases (seed 1): chunk 0, linked instead of generated",
    )
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument(
        "--until", default=None, help="HH:MM UTC: load no chunk after this time, measure what is loaded"
    )
    p.add_argument(
        "--reuse-summaries",
        action="store_true",
        help="when no chunk is loaded this run, keep the data version and the summaries already built "
        "(time the figures again without the summaries' rebuild)",
    )
    p.add_argument(
        "--keep", action="store_true", help="leave the server running (its data folder stays anyway)"
    )
    args = p.parse_args(argv)
    _log(f"load average before: {os.getloadavg()[0]:.1f}")
    rows = run(args)
    _log(f"load average after: {os.getloadavg()[0]:.1f}")
    print()
    print(_table(rows))


if __name__ == "__main__":
    main()
