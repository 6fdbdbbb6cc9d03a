"""Real-file mess: each case gets a clear message naming file, sheet, row and column, and nothing
stored is lost or half-written."""

from __future__ import annotations

import json
import random
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa
import xlsxwriter

from connectors import MappingProfile, load, open_connector
from workbench.exchange.files import DatasetReadError, read_dataset, write_dataset
from workbench.exchange.ingest import ImportFailed, ImportReport, StoreBusy, import_path, ingest_dataset
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


# ---------------------------------------------------------------------------------------------------
# The catalogue of bad inputs: one table, each row an input users really send, the message that must
# name file, sheet, row and column, and what must happen to the store. docs/data-quality.md lists
# every row (checked by test_the_docs_list_every_bad_input_with_its_message).

CSV_HEAD = "case_id,reporting_country,seizure_date,remarks\n"
LATIN = CSV_HEAD + "A1,FR,2024-01-02,ok\nA2,FR,2024-01-03,saisie à Orly\n"
ITEMS_HEAD = "case_id;reporting_country;item_no;commodity_category;commodity_type;quantity;unit\n"


@dataclass(frozen=True)
class Bad:
    """One bad input. ``outcome``: ``refused`` (nothing stored, the store as it was), ``rows`` (the
    listed rows refused, the others stored) or ``accepted`` (imported, with ``message`` among the
    notices when there is one). ``message``: a pattern the message must match; ``doc``: the message
    as docs/data-quality.md shows it (it matches ``message`` too)."""

    id: str
    what: str
    build: Callable[[Path], str]
    outcome: str
    message: str | None
    doc: str
    stored: int = 0  # new cases stored
    options: dict[str, Any] = field(default_factory=dict)
    check: Callable[[Any], None] | None = None  # (store) -> asserts on stored values
    patch: dict[str, Any] = field(default_factory=dict)  # workbench.exchange.files limits


def _folder(**files: bytes) -> Callable[[Path], str]:
    def build(tmp: Path) -> str:
        d = tmp / "ds"
        d.mkdir()
        for name, data in files.items():
            (d / name.replace("__", ".")).write_bytes(data)
        return str(d)

    return build


def _workbook(name: str, sheets: dict[str, list[list[Any]]], merge_top: int = 0) -> Callable[[Path], str]:
    """A workbook; ``merge_top``: the first row of the first sheet is a title merged over that many columns."""

    def build(tmp: Path) -> str:
        book = tmp / name
        wb = xlsxwriter.Workbook(str(book))
        for sheet, rows in sheets.items():
            ws = wb.add_worksheet(sheet)
            for i, row in enumerate(rows):
                for j, v in enumerate(row):
                    if v is not None:
                        ws.write(i, j, v)
            if merge_top and sheet == next(iter(sheets)):
                ws.merge_range(0, 0, 0, merge_top - 1, rows[0][0])
        wb.close()
        return str(book)

    return build


def _zip(
    name: str, members: dict[str, bytes], stored: dict[str, bytes] | None = None
) -> Callable[[Path], str]:
    def build(tmp: Path) -> str:
        z = tmp / name
        with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as out:
            for m, data in members.items():
                out.writestr(m, data)
            for m, data in (stored or {}).items():
                out.writestr(m, data, compress_type=zipfile.ZIP_STORED)
        return str(z)

    return build


def _bomb_xlsx(tmp: Path) -> str:
    write_dataset({"cases": GOOD}, tmp / "ok.xlsx")
    bomb = tmp / "bomb.xlsx"
    with zipfile.ZipFile(tmp / "ok.xlsx") as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        with dst.open("xl/media/padding.bin", "w", force_zip64=True) as f:
            for _ in range(64):  # 64 MiB of zeros in a few dozen KiB
                f.write(bytes(1 << 20))
    return str(bomb)


def _bomb_zip(padding: int) -> Callable[[Path], str]:
    """A CSV zip bomb; ``padding``: MiB of incompressible data stored beside it (the ratio of the
    whole archive then looks harmless, that of the bomb member never does)."""

    def build(tmp: Path) -> str:
        z = tmp / ("padded.zip" if padding else "csvs.zip")
        with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as out:
            with out.open("cases.csv", "w", force_zip64=True) as f:
                f.write(CSV_HEAD.encode())
                for _ in range(64):
                    f.write(bytes(1 << 20))
            if padding:
                out.writestr("padding.bin", random.Random(1).randbytes(padding << 20), zipfile.ZIP_STORED)
        return str(z)

    return build


