"""The filter flags on the command line: built from the declaration, the same meaning in every command
that filters, values checked against the criterion's list, and the spellings of earlier versions of
``workbench flows`` still working with a deprecation message on stderr."""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
import pytest

from workbench.cli import build_parser, main
from workbench.cli.common import filter_from_args
from workbench.store.criteria import CRITERIA, Criterion
from workbench.store.filters import CaseFilter

ROOT = Path(__file__).parents[1]
INDICATORS = ROOT / "sample_data" / "indicators" / "sample-indicators.yaml"

#: every command that filters, with the arguments it needs besides the filters
FILTERING_COMMANDS: dict[str, list[str]] = {
    "export": ["export", "--out", "x.xlsx"],
    "graph": ["graph", "--format", "graphml", "--out", "g.graphml"],
    "trends": ["trends"],
    "flows": ["flows", "--out", "f.csv"],
    "risk backtest": ["risk", "backtest", "--indicators", "i.yaml"],
}
#: (command, flag) that are not filter flags but mean the same: ``sample --from/--to`` generates cases
#: seized from/to these dates
SAME_MEANING_ELSEWHERE = {("sample", "--from"), ("sample", "--to")}


def example(c: Criterion) -> tuple[list[str], CaseFilter]:
    """Command-line arguments giving criterion ``c`` a value, and the filter they stand for."""
    if c.kind == "period":
        dates = ("2024-01-01", "2024-06-30")
        args = [a for flag, d in zip(c.flags, dates, strict=True) for a in (flag, d)]
        return args, CaseFilter(**dict(zip(c.fields, dates, strict=True)))
    vocabulary = c.vocabulary()
    values = list(vocabulary[:2]) if vocabulary else ["cocaine", "heroin"]
    return [a for v in values for a in (c.flags[0], v)], CaseFilter(**{c.fields[0]: tuple(values)})


@pytest.mark.parametrize("command", list(FILTERING_COMMANDS))
@pytest.mark.parametrize("c", CRITERIA, ids=lambda c: c.name)
def test_every_criterion_is_a_flag_of_every_command_that_filters(command: str, c: Criterion) -> None:
    flags, expected = example(c)
    args = build_parser().parse_args([*FILTERING_COMMANDS[command], *flags])
    assert filter_from_args(args) == expected


def _commands(parser: argparse.ArgumentParser, prefix: str = "") -> dict[str, argparse.ArgumentParser]:
    out: dict[str, argparse.ArgumentParser] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                out[f"{prefix}{name}"] = sub
                out.update(_commands(sub, f"{prefix}{name} "))
    return out


def test_a_filter_flag_means_the_same_in_every_command() -> None:
    """No command gives a filter's flag another meaning (as ``flows --mode legs|od`` did)."""
    field_of = {flag: field for c in CRITERIA for flag, field in zip(c.flags, c.fields, strict=True)}
    commands = _commands(build_parser())
    assert set(FILTERING_COMMANDS) <= set(commands)
    for name, parser in commands.items():
        for action in parser._actions:
            for flag in set(action.option_strings) & set(field_of):
                if (name, flag) not in SAME_MEANING_ELSEWHERE:
                    assert action.dest == field_of[flag], (
                        f"workbench {name} {flag} is not the filter's {flag}"
                    )


def test_values_are_checked_against_the_criterion(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["trends", str(tmp_path), "--mode", "air", "--mode", "road"]) == 2
    err = capsys.readouterr().err
    assert "--mode air: not a value of 'Transport mode'" in err and "air_cargo" in err
    args = build_parser().parse_args(["export", "--out", "x.xlsx", "--country", "fr", "--departure", " co"])
    assert filter_from_args(args) == CaseFilter(reporting_countries=("FR",), departure_countries=("CO",))
    with pytest.raises(ValueError, match="--country ZZ"):
        filter_from_args(build_parser().parse_args(["export", "--out", "x.xlsx", "--country", "zz"]))


def test_help_shows_every_criterion(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["trends", "--help"])
    out = capsys.readouterr().out
    for c in CRITERIA:
        for flag in c.flags:
            assert flag in out


