"""Risk indicators: a rule (a condition tree over the fields of the data set being scored) with its
category, weight, status, people and validity.

The interchange form is a mapping per indicator (YAML or a workbook row); the condition tree ``when``
nests ``all``, ``any`` and ``not`` over leaves ``{field, op, value}``. :meth:`Indicator.from_dict`
checks everything against a :class:`~workbench.risk.fields.FieldSet` and refuses a rule that names an
unknown field, uses an operator the field's type does not allow, or gives a value of the wrong type,
with a message that names the indicator, the condition's path and what was expected.

Blanks: every leaf is false on a blank (missing) value, except ``is_blank``; so ``ne X`` does not
match a blank either, and ``not`` inverts a leaf's true/false as it is (a blank then matches
``not: {eq: X}``). Both engines (pandas and SQL) hold to this.

Examples
--------
>>> ind = Indicator.from_dict({
...     "id": "RI-017", "name": "Cocaine couriers", "category": "general_high_risk", "weight": 40,
...     "when": {"all": [{"field": "departure_country", "op": "in", "value": ["BO", "CO", "PE"]},
...                      {"field": "transport_mode", "op": "eq", "value": "air_passenger"}]}})
>>> describe(ind.when)
'departure_country in BO, CO, PE AND transport_mode = air_passenger'
>>> Indicator.from_dict({**ind.to_dict(), "when": {"field": "transit", "op": "eq", "value": "GH"}})
Traceback (most recent call last):
...
workbench.risk.model.IndicatorError: RI-017, when: field 'transit' is not a field of the traffic data (did you mean 'transit_countries'?)
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Union

from workbench.i18n import N_, _
from workbench.risk.fields import OPERATORS, Field, FieldSet, traffic_fields

__all__ = [
    "CATEGORIES",
    "STATUSES",
    "Leaf",
    "Group",
    "Not",
    "Node",
    "Indicator",
    "IndicatorError",
    "parse_condition",
    "condition_to_dict",
    "describe",
    "leaves",
    "changed_fields",
]

#: Indicator categories, as customs risk management names them.
CATEGORIES: dict[str, str] = {
    "standardised_risk_assessment": N_("Standardised risk assessment (SRA)"),
    "general_high_risk": N_("General high-risk indicator"),
    "ipr": N_("IPR risk indicator"),
}
#: Status of an indicator version: written, waiting for a second pair of eyes, in force, withdrawn.
STATUSES: tuple[str, ...] = ("draft", "in_review", "active", "retired")

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,39}$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Python-only regular-expression syntax that PostgreSQL's ~ reads differently or not at all.
_NOT_PORTABLE = (
    (
        re.compile(r"\\[bB]"),
        N_(r"\b and \B (word boundaries) mean something else in PostgreSQL; use \y or [^A-Za-z0-9_]"),
    ),
    (re.compile(r"\(\?P"), N_("named groups (?P...) are Python-only")),
    (re.compile(r"\(\?<[^=!]"), N_("named groups (?<name>...) are Python-only")),
    (re.compile(r"\(\?>"), N_("atomic groups (?>...) are Python-only")),
    (re.compile(r"\(\?#"), N_("comments (?#...) are Python-only")),
    (re.compile(r"(?<!\\)[*+?}]\+"), N_("possessive quantifiers (*+, ++, ?+) are Python-only")),
)


@dataclass(frozen=True)
class Leaf:
    """One condition: ``field op value`` (value normalised: tuples for lists, dates as dates)."""

    field: str
    op: str
    value: Any = None


@dataclass(frozen=True)
class Group:
    """``all`` (every item) or ``any`` (at least one item) of the items."""

    kind: str
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    """The item is false."""

    item: Node


Node = Union[Leaf, Group, Not]  # noqa: UP007 (a runtime alias, also used in isinstance checks)


class IndicatorError(ValueError):
    """An indicator (or a file of them) is refused; ``problems`` lists every reason found."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


