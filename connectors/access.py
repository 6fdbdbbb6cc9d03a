"""MS Access ``.mdb`` / ``.accdb`` files (the CEN application's download format).

Read with Debian's ``mdbtools`` (``mdb-tables``, ``mdb-export``), chosen by what works on real files:
it reads Jet 3/4 and ACE (Access 2007+) files, streams a table as CSV (bounded memory) and is packaged
for Debian and CI. When ``mdb-export`` is not installed, the pure-Python ``access-parser`` is used
(it reads a whole table into memory). Dates come out as ISO 8601; memo fields keep their line breaks.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from workbench.exchange.files import ROW, DatasetReadError, RawDataset, RawTable, file_hash
from workbench.i18n import _

__all__ = ["AccessConnector", "mdbtools_available"]

# dates as ISO 8601 (mdbtools 1.0: -D for dates, -T for date-times)
_DATE_ARGS = ("-D", "%Y-%m-%d", "-T", "%Y-%m-%d %H:%M:%S")
_JET_MAGIC = b"\x00\x01\x00\x00Standard Jet DB"
_ACE_MAGIC = b"\x00\x01\x00\x00Standard ACE DB"


def mdbtools_available() -> bool:
    return shutil.which("mdb-export") is not None and shutil.which("mdb-tables") is not None


class _AccessTables(Protocol):
    """What is used of access-parser's ``AccessParser`` (the package has no type hints)."""

    catalog: dict[str, int]  # user table name -> its catalogue id

    def parse_table(self, table_name: str) -> Mapping[str, list[Any]]:
        """The table as {column: [value of each row]}."""
        ...


class AccessConnector:
    """Every user table of an Access database, under its own name."""

    kind = "access"

    def __init__(self, path: str | Path, *, backend: str | None = None) -> None:
        self.path = Path(path)
        self.name = self.path.name
        self.backend = backend or ("mdbtools" if mdbtools_available() else "access_parser")

    def _check(self) -> None:
        if not self.path.exists():
            raise DatasetReadError(_("{path}: no such file", path=self.path))
        with self.path.open("rb") as fh:
            head = fh.read(32)
        if not head.startswith((_JET_MAGIC, _ACE_MAGIC)):
            raise DatasetReadError(
                _(
                    "{name}: not an MS Access database (no Jet/ACE header); is it another kind of file renamed?",
                    name=self.name,
                )
            )

    def _run(self, *args: str) -> str:
        out = subprocess.run(args, capture_output=True, text=True, timeout=120)
        if out.returncode != 0:
            msg = (out.stderr or out.stdout).strip().splitlines()
            raise DatasetReadError(
                _(
                    "{name}: cannot be read as an Access database ({msg}); it may be truncated, "
                    "corrupt or password-protected",
                    name=self.name,
                    msg=msg[0] if msg else "mdbtools failed",
                )
            )
        return out.stdout

    def table_names(self) -> list[str]:
        self._check()
        if self.backend == "mdbtools":
            return [t for t in self._run("mdb-tables", "-1", str(self.path)).splitlines() if t.strip()]
        db = self._parser()
        return [t for t in db.catalog if not t.startswith("MSys")]

    def _parser(self) -> _AccessTables:
        try:
            from access_parser import AccessParser
        except ImportError:
            raise DatasetReadError(
                _(
                    "{name}: neither mdbtools (apt-get install mdbtools) nor access-parser is installed",
                    name=self.name,
                )
            ) from None
        try:
            parser: _AccessTables = AccessParser(str(self.path))
        except Exception as e:
            raise DatasetReadError(
                _("{name}: cannot be read as an Access database ({e})", name=self.name, e=e)
            ) from None
        return parser

    def _header(self, table: str) -> list[str]:
        if self.backend == "mdbtools":
            proc = subprocess.Popen(
                ["mdb-export", *_DATE_ARGS, str(self.path), table],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                encoding="utf-8",
                errors="replace",
            )
            assert proc.stdout is not None
            first = proc.stdout.readline()
            proc.kill()
            proc.wait()
            return next(csv.reader([first]), [])
        return list(self._parser().parse_table(table).keys())

    def _table(self, table: str) -> RawTable:
        header = self._header(table)
        where = f"{self.name}, table {table!r}"
        path = self.path

        def chunks(rows: int) -> Iterator[pd.DataFrame]:
            start = 2
            if self.backend != "mdbtools":
                data = self._parser().parse_table(table)
                df = pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in data.items()})
                for i in range(0, len(df), rows):
                    part = df.iloc[i : i + rows].reset_index(drop=True)
                    part.insert(0, ROW, range(start, start + len(part)))
                    start += len(part)
                    yield part
                return
            proc = subprocess.Popen(
                ["mdb-export", *_DATE_ARGS, str(path), table],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            assert proc.stdout is not None
            try:
                reader = pd.read_csv(
                    proc.stdout,
                    dtype=str,
                    keep_default_na=False,
                    na_values=[],
                    chunksize=rows,
                    encoding="utf-8",
                    encoding_errors="replace",
                )
                for df in reader:
                    df.insert(0, ROW, range(start, start + len(df)))
                    start += len(df)
                    yield df
            except pd.errors.EmptyDataError:
                return
            except (pd.errors.ParserError, ValueError) as e:
                raise DatasetReadError(
                    _("{where}, after row {start}: cannot be read ({e})", where=where, start=start - 1, e=e)
                ) from None
            finally:
                proc.stdout.close()
                code = proc.wait()
                if code not in (0, -9, -13):
                    err = proc.stderr.read().decode(errors="replace").strip() if proc.stderr else ""
                    raise DatasetReadError(
                        _("{where}: mdb-export failed ({value})", where=where, value=err or code)
                    )

        return RawTable(table, None, where, chunks=chunks, columns=header, header_row=1)

    def read_source(self) -> RawDataset:
        names = self.table_names()
        if not names:
            raise DatasetReadError(_("{name}: the database holds no table", name=self.name))
        tables = {t: self._table(t) for t in names}
        return RawDataset(str(self.path), self.kind, tables, file_hash(self.path))
