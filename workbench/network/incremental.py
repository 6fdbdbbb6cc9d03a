"""Incremental entity resolution: persons and companies imported since the last resolution are resolved
against the store's resolved records without resolving the world again.

A full resolution (:func:`workbench.network.store_graph.rebuild_graph` with ``resolve``) keeps, besides
the entities (``graph_entities``), what it needs to resolve new records later
(:mod:`workbench.store.resolution_index`): the fitted match model of each kind (m, u, prior, threshold),
the blocking keys of every resolved record (hashed, indexed) and how many records hold each name (the
term-frequency adjustment). Records the graph tables hold without an entity are *pending* (an import
links them into the graph as their own entity). :func:`resolve_pending` takes them and, with the SAME
functions the full resolution uses (:func:`~workbench.network.resolve.person_features`,
:func:`~workbench.network.resolve.blocking_keys`, :func:`~workbench.network.resolve.compare`,
:func:`~workbench.network.resolve.score_pairs`):

1. computes their features and blocking keys, and fetches the stored records sharing a key by indexed
   look-ups (a block that is, or becomes, larger than its cap pairs nothing, as in a full resolution);
2. scores the candidate pairs with the stored model, the names' frequencies of the whole store included;
3. applies the analysts' judgements (a "same" joins two records, a "different" keeps the pair apart);
4. joins each new record to the entity it matches, merging entities a new record links; the entity is
   named after its smallest record key, as the full resolution names it;
5. writes the entities, the keys and name counts, and the graph tables' records, nodes and links of
   the cases concerned, all in one transaction, audited once (with counts, no personal value).

Why the import does not call it: the exchange layer (the import) must not import the network layer;
the import leaves its records pending and the callers above both resolve them: the command line's
``workbench import`` right after the import commits, the Data page's import, the Network page when it
finds pending records, and ``workbench graph-index resolve``. A store never resolved gets a full
resolution the first time (there is no model to score with).

What it cannot find that a rebuild would: the model is not re-estimated (a rebuild fits it to all the
records again); the companies' sorted-neighbourhood passes (typos that change every blocking key) run
only in a rebuild; a block that grows past its cap keeps the links it made while it was small (a
rebuild drops them); a record rewritten by a later submission keeps its entity and its keys.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from workbench.i18n import _
from workbench.network.fellegi_sunter import MatchModel
from workbench.network.resolve import (
    ENTITY_PREFIX,
    TF_FIELDS,
    Kind,
    Resolution,
    block_cap,
    blocking_keys,
    candidate_pairs,
    company_features,
    compare,
    person_features,
    resolver_kind,
    score_pairs,
)
from workbench.store.database import bulk_insert
from workbench.store.entity_graph import (
    GRAPH_COMMUNITIES,
    GRAPH_EDGES,
    GRAPH_ENTITIES,
    GRAPH_NODES,
    GRAPH_RECORDS,
    PARTY_TABLES,
    party_rows,
    record_keys_of,
    stored_entities,
    write_graph_cases,
)
from workbench.store.resolution_index import (
    FULL_BLOCK,
    RESOLUTION_KEYS,
    RESOLUTION_MODELS,
    RESOLUTION_TERMS,
    key_hashes,
)

if TYPE_CHECKING:  # pragma: no cover
    from workbench.store import Store

__all__ = [
    "write_resolution_index",
    "clear_resolution_index",
    "resolve_pending",
    "pending_count",
    "resolution_state",
    "MAX_BLOCK",
]

_CHUNK = 500
#: The blocks' default cap (``resolve(max_block=...)``), as the full resolution uses it.
MAX_BLOCK = 60


def insert_frame(conn: Connection, table: sa.Table, frame: pd.DataFrame) -> None:
    """The rows of ``frame`` into ``table`` (the driver's bulk path)."""
    if len(frame):
        bulk_insert(conn, table, {str(c): frame[c].astype(object).tolist() for c in frame.columns})


def _chunks(seq: list[Any], n: int = _CHUNK) -> Iterable[list[Any]]:
    for i in range(0, len(seq), n):
        yield seq[i : i + n]


def _features(df: pd.DataFrame, kind: Kind) -> pd.DataFrame:
    return person_features(df) if kind == "person" else company_features(df)


def _key_frame(feats: pd.DataFrame, kind: Kind, record_keys: pd.Series) -> pd.DataFrame:
    """One row per (record, non-blank blocking key): ``name``, ``key`` (hash), ``record_key``."""
    parts = []
    rk = record_keys.reset_index(drop=True).astype(object)
    for name, values in blocking_keys(feats, kind).items():
        v = values.reset_index(drop=True)
        has = (v != "").to_numpy()
        if not has.any():
            continue
        parts.append(
            pd.DataFrame(
                {
                    "name": name,
                    "key": key_hashes(kind, name, v[has]),
                    "record_key": rk[has].to_numpy(dtype=object),
                }
            )
        )
    if not parts:
        return pd.DataFrame({"name": [], "key": np.array([], dtype=np.int64), "record_key": []})
    return pd.concat(parts, ignore_index=True).drop_duplicates(["key", "record_key"])


def _term_counts(feats: pd.DataFrame, kind: Kind) -> dict[str, pd.Series]:
    """How many of these records hold each value of the term-frequency fields (blank left out)."""
    out = {}
    for column in TF_FIELDS[kind]:
        v = feats[column].astype("string").fillna("")
        out[column] = v[v != ""].value_counts()
    return out


def write_resolution_index(conn: Connection, res: Resolution, record_keys: pd.Series) -> None:
    """Store what incremental resolution needs of a full resolution ``res`` of one kind (with its
    features: ``resolve(..., keep_features=True)``) of the records ``record_keys``, replacing what was
    stored for that kind (the caller emptied the keys and terms of a rebuild)."""
    kind = res.kind
    feats = res.features
    if feats is None:
        raise ValueError(_("the resolution kept no features: resolve(..., keep_features=True)"))
    keys = _key_frame(feats, kind, record_keys)
    caps = keys["name"].map(lambda n: block_cap(n, MAX_BLOCK))
    size = keys.groupby("key")["record_key"].transform("size")
    over = size > caps
    markers = keys.loc[over, ["key"]].drop_duplicates().assign(record_key=FULL_BLOCK)
    rows = pd.concat([keys.loc[~over, ["key", "record_key"]], markers], ignore_index=True)
    insert_frame(conn, RESOLUTION_KEYS, rows)
    totals: dict[str, dict[str, int]] = {}
    for column, counts in _term_counts(feats, kind).items():
        c = counts.to_numpy(dtype=np.int64)
        totals[column] = {"total": int(c.sum()), "sumsq": int((c * c).sum())}
        insert_frame(
            conn,
            RESOLUTION_TERMS,
            pd.DataFrame({"term": key_hashes(kind, column, counts.index.to_series()), "count": c}),
        )
    model = res.model
    body = {
        "m": {f: [float(x) for x in v] for f, v in model.m.items()} if model else {},
        "u": {f: [float(x) for x in v] for f, v in model.u.items()} if model else {},
        "prior": float(model.prior) if model else None,
        "terms": totals,
        "max_block": MAX_BLOCK,
    }
    now = dt.datetime.now(dt.UTC)
    conn.execute(RESOLUTION_MODELS.delete().where(RESOLUTION_MODELS.c.kind == kind))
    conn.execute(
        RESOLUTION_MODELS.insert().values(
            kind=kind,
            method=res.method,
            threshold=float(res.stats.get("threshold", 0.8)),
            body=json.dumps(body),
            records=len(record_keys),
            resolved_at=now,
            updated_at=now,
        )
    )


def clear_resolution_index(conn: Connection) -> None:
    """Empty the incremental resolution's tables (a full resolution rewrites them)."""
    for t in (RESOLUTION_KEYS, RESOLUTION_TERMS, RESOLUTION_MODELS):
        conn.execute(t.delete())


# ------------------------------------------------------------------------------------------ pending
def _pending_stmt(table: str) -> sa.Select[Any]:
    r, e = GRAPH_RECORDS, GRAPH_ENTITIES
    has_entity = sa.exists().where(e.c.party_table == table, e.c.record_key == r.c.record_key)
    return sa.select(r.c.record_key, r.c.case_ref).where(r.c.kind == PARTY_TABLES[table], ~has_entity)


def pending_count(store: Store | Connection) -> dict[str, int]:
    """Records of each party table the graph tables hold without a resolved entity."""
    out: dict[str, int] = {}

    def count(conn: Connection) -> None:
        for table in PARTY_TABLES:
            sub = _pending_stmt(table).subquery()
            out[table] = int(conn.execute(sa.select(sa.func.count()).select_from(sub)).scalar() or 0)

    if isinstance(store, Connection):
        count(store)
    else:
        with store.engine.connect() as conn:
            count(conn)
    return out


def resolution_state(store: Store) -> dict[str, Any]:
    """Whether the store was ever resolved (``resolved``: a model per kind), when, and the records
    pending resolution per party table."""
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(
                RESOLUTION_MODELS.c.kind, RESOLUTION_MODELS.c.resolved_at, RESOLUTION_MODELS.c.updated_at
            )
        ).all()
        pending = pending_count(conn)
    return {
        "resolved": bool(rows),
        "models": {str(k): {"resolved_at": a, "updated_at": b} for k, a, b in rows},
        "pending": pending,
    }


