"""Streamlit glue for the Network and Duplicates pages: cached graph and resolution, the graph drawing,
and the Network page's panels (entity search, ego network, entity card, path, communities, rankings).

The drawing is a small Streamlit component (``network_view/index.html``) around vis-network 9.1.9,
bundled in the package, so it works offline: pan, zoom, click a node to select it, double-click to
expand it. :func:`vis_spec` turns an ego network into the component's nodes and edges (colour by
kind, size by degree, edges labelled by relation); it is plain Python and tested without a browser.
What is drawn (the ego network with the nodes the user expanded, a path, a community) comes from
:mod:`workbench.network.views`.

The graph and the resolution are cached per store, data version (``cases``, and ``judgements`` when the
graph holds persons and companies: a judgement recorded anywhere redraws it) and filter.

State that must survive reruns and page switches lives in ``AppState.extras`` under ``network.*``:
``seed`` (the node the ego network is drawn around), ``selected``, ``expanded`` (nodes opened, in
order), ``hops``, ``hit`` (the search hit opened, which the graph may have left out) and ``click`` (the number of the drawing's last click already handled).
"""

from __future__ import annotations

import hashlib
import html
import math
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st
import streamlit.components.v1 as components

from workbench.format.schema import FORMAT
from workbench.i18n import N_, _, code_label, format_date, format_datetime, ngettext
from workbench.identity import PermissionDenied, Principal, can
from workbench.network.graph import PARTY_TABLES, EntityGraph, graph_from_store
from workbench.network.views import community_members, community_table, ego_view, path_view
from workbench.store.filters import CaseFilter
from workbench.ui.resources import data_version, get_store
from workbench.ui.session import consultant, get_principal, need_purpose
from workbench.ui.state import get_state
from workbench.ui.widgets import column_label, data_table

__all__ = [
    "KIND_COLOURS",
    "PARTY_KINDS",
    "kind_plural",
    "kind_name",
    "KIND_NAMES",
    "entity_graph",
    "NetworkSource",
    "network_source",
    "analysis_graph",
    "stored_analyses",
    "resolution",
    "pair_views",
    "resolve_pending_records",
    "vis_spec",
    "network_view",
    "DRAW_LIMIT",
    "DRAW_MAX",
    "graph_communities",
    "graph_rankings",
    "wanted",
    "focus",
    "AUTO_ANALYSIS_NODES",
    "judge_pair",
    "export_panel",
    "review_table",
    "compare_records",
    "match_evidence",
    "SCORE_HELP",
    "M_HELP",
    "U_HELP",
    "CARD_COLUMNS",
    "legend_html",
    "count",
    "personal_notice",
    "graph_figures",
    "path_end",
    "entity_card_panel",
    "ego_panel",
    "path_panel",
    "communities_panel",
    "rankings_panel",
]

#: Colour of each node kind, as the format declares it (its ``nodes`` section), in the format's order.
KIND_COLOURS: dict[str, str] = {name: node.colour for name, node in FORMAT.nodes.items()}
#: The kinds of party the Duplicates page resolves (persons, companies), as the format declares them.
PARTY_KINDS: tuple[str, ...] = tuple(PARTY_TABLES.values())


#: What one node of each kind is called (the format's node kinds, ``workbench/format`` YAML ``nodes``),
#: marked for the catalogues; shown through :func:`kind_name`.
KIND_NAMES: dict[str, str] = {
    "case": N_("case"),
    "person": N_("person"),
    "company": N_("company"),
    "passport": N_("passport"),
    "phone": N_("phone"),
    "address": N_("address"),
    "registration": N_("registration"),
    "conveyance": N_("conveyance"),
}


def kind_name(kind: str) -> str:
    """What one node of ``kind`` is called, in the language in force (a kind the table lacks: its code
    as people read it, :func:`workbench.i18n.code_label`).

    >>> kind_name("person"), kind_name("no_such_kind")
    ('person', 'no such kind')
    """
    label = KIND_NAMES.get(kind)
    return _(label) if label else code_label(kind)


def kind_plural(kind: str) -> str:
    """How a count of nodes of ``kind`` is headed (the format's plural), in the language in force.

    >>> kind_plural("address"), kind_plural("person")
    ('Addresses', 'Persons')
    """
    return _(FORMAT.nodes[kind].plural)


#: Most nodes the page draws by default. Measured in headless Chromium on a loaded 2-core machine with
#: software rendering: 1,000 nodes lay out in about 3.7 s and zoom at 22 frames/s; 1,500 in 5 s at
#: 26 frames/s; 2,500 take 14 s and zoom at 11 frames/s (docs/network.md).
DRAW_LIMIT = 1000
#: Highest limit the page offers.
DRAW_MAX = 3000
_TTL = 1800
_VIEW = Path(__file__).parent / "network_view"
_component = components.declare_component("workbench_network", path=str(_VIEW))


def _version(personal: bool) -> tuple[int, ...]:
    """The data the graph is made of: the cases, and the analysts' judgements when persons and
    companies are resolved into it."""
    return data_version("cases", "judgements") if personal else data_version("cases")


@st.cache_resource(ttl=_TTL, max_entries=3, show_spinner=False)
def _graph(url: str, version: tuple[int, ...], flt: CaseFilter, consultant: Principal | None) -> EntityGraph:
    if consultant is None:
        return graph_from_store(get_store(), flt, personal_allowed=False)
    # the Duplicates page's cached resolutions: one reading and one resolution per filter
    parties, entities = {}, {}
    for table, kind in (("persons", "person"), ("companies", "company")):
        frame, res = _resolution(url, version, flt, kind, consultant)
        parties[table], entities[table] = frame, res.entity_of
    return graph_from_store(
        get_store(), flt, personal_allowed=True, parties=parties, entities=entities, actor=consultant
    )


def entity_graph(flt: CaseFilter) -> EntityGraph:
    """The entity graph of the filtered cases (personal nodes only for a user who may see them and has
    stated the purpose: :func:`workbench.ui.session.consultant`)."""
    with st.spinner(_("Building the entity graph ...")):
        return _graph(*_key(flt))


