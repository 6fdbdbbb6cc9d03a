"""An editable form of a condition tree, for forms that edit it one condition at a time.

The editable tree is plain data (dicts and lists, so a UI can keep it in its session): a group is
``{"uid", "kind": "all"|"any", "negate", "items"}`` and a condition is ``{"uid", "negate", "field",
"op", "text"}`` where ``text`` is the value as a person types it (``BO, CO, PE``; ``100, 5000`` for
``between``). :func:`to_raw` turns it back into the interchange form for
:func:`~workbench.risk.model.parse_condition`, which checks it. Every node has a ``uid`` so widgets
keep their identity when a sibling is added or removed.

Examples
--------
>>> from workbench.risk.model import parse_condition, describe
>>> from workbench.risk.fields import traffic_fields
>>> node = parse_condition({"all": [{"field": "departure_country", "op": "in", "value": ["BO", "CO"]},
...                                 {"not": {"field": "transport_mode", "op": "eq", "value": "road"}}]})
>>> tree = to_editable(node)
>>> tree["items"][0]["text"], tree["items"][1]["negate"]
('BO, CO', True)
>>> tree["items"][0]["text"] = "bo, co, pe"
>>> describe(parse_condition(to_raw(tree, traffic_fields())))
'departure_country in BO, CO, PE AND NOT (transport_mode = road)'
"""

from __future__ import annotations

import itertools
import re
from typing import Any

from workbench.risk.fields import Field, FieldSet
from workbench.risk.model import Leaf, Node, Not

__all__ = [
    "to_editable",
    "to_raw",
    "value_from_text",
    "value_to_text",
    "new_condition",
    "new_group",
    "set_field",
    "value_key",
    "find",
    "remove",
    "is_group",
    "leaf_nodes",
    "LIST_OPS",
]

#: Operators whose value is a list (typed comma-separated).
LIST_OPS = frozenset({"in", "not_in", "contains_any", "startswith", "between"})
_counter = itertools.count(1)


def _uid() -> str:
    return f"n{next(_counter)}"


def value_to_text(value: Any) -> str:
    """A value as a person would type it: lists comma-separated, whole numbers without ``.0``."""
    if value is None:
        return ""
    if isinstance(value, (tuple, list)):
        return ", ".join(value_to_text(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _item(f: Field, text: str) -> Any:
    t = text.strip()
    if f.kind in ("float", "int"):
        try:
            return float(t)
        except ValueError:
            return t  # the model says what is wrong with it
    if f.kind in ("iso2", "iso2_list"):
        return t.upper()
    if f.kind == "enum":
        return t.lower()
    if f.kind == "bool":
        return {"true": True, "false": False}.get(t.lower(), t)
    return t


def value_from_text(f: Field, op: str, text: str) -> Any:
    """The value typed for field ``f`` and operator ``op``, as the interchange form holds it.

    Examples
    --------
    >>> from workbench.risk.fields import traffic_fields
    >>> fs = traffic_fields()
    >>> value_from_text(fs["declared_value_usd"], "between", "100, 5000")
    [100.0, 5000.0]
    >>> value_from_text(fs["transit_countries"], "contains_any", "gh; ng")
    ['GH', 'NG']
    >>> value_from_text(fs["place_name"], "regex", "^Border, crossing")
    '^Border, crossing'
    """
    if op in ("is_blank", "not_blank"):
        return None
    if op == "regex":
        return text
    if op in LIST_OPS:
        return [_item(f, x) for x in re.split(r"[,;]", text) if x.strip()]
    return _item(f, text)


def to_editable(node: Node | None, negate: bool = False) -> dict[str, Any]:
    """The editable form of a tree (``None``: one empty ``all`` group with one condition)."""
    if node is None:
        return new_group("all", [new_condition()])
    if isinstance(node, Not):
        return to_editable(node.item, not negate)
    if isinstance(node, Leaf):
        return {
            "uid": _uid(),
            "negate": negate,
            "field": node.field,
            "op": node.op,
            "text": value_to_text(node.value),
        }
    return {"uid": _uid(), "kind": node.kind, "negate": negate, "items": [to_editable(x) for x in node.items]}


def new_condition(field: str = "transport_mode", op: str = "eq", text: str = "") -> dict[str, Any]:
    return {"uid": _uid(), "negate": False, "field": field, "op": op, "text": text}


def set_field(leaf: dict[str, Any], field: str, fields: FieldSet) -> None:
    """Point a condition at ``field``. When the field changes, the value typed for the old field starts
    afresh (a transport mode is no departure country) and so does an operator the new field lacks.

    Examples
    --------
    >>> from workbench.risk.fields import traffic_fields
    >>> leaf = new_condition("transport_mode", "in", "road, rail")
    >>> set_field(leaf, "transport_mode", traffic_fields()); leaf["op"], leaf["text"]
    ('in', 'road, rail')
    >>> set_field(leaf, "departure_country", traffic_fields()); leaf["op"], leaf["text"]
    ('in', '')
    >>> set_field(leaf, "transit_countries", traffic_fields()); leaf["op"], leaf["text"]
    ('contains_any', '')
    """
    if field == leaf.get("field"):
        return
    ops = fields[field].operators
    leaf["field"] = field
    leaf["text"] = ""
    if leaf.get("op") not in ops:
        leaf["op"] = ops[0]


def value_key(leaf: dict[str, Any], widget: str) -> str:
    """A widget key for a condition's value that changes with its field, so that a widget showing the
    value of one field is never reused, with its old value, for another.

    Examples
    --------
    >>> value_key({"uid": "n7", "field": "hs_code"}, "text")
    'ri_n7_hs_code_text'
    """
    return f"ri_{leaf['uid']}_{leaf['field']}_{widget}"


def new_group(kind: str = "any", items: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "uid": _uid(),
        "kind": kind,
        "negate": False,
        "items": items if items is not None else [new_condition()],
    }


def is_group(node: dict[str, Any]) -> bool:
    return "items" in node


def to_raw(tree: dict[str, Any], fields: FieldSet) -> dict[str, Any]:
    """The interchange form of an editable tree (for :func:`~workbench.risk.model.parse_condition`)."""
    if is_group(tree):
        raw: dict[str, Any] = {tree["kind"]: [to_raw(x, fields) for x in tree["items"]]}
    else:
        raw = {"field": tree["field"], "op": tree["op"]}
        f = fields.get(tree["field"])
        if tree["op"] not in ("is_blank", "not_blank"):
            raw["value"] = value_from_text(f, tree["op"], tree.get("text", "")) if f else tree.get("text")
    return {"not": raw} if tree.get("negate") else raw


def find(tree: dict[str, Any], uid: str) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """``(node, its parent group)`` for ``uid`` (parent None for the root; both None if absent)."""
    if tree["uid"] == uid:
        return tree, None
    for child in tree.get("items", []):
        if child["uid"] == uid:
            return child, tree
        if is_group(child):
            node, parent = find(child, uid)
            if node is not None:
                return node, parent
    return None, None


def remove(tree: dict[str, Any], uid: str) -> bool:
    """Remove a node (not the root); a group left empty keeps one blank condition. True if removed."""
    node, parent = find(tree, uid)
    if node is None or parent is None:
        return False
    parent["items"] = [x for x in parent["items"] if x["uid"] != uid]
    if not parent["items"]:
        parent["items"].append(new_condition())
    return True


def leaf_nodes(tree: dict[str, Any]) -> list[dict[str, Any]]:
    """Every condition of an editable tree, in order."""
    if not is_group(tree):
        return [tree]
    return [x for child in tree["items"] for x in leaf_nodes(child)]
