"""Offline reference data: countries with WCO region and RILO, airports, seaports, the commodity taxonomy,
country polygons, and country-name matching.

Everything comes from files in ``workbench/data`` or installed packages (``pycountry``,
``airportsdata``); nothing is downloaded. Tables load lazily on first use and are cached.

- WCO regions are the WCO's six; territories are placed by geography.
- **RILO membership per country is not published**: ``data/regions.csv`` is this project's assumption.
- Country polygons are Natural Earth 1:110m (public domain), converted once by
  ``data/build_countries_geojson.py``; small island states are absent from that scale, so
  :func:`point_in_or_near_country` answers True (unknown, not wrong) for them.

Examples
--------
>>> country_name("CI"), wco_region("SN"), rilo("SN")
("Côte d'Ivoire", 'Central and West Africa', 'West Africa')
>>> to_iso2("Pays-Bas"), to_iso2("côte d'ivoire"), to_iso2("NLD"), to_iso2("Atlantis")
('NL', 'CI', 'NL', None)
>>> place("MAD")["country"], place("NLRTM")["kind"]
('ES', 'seaport')
>>> point_in_or_near_country(48.85, 2.35, "FR"), point_in_or_near_country(48.85, 2.35, "BR")
(True, False)
"""

from __future__ import annotations

import csv
import json
import math
import unicodedata
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

from workbench.i18n import N_, _, code_label, language

if TYPE_CHECKING:
    from airportsdata import Airport

__all__ = [
    "WCO_REGIONS",
    "WCO_REGION_SHORT",
    "RILOS",
    "countries",
    "country_codes",
    "UNKNOWN_COUNTRY",
    "country_name",
    "country_names",
    "wco_region_label",
    "rilo_label",
    "commodity_label",
    "wco_region",
    "rilo",
    "airports",
    "seaports",
    "places_of",
    "place",
    "commodities",
    "commodity_types",
    "country_polygons",
    "country_shape",
    "point_in_or_near_country",
    "points_in_or_near_country",
    "to_iso2",
    "to_iso2_series",
    "UNITS",
    "unit_dimension",
    "places",
    "distance_km",
    "land_neighbours",
]

WCO_REGIONS: tuple[str, ...] = (
    N_("Central and West Africa"),
    N_("East and Southern Africa"),
    N_("Europe"),
    N_("Far East, South and South East Asia, Australasia and the Pacific"),
    N_("North of Africa, Near and Middle East"),
    N_("South America, North America, Central America and the Caribbean"),
)
WCO_REGION_SHORT: dict[str, str] = {
    "Central and West Africa": N_("West & Central Africa"),
    "East and Southern Africa": N_("East & Southern Africa"),
    "Europe": N_("Europe"),
    "Far East, South and South East Asia, Australasia and the Pacific": N_("Asia/Pacific"),
    "North of Africa, Near and Middle East": N_("MENA"),
    "South America, North America, Central America and the Caribbean": N_("Americas & Caribbean"),
}
RILOS: tuple[str, ...] = (
    N_("Asia/Pacific"),
    N_("CIS"),
    N_("Caribbean"),
    N_("Central Africa"),
    N_("Central America"),
    N_("East and Southern Africa"),
    N_("Eastern and Central Europe"),
    N_("Middle East"),
    N_("North Africa"),
    N_("South America"),
    N_("West Africa"),
    N_("Western Europe"),
)


def _data(name: str) -> str:
    return resources.files("workbench.format").joinpath(f"data/{name}").read_text(encoding="utf-8")


def _csv(name: str) -> pd.DataFrame:
    lines = [ln for ln in _data(name).splitlines() if ln and not ln.startswith("#")]
    return pd.DataFrame(list(csv.DictReader(lines)))


# ---------------------------------------------------------------- countries
#: The code the exchange format gives a country nobody knows (kind ``country``: "XX unknown").
UNKNOWN_COUNTRY = "XX"


@lru_cache(maxsize=1)
def country_codes() -> frozenset[str]:
    """Valid ISO 3166-1 alpha-2 codes, plus XK (Kosovo) and XX (unknown)."""
    import pycountry

    return frozenset(
        [c.alpha_2 for c in pycountry.countries] + ["XK", UNKNOWN_COUNTRY, *former_state_codes()]
    )


@lru_cache(maxsize=1)
def _former_states() -> pd.DataFrame:
    return _csv("former_states.csv")


