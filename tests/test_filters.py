"""The one filter declaration (workbench.store.criteria.CRITERIA) and the engines built from it.

Every engine gives the same answer for every filter of a big table, on SQLite and PostgreSQL: SQL
(``CaseFilter.to_sql``), pandas (``CaseFilter.mask``), the seizure frames' join, the file-based filter
(``filter_seizure_frame`` / ``read_seizure_frame``) and the traffic filter (pandas and SQL). The table
holds one filter per declared criterion, built from the options the store offers, so a criterion added
to the declaration is held to the same answer without touching this file; and the engines' modules
name no criterion themselves.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa

from tests.conftest import ROOT
from workbench.store import open_store
from workbench.store.criteria import CRITERIA, Criterion, criterion, offered_values, period_bounds
from workbench.store.filters import CaseFilter
from workbench.store.queries import filter_options, load_cases, load_items

#: Hand-picked filters: several criteria together, regions with countries, categories with types.
COMBINED: dict[str, CaseFilter] = {
    "none": CaseFilter(),
    "from a date": CaseFilter(date_from=dt.date(2023, 1, 1)),
    "period and category": CaseFilter(
        date_from="2021-03-01", date_to="2021-12-31", commodity_categories=["drugs"]
    ),
    "categories and mode": CaseFilter(
        commodity_categories=("tobacco", "ipr"), transport_modes=("sea_container",)
    ),
    "type and countries": CaseFilter(commodity_types=("cocaine",), reporting_countries=("ES", "NL", "BE")),
    "region": CaseFilter(wco_regions=("Europe",)),
    "region and countries in and out of it": CaseFilter(
        wco_regions=("Europe",), reporting_countries=("ES", "CO")
    ),
    "category and type on one item": CaseFilter(
        commodity_categories=("drugs",), commodity_types=("cocaine", "cigarettes")
    ),
    "departure and mode": CaseFilter(
        departure_countries=("CO", "BR", "EC"), transport_modes=("air_passenger",)
    ),
    "detection and category": CaseFilter(detection_methods=("sniffer_dog",), commodity_categories=("drugs",)),
    "every criterion": CaseFilter(
        date_from="2020-01-01",
        date_to="2025-06-30",
        wco_regions=("Europe",),
        reporting_countries=("ES", "NL", "FR", "BE", "DE"),
        departure_countries=("CO", "BR", "EC", "PE"),
        commodity_categories=("drugs",),
        commodity_types=("cocaine",),
        transport_modes=("sea_container", "air_passenger", "air_cargo"),
        detection_methods=("risk_profiling", "scanner", "intelligence"),
    ),
}


# ------------------------------------------------------------------------------------ the data
@pytest.fixture(scope="module")
def filled(module_store_url: str, small_sample, small_sample_dir: Path) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The small sample and traffic around it, in a store (SQLite or PostgreSQL) and read back."""
    from workbench.exchange.ingest import import_path
    from workbench.exchange.seizures import read_seizure_frame
    from workbench.risk.traffic import generate_traffic, load_traffic, store_traffic

    store = open_store(module_store_url)
    assert import_path(small_sample_dir, store).status == "accepted"
    store_traffic(store, generate_traffic(small_sample, innocent_per_seizure=2), "gen")
    file_frame, rejections = read_seizure_frame(small_sample_dir)
    assert not rejections
    return {
        "store": store,
        "cases": load_cases(store),
        "items": load_items(store),
        "file_frame": file_frame,
        "traffic": load_traffic(store, "gen"),
        "options": filter_options(store),
    }


def one_criterion(c: Criterion, options: dict[str, Any]) -> CaseFilter:
    """A filter on criterion ``c`` alone that selects some cases but not all: the middle of the period,
    or two of the values the store offers (one for a list narrowed by another)."""
    if c.kind == "period":
        lo, hi = period_bounds(c, options)
        assert lo and hi
        third = (hi - lo) / 3
        return CaseFilter(**dict(zip(c.fields, (lo + third, hi - third), strict=True)))
    offered = offered_values(c, options, CaseFilter())
    return CaseFilter(**{c.fields[0]: tuple(offered[1:3])})


def keys(df: pd.DataFrame) -> set[tuple[str, str]]:
    return set(zip(df["reporting_country"].astype(str), df["case_id"].astype(str), strict=True))


def item_rows(frame: pd.DataFrame) -> set[tuple[str, int]]:
    rows = frame.dropna(subset=["item_no"])
    return set(zip(rows["case_key"].astype(str), rows["item_no"].astype(int), strict=True))