class NetworkSource:
    """Where the Network page reads the graph: the store's graph tables by indexed look-ups
    (:mod:`workbench.network.store_graph`) when they hold the store as it is, else the whole graph
    built in memory (:func:`entity_graph`). The panels ask it for the part they draw (:meth:`around`),
    the figures, a path and the analyses, and get the same shapes either way."""

    def __init__(self, flt: CaseFilter) -> None:
        from workbench.store.entity_graph import graph_current

        self.flt = flt
        self.who = consultant()
        self.personal = self.who is not None
        self.in_store = graph_current(get_store())
        if self.in_store and self.who is not None:
            resolve_pending_records(self.who)
        self.memory: EntityGraph | None = None if self.in_store else entity_graph(flt)

    def figures(self) -> tuple[dict[str, int], int]:
        """Nodes per kind and links of the filtered graph."""
        if self.memory is not None:
            return self.memory.counts(), len(self.memory.edges)
        return _store_counts(get_store().url, _version(False), self.flt, self.personal)

    def size(self) -> int:
        counts, _links = self.figures()
        return sum(counts.values())

    def hit_nodes(self, hit: dict[str, Any]) -> list[str]:
        """The graph nodes a search hit may stand for (its node, its records' entities and cases)."""
        if self.memory is not None:
            return []
        from workbench.network.store_graph import record_nodes

        records = [str(r) for r in hit.get("records") or []]
        cases = ["case:" + ":".join(r.partition(":")[2].split(":")[:2]) for r in records]
        node = [str(hit["node"])] if hit.get("node") else []
        return list(dict.fromkeys([*node, *record_nodes(get_store(), records), *cases]))

    def around(self, nodes: dict[str, int], hit: dict[str, Any] | None = None) -> EntityGraph:
        """The graph holding each of ``nodes`` with everything within its number of links (the
        whole graph in memory), with ``hit`` opened in it (:func:`workbench.network.search.open_hit`)."""
        from workbench.network.search import open_hit

        if self.memory is not None:
            graph = self.memory
        else:
            wanted = dict(nodes)
            if hit is not None:
                for n in self.hit_nodes(hit):
                    wanted[n] = max(wanted.get(n, 0), max(nodes.values(), default=2))
            graph = _store_local(
                get_store().url, _version(self.personal), self.flt, self.who, tuple(sorted(wanted.items()))
            )
        if hit is not None:
            graph, _node = open_hit(graph, hit)
        return graph

    def path(
        self, end_a: tuple[str, EntityGraph], end_b: tuple[str, EntityGraph], avoid_hubs: bool
    ) -> list[str] | None:
        """A shortest path between two ends, each a node and the graph it was opened in (an end the
        graph gained from a search hit, an identifier one record holds, is reached through that
        record)."""
        from workbench.network.graph import shortest_path

        (a, _ga), (b, gb) = end_a, end_b
        if self.memory is not None:  # the second end was opened in the first one's graph
            return shortest_path(gb, a, b, avoid_hubs=avoid_hubs)
        from workbench.network.store_graph import node_in_graph, store_path

        store = get_store()
        ends: list[tuple[str, list[str]]] = []
        for x, g in (end_a, end_b):
            if node_in_graph(store, x, self.flt, personal_allowed=self.personal):
                ends.append((x, []))
            else:  # opened from a hit: linked only to the records that hold it
                nb = g.neighbours(g.position(x))
                ends.append((str(g.nodes["node_id"].iloc[int(nb[0])]) if len(nb) else x, [x]))
        (ea, pa), (eb, pb) = ends
        inner = store_path(store, ea, eb, self.flt, personal_allowed=self.personal, avoid_hubs=avoid_hubs)
        if inner is None:
            return None
        path = [*pa, *inner, *reversed(pb)]
        return [n for i, n in enumerate(path) if i == 0 or n != path[i - 1]]

    def path_graph(self, path: list[str], graph_a: EntityGraph, graph_b: EntityGraph) -> EntityGraph:
        """A graph holding every node of ``path`` and the links between them."""
        if self.memory is not None:
            return graph_b
        local = self.around(dict.fromkeys(path, 1))
        for n in path:
            if n in local.index.index:
                continue
            for g in (graph_a, graph_b):
                if n in g.index.index:
                    nb = g.neighbours(g.position(n))
                    holders = [str(g.nodes["node_id"].iloc[int(i)]) for i in nb]
                    row = g.nodes.iloc[g.position(n)]
                    hit = {"kind": row["kind"], "node": n, "normal": row["label"], "records": []}
                    local = _with_node(local, hit, holders)
                    break
        return local


#: Most pending records the Network page resolves on a page run (more: ``workbench graph-index resolve``).
INLINE_PENDING = 5_000


@st.cache_data(ttl=_TTL, max_entries=4, show_spinner=False)
def _pending(url: str, version: tuple[int, ...]) -> tuple[int, bool]:
    from workbench.network.incremental import resolution_state

    state = resolution_state(get_store())
    return sum(state["pending"].values()), bool(state["resolved"])


def resolve_pending_records(who: Principal) -> None:
    """Persons and companies imported without being resolved (by someone who may not resolve them, or
    before incremental resolution existed): resolved here when few and ``who`` may (import and see
    personal data), else said."""
    from workbench.network.incremental import resolve_after_import

    store = get_store()
    pending, resolved = _pending(store.url, data_version("cases", "judgements"))
    if not pending:
        return
    if resolved and pending <= INLINE_PENDING and can(who, "import_data"):
        with st.spinner(_("Resolving entities ...")):
            # moves the judgements' version (the cache above rereads); busy: another process does it
            done = resolve_after_import(store, who)
        if done is not None and done["mode"] != "busy":
            return
    st.caption(
        _(
            "{n:,} persons and companies imported since the last resolution are shown as their own "
            "entities until they are resolved (`workbench graph-index resolve`).",
            n=pending,
        )
    )


def _with_node(graph: EntityGraph, hit: dict[str, Any], holders: list[str]) -> EntityGraph:
    """``graph`` with the hit's node added and linked to ``holders`` (as open_hit does for records)."""
    from workbench.network.search import open_hit

    table_of = {kind: table for table, kind in PARTY_TABLES.items()}
    records = [f"cases:{h.removeprefix('case:')}" for h in holders if h.startswith("case:")]
    if len(graph.records):
        parties = graph.records[graph.records["node_id"].isin(holders)]
        records += [f"{table_of[k]}:{r}" for k, r in zip(parties["kind"], parties["record_key"], strict=True)]
    opened, _node = open_hit(graph, {**hit, "records": records})
    return opened


