"""The exchange format as Python objects, loaded once from ``exchange_format.yaml``: what each column is
and what it means.

Every part of the workbench that needs to know the format (store tables, row checks, data-quality
suites, the sample writer, exports, privacy, the entity graph, entity resolution, analysis frames, the
documentation) asks this module instead of restating columns. A column says its storage ``type`` and
its meaning: its ``kind`` (``reference``, ``name``, ``identifier``, ``phone``, ``address``, ...; the
vocabulary is :attr:`ExchangeFormat.kinds`), whether it is ``personal`` data (always, or on the rows
where another column does not hold certain values), the entity-graph ``node`` its values make, the
``hint`` column its normal form needs and a ``help`` text. A table says how one of its rows is named to
a person (its ``caption``) and which node kind a row makes (its ``entity``).

The workbench's own features declare their tables the same way in ``tables/*.yaml`` beside the format
(:func:`declared_tables`); a column there can take a column of the format with ``like: table.column``.

Examples
--------
>>> from workbench.format.schema import FORMAT
>>> FORMAT.table("cases").key
('reporting_country', 'case_id')
>>> [c.name for c in FORMAT.table("items").required_columns][:3]
['case_id', 'reporting_country', 'item_no']
>>> "sea_container" in FORMAT.enums["transport_mode"]
True
>>> persons = FORMAT.table("persons")
>>> [c.name for c in persons.columns_of_kind("phone")], persons.column("phone").hint
(['phone'], 'nationality')
>>> persons.caption({"first_name": "Ana", "last_name": "Silva"})
'Ana Silva'
>>> persons.column("phone").normal_form("0803 123 4567", "NG")
'+2348031234567'
>>> conveyance = FORMAT.table("cases").column("conveyance_id")
>>> conveyance.is_personal_for({"conveyance_type": "car"}), conveyance.is_personal_for({"conveyance_type": "vessel"})
(True, False)
>>> [c.name for c in FORMAT.table("cases").personal_columns]
['conveyance_id', 'remarks']
"""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from functools import cache, cached_property
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import yaml

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "Column",
    "PersonalUnless",
    "Table",
    "Enumeration",
    "enum_label",
    "NodeKind",
    "ExchangeFormat",
    "FORMAT",
    "TABLE_NAMES",
    "TYPES",
    "FrameDtype",
    "NORMALISERS",
    "declared_tables",
    "declared_table",
    "any_table",
    "SchemaError",
]

#: Storage types of a column.
TYPES: tuple[str, ...] = ("text", "iso2", "iso2_list", "date", "float", "int", "enum", "bool")

#: Dtypes of the columns in the analysis frames (:attr:`Column.frame_dtype`).
FrameDtype = Literal["datetime64[us]", "float64", "Int64", "boolean", "category", "string"]

#: Normal forms (:mod:`workbench.format.normalise`) a column may name, as ``f(value, hint) -> str``.
NORMALISERS: tuple[str, ...] = (
    "fold",
    "identifier_key",
    "canonical_phone",
    "address_key",
    "conveyance_key",
    "company_key",
)
#: The normal form of a kind when the column names none.
_DEFAULT_NORMALISER: dict[str, str] = {
    "name": "fold",
    "given_name": "fold",
    "family_name": "fold",
    "identifier": "identifier_key",
    "phone": "canonical_phone",
    "address": "address_key",
}
#: Kinds whose values form a short list that analyses group by (categoricals in the frames).
_GROUPING_KINDS = frozenset({"code", "country"})


@cache
def _normaliser(name: str) -> Callable[[object, object], str]:
    """The normaliser ``name`` as ``f(value, hint)``: the hint is the country of a phone, the type of a
    conveyance, and ignored by the others."""
    from workbench.format import normalise as n

    hinted: dict[str, Callable[[object, object], str]] = {
        "canonical_phone": n.canonical_phone,
        "conveyance_key": lambda value, hint: n.conveyance_key(hint, value),
    }
    if name in hinted:
        return hinted[name]
    one: Callable[[object], str] = getattr(n, name)
    return lambda value, hint: one(value)


