"""Reading and writing data sets in the exchange format: a folder of CSV files or one ``.xlsx`` workbook.

Reading keeps every cell as read (text, or the typed value a workbook holds) together with the
spreadsheet row number of each row, so that every later message can name file, sheet, row and column.
Tables are read **lazily and in chunks** (:meth:`RawTable.iter_chunks`), so a million-row CSV folder is
imported in bounded memory; :attr:`RawTable.frame` reads the whole table when a caller wants it.

Real files are messy; reading copes with, or refuses with a message naming file, sheet, row and column:
UTF-8 with or without BOM, UTF-16 (with or without BOM), other encodings when named (``encoding=``) or
detected (``encoding="auto"``: UTF-8, else Windows-1252, else Latin-1, said in a notice); columns
separated by ``,`` ``;`` tab or ``|`` and decimal commas (detected, or named: ``delimiter=``,
``decimal=``); title rows and the upper level of a two-level header above the header (skipped, with a
notice); empty sheets (skipped, with a notice); truncated or corrupt files; password-protected
workbooks; non-Excel files renamed ``.xlsx``; archives whose unpacked size, or the size of one member,
or the compression ratio of the whole or of one member is out of proportion (refused before anything
is unpacked); zips holding two files of one name; formulas (their cached values are read, nothing is
ever evaluated). A zip of CSV files is read in place: nothing is unpacked to disk.

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
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pandas as pd

from workbench.format.schema import FORMAT, TABLE_NAMES
from workbench.i18n import _, ngettext

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
    "sniff_delimiter",
    "detect_decimal",
    "DELIMITERS",
    "DECIMALS",
    "REFUSED",
    "XLSX_ENGINES",
]

#: Name of the column that carries each row's spreadsheet row number (header = row 1).
ROW = "_row"
#: Name of an optional column of a table's chunks: per row, None or ``{column: reason}`` for cells
#: that a reader or a mapping could not take (an ambiguous date); the row checks refuse those rows.
REFUSED = "_refused"

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
        where = (
            _("{file}, row {row}, column {column!r}", file=file, row=row, column=column)
            if column
            else _("{file}, row {row}", file=file, row=row)
        )
        hint = (
            _("it looks like Latin-1 / Windows-1252") if self.latin else _("it is not text in that encoding")
        )
        super().__init__(
            _(
                "{where}: byte {byte!r} is not {encoding} ({hint}); save the file as UTF-8, "
                "or name the file's encoding",
                where=where,
                byte=byte,
                encoding=encoding.upper(),
                hint=hint,
            )
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
        self.delimiter: str | None = None  # a CSV file's column separator
        self.decimal = "."  # the decimal mark of numbers written as text
        self.notices: list[str] = []  # what reading found and did (separator detected, ...)
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
            self._columns = [c for c in self.frame.columns if c not in (ROW, REFUSED)]
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


def _locate(data: bytes, offset: int, sep: bytes = b",") -> tuple[int, int]:
    """Line number (1-based) and field number (0-based, separators before it) of byte ``offset``."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    return data.count(b"\n", 0, offset) + 1, data.count(sep, line_start, offset)


class _Blob:
    """A CSV file on disk or a member of a zip archive, opened as bytes when read (never unpacked)."""

    def __init__(
        self, label: str, size: int, opener: Callable[[], AbstractContextManager[IO[bytes]]]
    ) -> None:
        self.label, self.size, self.open = label, size, opener

    @classmethod
    def of_path(cls, path: Path, label: str | None = None) -> _Blob:
        return cls(label or path.name, path.stat().st_size, lambda: path.open("rb"))

    @classmethod
    def of_member(cls, archive: Path, info: zipfile.ZipInfo, label: str) -> _Blob:
        @contextmanager
        def opener() -> Iterator[IO[bytes]]:
            # zipfile stops at the size the directory declares (and checks the CRC): a member never
            # unpacks to more than was checked by check_archive
            with zipfile.ZipFile(archive) as z, z.open(info) as fh:
                yield fh

        return cls(label, info.file_size, opener)

    def head(self, n: int = 1 << 16) -> bytes:
        with self.open() as fh:
            return fh.read(n)


