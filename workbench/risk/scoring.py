"""Scoring: a profile (a weighted set of indicators with a threshold) applied to traffic.

Each row's score is the sum of the weights of the indicators that fire on it; rows at or above the
threshold are flagged for control. An indicator fires only on rows whose ``movement_date`` lies in its
validity period. :func:`score_frame` runs in pandas, :func:`score_sql` inside the database; both rank
by score (highest first), then ``movement_id``, and list the fired indicators by weight, then id.

Examples
--------
>>> import pandas as pd
>>> from workbench.risk.model import Indicator, parse_condition
>>> a = Indicator("A", "air", "general_high_risk", parse_condition(
...     {"field": "transport_mode", "op": "eq", "value": "air_passenger"}), 30)
>>> b = Indicator("B", "from CO", "general_high_risk", parse_condition(
...     {"field": "departure_country", "op": "eq", "value": "CO"}), 40)
>>> traffic = pd.DataFrame({"movement_id": ["m1", "m2", "m3"],
...     "movement_date": pd.to_datetime(["2024-01-01"] * 3),
...     "transport_mode": ["air_passenger", "road", "air_passenger"],
...     "departure_country": ["CO", "CO", "ES"]})
>>> scored = score_frame(traffic, Profile((a, b), threshold=50))
>>> scored[["rank", "movement_id", "score", "flagged", "fired"]].to_dict("records")[0]
{'rank': 1, 'movement_id': 'm1', 'score': 70.0, 'flagged': True, 'fired': 'B, A'}
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from workbench.i18n import _
from workbench.risk.frame_engine import PreparedFrame, prepare
from workbench.risk.model import Group, Indicator, Leaf, Node

if TYPE_CHECKING:
    from workbench.store import Store
    from workbench.store.filters import CaseFilter

__all__ = ["Profile", "score_frame", "score_sql", "effective_condition", "FIRED_SEPARATOR"]

FIRED_SEPARATOR = ", "


@dataclass(frozen=True)
class Profile:
    """A weighted set of indicators and the score at which a movement is flagged for control."""

    indicators: tuple[Indicator, ...]
    threshold: float = 50.0

    def __post_init__(self) -> None:
        ids = [i.id for i in self.indicators]
        dupes = sorted({x for x in ids if ids.count(x) > 1})
        if dupes:
            raise ValueError(
                _("a profile holds each indicator once; repeated: {dupes}", dupes=", ".join(dupes))
            )
        ordered = tuple(sorted(self.indicators, key=lambda i: (-i.weight, i.id)))
        object.__setattr__(self, "indicators", ordered)

    @classmethod
    def active(cls, indicators: Iterable[Indicator], threshold: float = 50.0) -> Profile:
        """The profile of the indicators whose status is ``active``."""
        return cls(tuple(i for i in indicators if i.status == "active"), threshold)

    @property
    def ids(self) -> list[str]:
        return [i.id for i in self.indicators]

    def describe(self) -> str:
        return _(
            "{n} indicator(s), threshold {threshold:g}", n=len(self.indicators), threshold=self.threshold
        )


def effective_condition(ind: Indicator) -> Node:
    """The indicator's condition limited to its validity period (on ``movement_date``)."""
    extra: list[Node] = []
    if ind.valid_from is not None:
        extra.append(Leaf("movement_date", "ge", ind.valid_from))
    if ind.valid_to is not None:
        extra.append(Leaf("movement_date", "le", ind.valid_to))
    return Group("all", (ind.when, *extra)) if extra else ind.when


def _fired_text(n: int, hits: list[np.ndarray], ids: list[str]) -> np.ndarray:
    fired = np.full(n, "", dtype=object)
    for idx, ident in zip(hits, ids, strict=True):
        if len(idx):
            fired[idx] = fired[idx] + (ident + FIRED_SEPARATOR)
    return np.array([s[: -len(FIRED_SEPARATOR)] if s else "" for s in fired], dtype=object)


