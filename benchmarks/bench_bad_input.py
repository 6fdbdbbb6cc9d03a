"""Bounded resources on bad input (issue 23): a CSV whose every row is refused, imported with the cap on
refused rows (the submission is refused early, nothing is stored) and without it (every row is
quarantined, the old behaviour), beside the reference of reading the same file whole with pandas.

``python -m benchmarks --only bad_rows_capped bad_rows_uncapped bad_rows_read_pandas``
"""

from __future__ import annotations

from pathlib import Path

from benchmarks.harness import benchmark


def bad_rows_csv(size: int, workdir: Path) -> Path:
    """A cases.csv of ``size`` rows, each with an impossible date (made once per folder)."""
    d = workdir / f"bad-{size}"
    f = d / "cases.csv"
    if not f.exists():
        d.mkdir(parents=True, exist_ok=True)
        with f.open("w", encoding="utf-8") as out:
            out.write("case_id,reporting_country,seizure_date,remarks,latitude\n")
            for i in range(size):
                out.write(f"B{i},FR,2024-13-01,some remark text here,48.5\n")
    return d


def _import(size: int, workdir: Path, cap: int | None) -> dict:
    import tempfile

    from workbench.exchange.files import read_dataset
    from workbench.exchange.ingest import ImportFailed, ingest_dataset
    from workbench.store import open_store

    db = Path(tempfile.mkdtemp(dir=workdir)) / "t.db"
    status = "refused"
    try:
        rep = ingest_dataset(
            read_dataset(bad_rows_csv(size, workdir)), open_store(f"sqlite:///{db}"), max_rejected_rows=cap
        )
        status = rep.status
    except ImportFailed:
        pass
    grown = db.stat().st_size + sum(p.stat().st_size for p in db.parent.glob("t.db-*"))
    db.unlink()
    return {"status": status, "store_mb": round(grown / 1024**2, 1)}


@benchmark("bad_rows_capped", setup=lambda s, w: bad_rows_csv(s, w) and None, repeat=1)
def bench_bad_rows_capped(size: int, workdir: Path) -> dict:
    """Every row refused; the default cap (10,000) refuses the submission after the first chunk."""
    return _import(size, workdir, None)


@benchmark("bad_rows_uncapped", setup=lambda s, w: bad_rows_csv(s, w) and None, repeat=1)
def bench_bad_rows_uncapped(size: int, workdir: Path) -> dict:
    """The same file with no effective cap: every row is checked and quarantined (the old behaviour)."""
    return _import(size, workdir, size + 1)


@benchmark("bad_rows_read_pandas", setup=lambda s, w: bad_rows_csv(s, w) and None, repeat=1)
def bench_bad_rows_read_pandas(size: int, workdir: Path) -> dict:
    """Reference: the file read whole by pandas (what reading alone costs, unchunked)."""
    import pandas as pd

    df = pd.read_csv(bad_rows_csv(size, workdir) / "cases.csv", dtype=str)
    return {"rows": len(df)}
