"""The entity graph read from the store's graph tables (:mod:`workbench.store.entity_graph`) by indexed
look-ups, never whole: the figures of a filter by SQL counts, an ego network or a path by a bounded
breadth-first search (one ``IN (...)`` query per hop), and communities and rankings computed in the
background and stored.

Every answer has the shape and the meaning of the in-memory graph's
(:func:`workbench.network.graph.build_graph` on the filtered cases): :func:`local_graph` returns an
:class:`~workbench.network.graph.EntityGraph` holding the nodes within some links of the nodes asked
for, every link among them, their records and cases, and each node's degree in the whole filtered
graph, so that :func:`~workbench.network.graph.ego_network`, :func:`~workbench.network.views.ego_view`
and :func:`~workbench.network.graph.entity_card` give on it what they give on the whole graph. An
identifier is a node where it links two or more parties of the filtered cases, a hub where it links
more than ``hub_degree``, as in memory.

Persons and companies are resolved to the entities stored by the last rebuild with resolution
(:func:`rebuild_graph`: the resolver over the whole store, analysts' judgements applied), and records
imported since by the incremental resolution (:mod:`workbench.network.incremental`); a record still
pending is its own entity until then.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from workbench.i18n import _
from workbench.network.graph import HUB_DEGREE, EntityGraph
from workbench.store.entity_graph import (
    ACTOR_KINDS,
    GRAPH_ANALYSES,
    GRAPH_COMMUNITIES,
    GRAPH_EDGES,
    GRAPH_NODES,
    GRAPH_RECORDS,
    GRAPH_STATE,
    PARTY_TABLES,
    graph_current,
    rebuild_graph_tables,
)
from workbench.store.models import DATA_TABLES
from workbench.store.version import DATA_VERSIONS

if TYPE_CHECKING:  # pragma: no cover
    from workbench.store import Store
    from workbench.store.filters import CaseFilter

__all__ = [
    "graph_counts",
    "local_graph",
    "load_graph",
    "store_path",
    "node_in_graph",
    "record_nodes",
    "rebuild_graph",
    "compute_analyses",
    "stored_communities",
    "stored_rankings",
    "stored_community_table",
    "analyses_state",
    "refresh_analyses_in_background",
    "graph_current",
    "entities_current",
    "stored_groups",
]

_CHUNK = 500
_PARTY_KINDS = tuple(PARTY_TABLES.values())
#: Columns of a case the entity card shows (as :func:`workbench.network.graph.graph_from_store` reads).
_CARD = ("seizure_date", "departure_country", "transit_countries", "destination_country", "transport_mode")


def _chunks(seq: list[Any], n: int = _CHUNK) -> Iterable[list[Any]]:
    for i in range(0, len(seq), n):
        yield seq[i : i + n]


def _filtered(stmt: sa.Select[Any], flt: CaseFilter | None, personal_allowed: bool) -> sa.Select[Any]:
    """Links of the cases matching ``flt`` (personal ones only for ``personal_allowed``)."""
    e = GRAPH_EDGES
    if flt is not None and not flt.is_empty:
        c = DATA_TABLES["cases"]
        stmt = flt.to_sql(stmt.join_from(e, c, c.c.id == e.c.case_ref))
    if not personal_allowed:
        stmt = stmt.where(sa.not_(e.c.personal))
    return stmt


class _Reader:
    """Look-ups of the filtered graph, cached for one question (an ego network, a path)."""

    def __init__(
        self, conn: Connection, flt: CaseFilter | None, personal_allowed: bool, hub_degree: int
    ) -> None:
        self.conn, self.flt, self.personal, self.hub_degree = conn, flt, personal_allowed, hub_degree
        self.adj: dict[int, dict[int, str]] = {}
        self.case_ref: dict[int, int] = {}
        self.info: dict[int, tuple[str, str, str, str]] = {}  # id -> node_id, kind, subkind, label
        self.ldeg: dict[int, int] = {}

    def load_adj(self, ids: Iterable[int]) -> None:
        todo = [i for i in dict.fromkeys(ids) if i not in self.adj]
        e = GRAPH_EDGES
        for part in _chunks(todo):
            for i in part:
                self.adj[i] = {}
            stmt = _filtered(
                sa.select(e.c.src, e.c.dst, sa.func.min(e.c.relation), sa.func.min(e.c.case_ref)),
                self.flt,
                self.personal,
            )
            for s, d, r, c in self.conn.execute(stmt.where(e.c.src.in_(part)).group_by(e.c.src, e.c.dst)):
                self.adj[int(s)][int(d)] = str(r)
                self.case_ref.setdefault(int(s), int(c))
        self.load_info(j for i in todo for j in self.adj[i])

    def load_info(self, ids: Iterable[int]) -> None:
        todo = [i for i in dict.fromkeys(ids) if i not in self.info]
        n = GRAPH_NODES
        for part in _chunks(todo):
            for i, nid, k, s, lab in self.conn.execute(
                sa.select(n.c.id, n.c.node_id, n.c.kind, n.c.subkind, n.c.label).where(n.c.id.in_(part))
            ):
                self.info[int(i)] = (str(nid), str(k), str(s), str(lab))
        linkers = [i for i in todo if i in self.info and self.info[i][1] not in ACTOR_KINDS]
        self.load_linker_degree(linkers)

    def load_linker_degree(self, ids: Iterable[int]) -> None:
        todo = [i for i in dict.fromkeys(ids) if i not in self.ldeg]
        e = GRAPH_EDGES
        for part in _chunks(todo):
            for i in part:
                self.ldeg[i] = 0
            stmt = _filtered(sa.select(e.c.src, sa.func.count(sa.distinct(e.c.dst))), self.flt, self.personal)
            for s, k in self.conn.execute(stmt.where(e.c.src.in_(part)).group_by(e.c.src)):
                self.ldeg[int(s)] = int(k)

    def linker(self, i: int) -> bool:
        return self.info[i][1] not in ACTOR_KINDS

    def included(self, i: int) -> bool:
        """A node of the filtered graph (a linker: held by two or more; an actor met through a link)."""
        return not self.linker(i) or self.ldeg.get(i, 0) >= 2

    def hub(self, i: int) -> bool:
        return self.linker(i) and self.ldeg.get(i, 0) > self.hub_degree

    def degree(self, i: int) -> int:
        if self.linker(i):
            return self.ldeg.get(i, 0)
        return sum(1 for j in self.adj[i] if self.included(j))

    def ids_of(self, node_ids: Iterable[str]) -> dict[str, int]:
        n = GRAPH_NODES
        out: dict[str, int] = {}
        for part in _chunks(list(dict.fromkeys(node_ids))):
            out.update(
                (str(a), int(b))
                for a, b in self.conn.execute(sa.select(n.c.node_id, n.c.id).where(n.c.node_id.in_(part)))
            )
        self.load_info(out.values())
        return out

    def in_graph(self, i: int) -> bool:
        """Whether node ``i`` is in the filtered graph (a case matching the filter counts, linked or not)."""
        nid, kind = self.info[i][0], self.info[i][1]
        if kind == "case":
            return self.case_in_filter(nid)
        self.load_adj([i])
        return bool(self.adj[i]) and self.included(i)

    def case_in_filter(self, node_id: str) -> bool:
        c = DATA_TABLES["cases"]
        rc, _sep, cid = node_id.removeprefix("case:").partition(":")
        stmt = (
            sa.select(sa.func.count()).select_from(c).where(c.c.reporting_country == rc, c.c.case_id == cid)
        )
        if self.flt is not None:
            stmt = self.flt.to_sql(stmt)
        return bool(self.conn.execute(stmt).scalar())

    # --------------------------------------------------------------------------------- searches
    def ball(self, seeds: list[int], radius: int, max_nodes: int) -> dict[int, int]:
        """Nodes within ``radius`` links of ``seeds``, hubs not expanded (as ``graph._bfs``)."""
        dist = {s: 0 for s in seeds}
        frontier = list(seeds)
        for d in range(1, radius + 1):
            expand = [f for f in frontier if f in seeds or not self.hub(f)]
            if not expand:
                break
            self.load_adj(expand)
            nb = sorted({j for f in expand for j in self.adj[f]})
            new = [j for j in nb if j not in dist and self.included(j)]
            if len(dist) + len(new) > max_nodes:
                self.load_adj(new)
                new.sort(key=lambda x: -self.degree(x))
                new = new[: max(0, max_nodes - len(dist))]
                for x in new:
                    dist[x] = d
                break
            for x in new:
                dist[x] = d
            frontier = new
            if not frontier:
                break
        return dist

    def path(self, a: int, b: int, avoid_hubs: bool, max_visited: int) -> list[int] | None:
        """A shortest path from ``a`` to ``b`` by a breadth-first search from both ends."""
        if a == b:
            return [a]
        parent = [{a: a}, {b: b}]
        frontier = [[a], [b]]

        def passable(j: int) -> bool:
            return j in (a, b) or not (avoid_hubs and self.hub(j))

        while frontier[0] and frontier[1] and len(parent[0]) + len(parent[1]) < max_visited:
            side = 0 if len(frontier[0]) <= len(frontier[1]) else 1
            self.load_adj(frontier[side])
            new: list[int] = []
            for f in frontier[side]:
                for j in self.adj[f]:
                    if j not in parent[side] and passable(j):
                        parent[side][j] = f
                        new.append(j)
            met = [j for j in new if j in parent[1 - side]]
            if met:
                best = min(met, key=lambda j: self._depth(parent[0], j) + self._depth(parent[1], j))
                left = self._walk(parent[0], best)
                right = self._walk(parent[1], best)
                return list(reversed(left)) + right[1:]
            frontier[side] = new
        return None

    @staticmethod
    def _walk(parent: dict[int, int], j: int) -> list[int]:
        out = [j]
        while parent[out[-1]] != out[-1]:
            out.append(parent[out[-1]])
        return out

    def _depth(self, parent: dict[int, int], j: int) -> int:
        return len(self._walk(parent, j))

    # ---------------------------------------------------------------------------- materialise
    def graph(self, members: Iterable[int]) -> EntityGraph:
        """The EntityGraph on ``members``: every link among them, their records and cases, and each
        node's degree in the whole filtered graph."""
        ids = sorted(set(members))
        self.load_adj(ids)
        self.load_info(ids)
        pos = {i: p for p, i in enumerate(ids)}
        nodes = pd.DataFrame(
            [self.info[i] for i in ids], columns=["node_id", "kind", "subkind", "label"], dtype=object
        )[["node_id", "kind", "label", "subkind"]]
        src, dst, rel = [], [], []
        for i in ids:
            for j, r in self.adj[i].items():
                if i < j and j in pos:
                    src.append(pos[i])
                    dst.append(pos[j])
                    rel.append(r)
        edges = pd.DataFrame(
            {
                "source": np.array(src, dtype=np.int64),
                "target": np.array(dst, dtype=np.int64),
                "relation": np.array(rel, dtype=object),
            }
        )
        degree = np.array([self.degree(i) for i in ids], dtype=np.int64)
        return EntityGraph(nodes, edges, self.records(ids), self.cases(nodes), self.hub_degree, degree)

    def records(self, ids: list[int]) -> pd.DataFrame:
        r, n, c = GRAPH_RECORDS, GRAPH_NODES, DATA_TABLES["cases"]
        cols = ["record_key", "kind", "node_id", "case_node", "role", "written"]
        parties = [i for i in ids if self.info[i][1] in _PARTY_KINDS]
        rows: list[Any] = []
        case_node = sa.literal("case:") + c.c.reporting_country + sa.literal(":") + c.c.case_id
        for part in _chunks(parties):
            stmt = (
                sa.select(r.c.record_key, r.c.kind, n.c.node_id, case_node, r.c.role, r.c.written)
                .join_from(r, n, n.c.id == r.c.node)
                .join(c, c.c.id == r.c.case_ref)
                .where(r.c.node.in_(part))
                .order_by(r.c.id)
            )
            if self.flt is not None:
                stmt = self.flt.to_sql(stmt)
            rows += self.conn.execute(stmt).all()
        return pd.DataFrame([tuple(x) for x in rows], columns=cols, dtype=object)

    def cases(self, nodes: pd.DataFrame) -> pd.DataFrame:
        c = DATA_TABLES["cases"]
        keys = nodes.loc[nodes["kind"] == "case", "node_id"].str.removeprefix("case:").tolist()
        cols = ["reporting_country", "case_id", *_CARD, "conveyance_type", "conveyance_id"]
        cols = [x for x in dict.fromkeys(cols) if x in c.c]
        by_country: dict[str, list[str]] = {}
        for k in keys:
            rc, _sep, cid = k.partition(":")
            by_country.setdefault(rc, []).append(cid)
        rows: list[Any] = []
        for rc, cids in by_country.items():
            for part in _chunks(cids):
                rows += self.conn.execute(
                    sa.select(*[c.c[x] for x in cols]).where(
                        c.c.reporting_country == rc, c.c.case_id.in_(part)
                    )
                ).all()
        df = pd.DataFrame([tuple(x) for x in rows], columns=cols)
        df["case_key"] = df["reporting_country"].astype(str) + ":" + df["case_id"].astype(str)
        return df.set_index("case_key", drop=False)