# ---------------------------------------------------------------------------- flows: the old spellings
def _flows(path: Path, out: Path, *args: str) -> pd.DataFrame:
    assert main(["flows", str(path), "--out", str(out), *args]) == 0
    return pd.read_csv(out, keep_default_na=False)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (["--mode", "od"], ["--flow", "od"], "--mode od is deprecated; use --flow od"),
        (
            ["--mode", "legs", "--mode", "road"],
            ["--mode", "road"],
            "--mode legs is deprecated; use --flow legs",
        ),
        (
            ["--commodity", "tobacco"],
            ["--category", "tobacco"],
            "--commodity tobacco is deprecated; use --category",
        ),
        (["--by", "type"], ["--by", "commodity_type"], "--by type is deprecated; use --by commodity_type"),
        (
            ["--flow", "od", "--commodity", "drugs", "--commodity", "cocaine", "--by", "category"],
            ["--flow", "od", "--category", "drugs", "--commodity", "cocaine", "--by", "commodity_category"],
            "--commodity drugs is deprecated",
        ),
    ],
)
def test_flows_old_spellings_still_work(
    old: list[str],
    new: list[str],
    message: str,
    small_sample_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with_new = _flows(small_sample_dir, tmp_path / "new.csv", *new)
    assert "deprecated" not in capsys.readouterr().err
    with_old = _flows(small_sample_dir, tmp_path / "old.csv", *old)
    assert message in capsys.readouterr().err
    pd.testing.assert_frame_equal(with_old, with_new)
    assert len(with_new)


def test_flows_mode_is_the_transport_mode(small_sample_dir: Path, tmp_path: Path) -> None:
    everything = _flows(small_sample_dir, tmp_path / "all.csv", "--flow", "od")
    by_road = _flows(small_sample_dir, tmp_path / "road.csv", "--flow", "od", "--mode", "road")
    assert 0 < by_road["cases"].sum() < everything["cases"].sum()


def test_flows_refuses_two_kinds_of_flow(small_sample_dir: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert (
        main(
            [
                "flows",
                str(small_sample_dir),
                "--out",
                str(tmp_path / "f.csv"),
                "--flow",
                "legs",
                "--mode",
                "od",
            ]
        )
        == 2
    )
    assert "--flow legs or --flow od" in capsys.readouterr().err


# ---------------------------------------------------------------------------- risk backtest: filters on traffic
@pytest.fixture(scope="module")
def traffic_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from workbench.risk.traffic import read_traffic, sample_traffic_path, write_traffic

    t = read_traffic(sample_traffic_path()).frame.iloc[::8]
    return write_traffic(t, tmp_path_factory.mktemp("cli-filters") / "traffic.csv")


def _rows(capsys: pytest.CaptureFixture[str]) -> int:
    first = capsys.readouterr().out.splitlines()[0]  # "traffic: 12,345 rows, ..."
    return int(first.split()[1].replace(",", ""))


def test_backtest_reads_the_filters_on_traffic(traffic_file: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    base = ["risk", "backtest", "--indicators", str(INDICATORS)]
    assert main([*base, str(traffic_file)]) == 0
    everything = _rows(capsys)
    assert main([*base, str(traffic_file), "--mode", "road", "--from", "2024-01-01"]) == 0
    captured = capsys.readouterr()
    road = int(captured.out.splitlines()[0].split()[1].replace(",", ""))
    assert 0 < road < everything
    assert "with transport mode road" in captured.err

    # the same in the store, where a commodity can say which seizures count
    db = f"sqlite:///{tmp_path / 'store.db'}"
    assert main(["risk", "load-traffic", str(traffic_file), "--db", db]) == 0
    capsys.readouterr()
    assert main([*base, "--db", db, "--mode", "road", "--from", "2024-01-01"]) == 0
    assert _rows(capsys) == road
    # on a file, which seizures are of a commodity is known only to the store
    assert main([*base, str(traffic_file), "--category", "drugs"]) == 2
    assert "needs the store" in capsys.readouterr().err


def test_the_readme_documents_every_filter_flag() -> None:
    """README's table of filter flags has a row per criterion: its flag(s) and its label."""
    rows = [
        line
        for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
        if line.startswith("| `--")
    ]
    for c in CRITERIA:
        row = next((r for r in rows if f"`{c.flags[0]} " in r), None)
        assert row is not None, f"README documents no filter flag {c.flags[0]}"
        assert all(f"`{flag} " in row for flag in c.flags) and c.title() in row, row