@st.cache_data(ttl=_TTL, max_entries=16, show_spinner=False)
def _store_counts(
    url: str, version: tuple[int, ...], flt: CaseFilter, personal: bool
) -> tuple[dict[str, int], int]:
    from workbench.network.store_graph import graph_counts

    return graph_counts(get_store(), flt, personal_allowed=personal)


@st.cache_resource(ttl=_TTL, max_entries=32, show_spinner=False)
def _store_local(
    url: str,
    version: tuple[int, ...],
    flt: CaseFilter,
    who: Principal | None,
    around: tuple[tuple[str, int], ...],
) -> EntityGraph:
    from workbench.network.store_graph import local_graph

    return local_graph(get_store(), dict(around), flt, personal_allowed=who is not None, actor=who)


def network_source(flt: CaseFilter) -> NetworkSource:
    """The Network page's :class:`NetworkSource` for the filter."""
    return NetworkSource(flt)


@st.cache_resource(ttl=_TTL, max_entries=4, show_spinner=False)
def _resolution(url: str, version: tuple[int, ...], flt: CaseFilter, kind: str, consultant: Principal) -> Any:
    # the consultant is part of the cache key: a cached consultation is one user's, for one purpose
    from workbench.network.graph import party_frame
    from workbench.network.judgements import load_judgements
    from workbench.network.resolve import resolve, resolver_kind

    store = get_store()
    # the reading is audited as this consultant's consultation, with the purpose they stated
    table = party_frame(
        store, "persons" if kind == "person" else "companies", flt, personal_allowed=True, actor=consultant
    )
    return table, resolve(table, resolver_kind(kind), judgements=load_judgements(store, kind))


@st.cache_resource(ttl=_TTL, max_entries=4, show_spinner=False)
def _stored(url: str, version: tuple[int, ...], flt: CaseFilter, kind: str, consultant: Principal) -> Any:
    from workbench.network.incremental import stored_resolution
    from workbench.network.judgements import load_judgements
    from workbench.network.resolve import resolver_kind
    from workbench.network.store_graph import stored_groups

    store = get_store()
    table = stored_groups(store, _table_of(kind), flt, actor=consultant)  # audited as the consultation
    res = stored_resolution(store, resolver_kind(kind), table, load_judgements(store, kind))
    return table.drop(columns=["entity"]), res


@st.cache_data(ttl=_TTL, max_entries=8, show_spinner=False)
def _entities_current(url: str, version: tuple[int, ...], kind: str) -> bool:
    from workbench.network.store_graph import entities_current

    return entities_current(get_store(), _table_of(kind))


def _table_of(kind: str) -> str:
    return {k: t for t, k in PARTY_TABLES.items()}[kind]


def pair_views(kind: str) -> list[str]:
    """The Duplicates page's views (:data:`~workbench.network.views.PAIR_VIEWS`): the linked groups
    first when the store's entities are current (read from the store, nothing resolved on opening)."""
    from workbench.network.views import PAIR_VIEWS

    views = list(PAIR_VIEWS)
    if _entities_current(get_store().url, _version(True), kind):
        views.remove("linked")
        views.insert(0, "linked")
    return views


def resolution(flt: CaseFilter, kind: str, view: str = "") -> tuple[pd.DataFrame, Any]:
    """The party table and its :class:`~workbench.network.resolve.Resolution` (personal data: the page asks
    the purpose first, :func:`workbench.ui.session.need_purpose`). For the ``linked`` view, when the
    store's entities are current: the groups of the stored entities within the filter, read from the
    store (:func:`workbench.network.incremental.stored_resolution`) instead of resolving the filter."""
    who = consultant()
    if who is None:
        raise PermissionDenied(
            _("entity resolution works on personal data: state the purpose of the consultation first")
        )
    url, version = get_store().url, _version(True)
    if view == "linked" and _entities_current(url, version, kind):
        with st.spinner(_("Reading the stored entities ...")):
            return _stored(url, version, flt, kind, who)
    with st.spinner(_("Resolving entities ...")):
        return _resolution(url, version, flt, kind, who)


@st.cache_resource(ttl=_TTL, max_entries=3, show_spinner=False)
def _table_graph(url: str, version: tuple[int, ...], flt: CaseFilter, who: Principal | None) -> EntityGraph:
    """The whole filtered graph read from the store's graph tables (links only: for the analyses)."""
    from workbench.network.store_graph import load_graph

    return load_graph(get_store(), flt, personal_allowed=who is not None, actor=who)  # names read: audited


def _analysed(url: str, version: tuple[int, ...], flt: CaseFilter, who: Principal | None) -> EntityGraph:
    from workbench.store.entity_graph import graph_current

    if graph_current(get_store()):
        return _table_graph(url, version, flt, who)
    return _graph(url, version, flt, who)


@st.cache_resource(ttl=_TTL, max_entries=3, show_spinner=False)
def _communities(url: str, version: tuple[int, ...], flt: CaseFilter, who: Principal | None) -> pd.Series:
    from workbench.network.graph import communities

    return communities(_analysed(url, version, flt, who))


@st.cache_resource(ttl=_TTL, max_entries=3, show_spinner=False)
def _rankings(url: str, version: tuple[int, ...], flt: CaseFilter, who: Principal | None) -> pd.DataFrame:
    from workbench.network.graph import rankings

    return rankings(_analysed(url, version, flt, who))


def analysis_graph(source: NetworkSource) -> EntityGraph:
    """The graph the communities and rankings of the filter were computed on (their tables name its nodes)."""
    return source.memory if source.memory is not None else _table_graph(*_key(source.flt))


