"""First start (issue 15): `make run` does not wait for PyICU (the optional FtM export builds it on
demand, `make ftm`), and the FtM export says how to get it when it is missing."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import ROOT


def _plan(target: str, tmp_path: Path) -> str:
    """The commands ``make -n TARGET`` would run for a fresh virtual environment under ``tmp_path``."""
    if shutil.which("make") is None:
        pytest.fail("make is not installed")
    out = subprocess.run(
        ["make", "-n", "-C", str(ROOT), target, f"VENV={tmp_path / 'venv'}", f"WHEELHOUSE={tmp_path / 'wh'}"],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout


def test_make_run_does_not_build_pyicu(tmp_path: Path) -> None:
    run = _plan("run", tmp_path)
    assert "workbench seed" in run and "workbench serve" in run
    assert "pyicu" not in run.lower() and "[dev,ftm]" not in run
    ftm = _plan("ftm", tmp_path)
    assert "pip wheel" in ftm and "pyicu" in ftm and "[dev,ftm]" in ftm
    assert "[dev,ftm]" in _plan("test", tmp_path)  # the FtM export's own test runs in `make test`


def test_missing_followthemoney_says_how_to_get_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from workbench.network.export import FtmUnavailable, ftm_entities
    from workbench.network.graph import build_graph

    cases = pd.DataFrame(
        {"case_id": ["C1"], "reporting_country": ["FR"], "seizure_date": pd.to_datetime(["2024-01-02"])}
    )
    graph = build_graph(cases, pd.DataFrame(), pd.DataFrame())
    monkeypatch.setitem(sys.modules, "followthemoney", None)  # import fails as if not installed
    with pytest.raises(FtmUnavailable, match="make ftm"):
        ftm_entities(graph)