# ------------------------------------------------------------------------------------ the tree
def _path(parent: str, key: str) -> str:
    return f"{parent}.{key}" if parent else key


def parse_condition(raw: Any, fields: FieldSet | None = None, where: str = "", path: str = "when") -> Node:
    """A condition tree from its interchange form, checked against ``fields``.

    Raises :class:`IndicatorError` naming ``where`` (e.g. the indicator) and the path of every bad node.

    Examples
    --------
    >>> parse_condition({"not": {"field": "hs_code", "op": "startswith", "value": ["6203", "6204"]}})
    Not(item=Leaf(field='hs_code', op='startswith', value=('6203', '6204')))
    >>> parse_condition({"field": "hs_code", "op": "startswith", "value": 6203}, where="X-1")
    Traceback (most recent call last):
    ...
    workbench.risk.model.IndicatorError: X-1, when (hs_code startswith): value 6203 is a number; hs_code is text: write it in quotes ('6203')
    """
    fields = fields or traffic_fields()
    problems: list[str] = []
    node = _parse(raw, fields, where, path, problems)
    if problems:
        raise IndicatorError(problems)
    assert node is not None
    return node


def _say(where: str, path: str, msg: str) -> str:
    return f"{where}, {path}: {msg}" if where else f"{path}: {msg}"


def _parse(raw: Any, fields: FieldSet, where: str, path: str, problems: list[str]) -> Node | None:
    if not isinstance(raw, Mapping):
        problems.append(
            _say(
                where,
                path,
                _(
                    "expected a mapping ({{all: [...]}}, {{any: [...]}}, {{not: ...}} or {{field, "
                    "op, value}}), got {name__} {raw!r}",
                    name__=type(raw).__name__,
                    raw=raw,
                ),
            )
        )
        return None
    keys = set(raw)
    combinators = keys & {"all", "any", "not"}
    if combinators:
        if len(keys) != 1:
            problems.append(
                _say(
                    where,
                    path,
                    _("a group has exactly one key (all, any or not); found {keys}", keys=sorted(keys)),
                )
            )
            return None
        kind = next(iter(combinators))
        body = raw[kind]
        if kind == "not":
            item = _parse(body, fields, where, _path(path, "not"), problems)
            return Not(item) if item is not None else None
        if not isinstance(body, list) or not body:
            problems.append(_say(where, _path(path, kind), _("expected a non-empty list of conditions")))
            return None
        items = [_parse(x, fields, where, f"{_path(path, kind)}[{k}]", problems) for k, x in enumerate(body)]
        if any(x is None for x in items):
            return None
        return Group(kind, tuple(x for x in items if x is not None))
    unknown = keys - {"field", "op", "value"}
    if unknown or not {"field", "op"} <= keys:
        problems.append(
            _say(
                where,
                path,
                _(
                    "a condition has keys field, op and value (found {keys}); a group has one key: "
                    "all, any or not",
                    keys=sorted(map(str, keys)),
                ),
            )
        )
        return None
    name, op = raw["field"], raw["op"]
    label = f"{path} ({name} {op})"
    if not isinstance(name, str) or name not in fields:
        similar = [x for x in fields.rule_fields if str(name) in x] or difflib.get_close_matches(
            str(name), fields.rule_fields, n=1
        )
        problems.append(
            _say(
                where,
                path,
                _(
                    "field {name!r} is not a field of {label} (did you mean {similar!r}?)",
                    name=name,
                    label=_(fields.label),
                    similar=similar[0],
                )
                if similar
                else _(
                    "field {name!r} is not a field of {label}; fields: {fields}",
                    name=name,
                    label=_(fields.label),
                    fields=", ".join(fields.rule_fields),
                ),
            )
        )
        return None
    f = fields[name]
    if f.outcome:
        problems.append(
            _say(
                where,
                path,
                _(
                    "field {name!r} is an outcome (known only after a control); a rule cannot use it",
                    name=name,
                ),
            )
        )
        return None
    if op not in OPERATORS:
        problems.append(
            _say(
                where,
                label,
                _("unknown operator {op!r}; operators: {operators}", op=op, operators=", ".join(OPERATORS)),
            )
        )
        return None
    if op not in f.operators:
        operators = ", ".join(f.operators)
        problems.append(
            _say(
                where,
                label,
                _(
                    "operator {op!r} does not apply to {name} ({kind}); use one of {operators} (use contains_any "
                    "for the transit list)",
                    op=op,
                    name=name,
                    kind=f.kind,
                    operators=operators,
                )
                if f.kind == "iso2_list"
                else _(
                    "operator {op!r} does not apply to {name} ({kind}); use one of {operators}",
                    op=op,
                    name=name,
                    kind=f.kind,
                    operators=operators,
                ),
            )
        )
        return None
    try:
        value = _value(f, op, raw.get("value"), "value" in raw)
    except ValueError as e:
        problems.append(_say(where, label, str(e)))
        return None
    return Leaf(name, op, value)