def _connect(store: Store) -> Any:
    return store.engine.connect()


def _audit_kinds(store: Store, kinds: pd.Series, flt: CaseFilter | None, actor: Any) -> None:
    """Persons and companies read from the graph tables (their names, by ``kinds`` of the nodes read):
    a consultation of personal data by ``actor``, audited like :func:`_audit_parties`."""
    if actor is None or not len(kinds):
        return
    from workbench.store.audit import consulted

    describe = flt.describe() if flt is not None else ""
    for table, kind in PARTY_TABLES.items():
        n = int((kinds == kind).sum())
        if n:
            consulted(store, table, actor, query=describe, row_count=n)


def _audit_parties(store: Store, graph: EntityGraph, flt: CaseFilter | None, actor: Any) -> None:
    """Reading persons and companies of the graph is a consultation of personal data: audited."""
    if actor is None or not len(graph.records):
        return
    from workbench.store.audit import consulted

    describe = flt.describe() if flt is not None else ""
    for table, kind in PARTY_TABLES.items():
        n = int((graph.records["kind"] == kind).sum())
        if n:
            consulted(store, table, actor, query=describe, row_count=n)


def local_graph(
    store: Store,
    around: Mapping[str, int],
    flt: CaseFilter | None = None,
    *,
    personal_allowed: bool,
    hub_degree: int = HUB_DEGREE,
    max_nodes: int = 20_000,
    actor: Any = None,
) -> EntityGraph:
    """The part of the filtered graph within ``around[node_id]`` links (edges) of each node asked for,
    as an EntityGraph whose ego networks, paths inside it and entity cards are the whole graph's.

    Nodes asked for that are not in the filtered graph are left out; ``max_nodes`` caps each search
    (nearest and best linked first). Reading persons and companies is audited as ``actor``'s
    consultation.
    """
    with _connect(store) as conn:
        rd = _Reader(conn, flt, personal_allowed, hub_degree)
        ids = rd.ids_of(around)
        members: set[int] = set()
        for node_id, radius in around.items():
            i = ids.get(node_id)
            if i is None or not (personal_allowed or not _is_personal_id(conn, i)) or not rd.in_graph(i):
                continue
            members.update(rd.ball([i], int(radius), max_nodes))
        g = rd.graph(members)
    _audit_parties(store, g, flt, actor)
    return g


