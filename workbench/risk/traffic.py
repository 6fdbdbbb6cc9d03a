"""Traffic to score: declarations and passenger movements, most innocent, a few seized.

Seizures alone cannot say how many innocent shipments a rule would stop. A **traffic** table holds what
is known about each movement *before* a control (the case fields that exist at that point: where it is
controlled, procedure, transport mode, place, route, conveyance; the declared HS code and value) plus
the outcome: ``seized`` and, for seized rows, the ``case_id`` of the seizure. Column types come from the
exchange format: the table is declared with the format's (``workbench/format/tables/traffic.yaml``).

:func:`generate_traffic` builds traffic around a generated sample: every seized row is a case of the
sample (so it follows the planted route patterns of :data:`workbench.sample.generator.PATTERNS`), among a much
larger innocent flow that passes the same control points with the same modes and whose routes, goods
and values are drawn from the same marginal distributions mixed with background trade. A rule on one
field alone therefore finds seizures at about the base rate (lift ~1), while a rule that captures a
planted pattern's combination of fields finds them far more often.

A traffic file is a CSV file or a workbook sheet named ``traffic`` (:func:`read_traffic`); users load
their own. :data:`TRAFFIC` is the table in the store that the SQL engine scores.

Examples
--------
>>> from workbench.sample.generator import generate
>>> t = generate_traffic(generate(400, seed=2), innocent_per_seizure=10)
>>> int(t["seized"].sum()), len(t)
(400, 4400)
>>> list(t.columns[:3])
['movement_id', 'movement_date', 'reporting_country']
>>> bool(t.loc[t["seized"], "case_id"].notna().all() and t.loc[~t["seized"], "case_id"].isna().all())
True
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from workbench.format.privacy import NON_PERSONAL_CONVEYANCE_TYPES
from workbench.format.schema import Column, declared_table
from workbench.i18n import _
from workbench.store import SQL_TYPES as STORE_SQL_TYPES
from workbench.store import Base

if TYPE_CHECKING:
    from workbench.identity import Principal
    from workbench.sample.generator import SampleDataset
    from workbench.store import Store
    from workbench.store.criteria import Criterion
    from workbench.store.filters import CaseFilter

__all__ = [
    "COLUMNS",
    "COLUMN_NAMES",
    "OUTCOME_COLUMNS",
    "TRAFFIC",
    "TrafficError",
    "TrafficFile",
    "generate_traffic",
    "read_traffic",
    "write_traffic",
    "typed_traffic",
    "store_traffic",
    "load_traffic",
    "traffic_sources",
    "traffic_rows",
    "sample_traffic_path",
    "FILTER_ON_TRAFFIC",
    "scope_traffic",
    "traffic_mask",
    "traffic_where",
    "target_seized_sql",
    "describe_scope",
    "non_personal_traffic",
]

#: The traffic table as the format declares it (``workbench/format/tables/traffic.yaml``): the
#: traffic's own columns, the format's pre-control case fields and the declared HS code (types and
#: meanings from the format), then the outcome.
TABLE = declared_table("traffic")
#: The traffic columns, in file order.
COLUMNS: tuple[Column, ...] = TABLE.columns
COLUMN_NAMES: tuple[str, ...] = tuple(c.name for c in COLUMNS)
#: Columns known only after a control: back-tests measure against them; rules may not use them.
OUTCOME_COLUMNS: tuple[str, ...] = ("seized", "case_id")
#: Case fields that exist before a control (the rest, e.g. detection and concealment, come from it).
PRE_CONTROL_CASE_COLUMNS: tuple[str, ...] = tuple(
    c.name for c in COLUMNS if (c.origin or "").startswith("cases.") and c.name not in OUTCOME_COLUMNS
)

# the store's column types for the format's types, plus the traffic's outcome flag
_SQL_TYPES: dict[str, Any] = {**STORE_SQL_TYPES, "bool": sa.Boolean}

#: The traffic table in the store; ``source`` names the file a set of rows came from.
TRAFFIC = sa.Table(
    "traffic",
    Base.metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("source", sa.String(255), nullable=False, index=True),
    *(
        sa.Column(c.name, _SQL_TYPES[c.type](), nullable=c.name != "movement_id" and not c.required)
        for c in COLUMNS
    ),
    sa.Column("extra", sa.Text, nullable=True),
    sa.UniqueConstraint("source", "movement_id", name="uq_traffic_movement"),
    sa.Index("ix_traffic_movement_date", "movement_date"),
)


def sample_traffic_path() -> Path:
    """The shipped sample traffic (``sample_data/traffic/traffic.csv``) that goes with the default sample."""
    return Path(__file__).resolve().parents[2] / "sample_data" / "traffic" / "traffic.csv"


# ------------------------------------------------------------------------------------------ generate
# Declared goods. Drugs, wildlife, cash and weapons hide in a cover load; counterfeits, tobacco,
# alcohol, medicines, precursors and waste are declared as what they are (or as something else).
_OWN_GOODS = ("ipr", "tobacco", "alcohol", "medicines", "precursors", "hazardous_waste", "other")
_GENERAL_TRADE = {
    "847130": 3, "851762": 3, "870323": 2, "870899": 2, "610910": 3, "620342": 2, "640399": 2,
    "940360": 2, "392690": 2, "300490": 2, "080390": 1, "090111": 1, "220421": 1, "950300": 2,
    "330499": 1, "848180": 2, "731815": 1, "401110": 1, "030617": 1, "180100": 1, "440799": 1,
    "520942": 1, "271019": 1, "720839": 1,
}  # fmt: skip
_PARCEL = {
    "610910": 3, "640399": 2, "851762": 2, "330499": 2, "950300": 1, "711719": 2, "490199": 1,
    "210690": 2, "300490": 1, "620342": 1,
}  # fmt: skip
_COVER_BY_REGION = {
    "South America, North America, Central America and the Caribbean": {
        "080390": 4, "080430": 2, "090111": 2, "060311": 1, "030617": 1, "080440": 1, "170199": 1,
    },
    "Far East, South and South East Asia, Australasia and the Pacific": {
        "940360": 2, "847130": 2, "950300": 2, "610910": 2, "392690": 2, "848180": 1, "691110": 1,
    },
    "Central and West Africa": {"180100": 2, "440799": 2, "080132": 2, "090240": 1, "030389": 1},
    "East and Southern Africa": {"090240": 2, "440799": 1, "080132": 1, "060311": 2, "030389": 1},
    "North of Africa, Near and Middle East": {
        "070200": 2, "080510": 2, "190590": 1, "570110": 1, "252310": 1,
    },
    "Europe": {"847990": 2, "870899": 2, "220421": 1, "392690": 1, "940360": 1},
}  # fmt: skip
# Where innocent traffic comes from when it is not on a seizure route: world trade and travel.
_BACKGROUND_ORIGIN = {
    "CN": 8, "US": 6, "DE": 5, "TR": 3, "GB": 3, "FR": 3, "IN": 3, "AE": 3, "JP": 2, "KR": 2,
    "IT": 2, "NL": 2, "ES": 2, "BR": 1, "MX": 1, "CA": 1, "TH": 1, "VN": 1, "ZA": 1, "EG": 1,
    "MA": 1, "NG": 1, "KE": 1, "SG": 1, "AU": 1, "PL": 1, "SA": 1, "CH": 1, "SE": 1, "QA": 1,
}  # fmt: skip
_HUBS = {"AE": 4, "TR": 3, "QA": 2, "NL": 2, "FR": 2, "DE": 2, "GB": 1, "SG": 1, "PA": 1, "ET": 1, "MA": 1}
# Log-normal declared value (median USD, sigma) by transport mode; passengers declare nothing.
_VALUE = {
    "sea_container": (60_000, 1.0),
    "sea_other": (25_000, 1.2),
    "air_cargo": (18_000, 1.1),
    "rail": (45_000, 1.0),
    "road": (35_000, 1.0),
    "postal": (60, 1.0),
    "express_courier": (250, 1.1),
}
_DECLARING_MODES = ("sea_container", "sea_other", "air_cargo", "rail", "postal", "express_courier")
_MAIL_MODES = ("postal", "express_courier")
# many movements share one flight, ship or train: the conveyances whose ids are no personal data
_SHARED_CONVEYANCE = tuple(sorted(NON_PERSONAL_CONVEYANCE_TYPES))
_NONE = np.array(None, dtype=object)


def _pick(rng: np.random.Generator, weights: Mapping[str, float], n: int) -> np.ndarray:
    keys = np.array(list(weights), dtype=object)
    p = np.array(list(weights.values()), dtype=float)
    return keys[rng.choice(len(keys), size=n, p=p / p.sum())]


def _obj(s: pd.Series) -> np.ndarray:
    """Text as an object array with None for blanks."""
    return np.asarray(s.astype(object).where(s.notna(), None), dtype=object)


def _scramble_digits(values: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The same shapes (plates, tracking numbers) with every digit redrawn: look-alike, not a copy."""
    filled = np.where(pd.isna(values), "", values).astype(str)
    width = max(1, int(np.strings.str_len(filled).max()) if len(filled) else 1)
    codes = np.ascontiguousarray(filled.astype(f"<U{width}")).view(np.uint32).reshape(len(filled), width)
    digit = (codes >= 48) & (codes <= 57)
    codes = np.where(digit, rng.integers(48, 58, codes.shape, dtype=np.uint32), codes)
    out = codes.view(f"<U{width}").reshape(len(filled)).astype(object)
    out[filled == ""] = None
    return out


