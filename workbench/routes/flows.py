"""Flows: cases and quantities along routes, by leg or origin-destination pair, country or WCO region,
commodity and month.

:func:`prepare_flows` reads a seizure frame (one row per item with its case's columns, see
:func:`workbench.store.frames.seizure_frame`) once into compact arrays: the route of each row (distinct
routes grouped once by :func:`workbench.format.route.route_index`), its month, case, commodity, unit and
place. Everything after that is vectorised on those arrays and on the few thousand distinct routes,
so :func:`route_flows` over a million cases takes a fraction of a second and can run on every move
of the period slider.

Counting rules
--------------
- ``cases`` counts distinct cases: a case with two cocaine items counts once on the cocaine flow,
  and a leg that a route passes twice counts the case once.
- Quantities are summed per unit (``quantity_kg``, ``quantity_pieces``, ...); grams are converted
  to kilograms, other units are never mixed.
- ``inferred_cases``: how many of the flow's cases reach its destination only because an import
  with a blank destination is taken to be bound for the reporting country.
- ``share``: the flow's cases over all cases of the period (so shares of legs add up to more than 1).

Examples
--------
>>> import pandas as pd
>>> frame = pd.DataFrame({
...     "case_key": ["FR:1", "FR:1", "NL:2", "ES:3"], "reporting_country": ["FR", "FR", "NL", "ES"],
...     "seizure_date": pd.to_datetime(["2024-01-05", "2024-01-05", "2024-02-01", "2024-02-03"]),
...     "departure_country": ["CO", "CO", "CO", "BR"], "transit_countries": ["SN", "SN", None, None],
...     "destination_country": [None, None, "NL", "ES"], "customs_procedure": ["import"] * 4,
...     "commodity_category": ["drugs", "drugs", "drugs", "tobacco"],
...     "commodity_type": ["cocaine", "cocaine", "cocaine", "cigarettes"],
...     "quantity": [2.0, 500.0, 10.0, 2000.0], "unit": ["kg", "g", "kg", "sticks"]})
>>> base = prepare_flows(frame)
>>> route_flows(base, mode="od")[["origin", "destination", "cases", "inferred_cases", "quantity_kg"]]
  origin destination  cases  inferred_cases  quantity_kg
0     BR          ES      1               0          0.0
1     CO          FR      1               1          2.5
2     CO          NL      1               0         10.0
>>> legs = route_flows(base, mode="legs", by="category")
>>> legs[["origin", "destination", "commodity_category", "cases", "inferred_cases"]].values.tolist()
[['BR', 'ES', 'tobacco', 1, 0], ['CO', 'NL', 'drugs', 1, 0], ['CO', 'SN', 'drugs', 1, 0], ['SN', 'FR', 'drugs', 1, 1]]
>>> route_flows(base, mode="od", level="region")[["cases", "inferred_cases"]].values.tolist()
[[3, 1]]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from workbench.format.route import LEVELS, route_index, route_legs, route_pairs
from workbench.i18n import N_, _

__all__ = [
    "MODES",
    "BY",
    "SHADING",
    "FlowBase",
    "prepare_flows",
    "month_label",
    "month_number",
    "window_months",
    "route_flows",
    "flows_from_groups",
    "expand_routes",
    "country_totals",
    "seizure_places",
    "hotspot_grid",
    "cases_behind",
    "cases_table",
    "Selection",
    "flows_from_frame",
    "place_label",
    "edge_list_flows",
]

#: Flows by leg (consecutive countries of a route) or origin-destination pair (first to last).
MODES: tuple[str, ...] = ("legs", "od")
#: Breakdowns of a flow: none, commodity category, commodity type.
BY: dict[str, str | None] = {"none": None, "category": "commodity_category", "type": "commodity_type"}
#: What country shading counts: cases reported by, departing from, or destined for a country.
SHADING: tuple[str, ...] = ("reported", "departing", "destined")

_UNIT_FACTORS = {"g": ("kg", 0.001)}


def month_number(dates: Any) -> np.ndarray:
    """Months since January 1970 (``-1`` for a missing date): cheap to compare and step.

    >>> month_number(pd.to_datetime(["1970-01-31", "2024-03-01"])).tolist()
    [0, 650]
    """
    values = np.asarray(pd.to_datetime(dates), dtype="datetime64[M]")
    out = values.astype("int64")
    out[np.isnat(values)] = -1
    return out


def month_label(month: int) -> str:
    """``YYYY-MM`` of a month number.

    >>> month_label(650)
    '2024-03'
    """
    return f"{1970 + month // 12:04d}-{month % 12 + 1:02d}"


def window_months(months: Sequence[int], end: int, length: int | None) -> tuple[int, int]:
    """The ``(first, last)`` months of a window of ``length`` months ending at ``end``;
    ``length=None`` is cumulative (from the first month of ``months``).

    >>> window_months([600, 601, 602, 603], 603, 2), window_months([600, 601, 602, 603], 602, None)
    ((602, 603), (600, 602))
    """
    first = min(months) if months else end
    return (first, end) if length is None else (max(first, end - length + 1), end)


@dataclass
class FlowBase:
    """A seizure frame prepared for flow aggregation (see the module docstring).

    Arrays are aligned with the rows of ``frame`` (kept for the cases tables; read-only).
    """

    frame: pd.DataFrame
    routes: pd.DataFrame  # one row per distinct route (workbench.format.route.route_index)
    route: np.ndarray  # per row: distinct route, -1 none
    month: np.ndarray  # per row: month number, -1 unknown
    case: np.ndarray  # per row: case number
    first: dict[str | None, np.ndarray]  # per breakdown: True on one row per (case[, commodity])
    codes: dict[
        str, np.ndarray
    ]  # per row: codes of commodity_category, commodity_type, unit, reporting_country
    labels: dict[str, np.ndarray]  # the values behind those codes
    quantity: np.ndarray  # per row: quantity in the (normalised) unit, NaN unknown
    value_usd: np.ndarray
    place: np.ndarray  # per row: seizure place, -1 unknown
    places: pd.DataFrame  # one row per place: key, name, lat, lon, label
    months: list[int] = field(default_factory=list)  # every month from the first to the last seizure
    _expansions: dict[tuple[str, str], pd.DataFrame] = field(default_factory=dict, repr=False)

    @property
    def n_cases(self) -> int:
        return int(self.first[None].sum())

    def expansion(self, mode: str, level: str) -> pd.DataFrame:
        """Legs or OD pairs of every distinct route at a level: ``route, origin, destination, inferred``."""
        key = (mode, level)
        if key not in self._expansions:
            self._expansions[key] = expand_routes(self.routes, mode, level)
        return self._expansions[key]

    def window_mask(self, window: tuple[int, int] | None) -> np.ndarray:
        if window is None:
            return self.month >= 0
        lo, hi = window
        return (self.month >= lo) & (self.month <= hi)


def expand_routes(routes: pd.DataFrame, mode: str, level: str) -> pd.DataFrame:
    """Legs or OD pairs of distinct routes (:func:`workbench.format.route.route_index`) at a level:
    ``route, origin, destination, inferred``."""
    if mode not in MODES:
        raise ValueError(_("mode must be one of {modes}, not {mode!r}", modes=", ".join(MODES), mode=mode))
    if level not in LEVELS:
        raise ValueError(
            _("level must be one of {levels}, not {level!r}", levels=", ".join(LEVELS), level=level)
        )
    if mode == "legs":
        ex = route_legs(routes, level).rename(columns={"source": "origin", "target": "destination"})
        ex = ex.drop(columns=["leg"])
    else:
        ex = route_pairs(routes, level)
    return ex.reset_index(drop=True)


def _factorize(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(s.dtype, pd.CategoricalDtype):
        return s.cat.codes.to_numpy(dtype=np.int64), np.asarray(s.cat.categories.astype(str), dtype=object)
    codes, uniques = pd.factorize(s.astype("string"), use_na_sentinel=True)
    return codes.astype(np.int64), np.asarray(uniques.astype(str), dtype=object)


def _first_rows(*keys: np.ndarray) -> np.ndarray:
    """True on the first row of each distinct combination of the integer ``keys``."""
    combined = np.zeros(len(keys[0]), dtype=np.int64)
    for k in keys:
        combined = combined * (int(k.max(initial=0)) + 2) + (k + 1)
    return ~pd.Series(combined).duplicated().to_numpy()


def _most_common_per_group(groups: np.ndarray, values: pd.Series) -> pd.Series:
    """The most frequent of ``values`` per group (the first in order on a tie), indexed by group,
    without a Python call per group (thousands of places at 100k cases)."""
    df = pd.DataFrame({"g": groups, "v": values.to_numpy()}).dropna()
    counts = df.value_counts().reset_index(name="n")
    counts = counts.sort_values(["g", "n", "v"], ascending=[True, False, True], kind="stable")
    first = counts.drop_duplicates("g")
    return pd.Series(first["v"].to_numpy(), index=first["g"].to_numpy(), dtype="string")


def _places(frame: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
    """Seizure places: the place code where there is one, else coordinates rounded to 0.1 degree."""
    n = len(frame)
    nan = pd.Series(np.nan, index=frame.index)
    lat = pd.to_numeric(frame.get("latitude", nan), errors="coerce").to_numpy(float)
    lon = pd.to_numeric(frame.get("longitude", nan), errors="coerce").to_numpy(float)
    code_col = (
        frame["place_code"] if "place_code" in frame else pd.Series(pd.NA, index=frame.index, dtype="string")
    )
    if not isinstance(code_col.dtype, pd.CategoricalDtype):
        code_col = (
            code_col.astype("string").str.strip().str.upper().mask(lambda s: s.eq("")).astype("category")
        )
    code, code_values = code_col.cat.codes.to_numpy(np.int64), np.asarray(code_col.cat.categories.astype(str))
    has_xy = ~(np.isnan(lat) | np.isnan(lon))
    # integer keys: place codes first, then 0.1-degree cells (no string building on a million rows)
    cell = (np.round(np.nan_to_num(lat) * 10).astype(np.int64) + 900) * 3601 + (
        np.round(np.nan_to_num(lon) * 10).astype(np.int64) + 1800
    )
    key = np.where(code >= 0, code, np.where(has_xy, len(code_values) + cell, -1))
    codes, uniques = pd.factorize(key, use_na_sentinel=False)
    codes = codes.astype(np.int64)
    uniques = np.asarray(uniques, dtype=np.int64)
    none = np.nonzero(uniques < 0)[0]
    if len(none):
        codes[codes == none[0]] = -1
    if not len(uniques) or (len(uniques) == 1 and len(none)):
        return np.full(n, -1, dtype=np.int64), pd.DataFrame(columns=["key", "name", "lat", "lon", "label"])
    ok = codes >= 0
    med = pd.DataFrame({"p": codes[ok], "lat": lat[ok], "lon": lon[ok]}).groupby("p")[["lat", "lon"]].median()
    names = (
        frame["place_name"].astype("string")[ok].groupby(codes[ok]).first()
        if "place_name" in frame
        else pd.Series(dtype="string")
    )
    reporters = (
        _most_common_per_group(codes[ok], frame["reporting_country"].astype("string")[ok])
        if "reporting_country" in frame
        else pd.Series(dtype="string")
    )
    keys = []
    for u in uniques:
        if u < 0:
            keys.append("")
        elif u < len(code_values):
            keys.append(str(code_values[u]))
        else:
            c = int(u) - len(code_values)
            keys.append(f"@{c // 3601 / 10 - 90:.1f},{c % 3601 / 10 - 180:.1f}")
    places = pd.DataFrame({"key": keys})
    places["lat"] = med["lat"].reindex(places.index).to_numpy()
    places["lon"] = med["lon"].reindex(places.index).to_numpy()
    places["name"] = names.reindex(places.index).astype("string").to_numpy()
    places["country"] = reporters.reindex(places.index).astype("string").to_numpy()
    missing = places["lat"].isna() & places["key"].ne("")
    if missing.any():  # a place code without coordinates: the reference airport or seaport
        from workbench.format.reference import place

        unnamed = places["name"].isna().to_numpy()
        for i in np.nonzero(missing.to_numpy())[0]:
            rec = place(str(places.at[i, "key"]))
            if rec:
                places.at[i, "lat"], places.at[i, "lon"] = rec["lat"], rec["lon"]
                if unnamed[i]:
                    places.at[i, "name"] = rec["name"]
    places["label"] = [
        place_label(k, n, c) for k, n, c in zip(places["key"], places["name"], places["country"], strict=True)
    ]
    places["name"] = places["name"].fillna(places["key"])
    return codes, places[["key", "name", "lat", "lon", "label"]]


def place_label(key: str, name: Any = None, country: Any = None) -> str:
    """A place of seizure as people read it: its name (port, airport or office) with its code or its
    country; coordinates only when it has no name.

    >>> place_label("FRLEH", "Le Havre", "FR")
    'Le Havre (FRLEH)'
    >>> place_label("@42.8,12.4", "Inland customs control", "IT")
    'Inland customs control, Italy'
    >>> place_label("@42.8,12.4", None, "IT"), place_label("@42.8,12.4")
    ('near 42.8, 12.4, Italy', 'near 42.8, 12.4')
    """
    from workbench.format.reference import country_name

    has_name = isinstance(name, str) and name.strip() != "" and name != key
    where = country_name(str(country)) if isinstance(country, str) and country else ""
    if not str(key).startswith("@"):
        return f"{name} ({key})" if has_name else (f"{key}, {where}" if where else str(key))
    spot = "near " + str(key)[1:].replace(",", ", ")
    if has_name:
        return f"{name}, {where}" if where else f"{name} ({spot})"
    return f"{spot}, {where}" if where else spot


def prepare_flows(frame: pd.DataFrame) -> FlowBase:
    """Prepare a seizure frame (or a case frame: then no commodity breakdown) for :func:`route_flows`.

    ``frame`` needs ``case_key``, ``seizure_date`` and the route columns
    (:data:`workbench.format.route.ROUTE_COLUMNS`); item columns are used when present.
    """
    idx = route_index(frame)
    month = month_number(frame["seizure_date"])
    case, _ = pd.factorize(frame["case_key"].astype("string"))
    case = case.astype(np.int64)
    codes: dict[str, np.ndarray] = {}
    labels: dict[str, np.ndarray] = {}
    for col in ("commodity_category", "commodity_type", "unit", "reporting_country"):
        if col in frame:
            codes[col], labels[col] = _factorize(frame[col])
        else:
            codes[col], labels[col] = np.full(len(frame), -1, dtype=np.int64), np.array([], dtype=object)
    quantity = pd.to_numeric(frame.get("quantity", pd.Series(np.nan, index=frame.index)), errors="coerce")
    quantity_np = quantity.to_numpy(dtype=float, na_value=np.nan).copy()
    unit_labels = labels["unit"].copy()
    unit_codes = codes["unit"]
    for unit, (target, factor) in _UNIT_FACTORS.items():
        for code in np.nonzero(unit_labels == unit)[0]:
            quantity_np[unit_codes == code] *= factor
            unit_labels[code] = target  # two codes may now say "kg": route_flows sums them into one column
    codes["unit"], labels["unit"] = unit_codes, unit_labels
    value = pd.to_numeric(
        frame.get("estimated_value_usd", pd.Series(np.nan, index=frame.index)), errors="coerce"
    )
    first = {
        None: _first_rows(case),
        "commodity_category": _first_rows(case, codes["commodity_category"]),
        "commodity_type": _first_rows(case, codes["commodity_type"]),
    }
    place, places = _places(frame)
    known = month[month >= 0]
    months = list(range(int(known.min()), int(known.max()) + 1)) if len(known) else []
    return FlowBase(
        frame=frame,
        routes=idx.routes,
        route=idx.codes,
        month=month,
        case=case,
        first=first,
        codes=codes,
        labels=labels,
        quantity=quantity_np,
        value_usd=value.to_numpy(dtype=float, na_value=np.nan),
        place=place,
        places=places,
        months=months,
    )


def _group(keys: dict[str, np.ndarray], values: dict[str, np.ndarray]) -> pd.DataFrame:
    """Sum ``values`` over the distinct combinations of integer ``keys`` (fast path for few columns)."""
    df = pd.DataFrame({**keys, **values})
    if not len(df):
        return df
    return df.groupby(list(keys), sort=False, observed=True).sum().reset_index()


def route_flows(
    base: FlowBase,
    mode: str = "legs",
    level: str = "country",
    by: str | None = None,
    window: tuple[int, int] | None = None,
    *,
    per_month: bool = False,
    top: int | None = None,
    include_internal: bool = True,
) -> pd.DataFrame:
    """Flows of ``base`` in a window of months (``None``: all).

    Parameters
    ----------
    mode : ``"legs"`` or ``"od"``
    level : ``"country"`` (ISO2 codes) or ``"region"`` (WCO region names)
    by : ``None``, ``"category"`` / ``"commodity_category"`` or ``"type"`` / ``"commodity_type"``
    window : ``(first, last)`` month numbers (:func:`month_number`), inclusive
    per_month : one row per month as well (column ``month``, ``YYYY-MM``)
    top : keep only the ``top`` origin-destination pairs with most cases (all their rows)
    include_internal : keep flows whose origin and destination are the same (a region's internal flow)

    Returns
    -------
    DataFrame
        ``origin, destination, cases`` first, then ``inferred_cases``, ``share``, the breakdown column,
        ``month``, ``value_usd`` and one ``quantity_<unit>`` column per unit; most cases first.
    """
    by_col = BY.get(by, by) if by is not None else None
    if by_col not in (None, "commodity_category", "commodity_type"):
        raise ValueError(_("by must be one of {by}, not {by2!r}", by=", ".join(BY), by2=by))
    ex = base.expansion(mode, level)
    in_window = base.window_mask(window)
    routed = in_window & (base.route >= 0)
    total = int((base.first[None] & in_window).sum())

    keys_case: dict[str, np.ndarray] = {}
    keys_item: dict[str, np.ndarray] = {}
    case_rows = routed & base.first[by_col]
    keys_case["route"] = base.route[case_rows]
    keys_item["route"] = base.route[routed]
    if by_col:
        keys_case["by"] = base.codes[by_col][case_rows]
        keys_item["by"] = base.codes[by_col][routed]
    if per_month:
        keys_case["month"] = base.month[case_rows]
        keys_item["month"] = base.month[routed]
    cases = _group(keys_case, {"cases": np.ones(int(case_rows.sum()), dtype=np.int64)})
    units = base.codes["unit"][routed]
    qty = base.quantity[routed]
    item_values: dict[str, np.ndarray] = {"value_usd": np.nan_to_num(base.value_usd[routed])}
    unit_cols = []
    for code, unit in enumerate(base.labels["unit"]):
        col = f"quantity_{unit}"
        if col in unit_cols:  # grams folded into kilograms
            item_values[col] += np.where(units == code, np.nan_to_num(qty), 0.0)
            continue
        item_values[col] = np.where(units == code, np.nan_to_num(qty), 0.0)
        unit_cols.append(col)
    items = (
        _group(keys_item, item_values)
        if len(keys_item["route"])
        else pd.DataFrame(columns=[*keys_item, *item_values])
    )
    by_labels = base.labels[by_col] if by_col else None
    return flows_from_groups(
        cases,
        items,
        unit_cols,
        ex,
        total,
        by_col,
        by_labels,
        per_month=per_month,
        top=top,
        include_internal=include_internal,
    )


def flows_from_groups(
    cases: pd.DataFrame,
    items: pd.DataFrame,
    unit_cols: list[str],
    ex: pd.DataFrame,
    total: int,
    by_col: str | None,
    by_labels: np.ndarray | None,
    *,
    per_month: bool = False,
    top: int | None = None,
    include_internal: bool = True,
) -> pd.DataFrame:
    """The flows table of :func:`route_flows` from cases and item sums per distinct route: the one
    definition of how routes become flows, shared by the frame engine and the database's
    (:mod:`workbench.routes.pushdown`).

    ``cases``: ``route`` (position in the routes that ``ex`` expands), ``by`` (code into ``by_labels``)
    and ``month`` when asked, and ``cases`` (distinct cases); ``items``: the same keys with
    ``value_usd`` and the ``unit_cols`` sums; ``ex``: :meth:`FlowBase.expansion`; ``total``: the cases of
    the period (the denominator of ``share``).
    """
    key_cols = [c for c in ("route", "by", "month") if c in cases.columns]
    item_values = ["value_usd", *unit_cols]
    per_route = (
        cases.merge(items, on=key_cols, how="left")
        if len(cases)
        else cases.assign(**{c: [] for c in item_values})
    )
    out_cols = ["origin", "destination", *key_cols[1:]]
    if not len(per_route):
        expanded = pd.DataFrame(columns=[*out_cols, "cases", "inferred_cases", *item_values])
    else:
        expanded = per_route.merge(ex, on="route", how="inner")
        expanded["inferred_cases"] = np.where(expanded["inferred"].to_numpy(bool), expanded["cases"], 0)
        expanded = (
            expanded.drop(columns=["route", "inferred"])
            .groupby(out_cols, sort=False, observed=True)
            .sum()
            .reset_index()
        )
    if not include_internal and len(expanded):
        expanded = expanded[expanded["origin"] != expanded["destination"]]
    if top is not None and len(expanded):
        # ties broken by the pair's codes, as the table is sorted: not by the order the groups came in,
        # which differs between the frame and the database (the same top whatever the engine)
        pair_cases = expanded.groupby(["origin", "destination"], observed=True)["cases"].sum().reset_index()
        pair_cases = pair_cases.sort_values(
            ["cases", "origin", "destination"], ascending=[False, True, True], kind="stable"
        ).head(top)
        keep = pd.MultiIndex.from_frame(pair_cases[["origin", "destination"]])
        expanded = (
            expanded.set_index(["origin", "destination"]).loc[lambda d: d.index.isin(keep)].reset_index()
        )
    out = pd.DataFrame(
        {
            "origin": expanded["origin"].astype("string"),
            "destination": expanded["destination"].astype("string"),
            "cases": expanded["cases"].astype("int64"),
            "inferred_cases": expanded["inferred_cases"].astype("int64"),
            "share": (expanded["cases"] / total if total else expanded["cases"] * 0.0).astype(float).round(5),
        }
    )
    if by_col:
        out[by_col] = pd.Series(by_labels, dtype=object).reindex(expanded["by"].to_numpy()).to_numpy()
        out[by_col] = out[by_col].astype("string")
    if per_month:
        out["month"] = [month_label(int(m)) for m in expanded["month"]]
    out["value_usd"] = expanded["value_usd"].astype(float).round(2)
    for col in unit_cols:
        out[col] = expanded[col].astype(float).round(3)
    sort_cols = (
        ["cases", "origin", "destination"] + ([by_col] if by_col else []) + (["month"] if per_month else [])
    )
    asc = [False] + [True] * (len(sort_cols) - 1)
    return out.sort_values(sort_cols, ascending=asc, kind="stable").reset_index(drop=True)


def country_totals(
    base: FlowBase, kind: str = "reported", window: tuple[int, int] | None = None, level: str = "country"
) -> pd.DataFrame:
    """Cases per country (or region) reported by, departing from or destined for it.

    Columns ``key, cases, inferred_cases`` (``inferred_cases``: destined only by inference).
    """
    if kind not in SHADING:
        raise ValueError(
            _("kind must be one of {shading}, not {kind!r}", shading=", ".join(SHADING), kind=kind)
        )
    rows = base.window_mask(window) & base.first[None]
    if kind == "reported":
        rc = base.codes["reporting_country"][rows]
        rc = rc[rc >= 0]
        counts = np.bincount(rc, minlength=len(base.labels["reporting_country"]))
        df = pd.DataFrame({"key": base.labels["reporting_country"], "cases": counts, "inferred_cases": 0})
        if level == "region":
            from workbench.format.route import country_region

            df["key"] = df["key"].map(country_region)
    else:
        r = base.route[rows]
        r = r[r >= 0]
        per_route = np.bincount(r, minlength=len(base.routes))
        pairs = base.expansion("od", level)
        col = "origin" if kind == "departing" else "destination"
        df = pd.DataFrame({"key": pairs[col], "cases": per_route[pairs["route"].to_numpy()]})
        df["inferred_cases"] = np.where(
            pairs["inferred"].to_numpy(bool) & (kind == "destined"), df["cases"], 0
        )
    df = df.groupby("key", as_index=False)[["cases", "inferred_cases"]].sum()
    return df[df["cases"] > 0].sort_values(["cases", "key"], ascending=[False, True]).reset_index(drop=True)


def seizure_places(
    base: FlowBase, window: tuple[int, int] | None = None, top: int | None = 2000
) -> pd.DataFrame:
    """Where routes were cut: cases per place of seizure (``key, name, lat, lon, label, cases``), most
    first (``label``: :func:`place_label`)."""
    rows = base.window_mask(window) & base.first[None] & (base.place >= 0)
    counts = np.bincount(base.place[rows], minlength=len(base.places))
    df = base.places.assign(cases=counts)
    df = df[(df["cases"] > 0) & df["lat"].notna() & df["lon"].notna()]
    df = df.sort_values(["cases", "key"], ascending=[False, True], kind="stable")
    return (df.head(top) if top else df).reset_index(drop=True)


def hotspot_grid(
    base: FlowBase, window: tuple[int, int] | None = None, cell_degrees: float = 0.5
) -> pd.DataFrame:
    """Cases per grid cell of seizure coordinates (``lat, lon, cases``): the hotspot layer's input,
    small whatever the number of cases."""
    rows = base.window_mask(window) & base.first[None] & (base.place >= 0)
    p = base.places
    lat = p["lat"].to_numpy(float)[base.place[rows]]
    lon = p["lon"].to_numpy(float)[base.place[rows]]
    ok = ~(np.isnan(lat) | np.isnan(lon))
    if not ok.any():
        return pd.DataFrame(columns=["lat", "lon", "cases"])
    cell_lat = np.floor(lat[ok] / cell_degrees) * cell_degrees + cell_degrees / 2
    cell_lon = np.floor(lon[ok] / cell_degrees) * cell_degrees + cell_degrees / 2
    df = pd.DataFrame({"lat": cell_lat.round(3), "lon": cell_lon.round(3)})
    return df.groupby(["lat", "lon"], as_index=False).size().rename(columns={"size": "cases"})


@dataclass(frozen=True)
class Selection:
    """What the user picked on the map: a flow, a place of seizure or a country (or region).

    ``kind``: ``"flow"`` (``origin``, ``destination``, optional ``commodity`` of the breakdown
    ``by``), ``"place"`` (``key``) or ``"country"`` (``key`` and the shading ``shading``).
    ``mode`` and ``level`` say how flows were drawn when it was picked.
    """

    kind: str
    key: str = ""
    origin: str = ""
    destination: str = ""
    commodity: str | None = None
    by: str | None = None
    mode: str = "legs"
    level: str = "country"
    shading: str = "reported"
    name: str = ""  # a place's label (:func:`place_label`), shown instead of its key

    def describe(self) -> str:
        from workbench.format.reference import country_name

        def name(code: str) -> str:
            return country_name(code) if self.level == "country" else code

        if self.kind == "flow":
            ends = {"origin": name(self.origin), "destination": name(self.destination)}
            if self.mode == "legs":
                if self.commodity:
                    return _("leg {origin} → {destination} ({commodity})", commodity=self.commodity, **ends)
                return _("leg {origin} → {destination}", **ends)
            if self.commodity:
                return _("route {origin} → {destination} ({commodity})", commodity=self.commodity, **ends)
            return _("route {origin} → {destination}", **ends)
        if self.kind == "place":
            return _("place of seizure {place}", place=self.name or place_label(self.key))
        said = {
            "reported": N_("cases reported by {where}"),
            "departing": N_("cases departing from {where}"),
            "destined": N_("cases destined for {where}"),
        }[self.shading]
        return _(said, where=name(self.key))


def cases_behind(base: FlowBase, selection: Selection, window: tuple[int, int] | None = None) -> np.ndarray:
    """Row positions in ``base.frame`` of the cases behind a selection (one row per case)."""
    rows = base.window_mask(window)
    by_col = BY.get(selection.by or "none", selection.by)
    if selection.kind == "flow":
        ex = base.expansion(selection.mode, selection.level)
        flow = ex[(ex["origin"] == selection.origin) & (ex["destination"] == selection.destination)]
        rows &= np.isin(base.route, flow["route"].to_numpy())
        if selection.commodity and by_col:
            labels = base.labels[by_col]
            code = np.nonzero(labels == selection.commodity)[0]
            rows &= np.isin(base.codes[by_col], code)
    elif selection.kind == "place":
        code = np.nonzero(base.places["key"].to_numpy(dtype=object) == selection.key)[0]
        rows &= np.isin(base.place, code)
    elif selection.kind == "country":
        if selection.shading == "reported":
            labels = base.labels["reporting_country"]
            if selection.level == "region":
                from workbench.format.route import country_region

                code = np.nonzero(
                    np.array([country_region(c) for c in labels], dtype=object) == selection.key
                )[0]
            else:
                code = np.nonzero(labels == selection.key)[0]
            rows &= np.isin(base.codes["reporting_country"], code)
        else:
            pairs = base.expansion("od", selection.level)
            col = "origin" if selection.shading == "departing" else "destination"
            rows &= np.isin(base.route, pairs.loc[pairs[col] == selection.key, "route"].to_numpy())
    else:
        raise ValueError(_("unknown selection kind {kind!r}", kind=selection.kind))
    # one row per case: the first matching row of each case
    hit = np.nonzero(rows)[0]
    if not len(hit):
        return hit
    _uniq, first = np.unique(base.case[hit], return_index=True)
    return np.sort(hit[first])


def cases_table(base: FlowBase, rows: np.ndarray, limit: int = 500) -> pd.DataFrame:
    """The cases at row positions ``rows`` of ``base.frame`` (from :func:`cases_behind`) for reading,
    newest first, at most ``limit``: case id, reporting country, seizure date, route label, place of
    seizure (its name, else its code) and the commodity types of all the case's items.

    >>> frame = pd.DataFrame({"case_key": ["FR:1", "FR:1", "NL:2"], "case_id": ["1", "1", "2"],
    ...     "reporting_country": ["FR", "FR", "NL"], "seizure_date": pd.to_datetime(["2024-01-05"] * 2 + ["2024-02-01"]),
    ...     "departure_country": ["CO", "CO", "BR"], "transit_countries": [None] * 3,
    ...     "destination_country": ["FR", "FR", "NL"], "customs_procedure": ["import"] * 3,
    ...     "commodity_type": ["cocaine", "cannabis", "cocaine"], "place_name": ["Paris CDG", "Paris CDG", None],
    ...     "place_code": ["CDG", "CDG", "NLRTM"]})
    >>> base = prepare_flows(frame)
    >>> cases_table(base, cases_behind(base, Selection("flow", origin="CO", destination="FR", mode="od")))[
    ...     ["case_id", "route", "place", "goods"]].values.tolist()
    [['1', 'CO → FR', 'Paris CDG', 'cannabis, cocaine']]
    >>> cases_table(base, np.array([0, 2]))["place"].tolist()  # newest first; the code when no name
    ['NLRTM', 'Paris CDG']
    """
    f = base.frame
    sub = f.iloc[rows]
    sub = sub.sort_values("seizure_date", ascending=False, kind="stable").head(limit)
    keys = sub["case_key"].to_numpy()
    in_cases = np.isin(base.case, base.case[rows])
    if "commodity_type" in f:
        items = f.loc[in_cases, ["case_key", "commodity_type"]].dropna()
        goods = items.groupby("case_key", observed=True)["commodity_type"].agg(
            lambda s: ", ".join(sorted({str(v) for v in s}))
        )
    else:
        goods = pd.Series(dtype="string")
    route_ids = base.route[rows]
    labels = base.routes["label"].to_numpy()
    route_label = pd.Series(
        [labels[r] if r >= 0 else "unknown route" for r in route_ids], index=f.index[rows]
    ).reindex(sub.index)
    place = sub.get("place_name", pd.Series("", index=sub.index)).astype("string")
    return pd.DataFrame(
        {
            "case_id": sub["case_id"].astype("string").to_numpy(),
            "reporting_country": sub["reporting_country"].astype("string").to_numpy(),
            "seizure_date": pd.to_datetime(sub["seizure_date"]).dt.date.to_numpy(),
            "route": route_label.to_numpy(),
            "place": place.fillna(
                sub.get("place_code", pd.Series("", index=sub.index)).astype("string")
            ).to_numpy(),
            "goods": pd.Series(keys).map(goods).fillna("").to_numpy(),
        }
    )


def flows_from_frame(
    frame: pd.DataFrame,
    mode: str = "legs",
    level: str = "country",
    by: str | None = None,
    **kwargs: Any,
) -> pd.DataFrame:
    """:func:`prepare_flows` then :func:`route_flows` in one call (notebooks, the command line)."""
    return route_flows(prepare_flows(frame), mode, level, by, **kwargs)


def edge_list_flows(
    edges: pd.DataFrame,
    *,
    source: str = "source",
    target: str = "target",
    weight: str | None = "weight",
    period: str | None = None,
    file_name: str = "edge list",
    first_line: int = 2,
) -> pd.DataFrame:
    """A country-to-country edge list (e.g. trafficking flows per year) read as route flows: one row per
    origin-destination pair (and period), ``origin, destination, cases`` (the sum of the rows' ``weight``,
    1 a row without one), ``period`` when given, most first: the shape :func:`route_flows` returns, so that
    hubs (:func:`workbench.routes.hubs.country_hubs`) and maps read it alike.

    Countries are ISO codes or names (:func:`workbench.format.reference.to_iso2`); a value that is no
    country is refused with its row (``first_line`` is the file's line of the first row) and column.

    >>> e = pd.DataFrame({"from": ["Colombia", "ESP", "Colombia"], "to": ["Spain", "France", "ES"],
    ...                   "n": [4, 2, 1]})
    >>> edge_list_flows(e, source="from", target="to", weight="n").values.tolist()
    [['CO', 'ES', 5.0], ['ES', 'FR', 2.0]]
    """
    from workbench.format.reference import to_iso2

    codes: dict[str, list[str]] = {source: [], target: []}
    for col in (source, target):
        for i, v in enumerate(edges[col].tolist()):
            code = to_iso2(v)
            if code is None:
                raise ValueError(
                    _(
                        "{file}, row {row}, column '{column}': '{value}' is not a country (an ISO code or a "
                        "country name)",
                        file=file_name,
                        row=first_line + i,
                        column=col,
                        value=str(v)[:60],
                    )
                )
            codes[col].append(code)
    w = (
        pd.to_numeric(edges[weight], errors="raise").fillna(1.0).astype(float)
        if weight is not None and weight in edges.columns
        else pd.Series(1.0, index=edges.index)
    )
    frame = pd.DataFrame({"origin": codes[source], "destination": codes[target], "cases": w.to_numpy()})
    keys = ["origin", "destination"]
    if period is not None:
        frame["period"] = edges[period].astype("string").to_numpy()
        keys.append("period")
    out = frame.groupby(keys, sort=True)["cases"].sum().reset_index()
    out = out.sort_values(["cases", *keys], ascending=[False, *[True] * len(keys)], kind="stable")
    return out.reset_index(drop=True)