def stored_analyses(source: NetworkSource) -> bool:
    """For a graph too large to analyse on a page run, read from the store: whether the stored analyses
    (of the whole store, computed in the background) are shown. Starts their computation in the
    background when they are behind the data, and says so."""
    from workbench.network.store_graph import analyses_state, refresh_analyses_in_background

    if source.memory is not None or source.size() <= AUTO_ANALYSIS_NODES:
        return False
    store = get_store()
    state = analyses_state(store)
    if not state["current"]:
        refresh_analyses_in_background(store)
        st.info(
            _(
                "Communities and rankings are being computed in the background for the whole store (they "
                "take minutes at this size); this page shows them when they are ready."
            )
        )
    if state["computed_at"] is None:
        return False
    st.caption(
        _(
            "Communities and rankings of the whole store (the sidebar filter does not narrow them), computed "
            "{when} in {seconds:,.0f} s.",
            when=format_datetime(state["computed_at"]),
            seconds=float(state["seconds"] or 0),
        )
    )
    return True


def _key(flt: CaseFilter) -> tuple[str, tuple[int, ...], CaseFilter, Principal | None]:
    who = consultant()
    return get_store().url, _version(who is not None), flt, who


def graph_communities(flt: CaseFilter) -> pd.Series:
    """:func:`workbench.network.graph.communities` of the filtered graph, cached with it."""
    with st.spinner(_("Finding communities ...")):
        return _communities(*_key(flt))


def graph_rankings(flt: CaseFilter) -> pd.DataFrame:
    """:func:`workbench.network.graph.rankings` of the filtered graph, cached with it."""
    with st.spinner(_("Ranking entities ...")):
        return _rankings(*_key(flt))


#: Graphs up to this many nodes get communities and rankings at once; larger ones when asked (at a
#: million cases communities take about four minutes: docs/network.md).
AUTO_ANALYSIS_NODES = 300_000


def wanted(what: str, size: int, flt: CaseFilter) -> bool:
    """Whether to compute ``what`` (communities, rankings) now: at once for small graphs, after a click
    for large ones (the choice is kept per filter)."""
    extras = get_state().extras
    key = f"network.{what}"
    if size <= AUTO_ANALYSIS_NODES or extras.get(key) == flt:
        return True
    st.button(
        _(
            "Compute {what} ({n:,} nodes: this can take minutes)",
            what=_({"communities": N_("communities"), "rankings": N_("rankings")}.get(what, what)),
            n=size,
        ),
        key=f"net_{what}_go",
        on_click=lambda: extras.update({key: flt}),
    )
    return False


def focus(seed: str, expanded: list[str] | None = None) -> None:
    """Centre the Network page's drawing on ``seed`` (selected), with ``expanded`` nodes opened."""
    get_state().extras.update(
        {"network.seed": seed, "network.selected": seed, "network.expanded": list(expanded or [])}
    )


def count(n: int, noun: str) -> str:
    """``n`` and ``noun``, plural when ``n`` is not 1.

    >>> count(1, "node"), count(1200, "link")
    ('1 node', '1,200 links')
    """
    if noun == "node":
        return ngettext("{n:,} node", "{n:,} nodes", n)
    if noun == "link":
        return ngettext("{n:,} link", "{n:,} links", n)
    return f"{n:,} {noun}{'' if n == 1 else 's'}"  # pragma: no cover - only nodes and links are counted


def legend_html(counts: dict[str, int]) -> str:
    """The drawing's legend: a symbol per node kind present, what hubs and dashed borders mean, and
    what a hop is (two links), so that hop counts and link counts read consistently.

    Each kind is named by its label in the language in force (:func:`kind_plural`), never by its code.

    >>> "◆</span> Cases" in legend_html({"case": 3, "person": 2}) and "Phones" not in legend_html({"case": 3})
    True
    """
    kinds = " · ".join(
        f"<span style='color:{c}'>●</span> {html.escape(kind_plural(k))}"
        for k, c in KIND_COLOURS.items()
        if k in counts and k != "case"
    )
    return (
        f"<div style='font-size:0.85rem;color:#555'><span style='color:{KIND_COLOURS['case']}'>◆</span> "
        + html.escape(kind_plural("case"))
        + (f" · {kinds}" if kinds else "")
        + " · "
        + _(
            "■ hub (shared by many, not expanded) · dashed border: more links, double-click to expand · "
            "thick black ring: the selected entity and the ones the drawing started from (colours never "
            "change on a click: a colour is a kind). A hop goes from one entity to the next through the case "
            "or identifier they share: two links (person – case – person)."
        )
        + "</div>"
    )


#: Column labels of the entity card's cases table.
CARD_COLUMNS: dict[str, str] = {
    "reporting_country": N_("Reporting country"),
    "case_id": N_("Case"),
    "role": N_("Role"),
    "route": N_("Route"),
    "transport_mode": N_("Transport mode"),
    "conveyance": N_("Conveyance"),
}

#: What the resolver's score means, for the Duplicates page's labels.
SCORE_HELP = N_(
    "The probability, from 0 (nothing in common) to 1 (surely the same), that the two records are one "
    "person (or one company), from the match model: "
    "names, birth date, nationality, passport, phone and address compared, each field adding evidence "
    "for or against (its weight), with the model's parameters estimated from the records themselves. "
    "From the threshold up (0.8 by default) the two records are linked as one entity, unless you judge "
    "otherwise."
)
#: What the model's m and u of a field's level mean.
M_HELP = N_("How often true matches compare like this on the field (the model's m probability).")
U_HELP = N_("How often different records compare like this on the field (the model's u probability).")
#: How each agreement outcome of :func:`~workbench.network.resolve.match_explanation` is shown.
_OUTCOME_MARKS = {"agreed": "✔", "partly": "≈", "differed": "✘", "blank": "–", "": ""}


def _record_names(table: pd.DataFrame, kind: str, positions: pd.Series) -> pd.Series:
    """``Name · case C1 (FR)`` for rows of the party table (a record is one person in one case): the
    captions the format gives the party's table and the case."""
    name = FORMAT.table_of_entity(kind).captions(table)
    label = name.replace("", _("(no name)")) + " · " + _("case") + " " + FORMAT.table("cases").captions(table)
    return pd.Series(label.to_numpy()[positions.to_numpy(dtype="int64")], index=positions.index)


def review_table(table: pd.DataFrame, kind: str, pairs: pd.DataFrame) -> pd.DataFrame:
    """The Duplicates page's list of pairs with readable columns: Record A, Record B, Match score,
    Linked, Your judgement, Why."""
    return pd.DataFrame(
        {
            "Record A": _record_names(table, kind, pairs["left"]),
            "Record B": _record_names(table, kind, pairs["right"]),
            "Match score": pairs["score"].astype(float),
            "Linked": pairs["linked"].astype(bool),
            _("Your judgement"): pairs["decision"]
            .map({"same": _("the same"), "different": _("different")})
            .fillna(""),
            _("Why"): pairs["explanation"].astype("string"),
        }
    )