def _locked(tmp: Path) -> str:
    from msoffcrypto.format.ooxml import OOXMLFile

    write_dataset({"cases": GOOD}, tmp / "plain.xlsx")
    with (tmp / "plain.xlsx").open("rb") as src, (tmp / "locked.xlsx").open("wb") as dst:
        OOXMLFile(src).encrypt("s3cret", dst)
    return str(tmp / "locked.xlsx")


def _cut_xlsx(tmp: Path) -> str:
    write_dataset({"cases": GOOD}, tmp / "ok.xlsx")
    data = (tmp / "ok.xlsx").read_bytes()
    (tmp / "cut.xlsx").write_bytes(data[: len(data) // 2])
    return str(tmp / "cut.xlsx")


def _file(name: str, data: bytes) -> Callable[[Path], str]:
    def build(tmp: Path) -> str:
        (tmp / name).write_bytes(data)
        return str(tmp / name)

    return build


def _zip_not_workbook(tmp: Path) -> str:
    with zipfile.ZipFile(tmp / "zip.xlsx", "w") as z:
        z.writestr("hello.txt", "a zip, but no workbook")
    return str(tmp / "zip.xlsx")


def _sql_source(tmp: Path) -> str:
    url = f"sqlite:///{tmp / 'src.db'}"
    engine = sa.create_engine(url)
    GOOD.to_sql("saisies", engine, index=False)
    engine.dispose()
    return url


def _stored(sql: str, expected: list[tuple[Any, ...]]) -> Callable[[Any], None]:
    def check(store: Any) -> None:
        with store.engine.connect() as c:
            assert [tuple(r) for r in c.execute(sa.text(sql))] == expected

    return check


MIXED_DATES = (
    "Ref,Pays,Date\nM1,France,02/01/2024\nM2,France,01/13/2024\nM3,France,13/01/2024\nM4,France,05/06/24\n"
)


def _profile(**extra: Any) -> dict[str, Any]:
    cols = {"case_id": "Ref", "reporting_country": "Pays", "seizure_date": "Date"}
    return {
        "name": "mixed",
        "dayfirst": True,
        **extra,
        "tables": {"cases": {"source": "mixed", "columns": cols}},
    }


BAD_INPUTS = [
    Bad(
        "latin1",
        "a CSV saved in Latin-1 / Windows-1252, imported as UTF-8",
        _folder(cases__csv=LATIN.encode("latin-1")),
        "refused",
        r"cases.csv, row 3, column 'remarks': byte b'\\xe0' is not UTF-8 \(it looks like Latin-1",
        "cases.csv, row 3, column 'remarks': byte b'\\xe0' is not UTF-8 (it looks like Latin-1 / Windows-1252); "
        "save the file as UTF-8, or name the file's encoding",
    ),
    Bad(
        "latin1-semicolon",
        "the same, columns separated by ';'",
        _folder(cases__csv=LATIN.replace(",", ";").encode("latin-1")),
        "refused",
        r"cases.csv, row 3, column 'remarks': byte b'\\xe0' is not UTF-8",
        "cases.csv, row 3, column 'remarks': byte b'\\xe0' is not UTF-8 (it looks like Latin-1 / Windows-1252); "
        "save the file as UTF-8, or name the file's encoding",
    ),
    Bad(
        "latin1-detected",
        "the same file with `--encoding auto`",
        _folder(cases__csv=LATIN.encode("cp1252")),
        "accepted",
        "cases.csv: text encoding detected: Windows-1252",
        "cases.csv: text encoding detected: Windows-1252",
        stored=2,
        options={"encoding": "auto"},
        check=_stored("select remarks from cases where case_id = 'A2'", [("saisie à Orly",)]),
    ),
    Bad(
        "utf8-bom",
        "UTF-8 with a byte-order mark (Excel's 'CSV UTF-8')",
        _folder(cases__csv=LATIN.encode("utf-8-sig")),
        "accepted",
        None,
        "(none: the BOM is not glued to the first header)",
        stored=2,
    ),
    Bad(
        "utf16-bom",
        "UTF-16 with a byte-order mark (Excel's 'Unicode text')",
        _folder(cases__csv=LATIN.encode("utf-16")),
        "accepted",
        None,
        "(none)",
        stored=2,
    ),
    Bad(
        "utf16-no-bom",
        "UTF-16 without a byte-order mark",
        _folder(cases__csv=LATIN.encode("utf-16-le")),
        "accepted",
        "cases.csv: UTF-16 text without a byte-order mark; read as UTF-16-LE",
        "cases.csv: UTF-16 text without a byte-order mark; read as UTF-16-LE",
        stored=2,
        check=_stored("select remarks from cases where case_id = 'A2'", [("saisie à Orly",)]),
    ),
    Bad(
        "utf16-no-bom-detected",
        "the same with `--encoding auto`",
        _folder(cases__csv=LATIN.encode("utf-16-be")),
        "accepted",
        "cases.csv: text encoding detected: UTF-16-BE",
        "cases.csv: UTF-16 text without a byte-order mark; read as UTF-16-BE; cases.csv: text encoding "
        "detected: UTF-16-BE",
        stored=2,
        options={"encoding": "auto"},
    ),
    Bad(
        "semicolon-decimal-comma",
        "a European spreadsheet export: columns separated by ';', decimal commas",
        _folder(
            cases__csv=b"case_id;reporting_country;seizure_date;latitude\nS1;ES;2024-01-10;40,47\nS2;ES;2024-01-11;\n",
            items__csv=(
                ITEMS_HEAD + "S1;ES;1;drugs;cocaine;2,5;kg\nS2;ES;1;drugs;cocaine;1.200,75;kg\n"
            ).encode(),
        ),
        "accepted",
        "cases.csv: columns separated by ';' \\(detected\\)",
        "cases.csv: columns separated by ';' (detected); cases.csv: numbers written with a decimal comma (detected)",
        stored=2,
        check=_stored(
            "select c.latitude, i.quantity from items i join cases c using (reporting_country, case_id) "
            "order by c.case_id",
            [(40.47, 2.5), (None, 1200.75)],
        ),
    ),
    Bad(
        "semicolon-named",
        "the same, with `--delimiter ';' --decimal ','`",
        _folder(cases__csv=b"case_id;reporting_country;seizure_date;longitude\nS1;ES;2024-01-10;-3,56\n"),
        "accepted",
        None,
        "(none)",
        stored=1,
        options={"delimiter": ";", "decimal": ","},
        check=_stored("select longitude from cases where case_id = 'S1'", [(-3.56,)]),
    ),
    Bad(
        "title-rows",
        "a workbook with a merged title row and a blank row above the header",
        _workbook(
            "titled.xlsx",
            {
                "cases": [
                    ["Seizures reported by the Netherlands, 2024", None, None],
                    [],
                    ["case_id", "reporting_country", "seizure_date"],
                    ["N1", "NL", "2024-01-01"],
                    ["N2", "NL", "not a date"],
                ]
            },
            merge_top=3,
        ),
        "rows",
        r"titled.xlsx, sheet 'cases', row 5, column 'seizure_date': not a date",
        "titled.xlsx, sheet 'cases', row 5, column 'seizure_date': not a date in ISO 8601 form YYYY-MM-DD "
        "(and the notice: rows 1–2 above the header skipped (a title or an upper header level); header at row 3)",
        stored=1,
    ),
    Bad(
        "two-level-header",
        "a two-level header: group labels over merged cells, then the column names",
        _folder(
            cases__csv=b"Case,,Seizure,\ncase_id,reporting_country,seizure_date,remarks\nT1,FR,2024-01-02,x\n"
        ),
        "accepted",
        r"cases.csv: rows 1–1 above the header skipped \(a title or an upper header level\); header at row 2",
        "cases.csv: rows 1–1 above the header skipped (a title or an upper header level); header at row 2",
        stored=1,
    ),
    Bad(
        "header-not-found",
        "a cases table whose header lacks a required column",
        _folder(cases__csv=b"case_id,reporting_country,date\nH1,FR,2024-01-02\n"),
        "rows",
        r"cases.csv, column 'seizure_date': required column missing: every row refused \(the header was "
        r"read from row 1",
        "cases.csv, column 'seizure_date': required column missing: every row refused (the header was read "
        "from row 1; if the header is another row, remove the rows above it)",
    ),
    Bad(
        "no-cases-table",
        "a file that is not the cases table and is not named so",
        _folder(other__csv=b"Ref,When\nX1,2024-01-02\n"),
        "refused",
        "other.csv: not read as the cases table: it is not named 'cases' and lacks the columns",
        "other.csv: not read as the cases table: it is not named 'cases' and lacks the columns case_id, "
        "reporting_country, seizure_date; a file in another layout needs its columns mapped",
    ),
    Bad(
        "nul-in-key",
        "NUL bytes in a key (`N2\\x00` beside `N2`)",
        _folder(cases__csv=(CSV_HEAD + "N2,NL,2024-01-02,ok\nN2\x00,NL,2024-01-03,again\n").encode()),
        "rows",
        r"cases.csv, row 3, column 'case_id': control characters \(NUL, ...\) removed(.|\n)*"
        r"cases.csv, row 3, column 'reporting_country, case_id': duplicate key NL/N2 \(first at row 2\)",
        "cases.csv, row 3, column 'case_id': control characters (NUL, ...) removed; "
        "cases.csv, row 3, column 'reporting_country, case_id': duplicate key NL/N2 (first at row 2)",
        stored=1,
    ),
    Bad(
        "control-characters",
        "control characters in free text (a bell, an escape)",
        _folder(cases__csv=(CSV_HEAD + "C1,FR,2024-01-02,hidden\x07 in\x1b tank\n").encode()),
        "accepted",
        r"cases.csv, row 2, column 'remarks': control characters \(NUL, ...\) removed",
        "cases.csv, row 2, column 'remarks': control characters (NUL, ...) removed",
        stored=1,
        check=_stored("select remarks from cases where case_id = 'C1'", [("hidden in tank",)]),
    ),
    Bad(
        "mixed-date-orders",
        "through a mapping profile, one date column holding day-first and month-first dates",
        _folder(mixed__csv=MIXED_DATES.encode()),
        "rows",
        r"mixed.csv, row 3, column 'seizure_date': date written in the other order than the profile's "
        r"\(day first\)(.|\n)*mixed.csv, row 5, column 'seizure_date': ambiguous date",
        "mixed.csv, row 3, column 'seizure_date': date written in the other order than the profile's (day "
        "first); name the order with date_format in the mapping profile, or correct the cell; "
        "mixed.csv, row 5, column 'seizure_date': ambiguous date: day and month can be read either way; "
        "name the order with date_format in the mapping profile (e.g. %d/%m/%Y)",
        stored=1,
        options={"mapping": _profile()},
        check=_stored(
            "select case_id, cast(seizure_date as text) from cases where case_id like 'M%'",
            [("M3", "2024-01-13")],
        ),
    ),
    Bad(
        "mixed-date-orders-with-format",
        "the same with `date_format: '%d/%m/%Y'` in the profile",
        _folder(mixed__csv=MIXED_DATES.encode()),
        "rows",
        r"mixed.csv, row 3, column 'seizure_date': not a date in the profile's date_format %d/%m/%Y",
        "mixed.csv, row 3, column 'seizure_date': not a date in the profile's date_format %d/%m/%Y "
        "(and row 5, 05/06/24: not a date in that format either)",
        stored=2,
        options={"mapping": _profile(date_format="%d/%m/%Y")},
        check=_stored(
            "select case_id, cast(seizure_date as text) from cases where case_id like 'M%' order by case_id",
            [("M1", "2024-01-02"), ("M3", "2024-01-13")],
        ),
    ),
    Bad(
        "too-many-refusals",
        "more refused rows than a submission may quarantine (`--max-rejected-rows 2`)",
        _folder(cases__csv=(CSV_HEAD + "".join(f"R{i},FR,2024-13-0{i},x\n" for i in range(1, 5))).encode()),
        "refused",
        r"ds: more than 2 rows refused, the most one submission may quarantine: the whole submission is "
        r"refused and nothing was stored(.|\n)*cases.csv, row 2, column 'seizure_date'",
        "ds: more than 2 rows refused, the most one submission may quarantine: the whole submission is "
        "refused and nothing was stored; correct the file and import it again. The first refusals: "
        "cases.csv, row 2, column 'seizure_date': not a date in ISO 8601 form YYYY-MM-DD; ...",
        options={"max_rejected_rows": 2},
    ),
    Bad(
        "empty-sheet",
        "a workbook with an empty sheet",
        _workbook(
            "e.xlsx",
            {
                "cases": [["case_id", "reporting_country", "seizure_date"], ["E1", "ES", "2024-01-01"]],
                "persons": [],
            },
        ),
        "accepted",
        "e.xlsx: sheet 'persons' is empty; skipped",
        "e.xlsx: sheet 'persons' is empty; skipped",
        stored=1,
    ),
    Bad(
        "empty-workbook",
        "a workbook whose every sheet is empty",
        _workbook("empty.xlsx", {"cases": []}),
        "refused",
        "empty.xlsx: every sheet of the workbook is empty",
        "empty.xlsx: every sheet of the workbook is empty",
    ),
    Bad(
        "truncated-workbook",
        "a workbook cut in the middle",
        _cut_xlsx,
        "refused",
        "cut.xlsx: the archive is truncated or corrupt",
        "cut.xlsx: the archive is truncated or corrupt (its directory cannot be read); copy the file again "
        "from its source",
    ),
    Bad(
        "truncated-csv",
        "a CSV cut in the middle of a quoted cell",
        _folder(cases__csv=(CSV_HEAD + 'A1,FR,2024-01-02,"ok"\nA2,FR,2024-01-03,"cut in the mid').encode()),
        "refused",
        r"cases.csv, after row \d+: cannot be read as CSV.*truncated(.|\n)*nothing was stored",
        "cases.csv, after row 2: cannot be read as CSV (...); the file may be truncated, or its columns not "
        "separated by ',' (name the separator) (the import stopped and nothing was stored)",
    ),
    Bad(
        "password-protected",
        "a password-protected workbook",
        _locked,
        "refused",
        r"locked.xlsx: an encrypted \(password-protected\) workbook",
        "locked.xlsx: an encrypted (password-protected) workbook or a legacy .xls file; remove the password, "
        "or save it as .xlsx, and import it again",
    ),
    Bad(
        "not-a-workbook",
        "a PDF renamed .xlsx",
        _file("report.xlsx", b"%PDF-1.7\n% not a workbook\n"),
        "refused",
        "report.xlsx: not an Excel .xlsx workbook",
        "report.xlsx: not an Excel .xlsx workbook (not a valid zip archive)",
    ),
    Bad(
        "zip-not-workbook",
        "a zip renamed .xlsx",
        _zip_not_workbook,
        "refused",
        r"zip.xlsx: not an Excel .xlsx workbook \(no xl/workbook.xml inside\)",
        "zip.xlsx: not an Excel .xlsx workbook (no xl/workbook.xml inside)",
    ),
    Bad(
        "legacy-xls",
        "a legacy .xls workbook",
        _file("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512)),
        "refused",
        "old.xls: a legacy .xls workbook; save it as .xlsx",
        "old.xls: a legacy .xls workbook; save it as .xlsx and import that",
    ),
    Bad(
        "workbook-bomb",
        "a workbook holding a zip bomb",
        _bomb_xlsx,
        "refused",
        r"bomb.xlsx: unpacks to [\d,]+ times its size .*refused before unpacking",
        "bomb.xlsx: unpacks to 1,000 times its size (the member xl/media/padding.bin) (64 MiB from 0.1 MiB), "
        "which real workbooks never do (a zip bomb?); refused before unpacking",
    ),
    Bad(
        "zip-bomb",
        "a zip of CSV files that is a zip bomb",
        _bomb_zip(0),
        "refused",
        r"csvs.zip: unpacks to [\d,]+ times its size",
        "csvs.zip: unpacks to 1,000 times its size (the member cases.csv) (64 MiB from 0.1 MiB), which real "
        "workbooks never do (a zip bomb?); refused before unpacking",
    ),
    Bad(
        "padded-zip-bomb",
        "a zip bomb padded with stored data (the ratio of the whole archive looks harmless)",
        _bomb_zip(1),
        "refused",
        r"padded.zip: unpacks to [\d,]+ times its size \(the member cases.csv\)",
        "padded.zip: unpacks to 1,000 times its size (the member cases.csv) (64 MiB from 0.1 MiB), which real "
        "workbooks never do (a zip bomb?); refused before unpacking",
    ),
    Bad(
        "zip-member-too-big",
        "a zip member larger than the limit for one file (here 1 MiB)",
        _zip("big.zip", {}, {"cases.csv": (CSV_HEAD + "B1,FR,2024-01-02,x\n" * 80_000).encode()}),
        "refused",
        r"big.zip: the member cases.csv would unpack to [\d,]+ MiB, more than the limit of 1 MiB for one file",
        "big.zip: the member cases.csv would unpack to 2 MiB, more than the limit of 1 MiB for one file; "
        "refused before unpacking",
        patch={"MAX_MEMBER_UNPACKED": 1 << 20},
    ),
    Bad(
        "zip-duplicate-names",
        "a zip holding `a/cases.csv` and `b/cases.csv`",
        _zip(
            "dup.zip",
            {
                "a/cases.csv": (CSV_HEAD + "A1,FR,2024-01-02,x\n").encode(),
                "b/cases.csv": (CSV_HEAD + "B1,FR,2024-01-02,y\n").encode(),
            },
        ),
        "refused",
        "dup.zip: a/cases.csv and b/cases.csv have the same file name in different folders",
        "dup.zip: a/cases.csv and b/cases.csv have the same file name in different folders; each table must "
        "come once: zip one folder, or rename the files",
    ),
    Bad(
        "sql-table-missing",
        "a SQL source naming a table it does not have",
        _sql_source,
        "refused",
        r"src.db: table 'seizures' does not exist; tables there: saisies",
        "src.db: table 'seizures' does not exist; tables there: saisies",
        options={"tables": {"cases": "seizures"}},
    ),
    Bad(
        "not-access",
        "a CSV renamed .mdb",
        _file("cen.mdb", b"case_id,reporting_country\nA1,FR\n"),
        "refused",
        "cen.mdb: not an MS Access database",
        "cen.mdb: not an MS Access database",
    ),
    Bad(
        "truncated-access",
        "an Access file cut short",
        _file("cut.accdb", b"\x00\x01\x00\x00Standard ACE DB\x00" + bytes(100)),
        "refused",
        "cut.accdb: cannot be read as an Access database",
        "cut.accdb: cannot be read as an Access database (...)",
    ),
]


def _snapshot(store: Any) -> tuple[Any, ...]:
    with store.engine.connect() as c:
        cases = c.execute(
            sa.text("select reporting_country, case_id, remarks from cases order by 1, 2")
        ).all()
        quarantined = c.execute(sa.text("select count(*) from quarantine")).scalar_one()
    return store.counts(), [tuple(r) for r in cases], quarantined


def _import(case: Bad, source: str, store: Any) -> tuple[str, ImportReport | None]:
    """The message (or the notices and refusals) and the report of importing ``source`` as ``case`` says."""
    opts = dict(case.options)
    mapping = opts.pop("mapping", None)
    cap = opts.pop("max_rejected_rows", None)
    try:
        conn = open_connector(source, **opts)
        raw = load(conn, MappingProfile.from_dict(mapping) if mapping else None)
        report = ingest_dataset(raw, store, max_rejected_rows=cap)
    except (DatasetReadError, ImportFailed) as e:
        return str(e), None
    return "\n".join([*report.notices, *map(str, report.rejections)]), report


@pytest.mark.parametrize("case", BAD_INPUTS, ids=[c.id for c in BAD_INPUTS])
def test_bad_input(case: Bad, store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile

    import workbench.exchange.files as files

    for name, value in case.patch.items():
        monkeypatch.setattr(files, name, value)
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    store = open_store(store_url)
    write_dataset({"cases": GOOD}, tmp_path / "first")
    ingest_dataset(read_dataset(tmp_path / "first"), store)
    before = _snapshot(store)

    text, report = _import(case, case.build(tmp_path), store)

    if case.message is not None:
        assert re.search(case.message, text), text
    if case.outcome == "refused":
        assert report is None, text
        assert _snapshot(store) == before  # nothing stored, nothing quarantined
    else:
        assert report is not None, text
        status = {"accepted": ("accepted",), "rows": ("partial", "rejected")}[case.outcome]
        assert report.status in status, text
        assert store.counts()["cases"] == before[0]["cases"] + case.stored
        assert set(before[1]) <= set(_snapshot(store)[1])  # nothing stored before was lost
    if case.check is not None:
        case.check(store)
    assert list(temp.iterdir()) == []  # no temporary file left behind


def _documented() -> dict[str, tuple[str, str]]:
    text = (Path(__file__).resolve().parents[2] / "docs" / "data-quality.md").read_text(encoding="utf-8")
    section = text.split("## Bad inputs", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        m = re.match(r"^\| `([a-z0-9-]+)` \| (.*) \| (.*) \|$", line)
        if m:
            rows[m.group(1)] = (m.group(2).replace("\\|", "|"), m.group(3).replace("\\|", "|"))
    return rows


def test_the_docs_list_every_bad_input_with_its_message() -> None:
    documented = _documented()
    assert list(documented) == [c.id for c in BAD_INPUTS]
    for case in BAD_INPUTS:
        what, message = documented[case.id]
        assert what == case.what, case.id
        assert message == f"`{case.doc}`" if case.message else message == case.doc, case.id
        if case.message is not None:
            assert re.search(case.message, case.doc.replace("(...)", "")) or re.search(
                case.message, case.doc
            ), case.id


def bad_inputs_markdown() -> str:
    """The table of docs/data-quality.md (print it with ``python -m tests.connectors.test_bad_input``)."""
    lines = ["| case | input | message |", "|---|---|---|"]
    for c in BAD_INPUTS:
        msg = f"`{c.doc}`" if c.message else c.doc
        lines.append(
            f"| `{c.id}` | {c.what.replace('|', chr(92) + '|')} | {msg.replace('|', chr(92) + '|')} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    print(bad_inputs_markdown())


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


def test_two_imports_at_once_into_one_sqlite_store(tmp_path: Path) -> None:
    """The second import waits briefly for the first, then stops with a clear message: no SQL, no
    parameters, no values; the first finishes and the store holds only its cases."""
    import threading

    url = f"sqlite:///{tmp_path / 'store.db'}"
    writing, release = threading.Event(), threading.Event()

    class Holds:
        name = "holds"

        def check(self, tables, store, where):  # type: ignore[no-untyped-def]
            writing.set()  # the first import's transaction is open (its submission row is written)
            release.wait(30)
            return []

    write_dataset({"cases": GOOD}, tmp_path / "first")
    private = GOOD.assign(case_id=["Z1", "Z2", "Z3"], remarks="Ivan PETROVIC, born 12.03.1985")
    write_dataset({"cases": private}, tmp_path / "second")
    results: dict[str, object] = {}

    def first() -> None:
        results["first"] = ingest_dataset(read_dataset(tmp_path / "first"), open_store(url), gates=[Holds()])

    t = threading.Thread(target=first)
    t.start()
    assert writing.wait(30)
    store = open_store(url)
    try:
        with pytest.raises(StoreBusy) as err:
            ingest_dataset(read_dataset(tmp_path / "second"), store, lock_wait=0.5)
    finally:
        release.set()
        t.join(60)
    message = str(err.value)
    assert "second: the store is busy: another import is writing to it" in message
    assert "nothing was stored" in message
    for leak in ("INSERT", "SELECT", "parameters", "PETROVIC", "1985", "[SQL"):
        assert leak not in message
    assert results["first"].status == "accepted"  # type: ignore[attr-defined]
    with store.engine.connect() as c:
        ids = c.execute(sa.text("select case_id from cases order by case_id")).scalars().all()
    assert ids == ["K1", "K2", "K4"]


def test_a_database_error_is_reported_without_its_sql_or_values(tmp_path: Path) -> None:
    store = _store(tmp_path)

    class Breaks:
        name = "breaks"

        def check(self, tables, store, where):  # type: ignore[no-untyped-def]
            with store.engine.connect() as c:
                c.execute(sa.text("select * from no_such_table where name = :n"), {"n": "Ivan PETROVIC"})
            return []

    write_dataset({"cases": GOOD}, tmp_path / "ds")
    with pytest.raises(ImportFailed) as err:
        ingest_dataset(read_dataset(tmp_path / "ds"), store, gates=[Breaks()])
    assert (
        "the import failed and nothing was stored (a database error (OperationalError) (table cases, data rows 1 to 3))"
        in str(err.value)
    )
    assert "PETROVIC" not in str(err.value) and "no_such_table" not in str(err.value)
    with store.engine.connect() as c:
        (report,) = c.execute(sa.select(Submission.report)).scalars().all()
    assert "PETROVIC" not in report


def test_progress_counts_rows_read_of_rows_total_per_table(tmp_path: Path) -> None:
    """Long rows at the top used to make the estimate far too small: 100 % from the first chunk."""
    long_rows = GOOD.assign(remarks="x" * 5000)
    many = pd.DataFrame(
        {
            "case_id": [f"P{i}" for i in range(3000)],
            "reporting_country": "FR",
            "seizure_date": "2024-01-02",
        }
    )
    items = pd.DataFrame(
        {
            "case_id": [f"P{i}" for i in range(500)],
            "reporting_country": "FR",
            "item_no": 1,
            "commodity_category": "drugs",
            "commodity_type": "cocaine",
            "quantity": 1.0,
            "unit": "kg",
        }
    )
    write_dataset({"cases": pd.concat([long_rows, many], ignore_index=True), "items": items}, tmp_path / "ds")
    raw = read_dataset(tmp_path / "ds")
    assert raw.tables["cases"].approx_rows == 3003 and raw.tables["items"].approx_rows == 500
    calls: list[tuple[int, int, str]] = []
    ingest_dataset(raw, _store(tmp_path), progress=lambda d, t, s: calls.append((d, t, s)), chunk_rows=1000)
    cases = [(d, t) for d, t, s in calls if s == "importing cases"]
    assert cases == [(0, 3003), (1000, 3003), (2000, 3003), (3000, 3003), (3003, 3053), (3003, 3003)]
    assert [(d, t) for d, t, s in calls if s == "importing items"] == [(0, 500), (500, 525), (500, 500)]
    assert calls[-1] == (1, 1, "done")


def test_temporary_files_are_removed_when_the_import_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))

    class Breaks:
        name = "breaks"

        def check(self, tables, store, where):  # type: ignore[no-untyped-def]
            raise RuntimeError("the gate broke")

    write_dataset({"cases": GOOD}, tmp_path / "plain")
    with zipfile.ZipFile(tmp_path / "csvs.zip", "w") as z:
        z.write(tmp_path / "plain" / "cases.csv", "export/cases.csv")
    with pytest.raises(ImportFailed):
        ingest_dataset(read_dataset(tmp_path / "csvs.zip"), _store(tmp_path), gates=[Breaks()])
    assert list(temp.iterdir()) == []
    assert ingest_dataset(read_dataset(tmp_path / "csvs.zip"), _store(tmp_path)).status == "accepted"
    assert list(temp.iterdir()) == []


def test_the_command_line_names_separator_decimal_mark_and_refusal_cap(tmp_path: Path) -> None:
    from workbench.cli import main

    d = tmp_path / "ds"
    d.mkdir()
    # a semicolon file whose first data row has no decimal: the separator must be named or detected
    (d / "cases.csv").write_text("case_id;reporting_country;seizure_date;latitude\nS1;ES;2024-01-10;40,5\n")
    db = f"sqlite:///{tmp_path / 's.db'}"
    assert main(["import", str(d), "--db", db, "--quiet", "--delimiter", ";", "--decimal", ","]) == 0
    with open_store(db).engine.connect() as c:
        assert c.execute(sa.text("select latitude from cases")).scalar_one() == 40.5
    (d / "cases.csv").write_text(CSV_HEAD + "B1,FR,2024-13-01,x\nB2,FR,2024-13-02,x\n")
    assert main(["import", str(d), "--db", db, "--quiet", "--max-rejected-rows", "1"]) == 2
    assert open_store(db).counts()["cases"] == 1


def test_a_suggested_mapping_names_the_date_order_the_sample_proves(tmp_path: Path) -> None:
    from connectors import suggest_mapping

    d = tmp_path / "ds"
    d.mkdir()
    (d / "saisies.csv").write_text(
        "Ref,Pays,Date\nD1,France,31/01/2024\nD2,France,05/06/2024\nD3,France,12/02/2024\n"
    )
    profile = suggest_mapping(open_connector(d).read_source())
    assert profile.date_format == "%d/%m/%Y" and profile.dayfirst
    assert MappingProfile.from_dict(profile.to_dict()).date_format == "%d/%m/%Y"
    report = ingest_dataset(load(open_connector(d), profile), _store(tmp_path))
    assert report.status == "accepted", report.rejections
    (d / "saisies.csv").write_text(
        "Ref,Pays,Date\nD1,France,02/01/2024\nD2,France,01/13/2024\nD3,France,13/01/2024\n"
    )
    mixed = suggest_mapping(open_connector(d).read_source())
    assert mixed.date_format is None
    assert any("both day first and month first" in n for n in mixed.notes)
    with pytest.raises(DatasetReadError, match="date_format '%Y' is not a date format with %d and %m"):
        load(open_connector(d), _write_profile(tmp_path, {**_profile(), "date_format": "%Y"}))


def _write_profile(tmp_path: Path, d: dict[str, Any]) -> Path:
    import yaml

    p = tmp_path / "p.yaml"
    p.write_text(yaml.safe_dump(d), encoding="utf-8")
    return p