# ------------------------------------------------------------------------------------- incremental
def _stored_model(conn: Connection, kind: Kind) -> dict[str, Any] | None:
    row = (
        conn.execute(sa.select(RESOLUTION_MODELS).where(RESOLUTION_MODELS.c.kind == kind)).mappings().first()
    )
    if row is None:
        return None
    body = json.loads(row["body"])
    model = None
    if row["method"] == "model" and body.get("m"):
        model = MatchModel(
            {f: np.asarray(v, dtype=float) for f, v in body["m"].items()},
            {f: np.asarray(v, dtype=float) for f, v in body["u"].items()},
            float(body["prior"]),
        )
    return {
        "method": str(row["method"]),
        "threshold": float(row["threshold"]),
        "model": model,
        "terms": body.get("terms", {}),
        "max_block": int(body.get("max_block", MAX_BLOCK)),
        "records": int(row["records"]),
    }


def _lookup(conn: Connection, table: sa.Table, column: sa.Column[Any], values: list[int]) -> list[Any]:
    rows: list[Any] = []
    for part in _chunks(values):
        rows += conn.execute(sa.select(table).where(column.in_(part))).all()
    return rows


def _case_refs_of(conn: Connection, kind: str, keys: list[str]) -> dict[str, int]:
    r = GRAPH_RECORDS
    out: dict[str, int] = {}
    for part in _chunks(keys):
        out.update(
            (str(k), int(c))
            for k, c in conn.execute(
                sa.select(r.c.record_key, r.c.case_ref).where(r.c.kind == kind, r.c.record_key.in_(part))
            )
        )
    return out


