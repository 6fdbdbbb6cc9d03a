"""Languages: the one translation function that every user-visible string goes through.

English is the source language: a string is written in English inside ``_()`` where it is shown (page
text, widget labels, messages, CLI output meant for people), and ``_()`` looks it up in the catalogue
of the language in force. Catalogues are GNU gettext ``.mo`` files under
``workbench/i18n/locales/<language>/LC_MESSAGES/workbench.mo``; a string a catalogue lacks, or a
language without a catalogue, reads in English. Values go in as named placeholders, filled after the
lookup, so translators see the whole sentence: ``_("{n} cases", n=12)``, never ``_("cases") + ...``.

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
...     language()
'fr'
>>> language()
'en'
"""

from __future__ import annotations

import gettext as _gettext
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Any

__all__ = ["_", "N_", "ngettext", "language", "set_language", "use_language", "DOMAIN", "LOCALE_DIR"]

#: gettext domain of the workbench's catalogues
DOMAIN = "workbench"
#: where the compiled catalogues live (``<language>/LC_MESSAGES/workbench.mo``)
LOCALE_DIR = Path(__file__).with_name("locales")

_language: ContextVar[str | None] = ContextVar("workbench_language", default=None)


def _default_language() -> str:
    from workbench.config import Settings

    return Settings.from_env().language


def language() -> str:
    """The language in force: the one set for this context, else ``WORKBENCH_LANGUAGE`` (default ``en``)."""
    return _language.get() or _default_language()


def set_language(code: str | None) -> None:
    """Put ``code`` (``en``, ``fr``, ...) in force for this context; ``None`` returns to the default."""
    _language.set(code.strip().lower() if code else None)


@contextmanager
def use_language(code: str) -> Iterator[None]:
    """``code`` in force inside the ``with`` block only."""
    token = _language.set(code)
    try:
        yield
    finally:
        _language.reset(token)


@cache
def _catalogue(code: str) -> _gettext.NullTranslations:
    return _gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[code], fallback=True)


def _fill(text: str, values: dict[str, Any]) -> str:
    return text.format(**values) if values else text


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