def engines_agree(filled: dict[str, Any], flt: CaseFilter) -> set[tuple[str, str]]:
    """Every engine selects the same cases (and items) for ``flt``; returns the cases."""
    from workbench.risk.traffic import TRAFFIC, scope_traffic, target_seized_sql, traffic_where
    from workbench.store.frames import filter_seizure_frame, seizure_frame

    store = filled["store"]
    via_sql = keys(load_cases(store, flt))
    via_pandas = keys(flt.apply(filled["cases"], filled["items"]))
    assert via_sql == via_pandas

    # the seizure frame of the store (joined in SQL) and of the files (filtered in pandas)
    frame = seizure_frame(store, flt)
    from_files = filter_seizure_frame(filled["file_frame"], flt)
    assert keys(frame) == keys(from_files) == via_sql
    assert item_rows(frame) == item_rows(from_files)
    if flt.has_item_criteria:  # only the items of the filtered commodities
        assert flt.item_mask(frame).all() and len(item_rows(frame)) < len(filled["items"])

    # traffic: the seizures in scope are the cases selected, in pandas and in SQL
    traffic = filled["traffic"]
    scoped = scope_traffic(traffic, flt, store)
    assert keys(scoped[scoped["seized"]]) == via_sql
    with store.engine.connect() as conn:
        moves, seized = conn.execute(
            sa.select(sa.func.count(), sa.func.sum(sa.case((target_seized_sql(flt), 1), else_=0)))
            .select_from(TRAFFIC)
            .where(TRAFFIC.c.source == "gen", *traffic_where(flt))
        ).one()
    assert (moves, int(seized or 0)) == (len(scoped), int(scoped["seized"].sum()))
    return via_sql


@pytest.mark.parametrize("name", [c.name for c in CRITERIA])
def test_every_criterion_alone_gives_one_answer_in_every_engine(name: str, filled: dict[str, Any]) -> None:
    flt = one_criterion(criterion(name), filled["options"])
    assert flt.set_criteria() == (criterion(name),)
    selected = engines_agree(filled, flt)
    assert 0 < len(selected) < len(filled["cases"]), flt.describe()


@pytest.mark.parametrize("name", list(COMBINED))
def test_combined_filters_give_one_answer_in_every_engine(name: str, filled: dict[str, Any]) -> None:
    flt = COMBINED[name]
    selected = engines_agree(filled, flt)
    if flt.is_empty:
        assert len(selected) == len(filled["cases"])
    else:
        assert 0 < len(selected) < len(filled["cases"]), flt.describe()


def test_the_table_sets_every_criterion() -> None:
    assert {c for f in COMBINED.values() for c in f.set_criteria()} == set(CRITERIA)


def test_reading_files_with_a_filter(small_sample_dir: Path, filled: dict[str, Any]) -> None:
    from workbench.exchange.seizures import read_seizure_frame
    from workbench.store.frames import filter_seizure_frame

    flt = COMBINED["every criterion"]
    frame, _rejections = read_seizure_frame(small_sample_dir, flt)
    assert item_rows(frame) == item_rows(filter_seizure_frame(filled["file_frame"], flt))
    assert len(frame)


def test_a_criterion_narrowed_by_another_offers_only_its_values(filled: dict[str, Any]) -> None:
    types = criterion("commodity_type")
    everything = offered_values(types, filled["options"], CaseFilter())
    tobacco = offered_values(types, filled["options"], CaseFilter(commodity_categories=("tobacco",)))
    items = filled["items"]
    assert set(tobacco) == set(items.loc[items["commodity_category"] == "tobacco", "commodity_type"])
    assert set(tobacco) < set(everything)


def test_options_come_from_where_the_declaration_says(filled: dict[str, Any]) -> None:
    from workbench.format.reference import WCO_REGIONS

    opts, cases = filled["options"], filled["cases"]
    assert opts["wco_region"] == WCO_REGIONS  # a vocabulary, whatever the store holds
    assert set(opts["departure_country"]) == set(cases["departure_country"].dropna())
    lo, hi = opts["period"]
    assert (lo, hi) == (cases["seizure_date"].min().date(), cases["seizure_date"].max().date())


# ------------------------------------------------------------------------------ the declaration
#: Modules that build on the declaration: none of them may name a criterion's field itself.
ENGINES = [
    "workbench/store/frames.py",
    "workbench/store/queries.py",
    "workbench/risk/traffic.py",
    "workbench/ui/sidebar.py",
    *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "workbench" / "cli").glob("*.py")),
]