def _is_personal_id(conn: Connection, i: int) -> bool:
    return bool(conn.execute(sa.select(GRAPH_NODES.c.personal).where(GRAPH_NODES.c.id == i)).scalar())


def node_in_graph(
    store: Store, node_id: str, flt: CaseFilter | None = None, *, personal_allowed: bool
) -> bool:
    """Whether ``node_id`` is a node of the filtered graph."""
    with _connect(store) as conn:
        rd = _Reader(conn, flt, personal_allowed, HUB_DEGREE)
        i = rd.ids_of([node_id]).get(node_id)
        if i is None or (not personal_allowed and _is_personal_id(conn, i)):
            return False
        return rd.in_graph(i)


def record_nodes(store: Store, records: Iterable[str]) -> list[str]:
    """The entity nodes of party records named as the search lists them (``persons:RC:case:id``)."""
    r, n = GRAPH_RECORDS, GRAPH_NODES
    out: list[str] = []
    with _connect(store) as conn:
        for rec in records:
            table, _sep, key = rec.partition(":")
            if table not in PARTY_TABLES:
                continue
            found = conn.execute(
                sa.select(n.c.node_id)
                .join_from(r, n, n.c.id == r.c.node)
                .where(r.c.kind == PARTY_TABLES[table], r.c.record_key == key)
            ).scalar()
            if found and found not in out:
                out.append(str(found))
    return out