@lru_cache(maxsize=1)
def former_state_codes() -> frozenset[str]:
    """Former ISO 3166-1 codes kept for states with no single successor (ISO 3166-3): AN, CS, SU, YU.

    >>> sorted(former_state_codes())
    ['AN', 'CS', 'SU', 'YU']
    """
    import pycountry

    today = {c.alpha_2 for c in pycountry.countries}
    return frozenset(c for c in _former_states()["iso2"] if c not in today)


def former_state(value: object) -> tuple[str, str] | None:
    """``(code, note)`` when ``value`` names a former state (or a state by a former name), else None.

    >>> former_state("Libyan Arab Jamahiriya")
    ('LY', 'today Libya')
    >>> former_state("USSR")[0], former_state("France")
    ('SU', None)
    """
    idx = {_norm(r["alias"]): (r["iso2"], r["note"]) for r in _former_states().to_dict("records")}
    return idx.get(_norm(str(value)))


@lru_cache(maxsize=1)
def countries() -> pd.DataFrame:
    """One row per country: ``iso2, iso3, name, wco_region, rilo, lat, lon`` (a point inside the country)."""
    import pycountry

    rows = [
        {"iso2": c.alpha_2, "iso3": c.alpha_3, "name": getattr(c, "common_name", c.name)}
        for c in pycountry.countries
    ]
    rows.append({"iso2": "XK", "iso3": "XKX", "name": "Kosovo"})
    df = pd.DataFrame(rows)
    regions = _csv("regions.csv")
    df = df.merge(regions, on="iso2", how="left")
    pts = _representative_points()
    df["lat"] = df["iso2"].map(lambda c: pts.get(c, (np.nan, np.nan))[0])
    df["lon"] = df["iso2"].map(lambda c: pts.get(c, (np.nan, np.nan))[1])
    # Countries too small for the 1:110m polygons: their main airport or port stands in.
    missing = df["lat"].isna()
    if missing.any():
        ap = _airport_table()
        major = _csv("major_airports.csv").merge(ap, on="iata", how="left", suffixes=("", "_ap"))
        first = major.dropna(subset=["lat"]).drop_duplicates("country").set_index("country")
        ports = (
            _csv("seaports.csv")
            .astype({"lat": float, "lon": float})
            .drop_duplicates("country")
            .set_index("country")
        )
        any_airport = ap.dropna(subset=["lat"]).drop_duplicates("country").set_index("country")
        for src in (first, ports, any_airport):
            m = df["lat"].isna() & df["iso2"].isin(src.index)
            df.loc[m, "lat"] = df.loc[m, "iso2"].map(src["lat"]).astype(float)
            df.loc[m, "lon"] = df.loc[m, "iso2"].map(src["lon"]).astype(float)
    return df.sort_values("iso2").reset_index(drop=True)


@lru_cache(maxsize=1)
def _country_index() -> dict[str, dict[str, Any]]:
    # keyed by ISO code, then by column name
    return cast("dict[str, dict[str, Any]]", countries().set_index("iso2").to_dict("index"))


def country_name(iso2: str) -> str:
    """Short name of a country in the language in force (``XX`` -> ``Unknown``); the code itself if unknown.

    English names are the project's (pycountry's common names); other languages take CLDR's (through
    Babel), and keep the project's name where CLDR has none (former states such as the USSR).

    >>> from workbench.i18n import use_language
    >>> country_name("NL"), country_name("SU")
    ('Netherlands', 'USSR')
    >>> with use_language("fr"):
    ...     country_name("NL"), country_name("DE"), country_name("SU")
    ('Pays-Bas', 'Allemagne', 'USSR')
    """
    code = str(iso2).upper()
    if code == UNKNOWN_COUNTRY:
        return _("Unknown")
    lang = language()
    if lang != "en" and (cldr := _cldr_territories(lang).get(code)) and len(code) == 2:
        return cldr
    return _english_country_name(str(iso2))


@lru_cache(maxsize=8)
def _cldr_territories(lang: str) -> dict[str, str]:
    from babel import Locale

    return dict(Locale.parse(lang).territories)


@lru_cache(maxsize=512)
def _english_country_name(iso2: str) -> str:
    code = iso2.upper()
    rec = _country_index().get(code)
    if rec:
        return str(rec["name"])
    former = _former_states()
    hit = former.loc[former["iso2"] == code, "alias"]
    return str(hit.iloc[0]) if code in former_state_codes() and len(hit) else iso2


def country_names(codes: Any) -> pd.Series:
    """Vectorised :func:`country_name` (each distinct code looked up once), for tables and chart axes.

    >>> country_names(["FR", "NL", "FR"]).tolist()
    ['France', 'Netherlands', 'France']
    """
    s = pd.Series(codes)
    return s.map({c: country_name(c) for c in s.dropna().unique()})


