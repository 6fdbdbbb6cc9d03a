"""Exports: the non-personal export of the default sample holds no personal value in any cell; the
pseudonymised export keeps links without identities; every export is audited; no live formulas."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa
from python_calamine import CalamineWorkbook

from tests.conftest import ROOT, copy_sqlite
from workbench.config import Settings
from workbench.exchange.exports import ExportRefused, export_bytes, export_data
from workbench.exchange.ingest import import_path
from workbench.identity import local_principal
from workbench.store import AuditEntry, open_store
from workbench.store.filters import CaseFilter

DEFAULT = ROOT / "sample_data" / "default"
KEY = "a-secret-key-of-the-exporting-administration"


def _by(role: str = "analyst", key: str = "") -> dict[str, Any]:
    """Who exports (the local user of ``role``) and the configuration (the pseudonym ``key``)."""
    settings = Settings.from_env(
        {"WORKBENCH_ROLE": role, "WORKBENCH_USER": "export-test", "WORKBENCH_PSEUDONYM_KEY": key}
    )
    return {"actor": local_principal(settings), "settings": settings}


@pytest.fixture(scope="module")
def default_store(default_sample_store: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """This module's own copy of the default sample's store (its tests write to it)."""
    return copy_sqlite(default_sample_store, tmp_path_factory.mktemp("default") / "default.db")


def _fold(text: str) -> str:
    s = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return " ".join(re.findall(r"[a-z0-9]+", s))


class PersonalValues:
    """Every person and company name, passport and phone of the default sample, and a search for them."""

    def __init__(self) -> None:
        p = pd.read_csv(DEFAULT / "persons.csv", dtype=str, keep_default_na=False)
        c = pd.read_csv(DEFAULT / "companies.csv", dtype=str, keep_default_na=False)
        self.names = {_fold(f"{a} {b}") for a, b in zip(p.first_name, p.last_name, strict=True) if a and b}
        self.names |= {_fold(f"{b} {a}") for a, b in zip(p.first_name, p.last_name, strict=True) if a and b}
        self.companies = {_fold(n) for n in c.name if n}
        self.passports = {_fold(v).replace(" ", "") for v in p.passport_number if len(v) >= 5}
        self.phones = {re.sub(r"\D", "", v).lstrip("0") for v in pd.concat([p.phone, c.phone]) if v}
        self.phones = {v for v in self.phones if len(v) >= 6}
        self.phone_lengths = sorted({len(v) for v in self.phones})
        self.longest = max(len(n.split()) for n in self.names | self.companies)
        self._seen: dict[str, list[str]] = {}  # cells repeat (codes, dates, units): search each text once

    def found_in(self, cell: str) -> list[str]:
        if cell not in self._seen:
            self._seen[cell] = self._search(cell)
        return self._seen[cell]

    def _search(self, cell: str) -> list[str]:
        hits = []
        words = _fold(cell).split()
        for n in range(1, self.longest + 1):
            for i in range(len(words) - n + 1):
                phrase = " ".join(words[i : i + n])
                if phrase in self.names or phrase in self.companies:
                    hits.append(phrase)
                if n == 1 and phrase in self.passports:
                    hits.append(phrase)
        digits = re.sub(r"\D", "", cell).lstrip("0")
        for L in self.phone_lengths:
            for i in range(len(digits) - L + 1):
                if digits[i : i + L] in self.phones:
                    hits.append(digits[i : i + L])
        return hits


def _all_cells(path: Path) -> list[tuple[str, int, int, str]]:
    wb = CalamineWorkbook.from_path(str(path))
    cells = []
    for sheet in wb.sheet_names:
        for r, row in enumerate(wb.get_sheet_by_name(sheet).to_python()):
            for c, v in enumerate(row):
                if v not in ("", None):
                    cells.append((sheet, r + 1, c + 1, str(v)))
    return cells


def test_non_personal_export_of_the_default_sample_holds_no_personal_value(
    default_store: str, tmp_path: Path
) -> None:
    store = open_store(default_store)
    with pytest.raises(ExportRefused, match="export-test \\(viewer\\) may not export cases and figures"):
        export_data(store, tmp_path / "np.xlsx", "non_personal", **_by("viewer"))  # the matrix: no export
    res = export_data(store, tmp_path / "np.xlsx", "non_personal", **_by("rilo"))
    assert set(res.counts) == {"cases", "items"} and res.counts["cases"] == 20000
    wb = CalamineWorkbook.from_path(str(tmp_path / "np.xlsx"))
    assert wb.sheet_names == ["cases", "items"]
    values = PersonalValues()
    assert len(values.names) > 10000 and len(values.passports) > 10000 and len(values.phones) > 5000
    cells = _all_cells(tmp_path / "np.xlsx")
    assert len(cells) > 200_000
    leaks = [(s, r, c, v, h) for s, r, c, v in cells if (h := values.found_in(v))]
    assert not leaks, leaks[:10]
    # the remarks that named persons are still there, scrubbed, not dropped
    truth = json.loads((ROOT / "sample_data" / "default_truth.json").read_text())
    flagged = {tuple(k) for k in truth["remarks_with_personal_data"]}
    cases = pd.read_excel(tmp_path / "np.xlsx", "cases", engine="calamine", dtype=str)
    scrubbed = cases[[(a, b) in flagged for a, b in zip(cases.reporting_country, cases.case_id, strict=True)]]
    assert len(scrubbed) == len(flagged)
    assert scrubbed["remarks"].str.contains(r"\[name\]").mean() > 0.95
    # number plates and parcel numbers point to a person: none leaves; flights and vessels stay
    ids = cases.dropna(subset=["conveyance_type"])
    road = ids[~ids["conveyance_type"].isin(["aircraft", "vessel", "train"])]
    assert len(road) > 1000 and road["conveyance_id"].isna().all()
    public = ids[ids["conveyance_type"].isin(["aircraft", "vessel"])]
    assert public["conveyance_id"].notna().mean() > 0.9
    # the same search finds the values in the full export (the check can fail)
    full = export_data(store, tmp_path / "full.xlsx", "exchange", legal_basis="test", **_by())
    assert full.counts["persons"] > 10000
    raw_cells = _all_cells(tmp_path / "full.xlsx")
    in_cases = sum(1 for s, _, _, v in raw_cells if s == "cases" and values.found_in(v))
    assert in_cases >= 0.8 * len(flagged)
    names = [v for s, r, c, v in raw_cells if s == "persons" and r > 1 and c in (5, 6)][:2000]
    assert sum(1 for v in names if values.found_in(v)) == 0  # single names alone are no full name
    phones = [v for s, r, c, v in raw_cells if s == "persons" and r > 1 and c == 12][:2000]
    assert all(values.found_in(v) for v in phones)


def test_pseudonymised_export_keeps_links_without_identities(default_store: str, tmp_path: Path) -> None:
    store = open_store(default_store)
    with pytest.raises(ExportRefused, match="WORKBENCH_PSEUDONYM_KEY"):
        export_data(store, tmp_path / "p.xlsx", "pseudonymised", legal_basis="x", **_by())
    with pytest.raises(ExportRefused, match="legal basis"):
        export_data(store, tmp_path / "p.xlsx", "pseudonymised", **_by(key=KEY))
    with pytest.raises(ExportRefused, match="export-test \\(viewer\\) may not export with personal data"):
        export_data(store, tmp_path / "p.xlsx", "pseudonymised", legal_basis="x", **_by("viewer", KEY))
    assert not (tmp_path / "p.xlsx").exists()
    flt = CaseFilter(reporting_countries=("ES", "FR", "NL", "BE", "DE"))
    res = export_data(store, tmp_path / "p", "pseudonymised", flt, legal_basis="MAA art. 4", **_by(key=KEY))
    persons = pd.read_csv(tmp_path / "p" / "persons.csv", dtype=str, keep_default_na=False)
    assert res.counts["persons"] == len(persons) > 100
    assert (persons[["last_name", "first_name", "address"]] == "").all().all()
    assert persons["person_pseudonym"].str.match(r"^P-[0-9a-f]{16}$").all()
    # the same person (same name and birth date) in several cases keeps one pseudonym
    src = pd.read_csv(DEFAULT / "persons.csv", dtype=str, keep_default_na=False)
    src = src[src.reporting_country.isin(flt.reporting_countries)]
    ident = src.last_name.map(_fold) + "|" + src.first_name.map(_fold) + "|" + src.date_of_birth
    assert persons["person_pseudonym"].nunique() == ident.nunique()
    # stable: a second export under the same key gives the same pseudonyms; another key, others
    again = export_data(store, tmp_path / "p2", "pseudonymised", flt, legal_basis="x", **_by(key=KEY))
    assert again.counts == res.counts
    p2 = pd.read_csv(tmp_path / "p2" / "persons.csv", dtype=str, keep_default_na=False)
    assert p2["person_pseudonym"].tolist() == persons["person_pseudonym"].tolist()
    export_data(store, tmp_path / "p3", "pseudonymised", flt, legal_basis="x", **_by(key=KEY + "x"))
    p3 = pd.read_csv(tmp_path / "p3" / "persons.csv", dtype=str, keep_default_na=False)
    assert not set(p3["person_pseudonym"]) & set(persons["person_pseudonym"])
    values = PersonalValues()
    for f in (tmp_path / "p").glob("*.csv"):
        df = pd.read_csv(f, dtype=str, keep_default_na=False)
        leaks = [v for col in df.columns for v in df[col] if v and values.found_in(v)]
        assert not leaks, (f.name, leaks[:5])


def test_every_export_is_audited_and_workbooks_hold_no_formula(default_store: str, tmp_path: Path) -> None:
    store = open_store(default_store)
    with store.session() as s:
        s.execute(
            sa.text("update cases set remarks = '=HYPERLINK(\"http://x\")' where case_id = 'BE-2019-000001'")
        )
    flt = CaseFilter(reporting_countries=("BE",), date_to="2019-12-31")
    data, name, counts = export_bytes(store, "formatted", flt, legal_basis="briefing", **_by())
    assert name.endswith(".xlsx") and counts["cases"] > 0
    path = tmp_path / name
    path.write_bytes(data)
    export_data(store, tmp_path / "ex.xlsx", "exchange", flt, legal_basis="MAA", **_by())
    export_data(store, tmp_path / "np.xlsx", "non_personal", flt, **_by("rilo"))
    for book in (path, tmp_path / "ex.xlsx", tmp_path / "np.xlsx"):
        wb = openpyxl.load_workbook(book)
        assert not [c.coordinate for ws in wb for row in ws.iter_rows() for c in row if c.data_type == "f"]
    wb = openpyxl.load_workbook(tmp_path / "ex.xlsx")
    # the text is kept, behind the apostrophe that keeps it text (workbench.exchange.writers)
    assert any(c.value == '\'=HYPERLINK("http://x")' for row in wb["cases"].iter_rows() for c in row)
    with store.engine.connect() as c:
        rows = c.execute(sa.select(AuditEntry.action, AuditEntry.user, AuditEntry.details)).all()
    exports = [(a, u, json.loads(d)) for a, u, d in rows if a.startswith("export.")]
    kinds = [a for a, _, _ in exports]
    assert kinds[-3:] == ["export.formatted", "export.exchange", "export.non_personal"]
    for _, user, d in exports[-3:]:
        assert user == "export-test"
        assert d["filter"] == {"date_to": "2019-12-31", "reporting_countries": ["BE"]}
        assert d["legal_basis"]
    assert exports[-2][2]["legal_basis"] == "MAA"


def test_exchange_export_reimports(default_store: str, tmp_path: Path) -> None:
    store = open_store(default_store)
    flt = CaseFilter(reporting_countries=("NL",))
    res = export_data(store, tmp_path / "nl", "exchange", flt, legal_basis="test", **_by())
    fresh = open_store(f"sqlite:///{tmp_path / 'fresh.db'}")
    rep = import_path(tmp_path / "nl", fresh)
    assert rep.status == "accepted", rep.rejections[:3]
    assert fresh.counts() == {k: res.counts[k] for k in ("cases", "items", "persons", "companies")}


def test_export_command(default_store: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:  # type: ignore[no-untyped-def]
    from workbench.cli import main

    monkeypatch.setenv("WORKBENCH_USER", "cli-test")
    monkeypatch.delenv("WORKBENCH_PSEUDONYM_KEY", raising=False)
    out = tmp_path / "np.xlsx"
    flt = ["--country", "fr", "--from", "2024-01-01"]
    args = ["export", "--db", default_store, "--out", str(out), *flt]
    assert main([*args, "--non-personal"]) == 0
    assert "non-personal export" in capsys.readouterr().out
    assert CalamineWorkbook.from_path(str(out)).sheet_names == ["cases", "items"]
    assert main([*args, "--pseudonymise", "--legal-basis", "MAA"]) == 2
    assert "WORKBENCH_PSEUDONYM_KEY" in capsys.readouterr().err
    # personal data: a legal basis is needed
    assert main(["export", "--db", default_store, "--out", str(tmp_path / "all"), *flt]) == 2
    monkeypatch.setenv("WORKBENCH_PSEUDONYM_KEY", KEY)
    ps = ["export", "--db", default_store, "--out", str(tmp_path / "ps"), "--country", "FR"]
    assert main([*ps, "--pseudonymise", "--legal-basis", "MAA"]) == 0
    assert (tmp_path / "ps" / "persons.csv").exists()
    with open_store(default_store).engine.connect() as c:
        last = c.execute(sa.select(AuditEntry.details).order_by(AuditEntry.id.desc()).limit(1)).scalar_one()
    d = json.loads(last)
    assert (
        d["kind"] == "pseudonymised"
        and d["legal_basis"] == "MAA"
        and d["filter"] == {"reporting_countries": ["FR"]}
    )