def _newline(encoding: str, head: bytes) -> bytes:
    """The bytes of a line feed in ``encoding`` (the BOM of plain "utf-16" says which end)."""
    if encoding.replace("_", "-").lower() == "utf-16":
        return b"\n\x00" if head[:2] != codecs.BOM_UTF16_BE else b"\x00\n"
    return "\n".encode(encoding)


def _validate_encoding(blob: _Blob, encoding: str, name: str) -> int:
    """Decode the whole file once (C speed) so a bad byte is reported before anything is imported.

    Returns the number of lines (the row estimate of progress bars, counted on the way).
    """
    dec = codecs.getincrementaldecoder(encoding)()
    done = lines = 0
    with blob.open() as fh:
        first = nl = last = b""
        for block in iter(lambda: fh.read(1 << 22), b""):
            if not first:
                first = block[:4]
                nl = _newline(encoding, first)
            lines += block.count(nl)
            try:
                dec.decode(block)
            except UnicodeDecodeError as e:
                with blob.open() as again:
                    data = again.read(done + e.start + 1)
                text = data.decode(encoding, "replace").lstrip("\ufeff")
                sep = sniff_delimiter(text.splitlines()[:50])  # to name the column of a ';' file too
                line, col = _locate(data, done + e.start, sep.encode())
                header = text.split("\n", 1)[0]
                cols = next(csv.reader([header], delimiter=sep), [])
                column = cols[col] if col < len(cols) else None
                raise EncodingError(name, line, column, encoding, block[e.start : e.start + 1]) from None
            done += len(block)
            last = block[-len(nl) :]
        if done and last != nl:
            lines += 1  # a last line without a line feed
        try:
            dec.decode(b"", final=True)
        except UnicodeDecodeError:
            raise DatasetReadError(
                _("{file}: the file ends in the middle of a character (truncated?)", file=name)
            ) from None
    return lines


def _decode(data: bytes, name: str, encoding: str | None = None) -> str:
    enc = encoding or _bom_encoding(data[:4]) or "utf-8"
    try:
        return data.decode(enc)
    except UnicodeDecodeError as e:
        line, _col = _locate(data, e.start)
        raise DatasetReadError(
            _(
                "{name}, row {line}: byte {byte!r} is not {encoding}; save it as UTF-8 or name the "
                "file's encoding",
                name=name,
                line=line,
                byte=data[e.start : e.start + 1],
                encoding=enc.upper(),
            )
        ) from None


# ---------------------------------------------------------------- header detection
#: Every column name of the exchange format (lower case): a row holding several of them is the header.
_FORMAT_NAMES = frozenset(c.lower() for t in TABLE_NAMES for c in FORMAT.table(t).column_names)
_NUMBER_OR_DATE = re.compile(r"^\s*[-+]?[\d.,: /]+\s*$")


def _filled(r: list[Any]) -> int:
    return sum(1 for v in r if v is not None and str(v).strip() != "")


def _all_text(r: list[Any]) -> bool:
    """Every filled cell is text that is not a number or a date (as header cells are)."""
    cells = [v for v in r if v is not None and str(v).strip() != ""]
    return bool(cells) and all(isinstance(v, str) and not _NUMBER_OR_DATE.match(v) for v in cells)


