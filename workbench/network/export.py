"""Exports of the entity graph that other tools read.

- GraphML and GEXF (Gephi, networkx, yEd): every node with ``kind``, ``label`` and ``subkind``, every
  edge with ``relation``; they load back into networkx with the same nodes and edges.
- An i2 Analyst's Notebook **entities-and-links workbook**: sheet ``Entities`` (one row per entity:
  identity, type, label, attributes) and sheet ``Links`` (one row per link: from identity, to
  identity, link type), which the Analyst's Notebook Excel import maps column by column.
- **FollowTheMoney** entities (Aleph, OpenSanctions tooling), one JSON object per line: ``Person``,
  ``Company``, ``Event`` for a seizure case, ``Vessel`` and ``Vehicle`` for conveyances, and
  ``UnknownLink`` for each role (with the role as ``role``). Needs the ``followthemoney`` package
  (extra ``ftm``).

Examples
--------
>>> import io, networkx as nx, pandas as pd
>>> from workbench.network.graph import build_graph
>>> g = build_graph(pd.DataFrame({"reporting_country": ["FR"], "case_id": ["C1"]}),
...                 pd.DataFrame({"reporting_country": ["FR"], "case_id": ["C1"], "person_id": ["P1"],
...                               "first_name": ["Ana"], "last_name": ["Silva"], "role": ["courier"]}))
>>> buf = io.BytesIO(); write_graph(g, buf, "graphml")
>>> sorted(nx.read_graphml(io.BytesIO(buf.getvalue())).edges(data="relation"))
[('case:FR:C1', 'person:FR:C1:P1', 'courier')]
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import pandas as pd

from workbench.format.schema import FORMAT
from workbench.i18n import _
from workbench.network.graph import PERSONAL_KINDS, EntityGraph, to_networkx

if TYPE_CHECKING:  # pragma: no cover
    from workbench.identity import Principal
    from workbench.store import Store
    from workbench.store.filters import CaseFilter

__all__ = [
    "FORMATS",
    "write_graph",
    "graph_bytes",
    "personal_kinds",
    "i2_workbook",
    "i2_tables",
    "ftm_entities",
    "FtmUnavailable",
]

#: Export formats and their usual file suffix.
FORMATS: dict[str, str] = {"graphml": ".graphml", "gexf": ".gexf", "i2": ".xlsx", "ftm": ".ftm.json"}

#: i2 entity type of each node kind (from the format's node kinds)
_I2_TYPES: dict[str, str] = {name: node.i2 for name, node in FORMAT.nodes.items()}
#: identifier node kind -> (the FollowTheMoney property of a party holding it, the parties that may)
_FTM_PROPERTIES: dict[str, tuple[str, frozenset[str]]] = {
    name: (node.ftm, frozenset(t.entity for t, _ in FORMAT.node_sources(name) if t.entity))
    for name, node in FORMAT.nodes.items()
    if node.ftm
}


class FtmUnavailable(RuntimeError):
    """The followthemoney package cannot be imported (install the ``ftm`` extra)."""


def i2_tables(graph: EntityGraph) -> dict[str, pd.DataFrame]:
    """The ``Entities`` and ``Links`` sheets of the i2 workbook as DataFrames."""
    nodes = graph.nodes
    cases = graph.cases
    entities = pd.DataFrame(
        {
            "Identity": nodes["node_id"],
            "Entity Type": nodes["kind"].map(_I2_TYPES).fillna("Entity"),
            "Label": nodes["label"].astype(str),
            "Kind": nodes["kind"],
            "Subkind": nodes["subkind"],
            "Links": graph.degree,
        }
    )
    case_key = nodes["node_id"].str.removeprefix("case:")
    is_case = nodes["kind"] == "case"
    if len(cases) and is_case.any():
        for col, title in (
            ("seizure_date", "Date"),
            ("reporting_country", "Reporting country"),
            ("departure_country", "Departure"),
            ("destination_country", "Destination"),
            ("transport_mode", "Transport mode"),
        ):
            if col in cases.columns:
                values = case_key[is_case].map(cases[col].astype("string"))
                entities[title] = values.reindex(entities.index)
    ids = nodes["node_id"].to_numpy(dtype=object)
    e = graph.edges
    links = pd.DataFrame(
        {
            "From Identity": ids[e["source"].to_numpy()],
            "To Identity": ids[e["target"].to_numpy()],
            "Link Type": e["relation"].astype(str).str.replace("_", " "),
        }
    )
    return {"Entities": entities, "Links": links}


def i2_workbook(graph: EntityGraph, *, notes: list[str] | None = None) -> bytes:
    """The i2 Analyst's Notebook entities-and-links workbook (formatted, see :mod:`workbench.exchange.excel`)."""
    from workbench.exchange.excel import formatted_workbook

    return formatted_workbook(
        i2_tables(graph),
        title=_("Entities and links (i2 Analyst's Notebook import)"),
        notes=[
            *(notes or []),
            _(
                "Import: Entities sheet -> one entity per row (Identity, Entity Type, Label); "
                "Links sheet -> From Identity, To Identity, Link Type."
            ),
        ],
    )