def _rows_of(conn: Connection, table: str, refs_of: dict[str, int]) -> pd.DataFrame:
    """The data rows of the records ``refs_of`` (record key -> its case's row id), in key order."""
    if not refs_of:
        return pd.DataFrame()
    df = party_rows(conn, table, sorted(set(refs_of.values())))
    if df.empty:
        return df
    df = df.assign(_key=record_keys_of(df, table).to_numpy(dtype=object))
    df = df[df["_key"].isin(set(refs_of))].drop_duplicates("_key")
    return df.sort_values("_key", kind="stable").reset_index(drop=True)


class _Union:
    def __init__(self) -> None:
        self.parent: dict[Any, Any] = {}

    def find(self, x: Any) -> Any:
        self.parent.setdefault(x, x)
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: Any, b: Any) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb, key=str)] = min(ra, rb, key=str)


def _terms(
    conn: Connection,
    kind: Kind,
    feats: pd.DataFrame,
    stored_totals: dict[str, Any],
    added: dict[str, pd.Series] | None = None,
) -> tuple[dict[str, tuple[pd.Series, float]], list[tuple[int, int, bool]], dict[str, dict[str, int]]]:
    """The term frequencies of the values in ``feats`` over the whole store (with the ``added``
    records' counts), the count rows to write (term, new count, whether stored) and the new totals."""
    terms: dict[str, tuple[pd.Series, float]] = {}
    updates: list[tuple[int, int, bool]] = []
    totals = {c: dict(stored_totals.get(c, {"total": 0, "sumsq": 0})) for c in TF_FIELDS[kind]}
    for column in TF_FIELDS[kind]:
        values = feats[column].astype("string").fillna("")
        distinct = pd.Series(sorted(set(values[values != ""].tolist())), dtype="string")
        hashes = key_hashes(kind, column, distinct) if len(distinct) else np.array([], dtype=np.int64)
        have = {
            int(t): int(c)
            for t, c in _lookup(conn, RESOLUTION_TERMS, RESOLUTION_TERMS.c.term, hashes.tolist())
        }
        more_of = added[column] if added is not None else pd.Series(dtype="int64")
        tot = totals[column]
        count: dict[str, int] = {}
        for value, h in zip(distinct.tolist(), hashes.tolist(), strict=True):
            before, more = have.get(int(h), 0), int(more_of.get(value, 0))
            count[value] = before + more
            if more:
                tot["sumsq"] += (before + more) ** 2 - before**2
                updates.append((int(h), before + more, int(h) in have))
        tot["total"] += int(more_of.sum())
        t = max(tot["total"], 1)
        terms[column] = (pd.Series(count, dtype=float) / t, tot["sumsq"] / t**2)
    return terms, updates, totals


