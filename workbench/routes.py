"""Route model: each case's route is departure, transit countries in order, destination.

Blanks are dropped and a country repeated next to itself is collapsed. Where the destination is blank
and the procedure is ``import``, the reporting country is the destination, and that part is marked
*inferred* wherever it is shown. The **legs** are the consecutive pairs; the **origin-destination
pair** is first to last.

Examples
--------
>>> r = case_route("CO", "SN;SN;ES", None, "import", "FR")
>>> r.countries, r.destination_inferred
(['CO', 'SN', 'ES', 'FR'], True)
>>> r.legs
[('CO', 'SN'), ('SN', 'ES'), ('ES', 'FR')]
>>> r.od
('CO', 'FR')
>>> r.label()
'CO → SN → ES → FR (inferred)'
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["Route", "case_route", "od_pairs"]


def _blank(v: object) -> bool:
    return v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA or str(v).strip() == ""


@dataclass(frozen=True)
class Route:
    countries: list[str]
    destination_inferred: bool = False

    @property
    def legs(self) -> list[tuple[str, str]]:
        return list(zip(self.countries, self.countries[1:], strict=False))

    @property
    def od(self) -> tuple[str, str] | None:
        return (self.countries[0], self.countries[-1]) if len(self.countries) >= 2 else None

    def label(self) -> str:
        if not self.countries:
            return "unknown route"
        s = " → ".join(self.countries)
        return s + (" (inferred)" if self.destination_inferred else "")


def case_route(
    departure: object, transit: object, destination: object, procedure: object, reporting_country: object
) -> Route:
    """The route of one case (see the module docstring)."""
    seq: list[str] = []
    if not _blank(departure):
        seq.append(str(departure))
    if not _blank(transit):
        seq += [t.strip() for t in str(transit).split(";") if t.strip()]
    inferred = False
    if not _blank(destination):
        seq.append(str(destination))
    elif str(procedure) == "import" and not _blank(reporting_country):
        seq.append(str(reporting_country))
        inferred = True
    collapsed = [c for i, c in enumerate(seq) if i == 0 or c != seq[i - 1]]
    return Route(collapsed, inferred)


def od_pairs(cases: pd.DataFrame) -> pd.DataFrame:
    """Vectorised origin-destination pairs of a cases frame.

    Returns a frame aligned with ``cases`` with columns ``origin``, ``destination`` and
    ``destination_inferred``; origin or destination is NA where the route has fewer than two countries.
    """

    def clean(s: pd.Series) -> pd.Series:
        s = s.astype("string").str.strip()
        return s.mask(s.eq(""))

    dep = clean(cases["departure_country"])
    dest = clean(cases["destination_country"])
    transit = clean(cases["transit_countries"])
    first_transit = transit.str.split(";").str[0].str.strip()
    last_transit = transit.str.split(";").str[-1].str.strip()
    inferred = dest.isna() & cases["customs_procedure"].astype("string").eq("import").fillna(False)
    dest_full = dest.fillna(clean(cases["reporting_country"]).where(inferred))
    origin = dep.fillna(first_transit)
    destination = dest_full.fillna(last_transit)
    ok = origin.notna() & destination.notna() & (origin != destination).fillna(False)
    return pd.DataFrame(
        {
            "origin": origin.where(ok),
            "destination": destination.where(ok),
            "destination_inferred": (inferred & ok).astype(bool),
        },
        index=cases.index,
    )
