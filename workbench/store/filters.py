"""The one filter object every page, the CLI and notebooks share, with its engines built from one declaration.

:class:`CaseFilter` is frozen and hashable, so it can be a cache key. Its criteria (period, WCO region,
reporting and departure country, commodity category and type, transport mode, detection method) are
declared once in :data:`workbench.store.criteria.CRITERIA`, and every engine iterates that
declaration: ``to_sql`` narrows a SQLAlchemy select over ``cases``; ``mask``/``apply`` narrow a
DataFrame of cases (with an optional items frame for the criteria on items); ``item_clauses`` and
``item_mask`` keep only the matching items (the seizure frames). Tests hold the engines to the same
answer.

Examples
--------
>>> import datetime as dt
>>> f = CaseFilter(date_from=dt.date(2024, 1, 1), commodity_categories=("drugs",))
>>> f.is_empty
False
>>> f.describe()
'from 2024-01-01; commodity category: drugs'
>>> CaseFilter().describe()
'all cases'
>>> CaseFilter().narrowed({"transport_mode": "road", "route": "CO → NL"}).transport_modes
('road',)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, fields, replace
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd
import sqlalchemy as sa

from workbench.i18n import _
from workbench.store import DATA_TABLES
from workbench.store.criteria import CRITERIA, Criterion, criteria_of

__all__ = ["CaseFilter", "CRITERIA", "Criterion"]


#: a select of any columns: ``to_sql`` returns the same kind of select it was given
_Select = TypeVar("_Select", bound="sa.Select[*tuple[Any, ...]]")


def _tuple(v: Any) -> tuple[str, ...]:
    if v is None:
        return ()
    if isinstance(v, str):
        return (v,) if v else ()
    return tuple(str(x) for x in v)


def _date(v: Any) -> dt.date | None:
    if isinstance(v, str):
        return dt.date.fromisoformat(v) if v else None
    if isinstance(v, dt.datetime):
        return v.date()
    date: dt.date | None = v  # a date, or None
    return date


@dataclass(frozen=True)
class CaseFilter:
    """Period, WCO region, reporting and departure country, commodity category and type, transport mode,
    detection method: one field per criterion of :data:`~workbench.store.criteria.CRITERIA` (two for
    the period)."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    reporting_countries: tuple[str, ...] = ()
    wco_regions: tuple[str, ...] = ()
    commodity_categories: tuple[str, ...] = ()
    commodity_types: tuple[str, ...] = ()
    transport_modes: tuple[str, ...] = ()
    departure_countries: tuple[str, ...] = ()
    detection_methods: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for c in CRITERIA:
            for f in c.fields:
                v = getattr(self, f)
                object.__setattr__(self, f, _date(v) if c.kind == "period" else _tuple(v))
            if c.kind == "period":
                lo, hi = c.value(self)
                if lo and hi and lo > hi:
                    raise ValueError(_("the period starts ({start}) after it ends ({end})", start=lo, end=hi))

    # ------------------------------------------------------------------ helpers
    @property
    def is_empty(self) -> bool:
        return self == CaseFilter()

    def replace(self, **changes: Any) -> CaseFilter:
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        return {
            k: (v.isoformat() if isinstance(v, dt.date) else list(v) if isinstance(v, tuple) else v)
            for k, v in d.items()
            if v not in (None, ())
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> CaseFilter:
        return cls(**{k: v for k, v in d.items() if k in {f.name for f in fields(cls)}})

    def describe(self) -> str:
        """A short human sentence of the filter, for captions and export headers."""
        parts = [p for c in CRITERIA for p in c.describe(self)]
        return "; ".join(parts) or _("all cases")

    def set_criteria(self) -> tuple[Criterion, ...]:
        """The criteria this filter sets, in declaration order."""
        return tuple(c for c in CRITERIA if c.is_set(self))

    def only(self, keep: Callable[[Criterion], bool]) -> CaseFilter:
        """This filter with only the criteria for which ``keep(criterion)`` is true."""
        return CaseFilter(**{f: getattr(self, f) for c in CRITERIA if keep(c) for f in c.fields})

    def narrowed(self, values: Mapping[str, Any]) -> CaseFilter:
        """This filter with each choice criterion named in ``values`` set to that one value; other names
        (fields that are not criteria, e.g. a route) are left aside."""
        names = {c.name: c for c in CRITERIA if c.kind == "choice"}
        return self.replace(**{names[k].fields[0]: (str(v),) for k, v in values.items() if k in names})

    def countries(self) -> tuple[str, ...] | None:
        """Reporting countries allowed by the country and region criteria (None: any)."""
        allowed: set[str] | None = None
        for c in self.set_criteria():
            if c.table == "cases" and c.column == "reporting_country":
                these = set(c.column_values(c.value(self)))
                allowed = these if allowed is None else allowed & these
        return None if allowed is None else tuple(sorted(allowed))

    @property
    def has_item_criteria(self) -> bool:
        """Whether a criterion on items (commodity) is set: cases then need a matching item."""
        return any(c.is_set(self) for c in criteria_of("items"))

    # ------------------------------------------------------------------ SQL engine
    def item_clauses(self, items: sa.FromClause) -> list[sa.ColumnElement[bool]]:
        """Clauses an item must meet (all the criteria on items); empty when none is set."""
        return [w for c in criteria_of("items") for w in c.sql(items.c[c.column], self)]

    def to_sql(self, stmt: _Select, cases: sa.FromClause | None = None) -> _Select:
        """Add this filter's WHERE clauses to a select over the cases table."""
        c = DATA_TABLES["cases"] if cases is None else cases
        for crit in criteria_of("cases"):
            for clause in crit.sql(c.c[crit.column], self):
                stmt = stmt.where(clause)
        if self.has_item_criteria:
            items = DATA_TABLES["items"].alias("filter_items")
            sub = (
                sa.select(items.c.id)
                .where(items.c.reporting_country == c.c.reporting_country, items.c.case_id == c.c.case_id)
                .where(*self.item_clauses(items))
                .correlate(c)
            )
            stmt = stmt.where(sa.exists(sub))
        return stmt

    # ------------------------------------------------------------------ pandas engine
    def item_mask(self, items: pd.DataFrame) -> npt.NDArray[np.bool_]:
        """Boolean array over an items frame (or a seizure frame): the items that meet all the criteria
        on items (all True when none is set)."""
        keep = np.ones(len(items), dtype=bool)
        for c in criteria_of("items"):
            if c.is_set(self):  # a frame needs only the columns of the criteria set
                keep &= c.mask(items[c.column], self)
        return keep

    def mask(self, cases: pd.DataFrame, items: pd.DataFrame | None = None) -> pd.Series:
        """Boolean mask over a cases frame (``items`` needed for the criteria on items)."""
        keep = np.ones(len(cases), dtype=bool)
        for c in criteria_of("cases"):
            if c.is_set(self):
                keep &= c.mask(cases[c.column], self)
        if self.has_item_criteria:
            if items is None:
                raise ValueError(
                    _(
                        "the criteria on items ({criteria}) need the items table",
                        criteria=", ".join(c.title() for c in criteria_of("items")),
                    )
                )
            keys = pd.MultiIndex.from_frame(
                items.loc[self.item_mask(items), ["reporting_country", "case_id"]]
            )
            keep &= pd.MultiIndex.from_frame(cases[["reporting_country", "case_id"]]).isin(keys)
        return pd.Series(keep, index=cases.index)

    def apply(self, cases: pd.DataFrame, items: pd.DataFrame | None = None) -> pd.DataFrame:
        return cases.loc[self.mask(cases, items)]


def _check_declaration() -> None:
    """Every field of CaseFilter belongs to exactly one criterion, and every criterion's fields exist."""
    declared = [f for c in CRITERIA for f in c.fields]
    present = [f.name for f in fields(CaseFilter)]
    if sorted(declared) != sorted(present):
        raise TypeError(
            "CaseFilter's fields and the criteria of workbench.store.criteria.CRITERIA differ: "
            f"fields without a criterion {sorted(set(present) - set(declared))}, "
            f"criteria without a field {sorted(set(declared) - set(present))}, "
            f"fields declared twice {sorted({f for f in declared if declared.count(f) > 1})}"
        )
    names = [c.name for c in CRITERIA]
    flags = [f for c in CRITERIA for f in c.flags]
    for what, seen in (("name", names), ("flag", flags)):
        twice = sorted({x for x in seen if seen.count(x) > 1})
        if twice:
            raise TypeError(f"criteria share a {what}: {', '.join(twice)}")
    tables = {c.name: c.table for c in CRITERIA}
    for c in CRITERIA:
        if c.within is not None and tables.get(c.within) != c.table:
            raise TypeError(f"criterion {c.name}: within {c.within!r} is not a criterion on {c.table}")


_check_declaration()
