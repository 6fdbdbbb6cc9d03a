"""Column and value mapping for data not already in the exchange format, kept as named YAML profiles.

A national export has its own sheet names, headers (often French or Spanish), country names instead
of codes, dates as Excel serial numbers or day-first text, and numbers with decimal commas.
:func:`suggest_mapping` reads the headers and a sample of the cells and proposes a
:class:`MappingProfile`; :func:`preview` shows the first rows as they would be imported, with the
row checks' verdict; :meth:`MappingProfile.save` writes the profile as YAML so the next file from the
same administration imports with ``workbench import PATH --mapping PROFILE.yaml``; :func:`apply_mapping`
turns the source into an exchange-format :class:`~workbench.exchange.files.RawDataset` (lazily, chunk by
chunk), which goes through the one import path (:func:`workbench.exchange.ingest.ingest_dataset`).

Source columns that the profile does not map are **kept** as extra attributes under their own name,
unless the profile lists them under ``ignore`` (an explicit, recorded choice): nothing is dropped
silently.

Examples
--------
>>> import pandas as pd
>>> from workbench.exchange.files import RawDataset, RawTable
>>> src = pd.DataFrame({"N° dossier": ["D1"], "Pays déclarant": ["France"],
...                     "Date de saisie": [45292], "Marchandise": ["cocaïne"], "Quantité": ["1,5"],
...                     "Unité": ["kilogrammes"]})
>>> raw = RawDataset("saisies.xlsx", "xlsx", {"Saisies": RawTable("Saisies", src, "saisies.xlsx", "Saisies")}, "h")
>>> profile = suggest_mapping(raw, name="douane-fr")
>>> profile.tables["cases"].columns["seizure_date"], profile.decimal
('Date de saisie', ',')
>>> mapped = apply_mapping(raw, profile)
>>> mapped.tables["cases"].frame.loc[0, ["reporting_country", "seizure_date"]].tolist()
['FR', '2024-01-01']
>>> mapped.tables["items"].frame.loc[0, ["commodity_category", "commodity_type", "quantity", "unit"]].tolist()
['drugs', 'cocaine', '1.5', 'kg']
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from connectors.derive import Derivation, parse_derivation
from workbench.exchange.files import REFUSED, ROW, DatasetReadError, RawDataset, RawTable
from workbench.exchange.rowchecks import Reason
from workbench.format.schema import FORMAT, TABLE_NAMES, Column
from workbench.i18n import N_, _

__all__ = [
    "TableMapping",
    "MappingProfile",
    "suggest_mapping",
    "apply_mapping",
    "preview",
    "Preview",
    "normalise",
    "load_profile",
    "resolve_source",
    "unknown_commodity",
    "table_spec",
    "MAPPABLE",
]

_EXCEL_EPOCH = dt.date(1899, 12, 30)
#: Excel serial day numbers taken as dates: 1954-10-14 .. 2119-01-18
_SERIAL_MIN, _SERIAL_MAX = 20_000, 80_000


def normalise(text: object) -> str:
    """Lower case, no accents, punctuation as spaces: how headers and values are compared.

    >>> normalise("  N° Dossier "), normalise("Résine_de-Cannabis"), normalise("Pays d'origine")
    ('n dossier', 'resine de cannabis', 'pays d origine')
    """
    s = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode().lower()
    s = re.sub(r"[^a-z0-9]+", " ", s)
    return " ".join(s.split())


def _data(name: str) -> Any:
    return yaml.safe_load(resources.files("connectors").joinpath(f"data/{name}").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _column_aliases() -> tuple[dict[str, list[str]], dict[str, dict[str, str]]]:
    """Table-name aliases, and per table: normalised header -> exchange column."""
    raw = _data("column_aliases.yaml")
    tables = {t: [normalise(a) for a in v] for t, v in raw["tables"].items()}
    per_table: dict[str, dict[str, str]] = {}
    for tname in MAPPABLE:
        idx: dict[str, str] = {}
        for col in table_spec(tname).column_names:
            idx.setdefault(normalise(col), col)
            for a in raw["columns"].get(col, []):
                idx.setdefault(normalise(a), col)
        per_table[tname] = idx
    return tables, per_table


@lru_cache(maxsize=1)
def _value_aliases() -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    """Per enumeration: normalised local value -> code; and local commodity name -> commodity_type."""
    raw = _data("value_aliases.yaml")
    enums: dict[str, dict[str, str]] = {}
    for enum, codes in FORMAT.enums.items():
        idx = {normalise(c): c for c in codes}
        for code, aliases in (raw["enums"].get(enum) or {}).items():
            for a in aliases:
                idx.setdefault(normalise(a), code)
        enums[enum] = idx
    from workbench.format.reference import commodities

    commod = {normalise(t): t for t in commodities()["type"]}
    for t in commodities()["type"]:
        commod.setdefault(normalise(t.replace("_", " ")), t)
    for t, aliases in raw["commodities"].items():
        for a in aliases:
            commod.setdefault(normalise(a), t)
    return enums, commod


@lru_cache(maxsize=1)
def _category_of() -> dict[str, str]:
    from workbench.format.reference import commodities

    df = commodities()
    return dict(zip(df["type"], df["category"], strict=True))


#: the expectation a cell that is not a date breaks (the quality report files its refusal there)
_DATE_CHECK = "expect_column_values_to_match_strftime_format"


def unknown_commodity(value: object) -> str:
    """Why a commodity is refused: the value quoted, with the nearest names the taxonomy knows.

    >>> "'Cocaina base': not in the taxonomy (nearest known: cocaine," in unknown_commodity("Cocaina base")
    True
    """
    import difflib

    commod = _value_aliases()[1]
    near = difflib.get_close_matches(normalise(value), list(commod), n=6, cutoff=0.6)
    names = list(dict.fromkeys(commod[n] for n in near))[:3]
    return _(
        "unknown commodity {value!r}: not in the taxonomy (nearest known: {near}); map it under 'values:' "
        "in the mapping profile",
        value=str(value),
        near=", ".join(names) + ", ..." if names else _("none close"),
    )


@dataclass(frozen=True)
class _StatisticsSpec:
    """The statistics table's columns, shaped like a format table for the mapping code."""

    columns: tuple[Column, ...]

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required_columns(self) -> list[Column]:
        return [c for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


#: The tables a mapping profile may fill: the exchange format's, and aggregate ``statistics``.
MAPPABLE = (*TABLE_NAMES, "statistics")


def table_spec(tname: str) -> Any:
    """The columns a profile's table may fill: an exchange-format table's, or the statistics'."""
    if tname == "statistics":
        from workbench.exchange.statistics import STAT_COLUMNS

        return _StatisticsSpec(STAT_COLUMNS)
    return FORMAT.table(tname)


# ---------------------------------------------------------------- the profile
@dataclass
class TableMapping:
    """How one exchange-format table is made from one source table."""

    source: str
    columns: dict[str, str] = field(default_factory=dict)  # exchange column -> source column
    constants: dict[str, Any] = field(default_factory=dict)  # exchange column -> fixed value
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # exchange column -> {local: code}
    ignore: list[str] = field(default_factory=list)  # source columns deliberately not imported
    derive: dict[str, Derivation] = field(default_factory=dict)  # exchange column -> derivation

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"source": self.source, "columns": dict(self.columns)}
        for k in ("constants", "values", "ignore"):
            v = getattr(self, k)
            if v:
                d[k] = v
        if self.derive:
            d["derive"] = {t: dv.to_dict() for t, dv in self.derive.items()}
        return d

    @property
    def source_columns(self) -> list[str]:
        """Every source column the mapping reads (mapped or read by a derivation)."""
        out = list(self.columns.values())
        for dv in self.derive.values():
            out += [c for c in dv.sources if c not in out]
        return out


