"""Build ``countries.geojson`` once from Natural Earth 1:110m (public domain), shipped as a pyogrio test fixture.

Run: ``.venv/bin/python workbench/format/data/build_countries_geojson.py``. Needs geopandas (dev extra); the
workbench itself only reads the output. Natural Earth's ``iso_a3`` is ``-99`` for France, Norway,
N. Cyprus, Somaliland and Kosovo: France and Norway are patched by name, Kosovo gets XK, and
N. Cyprus and Somaliland are merged into CY and SO (ISO 3166 has no code for them).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import pycountry
import pyogrio
from shapely.geometry import mapping

SRC = Path(pyogrio.__file__).parent / "tests/fixtures/naturalearth_lowres/naturalearth_lowres.shp"
OUT = Path(__file__).with_name("countries.geojson")
PATCH = {"France": "FRA", "Norway": "NOR", "Kosovo": "XKX", "N. Cyprus": "CYP", "Somaliland": "SOM"}


def _round(coords: Any, nd: int = 2) -> list[Any]:
    if isinstance(coords, (list, tuple)) and coords and isinstance(coords[0], (int, float)):
        return [round(coords[0], nd), round(coords[1], nd)]
    return [_round(c, nd) for c in coords]


def main() -> None:
    df = gpd.read_file(SRC)
    df["iso_a3"] = [PATCH.get(n, a) for n, a in zip(df["name"], df["iso_a3"], strict=True)]
    df = df[df["iso_a3"] != "-99"].dissolve(by="iso_a3", as_index=False, aggfunc="first")
    features = []
    for row in df.itertuples():
        if row.iso_a3 == "XKX":
            iso2, name = "XK", "Kosovo"
        else:
            c = pycountry.countries.get(alpha_3=row.iso_a3)
            if c is None:
                continue
            iso2, name = c.alpha_2, getattr(c, "common_name", c.name)
        geom = row.geometry.simplify(0.02, preserve_topology=True)
        g = mapping(geom)
        features.append(
            {
                "type": "Feature",
                "properties": {"iso2": iso2, "iso3": row.iso_a3, "name": name, "continent": row.continent},
                "geometry": {"type": g["type"], "coordinates": _round(g["coordinates"])},
            }
        )
    features.sort(key=lambda f: f["properties"]["iso2"])
    OUT.write_text(json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":")))
    print(f"{len(features)} countries, {OUT.stat().st_size / 1024:.0f} KB -> {OUT}")


if __name__ == "__main__":
    main()
