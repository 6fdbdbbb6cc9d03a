"""Reading and writing data sets in the exchange format: a folder of CSV files or one ``.xlsx`` workbook.

Reading keeps every cell as read (text, or the typed value a workbook holds) together with the
spreadsheet row number of each row, so that every later message can name file, sheet, row and column.
Tables are read **lazily and in chunks** (:meth:`RawTable.iter_chunks`), so a million-row CSV folder is
imported in bounded memory; :attr:`RawTable.frame` reads the whole table when a caller wants it.

Real files are messy; reading copes with, or refuses with a message naming file, sheet, row and column:
UTF-8 with or without BOM, UTF-16 (with BOM), other encodings when named (``encoding=``) or detected
(``encoding="auto"``: UTF-8, else Windows-1252, else Latin-1, said in a notice); title
rows above the header (skipped, with a notice); empty sheets (skipped, with a notice); truncated or
corrupt files; password-protected workbooks; non-Excel files renamed ``.xlsx``; archives whose unpacked
size or compression ratio is out of proportion (refused before anything is unpacked); formulas (their
cached values are read, nothing is ever evaluated).

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

import codecs
import csv
import datetime as dt
import hashlib
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.format.schema import FORMAT, TABLE_NAMES

__all__ = [
    "ROW",
    "CHUNK_ROWS",
    "DatasetReadError",
    "EncodingError",
    "AUTO_ENCODING",
    "ENCODING_NAMES",
    "exchange_tables",
    "RawTable",
    "RawDataset",
    "read_dataset",
    "read_source",
    "write_dataset",
    "file_hash",
    "excel_safe",
    "check_archive",
    "find_header",
    "XLSX_ENGINES",
]

#: Name of the column that carries each row's spreadsheet row number (header = row 1).
ROW = "_row"

#: Rows per chunk when a table is read in pieces (bounded memory for big files).
CHUNK_ROWS = 50_000

#: Largest total unpacked size of an archive (.xlsx or .zip) accepted before it is opened (zip-bomb guard).
MAX_UNPACKED = 2 * 1024**3
#: Largest ratio of unpacked to packed size accepted (real workbooks and CSV zips stay well under 100).
MAX_RATIO = 200
MAX_XLSX_UNPACKED = MAX_UNPACKED  # former name, kept for callers

#: Excel readers, fastest first (measured: benchmarks/bench_connectors.py, docs/connectors.md).
XLSX_ENGINES = ("calamine", "openpyxl")

ChunkReader = Callable[[int], Iterator[pd.DataFrame]]


class DatasetReadError(Exception):
    """The input cannot be read at all (exit status 2). The message names the file and the problem."""


class EncodingError(DatasetReadError):
    """A CSV file is not text in the encoding it was read with.

    The message names file, row and column and what to do, without a command-line flag: each front
    end says how an encoding is chosen there (the Data page's encoding box, ``--encoding`` on the
    command line) from ``file``, ``row``, ``column`` (or None), ``encoding``, ``byte`` and ``latin``
    (the bad byte looks like Latin-1 / Windows-1252).
    """

    def __init__(self, file: str, row: int, column: str | None, encoding: str, byte: bytes) -> None:
        self.file, self.row, self.column, self.encoding, self.byte = file, row, column, encoding, byte
        self.latin = bool(byte) and byte[0] >= 0x80
        where = f"{file}, row {row}" + (f", column {column!r}" if column else "")
        hint = "it looks like Latin-1 / Windows-1252" if self.latin else "it is not text in that encoding"
        super().__init__(
            f"{where}: byte {byte!r} is not {encoding.upper()} ({hint}); save the file as UTF-8, "
            "or name the file's encoding"
        )


#: ``encoding=`` value that detects a CSV file's encoding: UTF-8 (BOM or not), else Windows-1252,
#: else Latin-1 (which decodes any byte). The encoding used is said in the data set's notices.
AUTO_ENCODING = "auto"
#: Encodings offered to users by name (codec -> label).
ENCODING_NAMES: dict[str, str] = {
    "utf-8": "UTF-8",
    "cp1252": "Windows-1252",
    "latin-1": "Latin-1 (ISO 8859-1)",
    "utf-16": "UTF-16",
}


class RawTable:
    """One table as read: cells untouched, plus :data:`ROW`; ``where`` names the file and sheet.

    Either ``frame`` holds the whole table, or ``chunks`` reads it in pieces of a given number of rows
    (each piece with :data:`ROW`). ``columns`` is the header as read; ``approx_rows`` an estimate of
    the number of rows for progress bars; ``header_row`` the spreadsheet row of the header.
    """

    def __init__(
        self,
        name: str,
        frame: pd.DataFrame | None = None,
        file: str = "",
        sheet: str | None = None,
        *,
        chunks: ChunkReader | None = None,
        columns: list[str] | None = None,
        approx_rows: int | None = None,
        header_row: int = 1,
        encoding: str | None = None,
    ) -> None:
        if frame is None and chunks is None:
            frame = pd.DataFrame()
        self.name = name
        self.file = file
        self.sheet = sheet
        self._frame = frame
        self._chunks = chunks
        self.header_row = header_row
        self.encoding = encoding  # the text encoding a CSV file was read with (None: not text)
        self._columns = columns
        self.approx_rows = (
            approx_rows if approx_rows is not None else (len(frame) if frame is not None else None)
        )

    def __repr__(self) -> str:
        return f"RawTable({self.name!r}, {self.where!r})"

    @property
    def where(self) -> str:
        return f"{self.file}, sheet {self.sheet!r}" if self.sheet else self.file

    @property
    def columns(self) -> list[str]:
        """The header as read (without :data:`ROW`)."""
        if self._columns is None:
            self._columns = [c for c in self.frame.columns if c != ROW]
        return list(self._columns)

    @property
    def frame(self) -> pd.DataFrame:
        """The whole table (read now if it was lazy)."""
        if self._frame is None:
            parts = list(self.iter_chunks(CHUNK_ROWS))
            self._frame = (
                pd.concat(parts, ignore_index=True)
                if parts
                else pd.DataFrame(columns=[ROW, *(self._columns or [])])
            )
        return self._frame

    @frame.setter
    def frame(self, value: pd.DataFrame) -> None:
        self._frame = value

    @property
    def is_lazy(self) -> bool:
        return self._frame is None

    def iter_chunks(self, rows: int = CHUNK_ROWS) -> Iterator[pd.DataFrame]:
        """The table in pieces of at most ``rows`` rows, each with :data:`ROW`."""
        if self._frame is not None:
            df = self._frame
            if ROW not in df.columns:
                df = df.assign(**{ROW: range(self.header_row + 1, self.header_row + 1 + len(df))})
            for i in range(0, max(len(df), 1), rows):
                part = df.iloc[i : i + rows]
                if len(part) or i == 0:
                    yield part.reset_index(drop=True)
            return
        assert self._chunks is not None
        yield from self._chunks(rows)

    def head(self, n: int = 20) -> pd.DataFrame:
        """The first ``n`` rows, without reading the rest."""
        if self._frame is not None:
            return self._frame.head(n)
        for part in self.iter_chunks(max(n, 1)):
            return part.head(n)
        return pd.DataFrame(columns=[ROW, *self.columns])


@dataclass
class RawDataset:
    path: str
    kind: str  # "csv" | "xlsx" | "sql" | "access" | ...
    tables: dict[str, RawTable]
    file_hash: str
    notices: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- hashing and encodings
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


def _bom_encoding(head: bytes) -> str | None:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return None


def _locate(data: bytes, offset: int) -> tuple[int, int]:
    """Line number (1-based) and field number (0-based, commas before it) of byte ``offset``."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    return data.count(b"\n", 0, offset) + 1, data.count(b",", line_start, offset)


