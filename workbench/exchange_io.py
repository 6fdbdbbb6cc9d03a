"""Reading and writing data sets in the exchange format: a folder of CSV files or one ``.xlsx`` workbook.

Reading keeps every cell as read (text, or the typed value a workbook holds) together with the
spreadsheet row number of each row, so that every later message can name file, sheet, row and column.
Writing never lets a cell become a live formula.

Examples
--------
>>> import pandas as pd, tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp()) / "ds"
>>> cases = pd.DataFrame({"case_id": ["A1"], "reporting_country": ["FR"], "seizure_date": ["2024-01-02"]})
>>> write_dataset({"cases": cases}, d)
[...cases.csv...]
>>> raw = read_dataset(d)
>>> raw.tables["cases"].frame.loc[0, "case_id"], int(raw.tables["cases"].frame.loc[0, ROW])
('A1', 2)
"""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from workbench.schema import FORMAT, TABLE_NAMES

__all__ = [
    "ROW",
    "DatasetReadError",
    "RawTable",
    "RawDataset",
    "read_dataset",
    "write_dataset",
    "file_hash",
    "excel_safe",
]

#: Name of the column that carries each row's spreadsheet row number (header = row 1).
ROW = "_row"

#: Largest total unpacked size of an .xlsx accepted before it is opened (zip-bomb guard).
MAX_XLSX_UNPACKED = 2 * 1024**3


class DatasetReadError(Exception):
    """The input cannot be read at all (exit status 2). The message names the file and the problem."""


@dataclass
class RawTable:
    """One table as read: cells untouched, plus :data:`ROW`; ``source`` names the file and sheet."""

    name: str
    frame: pd.DataFrame
    file: str
    sheet: str | None = None

    @property
    def where(self) -> str:
        return f"{self.file}, sheet {self.sheet!r}" if self.sheet else self.file


@dataclass
class RawDataset:
    path: str
    kind: str  # "csv" | "xlsx" | other connector kinds
    tables: dict[str, RawTable]
    file_hash: str
    notices: list[str] = field(default_factory=list)


def file_hash(path: Path) -> str:
    """SHA-256 of a file, or of a folder's CSV files (names and contents, in name order)."""
    h = hashlib.sha256()
    if path.is_dir():
        for f in sorted(path.glob("*.csv")):
            h.update(f.name.encode())
            with f.open("rb") as fh:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    h.update(chunk)
    else:
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    return h.hexdigest()


def _decode(data: bytes, name: str) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise DatasetReadError(
            f"{name}: not UTF-8 (byte {e.start}: {data[e.start : e.start + 1]!r}); "
            "save it as UTF-8 or import it with a mapping profile that names its encoding"
        ) from None


def _read_csv(path: Path) -> pd.DataFrame:
    text = _decode(path.read_bytes(), path.name)
    try:
        df = pd.read_csv(
            io.StringIO(text), dtype=str, keep_default_na=False, na_values=[], quoting=csv.QUOTE_MINIMAL
        )
    except pd.errors.EmptyDataError:
        return pd.DataFrame()
    except (pd.errors.ParserError, ValueError) as e:
        raise DatasetReadError(f"{path.name}: cannot be read as CSV ({e})") from None
    return df


