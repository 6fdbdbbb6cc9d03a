"""The Fellegi-Sunter match model: per-field m and u probabilities estimated by EM, Bayes factors, and
the match probability of each compared pair.

Each compared pair has, per field, a *comparison level* (an integer code: 0 the strongest agreement,
then weaker ones, the last "different"; -1 when either side is blank, which is neutral). For a level,
``m`` is the probability of that level among true matches, ``u`` among non-matches; ``m / u`` is the
level's Bayes factor and ``log2(m / u)`` its match weight. A pair's match weight is the prior's
log-odds plus the sum over fields; its match probability is ``2**w / (1 + 2**w)``.

The parameters are estimated from the data, without labels, by expectation-maximisation over the
blocked candidate pairs (as Splink does), with a Dirichlet prior (the starting ``m`` and ``u`` counted
as ``prior_pairs`` pseudo-pairs) so a small table (a handful of pairs) stays near the starting values
and a large one follows its data. Exact agreement on a value can be adjusted for the value's frequency
(a common surname says less than a rare one): :func:`term_frequency_adjustment`.

Why a small numpy EM rather than Splink: Splink 5 pulls DuckDB and much more, and it would want its
own copy of the comparisons; the resolver already computes the comparison levels (with the graph's
normalisers), so the model only needs the few lines of EM below, vectorised with ``np.bincount``.

Examples
--------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> match = rng.random(2000) < 0.3
>>> name = np.where(match, rng.choice(3, 2000, p=[0.8, 0.15, 0.05]), rng.choice(3, 2000, p=[0.05, 0.15, 0.8]))
>>> dob = np.where(match, rng.choice(2, 2000, p=[0.9, 0.1]), rng.choice(2, 2000, p=[0.1, 0.9]))
>>> start = {"name": ([0.6, 0.3, 0.1], [0.2, 0.3, 0.5]), "dob": ([0.7, 0.3], [0.3, 0.7])}
>>> model = estimate({"name": name, "dob": dob}, start, prior=0.5)
>>> round(model.prior, 1), [round(float(x), 1) for x in model.m["name"]]
(0.3, [0.8, 0.2, 0.1])
>>> bool(model.probability({"name": np.array([0]), "dob": np.array([0])})[0] > 0.95)
True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["MatchModel", "estimate", "term_frequency_adjustment", "agreement_by_chance"]

#: Probabilities are kept within [_FLOOR, 1 - _FLOOR]: a level never seen among matches is very
#: unlikely for them, not impossible.
_FLOOR = 1e-4


@dataclass
class MatchModel:
    """Estimated parameters: ``m[field][level]``, ``u[field][level]`` and ``prior`` (the share of
    candidate pairs that are matches); ``iterations`` run and whether EM ``converged``."""

    m: dict[str, np.ndarray]
    u: dict[str, np.ndarray]
    prior: float
    iterations: int = 0
    converged: bool = False
    history: list[float] = field(default_factory=list)

    def bayes_factors(self, field_name: str) -> np.ndarray:
        """``m / u`` of each level of ``field_name``."""
        return self.m[field_name] / self.u[field_name]

    def field_weights(self, levels: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Match weight (log2 Bayes factor) of each pair, per field; 0 where the level is -1 (blank)."""
        out = {}
        for f, lv in levels.items():
            w = np.log2(self.bayes_factors(f))
            codes = np.asarray(lv)
            out[f] = np.where(codes >= 0, w[np.clip(codes, 0, None)], 0.0)
        return out

    @property
    def prior_weight(self) -> float:
        """The prior's log2 odds: the weight every pair starts from."""
        return float(np.log2(self.prior / (1 - self.prior)))

    def match_weight(
        self, levels: Mapping[str, np.ndarray], adjustments: np.ndarray | None = None
    ) -> np.ndarray:
        """Total match weight of each pair: prior + fields (+ ``adjustments``, e.g. term frequency)."""
        n = len(next(iter(levels.values()))) if levels else 0
        total = np.full(n, self.prior_weight)
        for w in self.field_weights(levels).values():
            total += w
        if adjustments is not None:
            total += adjustments
        return total

    def probability(
        self, levels: Mapping[str, np.ndarray], adjustments: np.ndarray | None = None
    ) -> np.ndarray:
        """Match probability of each pair."""
        return probability_of_weight(self.match_weight(levels, adjustments))

    def parameters(self, labels: Mapping[str, Sequence[str]] | None = None) -> pd.DataFrame:
        """One row per field and level: ``m``, ``u``, ``bayes_factor``, ``match_weight``."""
        rows = []
        for f in self.m:
            names = list(labels[f]) if labels and f in labels else [str(k) for k in range(len(self.m[f]))]
            for k, (m, u) in enumerate(zip(self.m[f], self.u[f], strict=True)):
                rows.append(
                    {
                        "field": f,
                        "level": names[k],
                        "m": m,
                        "u": u,
                        "bayes_factor": m / u,
                        "match_weight": np.log2(m / u),
                    }
                )
        return pd.DataFrame(rows)


def probability_of_weight(weight: np.ndarray) -> np.ndarray:
    """``2**w / (1 + 2**w)``, computed without overflow."""
    return 1.0 / (1.0 + np.exp2(-np.clip(weight, -60, 60)))


def _normalised(counts: np.ndarray) -> np.ndarray:
    p = np.clip(counts / max(counts.sum(), 1e-12), _FLOOR, 1 - _FLOOR)
    return p / p.sum()