def _blank(value: object) -> bool:
    """None, NaN, NaT and pandas' NA (whose comparison is neither true nor false)."""
    if value is None:
        return True
    try:
        return bool(value != value)
    except TypeError:
        return True


def _text(value: object) -> str:
    """A cell as text for a caption: blanks give ``""``, whole floats lose their ``.0``."""
    if _blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


@dataclass(frozen=True)
class PersonalUnless:
    """A column is personal data except on the rows where ``column`` holds one of ``values``."""

    column: str
    values: frozenset[str]


@dataclass(frozen=True)
class Column:
    """One column: storage (``type``, validity), meaning (``kind``, ``personal``, ``node``, ``hint``) and help.

    ``personal`` is true when the column may hold personal data; ``personal_unless`` names the rows
    where it does not (see :meth:`is_personal_for`). ``origin`` is the format column a declared
    feature table took it from (``like: cases.conveyance_id``).
    """

    name: str
    type: str  # one of TYPES
    required: bool = False
    enum: str | None = None
    min: float | None = None
    max: float | None = None
    min_exclusive: float | None = None
    pattern: str | None = None
    help: str = ""
    kind: str = ""
    personal: bool = False
    personal_unless: PersonalUnless | None = None
    node: str | None = None
    hint: str | None = None
    normalise: str | None = None
    origin: str | None = None

    @property
    def is_numeric(self) -> bool:
        return self.type in ("float", "int")

    @property
    def always_personal(self) -> bool:
        """Personal data on every row (not only on some)."""
        return self.personal and self.personal_unless is None

    def is_personal_for(self, row: Mapping[str, object]) -> bool:
        """Whether the column's value on ``row`` is personal data (a row without the condition's column is).

        >>> c = FORMAT.table("cases").column("conveyance_id")
        >>> c.is_personal_for({"conveyance_type": "aircraft"}), c.is_personal_for({}), c.is_personal_for({"conveyance_type": None})
        (False, True, True)
        """
        if not self.personal:
            return False
        unless = self.personal_unless
        if unless is None:
            return True
        value = row.get(unless.column)
        return not (isinstance(value, str) and value in unless.values)

    def personal_rows(self, frame: pd.DataFrame) -> pd.Series:
        """:meth:`is_personal_for` of every row of ``frame``, as a boolean Series on its index.

        >>> import pandas as pd
        >>> c = FORMAT.table("cases").column("conveyance_id")
        >>> c.personal_rows(pd.DataFrame({"conveyance_type": ["car", "train", None]})).tolist()
        [True, False, True]
        """
        import pandas as pd

        if not self.personal:
            return pd.Series(False, index=frame.index, dtype=bool)
        unless = self.personal_unless
        if unless is None or unless.column not in frame.columns:
            return pd.Series(True, index=frame.index, dtype=bool)
        return ~frame[unless.column].astype(object).isin(sorted(unless.values)).astype(bool)

    @property
    def normaliser(self) -> Callable[[object, object], str] | None:
        """The column's normal form as ``f(value, hint)`` (None: the column has none).

        The same function keys the entity graph's nodes, entity resolution, pseudonyms and the scrubbing
        of free text, so two spellings of one phone or passport are one everywhere.
        """
        name = self.normalise or _DEFAULT_NORMALISER.get(self.kind)
        return _normaliser(name) if name else None

    def normal_form(self, value: object, hint: object = None) -> str:
        """The normal form of one value (``hint``: the value of the :attr:`hint` column on its row).

        >>> persons = FORMAT.table("persons")
        >>> persons.column("passport_number").normal_form(" ab-123 456 ")
        'AB123456'
        >>> FORMAT.table("cases").column("conveyance_id").normal_form("af 0012", "aircraft")
        'AF12'
        """
        fn = self.normaliser
        if fn is None:
            raise ValueError(f"column {self.name!r} ({self.kind}) has no normal form")
        return fn(value, hint)

    def normal_forms(self, values: pd.Series, hints: pd.Series | None = None) -> pd.Series:
        """:meth:`normal_form` of a Series (``hints`` aligned with it), each distinct pair computed once;
        blanks give ``""``.

        >>> import pandas as pd
        >>> phone = FORMAT.table("persons").column("phone")
        >>> phone.normal_forms(pd.Series(["+234 803 123 4567", "0803 123 4567", None]),
        ...                    pd.Series(["NG", "NG", "NG"])).tolist()
        ['+2348031234567', '+2348031234567', '']
        """
        import numpy as np
        import pandas as pd

        from workbench.format.normalise import map_unique

        fn = self.normaliser
        if fn is None:
            raise ValueError(f"column {self.name!r} ({self.kind}) has no normal form")
        if hints is None:
            return map_unique(values, lambda v: fn(v, None))
        v = values.astype("string").fillna("")
        h = pd.Series(hints.to_numpy(), index=v.index).astype("string").fillna("")
        codes, uniques = pd.factorize(v + "\x1f" + h, sort=False)
        pairs = [u.rsplit("\x1f", 1) for u in uniques.tolist()]
        forms = [fn(value, hint) if value else "" for value, hint in pairs]
        if not forms:
            return pd.Series([""] * len(v), index=v.index, dtype="string")
        return pd.Series(np.asarray(forms, dtype=object)[codes], index=v.index, dtype="string")

    @property
    def frame_dtype(self) -> FrameDtype:
        """The dtype of the column in the analysis frames: dates, numbers, categoricals for the short lists
        analyses group by, strings for the rest (references, names, identifiers, HS codes, free text).

        >>> [FORMAT.table("cases").column(c).frame_dtype for c in ("seizure_date", "transport_mode", "case_id")]
        ['datetime64[us]', 'category', 'string']
        """
        if self.type == "date":
            return "datetime64[us]"
        if self.type == "float":
            return "float64"
        if self.type == "int":
            return "Int64"
        if self.type == "bool":
            return "boolean"
        if self.type in ("enum", "iso2") or self.kind in _GROUPING_KINDS and self.type != "iso2_list":
            return "category"
        return "string"


