"""Search everything: one query over case ids, places, conveyances, persons, companies, phones,
addresses, passports and registration numbers, run inside the database.

What is searched comes from the exchange format, not from a list here (:data:`SOURCES`): the columns
that make entity-graph nodes (identifiers, phones, addresses, conveyances), the names of the tables
whose rows are parties (a person's caption columns, a company's name), and the case table's own
reference and place columns. Each value is indexed in the normal form the graph keys on
(:meth:`workbench.format.schema.Column.normal_form`: phone formats, transliterated names, diacritics,
street-type abbreviations), so "0803 123 4567", "+234 803 123 4567" and "00234-803-1234567" find one
phone, and "Zoë Müller" is found by "zoe muller".

The index lives in two tables (migration ``0009_search``): ``search_entries`` (one per value of a
record: its kind, the value as written, its normal form, the case, the record and whether it is
personal data) and ``search_keys`` (the terms an entry is found by: its normal form, its words, the
consonant skeletons of a name's words, a phone's national number). The keys depend on the kind and the
normal form alone, so they are written for one entry of each such term (the first of an import's chunk,
and another when that one is re-indexed away); a search reaches the term through it, then every entry
of the term: a place, a common name or a street written on thousands of records is keyed once, not
thousands of times (2.75 M keys for 100,000 cases before, 1.8 M after). :func:`refresh_search_index`
re-indexes the cases written since the index last saw the store (every data row carries the
submission that last wrote it); the import calls it inside its transaction, and :func:`search` calls it
when the store was filled before this index existed.

Hits are ranked: the whole normal form equal to the query's (``exact``), then starting with it
(``prefix``), then every query word a word of the value (``words``), then every query word the start
of a word or the same name skeleton (``fuzzy``, "Mohamed" finds "Muhammad"); only when none of these
finds anything, the query inside a value (``contains``, a scan of the keys). One hit per kind and
normal form, with the number of cases it appears in and those cases.

Personal hits (persons, companies, their identifiers, vehicle plates) only for roles that may see
personal data (:func:`may_search_personal`, the one place that decides it); every search that could
return them is written to the audit log with its terms.

Examples
--------
>>> import pandas as pd
>>> from workbench.config import Settings
>>> from workbench.store import open_store
>>> store = open_store("sqlite://")
>>> search(store, "anything", actor=Settings.from_env({"WORKBENCH_ROLE": "viewer"})).empty
True
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from workbench.config import Settings
from workbench.format.normalise import (
    calling_codes,
    fold,
    identifier_key,
    map_unique,
    name_key,
    token_skeleton,
)
from workbench.format.schema import FORMAT, Column, Table
from workbench.store.audit import Actor
from workbench.store.database import Store, audit, bulk_insert
from workbench.store.models import DATA_TABLES, Base, Submission

__all__ = [
    "SEARCH_ENTRIES",
    "SEARCH_KEYS",
    "SEARCH_STATE",
    "SOURCES",
    "HIT_KINDS",
    "MATCHES",
    "SearchSource",
    "may_search_personal",
    "search",
    "refresh_search_index",
    "entries_of",
]

# Keys are ASCII (everything goes through fold / unidecode); "C" collation on PostgreSQL so that a
# prefix is a byte range an ordinary B-tree index answers, as in SQLite.
_KEY_TYPE = sa.String(200).with_variant(sa.String(200, collation="C"), "postgresql")

SEARCH_ENTRIES = sa.Table(
    "search_entries",
    Base.metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("value", sa.Text, nullable=False),
    sa.Column("normal", sa.String(200), nullable=False),
    sa.Column("node", sa.Text, nullable=True),
    sa.Column("tbl", sa.String(40), nullable=False),
    sa.Column("reporting_country", sa.String(2), nullable=False),
    sa.Column("case_id", sa.Text, nullable=False),
    sa.Column("record_id", sa.Text, nullable=True),
    sa.Column("personal", sa.Boolean, nullable=False),
    sa.Index("ix_search_entries_case", "reporting_country", "case_id"),
    sa.Index("ix_search_entries_normal", "kind", "normal"),
)
SEARCH_KEYS = sa.Table(
    "search_keys",
    Base.metadata,
    sa.Column(
        "entry_id",
        sa.Integer,
        sa.ForeignKey("search_entries.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("field", sa.String(8), nullable=False),
    sa.Column("key", _KEY_TYPE, nullable=False),
    sa.Index("ix_search_keys_key", "field", "key"),
)
SEARCH_STATE = sa.Table(
    "search_state",
    Base.metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("submission_id", sa.Integer, nullable=True),  # NULL: never built
    sa.Column("built_at", sa.DateTime(timezone=True), nullable=True),
)

#: How a hit matched, best first (its rank is its position).
MATCHES: tuple[str, ...] = ("exact", "prefix", "words", "fuzzy", "contains")


@dataclass(frozen=True)
class SearchSource:
    """Values of ``columns`` of ``table`` (joined by a space when several: a person's names) are hits of
    ``kind``; ``normal`` names how they are keyed (a column's normal form, or ``name_key``)."""

    table: str
    kind: str
    columns: tuple[Column, ...]
    names: bool = False  # a party's name: its words and their skeletons are keys too

    @property
    def column(self) -> Column:
        return self.columns[0]


def _sources() -> tuple[SearchSource, ...]:
    """What is searched, from the format: node columns, party names, the case table's places."""
    out: list[SearchSource] = []
    for t in FORMAT.tables.values():
        if t.entity is None:
            continue
        if t.entity == "case":
            for c in t.own_columns:
                if c.name in t.key and c.kind == "reference":
                    out.append(SearchSource(t.name, "case", (c,)))
                elif c.type == "text" and not c.enum and c.kind in ("name", "code"):
                    out.append(SearchSource(t.name, "place", (c,)))
        elif t.name in FORMAT.party_tables:
            names = tuple(t.column(n) for n in t.caption_columns)
            out.append(SearchSource(t.name, t.entity, names, names=True))
        out += [SearchSource(t.name, c.node, (c,)) for c in t.node_columns if c.node]
    return tuple(out)


#: Every searched column, derived from the format (see :func:`_sources`).
SOURCES: tuple[SearchSource, ...] = _sources()
#: The kinds of hit, in the format's order.
HIT_KINDS: tuple[str, ...] = tuple(dict.fromkeys(s.kind for s in SOURCES))


class SearchActor(Actor, Protocol):
    """Who searches: a :class:`workbench.identity.Principal` (or the single user of a store without
    accounts), whose ``can_see_personal`` the matrix decides (``view_personal``)."""

    @property
    def can_see_personal(self) -> bool: ...


def may_search_personal(actor: SearchActor) -> bool:
    """Whether ``actor`` may get personal hits (persons, companies, their identifiers, vehicle plates):
    the one place the search decides it (the matrix's ``view_personal``, through the principal)."""
    return actor.can_see_personal


# ------------------------------------------------------------------------------------------ indexing
@cache
def _code_set() -> frozenset[str]:
    return frozenset(calling_codes().values())


def _national(phone: str) -> str:
    """The national significant number of a normalised phone: without ``+`` and its calling code (ITU
    codes are prefix-free, so the first 1-3 digits that are a code are it), or without its trunk 0.

    >>> _national("+2348031234567"), _national("08031234567"), _national("+12125550100")
    ('8031234567', '8031234567', '2125550100')
    """
    if phone.startswith("+"):
        codes = _code_set()
        for n in (1, 2, 3):
            if phone[1 : 1 + n] in codes:
                return phone[1 + n :]
        return ""
    return phone.lstrip("0")


def _words(normal: str) -> list[str]:
    return [w for w in dict.fromkeys(fold(normal).split()) if w]


def _conveyance_nodes() -> dict[str, str]:
    """Conveyance type -> the graph's node subkind (the format's enumeration: aircraft -> flight)."""
    col = next(c for _, c in FORMAT.node_sources("conveyance"))
    hint = FORMAT.table("cases").column(col.hint or "")
    enum = FORMAT.enumeration(hint.enum or "")
    return {v: sub for v in enum.values if (sub := enum.property(v, "node"))}


def _text(frame: pd.DataFrame, name: str | None) -> pd.Series:
    if not name or name not in frame.columns:
        return pd.Series([""] * len(frame), index=frame.index, dtype="string")
    return frame[name].astype("string").fillna("").str.strip()


def entries_of(table: Table, frame: pd.DataFrame) -> pd.DataFrame:
    """The search entries of rows of ``table`` (exchange-format columns): ``kind``, ``value``,
    ``normal``, ``node``, ``tbl``, ``reporting_country``, ``case_id``, ``record_id``, ``personal``.

    >>> persons = pd.DataFrame({"reporting_country": ["FR"], "case_id": ["C1"], "person_id": ["P1"],
    ...     "first_name": ["Zoë"], "last_name": ["Müller"], "phone": ["0803 123 4567"], "nationality": ["NG"]})
    >>> entries_of(FORMAT.table("persons"), persons)[["kind", "value", "normal", "node"]].values.tolist()
    [['person', 'Zoë Müller', 'muller zoe', 'person:FR:C1:P1'], ['phone', '0803 123 4567', '+2348031234567', 'phone:+2348031234567']]
    """
    parts = []
    rc, cid = _text(frame, "reporting_country"), _text(frame, "case_id")
    own = [k for k in table.own_key if k not in ("reporting_country", "case_id")]
    rid = _text(frame, own[0]) if own else pd.Series([""] * len(frame), index=frame.index, dtype="string")
    record = rc + ":" + cid + (":" + rid if own else "")
    convey = _conveyance_nodes()
    for src in (s for s in SOURCES if s.table == table.name):
        col = src.column
        if src.names:
            texts = [_text(frame, c.name) for c in src.columns]
            value = texts[0]
            for more in texts[1:]:
                value = (value + " " + more).str.strip()
            normal = map_unique(value, name_key)  # a name recurs: each distinct one keyed once
            node = src.kind + ":" + record
        else:
            value = _text(frame, col.name)
            hint = _text(frame, col.hint) if col.hint else None
            if col.normaliser is not None:
                normal = col.normal_forms(value, hint)
            else:  # a case reference: letters and digits, compared as identifiers are
                normal = map_unique(value, identifier_key)
            if src.kind == "case":
                node = "case:" + rc + ":" + cid
            elif src.kind == "conveyance" and hint is not None:
                sub = hint.map(lambda t: convey.get(str(t), "")).astype("string")
                node = ("conveyance:" + sub + ":" + normal).mask(sub == "")
            elif col.node:
                node = col.node + ":" + normal
            else:
                node = pd.Series([pd.NA] * len(frame), index=frame.index, dtype="string")
        if col.personal_unless is not None:
            personal = col.personal_rows(frame).to_numpy()
        else:
            personal = np.full(len(frame), table.personal or col.always_personal, dtype=bool)
        part = pd.DataFrame(
            {
                "kind": src.kind,
                "value": value.to_numpy(dtype=object),
                "normal": normal.str.slice(0, 200).to_numpy(dtype=object),
                "node": node.to_numpy(dtype=object),
                "tbl": table.name,
                "reporting_country": rc.to_numpy(dtype=object),
                "case_id": cid.to_numpy(dtype=object),
                "record_id": (rid if own else pd.Series([None] * len(frame))).to_numpy(dtype=object),
                "personal": personal,
                "_names": src.names,
                "_phone": col.kind == "phone",
            }
        )
        parts.append(part[(part["normal"] != "") & (part["value"] != "")])
    cols = ["kind", "value", "normal", "node", "tbl", "reporting_country", "case_id", "record_id", "personal"]
    if not parts:
        return pd.DataFrame(columns=cols)
    out = pd.concat(parts, ignore_index=True)
    out["node"] = out["node"].astype(object).where(out["node"].notna(), None)
    return out


def _terms_of(normal: str, names: bool, phone: bool) -> tuple[tuple[str, str], ...]:
    """The ``(field, key)`` pairs an entry of normal form ``normal`` is found by (see :func:`_keys_of`).

    >>> _terms_of("muhammad ali", True, False)
    (('name', 'muhammad ali'), ('word', 'muhammad'), ('word', 'ali'), ('skel', 'mhmd'), ('skel', 'al'))
    >>> _terms_of("+2348031234567", False, True)
    (('full', '+2348031234567'), ('nat', '8031234567'))
    """
    out = [("name" if names else "full", normal[:200])]
    if phone:
        out.append(("nat", _national(normal)[:200]))
    else:
        # normal forms of several words are folded already (lower-case ASCII): their words are the keys
        words = list(dict.fromkeys(normal.split()))
        if len(words) > 1:
            out += [("word", w[:200]) for w in words]
        if names:
            out += [("skel", token_skeleton(w)[:200]) for w in words]
    return tuple(dict.fromkeys(p for p in out if p[1]))


def _keys_of(entries: pd.DataFrame) -> dict[str, list[Any]]:
    """The terms entries are found by, column by column (``entry_id``, ``field``, ``key``): ``full``
    (the normal form; ``name`` for a party's name, whose words are sorted, so that its start means
    nothing), ``word`` (its words, when it has several), ``skel`` (the skeleton of each word of a name),
    ``nat`` (a phone's national number); as :func:`_terms_of` gives them for one normal form.

    Most normal forms are one identifier (a case reference, a passport, a phone): their ``full`` key
    is the normal form itself, taken column-wise; only names, phones and values of several words go
    through :func:`_terms_of`.
    """
    ids = entries["id"].tolist()
    normal = [str(n)[:200] for n in entries["normal"].tolist()]
    names = entries["_names"].to_numpy(dtype=bool)
    phone = entries["_phone"].to_numpy(dtype=bool)
    spaced = np.fromiter((len(n.split(None, 1)) > 1 for n in normal), bool, len(normal))  # several words
    more = np.flatnonzero(names | phone | spaced)
    plain = np.flatnonzero(~(names | phone | spaced))
    out_ids = [ids[i] for i in plain]
    fields = ["full"] * len(plain)
    keys = [normal[i] for i in plain]
    for i in more.tolist():
        for field, key in _terms_of(normal[i], bool(names[i]), bool(phone[i])):
            out_ids.append(ids[i])
            fields.append(field)
            keys.append(key)
    return {"entry_id": out_ids, "field": fields, "key": keys}


_READ_CHUNK = 2000


def _index_cases(conn: Connection, case_keys: Sequence[tuple[str, str]] | None, start_id: int) -> int:
    """(Re-)index ``case_keys`` (None: every case) and return the next free entry id."""
    next_id = start_id
    batches: Iterable[Sequence[tuple[str, str]] | None]
    if case_keys is None:
        batches = [None]
    else:
        batches = [case_keys[i : i + _READ_CHUNK] for i in range(0, len(case_keys), _READ_CHUNK)]
    # a whole rebuild writes first and indexes after: a B-tree built once from sorted keys, not grown
    secondary = [*SEARCH_ENTRIES.indexes, *SEARCH_KEYS.indexes] if case_keys is None else []
    for ix in secondary:
        ix.drop(conn)
    for batch in batches:
        orphans: set[tuple[str, str]] = set()
        if batch is not None:
            e = SEARCH_ENTRIES
            in_batch = sa.tuple_(e.c.reporting_country, e.c.case_id).in_(batch)
            keyed = sa.exists().where(SEARCH_KEYS.c.entry_id == e.c.id)
            # terms whose keyed entry goes: another of their entries takes the keys after (_rekey)
            orphans = {
                (str(k), str(n))
                for k, n in conn.execute(sa.select(e.c.kind, e.c.normal).where(in_batch, keyed))
            }
            conn.execute(sa.delete(e).where(in_batch))
        for name in FORMAT.tables:
            spec = FORMAT.table(name)
            if not any(s.table == name for s in SOURCES):
                continue
            wanted = {c.name for s in SOURCES if s.table == name for c in s.columns}
            wanted |= {c.hint for s in SOURCES if s.table == name for c in s.columns if c.hint}
            wanted |= set(spec.key)
            wanted |= {c.personal_unless.column for c in spec.columns if c.personal_unless}
            t = DATA_TABLES[name]
            stmt = sa.select(*[t.c[c] for c in spec.column_names if c in wanted])
            if batch is not None:
                stmt = stmt.where(sa.tuple_(t.c.reporting_country, t.c.case_id).in_(batch))
            result = conn.execute(stmt.execution_options(yield_per=50_000))
            for rows in result.partitions():
                # plain tuples: pandas probes each Row's attributes, which costs ~1 s per 100k rows
                frame = pd.DataFrame([tuple(r) for r in rows], columns=list(result.keys()))
                entries = entries_of(spec, frame)
                if entries.empty:
                    continue
                entries.insert(0, "id", range(next_id, next_id + len(entries)))
                next_id += len(entries)
                # the keys of a term go to its first entry (in this chunk): the search finds the term
                # through it and then every entry of it (_hits_of)
                keys = _keys_of(entries.drop_duplicates(["kind", "normal"]))
                records = entries.drop(columns=["_names", "_phone"])
                records["personal"] = records["personal"].astype(bool)
                _insert(conn, SEARCH_ENTRIES, records)
                bulk_insert(conn, SEARCH_KEYS, keys)
        if orphans:
            _rekey(conn, orphans)
    for ix in secondary:
        ix.create(conn)
    return next_id


#: Whether a kind's values are names (words and skeletons are keys) or phones (the national number).
_KIND_FLAGS: dict[str, tuple[bool, bool]] = {s.kind: (s.names, s.column.kind == "phone") for s in SOURCES}


def _rekey(conn: Connection, terms: set[tuple[str, str]]) -> None:
    """Give the keys of each of ``terms`` (kind, normal form) that has entries but none keyed any more
    (its keyed entry was re-indexed away) to its first entry."""
    e = SEARCH_ENTRIES
    keyed = sa.exists().where(SEARCH_KEYS.c.entry_id == e.c.id)
    by_kind: dict[str, list[str]] = {}
    for kind, normal in sorted(terms):
        by_kind.setdefault(kind, []).append(normal)
    for kind, normals in by_kind.items():
        for i in range(0, len(normals), 500):  # one index range per kind, as the search reads them
            part = normals[i : i + 500]
            held = {
                str(n)
                for (n,) in conn.execute(
                    sa.select(e.c.normal).where(e.c.kind == kind, e.c.normal.in_(part), keyed).distinct()
                )
            }
            lost = [n for n in part if n not in held]
            if not lost:
                continue
            first = conn.execute(
                sa.select(sa.func.min(e.c.id), e.c.normal)
                .where(e.c.kind == kind, e.c.normal.in_(lost))
                .group_by(e.c.normal)
            ).all()
            if first:
                names, phone = _KIND_FLAGS[kind]
                frame = pd.DataFrame(
                    {
                        "id": [int(r[0]) for r in first],
                        "normal": [str(r[1]) for r in first],
                        "_names": names,
                        "_phone": phone,
                    }
                )
                bulk_insert(conn, SEARCH_KEYS, _keys_of(frame))


def _insert(conn: Connection, table: sa.Table, frame: pd.DataFrame) -> None:
    """Rows of ``frame`` into ``table`` through the driver (the index holds millions of rows); missing
    values (None, NaN, NA) are sent as NULL."""
    columns: dict[str, list[Any]] = {}
    for name in frame.columns:
        col = frame[name]
        # a column without missing values goes as it is: Series.tolist gives plain Python values
        columns[str(name)] = (
            col.astype(object).where(col.notna(), None).tolist() if col.hasnans else col.tolist()
        )
    bulk_insert(conn, table, columns)


def refresh_search_index(conn: Connection, *, rebuild: bool = False) -> int:
    """Bring the search index up to the store inside the caller's transaction: re-index the cases
    any row of which a submission wrote since the last refresh (all cases on the first one, or with
    ``rebuild``). Returns the number of cases re-indexed (-1: all)."""
    state = conn.execute(
        sa.select(SEARCH_STATE.c.submission_id).where(SEARCH_STATE.c.id == 1).with_for_update()
    ).first()
    if state is None:
        conn.execute(sa.insert(SEARCH_STATE).values(id=1, submission_id=None, built_at=None))
        seen = None
    else:
        seen = state.submission_id
    newest = conn.execute(sa.select(sa.func.max(Submission.id))).scalar_one_or_none()
    next_id = (
        int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(SEARCH_ENTRIES.c.id), 0))).scalar_one()) + 1
    )
    if seen is None or rebuild:
        conn.execute(sa.delete(SEARCH_KEYS))
        conn.execute(sa.delete(SEARCH_ENTRIES))
        _index_cases(conn, None, 1)
        done = -1
    elif newest is None or newest <= seen:
        return 0
    else:
        changed: set[tuple[str, str]] = set()
        for name in FORMAT.tables:
            t = DATA_TABLES[name]
            rows = conn.execute(
                sa.select(t.c.reporting_country, t.c.case_id).where(t.c.submission_id > seen).distinct()
            )
            changed.update((str(r[0]), str(r[1])) for r in rows)
        keys = sorted(changed)
        if keys:
            _index_cases(conn, keys, next_id)
        done = len(keys)
    conn.execute(
        sa.update(SEARCH_STATE)
        .where(SEARCH_STATE.c.id == 1)
        .values(submission_id=newest or 0, built_at=dt.datetime.now(dt.UTC))
    )
    return done


