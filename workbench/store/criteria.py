"""The filter's criteria, each declared once: what it reads, what it is called, how it is given.

:data:`CRITERIA` is the one declaration of what the shared filter
(:class:`~workbench.store.filters.CaseFilter`) can select on. Every engine iterates it instead of
restating criteria:

- the SQL and pandas engines, the seizure frames' join and the file-based filter
  (:mod:`workbench.store.filters`, :mod:`workbench.store.frames`);
- the traffic filter of the risk pages (:mod:`workbench.risk.traffic`), after :attr:`Criterion.on_traffic`;
- the options the sidebar offers (:func:`workbench.store.queries.filter_options`);
- the command line's filter flags (``workbench.cli.common``) and the sidebar's widgets
  (``workbench.ui.sidebar``).

A new criterion is one :class:`Criterion` here and its field on ``CaseFilter`` (checked when the
module is imported: a field without a criterion, or a criterion without its field, is an error).

Labels, help texts and phrases are English source strings, translated where they are shown
(:meth:`Criterion.title`, :meth:`Criterion.help_text`, ...) so that the language in force at that
moment applies.

Examples
--------
>>> [c.name for c in CRITERIA][:3]
['period', 'wco_region', 'reporting_country']
>>> criterion("transport_mode").flags, criterion("transport_mode").fields
(('--mode',), ('transport_modes',))
>>> criterion("commodity_type").table, criterion("commodity_type").within
('items', 'commodity_category')
>>> criterion("wco_region").column_values(("Europe",))[:3]
('AD', 'AL', 'AM')
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
import sqlalchemy as sa

from workbench.format.schema import FORMAT
from workbench.i18n import N_, _

if TYPE_CHECKING:
    from workbench.store.filters import CaseFilter

__all__ = [
    "CRITERIA",
    "Criterion",
    "OnTraffic",
    "criterion",
    "criteria_of",
    "only_seizures",
    "Options",
    "offered_values",
    "period_bounds",
]

#: period: two dates (from, to) on a date column; choice: any of a list of values of a column
Kind = Literal["period", "choice"]


@dataclass(frozen=True)
class OnTraffic:
    """How a criterion reads on traffic (declarations and passenger movements, :mod:`workbench.risk.traffic`).

    ``how``:

    - ``"movements"``: selects the movements by the traffic's ``column`` (the same test as on cases);
    - ``"outcome"``: innocent movements carry no such field, so the criterion selects which seizures
      count as seized (the seizure's case in the store must match it);
    - ``"none"``: the criterion does not apply to traffic (``note`` says why).

    ``note`` says it in words (English source, translated when shown); ``phrase`` is how the chosen
    values read in a sentence about the traffic (``{values}``).
    """

    how: Literal["movements", "outcome", "none"]
    note: str
    column: str | None = None
    phrase: str = ""

    def __post_init__(self) -> None:
        if (self.how == "movements") != (self.column is not None):
            raise ValueError(_("a criterion reads a traffic column exactly when it selects movements"))


@dataclass(frozen=True)
class Criterion:
    """One criterion of the shared filter.

    ``name``: the criterion (also the name of the field it splits on in :mod:`workbench.trends.series`);
    ``fields``: its field(s) on ``CaseFilter`` (a period has two: from, to); ``kind``: ``"period"`` or
    ``"choice"``; ``table``/``column``: what it reads in the store (``items`` criteria select cases with
    an item that matches all of them); ``label``/``help``: what people see (English source strings);
    ``phrase``: how the chosen values read in :meth:`CaseFilter.describe` (``{values}``); ``flags``: its
    command-line flag(s), one per field; ``flag_help``: help per flag (default: ``help``);
    ``on_traffic``: how it reads on traffic.

    Options and values:

    - ``options``: where the sidebar's options come from: ``"store"`` (the values in the store; for a
      period its first and last date) or ``"vocabulary"`` (the fixed list of :meth:`vocabulary`);
    - ``within``: the criterion whose chosen values narrow the options (commodity types within the
      chosen categories); it reads the same table;
    - ``expand``: turns the chosen values into values of ``column`` (WCO regions into their countries);
    - ``vocabulary_of``: the values the criterion takes (a command-line flag refuses others), when not
      those of the column's type in the exchange format (an enumeration, ISO2 countries; free text
      has none): see :meth:`vocabulary`;
    - ``value_label``: how a value is shown in a list (``"FR – France"``).
    """

    name: str
    fields: tuple[str, ...]
    kind: Kind
    table: Literal["cases", "items"]
    column: str
    label: str
    help: str
    flags: tuple[str, ...]
    on_traffic: OnTraffic
    phrase: str = ""
    flag_help: tuple[str, ...] = ()
    metavar: str = "VALUE"
    options: Literal["store", "vocabulary"] = "store"
    within: str | None = None
    expand: Callable[[tuple[str, ...]], tuple[str, ...]] | None = None
    vocabulary_of: Callable[[], Sequence[str]] | None = None
    value_label: Callable[[str], str] | None = None
    help_values: Callable[[], Mapping[str, str]] | None = None

    def __post_init__(self) -> None:
        want = 2 if self.kind == "period" else 1
        if len(self.fields) != want or len(self.flags) != want:
            raise ValueError(
                _(
                    "criterion {name}: a {kind} has {want} field(s) and flag(s)",
                    name=self.name,
                    kind=self.kind,
                    want=want,
                )
            )
        if self.flag_help and len(self.flag_help) != want:
            raise ValueError(_("criterion {name}: one help per flag", name=self.name))
        if self.column not in FORMAT.table(self.table).column_names:
            raise ValueError(
                _(
                    "criterion {name}: {table}.{column} is not in the format",
                    name=self.name,
                    table=self.table,
                    column=self.column,
                )
            )
        if self.kind == "choice" and "{values}" not in self.phrase:
            raise ValueError(
                _("criterion {name}: its phrase says where the values go ({{values}})", name=self.name)
            )
        if self.options == "vocabulary" and self.vocabulary_of is None:
            raise ValueError(
                _("criterion {name}: options from a vocabulary need vocabulary_of", name=self.name)
            )

    # ------------------------------------------------------------------ words (translated when asked)
    def title(self) -> str:
        """The label in the language in force."""
        return _(self.label)

    def help_text(self) -> str:
        """The help in the language in force (with its ``{placeholders}`` filled)."""
        return _(self.help, **(dict(self.help_values()) if self.help_values else {}))

    def flag_help_text(self, i: int = 0) -> str:
        return _(self.flag_help[i]) if self.flag_help else self.help_text()

    def show(self, value: str) -> str:
        """A value as a list shows it."""
        return self.value_label(value) if self.value_label else value

    # ------------------------------------------------------------------ values
    def value(self, flt: CaseFilter) -> Any:
        """The criterion's value in ``flt``: ``(from, to)`` for a period, the chosen values for a choice."""
        if self.kind == "period":
            return tuple(getattr(flt, f) for f in self.fields)
        return getattr(flt, self.fields[0])

    def is_set(self, flt: CaseFilter) -> bool:
        return any(v is not None and v != () for v in (getattr(flt, f) for f in self.fields))

    def column_values(self, values: tuple[str, ...]) -> tuple[str, ...]:
        """The values of ``column`` that chosen ``values`` select (after :attr:`expand`)."""
        return self.expand(values) if self.expand else values

    def vocabulary(self) -> tuple[str, ...] | None:
        """The values this criterion can take, when the list is closed (None: free text)."""
        if self.vocabulary_of is not None:
            return tuple(self.vocabulary_of())
        col = FORMAT.table(self.table).column(self.column)
        if col.type == "enum":
            return FORMAT.enum_values(col)
        if col.type == "iso2":
            from workbench.format.reference import country_codes

            return tuple(sorted(country_codes()))
        return None

    def normalise(self, value: str) -> str:
        """A value as typed on the command line, in the form the store holds (ISO2 codes upper-case)."""
        value = value.strip()
        if self.expand is None and FORMAT.table(self.table).column(self.column).type == "iso2":
            return value.upper()
        return value

    # ------------------------------------------------------------------ the two engines, per criterion
    def sql(self, col: sa.ColumnElement[Any], flt: CaseFilter) -> list[sa.ColumnElement[bool]]:
        """WHERE clauses on ``col`` (this criterion's column, or the traffic's) for ``flt``'s value."""
        if not self.is_set(flt):
            return []
        if self.kind == "period":
            lo, hi = self.value(flt)
            return [c for c in (col >= lo if lo else None, col <= hi if hi else None) if c is not None]
        return [col.in_(self.column_values(self.value(flt)))]

    def mask(self, values: pd.Series, flt: CaseFilter) -> np.ndarray:
        """Boolean array over ``values`` (this criterion's column, or the traffic's) for ``flt``'s value;
        blanks never match."""
        keep = np.ones(len(values), dtype=bool)
        if not self.is_set(flt):
            return keep
        if self.kind == "period":
            lo, hi = self.value(flt)
            d = pd.to_datetime(values, errors="coerce")
            if lo:
                keep &= (d >= pd.Timestamp(lo)).fillna(False).to_numpy(bool)
            if hi:
                keep &= (d <= pd.Timestamp(hi)).fillna(False).to_numpy(bool)
            return keep
        allowed = list(self.column_values(self.value(flt)))
        return np.asarray(values.isin(allowed).fillna(False).to_numpy(bool), dtype=bool)

    # ------------------------------------------------------------------ sentences
    def describe(self, flt: CaseFilter) -> list[str]:
        """Parts of :meth:`CaseFilter.describe` for this criterion (none when it is not set)."""
        if not self.is_set(flt):
            return []
        if self.kind == "period":
            lo, hi = self.value(flt)
            return [
                p
                for p in (_("from {date}", date=lo) if lo else "", _("to {date}", date=hi) if hi else "")
                if p
            ]
        # a fixed vocabulary (WCO regions) reads by the name its list shows, so that the filter line and
        # the sidebar call one region by one name; codes (countries) stay codes
        shown = [self.show(v) if self.options == "vocabulary" else v for v in self.value(flt)]
        return [_(self.phrase, values=", ".join(shown))]

    def values_text(self, flt: CaseFilter) -> str:
        """The chosen value(s) in a phrase: ``"from 2024-01-01 to 2024-06-30"``, ``"FR, NL"``."""
        if self.kind == "period":
            return " ".join(self.describe(flt))
        return ", ".join(self.value(flt))