def _declared_goods(
    mode: np.ndarray, conveyance: np.ndarray, dep_region: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Whether each movement declares goods (cargo, mail, trucks) and a cover load for it."""
    declares = np.isin(mode, _DECLARING_MODES) | ((mode == "road") & (conveyance == "truck"))
    cover = np.full(len(mode), None, dtype=object)
    mail = declares & np.isin(mode, _MAIL_MODES)
    cover[mail] = _pick(rng, _PARCEL, int(mail.sum()))
    rest = declares & ~mail
    cover[rest] = _pick(rng, _GENERAL_TRADE, int(rest.sum()))
    for region, weights in _COVER_BY_REGION.items():
        sel = rest & (dep_region == region)
        cover[sel] = _pick(rng, weights, int(sel.sum()))
    return declares, cover


def _values(mode: np.ndarray, declares: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    out = np.full(len(mode), np.nan)
    for m, (median, sigma) in _VALUE.items():
        sel = declares & (mode == m)
        out[sel] = np.round(median * np.exp(sigma * rng.standard_normal(int(sel.sum()))), -1)
    out[declares & np.isnan(out)] = np.round(30_000 * np.exp(rng.standard_normal(int((declares & np.isnan(out)).sum()))), -1)  # fmt: skip
    out[rng.random(len(mode)) < 0.03] = np.nan
    return np.maximum(out, 10.0)


def _region_of(codes: np.ndarray) -> np.ndarray:
    from workbench.format import reference

    c = reference.countries()
    regions = dict(zip(c["iso2"], c["wco_region"], strict=True))
    return np.array([regions.get(x) if x else None for x in codes], dtype=object)


def _transit_conflicts(transit: np.ndarray, *countries: np.ndarray) -> np.ndarray:
    """Rows whose transit list names one of ``countries`` (the route may not pass where it starts or ends)."""
    bad = np.zeros(len(transit), dtype=bool)
    codes, uniques = pd.factorize(pd.Series(transit, dtype=object))
    for k, route in enumerate(uniques):
        members = [x for x in str(route).split(";") if x]
        idx = np.flatnonzero(codes == k)
        for arr in countries:
            bad[idx] |= np.isin(arr[idx], members)
    return bad


def generate_traffic(
    ds: SampleDataset,
    *,
    innocent_per_seizure: float = 30.0,
    seizure_share: float = 1.0,
    seed: int | None = None,
) -> pd.DataFrame:
    """Traffic around a generated sample: its cases as the seized rows among an innocent flow.

    Parameters
    ----------
    ds
        A sample from :func:`workbench.sample.generator.generate`; its cases become the seized movements.
    innocent_per_seizure
        How many innocent movements per seized one (the base rate is ``1 / (1 + this)``).
    seizure_share
        The share of the sample's cases that pass through the traffic (a random subset), so that a
        small traffic file can go with a large sample.
    seed
        Random seed (default: the sample's seed). The sample itself is not changed.

    Returns
    -------
    pandas.DataFrame
        :data:`COLUMN_NAMES` in order, typed as :func:`read_traffic` returns them, sorted by date;
        ``movement_id`` carries no hint of the outcome.

    Examples
    --------
    >>> from workbench.sample.generator import generate
    >>> ds = generate(300, seed=4)
    >>> t = generate_traffic(ds, innocent_per_seizure=5, seizure_share=0.5)
    >>> 100 < int(t["seized"].sum()) < 200, round(len(t) / t["seized"].sum())
    (True, 6)
    >>> set(t.loc[t["seized"], "case_id"]) <= set(ds.tables["cases"]["case_id"])
    True
    """
    if innocent_per_seizure < 0:
        raise ValueError(_("innocent_per_seizure must be >= 0"))
    if not 0 < seizure_share <= 1:
        raise ValueError(_("seizure_share must be in (0, 1]"))
    seed = int(ds.truth.get("seed", 0)) if seed is None else seed
    rng = np.random.default_rng([seed, 0x7AFF1C])
    cases = ds.tables["cases"]
    keep = rng.random(len(cases)) < seizure_share
    if not keep.any():
        keep[rng.integers(0, len(cases))] = True
    cases = cases.loc[keep].reset_index(drop=True)
    items = ds.tables["items"]
    first = items.loc[items["item_no"] == 1].set_index(["reporting_country", "case_id"])
    key = pd.MultiIndex.from_frame(cases[["reporting_country", "case_id"]])
    category = _obj(first["commodity_category"].reindex(key))
    own_hs = _obj(first["hs_code"].reindex(key))

    # ---- seized rows: the cases' pre-control fields, a declared cover load or the goods themselves
    n_s = len(cases)
    s: dict[str, np.ndarray] = {c: _obj(cases[c]) for c in PRE_CONTROL_CASE_COLUMNS}
    s["movement_date"] = pd.to_datetime(cases["seizure_date"]).to_numpy("datetime64[D]")
    s["case_id"] = _obj(cases["case_id"])
    s_region = _region_of(s["departure_country"])
    declares, cover = _declared_goods(s["transport_mode"], s["conveyance_type"], s_region, rng)
    honest = np.isin(category, _OWN_GOODS) & (own_hs != None) & (rng.random(n_s) < 0.65)  # noqa: E711
    s["hs_code"] = np.where(declares & honest, own_hs, cover)
    s["hs_code"][~declares] = None
    s["declared_value_usd"] = _values(s["transport_mode"], declares, rng)
    off = _obj(cases["offence_type"])
    under = off == "undervaluation"
    s["declared_value_usd"][under] = np.round(s["declared_value_usd"][under] * 0.25, -1)

    # ---- innocent rows: the same control points and modes, routes and goods mixed with background
    n_i = int(round(n_s * innocent_per_seizure))
    anchor = rng.integers(0, n_s, n_i)
    i: dict[str, np.ndarray] = {
        c: s[c][anchor]
        for c in (
            "reporting_country",
            "customs_procedure",
            "transport_mode",
            "place_type",
            "place_code",
            "place_name",
            "destination_country",
            "conveyance_type",
        )
    }
    day = s["movement_date"][anchor] + np.round(rng.normal(0, 20, n_i)).astype("timedelta64[D]")
    lo, hi = s["movement_date"].min(), s["movement_date"].max()
    i["movement_date"] = np.clip(day, lo, hi)
    conv = s["conveyance_id"][anchor]
    shared = np.isin(i["conveyance_type"], _SHARED_CONVEYANCE)
    i["conveyance_id"] = np.where(shared, conv, _scramble_digits(conv, rng))
    u = rng.random(n_i)
    same_route = u < 0.08  # legitimate travellers and trade on the very routes traffickers use
    dep = np.where(
        rng.random(n_i) < 0.55,
        s["departure_country"][rng.integers(0, n_s, n_i)],
        _pick(rng, _BACKGROUND_ORIGIN, n_i),
    )
    dep[rng.random(n_i) < 0.02] = None
    r = rng.random(n_i)
    transit = np.where(
        r < 0.35,
        s["transit_countries"][rng.integers(0, n_s, n_i)],
        np.where(r < 0.85, _NONE, _pick(rng, _HUBS, n_i)),
    )
    dep = np.where(same_route, s["departure_country"][anchor], dep)
    transit = np.where(same_route, s["transit_countries"][anchor], transit)
    proc, rc = i["customs_procedure"], i["reporting_country"]
    dep = np.where(proc == "export", rc, dep)
    domestic = proc == "domestic"
    dep = np.where(domestic, rc, dep)
    i["destination_country"] = np.where(domestic, rc, i["destination_country"])
    clash = (proc == "import") & (dep == rc)
    dep[clash] = _pick(rng, _BACKGROUND_ORIGIN, int(clash.sum()))
    transit[domestic] = None
    bad = _transit_conflicts(transit, np.asarray(rc), dep, i["destination_country"])
    transit[bad & ~same_route] = None
    i["departure_country"], i["transit_countries"] = dep, transit
    i_declares, i_cover = _declared_goods(i["transport_mode"], i["conveyance_type"], _region_of(dep), rng)
    hs = np.where(rng.random(n_i) < 0.35, i_cover, _NONE)
    pool_pick = rng.random(n_i) < 0.45
    for m in np.unique(i["transport_mode"][i_declares].astype(str)):
        donors = np.flatnonzero((s["transport_mode"] == m) & (s["hs_code"] != None))  # noqa: E711
        sel = np.flatnonzero(i_declares & (i["transport_mode"] == m) & pool_pick)
        if len(donors) and len(sel):
            hs[sel] = s["hs_code"][donors[rng.integers(0, len(donors), len(sel))]]
    general = i_declares & (hs == None)  # noqa: E711
    mail = general & np.isin(i["transport_mode"], _MAIL_MODES)
    hs[mail] = _pick(rng, _PARCEL, int(mail.sum()))
    hs[general & ~mail] = _pick(rng, _GENERAL_TRADE, int((general & ~mail).sum()))
    hs[~i_declares] = None
    i["hs_code"] = hs
    i["declared_value_usd"] = _values(i["transport_mode"], i_declares, rng)
    i["case_id"] = np.full(n_i, None, dtype=object)

    # ---- together, in date order with a random order within a day; ids carry no hint
    seized = np.r_[np.ones(n_s, dtype=bool), np.zeros(n_i, dtype=bool)]
    cols: dict[str, Any] = {}
    for c in COLUMN_NAMES:
        if c in ("movement_id", "seized"):
            continue
        cols[c] = np.concatenate([s[c], i[c]])
    order = np.lexsort((rng.random(n_s + n_i), cols["movement_date"]))
    data: dict[str, Any] = {"movement_id": [f"MV{k:08d}" for k in range(1, n_s + n_i + 1)]}
    for c in COLUMN_NAMES[1:]:
        v = seized[order] if c == "seized" else cols[c][order]
        data[c] = v
    return _typed(pd.DataFrame(data))


def _typed(df: pd.DataFrame) -> pd.DataFrame:
    """The traffic frame contract: text as ``str``, dates as ``datetime64``, values float, seized bool."""
    out: dict[str, Any] = {}
    for col in COLUMNS:
        s = df[col.name]
        if col.type == "date":
            out[col.name] = pd.to_datetime(s).astype("datetime64[us]")
        elif col.type in ("float", "int"):
            out[col.name] = pd.to_numeric(s).astype("float64")
        elif col.type == "bool":
            out[col.name] = s.astype(bool) if not s.isna().any() else s.astype("boolean")
        else:
            out[col.name] = pd.array(np.asarray(s, dtype=object), dtype="str")
    for c in df.columns:
        if c not in out:
            out[c] = df[c]
    return pd.DataFrame(out)


# -------------------------------------------------------------------------------------- read / write
class TrafficError(ValueError):
    """A traffic file cannot be used; the message names the file, sheet, row and column."""


@dataclass
class TrafficFile:
    """A traffic file as read: the typed frame, where it came from, and what was noticed."""

    frame: pd.DataFrame
    source: str
    notices: list[str] = field(default_factory=list)

    @property
    def has_outcome(self) -> bool:
        return bool(self.frame["seized"].notna().any())


_TRUE = {"true", "t", "yes", "y", "1", "1.0"}
_FALSE = {"false", "f", "no", "n", "0", "0.0"}
_MAX_LISTED = 20


def _raw(path: Path) -> tuple[pd.DataFrame, str, int]:
    """The cells as read, where they are (for messages) and the spreadsheet row of the first data row.

    Read like every other file (:func:`workbench.exchange.files.read_source`): encodings checked, title
    lines above the header skipped (the workbench's own formatted exports have them).
    """
    from workbench.exchange.files import ROW, DatasetReadError, read_source

    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx", ".xlsm"):
        raise TrafficError(
            _(
                "{name}: a traffic file is a .csv file or an .xlsx workbook with a sheet 'traffic'",
                name=path.name,
            )
        )
    try:
        source = read_source(path)
    except DatasetReadError as e:
        raise TrafficError(str(e)) from None
    if suffix == ".csv":
        table = next(iter(source.tables.values()))
    else:
        sheet = next((t for name, t in source.tables.items() if name.lower() == "traffic"), None)
        if sheet is None:
            names = ", ".join(repr(t.sheet) for t in source.tables.values()) or "none"
            raise TrafficError(
                _("{name}: no sheet named 'traffic' (sheets: {names})", name=path.name, names=names)
            )
        table = sheet
    return table.frame.drop(columns=[ROW]).reset_index(drop=True), table.where, table.header_row + 1


def _bool_column(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    text = s.astype("string").str.strip().str.lower()
    blank = text.isna() | text.eq("")
    true, false = text.isin(list(_TRUE)), text.isin(list(_FALSE))
    bad = (~blank & ~true & ~false).fillna(False).astype(bool)
    out = pd.Series(pd.NA, index=s.index, dtype="boolean")
    out[true.fillna(False).astype(bool)] = True
    out[false.fillna(False).astype(bool)] = False
    return out, bad


def typed_traffic(raw: pd.DataFrame, where: str = "traffic", first_row: int = 2) -> TrafficFile:
    """Check and type a traffic table given as cells (text or workbook values).

    Raises :class:`TrafficError` listing the first problems by row and column when any cell is wrong,
    so that nothing is scored from a half-read file. Missing optional columns are added blank and
    columns the traffic does not know are kept as text fields (both with a notice).

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"movement_id": ["A", "B"], "movement_date": ["2024-01-02", "2024-13-01"]})
    >>> typed_traffic(raw, "t.csv")
    Traceback (most recent call last):
    ...
    workbench.risk.traffic.TrafficError: t.csv: 1 bad cell(s):
      t.csv, row 3, column 'movement_date': not a date in ISO 8601 form YYYY-MM-DD
    """
    from workbench.exchange.rowchecks import coerce_column
    from workbench.format.reference import country_codes

    raw = raw.copy()
    raw.columns = [str(c).strip() for c in raw.columns]
    dupes = sorted({c for c in raw.columns if list(raw.columns).count(c) > 1})
    if dupes:
        raise TrafficError(
            _(
                "{where}: column(s) {dupes} appear more than once",
                where=where,
                dupes=", ".join(map(repr, dupes)),
            )
        )
    raw = raw.reset_index(drop=True)
    rows = np.arange(first_row, first_row + len(raw))
    notices: list[str] = []
    missing_required = [c.name for c in COLUMNS if c.required and c.name not in raw.columns]
    if missing_required:
        found = ", ".join(map(repr, list(raw.columns)[:30])) or "none"
        raise TrafficError(
            _(
                "{where}: required column {missing_required} missing (columns found: {found})",
                where=where,
                missing_required=", ".join(map(repr, missing_required)),
                found=found,
            )
        )
    problems: list[str] = []
    n_bad = 0
    out: dict[str, Any] = {}
    codes = country_codes()
    for col in COLUMNS:
        if col.name not in raw.columns:
            continue
        if col.type == "bool":
            values, bad = _bool_column(raw[col.name])
            failures = [(bad, _("not true/false (yes/no, 1/0 also accepted)"))]
        else:
            values, failures = coerce_column(raw[col.name], col, codes)
            if col.pattern:
                pat_bad = values.notna() & ~values.astype("string").str.match(col.pattern).fillna(False)
                failures.append(
                    (pat_bad.astype(bool), _("does not match the pattern {pattern}", pattern=col.pattern))
                )
        if col.required:
            blank = values.isna() & ~np.logical_or.reduce([m.to_numpy(bool) for m, _reason in failures])
            failures.append((pd.Series(blank, index=values.index), _("required value is blank")))
        for mask, reason in failures:
            m = np.asarray(mask, dtype=bool)
            n_bad += int(m.sum())
            for r in rows[m][: max(0, _MAX_LISTED - len(problems))]:
                problems.append(
                    "  "
                    + _(
                        "{where}, row {row}, column {column!r}: {reason}",
                        where=where,
                        row=r,
                        column=col.name,
                        reason=reason,
                    )
                )
        out[col.name] = values
    if n_bad:
        more = "\n  " + _("... and {n} more", n=n_bad - len(problems)) if n_bad > len(problems) else ""
        raise TrafficError(
            _("{where}: {n} bad cell(s):\n{cells}", where=where, n=n_bad, cells="\n".join(problems) + more)
        )
    absent = [c.name for c in COLUMNS if c.name not in raw.columns]
    if "movement_id" in absent:
        out["movement_id"] = pd.Series([f"row-{r}" for r in rows], dtype="str")
        notices.append(
            _("{where}: no movement_id column; rows are named by their row number (row-2, ...)", where=where)
        )
        absent.remove("movement_id")
    else:
        ids = out["movement_id"]
        dup = ids.notna() & ids.duplicated(keep="first")
        if dup.any():
            k = int(np.flatnonzero(dup.to_numpy(bool))[0])
            first = int(np.flatnonzero((ids == ids.iloc[k]).to_numpy(bool))[0])
            raise TrafficError(
                _(
                    "{where}, row {row}, column 'movement_id': duplicate {movement!r} (first at row "
                    "{first}); {n} duplicate(s) in all",
                    where=where,
                    row=rows[k],
                    movement=ids.iloc[k],
                    first=rows[first],
                    n=int(dup.sum()),
                )
            )
        blank_ids = ids.isna().to_numpy(bool)
        if blank_ids.any():
            filled = ids.astype(object).to_numpy()
            filled[blank_ids] = [f"row-{r}" for r in rows[blank_ids]]
            out["movement_id"] = pd.Series(filled)
    for c in absent:
        out[c] = pd.Series(pd.NA, index=raw.index)
    if absent:
        notices.append(
            _(
                "{where}: column(s) {absent} not in the file; treated as blank",
                where=where,
                absent=", ".join(absent),
            )
        )
    extra = [c for c in raw.columns if c not in COLUMN_NAMES]
    for c in extra:
        text = raw[c].astype("string").str.strip()
        out[c] = text.mask(text.eq("")).astype("str")
    if extra:
        notices.append(
            _(
                "{where}: column(s) {extra} are not traffic columns; kept as text fields",
                where=where,
                extra=", ".join(extra),
            )
        )
    frame = _typed(pd.DataFrame(out))
    return TrafficFile(frame, where, notices)


def read_traffic(path: str | Path) -> TrafficFile:
    """Read a traffic file: a ``.csv`` or an ``.xlsx`` with a sheet named ``traffic``.

    The header may sit below title lines (as in the workbench's formatted exports). Raises
    :class:`TrafficError` with file, sheet, row and column of every problem (the first 20 listed).
    """
    p = Path(path)
    if not p.exists():
        raise TrafficError(_("{p}: no such file", p=p))
    df, where, first = _raw(p)
    if df.empty and not len(df.columns):
        raise TrafficError(_("{where}: empty file", where=where))
    return typed_traffic(df, where, first)


def write_traffic(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write traffic as CSV or as an ``.xlsx`` with one sheet ``traffic`` (cells as values, never formulas)."""
    from workbench.exchange.files import write_dataset

    p = Path(path)
    df = frame.copy()
    for c in df.columns:
        if pd.api.types.is_datetime64_any_dtype(df[c]):
            df[c] = df[c].dt.strftime("%Y-%m-%d")
        elif df[c].dtype == bool or isinstance(df[c].dtype, pd.BooleanDtype):
            df[c] = df[c].map({True: "true", False: "false"})
    if p.suffix.lower() == ".xlsx":
        write_dataset({"traffic": df}, p)
        return p
    if p.suffix.lower() != ".csv":
        raise TrafficError(_("{name}: write traffic to a .csv or .xlsx path", name=p.name))
    from workbench.exchange.writers import write_csv

    p.parent.mkdir(parents=True, exist_ok=True)
    return write_csv(df, p)


# ------------------------------------------------------------------------------------------- store
def store_traffic(
    store: Store,
    traffic: TrafficFile | pd.DataFrame,
    source: str | None = None,
    *,
    actor: Principal | None = None,
) -> int:
    """Put traffic into the store's ``traffic`` table under ``source``, replacing that source's rows.

    One transaction: on any error nothing changes. Columns the traffic does not know go to ``extra``
    (JSON). The change is audited. Returns the number of rows stored. ``actor`` (default: the
    :func:`~workbench.identity.accounts.current_principal`) needs the matrix's ``write_indicators``
    (loading traffic for scoring).
    """
    import json

    from workbench.exchange.ingest import _records
    from workbench.identity import acting, authorise
    from workbench.store import audit, bump_data_version

    actor = acting(store, actor)
    authorise(store, actor, "write_indicators")
    frame = traffic.frame if isinstance(traffic, TrafficFile) else traffic
    source = source or (traffic.source if isinstance(traffic, TrafficFile) else "traffic")
    extra_cols = [c for c in frame.columns if c not in COLUMN_NAMES]
    recs = _records(frame, list(COLUMN_NAMES))
    if extra_cols:
        extras = frame[extra_cols].astype("string")
        for rec, ex in zip(recs, extras.to_dict("records"), strict=True):
            kept = {k: v for k, v in ex.items() if isinstance(v, str) and v}
            rec["extra"] = json.dumps(kept, ensure_ascii=False) if kept else None
    for rec in recs:
        rec["source"] = source
        if rec.get("seized") is not None:
            rec["seized"] = bool(rec["seized"])
    with store.connect() as conn:
        deleted = conn.execute(sa.delete(TRAFFIC).where(TRAFFIC.c.source == source)).rowcount
        for k in range(0, len(recs), 20_000):
            conn.execute(sa.insert(TRAFFIC), recs[k : k + 20_000])
        bump_data_version(conn, "traffic")
        audit(
            conn,
            "risk.traffic_loaded",
            {"source": source, "rows": len(recs), "replaced": int(deleted or 0)},
            actor,
        )
    return len(recs)


def traffic_sources(store: Store) -> pd.DataFrame:
    """The traffic sets in the store: source, rows, seized rows, first and last date."""
    t = TRAFFIC
    stmt = (
        sa.select(
            t.c.source,
            sa.func.count().label("rows"),
            sa.func.sum(sa.case((t.c.seized.is_(True), 1), else_=0)).label("seized"),
            sa.func.min(t.c.movement_date).label("first_date"),
            sa.func.max(t.c.movement_date).label("last_date"),
        )
        .group_by(t.c.source)
        .order_by(t.c.source)
    )
    with store.engine.connect() as conn:
        rows = conn.execute(stmt).fetchall()
    df = pd.DataFrame(rows, columns=["source", "rows", "seized", "first_date", "last_date"])
    df["seized"] = df["seized"].fillna(0).astype(int)
    return df


def traffic_rows(store: Store, source: str, flt: CaseFilter | None = None) -> int:
    """How many movements of the traffic set ``source`` in the store are within ``flt`` (its period,
    countries and modes: :func:`traffic_where`), counted inside the database.

    >>> from workbench.store import open_store
    >>> store = open_store("sqlite://")
    >>> stored = store_traffic(store, read_traffic(sample_traffic_path()), "sample")
    >>> traffic_rows(store, "sample") == stored, traffic_rows(store, "another")
    (True, 0)
    """
    stmt = sa.select(sa.func.count()).select_from(TRAFFIC).where(TRAFFIC.c.source == source)
    if flt is not None:
        stmt = stmt.where(*traffic_where(flt))
    with store.engine.connect() as conn:
        return int(conn.execute(stmt).scalar_one())


def load_traffic(store: Store, source: str | None = None) -> pd.DataFrame:
    """The store's traffic (one source, or all) as a typed frame, read columnar (ADBC) where possible.

    Text columns come back as categoricals where they repeat (codes, enumerations), which the risk
    engine evaluates once per distinct value.

    SQLite is read through the store's own driver, not ADBC: the ADBC driver brings a second copy of
    the SQLite library into the process, and closing its connection drops the file locks the store's
    connections hold on a WAL database ("disk I/O error" on the next write).
    """
    stmt = sa.select(*[TRAFFIC.c[c] for c in ("id", "source", *COLUMN_NAMES)]).order_by(TRAFFIC.c.id)
    if source is not None:
        stmt = stmt.where(TRAFFIC.c.source == source)
    if store.dialect == "sqlite":
        with store.engine.connect() as conn:
            res = conn.execute(stmt)
            df = pd.DataFrame(res.fetchall(), columns=list(res.keys()))
    else:
        from workbench.store.frames import read_arrow

        df = read_arrow(store, stmt).to_pandas()
    out: dict[str, Any] = {"id": pd.to_numeric(df["id"]).astype("int64")}
    for col in COLUMNS:
        s = df[col.name]
        if col.type == "date":
            out[col.name] = pd.to_datetime(s, errors="coerce").astype("datetime64[us]")
        elif col.type in ("float", "int"):
            out[col.name] = pd.to_numeric(s, errors="coerce").astype("float64")
        elif col.type == "bool":
            b = s.map(lambda v: None if v is None or (isinstance(v, float) and np.isnan(v)) else bool(v))
            out[col.name] = b.astype("boolean")
        elif col.type in ("iso2", "enum", "iso2_list") or col.name in ("place_code", "place_name", "hs_code"):
            out[col.name] = s.astype("category")
        else:
            out[col.name] = s.astype("str")
    out["source"] = df["source"].astype("category")
    frame = pd.DataFrame(out)
    if frame["seized"].notna().all():
        frame["seized"] = frame["seized"].astype(bool)
    return frame


# ------------------------------------------------------------------------------- the case filter
# How the shared case filter reads on traffic is declared with each criterion
# (:attr:`workbench.store.criteria.Criterion.on_traffic`): a criterion on a field the movement has
# (period: the movement date; country and region: the controlling country; transport mode; departure
# country) selects movements; one known only from a seizure (commodity, detection method) selects which
# seizures count as seized (their case in the store must match it).


def _on_traffic(how: str) -> tuple[Criterion, ...]:
    from workbench.store.criteria import CRITERIA

    return tuple(c for c in CRITERIA if c.on_traffic.how == how)


class _FilterOnTraffic(Mapping[str, str]):
    """:data:`FILTER_ON_TRAFFIC`: read from the declaration in the language in force each time."""

    def _items(self) -> dict[str, str]:
        """Criteria that read the same way share one entry ("WCO region, Reporting country")."""
        from workbench.store.criteria import CRITERIA

        by_note: dict[str, list[str]] = {}
        for c in CRITERIA:
            by_note.setdefault(c.on_traffic.note, []).append(c.title())
        return {", ".join(titles): _(note) for note, titles in by_note.items()}

    def __getitem__(self, key: str) -> str:
        return self._items()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items())

    def __len__(self) -> int:
        return len(self._items())


#: How each criterion of the shared case filter (:class:`~workbench.store.filters.CaseFilter`) reads on
#: traffic, in words: labels -> how (from :attr:`workbench.store.criteria.Criterion.on_traffic`).
FILTER_ON_TRAFFIC: Mapping[str, str] = _FilterOnTraffic()


def _outcome_filter(flt: CaseFilter) -> CaseFilter:
    """The part of ``flt`` that selects which seizures count (criteria the movements do not carry)."""
    return flt.only(lambda c: c.on_traffic.how == "outcome")


def traffic_mask(frame: pd.DataFrame, flt: CaseFilter) -> np.ndarray:
    """The movements that the criteria on movements select (period, countries and regions, modes, ...).

    A traffic frame without one of the columns the filter needs keeps no movement.

    Examples
    --------
    >>> import datetime as dt
    >>> from workbench.store.filters import CaseFilter
    >>> t = pd.DataFrame({"movement_date": pd.to_datetime(["2023-05-01", "2024-02-01", "2024-03-01"]),
    ...                   "reporting_country": ["NL", "NL", "SN"], "transport_mode": ["road", "rail", "road"]})
    >>> traffic_mask(t, CaseFilter(date_from=dt.date(2024, 1, 1))).tolist()
    [False, True, True]
    >>> traffic_mask(t, CaseFilter(wco_regions=("Europe",), transport_modes=("road",))).tolist()
    [True, False, False]
    >>> traffic_mask(t, CaseFilter(departure_countries=("CO",))).tolist()
    [False, False, False]
    """
    keep = np.ones(len(frame), dtype=bool)
    for c in _on_traffic("movements"):
        if not c.is_set(flt):
            continue
        column = str(c.on_traffic.column)
        if column not in frame.columns:
            return np.zeros(len(frame), dtype=bool)
        keep &= c.mask(frame[column], flt)
    return keep


def _seizures_in_scope(store: Store, flt: CaseFilter) -> pd.MultiIndex:
    """(reporting_country, case_id) of the stored cases that ``flt`` selects."""
    from workbench.store import DATA_TABLES

    cases = DATA_TABLES["cases"]
    stmt = flt.to_sql(sa.select(cases.c.reporting_country, cases.c.case_id))
    with store.engine.connect() as conn:
        rows = conn.execute(stmt).fetchall()
    return pd.MultiIndex.from_tuples(
        [tuple(r) for r in rows] or [("", "")], names=["reporting_country", "case_id"]
    )


def scope_traffic(frame: pd.DataFrame, flt: CaseFilter, store: Store | None = None) -> pd.DataFrame:
    """The traffic as the shared case filter reads it (:data:`FILTER_ON_TRAFFIC`): the movements its
    criteria on movements select; with criteria on the outcome (commodity, detection method), ``seized``
    only where the seizure's case in ``store`` matches them. Returns ``frame`` itself when the filter is
    empty.
    """
    if flt.is_empty:
        return frame
    out = frame.loc[traffic_mask(frame, flt)]
    outcome = _outcome_filter(flt)
    if not outcome.is_empty and "seized" in out.columns:
        if store is None:
            raise ValueError(
                _(
                    "{criteria}: on traffic these select which seizures count, which needs the store "
                    "that holds the seizures",
                    criteria=", ".join(c.title() for c in outcome.set_criteria()),
                )
            )
        keys = _seizures_in_scope(store, outcome)
        known = pd.MultiIndex.from_arrays(
            [out["reporting_country"].astype("str"), out["case_id"].astype("str")]
        ).isin(keys)
        out = out.assign(seized=out["seized"].fillna(False).astype(bool).to_numpy() & known)
    return out.reset_index(drop=True)


def traffic_where(flt: CaseFilter, table: sa.Table = TRAFFIC) -> list[sa.ColumnElement[bool]]:
    """:func:`traffic_mask` as WHERE clauses over the traffic table."""
    return [w for c in _on_traffic("movements") for w in c.sql(table.c[str(c.on_traffic.column)], flt)]


def target_seized_sql(flt: CaseFilter, table: sa.Table = TRAFFIC) -> sa.ColumnElement[bool]:
    """ "Seized" as :func:`scope_traffic` reads it, in SQL: with criteria on the outcome, only a seizure
    whose case in the store matches them."""
    from workbench.store import DATA_TABLES

    seized = table.c.seized.is_(True)
    outcome = _outcome_filter(flt)
    if outcome.is_empty:
        return seized
    cases = DATA_TABLES["cases"].alias("scope_cases")
    sub = outcome.to_sql(
        sa.select(cases.c.id).where(
            cases.c.reporting_country == table.c.reporting_country, cases.c.case_id == table.c.case_id
        ),
        cases,
    )
    return sa.and_(seized, sa.exists(sub.correlate(table)))


def describe_scope(flt: CaseFilter) -> str:
    """One sentence: what of the traffic the filter keeps and which seizures count.

    Examples
    --------
    >>> from workbench.store.filters import CaseFilter
    >>> describe_scope(CaseFilter())
    'All traffic: no filter is set in the sidebar.'
    >>> describe_scope(CaseFilter(transport_modes=("road",), commodity_types=("cocaine",)))
    'Traffic with transport mode road; only seizures of commodity type cocaine count as seized.'
    """
    from workbench.store.criteria import only_seizures

    if flt.is_empty:
        return _("All traffic: no filter is set in the sidebar.")
    rows = [
        _(c.on_traffic.phrase, values=c.values_text(flt)) for c in _on_traffic("movements") if c.is_set(flt)
    ]
    text = _("Traffic {rows}", rows="; ".join(rows)) if rows else _("All traffic")
    goods = [
        _(c.on_traffic.phrase, values=c.values_text(flt)) for c in _on_traffic("outcome") if c.is_set(flt)
    ]
    if goods:
        text = _("{traffic}; {seized}", traffic=text, seized=only_seizures(goods))
    return text + "."


def non_personal_traffic(frame: pd.DataFrame) -> pd.DataFrame:
    """Traffic (scored or not) without personal data, for a user who may not see it: only the traffic's
    own columns and the scoring ones (an uploaded file's unknown columns are unvetted), and no
    conveyance id that points to a person (:func:`workbench.format.privacy.non_personal`).

    Examples
    --------
    >>> t = pd.DataFrame({"score": [40.0, 0.0], "conveyance_type": ["car", "aircraft"],
    ...                   "conveyance_id": ["RK 298HX", "KL1234"], "passenger_name": ["J. Smith", "A. B."]})
    >>> non_personal_traffic(t).to_dict("list")
    {'score': [40.0, 0.0], 'conveyance_type': ['car', 'aircraft'], 'conveyance_id': [None, 'KL1234']}
    """
    from workbench.format.privacy import non_personal

    keep = [c for c in frame.columns if c in ("rank", "score", "flagged", "fired", "source", *COLUMN_NAMES)]
    return non_personal(frame[keep], TABLE)
