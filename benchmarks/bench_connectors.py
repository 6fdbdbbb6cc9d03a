"""Connector benchmarks: bulk import of a CSV folder through the connector path (bounded memory), and
reading a workbook with each Excel reader (calamine vs openpyxl read-only), side by side."""

from __future__ import annotations

from pathlib import Path

from benchmarks.bench_core import dataset_dir
from benchmarks.harness import benchmark


def workbook_path(size: int, workdir: Path) -> Path:
    """The generated data set's cases and items as one .xlsx (``size`` case rows), made once per folder."""
    book = workdir / "dataset.xlsx"
    if not book.exists():
        import pandas as pd

        from workbench.exchange.files import write_dataset

        d = dataset_dir(size, workdir)
        tables = {
            n: pd.read_csv(d / f"{n}.csv", dtype=str, keep_default_na=False) for n in ("cases", "items")
        }
        write_dataset(tables, book)
    return book


def _setup_book(size: int, workdir: Path) -> None:
    workbook_path(size, workdir)


@benchmark("connector_import_csv", setup=lambda s, w: dataset_dir(s, w) and None, repeat=1)
def bench_connector_import_csv(size: int, workdir: Path) -> dict:
    """CSV folder -> connector -> chunked import into a fresh SQLite store (one transaction)."""
    import tempfile

    from connectors import load, open_connector
    from workbench.exchange.ingest import ingest_dataset
    from workbench.store import open_store

    db = Path(tempfile.mkdtemp(dir=workdir)) / "t.db"
    ticks = []
    rep = ingest_dataset(
        load(open_connector(dataset_dir(size, workdir))),
        open_store(f"sqlite:///{db}"),
        progress=lambda done, total, stage: ticks.append(done),
    )
    db.unlink()
    return {"rows": sum(rep.accepted.values()), "progress_ticks": len(ticks)}


def _read_all(size: int, workdir: Path, engine: str) -> dict:
    from workbench.exchange.files import read_source

    src = read_source(workbook_path(size, workdir), engine=engine)
    rows = 0
    for t in src.tables.values():
        for chunk in t.iter_chunks():
            rows += len(chunk)
    return {"rows": rows, "reader": engine}


@benchmark("xlsx_read_calamine", sizes=(10_000, 100_000), setup=_setup_book)
def bench_xlsx_calamine(size: int, workdir: Path) -> dict:
    """Read every row of the workbook (cases + items sheets) with python-calamine, in chunks."""
    return _read_all(size, workdir, "calamine")


@benchmark("xlsx_read_openpyxl", sizes=(10_000, 100_000), setup=_setup_book)
def bench_xlsx_openpyxl(size: int, workdir: Path) -> dict:
    """Read every row of the workbook with openpyxl in read-only mode, in chunks."""
    return _read_all(size, workdir, "openpyxl")


@benchmark("connector_import_xlsx", sizes=(10_000, 100_000), setup=_setup_book, repeat=1)
def bench_connector_import_xlsx(size: int, workdir: Path) -> dict:
    """Workbook -> connector (calamine) -> chunked import into a fresh SQLite store."""
    import tempfile

    from connectors import load, open_connector
    from workbench.exchange.ingest import ingest_dataset
    from workbench.store import open_store

    db = Path(tempfile.mkdtemp(dir=workdir)) / "t.db"
    rep = ingest_dataset(load(open_connector(workbook_path(size, workdir))), open_store(f"sqlite:///{db}"))
    db.unlink()
    return {"rows": sum(rep.accepted.values())}
