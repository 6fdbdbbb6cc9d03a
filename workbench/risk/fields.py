"""The fields a rule may use: names and types of the data set being scored.

Types are the exchange format's (``text``, ``iso2``, ``iso2_list``, ``enum``, ``date``, ``float``,
``int``) plus ``bool``; they come from :data:`workbench.risk.traffic.COLUMNS` (which takes them from
:data:`workbench.format.schema.FORMAT`), from a frame's own extra columns, or from a table in the store. Each
type allows some operators; outcome columns (``seized``, ``case_id``) are never allowed in a rule.

Examples
--------
>>> fs = traffic_fields()
>>> fs["transit_countries"].kind, fs["transport_mode"].values[:2]
('iso2_list', ('air_passenger', 'air_cargo'))
>>> sorted(fs["hs_code"].operators)[:4]
['eq', 'in', 'is_blank', 'ne']
>>> fs.usable("seized")
False
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from workbench.format.schema import FORMAT, Column
from workbench.i18n import N_

__all__ = ["Field", "FieldSet", "OPERATORS", "OPS_BY_KIND", "traffic_fields", "fields_of_frame"]

#: Every operator, with what its value must be.
OPERATORS: dict[str, str] = {
    "eq": N_("one value"),
    "ne": N_("one value"),
    "in": N_("a list of values"),
    "not_in": N_("a list of values"),
    "contains_any": N_("a list of ISO2 codes (any of them in the ';'-separated list)"),
    "between": N_("a list [low, high] (both included)"),
    "gt": N_("one number or date"),
    "ge": N_("one number or date"),
    "lt": N_("one number or date"),
    "le": N_("one number or date"),
    "startswith": N_("a prefix or a list of prefixes"),
    "regex": N_("a regular expression (searched anywhere in the text)"),
    "is_blank": N_("no value"),
    "not_blank": N_("no value"),
}

_BLANKS = ("is_blank", "not_blank")
_ORDER = ("eq", "ne", "in", "not_in", "between", "gt", "ge", "lt", "le", *_BLANKS)
#: Operators allowed on each kind of field.
OPS_BY_KIND: dict[str, tuple[str, ...]] = {
    "text": ("eq", "ne", "in", "not_in", "startswith", "regex", *_BLANKS),
    "iso2": ("eq", "ne", "in", "not_in", "regex", *_BLANKS),
    "enum": ("eq", "ne", "in", "not_in", "regex", *_BLANKS),
    "iso2_list": ("contains_any", "regex", *_BLANKS),
    "date": _ORDER,
    "float": _ORDER,
    "int": _ORDER,
    "bool": ("eq", "ne", *_BLANKS),
}
TEXT_KINDS = frozenset({"text", "iso2", "enum", "iso2_list"})


@dataclass(frozen=True)
class Field:
    """One field of a data set: its kind (a format type), allowed values for enumerations, help."""

    name: str
    kind: str
    values: tuple[str, ...] = ()
    help: str = ""
    outcome: bool = False

    @property
    def operators(self) -> tuple[str, ...]:
        return OPS_BY_KIND[self.kind]

    @property
    def is_text(self) -> bool:
        return self.kind in TEXT_KINDS

    @classmethod
    def of_column(cls, col: Column, outcome: bool = False) -> Field:
        return cls(col.name, col.type, FORMAT.enum_values(col), col.help, outcome)


class FieldSet(Mapping[str, Field]):
    """The fields of one data set, by name (a read-only mapping)."""

    def __init__(
        self, fields: Mapping[str, Field] | list[Field], label: str = N_("the traffic data")
    ) -> None:
        items = fields.values() if isinstance(fields, Mapping) else fields
        self._fields = {f.name: f for f in items}
        self.label = label

    def __getitem__(self, name: str) -> Field:
        return self._fields[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._fields)

    def __len__(self) -> int:
        return len(self._fields)

    def __hash__(self) -> int:
        return hash((tuple(self._fields.items()), self.label))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FieldSet) and self._fields == other._fields

    def usable(self, name: str) -> bool:
        """Whether a rule may use the field (it exists and is known before a control)."""
        return name in self._fields and not self._fields[name].outcome

    @property
    def rule_fields(self) -> list[str]:
        return [n for n, f in self._fields.items() if not f.outcome]


@lru_cache(maxsize=1)
def traffic_fields() -> FieldSet:
    """The fields of the traffic table (:data:`workbench.risk.traffic.COLUMNS`)."""
    from workbench.risk.traffic import COLUMNS, OUTCOME_COLUMNS

    return FieldSet([Field.of_column(c, c.name in OUTCOME_COLUMNS) for c in COLUMNS])


def fields_of_frame(frame: pd.DataFrame) -> FieldSet:
    """The traffic fields plus a frame's own extra columns (numbers, dates or else text).

    Examples
    --------
    >>> import pandas as pd
    >>> fs = fields_of_frame(pd.DataFrame({"movement_date": [], "passenger_age": pd.Series([], dtype="float")}))
    >>> fs["passenger_age"].kind, "hs_code" in fs
    ('float', True)
    """
    base = traffic_fields()
    extra: list[Field] = []
    for c in frame.columns:
        if c in base or c in ("id", "source"):
            continue
        s = frame[c]
        if pd.api.types.is_bool_dtype(s):
            kind = "bool"
        elif pd.api.types.is_numeric_dtype(s):
            kind = "float"
        elif pd.api.types.is_datetime64_any_dtype(s):
            kind = "date"
        else:
            kind = "text"
        extra.append(Field(str(c), kind, help=N_("a column of this file")))
    if not extra:
        return base
    return FieldSet([*base.values(), *extra], base.label)
