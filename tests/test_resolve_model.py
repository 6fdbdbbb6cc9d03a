"""The Fellegi-Sunter match model (EM without labels), the identifier-free blocking, the field-by-field
explanation of a pair, and the Duplicates page that renders it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT, state_purpose
from workbench.network.fellegi_sunter import estimate, term_frequency_adjustment
from workbench.network.resolve import (
    PERSON_LEVELS,
    blocking_recall,
    candidate_pairs,
    load_febrl,
    match_explanation,
    pairwise_quality,
    person_features,
    resolve_persons,
)


def _simulated(n: int, seed: int, prior: float, m: dict, u: dict) -> tuple[dict, np.ndarray]:  # type: ignore[type-arg]
    rng = np.random.default_rng(seed)
    match = rng.random(n) < prior
    levels = {}
    for f in m:
        k = len(m[f])
        levels[f] = np.where(match, rng.choice(k, n, p=m[f]), rng.choice(k, n, p=u[f]))
    return levels, match


def test_em_recovers_the_parameters_it_was_not_told() -> None:
    """Pairs drawn from known m, u and prior: EM started far from them finds them again."""
    true_m = {"name": [0.7, 0.2, 0.1], "dob": [0.85, 0.1, 0.05], "city": [0.8, 0.2]}
    true_u = {"name": [0.02, 0.08, 0.9], "dob": [0.01, 0.04, 0.95], "city": [0.1, 0.9]}
    levels, match = _simulated(40_000, 3, 0.15, true_m, true_u)
    start = {f: (np.linspace(2, 1, len(true_m[f])), np.linspace(1, 2, len(true_m[f]))) for f in true_m}
    model = estimate(levels, start, prior=0.5, prior_pairs=0)  # type: ignore[arg-type]
    assert model.converged
    assert model.prior == pytest.approx(0.15, abs=0.01)
    for f in true_m:
        assert np.abs(model.m[f] - true_m[f]).max() < 0.02, f
        assert np.abs(model.u[f] - true_u[f]).max() < 0.02, f
    # the posterior separates the simulated matches
    p = model.probability(levels)
    assert ((p >= 0.5) == match).mean() > 0.97


def test_a_trait_shared_with_the_name_is_estimated_beside_em_not_by_it() -> None:
    """A trait (nationality) that many non-matching candidate pairs share, because it goes with the
    name they were blocked on: EM over it takes "same trait" for the match class; as an auxiliary field
    it gets its m and u from the other fields' probabilities and the match class stays the identities."""
    rng = np.random.default_rng(5)
    n = 30_000
    match = rng.random(n) < 0.02
    name = np.where(match, rng.choice(2, n, p=[0.9, 0.1]), rng.choice(2, n, p=[0.2, 0.8]))
    dob = np.where(match, rng.choice(2, n, p=[0.9, 0.1]), rng.choice(2, n, p=[0.05, 0.95]))
    # non-matches share the nationality when they share the name (a naming tradition)
    nat = np.where(
        match, 0, np.where(name == 0, rng.choice(2, n, p=[0.95, 0.05]), rng.choice(2, n, p=[0.2, 0.8]))
    )
    address = np.where(match, rng.choice(2, n, p=[0.6, 0.4]), rng.choice(2, n, p=[0.02, 0.98]))
    levels = {"name": name, "dob": dob, "nationality": nat, "address": address}
    start = {f: ([0.7, 0.3], [0.3, 0.7]) for f in levels}
    plain = estimate(levels, start, prior=0.2)
    aux = estimate(levels, start, prior=0.2, auxiliary=["nationality"])
    assert plain.prior > 0.1  # "same nationality" taken for the match class
    assert aux.prior == pytest.approx(0.02, abs=0.01)
    assert aux.m["nationality"][0] > 0.85  # estimated after EM, from the match probabilities
    assert match[aux.probability(levels) >= 0.5].mean() > 3 * match[plain.probability(levels) >= 0.5].mean()


def test_em_on_a_handful_of_pairs_stays_near_its_start() -> None:
    start = {"name": ([0.8, 0.2], [0.1, 0.9])}
    model = estimate({"name": np.array([0, 1, 1])}, start, prior=0.2)
    assert np.abs(model.m["name"] - [0.8, 0.2]).max() < 0.1
    # a blank comparison (-1) adds nothing
    assert model.match_weight({"name": np.array([-1])})[0] == pytest.approx(model.prior_weight)


def test_term_frequency_adjustment_rewards_rare_names() -> None:
    names = pd.Series(["smith"] * 50 + ["zabolotny", "zabolotny"] + [""] * 5)
    adj = term_frequency_adjustment(names, np.array([True, True, False]), np.array([0, 50, 51]))
    assert adj[0] < 0 < adj[1] and adj[2] == 0.0