@dataclass(frozen=True)
class Table:
    """One table: its columns, key, caption, the node kind a row makes and whether it holds personal data."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    personal: bool = False
    required: bool = False
    parent: str | None = None
    parent_key: tuple[str, ...] = ()
    title: str = ""
    description: str = ""
    caption_template: str = ""
    entity: str | None = None
    featured: tuple[str, ...] = ()
    stored: tuple[Column, ...] = field(default=(), repr=False)

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

    def stored_column(self, name: str) -> Column | None:
        """A column of the table or one the store adds to its rows (``extra``, ...); None when neither."""
        for c in (*self.columns, *self.stored):
            if c.name == name:
                return c
        return None

    @cached_property
    def own_key(self) -> tuple[str, ...]:
        """The key columns that are the table's own (``person_id``), not its parent's it repeats."""
        return tuple(k for k in self.key if k not in self.parent_key)

    @cached_property
    def own_columns(self) -> tuple[Column, ...]:
        """The columns without the parent's key that the table repeats (``item_no``, ``commodity_category``...)."""
        return tuple(c for c in self.columns if c.name not in self.parent_key)

    @cached_property
    def attribute_columns(self) -> tuple[Column, ...]:
        """The columns outside the key: what the table says about a row."""
        return tuple(c for c in self.columns if c.name not in self.key)

    def columns_of_kind(self, *kinds: str) -> tuple[Column, ...]:
        """The columns of any of ``kinds``, in table order (key columns included).

        >>> [c.name for c in FORMAT.table("companies").columns_of_kind("identifier", "phone")]
        ['registration_number', 'phone']
        """
        return tuple(c for c in self.columns if c.kind in kinds)

    def column_of_kind(self, kind: str) -> Column:
        """The one column of ``kind`` outside the key (a person's ``nationality``, not the reporting country).

        >>> FORMAT.table("persons").column_of_kind("country").name, FORMAT.table("companies").column_of_kind("name").name
        ('nationality', 'name')
        """
        found = [c for c in self.attribute_columns if c.kind == kind]
        if len(found) != 1:
            raise KeyError(f"table {self.name!r} has {len(found)} columns of kind {kind!r} outside its key")
        return found[0]

    @cached_property
    def node_columns(self) -> tuple[Column, ...]:
        """The columns whose values make entity-graph nodes (identifiers, phones, addresses, conveyances)."""
        return tuple(c for c in self.columns if c.node)

    @cached_property
    def personal_columns(self) -> tuple[Column, ...]:
        """The columns that may hold personal data (on every row or on some), in table order."""
        return tuple(c for c in self.columns if c.personal)

    def may_be_personal(self, name: str) -> bool:
        """Whether the column ``name`` (of the table or added by the store) may hold personal data.

        >>> cases = FORMAT.table("cases")
        >>> cases.may_be_personal("remarks"), cases.may_be_personal("extra"), cases.may_be_personal("seizure_date")
        (True, True, False)
        """
        col = self.stored_column(name)
        return col is not None and col.personal

    @cached_property
    def _caption_parts(self) -> list[tuple[str, str | None]]:
        return [(lit, fld) for lit, fld, _, _ in string.Formatter().parse(self.caption_template)]

    @cached_property
    def caption_columns(self) -> tuple[str, ...]:
        """The columns the caption names a row by."""
        return tuple(f for _, f in self._caption_parts if f)

    def caption(self, row: Mapping[str, object]) -> str:
        """How one row is named to a person (blank and missing cells leave their place empty).

        >>> FORMAT.table("cases").caption({"case_id": "FR-2024-000123", "reporting_country": "FR"})
        'FR-2024-000123 (FR)'
        >>> FORMAT.table("persons").caption({"last_name": "Silva", "first_name": None})
        'Silva'
        """
        return "".join(lit + (_text(row.get(f)) if f else "") for lit, f in self._caption_parts).strip()

    def captions(self, frame: pd.DataFrame) -> pd.Series:
        """:meth:`caption` of every row of ``frame`` (a string Series on its index).

        >>> import pandas as pd
        >>> FORMAT.table("persons").captions(pd.DataFrame({"first_name": ["Ana", None], "last_name": ["Silva", "Berg"]})).tolist()
        ['Ana Silva', 'Berg']
        """
        import pandas as pd

        out = pd.Series([""] * len(frame), index=frame.index, dtype="string")
        for lit, fld in self._caption_parts:
            out = out + lit
            if fld is None:
                continue
            if fld in frame.columns:
                s = frame[fld]
                text = s.map(_text) if s.dtype.kind == "f" else s.astype("string").fillna("").str.strip()
                out = out + text.astype("string")
        return out.str.strip()

    @property
    def featured_columns(self) -> tuple[str, ...]:
        """The columns shown when rows are listed (declared, else the key and the caption's columns)."""
        return self.featured or tuple(dict.fromkeys((*self.key, *self.caption_columns)))