def _scalar(f: Field, v: Any) -> Any:
    """One value checked and normalised for field ``f``; ValueError says what was expected."""
    if v is None:
        raise ValueError(
            _(
                "a blank value; {name} needs {expects} (use is_blank to find blanks)",
                name=f.name,
                expects=_expects(f),
            )
        )
    if f.kind in ("text", "iso2", "enum", "iso2_list"):
        if isinstance(v, bool):
            raise ValueError(
                _(
                    "value {v!r} is true/false, not text; YAML reads unquoted NO, YES, ON, OFF as "
                    "true/false: quote the code (e.g. 'NO')",
                    v=v,
                )
            )
        if isinstance(v, (int, float)):
            shown = str(v)
            raise ValueError(
                _(
                    "value {v!r} is a number; {name} is text: write it in quotes ('{shown}')",
                    v=v,
                    name=f.name,
                    shown=shown,
                )
            )
        if not isinstance(v, str) or not v:
            raise ValueError(_("value {v!r} is not {expects}", v=v, expects=_expects(f)))
        if f.kind in ("iso2", "iso2_list"):
            from workbench.format.reference import country_codes

            if v not in country_codes():
                raise ValueError(
                    _(
                        "value {v!r} is not an ISO 3166-1 alpha-2 country code (did you mean {upper!r}?)",
                        v=v,
                        upper=v.upper(),
                    )
                    if v.upper() in country_codes()
                    else _("value {v!r} is not an ISO 3166-1 alpha-2 country code", v=v)
                )
        if f.kind == "enum" and f.values and v not in f.values:
            raise ValueError(_("value {v!r} is not one of {values}", v=v, values=", ".join(f.values)))
        return v
    if f.kind == "date":
        if isinstance(v, dt.datetime):
            return v.date()
        if isinstance(v, dt.date):
            return v
        if isinstance(v, str) and _ISO_DATE.match(v.strip()):
            try:
                return dt.date.fromisoformat(v.strip())
            except ValueError:
                pass
        raise ValueError(_("value {v!r} is not a date YYYY-MM-DD", v=v))
    if f.kind in ("float", "int"):
        if (
            isinstance(v, bool)
            or not isinstance(v, (int, float))
            or (isinstance(v, float) and not math.isfinite(v))
        ):
            raise ValueError(_("value {v!r} is not a number", v=v))
        return float(v)
    if f.kind == "bool":
        if not isinstance(v, bool):
            raise ValueError(_("value {v!r} is not true or false", v=v))
        return v
    raise ValueError(_("field kind {kind!r} is not supported", kind=f.kind))


def _expects(f: Field) -> str:
    if f.kind == "enum":
        return _("one of {values}", values=", ".join(f.values))
    return _(
        {
            "text": N_("text"),
            "iso2": N_("an ISO2 country code"),
            "iso2_list": N_("an ISO2 country code"),
            "date": N_("a date YYYY-MM-DD"),
            "float": N_("a number"),
            "int": N_("a number"),
            "bool": N_("true or false"),
        }[f.kind]
    )