def _stale(store: Store) -> bool:
    with store.engine.connect() as conn:
        seen = conn.execute(sa.select(SEARCH_STATE.c.submission_id).where(SEARCH_STATE.c.id == 1)).first()
        if seen is None or seen[0] is None:
            return True
        newest = conn.execute(sa.select(sa.func.max(Submission.id))).scalar_one_or_none()
        return newest is not None and newest > seen[0]


# ------------------------------------------------------------------------------------------ querying
_PHONE_LIKE = re.compile(r"^[\d\s()+./-]+$")
_PREFIX_END = "\x7f"  # above every printable ASCII character: key >= q and key < q + END is a prefix
_MAX_WORDS = 6
#: Fields holding single words (a value of one word has only its ``full`` or ``name`` key).
_WORDS = ("word", "full", "name")


def _query_forms(text: str) -> tuple[set[str], set[str], list[str]]:
    """The query's whole normal forms (one per kind of normal form), its national phone number(s)
    and its folded words."""
    from workbench.format import normalise as n

    full: set[str] = set()
    nat: set[str] = set()
    for s in SOURCES:
        if s.names:
            full.add(name_key(text))
        elif s.column.normaliser is not None:
            if s.column.hint and s.kind == "conveyance":
                enum = FORMAT.enumeration(FORMAT.table(s.table).column(s.column.hint).enum or "")
                full.update(s.column.normal_form(text, t) for t in enum.values)
            else:
                full.add(s.column.normal_form(text))
        else:
            full.add(identifier_key(text))
    digits = re.sub(r"\D", "", text)
    if _PHONE_LIKE.match(text.strip()) and len(digits) >= 5:
        phone = n.canonical_phone(text)
        nat.add(_national(phone) if phone.startswith("+") else digits.lstrip("0"))
        full.add(phone)
    full.discard("")
    nat.discard("")
    return full, nat, _words(text)[:_MAX_WORDS]