def judged_table(table: pd.DataFrame, kind: str, judged: pd.DataFrame) -> pd.DataFrame:
    """The judgements so far, readable: the two records named as the pairs are (a record outside the
    filter by its key), the decision in words, who decided, when, and the note."""
    from workbench.network.resolve import record_keys

    names = pd.Series(
        _record_names(table, kind, pd.Series(range(len(table)))).to_numpy(),
        index=record_keys(table, FORMAT.table_of_entity(kind).own_key[0]).to_numpy(),
    )
    names = names[~names.index.duplicated()]

    def named(keys: pd.Series) -> pd.Series:
        return keys.map(names).fillna(keys.astype("string") + " " + _("(outside the filter)"))

    return pd.DataFrame(
        {
            _("Record A"): named(judged["left_key"]),
            _("Record B"): named(judged["right_key"]),
            _("Judgement"): judged["decision"].map({"same": _("the same"), "different": _("different")}),
            _("Decided by"): judged["decided_by"] + " (" + judged["role"] + ")",
            _("When"): pd.to_datetime(judged["decided_at"]).map(lambda t: format_datetime(t, "short")),
            _("Note"): judged["note"].fillna(""),
        }
    )


def compare_records(table: pd.DataFrame, left: int, right: int) -> pd.DataFrame:
    """Two records of the party table side by side, one row per field, fields named in plain words; the
    columns the store adds to every row (:attr:`~workbench.format.schema.ExchangeFormat.stored`) are
    not fields of the record."""
    stored = {c.name for c in FORMAT.stored}
    shown = [c for c in table.columns if c not in stored]
    return pd.DataFrame(
        {
            "Field": [column_label(c).capitalize() for c in shown],
            "Record A": [table.iloc[left][c] for c in shown],
            "Record B": [table.iloc[right][c] for c in shown],
        }
    ).astype("string")


def match_evidence(res: Any, left: int, right: int) -> tuple[pd.DataFrame, float]:
    """The Duplicates page's field-by-field explanation of one pair (from
    :func:`workbench.network.resolve.match_explanation`) with translated labels, and the pair's total
    match probability: Field, Record A, Record B, Outcome (what agreed, what differed), m, u, Bayes
    factor, Weight."""
    from workbench.network.resolve import OUTCOME_LABELS, match_explanation

    table = match_explanation(res, left, right)
    body = table[table["field"] != "total"]
    outcome = [
        f"{_OUTCOME_MARKS[o]} {_(OUTCOME_LABELS[lv])}" if lv else ""
        for o, lv in zip(body["outcome"], body["level"], strict=True)
    ]
    sim = body["similarity"]
    outcome = [
        f"{text} ({_('similarity')} {v:.2f})" if pd.notna(v) and text else text
        for text, v in zip(outcome, sim, strict=True)
    ]
    shown = pd.DataFrame(
        {
            _("Field"): [_(v) for v in body["label"]],
            _("Record A"): body["value_a"].to_numpy(),
            _("Record B"): body["value_b"].to_numpy(),
            _("Outcome"): outcome,
            "m": body["m"].to_numpy(),
            "u": body["u"].to_numpy(),
            _("Bayes factor"): body["bayes_factor"].to_numpy(),
            _("Weight"): body["match_weight"].to_numpy(),
        }
    )
    return shown, float(table["probability"].iloc[-1])


def judge_pair(
    kind: str,
    left_key: str,
    right_key: str,
    score: float,
    decision: str,
    names: tuple[str, str] | None = None,
) -> None:
    """Record the Duplicates page's judgement on one pair with the note submitted with it (a form
    callback: ``st.session_state["dup_note"]`` holds the note as submitted, not an earlier run's)."""
    from workbench.network.judgements import record_judgement

    note = str(st.session_state.get("dup_note") or "").strip()
    # the Duplicates page shows the pair only once the purpose is stated: the judgement goes with it
    actor = consultant() or get_principal()
    record_judgement(
        get_store(), kind, left_key, right_key, decision, score=score, note=note or None, actor=actor
    )
    a, b = names or (left_key, right_key)
    if decision == "same":
        done = _("Recorded: {a} and {b} are the same.", a=a, b=b)
    else:
        done = _("Recorded: {a} and {b} are different.", a=a, b=b)
    get_state().extras["duplicates.last"] = _("{done} (note: {note})", done=done, note=note) if note else done


def export_panel(graph: EntityGraph, node_ids: list[str], flt: CaseFilter, *, key: str = "net_dl") -> None:
    """Download the drawn network (GraphML or i2 workbook): a legal basis is asked when it holds personal
    data, the role is checked and every download is audited (:func:`workbench.network.export.graph_bytes`)."""
    from workbench.exchange.exports import ExportRefused
    from workbench.network.export import graph_bytes, personal_kinds

    drawn = graph.subgraph(node_ids)
    personal = personal_kinds(drawn)
    action = "export_personal" if personal else "export_non_personal"
    if not can(get_principal(), action):  # the library refuses too; no button that can only be refused
        st.caption(_("Your roles ({role}) may not export this network.", role=get_principal().role))
        return
    formats = {"graphml": N_("GraphML (Gephi, yEd, networkx)"), "i2": N_("i2 Analyst's Notebook workbook")}
    c1, c2 = st.columns([2, 3])
    fmt = c1.radio(_("Format"), list(formats), format_func=lambda f: _(formats[f]), key=f"{key}_fmt")
    basis = c2.text_input(
        _("Legal basis (required: persons and companies are personal data)")
        if personal
        else _("Legal basis"),
        key=f"{key}_basis",
        placeholder=_("e.g. mutual administrative assistance agreement, art. 4"),
        help=_("Written to the audit log with the filter, the number of nodes and your user name."),
    )
    if not st.button(_("Prepare download"), key=f"{key}_prepare"):
        return
    try:
        data, name, counts = graph_bytes(
            get_store(), drawn, fmt, flt, legal_basis=basis or None, actor=consultant() or get_principal()
        )
    except ExportRefused as e:
        st.error(_("Not exported: {error}.", error=e))
        return
    st.download_button(
        _("Download {name}", name=name), data, file_name=name, key=f"{key}_download", on_click="ignore"
    )
    st.caption(
        ngettext(
            "{n:,} node; this download is recorded in the audit log (Admin → Accounts & store).",
            "{n:,} nodes; this download is recorded in the audit log (Admin → Accounts & store).",
            sum(counts.values()),
        )
    )


