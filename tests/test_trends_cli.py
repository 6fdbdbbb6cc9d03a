"""``workbench trends``: a data set or a store in, CSV out (series or emerging flags); clear errors."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import ROOT
from workbench.cli import main
from workbench.exchange.seizures import read_seizure_frame
from workbench.trends.series import time_series


def test_series_from_a_data_set(
    small_sample_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "trends.csv"
    assert (
        main(
            ["trends", str(small_sample_dir), "--by", "commodity_category", "--freq", "Q", "--out", str(out)]
        )
        == 0
    )
    df = pd.read_csv(out, dtype={"period": str})
    assert list(df.columns[:3]) == ["period", "commodity_category", "cases"]
    assert df["period"].iloc[0] == "2019Q1"
    frame, _ = read_seizure_frame(small_sample_dir)
    expected = time_series(frame, "commodity_category", "Q")
    assert df["cases"].tolist() == expected["cases"].tolist()
    assert "rows: cases per quarter by commodity_category" in capsys.readouterr().err


def test_quantity_with_filters_and_two_splits(small_sample_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "q.csv"
    args = ["trends", str(small_sample_dir), "--by", "commodity_type,transport_mode", "--freq", "Y"]
    args += ["--measure", "quantity", "--category", "drugs", "--from", "2022-01-01", "--out", str(out)]
    assert main(args) == 0
    df = pd.read_csv(out, dtype={"period": str})
    assert list(df.columns) == [
        "period",
        "commodity_type",
        "transport_mode",
        "cases",
        "quantity",
        "unit",
        "value_usd",
        "period_start",
    ]
    assert df["period"].min() == "2022"
    from workbench.format.reference import commodity_types

    assert set(df["commodity_type"]) <= set(commodity_types("drugs"))
    # each unit is its own series: kilograms and grams of one drug are never added together
    frame, _ = read_seizure_frame(small_sample_dir)
    frame = frame[(frame["commodity_category"] == "drugs") & (frame["seizure_date"] >= "2022-01-01")]
    by_unit = (
        frame.astype({"commodity_type": str, "unit": str})
        .groupby(["commodity_type", "unit"])["quantity"]
        .sum()
    )
    got = df.groupby(["commodity_type", "unit"])["quantity"].sum()
    pd.testing.assert_series_equal(
        got.sort_index(), by_unit.sort_index(), check_names=False, check_index_type=False, rtol=1e-9
    )


def test_series_from_a_store(store_url: str, small_sample_dir: Path, tmp_path: Path) -> None:
    from workbench.exchange.ingest import import_path
    from workbench.store import open_store

    import_path(small_sample_dir, open_store(store_url))
    from_db, from_file = tmp_path / "db.csv", tmp_path / "file.csv"
    assert (
        main(
            ["trends", "--db", store_url, "--by", "route", "--freq", "W", "--top", "5", "--out", str(from_db)]
        )
        == 0
    )
    assert (
        main(
            [
                "trends",
                str(small_sample_dir),
                "--by",
                "route",
                "--freq",
                "W",
                "--top",
                "5",
                "--out",
                str(from_file),
            ]
        )
        == 0
    )
    a, b = pd.read_csv(from_db), pd.read_csv(from_file)
    pd.testing.assert_frame_equal(a, b)
    assert a["period"].str.match(r"^\d{4}-W\d{2}$").all()


def test_emerging_flags(tmp_path: Path) -> None:
    out = tmp_path / "flags.csv"
    assert main(["trends", str(ROOT / "sample_data" / "default"), "--emerging", "--out", str(out)]) == 0
    flags = pd.read_csv(out)
    assert {"series", "period", "observed", "expected", "ratio", "p_value", "q_value", "sentence"} <= set(
        flags.columns
    )
    assert (flags["q_value"] <= 0.05).all() and (flags["period"] == "2025Q4").all()
    assert flags["series"].str.startswith("cocaine by express courier into Western Europe").any()


def test_errors_are_clear(small_sample_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["trends", str(tmp_path / "missing"), "--out", str(tmp_path / "x.csv")]) == 2
    assert "missing: no such file or folder" in capsys.readouterr().err
    assert main(["trends", str(small_sample_dir), "--db", "sqlite://", "--out", str(tmp_path / "x.csv")]) == 2
    assert "not both" in capsys.readouterr().err
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["trends", str(empty), "--out", str(tmp_path / "x.csv")]) == 2
    assert "empty: the folder holds no .csv file" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["trends", str(small_sample_dir), "--by", "colour"])
    assert "unknown field colour" in capsys.readouterr().err


def test_refused_rows_are_reported_and_left_out(
    small_sample_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    cases = pd.read_csv(small_sample_dir / "cases.csv", dtype=str)
    cases.loc[4, "seizure_date"] = "31/12/2024"
    cases.to_csv(bad / "cases.csv", index=False)
    (bad / "items.csv").write_bytes((small_sample_dir / "items.csv").read_bytes())
    out = tmp_path / "t.csv"
    assert main(["trends", str(bad), "--freq", "Y", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "cases.csv, row 6, column 'seizure_date'" in err and "left out of the counts" in err
    assert pd.read_csv(out)["cases"].sum() == len(cases) - 1