def _as_list(raw: Any) -> list[Any]:
    return list(raw) if isinstance(raw, (list, tuple)) else [raw]


def _value(f: Field, op: str, raw: Any, given: bool) -> Any:
    if op in ("is_blank", "not_blank"):
        if given and raw not in (None, "", []):
            raise ValueError(_("{op} takes no value (found {raw!r})", op=op, raw=raw))
        return None
    if not given:
        raise ValueError(_("no value; {op} needs {expects}", op=op, expects=_(OPERATORS[op])))
    if op in ("in", "not_in", "contains_any"):
        items = _as_list(raw)
        if not items:
            raise ValueError(_("an empty list; {op} needs {expects}", op=op, expects=_(OPERATORS[op])))
        return tuple(dict.fromkeys(_scalar(f, v) for v in items))
    if op == "between":
        if not isinstance(raw, (list, tuple)) or len(raw) != 2:
            raise ValueError(
                _(
                    "value {raw!r} is not a list [low, high] of two {expects} values",
                    raw=raw,
                    expects=_expects(f),
                )
            )
        lo, hi = _scalar(f, raw[0]), _scalar(f, raw[1])
        if lo > hi:
            raise ValueError(
                _("between [{low}, {high}]: the low end is above the high end", low=raw[0], high=raw[1])
            )
        return (lo, hi)
    if op == "startswith":
        items = _as_list(raw)
        if not items:
            raise ValueError(_("an empty list; {op} needs {expects}", op=op, expects=_(OPERATORS[op])))
        return tuple(dict.fromkeys(_scalar(replace(f, kind="text"), v) for v in items))
    if op == "regex":
        if not isinstance(raw, str) or not raw:
            raise ValueError(_("value {raw!r} is not a regular expression (text)", raw=raw))
        try:
            re.compile(raw)
        except re.error as e:
            raise ValueError(
                _("value {raw!r} is not a valid regular expression ({e})", raw=raw, e=e)
            ) from None
        for rx, why in _NOT_PORTABLE:
            if rx.search(raw):
                raise ValueError(
                    _(
                        "regular expression {raw!r}: {why} (it must run in PostgreSQL too)",
                        raw=raw,
                        why=_(why),
                    )
                )
        return raw
    if isinstance(raw, (list, tuple)):
        raise ValueError(
            _(
                "value {raw!r} is a list; {op} needs {expects} (use in for a list)",
                raw=list(raw),
                op=op,
                expects=_(OPERATORS[op]),
            )
        )
    return _scalar(f, raw)


def _plain(v: Any) -> Any:
    if isinstance(v, tuple):
        return [_plain(x) for x in v]
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def condition_to_dict(node: Node) -> dict[str, Any]:
    """The interchange form of a tree (lists as lists, dates as dates, whole numbers as ints)."""
    if isinstance(node, Leaf):
        d: dict[str, Any] = {"field": node.field, "op": node.op}
        if node.op not in ("is_blank", "not_blank"):
            d["value"] = _plain(node.value)
        return d
    if isinstance(node, Not):
        return {"not": condition_to_dict(node.item)}
    return {node.kind: [condition_to_dict(x) for x in node.items]}


_OP_TEXT = {
    "eq": "=",
    "ne": "≠",
    "in": "in",
    "not_in": "not in",
    "contains_any": "contains any of",
    "between": "between",
    "gt": ">",
    "ge": "≥",
    "lt": "<",
    "le": "≤",
    "startswith": "starts with",
    "regex": "matches",
    "is_blank": "is blank",
    "not_blank": "is not blank",
}