def find_header(rows: list[list[Any]]) -> int:
    """Index of the header among the first rows.

    The row naming the most exchange-format columns (at least two) is the header. Otherwise: the first
    row about as wide as the widest; title rows above it (a merged cell across the top, a date line)
    hold one or two cells and are skipped, and the upper level of a two-level header (group labels
    over merged cells, then the column names) is skipped when the row under it is all names.

    >>> find_header([["Saisies 2024", None, None], [None, None, None], ["a", "b", "c"], [1, 2, 3]])
    2
    >>> find_header([["a", "b"], [1, 2]])
    0
    >>> find_header([["Case", "", "Item", ""], ["Ref", "Date", "Drug", "Kg"], ["A1", "2024-01-02", "x", "2"]])
    1
    >>> find_header([["Seizures", "", ""], ["case_id", "reporting_country", "seizure_date"]])
    1
    """
    top = rows[:30]
    known = [sum(str(v).strip().lower() in _FORMAT_NAMES for v in r if v is not None) for r in top]
    if known and max(known) >= 2:
        return known.index(max(known))
    counts = [_filled(r) for r in top]
    if not counts or max(counts) == 0:
        return 0
    widest = max(counts)
    need = max(2, (widest + 1) // 2) if widest >= 2 else 1
    for i, n in enumerate(counts):
        if n >= need:
            if n < widest and i + 1 < len(top) and counts[i + 1] == widest and _all_text(top[i + 1]):
                return i + 1  # group labels over merged cells, then the column names
            return i
    return 0


_HEADER_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _clean_header(values: Iterable[Any]) -> list[str]:
    out: list[str] = []
    for i, v in enumerate(values):
        # no control characters in a header either (a NUL glued to a name would hide the column)
        h = "" if v is None else _HEADER_CONTROL.sub("", str(v)).strip().lstrip("\ufeff")
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
#: Column separators recognised in CSV files (European spreadsheets export with ';').
DELIMITERS = (",", ";", "\t", "|")
#: Decimal marks recognised in numbers written as text.
DECIMALS = (".", ",")
_COMMA_DECIMAL = re.compile(r"^-?\d{1,3}(?:[. \u00a0\u202f]\d{3})*,\d+$|^-?\d+,\d+$")
_DOT_DECIMAL = re.compile(r"^-?\d+\.\d+$")
_NUMBER_COLUMNS = frozenset(
    c.name for t in TABLE_NAMES for c in FORMAT.table(t).columns if c.type in ("float", "int")
)


def sniff_delimiter(lines: list[str]) -> str:
    """The separator that splits the sample lines into the same number (> 1) of fields most often.

    Like :class:`csv.Sniffer`'s consistency test, over the candidates of :data:`DELIMITERS` only
    (the sniffer alone takes a decimal comma or a letter for a separator on short samples).

    >>> sniff_delimiter(["case_id;quantity", "A1;1,5", "A2;2,75"])
    ';'
    >>> sniff_delimiter(["case_id,transit_countries", "A1,SN;ES", "A2,"])
    ','
    """
    best, best_score = ",", (0, 0, 0)
    for i, d in enumerate(DELIMITERS):
        try:
            counts = [len(r) for r in csv.reader(lines, delimiter=d) if r]
        except csv.Error:
            continue
        if not counts:
            continue
        mode = max(set(counts), key=counts.count)
        if mode < 2:
            continue
        score = (counts.count(mode), mode, -i)
        if score > best_score:
            best, best_score = d, score
    return best


def detect_decimal(rows: list[list[str]], header: list[str]) -> str | None:
    """``","`` when the format's number columns of the sample rows are written with a decimal comma.

    >>> detect_decimal([["A1", "1,5"], ["A2", "2"]], ["case_id", "quantity"])
    ','
    >>> detect_decimal([["A1", "1.5"]], ["case_id", "quantity"]) is None
    True
    """
    idx = [j for j, h in enumerate(header) if h in _NUMBER_COLUMNS]
    comma = dot = 0
    for r in rows:
        for j in idx:
            v = r[j].strip() if j < len(r) and isinstance(r[j], str) else ""
            comma += bool(_COMMA_DECIMAL.match(v))
            dot += bool(_DOT_DECIMAL.match(v))
    return "," if comma > dot else None


def _utf16_without_bom(head: bytes) -> str | None:
    """``utf-16-le``/``utf-16-be`` when the bytes are UTF-16 text without a BOM (NUL every other byte)."""
    sample = head[:8192]
    if len(sample) < 8:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return None


def _csv_table(
    blob: _Blob | Path,
    name: str,
    encoding: str | None = None,
    label: str | None = None,
    *,
    delimiter: str | None = None,
    decimal: str | None = None,
) -> RawTable:
    """One CSV file as a lazy table: encoding, separator, header row and decimal mark found or as given."""
    if isinstance(blob, Path):
        blob = _Blob.of_path(blob, label)
    label = blob.label
    size = blob.size
    head = blob.head(1 << 16)
    asked = (encoding or "").strip().lower()
    auto = asked == AUTO_ENCODING
    enc = (None if auto else encoding) or _bom_encoding(head) or "utf-8"
    notices: list[str] = []
    if head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) and asked in ("", AUTO_ENCODING, "utf-8"):
        enc = "utf-16"
    elif asked in ("", AUTO_ENCODING, "utf-8", "utf-16") and (wide := _utf16_without_bom(head)):
        enc = wide
        if not asked.startswith("utf-16"):
            notices.append(
                _(
                    "{file}: UTF-16 text without a byte-order mark; read as {enc}",
                    file=label,
                    enc=wide.upper(),
                )
            )
    if auto:
        enc, lines = _detect_encoding(blob, enc, label)
    else:
        lines = _validate_encoding(blob, enc, label)
    text = head.decode(enc, errors="ignore").lstrip("\ufeff")
    sniff_lines = text.splitlines()[:50]
    if size == 0 or not text.strip():
        return RawTable(name, pd.DataFrame(), label, columns=[], approx_rows=0)
    sample = sniff_lines[:-1] if len(sniff_lines) > 1 and len(head) == 1 << 16 else sniff_lines
    if delimiter is None:
        sep = sniff_delimiter(sample)
        if sep != ",":
            notices.append(_("{file}: columns separated by {sep!r} (detected)", file=label, sep=sep))
    else:
        sep = {"tab": "\t", "\\t": "\t", "semicolon": ";", "comma": ","}.get(delimiter, delimiter)
        if len(sep) != 1:
            raise DatasetReadError(
                _(
                    "{file}: the column separator must be one character, not {sep!r}",
                    file=label,
                    sep=delimiter,
                )
            )
    try:
        first_rows = list(csv.reader(sample, delimiter=sep))
    except csv.Error as e:
        raise DatasetReadError(_("{file}: cannot be read as CSV ({error})", file=label, error=e)) from None
    h = find_header(first_rows) if first_rows else 0
    header = _clean_header(first_rows[h]) if first_rows else []
    header_row = h + 1
    if decimal is None:
        decimal = detect_decimal(first_rows[h + 1 :], header) or "."
        if decimal != ".":
            notices.append(_("{file}: numbers written with a decimal comma (detected)", file=label))
    elif decimal not in DECIMALS:
        raise DatasetReadError(
            _("{file}: the decimal mark must be '.' or ',', not {mark!r}", file=label, mark=decimal)
        )
    # rows of the table: the lines counted while checking the encoding, less the header and above
    approx = max(0, lines - header_row)

    def chunks(rows: int) -> Iterator[pd.DataFrame]:
        start = header_row + 1
        try:
            with blob.open() as fh:
                reader = pd.read_csv(
                    fh,
                    encoding=enc,
                    sep=sep,
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
                _(
                    "{file}, after row {row}: cannot be read as CSV ({error}); the file may be truncated, "
                    "or its columns not separated by {sep!r} (name the separator)",
                    file=label,
                    row=start - 1,
                    error=str(e).strip(),
                    sep=sep,
                )
            ) from None

    table = RawTable(
        name,
        None,
        label,
        chunks=chunks,
        columns=header,
        approx_rows=approx,
        header_row=header_row,
        encoding=enc,
    )
    table.delimiter, table.decimal, table.notices = sep, decimal, notices
    return table


