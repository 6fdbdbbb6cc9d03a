"""Languages: the one translation function that every user-visible string goes through, and the numbers and
dates shown to people in the language in force.

English is the source language: a string is written in English inside ``_()`` where it is shown (page
text, widget labels, messages, CLI output meant for people), and ``_()`` looks it up in the catalogue
of the language in force. Catalogues are GNU gettext ``.po`` text files under
``workbench/i18n/locales/<language>/LC_MESSAGES/workbench.po``, compiled in memory at first use (and
again when the file changes: no ``.mo`` is kept, so none can go stale); a string a catalogue lacks, or a
language without a catalogue, reads in English. Values go in as named placeholders, filled after the
lookup, so translators see the whole sentence: ``_("{n} cases", n=12)``, never ``_("cases") + ...``.
A placeholder whose format spec groups thousands or has a precision (``{n:,}``, ``{kg:,.1f}``,
``{share:.1%}``) is written with the separators of the language (CLDR data, through Babel).

The language in force is per context (a Streamlit session, a CLI run): :func:`set_language` sets it,
:func:`language` reads it; the default comes from ``WORKBENCH_LANGUAGE``.

May import: nothing of the workbench but :mod:`workbench.config`.

Examples
--------
>>> _("Seizure period")
'Seizure period'
>>> _("{n:,} cases from {country}", n=12345, country="FR")
'12,345 cases from FR'
>>> ngettext("{n} case", "{n} cases", 1), ngettext("{n} case", "{n} cases", 3)
('1 case', '3 cases')
>>> LABEL = N_("Transport mode")   # marked where declared, translated where shown
>>> _(LABEL)
'Transport mode'
>>> with use_language("fr"):
...     language(), _("{kg:,.1f} kg", kg=12345.64), _("{share:.1%}", share=0.256), direction()
('fr', '12\\u202f345,6 kg', '25,6\\xa0%', 'ltr')
>>> with use_language("ar"):
...     direction()
'rtl'
>>> language()
'en'
>>> import datetime
>>> with use_language("fr"):
...     format_date(datetime.date(2026, 3, 5)), format_month("2026-03-01"), format_number(1234567)
('5 mars 2026', 'mars 2026', '1\\u202f234\\u202f567')
"""

from __future__ import annotations

import datetime as _dt
import gettext as _gettext
import io
import math
import os
import re
import string
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

__all__ = [
    "_",
    "N_",
    "ngettext",
    "language",
    "set_language",
    "use_language",
    "language_from",
    "direction",
    "LANGUAGES",
    "LANGUAGE_NAMES",
    "DOMAIN",
    "LOCALE_DIR",
    "catalogue_path",
    "format_number",
    "format_decimal",
    "format_percent",
    "format_date",
    "format_datetime",
    "format_month",
    "code_label",
    "vega_locale",
    "format_interval",
    "format_list",
]

#: gettext domain of the workbench's catalogues
DOMAIN = "workbench"
#: where the catalogues live (``<language>/LC_MESSAGES/workbench.po``)
LOCALE_DIR = Path(__file__).with_name("locales")
#: The languages of the workbench (the six of CENcomm), English first (the source language).
LANGUAGES: tuple[str, ...] = ("en", "fr", "es", "pt", "ru", "ar")
#: Each language by its own name, as the language switch shows it (never translated).
LANGUAGE_NAMES: dict[str, str] = {
    "en": "English",
    "fr": "Français",
    "es": "Español",
    "pt": "Português",
    "ru": "Русский",
    "ar": "العربية",
}
#: Languages written right to left.
_RTL = frozenset({"ar", "fa", "he", "ur"})

_language: ContextVar[str | None] = ContextVar("workbench_language", default=None)


def language_from(value: object) -> str | None:
    """The workbench language a locale name designates (``fr_FR.UTF-8``, ``pt-BR``, ``ar``), or None when it
    names none of :data:`LANGUAGES` (``C``, ``POSIX``, ``de_DE``, blank).

    >>> language_from("fr_FR.UTF-8"), language_from("pt-BR"), language_from("C.UTF-8"), language_from(None)
    ('fr', 'pt', None, None)
    """
    if value is None:
        return None
    code = re.split(r"[_.@\-:]", str(value).strip(), maxsplit=1)[0].lower()
    return code if code in LANGUAGES else None


def _default_language() -> str:
    from workbench.config import SETTINGS

    setting = next(s for s in SETTINGS if s.name == "language")
    return language_from(os.environ.get(setting.env, setting.default)) or "en"


