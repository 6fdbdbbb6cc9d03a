"""Facts: how a question's answer key is computed from a trainee's variant (its tables and its truth).

A pack's question names a fact and its arguments; :func:`compute` returns the key. Nothing is typed
by hand, so every variant (another seed: other names, places, dates, counts) has its own key.

Selections (``where``) pick cases by ``commodity_type``, ``category``, ``transport_mode``,
``departure_country``, ``destination_country``, ``reporting_country`` (lists), ``transit_any`` (a
transit country among the list), ``since`` / ``until`` (seizure dates).

Examples
--------
>>> from workbench.sample.generator import generate
>>> ds = generate(300, seed=2)
>>> compute(ds, "case_count", {"where": {"commodity_type": ["cocaine"]}}) > 0
True
>>> compute(ds, "truth_set", {"key": "slow_reporters"}) == sorted(ds.truth["slow_reporters"])
True
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from workbench.i18n import _

if TYPE_CHECKING:
    from workbench.sample.generator import SampleDataset

__all__ = ["FACTS", "compute", "case_items", "select"]

_LISTS = (
    "commodity_type",
    "commodity_category",
    "transport_mode",
    "departure_country",
    "destination_country",
    "reporting_country",
    "concealment_method",
)


def case_items(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per item with its case's fields (the shape :func:`workbench.store.frames.seizure_frame`
    gives from a store), from a data set's tables."""
    cases = tables["cases"]
    items = tables["items"].drop(columns=[], errors="ignore")
    return items.merge(cases, on=["reporting_country", "case_id"], how="left")


def select(frame: pd.DataFrame, where: Mapping[str, Any] | None) -> pd.DataFrame:
    """The rows of ``frame`` (items with their case's fields) that ``where`` picks."""
    mask = pd.Series(True, index=frame.index)
    for key, value in (where or {}).items():
        if key == "category":
            key = "commodity_category"
        if key in _LISTS:
            mask &= frame[key].isin(list(value))
        elif key == "transit_any":
            transit = frame["transit_countries"].fillna("").str.split(";")
            mask &= transit.map(set(value).isdisjoint).eq(False)
        elif key == "since":
            mask &= frame["seizure_date"] >= str(value)
        elif key == "until":
            mask &= frame["seizure_date"] <= str(value)
        else:
            raise KeyError(_("unknown selection field {f!r}", f=key))
    return frame[mask]


def _cases(ds: SampleDataset, args: Mapping[str, Any]) -> pd.DataFrame:
    rows = select(case_items(ds.tables), args.get("where"))
    return rows.drop_duplicates(["reporting_country", "case_id"])


def _case_count(ds: SampleDataset, args: Mapping[str, Any]) -> int:
    return len(_cases(ds, args))


def _quantity(ds: SampleDataset, args: Mapping[str, Any]) -> float:
    rows = select(case_items(ds.tables), args.get("where"))
    rows = rows[rows["unit"] == args.get("unit", "kg")]
    return round(float(rows["quantity"].sum()), 1)


#: Fields of the items (several per case): counted per item, the others once per case.
_ITEM_FIELDS = frozenset({"commodity_type", "commodity_category", "unit", "hs_code"})


def _field_values(rows: pd.DataFrame, field: str) -> pd.Series:
    cases = rows if field in _ITEM_FIELDS else rows.drop_duplicates(["reporting_country", "case_id"])
    if field == "transit_countries":
        return cases[field].dropna().str.split(";").explode().loc[lambda s: s != ""]
    return cases[field].dropna()


def _top_values(ds: SampleDataset, args: Mapping[str, Any]) -> list[str] | str:
    """The ``k`` values of ``field`` held by most of the selected cases (ties by name)."""
    values = _field_values(select(case_items(ds.tables), args.get("where")), args["field"])
    among = args.get("among")
    if among:
        values = values[values.isin(list(among))]
    counts = values.value_counts()
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))
    top = [str(v) for v, _n in ranked[: int(args.get("k", 3))]]
    return top[0] if args.get("k", 3) == 1 else top


def _values(ds: SampleDataset, args: Mapping[str, Any]) -> list[str]:
    values = _field_values(select(case_items(ds.tables), args.get("where")), args["field"])
    among = args.get("among")
    if among:
        values = values[values.isin(list(among))]
    return sorted({str(v) for v in values})


def _date_range(ds: SampleDataset, args: Mapping[str, Any]) -> list[str]:
    dates = _cases(ds, args)["seizure_date"].dropna()
    return [str(dates.min()), str(dates.max())]