def ftm_entities(graph: EntityGraph) -> list[dict[str, Any]]:
    """FollowTheMoney entities (as dicts) for the graph's persons, companies, cases and conveyances."""
    try:
        from followthemoney import model
    except ImportError as e:  # pragma: no cover - depends on the extra
        raise FtmUnavailable(
            _(
                "the FollowTheMoney export needs the followthemoney package, which `make run` "
                "leaves out (its PyICU takes minutes to compile): run `make ftm` once (needs "
                "libicu-dev, pkg-config and a C++ compiler), or pip install "
                "'cen-workbench[ftm]'; then restart the app ({e})",
                e=e,
            )
        ) from e
    nodes = graph.nodes.set_index("node_id")
    out: dict[str, Any] = {}

    def ent(schema: str, node_id: str) -> Any:
        if node_id not in out:
            proxy = model.make_entity(schema)
            entity_id = proxy.make_id(node_id)
            assert entity_id is not None  # made of a node id, which is never blank
            proxy.id = "wb-" + entity_id
            out[node_id] = proxy
        return out[node_id]

    for index, row in nodes.iterrows():
        node_id, kind, label = str(index), row["kind"], str(row["label"])
        if kind == "person":
            ent("Person", node_id).add("name", label)
        elif kind == "company":
            ent("Company", node_id).add("name", label)
        elif kind == "case":
            event = ent("Event", node_id)
            key = node_id.removeprefix("case:")
            event.add("name", f"Seizure {label}")
            if key in graph.cases.index:
                c = graph.cases.loc[key]
                event.add("country", str(c.get("reporting_country", "") or ""))
                date = c.get("seizure_date")
                if date is not None and not pd.isna(date):
                    event.add("date", str(pd.Timestamp(date).date()))
        elif kind == "conveyance" and row["subkind"] in ("vessel", "vehicle"):
            craft = ent("Vessel" if row["subkind"] == "vessel" else "Vehicle", node_id)
            craft.add("name", label)
            craft.add("imoNumber" if row["subkind"] == "vessel" else "registrationNumber", label)
    # identifiers become properties of the parties; roles and conveyances become links to the case
    ids = graph.nodes["node_id"].to_numpy(dtype=object)
    kinds = graph.nodes["kind"].to_numpy(dtype=object)
    for s, t, rel in zip(graph.edges["source"], graph.edges["target"], graph.edges["relation"], strict=True):
        a, b = str(ids[s]), str(ids[t])
        ka, kb = kinds[s], kinds[t]
        if kb in _FTM_PROPERTIES and a in out:
            p, holders = _FTM_PROPERTIES[kb]
            if ka not in holders:
                continue
            out[a].add(p, str(graph.nodes.at[int(t), "label"]))
        elif kb == "case" and a in out and b in out:
            link = ent("UnknownLink", f"{a}>{b}")
            link.add("subject", out[a].id)
            link.add("object", out[b].id)
            link.add("role", str(rel).replace("_", " "))
            if ka in FORMAT.party_tables.values():
                out[b].add("involved", out[a].id)
        elif ka == "case" and kb == "conveyance" and a in out and b in out:
            link = ent("UnknownLink", f"{b}>{a}")
            link.add("subject", out[b].id)
            link.add("object", out[a].id)
            link.add("role", "conveyance")
    return [p.to_dict() for p in out.values()]


def personal_kinds(graph: EntityGraph) -> list[str]:
    """The kinds of personal data among the graph's nodes: persons, companies, their identifiers and
    vehicle plates (empty: the graph holds cases, flights, vessels and trains only).

    >>> from workbench.network.graph import build_graph
    >>> personal_kinds(build_graph(pd.DataFrame({"reporting_country": ["FR"], "case_id": ["C1"]})))
    []
    """
    counts = graph.counts()
    kinds = [k for k in counts if k in PERSONAL_KINDS]
    if "subkind" in graph.nodes.columns and (graph.nodes["subkind"] == "vehicle").any():
        kinds.append("vehicle plate")
    return kinds