def _country_label(code: str) -> str:
    from workbench.format.reference import country_name

    return f"{code} – {country_name(code)}"


def _regions() -> tuple[str, ...]:
    from workbench.format.reference import WCO_REGIONS

    return WCO_REGIONS


def _region_label(region: str) -> str:
    from workbench.format.reference import wco_region_label

    return wco_region_label(region, short=True)


def _region_help() -> dict[str, str]:
    from workbench.format.reference import WCO_REGION_SHORT, WCO_REGIONS

    return {"regions": "; ".join(f"{WCO_REGION_SHORT[r]} = {r}" for r in WCO_REGIONS)}


@cache
def _countries_of_regions(regions: tuple[str, ...]) -> tuple[str, ...]:
    from workbench.format.reference import countries

    c = countries()
    return tuple(sorted(c.loc[c["wco_region"].isin(regions), "iso2"]))


_CONTROLLER = N_("the country that controls the movement")

#: Every criterion of the shared filter, in the order the sidebar and ``--help`` show them.
CRITERIA: tuple[Criterion, ...] = (
    Criterion(
        name="period",
        fields=("date_from", "date_to"),
        kind="period",
        table="cases",
        column="seizure_date",
        label=N_("Seizure period"),
        help=N_("First and last seizure date of the cases shown on every page"),
        flags=("--from", "--to"),
        flag_help=(N_("first seizure date (YYYY-MM-DD)"), N_("last seizure date (YYYY-MM-DD)")),
        metavar="DATE",
        on_traffic=OnTraffic("movements", N_("movement date"), "movement_date", N_("moving {values}")),
    ),
    Criterion(
        name="wco_region",
        fields=("wco_regions",),
        kind="choice",
        table="cases",
        column="reporting_country",
        label=N_("WCO region"),
        help=N_("WCO region of the reporting country. The WCO's six regions: {regions}"),
        help_values=_region_help,
        phrase=N_("WCO region: {values}"),
        flags=("--region",),
        metavar="NAME",
        options="vocabulary",
        vocabulary_of=_regions,
        expand=_countries_of_regions,
        value_label=_region_label,
        on_traffic=OnTraffic(
            "movements", _CONTROLLER, "reporting_country", N_("controlled in WCO region {values}")
        ),
    ),
    Criterion(
        name="reporting_country",
        fields=("reporting_countries",),
        kind="choice",
        table="cases",
        column="reporting_country",
        label=N_("Reporting country"),
        help=N_("The administration that reported the case (ISO2 code)"),
        phrase=N_("reporting country: {values}"),
        flags=("--country",),
        metavar="ISO2",
        value_label=_country_label,
        on_traffic=OnTraffic("movements", _CONTROLLER, "reporting_country", N_("controlled by {values}")),
    ),
    Criterion(
        name="departure_country",
        fields=("departure_countries",),
        kind="choice",
        table="cases",
        column="departure_country",
        label=N_("Departure country"),
        help=N_("Where the goods started their journey (ISO2 code), as reported"),
        phrase=N_("departure country: {values}"),
        flags=("--departure",),
        metavar="ISO2",
        value_label=_country_label,
        on_traffic=OnTraffic(
            "movements", N_("the movement's departure country"), "departure_country", N_("leaving {values}")
        ),
    ),
    Criterion(
        name="commodity_category",
        fields=("commodity_categories",),
        kind="choice",
        table="items",
        column="commodity_category",
        label=N_("Commodity category"),
        help=N_("Cases with an item of these categories; analyses count only those items"),
        phrase=N_("commodity category: {values}"),
        flags=("--category",),
        metavar="CATEGORY",
        on_traffic=OnTraffic(
            "outcome",
            N_("only seizures of that commodity count as seized"),
            phrase=N_("of commodity category {values}"),
        ),
    ),
    Criterion(
        name="commodity_type",
        fields=("commodity_types",),
        kind="choice",
        table="items",
        column="commodity_type",
        label=N_("Commodity type"),
        help=N_(
            "Cases with an item of these types (within the chosen categories); analyses count only those items"
        ),
        phrase=N_("commodity type: {values}"),
        flags=("--commodity",),
        metavar="TYPE",
        within="commodity_category",
        on_traffic=OnTraffic(
            "outcome",
            N_("only seizures of that commodity count as seized"),
            phrase=N_("of commodity type {values}"),
        ),
    ),
    Criterion(
        name="transport_mode",
        fields=("transport_modes",),
        kind="choice",
        table="cases",
        column="transport_mode",
        label=N_("Transport mode"),
        help=N_("How the goods travelled when they were seized"),
        phrase=N_("transport mode: {values}"),
        flags=("--mode",),
        metavar="MODE",
        on_traffic=OnTraffic(
            "movements",
            N_("the movement's transport mode"),
            "transport_mode",
            N_("with transport mode {values}"),
        ),
    ),
    Criterion(
        name="detection_method",
        fields=("detection_methods",),
        kind="choice",
        table="cases",
        column="detection_method",
        label=N_("Detection method"),
        help=N_("How the seizure was found (risk profiling, scanner, sniffer dog, ...)"),
        phrase=N_("detection method: {values}"),
        flags=("--detection",),
        metavar="METHOD",
        on_traffic=OnTraffic(
            "outcome",
            N_("known only after a control: only seizures found that way count as seized"),
            phrase=N_("detected by {values}"),
        ),
    ),
)


