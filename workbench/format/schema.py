"""The exchange format as Python objects, loaded once from ``data/exchange_format.yaml``.

Every part of the workbench that needs to know the format (store tables, row checks, data-quality
suites, the sample writer, exports) asks this module instead of restating columns.

Examples
--------
>>> from workbench.format.schema import FORMAT
>>> FORMAT.table("cases").key
('reporting_country', 'case_id')
>>> [c.name for c in FORMAT.table("items").required_columns][:3]
['case_id', 'reporting_country', 'item_no']
>>> "sea_container" in FORMAT.enums["transport_mode"]
True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from typing import Any

import yaml

__all__ = ["Column", "Table", "ExchangeFormat", "FORMAT", "TABLE_NAMES"]


@dataclass(frozen=True)
class Column:
    """One column of an exchange-format table."""

    name: str
    type: str  # text | iso2 | date | float | int | enum | iso2_list
    required: bool = False
    enum: str | None = None
    min: float | None = None
    max: float | None = None
    min_exclusive: float | None = None
    pattern: str | None = None
    help: str = ""

    @property
    def is_numeric(self) -> bool:
        return self.type in ("float", "int")


@dataclass(frozen=True)
class Table:
    """One exchange-format table: its columns, key and whether it holds personal data."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    personal: bool = False
    required: bool = False
    parent: str | None = None

    @cached_property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @cached_property
    def required_columns(self) -> list[Column]:
        return [c for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"table {self.name!r} has no column {name!r}")


@dataclass(frozen=True)
class ExchangeFormat:
    """The whole format: tables in load order (parents first) and enumerations."""

    tables: dict[str, Table]
    enums: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def table(self, name: str) -> Table:
        try:
            return self.tables[name]
        except KeyError:
            raise KeyError(
                f"unknown exchange-format table {name!r}; expected one of {list(self.tables)}"
            ) from None

    @property
    def non_personal_tables(self) -> list[str]:
        return [t.name for t in self.tables.values() if not t.personal]

    def enum_values(self, column: Column) -> tuple[str, ...]:
        if column.enum is None:
            return ()
        return self.enums[column.enum]


def _load() -> ExchangeFormat:
    raw: dict[str, Any] = yaml.safe_load(
        resources.files("workbench.format").joinpath("exchange_format.yaml").read_text(encoding="utf-8")
    )
    enums = {k: tuple(v) for k, v in raw["enums"].items()}
    tables: dict[str, Table] = {}
    for name, spec in raw["tables"].items():
        cols = tuple(Column(**c) for c in spec["columns"])
        for c in cols:
            if c.type == "enum" and c.enum not in enums:
                raise ValueError(f"column {name}.{c.name} names unknown enumeration {c.enum!r}")
        tables[name] = Table(
            name=name,
            columns=cols,
            key=tuple(spec["key"]),
            personal=bool(spec.get("personal", False)),
            required=bool(spec.get("required", False)),
            parent=spec.get("parent"),
        )
    return ExchangeFormat(tables=tables, enums=enums)


FORMAT = _load()
TABLE_NAMES: tuple[str, ...] = tuple(FORMAT.tables)