def _value_text(v: Any) -> str:
    if isinstance(v, tuple):
        return ", ".join(_value_text(x) for x in v)
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def describe(node: Node, top: bool = True) -> str:
    """A one-line reading of a condition tree, for lists, exports and diffs."""
    if isinstance(node, Leaf):
        if node.op in ("is_blank", "not_blank"):
            return f"{node.field} {_OP_TEXT[node.op]}"
        if node.op == "between":
            return f"{node.field} between {_value_text(node.value[0])} and {_value_text(node.value[1])}"
        if node.op == "regex":
            return f"{node.field} matches /{node.value}/"
        return f"{node.field} {_OP_TEXT[node.op]} {_value_text(node.value)}"
    if isinstance(node, Not):
        return f"NOT ({describe(node.item, False)})"
    text = f" {'AND' if node.kind == 'all' else 'OR'} ".join(describe(x, False) for x in node.items)
    return text if top or len(node.items) == 1 else f"({text})"


def leaves(node: Node, path: str = "when") -> Iterator[tuple[str, Leaf]]:
    """Every leaf with its path (``when.all[1].any[0]``)."""
    if isinstance(node, Leaf):
        yield path, node
    elif isinstance(node, Not):
        yield from leaves(node.item, _path(path, "not"))
    else:
        for k, x in enumerate(node.items):
            yield from leaves(x, f"{_path(path, node.kind)}[{k}]")


# ------------------------------------------------------------------------------------ indicators
_KEYS = (
    "id",
    "name",
    "category",
    "status",
    "weight",
    "description",
    "rationale",
    "author",
    "reviewer",
    "valid_from",
    "valid_to",
    "version",
    "when",
)
#: The keys that define what an indicator does (a change to any of these is a new version).
DEFINITION_KEYS = ("name", "category", "weight", "description", "rationale", "valid_from", "valid_to", "when")