def store_path(
    store: Store,
    a: str,
    b: str,
    flt: CaseFilter | None = None,
    *,
    personal_allowed: bool,
    avoid_hubs: bool = True,
    hub_degree: int = HUB_DEGREE,
    max_visited: int = 200_000,
) -> list[str] | None:
    """Node ids on a shortest path from ``a`` to ``b`` in the filtered graph (None: not linked within
    ``max_visited`` nodes searched), around hubs by default, as
    :func:`workbench.network.graph.shortest_path`."""
    with _connect(store) as conn:
        rd = _Reader(conn, flt, personal_allowed, hub_degree)
        ids = rd.ids_of([a, b])
        for x in (a, b):
            if x not in ids or not rd.in_graph(ids[x]):
                raise KeyError(_("no node {node_id!r} in the graph (is it outside the filter?)", node_id=x))
        path = rd.path(ids[a], ids[b], avoid_hubs, max_visited)
        return None if path is None else [rd.info[i][0] for i in path]


#: ``graph_analyses`` rows holding the unfiltered figures (without and with personal data).
_FIGURES = {False: "figures", True: "figures_personal"}


def _figures_key(conn: Connection) -> list[Any] | None:
    """What the unfiltered figures are a function of: the cases the graph tables hold (their data version
    and when they were written) and the entities (the ``judgements`` version, moved by every resolution
    and judgement). None: the tables were never built."""
    row = conn.execute(
        sa.select(GRAPH_STATE.c.cases_version, GRAPH_STATE.c.built_at).where(GRAPH_STATE.c.id == 1)
    ).first()
    if row is None:
        return None
    judged = conn.execute(
        sa.select(DATA_VERSIONS.c.version).where(DATA_VERSIONS.c.scope == "judgements")
    ).scalar()
    return [int(row[0]), _utc(row[1]).isoformat(), int(judged or 0)]


def _kept_figures(
    conn: Connection, personal_allowed: bool, key: list[Any]
) -> tuple[dict[str, int], int] | None:
    a = GRAPH_ANALYSES
    body = conn.execute(
        sa.select(a.c.body).where(a.c.name == _FIGURES[personal_allowed], a.c.status == "done")
    ).scalar()
    if not body:
        return None
    kept = json.loads(body)
    if kept.get("key") != key:
        return None
    return {str(k): int(v) for k, v in kept["counts"].items()}, int(kept["links"])


