"""Route maps drawn offline: the deck.gl spec for the app, a PNG and a standalone HTML file for briefings.

:func:`map_data` turns a :class:`workbench.routes.flows.FlowBase`, a window and :class:`MapOptions` into the
small tables a map needs (top flows, seizure places, a hotspot grid, country shading); what goes to
the browser is bounded by ``top`` and the grid, never by the number of cases.
:func:`route_deck` builds the ``pydeck.Deck``: country polygons (the project's Natural Earth file,
simplified), arcs coloured by commodity category whose colour runs from pale at the origin to dark
at the destination, grey arcs for the part of a flow whose destination is inferred, seizure places
sized by count, a heat layer of hotspots, and labels. There is no tile server: the base
map style is the app's own blank style (``/app/static/blank_style.json``) and ``map_provider`` is None.

:func:`map_png` draws the same map with Pillow (no browser); :func:`map_html` writes a file that
carries deck.gl itself (pydeck's bundled build, inlined), so it opens with no network at all.

Examples
--------
>>> import pandas as pd
>>> from workbench.routes.flows import prepare_flows
>>> frame = pd.DataFrame({"case_key": ["FR:1", "NL:2"], "reporting_country": ["FR", "NL"],
...     "seizure_date": pd.to_datetime(["2024-01-05", "2024-02-01"]), "departure_country": ["CO", "CO"],
...     "transit_countries": ["SN", None], "destination_country": [None, "NL"],
...     "customs_procedure": ["import", "import"], "commodity_category": ["drugs", "drugs"],
...     "latitude": [49.0, 52.3], "longitude": [2.5, 4.8], "place_code": ["CDG", "AMS"]})
>>> data = map_data(prepare_flows(frame), MapOptions(mode="od"))
>>> data.flows[["origin", "destination", "cases", "inferred_cases"]].values.tolist()
[['CO', 'FR', 1, 1], ['CO', 'NL', 1, 0]]
>>> deck = route_deck(data)
>>> sorted(layer.id.split("-")[0] for layer in deck.layers)
['borders', 'countries', 'flows', 'highlight', 'hotspots', 'inferred', 'labels', 'places']
>>> map_png(data)[:4] == b"\\x89PNG"
True
>>> v = fitted_view(data)  # Colombia to France and the Netherlands: the Atlantic, closer than the world
>>> -60 < v["longitude"] < -10 and v["zoom"] > DEFAULT_VIEW["zoom"]
True
>>> "http" in map_html(deck, title="Routes").split("<script")[0]
False
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache, partial
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import pandas as pd

from workbench.format.schema import FORMAT
from workbench.i18n import N_, _, language
from workbench.routes.flows import (
    BY,
    FlowBase,
    Selection,
    country_totals,
    hotspot_grid,
    month_label,
    route_flows,
    seizure_places,
)

if TYPE_CHECKING:
    import pydeck as pdk
    from PIL import ImageFont

__all__ = [
    "fitted_view",
    "CATEGORY_COLOURS",
    "REGION_POINTS",
    "BLANK_STYLE",
    "MapOptions",
    "MapData",
    "map_data",
    "route_deck",
    "selection_from_pick",
    "deck_bytes",
    "legend_entries",
    "map_png",
    "map_html",
    "node_position",
    "node_name",
    "DEFAULT_VIEW",
    "ARC_PIXELS",
    "MAX_PLACES",
]

#: The app's own empty base-map style (served by Streamlit's static serving): no tile server.
BLANK_STYLE = "/app/static/blank_style.json"
#: The first view: the whole world.
DEFAULT_VIEW: dict[str, float] = {"latitude": 24.0, "longitude": 12.0, "zoom": 0.9, "pitch": 0, "bearing": 0}
#: Places of seizure drawn (the busiest): about a third of the deck's bytes went to 800 dots, most of
#: them one or two cases that a heat spot shows anyway.
MAX_PLACES = 400
#: Arc widths in screen pixels (thinnest, busiest): pixels, so zooming in does not fatten them.
ARC_PIXELS: tuple[float, float] = (1.5, 8.0)
OCEAN = (201, 214, 227)
NO_DATA = (236, 236, 231)
ALL_GOODS = (31, 59, 87)
INFERRED = (120, 120, 120)
HIGHLIGHT = [255, 196, 0, 255]

#: Colour of each commodity category (colour-blind-aware, distinct on the pale background): a property
#: of the enumeration's values in the format.
CATEGORY_COLOURS: dict[str, tuple[int, int, int]] = FORMAT.enumeration("commodity_category").colours

#: Where a WCO region's flows start and end on the map (a point inside the region, by hand).
REGION_POINTS: dict[str, tuple[float, float]] = {  # (lat, lon)
    "Central and West Africa": (9.0, 0.0),
    "East and Southern Africa": (-8.0, 32.0),
    "Europe": (50.0, 12.0),
    "Far East, South and South East Asia, Australasia and the Pacific": (22.0, 105.0),
    "North of Africa, Near and Middle East": (28.0, 38.0),
    "South America, North America, Central America and the Caribbean": (12.0, -78.0),
}


@dataclass(frozen=True)
class MapOptions:
    """What the map shows; hashable, so the app can cache on it."""

    mode: str = "legs"  # legs | od
    level: str = "country"  # country | region
    by: str = "category"  # none | category (arc colour)
    width_by: str = "cases"  # cases | quantity_<unit>
    shading: str = "reported"  # reported | departing | destined
    top: int = 40
    places: bool = True
    hotspots: str = "heatmap"  # heatmap | off
    labels: bool = True
    highlight: tuple[str, str] | None = None  # (origin, destination) country codes drawn in gold, on top


@dataclass
class MapData:
    """The small tables behind one map (see :func:`map_data`)."""

    options: MapOptions
    window: tuple[int, int] | None
    flows: pd.DataFrame
    places: pd.DataFrame
    grid: pd.DataFrame
    shading: pd.DataFrame
    total_cases: int
    notes: list[str] = field(default_factory=list)
    highlight: pd.DataFrame = field(default_factory=pd.DataFrame)  # the highlighted route's OD flow

    @property
    def window_label(self) -> str:
        if self.window is None:
            return "all months"
        lo, hi = self.window
        return month_label(lo) if lo == hi else f"{month_label(lo)} to {month_label(hi)}"

    @property
    def token(self) -> str:
        """Changes whenever the drawn data changes: part of the layer ids, so that a selection made
        on old data is dropped by the chart instead of pointing at another object."""
        raw = json.dumps([asdict(self.options), self.window], default=str)
        return hashlib.sha1(raw.encode()).hexdigest()[:8]


def map_data(
    base: FlowBase,
    options: MapOptions | None = None,
    window: tuple[int, int] | None = None,
    flows_of: Callable[..., pd.DataFrame] | None = None,
) -> MapData:
    """Top flows, seizure places, hotspot grid and country shading for a window.

    ``flows_of``: what computes the flows, :func:`route_flows` without its ``base`` (default
    ``route_flows`` of ``base``); the app passes :func:`workbench.routes.pushdown.route_flows_in_store`
    of its store and filter, so that ``base`` need only be a case-level base (places, shading, totals).
    """
    options = options or MapOptions()
    flows_of = flows_of or partial(route_flows, base)
    by = "category" if options.by == "category" else None
    flows = flows_of(options.mode, options.level, by, window, top=options.top, include_internal=False)
    notes = []
    if options.width_by != "cases" and options.width_by not in flows.columns:
        notes.append(
            _(
                "no {unit} quantities in this window: width by cases",
                unit=options.width_by.removeprefix("quantity_"),
            )
        )
    places = (
        seizure_places(base, window, top=MAX_PLACES)
        if options.places
        else seizure_places(base, window, top=0).head(0)
    )
    grid = hotspot_grid(base, window) if options.hotspots != "off" else hotspot_grid(base, window).head(0)
    shading = country_totals(base, options.shading, window, options.level)
    total = int((base.window_mask(window) & base.first[None]).sum())
    highlight = pd.DataFrame()
    if options.highlight is not None:
        origin, destination = options.highlight
        od = flows_of("od", "country", None, window)
        highlight = od[(od["origin"] == origin) & (od["destination"] == destination)].reset_index(drop=True)
        if highlight.empty:
            notes.append(
                _(
                    "the highlighted route {origin} → {destination} has no case in this window",
                    origin=node_name(origin, "country"),
                    destination=node_name(destination, "country"),
                )
            )
    return MapData(options, window, flows, places, grid, shading, total, notes, highlight)


# ---------------------------------------------------------------- geometry and colours
@lru_cache(maxsize=1)
def _country_points() -> dict[str, tuple[float, float]]:
    from workbench.format.reference import countries

    c = countries().dropna(subset=["lat", "lon"])
    return {k: (float(a), float(b)) for k, a, b in zip(c["iso2"], c["lat"], c["lon"], strict=True)}


def node_position(key: str, level: str) -> tuple[float, float] | None:
    """``(lon, lat)`` where a country's or region's flows start and end; None if unknown.

    >>> node_position("FR", "country"), node_position("Europe", "region")
    ((2.094, 46.895), (12.0, 50.0))
    """
    pt = REGION_POINTS.get(key) if level == "region" else _country_points().get(key)
    return (pt[1], pt[0]) if pt else None


@lru_cache(maxsize=1)
def _light_polygons() -> tuple[dict[str, Any], ...]:
    """Country polygons simplified for the browser (about a third of the file's size)."""
    import shapely
    from shapely.geometry import mapping, shape

    from workbench.format.reference import country_polygons

    out = []
    for f in country_polygons()["features"]:
        g = shapely.set_precision(shape(f["geometry"]).simplify(0.08, preserve_topology=True), 0.01)
        if g.is_empty:
            continue
        out.append({"iso2": f["properties"]["iso2"], "name": f["properties"]["name"], "geometry": mapping(g)})
    return tuple(out)


def _mix(colour: tuple[int, int, int], other: tuple[int, int, int], t: float) -> tuple[int, int, int]:
    r, g, b = (int(round(a + (o - a) * t)) for a, o in zip(colour, other, strict=True))
    return (r, g, b)


def _flow_colour(category: str | None) -> tuple[int, int, int]:
    return CATEGORY_COLOURS.get(str(category), ALL_GOODS) if isinstance(category, str) else ALL_GOODS


def _ends(colour: tuple[int, int, int]) -> tuple[list[int], list[int]]:
    """Source (pale) and target (dark) colours of an arc: the direction of travel."""
    return [*_mix(colour, (255, 255, 255), 0.62), 200], [*_mix(colour, (0, 0, 0), 0.25), 235]


def _shade(value: float, vmax: float) -> tuple[int, int, int]:
    """Sequential pale-yellow to dark-orange scale on a log axis."""
    if value <= 0 or vmax <= 0:
        return NO_DATA
    t = math.log1p(value) / math.log1p(vmax)
    stops = [(255, 249, 228), (253, 220, 165), (245, 168, 100), (205, 100, 50)]
    pos = t * (len(stops) - 1)
    i = min(int(pos), len(stops) - 2)
    return _mix(stops[i], stops[i + 1], pos - i)


def _fmt(n: float) -> str:
    if abs(n) >= 1e9:
        return f"{n / 1e9:,.1f} bn"
    if abs(n) >= 1e6:
        return f"{n / 1e6:,.1f} M"
    if abs(n) >= 1e4:
        return f"{n / 1e3:,.0f} k"
    return f"{n:,.0f}" if float(n).is_integer() or abs(n) >= 100 else f"{n:,.2f}"


def node_name(key: str, level: str) -> str:
    """A country's name or a WCO region's short name.

    >>> node_name("SN", "country"), node_name("North of Africa, Near and Middle East", "region")
    ('Senegal', 'MENA')
    """
    from workbench.format.reference import WCO_REGION_SHORT, country_name

    return country_name(key) if level == "country" else WCO_REGION_SHORT.get(key, key)


class _Flow(NamedTuple):
    """One row of a flows table (:func:`workbench.routes.flows.route_flows`) as plain values."""

    origin: str
    destination: str
    cases: int
    inferred_cases: int
    share: float
    category: str | None  # None: no breakdown, or a case without items
    quantities: dict[str, float]  # by ``quantity_<unit>`` column, in the table's order


def _flow_rows(flows: pd.DataFrame) -> list[_Flow]:
    """The rows of a flows table, read column by column."""
    cat_col = BY["category"]
    categories: list[str | None] = (
        [None if pd.isna(c) else str(c) for c in flows[cat_col].tolist()]
        if cat_col in flows.columns
        else [None] * len(flows)
    )
    qty_cols = [str(c) for c in flows.columns if str(c).startswith("quantity_")]
    qty = flows[qty_cols].to_numpy(float)
    return [
        _Flow(str(o), str(d), int(c), int(ic), float(sh), cat, dict(zip(qty_cols, q.tolist(), strict=True)))
        for o, d, c, ic, sh, cat, q in zip(
            flows["origin"].tolist(),
            flows["destination"].tolist(),
            flows["cases"].tolist(),
            flows["inferred_cases"].tolist(),
            flows["share"].tolist(),
            categories,
            qty,
            strict=True,
        )
    ]


def _quantities(quantities: Mapping[str, float]) -> str:
    parts = [f"{_fmt(v)} {c.removeprefix('quantity_')}" for c, v in quantities.items() if v > 0]
    return ", ".join(parts[:4]) or _("no quantity")


def _width_values(data: MapData) -> tuple[np.ndarray, str]:
    col = data.options.width_by
    if col == "cases" or col not in data.flows.columns:
        return data.flows["cases"].to_numpy(float), "cases"
    return data.flows[col].to_numpy(float), col.removeprefix("quantity_")


def _arc_pixels(fraction: float) -> float:
    """Width in screen pixels of an arc carrying ``fraction`` of the busiest arc's flow: from
    ``ARC_PIXELS[0]`` to ``ARC_PIXELS[1]`` by the square root, so it stays the same at every zoom.

    >>> _arc_pixels(0.0), _arc_pixels(0.25), _arc_pixels(1.0)
    (1.5, 4.75, 8.0)
    """
    lo, hi = ARC_PIXELS
    return round(lo + (hi - lo) * math.sqrt(max(0.0, min(1.0, fraction))), 2)


def _constant(value: str) -> str:
    """A string property for ``pydeck.Layer``: pydeck reads a bare string as an accessor expression
    (``"pixels"`` becomes ``"@@=pixels"``, which deck.gl evaluates to nothing, so a layer falls back to
    common units and its arcs or dots grow as the user zooms in); quotes make it a constant.

    >>> import pydeck as pdk
    >>> pdk.Layer("ArcLayer", width_units=_constant("pixels"))._kwargs["width_units"]
    "'pixels'"
    >>> pdk.Layer("ArcLayer", width_units=_constant("pixels")).__dict__["width_units"]
    'pixels'
    """
    return f"'{value}'"


def _arc_records(data: MapData) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    level = data.options.level
    flows = data.flows
    if not len(flows):
        return [], []
    values, unit = _width_values(data)
    vmax = float(values.max()) if len(values) and values.max() > 0 else 1.0
    rows = _flow_rows(flows)
    cats = sorted({row.category for row in rows if row.category is not None})
    arcs, inferred = [], []
    for i, row in enumerate(rows):
        src = node_position(row.origin, level)
        dst = node_position(row.destination, level)
        if src is None or dst is None or values[i] <= 0:
            continue
        category = row.category
        sc, tc = _ends(_flow_colour(category))
        # categories of one pair fan out so that each stays visible and clickable
        tilt = (cats.index(category) - (len(cats) - 1) / 2) * 6.0 if category in cats else 0.0
        width = _arc_pixels(values[i] / vmax)
        what = _("leg") if data.options.mode == "legs" else _("route")
        label = f"{node_name(row.origin, level)} → {node_name(row.destination, level)}"
        inferred_note = (
            _(
                "destination inferred for {n:,} ({share:.0%})",
                n=row.inferred_cases,
                share=row.inferred_cases / row.cases,
            )
            if row.inferred_cases
            else _("destination reported")
        )
        rec = {
            "origin": row.origin,
            "destination": row.destination,
            "commodity": category,
            "source": [round(src[0], 3), round(src[1], 3)],
            "target": [round(dst[0], 3), round(dst[1], 3)],
            "source_colour": sc,
            "target_colour": tc,
            "width": round(width, 2),
            "tilt": round(tilt, 1),
            "label": _("{route} ({what}, {category})", route=label, what=what, category=category)
            if category
            else _("{route} ({what})", route=label, what=what),
            "line1": _(
                "{n:,} cases · {share:.1%} of {total:,} in the period",
                n=row.cases,
                share=row.share,
                total=data.total_cases,
            ),
            "line2": _quantities(row.quantities),
            "line3": inferred_note,
        }
        arcs.append(rec)
        if row.inferred_cases:
            w_inf = _arc_pixels(values[i] * row.inferred_cases / row.cases / vmax)
            inferred.append(
                {
                    **rec,
                    "width": round(w_inf, 2),
                    "tilt": round(tilt + 12.0, 1),
                    "source_colour": [*_mix(INFERRED, (255, 255, 255), 0.55), 190],
                    "target_colour": [*INFERRED, 220],
                    "label": _("{route}: destination inferred", route=label),
                    "line1": _(
                        "{n:,} of {total:,} cases: import with a blank destination",
                        n=row.inferred_cases,
                        total=row.cases,
                    ),
                    "line2": _("taken as bound for the reporting country"),
                    "line3": "",
                }
            )
    return arcs, inferred


def _country_features(data: MapData) -> dict[str, Any]:
    from workbench.format.route import country_region

    level = data.options.level
    totals = dict(zip(data.shading["key"], data.shading["cases"], strict=True))
    inferred = dict(zip(data.shading["key"], data.shading["inferred_cases"], strict=True))
    vmax = float(max(totals.values())) if totals else 0.0
    said = {
        ("reported", True): N_("{n:,} cases reported by it"),
        ("departing", True): N_("{n:,} cases departing from it"),
        ("destined", True): N_("{n:,} cases destined for it"),
        ("reported", False): N_("{n:,} cases reported by the region"),
        ("departing", False): N_("{n:,} cases departing from the region"),
        ("destined", False): N_("{n:,} cases destined for the region"),
    }
    features = []
    for p in _light_polygons():
        key = p["iso2"] if level == "country" else country_region(p["iso2"])
        n = int(totals.get(key, 0))
        share = n / data.total_cases if data.total_cases else 0.0
        inf = int(inferred.get(key, 0))
        features.append(
            {
                "type": "Feature",
                "geometry": p["geometry"],
                "properties": {
                    "key": key,
                    "fill": [*_shade(n, vmax), 225],
                    "label": p["name"] if level == "country" else f"{p['name']} ({node_name(key, level)})",
                    "line1": _(said[data.options.shading, level == "country"], n=n),
                    "line2": _("{share:.1%} of {total:,} in the period", share=share, total=data.total_cases),
                    "line3": _("of which destination inferred: {n:,}", n=inf) if inf else "",
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _flow_arcs(layer_id: str, records: list[dict[str, Any]], *, height: float, **extra: Any) -> Any:
    """An arc layer of flows: colours from source to target, width in screen pixels (see ARC_PIXELS)."""
    import pydeck as pdk

    return pdk.Layer(
        "ArcLayer",
        id=layer_id,
        data=records,
        get_source_position="source",
        get_target_position="target",
        get_source_color="source_colour",
        get_target_color="target_colour",
        get_width="width",
        get_tilt="tilt",
        get_height=height,
        width_units=_constant("pixels"),
        width_min_pixels=ARC_PIXELS[0],
        width_max_pixels=ARC_PIXELS[1],
        pickable=True,
        auto_highlight=True,
        **extra,
    )


def _place_records(data: MapData) -> list[dict[str, Any]]:
    p = data.places
    if not len(p):
        return []
    cmax = float(p["cases"].max())
    return [
        {
            "key": k,
            "position": [round(float(lon), 3), round(float(lat), 3)],
            "radius": round(1.5 + 6.5 * math.sqrt(c / cmax), 2),
            "label": label,
            "line1": _("{n:,} cases seized here", n=c),
            "line2": _("{share:.1%} of the period's cases", share=c / data.total_cases)
            if data.total_cases
            else "",
            "line3": _("where routes were cut"),
        }
        for k, label, lat, lon, c in zip(p["key"], p["label"], p["lat"], p["lon"], p["cases"], strict=True)
    ]


def _highlight_records(data: MapData) -> list[dict[str, Any]]:
    """The route another page sent (``MapOptions.highlight``) as one gold origin → destination arc."""
    if data.options.highlight is None or data.highlight.empty:
        return []
    origin, destination = data.options.highlight
    src, dst = node_position(origin, "country"), node_position(destination, "country")
    if src is None or dst is None:
        return []
    row = _flow_rows(data.highlight)[0]
    return [
        {
            "origin": origin,
            "destination": destination,
            "source": [round(src[0], 3), round(src[1], 3)],
            "target": [round(dst[0], 3), round(dst[1], 3)],
            "label": _(
                "{origin} → {destination} (highlighted route)",
                origin=node_name(origin, "country"),
                destination=node_name(destination, "country"),
            ),
            "line1": _(
                "{n:,} cases · {share:.1%} of {total:,} in the period",
                n=row.cases,
                share=row.share,
                total=data.total_cases,
            ),
            "line2": _quantities(row.quantities),
            "line3": _("origin → destination, whatever the hops"),
        }
    ]


def _label_records(data: MapData, arcs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: dict[str, list[float]] = {}
    for a in arcs[:60]:
        seen.setdefault(a["origin"], a["source"])
        seen.setdefault(a["destination"], a["target"])
    from workbench.format.reference import WCO_REGION_SHORT

    return [
        {"position": pos, "text": k if data.options.level == "country" else WCO_REGION_SHORT.get(k, k)}
        for k, pos in seen.items()
    ]


def route_deck(data: MapData, view: dict[str, float] | None = None, *, height: int = 620) -> pdk.Deck:
    """The ``pydeck.Deck`` of a map (layer ids carry :attr:`MapData.token`)."""
    import pydeck as pdk

    tok = data.token
    arcs, inferred = _arc_records(data)
    layers = [
        pdk.Layer(
            "GeoJsonLayer",
            id=f"countries-{tok}",
            data=_country_features(data),
            stroked=False,  # outlines are their own layer: a stroked pickable GeoJsonLayer made clicks on
            filled=True,  # the arcs above it go unanswered in Chromium's software WebGL
            get_fill_color="properties.fill",
            pickable=True,
            auto_highlight=True,
        ),
        pdk.Layer(
            "GeoJsonLayer",
            id=f"borders-{tok}",
            data={
                "type": "FeatureCollection",
                "features": [
                    {"type": "Feature", "geometry": p["geometry"], "properties": {}}
                    for p in _light_polygons()
                ],
            },
            stroked=True,
            filled=False,
            get_line_color=[255, 255, 255, 210],
            line_width_min_pixels=0.6,
            pickable=False,
        ),
    ]
    if data.options.hotspots == "heatmap" and len(data.grid):
        layers.append(
            pdk.Layer(
                "HeatmapLayer",
                id=f"hotspots-{tok}",
                data=[
                    {"position": [float(lon), float(lat)], "cases": int(c)}
                    for lat, lon, c in zip(
                        data.grid["lat"], data.grid["lon"], data.grid["cases"], strict=True
                    )
                ],
                get_position="position",
                get_weight="cases",
                radius_pixels=35,
                opacity=0.55,
                pickable=False,
            )
        )
    else:  # keep the set of layer ids stable
        layers.append(pdk.Layer("ScatterplotLayer", id=f"hotspots-{tok}", data=[], pickable=False))
    layers += [
        _flow_arcs(f"inferred-{tok}", inferred, height=0.35),
        _flow_arcs(f"flows-{tok}", arcs, height=0.3, highlight_color=[255, 215, 0, 255]),
        pdk.Layer(
            "ScatterplotLayer",
            id=f"places-{tok}",
            data=_place_records(data),
            get_position="position",
            get_radius="radius",
            radius_units=_constant("pixels"),
            get_fill_color=[31, 59, 87, 150],
            get_line_color=[255, 255, 255, 230],
            stroked=True,
            line_width_min_pixels=1,
            pickable=True,
            auto_highlight=True,
        ),
        pdk.Layer(
            "TextLayer",
            id=f"labels-{tok}",
            data=_label_records(data, arcs) if data.options.labels else [],
            get_position="position",
            get_text="text",
            get_size=12,
            get_color=[20, 30, 40, 230],
            get_pixel_offset=[0, -10],
            font_weight=600,
            outline_width=2,
            outline_color=[255, 255, 255, 220],
            font_settings={"sdf": True},
            pickable=False,
        ),
        pdk.Layer(
            "ArcLayer",
            id=f"highlight-{tok}",
            data=_highlight_records(data),
            get_source_position="source",
            get_target_position="target",
            get_source_color=HIGHLIGHT,
            get_target_color=HIGHLIGHT,
            get_width=ARC_PIXELS[1] + 3,
            get_height=0.3,
            width_units=_constant("pixels"),
            pickable=True,
            auto_highlight=False,
        ),
    ]
    tooltip = {
        "html": "<b>{label}</b><br/>{line1}<br/>{line2}<br/>{line3}",
        "style": {"backgroundColor": "#1F3B57", "color": "white", "fontSize": "12px", "maxWidth": "360px"},
    }
    return _compact_deck_class()(
        layers=layers,
        initial_view_state=pdk.ViewState(**(view or DEFAULT_VIEW)),
        map_style=BLANK_STYLE,
        map_provider=None,
        tooltip=tooltip,
        height=height,
    )


@lru_cache(maxsize=1)
def _compact_deck_class() -> type:
    """``pydeck.Deck`` whose JSON has no indentation: pydeck indents by two spaces, which more than
    doubles what Streamlit sends to the browser on every rerun."""
    import pydeck as pdk

    class CompactDeck(pdk.Deck):
        def to_json(self) -> str:
            # kept once made: a deck is not changed after route_deck, and Streamlit asks on every rerun
            if getattr(self, "_compact_json", None) is None:
                self._compact_json = json.dumps(json.loads(super().to_json()), separators=(",", ":"))
            return self._compact_json

    return CompactDeck


def selection_from_pick(
    objects: Mapping[str, Sequence[Mapping[str, Any]]], data: MapData
) -> Selection | None:
    """What a click on the map of ``data`` picked, from deck.gl's picked objects per layer id (what
    Streamlit's chart selection event holds in ``selection.objects``); None when nothing was picked on
    this map (an object of a layer made for other data or options, whose id carries another
    :attr:`MapData.token`, is ignored).

    >>> data = MapData(MapOptions(mode="od"), None, *[pd.DataFrame()] * 4, total_cases=0)
    >>> selection_from_pick({f"flows-{data.token}": [{"origin": "CO", "destination": "FR", "commodity": "drugs"}]}, data)
    Selection(kind='flow', key='', origin='CO', destination='FR', commodity='drugs', by='category', mode='od', level='country', shading='reported', name='')
    >>> selection_from_pick({f"countries-{data.token}": [{"properties": {"key": "FR"}}]}, data).describe()
    'cases reported by France'
    >>> selection_from_pick({"places-0ld70ken": [{"key": "FR:CDG"}]}, data) is None
    True
    """
    opts = data.options
    by = "category" if opts.by == "category" else None
    for layer_id, objs in objects.items():
        kind, _, token = str(layer_id).rpartition("-")
        if token != data.token or not objs:
            continue
        obj = objs[0]
        if kind == "highlight":
            return Selection(
                "flow", origin=str(obj.get("origin")), destination=str(obj.get("destination")), mode="od"
            )
        if kind in ("flows", "inferred"):
            return Selection(
                "flow",
                origin=str(obj.get("origin")),
                destination=str(obj.get("destination")),
                commodity=obj.get("commodity") or None,
                by=by,
                mode=opts.mode,
                level=opts.level,
            )
        if kind == "places":
            return Selection(
                "place",
                key=str(obj.get("key")),
                mode=opts.mode,
                level=opts.level,
                name=str(obj.get("label") or ""),
            )
        if kind == "countries":
            props = obj.get("properties") or obj
            return Selection("country", key=str(props.get("key")), level=opts.level, shading=opts.shading)
    return None


def deck_bytes(deck: Any) -> int:
    """Size of the deck's JSON: what the browser receives for the map on each rerun."""
    return len(deck.to_json().encode("utf-8"))


def legend_entries(data: MapData) -> dict[str, Any]:
    """What a legend shows: arc colours by category (pale origin → dark destination), the inferred
    style, the width meaning and the shading meaning."""
    cat_col = BY["category"]
    cats = (
        [str(c) for c in data.flows[cat_col].dropna().unique()]
        if cat_col in data.flows.columns and len(data.flows)
        else []
    )
    colours = {c: _ends(_flow_colour(c)) for c in sorted(cats)} or {_("all goods"): _ends(ALL_GOODS)}
    _values, unit = _width_values(data) if len(data.flows) else (None, "cases")
    shading = {
        ("reported", True): N_("country shading: cases reported by the country"),
        ("departing", True): N_("country shading: cases departing from the country"),
        ("destined", True): N_("country shading: cases destined for the country"),
        ("reported", False): N_("country shading: cases reported by the region"),
        ("departing", False): N_("country shading: cases departing from the region"),
        ("destined", False): N_("country shading: cases destined for the region"),
    }
    return {
        "colours": colours,
        "inferred": (
            [*_mix(INFERRED, (255, 255, 255), 0.55), 190],
            [*INFERRED, 220],
        ),
        "width": _("arc width: {unit}", unit=unit),
        "shading": _(shading[data.options.shading, data.options.level == "country"]),
        "direction": _("each arc runs from pale (origin) to dark (destination)"),
        "inferred_note": _(
            "grey arc: cases whose destination is inferred (import with a blank destination → the reporting country)"
        ),
    }


# ---------------------------------------------------------------- PNG (no browser)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    from PIL import ImageFont

    for path in ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",):
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            pass
    return ImageFont.load_default(size=size)


def _bounds(data: MapData) -> tuple[float, float, float, float]:
    """Longitude/latitude box to draw: the flows with a margin, widened to a 16:9 frame."""
    found = (
        node_position(k, data.options.level)
        for k in pd.concat([data.flows["origin"], data.flows["destination"]])
    )
    pts = [p for p in found if p is not None]
    if not pts:
        return (-170.0, 180.0, -58.0, 78.0)
    lons = [p[0] for p in pts]
    lats = [p[1] for p in pts]
    lo_lon, hi_lon = max(-180.0, min(lons) - 15), min(180.0, max(lons) + 15)
    lo_lat, hi_lat = max(-58.0, min(lats) - 12), min(80.0, max(lats) + 12)
    # at least a third of the world wide, then 16:9
    if hi_lon - lo_lon < 120:
        mid = (hi_lon + lo_lon) / 2
        lo_lon, hi_lon = mid - 60, mid + 60
    span_lon = hi_lon - lo_lon
    need_lat = span_lon * 9 / 16
    if hi_lat - lo_lat < need_lat:
        mid = (hi_lat + lo_lat) / 2
        lo_lat, hi_lat = mid - need_lat / 2, mid + need_lat / 2
    else:
        mid = (hi_lon + lo_lon) / 2
        need_lon = (hi_lat - lo_lat) * 16 / 9
        lo_lon, hi_lon = mid - need_lon / 2, mid + need_lon / 2
    return lo_lon, hi_lon, lo_lat, hi_lat


def fitted_view(data: MapData, width: int = 1200, height: int = 600) -> dict[str, float]:
    """The map's view (centre and zoom) that fits the drawn flows in a ``width`` × ``height`` pixel
    frame: the filtered data, not the whole world, fills the map (see the module's example).
    """
    import math

    lo_lon, hi_lon, lo_lat, hi_lat = _bounds(data)

    def merc(lat: float) -> float:
        lat = max(-85.0, min(85.0, lat))
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    # deck.gl's world is 512 px wide at zoom 0 (2π in Mercator units)
    zoom_lon = math.log2(width * 360 / (512 * max(hi_lon - lo_lon, 1e-6)))
    zoom_lat = math.log2(height * 2 * math.pi / (512 * max(merc(hi_lat) - merc(lo_lat), 1e-6)))
    mid_lat = math.degrees(math.atan(math.sinh((merc(hi_lat) + merc(lo_lat)) / 2)))
    return {
        "latitude": round(mid_lat, 3),
        "longitude": round((lo_lon + hi_lon) / 2, 3),
        "zoom": round(max(0.5, min(zoom_lon, zoom_lat)), 2),
        "pitch": 0,
        "bearing": 0,
    }


def map_png(
    data: MapData,
    *,
    title: str = "Trafficking routes",
    subtitle: str = "",
    width: int = 1600,
    height: int = 900,
) -> bytes:
    """The map as a PNG, drawn with Pillow from the same :class:`MapData` (no browser, no network)."""
    from PIL import Image, ImageDraw

    from workbench.format.reference import country_polygons

    ss = 2  # supersampling: draw large, shrink with a good filter for smooth lines
    w, h = width * ss, height * ss
    img = Image.new("RGB", (w, h), OCEAN)
    draw = ImageDraw.Draw(img, "RGBA")
    lo_lon, hi_lon, lo_lat, hi_lat = _bounds(data)

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return ((lon - lo_lon) / (hi_lon - lo_lon) * w, (hi_lat - lat) / (hi_lat - lo_lat) * h)

    from workbench.format.route import country_region

    totals = dict(zip(data.shading["key"], data.shading["cases"], strict=True))
    vmax = float(max(totals.values())) if totals else 0.0
    for f in country_polygons()["features"]:
        iso2 = f["properties"]["iso2"]
        key = iso2 if data.options.level == "country" else country_region(iso2)
        fill = _shade(float(totals.get(key, 0)), vmax)
        geom = f["geometry"]
        polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        for poly in polys:
            ring = [xy(x, y) for x, y in poly[0]]
            if len(ring) >= 3:
                draw.polygon(ring, fill=fill, outline=(255, 255, 255))
    # hotspots: translucent discs
    if len(data.grid):
        gmax = float(data.grid["cases"].max())
        for lat, lon, c in zip(data.grid["lat"], data.grid["lon"], data.grid["cases"], strict=True):
            r = (4 + 16 * math.sqrt(c / gmax)) * ss
            x, y = xy(lon, lat)
            draw.ellipse((x - r, y - r, x + r, y + r), fill=(240, 59, 32, int(25 + 60 * c / gmax)))
    arcs, inferred = _arc_records(data)

    def curve(rec: dict[str, Any], bend: float, dashed: bool) -> None:
        (x0, y0), (x1, y1) = xy(*rec["source"]), xy(*rec["target"])
        dx, dy = x1 - x0, y1 - y0
        cx, cy = (x0 + x1) / 2 - dy * bend, (y0 + y1) / 2 + dx * bend  # bends left of the direction
        sc, tc = rec["source_colour"], rec["target_colour"]
        n = 32
        pts = [
            (
                (1 - t) ** 2 * x0 + 2 * (1 - t) * t * cx + t**2 * x1,
                (1 - t) ** 2 * y0 + 2 * (1 - t) * t * cy + t**2 * y1,
            )
            for t in (i / n for i in range(n + 1))
        ]
        lw = max(1, int(round(rec["width"] * ss * 1.1)))
        for i in range(n):
            if dashed and i % 2:
                continue
            t = i / n
            col = tuple(int(round(a + (b - a) * t)) for a, b in zip(sc, tc, strict=True))
            draw.line([pts[i], pts[i + 1]], fill=col, width=lw)

    for rec in sorted(arcs, key=lambda r: r["width"]):
        curve(rec, 0.18 + rec["tilt"] / 300, dashed=False)
    for rec in inferred:
        curve(rec, 0.26 + rec["tilt"] / 300, dashed=True)
    for p in _place_records(data)[:300]:
        x, y = xy(*p["position"])
        r = p["radius"] * ss * 1.2
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(31, 59, 87, 150), outline=(255, 255, 255, 220))
    label_font = _font(11 * ss)
    for lab in _label_records(data, arcs):
        x, y = xy(*lab["position"])
        draw.text(
            (x, y - 12 * ss),
            lab["text"],
            font=label_font,
            fill=(20, 30, 40),
            anchor="mm",
            stroke_width=2 * ss,
            stroke_fill=(255, 255, 255),
        )
    # title band
    draw.rectangle((0, 0, w, 64 * ss), fill=(255, 255, 255, 225))
    draw.text((16 * ss, 10 * ss), title, font=_font(22 * ss), fill=(31, 59, 87))
    sub = subtitle or f"{data.window_label} · {data.total_cases:,} cases"
    draw.text((16 * ss, 40 * ss), sub, font=_font(13 * ss), fill=(60, 70, 80))
    # legend
    leg = legend_entries(data)
    small = _font(12 * ss)
    rows = list(leg["colours"].items())
    box_h = (30 + 18 * (len(rows) + 5)) * ss
    x0, y0 = 14 * ss, h - box_h - 14 * ss
    draw.rectangle((x0, y0, x0 + 430 * ss, h - 14 * ss), fill=(255, 255, 255, 230), outline=(180, 180, 180))
    y = y0 + 10 * ss
    for name, (sc, tc) in rows:
        for i in range(20):
            t = i / 19
            col = tuple(int(round(a + (b - a) * t)) for a, b in zip(sc, tc, strict=True))
            draw.line(
                [(x0 + (10 + i * 2) * ss, y + 7 * ss), (x0 + (12 + i * 2) * ss, y + 7 * ss)],
                fill=col,
                width=5 * ss,
            )
        draw.text((x0 + 60 * ss, y), name.replace("_", " "), font=small, fill=(30, 30, 30))
        y += 18 * ss
    isc, itc = leg["inferred"]
    for i in range(0, 20, 2):
        col = tuple(int(round(a + (b - a) * i / 19)) for a, b in zip(isc, itc, strict=True))
        draw.line(
            [(x0 + (10 + i * 2) * ss, y + 7 * ss), (x0 + (12 + i * 2) * ss, y + 7 * ss)],
            fill=col,
            width=4 * ss,
        )
    draw.text((x0 + 60 * ss, y), _("destination inferred (dashed grey)"), font=small, fill=(30, 30, 30))
    y += 18 * ss
    for text in (
        leg["direction"],
        leg["width"],
        leg["shading"],
        _("dots: places of seizure · red discs: hotspots"),
    ):
        draw.text((x0 + 10 * ss, y), text, font=small, fill=(30, 30, 30))
        y += 18 * ss
    foot = _(
        "CEN Intelligence Workbench · {date} · boundaries: Natural Earth (public domain)",
        date=dt.date.today().isoformat(),
    )
    draw.text((w - 14 * ss, h - 10 * ss), foot, font=_font(10 * ss), fill=(60, 70, 80), anchor="rd")
    out = img.resize((width, height), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    out.save(buf, format="PNG", optimize=True)
    return buf.getvalue()


# ---------------------------------------------------------------- standalone HTML
@lru_cache(maxsize=1)
def _deckgl_bundle() -> str:
    """pydeck's own build of deck.gl (the Jupyter widget bundle shipped inside the pydeck package)."""
    from importlib import resources

    text = resources.files("pydeck").joinpath("nbextension/static/index.js").read_text(encoding="utf-8")
    return text.replace("</script", "<\\/script")


def _legend_html(legend: dict[str, Any]) -> str:
    import html

    def grad(sc: list[int], tc: list[int]) -> str:
        a = f"rgba({sc[0]},{sc[1]},{sc[2]},{sc[3] / 255:.2f})"
        b = f"rgba({tc[0]},{tc[1]},{tc[2]},{tc[3] / 255:.2f})"
        return (
            "<span style='display:inline-block;width:44px;height:6px;margin-right:8px;vertical-align:middle;"
            f"background:linear-gradient(90deg,{a},{b})'></span>"
        )

    swatches = [
        f"<span class='item'>{grad(sc, tc)}{html.escape(name.replace('_', ' '))}</span>"
        for name, (sc, tc) in legend["colours"].items()
    ]
    swatches.append(
        f"<span class='item'>{grad(*legend['inferred'])}{html.escape(_('destination inferred'))}</span>"
    )
    rows = [f"<div>{''.join(swatches)}</div>"]
    for key in ("direction", "width", "shading", "inferred_note"):
        rows.append(f"<div class='note'>{html.escape(legend[key])}</div>")
    return "\n".join(rows)


_TEMPLATE_FIELD = re.compile(r"\{(\w+)\}")


def _escape_fields(data: Any, fields: frozenset[str]) -> Any:
    """``data`` (records, GeoJSON) with the text of every key in ``fields`` HTML-escaped, at any depth.

    >>> _escape_fields([{"label": "<img src=x>", "n": 1, "properties": {"label": "a&b"}}], frozenset({"label"}))
    [{'label': '&lt;img src=x&gt;', 'n': 1, 'properties': {'label': 'a&amp;b'}}]
    """
    import html

    if isinstance(data, list):
        return [_escape_fields(v, fields) for v in data]
    if isinstance(data, dict):
        return {
            k: html.escape(v) if k in fields and isinstance(v, str) else _escape_fields(v, fields)
            for k, v in data.items()
        }
    return data


def map_html(
    deck: Any, *, title: str = "Trafficking routes", subtitle: str = "", legend: dict[str, Any] | None = None
) -> str:
    """A standalone HTML page of the deck that opens offline: deck.gl is inlined, no URL is loaded."""
    import html

    spec = json.loads(deck.to_json())
    spec.pop("mapStyle", None)
    spec["mapProvider"] = None
    tooltip = getattr(deck, "_tooltip", True)
    if isinstance(tooltip, dict) and "html" in tooltip:
        # deck.gl puts the filled-in template into the page as HTML: the fields it takes from the data
        # (place names, commodity labels: user text) are escaped, so markup in them stays text
        fields = frozenset(_TEMPLATE_FIELD.findall(str(tooltip["html"])))
        for layer in spec.get("layers", []):
            if "data" in layer:
                layer["data"] = _escape_fields(layer["data"], fields)
    spec_js = json.dumps(spec).replace("</", "<\\/")
    tooltip_js = json.dumps(tooltip).replace("</", "<\\/")
    legend_block = _legend_html(legend) if legend else ""
    return f"""<!DOCTYPE html>
<html lang="{language()}">
<head>
<meta charset="utf-8"/>
<meta name="viewport" content="width=device-width, initial-scale=1"/>
<title>{html.escape(title)}</title>
<style>
  html, body {{ margin: 0; padding: 0; height: 100%; overflow: hidden; font-family: sans-serif; }}
  #deck-container {{ position: absolute; inset: 0; background: rgb{OCEAN}; }}
  #title {{ position: absolute; top: 10px; left: 12px; z-index: 10; background: rgba(255,255,255,.9);
           padding: 8px 12px; border-radius: 4px; color: #1F3B57; }}
  #title h1 {{ font-size: 18px; margin: 0 0 4px 0; }}
  #title p {{ font-size: 12px; margin: 0; color: #444; }}
  #legend {{ position: absolute; bottom: 14px; left: 12px; z-index: 10; background: rgba(255,255,255,.92);
            padding: 8px 12px; border-radius: 4px; font-size: 12px; line-height: 1.6; max-width: 420px; }}
  #legend .note {{ color: #444; }}
  #legend .item {{ display: inline-block; min-width: 190px; }}
</style>
</head>
<body>
<div id="deck-container"></div>
<div id="title"><h1>{html.escape(title)}</h1><p>{html.escape(subtitle)}</p></div>
<div id="legend">{legend_block}</div>
<script>{_deckgl_bundle()}</script>
<script>
  const deckInstance = createDeck({{
    container: document.getElementById('deck-container'),
    jsonInput: {spec_js},
    tooltip: {tooltip_js},
  }});
</script>
</body>
</html>
"""
