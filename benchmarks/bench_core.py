"""The benchmarks: generate, import and the overview queries (more are added by each feature)."""

from __future__ import annotations

from pathlib import Path

from benchmarks.harness import benchmark


def dataset_dir(size: int, workdir: Path) -> Path:
    """A generated CSV data set of ``size`` cases (seed 1), made once per work folder."""
    d = workdir / "dataset"
    if not (d / "cases.csv").exists():
        from workbench.exchange.files import write_dataset
        from workbench.sample.generator import generate

        write_dataset(generate(size, seed=1).tables, d)
    return d


def store_url(size: int, workdir: Path) -> str:
    """A SQLite store holding the generated data set, made once per work folder."""
    db = workdir / "store.db"
    if not db.exists():
        from workbench.exchange.ingest import import_path
        from workbench.store import open_store

        import_path(dataset_dir(size, workdir), open_store(f"sqlite:///{db}"))
    return f"sqlite:///{db}"


@benchmark("generate", setup=None)
def bench_generate(size: int, workdir: Path) -> dict:
    from workbench.exchange.files import write_dataset
    from workbench.sample.generator import generate

    ds = generate(size, seed=1)
    write_dataset(ds.tables, workdir / "gen-out")
    return {"rows": sum(len(t) for t in ds.tables.values())}


@benchmark("import_csv", setup=lambda s, w: dataset_dir(s, w) and None, repeat=1)
def bench_import(size: int, workdir: Path) -> dict:
    import tempfile

    from workbench.exchange.ingest import import_path
    from workbench.store import open_store

    db = Path(tempfile.mkdtemp(dir=workdir)) / "t.db"
    rep = import_path(dataset_dir(size, workdir), open_store(f"sqlite:///{db}"))
    db.unlink()
    return {"rows": sum(rep.accepted.values())}


@benchmark("overview_queries", setup=lambda s, w: store_url(s, w) and None)
def bench_overview(size: int, workdir: Path) -> dict:
    from workbench.store import open_store
    from workbench.store.filters import CaseFilter
    from workbench.store.queries import overview, search_cases

    store = open_store(store_url(size, workdir))
    overview(store)
    overview(store, CaseFilter(commodity_categories=("drugs",), date_from="2023-01-01"))
    search_cases(store, text="cocaine")
    return {}


@benchmark("seizure_frame", setup=lambda s, w: store_url(s, w) and None)
def bench_seizure_frame(size: int, workdir: Path) -> dict:
    """The shared analysis frame (one row per item) read from SQLite through ADBC."""
    from workbench.store import open_store
    from workbench.store.frames import seizure_frame

    df = seizure_frame(open_store(store_url(size, workdir)))
    return {"rows": len(df), "frame_mb": round(df.memory_usage(deep=True).sum() / 1e6, 1)}
