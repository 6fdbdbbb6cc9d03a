"""Real-file mess: each case gets a clear message naming file, sheet, row and column, and nothing
stored is lost or half-written."""

from __future__ import annotations

import io
import json
import random
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
import xlsxwriter

from connectors import load, open_connector
from workbench.cli import main
from workbench.exchange.files import DatasetReadError, read_dataset, write_dataset
from workbench.exchange.ingest import ImportFailed, import_path, ingest_dataset
from workbench.store import Submission, open_store

from .conftest import CASES, ITEMS

GOOD = CASES.drop(index=2).reset_index(drop=True)  # without the bad date


def _store(tmp_path: Path):  # type: ignore[no-untyped-def]
    return open_store(f"sqlite:///{tmp_path / 'store.db'}")


def _csv(tmp_path: Path, text: str, encoding: str, name: str = "cases.csv") -> Path:
    d = tmp_path / "ds"
    d.mkdir(exist_ok=True)
    (d / name).write_bytes(text.encode(encoding))
    return d


LATIN = (
    "case_id,reporting_country,seizure_date,remarks\nA1,FR,2024-01-02,ok\nA2,FR,2024-01-03,saisie à Orly\n"
)


def test_latin1_is_refused_naming_row_and_column_then_imports_when_named(tmp_path: Path) -> None:
    d = _csv(tmp_path, LATIN, "latin-1")
    with pytest.raises(
        DatasetReadError, match=r"cases.csv, row 3, column 'remarks': byte b'\\xe0' is not UTF-8.*Latin-1"
    ):
        read_dataset(d)
    assert main(["import", str(d), "--db", f"sqlite:///{tmp_path / 's.db'}", "--quiet"]) == 2
    rep = import_path(d, _store(tmp_path), encoding="cp1252")
    assert rep.status == "accepted"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_bom_and_utf16_read_as_text(tmp_path: Path, encoding: str) -> None:
    d = _csv(tmp_path, LATIN, encoding)
    raw = read_dataset(d)
    assert raw.tables["cases"].columns[0] == "case_id"  # no BOM glued to the first header
    assert raw.tables["cases"].frame["remarks"].tolist() == ["ok", "saisie à Orly"]
    assert import_path(d, _store(tmp_path)).status == "accepted"


def test_title_rows_above_the_header_are_skipped_and_rows_keep_their_numbers(tmp_path: Path) -> None:
    book = tmp_path / "titled.xlsx"
    wb = xlsxwriter.Workbook(str(book))
    ws = wb.add_worksheet("cases")
    ws.merge_range(0, 0, 0, 2, "Seizures reported by the Netherlands, 2024")
    for j, h in enumerate(["case_id", "reporting_country", "seizure_date"]):
        ws.write(2, j, h)
    ws.write_row(3, 0, ["N1", "NL", "2024-01-01"])
    ws.write_row(4, 0, ["N2", "NL", "not a date"])
    wb.close()
    rep = import_path(book, _store(tmp_path))
    assert any("rows 1–2 above the header skipped" in n for n in rep.notices)
    (bad,) = rep.rejections
    assert (bad.row, bad.column, bad.where) == (5, "seizure_date", "titled.xlsx, sheet 'cases'")


def test_empty_sheets(tmp_path: Path) -> None:
    book = tmp_path / "e.xlsx"
    wb = xlsxwriter.Workbook(str(book))
    wb.add_worksheet("cases").write_row(0, 0, ["case_id", "reporting_country", "seizure_date"])
    wb.worksheets()[0].write_row(1, 0, ["E1", "ES", "2024-01-01"])
    wb.add_worksheet("persons")
    wb.close()
    rep = import_path(book, _store(tmp_path))
    assert rep.status == "accepted" and "e.xlsx: sheet 'persons' is empty; skipped" in rep.notices
    empty = tmp_path / "empty.xlsx"
    wb = xlsxwriter.Workbook(str(empty))
    wb.add_worksheet("cases")
    wb.close()
    with pytest.raises(DatasetReadError, match="empty.xlsx: every sheet of the workbook is empty"):
        read_dataset(empty)


def test_unknown_columns_are_kept_never_dropped(tmp_path: Path) -> None:
    write_dataset({"cases": GOOD.assign(officer="J. Doe")}, tmp_path / "ds")
    store = _store(tmp_path)
    rep = import_path(tmp_path / "ds", store)
    assert any("kept as extra attributes: local_ref, officer" in n for n in rep.notices)
    with store.engine.connect() as c:
        extra = c.execute(sa.text("select extra from cases where case_id = 'K1'")).scalar_one()
    assert json.loads(extra) == {"local_ref": "ES/24/1", "officer": "J. Doe"}


def test_duplicate_rows_are_refused_naming_the_first_even_across_chunks(tmp_path: Path) -> None:
    dup = pd.concat([GOOD, GOOD.iloc[[0]], GOOD.iloc[[2]]], ignore_index=True)
    write_dataset({"cases": dup}, tmp_path / "ds")
    rep = ingest_dataset(read_dataset(tmp_path / "ds"), _store(tmp_path), chunk_rows=2)
    assert rep.accepted["cases"] == 3 and rep.rejected["cases"] == 2
    assert [(r.row, r.reason) for r in rep.rejections] == [
        (5, "duplicate key ES/K1 (first at row 2)"),
        (6, "duplicate key NL/K4 (first at row 4)"),
    ]


