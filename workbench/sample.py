"""A realistic, deterministic sample generator in the exchange format, with planted structure.

:func:`generate` draws cases from **route patterns** that follow known trafficking routes (cocaine
from South America direct and via West Africa or the Caribbean; heroin along the Balkan route;
methamphetamine from Myanmar into South-East Asia and Oceania; cigarettes and counterfeits from East
Asia via Gulf hubs; ivory and pangolin scales from Africa to Asia; cash couriers; and background
seizures). Each pattern has its own transport modes, concealment and detection methods consistent
with them, heavy-tailed quantities per commodity, seasonality and a multi-year trend; a few routes
**emerge** or **fade**. Persons and companies carry names, nationalities, passports, phones and
addresses; a handful of **networks** (shared phones, addresses, consignees, organisers) and
**duplicate** persons and companies (swapped name order, transliterations, typos, day/month swaps)
are planted and recorded in ``truth`` for tests, trainers and benchmarks.

Everything is vectorised with numpy; 1,000,000 cases take well under two minutes here (see
``benchmarks``). The same seed gives the same data.

Examples
--------
>>> ds = generate(300, seed=1)
>>> sorted(ds.tables)
['cases', 'companies', 'items', 'persons']
>>> len(ds.tables["cases"]), ds.tables["cases"]["case_id"].is_unique
(300, True)
>>> generate(300, seed=1).tables["items"].equals(ds.tables["items"])
True
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from workbench.schema import FORMAT

__all__ = ["SampleDataset", "PATTERNS", "generate", "build_default_sample", "default_sample_path"]

DEFAULT_CASES = 20_000
DEFAULT_SEED = 42


@dataclass
class SampleDataset:
    """Generated tables (exchange-format columns, in order) and the planted structure (``truth``)."""

    tables: dict[str, pd.DataFrame]
    truth: dict[str, Any] = field(default_factory=dict)


def default_sample_path() -> Path:
    """Where the shipped default sample lives: ``sample_data/default`` (a CSV folder)."""
    return Path(__file__).resolve().parents[1] / "sample_data" / "default"


def build_default_sample() -> SampleDataset:
    """The default sample: about 20,000 cases, seed 42."""
    return generate(DEFAULT_CASES, seed=DEFAULT_SEED)


# ------------------------------------------------------------------------------------------ patterns
# Each pattern: share of all cases, commodity types (weights), departure, transit options (';' lists,
# weights), destinations, transport modes, trend (growth per year), and emergence/fading.
PATTERNS: list[dict[str, Any]] = [
    {
        "name": "cocaine_direct_europe",
        "share": 0.10,
        "types": {"cocaine": 1.0},
        "departure": {"CO": 4, "EC": 3, "PE": 2, "BR": 2, "BO": 1},
        "transit": {"": 6, "PA": 1, "DO": 1},
        "destination": {"ES": 3, "NL": 3, "BE": 3, "PT": 1, "FR": 1, "IT": 1, "DE": 1, "GB": 1},
        "modes": {"sea_container": 5, "air_passenger": 3, "air_cargo": 1, "express_courier": 1},
        "growth": 0.10,
    },
    {
        "name": "cocaine_west_africa",
        "share": 0.07,
        "types": {"cocaine": 1.0},
        "departure": {"BR": 3, "CO": 2, "VE": 1, "BO": 1},
        "transit": {"GH": 2, "NG": 2, "SN": 2, "TG": 1, "GW": 1, "CV": 1, "SN;ML": 1},
        "destination": {"ES": 2, "FR": 2, "PT": 2, "NL": 1, "BE": 1, "IT": 1, "GB": 1},
        "modes": {"air_passenger": 6, "sea_container": 2, "express_courier": 1},
        "growth": 0.05,
    },
    {
        # emerging: cocaine via West Africa by express courier into Western Europe
        "name": "cocaine_west_africa_express",
        "share": 0.02,
        "types": {"cocaine": 1.0},
        "departure": {"BR": 2, "CO": 1},
        "transit": {"NG": 2, "GH": 2, "TG": 1},
        "destination": {"FR": 1, "BE": 1, "NL": 1, "DE": 1},
        "modes": {"express_courier": 8, "postal": 2},
        "growth": 0.0,
        "emerge": "2024-07-01",
    },
    {
        "name": "cocaine_caribbean",
        "share": 0.05,
        "types": {"cocaine": 1.0},
        "departure": {"CO": 3, "VE": 2, "PE": 1},
        "transit": {"DO": 2, "JM": 2, "TT": 1, "PA": 1, "BS": 1},
        "destination": {"US": 4, "CA": 1, "ES": 1, "NL": 1, "GB": 1, "FR": 1},
        "modes": {"sea_other": 2, "air_passenger": 3, "sea_container": 2, "air_cargo": 1},
        "growth": 0.0,
    },
    {
        "name": "cocaine_north_america",
        "share": 0.04,
        "types": {"cocaine": 1.0},
        "departure": {"CO": 3, "PE": 1, "EC": 1},
        "transit": {"MX": 3, "GT": 1, "HN": 1, "": 2},
        "destination": {"US": 5, "CA": 1},
        "modes": {"road": 4, "sea_other": 1, "air_cargo": 1, "air_passenger": 1},
        "growth": 0.02,
    },
    {
        "name": "heroin_balkan",
        "share": 0.06,
        "types": {"heroin": 0.85, "opium": 0.15},
        "departure": {"AF": 1},
        "transit": {"IR;TR;BG": 3, "IR;TR;GR;MK;RS": 2, "PK;IR;TR;BG;RO": 1, "IR;TR;BG;RS;HR": 1},
        "destination": {"DE": 2, "NL": 2, "BE": 1, "GB": 1, "IT": 1, "AT": 1, "FR": 1},
        "modes": {"road": 7, "sea_container": 1, "air_passenger": 1},
        "growth": 0.0,
    },
    {
        # fading: the heroin branch through Iran and Türkiye into Greece and the western Balkans
        "name": "heroin_balkan_southern",
        "share": 0.025,
        "types": {"heroin": 1.0},
        "departure": {"AF": 1},
        "transit": {"IR;TR;GR;AL": 2, "IR;TR;GR;MK": 1},
        "destination": {"IT": 2, "GR": 1, "AT": 1},
        "modes": {"road": 4, "sea_other": 1},
        "growth": 0.0,
        "fade": "2022-01-01",
    },
    {
        "name": "heroin_south_asia",
        "share": 0.025,
        "types": {"heroin": 1.0},
        "departure": {"AF": 2, "PK": 1},
        "transit": {"PK": 2, "AE": 1, "": 1, "IN": 1},
        "destination": {"IN": 2, "LK": 1, "KE": 1, "TZ": 1, "GB": 1},
        "modes": {"sea_other": 2, "air_passenger": 2, "sea_container": 1},
        "growth": 0.0,
    },
    {
        "name": "meth_sea",
        "share": 0.06,
        "types": {"methamphetamine": 0.8, "ketamine": 0.2},
        "departure": {"MM": 1},
        "transit": {"TH": 3, "LA": 2, "TH;MY": 2, "LA;VN": 1, "": 1},
        "destination": {"MY": 2, "TH": 2, "ID": 1, "PH": 1, "JP": 1, "KR": 1, "SG": 1},
        "modes": {"road": 4, "air_passenger": 2, "sea_other": 1, "express_courier": 1},
        "growth": 0.08,
    },
    {
        # emerging: methamphetamine to Australia and New Zealand by sea container
        "name": "meth_oceania_container",
        "share": 0.02,
        "types": {"methamphetamine": 1.0},
        "departure": {"MM": 2, "TH": 1},
        "transit": {"MY": 2, "SG": 1, "": 1},
        "destination": {"AU": 3, "NZ": 2},
        "modes": {"sea_container": 1},
        "growth": 0.9,
        "emerge": "2023-06-01",
    },
    {
        "name": "cigarettes_gulf",
        "share": 0.09,
        "types": {"cigarettes": 0.8, "water_pipe_tobacco": 0.2},
        "departure": {"CN": 3, "VN": 1, "AE": 1},
        "transit": {"AE": 4, "OM": 1, "AE;TR": 1, "": 1},
        "destination": {"GB": 2, "DE": 1, "NL": 1, "BE": 1, "FR": 1, "IT": 1, "PL": 1, "NG": 1, "LY": 1},
        "modes": {"sea_container": 5, "road": 2, "air_passenger": 2},
        "growth": -0.02,
    },
    {
        "name": "counterfeits_east_asia",
        "share": 0.10,
        "types": {
            "counterfeit_apparel": 3,
            "counterfeit_footwear": 2,
            "counterfeit_watches": 1,
            "counterfeit_electronics": 2,
            "counterfeit_cosmetics": 1,
            "counterfeit_toys": 1,
            "counterfeit_auto_parts": 1,
        },
        "departure": {"CN": 5, "HK": 1, "TR": 1, "VN": 1},
        "transit": {"AE": 2, "": 4, "HK": 1, "SG": 1},
        "destination": {
            "DE": 2,
            "FR": 2,
            "IT": 2,
            "ES": 1,
            "NL": 1,
            "BE": 1,
            "US": 2,
            "NG": 1,
            "KE": 1,
            "SA": 1,
        },
        "modes": {"sea_container": 4, "postal": 3, "express_courier": 3, "air_cargo": 1},
        "growth": 0.06,
    },
    {
        "name": "ivory_pangolin_asia",
        "share": 0.04,
        "types": {"ivory": 0.45, "pangolin_scales": 0.4, "rhino_horn": 0.15},
        "departure": {"NG": 3, "CM": 2, "CD": 2, "MZ": 2, "TZ": 1, "KE": 1, "UG": 1},
        "transit": {"ET": 2, "KE": 1, "AE": 1, "": 2, "MY": 1},
        "destination": {"VN": 3, "CN": 3, "MY": 1, "TH": 1, "HK": 1},
        "modes": {"sea_container": 3, "air_cargo": 2, "air_passenger": 2},
        "growth": -0.03,
    },
    {
        # emerging: pangolin scales via Ethiopia to Viet Nam by air
        "name": "pangolin_ethiopia",
        "share": 0.012,
        "types": {"pangolin_scales": 1.0},
        "departure": {"NG": 2, "CM": 1, "CD": 1},
        "transit": {"ET": 1},
        "destination": {"VN": 1},
        "modes": {"air_cargo": 3, "air_passenger": 1},
        "growth": 0.3,
        "emerge": "2023-01-01",
    },
    {
        "name": "cash_couriers",
        "share": 0.05,
        "types": {"cash": 0.9, "gold": 0.1},
        "departure": {"ES": 1, "NL": 1, "BE": 1, "FR": 1, "GB": 1, "DE": 1, "IT": 1},
        "transit": {"": 5, "TR": 1, "MA": 1},
        "destination": {"AE": 3, "LB": 1, "NG": 2, "CO": 1, "MA": 1, "TR": 1, "SN": 1},
        "modes": {"air_passenger": 8, "road": 2},
        "growth": 0.03,
    },
    {
        "name": "cannabis_morocco",
        "share": 0.06,
        "types": {"cannabis_resin": 0.8, "cannabis_herb": 0.2},
        "departure": {"MA": 1},
        "transit": {"": 4, "ES": 1},
        "destination": {"ES": 3, "FR": 2, "IT": 1, "NL": 1, "BE": 1},
        "modes": {"road": 4, "sea_other": 3, "pedestrian": 1},
        "growth": -0.01,
    },
    {
        "name": "precursors_mexico",
        "share": 0.02,
        "types": {"pmk": 0.3, "bmk": 0.2, "ephedrine": 0.2, "pseudoephedrine": 0.1, "acetic_anhydride": 0.2},
        "departure": {"CN": 3, "IN": 2},
        "transit": {"": 3, "NL": 1, "PA": 1},
        "destination": {"MX": 4, "GT": 1, "NL": 1, "AF": 1},
        "modes": {"sea_container": 4, "air_cargo": 1},
        "growth": 0.04,
    },
    {
        "name": "captagon_middle_east",
        "share": 0.03,
        "types": {"captagon": 1.0},
        "departure": {"SY": 3, "LB": 1},
        "transit": {"JO": 2, "": 2, "IQ": 1},
        "destination": {"SA": 4, "AE": 1, "KW": 1, "JO": 1},
        "modes": {"road": 4, "sea_container": 2},
        "growth": 0.03,
    },
    {
        "name": "medicines_africa",
        "share": 0.04,
        "types": {"tramadol": 0.5, "counterfeit_medicines": 0.4, "falsified_vaccines": 0.1},
        "departure": {"IN": 3, "CN": 2},
        "transit": {"": 2, "AE": 1, "MA": 1},
        "destination": {"NG": 2, "GH": 1, "BJ": 1, "CM": 1, "EG": 1, "LY": 1, "SN": 1, "KE": 1},
        "modes": {"sea_container": 3, "air_cargo": 1, "postal": 1, "express_courier": 1},
        "growth": 0.02,
    },
    {
        "name": "khat_east_africa",
        "share": 0.015,
        "types": {"khat": 1.0},
        "departure": {"KE": 2, "ET": 2},
        "transit": {"": 3, "BE": 1},
        "destination": {"GB": 1, "NL": 1, "DE": 1, "SE": 1, "US": 1},
        "modes": {"air_cargo": 2, "postal": 1, "air_passenger": 1},
        "growth": -0.02,
    },
    {
        "name": "weapons_balkans",
        "share": 0.015,
        "types": {"handgun": 0.4, "rifle": 0.2, "ammunition": 0.3, "weapon_parts": 0.1},
        "departure": {"RS": 1, "BA": 1, "AL": 1, "UA": 1, "US": 1},
        "transit": {"": 3, "HR": 1, "SI": 1},
        "destination": {"DE": 1, "NL": 1, "SE": 1, "FR": 1, "MX": 1},
        "modes": {"road": 4, "postal": 1, "air_passenger": 1},
        "growth": 0.0,
    },
    {
        "name": "wildlife_other",
        "share": 0.02,
        "types": {"live_reptiles": 1, "live_birds": 1, "shark_fins": 1, "rosewood": 1, "totoaba_maw": 1},
        "departure": {"MX": 1, "MG": 1, "BR": 1, "ID": 1, "AU": 1, "EC": 1},
        "transit": {"": 3, "HK": 1, "AE": 1},
        "destination": {"CN": 3, "HK": 2, "US": 1, "DE": 1, "JP": 1},
        "modes": {"air_passenger": 2, "air_cargo": 2, "sea_container": 1, "postal": 1},
        "growth": 0.0,
    },
    {
        "name": "alcohol_tobacco_regional",
        "share": 0.04,
        "types": {"spirits": 0.4, "beer": 0.1, "wine": 0.1, "cigarettes": 0.3, "raw_tobacco": 0.1},
        "departure": {"BY": 2, "UA": 1, "RU": 1, "MD": 1, "TR": 1},
        "transit": {"": 4, "PL": 1, "LT": 1},
        "destination": {"PL": 2, "LT": 1, "LV": 1, "DE": 1, "FI": 1, "RO": 1},
        "modes": {"road": 6, "rail": 2, "pedestrian": 1},
        "growth": 0.0,
    },
    {
        "name": "hazardous_waste",
        "share": 0.012,
        "types": {"e_waste": 0.5, "ods_refrigerants": 0.3, "chemical_waste": 0.2},
        "departure": {"GB": 1, "DE": 1, "NL": 1, "US": 1, "CN": 1},
        "transit": {"": 4, "BE": 1},
        "destination": {"GH": 1, "NG": 1, "MY": 1, "ID": 1, "VN": 1, "PK": 1},
        "modes": {"sea_container": 1},
        "growth": 0.03,
    },
    {
        "name": "cultural_heritage",
        "share": 0.01,
        "types": {"antiquities": 0.6, "artworks": 0.2, "manuscripts": 0.2},
        "departure": {"SY": 1, "IQ": 1, "EG": 1, "LY": 1, "PE": 1, "ML": 1},
        "transit": {"": 2, "TR": 1, "LB": 1, "AE": 1},
        "destination": {"DE": 1, "GB": 1, "US": 1, "FR": 1, "CH": 1, "BE": 1},
        "modes": {"postal": 2, "air_passenger": 1, "express_courier": 2, "road": 1},
        "growth": 0.0,
    },
    {
        "name": "explosives_pyrotechnics",
        "share": 0.008,
        "types": {"pyrotechnics": 0.7, "detonators": 0.2, "explosive_material": 0.1},
        "departure": {"CN": 2, "PL": 1, "CZ": 1},
        "transit": {"": 3, "DE": 1},
        "destination": {"NL": 2, "BE": 1, "FR": 1, "IT": 1},
        "modes": {"road": 3, "sea_container": 1},
        "growth": 0.0,
    },
    {
        "name": "domestic_cannabis",
        "share": 0.031,
        "types": {"cannabis_herb": 0.7, "fuel": 0.1, "other_goods": 0.2},
        "departure": {"": 1},
        "transit": {"": 1},
        "destination": {"": 1},
        "modes": {"road": 3, "postal": 1},
        "growth": 0.0,
        "domestic": {
            "US": 1,
            "GB": 1,
            "FR": 1,
            "ES": 1,
            "ZA": 1,
            "NG": 1,
            "KE": 1,
            "AU": 1,
            "IN": 1,
            "MX": 1,
        },
    },
]

_PLACE_KIND = {
    "air_passenger": "airport",
    "air_cargo": "airport",
    "postal": "postal_centre",
    "express_courier": "postal_centre",
    "sea_container": "seaport",
    "sea_other": "seaport",
    "road": "land_border",
    "rail": "land_border",
    "pedestrian": "land_border",
    "other": "inland",
    "unknown": "other",
}
_CONVEYANCE = {
    "air_passenger": {"aircraft": 1},
    "air_cargo": {"aircraft": 1},
    "postal": {"parcel": 1},
    "express_courier": {"parcel": 1},
    "sea_container": {"vessel": 1},
    "sea_other": {"vessel": 1},
    "road": {"truck": 5, "car": 4, "bus": 1},
    "rail": {"train": 1},
    "pedestrian": {"other": 1},
}
_CONCEALMENT = {
    "air_passenger": {"baggage": 5, "body_carry": 2, "internal_body": 2, "other": 1},
    "air_cargo": {"cargo": 6, "false_compartment": 2, "other": 1},
    "postal": {"mail_item": 9, "other": 1},
    "express_courier": {"mail_item": 9, "false_compartment": 1},
    "sea_container": {"cargo": 6, "natural_void": 2, "false_compartment": 2},
    "sea_other": {"natural_void": 3, "false_compartment": 2, "cargo": 2, "other": 1},
    "road": {"vehicle": 5, "false_compartment": 3, "cargo": 2, "body_carry": 1},
    "rail": {"cargo": 3, "natural_void": 2, "false_compartment": 1},
    "pedestrian": {"body_carry": 6, "baggage": 3, "internal_body": 1},
}
_DETECTION = {
    "air_passenger": {
        "risk_profiling": 4,
        "routine_control": 3,
        "sniffer_dog": 2,
        "scanner": 2,
        "intelligence": 1,
        "tip_off": 1,
    },
    "air_cargo": {"risk_profiling": 4, "scanner": 3, "sniffer_dog": 1, "intelligence": 1, "random_check": 1},
    "postal": {"scanner": 5, "sniffer_dog": 2, "risk_profiling": 2, "random_check": 1},
    "express_courier": {"scanner": 4, "risk_profiling": 3, "sniffer_dog": 2, "random_check": 1},
    "sea_container": {"risk_profiling": 4, "scanner": 3, "intelligence": 3, "tip_off": 1, "random_check": 1},
    "sea_other": {"intelligence": 4, "tip_off": 2, "routine_control": 2, "other": 1},
    "road": {"routine_control": 4, "scanner": 2, "sniffer_dog": 2, "random_check": 2, "intelligence": 1},
    "rail": {"routine_control": 3, "scanner": 3, "sniffer_dog": 2},
    "pedestrian": {"routine_control": 5, "random_check": 2, "sniffer_dog": 1},
}
_AIRLINES = [
    "AF",
    "KL",
    "IB",
    "TP",
    "LH",
    "BA",
    "TK",
    "EK",
    "QR",
    "ET",
    "KQ",
    "AT",
    "AV",
    "LA",
    "CM",
    "DL",
    "AA",
    "UA",
    "AC",
    "SQ",
    "MH",
    "TG",
    "VN",
    "CX",
    "CA",
    "MU",
    "QF",
    "NZ",
    "MS",
    "RJ",
    "SV",
    "WB",
    "HF",
    "SN",
]
_MONTH_SEASON = np.array([0.9, 0.85, 0.95, 1.0, 1.0, 1.05, 1.2, 1.2, 1.0, 1.0, 0.95, 1.15])


@lru_cache(maxsize=1)
def _vocab() -> dict[str, Any]:
    import yaml

    return yaml.safe_load(
        resources.files("workbench").joinpath("data/names.yaml").read_text(encoding="utf-8")
    )


def _choice(rng: np.random.Generator, weights: dict[str, float], n: int) -> np.ndarray:
    keys = np.array(list(weights), dtype=object)
    p = np.array(list(weights.values()), dtype=float)
    return keys[rng.choice(len(keys), size=n, p=p / p.sum())]


def _digits(rng: np.random.Generator, n: int, k: int) -> np.ndarray:
    """n strings of k random digits."""
    if n == 0:
        return np.array([], dtype=object)
    return np.char.zfill(rng.integers(0, 10**k, size=n).astype(str), k).astype(object)


def _day_density(pattern: dict[str, Any], days: pd.DatetimeIndex) -> np.ndarray:
    years = (days - days[0]).days.to_numpy() / 365.25
    dens = _MONTH_SEASON[days.month.to_numpy() - 1] * np.exp(pattern.get("growth", 0.0) * years)
    if "emerge" in pattern:
        start = pd.Timestamp(pattern["emerge"])
        ramp = np.clip(((days - start).days.to_numpy() / 120.0), 0, 1)
        dens = (
            dens
            * np.where(days >= start, 0.35 + 0.65 * ramp, 0.0)
            * (1 + 1.5 * np.clip((days - start).days.to_numpy() / 365.0, 0, 2))
        )
        dens[days < start] = 0.0
    if "fade" in pattern:
        start = pd.Timestamp(pattern["fade"])
        decay = np.exp(-np.clip((days - start).days.to_numpy(), 0, None) / 300.0)
        dens = dens * np.maximum(decay, 0.02)
    return dens


def generate(
    n_cases: int, seed: int = 0, start: str = "2019-01-01", end: str = "2025-12-31"
) -> SampleDataset:
    """Generate ``n_cases`` cases with their items, persons and companies; see the module docstring."""
    from workbench import reference

    if n_cases < 1:
        raise ValueError("n_cases must be at least 1")
    rng = np.random.default_rng(seed)
    days = pd.date_range(start, end, freq="D")
    if len(days) < 60:
        raise ValueError("the period must span at least 60 days")
    total_days = len(days)

    # --- how many cases per pattern, and when; a pattern's share is its share over the whole period
    shares = np.array([p["share"] for p in PATTERNS], dtype=float)
    counts = rng.multinomial(n_cases, shares / shares.sum())
    parts = []
    for pat, k in zip(PATTERNS, counts, strict=True):
        if k == 0:
            continue
        dens = _day_density(pat, days)
        if dens.sum() == 0:
            dens = np.ones(total_days)
        day_idx = rng.choice(total_days, size=k, p=dens / dens.sum())
        dep = _choice(rng, pat["departure"], k)
        tra = _choice(rng, pat["transit"], k)
        dst = _choice(rng, pat["destination"], k)
        if "domestic" in pat:
            dom = _choice(rng, pat["domestic"], k)
            dep, tra, dst = dom.copy(), np.full(k, "", dtype=object), dom.copy()
        parts.append(
            pd.DataFrame(
                {
                    "pattern": pat["name"],
                    "day": day_idx,
                    "departure_country": dep,
                    "transit_countries": tra,
                    "destination_country": dst,
                    "transport_mode": _choice(rng, pat["modes"], k),
                    "commodity_type": _choice(rng, pat["types"], k),
                    "domestic": "domestic" in pat,
                }
            )
        )
    c = pd.concat(parts, ignore_index=True)
    c = c.iloc[rng.permutation(len(c))].reset_index(drop=True)
    n = len(c)

    # --- who reports: destination mostly, a transit country sometimes, the departure country rarely
    first_transit = c["transit_countries"].str.split(";").str[0].fillna("")
    role = rng.choice(3, size=n, p=[0.72, 0.23, 0.05])
    role = np.where((role == 1) & (first_transit == ""), 0, role)
    rep = np.where(
        role == 0, c["destination_country"], np.where(role == 1, first_transit, c["departure_country"])
    )
    c["reporting_country"] = rep
    mode = c["transport_mode"].to_numpy()
    proc = np.where(
        role == 0,
        "import",
        np.where(
            role == 1,
            np.where(np.isin(mode, ["sea_container", "sea_other"]), "transhipment", "transit"),
            "export",
        ),
    )
    proc = np.where(c["domestic"], "domestic", proc)
    c["customs_procedure"] = proc
    # some imports leave the destination blank (the route model infers it)
    blank_dest = (proc == "import") & (rng.random(n) < 0.08)
    c.loc[blank_dest, "destination_country"] = ""
    c.loc[rng.random(n) < 0.02, "departure_country"] = ""

    seizure = days[c["day"].to_numpy()]
    c["seizure_date"] = seizure.strftime("%Y-%m-%d")
    # timeliness: most countries enter within days, a few are slow; some never give the entry date
    countries_present = np.unique(rep)
    slow = {cc: (60.0 if rng.random() < 0.12 else 6.0) for cc in countries_present}
    scale = pd.Series(rep).map(slow).to_numpy()
    lag = np.floor(rng.exponential(scale)).astype(int)
    entry = seizure + pd.to_timedelta(lag, unit="D")
    entry_s = pd.Series(entry.strftime("%Y-%m-%d"), dtype=object)
    entry_s[rng.random(n) < 0.03] = ""
    c["entry_date"] = entry_s.to_numpy()

    # --- methods consistent with the mode
    c["detection_method"] = ""
    c["concealment_method"] = ""
    c["conveyance_type"] = ""
    for m in np.unique(mode):
        idx = np.nonzero(mode == m)[0]
        c.loc[idx, "detection_method"] = _choice(rng, _DETECTION.get(m, {"other": 1}), len(idx))
        c.loc[idx, "concealment_method"] = _choice(rng, _CONCEALMENT.get(m, {"other": 1}), len(idx))
        c.loc[idx, "conveyance_type"] = _choice(rng, _CONVEYANCE.get(m, {"other": 1}), len(idx))
    c["place_type"] = pd.Series(mode).map(_PLACE_KIND).to_numpy()

    # --- place of seizure: an airport or seaport of the reporting country, else a point near its centre
    cref = reference.countries().set_index("iso2")
    c["place_code"] = ""
    c["place_name"] = ""
    lat = cref["lat"].reindex(rep).to_numpy(dtype=float).copy()
    lon = cref["lon"].reindex(rep).to_numpy(dtype=float).copy()
    kind_for_lookup = np.where(
        np.isin(mode, ["sea_container", "sea_other"]),
        "seaport",
        np.where(np.isin(mode, ["air_passenger", "air_cargo", "postal", "express_courier"]), "airport", ""),
    )
    groups = pd.DataFrame({"rc": rep, "kind": kind_for_lookup}).groupby(["rc", "kind"]).indices
    place_code = c["place_code"].to_numpy(dtype=object).copy()
    place_name = c["place_name"].to_numpy(dtype=object).copy()
    for (rc, kind), idx in groups.items():
        if kind:
            places = reference.places_of(rc, kind)
            if len(places) == 0 and kind == "seaport":
                places = reference.places_of(rc, "airport")
            if len(places):
                pick = rng.integers(0, len(places), size=len(idx))
                place_code[idx] = places["code"].to_numpy()[pick]
                names = places["name"].to_numpy()[pick]
                place_name[idx] = names
                lat[idx] = places["lat"].to_numpy()[pick] + rng.normal(0, 0.01, len(idx))
                lon[idx] = places["lon"].to_numpy()[pick] + rng.normal(0, 0.01, len(idx))
                continue
        place_name[idx] = np.where(
            np.isin(mode[idx], ["road", "rail", "pedestrian"]), "border crossing", "inland control"
        )
        lat[idx] = lat[idx] + rng.normal(0, 0.25, len(idx))
        lon[idx] = lon[idx] + rng.normal(0, 0.25, len(idx))
    postal = np.isin(mode, ["postal", "express_courier"])
    place_name[postal] = np.char.add("Mail centre near ", place_name[postal].astype(str)).astype(object)
    place_code[postal] = ""
    c["place_code"], c["place_name"] = place_code, place_name
    c["latitude"] = np.round(lat, 4)
    c["longitude"] = np.round(lon, 4)
    c.loc[rng.random(n) < 0.03, ["latitude", "longitude"]] = np.nan

    # --- conveyance ids in the shapes the field uses
    ctype = c["conveyance_type"].to_numpy()
    conv = np.full(n, "", dtype=object)
    m = ctype == "aircraft"
    conv[m] = np.char.add(
        np.array(_AIRLINES, dtype=object)[rng.integers(0, len(_AIRLINES), m.sum())].astype(str),
        rng.integers(10, 9999, m.sum()).astype(str),
    ).astype(object)
    m = ctype == "vessel"
    conv[m] = np.char.add("IMO9", _digits(rng, int(m.sum()), 6).astype(str)).astype(object)
    m = np.isin(ctype, ["truck", "car", "bus"])
    letters = np.array(list("ABCDEFGHJKLMNPRSTVWXYZ"))
    plates = (
        letters[rng.integers(0, 22, (m.sum(), 2))].astype(object).sum(axis=1)
        + "-"
        + _digits(rng, int(m.sum()), 4)
        + "-"
        + letters[rng.integers(0, 22, m.sum())].astype(object)
    )
    conv[m] = plates
    m = ctype == "parcel"
    conv[m] = (
        np.where(rng.random(m.sum()) < 0.5, "RR", "EE").astype(object)
        + _digits(rng, int(m.sum()), 9)
        + c["departure_country"].to_numpy()[m].astype(object)
    )
    m = ctype == "train"
    conv[m] = "TRN" + _digits(rng, int(m.sum()), 5)
    conv[rng.random(n) < 0.05] = ""
    c["conveyance_id"] = conv

    # --- items: one per case mostly, sometimes mixed loads
    com = reference.commodities().set_index("type")
    cat_of = com["category"]
    c["commodity_category"] = c["commodity_type"].map(cat_of).to_numpy()
    offence = np.where(
        c["commodity_category"] == "ipr",
        "ipr_infringement",
        np.where(
            np.isin(c["commodity_category"], ["tobacco", "alcohol"]),
            _choice(rng, {"smuggling": 5, "false_declaration": 3, "undervaluation": 2}, n),
            _choice(rng, {"smuggling": 9, "false_declaration": 1}, n),
        ),
    )
    c["offence_type"] = offence
    n_items = np.where(rng.random(n) < 0.12, rng.integers(2, 5, n), 1)
    item_case = np.repeat(np.arange(n), n_items)
    item_no = (
        np.concatenate([np.arange(1, k + 1) for k in n_items])
        if n < 50_000
        else (np.arange(len(item_case)) - np.repeat(np.cumsum(n_items) - n_items, n_items) + 1)
    )
    itype = c["commodity_type"].to_numpy()[item_case].astype(object)
    extra = item_no > 1
    same_cat_types = com.groupby("category").apply(lambda g: g.index.tolist(), include_groups=False).to_dict()
    if extra.any():
        cats = cat_of.reindex(itype[extra]).to_numpy()
        pick = rng.random(extra.sum())
        itype[extra] = [
            (lambda ts: ts[int(p * len(ts))])(same_cat_types[ct]) for ct, p in zip(cats, pick, strict=True)
        ]
    i_mode = mode[item_case]
    mode_scale = (
        pd.Series(i_mode)
        .map(
            {
                "sea_container": 25.0,
                "air_cargo": 4.0,
                "sea_other": 12.0,
                "road": 3.0,
                "rail": 5.0,
                "air_passenger": 0.7,
                "pedestrian": 0.3,
                "postal": 0.15,
                "express_courier": 0.25,
            }
        )
        .fillna(1.0)
        .to_numpy()
    )
    med = com["qty_median"].reindex(itype).to_numpy()
    sig = com["qty_sigma"].reindex(itype).to_numpy()
    qty = np.exp(np.log(med * mode_scale) + sig * rng.standard_normal(len(itype)) * 0.8)
    unit = com["default_unit"].reindex(itype).to_numpy()
    maxq = com["max_plausible"].reindex(itype).to_numpy()
    qty = np.minimum(qty, maxq * 0.5)
    qty = np.where(
        np.isin(unit, ["pieces", "sticks", "items", "usd"]),
        np.maximum(np.round(qty), 1),
        np.maximum(np.round(qty, 2), 0.01),
    )
    value = qty * com["unit_price_usd"].reindex(itype).to_numpy() * np.exp(rng.normal(0, 0.3, len(itype)))
    value = np.round(value, -1)
    value[rng.random(len(value)) < 0.1] = np.nan
    hs = com["hs_code"].reindex(itype).astype(object).to_numpy().copy()
    hs[rng.random(len(hs)) < 0.1] = None
    case_ids = _case_ids(c, days)
    items = pd.DataFrame(
        {
            "case_id": case_ids[item_case],
            "reporting_country": rep[item_case],
            "item_no": item_no,
            "commodity_category": cat_of.reindex(itype).to_numpy(),
            "commodity_type": itype,
            "hs_code": hs,
            "quantity": qty,
            "unit": unit,
            "estimated_value_usd": value,
        }
    )
    c["case_id"] = case_ids

    persons, companies, truth = _parties(c, rng)
    c["remarks"] = _remarks(c, persons, rng)

    cases = c[FORMAT.table("cases").column_names].replace({"": None})
    tables = {
        "cases": cases.reset_index(drop=True),
        "items": items[FORMAT.table("items").column_names].replace({"": None}).reset_index(drop=True),
        "persons": persons[FORMAT.table("persons").column_names].replace({"": None}).reset_index(drop=True),
        "companies": companies[FORMAT.table("companies").column_names]
        .replace({"": None})
        .reset_index(drop=True),
    }
    truth["emerging_routes"] = [
        {
            k: p[k]
            for k in ("name", "types", "departure", "transit", "destination", "modes", "emerge")
            if k in p
        }
        | {"start": p["emerge"]}
        for p in PATTERNS
        if "emerge" in p
    ]
    truth["fading_routes"] = [
        {k: p[k] for k in ("name", "types", "departure", "transit", "destination", "modes", "fade") if k in p}
        | {"start": p["fade"]}
        for p in PATTERNS
        if "fade" in p
    ]
    truth["case_patterns"] = {"counts": c["pattern"].value_counts().to_dict()}
    truth["seed"] = seed
    truth["n_cases"] = n_cases
    return SampleDataset(tables, truth)


def _case_ids(c: pd.DataFrame, days: pd.DatetimeIndex) -> np.ndarray:
    """``CC-YYYY-NNNNNN``: unique per reporting country, numbered in date order within the year."""
    year = days[c["day"].to_numpy()].year.astype(str)
    key = pd.DataFrame({"rc": c["reporting_country"].to_numpy(), "y": year, "d": c["day"].to_numpy()})
    order = key.sort_values(["rc", "y", "d"], kind="stable")
    seq = order.groupby(["rc", "y"]).cumcount().to_numpy() + 1
    num = np.empty(len(c), dtype=np.int64)
    num[order.index.to_numpy()] = seq
    return (key["rc"].astype(str) + "-" + key["y"] + "-" + pd.Series(num).astype(str).str.zfill(6)).to_numpy(
        dtype=object
    )


# ------------------------------------------------------------------------------------------ parties
def _nationality_for(c: dict[str, np.ndarray], rng: np.random.Generator, idx: np.ndarray) -> np.ndarray:
    """Mostly the departure or a transit country's nationals, sometimes the reporting country's.

    ``c`` holds the cases' columns as arrays (see ``_parties``)."""
    dep = c["departure_country"][idx]
    tr = c["last_transit"][idx]
    rc = c["reporting_country"][idx]
    r = rng.random(len(idx))
    nat = np.where(r < 0.45, dep, np.where(r < 0.7, tr, rc))
    nat = np.where(nat == "", rc, nat)
    return nat.astype(object)