def _detect_encoding(blob: _Blob, first: str, label: str) -> tuple[str, int]:
    """The first of ``first`` (UTF-8 or what the BOM says), Windows-1252, Latin-1 that decodes the file,
    and its number of lines.

    Windows-1252 leaves five bytes undefined; a file holding one of them is Latin-1 (which has none).
    """
    tried = [first] if first.startswith("utf-16") else [first, "cp1252", "latin-1"]
    for enc in tried:
        try:
            return enc, _validate_encoding(blob, enc, label)
        except EncodingError:
            if enc == tried[-1]:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


# ---------------------------------------------------------------- archives
#: Largest unpacked size of one member of an archive.
MAX_MEMBER_UNPACKED = 1024**3


def check_archive(
    path: Path,
    *,
    max_unpacked: int | None = None,
    max_ratio: int | None = None,
    max_member: int | None = None,
) -> list[zipfile.ZipInfo]:
    """Open a zip-based file (``.xlsx``, ``.zip``) only far enough to read its directory.

    Refuses (:class:`DatasetReadError`) an archive that would unpack to more than ``max_unpacked``
    bytes in all, a member that would unpack to more than ``max_member`` bytes, and an archive or a
    member whose unpacked size is more than ``max_ratio`` times its packed size (a bomb padded with
    stored data passes the ratio of the whole, never that of its bomb member). All are read from the
    archive's directory, before anything is decompressed. Returns the members.
    """
    max_unpacked = MAX_UNPACKED if max_unpacked is None else max_unpacked
    max_ratio = MAX_RATIO if max_ratio is None else max_ratio
    max_member = MAX_MEMBER_UNPACKED if max_member is None else max_member
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except zipfile.BadZipFile:
        with path.open("rb") as fh:
            head = fh.read(8)
        if head.startswith(b"\xd0\xcf\x11\xe0"):
            raise DatasetReadError(
                _(
                    "{name}: an encrypted (password-protected) workbook or a legacy .xls file; "
                    "remove the password, or save it as .xlsx, and import it again",
                    name=path.name,
                )
            ) from None
        if head.startswith(b"PK"):
            raise DatasetReadError(
                _(
                    "{name}: the archive is truncated or corrupt (its directory cannot be read); "
                    "copy the file again from its source",
                    name=path.name,
                )
            ) from None
        raise DatasetReadError(
            _("{name}: not an Excel .xlsx workbook (not a valid zip archive)", name=path.name)
            if path.suffix.lower() in (".xlsx", ".xlsm")
            else _("{name}: not a zip archive (not a valid zip archive)", name=path.name)
        ) from None
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    mib = 1024**2
    if total > max_unpacked:
        raise DatasetReadError(
            _(
                "{name}: would unpack to {total:,.0f} MiB, more than the limit of "
                "{max_unpacked:,.0f} MiB; refused before unpacking (split it, or use a CSV "
                "folder)",
                name=path.name,
                total=total / mib,
                max_unpacked=max_unpacked / mib,
            )
        )
    for i in infos:
        if i.file_size > max_member:
            raise DatasetReadError(
                _(
                    "{file}: the member {member} would unpack to {size:,.0f} MiB, more than the limit of "
                    "{limit:,.0f} MiB for one file; refused before unpacking",
                    file=path.name,
                    member=i.filename,
                    size=i.file_size / mib,
                    limit=max_member / mib,
                )
            )
    bombs = [i for i in infos if i.file_size > 1 << 20 and i.file_size / max(i.compress_size, 1) > max_ratio]
    if total > 1 << 20 and total / packed > max_ratio or bombs:
        what = total / packed if not bombs else bombs[0].file_size / max(bombs[0].compress_size, 1)
        size, from_ = (total, packed) if not bombs else (bombs[0].file_size, bombs[0].compress_size)
        member = _(" (the member {member})", member=bombs[0].filename) if bombs else ""
        raise DatasetReadError(
            _(
                "{name}: unpacks to {what:,.0f} times its size{member} ({size:,.0f} MiB from "
                "{packed:,.1f} MiB), which real workbooks never do (a zip bomb?); refused before "
                "unpacking",
                name=path.name,
                what=what,
                member=member,
                size=size / mib,
                packed=from_ / mib,
            )
        )
    return infos