def wco_region_label(region: str, short: bool = False) -> str:
    """A WCO region (one of :data:`WCO_REGIONS`) as people read it, in the language in force; ``short``:
    its short name (:data:`WCO_REGION_SHORT`, for chart legends).

    >>> wco_region_label("North of Africa, Near and Middle East", short=True)
    'MENA'
    """
    return _(WCO_REGION_SHORT.get(region, region) if short else region)


def rilo_label(name: str) -> str:
    """A RILO (one of :data:`RILOS`) as people read it, in the language in force."""
    return _(name)


def commodity_label(code: str) -> str:
    """A commodity category or type code (``cannabis_resin``) as people read it, in the language in force.

    >>> commodity_label("cannabis_resin")
    'cannabis resin'
    """
    return code_label(code)


def wco_region(iso2: str) -> str | None:
    rec = _country_index().get(str(iso2).upper())
    return rec["wco_region"] if rec and isinstance(rec["wco_region"], str) else None


def rilo(iso2: str) -> str | None:
    rec = _country_index().get(str(iso2).upper())
    return rec["rilo"] if rec and isinstance(rec["rilo"], str) else None


# ---------------------------------------------------------------- places
@lru_cache(maxsize=1)
def _airport_table() -> pd.DataFrame:
    import airportsdata

    data = airportsdata.load("IATA")
    df = pd.DataFrame.from_dict(data, orient="index")
    df = df.rename(
        columns={"iata": "iata", "icao": "icao", "name": "name", "city": "city", "country": "country"}
    )
    df = df[["iata", "icao", "name", "city", "country", "lat", "lon"]]
    df = df[df["iata"].astype(str).str.len() == 3]
    return df.astype({"lat": float, "lon": float}).reset_index(drop=True)


def airports() -> pd.DataFrame:
    """Airports with an IATA code (the ``airportsdata`` package): ``iata, icao, name, city, country, lat, lon``."""
    return _airport_table().copy()


@lru_cache(maxsize=1)
def _seaports() -> pd.DataFrame:
    return _csv("seaports.csv").astype({"lat": float, "lon": float})


def seaports() -> pd.DataFrame:
    """Major seaports: ``locode, name, country, lat, lon`` (UN/LOCODE, WGS84)."""
    return _seaports().copy()


@lru_cache(maxsize=1)
def _major_airports() -> pd.DataFrame:
    major = _csv("major_airports.csv").drop_duplicates("iata")
    ap = _airport_table().drop(columns=["country"])
    return major.merge(ap, on="iata", how="inner").rename(columns={"iata": "code"})


def places_of(country: str, kind: str) -> pd.DataFrame:
    """Major airports (``kind="airport"``) or seaports (``"seaport"``) of a country: ``code, name, country, lat, lon``."""
    if kind == "airport":
        df = _major_airports()
    elif kind == "seaport":
        df = _seaports().rename(columns={"locode": "code"})
    else:
        raise ValueError(f"kind must be 'airport' or 'seaport', not {kind!r}")
    return df.loc[df["country"] == country, ["code", "name", "country", "lat", "lon"]].reset_index(drop=True)


@lru_cache(maxsize=4096)
def place(code: str) -> dict[str, Any] | None:
    """An IATA airport code or a UN/LOCODE seaport: ``code, name, country, lat, lon, kind``; None if unknown."""
    code = str(code).strip().upper()
    if len(code) == 5:
        sp = _seaports()
        hit = sp[sp["locode"] == code]
        if len(hit):
            r = hit.iloc[0]
            return {
                "code": code,
                "name": r["name"],
                "country": r["country"],
                "lat": r["lat"],
                "lon": r["lon"],
                "kind": "seaport",
            }
    if len(code) == 3:
        rec = _airports_by_iata().get(code)
        if rec is None:
            return None
        return {
            "code": code,
            "name": rec["name"],
            "country": rec["country"],
            "lat": float(rec["lat"]),
            "lon": float(rec["lon"]),
            "kind": "airport",
        }
    return None


@lru_cache(maxsize=1)
def _airports_by_iata() -> dict[str, Airport]:
    import airportsdata

    return airportsdata.load("IATA")


