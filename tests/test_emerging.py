"""The emerging-trend detector: hand-computed p-values, a planted change found, stable noisy series not
flagged beyond the stated false-alarm rate (simulated), and the default sample's planted routes flagged."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from tests.conftest import ROOT
from workbench.exchange.seizures import read_seizure_frame
from workbench.store.frames import filter_seizure_frame
from workbench.trends import emerging as E


# ------------------------------------------------------------------------------ the statistics by hand
def test_poisson_p_value_by_hand() -> None:
    # 12 cases against a baseline of 30 in 8 periods: given n = 42, Y ~ Binomial(42, 1/9) under no change
    n, p = 42, 1 / 9
    by_hand = sum(math.comb(n, k) * p**k * (1 - p) ** (n - k) for k in range(12, n + 1))
    assert E.rise_p_value(12, [3, 5, 4, 2, 4, 3, 5, 4], alpha=0.0) == pytest.approx(by_hand, rel=1e-9)


def test_negative_binomial_p_value_by_hand() -> None:
    # overdispersion 0.25: beta-binomial with shapes 1/0.25 = 4 and 4 * 4 = 16, n = 9 + 20
    a, b, n, y = 4.0, 16.0, 29, 9

    def pmf(k: int) -> float:
        log = (
            math.lgamma(n + 1)
            - math.lgamma(k + 1)
            - math.lgamma(n - k + 1)
            + math.lgamma(k + a)
            + math.lgamma(n - k + b)
            - math.lgamma(n + a + b)
            + math.lgamma(a + b)
            - math.lgamma(a)
            - math.lgamma(b)
        )
        return math.exp(log)

    by_hand = sum(pmf(k) for k in range(y, n + 1))
    assert E.rise_p_value(9, [5, 5, 5, 5], alpha=0.25) == pytest.approx(by_hand, rel=1e-9)
    # overdispersion makes the same rise less surprising
    assert E.rise_p_value(9, [5, 5, 5, 5], alpha=0.25) > E.rise_p_value(9, [5, 5, 5, 5], alpha=0.0)


def test_season_factors_enter_the_test() -> None:
    # a December that is usually 1.5 times the average: 15 against a baseline of 10s is what is expected
    plain = E.rise_p_value(15, [10] * 8)
    seasonal = E.rise_p_value(15, [10] * 8, factors=[1.0] * 8, target_factor=1.5)
    assert plain < 0.15 < seasonal


def test_benjamini_hochberg_by_hand() -> None:
    p = [0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216]
    q = E.benjamini_hochberg(p)
    # q_i = min_{j >= i} p_j * m / j
    m = len(p)
    expected = [min(p[j] * m / (j + 1) for j in range(i, m)) for i in range(m)]
    assert q.tolist() == pytest.approx(expected)
    assert (q <= 0.05).sum() == 2


def test_overdispersion_estimate() -> None:
    rng = np.random.default_rng(3)
    mu, alpha = 15.0, 0.3
    nb = rng.negative_binomial(1 / alpha, 1 / (1 + alpha * mu), size=(2000, 8))
    assert E.estimate_overdispersion(nb) == pytest.approx(alpha, abs=0.05)
    assert E.estimate_overdispersion(rng.poisson(15, (2000, 8))) < 0.01
    # growth inside the baseline (a fourfold rise over 8 quarters) is not taken for noise, as it would be
    # by the moment estimator around each series' mean
    trend = rng.poisson(np.geomspace(10, 40, 8), (2000, 8)).astype(float)
    m = trend.mean(axis=1, keepdims=True)
    around_mean = (((trend - m) ** 2 * 8 / 7 - trend).sum()) / (m**2 * 8).sum()
    assert around_mean > 0.15
    assert E.estimate_overdispersion(trend) < 0.03


# ------------------------------------------------------------------------------ planted change
def _frame(counts: dict[str, list[int]], start: str = "2022-01-01", freq: str = "Q") -> pd.DataFrame:
    """A seizure frame whose cases per period and commodity are the given counts."""
    periods = pd.period_range(start, periods=len(next(iter(counts.values()))), freq=freq)
    rows = []
    for commodity, values in counts.items():
        for p, n in zip(periods, values, strict=True):
            rows += [(commodity, p.start_time + pd.Timedelta(days=int(i % 28))) for i in range(n)]
    df = pd.DataFrame(rows, columns=["commodity_type", "seizure_date"])
    df["case_key"] = [f"XX:{i}" for i in range(len(df))]
    df["commodity_category"] = "drugs"
    # the data run to the end of the last period, so it is complete
    end = periods[-1].end_time.normalize()
    last = pd.DataFrame(
        {
            "commodity_type": ["padding"],
            "seizure_date": [end],
            "case_key": ["XX:end"],
            "commodity_category": ["other"],
        }
    )
    return pd.concat([df, last], ignore_index=True)


def test_planted_change_is_found_with_its_effect_and_sentence() -> None:
    rng = np.random.default_rng(5)
    counts = {f"stable_{i}": rng.poisson(20, 9).tolist() for i in range(20)}
    counts["cocaine"] = [15, 16, 14, 15, 17, 13, 15, 15, 41]
    result = E.detect_emerging(_frame(counts), freq="Q", series=[("commodity_type",)], baseline=8)
    assert [f.key["commodity_type"] for f in result.flags] == ["cocaine"]
    flag = result.flags[0]
    assert flag.observed == 41 and flag.period == "2024Q1"
    assert flag.expected == pytest.approx((120 + 0.5) / 8, rel=0.02)  # season factors near 1 here
    assert flag.ratio == pytest.approx(41 / flag.expected)
    assert flag.q_value <= 0.05 and flag.p_value < 1e-6
    assert flag.sentence.startswith("cocaine: 41 cases in 2024Q1 against 15 expected (2.7×, p < 0.001)")
    assert len(result.tested) == 22  # 20 stable, cocaine, and the one-case padding series
    # a flag's filter covers its baseline and its period
    flt = flag.case_filter()
    assert flt.commodity_types == ("cocaine",)
    assert str(flt.date_from) == "2022-01-01" and str(flt.date_to) == "2024-03-31"


def test_a_new_series_from_nothing_is_found() -> None:
    counts = {"stable": [20] * 9, "pangolin_scales": [0] * 8 + [9]}
    result = E.detect_emerging(_frame(counts), series=[("commodity_type",)], baseline=8)
    assert [f.key["commodity_type"] for f in result.flags] == ["pangolin_scales"]
    assert result.flags[0].expected == pytest.approx(0.5 / 8, rel=0.05)


def test_small_or_weak_rises_are_not_flagged() -> None:
    counts = {"a": [1] * 8 + [4], "b": [50] * 8 + [62]}  # too few cases; a 24 % rise on 50 is noise
    result = E.detect_emerging(_frame(counts), series=[("commodity_type",)], baseline=8)
    assert result.flags == []


def test_too_little_history_is_explained() -> None:
    with pytest.raises(ValueError, match="too little history"):
        E.detect_emerging(_frame({"a": [5, 6]}), series=[("commodity_type",)])


# ------------------------------------------------------------------------------ false alarms
@pytest.mark.parametrize(
    ("label", "draw"),
    [
        ("Poisson, mean 3", lambda rng, n: rng.poisson(3, (n, 9))),
        ("Poisson, mean 40", lambda rng, n: rng.poisson(40, (n, 9))),
        (
            "negative binomial, mean 10, alpha 0.3",
            lambda rng, n: rng.negative_binomial(1 / 0.3, 1 / 4, (n, 9)),
        ),
        ("negative binomial, mean 2, alpha 0.5", lambda rng, n: rng.negative_binomial(2, 0.5, (n, 9))),
        (
            "Poisson, means of every size",
            lambda rng, n: rng.poisson(rng.gamma(1.0, 20.0, (n, 1)) * np.ones((1, 9))),
        ),
    ],
)
def test_stable_series_are_not_flagged_beyond_the_stated_rate(label: str, draw) -> None:  # type: ignore[no-untyped-def]
    """Per series: P(p < 0.05) <= 0.05. With Benjamini-Hochberg at 0.05 over 50 stable series, the
    chance of any flag at all is <= 0.05. Both checked over many simulated runs, with a margin of
    three standard errors."""
    rng = np.random.default_rng(11)
    runs, n_series, level = 400, 50, 0.05
    per_series, any_flag = [], 0
    for _ in range(runs):
        scores = E.score_counts(draw(rng, n_series))
        per_series.append(float((scores["p_value"] < level).mean()))
        any_flag += bool((E.benjamini_hochberg(scores["p_value"].to_numpy()) <= level).any())
    rate = float(np.mean(per_series))
    se = math.sqrt(level * (1 - level) / (runs * n_series))
    assert rate <= level + 3 * se, f"{label}: per-series false-alarm rate {rate:.4f}"
    fwer = any_flag / runs
    assert fwer <= level + 3 * math.sqrt(level * (1 - level) / runs), f"{label}: runs with a flag {fwer:.3f}"


def test_detector_end_to_end_on_stable_data_flags_rarely() -> None:
    """The whole detector (series building, season factors, minimum count, ratio) on stable data."""
    rng = np.random.default_rng(23)
    runs, flagged = 60, 0
    for _ in range(runs):
        counts = {f"c{i}": rng.poisson(rng.uniform(2, 30), 12).tolist() for i in range(25)}
        result = E.detect_emerging(_frame(counts, start="2021-01-01"), series=[("commodity_type",)])
        flagged += bool(result.flags)
    assert flagged / runs <= 0.05 + 3 * math.sqrt(0.05 * 0.95 / runs)


# ------------------------------------------------------------------------------ the default sample
def _consistent(flag: E.EmergingFlag, route: dict) -> bool:
    """A flag describes a planted route when its commodity is the route's and nothing else contradicts it."""
    from workbench.format.reference import rilo

    k = flag.key
    if k.get("commodity_type") not in route["commodity_type"]:
        return False
    places = set(route["departure"]) | set(route["transit"]) | set(route["destination"])
    checks = {
        "transport_mode": lambda v: v in route["transport_mode"],
        "destination_rilo": lambda v: v in {rilo(d) for d in route["destination"]},
        "destination_country": lambda v: v in route["destination"],
        "origin_country": lambda v: v in route["departure"],
        "reporting_country": lambda v: v in places,
        "route": lambda v: (
            v.removesuffix(" (inferred)").split(" → ")[0] in route["departure"]
            and v.removesuffix(" (inferred)").split(" → ")[-1] in route["destination"]
        ),
    }
    specific = [c for c in k if c in checks]
    return bool(specific) and all(checks[c](k[c]) for c in specific)