def test_the_same_file_twice_changes_nothing(tmp_path: Path) -> None:
    write_dataset({"cases": GOOD, "items": ITEMS}, tmp_path / "ds.xlsx")
    store = _store(tmp_path)
    assert import_path(tmp_path / "ds.xlsx", store).status == "accepted"
    again = import_path(tmp_path / "ds.xlsx", store)
    assert again.status == "duplicate" and "already imported as submission 1" in again.notices[-1]
    assert store.counts()["cases"] == 3


def test_truncated_and_corrupt_files(tmp_path: Path) -> None:
    write_dataset({"cases": GOOD}, tmp_path / "ok.xlsx")
    data = (tmp_path / "ok.xlsx").read_bytes()
    (tmp_path / "cut.xlsx").write_bytes(data[: len(data) // 2])
    with pytest.raises(DatasetReadError, match="cut.xlsx: the archive is truncated or corrupt"):
        read_dataset(tmp_path / "cut.xlsx")
    d = tmp_path / "cut"
    d.mkdir()
    (d / "cases.csv").write_text(
        'case_id,reporting_country,seizure_date,remarks\nA1,FR,2024-01-02,"ok"\nA2,FR,2024-01-03,"cut in the mid'
    )
    store = _store(tmp_path)
    with pytest.raises(
        ImportFailed, match=r"cases.csv, after row \d+: cannot be read as CSV.*truncated.*nothing was stored"
    ):
        import_path(d, store)
    assert store.counts()["cases"] == 0
    with store.engine.connect() as c:
        assert c.execute(sa.select(Submission.status)).scalars().all() == ["failed"]


def test_password_protected_workbook(tmp_path: Path) -> None:
    from msoffcrypto.format.ooxml import OOXMLFile

    write_dataset({"cases": GOOD}, tmp_path / "plain.xlsx")
    with (tmp_path / "plain.xlsx").open("rb") as src, (tmp_path / "locked.xlsx").open("wb") as dst:
        OOXMLFile(src).encrypt("s3cret", dst)
    with pytest.raises(DatasetReadError, match="locked.xlsx: an encrypted \\(password-protected\\) workbook"):
        read_dataset(tmp_path / "locked.xlsx")


def test_non_excel_file_renamed_xlsx(tmp_path: Path) -> None:
    (tmp_path / "report.xlsx").write_bytes(b"%PDF-1.7\n% not a workbook\n")
    with pytest.raises(DatasetReadError, match="report.xlsx: not an Excel .xlsx workbook"):
        read_dataset(tmp_path / "report.xlsx")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", "a zip, but no workbook")
    (tmp_path / "zip.xlsx").write_bytes(buf.getvalue())
    with pytest.raises(DatasetReadError, match="no xl/workbook.xml"):
        read_dataset(tmp_path / "zip.xlsx")


def test_zip_bomb_is_refused_before_unpacking(tmp_path: Path) -> None:
    write_dataset({"cases": GOOD}, tmp_path / "ok.xlsx")
    bomb = tmp_path / "bomb.xlsx"
    with (
        zipfile.ZipFile(tmp_path / "ok.xlsx") as src,
        zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        # 300 MiB of zeros in a few hundred KiB: the directory says so before anything is unpacked
        with dst.open("xl/media/padding.bin", "w", force_zip64=True) as f:
            block = bytes(1 << 20)
            for _ in range(300):
                f.write(block)
    assert bomb.stat().st_size < 2 * 1024**2
    with pytest.raises(
        DatasetReadError, match="bomb.xlsx: unpacks to .* times its size .*refused before unpacking"
    ):
        read_dataset(bomb)
    zipped = tmp_path / "csvs.zip"
    with (
        zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as z,
        z.open("cases.csv", "w", force_zip64=True) as f,
    ):
        for _ in range(300):
            f.write(bytes(1 << 20))
    with pytest.raises(DatasetReadError, match="csvs.zip: unpacks to"):
        read_dataset(zipped)


def test_a_zip_of_csv_files_reads_as_the_folder_it_was_made_from(tmp_path: Path) -> None:
    # more than one unpacking block (1 MiB) of remarks, and the files in a folder inside the archive
    noise = random.Random(0)
    cases = GOOD.assign(remarks=[noise.randbytes(200_000).hex() for _ in range(len(GOOD))])
    write_dataset({"cases": cases, "items": ITEMS}, tmp_path / "plain")
    with zipfile.ZipFile(tmp_path / "csvs.zip", "w", zipfile.ZIP_DEFLATED) as z:
        for f in sorted((tmp_path / "plain").glob("*.csv")):
            z.write(f, f"export/{f.name}")
    assert (tmp_path / "plain" / "cases.csv").stat().st_size > 1 << 20
    zipped, plain = read_dataset(tmp_path / "csvs.zip"), read_dataset(tmp_path / "plain")
    assert zipped.kind == "csv" and sorted(zipped.tables) == sorted(plain.tables) == ["cases", "items"]
    assert zipped.tables["cases"].file == "csvs.zip/cases.csv"
    for name, table in plain.tables.items():
        pd.testing.assert_frame_equal(zipped.tables[name].frame, table.frame)
    assert zipped.tables["cases"].frame["remarks"].tolist() == cases["remarks"].tolist()


def test_formulas_are_read_as_their_values_never_evaluated(tmp_path: Path) -> None:
    book = tmp_path / "f.xlsx"
    wb = xlsxwriter.Workbook(str(book))
    ws = wb.add_worksheet("cases")
    ws.write_row(0, 0, ["case_id", "reporting_country", "seizure_date", "latitude", "remarks"])
    ws.write_row(1, 0, ["F1", "FR", "2024-01-02"])
    ws.write_formula(1, 3, "=40+0.5", None, 40.5)  # cached value 40.5
    ws.write_formula(1, 4, '=WEBSERVICE("http://example.invalid")', None, "cached text")
    ws.write_row(2, 0, ["F2", "FR", "2024-01-03"])
    ws.write_formula(2, 3, "=1/0")  # xlsxwriter stores 0 as its cached value; evaluating would give #DIV/0!
    wb.close()
    store = _store(tmp_path)
    rep = import_path(book, store)
    assert rep.status == "accepted"
    with store.engine.connect() as c:
        rows = c.execute(sa.text("select case_id, latitude, remarks from cases order by case_id")).all()
    assert [tuple(r) for r in rows] == [("F1", 40.5, "cached text"), ("F2", 0.0, None)]


def test_sql_table_that_does_not_exist(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'src.db'}"
    GOOD.to_sql("saisies", sa.create_engine(url), index=False)
    conn = open_connector(url, tables={"cases": "seizures"})
    with pytest.raises(
        DatasetReadError, match=r"src.db: table 'seizures' does not exist; tables there: saisies"
    ):
        load(conn)
    assert main(["import", url, "--table", "cases=seizures", "--db", f"sqlite:///{tmp_path / 's.db'}"]) == 2


def test_access_file_that_is_not_one(tmp_path: Path) -> None:
    (tmp_path / "cen.mdb").write_text("case_id,reporting_country\nA1,FR\n")
    with pytest.raises(DatasetReadError, match="cen.mdb: not an MS Access database"):
        load(open_connector(tmp_path / "cen.mdb"))
    (tmp_path / "cut.accdb").write_bytes(b"\x00\x01\x00\x00Standard ACE DB\x00" + bytes(100))
    with pytest.raises(DatasetReadError, match="cut.accdb: cannot be read as an Access database"):
        load(open_connector(tmp_path / "cut.accdb"))


def test_a_failure_halfway_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    store = _store(tmp_path)
    write_dataset({"cases": GOOD.iloc[:1]}, tmp_path / "first")
    import_path(tmp_path / "first", store)
    before = store.counts()

    class Breaks:
        name = "breaks"
        calls = 0

        def check(self, tables, store, where):  # type: ignore[no-untyped-def]
            Breaks.calls += 1
            if Breaks.calls == 2:
                raise RuntimeError("the gate's database went away")
            return []

    write_dataset(
        {"cases": GOOD.assign(case_id=["X1", "X2", "X3"]), "items": ITEMS.assign(case_id="X1")},
        tmp_path / "ds",
    )
    with pytest.raises(ImportFailed, match="nothing was stored"):
        ingest_dataset(read_dataset(tmp_path / "ds"), store, gates=[Breaks()], chunk_rows=2)
    assert store.counts() == before
    with store.engine.connect() as c:
        assert c.execute(sa.select(Submission.status).order_by(Submission.id)).scalars().all() == [
            "accepted",
            "failed",
        ]


def test_gates_are_called_per_chunk_as_the_contract_says(tmp_path: Path) -> None:
    seen: list[tuple[str, list[int]]] = []
    events: list[str] = []

    class Recorder:
        name = "recorder"

        def start(self, source: str) -> None:
            events.append(f"start {Path(source).name}")

        def check(self, tables, store, where):  # type: ignore[no-untyped-def]
            for name, df in tables.items():
                seen.append((name, df["_row"].tolist()))
            return []

        def record(self, conn, submission_id):  # type: ignore[no-untyped-def]
            events.append(f"record {submission_id} in transaction={conn.in_transaction()}")

    big = pd.concat(
        [GOOD.assign(case_id=[f"{c}-{i}" for c in GOOD.case_id]) for i in range(3)], ignore_index=True
    )
    write_dataset({"cases": big}, tmp_path / "ds")
    ingest_dataset(read_dataset(tmp_path / "ds"), _store(tmp_path), gates=[Recorder()], chunk_rows=4)
    assert events == ["start ds", "record 1 in transaction=True"]
    assert seen == [("cases", [2, 3, 4, 5]), ("cases", [6, 7, 8, 9]), ("cases", [10])]