# ---------------------------------------------------------------- commodities
@lru_cache(maxsize=1)
def _commodities() -> pd.DataFrame:
    import yaml

    raw = yaml.safe_load(_data("commodities.yaml"))
    rows = []
    for cat, types in raw.items():
        for t, v in types.items():
            rows.append(
                {
                    "category": cat,
                    "type": t,
                    "label": t.replace("_", " "),
                    "default_unit": v["unit"],
                    "hs_code": v.get("hs") or None,
                    "qty_median": float(v["median"]),
                    "qty_sigma": float(v["sigma"]),
                    "max_plausible": float(v["max"]),
                    "unit_price_usd": float(v["price"]),
                    # every unit the commodity is counted in (ecstasy in tablets, kg or g)
                    "units": tuple(v.get("units") or [v["unit"]]),
                    "in_sample": bool(v.get("sample", True)),
                }
            )
    return pd.DataFrame(rows)


def commodities() -> pd.DataFrame:
    """The commodity taxonomy: ``category, type, label, default_unit, hs_code, qty_median, qty_sigma,
    max_plausible, unit_price_usd, units`` (every unit it may be counted in) and ``in_sample`` (drawn by
    the sample generator; the UNODC groups and names of national statistics are not)."""
    return _commodities().copy()


def commodity_types(category: str | None = None) -> list[str]:
    df = _commodities()
    return df.loc[df["category"] == category, "type"].tolist() if category else df["type"].tolist()


#: Units of the exchange format: unit -> (dimension, factor to the dimension's base unit).
#: Quantities in the same dimension compare after scaling (``g`` is 0.001 ``kg``); across dimensions
#: they do not compare at all (cigarettes in litres make no sense).
UNITS: dict[str, tuple[str, float]] = {
    "kg": ("mass", 1.0),
    "g": ("mass", 0.001),
    "l": ("volume", 1.0),
    "pieces": ("count", 1.0),
    "sticks": ("count", 1.0),
    "items": ("count", 1.0),
    "usd": ("money", 1.0),
}


def unit_dimension(unit: str) -> str | None:
    """What a unit measures: ``mass``, ``volume``, ``count`` or ``money``; None if unknown.

    >>> unit_dimension("g"), unit_dimension("sticks"), unit_dimension("barrels")
    ('mass', 'count', None)
    """
    found = UNITS.get(str(unit).strip().lower())
    return found[0] if found else None


def places(codes: Any) -> pd.DataFrame:
    """Vectorised :func:`place`: one row per distinct known code (index ``code``), columns
    ``name, country, lat, lon, kind``; unknown codes are left out.

    >>> places(["MAD", "NLRTM", "ZZZ", None]).loc[["MAD", "NLRTM"], "country"].tolist()
    ['ES', 'NL']
    """
    uniques = pd.Series(codes, dtype="string").dropna().str.strip().str.upper().unique()
    rows = [p for p in (place(str(c)) for c in uniques) if p is not None]
    cols = ["code", "name", "country", "lat", "lon", "kind"]
    return pd.DataFrame(rows, columns=cols).set_index("code")