def vis_spec(g: Any, selected: str | None = None, path: list[str] | None = None) -> dict[str, Any]:
    """Nodes and edges for the drawing: colour by kind, size by degree (log), cases as diamonds, hubs
    as squares, seeds with a thick border, nodes with links not drawn yet with a dashed border, a
    path's edges highlighted.

    >>> import networkx as nx
    >>> g = nx.Graph(); g.add_node("case:FR:C1", kind="case", label="C1 (FR)", degree=3)
    >>> g.add_node("person:P1", kind="person", label="Ana Silva", degree=1); g.add_edge("case:FR:C1", "person:P1", relation="courier")
    >>> spec = vis_spec(g, selected="person:P1")
    >>> [n["color"]["background"] for n in spec["nodes"]], spec["edges"][0]["label"]
    (['#1F3B57', '#D55E00'], 'courier')
    >>> all(n["color"]["highlight"]["background"] == n["color"]["background"] for n in spec["nodes"])
    True
    """
    seeds = set(g.graph.get("seeds", []))
    on_path = set(zip(path or [], (path or [])[1:], strict=False))
    on_path |= {(b, a) for a, b in on_path}
    nodes = []
    for nid, d in g.nodes(data=True):
        kind = d.get("kind", "")
        deg = int(d.get("degree", g.degree(nid)) or 0)
        colour = KIND_COLOURS.get(kind, "#999999")
        hidden = max(0, deg - g.degree(nid))
        title = (
            _("{kind}: {name}", kind=kind_name(kind), name=d.get("label", nid))
            + "\n"
            + ngettext("{n} link", "{n} links", deg)
        )
        if d.get("hub"):
            title += "\n" + _("hub: not expanded")
        elif hidden:
            title += "\n" + _("{n} more: double-click to expand", n=hidden)
        nodes.append(
            {
                "hidden_links": hidden,
                "shapeProperties": {"borderDashes": [4, 3] if hidden else False},
                "id": nid,
                "label": str(d.get("label", nid))[:40],
                "title": title,
                "size": round(8 + 5 * math.log1p(deg), 1),
                "shape": "square" if d.get("hub") else ("diamond" if kind == "case" else "dot"),
                # selecting or hovering a node keeps its kind's colour (vis-network would otherwise paint it
                # in its group's default highlight colour, which reads as another kind): a black ring says
                # "selected"
                "color": {
                    "background": colour,
                    "border": "#111111" if nid in seeds or hidden else colour,
                    "highlight": {"background": colour, "border": "#111111"},
                    "hover": {"background": colour, "border": "#111111"},
                },
                "borderWidth": 4 if nid in seeds else (2 if hidden else 1),
                "borderWidthSelected": 5,
                "group": kind,
            }
        )
    edges = [
        {
            "from": a,
            "to": b,
            "label": code_label(d.get("relation", "")) if d.get("relation") else "",
            "width": 4 if (a, b) in on_path else 1,
            **({"color": {"color": "#C0392B"}} if (a, b) in on_path else {}),
        }
        for a, b, d in g.edges(data=True)
    ]
    key = hashlib.sha1(
        ("|".join(sorted(g.nodes)) + "#" + str(len(edges)) + "#" + ",".join(path or [])).encode()
    ).hexdigest()[:16]
    return {"nodes": nodes, "edges": edges, "selected": selected, "key": key}


def network_view(spec: dict[str, Any], *, height: int = 620, key: str) -> dict[str, Any] | None:
    """Draw ``spec``; returns the last click ``{"action": "select"|"expand", "node": id, "n": k}``."""
    value = _component(spec=spec, height=height, key=key, default=None)
    return value if isinstance(value, dict) else None


# ---------------------------------------------------------------- the Network page's panels
def personal_notice() -> None:
    """Tell a role that may not see personal data what the graph leaves out; ask a role that may for the
    purpose of the consultation (the graph leaves persons and companies out until it is stated)."""
    principal = get_principal()
    if principal.can_see_personal:
        need_purpose(principal)
    else:
        st.info(
            _(
                "Persons, companies and their identifiers are personal data, which your role may not see: the "
                "graph shows cases linked by flights, vessels and trains only."
            )
        )


def graph_figures(source: NetworkSource) -> None:
    """Nodes per kind and links, one metric each, and the legend."""
    counts, links = source.figures()
    cols = st.columns(len(counts) + 1)
    for col, (kind, n) in zip(cols, counts.items(), strict=False):
        col.metric(kind_plural(kind), f"{n:,}")
    cols[-1].metric(_("Links"), f"{links:,}")
    st.markdown(legend_html(counts), unsafe_allow_html=True)


def path_end(
    source: NetworkSource, label: str, key: str, base: EntityGraph | None = None
) -> tuple[EntityGraph, str | None]:
    """One end of a path, found with the shared search box (:func:`workbench.ui.search.search_box`,
    over what can be a graph node): the hit clicked, else the best hit in the filtered graph, opened in
    it (:func:`workbench.network.search.open_hit`: an identifier held by one record is added). Returns
    the graph to search the path in and the node (None: nothing chosen or nothing of it in the graph)."""
    from workbench.network.search import open_hit
    from workbench.store.search import HIT_KINDS
    from workbench.ui.search import search_box

    nodes = [k for k in HIT_KINDS if k in FORMAT.nodes]
    text, hits, picked = search_box(key, label=label, kinds=nodes)
    candidates = [picked] if picked is not None else [dict(h) for _i, h in hits.iterrows()]
    for hit in candidates:
        searched = base if base is not None and source.memory is not None else source.around({})
        if source.memory is None:
            searched = source.around(dict.fromkeys(source.hit_nodes(hit), 1))
        opened, node = open_hit(searched, hit)
        if node is not None:
            if picked is None and len(hits) > 1:
                st.caption(
                    _(
                        "Taken: {value} ({kind}), the best match; click another to change it.",
                        value=hit["value"],
                        kind=_(str(hit["kind"])),
                    )
                )
            return opened, node
    if text and not hits.empty:
        st.caption(_("No match of “{text}” is in the filtered graph.", text=text))
    return (base if base is not None and source.memory is not None else source.around({})), None


