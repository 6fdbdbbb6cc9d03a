"""Aggregate statistics in (issue 14): a national agency's monthly totals (fiscal year, month, office,
drug, count of events, pounds) mapped with the suggested profile (period from FY+month, lb -> kg) and
stored as statistics, beside the reference of pandas doing the same derivation on the file read whole.
(The workaround the issue describes, exploding each row into its events as fake cases, took 11.5
minutes for 461k rows.)

``python -m benchmarks --only statistics_import statistics_pandas``
"""

from __future__ import annotations

from pathlib import Path

from benchmarks.harness import benchmark

_DRUGS = ("Cocaine", "Methamphetamine", "Marijuana", "Heroin", "Fentanyl", "Khat", "LSD", "Other Drugs**")
_MONTHS = ("OCT", "NOV", "DEC", "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP")


def totals_csv(size: int, workdir: Path) -> Path:
    """A totals.csv of ``size`` rows (made once per folder)."""
    f = workdir / f"totals-{size}" / "totals.csv"
    if not f.exists():
        f.parent.mkdir(parents=True, exist_ok=True)
        with f.open("w", encoding="utf-8") as out:
            out.write(
                "FY,Month (abbv),Region,Area of Responsibility,Drug Type,Count of Event,Sum Qty (lbs)\n"
            )
            for i in range(size):
                fy = 2000 + (i // 2000) % 25
                out.write(
                    f"FY{fy},{_MONTHS[i % 12]},Southwest Border,OFFICE {i % 40},{_DRUGS[i % len(_DRUGS)]},"
                    f"{1 + i % 50},{(i % 997) * 1.5:.2f}\n"
                )
    return f


@benchmark(
    "statistics_import", sizes=(10_000, 100_000), setup=lambda s, w: totals_csv(s, w) and None, repeat=1
)
def bench_statistics_import(size: int, workdir: Path) -> dict:
    """Suggest the profile, map and store every row as a statistic (SQLite)."""
    import tempfile

    from connectors import apply_mapping, open_connector, suggest_mapping
    from workbench.exchange.ingest import ingest_dataset
    from workbench.store import open_store

    source = open_connector(str(totals_csv(size, workdir))).read_source()
    profile = suggest_mapping(source, name="totals")
    profile.tables["statistics"].constants["reporting_country"] = "US"
    db = Path(tempfile.mkdtemp(dir=workdir)) / "t.db"
    rep = ingest_dataset(apply_mapping(source, profile), open_store(f"sqlite:///{db}"))
    db.unlink()
    return {"accepted": rep.accepted.get("statistics", 0), "refused": rep.rejected.get("statistics", 0)}


@benchmark(
    "statistics_pandas", sizes=(10_000, 100_000), setup=lambda s, w: totals_csv(s, w) and None, repeat=1
)
def bench_statistics_pandas(size: int, workdir: Path) -> dict:
    """Reference: pandas reads the file whole and derives period and kg (no checks, nothing stored)."""
    import pandas as pd

    df = pd.read_csv(totals_csv(size, workdir))
    month = pd.to_datetime(df["Month (abbv)"], format="%b").dt.month
    year = df["FY"].str[2:].astype(int) - (month >= 10)
    df["period"] = year.astype(str) + "-" + month.map("{:02d}".format)
    df["kg"] = df["Sum Qty (lbs)"] * 0.45359237
    return {"rows": len(df)}
