"""A realistic, deterministic sample generator in the exchange format, with planted structure.

:func:`generate` draws cases from **route patterns** that follow known trafficking routes: cocaine from
South America direct to Europe and North America, via West Africa and via the Caribbean; heroin along
the Balkan route; methamphetamine from Myanmar into South-East Asia and Oceania; cigarettes and
counterfeits from East Asia via Gulf hubs; ivory and pangolin scales from Africa to Asia; cash couriers;
and background seizures (alcohol, medicines, weapons, precursors, cultural heritage, hazardous waste,
explosives). Seizures are reported along the route (the destination mostly, transit countries
sometimes, the departure country rarely), and each case's place, procedure, conveyance, concealment,
detection and offence are consistent with its transport mode. Quantities are heavy-tailed per
commodity (from :func:`workbench.format.reference.commodities`); time has seasonality by mode, the 2020-21
air-travel collapse, multi-year trends, and routes that **emerge** or **fade**.

Persons and companies carry names by naming tradition, passports, phones and addresses; planted
**networks** (a consignee behind seizures in several countries, couriers sharing a phone, a freight
forwarder at a shared address, a travel group on the same flights, an organiser across cases) and
**duplicates** with realistic variants (transliterations, swapped name order, typos, day/month swaps,
legal-form variants) are recorded in ``truth``. The planted structure (route patterns, methods by mode,
seasonality, events, remarks) is data: ``workbench/sample/patterns.yaml``.

Tables hold exactly the exchange-format columns in format order. **Dates are ISO strings**
(``"YYYY-MM-DD"``); blanks are missing values (``NA``/``NaN``). Everything is vectorised with numpy:
1,000,000 cases take about half a minute here. The same seed gives the same data.

Examples
--------
>>> ds = generate(300, seed=1)
>>> sorted(ds.tables)
['cases', 'companies', 'items', 'persons']
>>> len(ds.tables["cases"]), ds.tables["cases"].loc[0, "seizure_date"][:4]
(300, '2019')
>>> generate(300, seed=1).tables["persons"].equals(ds.tables["persons"])
True
>>> sorted(ds.truth)[:4]
['case_id_prefix', 'case_patterns', 'company_entities', 'company_variants']
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, TypedDict

import numpy as np
import pandas as pd

from workbench.format.schema import FORMAT
from workbench.i18n import _

__all__ = [
    "SampleDataset",
    "PATTERNS",
    "NETWORK_KINDS",
    "generate",
    "build_default_sample",
    "default_sample_path",
    "case_id_prefix",
]

DEFAULT_CASES = 20_000
DEFAULT_SEED = 42

#: The kinds of planted networks, in the order they are planted (cycled as the sample grows).
NETWORK_KINDS: tuple[str, ...] = (
    "shared_consignee",
    "shared_phone",
    "shared_address",
    "travel_group",
    "organiser",
)
#: About one planted network per this many cases (at least one of each kind).
CASES_PER_NETWORK = 3_000


@dataclass
class SampleDataset:
    """Generated tables and the planted structure.

    ``tables``: ``cases``, ``items``, ``persons``, ``companies``, each with exactly the exchange-format
    columns in format order; dates are ISO strings ``YYYY-MM-DD``, blanks are missing values.

    ``truth`` (JSON-serialisable): ``networks`` (list of ``name, kind, description, person_ids,
    company_ids, case_keys [[reporting_country, case_id], ...], shared {field: value}``),
    ``person_entities`` / ``company_entities`` (id -> entity id; duplicates share one),
    ``person_variants`` / ``company_variants`` (duplicate id -> the variations applied),
    ``emerging_routes`` / ``fading_routes`` (``name, category, commodity_type [..], departure [..],
    transit [..], destination [..], transport_mode [..], start``), ``remarks_with_personal_data``
    (case keys whose remarks name a person), ``slow_reporters``, ``events``, ``case_patterns``,
    ``seed``, ``case_id_prefix``, ``n_cases``, ``period``.
    """

    tables: dict[str, pd.DataFrame]
    truth: dict[str, Any] = field(default_factory=dict)


DEFAULT_PERIOD = ("2019-01-01", "2025-12-31")


def case_id_prefix(
    n_cases: int, seed: int, start: str = DEFAULT_PERIOD[0], end: str = DEFAULT_PERIOD[1]
) -> str:
    """The tag a generated data set's case ids start with, so that it can be loaded beside another.

    The shipped default sample keeps plain ids (``FR-2024-000123``; docs and tests name them); any
    other draw carries its seed (``S7-FR-2024-000123``): a file generated to try an upload never
    collides with the stored sample's cases.

    >>> case_id_prefix(DEFAULT_CASES, DEFAULT_SEED), case_id_prefix(300, 7), case_id_prefix(300, DEFAULT_SEED)
    ('', 'S7', 'S42')
    """
    if (n_cases, seed, start, end) == (DEFAULT_CASES, DEFAULT_SEED, *DEFAULT_PERIOD):
        return ""
    return f"S{seed}"


def default_sample_path() -> Path:
    """Where the shipped default sample lives: ``sample_data/default`` (a CSV folder)."""
    return Path(__file__).resolve().parents[2] / "sample_data" / "default"


def build_default_sample() -> SampleDataset:
    """The default sample: 20,000 cases, seed 42 (the lead's CLI writes it and its truth)."""
    return generate(DEFAULT_CASES, seed=DEFAULT_SEED)


# ------------------------------------------------------------------------------------------ patterns
# The planted structure is data: route patterns, mode-consistent methods, quantity scales, seasonality,
# the pandemic and the remarks officers write live in ``patterns.yaml`` beside this module.
def _load_patterns() -> dict[str, Any]:
    import yaml

    text = resources.files("workbench.sample").joinpath("patterns.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


_PLANTED = _load_patterns()
#: Route patterns (see ``patterns.yaml``): share, commodity types, departure, transit, destination, modes,
#: growth, and ``emerge``/``fade``/``domestic`` where they apply.
PATTERNS: list[dict[str, Any]] = _PLANTED["patterns"]
_CONVEYANCE: dict[str, dict[str, float]] = _PLANTED["conveyance"]
_CONCEALMENT: dict[str, dict[str, float]] = _PLANTED["concealment"]
_DETECTION: dict[str, dict[str, float]] = _PLANTED["detection"]
_MODE_SCALE: dict[str, float] = _PLANTED["mode_scale"]
_SPREAD: dict[str, float] = _PLANTED["spread"]
_CONCEALMENT_SCALE: dict[str, float] = _PLANTED["concealment_scale"]
_BULK_TYPES: tuple[str, ...] = tuple(_PLANTED["bulk_types"])
_SEASON: dict[str, list[float]] = _PLANTED["season"]
_EVENTS: dict[str, list[tuple[str, float]]] = {
    m: [(d, v) for d, v in pts] for m, pts in _PLANTED["events"].items()
}
_REMARKS: dict[str, list[str]] = _PLANTED["remarks"]


# ------------------------------------------------------------------------------------- coded values
# Inside the generator, enumerations, transport modes and commodity types are small integers (codes
# into the format's enumerations) and ISO2 codes are packed into integers, so grouping and lookups
# never sort strings. Text is made only for the final tables.
@cache
def _enum(name: str) -> dict[str, int]:
    return {v: i for i, v in enumerate(FORMAT.enums[name])}


def _codes(enum: str, *names: str) -> np.ndarray:
    return np.array([_enum(enum)[n] for n in names], dtype=np.int16)


_MODES: tuple[str, ...] = FORMAT.enums["transport_mode"]
_AIR = _codes("transport_mode", "air_passenger", "air_cargo")
_SEA = _codes("transport_mode", "sea_container", "sea_other")
_MAIL = _codes("transport_mode", "postal", "express_courier")
_LAND = _codes("transport_mode", "road", "rail", "pedestrian")
_CARGO = _codes("transport_mode", "sea_container", "air_cargo", "sea_other")
_ROAD = _enum("transport_mode")["road"]
_AIR_PASSENGER = _enum("transport_mode")["air_passenger"]
_PEDESTRIAN = _enum("transport_mode")["pedestrian"]
_EXPRESS = _enum("transport_mode")["express_courier"]
_POSTAL = _enum("transport_mode")["postal"]


def _by_mode(table: dict[str, Any], default: Any) -> np.ndarray:
    """A per-mode-code array of ``table`` values (index it with mode codes)."""
    return np.array([table.get(m, default) for m in _MODES])


def _cc(a: np.ndarray) -> np.ndarray:
    """ISO2 codes (a ``<U2`` array) packed into integers 0..16383 (``""`` -> 0), for grouping and lookups."""
    v = np.ascontiguousarray(a, dtype="<U2").view(np.uint32).reshape(-1, 2)
    return (v[:, 0] * 128 + v[:, 1]).astype(np.int32)


def _cc_str(k: int) -> str:
    return (chr(int(k) // 128) + chr(int(k) % 128)).replace("\x00", "")


def _by_cc(a: np.ndarray, table: dict[str, Any], default: Any, dtype: Any = None) -> np.ndarray:
    """``table[code]`` for each ISO2 code in ``a`` (``default`` for codes not in the table)."""
    dense = np.full(128 * 128, default, dtype=dtype if dtype is not None else np.asarray([default]).dtype)
    for k, v in table.items():
        if isinstance(k, str) and len(k) == 2:
            dense[ord(k[0]) * 128 + ord(k[1])] = v
    out: np.ndarray = dense[_cc(a)]
    return out


# ------------------------------------------------------------------------------------ text helpers
# Strings are built as numpy fixed-width unicode arrays with numpy.strings (one C loop per piece);
# letters and digits are drawn as code points and viewed as strings.
_LETTERS = np.array([ord(c) for c in "ABCDEFGHJKLMNPRSTUVWXYZ"], dtype=np.uint32)
_ALNUM = np.array([ord(c) for c in "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"], dtype=np.uint32)


@lru_cache(maxsize=1)
def _vocab() -> dict[str, Any]:
    import yaml

    vocab: dict[str, Any] = yaml.safe_load(
        resources.files("workbench.format").joinpath("data/names.yaml").read_text(encoding="utf-8")
    )
    return vocab


def _u(values: Any) -> np.ndarray:
    """A numpy unicode array of ``values``."""
    a = np.asarray(values)
    return a if a.dtype.kind == "U" else a.astype(str)


def _cat(*parts: Any) -> np.ndarray:
    """Element-wise concatenation of string arrays and scalars."""
    out = _u(parts[0])
    for p in parts[1:]:
        out = np.strings.add(out, p if isinstance(p, str) else _u(p))
    return out


def _template(rng: np.random.Generator, tmpl: str, n: int) -> np.ndarray:
    """``n`` random strings shaped by ``tmpl``: ``L`` a letter, ``D`` a digit, ``A`` either, else literal."""
    if not tmpl:
        return np.full(n, "", dtype="<U1")
    codes = np.empty((n, len(tmpl)), dtype=np.uint32)
    for j, ch in enumerate(tmpl):
        if ch == "L":
            codes[:, j] = _LETTERS[rng.integers(0, len(_LETTERS), n)]
        elif ch == "D":
            codes[:, j] = rng.integers(48, 58, n)
        elif ch == "A":
            codes[:, j] = _ALNUM[rng.integers(0, len(_ALNUM), n)]
        else:
            codes[:, j] = ord(ch)
    return codes.view(f"<U{len(tmpl)}").reshape(n)


def _fixed(values: Any, width: int) -> np.ndarray:
    """Non-negative integers as zero-padded strings of ``width`` digits."""
    v = np.asarray(values, dtype=np.int64)
    codes = np.empty((len(v), width), dtype=np.uint32)
    for j in range(width):
        codes[:, width - 1 - j] = 48 + (v // 10**j) % 10
    return codes.view(f"<U{width}").reshape(len(v))


def _choice(rng: np.random.Generator, weights: dict[str, float], n: int) -> np.ndarray:
    """``n`` keys of ``weights`` drawn with those weights (a unicode array)."""
    keys = np.array(list(weights), dtype=str)
    p = np.array(list(weights.values()), dtype=float)
    return keys[rng.choice(len(keys), size=n, p=p / p.sum())]


def _draw(
    rng: np.random.Generator, weights: Mapping[str, float], n: int, index: dict[str, int]
) -> np.ndarray:
    """Like :func:`_choice` but returns codes (``index[key]``; -1 for ``""``)."""
    ids = np.array([index[k] if k else -1 for k in weights], dtype=np.int16)
    p = np.array(list(weights.values()), dtype=float)
    return ids[rng.choice(len(ids), size=n, p=p / p.sum())]


def _groups(keys: np.ndarray) -> list[tuple[Any, np.ndarray]]:
    """(key, row indices) for each distinct key, in key order; one sort, no per-row Python."""
    if not len(keys):
        return []
    order = np.argsort(keys, kind="stable")
    ks = keys[order]
    cut = np.flatnonzero(ks[1:] != ks[:-1]) + 1
    return [(ks[s], idx) for s, idx in zip(np.r_[0, cut], np.split(order, cut), strict=True)]


def _str_array(a: Any) -> Any:
    """A pandas ``str`` array (the default text dtype) from text; blanks ("" or None) become missing."""
    import pyarrow as pa
    import pyarrow.compute as pc

    a = np.asarray(a)
    arr = pa.array(a.astype(object) if a.dtype.kind == "U" else a, type=pa.string(), from_pandas=True)
    arr = pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)
    return pd.array(arr, dtype="str")


def _coded(codes: np.ndarray, vocab: Any) -> Any:
    """A pandas ``str`` array from codes into ``vocab`` (negative codes and blank entries are missing)."""
    voc = np.array([v if v else None for v in vocab] + [None], dtype=object)
    codes = np.asarray(codes)
    return _str_array(voc[np.where(codes < 0, len(voc) - 1, codes)])


# ---------------------------------------------------------------------------------- reference data
@lru_cache(maxsize=1)
def _ref() -> dict[str, Any]:
    """Reference lookups, built once: centroids, names, seaport countries, airport cities, commodities."""
    from workbench.format import reference

    cref = reference.countries()
    com = reference.commodities()
    com = com[com["in_sample"]].reset_index(drop=True)
    ap = reference.airports()
    cat, unit = _enum("commodity_category"), _enum("unit")
    return {
        "lat": dict(zip(cref["iso2"], cref["lat"].astype(float), strict=True)),
        "lon": dict(zip(cref["iso2"], cref["lon"].astype(float), strict=True)),
        "name": dict(zip(cref["iso2"], cref["name"], strict=True)),
        "seaport_countries": {c: True for c in reference.seaports()["country"]},
        "airport_city": dict(zip(ap["iata"], ap["city"].fillna(""), strict=True)),
        # commodity table as arrays indexed by type code
        "types": tuple(com["type"]),
        "type_index": {t: i for i, t in enumerate(com["type"])},
        "category": com["category"].map(cat).to_numpy(np.int16),
        "unit": com["default_unit"].map(unit).to_numpy(np.int16),
        "hs": tuple(com["hs_code"].fillna("")),
        "median": com["qty_median"].to_numpy(float),
        "sigma": com["qty_sigma"].to_numpy(float),
        "max": com["max_plausible"].to_numpy(float),
        "price": com["unit_price_usd"].to_numpy(float),
    }


class _Places(TypedDict):
    """Places of one kind in one country, in pick order, with their pick weights ``p``."""

    code: list[str]
    name: list[str]
    lat: np.ndarray
    lon: np.ndarray
    city: list[str]
    p: np.ndarray


@lru_cache(maxsize=1024)
def _places(country: str, kind: str) -> _Places:
    """Major airports or seaports of a country as arrays (with pick weights: the first are the hubs)."""
    from workbench.format import reference

    df = reference.places_of(country, kind)
    w = 1.0 / (np.arange(len(df)) + 1.0) ** 0.8
    city = [_ref()["airport_city"].get(c, "") or n for c, n in zip(df["code"], df["name"], strict=True)]
    return {
        "code": df["code"].astype(str).tolist(),
        "name": df["name"].astype(str).tolist(),
        "lat": df["lat"].to_numpy(dtype=float),
        "lon": df["lon"].to_numpy(dtype=float),
        "city": city,
        "p": w / w.sum() if len(w) else w,
    }


def _cities(country: str) -> np.ndarray:
    """City names for addresses in a country: its major airports' cities, else its name."""
    c = sorted({x for x in _places(country, "airport")["city"] if x})
    return np.array(c if c else [_ref()["name"].get(country, country)])


# ------------------------------------------------------------------------------------------ generate
def generate(
    n_cases: int,
    seed: int = 0,
    start: str = DEFAULT_PERIOD[0],
    end: str = DEFAULT_PERIOD[1],
    prefix: str | None = None,
) -> SampleDataset:
    """Generate ``n_cases`` cases with their items, persons and companies, and the planted ``truth``.

    Deterministic for a seed (one :class:`numpy.random.Generator`). See the module docstring for
    what is planted; :class:`SampleDataset` for the shapes. Case ids start with ``prefix`` and a dash
    (default: :func:`case_id_prefix`, the seed for all but the shipped sample; ``""`` for none).

    Examples
    --------
    >>> ds = generate(1000, seed=3)
    >>> c = ds.tables["cases"]
    >>> bool((c["entry_date"].dropna() >= c.loc[c["entry_date"].notna(), "seizure_date"]).all())
    True
    >>> sorted({n["kind"] for n in ds.truth["networks"]}) == sorted(NETWORK_KINDS)
    True
    >>> c.loc[0, "case_id"].startswith("S3-"), generate(5, seed=3, prefix="").tables["cases"].loc[0, "case_id"][2]
    (True, '-')
    """
    if n_cases < 1:
        raise ValueError(_("n_cases must be at least 1"))
    if prefix is None:
        prefix = case_id_prefix(n_cases, seed, start, end)
    if prefix and not re.fullmatch(r"[A-Za-z0-9]{1,12}", prefix):
        raise ValueError(_("case id prefix {prefix!r}: use 1 to 12 letters or digits", prefix=prefix))
    rng = np.random.default_rng(seed)
    cal = _calendar(start, end)
    cs, transit_vocab = _draw_cases(n_cases, cal, rng)
    _report(cs, rng)
    _methods(cs, rng)
    place_vocab = _place_of_seizure(cs, rng)
    _conveyance_ids(cs, rng)
    _entry_dates(cs, rng, cal["n_days"])
    cs["case_id"] = _case_ids(cs, cal, prefix)
    cs["epoch"] = cal["epoch"][cs["day"]]
    items = _items(cs, rng)
    persons, companies, truth = _parties(cs, rng)
    remarks, truth["remarks_with_personal_data"] = _remarks(cs, persons, rng)

    e = FORMAT.enums
    cases = {
        "case_id": _str_array(cs["case_id"]),
        "reporting_country": _str_array(cs["reporting_country"]),
        "seizure_date": _coded(cs["day"], cal["day_str"]),
        "entry_date": _coded(cs["entry"], cal["day_str"]),
        "customs_procedure": _coded(cs["procedure"], e["customs_procedure"]),
        "detection_method": _coded(cs["detection"], e["detection_method"]),
        "transport_mode": _coded(cs["mode"], _MODES),
        "place_type": _coded(cs["place_type"], e["place_type"]),
        "place_code": _coded(cs["place_code"], place_vocab["code"]),
        "place_name": _coded(cs["place_name"], place_vocab["name"]),
        "latitude": cs["latitude"],
        "longitude": cs["longitude"],
        "departure_country": _str_array(cs["departure_country"]),
        "transit_countries": _coded(cs["transit"], transit_vocab),
        "destination_country": _str_array(cs["destination_country"]),
        "concealment_method": _coded(cs["concealment"], e["concealment_method"]),
        "conveyance_type": _coded(cs["conveyance"], e["conveyance_type"]),
        "conveyance_id": _str_array(cs["conveyance_id"]),
        "offence_type": _coded(cs["offence"], e["offence_type"]),
        "remarks": _str_array(remarks),
    }
    tables = {
        "cases": _frame("cases", cases),
        "items": _frame("items", items),
        "persons": _frame("persons", {k: _str_array(v) for k, v in persons.items() if k in _TEXT_PERSON}),
        "companies": _frame(
            "companies", {k: _str_array(v) for k, v in companies.items() if k in _TEXT_COMPANY}
        ),
    }
    truth.update(
        {
            "emerging_routes": [_route_truth(p, p["emerge"]) for p in PATTERNS if "emerge" in p],
            "fading_routes": [_route_truth(p, p["fade"]) for p in PATTERNS if "fade" in p],
            "slow_reporters": cs["slow_reporters"],
            "events": [
                {"name": "pandemic", "transport_mode": m, "factor_by_date": [list(x) for x in pts]}
                for m, pts in _EVENTS.items()
            ],
            "case_patterns": dict(
                zip(
                    [p["name"] for p in PATTERNS],
                    np.bincount(cs["pattern"], minlength=len(PATTERNS)).tolist(),
                    strict=True,
                )
            ),
            "seed": seed,
            "case_id_prefix": prefix,
            "n_cases": n_cases,
            "period": [start, end],
        }
    )
    return SampleDataset(tables, truth)


_TEXT_PERSON = frozenset(FORMAT.table("persons").column_names)
_TEXT_COMPANY = frozenset(FORMAT.table("companies").column_names)


def _frame(name: str, cols: dict[str, Any]) -> pd.DataFrame:
    """A table with exactly the format's columns, in format order."""
    return pd.DataFrame({c: cols[c] for c in FORMAT.table(name).column_names})


def _route_truth(p: dict[str, Any], start: str) -> dict[str, Any]:
    ref = _ref()
    cats = sorted(
        {FORMAT.enums["commodity_category"][ref["category"][ref["type_index"][t]]] for t in p["types"]}
    )
    transit: list[str] = []
    for opt in p["transit"]:
        transit += [t for t in opt.split(";") if t and t not in transit]
    return {
        "name": p["name"],
        "category": cats[0] if len(cats) == 1 else cats,
        "commodity_type": list(p["types"]),
        "departure": [k for k in p["departure"] if k],
        "transit": transit,
        "destination": [k for k in p["destination"] if k],
        "transport_mode": list(p["modes"]),
        "start": start,
    }


# ------------------------------------------------------------------------------------------ calendar
def _calendar(start: str, end: str) -> dict[str, Any]:
    d0, d1 = np.datetime64(start, "D"), np.datetime64(end, "D")
    n_days = int((d1 - d0).astype(int)) + 1
    if n_days < 60:
        raise ValueError(_("the period must span at least 60 days"))
    ext = d0 + np.arange(n_days + 800)  # entry dates may fall after the period
    return {
        "d0": d0,
        "n_days": n_days,
        "day_str": np.datetime_as_string(ext, unit="D").tolist(),
        "month": (ext.astype("datetime64[M]").astype(int) % 12)[:n_days],
        "year": ext.astype("datetime64[Y]").astype(int) + 1970,
        "epoch": ext.astype(int),  # days since 1970-01-01
    }


def _day_of(cal: dict[str, Any], date: str) -> int:
    return int((np.datetime64(date, "D") - cal["d0"]).astype(int))


def _pattern_density(p: dict[str, Any], cal: dict[str, Any]) -> np.ndarray:
    """Relative daily rate of a pattern: trend; zero before emergence then a ramp; decay after fading."""
    t = np.arange(cal["n_days"], dtype=float)
    dens: np.ndarray = np.exp(p.get("growth", 0.0) * t / 365.25)
    if "emerge" in p:
        s = t - _day_of(cal, p["emerge"])
        dens = np.where(s < 0, 0.0, np.minimum(1.0, (s + 30) / 150) * np.exp(p["growth"] * s / 365.25))
    if "fade" in p:
        s = np.maximum(t - _day_of(cal, p["fade"]), 0)
        dens = dens * np.maximum(np.exp(-s / 300.0), 0.03)
    return dens


def _mode_factor(mode: str, cal: dict[str, Any]) -> np.ndarray:
    """Seasonality of a mode by month, times the pandemic factor."""
    f: np.ndarray = np.asarray(_SEASON.get(mode, _SEASON[""]))[cal["month"]]
    if mode in _EVENTS:
        x = [int(np.datetime64(d, "D").astype(int)) for d, _ in _EVENTS[mode]]
        f = f * np.interp(cal["epoch"][: cal["n_days"]], x, [v for _, v in _EVENTS[mode]])
    return f


# ------------------------------------------------------------------------------------------ cases
def _draw_cases(n: int, cal: dict[str, Any], rng: np.random.Generator) -> tuple[dict[str, Any], list[str]]:
    """Route, mode, commodity and day of each case, drawn pattern by pattern; sorted by day."""
    transit_vocab: list[str] = [""]
    for p in PATTERNS:
        transit_vocab += [t for t in p["transit"] if t not in transit_vocab]
    t_index = {t: i for i, t in enumerate(transit_vocab)}
    dens = [_pattern_density(p, cal) for p in PATTERNS]
    shares = np.array([p["share"] * (d.sum() > 0) for p, d in zip(PATTERNS, dens, strict=True)])
    counts = rng.multinomial(n, shares / shares.sum())
    cols = ("pattern", "day", "dep", "tid", "dst", "mode", "ctype")
    parts: dict[str, list[np.ndarray]] = {k: [] for k in cols}
    mode_factor: dict[int, np.ndarray] = {}
    for pi, (p, k) in enumerate(zip(PATTERNS, counts, strict=True)):
        if k == 0:
            continue
        mode = _draw(rng, p["modes"], k, _enum("transport_mode"))
        tid = _draw(rng, p["transit"], k, t_index)
        tid[tid < 0] = 0
        dep, dst = _choice(rng, p["departure"], k), _choice(rng, p["destination"], k)
        if "domestic" in p:
            dep = dst = _choice(rng, p["domestic"], k)
        day = np.empty(k, dtype=np.int64)
        for m, idx in _groups(mode):
            if int(m) not in mode_factor:
                mode_factor[int(m)] = _mode_factor(_MODES[int(m)], cal)
            w = dens[pi] * mode_factor[int(m)]
            day[idx] = rng.choice(cal["n_days"], size=len(idx), p=w / w.sum())
        ctype = _draw(rng, p["types"], k, _ref()["type_index"])
        for key, val in zip(
            cols, (np.full(k, pi, dtype=np.int16), day, dep, tid, dst, mode, ctype), strict=True
        ):
            parts[key].append(val)
    cs: dict[str, Any] = {k: np.concatenate(v) for k, v in parts.items()}
    order = np.lexsort((rng.random(n), cs["day"]))
    cs = {k: v[order] for k, v in cs.items()}
    cs["transit_members"] = [[c for c in t.split(";") if c] for t in transit_vocab]
    return cs, transit_vocab


def _report(cs: dict[str, Any], rng: np.random.Generator) -> None:
    """Who reports (destination mostly, a transit country sometimes, the departure country rarely),
    the customs procedure that follows, the previous country on the route, and unknown fields."""
    n = len(cs["day"])
    opts = cs["transit_members"]
    dep, dst, tid = cs["dep"], cs["dst"], cs["tid"]
    n_transit = np.array([len(o) for o in opts])[tid]
    role = rng.choice(3, size=n, p=[0.72, 0.23, 0.05])  # 0 destination, 1 transit, 2 departure
    role[(role == 1) & (n_transit == 0)] = 0
    domestic = np.array(["domestic" in p for p in PATTERNS])[cs["pattern"]]
    role[domestic] = 0
    rc = np.where(role == 2, dep, dst)
    prev = np.where(role == 2, "", dep).astype("<U2")
    for t, idx in _groups(tid):
        members = np.array(opts[int(t)], dtype="<U2")
        if not len(members):
            continue
        prev[idx[role[idx] == 0]] = members[-1]
        tr = idx[role[idx] == 1]
        j = rng.integers(0, len(members), len(tr))
        rc[tr] = members[j]
        prev[tr] = np.where(j > 0, members[np.maximum(j - 1, 0)], dep[tr])
    prev[prev == rc] = ""
    # a sea shipment seized in a country without a seaport arrived there by road
    mode = cs["mode"]
    landlocked = ~_by_cc(rc, _ref()["seaport_countries"], False, bool)
    mode[np.isin(mode, _SEA) & landlocked] = _ROAD
    cp = _enum("customs_procedure")
    proc = np.where(role == 0, cp["import"], np.where(role == 2, cp["export"], cp["transit"])).astype(
        np.int16
    )
    proc[(role == 1) & np.isin(mode, _SEA)] = cp["transhipment"]
    proc[domestic] = cp["domestic"]
    r = rng.random(n)
    proc[r < 0.03] = -1
    proc[r < 0.015] = cp["unknown"]
    transit = tid.astype(np.int32)
    transit[(rng.random(n) < 0.04) & (role != 1)] = -1
    dst = np.where((role == 0) & (rng.random(n) < 0.08), "", dst)  # the route model infers it
    dep = np.where((role != 2) & (rng.random(n) < 0.02), "", dep)
    cs.update(
        {
            "reporting_country": rc,
            "rc_key": _cc(rc),
            "role": role,
            "prev": prev,
            "procedure": proc,
            "departure_country": dep,
            "transit": transit,
            "destination_country": dst,
        }
    )


def _methods(cs: dict[str, Any], rng: np.random.Generator) -> None:
    """Detection, concealment and conveyance type drawn per mode, so combinations stay consistent;
    offence type from the commodity and the mode."""
    n = len(cs["mode"])
    det = np.full(n, -1, dtype=np.int16)
    con = np.full(n, -1, dtype=np.int16)
    cvt = np.full(n, -1, dtype=np.int16)
    for m, idx in _groups(cs["mode"]):
        name = _MODES[int(m)]
        det[idx] = _draw(rng, _DETECTION[name], len(idx), _enum("detection_method"))
        con[idx] = _draw(rng, _CONCEALMENT[name], len(idx), _enum("concealment_method"))
        cvt[idx] = _draw(rng, _CONVEYANCE[name], len(idx), _enum("conveyance_type"))
    det[rng.random(n) < 0.02] = _enum("detection_method")["unknown"]
    cat = _ref()["category"][cs["ctype"]]
    ce, oe = _enum("commodity_category"), _enum("offence_type")
    duty = np.isin(cat, [ce["tobacco"], ce["alcohol"]])
    cargo = np.isin(cs["mode"], np.r_[_CARGO, _MAIL])
    off = _draw(rng, {"smuggling": 44, "false_declaration": 5, "other": 1}, n, oe)
    for sel, weights in (
        (cat == ce["ipr"], {"ipr_infringement": 12, "false_declaration": 1}),
        (duty & cargo, {"smuggling": 4, "false_declaration": 3, "undervaluation": 3}),
        (duty & ~cargo, {"smuggling": 6, "false_declaration": 1}),
        (cat == ce["currency"], {"smuggling": 7, "false_declaration": 3}),
    ):
        off[sel] = _draw(rng, weights, int(sel.sum()), oe)
    cs.update({"detection": det, "concealment": con, "conveyance": cvt, "category": cat, "offence": off})


def _place_of_seizure(cs: dict[str, Any], rng: np.random.Generator) -> dict[str, list[str]]:
    """Airport (IATA) for air, seaport (UN/LOCODE) for sea, mail centre for postal/express, border
    crossing or inland control for land; coordinates from the place (or the country centre) + jitter.
    Returns the vocabularies that ``place_code``/``place_name`` codes point into."""
    from workbench.format import reference

    ref = _ref()
    n = len(cs["mode"])
    mode, rc, prev = cs["mode"], cs["reporting_country"], cs["prev"]
    kind = _by_mode(
        {
            "air_passenger": 0,
            "air_cargo": 0,
            "sea_container": 1,
            "sea_other": 1,
            "postal": 2,
            "express_courier": 2,
            "road": 3,
            "rail": 3,
            "pedestrian": 3,
        },
        4,
    )[mode]
    inland = ((kind == 3) & ((prev == "") | (rng.random(n) < 0.15))) | (kind == 4)
    # a border crossing only from a country across a land border; goods that came further (by sea or
    # air before the last leg) are caught at an inland control
    land = np.flatnonzero(kind == 3)
    if len(land):
        pairs = rc[land].astype(str).astype(object) + ":" + prev[land].astype(str).astype(object)
        uniq, inv = np.unique(pairs, return_inverse=True)
        ok = np.array(
            [p.split(":")[1] in reference.land_neighbours(p.split(":")[0]) for p in uniq], dtype=bool
        )
        inland[land[~ok[inv]]] = True
    pe = _enum("place_type")
    ptype = np.array(
        [pe["airport"], pe["seaport"], pe["postal_centre"], pe["land_border"], pe["inland"]], dtype=np.int16
    )[kind]
    ptype[inland] = pe["inland"]
    vocab: dict[str, list[str]] = {"code": [], "name": []}
    code = np.full(n, -1, dtype=np.int32)
    name = np.full(n, -1, dtype=np.int32)
    lat = _by_cc(rc, ref["lat"], np.nan, float)
    lon = _by_cc(rc, ref["lon"], np.nan, float)
    jitter = np.full(n, 0.3)
    for key, idx in _groups(cs["rc_key"].astype(np.int64) * 8 + kind):
        country, kd = _cc_str(int(key) // 8), int(key) % 8
        if kd > 2:
            continue
        pl = _places(country, "seaport" if kd == 1 else "airport")
        if not len(pl["code"]):
            continue
        pick = rng.choice(len(pl["code"]), size=len(idx), p=pl["p"])
        lat[idx], lon[idx] = pl["lat"][pick], pl["lon"][pick]
        name[idx] = len(vocab["name"]) + pick
        if kd == 2:
            vocab["name"] += [f"International mail centre {c}" for c in pl["city"]]
            jitter[idx] = 0.05
        else:
            code[idx] = len(vocab["code"]) + pick
            vocab["code"] += pl["code"]
            vocab["name"] += pl["name"]
            jitter[idx] = 0.01
    border = np.flatnonzero(ptype == pe["land_border"])
    for k, idx in _groups(_cc(prev[border])):
        name[border[idx]] = len(vocab["name"])
        vocab["name"].append(f"Border crossing from {ref['name'].get(_cc_str(int(k)), _cc_str(int(k)))}")
    name[ptype == pe["inland"]] = len(vocab["name"])
    vocab["name"].append("Inland customs control")
    lat = np.clip(lat + rng.normal(0, 1, n) * jitter, -89.9, 89.9)
    lon = (lon + rng.normal(0, 1, n) * jitter + 180) % 360 - 180
    lost = rng.random(n) < 0.03
    lat[lost], lon[lost] = np.nan, np.nan
    cs.update(
        {
            "place_type": ptype,
            "place_code": code,
            "place_name": name,
            "latitude": np.round(lat, 4),
            "longitude": np.round(lon, 4),
        }
    )
    return vocab


def _conveyance_ids(cs: dict[str, Any], rng: np.random.Generator) -> None:
    """Flight numbers, IMO numbers, number plates and parcel tracking numbers in their real shapes."""
    voc = _vocab()
    ce = _enum("conveyance_type")
    n = len(cs["mode"])
    cvt, rc, prev, dep = cs["conveyance"], cs["reporting_country"], cs["prev"], cs["departure_country"]
    out = np.full(n, "", dtype="<U18")
    m = np.flatnonzero(cvt == ce["aircraft"])
    out[m] = _flight_numbers(rc[m], prev[m], rng)
    m = np.flatnonzero(cvt == ce["vessel"])
    out[m] = _cat("IMO9", _template(rng, "DDDDDD", len(m)))
    m = np.flatnonzero(np.isin(cvt, [ce["truck"], ce["car"], ce["bus"]]))
    reg = np.where((prev[m] != "") & (rng.random(len(m)) < 0.6), prev[m], rc[m])
    for k, idx in _groups(_cc(reg)):
        tmpl = voc["plates"].get(_cc_str(int(k)), voc["plates"]["default"])
        out[m[idx]] = _template(rng, tmpl, len(idx))
    m = np.flatnonzero(cvt == ce["train"])
    out[m] = _cat("TRN", _template(rng, "DDDDD", len(m)))
    m = np.flatnonzero(cs["mode"] == _POSTAL)
    origin = np.where(prev[m] != "", prev[m], np.where(dep[m] != "", dep[m], rc[m]))
    out[m] = _s10(rng, origin)
    m = np.flatnonzero(cs["mode"] == _EXPRESS)
    style = rng.integers(0, 3, len(m))
    for s, tmpl in enumerate(("1ZAAAAAADDDDDDDDDD", "DDDDDDDDDD", "DDDDDDDDDDDD")):  # UPS, DHL, FedEx shapes
        out[m[style == s]] = _template(rng, tmpl, int((style == s).sum()))
    out[rng.random(n) < 0.05] = ""
    cs["conveyance_id"] = out


def _flight_numbers(rc: np.ndarray, prev: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A carrier of the reporting or previous country (or a hub carrier) and a flight number."""
    air = _vocab()["airlines"]
    hubs = np.array(air["hubs"])
    n = len(rc)
    r = rng.random(n)
    country = np.where((r < 0.35) & (prev != ""), prev, rc)
    carrier = hubs[rng.integers(0, len(hubs), n)]
    for k, idx in _groups(_cc(country)):
        own = air.get(_cc_str(int(k)))
        if own:
            mine = np.array(own)[rng.integers(0, len(own), len(idx))]
            carrier[idx] = np.where(r[idx] < 0.8, mine, carrier[idx])
    return _cat(carrier, rng.integers(10, 2000, n).astype(str))


def _s10(rng: np.random.Generator, origin: np.ndarray) -> np.ndarray:
    """UPU S10 postal item identifiers (``RR123456785CN``) with their real check digit."""
    n = len(origin)
    d = rng.integers(0, 10, (n, 8))
    s = (d * np.array([8, 6, 4, 2, 3, 5, 9, 7])).sum(axis=1)
    check = 11 - s % 11
    check = np.where(check == 10, 0, np.where(check == 11, 5, check))
    num = (d * 10 ** np.arange(7, -1, -1)).sum(axis=1) * 10 + check
    prefix = np.array(["RR", "RB", "EE", "CP", "LX"])[rng.choice(5, size=n, p=[0.45, 0.1, 0.25, 0.15, 0.05])]
    return _cat(prefix, _fixed(num, 9), origin)


#: The data set is taken as extracted this many days after the last seizure day: no entry date after it.
EXTRACT_AFTER_DAYS = 120


def _entry_dates(cs: dict[str, Any], rng: np.random.Generator, n_days: int) -> None:
    """Entry lag: days for most administrations, weeks to months for a few slow ones; a few blanks."""
    countries, inv = np.unique(cs["rc_key"], return_inverse=True)
    speed = rng.choice(3, size=len(countries), p=[0.78, 0.12, 0.10])  # fast, medium, slow
    lag = np.floor(rng.exponential(np.array([3.0, 15.0, 60.0])[speed][inv])).astype(np.int64)
    entry = np.minimum(cs["day"] + np.minimum(lag, 790), n_days - 1 + EXTRACT_AFTER_DAYS)
    entry[rng.random(len(entry)) < 0.03] = -1
    cs["entry"] = entry
    cs["slow_reporters"] = [_cc_str(int(k)) for k in countries[speed == 2]]


def _case_ids(cs: dict[str, Any], cal: dict[str, Any], prefix: str = "") -> np.ndarray:
    """``[PREFIX-]CC-YYYY-NNNNNN``: unique per reporting country, numbered in date order within the year."""
    year = cal["year"][cs["day"]]
    g = cs["rc_key"].astype(np.int64) * 10_000 + year
    order = np.argsort(g, kind="stable")  # cases are in day order already
    gs = g[order]
    starts = np.r_[0, np.flatnonzero(gs[1:] != gs[:-1]) + 1]
    seq = np.empty(len(g), dtype=np.int64)
    seq[order] = np.arange(len(g)) - np.repeat(starts, np.diff(np.r_[starts, len(g)])) + 1
    ids = _cat(cs["reporting_country"], "-", _fixed(year, 4), "-", _fixed(seq, 6))
    return _cat(f"{prefix}-", ids) if prefix else ids


def _items(cs: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    """One item per case mostly, 2-4 sometimes (mixed loads); heavy-tailed quantities per commodity."""
    ref = _ref()
    n = len(cs["mode"])
    n_items = np.where(rng.random(n) < 0.12, rng.integers(2, 5, n), 1)
    case = np.repeat(np.arange(n), n_items)
    item_no = np.arange(len(case)) - np.repeat(np.cumsum(n_items) - n_items, n_items) + 1
    itype = cs["ctype"][case].astype(np.int16)
    extra = np.flatnonzero(item_no > 1)
    # extra items: another commodity of the same category
    for cat, idx in _groups(cs["category"][case[extra]]):
        pool = np.flatnonzero(ref["category"] == cat)
        itype[extra[idx]] = pool[rng.integers(0, len(pool), len(idx))]
    mode = cs["mode"][case]
    conceal = cs["concealment"][case]
    scale = _by_mode(_MODE_SCALE, 1.0).astype(float)[mode]
    bulk = np.isin(itype, [ref["type_index"][t] for t in _BULK_TYPES])
    scale = np.where(bulk, scale**0.3, scale)
    cs_scale = np.ones(len(FORMAT.enums["concealment_method"]) + 1)
    for k, v in _CONCEALMENT_SCALE.items():
        cs_scale[_enum("concealment_method")[k]] = v
    scale = scale * cs_scale[conceal]
    spread = _by_mode(_SPREAD, 0.8).astype(float)[mode]
    qty = ref["median"][itype] * scale * np.exp(ref["sigma"][itype] * spread * rng.standard_normal(len(case)))
    qty = np.minimum(qty, ref["max"][itype] * 0.5)
    unit = ref["unit"][itype]
    whole = np.isin(unit, _codes("unit", "pieces", "sticks", "items", "usd"))
    qty = np.where(whole, np.maximum(np.round(qty), 1.0), np.maximum(np.round(qty, 2), 0.01))
    value = np.round(qty * ref["price"][itype] * np.exp(rng.normal(0, 0.35, len(case))), -1)
    value = np.where(unit == _enum("unit")["usd"], qty, value)
    value[rng.random(len(case)) < 0.12] = np.nan
    hs = itype.astype(np.int32)
    hs[rng.random(len(case)) < 0.1] = -1
    return {
        "case_id": _str_array(cs["case_id"][case]),
        "reporting_country": _str_array(cs["reporting_country"][case]),
        "item_no": item_no.astype(np.int64),
        "commodity_category": _coded(ref["category"][itype], FORMAT.enums["commodity_category"]),
        "commodity_type": _coded(itype, ref["types"]),
        "hs_code": _coded(hs, ref["hs"]),
        "quantity": qty,
        "unit": _coded(unit, FORMAT.enums["unit"]),
        "estimated_value_usd": value,
    }


# ------------------------------------------------------------------------------------ person parts
def _naming_groups() -> tuple[list[str], dict[str, int]]:
    groups = list(_vocab()["groups"])
    of = {cc: groups.index(g) for g, ccs in _vocab()["nationality_groups"].items() for cc in ccs}
    return groups, of


def _phone_parts(country: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """A phone number as parts (calling code and a 3-3-4 national number), formatted later."""
    n = len(country)
    return {
        "cc": _by_cc(country, _vocab()["calling_codes"], "44", "<U4"),
        "a": _cat(rng.integers(6, 10, n).astype(str), _template(rng, "DD", n)),
        "b": _template(rng, "DDD", n),
        "c": _template(rng, "DDDD", n),
        "style": rng.choice(6, size=n, p=[0.35, 0.15, 0.15, 0.2, 0.1, 0.05]),
    }


def _phone_text(ph: dict[str, np.ndarray]) -> np.ndarray:
    """The formats people write: +234 803 123 4567, 00234803..., +234-803-..., national 0803 ..."""
    out = np.full(len(ph["cc"]), "", dtype=object)
    for s, idx in _groups(ph["style"]):
        cc, a, b, c = (ph[k][idx] for k in ("cc", "a", "b", "c"))
        if s == 0:
            t = _cat("+", cc, " ", a, " ", b, " ", c)
        elif s == 1:
            t = _cat("00", cc, a, b, c)
        elif s == 2:
            t = _cat("+", cc, "-", a, "-", b, "-", c)
        elif s == 3:
            t = _cat("+", cc, a, b, c)
        elif s == 4:
            t = _cat("00", cc, " ", a, " ", b, c)
        else:
            t = _cat("0", a, " ", b, " ", c)
        out[idx] = t.astype(object)
    return out


def _addresses(country: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """``12 Harbour Road, Lagos, Nigeria``: a street of the country's naming tradition and one of its cities."""
    voc = _vocab()
    groups, group_of = _naming_groups()
    out = np.empty(len(country), dtype=object)
    num = rng.integers(1, 300, len(country)).astype(str)
    for k, idx in _groups(_cc(country)):
        c = _cc_str(int(k))
        streets = np.array(voc["streets"].get(groups[group_of.get(c, 2)], voc["streets"]["default"]))
        cities = _cities(c)
        st = streets[rng.integers(0, len(streets), len(idx))]
        ci = cities[np.minimum(rng.geometric(0.45, len(idx)) - 1, len(cities) - 1)]
        out[idx] = _cat(num[idx], " ", st, ", ", ci, ", " + _ref()["name"].get(c, c)).astype(object)
    return out


def _person_attrs(nat: np.ndarray, ref_epoch: np.ndarray, rng: np.random.Generator) -> dict[str, Any]:
    """Names by naming tradition, gender, date of birth (age 18-75 at ``ref_epoch``), a passport in the
    nationality's format and a phone number (parts)."""
    voc = _vocab()
    m = len(nat)
    groups, group_of = _naming_groups()
    gender = np.where(rng.random(m) < 0.8, "m", "f").astype(object)
    first = np.empty(m, dtype=object)
    last = np.empty(m, dtype=object)
    for g, idx in _groups(_by_cc(nat, group_of, 2, np.int16)):  # unlisted countries: "european"
        names = voc["groups"][groups[int(g)]]
        lst = np.array(names["last"], dtype=object)
        last[idx] = lst[rng.integers(0, len(lst), len(idx))]
        for sx in ("m", "f"):
            sel = idx[gender[idx] == sx]
            fst = np.array(names[sx], dtype=object)
            first[sel] = fst[rng.integers(0, len(fst), len(sel))]
    age = np.minimum(18 + rng.gamma(2.2, 7.0, m), 75)
    dob = np.datetime_as_string((ref_epoch - (age * 365.25).astype(np.int64)).astype("datetime64[D]"))
    passport = np.empty(m, dtype=object)
    for k, idx in _groups(_cc(nat)):
        tmpl = voc["passport"].get(_cc_str(int(k)), voc["passport"]["default"])
        passport[idx] = _template(rng, tmpl, len(idx)).astype(object)
    return {
        "first_name": first,
        "last_name": last,
        "gender": gender,
        "date_of_birth": dob.astype(object),
        "passport_number": passport,
        "phone_parts": _phone_parts(nat, rng),
    }


def _people(
    cs: dict[str, Any], case: np.ndarray, rank: np.ndarray, rng: np.random.Generator
) -> dict[str, Any]:
    """Persons of the given cases (``rank`` = position within the case): role by mode, nationality from
    the route, attributes, and realistic blanks."""
    m = len(case)
    mode = cs["mode"][case]
    r = rng.random(m)
    role = np.where(r < 0.75, "consignee", "consignor").astype(object)
    walk = np.isin(mode, [_AIR_PASSENGER, _PEDESTRIAN])
    role[walk] = np.where((rank[walk] == 0) | (r[walk] < 0.6), "courier", "passenger")
    drive = np.isin(mode, _LAND) & ~walk
    role[drive] = np.where(rank[drive] == 0, "driver", "passenger")
    rc = cs["reporting_country"][case]
    r = rng.random(m)
    nat = np.where(
        r < 0.4,
        cs["departure_country"][case],
        np.where(r < 0.6, cs["prev"][case], np.where(r < 0.72, cs["destination_country"][case], rc)),
    )
    nat = np.where((role == "consignee") & (rng.random(m) < 0.8), rc, nat)
    nat = np.where(nat == "", rc, nat)
    a = _person_attrs(nat, cs["epoch"][case], rng)
    # residents: some live (and have a phone) in the reporting country
    resident = rng.random(m) < 0.2
    home = np.where(resident, rc, nat)
    a["phone_parts"]["cc"] = np.where(
        resident, _by_cc(rc, _vocab()["calling_codes"], "44", "<U4"), a["phone_parts"]["cc"]
    )
    gender = a["gender"]
    gender[rng.random(m) < 0.004] = "unknown"
    a["date_of_birth"][rng.random(m) < 0.05] = ""
    a["passport_number"][rng.random(m) < 0.15] = ""
    address = _addresses(home, rng)
    address[rng.random(m) < 0.3] = ""
    phone = _phone_text(a["phone_parts"])
    phone[rng.random(m) < 0.2] = ""
    nat = nat.astype(object)
    nat[rng.random(m) < 0.03] = ""
    return {
        "case": case,
        "role": role,
        "last_name": a["last_name"],
        "first_name": a["first_name"],
        "date_of_birth": a["date_of_birth"],
        "gender": gender,
        "nationality": nat,
        "passport_number": a["passport_number"],
        "address": address,
        "phone": phone,
        "phone_parts": a["phone_parts"],
    }


# ----------------------------------------------------------------------------------- company parts
def _company_attrs(
    country: np.ndarray, rng: np.random.Generator, second: np.ndarray | None = None
) -> dict[str, np.ndarray]:
    """Company name parts (``Golden Star Trading LLC``, ``Euro Fresh Imports BV``) with the country's legal
    forms, registration numbers in the country's shape, addresses and phones."""
    voc = _vocab()
    parts = voc["company"]
    m = len(country)
    first = np.array(parts["first"], dtype=object)[rng.integers(0, len(parts["first"]), m)]
    if second is None:
        second = np.array(parts["second"], dtype=object)[rng.integers(0, len(parts["second"]), m)]
    sectors = np.array(parts["sector"], dtype=object)
    sector = np.where(rng.random(m) < 0.5, sectors[rng.integers(0, len(sectors), m)], "").astype(object)
    form = np.empty(m, dtype=object)
    reg = np.empty(m, dtype=object)
    for k, idx in _groups(_cc(country)):
        c = _cc_str(int(k))
        forms = parts["legal_forms"].get(c, parts["legal_forms"]["default"])
        form[idx] = np.array(forms, dtype=object)[rng.integers(0, len(forms), len(idx))]
        tmpl = voc["registration"].get(c, voc["registration"]["default"])
        reg[idx] = _template(rng, tmpl, len(idx)).astype(object)
    return {
        "first": first,
        "second": np.asarray(second, dtype=object),
        "sector": sector,
        "form": form,
        "registration_number": reg,
        "address": _addresses(country, rng),
        "phone": _phone_text(_phone_parts(country, rng)),
    }


def _company_name(first: Any, second: Any, sector: Any, form: Any) -> Any:
    """Join name parts, skipping blanks (works on single strings and on object arrays)."""
    if isinstance(first, str):
        return " ".join(p for p in (first, second, sector, form) if p)
    mid = np.where(sector == "", second, second + " " + sector)
    return np.where(form == "", first + " " + mid, first + " " + mid + " " + form)


def _companies(cs: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    """Companies of cargo, postal and express cases: a consignee, sometimes a second party."""
    n = len(cs["mode"])
    cargo = np.isin(cs["mode"], _CARGO)
    mail = np.isin(cs["mode"], _MAIL)
    r = rng.random(n)
    n_c = np.where(cargo, 1 + (r < 0.45), np.where(mail & (r < 0.6), 1 + (r < 0.1), 0))
    case = np.repeat(np.arange(n), n_c)
    rank = np.arange(len(case)) - np.repeat(np.cumsum(n_c) - n_c, n_c)
    second = _choice(
        rng,
        {"consignor": 35, "freight_forwarder": 25, "exporter": 15, "importer": 15, "carrier": 10},
        len(case),
    )
    role = np.where(rank == 0, "consignee", second).astype(object)
    rc, dep, prev, dst = (
        cs[k][case] for k in ("reporting_country", "departure_country", "prev", "destination_country")
    )
    country = rc.copy()
    sel = np.isin(role, ["consignee", "importer"])
    country[sel] = np.where(dst[sel] != "", dst[sel], rc[sel])
    sel = np.isin(role, ["consignor", "exporter"])
    country[sel] = np.where(dep[sel] != "", dep[sel], prev[sel])
    sel = role == "freight_forwarder"
    country[sel] = np.where(prev[sel] != "", prev[sel], dep[sel])
    country = np.where(country == "", rc, country)
    a = _company_attrs(country, rng)
    a["name"] = _company_name(a["first"], a["second"], a["sector"], a["form"])
    a["registration_number"][rng.random(len(case)) < 0.25] = ""
    a["address"][rng.random(len(case)) < 0.12] = ""
    a["phone"][rng.random(len(case)) < 0.35] = ""
    return {"case": case, "role": role, "country": country.astype(object), **a}


# ------------------------------------------------------------------------------- networks, duplicates
_PERSONS = FORMAT.table("persons")
_PERSON_COLS = ("case", *(c.name for c in _PERSONS.attribute_columns))
_COMPANY_COLS = ("case", *(c.name for c in FORMAT.table("companies").attribute_columns))


class _Planter:
    """Plants networks: picks cases of one route pattern across countries, adds the linked persons and
    companies as rows (with their entity), and records what it did (rows are local indices)."""

    def __init__(
        self, cs: dict[str, np.ndarray], rng: np.random.Generator, n_person_ent: int, n_company_ent: int
    ) -> None:
        self.cs, self.rng = cs, rng
        self.used = np.zeros(len(cs["mode"]), dtype=bool)
        self.persons: list[dict[str, Any]] = []
        self.companies: list[dict[str, Any]] = []
        self.networks: list[dict[str, Any]] = []
        self.replaced_consignee: list[int] = []
        self.next_person_entity = n_person_ent
        self.next_company_entity = n_company_ent
        rc, pattern = cs["reporting_country"], cs["pattern"]
        domestic = {i for i, p in enumerate(PATTERNS) if "domestic" in p}
        self.pools: dict[str, dict[int, np.ndarray]] = {}
        self.n_countries: dict[str, dict[int, int]] = {}
        for kind, modes in (("courier", [_AIR_PASSENGER]), ("cargo", np.r_[_CARGO, _EXPRESS])):
            sel = np.flatnonzero(np.isin(cs["mode"], modes))
            pools = {int(p): sel[idx] for p, idx in _groups(pattern[sel]) if int(p) not in domestic}
            self.pools[kind] = pools
            self.n_countries[kind] = {p: len(np.unique(rc[idx])) for p, idx in pools.items()}

    def pick(self, kind: str, k: int, min_countries: int) -> np.ndarray | None:
        """``k`` unused cases of one pattern, reported by at least ``min_countries`` countries."""
        rng, rc = self.rng, self.cs["reporting_country"]
        elig = [
            idx
            for p, idx in self.pools[kind].items()
            if len(idx) >= 2 * k and self.n_countries[kind][p] >= min_countries
        ]
        if not elig:
            return None
        w = np.sqrt([len(idx) for idx in elig])
        idx = elig[rng.choice(len(elig), p=w / w.sum())]
        avail = idx[~self.used[idx]]
        rcs = rc[avail]
        countries = np.unique(rcs)
        if len(countries) < min_countries or len(avail) < k:
            return None
        chosen = rng.choice(countries, size=min_countries, replace=False)
        picks = [int(rng.choice(avail[rcs == c])) for c in chosen]
        rest = avail[~np.isin(avail, picks)]
        picks += rng.choice(rest, size=k - len(picks), replace=False).tolist()
        out = np.sort(np.array(picks, dtype=np.int64))
        self.used[out] = True
        return out

    def _record(
        self,
        label: str,
        kind: str,
        cases: np.ndarray,
        shared: dict[str, Any],
        text: str,
        person_rows: Sequence[int] = (),
        base_person_rows: Sequence[int] = (),
        company_rows: Sequence[int] = (),
    ) -> None:
        self.networks.append(
            {
                "name": label,
                "kind": kind,
                "description": text,
                "person_rows": list(person_rows),
                "base_person_rows": list(base_person_rows),
                "company_rows": list(company_rows),
                "case_idx": sorted({int(c) for c in cases}),
                "shared": shared,
            }
        )

    def _person(self, entity: int, **row: Any) -> int:
        self.persons.append(
            {c: str(row.get(c, "")) for c in _PERSON_COLS[1:]} | {"case": int(row["case"]), "entity": entity}
        )
        return len(self.persons) - 1

    def _company(self, entity: int, **row: Any) -> int:
        self.companies.append(
            {c: str(row.get(c, "")) for c in _COMPANY_COLS[1:]} | {"case": int(row["case"]), "entity": entity}
        )
        return len(self.companies) - 1

    def _people(self, nat: np.ndarray, cases: np.ndarray) -> dict[str, np.ndarray]:
        a = _person_attrs(nat, self.cs["epoch"][cases], self.rng)
        a["phone"] = _phone_text(a["phone_parts"])
        return a

    def _new_entity(self, table: str) -> int:
        attr = f"next_{table}_entity"
        setattr(self, attr, getattr(self, attr) + 1)
        return int(getattr(self, attr) - 1)

    def _where(self, cases: np.ndarray) -> str:
        return ", ".join(sorted(set(self.cs["reporting_country"][cases].tolist())))

    def _first(self, case: int, *keys: str) -> str:
        for k in keys:
            if self.cs[k][case]:
                return str(self.cs[k][case])
        return str(self.cs["reporting_country"][case])

    # -- the five kinds
    def shared_consignee(self, label: str) -> None:
        """One consignee company (same registration number) behind seizures in 3+ countries."""
        cases = self.pick("cargo", int(self.rng.integers(5, 9)), 3)
        if cases is None:
            return
        home = self._first(int(cases[0]), "destination_country")
        a = _company_attrs(np.array([home]), self.rng)
        name = _company_name(a["first"][0], a["second"][0], a["sector"][0], a["form"][0])
        reg = str(a["registration_number"][0])
        ent = self._new_entity("company")
        rows = []
        for i, c in enumerate(cases):
            # written slightly differently now and then; the registration number holds
            written = _company_variant(a, 0, self.rng)[0] if i >= 3 and self.rng.random() < 0.4 else name
            rows.append(
                self._company(
                    ent,
                    case=c,
                    role="consignee",
                    name=written,
                    country=home,
                    registration_number=reg,
                    address=a["address"][0],
                    phone=a["phone"][0],
                )
            )
        self.replaced_consignee += cases.tolist()
        self._record(
            label,
            "shared_consignee",
            cases,
            {"registration_number": reg, "name": name},
            f"Consignee {name} (registration {reg}) behind {len(cases)} seizures reported by "
            f"{self._where(cases)}",
            company_rows=rows,
        )

    def shared_phone(self, label: str) -> None:
        """Couriers (different people) in seizures in 3+ countries who all give one phone number."""
        cases = self.pick("courier", int(self.rng.integers(4, 7)), 3)
        if cases is None:
            return
        handler = self._first(int(cases[0]), "departure_country", "prev")
        ph = _phone_parts(np.array([handler]), self.rng)
        ph["style"][:] = 0
        phone = str(_phone_text(ph)[0])
        nat = _route_nationality(self.cs, cases, self.rng)
        a = self._people(nat, cases)
        rows = [
            self._person(
                self._new_entity("person"),
                case=c,
                role="courier",
                last_name=a["last_name"][i],
                first_name=a["first_name"][i],
                date_of_birth=a["date_of_birth"][i],
                gender=a["gender"][i],
                nationality=nat[i],
                passport_number=a["passport_number"][i],
                phone=phone,
            )
            for i, c in enumerate(cases)
        ]
        self._record(
            label,
            "shared_phone",
            cases,
            {"phone": phone},
            f"{len(cases)} couriers in seizures reported by {self._where(cases)} give the same phone "
            f"number {phone}",
            person_rows=rows,
        )

    def shared_address(self, label: str) -> None:
        """A freight forwarder at an address shared by the consignees it serves (shells)."""
        cases = self.pick("cargo", int(self.rng.integers(4, 7)), 3)
        if cases is None:
            return
        hub = self._first(int(cases[0]), "prev", "departure_country")
        kind = ["Freight Services", "Logistics", "Shipping", "Cargo"][int(self.rng.integers(0, 4))]
        f = _company_attrs(np.array([hub]), self.rng, second=np.array([kind]))
        fwd_name = _company_name(f["first"][0], f["second"][0], "", f["form"][0])
        addr = str(f["address"][0])
        fwd = self._new_entity("company")
        shells = _company_attrs(np.full(len(cases), hub), self.rng)
        rows = []
        for i, c in enumerate(cases):
            rows.append(
                self._company(
                    fwd,
                    case=c,
                    role="freight_forwarder",
                    name=fwd_name,
                    country=hub,
                    registration_number=f["registration_number"][0],
                    address=addr,
                    phone=f["phone"][0],
                )
            )
            shell = _company_name(
                shells["first"][i], shells["second"][i], shells["sector"][i], shells["form"][i]
            )
            rows.append(
                self._company(
                    self._new_entity("company"),
                    case=c,
                    role="consignee",
                    name=shell,
                    country=hub,
                    registration_number=shells["registration_number"][i],
                    address=addr,
                )
            )
        self.replaced_consignee += cases.tolist()
        self._record(
            label,
            "shared_address",
            cases,
            {"address": addr},
            f"Freight forwarder {fwd_name} and {len(cases)} consignees at one address ({addr}) in "
            f"seizures reported by {self._where(cases)}",
            company_rows=rows,
        )

    def travel_group(self, label: str) -> None:
        """3-5 people living at one address, seized on the same flight numbers in 2+ countries."""
        rng, cs = self.rng, self.cs
        cases = self.pick("courier", int(rng.integers(3, 6)), 2)
        if cases is None:
            return
        size = int(rng.integers(3, 6))
        nat0 = str(_route_nationality(cs, cases[:1], rng)[0])
        a = self._people(np.full(size, nat0), np.repeat(cases[:1], size))
        addr = str(_addresses(np.array([nat0]), rng)[0])
        ents = [self._new_entity("person") for _ in range(size)]
        flights: dict[str, str] = {}
        for c in cases:
            rcc = str(cs["reporting_country"][c])
            if rcc not in flights:
                flights[rcc] = str(_flight_numbers(np.array([rcc]), np.array([cs["prev"][c]]), rng)[0])
            cs["conveyance_id"][c] = flights[rcc]
        # every member travels at least once; one to three members per seizure
        members: list[set[int]] = [{i % size} for i in range(len(cases))]
        for i in range(len(cases), size):
            members[i % len(cases)].add(i)
        for ms in members:
            if rng.random() < 0.5:
                ms.add(int(rng.integers(0, size)))
        rows = [
            self._person(
                ents[i],
                case=c,
                role="courier",
                last_name=a["last_name"][i],
                first_name=a["first_name"][i],
                date_of_birth=a["date_of_birth"][i],
                gender=a["gender"][i],
                nationality=nat0,
                passport_number=a["passport_number"][i],
                address=addr,
                phone=a["phone"][i],
            )
            for c, ms in zip(cases, members, strict=True)
            for i in sorted(ms)
        ]
        fl = sorted(set(flights.values()))
        self._record(
            label,
            "travel_group",
            cases,
            {"address": addr, "conveyance_id": fl},
            f"{size} travellers sharing the address {addr} seized on flights {', '.join(fl)} "
            f"(reported by {self._where(cases)})",
            person_rows=rows,
        )

    def organiser(self, label: str, base_case: np.ndarray) -> None:
        """One organiser (same passport and phone) recorded with the couriers of several seizures."""
        rng = self.rng
        cases = self.pick("courier", int(rng.integers(3, 6)), 2)
        if cases is None:
            return
        nat0 = self._first(int(cases[0]), "departure_country", "prev")
        a = self._people(np.array([nat0]), cases[:1])
        ent = self._new_entity("person")
        pp, phone = str(a["passport_number"][0]), str(a["phone"][0])
        rows = [
            self._person(
                ent,
                case=c,
                role="organiser",
                last_name=a["last_name"][0],
                first_name=a["first_name"][0],
                date_of_birth=a["date_of_birth"][0],
                gender=a["gender"][0],
                nationality=nat0,
                passport_number=pp,
                phone=phone,
            )
            for c in cases
        ]
        lo = np.searchsorted(base_case, cases)
        hi = np.searchsorted(base_case, cases, side="right")
        couriers = [r for a_, b_ in zip(lo, hi, strict=True) for r in range(int(a_), int(b_))]
        who = f"{a['first_name'][0]} {a['last_name'][0]}"
        self._record(
            label,
            "organiser",
            cases,
            {"passport_number": pp, "phone": phone},
            f"Organiser {who} (passport {pp}) recorded with the couriers of {len(cases)} seizures "
            f"reported by {self._where(cases)}",
            person_rows=rows,
            base_person_rows=couriers,
        )


def _route_nationality(cs: dict[str, np.ndarray], cases: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Nationals of the departure or the previous country on the route mostly, else of the reporting one."""
    r = rng.random(len(cases))
    nat = np.where(r < 0.55, cs["departure_country"][cases], np.where(r < 0.85, cs["prev"][cases], ""))
    return np.where(nat == "", cs["reporting_country"][cases], nat)


# ------------------------------------------------------------------------------------------ variants
@lru_cache(maxsize=1)
def _translit() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for names in _vocab()["transliterations"]:
        for nm in names:
            out[nm] = [x for x in names if x != nm]
    return out


def _typo(s: str, j: int) -> str:
    """One slip of the keyboard: a letter dropped, doubled, swapped with its neighbour, or a vowel changed."""
    if len(s) < 4:
        return s + s[-1]
    i = 1 + j % (len(s) - 2)
    op = (j // 7) % 4
    if op == 0:
        return s[:i] + s[i + 1 :]
    if op == 1:
        return s[:i] + s[i] + s[i:]
    if op == 2:
        return s[:i] + s[i + 1] + s[i] + s[i + 2 :]
    vowels = "aeiou"
    k = next((p for p in range(i, len(s)) if s[p] in vowels), None)
    if k is None:
        return s[:i] + s[i + 1 :]
    return s[:k] + vowels[(vowels.index(s[k]) + 1 + j % 4) % 5] + s[k + 1 :]


def _dob_variant(d: str, swap: bool, j: int) -> tuple[str, str]:
    """Day and month swapped (when the swap is a valid date), or one digit off."""
    y, m, day = (int(x) for x in d.split("-"))
    if swap and day <= 12 and day != m:
        return f"{y:04d}-{day:02d}-{m:02d}", "dob_day_month_swapped"
    which = j % 3
    if which == 0:
        y += 1 if j % 2 else -1
    elif which == 1:
        day = day + 1 if day < 28 else day - 1
    else:
        m = m + 1 if m < 12 else m - 1
    if m == 2 or which == 2:
        day = min(day, 28)  # stay a valid date
    return f"{y:04d}-{m:02d}-{day:02d}", "dob_digit_off"


def _company_variant(parts: dict[str, np.ndarray], i: int, rng: np.random.Generator) -> tuple[str, list[str]]:
    """Another way to write company ``i``: legal-form variant, abbreviation, dropped form, upper case, typo."""
    voc = _vocab()["company"]
    lf, ab = voc["legal_form_variants"], voc["abbreviations"]
    first, second, sector, form = (str(parts[k][i]) for k in ("first", "second", "sector", "form"))
    r = rng.random(6)
    j = int(rng.integers(0, 1 << 30))
    done = []
    if form in lf and r[0] < 0.55:
        form = lf[form][j % len(lf[form])]
        done.append("legal_form")
    if sector in ab and r[1] < 0.5:
        sector = ab[sector][j % len(ab[sector])]
        done.append("abbreviation")
    elif second in ab and r[1] < 0.5:
        second = ab[second][j % len(ab[second])]
        done.append("abbreviation")
    if form and r[2] < 0.1 and "legal_form" not in done:
        form = ""
        done.append("legal_form_dropped")
    name = _company_name(first, second, sector, form)
    if r[3] < 0.25:
        name = name.upper()
        done.append("upper_case")
    if not done or r[4] < 0.1:
        words = name.split(" ")
        k = max(range(len(words)), key=lambda w: len(words[w]))
        words[k] = _typo(words[k], j)
        name = " ".join(words)
        done.append("typo")
    return name, done


def _targets(cs: dict[str, Any], src_case: np.ndarray, modes: Any, rng: np.random.Generator) -> np.ndarray:
    """For each source case, another case of the same pattern with one of ``modes`` (else any such case)."""
    pool = np.flatnonzero(np.isin(cs["mode"], modes))
    if not len(pool):
        return np.full(len(src_case), -1)
    pat = cs["pattern"]
    order = pool[np.argsort(pat[pool], kind="stable")]
    counts = np.bincount(pat[pool], minlength=len(PATTERNS))
    offs = np.r_[0, np.cumsum(counts)[:-1]]
    sp = pat[src_case]
    u = rng.random(len(src_case))
    tgt = np.where(
        counts[sp] > 0,
        order[np.minimum(offs[sp] + (u * counts[sp]).astype(np.int64), len(order) - 1)],
        pool[(u * len(pool)).astype(np.int64)],
    )
    same = tgt == src_case
    tgt[same] = pool[rng.integers(0, len(pool), int(same.sum()))]
    return tgt


def _person_duplicates(
    cs: dict[str, np.ndarray], base: dict[str, Any], rng: np.random.Generator
) -> dict[str, Any]:
    """About 3% of persons turn up again (1-3 times) in another case of their route, written differently."""
    b = len(base["case"])
    k = int(round(0.03 * b))
    empty = {c: np.array([], dtype=object) for c in _PERSON_COLS} | {
        "entity": np.array([], dtype=np.int64),
        "variants": [],
    }
    if k < 1:
        return empty
    src = np.sort(rng.choice(b, size=k, replace=False))
    src = np.repeat(src, rng.choice([1, 2, 3], size=k, p=[0.7, 0.2, 0.1]))
    case = _targets(cs, base["case"][src], [_AIR_PASSENGER, _PEDESTRIAN, _ROAD], rng)
    keep = case >= 0
    src, case = src[keep], case[keep]
    m = len(src)
    if not m:
        return empty
    tl = _translit()
    r = rng.random((m, 7))
    j = rng.integers(0, 1 << 30, (m, 3))
    first, last, dob = (
        base[_PERSONS.column_of_kind(k).name][src].astype(str)
        for k in ("given_name", "family_name", "birth_date")
    )
    out_f, out_l, out_d, variants = [], [], [], []
    for i in range(m):  # duplicates only (a few % of persons): string surgery row by row
        f, ln, d, v = str(first[i]), str(last[i]), str(dob[i]), []
        if r[i, 0] < 0.45 and (f in tl or ln in tl):
            f = tl[f][j[i, 0] % len(tl[f])] if f in tl else f
            ln = tl[ln][j[i, 1] % len(tl[ln])] if ln in tl else ln
            v.append("transliteration")
        if r[i, 1] < 0.18 and len(ln) > 3:
            ln = _typo(ln, int(j[i, 2]))
            v.append("typo")
        if r[i, 2] < 0.2:
            ln = ln.upper()
            v.append("upper_case")
        if r[i, 3] < 0.22:
            f, ln = ln, f
            v.append("swapped_order")
        if not v and r[i, 4] < 0.85:
            f = _typo(f, int(j[i, 2])) if len(f) > 3 else f.upper()
            v.append("typo" if len(first[i]) > 3 else "upper_case")
        if d and r[i, 5] < 0.3:
            d, what = _dob_variant(d, r[i, 5] < 0.15, int(j[i, 0]))
            v.append(what)
        elif d and r[i, 5] < 0.38:
            d = ""
            v.append("dob_blank")
        out_f.append(f)
        out_l.append(ln)
        out_d.append(d)
        variants.append(v)
    rr = rng.random((m, 4))
    passport = np.where(rr[:, 0] < 0.45, base["passport_number"][src], "").astype(object)
    renewed = rr[:, 0] > 0.92
    nat = base["nationality"][src]
    if renewed.any():
        passport[renewed] = _template(rng, _vocab()["passport"]["default"], int(renewed.sum())).astype(object)
    ph = {k: v[src] for k, v in base["phone_parts"].items()}
    ph["style"] = (ph["style"] + 1 + rng.integers(0, 4, m)) % 6
    phone = np.where(rr[:, 1] < 0.35, base["phone"][src], np.where(rr[:, 1] < 0.6, _phone_text(ph), ""))
    for i in np.flatnonzero((rr[:, 1] >= 0.35) & (rr[:, 1] < 0.6)).tolist():
        variants[i].append("phone_reformatted")
    mode = cs["mode"][case]
    return {
        "case": case,
        "role": np.where(mode == _ROAD, "driver", "courier").astype(object),
        "last_name": np.array(out_l, dtype=object),
        "first_name": np.array(out_f, dtype=object),
        "date_of_birth": np.array(out_d, dtype=object),
        "gender": base["gender"][src],
        "nationality": np.where(rr[:, 2] < 0.95, nat, "").astype(object),
        "passport_number": passport,
        "address": np.where(rr[:, 3] < 0.4, base["address"][src], "").astype(object),
        "phone": phone.astype(object),
        "entity": src.astype(np.int64),
        "variants": variants,
    }


def _company_duplicates(
    cs: dict[str, np.ndarray], base: dict[str, Any], keep: np.ndarray, rng: np.random.Generator
) -> dict[str, Any]:
    """About 2% of companies turn up again in another cargo/postal case of their route, written differently."""
    kept = np.flatnonzero(keep)
    k = int(round(0.02 * len(kept)))
    empty = {c: np.array([], dtype=object) for c in _COMPANY_COLS} | {
        "entity": np.array([], dtype=np.int64),
        "variants": [],
    }
    if k < 1:
        return empty
    src = np.sort(rng.choice(kept, size=k, replace=False))
    src = np.repeat(src, rng.choice([1, 2], size=k, p=[0.75, 0.25]))
    case = _targets(cs, base["case"][src], np.r_[_CARGO, _MAIL], rng)
    src, case = src[case >= 0], case[case >= 0]
    m = len(src)
    names, variants = [], []
    for i in src:  # duplicates only (2% of companies)
        nm, v = _company_variant(base, int(i), rng)
        names.append(nm)
        variants.append(v)
    rr = rng.random((m, 3))
    return {
        "case": case,
        "role": base["role"][src],
        "name": np.array(names, dtype=object),
        "country": base["country"][src],
        "registration_number": np.where(rr[:, 0] < 0.6, base["registration_number"][src], "").astype(object),
        "address": np.where(rr[:, 1] < 0.5, base["address"][src], "").astype(object),
        "phone": np.where(rr[:, 2] < 0.4, base["phone"][src], "").astype(object),
        "entity": src.astype(np.int64),
        "variants": variants,
    }


# ------------------------------------------------------------------------------------------ parties
def _parties(
    cs: dict[str, np.ndarray], rng: np.random.Generator
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], dict[str, Any]]:
    """Persons and companies of all cases, with planted networks and duplicates; ids and the truth."""
    n = len(cs["mode"])
    mode = cs["mode"]
    r = rng.random(n)
    n_p = np.select(
        [np.isin(mode, [_AIR_PASSENGER, _PEDESTRIAN]), np.isin(mode, _LAND), np.isin(mode, _MAIL)],
        [
            np.where(r < 0.7, 1, np.where(r < 0.95, 2, 3)),
            np.where(r < 0.1, 0, np.where(r < 0.65, 1, 2)),
            (r < 0.5).astype(int),
        ],
        (r < 0.3).astype(int),
    )
    p_case = np.repeat(np.arange(n), n_p)
    base_p = _people(cs, p_case, np.arange(len(p_case)) - np.repeat(np.cumsum(n_p) - n_p, n_p), rng)
    base_c = _companies(cs, rng)

    planter = _Planter(cs, rng, len(p_case), len(base_c["case"]))
    n_net = max(len(NETWORK_KINDS), round(n / CASES_PER_NETWORK))
    for j in range(n_net):
        kind = NETWORK_KINDS[j % len(NETWORK_KINDS)]
        label = f"{kind.replace('_', '-')}-{j // len(NETWORK_KINDS) + 1}"
        if kind == "organiser":
            planter.organiser(label, p_case)
        else:
            getattr(planter, kind)(label)
    keep_c = ~(np.isin(base_c["case"], planter.replaced_consignee) & (base_c["role"] == "consignee"))

    dup_p = _person_duplicates(cs, base_p, rng)
    dup_c = _company_duplicates(cs, base_c, keep_c, rng)

    persons, pid_of_row, p_truth = _assemble(
        "P", _PERSON_COLS, [base_p, None, dup_p], planter.persons, None, cs, "person"
    )
    companies, cid_of_row, c_truth = _assemble(
        "C", _COMPANY_COLS, [base_c, None, dup_c], planter.companies, keep_c, cs, "company"
    )
    nb_p, nb_c = len(p_case), int(keep_c.sum())
    rc, case_id = cs["reporting_country"], cs["case_id"]
    networks = []
    for net in planter.networks:
        networks.append(
            {
                "name": net["name"],
                "kind": net["kind"],
                "description": net["description"],
                "person_ids": [str(pid_of_row[nb_p + r]) for r in net["person_rows"]]
                + [str(pid_of_row[r]) for r in net["base_person_rows"]],
                "company_ids": [str(cid_of_row[nb_c + r]) for r in net["company_rows"]],
                "case_keys": [[str(rc[c]), str(case_id[c])] for c in net["case_idx"]],
                "shared": net["shared"],
            }
        )
    truth = {"networks": networks, **p_truth, **c_truth}
    return persons, companies, truth


def _assemble(
    prefix: str,
    cols: tuple[str, ...],
    parts: list[dict[str, Any] | None],
    planted: list[dict[str, Any]],
    keep: np.ndarray | None,
    cs: dict[str, np.ndarray],
    what: str,
) -> tuple[dict[str, np.ndarray], np.ndarray, dict[str, Any]]:
    """Stack base rows (filtered by ``keep``), planted rows and duplicates; sort by case; give ids."""
    base, _, dup = parts
    assert base is not None and dup is not None
    keep = np.ones(len(base["case"]), dtype=bool) if keep is None else keep
    nb = int(keep.sum())
    pl = {c: np.array([row[c] for row in planted], dtype=np.int64 if c == "case" else object) for c in cols}
    pl["entity"] = np.array([row["entity"] for row in planted], dtype=np.int64)
    base_entity = np.arange(len(keep), dtype=np.int64)
    stacked = {}
    for c in (*cols, "entity"):
        b = base_entity[keep] if c == "entity" else np.asarray(base[c])[keep]
        parts_c = [b, pl[c], np.asarray(dup[c])]
        stacked[c] = np.concatenate(
            [x.astype(np.int64) if c in ("case", "entity") else x.astype(object) for x in parts_c]
        )
    order = np.argsort(stacked["case"], kind="stable")
    ids = _cat(prefix, _fixed(np.arange(1, len(order) + 1), 7)).astype(object)
    id_of_row = np.empty(len(order), dtype=object)
    id_of_row[order] = ids
    out = {c: v[order] for c, v in stacked.items()}
    out[f"{what}_id"] = ids
    out["case_id"] = cs["case_id"][out["case"]]
    out["reporting_country"] = cs["reporting_country"][out["case"]]
    # entity ids in order of first appearance, so they read naturally
    _, first_pos, inv = np.unique(out["entity"], return_index=True, return_inverse=True)
    rank = np.empty(len(first_pos), dtype=np.int64)
    rank[np.argsort(first_pos, kind="stable")] = np.arange(len(first_pos))
    ent = _cat(prefix + "E", _fixed(rank[inv] + 1, 7))
    dup_rows = id_of_row[nb + len(planted) :]
    truth = {
        f"{what}_entities": dict(zip(ids.tolist(), ent.tolist(), strict=True)),
        f"{what}_variants": {str(i): v for i, v in zip(dup_rows.tolist(), dup["variants"], strict=True)},
    }
    return out, id_of_row, truth


# ------------------------------------------------------------------------------------------ remarks
def _remarks(
    cs: dict[str, np.ndarray], persons: dict[str, np.ndarray], rng: np.random.Generator
) -> tuple[np.ndarray, list[list[str]]]:
    """Short free text for a third of the cases; a few name a person or a phone, as real remarks do."""
    n = len(cs["mode"])
    mode = cs["mode"]
    kinds = ("air", "sea", "land", "mail", "any")
    group = np.select(
        [np.isin(mode, _AIR), np.isin(mode, _SEA), np.isin(mode, _LAND), np.isin(mode, _MAIL)],
        [0, 1, 2, 3],
        4,
    )
    group[rng.random(n) < 0.25] = 4
    has = np.flatnonzero(rng.random(n) < 0.33)
    out = np.full(n, "", dtype=object)
    for g, idx in _groups(group[has]):
        t = np.array(_REMARKS[kinds[int(g)]], dtype=object)
        out[has[idx]] = t[rng.integers(0, len(t), len(idx))]
    first_case, first_row = np.unique(persons["case"], return_index=True)
    with_person = np.zeros(n, dtype=bool)
    with_person[first_case] = True
    row_of = np.zeros(n, dtype=np.int64)
    row_of[first_case] = first_row
    named = np.flatnonzero((out != "") & with_person & (rng.random(n) < 0.06))
    style = rng.integers(0, 3, len(named))
    keys = []
    for i, s in zip(named, style, strict=True):  # a few % of cases
        r = row_of[i]
        first, last, phone = (
            str(persons[_PERSONS.column_of_kind(k).name][r] or "")
            for k in ("given_name", "family_name", "phone")
        )
        if not (first or last):
            continue
        if s == 0 and phone:
            extra = f" Courier {first} {last.upper()} (tel. {phone}) says he was recruited online."
        elif s == 1:
            extra = f" {first} {last} refused to give the name of the contact in the destination country."
        else:
            extra = f" Phone of {first} {last} seized; contact number {phone or 'not readable'}."
        out[i] = out[i] + extra
        keys.append([str(cs["reporting_country"][i]), str(cs["case_id"][i])])
    return out, keys