def _names(nat: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    voc = _vocab()
    group_of = {cc: g for g, ccs in voc["nationality_groups"].items() for cc in ccs}
    groups = pd.Series(nat).map(group_of).fillna("european").to_numpy()
    gender = np.where(rng.random(len(nat)) < 0.78, "m", "f").astype(object)
    first = np.empty(len(nat), dtype=object)
    last = np.empty(len(nat), dtype=object)
    for g in np.unique(groups):
        gi = groups == g
        lst = np.array(voc["groups"][g]["last"], dtype=object)
        last[gi] = lst[rng.integers(0, len(lst), gi.sum())]
        for sx in ("m", "f"):
            sel = gi & (gender == sx)
            fst = np.array(voc["groups"][g][sx], dtype=object)
            first[sel] = fst[rng.integers(0, len(fst), sel.sum())]
    return first, last, gender


def _phones(country: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    codes = _vocab()["calling_codes"]
    cc = pd.Series(country).map(codes).fillna("44").to_numpy().astype(object)
    a, b, d = _digits(rng, len(cc), 3), _digits(rng, len(cc), 3), _digits(rng, len(cc), 4)
    style = rng.integers(0, 4, len(cc))
    out = np.where(
        style == 0,
        "+" + cc + " " + a + " " + b + " " + d,
        np.where(
            style == 1,
            "00" + cc + a + b + d,
            np.where(style == 2, "+" + cc + "-" + a + "-" + b + "-" + d, "+" + cc + a + b + d),
        ),
    )
    return out.astype(object)


@lru_cache(maxsize=512)
def _cities(country: str) -> list[str]:
    """City names for addresses: the cities of the country's major airports."""
    from workbench import reference

    ap = reference.places_of(country, "airport")
    full = reference._airports_by_iata()
    names = [str(full[code]["city"]) for code in ap["code"] if code in full]
    return names or [reference.country_name(country)]


def _addresses(country: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    from workbench import reference

    voc = _vocab()
    streets = np.array(voc["streets"], dtype=object)
    cities = {cc: _cities(cc) for cc in np.unique(country)}
    num = rng.integers(1, 400, len(country)).astype(str).astype(object)
    st = streets[rng.integers(0, len(streets), len(country))]
    city = np.array(
        [
            cities[cc][i % len(cities[cc])]
            for cc, i in zip(country, rng.integers(0, 9, len(country)), strict=True)
        ],
        dtype=object,
    )
    names = {cc: reference.country_name(cc) for cc in cities}
    cname = pd.Series(country).map(names).to_numpy().astype(object)
    return num + " " + st + ", " + city + ", " + cname


def _parties(c: pd.DataFrame, rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    n = len(c)
    c["last_transit"] = c["transit_countries"].str.split(";").str[-1].fillna("")
    arrays = {
        k: c[k].to_numpy()
        for k in (
            "departure_country",
            "last_transit",
            "reporting_country",
            "destination_country",
            "transport_mode",
        )
    }
    mode = c["transport_mode"].to_numpy()
    courier_mode = np.isin(mode, ["air_passenger", "pedestrian", "road", "rail"])
    cargo_mode = np.isin(mode, ["sea_container", "air_cargo", "postal", "express_courier", "sea_other"])
    # persons: 1-2 for courier-type cases, 0-1 for cargo
    n_p = np.where(courier_mode, np.where(rng.random(n) < 0.25, 2, 1), np.where(rng.random(n) < 0.3, 1, 0))
    p_case = np.repeat(np.arange(n), n_p)
    nat = _nationality_for(arrays, rng, p_case)
    first, last, gender = _names(nat, rng)
    dob = pd.Timestamp("1960-01-01") + pd.to_timedelta(rng.integers(0, 365 * 44, len(p_case)), unit="D")
    p_mode = mode[p_case]
    role = np.where(
        np.isin(p_mode, ["road", "rail"]),
        np.where(rng.random(len(p_case)) < 0.6, "driver", "passenger"),
        np.where(np.isin(p_mode, ["air_passenger", "pedestrian"]), "courier", "consignee"),
    )
    passport = pd.Series(nat).astype(str).to_numpy().astype(object) + _digits(rng, len(p_case), 7)
    passport[rng.random(len(p_case)) < 0.15] = ""
    phone = _phones(nat, rng)
    phone[rng.random(len(p_case)) < 0.2] = ""
    address = _addresses(nat, rng)
    address[rng.random(len(p_case)) < 0.3] = ""
    persons = pd.DataFrame(
        {
            "case_idx": p_case,
            "role": role,
            "last_name": last,
            "first_name": first,
            "date_of_birth": dob.strftime("%Y-%m-%d"),
            "gender": gender,
            "nationality": nat,
            "passport_number": passport,
            "address": address,
            "phone": phone,
        }
    )
    # companies: 1-2 for cargo cases
    n_c = np.where(cargo_mode, np.where(rng.random(n) < 0.4, 2, 1), 0)
    c_case = np.repeat(np.arange(n), n_c)
    first_in_case = np.r_[True, c_case[1:] != c_case[:-1]] if len(c_case) else np.array([], dtype=bool)
    crole = np.where(
        first_in_case,
        "consignee",
        _choice(rng, {"consignor": 3, "freight_forwarder": 2, "exporter": 1}, len(c_case)),
    )
    ccountry = np.where(
        crole == "consignee",
        c["destination_country"].to_numpy()[c_case],
        c["departure_country"].to_numpy()[c_case],
    )
    ccountry = np.where(ccountry == "", c["reporting_country"].to_numpy()[c_case], ccountry).astype(object)
    voc = _vocab()["company"]
    fp = np.array(voc["first"], dtype=object)
    sp = np.array(voc["second"], dtype=object)
    fm = np.array(voc["forms"], dtype=object)
    cname = (
        fp[rng.integers(0, len(fp), len(c_case))]
        + " "
        + sp[rng.integers(0, len(sp), len(c_case))]
        + " "
        + fm[rng.integers(0, len(fm), len(c_case))]
    )
    companies = pd.DataFrame(
        {
            "case_idx": c_case,
            "role": crole,
            "name": cname,
            "country": ccountry,
            "registration_number": ccountry + "-" + _digits(rng, len(c_case), 8),
            "address": _addresses(ccountry, rng),
            "phone": _phones(ccountry, rng),
        }
    )
    persons, companies, truth = _plant(arrays, persons, companies, rng)
    case_ids = c["case_id"].to_numpy()
    rc = c["reporting_country"].to_numpy()
    for df in (persons, companies):
        df["case_id"] = case_ids[df["case_idx"].to_numpy()]
        df["reporting_country"] = rc[df["case_idx"].to_numpy()]
    persons["person_id"] = ["P" + str(i).zfill(7) for i in range(1, len(persons) + 1)]
    companies["company_id"] = ["K" + str(i).zfill(7) for i in range(1, len(companies) + 1)]
    # translate the planted entity and network keys (row positions) into ids
    pid = persons["person_id"].to_numpy()
    kid = companies["company_id"].to_numpy()
    truth["person_entities"] = dict(
        zip(pid, ["E" + str(e) for e in persons["entity"].to_numpy()], strict=True)
    )
    truth["company_entities"] = dict(
        zip(kid, ["C" + str(e) for e in companies["entity"].to_numpy()], strict=True)
    )
    for net in truth["networks"]:
        net["person_ids"] = [pid[i] for i in net.pop("person_rows")]
        net["company_ids"] = [kid[i] for i in net.pop("company_rows")]
        cases_idx = sorted(set(net.pop("case_idx")))
        net["case_keys"] = [[rc[i], case_ids[i]] for i in cases_idx]
    return persons, companies, truth


def _variant_name(first: str, last: str, rng: np.random.Generator) -> tuple[str, str]:
    """A realistic spelling variant of a name: transliteration, swapped order, a typo, or case."""
    translit = {
        "Mohammed": "Mohamed",
        "Mohamed": "Muhammad",
        "Muhammad": "Mohammed",
        "Youssef": "Yusuf",
        "Yusuf": "Youssef",
        "Aleksandr": "Alexander",
        "Dmitri": "Dmitry",
        "Sergei": "Sergey",
        "Hussein": "Husain",
        "Ahmed": "Ahmad",
        "Khalid": "Khaled",
        "Mustafa": "Mostafa",
        "Oleksandr": "Aleksandr",
        "Abdoulaye": "Abdulai",
        "Mamadou": "Mamadu",
        "Ousmane": "Usman",
        "Ibrahim": "Ebrahim",
        "Omar": "Umar",
        "Traore": "Traoré",
        "Diallo": "Jallow",
        "Haddad": "Hadad",
        "Nguyen": "Nguyễn",
        "Ivanov": "Ivanoff",
        "Jovanovic": "Jovanović",
        "Petrovic": "Petrović",
    }
    kind = rng.integers(0, 4)
    if kind == 0 and (first in translit or last in translit):
        return translit.get(first, first), translit.get(last, last)
    if kind == 1:
        return last, first  # swapped order
    if kind == 2 and len(last) > 3:
        i = int(rng.integers(1, len(last) - 1))
        return first, last[:i] + last[i + 1 :]  # a dropped letter
    return first.upper(), last.upper()


def _variant_dob(dob: str, rng: np.random.Generator) -> str:
    d = dt.date.fromisoformat(dob)
    if d.day <= 12 and d.day != d.month and rng.random() < 0.6:
        return d.replace(month=d.day, day=d.month).isoformat()  # day and month swapped
    return (d + dt.timedelta(days=int(rng.choice([-1, 1, 10, -10])))).isoformat()  # one digit off


def _variant_company(name: str, rng: np.random.Generator) -> str:
    forms = {
        "LLC": "L.L.C.",
        "Ltd": "Limited",
        "BV": "B.V.",
        "SARL": "S.A.R.L.",
        "Co. Ltd": "Co Ltd",
        "Inc": "Inc.",
    }
    kind = rng.integers(0, 3)
    for k, v in forms.items():
        if name.endswith(" " + k) and kind == 0:
            return name[: -len(k)] + v
    if kind == 1:
        return name.upper()
    words = name.split()
    if len(words[1]) > 4:
        words[1] = words[1][:-2] + words[1][-1]
    return " ".join(words)


def _plant(
    c: dict[str, np.ndarray], persons: pd.DataFrame, companies: pd.DataFrame, rng: np.random.Generator
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """Plant networks and duplicate entities; returns the tables with an ``entity`` column and the truth."""
    n = len(c["reporting_country"])
    persons = persons.reset_index(drop=True)
    companies = companies.reset_index(drop=True)
    persons["entity"] = np.arange(len(persons))
    companies["entity"] = np.arange(len(companies))
    next_p, next_c = len(persons), len(companies)
    new_p: list[dict[str, Any]] = []
    new_c: list[dict[str, Any]] = []
    networks: list[dict[str, Any]] = []
    rc = c["reporting_country"]
    mode = c["transport_mode"]
    cargo = np.nonzero(np.isin(mode, ["sea_container", "air_cargo", "express_courier"]))[0]
    courier = np.nonzero(mode == "air_passenger")[0]
    n_net = max(1, round(n / 3500))

    def spread(pool: np.ndarray, k: int, min_countries: int = 3) -> np.ndarray:
        """k cases from pool reported by at least ``min_countries`` countries."""
        if len(pool) <= k:
            return pool
        for _ in range(50):
            pick = pool[np.unique(rng.integers(0, len(pool), size=k))]
            if len(set(rc[pick])) >= min(min_countries, k):
                return pick
        return pick

    for j in range(n_net):
        # 1. a consignee company behind seizures in several countries
        if len(cargo) >= 6:
            cases_k = spread(cargo, int(rng.integers(5, 9)))
            base = companies.iloc[int(rng.integers(0, len(companies)))].to_dict() if len(companies) else None
            if base is not None:
                rows = []
                for ci in cases_k:
                    rows.append(next_c)
                    new_c.append({**base, "case_idx": ci, "role": "consignee", "entity": next_c + 10_000_000})
                    next_c += 1
                networks.append(
                    {
                        "name": f"consignee-{j + 1}",
                        "kind": "shared_consignee",
                        "person_rows": [],
                        "company_rows": rows,
                        "case_idx": cases_k.tolist(),
                        "shared": {
                            "company_name": base["name"],
                            "registration_number": base["registration_number"],
                        },
                    }
                )
        # 2. couriers sharing one phone number
        if len(courier) >= 6:
            cases_k = spread(courier, int(rng.integers(4, 7)))
            phone = _phones(np.array([rc[cases_k[0]]], dtype=object), rng)[0]
            nat = _nationality_for(c, rng, cases_k)
            first, last, gender = _names(nat, rng)
            rows = []
            for i, ci in enumerate(cases_k):
                rows.append(next_p)
                new_p.append(
                    {
                        "case_idx": ci,
                        "role": "courier",
                        "last_name": last[i],
                        "first_name": first[i],
                        "date_of_birth": (
                            dt.date(1975, 1, 1) + dt.timedelta(days=int(rng.integers(0, 9000)))
                        ).isoformat(),
                        "gender": gender[i],
                        "nationality": nat[i],
                        "passport_number": nat[i] + str(rng.integers(1000000, 9999999)),
                        "address": "",
                        "phone": phone,
                        "entity": next_p,
                    }
                )
                next_p += 1
            networks.append(
                {
                    "name": f"phone-ring-{j + 1}",
                    "kind": "shared_phone",
                    "person_rows": rows,
                    "company_rows": [],
                    "case_idx": cases_k.tolist(),
                    "shared": {"phone": phone},
                }
            )
        # 3. a freight forwarder at a shared address used by several consignees
        if len(cargo) >= 8:
            cases_k = spread(cargo, int(rng.integers(4, 7)))
            country = c["departure_country"][cases_k[0]] or rc[cases_k[0]]
            addr = _addresses(np.array([country], dtype=object), rng)[0]
            fwd_name = f"{['Swift', 'Rapid', 'Trans', 'Blue Line'][j % 4]} Freight Services {['Ltd', 'FZE', 'SARL', 'BV'][j % 4]}"
            rows = []
            fwd_entity = next_c + 20_000_000
            for i, ci in enumerate(cases_k):
                rows.append(next_c)
                new_c.append(
                    {
                        "case_idx": ci,
                        "role": "freight_forwarder",
                        "name": fwd_name,
                        "country": country,
                        "registration_number": f"{country}-FWD{j:03d}",
                        "address": addr,
                        "phone": "",
                        "entity": fwd_entity,
                    }
                )
                next_c += 1
                rows.append(next_c)
                new_c.append(
                    {
                        "case_idx": ci,
                        "role": "consignee",
                        "name": f"{['Nova', 'Alpha', 'Zenith', 'Atlas', 'Omega', 'Vertex'][i % 6]} Trading {i + 1} {['LLC', 'Ltd'][i % 2]}",
                        "country": rc[ci],
                        "registration_number": f"{rc[ci]}-{rng.integers(10**7, 10**8)}",
                        "address": addr,
                        "phone": "",
                        "entity": next_c + 30_000_000,
                    }
                )
                next_c += 1
            networks.append(
                {
                    "name": f"forwarder-{j + 1}",
                    "kind": "shared_address",
                    "person_rows": [],
                    "company_rows": rows,
                    "case_idx": cases_k.tolist(),
                    "shared": {"address": addr},
                }
            )
        # 4. an organiser behind couriers across cases (the same person, same passport)
        if len(courier) >= 6:
            cases_k = spread(courier, int(rng.integers(3, 6)))
            nat = np.array([c["departure_country"][cases_k[0]] or "NG"], dtype=object)
            first, last, gender = _names(nat, rng)
            passport = f"{nat[0]}{rng.integers(1000000, 9999999)}"
            ent = next_p + 40_000_000
            rows = []
            for ci in cases_k:
                rows.append(next_p)
                new_p.append(
                    {
                        "case_idx": ci,
                        "role": "organiser",
                        "last_name": last[0],
                        "first_name": first[0],
                        "date_of_birth": "1979-08-14",
                        "gender": gender[0],
                        "nationality": nat[0],
                        "passport_number": passport,
                        "address": "",
                        "phone": "",
                        "entity": ent,
                    }
                )
                next_p += 1
            networks.append(
                {
                    "name": f"organiser-{j + 1}",
                    "kind": "organiser",
                    "person_rows": rows,
                    "company_rows": [],
                    "case_idx": cases_k.tolist(),
                    "shared": {"passport_number": passport},
                }
            )

    # 5. duplicates: about 3% of persons re-appear in another case with a variant spelling
    if len(persons) and len(courier):
        k = max(2, int(len(persons) * 0.03))
        src = rng.choice(len(persons), size=min(k, len(persons)), replace=False)
        targets = rng.choice(courier, size=len(src))
        for b, ci in zip(persons.iloc[src].to_dict("records"), targets, strict=True):
            f, ln = _variant_name(str(b["first_name"]), str(b["last_name"]), rng)
            new_p.append(
                {
                    "case_idx": ci,
                    "role": "courier",
                    "last_name": ln,
                    "first_name": f,
                    "date_of_birth": _variant_dob(str(b["date_of_birth"]), rng)
                    if rng.random() < 0.5
                    else b["date_of_birth"],
                    "gender": b["gender"],
                    "nationality": b["nationality"],
                    "passport_number": b["passport_number"] if rng.random() < 0.5 else "",
                    "address": b["address"] if rng.random() < 0.4 else "",
                    "phone": b["phone"] if rng.random() < 0.5 else "",
                    "entity": int(b["entity"]),
                }
            )
    if len(companies) and len(cargo):
        k = max(2, int(len(companies) * 0.02))
        src = rng.choice(len(companies), size=min(k, len(companies)), replace=False)
        targets = rng.choice(cargo, size=k)
        for s, ci in zip(src, targets, strict=True):
            b = companies.iloc[int(s)]
            new_c.append(
                {
                    **b.to_dict(),
                    "case_idx": ci,
                    "name": _variant_company(str(b["name"]), rng),
                    "phone": b["phone"] if rng.random() < 0.5 else "",
                    "entity": int(b["entity"]),
                }
            )
    if new_p:
        persons = pd.concat([persons, pd.DataFrame(new_p)], ignore_index=True)
    if new_c:
        companies = pd.concat([companies, pd.DataFrame(new_c)], ignore_index=True)
    # a case holds a company once per role-and-name: drop planted rows that repeat one already there
    return persons, companies, {"networks": networks}


def _remarks(c: pd.DataFrame, persons: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    """Short free text for some cases; a few mention a person's name or phone (as real remarks do)."""
    n = len(c)
    templates = np.array(
        [
            "Found during secondary inspection.",
            "Declared as spare parts.",
            "Passenger nervous at interview.",
            "Container selected by risk profile.",
            "Goods concealed among legitimate cargo.",
            "Joint operation with police.",
            "Follow-up requested from origin country.",
            "Parcel declared as gift.",
        ],
        dtype=object,
    )
    out = np.full(n, "", dtype=object)
    has = rng.random(n) < 0.35
    out[has] = templates[rng.integers(0, len(templates), has.sum())]
    if len(persons):
        by_case = persons.drop_duplicates("case_idx").set_index("case_idx")
        named = np.nonzero(has & np.isin(np.arange(n), by_case.index.to_numpy()) & (rng.random(n) < 0.15))[0]
        recs = by_case.loc[named, ["first_name", "last_name", "phone"]].to_dict("records")
        for i, p in zip(named, recs, strict=True):
            extra = f" Courier {p['first_name']} {p['last_name']}"
            if p["phone"]:
                extra += f", phone {p['phone']}"
            out[i] = out[i] + extra + "."
    return out