@dataclass(frozen=True)
class Enumeration:
    """The values of an enumeration and what each value carries (``colour``, ``node``)."""

    name: str
    values: tuple[str, ...]
    properties: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def property(self, value: str, key: str) -> str | None:
        """The property ``key`` of ``value`` (None when the value has none).

        >>> FORMAT.enumeration("conveyance_type").property("car", "node")
        'vehicle'
        """
        return self.properties.get(value, {}).get(key)

    @cached_property
    def colours(self) -> dict[str, tuple[int, int, int]]:
        """RGB colour of each value that has one.

        >>> FORMAT.enumeration("commodity_category").colours["drugs"]
        (214, 39, 40)
        """
        out = {}
        for v in self.values:
            hex_ = self.property(v, "colour")
            if hex_:
                out[v] = (int(hex_[1:3], 16), int(hex_[3:5], 16), int(hex_[5:7], 16))
        return out


def enum_label(value: object) -> str:
    """A value of an enumeration (``air_passenger``) as people read it in the language in force (``air
    passenger``, ``passager aérien``); the stored code is unchanged. The English label is the code with
    spaces: the message id that :mod:`workbench.i18n.extract` takes from the ``enums:`` of the format.

    >>> enum_label("sea_container")
    'sea container'
    """
    from workbench.i18n import code_label

    return code_label(value)