def _check_xlsx(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as z:
            total = sum(i.file_size for i in z.infolist())
            names = set(z.namelist())
    except zipfile.BadZipFile:
        head = path.read_bytes()[:8]
        if head.startswith(b"\xd0\xcf\x11\xe0"):
            raise DatasetReadError(
                f"{path.name}: an encrypted (password-protected) or legacy .xls workbook; "
                "remove the password / save as .xlsx"
            ) from None
        raise DatasetReadError(
            f"{path.name}: not an Excel .xlsx workbook (not a valid zip archive)"
        ) from None
    if "xl/workbook.xml" not in names:
        raise DatasetReadError(f"{path.name}: not an Excel .xlsx workbook (no xl/workbook.xml inside)")
    if total > MAX_XLSX_UNPACKED:
        raise DatasetReadError(
            f"{path.name}: unpacks to {total / 1024**3:.1f} GiB, more than the "
            f"{MAX_XLSX_UNPACKED / 1024**3:.0f} GiB limit; split the workbook or use a CSV folder"
        )


def _read_xlsx(path: Path) -> dict[str, tuple[pd.DataFrame, str]]:
    _check_xlsx(path)
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_path(str(path))
    except Exception as e:  # calamine raises its own error types
        raise DatasetReadError(f"{path.name}: cannot be read as a workbook ({e})") from None
    out: dict[str, tuple[pd.DataFrame, str]] = {}
    for sheet in wb.sheet_names:
        name = sheet.strip().lower()
        rows = wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        if not rows:
            out[name] = (pd.DataFrame(), sheet)
            continue
        header = [str(h).strip() if h is not None else "" for h in rows[0]]
        body = rows[1:]
        # Trailing blank rows are common in hand-edited sheets.
        while body and all(v in ("", None) for v in body[-1]):
            body.pop()
        df = pd.DataFrame(body, columns=header, dtype=object)
        # by position: a sheet with title lines above its header has several blank header cells
        df = df.loc[
            :, [h != "" or df.iloc[:, j].astype(str).str.len().gt(0).any() for j, h in enumerate(header)]
        ]
        out[name] = (df, sheet)
    return out


def read_dataset(path: str | Path, tables: Iterable[str] = TABLE_NAMES) -> RawDataset:
    """Read a CSV folder, a zipped CSV folder or an ``.xlsx`` workbook in the exchange format.

    Unknown files or sheets are listed in ``notices``, never silently taken as data.
    Raises :class:`DatasetReadError` when the input cannot be read at all.
    """
    p = Path(path)
    if not p.exists():
        raise DatasetReadError(f"{p}: no such file or folder")
    wanted = list(tables)
    found: dict[str, RawTable] = {}
    notices: list[str] = []
    if p.is_dir():
        kind = "csv"
        files = {f.stem.strip().lower(): f for f in p.glob("*.csv")}
        for stem, f in sorted(files.items()):
            if stem in wanted:
                found[stem] = RawTable(stem, _read_csv(f), f.name)
            else:
                notices.append(f"{f.name}: not a table of the exchange format; ignored")
    elif p.suffix.lower() == ".zip":
        import tempfile

        kind = "csv"
        tmp = Path(tempfile.mkdtemp(prefix="wb-zip-"))
        try:
            with zipfile.ZipFile(p) as z:
                for info in z.infolist():
                    if info.filename.lower().endswith(".csv") and not info.is_dir():
                        target = tmp / Path(info.filename).name
                        target.write_bytes(z.read(info))
        except zipfile.BadZipFile:
            raise DatasetReadError(f"{p.name}: not a valid zip archive") from None
        inner = read_dataset(tmp, wanted)
        found, notices = inner.tables, inner.notices
    elif p.suffix.lower() in (".xlsx", ".xlsm"):
        kind = "xlsx"
        for name, (df, sheet) in _read_xlsx(p).items():
            if name in wanted:
                found[name] = RawTable(name, df, p.name, sheet)
            else:
                notices.append(f"{p.name}: sheet {sheet!r} is not a table of the exchange format; ignored")
    elif p.suffix.lower() == ".csv":
        kind = "csv"
        stem = p.stem.strip().lower()
        if stem not in wanted:
            raise DatasetReadError(
                f"{p.name}: a single CSV must be named after its table ({', '.join(wanted)}.csv)"
            )
        found[stem] = RawTable(stem, _read_csv(p), p.name)
    else:
        raise DatasetReadError(
            f"{p.name}: expected a folder of CSV files, a .zip of them, or an .xlsx workbook"
        )
    for t in found.values():
        t.frame.columns = [str(c).strip() for c in t.frame.columns]
        t.frame.insert(0, ROW, range(2, len(t.frame) + 2))
    if "cases" not in found:
        raise DatasetReadError(f"{p.name}: no 'cases' table (a cases.csv file or a sheet named 'cases')")
    return RawDataset(str(p), kind, found, file_hash(p), notices)


def excel_safe(value: object) -> object:
    """Text that a spreadsheet would take as a formula (``= + - @``) is prefixed so it stays text.

    >>> excel_safe("=HYPERLINK(1)"), excel_safe("plain"), excel_safe(-3)
    ("'=HYPERLINK(1)", 'plain', -3)
    """
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def write_dataset(tables: Mapping[str, pd.DataFrame], path: str | Path) -> list[Path]:
    """Write tables in exchange-format column order: one ``.xlsx`` (if the path ends so) or a CSV folder.

    Columns the format does not know are written after the known ones. In workbooks every value is
    written as a value: text beginning with ``=`` is stored as a string, never a formula.
    """
    p = Path(path)
    ordered: dict[str, pd.DataFrame] = {}
    for name, df in tables.items():
        known = FORMAT.table(name).column_names if name in FORMAT.tables else []
        cols = [c for c in known if c in df.columns] + [c for c in df.columns if c not in known and c != ROW]
        ordered[name] = df.loc[:, cols]
    if p.suffix.lower() == ".xlsx":
        p.parent.mkdir(parents=True, exist_ok=True)
        with pd.ExcelWriter(
            p,
            engine="xlsxwriter",
            engine_kwargs={"options": {"strings_to_formulas": False, "strings_to_urls": False}},
        ) as xw:
            for name, df in ordered.items():
                df.to_excel(xw, sheet_name=name, index=False)
        return [p]
    p.mkdir(parents=True, exist_ok=True)
    written = []
    for name, df in ordered.items():
        f = p / f"{name}.csv"
        df.to_csv(f, index=False)
        written.append(f)
    return written