def _keep_figures(
    store: Store, personal_allowed: bool, key: list[Any], figures: tuple[dict[str, int], int], seconds: float
) -> None:
    """Store the unfiltered figures for the next page opening, in any process (a concurrent writer of the
    same row wins: both computed the same figures)."""
    a, name = GRAPH_ANALYSES, _FIGURES[personal_allowed]
    body = json.dumps({"key": key, "counts": figures[0], "links": figures[1]})
    try:
        with store.engine.begin() as conn:
            if _figures_key(conn) != key:  # the tables moved on meanwhile: these figures are not theirs
                return
            conn.execute(a.delete().where(a.c.name == name))
            conn.execute(
                a.insert().values(
                    name=name,
                    cases_version=int(key[0]),
                    status="done",
                    computed_at=dt.datetime.now(dt.UTC),
                    seconds=seconds,
                    body=body,
                )
            )
    except sa.exc.DBAPIError:  # another process keeping them at the same moment (or a read-only store)
        pass


def graph_counts(
    store: Store, flt: CaseFilter | None = None, *, personal_allowed: bool
) -> tuple[dict[str, int], int]:
    """Nodes per kind (in :data:`~workbench.network.graph.NODE_KINDS` order) and links of the filtered
    graph, by SQL counts: what ``graph.counts()`` and ``len(graph.edges)`` give in memory.

    The unfiltered figures (what the Network page opens on) are counted once per state of the graph
    tables and kept in ``graph_analyses`` (rows ``figures`` and ``figures_personal``, keyed by the cases
    the tables hold and the entities' version), so that every process and every later opening reads them
    instead of counting every link again (about 20 s at 1M cases); :func:`compute_analyses` keeps them
    too."""
    unfiltered = flt is None or flt.is_empty
    key = None
    if unfiltered:
        with _connect(store) as conn:
            key = _figures_key(conn)
            kept = _kept_figures(conn, personal_allowed, key) if key is not None else None
        if kept is not None:
            return kept
    t0 = time.perf_counter()
    figures = _count_figures(store, flt, personal_allowed=personal_allowed)
    if key is not None:
        _keep_figures(store, personal_allowed, key, figures, time.perf_counter() - t0)
    return figures


def _count_figures(
    store: Store, flt: CaseFilter | None, *, personal_allowed: bool
) -> tuple[dict[str, int], int]:
    from workbench.network.graph import NODE_KINDS

    e, n, r, c = GRAPH_EDGES, GRAPH_NODES, GRAPH_RECORDS, DATA_TABLES["cases"]
    counts: dict[str, int] = {}
    with _connect(store) as conn:
        stmt = sa.select(sa.func.count()).select_from(c)
        counts["case"] = int(conn.execute(flt.to_sql(stmt) if flt is not None else stmt).scalar() or 0)
        per = (
            _filtered(
                sa.select(e.c.src.label("src"), sa.func.count(sa.distinct(e.c.dst)).label("deg")),
                flt,
                personal_allowed,
            )
            .group_by(e.c.src)
            .subquery()
        )
        stmt = (
            sa.select(
                n.c.kind,
                sa.func.count(),
                sa.func.sum(sa.case((n.c.kind.in_(_PARTY_KINDS), 0), else_=per.c.deg)),
            )
            .join_from(per, n, n.c.id == per.c.src)
            .where(n.c.kind != "case", sa.or_(n.c.kind.in_(_PARTY_KINDS), per.c.deg >= 2))
            .group_by(n.c.kind)
        )
        linker_links = 0
        for kind, k, links in conn.execute(stmt):
            counts[str(kind)] = int(k)
            linker_links += int(links or 0)
        pairs = 0
        if personal_allowed:
            inner = sa.select(r.c.node, r.c.case_ref).distinct()
            if flt is not None and not flt.is_empty:
                inner = flt.to_sql(inner.join_from(r, c, c.c.id == r.c.case_ref))
            pairs = int(conn.execute(sa.select(sa.func.count()).select_from(inner.subquery())).scalar() or 0)
    return {k: counts[k] for k in NODE_KINDS if counts.get(k)}, pairs + linker_links