def estimate(
    levels: Mapping[str, np.ndarray],
    start: Mapping[str, tuple[Sequence[float], Sequence[float]]],
    *,
    prior: float = 0.1,
    prior_pairs: float = 50.0,
    fixed_u: Sequence[str] = (),
    max_iter: int = 100,
    tol: float = 1e-6,
    adjustments: np.ndarray | None = None,
    auxiliary: Sequence[str] = (),
) -> MatchModel:
    """Estimate ``m``, ``u`` and the prior by EM from the comparison levels of the candidate pairs.

    ``levels``: per field, one integer code per pair (-1 for blank). ``start``: per field, the starting
    ``(m, u)`` per level; they also act as a Dirichlet prior worth ``prior_pairs`` pairs, which keeps
    a small table near them. ``fixed_u``: fields whose ``u`` stays at its start (for a field the
    blocking made agree more often among non-matches than it would at random, EM cannot tell agreement
    from match). ``adjustments``: extra log2 weight per pair held fixed during EM (term frequency).
    ``auxiliary``: fields that EM does not read; their ``m`` and ``u`` are
    estimated once from the other fields' final match probabilities. For traits many records share
    and that go with another field (a nationality with a naming tradition): EM over them can take
    "same trait" for the match class.
    """
    every = list(start)
    fields = [f for f in every if f not in auxiliary]
    codes = {f: np.asarray(levels[f], dtype=np.int64) for f in every}
    n_pairs = len(next(iter(codes.values()))) if codes else 0
    m0 = {f: _normalised(np.asarray(start[f][0], dtype=float)) for f in every}
    u0 = {f: _normalised(np.asarray(start[f][1], dtype=float)) for f in every}
    core = MatchModel({f: m0[f].copy() for f in fields}, {f: u0[f].copy() for f in fields}, float(prior))
    if n_pairs == 0:
        return MatchModel(m0, u0, float(prior))
    prior0 = float(prior)

    def m_step(f: str, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Expected counts per level among matches and non-matches, with the Dirichlet prior."""
        c = codes[f]
        seen = c >= 0
        k = len(m0[f])
        cm = np.bincount(c[seen], weights=p[seen], minlength=k)
        cu = np.bincount(c[seen], weights=1 - p[seen], minlength=k)
        new_m = _normalised(cm + prior_pairs * m0[f])
        new_u = u0[f] if f in fixed_u else _normalised(cu + prior_pairs * u0[f])
        return new_m, new_u

    core_codes = {f: codes[f] for f in fields}
    for it in range(1, max_iter + 1):
        p = core.probability(core_codes, adjustments)  # E step: each pair's probability of being a match
        new_prior = (p.sum() + prior_pairs * prior0) / (n_pairs + prior_pairs)
        change = abs(new_prior - core.prior)
        for f in fields:  # M step
            new_m, new_u = m_step(f, p)
            change = max(
                change, float(np.abs(new_m - core.m[f]).max()), float(np.abs(new_u - core.u[f]).max())
            )
            core.m[f], core.u[f] = new_m, new_u
        core.prior = float(np.clip(new_prior, _FLOOR, 1 - _FLOOR))
        core.history.append(change)
        core.iterations = it
        if change < tol:
            core.converged = True
            break
    p = core.probability(core_codes, adjustments)
    model = MatchModel({}, {}, core.prior, core.iterations, core.converged, core.history)
    for f in every:  # in the order given; auxiliary fields from the core model's probabilities
        model.m[f], model.u[f] = (core.m[f], core.u[f]) if f in fields else m_step(f, p)
    return model


def term_frequency_adjustment(
    values: pd.Series,
    agree: np.ndarray,
    left: np.ndarray,
    *,
    cap: float = 6.0,
    frequencies: pd.Series | None = None,
    average: float | None = None,
) -> np.ndarray:
    """Extra log2 weight for pairs agreeing exactly on a value, by how rare the value is.

    ``values``: the field of every record (blank = no value); ``agree``: pairs agreeing exactly;
    ``left``: the row position of one record of each pair. Two random records agree on a value with
    probability ``sum(tf**2)`` on average and ``tf(value)`` given that one holds it (Splink's
    term-frequency adjustment), so agreement on the value is worth ``log2(sum(tf**2) / tf(value))``
    more than agreement on an average value: positive for rare values, negative for common ones.
    Capped at ``±cap`` bits. ``frequencies`` (each value's share) and ``average`` (``sum(tf**2)``):
    those of a larger population than ``values`` (the whole store, for records resolved incrementally).

    >>> names = pd.Series(["smith"] * 8 + ["zed", "abe"])
    >>> term_frequency_adjustment(names, np.array([True, True]), np.array([0, 8])).round(2).tolist()
    [-0.28, 2.72]
    """
    v = values.astype("string").fillna("")
    out = np.zeros(len(agree))
    if frequencies is not None and average is not None:
        tf = frequencies
    else:
        present = v[v != ""]
        if present.empty:
            return out
        tf = present.value_counts(normalize=True)
        average = float((tf**2).sum())
    rows = np.flatnonzero(agree)
    freq = v.iloc[left[rows]].map(tf).to_numpy(dtype=float)
    ok = ~np.isnan(freq)
    out[rows[ok]] = np.clip(np.log2(average / freq[ok]), -cap, cap)
    return out


def agreement_by_chance(values: pd.Series) -> float:
    """Probability that two records picked at random agree on ``values`` (blanks left out):
    ``sum(p**2)`` over the values' shares. The ``u`` of exact agreement on a field compared only for
    equality (nationality, gender), known without EM.

    >>> agreement_by_chance(pd.Series(["FR", "FR", "DE", "", "DE"]))
    0.5
    """
    v = values.astype("string").fillna("")
    share = v[v != ""].value_counts(normalize=True)
    return float((share**2).sum()) if len(share) else 0.0