def language() -> str:
    """The language in force: the one set for this context, else ``WORKBENCH_LANGUAGE`` (default ``en``)."""
    return _language.get() or _default_language()


def set_language(code: str | None) -> None:
    """Put ``code`` (``en``, ``fr``, ``fr_FR.UTF-8``...) in force for this context; ``None`` (or a language
    the workbench does not have) returns to the default."""
    _language.set(language_from(code))


@contextmanager
def use_language(code: str | None) -> Iterator[None]:
    """``code`` in force inside the ``with`` block only (None: the default language)."""
    token = _language.set(language_from(code))
    try:
        yield
    finally:
        _language.reset(token)


def direction(code: str | None = None) -> str:
    """``"rtl"`` for a language written right to left (Arabic), else ``"ltr"``; of ``code`` or of the
    language in force."""
    return "rtl" if (language_from(code) if code else language()) in _RTL else "ltr"


# ------------------------------------------------------------------------------------------- catalogues
def catalogue_path(code: str) -> Path:
    """The ``.po`` file of a language (it may not exist)."""
    return LOCALE_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.po"


_catalogues: dict[str, tuple[tuple[str, int], _gettext.NullTranslations]] = {}
_lock = threading.Lock()
_ENGLISH = _gettext.NullTranslations()


def _compile(po: Path, code: str) -> _gettext.NullTranslations:
    # Babel reads the .po and writes the .mo into memory; gettext reads that. Fuzzy entries are left out
    # (a translator has not confirmed them), as msgfmt does.
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as fh:
        catalog = read_po(fh, locale=code)
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    return _gettext.GNUTranslations(buf)


def _catalogue(code: str) -> _gettext.NullTranslations:
    if code == "en":  # the source language: its catalogue (msgstr = msgid) reads as the code does
        return _ENGLISH
    po = catalogue_path(code)
    try:
        stat = po.stat()
        stamp = (str(po), stat.st_mtime_ns ^ stat.st_size)
    except OSError:
        stamp = (str(po), -1)
    hit = _catalogues.get(code)
    if hit is not None and hit[0] == stamp:
        return hit[1]
    with _lock:  # one compilation at a time; a stale entry is simply replaced
        translations = _compile(po, code) if stamp[1] != -1 else _gettext.NullTranslations()
        _catalogues[code] = (stamp, translations)
    return translations


# ----------------------------------------------------------------------------------------- numbers
_SPEC = re.compile(
    r"^(?:(?P<fill>.)?(?P<align>[<>=^]))?(?P<sign>[-+ ])?(?P<z>z)?(?P<alt>\#)?(?P<zero>0)?"
    r"(?P<width>\d+)?(?P<grouping>[,_])?(?:\.(?P<precision>\d+))?(?P<type>[bcdeEfFgGnosxX%])?$"
)


def _locale(code: str | None = None) -> Any:
    from babel import Locale

    return Locale.parse(code or language())


def _pattern(grouping: bool, digits: int | None, max_digits: int | None = None) -> str:
    integer = "#,##0" if grouping else "0"
    if digits is None and max_digits is None:
        return integer
    low = digits or 0
    high = max_digits if max_digits is not None else low
    frac = "0" * low + "#" * max(high - low, 0)
    return f"{integer}.{frac}" if frac else integer


def _is_number(value: object) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool) or _numpy_number(value)


def _numpy_number(value: object) -> bool:
    kind = getattr(getattr(value, "dtype", None), "kind", None)
    return kind in ("i", "u", "f") and getattr(value, "shape", None) == ()


def _localised(value: Any, spec: str, code: str) -> str | None:
    """``value`` formatted per ``spec`` with the language's separators; None when Python's own format
    is right (no grouping, precision or percent in the spec; a type such as ``x`` or ``e``)."""
    m = _SPEC.match(spec)
    if not m or not _is_number(value):
        return None
    kind, grouping, precision = m["type"], m["grouping"] is not None, m["precision"]
    if not (grouping or precision is not None or kind == "%") or kind not in (None, "f", "F", "d", "n", "%"):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    from babel import numbers

    loc = _locale(code)
    if kind == "%":
        digits = int(precision) if precision is not None else 6
        base = loc.percent_formats[None].pattern
        pattern = re.sub(r"[#,]*0(?:\.[0#]+)?", _pattern(True, digits), base, count=1)
        text = numbers.format_percent(value, pattern, locale=loc)
    elif precision is not None:
        text = numbers.format_decimal(value, _pattern(grouping, int(precision)), locale=loc)
    elif isinstance(value, float):
        text = numbers.format_decimal(value, _pattern(grouping, 0, 6), locale=loc)
    else:
        text = numbers.format_decimal(value, _pattern(grouping, None), locale=loc)
    if m["sign"] == "+" and not text.startswith(("-", "\u2212", "\u200e-", "\u061c-")) and value >= 0:
        text = numbers.get_plus_sign_symbol(locale=loc) + text
    if m["width"]:
        align = m["align"] if m["align"] in ("<", ">", "^") else ">"
        text = format(text, f"{m['fill'] or ' '}{align}{m['width']}")
    return text