def _prefix(col: sa.ColumnElement[Any], q: str) -> sa.ColumnElement[bool]:
    return sa.and_(col >= q, col < q + _PREFIX_END)


def _ranked_entries(text: str) -> sa.Select[Any] | None:
    """``entry_id, rank`` of every entry the query finds (an entry may come several times)."""
    k = SEARCH_KEYS
    full, nat, words = _query_forms(text)
    parts: list[sa.Select[Any]] = []
    exact = [sa.and_(k.c.field.in_(("full", "name")), k.c.key.in_(sorted(full)))] if full else []
    if nat:
        exact.append(sa.and_(k.c.field == "nat", k.c.key.in_(sorted(nat))))
    if exact:
        parts.append(sa.select(k.c.entry_id, sa.literal(0).label("rank")).where(sa.or_(*exact)))
    longer = [q for q in full | {f"+{x}" for x in nat} if len(q) >= 2]
    pre = [sa.and_(k.c.field == "full", _prefix(k.c.key, q)) for q in sorted(longer)]
    pre += [sa.and_(k.c.field == "nat", _prefix(k.c.key, q)) for q in sorted(nat) if len(q) >= 4]
    if pre:
        parts.append(sa.select(k.c.entry_id, sa.literal(1).label("rank")).where(sa.or_(*pre)))
    if words:

        def every(cond: Any) -> sa.CompoundSelect[Any] | sa.Select[Any]:
            sels = [sa.select(k.c.entry_id).where(cond(w)) for w in words]
            return sels[0] if len(sels) == 1 else sa.intersect(*sels)

        in_words = every(lambda w: sa.and_(k.c.field.in_(_WORDS), k.c.key == w))
        parts.append(sa.select(in_words.subquery().c.entry_id, sa.literal(2).label("rank")))
        fuzzy = every(
            lambda w: sa.or_(
                sa.and_(k.c.field.in_(_WORDS), _prefix(k.c.key, w)) if len(w) >= 2 else sa.false(),
                sa.and_(k.c.field == "skel", k.c.key == token_skeleton(w)),
            )
        )
        parts.append(sa.select(fuzzy.subquery().c.entry_id, sa.literal(3).label("rank")))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else sa.union_all(*parts)  # type: ignore[return-value]