def _validate_encoding(path: Path, encoding: str, name: str) -> None:
    """Decode the whole file once (C speed) so a bad byte is reported before anything is imported."""
    dec = codecs.getincrementaldecoder(encoding)()
    done = 0
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 22), b""):
            try:
                dec.decode(block)
            except UnicodeDecodeError as e:
                with path.open("rb") as again:
                    data = again.read(done + e.start + 1)
                line, col = _locate(data, done + e.start)
                header = data[: data.find(b"\n")].decode(encoding, "replace").lstrip("\ufeff")
                cols = next(csv.reader([header]), [])
                column = cols[col] if col < len(cols) else None
                raise EncodingError(name, line, column, encoding, block[e.start : e.start + 1]) from None
            done += len(block)
        try:
            dec.decode(b"", final=True)
        except UnicodeDecodeError:
            raise DatasetReadError(
                f"{name}: the file ends in the middle of a character (truncated?)"
            ) from None


def _decode(data: bytes, name: str, encoding: str | None = None) -> str:
    enc = encoding or _bom_encoding(data[:4]) or "utf-8"
    try:
        return data.decode(enc)
    except UnicodeDecodeError as e:
        line, _ = _locate(data, e.start)
        raise DatasetReadError(
            f"{name}, row {line}: byte {data[e.start : e.start + 1]!r} is not {enc.upper()}; "
            "save it as UTF-8 or name the file's encoding"
        ) from None


