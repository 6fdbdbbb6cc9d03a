"""The workbench's own row checks, as plain vectorised pandas, with their SQL form where SQL can say it.

Each check takes the columns it reads as one DataFrame, **in a fixed order** (names do not matter), and
returns a boolean Series: True where the row is as expected. A blank input passes: the check cannot say
it is wrong (required values are the format's business). These same functions are what the Great
Expectations metrics compute (:mod:`data_quality.expectations`) and what the plain pandas engine calls,
so the two engines cannot disagree on a rule.

``SQL_CHECKS`` holds the SQLAlchemy form of the checks a database can evaluate (used when the store
itself is validated); the geometric ones (polygons, distances to airports) have none.

Examples
--------
>>> import pandas as pd
>>> route = pd.DataFrame({"departure_country": ["FR", "FR", "FR", None],
...                       "destination_country": ["DE", "FR", "FR", "FR"],
...                       "customs_procedure": ["import", "import", "domestic", "import"]})
>>> route_coherent(route).tolist()
[True, False, True, True]
>>> items = pd.DataFrame({"commodity_type": ["cigarettes", "cigarettes", "cocaine", "cocaine"],
...                       "unit": ["sticks", "l", "kg", "kg"], "quantity": [1000.0, 5.0, 50_000.0, 2.0]})
>>> unit_suits_commodity(items[["commodity_type", "unit"]]).tolist()
[True, False, True, True]
>>> quantity_plausible(items[["commodity_type", "quantity", "unit"]]).tolist()
[True, True, False, True]
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from workbench.format import reference

__all__ = [
    "CHECKS",
    "SQL_CHECKS",
    "place_in_or_near_country",
    "place_code_in_reporting_country",
    "place_code_near_coordinates",
    "route_coherent",
    "unit_suits_commodity",
    "quantity_plausible",
    "commodity_in_taxonomy",
    "TRANSIT_REPEAT_REGEX",
    "PLACE_CODE_REGEX",
    "country_list_regex",
]

#: A country next to itself in a ``;``-separated transit list (``SN;SN``).
TRANSIT_REPEAT_REGEX = r"(?:^|;)([A-Z]{2});\1(?:;|$)"
#: An IATA airport code (3 letters) or a UN/LOCODE (2-letter country + 3 letters or digits 2-9).
PLACE_CODE_REGEX = r"^(?:[A-Z]{3}|[A-Z]{2}[A-Z2-9]{3})$"


@lru_cache(maxsize=1)
def country_list_regex() -> str:
    """A regex for ``;``-separated lists of valid ISO2 codes (the format's ``iso2_list``)."""
    codes = "|".join(sorted(reference.country_codes()))
    return rf"^(?:{codes})(?:;(?:{codes}))*$"


def _col(df: pd.DataFrame, i: int) -> pd.Series:
    return df.iloc[:, i]


def _text(s: pd.Series) -> pd.Series:
    return s.astype("string").str.strip().str.upper()


def _passes(mask: Any, index: pd.Index) -> pd.Series:
    return pd.Series(np.asarray(mask, dtype=bool), index=index)


# ------------------------------------------------------------------------------------------- places
def place_in_or_near_country(df: pd.DataFrame, tolerance_km: float = 50.0) -> pd.Series:
    """``[latitude, longitude, reporting_country]``: the point lies in the country or within
    ``tolerance_km`` of its border (coasts, ports). Countries too small for the 1:110m polygons pass."""
    ok = reference.points_in_or_near_country(
        pd.to_numeric(_col(df, 0), errors="coerce").to_numpy(dtype=float, na_value=np.nan),
        pd.to_numeric(_col(df, 1), errors="coerce").to_numpy(dtype=float, na_value=np.nan),
        _text(_col(df, 2)).fillna(""),
        tolerance_km,
    )
    return _passes(ok, df.index)


def _known_places(codes: pd.Series) -> tuple[pd.Series, pd.DataFrame]:
    text = _text(codes)
    return text, reference.places(text)


def place_code_in_reporting_country(df: pd.DataFrame) -> pd.Series:
    """``[place_code, reporting_country]``: a known airport or port lies in the reporting country."""
    code, known = _known_places(_col(df, 0))
    country = code.map(known["country"]) if len(known) else pd.Series(pd.NA, index=df.index)
    rc = _text(_col(df, 1))
    bad = country.notna() & rc.notna() & (country.astype("string") != rc)
    return _passes(~bad.fillna(False).to_numpy(dtype=bool), df.index)


def place_code_near_coordinates(df: pd.DataFrame, max_km: float = 50.0) -> pd.Series:
    """``[place_code, latitude, longitude]``: the coordinates are within ``max_km`` of the airport or
    port the code names. Unknown codes and blank coordinates pass."""
    code, known = _known_places(_col(df, 0))
    if not len(known):
        return _passes(np.ones(len(df), dtype=bool), df.index)
    plat = code.map(known["lat"]).to_numpy(dtype=float, na_value=np.nan)
    plon = code.map(known["lon"]).to_numpy(dtype=float, na_value=np.nan)
    lat = pd.to_numeric(_col(df, 1), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    lon = pd.to_numeric(_col(df, 2), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    d = reference.distance_km(lat, lon, plat, plon)
    return _passes(~(d > max_km), df.index)  # NaN distance (unknown) passes


# ------------------------------------------------------------------------------------------- routes
def route_coherent(df: pd.DataFrame) -> pd.Series:
    """``[departure_country, destination_country, customs_procedure]``: departure differs from the
    destination unless the procedure is domestic (``XX``, unknown, is never a contradiction)."""
    dep, dest = _text(_col(df, 0)), _text(_col(df, 1))
    proc = _col(df, 2).astype("string").str.strip().str.lower()
    same = (dep == dest) & (dep != "XX")
    bad = same.fillna(False) & (proc != "domestic").fillna(True)
    return _passes(~bad.to_numpy(dtype=bool), df.index)


def _route_coherent_sql(cols: list[Any]) -> Any:
    dep, dest, proc = cols
    return sa.not_(sa.and_(dep == dest, dep != "XX", sa.func.coalesce(proc, "") != "domestic"))


# -------------------------------------------------------------------------------------- commodities
@lru_cache(maxsize=1)
def _taxonomy() -> pd.DataFrame:
    com = reference.commodities().set_index("type")
    dim = com["default_unit"].map(lambda u: reference.UNITS[u][0])
    factor = com["default_unit"].map(lambda u: reference.UNITS[u][1])
    # the largest plausible seizure in the base unit of its dimension (kg, l, count, usd)
    return pd.DataFrame(
        {"category": com["category"], "dimension": dim, "max_base": com["max_plausible"] * factor}
    )


def _unit_table() -> pd.DataFrame:
    return pd.DataFrame.from_dict(reference.UNITS, orient="index", columns=["dimension", "factor"])


def unit_suits_commodity(df: pd.DataFrame) -> pd.Series:
    """``[commodity_type, unit]``: the unit measures what the commodity is counted in (cigarettes in
    sticks or pieces, cocaine in kg or g, spirits in litres). Commodity types not in the taxonomy pass."""
    tax, units = _taxonomy(), _unit_table()
    ctype = _col(df, 0).astype("string").str.strip().str.lower()
    unit = _col(df, 1).astype("string").str.strip().str.lower()
    want = ctype.map(tax["dimension"])
    have = unit.map(units["dimension"])
    accepted = _accepted_dimensions()
    fits = [(t, d) in accepted for t, d in zip(ctype.fillna(""), have.fillna(""), strict=True)]
    bad = want.notna() & have.notna() & ~pd.Series(fits, index=ctype.index, dtype=bool)
    return _passes(~bad.fillna(False).to_numpy(dtype=bool), df.index)


@lru_cache(maxsize=1)
def _accepted_dimensions() -> frozenset[tuple[str, str]]:
    """(commodity type, dimension) for every unit the taxonomy lets it be counted in (ecstasy: count
    and mass)."""
    com = reference.commodities()
    return frozenset(
        (t, reference.UNITS[u][0]) for t, us in zip(com["type"], com["units"], strict=True) for u in us
    )


def _unit_suits_sql(cols: list[Any]) -> Any:
    ctype, unit = cols
    tax, units = _taxonomy(), _unit_table()
    accepted = _accepted_dimensions()
    either = [
        sa.and_(
            ctype.in_(sorted(t for t, dd in accepted if dd == d)),
            unit.in_(units.index[units["dimension"] == d].tolist()),
        )
        for d in sorted({dd for _t, dd in accepted})
    ]
    return sa.or_(ctype.not_in(tax.index.tolist()), unit.not_in(units.index.tolist()), *either)


def quantity_plausible(df: pd.DataFrame) -> pd.Series:
    """``[commodity_type, quantity, unit]``: the quantity is not larger than the largest plausible single
    seizure of that commodity (``max_plausible`` of the taxonomy, after converting g to kg). A unit of
    another dimension is :func:`unit_suits_commodity`'s business and passes here."""
    tax, units = _taxonomy(), _unit_table()
    ctype = _col(df, 0).astype("string").str.strip().str.lower()
    qty = pd.to_numeric(_col(df, 1), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    unit = _col(df, 2).astype("string").str.strip().str.lower()
    same_dim = ctype.map(tax["dimension"]).astype("string") == unit.map(units["dimension"]).astype("string")
    base = qty * unit.map(units["factor"]).to_numpy(dtype=float, na_value=np.nan)
    limit = ctype.map(tax["max_base"]).to_numpy(dtype=float, na_value=np.nan)
    bad = same_dim.fillna(False).to_numpy(dtype=bool) & (base > limit)
    return _passes(~bad, df.index)


def _quantity_plausible_sql(cols: list[Any]) -> Any:
    ctype, qty, unit = cols
    tax, units = _taxonomy(), _unit_table()
    limit = sa.case({t: float(v) for t, v in tax["max_base"].items()}, value=ctype, else_=sa.null())
    factor = sa.case({u: float(v) for u, v in units["factor"].items()}, value=unit, else_=sa.null())
    return sa.or_(
        limit.is_(None), factor.is_(None), _unit_suits_sql([ctype, unit]) == sa.false(), qty * factor <= limit
    )


def commodity_in_taxonomy(df: pd.DataFrame) -> pd.Series:
    """``[commodity_category, commodity_type]``: the type is one the taxonomy knows, in that category."""
    tax = _taxonomy()
    cat = _col(df, 0).astype("string").str.strip().str.lower()
    ctype = _col(df, 1).astype("string").str.strip().str.lower()
    known_cat = ctype.map(tax["category"]).astype("string")
    bad = cat.notna() & ctype.notna() & (known_cat.isna() | (known_cat != cat))
    return _passes(~bad.fillna(False).to_numpy(dtype=bool), df.index)


def _commodity_in_taxonomy_sql(cols: list[Any]) -> Any:
    cat, ctype = cols
    tax = _taxonomy()
    return sa.or_(
        *[
            sa.and_(cat == c, ctype.in_(tax.index[tax["category"] == c].tolist()))
            for c in sorted(set(tax["category"]))
        ]
    )


#: name -> pandas check (True where the row is as expected); the Great Expectations metric and the
#: plain pandas engine both call these.
CHECKS: dict[str, Callable[..., pd.Series]] = {
    "place_in_or_near_country": place_in_or_near_country,
    "place_code_in_reporting_country": place_code_in_reporting_country,
    "place_code_near_coordinates": place_code_near_coordinates,
    "route_coherent": route_coherent,
    "unit_suits_commodity": unit_suits_commodity,
    "quantity_plausible": quantity_plausible,
    "commodity_in_taxonomy": commodity_in_taxonomy,
}

#: name -> SQLAlchemy condition over the columns (True where as expected), for the checks SQL can say.
SQL_CHECKS: dict[str, Callable[[list[Any]], Any]] = {
    "route_coherent": _route_coherent_sql,
    "unit_suits_commodity": _unit_suits_sql,
    "quantity_plausible": _quantity_plausible_sql,
    "commodity_in_taxonomy": _commodity_in_taxonomy_sql,
}