def _roles(joined: str) -> str:
    """The roles of an entity in a case (codes joined by ``, ``) as people read them."""
    return ", ".join(code_label(r) for r in str(joined).split(", ") if r)


def entity_card_panel(graph: EntityGraph, node_id: str) -> None:
    """The entity card (:func:`workbench.network.graph.entity_card`): its cases (a row opens the case),
    the names it is written as, and its direct links."""
    from workbench.network.graph import entity_card
    from workbench.ui.widgets import date_column, open_case

    card = entity_card(graph, node_id)
    lo, hi = card["period"]
    period = (
        " · " + _("{first} – {last}", first=format_date(lo), last=format_date(hi))
        if lo is not None and not pd.isna(lo)
        else ""
    )
    st.markdown(
        f"**{card['label']}** · {kind_name(card['kind'])} · "
        + ngettext("{n} case", "{n} cases", len(card["cases"]))
        + period
    )
    if len(card["names"]) > 1:
        st.caption(_("Written as: {names}", names="; ".join(card["names"][:12])))
    cases = card["cases"]
    if len(cases):
        ev = data_table(
            cases.drop(columns=["case_key"]).assign(
                **({"role": cases["role"].map(_roles, na_action="ignore")} if "role" in cases else {})
            ),
            hide_index=True,
            width="stretch",
            on_select="rerun",
            selection_mode="single-row",
            key=f"card_{node_id}",
            column_config={
                **{c: _(label) for c, label in CARD_COLUMNS.items()},
                "seizure_date": date_column(_("Seizure date")),
            },
        )
        st.caption(_("Select a case to open it."))
        rows = ev.selection.rows if ev and ev.selection else []
        if rows:
            r = cases.iloc[rows[0]]
            open_case(str(r["reporting_country"]), str(r["case_id"]))
    with st.expander(_("Direct links ({n})", n=len(card["links"]))):
        data_table(
            card["links"][["label", "kind", "relation"]].assign(
                kind=lambda t: t["kind"].map(kind_name, na_action="ignore"),
                relation=lambda t: t["relation"].map(code_label, na_action="ignore"),
            ),
            hide_index=True,
            width="stretch",
            column_config={"label": _("Linked to"), "kind": _("Kind"), "relation": _("Link")},
        )


def _handle_click(ex: dict[str, Any]) -> None:
    """The drawing's last click, read before drawing: a click selects its node, a double-click also
    expands it (each click is handled once: the component numbers them)."""
    click = st.session_state.get("net_view")
    if isinstance(click, dict) and click.get("n") != ex.get("network.click"):
        ex["network.click"] = click.get("n")
        ex["network.selected"] = click["node"]
        if click.get("action") == "expand" and click["node"] not in ex.get("network.expanded", []):
            ex["network.expanded"] = [*ex.get("network.expanded", []), click["node"]]


def ego_panel(source: NetworkSource, flt: CaseFilter) -> None:
    """The search (:func:`workbench.ui.search.search_box`), hops and limit; the ego network drawn with
    its expansions (:func:`workbench.network.views.ego_view`), the buttons that expand, centre and reset
    it, the selected entity's card and the network's download. A hit the graph leaves out (an
    identifier on one record) is opened in it (:func:`workbench.network.search.open_hit`). The drawing
    is a fragment: a click reruns it only."""
    from workbench.network.search import open_hit
    from workbench.store.search import HIT_KINDS
    from workbench.ui.search import hit_cases, search_box

    ex = get_state().extras
    left, mid, right = st.columns([3, 1, 1])
    with left:
        # what can be a node of the graph (not a place)
        nodes = [k for k in HIT_KINDS if k in FORMAT.nodes]
        text, hits, picked = search_box("net_seed_text", label=_("Search an entity"), kinds=nodes)
    hops = mid.slider(_("Hops"), 1, 3, int(ex.get("network.hops", 2)), key="net_hops")
    limit = int(
        right.number_input(_("Most nodes drawn"), 50, DRAW_MAX, DRAW_LIMIT, step=250, key="net_limit")
    )
    ex["network.hops"] = hops
    candidates = [picked] if picked is not None else [h for _i, h in hits.iterrows()] if text else []
    for hit in candidates:
        opened, node = open_hit(source.around(dict.fromkeys(source.hit_nodes(dict(hit)), 1)), dict(hit))
        if node is None:
            if picked is not None:  # a place, or cases outside the filter: list its cases instead
                st.caption(_("This match is not a node of the filtered graph; open one of its cases."))
                hit_cases(dict(hit), "net_hit")
            continue
        if (hit["kind"], hit["normal"]) != ex.get("network.hit_key"):
            focus(node)
            ex.update(
                {
                    "network.hit": dict(hit),
                    "network.hit_key": (hit["kind"], hit["normal"]),
                    "network.hit_node": node,
                }
            )
        break
    came = ex.get("network.hit")
    if isinstance(came, dict):
        opened, node = open_hit(source.around(dict.fromkeys(source.hit_nodes(came), 1)), came)
        seed = ex.get("network.seed")
        # the hit's entity renamed since it was opened (a resolution merged it with another): follow it
        renamed = seed is not None and seed == ex.get("network.hit_node") and seed != node
        if node and (not seed or renamed):  # no seed: sent here by the Cases page
            focus(node)
            ex["network.hit_node"] = node
    st.fragment(_ego_drawing)(source, flt, limit)


