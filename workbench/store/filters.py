"""The one filter object every page, the CLI and notebooks share, with two engines from one definition.

:class:`CaseFilter` is frozen and hashable, so it can be a cache key. ``to_sql`` narrows a SQLAlchemy
select over ``cases``; ``apply`` narrows a DataFrame of cases (with an optional items frame for the
commodity criteria). Tests hold the two to the same answer.

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
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

import pandas as pd
import sqlalchemy as sa

from workbench.store import DATA_TABLES

__all__ = ["CaseFilter"]


def _tuple(v: Any) -> tuple[str, ...]:
    if v is None:
        return ()
    if isinstance(v, str):
        return (v,) if v else ()
    return tuple(str(x) for x in v)


@dataclass(frozen=True)
class CaseFilter:
    """Period, reporting country / WCO region, commodity category and type, transport mode."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    reporting_countries: tuple[str, ...] = ()
    wco_regions: tuple[str, ...] = ()
    commodity_categories: tuple[str, ...] = ()
    commodity_types: tuple[str, ...] = ()
    transport_modes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for f in fields(self):
            if f.name.startswith("date"):
                v = getattr(self, f.name)
                if isinstance(v, str):
                    object.__setattr__(self, f.name, dt.date.fromisoformat(v) if v else None)
                elif isinstance(v, dt.datetime):
                    object.__setattr__(self, f.name, v.date())
            else:
                object.__setattr__(self, f.name, _tuple(getattr(self, f.name)))
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError(f"the period starts ({self.date_from}) after it ends ({self.date_to})")

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
        parts = []
        if self.date_from:
            parts.append(f"from {self.date_from}")
        if self.date_to:
            parts.append(f"to {self.date_to}")
        labels = {
            "reporting_countries": "reporting country",
            "wco_regions": "WCO region",
            "commodity_categories": "commodity category",
            "commodity_types": "commodity type",
            "transport_modes": "transport mode",
        }
        for k, label in labels.items():
            v = getattr(self, k)
            if v:
                parts.append(f"{label}: {', '.join(v)}")
        return "; ".join(parts) or "all cases"

    def countries(self) -> tuple[str, ...] | None:
        """Reporting countries allowed by the country and region criteria (None: any)."""
        allowed: set[str] | None = None
        if self.reporting_countries:
            allowed = set(self.reporting_countries)
        if self.wco_regions:
            from workbench.format.reference import countries

            c = countries()
            in_regions = set(c.loc[c["wco_region"].isin(self.wco_regions), "iso2"])
            allowed = in_regions if allowed is None else allowed & in_regions
        return None if allowed is None else tuple(sorted(allowed))

    # ------------------------------------------------------------------ SQL engine
    def to_sql(self, stmt: sa.Select[Any], cases: sa.Table | None = None) -> sa.Select[Any]:
        """Add this filter's WHERE clauses to a select over the cases table."""
        c = DATA_TABLES["cases"] if cases is None else cases
        items = DATA_TABLES["items"].alias("filter_items")
        if self.date_from:
            stmt = stmt.where(c.c.seizure_date >= self.date_from)
        if self.date_to:
            stmt = stmt.where(c.c.seizure_date <= self.date_to)
        allowed = self.countries()
        if allowed is not None:
            stmt = stmt.where(c.c.reporting_country.in_(allowed))
        if self.transport_modes:
            stmt = stmt.where(c.c.transport_mode.in_(self.transport_modes))
        if self.commodity_categories or self.commodity_types:
            sub = (
                sa.select(items.c.id)
                .where(items.c.reporting_country == c.c.reporting_country, items.c.case_id == c.c.case_id)
                .correlate(c)
            )
            if self.commodity_categories:
                sub = sub.where(items.c.commodity_category.in_(self.commodity_categories))
            if self.commodity_types:
                sub = sub.where(items.c.commodity_type.in_(self.commodity_types))
            stmt = stmt.where(sa.exists(sub))
        return stmt

    # ------------------------------------------------------------------ pandas engine
    def mask(self, cases: pd.DataFrame, items: pd.DataFrame | None = None) -> pd.Series:
        """Boolean mask over a cases frame (``items`` needed for the commodity criteria)."""
        m = pd.Series(True, index=cases.index)
        if self.date_from or self.date_to:
            d = pd.to_datetime(cases["seizure_date"])
            if self.date_from:
                m &= d >= pd.Timestamp(self.date_from)
            if self.date_to:
                m &= d <= pd.Timestamp(self.date_to)
        allowed = self.countries()
        if allowed is not None:
            m &= cases["reporting_country"].isin(allowed)
        if self.transport_modes:
            m &= cases["transport_mode"].isin(self.transport_modes)
        if self.commodity_categories or self.commodity_types:
            if items is None:
                raise ValueError("the commodity criteria need the items table")
            im = pd.Series(True, index=items.index)
            if self.commodity_categories:
                im &= items["commodity_category"].isin(self.commodity_categories)
            if self.commodity_types:
                im &= items["commodity_type"].isin(self.commodity_types)
            keys = pd.MultiIndex.from_frame(items.loc[im, ["reporting_country", "case_id"]])
            m &= pd.MultiIndex.from_frame(cases[["reporting_country", "case_id"]]).isin(keys)
        return m.fillna(False).astype(bool)

    def apply(self, cases: pd.DataFrame, items: pd.DataFrame | None = None) -> pd.DataFrame:
        return cases.loc[self.mask(cases, items)]
