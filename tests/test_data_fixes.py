"""What a new user tripped over on the Data page, fixed in the library and shown on the page:
replacing stored cases only after confirmation (and new vs updated in the report), no import for a
read-only role, Windows-1252 CSV files, a single CSV of cases under any name, hs_code written as 847130.0.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from workbench.cli import main
from workbench.config import Settings
from workbench.exchange.files import DatasetReadError, EncodingError, RawDataset, RawTable, read_dataset
from workbench.exchange.ingest import ImportRefused, import_path, ingest_dataset, plan_import
from workbench.exchange.rowchecks import check_table
from workbench.identity import local_principal
from workbench.store import Submission, open_store

CASES_HEADER = "case_id,reporting_country,seizure_date,remarks\n"
VIEWER = local_principal(Settings.from_env({"WORKBENCH_ROLE": "viewer", "WORKBENCH_USER": "vic"}))


def _cp1252_csv(path: Path, rows: list[tuple[str, str, str, str]]) -> Path:
    text = CASES_HEADER + "".join(",".join(r) + "\n" for r in rows)
    path.write_bytes(text.encode("cp1252"))
    return path


# ---------------------------------------------------------------- 5: hs_code read as a float
def test_hs_code_written_as_a_float_is_normalised() -> None:
    items = pd.DataFrame(
        {
            "_row": [2, 3, 4],
            "case_id": ["A", "A", "A"],
            "reporting_country": ["FR", "FR", "FR"],
            "item_no": ["1", "2", "3"],
            "commodity_category": ["drugs"] * 3,
            "commodity_type": ["cocaine"] * 3,
            "quantity": ["1", "2", "3"],
            "unit": ["kg"] * 3,
            "hs_code": ["847130.0", "847130", "8471.30"],
        }
    )
    checked = check_table(RawTable("items", items, "items.csv"))
    assert checked.frame["hs_code"].tolist() == ["847130", "847130"]
    # a real decimal is still not a code
    assert [(r.row, r.column) for r in checked.rejections] == [(4, "hs_code")]


# ---------------------------------------------------------------- 4: a single CSV under any name
def test_a_single_csv_of_cases_imports_whatever_its_name(tmp_path: Path) -> None:
    f = tmp_path / "saisies mars 2024.csv"
    f.write_text(CASES_HEADER + "CSV-1,FR,2024-03-01,\nCSV-2,FR,2024-03-02,\n", encoding="utf-8")
    raw = read_dataset(f)
    assert list(raw.tables) == ["cases"]
    assert any("read as the cases table" in n for n in raw.notices)
    report = import_path(f, open_store("sqlite://"))
    assert report.status == "accepted" and report.accepted["cases"] == 2


def test_a_single_csv_of_something_else_is_refused_naming_the_file(tmp_path: Path) -> None:
    f = tmp_path / "export.csv"
    f.write_text("case_id,pays\nA,FR\n", encoding="utf-8")
    with pytest.raises(DatasetReadError) as e:
        read_dataset(f)
    msg = str(e.value)
    assert msg.startswith("export.csv:") and "reporting_country, seizure_date" in msg
    assert "--" not in msg  # speaks to app users too, not only to the command line


# ---------------------------------------------------------------- 3: encodings
def test_auto_encoding_reads_windows_1252_and_says_so(tmp_path: Path) -> None:
    f = _cp1252_csv(tmp_path / "cases.csv", [("E-1", "FR", "2024-01-02", "Saisie à l'aéroport – 5 €")])
    with pytest.raises(EncodingError) as e:
        read_dataset(f)  # UTF-8 unless told otherwise (the command line's default)
    assert (e.value.file, e.value.row, e.value.column, e.value.latin) == ("cases.csv", 2, "remarks", True)
    assert "--encoding" not in str(e.value)
    raw = read_dataset(f, encoding="auto")
    assert raw.tables["cases"].frame.loc[0, "remarks"] == "Saisie à l'aéroport – 5 €"
    assert raw.tables["cases"].encoding == "cp1252"
    assert "cases.csv: text encoding detected: Windows-1252" in raw.notices


def test_auto_encoding_falls_back_to_latin_1_and_keeps_utf_8(tmp_path: Path) -> None:
    # 0x81 is undefined in Windows-1252: only Latin-1 reads it
    (tmp_path / "cases.csv").write_bytes(CASES_HEADER.encode() + b"L-1,FR,2024-01-02,x\x81\xe9\n")
    assert read_dataset(tmp_path / "cases.csv", encoding="auto").tables["cases"].encoding == "latin-1"
    (tmp_path / "cases.csv").write_text(CASES_HEADER + "U-1,FR,2024-01-02,Zürich\n", encoding="utf-8")
    raw = read_dataset(tmp_path / "cases.csv", encoding="auto")
    assert raw.tables["cases"].encoding == "utf-8" and "text encoding detected: UTF-8" in raw.notices[0]


# ---------------------------------------------------------------- 1: what an import would replace
def test_plan_import_counts_the_stored_cases_a_file_would_replace(store_url: str) -> None:
    store = open_store(store_url)
    first = pd.DataFrame(
        {"case_id": ["P1", "P2", "P3"], "reporting_country": ["FR"] * 3, "seizure_date": ["2024-01-02"] * 3}
    )
    raw1 = RawDataset("a.csv", "csv", {"cases": RawTable("cases", first)}, "hash-a")
    assert plan_import(raw1, store).stored_cases == 0
    ingest_dataset(raw1, store)
    second = pd.DataFrame(
        {
            "case_id": ["P2", " P3", "P4", "P4", ""],  # spaces, a repeat and a blank as the checks see them
            "reporting_country": ["FR", "fr", "FR", "FR", "FR"],
            "seizure_date": ["2024-02-02"] * 5,
        }
    )
    raw2 = RawDataset("b.csv", "csv", {"cases": RawTable("cases", second)}, "hash-b")
    plan = plan_import(raw2, store, chunk_rows=2)
    assert (plan.file_cases, plan.stored_cases, plan.new_cases, plan.duplicate_of) == (3, 2, 1, None)
    report = ingest_dataset(raw2, store)
    assert (report.inserted["cases"], report.updated["cases"]) == (1, 2)
    assert plan_import(raw1, store).duplicate_of == 1


# ---------------------------------------------------------------- 2: a viewer may not import
def test_a_viewer_may_not_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    store = open_store(f"sqlite:///{tmp_path / 's.db'}")
    f = tmp_path / "cases.csv"
    f.write_text(CASES_HEADER + "V-1,FR,2024-01-02,\n", encoding="utf-8")
    with pytest.raises(ImportRefused, match="cases.csv: not imported: vic \\(viewer\\) may not import"):
        import_path(f, store, actor=VIEWER)
    with store.engine.connect() as c:
        assert c.execute(sa.select(sa.func.count()).select_from(Submission)).scalar_one() == 0
    monkeypatch.setenv("WORKBENCH_ROLE", "viewer")
    assert main(["import", str(f), "--db", store.url, "--quiet"]) == 3  # refused by the matrix
    assert "(viewer) may not import a submission" in capsys.readouterr().err


# ---------------------------------------------------------------- the page
def _upload(at: AppTest, path: Path) -> AppTest:
    """What the upload widget does (AppTest has no file uploader): remember the file on disk."""
    at.session_state["_workbench_state"].extras["data.upload_path"] = str(path)
    at.run()
    assert not at.exception, at.exception
    return at


def _stored_rows(url: str, n: int) -> list[tuple[str, str, str]]:
    with open_store(url).engine.connect() as c:
        rows = c.execute(
            sa.text("select case_id, reporting_country, seizure_date from cases order by case_id limit :n"),
            {"n": n},
        ).all()
    return [(r[0], r[1], str(r[2])[:10]) for r in rows]


def test_page_asks_before_replacing_stored_cases_and_reports_new_and_updated(
    data_page, store_copy: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    stored = _stored_rows(store_copy, 3)
    rows = [(cid, rc, date, "corrigé") for cid, rc, date in stored]
    rows += [("NEW-1", "FR", "2024-03-01", "é"), ("NEW-2", "FR", "2024-03-02", "")]
    f = _cp1252_csv(tmp_path / "seizures-march.csv", rows)  # neither UTF-8 nor named cases.csv
    at = _upload(data_page(store_copy), f)
    assert at.selectbox(key="data_encoding").value == "auto"
    assert at.radio(key="data_mode").value.startswith("Exchange format")
    captions = " ".join(c.value for c in at.caption)
    assert "text encoding detected: Windows-1252" in captions
    assert "read as the cases table" in captions
    preview = at.dataframe[0].value
    assert "corrigé" in preview["remarks"].tolist()  # the accents read right
    warning = " ".join(w.value for w in at.warning)
    assert "3 of the file's 5 cases are already stored" in warning and "2 cases are new" in warning
    assert at.button(key="data_import").disabled  # not before the replacement is confirmed
    box = at.checkbox(key="data_confirm_replace")
    assert box.label == "Replace 3 stored cases"
    box.check().run()
    assert not at.button(key="data_import").disabled
    at.button(key="data_import").click().run()
    assert not at.exception, at.exception
    success = " ".join(s.value for s in at.success)
    assert "2 new cases, 3 stored cases updated" in success, success
    table = next(d.value for d in at.dataframe if "updated" in d.value.columns).set_index("table")
    assert (table.loc["cases", "new"], table.loc["cases", "updated"]) == (2, 3)
    with open_store(store_copy).engine.connect() as c:
        remarks = c.execute(
            sa.text("select remarks from cases where case_id = :c and reporting_country = :r"),
            {"c": stored[0][0], "r": stored[0][1]},
        ).scalar_one()
        report = c.execute(sa.select(Submission.counts).order_by(Submission.id.desc()).limit(1)).scalar_one()
    assert remarks == "corrigé"
    assert json.loads(report)["updated"]["cases"] == 3


def test_page_says_which_row_is_not_in_the_chosen_encoding(
    data_page, store_copy: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    f = _cp1252_csv(
        tmp_path / "cases.csv", [("E-1", "FR", "2024-01-02", "ok"), ("E-2", "FR", "2024-01-03", "à")]
    )
    at = _upload(data_page(store_copy), f)
    assert not at.error and not at.warning  # detected; two new cases need no confirmation
    assert not at.button(key="data_import").disabled
    at.selectbox(key="data_encoding").set_value("utf-8").run()
    msg = " ".join(e.value for e in at.error)
    assert "cases.csv, row 3, column 'remarks'" in msg and "Choose the file's encoding above" in msg
    assert "--" not in msg
    at.selectbox(key="data_encoding").set_value("cp1252").run()
    assert not at.error
    at.button(key="data_import").click().run()
    assert any("2 new cases, 0 stored cases updated" in s.value for s in at.success)


def test_page_offers_no_import_to_a_viewer(
    data_page, store_copy: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    at = data_page(store_copy, role="viewer")
    assert any("read-only" in i.value for i in at.info)
    assert not at.get("file_uploader")
    # even a file left from before (or put there by hand) is not read, let alone imported
    f = tmp_path / "cases.csv"
    f.write_text(CASES_HEADER + "V-1,FR,2024-01-02,\n", encoding="utf-8")
    _upload(at, f)
    assert not [b for b in at.button if b.key == "data_import"]
    assert any("may not export" in i.value for i in at.info)  # the export tab says why there is none


def test_command_line_detects_the_encoding_on_request_and_counts_updates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("WORKBENCH_ROLE", "analyst")
    f = _cp1252_csv(tmp_path / "mars.csv", [("C-1", "FR", "2024-01-02", "saisie à Roissy")])
    args = ["import", str(f), "--db", f"sqlite:///{tmp_path / 's.db'}", "--quiet"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "mars.csv, row 2, column 'remarks'" in err and "--encoding cp1252" in err
    assert main([*args, "--encoding", "auto"]) == 0
    assert "(1 new, 0 updated)" in capsys.readouterr().out
    f.write_bytes(f.read_bytes() + b"C-2,FR,2024-01-03,\n")  # another file: one new case, one stored
    main([*args, "--encoding", "auto"])
    assert "(1 new, 1 updated)" in capsys.readouterr().out