@dataclass(frozen=True)
class NodeKind:
    """A kind of node of the entity graph: how people see it, and its names in the tools the graph is
    exported to.

    >>> FORMAT.nodes["company"].plural, FORMAT.nodes["company"].colour
    ('Companies', '#0072B2')
    """

    name: str
    plural: str  # heads a count of such nodes (English; translated where shown)
    colour: str  # #RRGGBB: how drawings and legends show the kind
    help: str = ""
    i2: str = "Entity"  # i2 Analyst's Notebook entity type
    ftm: str | None = None  # FollowTheMoney property of a party that holds such an identifier


@dataclass(frozen=True)
class ExchangeFormat:
    """The whole format: tables in load order (parents first), enumerations, the kinds of column, the
    entity graph's node kinds and the columns the store adds to every row."""

    tables: dict[str, Table]
    enums: dict[str, tuple[str, ...]] = field(default_factory=dict)
    enumerations: dict[str, Enumeration] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)
    nodes: dict[str, NodeKind] = field(default_factory=dict)
    stored: tuple[Column, ...] = ()
    description: str = ""
    notes: str = ""

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

    def enumeration(self, name: str) -> Enumeration:
        return self.enumerations[name]

    def colours_of(self, column: str) -> dict[str, tuple[int, int, int]]:
        """The colours of the values of the enumeration column ``column`` (of any table; empty when it
        has none): how maps and charts draw each value.

        >>> FORMAT.colours_of("commodity_category")["cites"], FORMAT.colours_of("transport_mode")
        ((44, 160, 44), {})
        """
        for t in self.tables.values():
            if column in t.column_names and t.column(column).enum:
                return self.enumeration(t.column(column).enum or "").colours
        return {}

    def table_of_entity(self, entity: str) -> Table:
        """The table whose rows make nodes of kind ``entity``.

        >>> FORMAT.table_of_entity("company").name
        'companies'
        """
        for t in self.tables.values():
            if t.entity == entity:
                return t
        raise KeyError(f"no table of the format makes {entity!r} nodes")

    @cached_property
    def party_tables(self) -> dict[str, str]:
        """Tables whose rows are parties to a case -> the node kind a row makes.

        >>> FORMAT.party_tables
        {'persons': 'person', 'companies': 'company'}
        """
        return {
            t.name: t.entity for t in self.tables.values() if t.personal and t.parent and t.entity is not None
        }

    def node_sources(self, node: str) -> tuple[tuple[Table, Column], ...]:
        """The (table, column) pairs whose values make nodes of kind ``node``.

        >>> [(t.name, c.name) for t, c in FORMAT.node_sources("phone")]
        [('persons', 'phone'), ('companies', 'phone')]
        """
        return tuple((t, c) for t in self.tables.values() for c in t.node_columns if c.node == node)

    @cached_property
    def personal_node_kinds(self) -> frozenset[str]:
        """Node kinds that are personal data on every node: rows of personal tables and the values of
        columns that are always personal (a conveyance is personal only when it is a road vehicle).

        >>> sorted(FORMAT.personal_node_kinds)
        ['address', 'company', 'passport', 'person', 'phone', 'registration']
        """
        out = set()
        for name in self.nodes:
            makers = [t.personal for t in self.tables.values() if t.entity == name]
            makers += [c.always_personal for _, c in self.node_sources(name)]
            if makers and all(makers):
                out.add(name)
        return frozenset(out)

    def column_names_of_type(self, *types: str) -> frozenset[str]:
        """Names of the columns of any table with one of the storage ``types``.

        >>> sorted(FORMAT.column_names_of_type("date"))
        ['date_of_birth', 'entry_date', 'seizure_date']
        """
        return frozenset(c.name for t in self.tables.values() for c in t.columns if c.type in types)

    @cached_property
    def frame_dtypes(self) -> dict[str, FrameDtype]:
        """:attr:`Column.frame_dtype` by column name, over every table (a name means one thing everywhere)."""
        return {c.name: c.frame_dtype for t in self.tables.values() for c in t.columns}