def criterion(name: str) -> Criterion:
    """The criterion called ``name`` (KeyError if there is none)."""
    for c in CRITERIA:
        if c.name == name:
            return c
    raise KeyError(
        _(
            "no filter criterion {name!r}; the criteria are {items}",
            name=name,
            items=", ".join(c.name for c in CRITERIA),
        )
    )


def criteria_of(table: str) -> tuple[Criterion, ...]:
    """The criteria that read ``table`` (``cases`` or ``items``)."""
    return tuple(c for c in CRITERIA if c.table == table)


def only_seizures(phrases: list[str]) -> str:
    """``"only seizures of commodity type cocaine count as seized"``, from the outcome phrases.

    Examples
    --------
    >>> only_seizures(["of commodity category drugs", "detected by scanner"])
    'only seizures of commodity category drugs and detected by scanner count as seized'
    """
    joined = phrases[0]
    for more in phrases[1:]:
        joined = _("{first} and {then}", first=joined, then=more)
    return _("only seizures {phrase} count as seized", phrase=joined)


# ---------------------------------------------------------------------------------- the sidebar's options
#: What :func:`workbench.store.queries.filter_options` returns: per criterion name, ``(first, last)``
#: date for a period, the values for a choice, and ``(value of within, value)`` pairs for a choice
#: narrowed by another.
Options = dict[str, Any]


def offered_values(c: Criterion, options: Options, flt: CaseFilter) -> list[str]:
    """The values a list of ``c`` offers: those of ``options`` (within the values chosen for
    :attr:`Criterion.within`, if any) and those ``flt`` already holds, sorted.

    Examples
    --------
    >>> from workbench.store.filters import CaseFilter
    >>> opts = {"commodity_type": (("drugs", "cocaine"), ("tobacco", "cigarettes"))}
    >>> offered_values(criterion("commodity_type"), opts, CaseFilter(commodity_categories=("drugs",)))
    ['cocaine']
    >>> offered_values(criterion("commodity_type"), opts, CaseFilter(commodity_types=("khat",)))
    ['cigarettes', 'cocaine', 'khat']
    """
    found = options.get(c.name, ())
    if c.within is not None:
        chosen = set(criterion(c.within).value(flt))
        found = [v for w, v in found if not chosen or w in chosen]
    return sorted(set(found) | set(c.value(flt)))


def period_bounds(c: Criterion, options: Options) -> tuple[dt.date | None, dt.date | None]:
    """First and last date of a period criterion's column in the store (None: no data)."""
    lo, hi = options.get(c.name, (None, None))
    return lo, hi
