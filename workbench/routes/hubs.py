"""Hubs and emerging routes: which transit countries connect the corridors, and which routes are new or
growing in a period against a baseline, with the counts that show it.

Both work on a :class:`workbench.routes.flows.FlowBase` and a window of months.

- :func:`hub_ranking`: each country (or region) that appears *inside* routes (not first, not last),
  ranked by the cases that pass through it, with the number of distinct origin-destination pairs it
  connects, its neighbours on the route graph, and its betweenness centrality on that graph (the
  directed graph of legs seen in the window; networkx, unweighted, normalised).
- :func:`country_hubs`: **every** country of a flows table (the legs of :func:`route_flows`, or a
  country edge list read by :func:`workbench.routes.flows.edge_list_flows`), ranked by weighted degree
  (the cases on the flows in and out of it) with its betweenness on the directed flow graph: an edge
  list of country pairs has no transit countries, so :func:`hub_ranking` would find no hub in it.
- :func:`emerging_routes`: routes (OD pairs or legs) whose cases in the window are new (none in the
  baseline) or growing (the monthly rate rose by ``min_growth`` or more), with ``before`` and ``after``
  counts as the evidence, largest rise in cases first. The default baseline is the same number of
  months just before the window; :func:`comparison_windows` gives the default pair (the last 12
  months against the 12 before), where the planted emerging routes of the sample show.

Examples
--------
>>> import pandas as pd
>>> from workbench.routes.flows import prepare_flows, month_number
>>> frame = pd.DataFrame({
...     "case_key": [f"FR:{i}" for i in range(7)], "reporting_country": ["FR"] * 7,
...     "seizure_date": pd.to_datetime(["2023-01-10", "2023-02-10", "2024-01-10", "2024-01-11", "2024-02-01",
...                                     "2024-02-02", "2024-02-03"]),
...     "departure_country": ["CO", "CO", "CO", "CO", "BR", "BR", "BR"],
...     "transit_countries": ["SN", "SN", "SN", "SN", "SN;ES", "SN;ES", "SN;ES"],
...     "destination_country": ["FR"] * 7, "customs_procedure": ["import"] * 7})
>>> base = prepare_flows(frame)
>>> hubs = hub_ranking(base)
>>> hubs[["hub", "transit_cases", "pairs"]].values.tolist()
[['SN', 7, 2], ['ES', 3, 1]]
>>> window = (int(month_number(["2024-01-01"])[0]), int(month_number(["2024-02-01"])[0]))
>>> em = emerging_routes(base, window, baseline=(window[0] - 12, window[1] - 12), min_cases=2)
>>> em[["origin", "destination", "before", "after", "rise", "status"]].values.tolist()
[['BR', 'FR', 0, 3, 3.0, 'new']]
>>> em["growth"].isna().tolist()  # a new route has no ratio of rates (not "infinity")
[True]
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from workbench.format.route import countries_at_level
from workbench.i18n import _
from workbench.routes.flows import FlowBase, month_label, route_flows, window_months

if TYPE_CHECKING:  # networkx is imported when a graph is built, not with the module
    import networkx as nx

__all__ = [
    "hub_ranking",
    "country_hubs",
    "emerging_routes",
    "default_baseline",
    "comparison_windows",
    "route_graph",
]


def route_graph(base: FlowBase, window: tuple[int, int] | None = None, level: str = "country") -> nx.DiGraph:
    """The directed graph of legs seen in the window (networkx ``DiGraph``, edge attribute ``cases``)."""
    import networkx as nx

    legs = route_flows(base, "legs", level, None, window, include_internal=False)
    g = nx.DiGraph()
    for o, d, n in zip(legs["origin"], legs["destination"], legs["cases"], strict=True):
        g.add_edge(str(o), str(d), cases=int(n))
    return g


def hub_ranking(
    base: FlowBase, window: tuple[int, int] | None = None, level: str = "country", top: int | None = 25
) -> pd.DataFrame:
    """Transit countries (or regions) ranked by the cases routed through them.

    Columns ``hub, transit_cases, share, pairs, origins, destinations, in_neighbours,
    out_neighbours, betweenness``. ``share`` is over all cases of the window; ``pairs`` counts
    the distinct origin-destination pairs whose routes pass through the hub.
    """
    import networkx as nx

    rows = base.window_mask(window) & base.first[None] & (base.route >= 0)
    per_route = np.bincount(base.route[rows], minlength=len(base.routes))
    total = int((base.window_mask(window) & base.first[None]).sum())
    route_countries: list[tuple[str, ...]] = base.routes["countries"].tolist()  # by route id
    rec: list[tuple[str, int, str, str]] = []
    for rid in np.nonzero(per_route)[0]:
        seq = countries_at_level(tuple(route_countries[rid]), level)
        if len(seq) < 3:
            continue
        for hub in dict.fromkeys(seq[1:-1]):  # a hub counted once per route
            if hub not in (seq[0], seq[-1]):
                rec.append((hub, int(per_route[rid]), seq[0], seq[-1]))
    cols = ["hub", "transit_cases", "share", "pairs", "origins", "destinations"]
    cols += ["in_neighbours", "out_neighbours", "betweenness"]
    if not rec:
        return pd.DataFrame(columns=cols)
    through = pd.DataFrame.from_records(rec, columns=["hub", "cases", "origin", "destination"])
    agg = through.groupby("hub").agg(
        transit_cases=("cases", "sum"),
        pairs=("origin", lambda s: len(set(zip(s, through.loc[s.index, "destination"], strict=True)))),
        origins=("origin", "nunique"),
        destinations=("destination", "nunique"),
    )
    g = route_graph(base, window, level)
    betweenness = nx.betweenness_centrality(g, normalized=True) if g.number_of_nodes() else {}
    agg["share"] = agg["transit_cases"] / total if total else 0.0
    agg["in_neighbours"] = [g.in_degree(h) if h in g else 0 for h in agg.index]
    agg["out_neighbours"] = [g.out_degree(h) if h in g else 0 for h in agg.index]
    agg["betweenness"] = [round(float(betweenness.get(h, 0.0)), 4) for h in agg.index]
    out = agg.reset_index().sort_values(["transit_cases", "hub"], ascending=[False, True], kind="stable")
    out = out[cols].reset_index(drop=True)
    return out.head(top).reset_index(drop=True) if top else out


def country_hubs(flows: pd.DataFrame, top: int | None = None, by: str = "weighted_degree") -> pd.DataFrame:
    """Every country of ``flows`` (columns ``origin, destination, cases``; more rows per pair add up),
    ranked by ``by`` (``weighted_degree`` or ``betweenness``, then the country).

    Columns ``country, weighted_degree, cases_in, cases_out, degree, in_neighbours, out_neighbours,
    betweenness``: ``weighted_degree`` is ``cases_in + cases_out``, ``degree`` the distinct neighbours,
    ``betweenness`` networkx's (directed, unweighted: a number of cases is a strength, not a distance;
    normalised). Flows from a country to itself are left out.

    >>> flows = pd.DataFrame({"origin": ["CO", "CO", "ES", "BR"], "destination": ["ES", "NL", "FR", "ES"],
    ...                       "cases": [5, 2, 4, 1]})
    >>> country_hubs(flows)[["country", "weighted_degree", "degree", "betweenness"]].values.tolist()
    [['ES', 10.0, 3, 0.1667], ['CO', 7.0, 2, 0.0], ['FR', 4.0, 1, 0.0], ['NL', 2.0, 1, 0.0], ['BR', 1.0, 1, 0.0]]
    """
    import networkx as nx

    if by not in ("weighted_degree", "betweenness"):
        raise ValueError(_("rank hubs by weighted_degree or betweenness, not {by!r}", by=by))
    cols = [
        "country",
        "weighted_degree",
        "cases_in",
        "cases_out",
        "degree",
        "in_neighbours",
        "out_neighbours",
    ]
    cols.append("betweenness")
    f = flows[flows["origin"].astype(str) != flows["destination"].astype(str)]
    g = nx.DiGraph()
    for o, d, n in zip(f["origin"].astype(str), f["destination"].astype(str), f["cases"], strict=True):
        if g.has_edge(o, d):
            g[o][d]["cases"] += float(n)
        else:
            g.add_edge(o, d, cases=float(n))
    if not g.number_of_nodes():
        return pd.DataFrame(columns=cols)
    bc = nx.betweenness_centrality(g, normalized=True)
    out = pd.DataFrame(
        {
            "country": list(g.nodes),
            "cases_in": [float(g.in_degree(c, weight="cases")) for c in g.nodes],
            "cases_out": [float(g.out_degree(c, weight="cases")) for c in g.nodes],
            "degree": [len(set(g.predecessors(c)) | set(g.successors(c))) for c in g.nodes],
            "in_neighbours": [g.in_degree(c) for c in g.nodes],
            "out_neighbours": [g.out_degree(c) for c in g.nodes],
            "betweenness": [round(float(bc[c]), 4) for c in g.nodes],
        }
    )
    out["weighted_degree"] = out["cases_in"] + out["cases_out"]
    out = out.sort_values([by, "country"], ascending=[False, True], kind="stable")[cols].reset_index(
        drop=True
    )
    return out.head(top).reset_index(drop=True) if top else out


def default_baseline(window: tuple[int, int], months: list[int]) -> tuple[int, int] | None:
    """The same number of months just before ``window``, clipped to the data; None if there is none.

    >>> default_baseline((612, 617), list(range(600, 618)))
    (606, 611)
    >>> default_baseline((600, 605), list(range(600, 618))) is None
    True
    """
    lo, hi = window
    length = hi - lo + 1
    first = min(months) if months else lo
    b_hi = lo - 1
    b_lo = max(first, lo - length)
    return (b_lo, b_hi) if b_hi >= b_lo else None


def comparison_windows(
    months: list[int], end: int | None = None, length: int = 12
) -> tuple[tuple[int, int], tuple[int, int] | None]:
    """The ``length`` months up to ``end`` (default the last month of the data) and the baseline
    before them (:func:`default_baseline`): what the emerging routes compare by default.

    >>> comparison_windows(list(range(600, 636)), length=12)
    ((624, 635), (612, 623))
    >>> comparison_windows(list(range(600, 606)), length=12)
    ((600, 605), None)
    """
    last = max(months) if end is None else end
    window = window_months(months, last, length)
    return window, default_baseline(window, months)


def emerging_routes(
    base: FlowBase,
    window: tuple[int, int],
    baseline: tuple[int, int] | None = None,
    *,
    mode: str = "od",
    level: str = "country",
    min_cases: int = 5,
    min_growth: float = 1.5,
    top: int | None = 30,
) -> pd.DataFrame:
    """Routes that are new or growing in ``window`` compared with ``baseline``.

    Rates are per month, so a baseline of another length compares fairly. A route is ``new`` when it
    had no case in the baseline and at least ``min_cases`` in the window; ``growing`` when it has at
    least ``min_cases`` and its monthly rate is at least ``min_growth`` times the baseline's.

    Columns ``origin, destination, before, after, rise, growth, status, inferred_cases, evidence``.
    ``rise`` is the cases in the window beyond what the baseline's monthly rate gives (the size of
    the change, and the order of the rows: a route that grew from 40 to 120 cases comes before one
    that went from 0 to 5); ``growth`` is the ratio of monthly rates, missing (NaN) for a new route,
    whose rate rose from nothing.
    """
    baseline = baseline or default_baseline(window, base.months)
    cols = [
        "origin",
        "destination",
        "before",
        "after",
        "rise",
        "growth",
        "status",
        "inferred_cases",
        "evidence",
    ]
    if baseline is None:
        return pd.DataFrame(columns=cols)
    after = route_flows(base, mode, level, None, window, include_internal=False)
    before = route_flows(base, mode, level, None, baseline, include_internal=False)
    df = after[["origin", "destination", "cases", "inferred_cases"]].merge(
        before[["origin", "destination", "cases"]],
        on=["origin", "destination"],
        how="left",
        suffixes=("", "_before"),
    )
    df = df.rename(columns={"cases": "after", "cases_before": "before"})
    df["before"] = df["before"].fillna(0).astype("int64")
    n_after = window[1] - window[0] + 1
    n_before = baseline[1] - baseline[0] + 1
    rate_after = df["after"] / n_after
    rate_before = df["before"] / n_before
    new = df["before"].eq(0)
    df["growth"] = (rate_after / rate_before.where(~new)).astype(float)
    df["rise"] = (df["after"] - rate_before * n_after).astype(float).round(1)
    df = df[(df["after"] >= min_cases) & (new | (df["growth"] >= min_growth))].copy()
    df["status"] = np.where(df["before"] == 0, "new", "growing")
    span_a = f"{month_label(window[0])}..{month_label(window[1])}"
    span_b = f"{month_label(baseline[0])}..{month_label(baseline[1])}"
    df["evidence"] = [
        _(
            "{before} cases in {baseline} ({n_before} months) → {after} in {window} ({n_after} months)",
            before=b,
            baseline=span_b,
            n_before=n_before,
            after=a,
            window=span_a,
            n_after=n_after,
        )
        for b, a in zip(df["before"], df["after"], strict=True)
    ]
    df = df.sort_values(
        ["rise", "after", "origin", "destination"], ascending=[False, False, True, True], kind="stable"
    )
    df["growth"] = df["growth"].round(2)
    out = df[cols].reset_index(drop=True)
    return out.head(top).reset_index(drop=True) if top else out