# ---------------------------------------------------------------- header detection
def find_header(rows: list[list[Any]]) -> int:
    """Index of the header among the first rows: the first row about as wide as the widest.

    Title rows (a merged cell across the top, a date line) hold one or two cells and are skipped.

    >>> find_header([["Saisies 2024", None, None], [None, None, None], ["a", "b", "c"], [1, 2, 3]])
    2
    >>> find_header([["a", "b"], [1, 2]])
    0
    """

    def filled(r: list[Any]) -> int:
        return sum(1 for v in r if v is not None and str(v).strip() != "")

    counts = [filled(r) for r in rows[:30]]
    if not counts or max(counts) == 0:
        return 0
    widest = max(counts)
    need = max(2, (widest + 1) // 2) if widest >= 2 else 1
    for i, n in enumerate(counts):
        if n >= need:
            return i
    return 0


def _clean_header(values: Iterable[Any]) -> list[str]:
    out: list[str] = []
    for i, v in enumerate(values):
        h = "" if v is None else str(v).strip().lstrip("\ufeff")
        if isinstance(v, float) and v.is_integer():
            h = str(int(v))
        out.append(h or f"column_{i + 1}")
    # Two columns with the same header would collide: number the later ones.
    seen: dict[str, int] = {}
    for i, h in enumerate(out):
        if h in seen:
            seen[h] += 1
            out[i] = f"{h}.{seen[h]}"
        else:
            seen[h] = 0
    return out


# ---------------------------------------------------------------- CSV
def _csv_table(path: Path, name: str, encoding: str | None = None, label: str | None = None) -> RawTable:
    label = label or path.name
    size = path.stat().st_size
    with path.open("rb") as fh:
        head = fh.read(1 << 16)
    auto = encoding is not None and encoding.strip().lower() == AUTO_ENCODING
    enc = (None if auto else encoding) or _bom_encoding(head) or "utf-8"
    if head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) and (auto or encoding in (None, "utf-8")):
        enc = "utf-16"
    if auto:
        enc = _detect_encoding(path, enc, label)
    else:
        _validate_encoding(path, enc, label)
    text = head.decode(enc, errors="ignore").lstrip("\ufeff")
    sniff_lines = text.splitlines()[:30]
    if size == 0 or not text.strip():
        return RawTable(name, pd.DataFrame(), label, columns=[], approx_rows=0)
    try:
        first_rows = list(
            csv.reader(sniff_lines[:-1] if len(sniff_lines) > 1 and len(head) == 1 << 16 else sniff_lines)
        )
    except csv.Error as e:
        raise DatasetReadError(f"{label}: cannot be read as CSV ({e})") from None
    h = find_header(first_rows) if first_rows else 0
    header = _clean_header(first_rows[h]) if first_rows else []
    header_row = h + 1
    avg = max(1, len(head) // max(1, len(sniff_lines)))
    approx = max(0, size // avg - header_row)

    def chunks(rows: int) -> Iterator[pd.DataFrame]:
        start = header_row + 1
        try:
            reader = pd.read_csv(
                path,
                encoding=enc,
                dtype=str,
                keep_default_na=False,
                na_values=[],
                skiprows=h + 1,
                header=None,
                names=header,
                quoting=csv.QUOTE_MINIMAL,
                chunksize=rows,
                skip_blank_lines=True,
                on_bad_lines="error",
                engine="c",
            )
            for df in reader:
                df.insert(0, ROW, range(start, start + len(df)))
                start += len(df)
                yield df
        except pd.errors.EmptyDataError:
            return
        except (pd.errors.ParserError, ValueError) as e:
            raise DatasetReadError(
                f"{label}, after row {start - 1}: cannot be read as CSV ({str(e).strip()}); "
                "the file may be truncated or not comma-separated"
            ) from None

    notices_row = header_row
    table = RawTable(
        name,
        None,
        label,
        chunks=chunks,
        columns=header,
        approx_rows=approx,
        header_row=notices_row,
        encoding=enc,
    )
    return table


def _detect_encoding(path: Path, first: str, label: str) -> str:
    """The first of ``first`` (UTF-8 or what the BOM says), Windows-1252, Latin-1 that decodes the file.

    Windows-1252 leaves five bytes undefined; a file holding one of them is Latin-1 (which has none).
    """
    tried = [first] if first.startswith("utf-16") else [first, "cp1252", "latin-1"]
    for enc in tried:
        try:
            _validate_encoding(path, enc, label)
            return enc
        except EncodingError:
            if enc == tried[-1]:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


# ---------------------------------------------------------------- archives
def check_archive(path: Path, *, max_unpacked: int | None = None, max_ratio: int | None = None) -> list[str]:
    """Open a zip-based file (``.xlsx``, ``.zip``) only far enough to read its directory.

    Refuses (:class:`DatasetReadError`) an archive that would unpack to more than ``max_unpacked``
    bytes or whose unpacked size is more than ``max_ratio`` times its packed size: both are read from
    the archive's directory, before anything is decompressed. Returns the member names.
    """
    max_unpacked = MAX_UNPACKED if max_unpacked is None else max_unpacked
    max_ratio = MAX_RATIO if max_ratio is None else max_ratio
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except zipfile.BadZipFile:
        with path.open("rb") as fh:
            head = fh.read(8)
        if head.startswith(b"\xd0\xcf\x11\xe0"):
            raise DatasetReadError(
                f"{path.name}: an encrypted (password-protected) workbook or a legacy .xls file; "
                "remove the password, or save it as .xlsx, and import it again"
            ) from None
        if head.startswith(b"PK"):
            raise DatasetReadError(
                f"{path.name}: the archive is truncated or corrupt (its directory cannot be read); "
                "copy the file again from its source"
            ) from None
        kind = "an Excel .xlsx workbook" if path.suffix.lower() in (".xlsx", ".xlsm") else "a zip archive"
        raise DatasetReadError(f"{path.name}: not {kind} (not a valid zip archive)") from None
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    if total > max_unpacked:
        raise DatasetReadError(
            f"{path.name}: would unpack to {total / 1024**2:,.0f} MiB, more than the limit of "
            f"{max_unpacked / 1024**2:,.0f} MiB; refused before unpacking (split it, or use a CSV folder)"
        )
    if total > 1 << 20 and total / packed > max_ratio:
        raise DatasetReadError(
            f"{path.name}: unpacks to {total / packed:,.0f} times its size ({total / 1024**2:,.0f} MiB from "
            f"{packed / 1024**2:,.1f} MiB), which real workbooks never do (a zip bomb?); refused before "
            "unpacking"
        )
    return [i.filename for i in infos]


# ---------------------------------------------------------------- Excel
def _check_xlsx(path: Path) -> None:
    names = set(check_archive(path))
    if "xl/workbook.xml" not in names:
        raise DatasetReadError(f"{path.name}: not an Excel .xlsx workbook (no xl/workbook.xml inside)")


def _cell(v: Any) -> Any:
    if isinstance(v, str):
        return v
    if isinstance(v, dt.datetime) and v.time() == dt.time(0):
        return v.date()
    return v


class _CalamineBook:
    def __init__(self, path: Path) -> None:
        from python_calamine import CalamineWorkbook

        try:
            self.wb = CalamineWorkbook.from_path(str(path))
        except Exception as e:  # calamine raises its own error types
            raise DatasetReadError(f"{path.name}: cannot be read as a workbook ({e})") from None
        self.path = path
        self._sheet: tuple[str, Any] | None = None

    @property
    def sheet_names(self) -> list[str]:
        return list(self.wb.sheet_names)

    def _get(self, sheet: str) -> Any:
        # parsing a sheet costs as much as reading it: keep the last one (one sheet in memory at a time)
        if self._sheet is None or self._sheet[0] != sheet:
            self._sheet = None
            self._sheet = (sheet, self.wb.get_sheet_by_name(sheet))
        return self._sheet[1]

    def rows(self, sheet: str) -> Iterator[list[Any]]:
        try:
            ws = self._get(sheet)
            if ws.start is None:
                return
            # iter_rows starts at row 1 of the sheet (blank rows above the data included)
            for r in ws.iter_rows():
                yield list(r)
        except Exception as e:
            raise DatasetReadError(
                f"{self.path.name}, sheet {sheet!r}: cannot be read ({e}); the file may be truncated"
            ) from None

    def height(self, sheet: str) -> int | None:
        try:
            return int(self._get(sheet).height)
        except Exception:
            return None


class _OpenpyxlBook:
    def __init__(self, path: Path) -> None:
        import openpyxl

        try:
            # data_only: the cached value of a formula, never the formula (nothing is evaluated)
            self.wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as e:
            raise DatasetReadError(f"{path.name}: cannot be read as a workbook ({e})") from None
        self.path = path

    @property
    def sheet_names(self) -> list[str]:
        return list(self.wb.sheetnames)

    def rows(self, sheet: str) -> Iterator[list[Any]]:
        ws = self.wb[sheet]
        try:
            ws.reset_dimensions()
        except AttributeError:
            pass
        for r in ws.iter_rows(values_only=True):
            yield ["" if v is None else v for v in r]

    def height(self, sheet: str) -> int | None:
        return self.wb[sheet].max_row


def _open_book(path: Path, engine: str) -> _CalamineBook | _OpenpyxlBook:
    _check_xlsx(path)
    if engine == "calamine":
        return _CalamineBook(path)
    if engine == "openpyxl":
        return _OpenpyxlBook(path)
    raise ValueError(f"unknown Excel engine {engine!r}; choose one of {XLSX_ENGINES}")


def _blank_row(r: list[Any]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in r)


def _sheet_table(book: Any, path: Path, sheet: str, name: str) -> RawTable | None:
    """A lazy table for one sheet, or None when the sheet is empty."""
    it = book.rows(sheet)
    top: list[list[Any]] = []
    for r in it:
        top.append(r)
        if len(top) >= 30:
            break
    if not top or all(_blank_row(r) for r in top):
        return None
    h = find_header(top)
    width_cells = top[h]
    while width_cells and (width_cells[-1] is None or str(width_cells[-1]).strip() == ""):
        width_cells = width_cells[:-1]
    header = _clean_header(width_cells)
    width = len(header)
    header_row = h + 1
    height = book.height(sheet)

    def chunks(rows: int) -> Iterator[pd.DataFrame]:
        buf: list[list[Any]] = []
        numbers: list[int] = []
        pending_blank: list[tuple[int, list[Any]]] = []
        for i, r in enumerate(book.rows(sheet), start=1):
            if i <= header_row:
                continue
            r = [_cell(v) for v in r[:width]]
            if len(r) < width:
                r += [""] * (width - len(r))
            if _blank_row(r):
                # blank rows in the middle are kept as blank rows (and refused by the checks);
                # trailing blank rows, common in hand-edited sheets, are dropped
                pending_blank.append((i, r))
                continue
            for j, br in pending_blank:
                buf.append(br)
                numbers.append(j)
            pending_blank = []
            buf.append(r)
            numbers.append(i)
            if len(buf) >= rows:
                yield _frame(buf, numbers, header)
                buf, numbers = [], []
        if buf:
            yield _frame(buf, numbers, header)

    approx = max(0, height - header_row) if height else None
    return RawTable(
        name, None, path.name, sheet, chunks=chunks, columns=header, approx_rows=approx, header_row=header_row
    )


def _frame(rows: list[list[Any]], numbers: list[int], header: list[str]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=header, dtype=object)
    df.insert(0, ROW, numbers)
    return df


# ---------------------------------------------------------------- sources
_DETECTED = "text encoding detected:"


def _encoding_notice(t: RawTable, asked: str | None) -> list[str]:
    """Say which encoding a detected CSV was read with."""
    if asked is None or asked.strip().lower() != AUTO_ENCODING or t.encoding is None:
        return []
    label = ENCODING_NAMES.get(t.encoding, t.encoding.upper())
    if t.encoding == "utf-8-sig":
        label = "UTF-8 (with BOM)"
    return [f"{t.file}: {_DETECTED} {label}"]


def read_source(path: str | Path, *, encoding: str | None = None, engine: str = "calamine") -> RawDataset:
    """Every table a file or folder holds, named as in the source (sheet name or CSV file stem).

    This is what a mapping profile works on when the source is not in the exchange format.
    Empty sheets are skipped with a notice. Raises :class:`DatasetReadError` when it cannot be read.
    """
    p = Path(path)
    if not p.exists():
        raise DatasetReadError(f"{p}: no such file or folder")
    found: dict[str, RawTable] = {}
    notices: list[str] = []
    suffix = p.suffix.lower()
    if p.is_dir():
        kind = "csv"
        files = sorted(p.glob("*.csv")) + sorted(p.glob("*.CSV"))
        if not files:
            raise DatasetReadError(f"{p.name}: the folder holds no .csv file")
        for f in files:
            t = _csv_table(f, f.stem.strip(), encoding)
            if not t.columns:
                notices.append(f"{f.name}: the file is empty; skipped")
                continue
            found[f.stem.strip()] = t
            notices += _encoding_notice(t, encoding)
    elif suffix == ".zip":
        import shutil
        import tempfile

        kind = "csv"
        check_archive(p)
        tmp = Path(tempfile.mkdtemp(prefix="wb-zip-"))
        with zipfile.ZipFile(p) as z:
            for info in z.infolist():
                if info.filename.lower().endswith(".csv") and not info.is_dir():
                    target = tmp / Path(info.filename).name
                    try:
                        with z.open(info) as src, target.open("wb") as dst:
                            shutil.copyfileobj(src, dst, 1 << 20)
                    except (zipfile.BadZipFile, EOFError, OSError) as e:
                        raise DatasetReadError(
                            f"{p.name}: {info.filename} cannot be unpacked ({e})"
                        ) from None
        inner = read_source(tmp, encoding=encoding)
        found = inner.tables
        notices = [f"{p.name}/{n}" if _DETECTED in n else n for n in inner.notices]
        for t in found.values():
            t.file = f"{p.name}/{t.file}"
    elif suffix in (".xlsx", ".xlsm"):
        kind = "xlsx"
        book = _open_book(p, engine)
        for sheet in book.sheet_names:
            sheet_table = _sheet_table(book, p, sheet, sheet.strip())
            if sheet_table is None:
                notices.append(f"{p.name}: sheet {sheet!r} is empty; skipped")
                continue
            found[sheet.strip()] = sheet_table
        if not found:
            raise DatasetReadError(f"{p.name}: every sheet of the workbook is empty")
    elif suffix == ".csv":
        kind = "csv"
        t = _csv_table(p, p.stem.strip(), encoding)
        if not t.columns:
            raise DatasetReadError(f"{p.name}: the file is empty")
        found[p.stem.strip()] = t
        notices += _encoding_notice(t, encoding)
    elif suffix == ".xls":
        raise DatasetReadError(f"{p.name}: a legacy .xls workbook; save it as .xlsx and import that")
    else:
        raise DatasetReadError(
            f"{p.name}: expected a folder of CSV files, a .zip of them, an .xlsx workbook"
            " (or an Access .mdb/.accdb file or a SQL database through a connector)"
        )
    return RawDataset(str(p), kind, found, file_hash(p), notices)


def exchange_tables(source: RawDataset, tables: Iterable[str] = TABLE_NAMES) -> dict[str, str]:
    """Which source table is which exchange-format table: ``{source name: table name}``.

    Tables are recognised by name (case-insensitively: a ``cases.csv`` file, a sheet ``Cases``). A
    source of **one** table under another name (``seizures-2024.csv``) is the ``cases`` table when
    its header holds every required column of ``cases``: a file's name does not decide its contents.

    >>> from workbench.exchange.files import RawTable, RawDataset
    >>> one = pd.DataFrame(columns=["case_id", "reporting_country", "seizure_date", "remarks"])
    >>> exchange_tables(RawDataset("s.csv", "csv", {"seizures 2024": RawTable("x", one)}, ""))
    {'seizures 2024': 'cases'}
    >>> exchange_tables(RawDataset("s.csv", "csv", {"other": RawTable("x", one[["case_id"]])}, ""))
    {}
    """
    wanted = list(tables)
    named: dict[str, str] = {}
    for src in source.tables:
        key = src.strip().lower()
        if key in wanted and key not in named.values():
            named[src] = key
    if not named and len(source.tables) == 1 and "cases" in wanted:
        ((src, t),) = source.tables.items()
        required = {c.name for c in FORMAT.table("cases").required_columns}
        if required <= {c.strip() for c in t.columns}:
            named[src] = "cases"
    return named


def _no_cases_message(source: RawDataset) -> str:
    """Why a source has no cases table, naming its file (and sheet) and what to do."""
    required = [c.name for c in FORMAT.table("cases").required_columns]
    if len(source.tables) == 1:
        t = next(iter(source.tables.values()))
        missing = [c for c in required if c not in {h.strip() for h in t.columns}]
        return (
            f"{t.where}: not read as the cases table: it is not named 'cases' and lacks the column"
            f"{'s' if len(missing) > 1 else ''} {', '.join(missing)}; a file in another layout needs "
            "its columns mapped"
        )
    names = ", ".join(t.where for t in source.tables.values())
    return (
        f"{Path(source.path).name}: no cases table (no file or sheet named 'cases' among {names or 'none'}); "
        "a data set in another layout needs its columns mapped"
    )


def select_tables(source: RawDataset, tables: Iterable[str] = TABLE_NAMES) -> RawDataset:
    """Keep the source tables that are exchange-format tables (:func:`exchange_tables`); note the others."""
    which = exchange_tables(source, tables)
    found: dict[str, RawTable] = {}
    notices = list(source.notices)
    for src, t in source.tables.items():
        key = which.get(src)
        if key is not None:
            if key != src.strip().lower():
                notices.append(f"{t.where}: read as the cases table (its columns are those of cases)")
            t.name = key
            found[key] = t
        else:
            what = f"sheet {t.sheet!r}" if t.sheet else "file"
            notices.append(f"{t.where}: {what} is not a table of the exchange format; ignored")
    if "cases" not in found:
        raise DatasetReadError(_no_cases_message(source))
    for t in found.values():
        if t.header_row > 1:
            notices.append(
                f"{t.where}: rows 1–{t.header_row - 1} above the header skipped (a title); "
                f"header at row {t.header_row}"
            )
    return RawDataset(source.path, source.kind, found, source.file_hash, notices)


def read_dataset(
    path: str | Path,
    tables: Iterable[str] = TABLE_NAMES,
    *,
    encoding: str | None = None,
    engine: str = "calamine",
) -> RawDataset:
    """Read a CSV folder, a zipped CSV folder or an ``.xlsx`` workbook in the exchange format.

    Unknown files or sheets are listed in ``notices``, never silently taken as data; a single CSV
    is the ``cases`` table when its name or its columns say so (:func:`exchange_tables`). Tables are
    lazy: they are read in chunks when imported. Raises :class:`DatasetReadError` when the input
    cannot be read at all.
    """
    return select_tables(read_source(Path(path), encoding=encoding, engine=engine), tables)


# ---------------------------------------------------------------- writing
def excel_safe(value: object) -> object:
    """Text that a spreadsheet would take as a formula is prefixed so it stays text
    (:func:`workbench.exchange.writers.neutralise_formula`, the one rule for every output).

    >>> excel_safe("=HYPERLINK(1)"), excel_safe("plain"), excel_safe(-3)
    ("'=HYPERLINK(1)", 'plain', -3)
    """
    from workbench.exchange.writers import neutralise_formula

    return neutralise_formula(value)


#: Most rows an .xlsx sheet can hold (header included).
XLSX_MAX_ROWS = 1_048_576


def write_dataset(tables: Mapping[str, pd.DataFrame], path: str | Path) -> list[Path]:
    """Write tables in exchange-format column order: one ``.xlsx`` (if the path ends so) or a CSV folder.

    Columns the format does not know are written after the known ones. Every value is written as a
    value through the one writer (:mod:`workbench.exchange.writers`): text a spreadsheet would take as a
    formula gets a leading ``'``, in CSV files and workbooks alike.
    """
    from workbench.exchange.writers import formula_safe, write_csv

    p = Path(path)
    ordered: dict[str, pd.DataFrame] = {}
    for name, df in tables.items():
        known = FORMAT.table(name).column_names if name in FORMAT.tables else []
        cols = [c for c in known if c in df.columns] + [c for c in df.columns if c not in known and c != ROW]
        ordered[name] = formula_safe(df.loc[:, cols])
    if p.suffix.lower() == ".xlsx":
        too_big = {n: len(df) for n, df in ordered.items() if len(df) >= XLSX_MAX_ROWS}
        if too_big:
            raise ValueError(
                f"{p.name}: {', '.join(f'{n} has {k:,} rows' for n, k in too_big.items())}; an .xlsx sheet "
                f"holds at most {XLSX_MAX_ROWS - 1:,}: write a CSV folder instead"
            )
        p.parent.mkdir(parents=True, exist_ok=True)
        with pd.ExcelWriter(
            p,
            engine="xlsxwriter",
            engine_kwargs={
                "options": {
                    "strings_to_formulas": False,
                    "strings_to_urls": False,
                    "strings_to_numbers": False,
                }
            },
        ) as xw:
            for name, df in ordered.items():
                df.to_excel(xw, sheet_name=name, index=False)
        return [p]
    p.mkdir(parents=True, exist_ok=True)
    written = []
    for name, df in ordered.items():
        f = p / f"{name}.csv"
        write_csv(df, f)
        written.append(f)
    return written