# ------------------------------------------------------------------------------------------ loading
_TABLE_KEYS = frozenset(
    {
        "title",
        "description",
        "caption",
        "entity",
        "personal",
        "required",
        "parent",
        "key",
        "featured",
        "columns",
    }
)
_COLUMN_KEYS = frozenset(
    {
        "name",
        "type",
        "kind",
        "help",
        "required",
        "enum",
        "min",
        "max",
        "min_exclusive",
        "pattern",
        "personal",
        "node",
        "hint",
        "normalise",
        "like",
    }
)


class SchemaError(ValueError):
    """The schema file says something inconsistent; the message names the table and column."""


def _column(
    spec: Mapping[str, Any],
    where: str,
    *,
    table_personal: bool,
    fmt: ExchangeFormat,
) -> Column:
    unknown = set(spec) - _COLUMN_KEYS
    if unknown:
        raise SchemaError(f"{where}: unknown attributes {sorted(unknown)}")
    base: Column | None = None
    if "like" in spec:
        tname, _, cname = str(spec["like"]).partition(".")
        base = fmt.table(tname).column(cname)
        base = replace(base, origin=f"{tname}.{cname}")
    attrs: dict[str, Any] = {k: v for k, v in spec.items() if k not in ("like", "personal")}
    personal: Any = spec.get("personal", base.personal if base else table_personal)
    if base is not None and "personal" not in spec:
        col = replace(base, **attrs)
    else:
        unless = None
        if isinstance(personal, Mapping):
            cond = personal.get("unless")
            if set(personal) != {"unless"} or not isinstance(cond, Mapping) or len(cond) != 1:
                raise SchemaError(
                    f"{where}: personal must be true, false or {{unless: {{column: [values]}}}}"
                )
            ((ccol, values),) = cond.items()
            unless = PersonalUnless(str(ccol), frozenset(str(v) for v in values))
            personal = True
        elif not isinstance(personal, bool):
            raise SchemaError(f"{where}: personal must be true, false or {{unless: ...}}, not {personal!r}")
        merged = {**({} if base is None else {f.name: getattr(base, f.name) for f in fields(base)}), **attrs}
        merged.update(personal=personal, personal_unless=unless)
        col = Column(**merged)
    if table_personal:  # every column of a personal table is personal, whatever the format's column says
        if spec.get("personal", True) is not True:
            raise SchemaError(f"{where}: every column of a personal table is personal data")
        col = replace(col, personal=True, personal_unless=None)
    if col.type not in TYPES:
        raise SchemaError(f"{where}: unknown type {col.type!r}; one of {', '.join(TYPES)}")
    if col.kind not in fmt.kinds:
        raise SchemaError(f"{where}: kind {col.kind!r} is not one of the kinds: {', '.join(fmt.kinds)}")
    if not col.help.strip():
        raise SchemaError(f"{where}: every column needs a help text")
    if col.type == "enum" and col.enum not in fmt.enums:
        raise SchemaError(f"{where}: names unknown enumeration {col.enum!r}")
    if col.node is not None and col.node not in fmt.nodes:
        raise SchemaError(f"{where}: node {col.node!r} is not one of the node kinds: {', '.join(fmt.nodes)}")
    if col.normalise is not None and col.normalise not in NORMALISERS:
        raise SchemaError(f"{where}: normalise {col.normalise!r} is not one of {', '.join(NORMALISERS)}")
    return col


