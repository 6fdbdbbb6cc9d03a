"""``workbench risk`` end to end, and ``workbench sample --traffic``."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from workbench.cli import main
from workbench.risk.traffic import read_traffic, sample_traffic_path

ROOT = Path(__file__).parents[1]
INDICATORS = ROOT / "sample_data" / "indicators" / "sample-indicators.yaml"


@pytest.fixture(scope="module")
def traffic_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A quarter of the shipped traffic (quicker)."""
    t = read_traffic(sample_traffic_path()).frame.iloc[::4]
    from workbench.risk.traffic import write_traffic

    return write_traffic(t, tmp_path_factory.mktemp("cli") / "traffic.csv")


def test_backtest_file_and_database_agree(traffic_file: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "bt.json"
    args = ["risk", "backtest", "--indicators", str(INDICATORS), str(traffic_file), "--json", str(out)]
    assert main([*args, "--threshold", "40", "--split", "2024-01-01"]) == 0
    records = json.loads(out.read_text())
    assert [r["id"] for r in records][:2] == ["RI-017", "RI-021"] and records[-1]["id"] == "profile"
    for r in records:
        assert {"id", "matched", "seized_matched", "precision", "recall", "lift", "before", "after"} <= set(r)
    assert "lift" in capsys.readouterr().out

    db = f"sqlite:///{tmp_path / 'store.db'}"
    assert main(["risk", "load-traffic", str(traffic_file), "--db", db, "--source", "q"]) == 0
    out_db = tmp_path / "bt-db.json"
    assert main(["risk", "backtest", "--indicators", str(INDICATORS), "--db", db, "--json", str(out_db)]) == 0
    main([*args[:-2], "--json", str(out)])
    assert json.loads(out_db.read_text()) == json.loads(out.read_text())


def test_score_writes_ranked_rows(traffic_file: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "scored.csv"
    assert main(["risk", "score", "--indicators", str(INDICATORS), str(traffic_file), "--out", str(out)]) == 0
    scored = pd.read_csv(out, dtype=str)
    assert list(scored.columns[:5]) == ["rank", "score", "flagged", "fired", "movement_id"]
    scores = scored["score"].astype(float)
    assert scores.is_monotonic_decreasing and (scores > 0).sum() > 100
    assert not scored["fired"].fillna("").str.contains("RI-099|RI-090").any()  # only active indicators
    printed = capsys.readouterr().out
    assert "flagged" in printed
    # the ten best rows with a score, one a line: rank, movement, score and what fired
    top = scored.head(10)
    listed = [
        f"  {int(r):>4}  {m:<14} {float(sc):>6g}  {f}"
        for r, m, sc, f in zip(top["rank"], top["movement_id"], top["score"], top["fired"], strict=True)
        if float(sc) > 0
    ]
    assert listed and printed.splitlines()[1 : 1 + len(listed)] == listed
    xlsx = tmp_path / "scored.xlsx"
    assert (
        main(
            ["risk", "score", "--indicators", str(INDICATORS), str(traffic_file), "--out", str(xlsx), "--all"]
        )
        == 0
    )
    assert xlsx.stat().st_size > 1000


def test_errors_exit_2_with_the_place(traffic_file: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.yaml"
    bad.write_text(INDICATORS.read_text().replace("value: air_passenger", "value: air"))
    assert main(["risk", "backtest", "--indicators", str(bad), str(traffic_file)]) == 2
    assert "bad.yaml, indicator 1, RI-017, when.all[2] (transport_mode eq)" in capsys.readouterr().err
    assert main(["risk", "backtest", "--indicators", str(INDICATORS)]) == 2
    assert "traffic file or --db" in capsys.readouterr().err
    broken = tmp_path / "t.csv"
    broken.write_text("movement_id,movement_date\nA,2024-99-01\n")
    assert (
        main(
            ["risk", "score", "--indicators", str(INDICATORS), str(broken), "--out", str(tmp_path / "o.csv")]
        )
        == 2
    )
    assert "t.csv, row 2, column 'movement_date'" in capsys.readouterr().err
    drafts = tmp_path / "drafts.yaml"
    drafts.write_text(INDICATORS.read_text().replace("status: active", "status: draft"))
    assert (
        main(
            [
                "risk",
                "score",
                "--indicators",
                str(drafts),
                str(traffic_file),
                "--out",
                str(tmp_path / "o.csv"),
            ]
        )
        == 2
    )
    assert "no active indicator" in capsys.readouterr().err


def test_import_and_export_indicators(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    db = f"sqlite:///{tmp_path / 'store.db'}"
    assert main(["risk", "import-indicators", str(INDICATORS), "--db", db]) == 0
    assert "15 saved" in capsys.readouterr().out
    out = tmp_path / "active.yaml"
    assert main(["risk", "export-indicators", "--out", str(out), "--db", db, "--active"]) == 0
    assert out.read_text().count("- id: ") == 13
    book = tmp_path / "all.xlsx"
    assert main(["risk", "export-indicators", "--out", str(book), "--db", db]) == 0
    assert main(["risk", "import-indicators", str(book), "--db", db]) == 0
    assert "15 unchanged" in capsys.readouterr().out


def test_sample_also_writes_traffic(tmp_path: Path) -> None:
    out, traffic = tmp_path / "ds", tmp_path / "traffic.xlsx"
    args = ["sample", "--cases", "300", "--seed", "3", "--out", str(out), "--traffic", str(traffic)]
    assert main([*args, "--traffic-ratio", "4", "--traffic-share", "0.5"]) == 0
    t = read_traffic(traffic).frame
    cases = pd.read_csv(out / "cases.csv")
    assert set(t.loc[t["seized"], "case_id"]) <= set(cases["case_id"])
    assert len(t) == 5 * t["seized"].sum() and not (out / "traffic.csv").exists()


def test_seed_loads_the_example_indicators(
    tmp_path: Path, small_sample_dir: Path, monkeypatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    """A first ``workbench seed`` (what ``make run`` does) leaves the Risk pages usable: the example
    indicators are stored, those reviewed in the file in force; a viewer seeding gets them too; a second
    seed adds nothing. Traffic comes only with the default sample it belongs to."""
    from workbench.identity.accounts import sign_in
    from workbench.risk import registry as reg
    from workbench.risk.samples import SAMPLE_SOURCE, load_risk_sample
    from workbench.risk.traffic import traffic_sources
    from workbench.store import open_store

    monkeypatch.setenv("WORKBENCH_ROLE", "viewer")
    monkeypatch.setenv("WORKBENCH_ADMIN_PASSWORD", "a long demo secret 2026")
    db = f"sqlite:///{tmp_path / 'seeded.db'}"
    assert main(["seed", "--db", db, "--path", str(small_sample_dir)]) == 0
    assert "Loaded 15 sample indicators (13 in force)." in capsys.readouterr().out
    store = open_store(db)
    listing = reg.list_indicators(store)
    assert len(listing) == 15 and len(reg.active_indicators(store)) == 13
    assert set(listing["status"]) == {"active", "draft", "in_review"}
    assert traffic_sources(store).empty  # another data set: the sample traffic's seizures are not its cases
    assert main(["seed", "--db", db, "--path", str(small_sample_dir)]) == 0
    assert len(reg.list_indicators(store)) == 15

    admin = sign_in(store, "admin", "a long demo secret 2026")
    assert load_risk_sample(store, admin) == "Loaded 39,494 rows of sample traffic."
    assert traffic_sources(store)["source"].tolist() == [SAMPLE_SOURCE]
    assert load_risk_sample(store, admin) == "The sample is loaded already."