@dataclass(frozen=True)
class Indicator:
    """One risk indicator (one version of it when it comes from the store)."""

    id: str
    name: str
    category: str
    when: Node
    weight: float
    description: str = ""
    rationale: str = ""
    status: str = "draft"
    author: str | None = None
    reviewer: str | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    version: int | None = None
    meta: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any], fields: FieldSet | None = None, where: str = "") -> Indicator:
        """Check and build an indicator from its interchange form; see the module docstring.

        ``where`` prefixes messages (e.g. ``"rules.yaml, indicator 3"``); the indicator's id follows.
        """
        fields = fields or traffic_fields()
        if not isinstance(raw, Mapping):
            raise IndicatorError(
                [
                    _(
                        "{where}: expected a mapping of id, name, ..., when; got {raw!r}",
                        where=where or _("indicator"),
                        raw=raw,
                    )
                ]
            )
        ident = raw.get("id")
        who = ", ".join(x for x in (where, str(ident) if ident not in (None, "") else "") if x) or _(
            "indicator"
        )
        problems: list[str] = []

        def bad(key: str, msg: str) -> None:
            problems.append(f"{who}, {key}: {msg}")

        unknown = [k for k in raw if k not in _KEYS]
        if unknown:
            bad(
                ", ".join(map(str, unknown)),
                _("unknown key(s); an indicator has {keys}", keys=", ".join(_KEYS)),
            )
        if not isinstance(ident, str) or not _ID.match(ident):
            bad(
                "id",
                _(
                    "{ident!r} is not an id (letters, digits, '-', '_', '.'; up to 40; e.g. RI-017)",
                    ident=ident,
                ),
            )
        name = raw.get("name")
        if not isinstance(name, str) or not name.strip():
            bad("name", _("missing; a short title"))
        category = raw.get("category")
        if category not in CATEGORIES:
            bad(
                "category",
                _(
                    "{category!r} is not one of {categories}",
                    category=category,
                    categories=", ".join(CATEGORIES),
                ),
            )
        status = raw.get("status") or "draft"
        if status not in STATUSES:
            bad(
                "status",
                _("{status!r} is not one of {statuses}", status=status, statuses=", ".join(STATUSES)),
            )
        weight = raw.get("weight")
        if (
            isinstance(weight, bool)
            or not isinstance(weight, (int, float))
            or not math.isfinite(weight)
            or weight < 0
        ):
            bad("weight", _("{weight!r} is not a number >= 0", weight=weight))
        dates: dict[str, dt.date | None] = {}
        for key in ("valid_from", "valid_to"):
            v = raw.get(key)
            if v in (None, ""):
                dates[key] = None
            elif isinstance(v, dt.datetime):
                dates[key] = v.date()
            elif isinstance(v, dt.date):
                dates[key] = v
            elif isinstance(v, str) and _ISO_DATE.match(v.strip()):
                try:
                    dates[key] = dt.date.fromisoformat(v.strip())
                except ValueError:
                    bad(key, _("{v!r} is not a date YYYY-MM-DD", v=v))
            else:
                bad(key, _("{v!r} is not a date YYYY-MM-DD", v=v))
        valid_from, valid_to = dates.get("valid_from"), dates.get("valid_to")
        if valid_from and valid_to and valid_from > valid_to:
            bad(
                "valid_to",
                _("{valid_to} is before valid_from {valid_from}", valid_to=valid_to, valid_from=valid_from),
            )
        texts: dict[str, str | None] = {}
        for key in ("description", "rationale", "author", "reviewer"):
            v = raw.get(key)
            if v is not None and not isinstance(v, str):
                bad(key, _("{v!r} is not text", v=v))
            texts[key] = v.strip() if isinstance(v, str) and v.strip() else None
        version = raw.get("version")
        if version is not None and (isinstance(version, bool) or not isinstance(version, int) or version < 1):
            bad("version", _("{version!r} is not a whole number >= 1", version=version))
        when: Node | None = None
        if "when" not in raw:
            bad(
                "when",
                _("missing; the condition tree ({all: [...]}, {any: [...]}, {not: ...} or a condition)"),
            )
        else:
            sub: list[str] = []
            when = _parse(raw["when"], fields, who, "when", sub)
            problems += sub
        if problems:
            raise IndicatorError(problems)
        assert when is not None and isinstance(ident, str) and isinstance(name, str)
        assert isinstance(weight, int | float)  # checked above
        return cls(
            id=ident,
            name=name.strip(),
            category=str(category),
            when=when,
            weight=float(weight),
            description=texts["description"] or "",
            rationale=texts["rationale"] or "",
            status=str(status),
            author=texts["author"],
            reviewer=texts["reviewer"],
            valid_from=dates["valid_from"],
            valid_to=dates["valid_to"],
            version=version,
        )

    def to_dict(self, *, people: bool = True) -> dict[str, Any]:
        """The interchange form (blank optional keys left out); ``people=False`` drops status and names."""
        d: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "category": self.category,
            "status": self.status,
            "weight": _plain(self.weight),
            "description": self.description,
            "rationale": self.rationale,
            "author": self.author,
            "reviewer": self.reviewer,
            "valid_from": self.valid_from,
            "valid_to": self.valid_to,
            "version": self.version,
            "when": condition_to_dict(self.when),
        }
        if not people:
            for k in ("status", "author", "reviewer", "version"):
                d.pop(k)
        return {k: v for k, v in d.items() if v not in (None, "")}

    def definition(self) -> dict[str, Any]:
        """What the indicator does, without status, people or version: equal definitions, same rule."""
        d = self.to_dict()
        return {k: d.get(k) for k in DEFINITION_KEYS}

    def with_(self, **changes: Any) -> Indicator:
        return replace(self, **changes)

    def valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


def changed_fields(old: Indicator, new: Indicator) -> list[tuple[str, Any, Any]]:
    """(key, old, new) for every definition key that differs; the tree is compared as read.

    Examples
    --------
    >>> a = Indicator("X-1", "A", "ipr", parse_condition({"field": "hs_code", "op": "startswith", "value": "6203"}), 10)
    >>> changed_fields(a, a.with_(weight=20.0, name="B"))
    [('name', 'A', 'B'), ('weight', 10, 20)]
    """
    a, b = old.definition(), new.definition()
    out = []
    for k in DEFINITION_KEYS:
        va = describe(old.when) if k == "when" else a.get(k)
        vb = describe(new.when) if k == "when" else b.get(k)
        if va != vb:
            out.append((k, va, vb))
    return out