def _resolve_kind(
    conn: Connection,
    table: str,
    pending: dict[str, int],
    stored: dict[str, Any],
    judgements: list[tuple[str, str, str]],
) -> dict[str, Any]:
    """Resolve the ``pending`` records (key -> case row id) of party ``table`` against the store."""
    kind = resolver_kind(PARTY_TABLES[table])
    prefix = ENTITY_PREFIX[kind]
    new = _rows_of(conn, table, pending)
    if new.empty:
        return {"records": 0, "joined": 0, "merged": 0, "pairs": 0}
    new_keys = new["_key"].astype(str)
    feats_new = _features(new, kind)
    keys_new = _key_frame(feats_new, kind, new_keys)

    # 1. the stored records sharing a key (indexed look-ups), and the blocks' sizes with the new records
    found = pd.DataFrame(
        [
            tuple(r)
            for r in _lookup(conn, RESOLUTION_KEYS, RESOLUTION_KEYS.c.key, sorted(set(keys_new["key"])))
        ],
        columns=["key", "record_key"],
    )
    full = set(found.loc[found["record_key"] == FULL_BLOCK, "key"].astype("int64"))
    members = found[found["record_key"] != FULL_BLOCK]
    members = members[~members["record_key"].isin(set(new_keys))]
    stored_size = members.groupby("key").size()
    new_size = keys_new.groupby("key").size()
    cap = (
        keys_new.drop_duplicates("key")
        .set_index("key")["name"]
        .map(lambda n: block_cap(n, stored["max_block"]))
    )
    total = new_size.add(stored_size, fill_value=0).reindex(cap.index)
    allowed = set(cap.index[(total <= cap) & ~cap.index.isin(list(full))].astype("int64"))
    grown = set(cap.index[(total > cap) & ~cap.index.isin(list(full))].astype("int64"))
    cand = sorted(set(members.loc[members["key"].isin(allowed), "record_key"].astype(str)))

    # 2. their rows and features; pairs of records sharing an allowed key, one of them new
    old = _rows_of(conn, table, _case_refs_of(conn, PARTY_TABLES[table], cand))
    both = pd.concat([old, new], ignore_index=True) if not old.empty else new.reset_index(drop=True)
    n_old = len(old)
    all_keys = both["_key"].astype(str).reset_index(drop=True)
    feats = _features(both.drop(columns=["_key"]), kind)
    keys = {
        name: values.where(
            pd.Series(np.isin(key_hashes(kind, name, values), list(allowed)), index=values.index), ""
        )
        for name, values in blocking_keys(feats, kind).items()
    }
    i, j, _stats = candidate_pairs(feats, kind, stored["max_block"], keys=keys, neighbours=False)
    with_new = (i >= n_old) | (j >= n_old)
    i, j = i[with_new], j[with_new]

    # 3. name frequencies of the whole store with the new records
    terms, term_updates, totals = _terms(conn, kind, feats, stored["terms"], _term_counts(feats_new, kind))

    # 4. score with the stored model; judgements win
    comp = compare(feats, kind, i, j)
    score = (
        score_pairs(comp, feats, kind, i, stored["method"], stored["model"], terms) if len(i) else np.zeros(0)
    )
    linked = score >= stored["threshold"]
    decided: dict[tuple[str, str], str] = {}
    new_set = set(new_keys)
    for a, b, d in judgements:
        if (a in new_set or b in new_set) and d in ("same", "different"):
            decided[(min(a, b), max(a, b))] = d
    ki, kj = all_keys.to_numpy(dtype=object)[i], all_keys.to_numpy(dtype=object)[j]
    for k, (a, b) in enumerate(zip(ki.tolist(), kj.tolist(), strict=True)):
        verdict = decided.pop((min(a, b), max(a, b)), "")
        if verdict:
            linked[k] = verdict == "same"
    links = [(a, b) for a, b, ok in zip(ki.tolist(), kj.tolist(), linked.tolist(), strict=True) if ok]
    links += [pair for pair, d in decided.items() if d == "same"]  # judged pairs not among the candidates

    # 5. cluster: new records and the stored entities they link
    others = sorted({x for pair in links for x in pair if x not in new_set})
    entity_of = stored_entities(conn, table, others).to_dict()
    uf = _Union()
    for rk in new_keys:
        uf.find(("r", rk))

    def node(x: str) -> tuple[str, str] | None:
        if x in new_set:
            return ("r", x)
        e = entity_of.get(x)
        return ("e", e) if e is not None else None

    for a, b in links:
        na, nb = node(a), node(b)
        if na is not None and nb is not None:
            uf.union(na, nb)
    groups: dict[Any, list[tuple[str, str]]] = {}
    for x in list(uf.parent):
        groups.setdefault(uf.find(x), []).append(x)
    renames: dict[str, str] = {}
    assign: dict[str, str] = {}
    joined = merged = 0
    for members_ in groups.values():
        records = [x for t, x in members_ if t == "r"]
        ents = sorted(x for t, x in members_ if t == "e")
        if not records:
            continue
        target = prefix + min([e.removeprefix(prefix) for e in ents] + records)
        for ent in ents:
            if ent != target:
                renames[ent] = target
        joined += len(records) if ents else 0
        merged += max(0, len(ents) - 1)
        for rec in records:
            assign[rec] = target

    # 6. write: entities, keys, terms, model totals, then the graph of the cases concerned
    ge, gr, gn = GRAPH_ENTITIES, GRAPH_RECORDS, GRAPH_NODES
    kind_node = PARTY_TABLES[table]
    old_nodes = [f"{kind_node}:{k}" for k in new_keys] + [f"{kind_node}:{x}" for x in renames]
    refs = set(pending.values())
    for part in _chunks(list(renames)):
        refs.update(
            int(c)
            for (c,) in conn.execute(
                sa.select(gr.c.case_ref)
                .join_from(gr, gn, gn.c.id == gr.c.node)
                .where(gn.c.node_id.in_([f"{kind_node}:{x}" for x in part]))
            )
        )
    if renames:
        conn.execute(
            ge.update()
            .where(ge.c.party_table == table, ge.c.entity == sa.bindparam("old"))
            .values(entity=sa.bindparam("new")),
            [{"old": a, "new": b} for a, b in renames.items()],
        )
    insert_frame(
        conn,
        GRAPH_ENTITIES,
        pd.DataFrame({"party_table": table, "record_key": list(assign), "entity": list(assign.values())}),
    )
    kept = keys_new[keys_new["key"].isin(list(allowed))][["key", "record_key"]]
    if grown:  # blocks now beyond their cap: one marker row instead of their members
        for part in _chunks(sorted(grown)):
            conn.execute(RESOLUTION_KEYS.delete().where(RESOLUTION_KEYS.c.key.in_(part)))
        kept = pd.concat([kept, pd.DataFrame({"key": sorted(grown), "record_key": FULL_BLOCK})])
    insert_frame(conn, RESOLUTION_KEYS, kept)
    fresh = [(h, c) for h, c, had in term_updates if not had]
    if fresh:
        insert_frame(conn, RESOLUTION_TERMS, pd.DataFrame(fresh, columns=["term", "count"]))
    if any(had for _h, _c, had in term_updates):
        conn.execute(
            RESOLUTION_TERMS.update()
            .where(RESOLUTION_TERMS.c.term == sa.bindparam("t"))
            .values(count=sa.bindparam("c")),
            [{"t": h, "c": c} for h, c, had in term_updates if had],
        )
    row = conn.execute(sa.select(RESOLUTION_MODELS.c.body).where(RESOLUTION_MODELS.c.kind == kind)).scalar()
    body = json.loads(str(row))
    body["terms"] = totals
    conn.execute(
        RESOLUTION_MODELS.update()
        .where(RESOLUTION_MODELS.c.kind == kind)
        .values(
            body=json.dumps(body),
            records=RESOLUTION_MODELS.c.records + len(assign),
            updated_at=dt.datetime.now(dt.UTC),
        )
    )
    write_graph_cases(conn, sorted(refs))
    _drop_orphans(conn, old_nodes)
    return {"records": len(assign), "joined": joined, "merged": merged, "pairs": len(i)}