def _table(name: str, spec: Mapping[str, Any], fmt: ExchangeFormat, tables: Mapping[str, Table]) -> Table:
    unknown = set(spec) - _TABLE_KEYS
    if unknown:
        raise SchemaError(f"table {name}: unknown attributes {sorted(unknown)}")
    personal = bool(spec.get("personal", False))
    cols = tuple(
        _column(c, f"column {name}.{c.get('name', c.get('like'))}", table_personal=personal, fmt=fmt)
        for c in spec["columns"]
    )
    names = {c.name for c in cols}
    parent = spec.get("parent")
    parent_key: tuple[str, ...] = ()
    if parent is not None:
        if parent not in tables:
            raise SchemaError(f"table {name}: parent {parent!r} is not a table declared before it")
        parent_key = tables[parent].key
    table = Table(
        name=name,
        columns=cols,
        key=tuple(spec.get("key", ())),
        personal=personal,
        required=bool(spec.get("required", False)),
        parent=parent,
        parent_key=parent_key,
        title=str(spec.get("title", "")),
        description=str(spec.get("description", "")).strip(),
        caption_template=str(spec.get("caption", "")),
        entity=spec.get("entity"),
        featured=tuple(spec.get("featured", ())),
        stored=fmt.stored if name in _FORMAT_TABLE_NAMES else (),
    )
    for c in cols:
        if c.hint is not None and c.hint not in names:
            raise SchemaError(f"column {name}.{c.name}: hint {c.hint!r} is not a column of {name}")
        unless = c.personal_unless
        if unless is not None:
            if unless.column not in names:
                raise SchemaError(
                    f"column {name}.{c.name}: personal unless {unless.column!r}: no such column"
                )
            allowed = fmt.enum_values(table.column(unless.column))
            if allowed and not unless.values <= set(allowed):
                raise SchemaError(
                    f"column {name}.{c.name}: {sorted(unless.values - set(allowed))} not in the enumeration"
                )
    for what, listed in (
        ("key", table.key),
        ("featured", table.featured),
        ("caption", table.caption_columns),
    ):
        missing = [c for c in listed if c not in names]
        if missing:
            raise SchemaError(f"table {name}: {what} names columns it does not have: {missing}")
    if not table.caption_template:
        raise SchemaError(f"table {name}: a table needs a caption (how one row is named to a person)")
    if table.entity is not None and table.entity not in fmt.nodes:
        raise SchemaError(f"table {name}: entity {table.entity!r} is not one of the node kinds")
    if parent_key and table.key[: len(parent_key)] != parent_key:
        raise SchemaError(f"table {name}: its key must start with its parent's key {list(parent_key)}")
    return table


def _enumeration(name: str, spec: Any) -> Enumeration:
    if isinstance(spec, Mapping):
        props = {str(v): {str(k): str(p) for k, p in (ps or {}).items()} for v, ps in spec.items()}
        for v, ps in props.items():
            if set(ps) - {"colour", "node"}:
                raise SchemaError(
                    f"enumeration {name}.{v}: unknown properties {sorted(set(ps) - {'colour', 'node'})}"
                )
        return Enumeration(name, tuple(props), props)
    return Enumeration(name, tuple(str(v) for v in spec))


_NODE_KEYS = frozenset({"plural", "colour", "help", "i2", "ftm"})


def _node_kind(name: str, spec: Mapping[str, Any]) -> NodeKind:
    """A node kind of the ``nodes`` section: a plural and a colour are required.

    >>> _node_kind("vessel", {"plural": "Vessels", "colour": "#7F7F7F"}).i2
    'Entity'
    """
    where = f"node kind {name}"
    unknown = sorted(set(spec) - _NODE_KEYS)
    if unknown:
        raise SchemaError(f"{where}: unknown attributes {unknown}; expected some of {sorted(_NODE_KEYS)}")
    for key in ("plural", "colour"):
        if not str(spec.get(key) or "").strip():
            raise SchemaError(f"{where}: no {key}")
    colour = str(spec["colour"])
    if len(colour) != 7 or colour[0] != "#" or any(c not in string.hexdigits for c in colour[1:]):
        raise SchemaError(f"{where}: colour {colour!r} is not #RRGGBB")
    return NodeKind(name, **{k: str(v) for k, v in spec.items()})