class _Formatter(string.Formatter):
    """``str.format`` with numbers in the language ``code`` (see :func:`_localised`)."""

    def __init__(self, code: str) -> None:
        self.code = code

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec and self.code != "en":
            text = _localised(value, format_spec, self.code)
            if text is not None:
                return text
        return str(super().format_field(value, format_spec))


def _fill(text: str, values: Mapping[str, Any]) -> str:
    if not values:
        return text
    code = language()
    if code == "en":  # English reads as Python writes it
        return text.format(**values)
    return _Formatter(code).vformat(text, (), values)


def _(message: str, /, **values: Any) -> str:
    """``message`` in the language in force, its ``{placeholders}`` filled from ``values``."""
    return _fill(_catalogue(language()).gettext(message), values)


def N_(message: str, /) -> str:
    """Mark ``message`` for the catalogues where it is declared (a table of labels, say) and return it as
    is; it is translated where it is shown, with ``_(message)``, in the language in force then."""
    return message


def ngettext(singular: str, plural: str, n: int, /, **values: Any) -> str:
    """The singular or plural form for ``n`` (by the language's own plural rule); ``{n}`` is filled too."""
    return _fill(_catalogue(language()).ngettext(singular, plural, n), {"n": n, **values})


def code_label(code: object) -> str:
    """A code of the taxonomy or of an enumeration (``air_passenger``, ``cannabis_resin``) as people read
    it, in the language in force: the English label is the code with spaces (``air passenger``), which is
    the catalogue's message id (extracted from the YAML by :mod:`workbench.i18n.extract`).

    >>> code_label("air_passenger")
    'air passenger'
    >>> with use_language("fr"):
    ...     code_label("no_such_code_anywhere")
    'no such code anywhere'
    """
    return _(str(code).replace("_", " "))


def format_number(value: float | int | Decimal) -> str:
    """A count or amount with the language's thousands separator (``12 345`` in French).

    >>> format_number(12345), format_number(1234.5)
    ('12,345', '1,234.5')
    """
    from babel import numbers

    return str(numbers.format_decimal(value, locale=_locale()))


def format_decimal(value: float | int | Decimal, digits: int = 1) -> str:
    """A number with exactly ``digits`` decimals, grouped, in the language in force.

    >>> format_decimal(12345.64), format_decimal(2, digits=2)
    ('12,345.6', '2.00')
    """
    from babel import numbers

    return str(numbers.format_decimal(value, _pattern(True, digits), locale=_locale()))


def format_percent(value: float, digits: int = 1) -> str:
    """A share (``0.256``) as a percentage in the language in force.

    >>> format_percent(0.256), format_percent(0.5, digits=0)
    ('25.6%', '50%')
    """
    return _localised(value, f",.{digits}%", language()) or f"{value:.{digits}%}"


def _as_date(value: object) -> _dt.date | _dt.datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, _dt.datetime | _dt.date):
        return value
    to_pydatetime = getattr(value, "to_pydatetime", None)  # pandas Timestamp / Period
    if callable(to_pydatetime):
        try:
            return to_pydatetime()  # type: ignore[no-any-return]
        except (ValueError, TypeError):
            return None
    to_timestamp = getattr(value, "to_timestamp", None)
    if callable(to_timestamp):
        return to_timestamp().to_pydatetime()  # type: ignore[no-any-return]
    if isinstance(value, float) and math.isnan(value):
        return None
    try:
        return _dt.datetime.fromisoformat(str(value).strip())
    except ValueError:
        return None