def _zip_members(p: Path) -> list[tuple[zipfile.ZipInfo, str]]:
    """The CSV members of a zip and the name each is read under, refusing two of one name."""
    infos = check_archive(p)
    members = [
        (i, Path(i.filename).name) for i in infos if i.filename.lower().endswith(".csv") and not i.is_dir()
    ]
    by_name: dict[str, list[str]] = {}
    for info, base in members:
        by_name.setdefault(base.strip().lower(), []).append(info.filename)
    clashes = [names for names in by_name.values() if len(names) > 1]
    if clashes:
        raise DatasetReadError(
            _(
                "{file}: {members} have the same file name in different folders; each table must come "
                "once: zip one folder, or rename the files",
                file=p.name,
                members="; ".join(" and ".join(c) for c in clashes),
            )
        )
    return members


# ---------------------------------------------------------------- Excel
def _check_xlsx(path: Path) -> None:
    names = {i.filename for i in check_archive(path)}
    if "xl/workbook.xml" not in names:
        raise DatasetReadError(
            _("{name}: not an Excel .xlsx workbook (no xl/workbook.xml inside)", name=path.name)
        )


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
            raise DatasetReadError(
                _("{name}: cannot be read as a workbook ({e})", name=path.name, e=e)
            ) from None
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
                _(
                    "{path}, sheet {sheet!r}: cannot be read ({e}); the file may be truncated",
                    path=self.path.name,
                    sheet=sheet,
                    e=e,
                )
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
            raise DatasetReadError(
                _("{name}: cannot be read as a workbook ({e})", name=path.name, e=e)
            ) from None
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
    raise ValueError(
        _(
            "unknown Excel engine {engine!r}; choose one of {xlsx_engines}",
            engine=engine,
            xlsx_engines=XLSX_ENGINES,
        )
    )


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