def _ego_drawing(source: NetworkSource, flt: CaseFilter, limit: int) -> None:
    from workbench.network.graph import node_names

    ex = get_state().extras
    seed = ex.get("network.seed")
    hops = int(ex.get("network.hops", 2))
    came = ex.get("network.hit")
    around = {str(n): 2 for n in ex.get("network.expanded", [])}
    if seed:
        around[str(ex.get("network.selected", seed))] = 2
        around[str(seed)] = 2 * hops
    graph = source.around(around, came if isinstance(came, dict) else None)
    if not seed or seed not in graph.index.index:
        st.info(_("Search a person, company, phone, address, passport, case or flight to draw its network."))
        return
    _handle_click(ex)
    expanded = list(ex.get("network.expanded", []))
    g = ego_view(graph, seed, hops, expanded, max_nodes=limit)
    if g.graph.get("truncated"):
        st.warning(
            _(
                "The network has more nodes than the {limit:,} drawn (nearest and best linked first). Lower the "
                "hops, narrow the filters, or raise the limit (beyond about 1,500 nodes the drawing takes many "
                "seconds to lay out and pans and zooms jerkily).",
                limit=limit,
            )
        )
    selected = ex.get("network.selected", seed)
    network_view(vis_spec(g, selected=selected), key="net_view")
    b1, b2, b3, b4 = st.columns(4)
    b1.button(
        _("Expand selected"),
        key="net_expand",
        disabled=selected in expanded,
        on_click=lambda: ex.update({"network.expanded": [*expanded, selected]}),
    )
    b2.button(
        _("Centre on selected"),
        key="net_centre",
        on_click=lambda: ex.update({"network.seed": selected, "network.expanded": []}),
    )
    b3.button(
        _("Reset expansions"),
        key="net_reset",
        disabled=not expanded,
        on_click=lambda: ex.update({"network.expanded": []}),
    )
    b4.caption(
        f"{count(g.number_of_nodes(), 'node')} · {count(g.number_of_edges(), 'link')} · "
        + _("selected: {name}", name=node_names(graph, [selected])[0])
    )
    st.markdown("#### " + _("Entity card"))
    entity_card_panel(graph, selected)
    with st.expander(_("Export this network")):
        export_panel(graph, list(g.nodes), flt)


def path_panel(source: NetworkSource) -> None:
    """Two searches (:func:`path_end`, the same search as the rest of the page) and the shortest path
    between the chosen entities, described and drawn with only its links
    (:func:`workbench.network.views.path_view`)."""
    from workbench.network.graph import describe_path

    a_col, b_col = st.columns(2)
    with a_col:
        graph_a, a = path_end(source, _("From"), "net_path_a")
    with b_col:
        graph_b, b = path_end(source, _("To"), "net_path_b", base=graph_a)
    around = st.checkbox(_("Go around hubs"), value=True, key="net_path_hubs")
    if not (a and b):
        return
    path = source.path((a, graph_a), (b, graph_b), around)
    if path is None:
        st.info(
            _("These two are not linked in the filtered graph (hubs set aside).")
            if around
            else _("These two are not linked in the filtered graph.")
        )
        return
    graph = source.path_graph(path, graph_a, graph_b)
    st.success(describe_path(graph, path))
    network_view(vis_spec(path_view(graph, path), path=path), height=360, key="net_path_view")


def communities_panel(source: NetworkSource, flt: CaseFilter) -> None:
    """The linked groups of the filtered graph (:func:`workbench.network.views.community_table`), or
    of the whole store as last computed in the background when the graph is large (read from the
    store); a selected group can be drawn on the Ego network tab."""
    from workbench.network.store_graph import stored_community_table

    comm: pd.Series | None
    if stored_analyses(source):
        table, comm = stored_community_table(get_store(), personal_allowed=source.personal, actor=source.who)
    else:
        comm = graph_communities(flt) if wanted("communities", source.size(), flt) else None
        if comm is None:
            return
        table = community_table(analysis_graph(source), comm) if not comm.empty else pd.DataFrame()
    if comm.empty:
        st.info(_("No linked groups in the filtered graph."))
        return
    st.caption(
        _(
            "{n:,} linked groups (hubs set aside; large groups split by Louvain modularity).",
            n=len(table),
        )
    )
    ev = data_table(
        table.head(500),
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="single-row",
        key="net_comm_table",
        column_config={
            "community": st.column_config.NumberColumn(_("group"), help=_("the group's number")),
            "nodes": st.column_config.NumberColumn(_("size (nodes)")),
            "members": st.column_config.TextColumn(_("best-linked members"), width="large"),
        },
    )
    rows = ev.selection.rows if ev and ev.selection else []
    if rows:
        chosen = int(table.iloc[rows[0]]["community"])
        if st.button(_("Draw community {n}", n=chosen), key="net_comm_draw"):
            members = community_members(comm, chosen)
            focus(members[0], members[1:])
            st.rerun()


def rankings_panel(source: NetworkSource, flt: CaseFilter) -> None:
    """Persons and companies by degree and betweenness (of the whole store as last computed in the
    background when the graph is large and read from the store); a selected row can be drawn."""
    from workbench.network.store_graph import stored_rankings

    rank: pd.DataFrame | None
    if stored_analyses(source):
        rank = stored_rankings(get_store(), personal_allowed=source.personal, actor=source.who)
    else:
        rank = graph_rankings(flt) if wanted("rankings", source.size(), flt) else None
    if rank is None:
        return
    st.caption(
        _(
            "Persons and companies by number of distinct links (degree) and by betweenness (share of shortest "
            "paths through them, estimated on {n:,} nodes of the linked groups).",
            n=rank.attrs.get("betweenness_nodes", 0),
        )
    )
    # names, not internal ids; betweenness as a share of the most central one's (100), not 1.67e-6
    top_bc = rank["betweenness"].max()
    shown = pd.DataFrame(
        {
            _("name"): rank["label"].astype(str),
            _("kind"): rank["kind"].astype(str),
            _("links"): rank["degree"],
            _("betweenness (highest = 100)"): (100 * rank["betweenness"] / top_bc).round(1)
            if top_bc and top_bc > 0
            else rank["betweenness"] * 0,
        }
    )
    ev = data_table(
        shown,
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="single-row",
        key="net_rank_table",
        column_config={
            # blank where it was not estimated (groups outside the linked part it ran on), not 0
            _("betweenness (highest = 100)"): st.column_config.NumberColumn(
                _("betweenness (highest = 100)"), format="%.1f"
            )
        },
    )
    rows = ev.selection.rows if ev and ev.selection else []
    if rows and st.button(_("Draw its network"), key="net_rank_draw"):
        focus(str(rank.iloc[rows[0]]["node_id"]))
        st.rerun()