def load_graph(
    store: Store,
    flt: CaseFilter | None = None,
    *,
    personal_allowed: bool,
    hub_degree: int = HUB_DEGREE,
    actor: Any = None,
) -> EntityGraph:
    """The whole filtered graph from the graph tables (for the background analyses; the pages read
    parts of it with :func:`local_graph`). Cases and records are not read (an analysis needs links).
    With ``actor``, the persons and companies named are audited as that consultant's consultation."""
    e, n, c = GRAPH_EDGES, GRAPH_NODES, DATA_TABLES["cases"]
    with _connect(store) as conn:
        edges = pd.DataFrame(
            conn.execute(
                _filtered(sa.select(e.c.src, e.c.dst, e.c.relation), flt, personal_allowed).where(
                    e.c.src < e.c.dst
                )
            ).all(),
            columns=["a", "b", "relation"],
        ).drop_duplicates(["a", "b"])
        case_ids = sa.select(sa.literal("case:") + c.c.reporting_country + sa.literal(":") + c.c.case_id)
        case_nodes = {str(x[0]) for x in conn.execute(flt.to_sql(case_ids) if flt is not None else case_ids)}
        ids = pd.unique(np.r_[edges["a"].to_numpy(), edges["b"].to_numpy()]).tolist()
        info: list[Any] = []
        for part in _chunks(ids, 20_000):
            info += conn.execute(
                sa.select(n.c.id, n.c.node_id, n.c.kind, n.c.label, n.c.subkind).where(n.c.id.in_(part))
            ).all()
        info += (
            conn.execute(
                sa.select(n.c.id, n.c.node_id, n.c.kind, n.c.label, n.c.subkind).where(n.c.kind == "case")
            ).all()
            if len(case_nodes) > len(ids)
            else []
        )
    nodes = pd.DataFrame(
        [tuple(x) for x in info], columns=["id", "node_id", "kind", "label", "subkind"]
    ).drop_duplicates("id")
    nodes = nodes[(nodes["kind"] != "case") | nodes["node_id"].isin(case_nodes)]
    linker = ~nodes["kind"].isin(ACTOR_KINDS)
    both = pd.concat([edges["a"], edges["b"]])
    deg = both.value_counts()
    keep = ~linker | (nodes["id"].map(deg).fillna(0) >= 2)
    nodes = nodes[keep].sort_values("id").reset_index(drop=True)
    missing = sorted(case_nodes - set(nodes["node_id"]))
    if missing:
        nodes = pd.concat(
            [
                nodes,
                pd.DataFrame(
                    {
                        "id": -np.arange(1, len(missing) + 1),
                        "node_id": missing,
                        "kind": "case",
                        "label": "",
                        "subkind": "",
                    }
                ),
            ],
            ignore_index=True,
        )
    pos = pd.Series(np.arange(len(nodes)), index=nodes["id"].to_numpy())
    src, dst = pos.reindex(edges["a"].to_numpy()).to_numpy(), pos.reindex(edges["b"].to_numpy()).to_numpy()
    ok = ~(np.isnan(src) | np.isnan(dst)) if len(edges) else np.zeros(0, dtype=bool)
    edge_frame = pd.DataFrame(
        {
            "source": src[ok].astype(np.int64),
            "target": dst[ok].astype(np.int64),
            "relation": edges["relation"].to_numpy(dtype=object)[ok],
        }
    )
    if personal_allowed:
        _audit_kinds(store, nodes["kind"], flt, actor)
    return EntityGraph(nodes.drop(columns=["id"]), edge_frame, hub_degree=hub_degree)


# ------------------------------------------------------------------------------------ maintenance
def rebuild_graph(store: Store, *, resolve: bool = True, actor: Any = None) -> int:
    """Rebuild the graph tables of the whole store in one transaction; with ``resolve``, persons and
    companies are first resolved over the whole store (judgements applied) and their entities stored.
    Returns the links written. Needs the import right (and personal data to resolve), checked here for
    the command line and notebooks alike; the rebuild is written to the audit."""
    from workbench.identity import require
    from workbench.identity.accounts import acting
    from workbench.store import audit

    principal = acting(store, actor)
    require(principal, "import_data")
    if resolve:
        require(principal, "view_personal")
    actor = principal
    entities: dict[str, pd.Series] | None = None
    resolutions = []
    if resolve:
        from workbench.network.graph import party_frame
        from workbench.network.judgements import load_judgements
        from workbench.network.resolve import resolve as run_resolve
        from workbench.network.resolve import resolver_kind

        entities = {}
        for table, kind in PARTY_TABLES.items():
            df = party_frame(store, table, None, personal_allowed=True, actor=actor)
            if not df.empty:
                res = run_resolve(
                    df,
                    resolver_kind(kind),
                    judgements=load_judgements(store, kind),
                    explain=False,
                    keep_features=True,  # the incremental resolution's keys are made from them
                )
                entities[table] = res.entity_of
                resolutions.append(res)
                del df
    with store.engine.begin() as conn:
        links = rebuild_graph_tables(conn, entities)
        if resolve:  # what resolving the records imported later needs (workbench.network.incremental)
            from workbench.network.incremental import clear_resolution_index, write_resolution_index
            from workbench.store import bump_data_version

            clear_resolution_index(conn)
            for res in resolutions:
                write_resolution_index(conn, res, res.assignments["record_key"])
            bump_data_version(conn, "judgements")  # the entities changed: the personal graphs reread
        audit(conn, "data.rebuild_graph", {"links": links, "resolved": resolve}, principal, row_count=links)
        return links


def entities_current(store: Store, table: str) -> bool:
    """Whether the stored entities of party ``table`` hold the store as it is: the graph tables are
    current, a resolution was stored, and no record waits for one."""
    from workbench.network.incremental import pending_count, resolution_state

    if not graph_current(store):
        return False
    state = resolution_state(store)
    return bool(state["models"].get(PARTY_TABLES[table])) and not pending_count(store).get(table, 0)