def criteria_named_in(path: Path) -> list[str]:
    """Fields of the filter that the code of ``path`` reads or sets by name (``flt.transport_modes``,
    ``transport_modes=...``); docstrings and comments do not count."""
    import ast

    wanted = {f for c in CRITERIA for f in c.fields}
    named = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute) and node.attr in wanted:
            named.add(node.attr)
        elif isinstance(node, ast.keyword) and node.arg in wanted:
            named.add(node.arg)
    return sorted(named)


@pytest.mark.parametrize("module", ENGINES)
def test_engines_restate_no_criterion(module: str) -> None:
    named = criteria_named_in(ROOT / module)
    assert not named, f"{module} names criteria fields {named}: iterate workbench.store.criteria.CRITERIA"


def test_the_restating_check_can_fail(tmp_path: Path) -> None:
    code = tmp_path / "engine.py"
    code.write_text("def f(flt):\n    return flt.transport_modes or CaseFilter(detection_methods=())\n")
    assert criteria_named_in(code) == ["detection_methods", "transport_modes"]


def test_the_declaration_and_the_fields_match() -> None:
    from dataclasses import fields

    assert sorted(f for c in CRITERIA for f in c.fields) == sorted(f.name for f in fields(CaseFilter))
    flags = [flag for c in CRITERIA for flag in c.flags]
    assert len(flags) == len(set(flags))


def test_a_field_without_its_criterion_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import workbench.store.filters as filters

    monkeypatch.setattr(filters, "CRITERIA", tuple(c for c in CRITERIA if c.name != "detection_method"))
    with pytest.raises(TypeError, match="fields without a criterion \\['detection_methods'\\]"):
        filters._check_declaration()


def test_a_criterion_must_name_a_column_of_the_format() -> None:
    with pytest.raises(ValueError, match="not in the format"):
        Criterion(
            name="colour",
            fields=("colours",),
            kind="choice",
            table="cases",
            column="colour",
            label="Colour",
            help="",
            flags=("--colour",),
            on_traffic=criterion("transport_mode").on_traffic,
        )


@pytest.mark.parametrize("c", CRITERIA, ids=lambda c: c.name)
def test_every_criterion_says_what_it_is(c: Criterion) -> None:
    assert c.title() and c.help_text() and "{" not in c.help_text()
    assert c.on_traffic.note
    values = ("a", "b", "c") if c.within is None else (("x", "a"), ("x", "b"), ("x", "c"))
    flt = one_criterion(
        c, {c.name: (dt.date(2020, 1, 1), dt.date(2023, 1, 1)) if c.kind == "period" else values}
    )
    assert flt.describe() != CaseFilter().describe()
    assert CaseFilter.from_dict(flt.to_dict()) == flt and hash(CaseFilter.from_dict(flt.to_dict())) == hash(
        flt
    )


# ------------------------------------------------------------------------------ the filter object
def test_bad_period_is_refused() -> None:
    with pytest.raises(ValueError, match="starts"):
        CaseFilter(date_from="2024-02-01", date_to="2024-01-01")


def test_round_trip_dict() -> None:
    f = CaseFilter(date_from="2024-01-01", commodity_categories=["drugs"], detection_methods="scanner")
    assert f.detection_methods == ("scanner",)
    assert CaseFilter.from_dict(f.to_dict()) == f
    assert hash(f) == hash(CaseFilter.from_dict(f.to_dict()))


def test_describe_names_every_criterion_set() -> None:
    text = COMBINED["every criterion"].describe()
    for part in (
        "from 2020-01-01",
        "to 2025-06-30",
        "WCO region: Europe",
        "reporting country: ES",
        "departure country: CO, BR",
        "commodity category: drugs",
        "commodity type: cocaine",
        "transport mode: sea_container",
        "detection method: risk_profiling",
    ):
        assert part in text


def test_the_criteria_on_items_need_the_items() -> None:
    cases = pd.DataFrame({"reporting_country": ["FR"], "case_id": ["1"], "seizure_date": ["2024-01-01"]})
    with pytest.raises(ValueError, match="items"):
        CaseFilter(commodity_types=("cocaine",)).mask(cases)


def test_narrowed_sets_the_criteria_a_series_names() -> None:
    flt = CaseFilter(date_from="2024-01-01").narrowed(
        {"detection_method": "scanner", "wco_region": "Europe", "route": "CO → NL", "rilo": "Western Europe"}
    )
    assert flt == CaseFilter(date_from="2024-01-01", detection_methods=("scanner",), wco_regions=("Europe",))


def test_countries_combines_country_and_region() -> None:
    assert CaseFilter().countries() is None
    assert CaseFilter(wco_regions=("Europe",), reporting_countries=("ES", "CO")).countries() == ("ES",)
    assert "FR" in (CaseFilter(wco_regions=("Europe",)).countries() or ())