@dataclass
class MappingProfile:
    """A named mapping: source tables to exchange tables, headers to columns, local values to codes.

    ``decimal`` and ``thousands`` (one or more characters) say how numbers written as text look;
    ``date_format`` how dates written as text with numbers only are read (``%d/%m/%Y``: 05/06/2024 is
    5 June); without it such a date is read only when it can be read one way (31/01/2024, in the
    order ``dayfirst`` says), and one that reads both ways (05/06/24) or only the other way is
    refused naming its row and column, never guessed; ``encoding`` the CSV files' encoding,
    ``delimiter`` their column separator (detected when not given).
    """

    name: str
    tables: dict[str, TableMapping] = field(default_factory=dict)
    decimal: str = "."
    thousands: str = ""
    dayfirst: bool = False
    date_format: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"name": self.name, "decimal": self.decimal, "thousands": self.thousands}
        d["dayfirst"] = self.dayfirst
        if self.date_format:
            d["date_format"] = self.date_format
        if self.encoding:
            d["encoding"] = self.encoding
        if self.delimiter:
            d["delimiter"] = self.delimiter
        d["tables"] = {t: m.to_dict() for t, m in self.tables.items()}
        return d

    def missing_required(self) -> dict[str, list[str]]:
        """Per table, the required columns the profile neither maps, derives nor sets."""
        out: dict[str, list[str]] = {}
        for tname, m in self.tables.items():
            missing = [
                c.name
                for c in table_spec(tname).required_columns
                if c.name not in m.columns and c.name not in m.constants and c.name not in m.derive
            ]
            if "commodity_type" in m.columns or "commodity_type" in m.derive:  # the category follows
                missing = [c for c in missing if c != "commodity_category"]
            if missing:
                out[tname] = missing
        return out

    def unmapped_notes(self) -> list[str]:
        return [
            _("{table}: required columns still unmapped: {columns}", table=t, columns=", ".join(cs))
            for t, cs in self.missing_required().items()
        ]

    def to_yaml(self) -> str:
        head = (
            f"# Mapping profile {self.name!r} for `workbench import PATH --mapping FILE`.\n"
            "# tables: exchange table -> source sheet/file/table; columns: exchange column -> source header;\n"
            "# values: local value -> code; ignore: source columns deliberately not imported (others are kept\n"
            "# as extra attributes). date_format (e.g. '%d/%m/%Y'): how dates like 05/06/2024 are read;\n"
            "# without it a date that reads both ways is refused.\n"
        )
        return head + yaml.safe_dump(self.to_dict(), allow_unicode=True, sort_keys=False)

    def save(self, path: str | Path) -> Path:
        p = Path(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(self.to_yaml(), encoding="utf-8")
        return p

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> MappingProfile:
        tables = {}
        for tname, m in (d.get("tables") or {}).items():
            if tname not in MAPPABLE:
                raise ValueError(
                    _(
                        "mapping profile: {tname!r} is not an exchange-format table nor 'statistics' "
                        "(tables: {mappable})",
                        tname=tname,
                        mappable=", ".join(MAPPABLE),
                    )
                )
            known = set(table_spec(tname).column_names)
            cols = {str(k): str(v) for k, v in (m.get("columns") or {}).items()}
            derive = {str(k): parse_derivation(str(k), v) for k, v in (m.get("derive") or {}).items()}
            unknown = sorted((set(cols) | set(derive)) - known)
            if unknown:
                raise ValueError(
                    _(
                        "mapping profile, table {tname}: not columns of the format: {unknown}",
                        tname=tname,
                        unknown=unknown,
                    )
                )
            both = sorted(set(cols) & set(derive))
            if both:
                raise ValueError(
                    _(
                        "mapping profile, table {tname}: {both} both mapped from a column and derived: keep one",
                        tname=tname,
                        both=both,
                    )
                )
            tables[tname] = TableMapping(
                source=str(m["source"]),
                columns=cols,
                constants=dict(m.get("constants") or {}),
                values={
                    str(k): {str(a): str(b) for a, b in v.items()} for k, v in (m.get("values") or {}).items()
                },
                ignore=[str(x) for x in (m.get("ignore") or [])],
                derive=derive,
            )
        date_format = d.get("date_format")
        if date_format is not None:
            date_format = str(date_format)
            try:
                dt.datetime(2024, 1, 31).strftime(date_format)
                if not {"%d", "%m"} <= set(re.findall(r"%[a-zA-Z]", date_format)):
                    raise ValueError
            except ValueError:
                raise ValueError(
                    _(
                        "date_format {date_format!r} is not a date format with %d and %m (e.g. '%d/%m/%Y')",
                        date_format=date_format,
                    )
                ) from None
        decimal = str(d.get("decimal", "."))
        if decimal not in (".", ","):
            raise ValueError(_("decimal {decimal!r} must be '.' or ','", decimal=decimal))
        return cls(
            name=str(d.get("name") or "profile"),
            tables=tables,
            decimal=decimal,
            thousands=str(d.get("thousands") or ""),
            dayfirst=bool(d.get("dayfirst", False)),
            date_format=date_format,
            encoding=d.get("encoding"),
            delimiter=str(d["delimiter"]) if d.get("delimiter") else None,
        )


def load_profile(path: str | Path) -> MappingProfile:
    """Read a profile saved by :meth:`MappingProfile.save` (or written by hand)."""
    p = Path(path)
    try:
        d = yaml.safe_load(p.read_text(encoding="utf-8"))
        return MappingProfile.from_dict(d or {})
    except FileNotFoundError:
        raise DatasetReadError(_("{p}: no such mapping profile", p=p)) from None
    except (yaml.YAMLError, ValueError, KeyError, AttributeError) as e:
        raise DatasetReadError(_("{name}: not a valid mapping profile ({e})", name=p.name, e=e)) from None


# ---------------------------------------------------------------- suggesting
def _sample_values(t: RawTable, n: int = 200) -> pd.DataFrame:
    return t.head(n)


def _looks_like_dates(s: pd.Series) -> float:
    vals = s.dropna()
    vals = vals[vals.astype(str).str.strip() != ""]
    if vals.empty:
        return 0.0
    ok = 0
    for v in vals.head(50):
        if isinstance(v, (dt.date, dt.datetime)):
            ok += 1
        elif isinstance(v, (int, float)) and _SERIAL_MIN <= float(v) <= _SERIAL_MAX:
            ok += 1
        elif isinstance(v, str) and re.match(r"^\s*\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}", v):
            ok += 1
    return ok / min(len(vals), 50)


def _looks_like_countries(s: pd.Series) -> float:
    from workbench.format.reference import to_iso2

    vals = [v for v in s.dropna().astype(str).head(50) if v.strip()]
    if not vals:
        return 0.0
    return sum(to_iso2(v) is not None for v in vals) / len(vals)


def _match_columns(header: list[str], tname: str, taken: set[str] | None = None) -> dict[str, str]:
    """Exchange column -> source header, by alias then by close spelling."""
    from rapidfuzz import fuzz, process

    per_table = _column_aliases()[1]
    idx = per_table[tname]
    out: dict[str, str] = {}
    used: set[str] = set(taken or ())
    # exact alias matches first, then fuzzy ones, so a close spelling never steals an exact header
    for h in header:
        col = idx.get(normalise(h)) or idx.get(header_unit(h)[0])
        if col and col not in out and h not in used:
            out[col] = h
            used.add(h)
    choices = list(idx)
    for h in header:
        if h in used:
            continue
        hit = process.extractOne(normalise(h), choices, scorer=fuzz.ratio, score_cutoff=88)
        if hit and idx[hit[0]] not in out:
            out[idx[hit[0]]] = h
            used.add(h)
    return out


_HEADER_UNIT = re.compile(
    r"^(.*?)\s*\b(?:in\s+)?(lbs|lb|pounds|pound|oz|ounces|ounce|kg|kgs|kilos|kilograms|kilogrammes|g|gr|grams|"
    r"grammes|t|tonnes|tons|tonne|mg|milligrams)$"
)


def header_unit(header: object) -> tuple[str, str | None]:
    """A header's words without a trailing unit, and that unit as the derivation vocabulary names it.

    >>> header_unit("Sum Qty (lbs)"), header_unit("Weight in kg"), header_unit("Quantity")
    (('sum qty', 'lb'), ('weight', 'kg'), ('quantity', None))
    """
    from connectors.derive import _UNIT_ALIASES

    n = normalise(header)
    m = _HEADER_UNIT.match(n)
    if not m or not m.group(1):
        return n, None
    unit = m.group(2)
    unit = {
        "gr": "g",
        "grammes": "g",
        "kilos": "kg",
        "kilograms": "kg",
        "kilogrammes": "kg",
        "milligrams": "mg",
        "tonne": "t",
    }.get(unit, _UNIT_ALIASES.get(unit, unit))
    return m.group(1), unit


_FY_HEADERS = {"fy", "fiscal year", "fiscal yr", "fy year", "financial year", "exercice", "ejercicio fiscal"}
_MONTH_HEADERS = {"month", "month abbv", "month name", "mois", "mes", "month of seizure"}
_YEAR_HEADERS = {"year", "calendar year", "cy", "annee", "ano", "reporting year", "year of seizure"}
_DAY_HEADERS = {"day", "jour", "dia", "day of month"}


def _time_columns(t: RawTable) -> dict[str, str]:
    """Source columns that hold a fiscal year, a year, a month or a day (by header, then by cells)."""
    from connectors.derive import _year, month_number

    out: dict[str, str] = {}
    sample = _sample_values(t, 50)
    for h in t.columns:
        n = normalise(h)
        cells = [v for v in sample[h].dropna().tolist() if str(v).strip()]
        fy_cells = bool(cells) and all(re.fullmatch(r"(?i)\s*fy\s?\d{2,4}\s*", str(v)) for v in cells)
        if "fiscal_year" not in out and (n in _FY_HEADERS or fy_cells):
            out["fiscal_year"] = h
        elif "year" not in out and n in _YEAR_HEADERS and all(_year(v) for v in cells):
            out["year"] = h
        elif (
            "month" not in out
            and (n in _MONTH_HEADERS or n.startswith("month "))
            and all(month_number(v) for v in cells)
        ):
            out["month"] = h
        elif "day" not in out and n in _DAY_HEADERS:
            out["day"] = h
    return out


def _quantity_unit(m: TableMapping, profile: MappingProfile, tname: str) -> None:
    """A quantity header that names its unit ("Sum Qty (lbs)"): converted to kg when the format has no
    such unit, else the unit taken as a constant; said in the notes."""
    h = m.columns.get("quantity")
    if h is None:
        return
    unit = header_unit(h)[1]
    if unit is None:
        return
    if unit in ("lb", "oz", "t", "mg"):
        del m.columns["quantity"]
        m.derive["quantity"] = parse_derivation(
            "quantity", {"convert": {"column": h, "from": unit, "to": "kg"}}
        )
        m.constants["unit"] = "kg"
        profile.notes.append(
            _("{table}.quantity: {header!r} is in {unit}: converted to kg", table=tname, header=h, unit=unit)
        )
    elif "unit" not in m.columns:
        m.constants["unit"] = unit
        profile.notes.append(
            _("{table}.unit: {unit} (named in the header {header!r})", table=tname, unit=unit, header=h)
        )


def _suggest_statistics(source: RawDataset, src_name: str, name: str) -> MappingProfile:
    """A profile for a table of aggregate statistics (a count of seizure events per period and place)."""
    profile = MappingProfile(name=name)
    t = source.tables[src_name]
    times = _time_columns(t)
    cols = _match_columns([h for h in t.columns if h not in times.values()], "statistics")
    if "period" in cols and "year" not in times:
        times["year"] = cols.pop("period")
    cols.pop("period", None)
    m = TableMapping(source=src_name, columns=cols)
    if "fiscal_year" in times and "month" in times:
        m.derive["period"] = parse_derivation(
            "period",
            {"period": {"fiscal_year": times["fiscal_year"], "month": times["month"], "start_month": 10}},
        )
        profile.notes.append(
            _(
                "statistics.period: fiscal year {year!r} and month {month!r}; the fiscal year is taken to "
                "start in October (the US federal one): change start_month if yours does not",
                year=times["fiscal_year"],
                month=times["month"],
            )
        )
    elif "year" in times:
        spec: dict[str, Any] = {"year": times["year"]}
        if "month" in times:
            spec["month"] = times["month"]
        m.derive["period"] = parse_derivation("period", {"period": spec})
    elif "fiscal_year" in times:
        profile.notes.append(
            _(
                "statistics.period: {year!r} is a fiscal year without a month: map the period by hand",
                year=times["fiscal_year"],
            )
        )
    _quantity_unit(m, profile, "statistics")
    sample = _sample_values(t)
    if "reporting_country" not in m.columns:
        free = [h for h in t.columns if h not in m.source_columns and h not in times.values()]
        share = {h: _looks_like_countries(sample[h]) for h in free}
        hit = max(free, key=share.__getitem__, default=None)
        if hit is not None and share[hit] >= 0.8:
            m.columns["reporting_country"] = hit
            profile.notes.append(
                _("statistics.reporting_country: taken from {header!r} (its cells are countries)", header=hit)
            )
    m.ignore = [h for h in t.columns if h not in m.source_columns]
    if m.ignore:
        profile.notes.append(
            _(
                "statistics: columns not imported (a statistic has no extra attributes): {columns}",
                columns=", ".join(m.ignore),
            )
        )
    profile.tables["statistics"] = m
    profile.decimal, profile.thousands = _detect_numbers(
        [sample[h] for h in (m.columns.get("events"), m.columns.get("quantity")) if h]
    )
    profile.notes += profile.unmapped_notes()
    return profile


def _table_for_source(src_name: str) -> str | None:
    tables = _column_aliases()[0]
    n = normalise(src_name)
    for tname, aliases in tables.items():
        if n in aliases:
            return tname
    return None


def _detect_numbers(samples: list[pd.Series]) -> tuple[str, str]:
    """Decimal and thousands separators used by numbers written as text."""
    comma_dec = dot_dec = space_thou = dot_thou = comma_thou = 0
    for s in samples:
        # only text tells the separators: numbers held as numbers have none
        for v in [x for x in s.dropna().head(100) if isinstance(x, str)]:
            v = v.strip().replace("\u00a0", " ").replace("\u202f", " ")
            if re.fullmatch(r"-?\d{1,3}(\.\d{3})+,\d+", v):
                comma_dec += 1
                dot_thou += 1
            elif re.fullmatch(r"-?\d{1,3}( \d{3})+(,\d+)?", v):
                space_thou += 1
                comma_dec += "," in v
            elif re.fullmatch(r"-?\d+,\d+", v):
                comma_dec += 1
            elif re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?", v):
                comma_thou += 1
                dot_dec += "." in v
            elif re.fullmatch(r"-?\d{1,3}(\.\d{3})+", v):
                dot_thou += 1  # "1.600": thousands in French, a decimal in English; the others decide
            elif re.fullmatch(r"-?\d+\.\d+", v):
                dot_dec += 1
    if comma_dec > dot_dec:
        # French-style numbers mix "1 200,75" and "75.000,00": both are thousands separators then
        return ",", ("." if dot_thou else "") + (" " if space_thou else "")
    return ".", ("," if comma_thou else "") + (" " if space_thou else "")


def _detect_date_order(samples: list[pd.Series]) -> tuple[bool, str | None, str | None]:
    """Day-first or not, the ``date_format`` the sample proves (or None), and a note when it proves none.

    A format is proposed only when some dates can be read one way only (31/01/2024) and none only the
    other way; a sample of both orders, or of ambiguous dates only, gets no format and a note.

    >>> _detect_date_order([pd.Series(["31/01/2024", "05/06/2024"])])[:2]
    (True, '%d/%m/%Y')
    >>> _detect_date_order([pd.Series(["02/01/2024", "01/13/2024", "13/01/2024"])])[1] is None
    True
    """
    first_big = second_big = 0
    forms: set[tuple[str, int]] = set()
    for s in samples:
        for v in s.dropna().head(200):
            if not isinstance(v, str):
                continue
            m = _NUMERIC_DATE.match(v.strip())
            if m:
                first_big += int(m.group(1)) > 12
                second_big += int(m.group(3)) > 12
                forms.add((m.group(2), len(m.group(4))))
    dayfirst = first_big >= second_big and first_big > 0 or (first_big == 0 and second_big == 0)
    if not forms:
        return dayfirst, None, None
    if first_big and second_big:
        return (
            dayfirst,
            None,
            _(
                "dates are written both day first and month first in one column: rows that read both "
                "ways will be refused; name the order with date_format if one is right"
            ),
        )
    if len(forms) == 1 and (first_big or second_big):
        ((sep, digits),) = forms
        year = "%Y" if digits == 4 else "%y"
        return dayfirst, sep.join(["%d", "%m", year] if first_big else ["%m", "%d", year]), None
    return (
        dayfirst,
        None,
        _(
            "no date in the sample says whether day or month comes first: dates like 05/06/2024 will be "
            "refused until date_format names the order (e.g. %d/%m/%Y)"
        ),
    )


def suggest_mapping(source: RawDataset, name: str = "profile") -> MappingProfile:
    """Propose a profile from the source's table names, headers and a sample of its cells.

    Headers are matched to exchange columns through the aliases in ``workbench/format/data/
    column_aliases.yaml`` (English, French, Spanish) and by close spelling; unmatched required
    columns are looked for by content (dates, country names). A single source table that also
    holds commodity columns yields both ``cases`` and ``items`` (one item per row).
    """
    for src_name, t in source.tables.items():
        # a count of seizure events and no case reference: aggregate statistics, not cases
        found = _match_columns(t.columns, "statistics")
        case_cols = _match_columns(t.columns, "cases")
        if "case_id" in case_cols:
            continue
        times = _time_columns(t)
        per_period = bool({"year", "fiscal_year"} & set(times)) and "seizure_date" not in case_cols
        if "events" in found or (per_period and "quantity" in found):
            # a count of events, or quantities per year, and no case reference: statistics, not cases
            return _suggest_statistics(source, src_name, name)
    profile = MappingProfile(name=name)
    assigned: dict[str, str] = {}
    for src_name in source.tables:
        tname = _table_for_source(src_name)
        if tname and tname not in assigned:
            assigned[tname] = src_name
    if "cases" not in assigned:
        # the table whose headers match the most case columns
        best = max(
            source.tables,
            key=lambda s: len(_match_columns(source.tables[s].columns, "cases")),
            default=None,
        )
        if best is None:
            raise DatasetReadError(_("{path}: no table to map", path=Path(source.path).name))
        assigned["cases"] = best
    if "items" not in assigned:
        cases_src = source.tables[assigned["cases"]]
        item_cols = _match_columns(cases_src.columns, "items")
        if {"commodity_type", "quantity"} <= set(item_cols) or {"commodity_category", "quantity"} <= set(
            item_cols
        ):
            assigned["items"] = assigned["cases"]

    samples: list[pd.Series] = []
    for tname in TABLE_NAMES:
        if tname not in assigned:
            continue
        src = source.tables[assigned[tname]]
        sample = _sample_values(src)
        header = src.columns
        cols = _match_columns(header, tname)
        if tname != "cases" and assigned[tname] == assigned["cases"]:
            # children made from the cases' own rows share the case key columns
            case_cols = profile.tables["cases"].columns
            for k in ("case_id", "reporting_country"):
                if k in case_cols:
                    cols[k] = case_cols[k]
            cols = {
                k: v
                for k, v in cols.items()
                if k in ("case_id", "reporting_country") or v not in case_cols.values()
            }
        mapping = TableMapping(source=assigned[tname], columns=cols)
        # content: required dates and countries not found by header
        free = [h for h in header if h not in cols.values()]
        for col in table_spec(tname).columns:
            if col.name in cols or not free:
                continue
            if col.type == "date" and col.required:
                share = {h: _looks_like_dates(sample[h]) for h in free}
                hit = max(free, key=share.__getitem__)
                if share[hit] >= 0.8:
                    cols[col.name] = hit
                    free.remove(hit)
                    profile.notes.append(
                        _(
                            "{table}.{column}: taken from {header!r} (its cells are dates)",
                            table=tname,
                            column=col.name,
                            header=hit,
                        )
                    )
            elif col.type == "iso2" and col.required:
                share = {h: _looks_like_countries(sample[h]) for h in free}
                hit = max(free, key=share.__getitem__)
                if share[hit] >= 0.8:
                    cols[col.name] = hit
                    free.remove(hit)
                    profile.notes.append(
                        _(
                            "{table}.{column}: taken from {header!r} (its cells are countries)",
                            table=tname,
                            column=col.name,
                            header=hit,
                        )
                    )
        if "case_id" not in cols and tname == "cases":
            # no case reference in the file: each row is its own case, named by its row
            prefix = normalise(Path(assigned[tname]).stem).replace(" ", "-").upper()[:20] + "-"
            mapping.derive["case_id"] = parse_derivation("case_id", {"row_number": {"prefix": prefix}})
            profile.notes.append(
                _(
                    "cases.case_id: none in the file: each row is one case, named {prefix}<row number>",
                    prefix=prefix,
                )
            )
        elif (
            tname != "cases"
            and "case_id" not in cols
            and "case_id" in profile.tables["cases"].derive
            and assigned[tname] == assigned["cases"]
        ):
            mapping.derive["case_id"] = profile.tables["cases"].derive["case_id"]
            if "reporting_country" not in cols and "reporting_country" in profile.tables["cases"].constants:
                mapping.constants["reporting_country"] = profile.tables["cases"].constants[
                    "reporting_country"
                ]
        if tname == "cases" and "seizure_date" not in cols:
            times = _time_columns(src)
            y = times.get("fiscal_year") or times.get("year")
            if y and "month" in times:
                spec: dict[str, Any] = {"fiscal_year" if "fiscal_year" in times else "year": y}
                spec["month"] = times["month"]
                spec["day"] = times.get("day", 1)
                if "fiscal_year" in times:
                    spec["start_month"] = 10
                mapping.derive["seizure_date"] = parse_derivation("seizure_date", {"date": spec})
                fiscal, columns = "fiscal_year" in times, ", ".join(repr(v) for v in times.values())
                if "day" in times:
                    note = (
                        _(
                            "cases.seizure_date: from {columns}; fiscal year taken to start in October",
                            columns=columns,
                        )
                        if fiscal
                        else _("cases.seizure_date: from {columns}", columns=columns)
                    )
                else:
                    note = (
                        _(
                            "cases.seizure_date: from {columns}; no day in the file: the 1st of the month, as the "
                            "profile says; fiscal year taken to start in October",
                            columns=columns,
                        )
                        if fiscal
                        else _(
                            "cases.seizure_date: from {columns}; no day in the file: the 1st of the month, as the "
                            "profile says",
                            columns=columns,
                        )
                    )
                profile.notes.append(note)
            elif y:
                profile.notes.append(
                    _(
                        "cases.seizure_date: only a year ({year!r}): not taken as a date; derive it by hand if the "
                        "1st of January is meant, or import the file as statistics",
                        year=y,
                    )
                )
        if tname == "items":
            _quantity_unit(mapping, profile, tname)
        if tname == "items" and "item_no" not in cols:
            mapping.constants["item_no"] = 1
        # local values of enumerations that the alias tables do not know: left for the user
        enums = _value_aliases()[0]
        for col_name, h in cols.items():
            col = table_spec(tname).column(col_name)
            if col.type == "enum" and col.enum:
                unknown = {
                    str(v)
                    for v in sample[h].dropna().astype(str).unique()[:50]
                    if v.strip() and _enum_value(v, enums[col.enum], {}) is None
                }
                if unknown:
                    profile.notes.append(
                        _(
                            "{table}.{column}: values not recognised (map them under 'values'): {values}",
                            table=tname,
                            column=col_name,
                            values=", ".join(sorted(unknown)[:10]),
                        )
                    )
            if col.type in ("float", "int"):
                samples.append(sample[h])
            if col.type == "date":
                samples.append(sample[h])
        profile.tables[tname] = mapping
    profile.decimal, profile.thousands = _detect_numbers(
        [s for s in samples if s.dtype == object or pd.api.types.is_string_dtype(s)]
    )
    profile.dayfirst, profile.date_format, date_note = _detect_date_order(samples)
    if date_note:
        profile.notes.append(date_note)
    profile.notes += profile.unmapped_notes()
    return profile


# ---------------------------------------------------------------- applying
def _enum_value(v: str, idx: dict[str, str], explicit: dict[str, str]) -> str | None:
    if v in explicit:
        return explicit[v]
    n = normalise(v)
    for k, code in explicit.items():
        if normalise(k) == n:
            return code
    if n in idx:
        return idx[n]
    n2 = n.replace(" ", "_")
    return idx.get(n2)


def _to_number_text(s: pd.Series, decimal: str, thousands: str) -> pd.Series:
    def conv(v: Any) -> Any:
        if v is None or isinstance(v, (int, float)) and not isinstance(v, bool):
            return v
        t = str(v).strip().replace("\u00a0", " ").replace("\u202f", " ")
        if not t:
            return t
        for ch in thousands:
            t = t.replace(ch, "")
        t = t.replace(" ", "")
        if decimal != ".":
            t = t.replace(decimal, ".")
        return t

    return s.map(conv)


_BARE_YEAR = N_(
    "a year (or a year and month) alone is not a date: derive the date in the mapping profile, e.g. "
    "derive: {seizure_date: {date: {year: COLUMN, month: 1, day: 1}}} if the 1st is meant"
)

#: A date written with numbers only, day and month in either order: ``05/06/2024``, ``31.01.24``.
_NUMERIC_DATE = re.compile(r"^(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})$")


def _numeric_date(a: int, b: int, year: str, dayfirst: bool) -> tuple[str | None, str | None]:
    """The ISO date of ``a/b/year`` read in the order ``dayfirst`` says, or why it is refused."""
    y = int(year) if len(year) == 4 else dt.datetime.strptime(year, "%y").year
    if a != b and a <= 12 and b <= 12:
        return None, _(
            "ambiguous date: day and month can be read either way; name the order with date_format "
            "in the mapping profile (e.g. %d/%m/%Y)"
        )
    day, month = (a, b) if dayfirst else (b, a)
    try:
        return dt.date(y, month, day).isoformat(), None
    except ValueError:
        pass
    try:
        dt.date(y, day, month)  # it reads the other way round: the column mixes both orders
    except ValueError:
        return None, Reason(_("not a date"), _DATE_CHECK)
    order = _("day first") if dayfirst else _("month first")
    return None, _(
        "date written in the other order than the profile's ({order}); name the order with date_format "
        "in the mapping profile, or correct the cell",
        order=order,
    )


def _to_date_text(
    s: pd.Series, dayfirst: bool, date_format: str | None = None
) -> tuple[pd.Series, pd.Series]:
    """Dates as ISO text, and per cell None or why it was refused (never read both ways).

    >>> v, why = _to_date_text(pd.Series(["31/01/2024", "05/06/24", "01/13/2024"]), dayfirst=True)
    >>> v.tolist()[0], [w is not None for w in why]
    ('2024-01-31', [False, True, True])
    >>> _to_date_text(pd.Series(["05/06/24"]), dayfirst=True, date_format="%m/%d/%y")[0].tolist()
    ['2024-05-06']
    """
    cache: dict[Any, tuple[Any, str | None]] = {}

    def conv(v: Any) -> tuple[Any, str | None]:
        if v is None or isinstance(v, str) and not v.strip():
            return v, None
        if isinstance(v, dt.datetime):
            return v.date().isoformat(), None
        if isinstance(v, dt.date):
            return v.isoformat(), None
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            if _SERIAL_MIN <= float(v) <= _SERIAL_MAX:
                return (_EXCEL_EPOCH + dt.timedelta(days=int(float(v)))).isoformat(), None
            if float(v).is_integer() and 1000 <= v <= 2999:
                return None, _(_BARE_YEAR)
            return str(v), None
        t = str(v).strip()
        if t in cache:
            return cache[t]
        out: tuple[Any, str | None] = (t, None)
        if re.fullmatch(r"\d{4}(\.0+)?|\d{4}[-/]\d{1,2}", t):
            out = (None, _(_BARE_YEAR))  # never silently the 1st of January (or of the month)
        elif re.fullmatch(r"\d{5}(\.0+)?", t) and _SERIAL_MIN <= float(t) <= _SERIAL_MAX:
            out = ((_EXCEL_EPOCH + dt.timedelta(days=int(float(t)))).isoformat(), None)
        elif m := re.match(r"^(\d{4}-\d{2}-\d{2})(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$", t):
            out = (m.group(1), None)  # ISO 8601 is never day-first
        elif date_format and _NUMERIC_DATE.match(t):
            try:
                out = (dt.datetime.strptime(t, date_format).date().isoformat(), None)
            except ValueError:
                out = (
                    None,
                    Reason(
                        _("not a date in the profile's date_format {format}", format=date_format), _DATE_CHECK
                    ),
                )
        elif m := _NUMERIC_DATE.match(t):
            out = _numeric_date(int(m.group(1)), int(m.group(3)), m.group(4), dayfirst)
        else:
            try:
                ts = pd.to_datetime(t, dayfirst=dayfirst)
                out = (ts.date().isoformat(), None)
            except (ValueError, OverflowError, TypeError):
                out = (t, None)
        cache[t] = out
        return out

    pairs = [conv(v) for v in s.tolist()]
    return (
        pd.Series([p[0] for p in pairs], index=s.index, dtype=object),
        pd.Series([p[1] for p in pairs], index=s.index, dtype=object),
    )


def _map_column(
    s: pd.Series,
    col: Column,
    profile: MappingProfile,
    explicit: dict[str, str],
    refused: dict[int, str] | None = None,
) -> pd.Series:
    """One source column as the exchange column ``col``; ``refused`` gets the position and reason of
    each cell that cannot be taken (an ambiguous date)."""
    refused = {} if refused is None else refused
    enums, commod = _value_aliases()
    as_written: set[str] = set()
    if explicit and col.type not in ("enum",):
        s = s.map(lambda v: explicit.get(str(v), explicit.get(str(v).strip(), v)) if v is not None else v)
        as_written = set(explicit.values())  # a value the profile maps stays as the profile writes it
    if col.type in ("iso2", "iso2_list"):
        from workbench.format.reference import to_iso2

        cache: dict[str, Any] = {}

        def one(v: Any) -> Any:
            if v is None or not str(v).strip():
                return v
            t = str(v).strip()
            if t not in cache:
                if col.type == "iso2_list":
                    parts = [p for p in re.split(r"[;,/|]", t) if p.strip()]
                    codes = [c for c in map(to_iso2, parts) if c]
                    cache[t] = ";".join(codes) if len(codes) == len(parts) else t
                else:
                    cache[t] = to_iso2(t) or t
            return cache[t]

        return s.map(one)
    if col.type == "date":
        values, why = _to_date_text(s, profile.dayfirst, profile.date_format)
        refused.update({i: w for i, w in zip(range(len(s)), why.tolist(), strict=True) if w})
        return values
    if col.type in ("float", "int"):
        return _to_number_text(s, profile.decimal, profile.thousands)
    if col.type == "enum" and col.enum:
        idx = enums[col.enum]
        cache2: dict[str, Any] = {}

        def en(v: Any) -> Any:
            if v is None or not str(v).strip():
                return v
            t = str(v).strip()
            if t not in cache2:
                cache2[t] = _enum_value(t, idx, explicit) or t
            return cache2[t]

        return s.map(en)
    if col.name == "commodity_type":
        cache3: dict[Any, Any] = {}

        def commodity(v: Any) -> Any:
            if v is None or not str(v).strip() or v in as_written:
                return v
            if v not in cache3:
                cache3[v] = commod.get(normalise(v), str(v).strip().lower().replace(" ", "_"))
            return cache3[v]

        return s.map(commodity)
    return s


def _map_chunk(
    chunk: pd.DataFrame, tname: str, m: TableMapping, profile: MappingProfile, extra: list[str]
) -> pd.DataFrame:
    spec = table_spec(tname)
    out: dict[str, Any] = {ROW: chunk[ROW].to_numpy()}
    refusals: list[dict[str, str] | None] = [None] * len(chunk)
    for col in spec.columns:
        if col.name in m.columns:
            src = m.columns[col.name]
            if src not in chunk.columns:
                continue
            refused: dict[int, str] = {}
            out[col.name] = _map_column(
                chunk[src], col, profile, m.values.get(col.name, {}), refused
            ).to_numpy()
            for i, reason in refused.items():
                refusals[i] = {**(refusals[i] or {}), col.name: reason}
        elif col.name in m.derive:
            values, why = m.derive[col.name].apply(chunk, chunk[ROW])
            refused = {i: w for i, w in enumerate(why.tolist()) if w}
            out[col.name] = _map_column(values, col, profile, m.values.get(col.name, {}), refused).to_numpy()
            for i, reason in refused.items():
                refusals[i] = {**(refusals[i] or {}), col.name: reason}
        elif col.name in m.constants:
            out[col.name] = [m.constants[col.name]] * len(chunk)
    frame = pd.DataFrame(out, index=chunk.index)
    if "commodity_type" in frame.columns and (
        "commodity_category" not in frame.columns
        or frame["commodity_category"].isna().all()
        or "commodity_category" not in m.columns
    ):
        cats = _category_of()
        derived = frame["commodity_type"].map(lambda t: cats.get(str(t)) if t is not None else None)
        if "commodity_category" in frame.columns:
            frame["commodity_category"] = frame["commodity_category"].where(
                frame["commodity_category"].notna() & (frame["commodity_category"].astype(str) != ""), derived
            )
        else:
            frame["commodity_category"] = derived
        # a commodity the taxonomy does not know is said as such, never as a blank category
        src_col = m.columns.get("commodity_type")
        unknown = frame["commodity_type"].notna() & derived.isna() & frame["commodity_category"].isna()
        for j in np.flatnonzero(unknown.to_numpy(dtype=bool)):
            written = chunk[src_col].iloc[j] if src_col in chunk.columns else frame["commodity_type"].iloc[j]
            refusals[j] = {**(refusals[j] or {}), "commodity_type": unknown_commodity(written)}
    for c in extra:
        if c in chunk.columns and c not in frame.columns:
            frame[c] = chunk[c].to_numpy()  # kept as an extra attribute
    if any(refusals):
        frame[REFUSED] = pd.Series(refusals, index=frame.index, dtype=object)
    return frame


def _case_keys(frame: pd.DataFrame) -> pd.Series:
    rc = frame["reporting_country"].astype("string") if "reporting_country" in frame else ""
    return rc + "\x1f" + frame["case_id"].astype("string").str.strip()


def _case_conflicts(
    src: RawTable, m: TableMapping, profile: MappingProfile, rows: int
) -> dict[str, tuple[int, int, list[str]]]:
    """Case keys whose rows disagree on a case column: key -> (first row, disagreeing row, columns).

    Read before the cases are given out, so that every row of such a case is refused, none merged.
    """
    compare = [
        c
        for c in FORMAT.table("cases").column_names
        if c not in ("case_id", "reporting_country") and (c in m.columns or c in m.derive)
    ]
    first: dict[str, tuple[int, tuple[str, ...]]] = {}
    conflicts: dict[str, tuple[int, int, list[str]]] = {}
    for chunk in src.iter_chunks(rows):
        frame = _map_chunk(chunk, "cases", m, profile, [])
        if "case_id" not in frame.columns:
            return {}
        keys = _case_keys(frame)
        vals = frame.reindex(columns=compare).astype("string").fillna("")
        for k, r, named in zip(keys.tolist(), frame[ROW].tolist(), vals.itertuples(index=False), strict=True):
            if k is pd.NA or k is None or k in conflicts:
                continue
            rec = tuple(named)
            seen = first.get(k)
            if seen is None:
                first[k] = (int(r), rec)
            elif seen[1] != rec:
                cols = [c for c, a, b in zip(compare, seen[1], rec, strict=True) if a != b]
                conflicts[k] = (seen[0], int(r), cols)
    return conflicts


def _mapped_table(
    src: RawTable,
    tname: str,
    m: TableMapping,
    profile: MappingProfile,
    extra: list[str],
    per_item: bool = False,
) -> RawTable:
    """``per_item``: the source has one row per item with the case's columns repeated (cases and items
    from one sheet): a case is taken from its first row, and items are numbered within their case.

    Rows of one case key that disagree on a case column are never merged: every row of that case is
    refused, naming the first two rows that disagree and the columns they disagree on (the items of
    such a case are then refused as having no case).
    """
    missing = [c for c in m.source_columns if c not in src.columns]
    if missing:
        raise DatasetReadError(
            _(
                "{where}: the mapping profile {profile!r} names columns this file does not have: {missing} "
                "(its columns: {columns})",
                where=src.where,
                profile=profile.name,
                missing=", ".join(repr(c) for c in missing),
                columns=", ".join(src.columns[:30]),
            )
        )

    def chunks(rows: int) -> Iterator[pd.DataFrame]:
        seen: dict[str, int] = {}  # case key -> items so far (per reading of the source)
        conflicts = _case_conflicts(src, m, profile, rows) if tname == "cases" else {}
        for chunk in src.iter_chunks(rows):
            frame = _map_chunk(chunk, tname, m, profile, extra)
            if tname == "cases" and conflicts and "case_id" in frame.columns:
                keys = _case_keys(frame)
                clash = keys.isin(conflicts.keys()).fillna(False).to_numpy(dtype=bool)
                if clash.any():
                    reasons = list(frame[REFUSED]) if REFUSED in frame.columns else [None] * len(frame)
                    for i in np.flatnonzero(clash):
                        a, b, cols = conflicts[keys.iloc[i]]
                        reasons[i] = {
                            "case_id": _(
                                "rows {a} and {b} have the same case key but different {columns}: the case "
                                "is refused, not merged (rows that are items of one case must agree on "
                                "the case's columns)",
                                a=a,
                                b=b,
                                columns=", ".join(cols),
                            )
                        }
                    frame[REFUSED] = pd.Series(reasons, index=frame.index, dtype=object)
                    # every row of a refused case is kept, so that each is refused and named
                    keys = keys.where(~clash, keys + "\x1e" + frame[ROW].astype("string"))
                if per_item:
                    first = ~keys.duplicated() & ~keys.isin(seen.keys())
                    seen.update(dict.fromkeys(keys[first].dropna(), 1))
                    frame = frame.loc[first.fillna(True).to_numpy()]
            elif per_item and "case_id" in frame.columns:
                keys = _case_keys(frame)
                if tname == "cases":
                    first = ~keys.duplicated() & ~keys.isin(seen.keys())
                    seen.update(dict.fromkeys(keys[first].dropna(), 1))
                    frame = frame.loc[first.fillna(True).to_numpy()]
                elif "item_no" not in m.columns:
                    numbers = []
                    for k in keys:
                        seen[k] = seen.get(k, 0) + 1
                        numbers.append(seen[k])
                    frame["item_no"] = numbers
            yield frame

    cols = [
        c for c in table_spec(tname).column_names if c in m.columns or c in m.constants or c in m.derive
    ] + extra
    return RawTable(
        tname,
        None,
        src.file,
        src.sheet,
        chunks=chunks,
        columns=cols,
        approx_rows=src.approx_rows,
        header_row=src.header_row,
    )


def resolve_source(source: RawDataset, m: TableMapping) -> str | None:
    """The table of ``source`` a table mapping reads: its ``source`` by name (any case), else by glob
    (``seizures-*``), else the one table that has every column the mapping reads ("any file with these
    columns"), so one profile serves next year's file too.

    >>> from workbench.exchange.files import RawTable
    >>> raw = RawDataset("fy2021.csv", "csv", {"fy2021": RawTable("fy2021", pd.DataFrame({"FY": [2021]}))}, "h")
    >>> resolve_source(raw, TableMapping("fy2020", columns={"case_id": "FY"}))
    'fy2021'
    """
    import fnmatch

    if m.source in source.tables:
        return m.source
    by_lower = {k.strip().lower(): k for k in source.tables}
    want = m.source.strip().lower()
    if want in by_lower:
        return by_lower[want]
    globbed = [k for low, k in by_lower.items() if fnmatch.fnmatchcase(low, want)]
    if len(globbed) == 1:
        return globbed[0]
    needed = set(m.source_columns)
    fits = [k for k, t in source.tables.items() if needed and needed <= set(t.columns)]
    return fits[0] if len(fits) == 1 else None


def apply_mapping(source: RawDataset, profile: MappingProfile) -> RawDataset:
    """The source as an exchange-format data set, mapped chunk by chunk when imported."""
    if "cases" not in profile.tables and "statistics" not in profile.tables:
        raise DatasetReadError(
            _(
                "mapping profile {name!r} does not say where the cases (or the statistics) are",
                name=profile.name,
            )
        )
    tables: dict[str, RawTable] = {}
    notices = list(source.notices)
    resolved: dict[str, str] = {}
    for tname, m in profile.tables.items():
        key = resolve_source(source, m)
        if key is None:
            raise DatasetReadError(
                _(
                    "{path}: the mapping profile {name!r} reads {tname} from {source!r}, which this "
                    "source does not have (it has: {tables})",
                    path=Path(source.path).name,
                    name=profile.name,
                    tname=tname,
                    source=m.source,
                    tables=", ".join(source.tables),
                )
            )
        resolved[tname] = key
    # A source column mapped by no table is kept as an extra attribute of the first table made from
    # that source (the cases, when one sheet holds cases and items).
    used_by_source: dict[str, set[str]] = {}
    for tname, m in profile.tables.items():
        used_by_source.setdefault(resolved[tname], set()).update(m.source_columns, m.ignore)
    extras_given: set[str] = set()
    for tname in [t for t in MAPPABLE if t in profile.tables]:
        m = profile.tables[tname]
        skey = resolved[tname]
        src = source.tables[skey]
        extra = []
        if skey not in extras_given:
            extras_given.add(skey)
            extra = [c for c in src.columns if c not in used_by_source[skey]]
        per_item = tname not in ("cases", "statistics") and skey == resolved.get("cases")
        per_item = per_item or (
            tname == "cases"
            and any(k == skey for t, k in resolved.items() if t not in ("cases", "statistics"))
        )
        tables[tname] = _mapped_table(src, tname, m, profile, extra, per_item)
        if src.header_row > 1:
            notices.append(
                _(
                    "{where}: rows 1–{last} above the header skipped (a title or an upper header level); "
                    "header at row {row}",
                    where=src.where,
                    last=src.header_row - 1,
                    row=src.header_row,
                )
            )
        if m.ignore:
            notices.append(
                _(
                    "{where}: columns not imported, as the profile says: {columns}",
                    where=src.where,
                    columns=", ".join(m.ignore),
                )
            )
    used = set(resolved.values())
    for k, t in source.tables.items():
        if k not in used:
            notices.append(
                _(
                    "{where}: not used by the mapping profile {profile!r}; ignored",
                    where=t.where,
                    profile=profile.name,
                )
            )
    notices.append(_("mapped with profile {profile!r}", profile=profile.name))
    return RawDataset(source.path, source.kind, tables, source.file_hash, notices)


@dataclass
class Preview:
    """The first rows of each table as they would be imported, and what the checks say of them."""

    frames: dict[str, pd.DataFrame]
    rejections: list[Any]
    extra_columns: dict[str, list[str]]
    unmapped_required: dict[str, list[str]]


def preview(source: RawDataset, profile: MappingProfile, rows: int = 20) -> Preview:
    """Map the first ``rows`` rows of each table and run the row checks on them."""
    from workbench.exchange.rowchecks import check_table
    from workbench.format.reference import country_codes

    mapped = apply_mapping(source, profile)
    frames: dict[str, pd.DataFrame] = {}
    rejections: list[Any] = []
    extra: dict[str, list[str]] = {}
    missing: dict[str, list[str]] = {}
    for tname, t in mapped.tables.items():
        head = t.head(rows)
        frames[tname] = head
        if tname == "statistics":
            from workbench.exchange.statistics import check_statistics

            rejections += check_statistics(head, t.where)[1]
            extra[tname] = []
        else:
            checked = check_table(RawTable(tname, head, t.file, t.sheet), country_codes())
            rejections += checked.rejections
            extra[tname] = checked.unknown_columns
        m = profile.tables[tname]
        missing[tname] = [
            c.name
            for c in table_spec(tname).required_columns
            if c.name not in m.columns and c.name not in m.constants and c.name != "commodity_category"
        ]
    return Preview(frames, rejections, extra, missing)