@pytest.fixture(scope="module")
def default_result() -> E.EmergingResult:
    frame, rejections = read_seizure_frame(ROOT / "sample_data" / "default")
    assert rejections == []
    return E.detect_emerging(frame)


def test_the_planted_emerging_routes_of_the_default_sample_are_flagged(
    default_result: E.EmergingResult,
) -> None:
    truth = json.loads((ROOT / "sample_data" / "default_truth.json").read_text())
    routes = truth["emerging_routes"]
    assert len(routes) == 3
    for route in routes:
        hits = [f for f in default_result.flags if _consistent(f, route)]
        assert hits, f"planted route {route['name']} was not flagged"
    sentences = [f.sentence for f in default_result.flags]
    assert any(s.startswith("cocaine by express courier into Western Europe:") for s in sentences)
    # nothing the sample did not plant rises: every flag is one of the planted routes' commodities
    planted = {t for r in routes for t in r["commodity_type"]}
    assert {f.key["commodity_type"] for f in default_result.flags} <= planted


def test_flag_filter_and_series_point_at_the_route(default_result: E.EmergingResult) -> None:
    frame, _ = read_seizure_frame(ROOT / "sample_data" / "default")
    flag = next(f for f in default_result.flags if "route" in f.key)
    origin, destination = flag.route()  # type: ignore[misc]
    assert flag.key["route"].startswith(f"{origin} → {destination}")
    series = E.flag_series(frame, flag)
    assert int(series["cases"].iloc[-1]) == flag.observed
    # the flag's filter selects its cases (on the route; the filter cannot express the route itself)
    sub = filter_seizure_frame(frame, flag.case_filter())
    assert set(sub["commodity_type"].astype(str)) == {flag.key["commodity_type"]}
    table = default_result.table()
    assert list(table.columns[:3]) == ["series", "split", "period"]
    assert {"observed", "expected", "ratio", "p_value", "q_value", "sentence"} <= set(table.columns)