#: Most keys the ``contains`` scan collects (it stops there: a one-letter query holds in most values).
#: A term is keyed once per chunk, not per record, so these keys reach more distinct values than when
#: every record had its own.
CONTAINS_MAX = 2000


def _contained_entries(text: str, dialect: str) -> sa.Select[Any] | None:
    """``entry_id, rank`` of the entries whose whole normal form holds the folded query (``contains``),
    case-insensitively (SQLite's LIKE is; PostgreSQL's ILIKE)."""
    k = SEARCH_KEYS
    q = fold(text)
    if not q:
        return None
    forms = sorted({q, q.replace(" ", "")})
    held = sa.or_(
        *[k.c.key.ilike(f"%{f}%") if dialect == "postgresql" else k.c.key.like(f"%{f}%") for f in forms]
    )
    return (
        sa.select(k.c.entry_id, sa.literal(MATCHES.index("contains")).label("rank"))
        .where(k.c.field.in_(("full", "name")), held)
        .limit(CONTAINS_MAX)
    )


def search(
    store: Store,
    text: str,
    *,
    actor: SearchActor | None = None,
    kinds: Iterable[str] | None = None,
    limit: int = 50,
    max_cases: int = 200,
) -> pd.DataFrame:
    """The hits of ``text``, best first: one row per kind and normal form.

    Columns: ``kind``, ``value`` (as written, the first spelling), ``normal``, ``match`` (one of
    :data:`MATCHES`), ``cases`` (how many cases it appears in), ``case_keys`` (up to ``max_cases``
    ``RC:case_id``), ``records`` (the rows holding it: ``table:RC:case_id[:record_id]``), ``node`` (its
    entity-graph node, None for a place), ``personal``.

    Personal hits only when :func:`may_search_personal`; then the search (its terms, kinds and number
    of hits) is written to the audit log, whether or not it found anything.
    """
    actor = actor or Settings.from_env()  # the single user of a store without accounts
    personal = may_search_personal(actor)
    wanted = [k for k in (kinds or HIT_KINDS) if k in HIT_KINDS]
    cols = ["kind", "value", "normal", "match", "cases", "case_keys", "records", "node", "personal"]
    text = (text or "").strip()[:200]
    if _stale(store):
        with store.connect() as conn:
            refresh_search_index(conn)
    hits = pd.DataFrame(columns=cols)
    conds: list[sa.ColumnElement[bool]] = []
    if not personal:
        conds.append(SEARCH_ENTRIES.c.personal.is_(False))
    # the words of the query somewhere inside a value only when nothing better matched (a scan)
    for ranked in (_ranked_entries(text), _contained_entries(text, store.dialect)) if text and wanted else ():
        if ranked is None:
            continue
        with store.engine.connect() as conn:
            found, detail = _hits_of(conn, ranked, wanted, conds, limit)
        if not found.empty:
            hits = _assemble(found, detail, max_cases)
            break
    if personal:
        with store.connect() as conn:
            audit(
                conn,
                "search",
                {"terms": text, "kinds": wanted if kinds else "all", "hits": len(hits), "limit": limit},
                actor,
                query=text,
                row_count=len(hits),
            )
    return hits[cols].reset_index(drop=True)