def format_date(value: object, format: str = "medium") -> str:
    """A day as people of the language write it (``5 Mar 2026``, ``5 mars 2026``); ``format`` is Babel's
    (``short``, ``medium``, ``long``, or a CLDR pattern). Blank or unreadable values give ``""``... except
    unreadable text, which comes back as it is.

    >>> format_date("2026-03-05"), format_date(None)
    ('Mar 5, 2026', '')
    """
    d = _as_date(value)
    if d is None:
        return "" if value is None or value == "" or isinstance(value, float) else str(value)
    from babel import dates

    day = d.date() if isinstance(d, _dt.datetime) else d
    return str(dates.format_date(day, format, locale=_locale()))


def format_datetime(value: object, format: str = "medium") -> str:
    """A moment (date and time) in the language in force.

    >>> format_datetime("2026-03-05T14:30:00")
    'Mar 5, 2026, 2:30:00\\u202fPM'
    """
    d = _as_date(value)
    if d is None:
        return "" if value is None or value == "" or isinstance(value, float) else str(value)
    from babel import dates

    moment = d if isinstance(d, _dt.datetime) else _dt.datetime(d.year, d.month, d.day)
    return str(dates.format_datetime(moment, format, tzinfo=moment.tzinfo, locale=_locale()))


def format_month(value: object, width: str = "wide") -> str:
    """A month with its name in the language (``March 2026``, ``mars 2026``; ``width="abbreviated"``:
    ``Mar 2026``), for chart axes and period titles.

    >>> format_month("2026-03-01"), format_month("2026-03", width="abbreviated")
    ('March 2026', 'Mar 2026')
    """
    d = _as_date(value if not (isinstance(value, str) and len(value) == 7) else f"{value}-01")
    if d is None:
        return "" if value is None or value == "" or isinstance(value, float) else str(value)
    from babel import dates

    skeleton = "yMMMM" if width == "wide" else "yMMM"
    return str(dates.format_skeleton(skeleton, d, locale=_locale()))


def format_interval(start: object, end: object, skeleton: str = "yMMM") -> str:
    """A span of dates in the language in force, as CLDR writes intervals (``mars – août 2024``);
    ``skeleton`` is CLDR's (``yMMM`` months, ``yMMMd`` days).

    >>> with use_language("fr"):
    ...     format_interval("2024-03-01", "2024-08-31")
    'mars–août 2024'
    """
    first, last = _as_date(start), _as_date(end)
    if first is None or last is None:
        return f"{start}–{end}"
    from babel import dates

    return str(dates.format_interval(first, last, skeleton, locale=_locale()))


def format_list(items: Iterable[object], style: Literal["standard", "or"] = "standard") -> str:
    """Items joined as the language joins a list (``style="or"`` for alternatives), from CLDR.

    >>> with use_language("fr"):
    ...     format_list(["brouillon", "en relecture"], style="or")
    'brouillon ou en relecture'
    """
    from babel import lists

    return str(lists.format_list([str(i) for i in items], style=style, locale=_locale()))


def vega_locale(code: str | None = None) -> dict[str, Any]:
    """The number and time locale of Vega-Lite charts (``config.locale``: d3-format and d3-time-format
    definitions) for ``code`` or the language in force, from CLDR: axes then write ``mars 2026`` and
    ``12 345,6`` in French. Month and day names are the stand-alone forms (an axis label stands alone).

    >>> loc = vega_locale("fr")
    >>> loc["number"]["decimal"], loc["time"]["months"][2], loc["time"]["shortDays"][0]
    (',', 'mars', 'dim.')
    """
    loc = _locale(code)
    symbols = loc.number_symbols.get(loc.default_numbering_system, loc.number_symbols.get("latn", {}))

    def months(width: str) -> list[str]:
        got = loc.months["stand-alone"][width]  # 1 = January
        return [str(got[i]) for i in range(1, 13)]

    def days(width: str) -> list[str]:
        got = loc.days["stand-alone"][width]  # 0 = Monday in CLDR; d3 starts on Sunday
        return [str(got[(i + 6) % 7]) for i in range(7)]

    return {
        "number": {
            "decimal": str(symbols.get("decimal", ".")),
            "thousands": str(symbols.get("group", ",")),
            "grouping": [3],
            "currency": ["", "\u00a0$"],
            "minus": str(symbols.get("minusSign", "-")),
            "percent": str(symbols.get("percentSign", "%")),
        },
        "time": {
            "dateTime": "%x %X",
            "date": "%Y-%m-%d",
            "time": "%H:%M:%S",
            "periods": [str(loc.periods.get("am", "AM")), str(loc.periods.get("pm", "PM"))],
            "days": days("wide"),
            "shortDays": days("abbreviated"),
            "months": months("wide"),
            "shortMonths": months("abbreviated"),
        },
    }
