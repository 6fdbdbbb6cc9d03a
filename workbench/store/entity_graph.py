"""The entity graph's identifiers and links kept in indexed store tables, so that the Network page reads
an ego network or a path by indexed look-ups instead of building the whole graph in memory.

What a link is (nodes of cases, persons, companies, identifiers and conveyances, and the edges between
them) is declared once, here, by :func:`graph_links` from the exchange format; the in-memory
:func:`workbench.network.graph.build_graph` uses it too. The tables hold every link as written (an
identifier held by one record included); which identifiers link (two or more holders among the
filtered cases) is decided when the graph is read, as ``build_graph`` decides it for its frame.

Tables
    ``graph_nodes``: one row per node (``node_id`` as the in-memory graph names it, ``kind``,
    ``subkind``, ``label``, ``personal``). ``graph_edges``: each link twice (``src`` -> ``dst`` and back,
    so that one index answers a node's neighbours), with the case it comes from (``case_ref``, the
    cases row id: the sidebar filter applies through it) and ``personal`` (an end is personal data).
    ``graph_records``: one row per party record (its entity node, case, role and the name as written).
    ``graph_entities``: the resolver's entity of each party record (stored by a rebuild with
    resolution, see :func:`workbench.network.store_graph.rebuild_graph`); a record without one is its
    own entity. ``graph_state``: the ``cases`` data version the tables hold.

Kept current inside each import's transaction for the cases it wrote (:func:`refresh_graph`, next to
the summaries' refresh), and rebuilt by ``workbench graph-index rebuild``. When the tables are behind
the store (an erasure since), an import rebuilds them all, as the summaries do.

Examples
--------
>>> from workbench.store import open_store
>>> store = open_store("sqlite://")
>>> graph_current(store)
False
>>> with store.engine.begin() as conn:
...     rebuild_graph_tables(conn)
0
>>> graph_current(store)
True
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from workbench.format.schema import FORMAT
from workbench.store.models import DATA_TABLES, Base
from workbench.store.search import _insert as insert_frame
from workbench.store.version import DATA_VERSIONS

if TYPE_CHECKING:  # pragma: no cover
    from workbench.store.database import Store

__all__ = [
    "GRAPH_NODES",
    "GRAPH_EDGES",
    "GRAPH_RECORDS",
    "GRAPH_ENTITIES",
    "GRAPH_STATE",
    "GRAPH_ANALYSES",
    "GRAPH_COMMUNITIES",
    "GraphLinks",
    "graph_links",
    "linker_nodes",
    "PARTY_TABLES",
    "CONVEYANCE_KINDS",
    "ACTOR_KINDS",
    "PERSONAL_SUBKINDS",
    "refresh_graph",
    "rebuild_graph_tables",
    "write_graph_cases",
    "graph_current",
    "graph_built",
    "party_rows",
    "stored_entities",
    "record_keys_of",
]

#: Tables whose rows are parties to a case -> the node kind a row makes.
PARTY_TABLES: dict[str, str] = dict(FORMAT.party_tables)
_CASES = FORMAT.table("cases")
#: The cases column whose values make conveyance nodes, and the column with the conveyance's type.
_CONVEYANCE = FORMAT.node_sources("conveyance")[0][1]
_CONVEYANCE_TYPE = _CONVEYANCE.hint or ""
_TYPES = FORMAT.enumeration(_CASES.column(_CONVEYANCE_TYPE).enum or "")
#: Conveyance types (format enumeration) that make conveyance nodes -> (the node's subkind, whether
#: its identifier is personal data: a vehicle plate points to a person, a flight number does not).
#: Types without a node in the format (parcels: a tracking number belongs to one item) link nothing.
CONVEYANCE_KINDS: dict[str, tuple[str, bool]] = {
    t: (sub, _CONVEYANCE.is_personal_for({_CONVEYANCE_TYPE: t}))
    for t in _TYPES.values
    if (sub := _TYPES.property(t, "node"))
}
#: Conveyance subkinds whose identifier is personal data.
PERSONAL_SUBKINDS: frozenset[str] = frozenset(sub for sub, personal in CONVEYANCE_KINDS.values() if personal)
#: Node kinds that are nodes by themselves (a case, a party); the others (identifiers, conveyances)
#: are nodes only where they link two or more of these.
ACTOR_KINDS: tuple[str, ...] = ("case", *PARTY_TABLES.values())
#: Columns of the cases table the graph reads (a case's caption and its conveyance).
CASE_GRAPH_COLUMNS: tuple[str, ...] = tuple(
    dict.fromkeys(
        (
            "reporting_country",
            "case_id",
            *_CASES.caption_columns,
            *(n for c in _CASES.node_columns for n in (c.name, c.hint) if n),
        )
    )
)


def _col(df: pd.DataFrame, name: str) -> pd.Series:
    if name in df.columns:
        return df[name].astype("string").fillna("").str.strip()
    return pd.Series([""] * len(df), index=df.index, dtype="string")


def _case_keys(df: pd.DataFrame) -> pd.Series:
    if "case_key" in df.columns:
        return df["case_key"].astype("string")
    return _col(df, "reporting_country") + ":" + _col(df, "case_id")


@dataclass
class GraphLinks:
    """Every link of some cases and their parties, as written (before the graph keeps the linking ones).

    ``nodes``: ``node_id``, ``kind``, ``label``, ``subkind`` of the cases and the party entities (in
    that order, each once; an entity labelled with the name most often written on its records).
    ``edges``: ``a``, ``b``, ``relation``, ``case_node`` (the case the link comes from), duplicates kept.
    ``records``: ``record_key``, ``kind``, ``node_id``, ``case_node``, ``role``, ``written``.
    """

    nodes: pd.DataFrame
    edges: pd.DataFrame
    records: pd.DataFrame
    case_keys: pd.Series


def graph_links(
    cases: pd.DataFrame,
    persons: pd.DataFrame | None = None,
    companies: pd.DataFrame | None = None,
    *,
    entities: Mapping[str, pd.Series] | None = None,
    personal_conveyances: bool | None = None,
) -> GraphLinks:
    """The links of exchange-format tables (``cases``; optional ``persons``, ``companies``).

    ``entities``: ``{"persons": Series, "companies": Series}`` mapping record keys
    (``reporting_country:case_id:id``) to entity ids; records without one are their own entity.
    ``personal_conveyances``: include vehicle plates (default: when parties are given).

    >>> cases = pd.DataFrame({"reporting_country": ["FR"], "case_id": ["C1"],
    ...                       "conveyance_type": ["aircraft"], "conveyance_id": ["AF 012"]})
    >>> graph_links(cases).edges.values.tolist()
    [['case:FR:C1', 'conveyance:flight:AF12', 'aircraft', 'case:FR:C1']]
    """
    entities = entities or {}
    case_keys = _case_keys(cases)
    node_parts: list[pd.DataFrame] = []
    edge_parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []

    def add_nodes(ids: pd.Series, kind: str, label: pd.Series) -> None:
        node_parts.append(
            pd.DataFrame(
                {
                    "node_id": ids.to_numpy(dtype=object),
                    "kind": np.full(len(ids), kind, dtype=object),
                    "label": label.to_numpy(dtype=object),
                    "subkind": np.full(len(ids), "", dtype=object),
                }
            )
        )

    case_node = "case:" + case_keys
    add_nodes(case_node, "case", _CASES.captions(cases))
    parties = {"persons": persons, "companies": companies}
    record_frames = []
    for table, df in parties.items():
        if df is None or df.empty:
            continue
        kind = PARTY_TABLES[table]
        spec = FORMAT.table(table)
        rkey = _case_keys(df) + ":" + _col(df, spec.own_key[0])
        ent = entities.get(table)
        ent_id = rkey if ent is None or ent.empty else rkey.map(ent).fillna(rkey).astype("string")
        party_node = kind + ":" + ent_id
        label = spec.captions(df)
        add_nodes(*party_labels(party_node, label, kind))
        rec_case = ("case:" + _case_keys(df)).to_numpy(dtype=object)
        record_frames.append(
            pd.DataFrame(
                {
                    "record_key": rkey.to_numpy(dtype=object),
                    "kind": kind,
                    "node_id": party_node.to_numpy(dtype=object),
                    "case_node": rec_case,
                    "role": _col(df, "role").replace("", "party").to_numpy(dtype=object),
                    "written": label.to_numpy(dtype=object),
                }
            )
        )
        edge_parts.append(
            (party_node.to_numpy(dtype=object), rec_case, record_frames[-1]["role"].to_numpy(), rec_case)
        )
        for column in spec.node_columns:
            raw = _col(df, column.name)
            has = raw != ""
            if not has.any():
                continue
            id_kind = column.node or ""
            hint = _col(df, column.hint)[has] if column.hint else None
            key = column.normal_forms(raw[has], hint)
            key = key[key != ""]
            ident = id_kind + ":" + key
            edge_parts.append(
                (
                    party_node[key.index].to_numpy(dtype=object),
                    ident.to_numpy(dtype=object),
                    np.full(len(key), id_kind, dtype=object),
                    pd.Series(rec_case, index=df.index)[key.index].to_numpy(dtype=object),
                )
            )
    include_plates = (
        any(df is not None and not df.empty for df in parties.values())
        if personal_conveyances is None
        else personal_conveyances
    )
    if _CONVEYANCE.name in cases.columns:
        ctype = _col(cases, _CONVEYANCE_TYPE)
        cid = _col(cases, _CONVEYANCE.name)
        allowed = {t for t, (_, personal) in CONVEYANCE_KINDS.items() if include_plates or not personal}
        sel = (cid != "") & ctype.isin(allowed)
        if sel.any():
            sub = ctype[sel].map({t: k for t, (k, _) in CONVEYANCE_KINDS.items()})
            ckey = _CONVEYANCE.normal_forms(cid[sel], ctype[sel])
            conv = "conveyance:" + sub + ":" + ckey
            edge_parts.append(
                (
                    case_node[sel].to_numpy(dtype=object),
                    conv.to_numpy(dtype=object),
                    ctype[sel].to_numpy(dtype=object),
                    case_node[sel].to_numpy(dtype=object),
                )
            )
    empty = np.array([], dtype=object)
    edges = pd.DataFrame(
        {
            name: np.concatenate([p[i] for p in edge_parts]) if edge_parts else empty
            for i, name in enumerate(("a", "b", "relation", "case_node"))
        }
    )
    nodes = (
        pd.concat(node_parts, ignore_index=True)
        .drop_duplicates("node_id", keep="first")
        .reset_index(drop=True)
    )
    records = (
        pd.concat(record_frames, ignore_index=True)
        if record_frames
        else pd.DataFrame(columns=["record_key", "kind", "node_id", "case_node", "role", "written"])
    )
    return GraphLinks(nodes=nodes, edges=edges, records=records, case_keys=case_keys)


def party_labels(party_node: pd.Series, written: pd.Series, kind: str) -> tuple[pd.Series, str, pd.Series]:
    """The entities of party records and their labels: the name most often written on their records (a
    typo on one record must not name the entity); ties go to the name seen first."""
    names = pd.DataFrame({"node": party_node.to_numpy(dtype=object), "label": written.to_numpy(dtype=object)})
    tally = (
        names[names["label"] != ""].groupby(["node", "label"], sort=False).size().rename("n").reset_index()
    )
    best = (
        tally.sort_values("n", ascending=False, kind="stable")
        .drop_duplicates("node")
        .set_index("node")["label"]
    )
    uniq = pd.Series(pd.unique(party_node.to_numpy(dtype=object)), dtype=object)
    return uniq, kind, uniq.map(best).fillna(uniq.str.split(":").str[-1])


def linker_nodes(ids: Iterable[str]) -> pd.DataFrame:
    """Identifier and conveyance nodes from their ids (``phone:+44...``, ``conveyance:flight:AF12``):
    ``node_id``, ``kind``, ``label`` (the normal form), ``subkind`` (a conveyance's)."""
    sh = pd.Series(list(ids), dtype="string")
    kind_of = sh.str.split(":").str[0]
    sub = sh.str.split(":").str[1].where(kind_of == "conveyance", "")
    label = sh.str.split(":", n=1).str[1]
    label = label.where(kind_of != "conveyance", sh.str.split(":", n=2).str[2])
    return pd.DataFrame(
        {
            "node_id": sh.to_numpy(dtype=object),
            "kind": kind_of.to_numpy(dtype=object),
            "label": label.to_numpy(dtype=object),
            "subkind": sub.fillna("").to_numpy(dtype=object),
        }
    )


# ------------------------------------------------------------------------------------------ tables
GRAPH_NODES = sa.Table(
    "graph_nodes",
    Base.metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("node_id", sa.Text, nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("subkind", sa.String(20), nullable=False, default=""),
    sa.Column("label", sa.Text, nullable=False, default=""),
    sa.Column("personal", sa.Boolean, nullable=False),
    sa.UniqueConstraint("node_id", name="uq_graph_nodes_node_id"),
)
sa.Index("ix_graph_nodes_kind", GRAPH_NODES.c.kind)
GRAPH_EDGES = sa.Table(
    "graph_edges",
    Base.metadata,
    sa.Column("src", sa.Integer, nullable=False),
    sa.Column("dst", sa.Integer, nullable=False),
    sa.Column("relation", sa.String(40), nullable=False),
    sa.Column("case_ref", sa.Integer, nullable=False),
    sa.Column("personal", sa.Boolean, nullable=False),
)
sa.Index("ix_graph_edges_src", GRAPH_EDGES.c.src, GRAPH_EDGES.c.dst)
sa.Index("ix_graph_edges_case", GRAPH_EDGES.c.case_ref)
GRAPH_RECORDS = sa.Table(
    "graph_records",
    Base.metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("record_key", sa.Text, nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("node", sa.Integer, nullable=False),
    sa.Column("case_ref", sa.Integer, nullable=False),
    sa.Column("role", sa.String(40), nullable=False),
    sa.Column("written", sa.Text, nullable=False),
)
sa.Index("ix_graph_records_node", GRAPH_RECORDS.c.node)
sa.Index("ix_graph_records_case", GRAPH_RECORDS.c.case_ref)
sa.Index("ix_graph_records_key", GRAPH_RECORDS.c.kind, GRAPH_RECORDS.c.record_key)
GRAPH_ENTITIES = sa.Table(
    "graph_entities",
    Base.metadata,
    sa.Column("party_table", sa.String(20), primary_key=True),
    sa.Column("record_key", sa.String(200), primary_key=True),
    sa.Column("entity", sa.Text, nullable=False),
)
# the records of an entity (an incremental resolution that links two entities renames one)
sa.Index("ix_graph_entities_entity", GRAPH_ENTITIES.c.party_table, GRAPH_ENTITIES.c.entity)
GRAPH_STATE = sa.Table(
    "graph_state",
    Base.metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("cases_version", sa.BigInteger, nullable=False),
    sa.Column("built_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("resolved", sa.Boolean, nullable=False, default=False),
)
#: Communities and rankings computed in the background (:mod:`workbench.network.store_graph`): one row
#: per analysis with the ``cases`` data version it was computed at, its status and its result (JSON).
GRAPH_ANALYSES = sa.Table(
    "graph_analyses",
    Base.metadata,
    sa.Column("name", sa.String(20), primary_key=True),
    sa.Column("cases_version", sa.BigInteger, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("computed_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("seconds", sa.Float, nullable=True),
    sa.Column("body", sa.Text, nullable=True),
)
#: The community number of each linked node (as of ``graph_analyses`` row ``communities``).
GRAPH_COMMUNITIES = sa.Table(
    "graph_communities",
    Base.metadata,
    sa.Column("node", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("community", sa.Integer, nullable=False),
)
sa.Index("ix_graph_communities_community", GRAPH_COMMUNITIES.c.community)

_CHUNK = 500  # ids per IN (...) list: SQLite's and PostgreSQL's limits are far above
_CASE_CHUNK = 20_000  # cases per pass of a rebuild


def _chunks(seq: list[Any], n: int = _CHUNK) -> Iterator[list[Any]]:
    for i in range(0, len(seq), n):
        yield seq[i : i + n]


def _personal(node_ids: pd.Series, kinds: pd.Series, subkinds: pd.Series) -> np.ndarray:
    return (
        kinds.isin(list(FORMAT.personal_node_kinds)).to_numpy()
        | ((kinds == "conveyance") & subkinds.isin(list(PERSONAL_SUBKINDS))).to_numpy()
    )


def _read_cases(conn: Connection, refs: list[int] | None) -> pd.DataFrame:
    c = DATA_TABLES["cases"]
    cols = [c.c.id, *[c.c[n] for n in CASE_GRAPH_COLUMNS]]
    # plain tuples: pandas reads a list of mappings key by key, row by row
    if refs is None:
        return pd.DataFrame(
            list(map(tuple, conn.execute(sa.select(*cols).order_by(c.c.id)).all())),
            columns=[x.name for x in cols],
        )
    rows: list[Any] = []
    for part in _chunks(refs):
        rows += map(tuple, conn.execute(sa.select(*cols).where(c.c.id.in_(part)).order_by(c.c.id)).all())
    return pd.DataFrame(rows, columns=[x.name for x in cols])


def _read_parties(conn: Connection, table: str, cases: pd.DataFrame) -> pd.DataFrame:
    t, c = DATA_TABLES[table], DATA_TABLES["cases"]
    names = FORMAT.table(table).column_names
    rows: list[Any] = []
    for part in _chunks(cases["id"].astype(int).tolist()):
        stmt = (
            sa.select(*[t.c[n] for n in names])
            .join(c, sa.and_(c.c.reporting_country == t.c.reporting_country, c.c.case_id == t.c.case_id))
            .where(c.c.id.in_(part))
            .order_by(t.c.id)
        )
        rows += map(tuple, conn.execute(stmt).all())
    df = pd.DataFrame(rows, columns=list(names))
    return df.astype({n: "string" for n in df.columns if df[n].dtype == object})


def party_rows(conn: Connection, table: str, refs: list[int]) -> pd.DataFrame:
    """The records of party ``table`` in the cases with row ids ``refs`` (the exchange format's
    columns), read inside the caller's transaction."""
    return _read_parties(conn, table, pd.DataFrame({"id": list(refs)}))


def record_keys_of(df: pd.DataFrame, table: str) -> pd.Series:
    """The store keys (``reporting_country:case_id:id``) of records of party ``table``."""
    return _case_keys(df) + ":" + _col(df, FORMAT.table(table).own_key[0])


def stored_entities(conn: Connection, table: str, keys: list[str]) -> pd.Series:
    """The stored entity of each of the party records ``keys`` of ``table`` that has one (record key ->
    entity); a record without one is its own entity."""
    e = GRAPH_ENTITIES
    found: dict[str, str] = {}
    for part in _chunks(keys):
        rows = conn.execute(
            sa.select(e.c.record_key, e.c.entity).where(e.c.party_table == table, e.c.record_key.in_(part))
        )
        found.update((str(k), str(v)) for k, v in rows)
    return pd.Series(found, dtype=object)


class _NodeIds:
    """Row ids of nodes by ``node_id`` for one write, inserting the nodes not yet stored. ``fresh``: the
    table was emptied first, so whatever is not in the cache is new (no look-up)."""

    def __init__(self, conn: Connection, fresh: bool) -> None:
        self.conn, self.fresh = conn, fresh
        self.ids: dict[str, int] = {}
        top = conn.execute(sa.select(sa.func.coalesce(sa.func.max(GRAPH_NODES.c.id), 0))).scalar()
        self.top = int(top or 0)

    def of(self, wanted: pd.DataFrame) -> dict[str, int]:
        n = GRAPH_NODES
        ids: dict[str, int] = self.ids
        missing = [k for k in wanted["node_id"].tolist() if k not in ids]
        if not self.fresh:
            for part in _chunks(missing):
                ids.update(
                    (str(k), int(v))
                    for k, v in self.conn.execute(sa.select(n.c.node_id, n.c.id).where(n.c.node_id.in_(part)))
                )
        todo = set(k for k in missing if k not in ids)
        new = wanted[wanted["node_id"].isin(todo)]
        if len(new):
            new_ids = np.arange(self.top + 1, self.top + 1 + len(new), dtype=np.int64)
            self.top += len(new)
            frame = pd.DataFrame(
                {
                    "id": new_ids,
                    "node_id": new["node_id"].astype(object).to_numpy(),
                    "kind": new["kind"].astype(object).to_numpy(),
                    "subkind": new["subkind"].astype(object).to_numpy(),
                    "label": new["label"].astype(object).fillna("").to_numpy(),
                    "personal": _personal(new["node_id"], new["kind"], new["subkind"]),
                }
            )
            insert_frame(self.conn, GRAPH_NODES, frame)
            ids.update(zip(frame["node_id"].tolist(), new_ids.tolist(), strict=True))
        return ids


def write_graph_cases(
    conn: Connection,
    refs: list[int] | None,
    *,
    entities: Mapping[str, pd.Series] | None = None,
    fresh: bool = False,
) -> int:
    """Write the links of the cases with row ids ``refs`` (None: every case) in place of what the tables
    held for them, inside the caller's transaction. ``entities``: the resolver's entity per record
    (default: the stored ones). ``fresh``: the tables were emptied first. Returns the links written
    (each once)."""
    written = 0
    all_refs = refs
    if refs is None:
        c = DATA_TABLES["cases"]
        all_refs = [int(r[0]) for r in conn.execute(sa.select(c.c.id).order_by(c.c.id))]
    assert all_refs is not None
    node_ids = _NodeIds(conn, fresh)
    # a whole rebuild writes the edges first and indexes them after (a B-tree built once from sorted
    # keys, not grown row by row); nothing reads the edges, nor the nodes by kind, while it writes
    unread = [*GRAPH_EDGES.indexes, *(ix for ix in GRAPH_NODES.indexes if not ix.unique)]
    secondary = unread if fresh and refs is None else []
    for ix in secondary:
        ix.drop(conn)
    for part in _chunks(all_refs, _CASE_CHUNK):
        if not fresh:
            for inner in _chunks(part):
                conn.execute(GRAPH_EDGES.delete().where(GRAPH_EDGES.c.case_ref.in_(inner)))
                conn.execute(GRAPH_RECORDS.delete().where(GRAPH_RECORDS.c.case_ref.in_(inner)))
        cases = _read_cases(conn, part)
        if cases.empty:
            continue
        parties = {table: _read_parties(conn, table, cases) for table in PARTY_TABLES}
        ents: dict[str, pd.Series] = {}
        for table, df in parties.items():
            if entities is not None and table in entities:
                ents[table] = entities[table]
            elif not df.empty:
                keys = (_case_keys(df) + ":" + _col(df, FORMAT.table(table).own_key[0])).tolist()
                ents[table] = stored_entities(conn, table, keys)
        links = graph_links(
            cases, parties.get("persons"), parties.get("companies"), entities=ents, personal_conveyances=True
        )
        # an entity whose records span passes (resolved entities) is labelled from all of them
        merged = not fresh or any(not v.empty for v in ents.values())
        written += _write_links(conn, links, cases, node_ids, relabel=merged)
    for ix in secondary:
        ix.create(conn)
    return written


def _linker_frame(ids: list[str]) -> pd.DataFrame:
    """:func:`linker_nodes` in plain Python (the import's path: a few thousand ids, no pandas strings)."""
    kinds, labels, subs = [], [], []
    for x in ids:
        kind, _sep, rest = x.partition(":")
        kinds.append(kind)
        if kind == "conveyance":
            sub, _sep, lab = rest.partition(":")
            subs.append(sub)
            labels.append(lab)
        else:
            subs.append("")
            labels.append(rest)
    return pd.DataFrame({"node_id": ids, "kind": kinds, "label": labels, "subkind": subs}, dtype=object)


def _write_links(
    conn: Connection, links: GraphLinks, cases: pd.DataFrame, node_ids: _NodeIds, *, relabel: bool
) -> int:
    case_ref = dict(
        zip(("case:" + links.case_keys).tolist(), cases["id"].astype("int64").tolist(), strict=True)
    )
    e = links.edges.astype(object).drop_duplicates(["a", "b", "case_node"])
    known = set(links.nodes["node_id"].tolist())
    others = [x for x in dict.fromkeys(e["b"].tolist()) if x not in known]
    nodes = pd.concat([links.nodes.astype(object), _linker_frame(others)], ignore_index=True)
    ids = node_ids.of(nodes)
    personal_ids = np.array(
        [ids[k] for k in nodes.loc[_personal(nodes["node_id"], nodes["kind"], nodes["subkind"]), "node_id"]],
        dtype=np.int64,
    )
    src = np.array([ids[x] for x in e["a"].tolist()], dtype=np.int64)
    dst = np.array([ids[x] for x in e["b"].tolist()], dtype=np.int64)
    ref = np.array([case_ref[x] for x in e["case_node"].tolist()], dtype=np.int64)
    pers = np.isin(src, personal_ids) | np.isin(dst, personal_ids)  # an end is personal data
    rel = e["relation"].astype(str).to_numpy(dtype=object)
    insert_frame(
        conn,
        GRAPH_EDGES,
        pd.DataFrame(
            {
                "src": np.r_[src, dst],
                "dst": np.r_[dst, src],
                "relation": np.r_[rel, rel],
                "case_ref": np.r_[ref, ref],
                "personal": np.r_[pers, pers],
            }
        ),
    )
    recs = links.records
    if len(recs):
        node = [ids[x] for x in recs["node_id"].tolist()]
        insert_frame(
            conn,
            GRAPH_RECORDS,
            pd.DataFrame(
                {
                    "record_key": recs["record_key"].astype(str).to_numpy(dtype=object),
                    "kind": recs["kind"].astype(str).to_numpy(dtype=object),
                    "node": np.array(node, dtype=np.int64),
                    "case_ref": np.array([case_ref[x] for x in recs["case_node"].tolist()], dtype=np.int64),
                    "role": recs["role"].astype(str).to_numpy(dtype=object),
                    "written": recs["written"].astype(str).to_numpy(dtype=object),
                }
            ),
        )
        # an entity's label: the name most written on all its records, these and those stored before
        if relabel:
            _relabel(conn, sorted(set(node)))
    return len(e)


def _relabel(conn: Connection, nodes: list[int]) -> None:
    """Label party entities by the name most often written on their stored records (ties: first seen)."""
    r = GRAPH_RECORDS
    for part in _chunks(nodes):
        rows = conn.execute(
            sa.select(r.c.node, r.c.written, sa.func.count(), sa.func.min(r.c.id))
            .where(r.c.node.in_(part), r.c.written != "")
            .group_by(r.c.node, r.c.written)
        ).all()
        best: dict[int, tuple[int, int, str]] = {}
        for node, written, n, first in rows:
            cand = (-int(n), int(first), str(written))
            if int(node) not in best or cand < best[int(node)]:
                best[int(node)] = cand
        if best:  # one statement for all (executemany), not one round trip per entity
            conn.execute(
                GRAPH_NODES.update()
                .where(GRAPH_NODES.c.id == sa.bindparam("node"))
                .values(label=sa.bindparam("new_label")),
                [{"node": node, "new_label": label} for node, (_n, _f, label) in best.items()],
            )


def _record(conn: Connection, *, resolved: bool | None = None) -> None:
    version = (
        conn.execute(sa.select(DATA_VERSIONS.c.version).where(DATA_VERSIONS.c.scope == "cases")).scalar() or 0
    )
    now = dt.datetime.now(dt.UTC)
    had = conn.execute(sa.select(GRAPH_STATE.c.resolved).where(GRAPH_STATE.c.id == 1)).first()
    if had is None:
        conn.execute(
            GRAPH_STATE.insert().values(
                id=1, cases_version=int(version), built_at=now, resolved=bool(resolved)
            )
        )
    else:
        values: dict[str, Any] = {"cases_version": int(version), "built_at": now}
        if resolved is not None:
            values["resolved"] = resolved
        conn.execute(GRAPH_STATE.update().where(GRAPH_STATE.c.id == 1).values(**values))


def rebuild_graph_tables(conn: Connection, entities: Mapping[str, pd.Series] | None = None) -> int:
    """Empty the graph tables and write every case's links (``entities``: the resolver's entity per record,
    stored for the imports to come; None: keep the stored ones). Returns the links written."""
    if entities is not None:
        conn.execute(GRAPH_ENTITIES.delete())
        for table, ent in entities.items():
            rows = [
                {"party_table": table, "record_key": str(k), "entity": str(v)}
                for k, v in ent.items()
                if str(k) != str(v)
            ]
            for part in _chunks(rows, 20_000):
                conn.execute(GRAPH_ENTITIES.insert(), part)
    for t in (GRAPH_EDGES, GRAPH_RECORDS, GRAPH_NODES):
        conn.execute(t.delete())
    written = write_graph_cases(conn, None, fresh=True)
    _record(conn, resolved=entities is not None or None)
    return written


def refresh_graph(conn: Connection, submission_id: int, previous_version: int) -> int:
    """Write the links of the cases submission ``submission_id`` wrote, inside the import's transaction,
    after it moved the ``cases`` data version forward from ``previous_version``; when the tables were
    not current then (never built, an erasure since), rebuild them all. Returns the links written."""
    built = conn.execute(sa.select(GRAPH_STATE.c.cases_version).where(GRAPH_STATE.c.id == 1)).scalar()
    if built is None or int(built) != previous_version:
        return rebuild_graph_tables(conn)
    c = DATA_TABLES["cases"]
    refs = {int(r[0]) for r in conn.execute(sa.select(c.c.id).where(c.c.submission_id == submission_id))}
    for table in PARTY_TABLES:  # parties added to a case the submission did not rewrite
        t = DATA_TABLES[table]
        stmt = (
            sa.select(c.c.id)
            .join(t, sa.and_(c.c.reporting_country == t.c.reporting_country, c.c.case_id == t.c.case_id))
            .where(t.c.submission_id == submission_id)
            .distinct()
        )
        refs.update(int(r[0]) for r in conn.execute(stmt))
    written = write_graph_cases(conn, sorted(refs)) if refs else 0
    _record(conn)
    return written


def _state(store: Store | Connection) -> tuple[bool, bool]:
    stmt = (
        sa.select(GRAPH_STATE.c.cases_version == DATA_VERSIONS.c.version)
        .select_from(GRAPH_STATE)
        .join(DATA_VERSIONS, DATA_VERSIONS.c.scope == "cases")
        .where(GRAPH_STATE.c.id == 1)
    )
    if isinstance(store, Connection):
        row = store.execute(stmt).first()
    else:
        with store.engine.connect() as conn:
            row = conn.execute(stmt).first()
    return row is not None, bool(row[0]) if row is not None else False


def graph_current(store: Store | Connection) -> bool:
    """Whether the graph tables hold the store's cases as they are now."""
    return _state(store)[1]


def graph_built(store: Store | Connection) -> bool:
    """Whether the graph tables were ever built (they may be behind the store)."""
    return _state(store)[0]