def _drop_orphans(conn: Connection, node_ids: list[str]) -> None:
    """Remove the nodes among ``node_ids`` nothing links any more (a record's own node once resolved,
    an entity merged into another), with their stored community."""
    n, r, ed = GRAPH_NODES, GRAPH_RECORDS, GRAPH_EDGES
    for part in _chunks(node_ids):
        ids = [int(x) for (x,) in conn.execute(sa.select(n.c.id).where(n.c.node_id.in_(part)))]
        if not ids:
            continue
        used = {int(x) for (x,) in conn.execute(sa.select(r.c.node).where(r.c.node.in_(ids)).distinct())}
        used |= {int(x) for (x,) in conn.execute(sa.select(ed.c.src).where(ed.c.src.in_(ids)).distinct())}
        gone = [x for x in ids if x not in used]
        if gone:
            conn.execute(GRAPH_COMMUNITIES.delete().where(GRAPH_COMMUNITIES.c.node.in_(gone)))
            conn.execute(n.delete().where(n.c.id.in_(gone)))


def resolve_pending(store: Store, *, actor: Any = None) -> dict[str, Any]:
    """Resolve the persons and companies imported since the last resolution (see the module's text);
    the first time (no stored model), a full resolution of the store
    (:func:`workbench.network.store_graph.rebuild_graph`). Needs the import right and the right to see
    personal data, checked here; audited once. Returns the figures: ``mode`` (``full``,
    ``incremental`` or ``none``), per party table the records resolved, those joined to a stored
    entity and the entities merged, and ``seconds``."""
    from workbench.identity import require
    from workbench.identity.accounts import acting
    from workbench.network.judgements import load_judgements
    from workbench.store import audit, bump_data_version

    principal = acting(store, actor)
    require(principal, "import_data")
    require(principal, "view_personal")
    t0 = time.perf_counter()
    with store.engine.connect() as conn:
        models = {str(k) for (k,) in conn.execute(sa.select(RESOLUTION_MODELS.c.kind))}
        pending = {
            table: {str(k): int(c) for k, c in conn.execute(_pending_stmt(table))} for table in PARTY_TABLES
        }
    todo = {t: p for t, p in pending.items() if p}
    if not todo:
        return {"mode": "none", "seconds": time.perf_counter() - t0}
    if not models or any(PARTY_TABLES[t] not in models for t in todo):
        from workbench.network.store_graph import rebuild_graph

        links = rebuild_graph(store, resolve=True, actor=principal)
        return {"mode": "full", "links": links, "seconds": time.perf_counter() - t0}
    judged = {t: load_judgements(store, PARTY_TABLES[t]) for t in todo}
    figures: dict[str, Any] = {"mode": "incremental"}
    with store.engine.begin() as conn:
        for table, keys in todo.items():
            stored = _stored_model(conn, resolver_kind(PARTY_TABLES[table]))
            assert stored is not None
            figures[table] = _resolve_kind(conn, table, keys, stored, judged[table])
        bump_data_version(conn, "judgements")  # the entities changed: the pages' personal graphs reread
        figures["seconds"] = round(time.perf_counter() - t0, 3)
        audit(conn, "data.resolve_entities", figures, principal, row_count=sum(len(k) for k in todo.values()))
    return figures