def _read_yaml(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(
        resources.files("workbench.format").joinpath(name).read_text(encoding="utf-8")
    )
    return data


#: names of the format's own tables (the store adds its columns to their rows), filled by :func:`_load`
_FORMAT_TABLE_NAMES: set[str] = set()


def _load() -> ExchangeFormat:
    raw = _read_yaml("exchange_format.yaml")
    _FORMAT_TABLE_NAMES.update(raw["tables"])
    enumerations = {k: _enumeration(k, v) for k, v in raw["enums"].items()}
    fmt = ExchangeFormat(
        tables={},
        enums={k: e.values for k, e in enumerations.items()},
        enumerations=enumerations,
        kinds={str(k): str(v) for k, v in raw["kinds"].items()},
        nodes={str(k): _node_kind(str(k), v) for k, v in raw["nodes"].items()},
        description=str(raw.get("description", "")).strip(),
        notes=str(raw.get("notes", "")).strip(),
    )
    stored = tuple(
        _column(c, f"stored column {c.get('name')}", table_personal=False, fmt=fmt) for c in raw["stored"]
    )
    fmt = replace(fmt, stored=stored)
    for name, spec in raw["tables"].items():
        fmt.tables[name] = _table(name, spec, fmt, fmt.tables)
    return fmt


FORMAT = _load()
TABLE_NAMES: tuple[str, ...] = tuple(FORMAT.tables)


@cache
def declared_tables(folder: Path | None = None) -> dict[str, Table]:
    """The tables the workbench's own features declare in ``workbench/format/tables/*.yaml`` (or the
    YAML files of ``folder``), by name.

    Each file holds ``tables:`` in the format's syntax (kind, personal, help on every column; a caption on
    every table); ``like: table.column`` takes a column of the format as it is, with the attributes
    given beside it replacing the format's. A declaration the schema cannot make sense of raises
    :class:`SchemaError` naming the file, table and column.

    >>> traffic = declared_tables()["traffic"]
    >>> traffic.column("conveyance_id").origin, traffic.column("conveyance_id").personal_unless is not None
    ('cases.conveyance_id', True)
    """
    entries = (
        sorted(folder.glob("*.yaml"))
        if folder is not None
        else sorted(resources.files("workbench.format").joinpath("tables").iterdir(), key=lambda e: e.name)
    )
    out: dict[str, Table] = {}
    for entry in entries:
        if not entry.name.endswith(".yaml"):
            continue
        raw = yaml.safe_load(entry.read_text(encoding="utf-8")) or {}
        unknown = set(raw) - {"tables"}
        if unknown:
            raise SchemaError(
                f"tables/{entry.name}: unknown sections {sorted(unknown)}; a file declares tables:"
            )
        for name, spec in raw.get("tables", {}).items():
            if name in FORMAT.tables or name in out:
                raise SchemaError(f"tables/{entry.name}: table {name!r} is declared twice")
            try:
                out[name] = _table(name, spec, FORMAT, {**FORMAT.tables, **out})
            except (KeyError, TypeError) as e:
                raise SchemaError(f"tables/{entry.name}: table {name}: {e}") from e
            except SchemaError as e:
                raise SchemaError(f"tables/{entry.name}: {e}") from e
    return out


def declared_table(name: str) -> Table:
    """One table a feature declares (see :func:`declared_tables`)."""
    try:
        return declared_tables()[name]
    except KeyError:
        raise KeyError(f"no feature declares a table {name!r}; declared: {list(declared_tables())}") from None


def any_table(name: str) -> Table:
    """A table of the exchange format or one a feature declares.

    >>> any_table("cases").caption_template, any_table("traffic").title
    ('{case_id} ({reporting_country})', 'one row per declaration or passenger movement, before and after its control')
    """
    if name in FORMAT.tables:
        return FORMAT.tables[name]
    return declared_table(name)
