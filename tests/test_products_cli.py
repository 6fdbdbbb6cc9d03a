"""``workbench product``: build (refused without a marking or on an empty period), list, the lifecycle
by two people, issue, download and regenerate, on a small store."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.cli import main


@pytest.fixture()
def db(store_copy: str) -> str:
    return store_copy


def _as(monkeypatch: pytest.MonkeyPatch, user: str, role: str = "rilo") -> None:
    monkeypatch.setenv("WORKBENCH_USER", user)
    monkeypatch.setenv("WORKBENCH_ROLE", role)


FILTER = ["--region", "Europe", "--from", "2024-01-01", "--to", "2024-12-31"]


def test_build_refuses_a_missing_marking_and_an_empty_period(
    db: str, tmp_path: Path, monkeypatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    _as(monkeypatch, "ana")
    out = tmp_path / "r.pdf"
    assert (
        main(["product", "build", "--template", "trend-report", *FILTER, "--db", db, "--out", str(out)]) == 2
    )
    assert "the marking is incomplete: classification" in capsys.readouterr().err and not out.exists()
    empty = ["--region", "Europe", "--from", "1990-01-01", "--to", "1990-12-31"]
    args = ["product", "build", "--template", "alert", *empty, "--tlp", "GREEN", "--classification", "PUBLIC"]
    assert main([*args, "--db", db, "--out", str(out)]) == 2
    assert "no case matches from 1990-01-01" in capsys.readouterr().err and not out.exists()
    bad = tmp_path / "p.yaml"
    bad.write_text("blocks: [key_figures, crystal_ball]\n")
    args = [
        "product",
        "build",
        "--template",
        "alert",
        "--params",
        str(bad),
        "--tlp",
        "GREEN",
        "--classification",
        "PUBLIC",
    ]
    assert main([*args, "--db", db, "--out", str(out)]) == 2
    assert "unknown block 'crystal_ball'" in capsys.readouterr().err
    assert main(["product", "list", "--db", db]) == 0
    assert "no product registered yet" in capsys.readouterr().err


def test_build_review_issue_download_regenerate(db: str, tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    _as(monkeypatch, "ana")
    params = tmp_path / "p.yaml"
    params.write_text(
        "title: Europe 2024\nbluf: Seizures rose.\nhandling: {classification: RESTRICTED, tlp: AMBER, codes: [H2]}\n"
        "blocks: [key_figures, {key: text, text: 'Analyst note'}, trend_chart]\n"
        "judgements: [{text: It will go on, band: likely, confidence: low}]\nsources: [{description: CEN, grade: B2}]\n"
    )
    out = tmp_path / "r.html"
    args = ["product", "build", "--template", "trend-report", "--params", str(params), *FILTER]
    assert main([*args, "--db", db, "--out", str(out)]) == 0
    html = out.read_text()
    assert "RESTRICTED · TLP:AMBER · H2" in html and "Analyst note" in html and "Europe 2024" in html
    assert main(["product", "submit", "1", "--db", db]) == 0
    assert main(["product", "approve", "1", "--db", db]) == 2
    assert "ana wrote this product" in capsys.readouterr().err
    _as(monkeypatch, "bob")
    assert main(["product", "approve", "1", "--db", db]) == 0
    _as(monkeypatch, "vic", "viewer")
    assert main(["product", "issue", "1", "--recipient", "FR-DGDDI", "--db", db]) == 3
    _as(monkeypatch, "bob")
    assert (
        main(["product", "issue", "1", "--recipient", "FR-DGDDI", "--recipient", "NL-FIOD", "--db", db]) == 0
    )
    capsys.readouterr()
    assert main(["product", "list", "--db", db]) == 0
    listing = capsys.readouterr().out
    assert "-TRR-" in listing and "issued" in listing and "FR-DGDDI, NL-FIOD" in listing
    x = tmp_path / "copy.xlsx"
    assert main(["product", "download", "1", "--recipient", "NL-FIOD", "--out", str(x), "--db", db]) == 0
    assert x.stat().st_size > 0 and "warning" not in capsys.readouterr().err
    assert main(["product", "regenerate", "1", "--db", db]) == 0
    assert "every figure is identical" in capsys.readouterr().out
