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

A frame of many cases is handled by distinct route, not case by case: :func:`route_index` groups the
identical ``(departure, transit, destination, procedure, reporting)`` tuples once (a million cases
hold a few thousand distinct routes), and :func:`route_legs` / :func:`route_pairs` expand each
distinct route into legs or its origin-destination pair, at country or WCO-region level.

>>> cases = pd.DataFrame({"departure_country": ["CO", "CO", None], "transit_countries": ["SN;ES", "SN;ES", None],
...                       "destination_country": [None, None, "BE"], "customs_procedure": ["import"] * 3,
...                       "reporting_country": ["FR", "FR", "NL"]})
>>> idx = route_index(cases)
>>> idx.codes.tolist(), idx.routes["label"].tolist()
([0, 0, 1], ['CO → SN → ES → FR (inferred)', 'BE'])
>>> route_legs(idx.routes)[["route", "source", "target", "inferred"]].values.tolist()
[[0, 'CO', 'SN', False], [0, 'SN', 'ES', False], [0, 'ES', 'FR', True]]
>>> route_pairs(idx.routes, level="region")[["origin", "destination"]].values.tolist()
[['South America, North America, Central America and the Caribbean', 'Europe']]
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from workbench.i18n import _

__all__ = [
    "Route",
    "case_route",
    "od_pairs",
    "ROUTE_COLUMNS",
    "LEVELS",
    "RouteIndex",
    "route_index",
    "route_legs",
    "route_pairs",
    "country_region",
    "countries_at_level",
    "UNKNOWN_REGION",
]

#: The case columns a route is made of.
ROUTE_COLUMNS: tuple[str, ...] = (
    "departure_country",
    "transit_countries",
    "destination_country",
    "customs_procedure",
    "reporting_country",
)
#: Levels at which routes are drawn: countries (ISO2 codes) or WCO regions (their names).
LEVELS: tuple[str, ...] = ("country", "region")
#: Region of a country the reference data does not place (``XX`` and the like).
UNKNOWN_REGION = "Unknown"


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


# ---------------------------------------------------------------- many routes at once
@dataclass(frozen=True)
class RouteIndex:
    """Distinct routes of a frame and, per row, which one it follows.

    ``codes`` holds, for each row of the frame, the position of its route in ``routes`` (-1: no
    route at all). ``routes`` has one row per distinct route: ``countries`` (tuple of ISO2 codes),
    ``inferred`` (the destination is the reporting country of an import), ``origin``, ``destination``
    (NA when the route has fewer than two countries) and ``label``.
    """

    codes: np.ndarray
    routes: pd.DataFrame


