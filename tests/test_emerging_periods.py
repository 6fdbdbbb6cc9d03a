"""Emerging trends on quantities (per unit), and the period tested: the last complete period of the range
stated (``--to``, the sidebar's period), else of the data, with monthly figures dated the 1st covering
their whole month (issue 14, problem 8)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from workbench.cli import main
from workbench.trends import emerging as E


def _rows(
    commodity: str, period: pd.Period, cases: int, total: float, unit: str = "kg", day: int | None = None
) -> list[tuple]:
    """``cases`` seizures of ``commodity`` in ``period`` adding up to ``total`` ``unit``."""
    out = []
    for i in range(cases):
        date = (
            period.start_time + pd.Timedelta(days=i % 28)
            if day is None
            else period.start_time.replace(day=day)
        )
        out.append((commodity, date, total / cases, unit))
    return out


def _frame(rows: list[tuple]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["commodity_type", "seizure_date", "quantity", "unit"])
    df["seizure_date"] = pd.to_datetime(df["seizure_date"])
    df["case_key"] = [f"XX:{i}" for i in range(len(df))]
    df["commodity_category"] = "drugs"
    return df


def _surge() -> pd.DataFrame:
    """Nine quarters of cocaine: 6 seizures a quarter of about 1,200 kg, then 6 seizures of 3,100 kg; heroin
    steady; the data run to the last day of the last quarter."""
    rng = np.random.default_rng(4)
    rows: list[tuple] = []
    quarters = pd.period_range("2022Q1", periods=9, freq="Q")
    for i, q in enumerate(quarters):
        rows += _rows("cocaine", q, 6, 3100.0 if i == 8 else float(rng.normal(1200, 60)))
        rows += _rows("heroin", q, 6, float(rng.normal(300, 20)))
        rows += _rows("heroin", q, 2, 400.0, unit="g")
    rows.append(("heroin", quarters[-1].end_time.normalize(), 1.0, "g"))
    return _frame(rows)


def test_a_weight_surge_is_tested_and_flagged_per_unit() -> None:
    frame = _surge()
    by_cases = E.detect_emerging(frame, series=[("commodity_type",)], baseline=8)
    assert by_cases.flags == []  # as many seizures as usual: the count test sees nothing
    result = E.detect_emerging(frame, series=[("commodity_type",)], measure="quantity", baseline=8)
    assert result.measure == "quantity" and result.period == "2024Q1"
    assert [(f.key["commodity_type"], f.unit) for f in result.flags] == [("cocaine", "kg")]
    flag = result.flags[0]
    assert flag.observed == pytest.approx(3100.0)
    base = frame[(frame["commodity_type"] == "cocaine") & (frame["seizure_date"] < "2024-01-01")]
    per_quarter = base.groupby(base["seizure_date"].dt.to_period("Q"))["quantity"].sum()
    assert flag.expected == pytest.approx(float(np.expm1(np.log1p(per_quarter).mean())), rel=1e-6)
    assert flag.sentence.startswith(f"cocaine: 3,100 kg in 2024Q1 against {flag.expected:,.0f} expected")
    # every unit its own series: heroin in kg and in g were tested apart, and neither flagged
    tested = result.tested[result.tested["commodity_type"] == "heroin"]
    assert sorted(tested["unit"]) == ["g", "kg"]
    table = result.table()
    assert table.loc[0, "measure"] == "quantity" and table.loc[0, "unit"] == "kg"


def test_the_cli_tests_quantities_instead_of_ignoring_them(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import workbench.cli.trends as cli

    monkeypatch.setattr(cli, "_frame", lambda args: (_surge(), 0))
    args = ["trends", "x", "--emerging", "--measure", "quantity", "--by", "commodity_type"]
    monkeypatch.setattr("pathlib.Path.exists", lambda self: True)
    assert main(args) == 0
    out = capsys.readouterr().out
    lines = out.strip().splitlines()
    assert len(lines) == 2 and ",quantity,kg," in lines[1] and "cocaine" in lines[1]
    assert main([*args[:4], "value_usd", *args[5:]]) == 2
    assert "not value_usd" in capsys.readouterr().err


def _monthly_dated_first() -> pd.DataFrame:
    """Monthly figures dated the 1st, 2022-01 to 2024-12: 5 seizures a month, 15 in each month of 2024Q4."""
    rows: list[tuple] = []
    for m in pd.period_range("2022-01", "2024-12", freq="M"):
        rows += _rows("cocaine", m, 15 if m >= pd.Period("2024-10", "M") else 5, 100.0, day=1)
        rows += _rows("heroin", m, 5, 10.0, day=1)
    return _frame(rows)


def test_monthly_figures_dated_the_first_keep_their_last_period() -> None:
    result = E.detect_emerging(_monthly_dated_first(), series=[("commodity_type",)], baseline=8)
    # the data end on 2024-12-01, monthly: December is covered and 2024Q4 is complete
    assert result.period == "2024Q4"
    assert "of the data (they end on 2024-12-31)" in result.basis
    assert [f.key["commodity_type"] for f in result.flags] == ["cocaine"]
    assert result.flags[0].observed == 45 and result.flags[0].basis == result.basis


def _daily_ending_28th() -> pd.DataFrame:
    rows: list[tuple] = []
    for q in pd.period_range("2022Q1", "2024Q4", freq="Q"):
        rows += _rows("cocaine", q, 30 if q == pd.Period("2024Q4", "Q") else 10, 50.0)
    last = pd.Timestamp("2024-12-28")
    rows.append(("heroin", last, 1.0, "kg"))
    return _frame(rows)


def test_the_period_stated_is_tested_even_when_the_last_seizure_is_before_its_end() -> None:
    frame = _daily_ending_28th()
    of_data = E.detect_emerging(frame, series=[("commodity_type",)], baseline=8)
    assert of_data.period == "2024Q3"
    assert of_data.basis == "last complete quarter of the data (they end on 2024-12-28)"
    stated = E.detect_emerging(frame, series=[("commodity_type",)], baseline=8, end=dt.date(2024, 12, 31))
    assert stated.period == "2024Q4"
    assert stated.basis == "last complete quarter of the range stated (to 2024-12-31)"
    assert [f.key["commodity_type"] for f in stated.flags] == ["cocaine"]
    assert stated.table().loc[0, "period_basis"] == stated.basis


def test_the_cli_tests_the_last_complete_period_up_to_to(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import workbench.cli.trends as cli

    monkeypatch.setattr(cli, "_frame", lambda args: (_daily_ending_28th(), 0))
    monkeypatch.setattr("pathlib.Path.exists", lambda self: True)
    args = ["trends", "x", "--emerging", "--by", "commodity_type", "--to", "2024-12-31"]
    assert main(args) == 0
    table = capsys.readouterr().out
    assert "2024Q4" in table and "range stated (to 2024-12-31)" in table and "cocaine" in table