@pytest.mark.parametrize("number", ["1", "3", "4"])
def test_blocking_keeps_the_true_pairs_without_identifiers(number: str) -> None:
    persons, truth = load_febrl(number)
    f = person_features(persons.assign(passport_number=""))
    i, j, stats = candidate_pairs(f)
    r = blocking_recall(i, j, truth)
    print(f"FEBRL {number} without identifiers: blocking recall {r['blocking_recall']:.4f}, {len(i):,} pairs")
    assert r["blocking_recall"] >= 0.98
    assert len(i) <= 4 * len(persons)  # a few pairs per record, not n^2


def test_model_beats_the_hand_weights_without_identifiers() -> None:
    persons, truth = load_febrl("3")
    noid = persons.assign(passport_number="")
    weights = pairwise_quality(resolve_persons(noid, method="weights").assignments["entity_id"], truth)
    model = pairwise_quality(resolve_persons(noid).assignments["entity_id"], truth)
    print(f"FEBRL 3 without identifiers: hand weights F1 {weights['f1']:.4f}, model F1 {model['f1']:.4f}")
    assert weights["f1"] < 0.9 < 0.95 <= model["f1"]
    with pytest.raises(ValueError, match="method"):
        resolve_persons(noid, method="magic")  # type: ignore[arg-type]


def _pair() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "person_id": ["A", "B", "C"],
            "first_name": ["Youssef", "YUSUF", "Ana"],
            "last_name": ["El Amrani", "El-Amrani", "Silva"],
            "date_of_birth": ["1990-04-07", "1990-07-04", "1980-01-01"],
            "nationality": ["MA", "ES", "PT"],
            "address": ["12 Rue de Fes, Tanger", "12 Rue de Fes, Tanger", ""],
        }
    )


@pytest.mark.parametrize("method", ["model", "weights"])
def test_match_explanation_adds_up_to_the_score(method: str) -> None:
    persons = _pair()
    res = resolve_persons(persons, method=method)  # type: ignore[arg-type]
    row = res.matches.iloc[0]
    table = match_explanation(res, int(row["left"]), int(row["right"])).set_index("field")
    assert table.loc["total", "match_weight"] == pytest.approx(table["match_weight"].drop("total").sum())
    assert table.loc["total", "probability"] == pytest.approx(row["score"], abs=1e-4)
    assert table.loc["address", "outcome"] == "agreed"
    assert table.loc["dob", "level"] == "swapped" and table.loc["dob", "outcome"] == "partly"
    assert table.loc["nationality", "outcome"] == "differed" and table.loc["nationality", "match_weight"] < 0
    assert table.loc["passport", "outcome"] == "blank" and table.loc["passport", "match_weight"] == 0
    assert table.loc["dob", "value_a"] == "1990-04-07" and table.loc["dob", "value_b"] == "1990-07-04"
    assert table.loc["name", "similarity"] > 0.9
    if method == "model":
        m, u = table.loc["address", "m"], table.loc["address", "u"]
        assert table.loc["address", "bayes_factor"] == pytest.approx(m / u)
        assert set(table.index) >= set(PERSON_LEVELS) | {"prior", "term_frequency", "total"}
    with pytest.raises(ValueError, match="not two records"):
        match_explanation(res, 0, 0)


def _duplicates_page(url: str, role: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("WORKBENCH_DB_URL", url)
    monkeypatch.setenv("WORKBENCH_ROLE", role)
    monkeypatch.setenv("WORKBENCH_USER", f"test-{role}")
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    app.run()
    state_purpose(app)  # persons are shown once the purpose of the consultation is stated
    app.switch_page("pages/entities.py")
    app.run()
    assert not app.exception, app.exception
    return app


def test_duplicates_page_explains_the_pair_field_by_field(
    seeded_sqlite: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = _duplicates_page(seeded_sqlite, "analyst", monkeypatch)
    evidence = next(d.value for d in app.dataframe if "Bayes factor" in d.value.columns)
    assert evidence.columns.tolist() == [
        "Field",
        "Record A",
        "Record B",
        "Outcome",
        "m",
        "u",
        "Bayes factor",
        "Weight",
    ]
    assert {"Name", "Date of birth", "Address", "How common the name is"} <= set(evidence["Field"])
    assert evidence["Outcome"].str.contains("agree|differ|similar|blank|swapped|off|shared").any()
    caption = next(c.value for c in app.caption if "match probability" in c.value)
    # the caption's total is the sum of the weights shown, and the probability the pair's score
    assert f"{evidence['Weight'].sum():+.2f}" in caption
    shown = next(d.value for d in app.dataframe if "Match score" in d.value.columns)
    probability = float(caption.split("probability of ")[1].rstrip("."))
    assert probability == pytest.approx(shown["Match score"].iloc[0], abs=1e-3)
    # another pair selected: its own explanation
    app.selectbox(key="dup_show").set_value("linked").run()
    assert not app.exception, app.exception


def test_duplicates_page_shows_no_evidence_to_a_viewer(
    seeded_sqlite: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a viewer's menu has no Duplicates page (needs=view_personal): its address opens nothing
    with pytest.raises(ValueError, match="pages/entities.py"):
        _duplicates_page(seeded_sqlite, "viewer", monkeypatch)