def distance_km(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> np.ndarray:
    """Great-circle distance in km (haversine, vectorised); NaN where a coordinate is missing.

    >>> round(float(distance_km(48.85, 2.35, 51.51, -0.13)))  # Paris - London
    344
    """
    p1, p2 = np.radians(np.asarray(lat1, dtype=float)), np.radians(np.asarray(lat2, dtype=float))
    dlat = p2 - p1
    dlon = np.radians(np.asarray(lon2, dtype=float) - np.asarray(lon1, dtype=float))
    a = np.sin(dlat / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlon / 2) ** 2
    km: np.ndarray = 2 * 6371.0088 * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    return km


# ---------------------------------------------------------------- polygons
@lru_cache(maxsize=1)
def country_polygons() -> dict[str, Any]:
    """GeoJSON FeatureCollection of country polygons (properties ``iso2, iso3, name, continent``)."""
    polygons: dict[str, Any] = json.loads(_data("countries.geojson"))
    return polygons


@lru_cache(maxsize=1)
def _shapes() -> dict[str, Any]:
    from shapely import prepare
    from shapely.geometry import shape

    out = {}
    for f in country_polygons()["features"]:
        g = shape(f["geometry"])
        prepare(g)
        out[f["properties"]["iso2"]] = g
    return out


def country_shape(iso2: str) -> Any | None:
    """The shapely geometry of a country, or None when the 1:110m polygons do not include it."""
    return _shapes().get(str(iso2).upper())


@lru_cache(maxsize=1)
def _representative_points() -> dict[str, tuple[float, float]]:
    pts = {}
    for code, g in _shapes().items():
        p = g.representative_point() if g.geom_type != "Polygon" or not g.centroid.within(g) else g.centroid
        pts[code] = (round(p.y, 3), round(p.x, 3))
    return pts


def points_in_or_near_country(lats: Any, lons: Any, iso2s: Any, tolerance_km: float = 50.0) -> np.ndarray:
    """Vectorised :func:`point_in_or_near_country`; NaN coordinates answer True (nothing to check)."""
    import shapely

    lats = np.asarray(lats, dtype=float)
    lons = np.asarray(lons, dtype=float)
    codes = np.asarray(pd.Series(iso2s).astype("string").str.upper().fillna("").to_numpy())
    out = np.ones(len(lats), dtype=bool)
    shapes = _shapes()
    for code in np.unique(codes):
        g = shapes.get(code)
        if g is None:
            continue
        idx = np.nonzero((codes == code) & ~np.isnan(lats) & ~np.isnan(lons))[0]
        if not len(idx):
            continue
        pts = shapely.points(lons[idx], lats[idx])
        inside = shapely.contains_xy(g, lons[idx], lats[idx])
        if (~inside).any():
            far = idx[~inside]
            # degrees to km: latitude-corrected, conservative (uses the smaller scale of the two axes)
            dist_deg = shapely.distance(g, pts[~inside])
            km_per_deg = 111.32 * np.maximum(np.cos(np.radians(lats[far])), 0.2)
            inside_far = dist_deg * km_per_deg <= tolerance_km
            inside[~inside] = inside_far
        out[idx] = inside
    return out


@lru_cache(maxsize=1)
def _neighbour_pairs() -> frozenset[tuple[str, str]]:
    import shapely

    codes = list(_shapes())
    geoms = [_shapes()[c] for c in codes]
    tree = shapely.STRtree(geoms)
    # 0.25 degree: the 1:110m outlines are simplified, so borders that touch can sit a little apart
    left, right = tree.query(geoms, predicate="dwithin", distance=0.25)
    return frozenset((codes[i], codes[j]) for i, j in zip(left, right, strict=True) if i != j)


def land_neighbours(iso2: str) -> frozenset[str]:
    """Countries that share a land border with ``iso2`` (from the 1:110m polygons; empty when absent).

    >>> sorted(land_neighbours("BE"))
    ['DE', 'FR', 'LU', 'NL']
    >>> "GB" in land_neighbours("FR"), "AE" in land_neighbours("FR")
    (False, False)
    """
    code = str(iso2).upper()
    return frozenset(b for a, b in _neighbour_pairs() if a == code)


def point_in_or_near_country(lat: float, lon: float, iso2: str, tolerance_km: float = 50.0) -> bool:
    """True if (lat, lon) lies in the country or within ``tolerance_km`` of it (coasts, ports).

    Countries absent from the 1:110m polygons answer True: the check cannot say they are wrong.
    """
    if lat is None or lon is None or (isinstance(lat, float) and math.isnan(lat)):
        return True
    return bool(points_in_or_near_country([lat], [lon], [iso2], tolerance_km)[0])


# ---------------------------------------------------------------- name matching
def _norm(s: str) -> str:
    s = unicodedata.normalize("NFKD", str(s)).encode("ascii", "ignore").decode().lower()
    for ch in ".,'’`-()/":
        s = s.replace(ch, " ")
    return " ".join(s.split())


@lru_cache(maxsize=1)
def _name_index() -> dict[str, str]:
    import gettext

    import pycountry

    idx: dict[str, str] = {}
    translations = []
    for lang in ("fr", "es", "pt", "de"):
        try:
            translations.append(gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang]))
        except OSError:
            pass
    for c in pycountry.countries:
        names = {
            c.name,
            getattr(c, "common_name", c.name),
            getattr(c, "official_name", c.name),
            c.alpha_3,
            c.alpha_2,
        }
        for t in translations:
            for n in (c.name, getattr(c, "common_name", c.name), getattr(c, "official_name", c.name)):
                names.add(t.gettext(n))
        for n in names:
            idx.setdefault(_norm(n), c.alpha_2)
    for rec in _csv("country_aliases.csv").to_dict("records"):
        idx[_norm(rec["alias"])] = rec["iso2"]
    for rec in _former_states().to_dict("records"):
        idx[_norm(rec["alias"])] = rec["iso2"]
    return idx


def to_iso2(value: object) -> str | None:
    """ISO2 code for a code (ISO2/ISO3) or a country name in English, French, Spanish (and common variants)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    s = str(value).strip()
    if not s:
        return None
    if len(s) == 2 and s.upper() in country_codes():
        return s.upper()
    return _name_index().get(_norm(s))


def to_iso2_series(s: pd.Series) -> pd.Series:
    """Vectorised :func:`to_iso2`: each distinct value is looked up once."""
    uniques = pd.Series(s.dropna().unique())
    mapping = {v: to_iso2(v) for v in uniques}
    return s.map(mapping).astype("string")