def _codes(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes (-1 for blank) and the distinct values of a text or categorical column."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        cats = np.asarray(s.cat.categories.astype(str), dtype=object)
        return s.cat.codes.to_numpy(dtype=np.int64), cats
    codes, uniques = pd.factorize(s.astype("string").str.strip(), use_na_sentinel=True)
    return codes.astype(np.int64), np.asarray(uniques.astype(str), dtype=object)


def route_index(frame: pd.DataFrame) -> RouteIndex:
    """Group the rows of ``frame`` (cases, or items with their case columns) by route, vectorised.

    Only what decides a route is compared: the reporting country and the procedure count only
    where the destination is blank (an import's destination is then the reporting country), so
    most cases of a corridor share one distinct route whoever reports them.
    """
    dep, dep_v = _codes(frame["departure_country"])
    tra, tra_v = _codes(frame["transit_countries"])
    dst, dst_v = _codes(frame["destination_country"])
    rep, rep_v = _codes(frame["reporting_country"])
    proc = frame["customs_procedure"].astype("string").eq("import").fillna(False).to_numpy(bool)
    inferred_rep = np.where((dst < 0) & proc, rep, -1)
    # One int64 per row: mixed radix over the four codes (each shifted so that -1 becomes 0).
    key = np.zeros(len(frame), dtype=np.int64)
    for codes, values in ((dep, dep_v), (tra, tra_v), (dst, dst_v), (inferred_rep, rep_v)):
        key = key * (len(values) + 1) + (codes + 1)
    uniq_codes, uniq_keys = pd.factorize(key, sort=False)
    parts = []
    rest = np.asarray(uniq_keys, dtype=np.int64)
    for values in (rep_v, dst_v, tra_v, dep_v):  # reverse order of the radix
        parts.append(rest % (len(values) + 1) - 1)
        rest = rest // (len(values) + 1)
    rep_u, dst_u, tra_u, dep_u = parts

    def pick(values: np.ndarray, codes: np.ndarray) -> list[object]:
        return [values[c] if c >= 0 else None for c in codes]

    rows = []
    for d, t, de, r in zip(
        pick(dep_v, dep_u), pick(tra_v, tra_u), pick(dst_v, dst_u), pick(rep_v, rep_u), strict=True
    ):
        route = case_route(d, t, de, "import" if r is not None else None, r)
        rows.append(route)
    countries = [tuple(r.countries) for r in rows]
    routes = pd.DataFrame(
        {
            "countries": countries,
            "inferred": [r.destination_inferred for r in rows],
            "origin": pd.array([c[0] if len(c) >= 2 else None for c in countries], dtype="string"),
            "destination": pd.array([c[-1] if len(c) >= 2 else None for c in countries], dtype="string"),
            "label": [r.label() for r in rows],
        }
    )
    codes = np.asarray(uniq_codes, dtype=np.int64)
    empty = np.array([len(c) == 0 for c in countries] + [False], dtype=bool)
    codes = np.where(empty[codes], -1, codes)
    return RouteIndex(codes, routes)


@lru_cache(maxsize=1)
def _region_of() -> dict[str, str]:
    from workbench.format.reference import countries

    c = countries()
    return {
        iso2: (region if isinstance(region, str) and region else UNKNOWN_REGION)
        for iso2, region in zip(c["iso2"], c["wco_region"], strict=True)
    }


def country_region(iso2: str) -> str:
    """WCO region of a country, :data:`UNKNOWN_REGION` when the reference data does not place it.

    >>> country_region("SN"), country_region("XX")
    ('Central and West Africa', 'Unknown')
    """
    return _region_of().get(str(iso2), UNKNOWN_REGION)


def countries_at_level(countries: tuple[str, ...], level: str) -> tuple[str, ...]:
    """A route's countries, or its WCO regions with repeats collapsed (``level="region"``).

    >>> countries_at_level(("FR", "DE"), "region")
    ('Europe', 'Europe')
    """
    if level == "country":
        return countries
    if level != "region":
        raise ValueError(
            _("level must be one of {levels}, not {level!r}", levels=", ".join(LEVELS), level=level)
        )
    regions = [country_region(c) for c in countries]
    collapsed = tuple(r for i, r in enumerate(regions) if i == 0 or r != regions[i - 1])
    # A route wholly inside one region stays visible as that region's internal flow.
    if len(collapsed) == 1 and len(countries) >= 2:
        collapsed = (collapsed[0], collapsed[0])
    return collapsed


def route_legs(routes: pd.DataFrame, level: str = "country") -> pd.DataFrame:
    """The legs of each distinct route (``routes`` from :func:`route_index`).

    Columns ``route`` (position in ``routes``), ``leg`` (0 first), ``source``, ``target``,
    ``inferred`` (the target is an inferred destination). A leg repeated within one route
    (A → B → A → B) is listed once, so counting cases per leg never counts a case twice.
    """
    rec: list[tuple[int, int, str, str, bool]] = []
    for rid, (countries, inferred) in enumerate(zip(routes["countries"], routes["inferred"], strict=True)):
        seq = countries_at_level(tuple(countries), level)
        seen: set[tuple[str, str]] = set()
        last = len(seq) - 2
        for i, (a, b) in enumerate(zip(seq, seq[1:], strict=False)):
            if (a, b) in seen:
                continue
            seen.add((a, b))
            rec.append((rid, i, a, b, bool(inferred) and i == last))
    return pd.DataFrame.from_records(rec, columns=["route", "leg", "source", "target", "inferred"]).astype(
        {"route": "int64", "leg": "int64", "inferred": "bool"}
    )


def route_pairs(routes: pd.DataFrame, level: str = "country") -> pd.DataFrame:
    """The origin-destination pair of each distinct route with at least two countries.

    Columns ``route``, ``origin``, ``destination``, ``inferred`` (the destination is inferred).
    At region level the pair may be one region twice (a route inside Europe).
    """
    rec: list[tuple[int, str, str, bool]] = []
    for rid, (countries, inferred) in enumerate(zip(routes["countries"], routes["inferred"], strict=True)):
        if len(countries) < 2:
            continue
        a, b = countries[0], countries[-1]
        if level != "country":
            a, b = countries_at_level((a,), level)[0], countries_at_level((b,), level)[0]
        rec.append((rid, a, b, bool(inferred)))
    return pd.DataFrame.from_records(rec, columns=["route", "origin", "destination", "inferred"]).astype(
        {"route": "int64", "inferred": "bool"}
    )