def graph_bytes(
    store: Store,
    graph: EntityGraph,
    fmt: str,
    flt: CaseFilter | None = None,
    *,
    legal_basis: str | None = None,
    actor: Principal | None = None,
    stem: str = "network",
) -> tuple[bytes, str, dict[str, int]]:
    """``graph`` as ``fmt`` for a download: ``(data, file name, nodes per kind)``, written to the audit log.

    A graph holding persons, companies, their identifiers or vehicle plates is personal data, exported
    like the exchange format (:mod:`workbench.exchange.exports`): ``actor`` (default: the
    :func:`~workbench.identity.accounts.current_principal`) needs the matrix's ``export_personal`` (else
    ``export_non_personal``) and a stated legal basis, else
    :class:`workbench.exchange.exports.ExportRefused` is raised and nothing is written.
    Every export is audited (``export.graph``: user, role, format, nodes and links per kind, filter,
    legal basis).

    >>> from workbench.network.graph import build_graph
    >>> from workbench.store import open_store
    >>> from workbench.identity import Principal
    >>> g = build_graph(pd.DataFrame({"reporting_country": ["FR"], "case_id": ["C1"]}),
    ...                 pd.DataFrame({"reporting_country": ["FR"], "case_id": ["C1"], "person_id": ["P1"],
    ...                               "first_name": ["Ana"], "last_name": ["Silva"], "role": ["courier"]}))
    >>> store, analyst = open_store("sqlite://"), Principal("ana", "local", frozenset({"analyst"}), True, "local")
    >>> graph_bytes(store, g, "graphml", actor=analyst)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    workbench.exchange.exports.ExportRefused: this network holds personal data (person): state its legal basis ...
    >>> data, name, counts = graph_bytes(store, g, "graphml", legal_basis="MAA art. 4", actor=analyst)
    >>> name, counts
    ('network.graphml', {'case': 1, 'person': 1})
    """
    from workbench.exchange.exports import NON_PERSONAL_BASIS, ExportDenied, ExportRefused
    from workbench.identity import PermissionDenied, acting, authorise
    from workbench.store import audit
    from workbench.store.filters import CaseFilter

    if fmt not in FORMATS:
        raise ValueError(
            _("unknown graph format {fmt!r}; choose one of {formats}", fmt=fmt, formats=", ".join(FORMATS))
        )
    actor = acting(store, actor)
    flt = flt or CaseFilter()
    personal = personal_kinds(graph)
    basis = (legal_basis or "").strip()
    try:
        authorise(store, actor, "export_personal" if personal else "export_non_personal")
    except PermissionDenied as e:
        raise ExportDenied(
            _("this network holds personal data ({tables}): {error}", tables=", ".join(personal), error=e)
            if personal
            else str(e)
        ) from e
    if personal and not basis:
        raise ExportRefused(
            _(
                "this network holds personal data ({personal}): state its legal basis (e.g. "
                "'mutual administrative assistance agreement FR-ES 2019, art. 4')",
                personal=", ".join(personal),
            )
        )
    basis = basis or NON_PERSONAL_BASIS
    if fmt == "i2":
        data = i2_workbook(
            graph,
            notes=[_("Filter: {filter}", filter=flt.describe()), _("Legal basis: {basis}", basis=basis)],
        )
    else:
        buf = io.BytesIO()
        write_graph(graph, buf, fmt)
        data = buf.getvalue()
    name = f"{stem}{'-i2' if fmt == 'i2' else ''}{FORMATS[fmt]}"
    counts = graph.counts()
    with store.session() as s:
        audit(
            s,
            "export.graph",
            {
                "format": fmt,
                "nodes": len(graph),
                "links": len(graph.edges),
                "counts": counts,
                "personal": personal,
                "filter": flt.to_dict(),
                "filter_text": flt.describe(),
                "legal_basis": basis,
                "target": f"download {name}",
            },
            actor,
        )
    return data, name, counts


def write_graph(graph: EntityGraph, target: str | Path | IO[bytes], fmt: str) -> None:
    """Write ``graph`` as ``fmt`` (one of :data:`FORMATS`) to a path or a binary file object."""
    if fmt not in FORMATS:
        raise ValueError(
            _("unknown graph format {fmt!r}; choose one of {formats}", fmt=fmt, formats=", ".join(FORMATS))
        )
    if fmt in ("graphml", "gexf"):
        import networkx as nx

        g = to_networkx(graph)
        buf = io.BytesIO()
        (nx.write_graphml if fmt == "graphml" else nx.write_gexf)(g, buf)
        data = buf.getvalue()
    elif fmt == "i2":
        data = i2_workbook(graph)
    else:
        lines = (json.dumps(e, ensure_ascii=False, sort_keys=True) for e in ftm_entities(graph))
        data = ("\n".join(lines) + "\n").encode("utf-8")
    if isinstance(target, (str, Path)):
        Path(target).write_bytes(data)
    else:
        target.write(data)