def _network(ds: SampleDataset, args: Mapping[str, Any]) -> Any:
    """An attribute of the planted network of ``kind`` behind most seizures (the first planted among
    equals): ``shared.<field>``, ``persons`` (ids),
    ``companies`` (ids), ``countries`` (reporting countries), ``cases`` (``RC/case_id``), ``case_count``,
    ``nationalities`` (of its persons)."""
    nets = [n for n in ds.truth["networks"] if n["kind"] == args["kind"]]
    net = max(nets, key=lambda n: len(n["case_keys"]))
    attr = str(args["attribute"])
    if attr.startswith("shared."):
        return str(net["shared"][attr.removeprefix("shared.")])
    if attr == "persons":
        return sorted(net["person_ids"])
    if attr == "companies":
        return sorted(net["company_ids"])
    if attr == "countries":
        return sorted({rc for rc, _c in net["case_keys"]})
    if attr == "cases":
        return sorted(f"{rc}/{c}" for rc, c in net["case_keys"])
    if attr == "case_count":
        return len(net["case_keys"])
    if attr == "nationalities":
        p = ds.tables["persons"]
        return sorted(set(p.loc[p["person_id"].isin(net["person_ids"]), "nationality"].dropna()))
    raise KeyError(_("unknown network attribute {a!r}", a=attr))


def _truth_items(ds: SampleDataset, key: str) -> list[str]:
    if key == "slow_reporters":
        return sorted(ds.truth["slow_reporters"])
    if key == "remarks_with_personal_data":
        return sorted(f"{rc}/{c}" for rc, c in ds.truth["remarks_with_personal_data"])
    if key == "duplicate_persons":
        return sorted(ds.truth["person_variants"])
    if key == "duplicate_companies":
        return sorted(ds.truth["company_variants"])
    raise KeyError(_("unknown truth key {k!r}", k=key))


def _truth_set(ds: SampleDataset, args: Mapping[str, Any]) -> list[str]:
    return _truth_items(ds, str(args["key"]))


def _truth_count(ds: SampleDataset, args: Mapping[str, Any]) -> int:
    return len(_truth_items(ds, str(args["key"])))


def _route(ds: SampleDataset, args: Mapping[str, Any]) -> Any:
    """A field of a planted emerging route (``transport_mode``, ``transit``, ``start``...)."""
    for r in ds.truth["emerging_routes"] + ds.truth["fading_routes"]:
        if r["name"] == args["name"]:
            return r[args["field"]]
    raise KeyError(_("no planted route {r!r}", r=args["name"]))


def _lift(ds: SampleDataset, args: Mapping[str, Any]) -> float:
    """Back-test of an indicator over the seizures: the share of the indicator's cases that hold the
    target, divided by the share of all cases that do (1 = no better than chance)."""
    cases = case_items(ds.tables)
    target = select(cases, args["target"]).drop_duplicates(["reporting_country", "case_id"])
    hit = select(cases, args["indicator"]).drop_duplicates(["reporting_country", "case_id"])
    all_cases = cases.drop_duplicates(["reporting_country", "case_id"])
    keys = set(zip(target["reporting_country"], target["case_id"], strict=True))
    hit_rate = sum(k in keys for k in zip(hit["reporting_country"], hit["case_id"], strict=True)) / max(
        len(hit), 1
    )
    base = len(target) / max(len(all_cases), 1)
    return round(hit_rate / base, 2) if base else 0.0


def _product(ds: SampleDataset, args: Mapping[str, Any]) -> dict[str, Any]:
    """The key of a graded product: the right key judgement (computed by another fact) and what the
    rubric accepts (:func:`workbench.training.grading.grade_product`)."""
    judgement = compute(ds, str(args["judgement_fact"]), args.get("judgement_args", {}))
    return {"judgement": judgement}


#: Every fact a question may name.
FACTS: dict[str, Callable[[SampleDataset, Mapping[str, Any]], Any]] = {
    "case_count": _case_count,
    "quantity": _quantity,
    "top_values": _top_values,
    "values": _values,
    "date_range": _date_range,
    "network": _network,
    "truth_set": _truth_set,
    "truth_count": _truth_count,
    "route": _route,
    "lift": _lift,
    "product": _product,
}


def compute(ds: SampleDataset, fact: str, args: Mapping[str, Any]) -> Any:
    """The value of ``fact`` with ``args`` on the variant ``ds``."""
    return FACTS[fact](ds, args)
