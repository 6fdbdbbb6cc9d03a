"""The headings of the standard reports' tables and the titles of their charts' axes, in the language in
force.

A report builds its table and chart with English column names (they are the chart's field names too);
what people read is translated where it is shown: :func:`heading` turns a column name into its heading,
:func:`translate_headings` renames a table's columns. Names that are data (years, commodity labels,
which the taxonomy translates itself) pass through unchanged.

May import: :mod:`workbench.i18n`.

>>> heading("commodity category"), heading("quantity (kg)"), heading("cases 2024"), heading("2024")
('commodity category', 'quantity (kg)', 'cases 2024', '2024')
"""

from __future__ import annotations

import re

import pandas as pd

from workbench.i18n import N_, _

__all__ = ["HEADINGS", "heading", "translate_headings"]

#: Fixed headings and axis titles of the standard reports (English: the msgid)
HEADINGS: frozenset[str] = frozenset(
    {
        N_("commodity category"),
        N_("commodity type"),
        N_("WCO region"),
        N_("RILO region"),
        N_("reporting country"),
        N_("transport mode"),
        N_("detection method"),
        N_("concealment method"),
        N_("unit"),
        N_("total"),
        N_("rank"),
        N_("route"),
        N_("origin"),
        N_("destination"),
        N_("cases"),
        N_("of which destination inferred"),
        N_("quantity"),
        N_("estimated value (USD)"),
        N_("value (USD)"),
        N_("share of cases"),
        N_("share of value"),
        N_("share of"),
        N_("share"),
        N_("country code"),
        N_("country"),
        N_("change"),
        N_("change %"),
        N_("case id"),
        N_("seizure date"),
        N_("month"),
        N_("year"),
        N_("method"),
        N_("events"),
        N_("series"),
        N_("period"),
        N_("value"),
        N_("figure"),
    }
)

#: Headings that carry a unit or a period
_DYNAMIC: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^quantity \((?P<unit>.+)\)$"), N_("quantity ({unit})")),
    (re.compile(r"^share of quantity \((?P<unit>.+)\)$"), N_("share of quantity ({unit})")),
    (re.compile(r"^median per case \((?P<unit>.+)\)$"), N_("median per case ({unit})")),
    (re.compile(r"^cases (?P<period>\d.*)$"), N_("cases {period}")),
)


def heading(name: str) -> str:
    """The heading people read for the column ``name``, in the language in force."""
    if name in HEADINGS:
        return _(name)
    for pattern, message in _DYNAMIC:
        m = pattern.match(name)
        if m:
            return _(message, **m.groupdict())
    return name


def translate_headings(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with its columns named for people in the language in force."""
    return table.rename(columns={c: heading(c) for c in table.columns if isinstance(c, str)})