def _encoding_notice(t: RawTable, asked: str | None) -> list[str]:
    """Say which encoding a detected CSV was read with."""
    if asked is None or asked.strip().lower() != AUTO_ENCODING or t.encoding is None:
        return []
    label = ENCODING_NAMES.get(t.encoding, t.encoding.upper())
    if t.encoding == "utf-8-sig":
        label = _("UTF-8 (with BOM)")
    return [_("{file}: text encoding detected: {encoding}", file=t.file, encoding=label)]


def read_source(
    path: str | Path,
    *,
    encoding: str | None = None,
    engine: str = "calamine",
    delimiter: str | None = None,
    decimal: str | None = None,
) -> RawDataset:
    """Every table a file or folder holds, named as in the source (sheet name or CSV file stem).

    This is what a mapping profile works on when the source is not in the exchange format.
    Empty sheets are skipped with a notice. CSV files: ``delimiter`` (the column separator) and
    ``decimal`` (the decimal mark of numbers) are detected unless given. A zip is read in place, member
    by member, never unpacked to disk. Raises :class:`DatasetReadError` when it cannot be read.
    """
    p = Path(path)
    if not p.exists():
        raise DatasetReadError(_("{p}: no such file or folder", p=p))
    found: dict[str, RawTable] = {}
    notices: list[str] = []
    empty: list[str] = []  # CSV files skipped as empty
    suffix = p.suffix.lower()

    def add_csv(blob: _Blob, stem: str) -> None:
        t = _csv_table(blob, stem, encoding, delimiter=delimiter, decimal=decimal)
        if not t.columns:
            notices.append(_("{file}: the file is empty; skipped", file=blob.label))
            empty.append(blob.label)
            return
        found[stem] = t
        notices.extend(_encoding_notice(t, encoding) + t.notices)

    if p.is_dir():
        kind = "csv"
        files = sorted(p.glob("*.csv")) + sorted(p.glob("*.CSV"))
        if not files:
            raise DatasetReadError(_("{name}: the folder holds no .csv file", name=p.name))
        for f in files:
            add_csv(_Blob.of_path(f), f.stem.strip())
    elif suffix == ".zip":
        kind = "csv"
        for info, base in _zip_members(p):
            add_csv(_Blob.of_member(p, info, f"{p.name}/{base}"), Path(base).stem.strip())
    elif suffix in (".xlsx", ".xlsm"):
        kind = "xlsx"
        book = _open_book(p, engine)
        for sheet in book.sheet_names:
            sheet_table = _sheet_table(book, p, sheet, sheet.strip())
            if sheet_table is None:
                notices.append(_("{file}: sheet {sheet!r} is empty; skipped", file=p.name, sheet=sheet))
                continue
            found[sheet.strip()] = sheet_table
        if not found:
            raise DatasetReadError(_("{name}: every sheet of the workbook is empty", name=p.name))
    elif suffix == ".csv":
        kind = "csv"
        add_csv(_Blob.of_path(p), p.stem.strip())
        if not found:
            raise DatasetReadError(_("{name}: the file is empty", name=p.name))
        skipped = {_("{file}: the file is empty; skipped", file=e) for e in empty}
        notices = [n for n in notices if n not in skipped]
    elif suffix == ".xls":
        raise DatasetReadError(
            _("{name}: a legacy .xls workbook; save it as .xlsx and import that", name=p.name)
        )
    else:
        raise DatasetReadError(
            _(
                "{name}: expected a folder of CSV files, a .zip of them, an .xlsx workbook (or "
                "an Access .mdb/.accdb file or a SQL database through a connector)",
                name=p.name,
            )
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
        return ngettext(
            "{where}: not read as the cases table: it is not named 'cases' and lacks the column {columns}; "
            "a file in another layout needs its columns mapped",
            "{where}: not read as the cases table: it is not named 'cases' and lacks the columns {columns}; "
            "a file in another layout needs its columns mapped",
            len(missing),
            where=t.where,
            columns=", ".join(missing),
        )
    names = ", ".join(t.where for t in source.tables.values())
    return _(
        "{file}: no cases table (no file or sheet named 'cases' among {names}); "
        "a data set in another layout needs its columns mapped",
        file=Path(source.path).name,
        names=names or _("none"),
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
                notices.append(
                    _("{where}: read as the cases table (its columns are those of cases)", where=t.where)
                )
            t.name = key
            found[key] = t
        else:
            notices.append(
                _(
                    "{where}: sheet {sheet!r} is not a table of the exchange format; ignored",
                    where=t.where,
                    sheet=t.sheet,
                )
                if t.sheet
                else _("{where}: file is not a table of the exchange format; ignored", where=t.where)
            )
    if "cases" not in found:
        raise DatasetReadError(_no_cases_message(source))
    for t in found.values():
        if t.header_row > 1:
            notices.append(
                _(
                    "{where}: rows 1–{last} above the header skipped (a title or an upper header level); "
                    "header at row {row}",
                    where=t.where,
                    last=t.header_row - 1,
                    row=t.header_row,
                )
            )
    return RawDataset(source.path, source.kind, found, source.file_hash, notices)


def read_dataset(
    path: str | Path,
    tables: Iterable[str] = TABLE_NAMES,
    *,
    encoding: str | None = None,
    engine: str = "calamine",
    delimiter: str | None = None,
    decimal: str | None = None,
) -> RawDataset:
    """Read a CSV folder, a zipped CSV folder or an ``.xlsx`` workbook in the exchange format.

    Unknown files or sheets are listed in ``notices``, never silently taken as data; a single CSV
    is the ``cases`` table when its name or its columns say so (:func:`exchange_tables`). Tables are
    lazy: they are read in chunks when imported. Raises :class:`DatasetReadError` when the input
    cannot be read at all.
    """
    source = read_source(Path(path), encoding=encoding, engine=engine, delimiter=delimiter, decimal=decimal)
    return select_tables(source, tables)


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
                _(
                    "{name}: {items}; an .xlsx sheet holds at most {xlsx_max_rows:,}: write a CSV "
                    "folder instead",
                    name=p.name,
                    items=", ".join((f"{n} has {k:,} rows" for n, k in too_big.items())),
                    xlsx_max_rows=XLSX_MAX_ROWS - 1,
                )
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
