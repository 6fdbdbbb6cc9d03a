"""The connector protocol, the file connectors, and choosing a connector for a path or URL."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Protocol, runtime_checkable

from workbench.exchange.files import DatasetReadError, RawDataset, read_source, select_tables
from workbench.i18n import _

__all__ = [
    "Connector",
    "CsvFolderConnector",
    "ExcelConnector",
    "open_connector",
    "load",
    "ACCESS_SUFFIXES",
]

ACCESS_SUFFIXES = (".mdb", ".accdb")


@runtime_checkable
class Connector(Protocol):
    """A source of seizure data.

    ``kind`` names the kind of source (``csv``, ``xlsx``, ``sql``, ``access``); ``name`` the source
    for messages and the submission record (never a password). :meth:`read_source` returns every
    table of the source under its own name (sheet, file stem, database table or query), each a lazy
    :class:`~workbench.exchange.files.RawTable` read in chunks, with ``file_hash`` identifying the
    content (the same content twice is a duplicate submission).
    """

    kind: str
    name: str

    def read_source(self) -> RawDataset: ...


class CsvFolderConnector:
    """A folder of CSV files, a ``.zip`` of them, or one CSV file.

    ``delimiter`` (column separator) and ``decimal`` (decimal mark) are detected when None.
    """

    kind = "csv"

    def __init__(
        self,
        path: str | Path,
        *,
        encoding: str | None = None,
        delimiter: str | None = None,
        decimal: str | None = None,
    ) -> None:
        self.path = Path(path)
        self.name = self.path.name
        self.encoding = encoding
        self.delimiter = delimiter
        self.decimal = decimal

    def read_source(self) -> RawDataset:
        return read_source(self.path, encoding=self.encoding, delimiter=self.delimiter, decimal=self.decimal)


class ExcelConnector:
    """An ``.xlsx`` workbook, one table per sheet; ``engine`` is ``calamine`` (default) or ``openpyxl``."""

    kind = "xlsx"

    def __init__(self, path: str | Path, *, engine: str = "calamine") -> None:
        self.path = Path(path)
        self.name = self.path.name
        self.engine = engine

    def read_source(self) -> RawDataset:
        return read_source(self.path, engine=self.engine)


def open_connector(
    source: str | Path,
    *,
    tables: Mapping[str, str] | None = None,
    encoding: str | None = None,
    engine: str = "calamine",
    delimiter: str | None = None,
    decimal: str | None = None,
) -> Connector:
    """The connector for a path (folder, ``.zip``, ``.csv``, ``.xlsx``, ``.mdb``/``.accdb``) or a SQL URL.

    ``tables`` (SQL only): exchange table -> database table or ``SELECT`` query. ``delimiter`` and
    ``decimal`` (CSV only): the column separator and the decimal mark, detected when not given.
    """
    text = str(source)
    if "://" in text:
        from connectors.sql import SqlConnector

        return SqlConnector(text, tables=tables)
    p = Path(source)
    if not p.exists():
        raise DatasetReadError(_("{p}: no such file or folder", p=p))
    suffix = p.suffix.lower()
    if suffix in ACCESS_SUFFIXES:
        from connectors.access import AccessConnector

        return AccessConnector(p)
    if suffix in (".xlsx", ".xlsm"):
        return ExcelConnector(p, engine=engine)
    return CsvFolderConnector(p, encoding=encoding, delimiter=delimiter, decimal=decimal)


def load(connector: Connector, mapping: object | None = None) -> RawDataset:
    """The connector's source as an exchange-format data set: by table names, or through ``mapping``.

    ``mapping`` is a :class:`connectors.mapping.MappingProfile` or the path of its YAML file.
    """
    from connectors.mapping import MappingProfile, apply_mapping, load_profile

    if mapping is None:
        return select_tables(connector.read_source())
    profile = mapping if isinstance(mapping, MappingProfile) else load_profile(str(mapping))
    if isinstance(connector, CsvFolderConnector):
        if profile.encoding and connector.encoding is None:
            connector.encoding = profile.encoding
        if profile.delimiter and connector.delimiter is None:
            connector.delimiter = profile.delimiter
        if connector.decimal is not None:
            profile.decimal = connector.decimal  # named for this import: it wins over the profile's
    return apply_mapping(connector.read_source(), profile)