def score_frame(
    traffic: pd.DataFrame | PreparedFrame, profile: Profile, *, apply_validity: bool = True
) -> pd.DataFrame:
    """Every row of ``traffic`` with ``rank``, ``score``, ``flagged`` and ``fired``, best first.

    Returns the traffic's columns after the four scoring columns.
    """
    prepared = prepare(traffic)
    n = prepared.n
    score = np.zeros(n, dtype="float64")
    hits: list[np.ndarray] = []
    for ind in profile.indicators:
        cond = effective_condition(ind) if apply_validity else ind.when
        idx = np.flatnonzero(prepared.evaluate(cond))
        score[idx] += ind.weight
        hits.append(idx)
    fired = _fired_text(n, hits, profile.ids)
    frame = prepared.frame.reset_index(drop=True)
    ids = frame["movement_id"].astype(str).to_numpy() if "movement_id" in frame else np.arange(n).astype(str)
    order = np.lexsort((ids, -score))
    out = frame.iloc[order].reset_index(drop=True)
    out.insert(0, "fired", pd.Series(fired[order], index=out.index, dtype="str"))
    out.insert(0, "flagged", score[order] >= profile.threshold)
    out.insert(0, "score", score[order])
    out.insert(0, "rank", np.arange(1, n + 1))
    return out


# Which indicators fired travels back from the database as bit masks (62 indicators per integer, so
# every condition is evaluated once per row that any indicator fires on); scores, the fired lists and
# the ranking are then made in numpy exactly as the pandas engine makes them.
_BITS = 62


def _masks(profile: Profile, table: Any, apply_validity: bool) -> tuple[list[Any], Any]:
    from workbench.risk.sql_engine import compile_condition

    conds = [
        compile_condition(effective_condition(i) if apply_validity else i.when, table, never_null=False)
        for i in profile.indicators
    ]
    masks = []
    for start in range(0, len(conds), _BITS):
        chunk = conds[start : start + _BITS]
        terms = [
            sa.case((c, sa.literal(1 << j, sa.BigInteger)), else_=sa.literal(0, sa.BigInteger))
            for j, c in enumerate(chunk)
        ]
        masks.append(sum(terms[1:], start=terms[0]).label(f"mask{start // _BITS}"))
    return masks, sa.or_(*conds) if conds else sa.false()


def score_sql(
    store: Store,
    profile: Profile,
    *,
    source: str | None = None,
    columns: Iterable[str] = (
        "movement_date",
        "reporting_country",
        "transport_mode",
        "departure_country",
        "transit_countries",
        "destination_country",
        "hs_code",
    ),
    apply_validity: bool = True,
    limit: int | None = None,
    flt: CaseFilter | None = None,
) -> pd.DataFrame:
    """Score the store's traffic inside the database: the rows at least one indicator fires on, ranked
    as :func:`score_frame` ranks them.

    Returns ``rank, score, flagged, fired, movement_id, source`` and ``columns`` of the traffic.
    ``flt``: the shared case filter as :func:`workbench.risk.traffic.scope_traffic` reads it on traffic.
    """
    from workbench.risk.traffic import TRAFFIC, target_seized_sql, traffic_where

    t = TRAFFIC
    masks, any_fired = _masks(profile, t, apply_validity)
    cols: list[Any] = [
        target_seized_sql(flt, t).label("seized") if c == "seized" and flt is not None else t.c[c]
        for c in dict.fromkeys(("movement_id", "source", *columns))
    ]
    stmt = sa.select(*cols, *masks).where(any_fired)
    if source is not None:
        stmt = stmt.where(t.c.source == source)
    if flt is not None:
        stmt = stmt.where(*traffic_where(flt, t))
    with store.engine.connect() as conn:
        res = conn.execute(stmt)
        df = pd.DataFrame(res.fetchall(), columns=list(res.keys()))
    n = len(df)
    weights = np.array([i.weight for i in profile.indicators], dtype="float64")
    score = np.zeros(n, dtype="float64")
    hits: list[np.ndarray] = []
    for k in range(len(profile.indicators)):
        bits = df[f"mask{k // _BITS}"].to_numpy(dtype="int64") if n else np.zeros(0, "int64")
        idx = np.flatnonzero((bits >> (k % _BITS)) & 1)
        score[idx] += weights[k]
        hits.append(idx)
    fired = _fired_text(n, hits, profile.ids)
    df = df.drop(columns=[m.name for m in masks])
    order = np.lexsort((df["movement_id"].astype(str).to_numpy(), -score))
    df = df.iloc[order].reset_index(drop=True)
    df.insert(0, "fired", pd.Series(fired[order], index=df.index, dtype="str"))
    df.insert(0, "flagged", score[order] >= profile.threshold)
    df.insert(0, "score", score[order])
    df.insert(0, "rank", np.arange(1, n + 1))
    if limit:
        df = df.head(limit)
    if "movement_date" in df:
        df["movement_date"] = pd.to_datetime(df["movement_date"])
    return df