def resolve_after_import(store: Store, actor: Any = None) -> dict[str, Any] | None:
    """:func:`resolve_pending` right after an import, when ``actor`` may resolve (import and see
    personal data); None when not: the records stay pending (their own entities) until someone who
    may resolves them (the Network page, ``workbench graph-index resolve``). When the database refuses
    the step (another process resolving at the same time), ``mode`` is ``busy`` and nothing is
    written (one transaction)."""
    from workbench.identity import can
    from workbench.identity.accounts import acting

    principal = acting(store, actor)
    if not (can(principal, "import_data") and can(principal, "view_personal")):
        return None
    try:
        return resolve_pending(store, actor=principal)
    except sa.exc.DBAPIError:  # another process resolving the same records: they stay pending, unharmed
        return {"mode": "busy", "seconds": 0.0}


def stored_resolution(
    store: Store, kind: Kind, table: pd.DataFrame, judgements: Iterable[tuple[str, str, str]] = ()
) -> Resolution:
    """The stored entities of the records of ``table`` (party rows with their ``entity``, e.g.
    :func:`workbench.network.store_graph.stored_groups`) as a
    :class:`~workbench.network.resolve.Resolution` the Duplicates page lists: each entity's records
    paired with its first one, scored by the stored model with the whole store's name frequencies
    (:func:`~workbench.network.resolve.match_explanation` explains a pair on demand), without
    resolving anything again."""
    from workbench.format.schema import FORMAT
    from workbench.network.resolve import _explain, record_keys

    id_col = FORMAT.table_of_entity(kind).own_key[0]
    df = table.reset_index(drop=True)
    keys = record_keys(df, id_col).astype(str)
    entity = df["entity"].astype(str)
    feats = _features(df.drop(columns=["entity"]), kind)
    first = pd.Series(np.arange(len(df))).groupby(entity.to_numpy(), sort=False).transform("min").to_numpy()
    j = np.flatnonzero(first != np.arange(len(df)))
    i = first[j]
    with store.engine.connect() as conn:
        stored = _stored_model(conn, kind)
        if stored is None:
            raise ValueError(_("the store holds no resolution of {kind} records yet", kind=kind))
        terms, _updates, _totals = _terms(conn, kind, feats, stored["terms"])
    comp = compare(feats, kind, i, j)
    score = (
        score_pairs(comp, feats, kind, i, stored["method"], stored["model"], terms) if len(i) else np.zeros(0)
    )
    judged = {(min(a, b), max(a, b)): d for a, b, d in judgements}
    kv = keys.to_numpy(dtype=object)
    ids = df[id_col].astype("string").fillna("").to_numpy(dtype=object)
    decision = [judged.get((min(a, b), max(a, b)), "") for a, b in zip(kv[i], kv[j], strict=True)]
    matches = pd.DataFrame(
        {
            "left": i,
            "right": j,
            "left_key": kv[i],
            "right_key": kv[j],
            f"left_{id_col}": ids[i],
            f"right_{id_col}": ids[j],
            "score": np.round(score, 4),
            "linked": np.ones(len(i), dtype=bool),
            "decision": np.array(decision, dtype=object),
            "explanation": [_explain(comp, k) for k in range(len(i))],
        }
    )
    best = np.ones(len(df))
    best[j] = np.round(score, 4)
    assignments = pd.DataFrame({"record_key": kv, id_col: ids, "entity_id": entity.to_numpy(), "score": best})
    stats = {
        "records": len(df),
        "entities": int(entity.nunique()),
        "candidate_pairs": len(i),
        "linked_pairs": len(i),
        "threshold": stored["threshold"],
    }
    return Resolution(
        kind,
        assignments,
        matches.sort_values(["score", "left"], ascending=[False, True], kind="stable").reset_index(drop=True),
        stats,
        method="model" if stored["model"] is not None else "weights",
        model=stored["model"],
        features=feats,
        terms=terms,
    )