def stored_groups(
    store: Store, table: str, flt: CaseFilter | None = None, *, actor: Any = None
) -> pd.DataFrame:
    """The records of party ``table`` in the cases matching ``flt`` whose stored entity has two or more
    of them there: the table's columns and ``entity``, by entity. One query (the filter and the count
    in the database); the reading is audited as ``actor``'s consultation."""
    from workbench.format.schema import FORMAT
    from workbench.store.audit import consulted
    from workbench.store.entity_graph import GRAPH_ENTITIES

    t, c, e = DATA_TABLES[table], DATA_TABLES["cases"], GRAPH_ENTITIES
    spec = FORMAT.table(table)
    key = t.c.reporting_country + sa.literal(":") + t.c.case_id + sa.literal(":") + t.c[spec.own_key[0]]
    stmt = (
        sa.select(*[t.c[n] for n in spec.column_names], e.c.entity)
        .join(c, sa.and_(c.c.reporting_country == t.c.reporting_country, c.c.case_id == t.c.case_id))
        .join(e, sa.and_(e.c.party_table == table, e.c.record_key == key))
    )
    if flt is not None:
        stmt = flt.to_sql(stmt)
    f = stmt.cte("filtered")
    many = sa.select(f.c.entity).group_by(f.c.entity).having(sa.func.count() >= 2)
    query = sa.select(f).where(f.c.entity.in_(many)).order_by(f.c.entity)
    with _connect(store) as conn:
        res = conn.execute(query)
        df = pd.DataFrame(res.fetchall(), columns=list(res.keys()))
    df = df.astype({n: "string" for n in df.columns if df[n].dtype == object})
    consulted(store, table, actor, query=flt.describe() if flt is not None else "", row_count=len(df))
    return df


def _cases_version(conn: Connection) -> int:
    return int(
        conn.execute(sa.select(DATA_VERSIONS.c.version).where(DATA_VERSIONS.c.scope == "cases")).scalar() or 0
    )


def analyses_state(store: Store) -> dict[str, Any]:
    """The stored analyses: ``status`` (``done``, ``running``, ``none``), whether they are ``current``
    (computed at the store's data version), ``computed_at``, ``seconds``."""
    a = GRAPH_ANALYSES
    with _connect(store) as conn:
        row = conn.execute(sa.select(a).where(a.c.name == "communities")).mappings().first()
        version = _cases_version(conn)
    if row is None:
        return {"status": "none", "current": False, "computed_at": None, "seconds": None}
    running = (
        row["status"] == "running"
        and row["started_at"] is not None
        and (dt.datetime.now(dt.UTC) - _utc(row["started_at"]) < dt.timedelta(hours=1))
    )
    return {
        "status": "running" if running else ("done" if row["computed_at"] else "none"),
        "current": row["computed_at"] is not None
        and int(row["cases_version"]) == version
        and row["status"] == "done",
        "computed_at": row["computed_at"],
        "seconds": row["seconds"],
    }


def _utc(t: dt.datetime) -> dt.datetime:
    return t if t.tzinfo else t.replace(tzinfo=dt.UTC)


def compute_analyses(store: Store, *, hub_degree: int = HUB_DEGREE) -> dict[str, Any]:
    """Communities and rankings of the whole graph (persons and companies included), computed from the
    graph tables and stored with the data version they were computed at. Returns the figures."""
    from workbench.network.graph import communities, rankings

    a = GRAPH_ANALYSES
    t0 = time.perf_counter()
    with store.engine.begin() as conn:
        version = _cases_version(conn)
        conn.execute(a.delete().where(a.c.name == "communities"))
        conn.execute(
            a.insert().values(
                name="communities",
                cases_version=version,
                status="running",
                started_at=dt.datetime.now(dt.UTC),
            )
        )
    graph = load_graph(store, personal_allowed=True, hub_degree=hub_degree)
    comm = communities(graph)
    rank = rankings(graph)
    seconds = time.perf_counter() - t0
    with store.engine.begin() as conn:
        ids = dict(
            (str(k), int(v))
            for part in _chunks(comm.index.tolist(), 5_000)
            for k, v in conn.execute(
                sa.select(GRAPH_NODES.c.node_id, GRAPH_NODES.c.id).where(GRAPH_NODES.c.node_id.in_(part))
            )
        )
        conn.execute(GRAPH_COMMUNITIES.delete())
        rows = [{"node": ids[k], "community": int(v)} for k, v in comm.items() if k in ids]
        for part in _chunks(rows, 20_000):
            conn.execute(GRAPH_COMMUNITIES.insert(), part)
        body = {
            "rankings": json.loads(rank.to_json(orient="records")),
            "betweenness_nodes": rank.attrs.get("betweenness_nodes", 0),
        }
        conn.execute(
            a.update()
            .where(a.c.name == "communities")
            .values(
                status="done", computed_at=dt.datetime.now(dt.UTC), seconds=seconds, body=json.dumps(body)
            )
        )
    for personal in (False, True):  # the page's opening figures, counted here rather than on a page run
        graph_counts(store, personal_allowed=personal)
    return {"communities": int(comm.nunique()) if len(comm) else 0, "nodes": len(graph), "seconds": seconds}


