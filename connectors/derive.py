"""Derivations of a mapping profile: a target column made from source columns by a small safe vocabulary.

A profile is data, never code: each derivation is one of the forms below, checked when the profile is
read (:func:`parse_derivation` raises :class:`ValueError` naming the column and what is wrong), and
applied chunk by chunk (:meth:`Derivation.apply`), with a reason for each cell that cannot be derived.

========================================================  =================================================
form (YAML, under ``derive:`` of a table)                  gives
========================================================  =================================================
``{row_number: {prefix: "US-"}}``                          the row's spreadsheet row number, with a prefix
``{constant: VALUE}``                                      the same value on every row
``{date: {year: COL, month: COL or 1-12, day: COL or N}}`` a date; every part named (a year alone is
                                                           never taken as 1 January unless ``month: 1,
                                                           day: 1`` say so)
``{date: {fiscal_year: COL, month: COL, start_month: 10,   a date in a fiscal year that starts in
day: 1}}``                                                 ``start_month`` (US: October: FY2020 month 11
                                                           is November 2019)
``{period: {year: COL}}``, ``{period: {year: COL,          the period a statistic covers: a year (2019)
month: COL}}``, ``{period: {fiscal_year: COL, month: COL,  or a calendar month (2019-10), never a date
start_month: 10}}``                                        (see :mod:`workbench.exchange.statistics`)
``{date: {excel_serial: COL}}``                            a date from an Excel day number (45292 ->
                                                           2024-01-01)
``{date: {text: COL, format: "%d.%m.%Y"}}``                a date written as text in that format
``{convert: {column: COL, from: lb, to: kg}}``             a quantity converted (lb, oz, t, kg, g, mg)
``{split: {column: COL, sep: "/", index: 0}}``             one part of a text
``{join: {columns: [A, B], sep: "-"}}``                    texts joined (blanks left out)
========================================================  =================================================

Months may be numbers (1-12) or names and abbreviations in English, French or Spanish ("Oct",
"octobre", "octubre"); fiscal years may be written ``2020``, ``FY2020`` or ``FY20``.

Examples
--------
>>> d = parse_derivation("seizure_date", {"date": {"fiscal_year": "FY", "month": "Month",
...                                               "start_month": 10, "day": 1}})
>>> frame = pd.DataFrame({"FY": ["FY2020", "2020", "2020"], "Month": ["OCT", "9", "Jan"]})
>>> values, why = d.apply(frame, rows=pd.Series([2, 3, 4]))
>>> values.tolist()
['2019-10-01', '2020-09-01', '2020-01-01']
>>> parse_derivation("quantity", {"convert": {"column": "Lbs", "from": "lb", "to": "kg"}}).apply(
...     pd.DataFrame({"Lbs": [2.0, "10"]}), pd.Series([2, 3]))[0].round(4).tolist()
[0.9072, 4.5359]
>>> parse_derivation("seizure_date", {"date": {"year": "Year"}})
Traceback (most recent call last):
...
ValueError: derive seizure_date: a date from a year needs its month and day named (a column or a number, e.g. month: 1, day: 1): a year alone is never taken as 1 January
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from workbench.i18n import _

__all__ = ["Derivation", "parse_derivation", "MASS_FACTORS", "month_number", "FORMS"]

#: Mass units a quantity may be converted from or to, in kilograms.
MASS_FACTORS: dict[str, float] = {
    "t": 1000.0,
    "kg": 1.0,
    "lb": 0.45359237,
    "oz": 0.028349523125,
    "g": 0.001,
    "mg": 0.000001,
}
_UNIT_ALIASES = {
    "lbs": "lb",
    "pound": "lb",
    "pounds": "lb",
    "ounce": "oz",
    "ounces": "oz",
    "tonne": "t",
    "tonnes": "t",
    "ton": "t",
    "tons": "t",
    "kgs": "kg",
    "grams": "g",
    "gram": "g",
}

#: The forms of derivation a profile may use.
FORMS = ("row_number", "constant", "date", "period", "convert", "split", "join")

_MONTHS = {
    1: ["jan", "january", "janvier", "janv", "enero", "ene"],
    2: ["feb", "february", "fevrier", "fevr", "fev", "febrero"],
    3: ["mar", "march", "mars", "marzo"],
    4: ["apr", "april", "avril", "avr", "abril", "abr"],
    5: ["may", "mai", "mayo"],
    6: ["jun", "june", "juin", "junio"],
    7: ["jul", "july", "juillet", "juil", "julio"],
    8: ["aug", "august", "aout", "agosto", "ago"],
    9: ["sep", "sept", "september", "septembre", "septiembre", "set"],
    10: ["oct", "october", "octobre", "octubre"],
    11: ["nov", "november", "novembre", "noviembre"],
    12: ["dec", "december", "decembre", "diciembre", "dic"],
}
_MONTH_INDEX = {name: n for n, names in _MONTHS.items() for name in names}


def _plain(v: object) -> str:
    import unicodedata

    s = unicodedata.normalize("NFKD", str(v)).encode("ascii", "ignore").decode().lower().strip()
    return s.rstrip(".")


def month_number(v: object) -> int | None:
    """1-12 from a month number or name, else None.

    >>> month_number("Oct"), month_number("octobre"), month_number(3.0), month_number("13")
    (10, 10, 3, None)
    """
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return None
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return int(v) if float(v).is_integer() and 1 <= v <= 12 else None
    s = _plain(v)
    if re.fullmatch(r"\d{1,2}(\.0+)?", s):
        n = int(float(s))
        return n if 1 <= n <= 12 else None
    return _MONTH_INDEX.get(s)


def _year(v: object) -> int | None:
    """A year from ``2020``, ``2020.0``, ``FY2020``, ``FY20``, ``FY 2019/20`` (the year it ends)."""
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return None
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return int(v) if float(v).is_integer() and 1000 <= v <= 2999 else None
    s = _plain(v).replace(" ", "")
    s = re.sub(r"^(fy|fiscal(year)?|ex|ejercicio)", "", s)
    m = re.fullmatch(r"(\d{4})(?:\.0+)?", s) or re.fullmatch(r"\d{4}[-/](\d{2}|\d{4})", s)
    if m and re.fullmatch(r"\d{4}(?:\.0+)?", s):
        return int(s[:4])
    if m:  # 2019/20 or 2019-2020: the year it ends
        end = m.group(1)
        return int(end) if len(end) == 4 else int(s[:2] + end)
    if re.fullmatch(r"\d{2}", s):
        return 2000 + int(s)
    return None


def _day(v: object) -> int | None:
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return None
    try:
        f = float(str(v).strip())
    except ValueError:
        return None
    return int(f) if f.is_integer() and 1 <= f <= 31 else None


Part = str | int  # a source column, or a fixed number


@dataclass(frozen=True)
class Derivation:
    """One target column derived from the source; see the module docstring for the forms."""

    target: str
    form: str
    spec: Mapping[str, Any] = field(default_factory=dict)

    @property
    def sources(self) -> list[str]:
        """The source columns it reads."""
        s = self.spec
        if self.form in ("date", "period"):
            return [
                v
                for k, v in s.items()
                if k in ("year", "month", "day", "fiscal_year", "excel_serial", "text") and isinstance(v, str)
            ]
        if self.form in ("convert", "split"):
            return [s["column"]]
        if self.form == "join":
            return list(s["columns"])
        return []

    def to_dict(self) -> dict[str, Any]:
        return {self.form: dict(self.spec) if isinstance(self.spec, Mapping) else self.spec}

    def apply(self, frame: pd.DataFrame, rows: pd.Series) -> tuple[pd.Series, pd.Series]:
        """The derived values (as text or numbers) and, per row, None or why it could not be derived."""
        n = len(frame)
        none = pd.Series([None] * n, index=frame.index, dtype=object)
        s = self.spec
        if self.form == "row_number":
            prefix = str(s.get("prefix", ""))
            return pd.Series([f"{prefix}{int(r)}" for r in rows], index=frame.index, dtype=object), none
        if self.form == "constant":
            return pd.Series([s["value"]] * n, index=frame.index, dtype=object), none
        if self.form == "convert":
            factor = MASS_FACTORS[s["from"]] / MASS_FACTORS[s["to"]]
            col = frame[s["column"]]
            text = col.map(lambda v: str(v).strip().replace(",", "") if isinstance(v, str) else v)
            num = pd.to_numeric(text, errors="coerce")
            bad = num.isna() & col.notna() & (col.astype("string").str.strip() != "")
            why = none.where(~bad, _("not a number to convert from {unit}", unit=s["from"]))
            return (num * factor).round(9).astype(object).where(num.notna(), None), why
        if self.form == "split":
            sep, index = str(s["sep"]), int(s.get("index", 0))

            def part(v: Any) -> Any:
                if v is None or (isinstance(v, float) and pd.isna(v)):
                    return None
                bits = [b.strip() for b in str(v).split(sep)]
                return bits[index] if -len(bits) <= index < len(bits) else None

            return frame[s["column"]].map(part).astype(object), none
        if self.form == "join":
            sep = str(s.get("sep", " "))
            cols = [frame[c].astype("string").str.strip() for c in s["columns"]]
            joined = [
                sep.join(str(v) for v in vals if v is not pd.NA and v is not None and str(v) != "") or None
                for vals in zip(*cols, strict=True)
            ]
            return pd.Series(joined, index=frame.index, dtype=object), none
        return self._date(frame)

    def _date(self, frame: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
        s = self.spec
        n = len(frame)
        values: list[Any] = [None] * n
        why: list[str | None] = [None] * n

        def column(key: str) -> list[Any]:
            v = s.get(key)
            if isinstance(v, str):
                return frame[v].tolist()
            return [v] * n

        if "excel_serial" in s:
            for i, v in enumerate(column("excel_serial")):
                try:
                    f = float(str(v).strip())
                except ValueError:
                    why[i] = _("not an Excel day number")
                    continue
                if f != f:
                    continue
                values[i] = (dt.date(1899, 12, 30) + dt.timedelta(days=int(f))).isoformat()
            return pd.Series(values, index=frame.index, dtype=object), pd.Series(
                why, index=frame.index, dtype=object
            )
        if "text" in s:
            fmt = str(s["format"])
            for i, v in enumerate(column("text")):
                if v is None or (isinstance(v, float) and pd.isna(v)) or not str(v).strip():
                    continue
                try:
                    values[i] = dt.datetime.strptime(str(v).strip(), fmt).date().isoformat()
                except ValueError:
                    why[i] = _("not a date in the format {format}", format=fmt)
            return pd.Series(values, index=frame.index, dtype=object), pd.Series(
                why, index=frame.index, dtype=object
            )
        fiscal = "fiscal_year" in s
        years = column("fiscal_year" if fiscal else "year")
        if self.form == "period":
            return self._period(frame.index, years, column("month") if "month" in s else None, fiscal)
        months, days = column("month"), column("day")
        start = int(s.get("start_month", 1))
        for i in range(n):
            y, m, d = _year(years[i]), month_number(months[i]), _day(days[i])
            if y is None and m is None:
                continue  # a blank row stays blank (and a required date is refused as blank)
            if y is None:
                why[i] = _("not a year")
            elif m is None:
                why[i] = _("not a month (1-12 or a month's name)")
            elif d is None:
                why[i] = _("not a day of the month")
            else:
                if fiscal and start > 1 and m >= start:
                    y -= 1  # the fiscal year is named by the calendar year it ends in
                try:
                    values[i] = dt.date(y, m, d).isoformat()
                except ValueError:
                    why[i] = _("not a date")
        return pd.Series(values, index=frame.index, dtype=object), pd.Series(
            why, index=frame.index, dtype=object
        )

    def _period(
        self, index: pd.Index, years: list[Any], months: list[Any] | None, fiscal: bool
    ) -> tuple[pd.Series, pd.Series]:
        n = len(years)
        values: list[Any] = [None] * n
        why: list[str | None] = [None] * n
        start = int(self.spec.get("start_month", 1))
        seen: dict[tuple[Any, Any], tuple[Any, str | None]] = {}  # a file repeats few distinct periods
        for i in range(n):
            key = (years[i], None if months is None else months[i])
            if key in seen:
                values[i], why[i] = seen[key]
                continue
            values[i], why[i] = self._one_period(
                years[i], None if months is None else months[i], months is None, fiscal, start
            )
            seen[key] = (values[i], why[i])
        return pd.Series(values, index=index, dtype=object), pd.Series(why, index=index, dtype=object)

    @staticmethod
    def _one_period(
        year: Any, month: Any, year_only: bool, fiscal: bool, start: int
    ) -> tuple[Any, str | None]:
        y = _year(year)
        if y is None:
            if year is not None and not (isinstance(year, float) and pd.isna(year)):
                return None, _("not a year")
            return None, None
        if year_only:
            return f"{y:04d}", None
        m = month_number(month)
        if m is None:
            return None, _("not a month (1-12 or a month's name)")
        if fiscal and start > 1 and m >= start:
            y -= 1
        return f"{y:04d}-{m:02d}", None


def _need(target: str, spec: Mapping[str, Any], key: str, kind: type | tuple[type, ...]) -> Any:
    if key not in spec:
        raise ValueError(_("derive {target}: {key!r} is missing", target=target, key=key))
    v = spec[key]
    if not isinstance(v, kind) or isinstance(v, bool):
        raise ValueError(
            _(
                "derive {target}: {key!r} must be {expected}",
                target=target,
                key=key,
                expected=getattr(kind, "__name__", "a column or a number"),
            )
        )
    return v


def _unit(target: str, v: object) -> str:
    u = _UNIT_ALIASES.get(str(v).strip().lower(), str(v).strip().lower())
    if u not in MASS_FACTORS:
        raise ValueError(
            _(
                "derive {target}: unit {v!r} is not one of {mass_factors}",
                target=target,
                v=v,
                mass_factors=", ".join(MASS_FACTORS),
            )
        )
    return u


def parse_derivation(target: str, raw: object) -> Derivation:
    """Check one ``derive:`` entry and return it; :class:`ValueError` says what is wrong."""
    if not isinstance(raw, Mapping) or len(raw) != 1:
        raise ValueError(
            _(
                "derive {target}: expected exactly one of {forms} (got {raw!r})",
                target=target,
                forms=", ".join(FORMS),
                raw=raw,
            )
        )
    ((form, spec),) = raw.items()
    if form not in FORMS:
        raise ValueError(
            _(
                "derive {target}: {form!r} is not one of {forms}",
                target=target,
                form=form,
                forms=", ".join(FORMS),
            )
        )
    if form == "constant":
        return Derivation(target, form, {"value": spec})
    if form == "row_number":
        spec = spec if isinstance(spec, Mapping) else {}
        return Derivation(target, form, {"prefix": str(spec.get("prefix", ""))})
    if not isinstance(spec, Mapping):
        raise ValueError(
            _(
                "derive {target}: {form} needs a mapping of its parts (see docs/connectors.md)",
                target=target,
                form=form,
            )
        )
    spec = dict(spec)
    if form == "convert":
        _need(target, spec, "column", str)
        spec["from"], spec["to"] = _unit(target, spec.get("from")), _unit(target, spec.get("to", "kg"))
    elif form == "split":
        _need(target, spec, "column", str)
        _need(target, spec, "sep", str)
        spec["index"] = int(spec.get("index", 0))
    elif form == "join":
        cols = spec.get("columns")
        if not isinstance(cols, list) or not cols or not all(isinstance(c, str) for c in cols):
            raise ValueError(
                _("derive {target}: join needs 'columns', a list of source columns", target=target)
            )
    elif form == "period":
        kinds = [k for k in ("year", "fiscal_year") if k in spec]
        if len(kinds) != 1:
            raise ValueError(
                _("derive {target}: a period needs exactly one of year, fiscal_year", target=target)
            )
        _need(target, spec, kinds[0], str)
        if "month" in spec and not isinstance(spec["month"], str):
            raise ValueError(_("derive {target}: month must be a source column", target=target))
        if kinds[0] == "fiscal_year":
            sm = spec.get("start_month")
            if "month" not in spec or isinstance(sm, bool) or not isinstance(sm, int) or not 1 <= sm <= 12:
                raise ValueError(
                    _(
                        "derive {target}: a period from a fiscal year needs a month column and "
                        "start_month (1-12; 10 for the US federal fiscal year)",
                        target=target,
                    )
                )
    else:  # date
        kinds = [k for k in ("year", "fiscal_year", "excel_serial", "text") if k in spec]
        if len(kinds) != 1:
            raise ValueError(
                _(
                    "derive {target}: a date needs exactly one of year, fiscal_year, excel_serial, text",
                    target=target,
                )
            )
        if kinds[0] == "text":
            _need(target, spec, "text", str)
            fmt = _need(target, spec, "format", str)
            if not re.search(r"%[dj]", fmt) or not re.search(r"%[mbB]", fmt) or not re.search(r"%[yY]", fmt):
                raise ValueError(
                    _(
                        "derive {target}: format {fmt!r} must name day, month and year (e.g. %d.%m.%Y)",
                        target=target,
                        fmt=fmt,
                    )
                )
        elif kinds[0] == "excel_serial":
            _need(target, spec, "excel_serial", str)
        else:
            _need(target, spec, kinds[0], str)
            if "month" not in spec or "day" not in spec:
                what = "fiscal year" if kinds[0] == "fiscal_year" else "year"
                raise ValueError(
                    _(
                        "derive {target}: a date from a {what} needs its month and day named (a column "
                        "or a number, e.g. month: 1, day: 1): a year alone is never taken as 1 January",
                        target=target,
                        what=what,
                    )
                )
            for part, hi in (("month", 12), ("day", 31)):
                v = spec[part]
                if (
                    isinstance(v, bool)
                    or not isinstance(v, (str, int))
                    or isinstance(v, int)
                    and not 1 <= v <= hi
                ):
                    raise ValueError(
                        _(
                            "derive {target}: {part} must be a source column or a number 1-{hi}",
                            target=target,
                            part=part,
                            hi=hi,
                        )
                    )
            if kinds[0] == "fiscal_year":
                sm = spec.get("start_month")
                if isinstance(sm, bool) or not isinstance(sm, int) or not 1 <= sm <= 12:
                    raise ValueError(
                        _(
                            "derive {target}: a fiscal year needs start_month, the month it starts (1-12; 10 "
                            "for the US federal fiscal year)",
                            target=target,
                        )
                    )
    return Derivation(target, form, spec)