def _hits_of(
    conn: Connection,
    ranked: sa.Select[Any],
    kinds: list[str],
    conds: list[sa.ColumnElement[bool]],
    limit: int,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The best ``limit`` hits of ``ranked`` entries (one per kind and normal form) and their rows."""
    e = SEARCH_ENTRIES
    r = ranked.subquery("r")
    # the keys lead to a term's keyed entry (or entries): the term (kind, normal form) and its best
    # rank, then every entry of it
    keyed = e.alias("keyed")
    best = (
        sa.select(keyed.c.kind, keyed.c.normal, sa.func.min(r.c.rank).label("rank"))
        .join(keyed, keyed.c.id == r.c.entry_id)
        .where(keyed.c.kind.in_(kinds))  # here, not on the entries: SQLite then reads them by term
        .group_by(keyed.c.kind, keyed.c.normal)
        .subquery("b")
    )
    case_key = e.c.reporting_country + ":" + e.c.case_id
    grouped = (
        sa.select(
            e.c.kind,
            e.c.normal,
            sa.func.min(best.c.rank).label("rank"),
            sa.func.count(sa.distinct(case_key)).label("cases"),
            sa.func.min(e.c.value).label("value"),
            sa.func.max(sa.case((e.c.personal, 1), else_=0)).label("personal"),
        )
        .join(best, sa.and_(best.c.kind == e.c.kind, best.c.normal == e.c.normal))
        .where(*conds)
        .group_by(e.c.kind, e.c.normal)
        .order_by("rank", sa.desc("cases"), "value", e.c.kind)
        .limit(limit)
    )
    found = pd.DataFrame(
        conn.execute(grouped).all(), columns=["kind", "normal", "rank", "cases", "value", "personal"]
    )
    columns = ["kind", "normal", "tbl", "reporting_country", "case_id", "record_id", "node"]
    if found.empty:
        return found, pd.DataFrame(columns=columns)
    # one index range per kind (a row-value IN would scan the table on SQLite)
    by_kind = found.groupby("kind", sort=False)["normal"].agg(list)
    wanted = sa.or_(*[sa.and_(e.c.kind == k, e.c.normal.in_(ns)) for k, ns in by_kind.items()])
    stmt = sa.select(*[e.c[c] for c in columns]).where(wanted, *conds).order_by(e.c.id)
    return found, pd.DataFrame(conn.execute(stmt).all(), columns=columns)


def _first_node(values: pd.Series) -> str:
    """The first graph node of a hit's entries (``""``: none, e.g. a place)."""
    return next((str(x) for x in values if isinstance(x, str) and x), "")


def _assemble(found: pd.DataFrame, detail: pd.DataFrame, max_cases: int) -> pd.DataFrame:
    detail["case_key"] = detail["reporting_country"].astype(str) + ":" + detail["case_id"].astype(str)
    detail["record"] = (
        detail["tbl"].astype(str)
        + ":"
        + detail["case_key"]
        + detail["record_id"].map(lambda r: f":{r}" if r is not None and r == r else "")
    )
    by = detail.groupby(["kind", "normal"], sort=False)
    case_keys = by["case_key"].agg(lambda s: list(dict.fromkeys(s))[:max_cases])
    records = by["record"].agg(lambda s: list(dict.fromkeys(s))[:max_cases])
    nodes = by["node"].agg(_first_node)
    idx = pd.MultiIndex.from_frame(found[["kind", "normal"]])
    out = found.assign(
        match=[MATCHES[int(r)] for r in found["rank"]],
        personal=found["personal"].astype(int) > 0,
        cases=found["cases"].astype(int),
    )
    for name, values in (("case_keys", case_keys), ("records", records), ("node", nodes)):
        out[name] = pd.Series(values.reindex(idx).to_numpy(dtype=object), index=out.index, dtype=object)
    out["node"] = out["node"].where(out["node"] != "", None)
    return out
