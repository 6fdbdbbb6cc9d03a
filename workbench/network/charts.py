"""External link charts: networks that arrive as files (edge lists, adjacency matrices, GraphML, GEXF, i2
charts), stored beside the case graph and analysed on their own.

A **link chart** is a named set of nodes (an id, a label, a kind and free attributes) and edges (source,
target, weight, direction, period, relation, attributes). It does not come from cases: a published covert
network, a country-to-country trafficking edge list, a chart drawn in i2 Analyst's Notebook.

Readers (:func:`read_chart`, one per format) refuse bad input with the file, row and column:

- ``edgelist``: a CSV or ``.xlsx`` table with a source and a target column (``source``/``from``/``src``,
  ``target``/``to``/``dst``, else the first two columns), and optional ``weight`` (or the column given),
  ``period`` (or ``year``/``date``), ``direction`` (``directed``/``undirected``, ``true``/``false``) and
  ``relation``; any other column becomes an edge attribute. Parallel rows stay apart (one per period).
- ``matrix``: a square CSV or ``.xlsx`` table, labels down the first column and along the header, in the
  same order; a blank cell is 0, a number is the weight of the edge row -> column. Undirected (the
  default), the matrix must be symmetric: the first cell that differs from its mirror is named.
  The diagonal (self-links) is left out.
- ``graphml`` and ``gexf``: read by networkx after :mod:`defusedxml` has refused DTDs, entities and
  external references (an XML bomb or an external entity never reaches the parser). Node attributes are
  kept; ``label`` labels a node; ``weight`` weighs an edge; ``period`` (or ``year``/``date``) dates it.
- ``i2``: an i2 Analyst's Notebook chart exported as ANX XML. The common subset is read: entities
  (``ChartItem`` with an ``End/Entity``: ``EntityId``, ``Identity``, the item's ``Label``, the icon type
  as the node's kind, ``Attribute`` values by ``AttributeClass`` or ``AttributeClassReference``), and links (``ChartItem`` with a ``Link``: ``End1Id``,
  ``End2Id``, ``LinkStyle/@ArrowStyle`` for the direction, the item's ``Label`` as the relation and its
  ``DateTime`` as the period, ``Attribute`` values; an attribute named like ``--weight`` weighs the
  link). Themes, cards, timelines, grades and layout are not read.

Storage: :data:`LINK_CHARTS`, :data:`LINK_CHART_NODES`, :data:`LINK_CHART_EDGES` (migration
``0015_link_charts``). :func:`store_chart` needs the matrix's ``import_data`` and is audited
(``collect.link_chart``) with the organisation and the uploader; :func:`load_chart` needs ``view_data``.
A chart's node labels are **personal data by default** (covert networks name persons): opening a
personal chart needs ``view_personal`` and is audited (``consult.link_chart``); a chart of countries or
organisations is stored with ``personal=False`` and opens with ``view_data`` alone.

Analysis works on a loaded :class:`LinkChart` with networkx: :func:`search_chart`, :func:`rank_chart`
(degree, weighted degree, betweenness), :func:`chart_path`, :func:`chart_communities` (Louvain, with the
modularity) and :func:`chart_bytes` (GraphML or CSV edge list; :func:`export_chart` is the audited export).

Examples
--------
>>> import io
>>> text = "source,target,weight\\nAna,Bo,2\\nBo,Cy,1\\nCy,Ana,1\\nCy,Dee,5\\n"
>>> chart = read_edgelist(io.StringIO(text), name="demo", file_name="demo.csv")
>>> len(chart.nodes), len(chart.edges), chart.directed
(4, 4, False)
>>> rank_chart(chart, by="weighted_degree")[["label", "degree", "weighted_degree"]].values.tolist()[:2]
[['Cy', 3, 7.0], ['Dee', 1, 5.0]]
>>> chart_path(chart, "Ana", "Dee")
['Ana', 'Cy', 'Dee']
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import pandas as pd
import sqlalchemy as sa

from workbench.format.normalise import fold
from workbench.i18n import _
from workbench.store import Base

if TYPE_CHECKING:  # networkx loads when a chart is analysed, not with the module
    import networkx as nx

    from workbench.identity import Principal
    from workbench.store import Store

__all__ = [
    "FORMATS",
    "RANKINGS",
    "EXACT_BETWEENNESS_NODES",
    "BETWEENNESS_PIVOTS",
    "LINK_CHARTS",
    "LINK_CHART_NODES",
    "LINK_CHART_EDGES",
    "LinkChart",
    "ChartError",
    "read_chart",
    "read_edgelist",
    "read_matrix",
    "read_graphml",
    "read_gexf",
    "read_i2",
    "store_chart",
    "load_chart",
    "list_charts",
    "delete_chart",
    "chart_graph",
    "chart_periods",
    "chart_in_period",
    "search_chart",
    "rank_chart",
    "chart_path",
    "chart_communities",
    "chart_bytes",
    "export_chart",
]

#: The file formats :func:`read_chart` takes.
FORMATS: tuple[str, ...] = ("edgelist", "matrix", "graphml", "gexf", "i2")
#: Charts with more nodes than this get an estimated betweenness (:func:`rank_chart`).
EXACT_BETWEENNESS_NODES = 1000
#: Source nodes the estimate starts from (networkx's ``k``, seeded).
BETWEENNESS_PIVOTS = 100
#: The measures :func:`rank_chart` ranks by.
RANKINGS: tuple[str, ...] = ("degree", "weighted_degree", "betweenness")

_SOURCE_NAMES = ("source", "from", "src", "origin", "node1", "source_node")
_TARGET_NAMES = ("target", "to", "dst", "destination", "node2", "target_node")
_WEIGHT_NAMES = ("weight", "value", "count", "cases", "strength")
_PERIOD_NAMES = ("period", "year", "date", "time")
_DIRECTION_NAMES = ("direction", "directed")
_RELATION_NAMES = ("relation", "type", "label", "kind")
_DIRECTED_WORDS = {"directed", "true", "yes", "1", "->", "→", "y"}
_UNDIRECTED_WORDS = {"undirected", "false", "no", "0", "--", "-", "n", ""}

LINK_CHARTS = sa.Table(
    "link_charts",
    Base.metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(200), nullable=False, unique=True),
    sa.Column("format", sa.String(20), nullable=False),
    sa.Column("source_file", sa.Text, nullable=False),
    sa.Column("directed", sa.Boolean, nullable=False),
    sa.Column("personal", sa.Boolean, nullable=False),
    sa.Column("organisation", sa.String(100), nullable=True),
    sa.Column("uploaded_by", sa.String(100), nullable=True),
    sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("node_count", sa.Integer, nullable=False),
    sa.Column("edge_count", sa.Integer, nullable=False),
)
LINK_CHART_NODES = sa.Table(
    "link_chart_nodes",
    Base.metadata,
    sa.Column("chart_id", sa.Integer, sa.ForeignKey("link_charts.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("node", sa.Text, nullable=False),
    sa.Column("label", sa.Text, nullable=False),
    sa.Column("kind", sa.String(100), nullable=False),
    sa.Column("attributes", sa.Text, nullable=True),
)
LINK_CHART_EDGES = sa.Table(
    "link_chart_edges",
    Base.metadata,
    sa.Column("chart_id", sa.Integer, sa.ForeignKey("link_charts.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("source", sa.Integer, nullable=False),
    sa.Column("target", sa.Integer, nullable=False),
    sa.Column("weight", sa.Float, nullable=False),
    sa.Column("directed", sa.Boolean, nullable=False),
    sa.Column("period", sa.String(40), nullable=True),
    sa.Column("relation", sa.Text, nullable=False),
    sa.Column("attributes", sa.Text, nullable=True),
)


class ChartError(ValueError):
    """A chart file that cannot be read: the message names the file, and the row and column where known."""


@dataclass
class LinkChart:
    """A named network: ``nodes`` (``node``, ``label``, ``kind``, ``attributes``: a dict) and ``edges``
    (``source``, ``target``: node ids; ``weight``, ``directed``, ``period``, ``relation``, ``attributes``)."""

    name: str
    nodes: pd.DataFrame
    edges: pd.DataFrame
    directed: bool = False
    personal: bool = True
    format: str = "edgelist"
    source_file: str = ""
    info: dict[str, Any] = field(default_factory=dict)

    def labels(self) -> dict[str, str]:
        return dict(zip(self.nodes["node"], self.nodes["label"], strict=True))


# ------------------------------------------------------------------------------------ reading
def _blank(v: object) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or str(v).strip() == ""


def _text(v: object) -> str:
    if _blank(v):
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _read_table(src: str | Path | IO[Any], file_name: str, header: bool = True) -> tuple[pd.DataFrame, int]:
    """A CSV or the first sheet of an ``.xlsx``, every cell as text; and the line of the first data row."""
    try:
        if file_name.lower().endswith((".xlsx", ".xlsm")):
            frame = pd.read_excel(
                src, sheet_name=0, dtype=str, header=0 if header else None, engine="calamine"
            )
        else:
            frame = pd.read_csv(
                src, dtype=str, keep_default_na=False, header=0 if header else None, skipinitialspace=True
            )
    except (ValueError, OSError, pd.errors.ParserError) as e:
        raise ChartError(_("{file}: cannot be read as a table ({error})", file=file_name, error=e)) from e
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame, 2


def _pick(
    columns: list[str], given: str | None, names: tuple[str, ...], file_name: str, what: str
) -> str | None:
    if given:
        if given not in columns:
            raise ChartError(
                _(
                    "{file}: no column '{column}' for the {what}; the columns are: {columns}",
                    file=file_name,
                    column=given,
                    what=what,
                    columns=", ".join(columns),
                )
            )
        return given
    folded = {c.strip().lower(): c for c in columns}
    return next((folded[n] for n in names if n in folded), None)


def _number(v: object, file_name: str, line: int, column: str) -> float:
    if _blank(v):
        return 0.0
    try:
        x = float(str(v).replace(",", "").strip())
    except ValueError:
        raise ChartError(
            _(
                "{file}, row {row}, column '{column}': '{value}' is not a number",
                file=file_name,
                row=line,
                column=column,
                value=str(v)[:40],
            )
        ) from None
    if math.isnan(x) or math.isinf(x):
        raise ChartError(
            _(
                "{file}, row {row}, column '{column}': not a finite number",
                file=file_name,
                row=line,
                column=column,
            )
        )
    return x


def _direction(v: object, default: bool, file_name: str, line: int, column: str) -> bool:
    word = _text(v).lower()
    if word == "":
        return default
    if word in _DIRECTED_WORDS:
        return True
    if word in _UNDIRECTED_WORDS:
        return False
    raise ChartError(
        _(
            "{file}, row {row}, column '{column}': '{value}' is not a direction (directed or undirected)",
            file=file_name,
            row=line,
            column=column,
            value=word[:40],
        )
    )


def _chart(
    name: str,
    node_rows: list[dict[str, Any]],
    edge_rows: list[dict[str, Any]],
    *,
    directed: bool,
    personal: bool,
    fmt: str,
    file_name: str,
) -> LinkChart:
    nodes = pd.DataFrame(node_rows, columns=["node", "label", "kind", "attributes"])
    edges = pd.DataFrame(
        edge_rows, columns=["source", "target", "weight", "directed", "period", "relation", "attributes"]
    )
    if nodes.empty:
        raise ChartError(_("{file}: no node in the file", file=file_name))
    edges["weight"] = edges["weight"].astype(float)
    edges["directed"] = edges["directed"].astype(bool)
    edges["period"] = _periods(edges["period"])
    return LinkChart(name, nodes, edges, directed, personal, fmt, file_name)


def _periods(values: Iterable[Any]) -> pd.Series:
    """Periods as text, None where there is none (not NaN: an object column)."""
    return pd.Series([None if _blank(p) else str(p) for p in values], dtype=object)


def _nodes_of_edges(edge_rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: dict[str, None] = {}
    for e in edge_rows:
        seen.setdefault(e["source"])
        seen.setdefault(e["target"])
    return [{"node": n, "label": n, "kind": "", "attributes": {}} for n in seen]


def read_edgelist(
    src: str | Path | IO[Any],
    *,
    name: str,
    file_name: str | None = None,
    directed: bool = False,
    weight: str | None = None,
    source: str | None = None,
    target: str | None = None,
    personal: bool = True,
) -> LinkChart:
    """An edge list (CSV or ``.xlsx``): one row per edge; see the module docstring for the columns."""
    file_name = file_name or (Path(src).name if isinstance(src, str | Path) else "edge list")
    frame, first_line = _read_table(src, file_name)
    cols = list(frame.columns)
    s_col = _pick(cols, source, _SOURCE_NAMES, file_name, _("source")) or (cols[0] if cols else None)
    t_col = _pick(cols, target, _TARGET_NAMES, file_name, _("target")) or (cols[1] if len(cols) > 1 else None)
    if s_col is None or t_col is None or s_col == t_col:
        raise ChartError(_("{file}: an edge list needs a source and a target column", file=file_name))
    w_col = _pick(cols, weight, _WEIGHT_NAMES, file_name, _("weight"))
    p_col = _pick(cols, None, _PERIOD_NAMES, file_name, _("period"))
    d_col = _pick(cols, None, _DIRECTION_NAMES, file_name, _("direction"))
    r_col = _pick(cols, None, _RELATION_NAMES, file_name, _("relation"))
    rest = [c for c in cols if c not in {s_col, t_col, w_col, p_col, d_col, r_col}]
    edge_rows: list[dict[str, Any]] = []
    for i, rec in enumerate(frame.to_dict("records")):
        line = first_line + i
        a, b = _text(rec[s_col]), _text(rec[t_col])
        if not a and not b and all(_blank(v) for v in rec.values()):
            continue  # an empty line
        for col, v in ((s_col, a), (t_col, b)):
            if not v:
                raise ChartError(
                    _(
                        "{file}, row {row}, column '{column}': blank node",
                        file=file_name,
                        row=line,
                        column=col,
                    )
                )
        w = _number(rec[w_col], file_name, line, w_col) if w_col else 1.0
        if w_col and _blank(rec[w_col]):
            w = 1.0
        edge_rows.append(
            {
                "source": a,
                "target": b,
                "weight": w,
                "directed": _direction(rec[d_col], directed, file_name, line, d_col) if d_col else directed,
                "period": _text(rec[p_col]) or None if p_col else None,
                "relation": _text(rec[r_col]) if r_col else "",
                "attributes": {c: _text(rec[c]) for c in rest if not _blank(rec[c])},
            }
        )
    if not edge_rows:
        raise ChartError(_("{file}: no edge in the file", file=file_name))
    is_directed = directed or any(e["directed"] for e in edge_rows)
    return _chart(
        name,
        _nodes_of_edges(edge_rows),
        edge_rows,
        directed=is_directed,
        personal=personal,
        fmt="edgelist",
        file_name=file_name,
    )


def read_matrix(
    src: str | Path | IO[Any],
    *,
    name: str,
    file_name: str | None = None,
    directed: bool = False,
    personal: bool = True,
) -> LinkChart:
    """An adjacency matrix (CSV or ``.xlsx``): labels down the first column and along the header, in the
    same order; cell (row, column) is the weight of the edge row -> column; see the module docstring."""
    file_name = file_name or (Path(src).name if isinstance(src, str | Path) else "matrix")
    frame, first_line = _read_table(src, file_name)
    if frame.shape[1] < 2:
        raise ChartError(_("{file}: a matrix needs labels in its first column and header", file=file_name))
    header = list(frame.columns[1:])
    rows = [_text(v) for v in frame.iloc[:, 0]]
    if len(rows) != len(header):
        raise ChartError(
            _(
                "{file}: the matrix is not square: {rows} rows of labels but {columns} columns",
                file=file_name,
                rows=len(rows),
                columns=len(header),
            )
        )
    for i, (r, c) in enumerate(zip(rows, header, strict=True)):
        if r != c:
            raise ChartError(
                _(
                    "{file}, row {row}: the label '{label}' is not the column's in the same place ('{column}'); "
                    "rows and columns must list the nodes in the same order",
                    file=file_name,
                    row=first_line + i,
                    label=r[:60],
                    column=c[:60],
                )
            )
    dupes = sorted({r for r in rows if rows.count(r) > 1})
    if dupes:
        raise ChartError(
            _("{file}: labels listed twice: {labels}", file=file_name, labels=", ".join(dupes[:5]))
        )
    values = [
        [_number(frame.iat[i, j + 1], file_name, first_line + i, header[j]) for j in range(len(header))]
        for i in range(len(rows))
    ]
    if not directed:
        for i in range(len(rows)):
            for j in range(i + 1, len(rows)):
                if values[i][j] != values[j][i]:
                    raise ChartError(
                        _(
                            "{file}, row {row}, column '{column}': {a:g}, but row {row2}, column '{column2}' is "
                            "{b:g}: an undirected matrix must be symmetric (import it with --directed if it is "
                            "not)",
                            file=file_name,
                            row=first_line + i,
                            column=header[j],
                            a=values[i][j],
                            row2=first_line + j,
                            column2=header[i],
                            b=values[j][i],
                        )
                    )
    edge_rows: list[dict[str, Any]] = [
        {
            "source": rows[i],
            "target": rows[j],
            "weight": values[i][j],
            "directed": directed,
            "period": None,
            "relation": "",
            "attributes": {},
        }
        for i in range(len(rows))
        for j in range(len(rows))
        if i != j and values[i][j] != 0 and (directed or j > i)
    ]
    nodes = [{"node": r, "label": r, "kind": "", "attributes": {}} for r in rows]
    return _chart(
        name, nodes, edge_rows, directed=directed, personal=personal, fmt="matrix", file_name=file_name
    )


def _safe_xml(data: bytes, file_name: str) -> Any:
    """The parsed XML root, after defusedxml has refused DTDs, entities and external references."""
    from xml.etree.ElementTree import ParseError

    import defusedxml
    import defusedxml.ElementTree as DET

    try:
        return DET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except defusedxml.DefusedXmlException as e:
        raise ChartError(
            _(
                "{file}: refused: the XML declares a document type, entities or external references ({what}), "
                "which a chart never needs",
                file=file_name,
                what=type(e).__name__,
            )
        ) from e
    except ParseError as e:
        raise ChartError(_("{file}: not well-formed XML ({error})", file=file_name, error=e)) from e


def _data(src: str | Path | IO[Any]) -> bytes:
    if isinstance(src, str | Path):
        return Path(src).read_bytes()
    raw = src.read()
    return raw.encode("utf-8") if isinstance(raw, str) else bytes(raw)


def _from_networkx(
    g: nx.Graph, name: str, *, fmt: str, file_name: str, directed: bool, personal: bool, weight: str | None
) -> LinkChart:
    w_key = weight or "weight"
    nodes = []
    for n, d in g.nodes(data=True):
        attrs = {str(k): v for k, v in d.items() if k not in ("label",) and not isinstance(v, dict)}
        nodes.append(
            {
                "node": str(n),
                "label": str(d.get("label", n)),
                "kind": str(d.get("kind", d.get("type", ""))),
                "attributes": attrs,
            }
        )
    is_directed = directed or g.is_directed()
    edges = []
    for i, (a, b, d) in enumerate(g.edges(data=True)):
        w = d.get(w_key, 1.0)
        try:
            wf = float(w)
        except (TypeError, ValueError):
            raise ChartError(
                _(
                    "{file}, edge {n} ({a} - {b}): '{key}' is '{value}', not a number",
                    file=file_name,
                    n=i + 1,
                    a=a,
                    b=b,
                    key=w_key,
                    value=str(w)[:40],
                )
            ) from None
        period = next((d[k] for k in _PERIOD_NAMES if k in d), None)
        skip = {w_key, "id", "label", *_PERIOD_NAMES}
        edges.append(
            {
                "source": str(a),
                "target": str(b),
                "weight": wf,
                "directed": is_directed,
                "period": _text(period) or None,
                "relation": str(d.get("label", d.get("relation", ""))),
                "attributes": {str(k): v for k, v in d.items() if k not in skip and not isinstance(v, dict)},
            }
        )
    return _chart(name, nodes, edges, directed=is_directed, personal=personal, fmt=fmt, file_name=file_name)


def read_graphml(
    src: str | Path | IO[Any],
    *,
    name: str,
    file_name: str | None = None,
    directed: bool = False,
    weight: str | None = None,
    personal: bool = True,
) -> LinkChart:
    """A GraphML file (networkx's reader, behind defusedxml)."""
    import networkx as nx

    file_name = file_name or (Path(src).name if isinstance(src, str | Path) else "graph.graphml")
    data = _data(src)
    _safe_xml(data, file_name)
    try:
        g = nx.parse_graphml(data.decode("utf-8"))
    except (nx.NetworkXError, ValueError, KeyError, UnicodeDecodeError) as e:
        raise ChartError(
            _("{file}: not a GraphML graph networkx can read ({error})", file=file_name, error=e)
        ) from e
    return _from_networkx(
        g, name, fmt="graphml", file_name=file_name, directed=directed, personal=personal, weight=weight
    )


def read_gexf(
    src: str | Path | IO[Any],
    *,
    name: str,
    file_name: str | None = None,
    directed: bool = False,
    weight: str | None = None,
    personal: bool = True,
) -> LinkChart:
    """A GEXF file (networkx's reader, behind defusedxml)."""
    import networkx as nx

    file_name = file_name or (Path(src).name if isinstance(src, str | Path) else "graph.gexf")
    data = _data(src)
    _safe_xml(data, file_name)
    try:
        g = nx.read_gexf(io.BytesIO(data))
    except (nx.NetworkXError, ValueError, KeyError) as e:
        raise ChartError(
            _("{file}: not a GEXF graph networkx can read ({error})", file=file_name, error=e)
        ) from e
    return _from_networkx(
        g, name, fmt="gexf", file_name=file_name, directed=directed, personal=personal, weight=weight
    )


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(el: Any, tag: str) -> Any:
    return next((c for c in el.iter() if _local(c.tag) == tag), None)


def read_i2(
    src: str | Path | IO[Any],
    *,
    name: str,
    file_name: str | None = None,
    directed: bool = False,
    weight: str | None = None,
    personal: bool = True,
) -> LinkChart:
    """An i2 Analyst's Notebook chart exported as ANX XML (the subset the module docstring lists)."""
    file_name = file_name or (Path(src).name if isinstance(src, str | Path) else "chart.anx")
    root = _safe_xml(_data(src), file_name)
    nodes: list[dict[str, Any]] = []
    links: list[tuple[int, Any, Any, dict[str, str]]] = []
    # attribute classes declared once (AttributeClassCollection) and referred to by id
    classes = {
        str(c.get("Id")): str(c.get("Name"))
        for c in root.iter()
        if _local(c.tag) == "AttributeClass" and c.get("Id") and c.get("Name")
    }

    def class_of(a: Any) -> str:
        return str(a.get("AttributeClass") or classes.get(str(a.get("AttributeClassReference")), ""))

    for n, item in enumerate(el for el in root.iter() if _local(el.tag) == "ChartItem"):
        attrs = {
            class_of(a): str(a.get("Value", ""))
            for a in item.iter()
            if _local(a.tag) == "Attribute" and class_of(a)
        }
        entity = _child(item, "Entity")
        link = _child(item, "Link")
        if entity is not None:
            eid = entity.get("EntityId") or entity.get("Identity")
            if not eid:
                raise ChartError(
                    _("{file}, chart item {n}: an entity without EntityId", file=file_name, n=n + 1)
                )
            style = _child(entity, "IconStyle")
            nodes.append(
                {
                    "node": str(eid),
                    "label": str(item.get("Label") or entity.get("Identity") or eid),
                    "kind": str(style.get("Type", "")) if style is not None else "",
                    "attributes": attrs,
                }
            )
        elif link is not None:
            links.append((n, item, link, attrs))
    known = {nd["node"] for nd in nodes}
    edges = []
    for n, item, link, attrs in links:
        a, b = link.get("End1Id"), link.get("End2Id")
        for end, v in (("End1Id", a), ("End2Id", b)):
            if not v or v not in known:
                raise ChartError(
                    _(
                        "{file}, chart item {n}: the link's {end} '{value}' is no entity of the chart",
                        file=file_name,
                        n=n + 1,
                        end=end,
                        value=str(v or "")[:60],
                    )
                )
        style = _child(link, "LinkStyle")
        arrow = (style.get("ArrowStyle", "ArrowNone") if style is not None else "ArrowNone") or "ArrowNone"
        source, target = (b, a) if arrow == "ArrowOnTail" else (a, b)
        w = 1.0
        if weight and weight in attrs:
            w = _number(attrs.pop(weight), file_name, n + 1, weight)
        when = item.get("DateTime") if item.get("DateSet", "true").lower() != "false" else None
        edges.append(
            {
                "source": str(source),
                "target": str(target),
                "weight": w,
                "directed": directed or arrow in ("ArrowOnHead", "ArrowOnTail"),
                "period": (str(when)[:10] if when else None),
                "relation": str(item.get("Label", "")),
                "attributes": {**attrs, **({"arrow": "both"} if arrow == "ArrowOnBoth" else {})},
            }
        )
    is_directed = directed or any(e["directed"] for e in edges)
    return _chart(name, nodes, edges, directed=is_directed, personal=personal, fmt="i2", file_name=file_name)


_READERS = {
    "edgelist": read_edgelist,
    "matrix": read_matrix,
    "graphml": read_graphml,
    "gexf": read_gexf,
    "i2": read_i2,
}


def guess_format(path: str | Path) -> str:
    """The format a file's extension says (``.graphml``, ``.gexf``, ``.anx``/``.xml`` -> i2), else edge list."""
    suffix = Path(path).suffix.lower()
    return {".graphml": "graphml", ".gexf": "gexf", ".anx": "i2", ".xml": "i2"}.get(suffix, "edgelist")


def read_chart(
    path: str | Path,
    *,
    name: str,
    fmt: str | None = None,
    directed: bool = False,
    weight: str | None = None,
    personal: bool = True,
) -> LinkChart:
    """Read a chart file in ``fmt`` (default: from its extension, see :func:`guess_format`)."""
    fmt = fmt or guess_format(path)
    if fmt not in _READERS:
        raise ChartError(
            _("{fmt}: not a chart format; use one of {formats}", fmt=fmt, formats=", ".join(FORMATS))
        )
    p = Path(path)
    if not p.is_file():
        raise ChartError(_("{file}: no such file", file=str(path)))
    kwargs: dict[str, Any] = {"name": name, "file_name": p.name, "directed": directed, "personal": personal}
    if fmt != "matrix":
        kwargs["weight"] = weight
    elif weight:
        raise ChartError(_("--weight does not apply to a matrix: its cells are the weights"))
    return _READERS[fmt](p, **kwargs)


# ------------------------------------------------------------------------------------ the store
def _json(value: dict[str, Any]) -> str | None:
    return json.dumps(value, ensure_ascii=False, default=str, sort_keys=True) if value else None


def store_chart(
    store: Store, chart: LinkChart, *, actor: Principal | None = None, replace: bool = False
) -> int:
    """Store ``chart`` under its name (one transaction; the matrix's ``import_data``; audited
    ``collect.link_chart``). A chart of the same name is refused unless ``replace``. Returns its id."""
    from workbench.identity import acting, authorise
    from workbench.store import audit

    actor = acting(store, actor)
    authorise(store, actor, "import_data")
    name = chart.name.strip()
    if not name:
        raise ChartError(_("a chart needs a name"))
    position = {n: i for i, n in enumerate(chart.nodes["node"])}
    with store.connect() as conn:
        old = conn.execute(sa.select(LINK_CHARTS.c.id).where(LINK_CHARTS.c.name == name)).scalar()
        if old is not None:
            if not replace:
                raise ChartError(
                    _("a chart named '{name}' is already stored; choose another name", name=name)
                )
            conn.execute(sa.delete(LINK_CHART_EDGES).where(LINK_CHART_EDGES.c.chart_id == old))
            conn.execute(sa.delete(LINK_CHART_NODES).where(LINK_CHART_NODES.c.chart_id == old))
            conn.execute(sa.delete(LINK_CHARTS).where(LINK_CHARTS.c.id == old))
        key = conn.execute(
            sa.insert(LINK_CHARTS).values(
                name=name,
                format=chart.format,
                source_file=chart.source_file,
                directed=chart.directed,
                personal=chart.personal,
                organisation=getattr(actor, "organisation", None),
                uploaded_by=actor.user,
                uploaded_at=dt.datetime.now(dt.UTC),
                node_count=len(chart.nodes),
                edge_count=len(chart.edges),
            )
        ).inserted_primary_key
        assert key is not None  # an insert of one row
        chart_id = int(key[0])
        node_recs = [
            {"chart_id": chart_id, "position": i, "node": n, "label": lb, "kind": k, "attributes": _json(a)}
            for i, (n, lb, k, a) in enumerate(
                zip(
                    chart.nodes["node"],
                    chart.nodes["label"],
                    chart.nodes["kind"],
                    chart.nodes["attributes"],
                    strict=True,
                )
            )
        ]
        edge_recs = [
            {
                "chart_id": chart_id,
                "position": i,
                "source": position[e["source"]],
                "target": position[e["target"]],
                "weight": float(e["weight"]),
                "directed": bool(e["directed"]),
                "period": e["period"],
                "relation": e["relation"] or "",
                "attributes": _json(e["attributes"]),
            }
            for i, e in enumerate(chart.edges.to_dict("records"))
        ]
        for k in range(0, len(node_recs), 20_000):
            conn.execute(sa.insert(LINK_CHART_NODES), node_recs[k : k + 20_000])
        for k in range(0, len(edge_recs), 20_000):
            conn.execute(sa.insert(LINK_CHART_EDGES), edge_recs[k : k + 20_000])
        audit(
            conn,
            "collect.link_chart",
            {
                "name": name,
                "format": chart.format,
                "file": chart.source_file,
                "nodes": len(node_recs),
                "edges": len(edge_recs),
                "personal": chart.personal,
                "replaced": old is not None,
            },
            actor,
            objects=[f"link_chart:{name}"],
            row_count=len(node_recs) + len(edge_recs),
        )
    return chart_id


def list_charts(store: Store, *, actor: Principal | None = None) -> pd.DataFrame:
    """The stored charts (``view_data``): name, format, file, nodes, edges, directed, personal,
    organisation, uploaded by and when. Names and counts only: no node is read."""
    from workbench.identity import acting, authorise

    authorise(store, acting(store, actor), "view_data")
    t = LINK_CHARTS
    stmt = sa.select(
        t.c.name,
        t.c.format,
        t.c.source_file,
        t.c.node_count.label("nodes"),
        t.c.edge_count.label("edges"),
        t.c.directed,
        t.c.personal,
        t.c.organisation,
        t.c.uploaded_by,
        t.c.uploaded_at,
    ).order_by(t.c.name)
    with store.connect() as conn:
        return pd.DataFrame(conn.execute(stmt).mappings().all(), columns=list(stmt.selected_columns.keys()))


def _row(store: Store, name: str) -> Any:
    with store.connect() as conn:
        row = conn.execute(sa.select(LINK_CHARTS).where(LINK_CHARTS.c.name == name)).mappings().first()
    if row is None:
        raise ChartError(_("no chart named '{name}' is stored (see `workbench network list`)", name=name))
    return row


def load_chart(store: Store, name: str, *, actor: Principal | None = None) -> LinkChart:
    """The stored chart ``name`` (``view_data``; a personal chart also ``view_personal``, audited
    ``consult.link_chart``)."""
    from workbench.identity import acting, authorise
    from workbench.store import audit

    actor = acting(store, actor)
    authorise(store, actor, "view_data")
    row = _row(store, name)
    if row["personal"]:
        authorise(store, actor, "view_personal")
    with store.connect() as conn:
        nodes = pd.DataFrame(
            conn.execute(
                sa.select(LINK_CHART_NODES)
                .where(LINK_CHART_NODES.c.chart_id == row["id"])
                .order_by(LINK_CHART_NODES.c.position)
            )
            .mappings()
            .all(),
            columns=[c.name for c in LINK_CHART_NODES.c],
        )
        edges = pd.DataFrame(
            conn.execute(
                sa.select(LINK_CHART_EDGES)
                .where(LINK_CHART_EDGES.c.chart_id == row["id"])
                .order_by(LINK_CHART_EDGES.c.position)
            )
            .mappings()
            .all(),
            columns=[c.name for c in LINK_CHART_EDGES.c],
        )
        if row["personal"]:
            audit(
                conn,
                "consult.link_chart",
                {"name": name, "nodes": len(nodes)},
                actor,
                objects=[f"link_chart:{name}"],
                row_count=len(nodes),
            )
    ids = nodes["node"].astype(str).tolist()
    node_frame = pd.DataFrame(
        {
            "node": ids,
            "label": nodes["label"].astype(str).tolist(),
            "kind": nodes["kind"].astype(str).tolist(),
            "attributes": [json.loads(a) if a else {} for a in nodes["attributes"]],
        }
    )
    edge_frame = pd.DataFrame(
        {
            "source": [ids[i] for i in edges["source"]],
            "target": [ids[i] for i in edges["target"]],
            "weight": edges["weight"].astype(float).tolist(),
            "directed": edges["directed"].astype(bool).tolist(),
            "period": _periods(edges["period"]),
            "relation": edges["relation"].astype(str).tolist(),
            "attributes": [json.loads(a) if a else {} for a in edges["attributes"]],
        },
        columns=["source", "target", "weight", "directed", "period", "relation", "attributes"],
    )
    info = {k: row[k] for k in ("organisation", "uploaded_by", "uploaded_at")}
    return LinkChart(
        str(row["name"]),
        node_frame,
        edge_frame,
        bool(row["directed"]),
        bool(row["personal"]),
        str(row["format"]),
        str(row["source_file"]),
        info,
    )


def delete_chart(store: Store, name: str, *, actor: Principal | None = None) -> None:
    """Remove a stored chart (``import_data``; audited ``erase.link_chart``)."""
    from workbench.identity import acting, authorise
    from workbench.store import audit

    actor = acting(store, actor)
    authorise(store, actor, "import_data")
    row = _row(store, name)
    with store.connect() as conn:
        conn.execute(sa.delete(LINK_CHART_EDGES).where(LINK_CHART_EDGES.c.chart_id == row["id"]))
        conn.execute(sa.delete(LINK_CHART_NODES).where(LINK_CHART_NODES.c.chart_id == row["id"]))
        conn.execute(sa.delete(LINK_CHARTS).where(LINK_CHARTS.c.id == row["id"]))
        audit(conn, "erase.link_chart", {"name": name}, actor, objects=[f"link_chart:{name}"])


# ------------------------------------------------------------------------------------ analysis
def chart_graph(chart: LinkChart, period: str | None = None) -> nx.Graph:
    """The chart as a networkx graph (``DiGraph`` when the chart is directed), nodes in the chart's order
    with ``label`` and ``kind``; parallel edges (e.g. one per period) are one edge whose ``weight`` is
    their sum and ``count`` their number. ``period`` keeps the edges of that period only."""
    import networkx as nx

    g: nx.Graph = nx.DiGraph() if chart.directed else nx.Graph()
    for n, lb, k in zip(chart.nodes["node"], chart.nodes["label"], chart.nodes["kind"], strict=True):
        g.add_node(n, label=lb, kind=k)
    edges = chart.edges if period is None else chart.edges[chart.edges["period"] == period]
    for a, b, w, d, rel in zip(
        edges["source"], edges["target"], edges["weight"], edges["directed"], edges["relation"], strict=True
    ):
        pairs = [(a, b)] if (d or not chart.directed) else [(a, b), (b, a)]
        for x, y in pairs:
            if g.has_edge(x, y):
                g[x][y]["weight"] += float(w)
                g[x][y]["count"] += 1
            else:
                g.add_edge(x, y, weight=float(w), count=1, relation=rel)
    return g


def chart_periods(chart: LinkChart) -> list[str]:
    """The periods the chart's links carry, sorted (empty when none is dated)."""
    return sorted({str(p) for p in chart.edges["period"] if not _blank(p)})


def chart_in_period(chart: LinkChart, period: str | None) -> LinkChart:
    """The chart with only the links of ``period`` (every node kept; ``None``: the chart itself), so that
    rankings, communities and hubs can be read per year of a yearly edge list.

    >>> c = read_edgelist(io.StringIO("source,target,year\\nA,B,2019\\nB,C,2020\\n"), name="y")
    >>> chart_periods(c), len(chart_in_period(c, "2020").edges)
    (['2019', '2020'], 1)
    """
    if period is None:
        return chart
    if period not in chart_periods(chart):
        raise ChartError(
            _(
                "the chart '{name}' has no link in period '{period}'; its periods: {periods}",
                name=chart.name,
                period=period,
                periods=", ".join(chart_periods(chart)) or _("none"),
            )
        )
    edges = chart.edges[chart.edges["period"] == period].reset_index(drop=True)
    return LinkChart(
        chart.name,
        chart.nodes,
        edges,
        chart.directed,
        chart.personal,
        chart.format,
        chart.source_file,
        chart.info,
    )


def search_chart(chart: LinkChart, text: str, limit: int = 50) -> pd.DataFrame:
    """Nodes whose label, id or an attribute value holds ``text`` (case, accents and punctuation
    ignored): ``node, label, kind, degree``, best linked first.

    >>> c = read_edgelist(io.StringIO("source,target\\nJosé Ruiz,Ana\\nAna,Bo\\n"), name="x")
    >>> search_chart(c, "jose")["label"].tolist()
    ['José Ruiz']
    """
    want = fold(text)
    if not want:
        return pd.DataFrame(columns=["node", "label", "kind", "degree"])
    g = chart_graph(chart)
    hits = []
    for n, lb, k, a in zip(
        chart.nodes["node"], chart.nodes["label"], chart.nodes["kind"], chart.nodes["attributes"], strict=True
    ):
        hay = " | ".join([fold(lb), fold(n), *(fold(v) for v in (a or {}).values())])
        if want in hay:
            hits.append({"node": n, "label": lb, "kind": k, "degree": int(g.degree(n))})
    out = pd.DataFrame(hits, columns=["node", "label", "kind", "degree"])
    return (
        out.sort_values(["degree", "label"], ascending=[False, True], kind="stable")
        .head(limit)
        .reset_index(drop=True)
    )


def rank_chart(chart: LinkChart, by: str = "degree", top: int | None = None) -> pd.DataFrame:
    """Every node with ``degree`` (distinct neighbours, networkx's degree of the simple graph),
    ``weighted_degree`` (the sum of its edges' weights), ``betweenness`` (networkx, normalised,
    unweighted: a weight is a strength, not a distance) and, for a directed chart, ``in_degree`` and
    ``out_degree``; ranked by ``by`` (then the label).

    Betweenness is exact up to :data:`EXACT_BETWEENNESS_NODES` nodes. On a larger chart it is computed
    only when ranking by it (blank otherwise), estimated from at most :data:`BETWEENNESS_PIVOTS` seeded
    source nodes (networkx's ``k``; fewer on charts of more than 20,000 links), and
    ``attrs["betweenness_pivots"]`` says how many (None when exact or not computed): exact betweenness
    costs nodes × links, minutes beyond a few thousand nodes (``benchmarks/bench_link_charts.py``)."""
    import networkx as nx

    if by not in RANKINGS:
        raise ValueError(_("rank by one of {names}, not {by}", names=", ".join(RANKINGS), by=by))
    g = chart_graph(chart)
    large = g.number_of_nodes() > EXACT_BETWEENNESS_NODES
    pivots = max(10, min(BETWEENNESS_PIVOTS, 2_000_000 // max(1, g.number_of_edges()))) if large else None
    if large and by != "betweenness":
        bc = dict.fromkeys(g.nodes, float("nan"))  # not asked for, and costly: left blank
        pivots = None
    else:
        bc = nx.betweenness_centrality(g, k=pivots, normalized=True, seed=0)
    out = pd.DataFrame(
        {
            "node": list(g.nodes),
            "label": [g.nodes[n]["label"] for n in g.nodes],
            "kind": [g.nodes[n]["kind"] for n in g.nodes],
            "degree": [int(g.degree(n)) for n in g.nodes],
            "weighted_degree": [float(g.degree(n, weight="weight")) for n in g.nodes],
            "betweenness": [float(bc[n]) for n in g.nodes],
        }
    )
    if chart.directed:
        out["in_degree"] = [int(g.in_degree(n)) for n in g.nodes]
        out["out_degree"] = [int(g.out_degree(n)) for n in g.nodes]
    out = out.sort_values([by, "label"], ascending=[False, True], kind="stable").reset_index(drop=True)
    out.insert(0, "rank", range(1, len(out) + 1))
    out = out.head(top).reset_index(drop=True) if top else out
    out.attrs["betweenness_pivots"] = pivots
    return out


def chart_path(chart: LinkChart, a: str, b: str) -> list[str] | None:
    """The shortest path (fewest links, following directions in a directed chart) from node ``a`` to
    node ``b``, as node ids; None when they are not linked."""
    import networkx as nx

    g = chart_graph(chart)
    for n in (a, b):
        if n not in g:
            raise ChartError(_("no node '{node}' in the chart '{name}'", node=n[:60], name=chart.name))
    try:
        return [str(x) for x in nx.shortest_path(g, a, b)]
    except nx.NetworkXNoPath:
        return None


def chart_communities(chart: LinkChart, *, seed: int = 0, resolution: float = 1.0) -> pd.DataFrame:
    """Louvain communities (networkx ``louvain_communities``, weighted, with ``seed``): ``node, label,
    community`` (0 = the largest), and in ``attrs``: ``modularity`` (networkx's, of this partition, with
    the weights) and ``sizes``."""
    import networkx as nx

    g = chart_graph(chart)
    parts = nx.community.louvain_communities(g, weight="weight", resolution=resolution, seed=seed)
    parts = sorted(parts, key=lambda c: (-len(c), min(map(str, c))))
    of = {n: i for i, c in enumerate(parts) for n in c}
    out = pd.DataFrame(
        {
            "node": list(g.nodes),
            "label": [g.nodes[n]["label"] for n in g.nodes],
            "community": [of[n] for n in g.nodes],
        }
    )
    out.attrs["modularity"] = float(nx.community.modularity(g, parts, weight="weight", resolution=resolution))
    out.attrs["sizes"] = [len(c) for c in parts]
    out.attrs["parts"] = [set(map(str, c)) for c in parts]
    return out


def _attr_value(v: Any) -> Any:
    return v if isinstance(v, int | float | bool) else str(v)


def chart_bytes(chart: LinkChart, fmt: str = "graphml", nodes: Iterable[str] | None = None) -> bytes:
    """The chart (or its ``nodes``) as GraphML (nodes with label, kind and attributes; edges with weight,
    period and relation; parallel edges kept) or as a CSV edge list (source and target labels, weight,
    directed, period, relation; formula-like text neutralised)."""
    import networkx as nx

    keep = set(chart.nodes["node"]) if nodes is None else set(nodes)
    edges = chart.edges[chart.edges["source"].isin(keep) & chart.edges["target"].isin(keep)]
    labels = chart.labels()
    if fmt == "csv":
        from workbench.exchange.writers import formula_safe

        frame = pd.DataFrame(
            {
                "source": [labels[s] for s in edges["source"]],
                "target": [labels[t] for t in edges["target"]],
                "weight": edges["weight"],
                "directed": edges["directed"],
                "period": edges["period"],
                "relation": edges["relation"],
            }
        )
        return formula_safe(frame).to_csv(index=False).encode("utf-8")
    if fmt != "graphml":
        raise ValueError(_("export a chart as graphml or csv, not {fmt}", fmt=fmt))
    g = nx.MultiDiGraph() if chart.directed else nx.MultiGraph()
    for n, lb, k, a in zip(
        chart.nodes["node"], chart.nodes["label"], chart.nodes["kind"], chart.nodes["attributes"], strict=True
    ):
        if n in keep:
            g.add_node(
                n,
                label=lb,
                kind=k,
                **{str(x): _attr_value(y) for x, y in (a or {}).items() if x not in ("label", "kind")},
            )
    for e in edges.to_dict("records"):
        extra = {
            str(x): _attr_value(y)
            for x, y in (e["attributes"] or {}).items()
            if x not in ("weight", "period", "relation")
        }
        g.add_edge(
            e["source"],
            e["target"],
            weight=float(e["weight"]),
            period=e["period"] or "",
            relation=e["relation"],
            **extra,
        )
    buf = io.BytesIO()
    nx.write_graphml(g, buf)
    return buf.getvalue()


def export_chart(
    store: Store,
    chart: LinkChart,
    fmt: str = "graphml",
    *,
    actor: Principal | None = None,
    legal_basis: str | None = None,
) -> bytes:
    """:func:`chart_bytes` of a stored chart, as an export: ``export_personal`` (and a legal basis) for a
    personal chart, else ``export_non_personal``; audited ``export.link_chart``."""
    from workbench.identity import acting, authorise
    from workbench.store import audit

    actor = acting(store, actor)
    authorise(store, actor, "export_personal" if chart.personal else "export_non_personal")
    if chart.personal and not (legal_basis or "").strip():
        raise ChartError(
            _("the chart '{name}' names persons: give the legal basis for passing it on", name=chart.name)
        )
    data = chart_bytes(chart, fmt)
    with store.connect() as conn:
        audit(
            conn,
            "export.link_chart",
            {"name": chart.name, "format": fmt, "nodes": len(chart.nodes), "personal": chart.personal},
            actor,
            objects=[f"link_chart:{chart.name}"],
            purpose={"legal_basis": legal_basis} if legal_basis else None,
            row_count=len(chart.edges),
        )
    return data