def stored_communities(store: Store) -> pd.Series:
    """The stored community number per node id (as :func:`workbench.network.graph.communities`)."""
    with _connect(store) as conn:
        rows = conn.execute(
            sa.select(GRAPH_NODES.c.node_id, GRAPH_COMMUNITIES.c.community).join_from(
                GRAPH_COMMUNITIES, GRAPH_NODES, GRAPH_NODES.c.id == GRAPH_COMMUNITIES.c.node
            )
        ).all()
    return pd.Series({str(k): int(v) for k, v in rows}, dtype="int64")


def stored_community_table(
    store: Store, *, personal_allowed: bool, limit: int = 500, actor: Any = None
) -> tuple[pd.DataFrame, pd.Series]:
    """The largest stored communities as :func:`workbench.network.views.community_table` lists them
    (``community``, ``nodes``, ``members``: up to three persons or companies, else any nodes, by name)
    and their members (node id -> community), read by SQL, not the whole graph. Without
    ``personal_allowed`` persons, companies and identifiers are left out of both."""
    gc, n = GRAPH_COMMUNITIES, GRAPH_NODES
    with _connect(store) as conn:
        sizes = conn.execute(
            sa.select(gc.c.community, sa.func.count().label("nodes"))
            .group_by(gc.c.community)
            .order_by(sa.func.count().desc(), gc.c.community)
            .limit(limit)
        ).all()
        chosen = [int(c) for c, _k in sizes]
        rows: list[Any] = []
        for part in _chunks(chosen):
            stmt = (
                sa.select(gc.c.community, n.c.node_id, n.c.kind, n.c.label)
                .join_from(gc, n, n.c.id == gc.c.node)
                .where(gc.c.community.in_(part))
                .order_by(gc.c.community, n.c.id)
            )
            if not personal_allowed:
                stmt = stmt.where(sa.not_(n.c.personal))
            rows += conn.execute(stmt).all()
    members = pd.DataFrame([tuple(r) for r in rows], columns=["community", "node_id", "kind", "label"])
    members["party"] = members["kind"].isin(_PARTY_KINDS)
    if personal_allowed:  # the names of persons and companies read: audited as ``actor``'s consultation
        _audit_kinds(store, members["kind"], None, actor)
    named = (
        members.sort_values(["community", "party"], ascending=[True, False], kind="stable")
        .groupby("community", sort=False)["label"]
        .agg(lambda s: "; ".join(s.astype(str).head(3)))
    )
    table = pd.DataFrame({"community": [c for c, _k in sizes], "nodes": [int(k) for _c, k in sizes]})
    table["members"] = table["community"].map(named).fillna("")
    comm = pd.Series(members["community"].to_numpy(dtype=np.int64), index=members["node_id"].to_numpy())
    return table, comm


def stored_rankings(store: Store, *, personal_allowed: bool, actor: Any = None) -> pd.DataFrame:
    """The stored rankings (as :func:`workbench.network.graph.rankings`); empty without personal data; the
    persons and companies read are audited as ``actor``'s consultation."""
    with _connect(store) as conn:
        body = conn.execute(
            sa.select(GRAPH_ANALYSES.c.body).where(GRAPH_ANALYSES.c.name == "communities")
        ).scalar()
    cols = ["node_id", "kind", "label", "degree", "betweenness"]
    if not body or not personal_allowed:
        return pd.DataFrame(columns=cols)
    data = json.loads(body)
    out = pd.DataFrame(data["rankings"], columns=cols)
    _audit_kinds(store, out["kind"], None, actor)
    out.attrs["betweenness_nodes"] = int(data.get("betweenness_nodes", 0))
    return out


_RUNNING: dict[str, subprocess.Popen[bytes]] = {}


def refresh_analyses_in_background(store: Store) -> bool:
    """Start computing the analyses in a background process (its memory is not the app's) when they
    are not current and nobody computes them; returns whether they are being computed now. The store's
    URL goes to the child in its environment (``WORKBENCH_DB_URL``), never on its command line."""
    state = analyses_state(store)
    if state["current"]:
        return False
    key = store.url
    running = _RUNNING.get(key)
    if running is not None and running.poll() is None:
        return True
    if state["status"] == "running":  # another process computes them
        return True
    if not graph_current(store):
        return False
    env = {**os.environ, "WORKBENCH_DB_URL": store.engine.url.render_as_string(hide_password=False)}
    _RUNNING[key] = subprocess.Popen(
        [sys.executable, "-m", "workbench.network.store_graph"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return True


if __name__ == "__main__":  # the background process of refresh_analyses_in_background
    from workbench.store import open_store

    compute_analyses(open_store(os.environ["WORKBENCH_DB_URL"]))
