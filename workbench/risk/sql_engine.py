"""The SQL engine: a condition tree compiled to a SQLAlchemy expression that runs inside the database.

The same definition as the pandas engine (:mod:`workbench.risk.frame_engine`), with the same answer
on SQLite and PostgreSQL (a test holds all three to it). A blank value is false for every leaf (see
:mod:`workbench.risk.model`); the compiled expression is never NULL, so ``NOT`` and the groups keep
two-valued logic (a leaf under ``not`` tests for blanks first; elsewhere a NULL already means
"no match"). Dialect details:

- ``startswith`` compares ``substr(col, 1, n)``: exact and case-sensitive everywhere (SQLite's LIKE
  ignores case).
- ``contains_any`` looks for ``;CODE;`` in ``';' || col || ';'`` with ``instr`` (SQLite) or ``strpos``
  (PostgreSQL): ``SN`` does not match inside another code.
- ``regex`` is PostgreSQL's ``~``; SQLite has no REGEXP of its own, and SQLAlchemy's pysqlite dialect
  registers one on every connection that runs Python's ``re.search`` (so SQLite and pandas use the
  same regular-expression engine). Rules are checked to use only syntax both engines read alike.

Examples
--------
>>> from workbench.risk.traffic import TRAFFIC
>>> from workbench.risk.model import parse_condition
>>> cond = parse_condition({"all": [{"field": "transport_mode", "op": "eq", "value": "road"},
...                                 {"not": {"field": "hs_code", "op": "startswith", "value": "2402"}}]})
>>> print(compile_condition(cond, TRAFFIC).compile(compile_kwargs={"literal_binds": True}))
coalesce(traffic.transport_mode = 'road' AND NOT (traffic.hs_code IS NOT NULL AND traffic.hs_code != '' AND substr(traffic.hs_code, 1, 4) = '2402'), false)
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement

from workbench.i18n import _
from workbench.risk.fields import FieldSet, traffic_fields
from workbench.risk.model import Group, Leaf, Node, Not

__all__ = ["compile_condition", "matching_ids"]


class _contains_text(FunctionElement[bool]):
    """``needle`` occurs in ``haystack`` (exact, case-sensitive): instr/strpos by dialect."""

    type = sa.Boolean()
    inherit_cache = True
    name = "contains_text"


@compiles(_contains_text)
def _contains_default(element: Any, compiler: Any, **kw: Any) -> str:
    haystack, needle = list(element.clauses)
    return f"instr({compiler.process(haystack, **kw)}, {compiler.process(needle, **kw)}) > 0"


@compiles(_contains_text, "postgresql")
def _contains_pg(element: Any, compiler: Any, **kw: Any) -> str:
    haystack, needle = list(element.clauses)
    return f"strpos({compiler.process(haystack, **kw)}, {compiler.process(needle, **kw)}) > 0"


def _present(col: Any, is_text: bool) -> ColumnElement[bool]:
    """Not blank: not NULL, and for text not empty (the pandas engine reads '' as blank too)."""
    if is_text:
        return sa.and_(col.is_not(None), col != "")
    return col.is_not(None)


# Operators a blank value (NULL, or '' for text) can never satisfy: with them a NULL result already
# means "no match" wherever the expression is used positively, so the blank test can be left out.
_NEVER_ON_BLANK = frozenset({"eq", "in", "between", "gt", "ge", "lt", "le", "startswith", "contains_any"})


def _leaf(leaf: Leaf, table: Any, fields: FieldSet, positive: bool) -> ColumnElement[bool]:
    f = fields[leaf.field]
    col = table.c[leaf.field]
    is_text = f.is_text
    op, val = leaf.op, leaf.value
    present = _present(col, is_text)
    if op == "is_blank":
        return sa.not_(present)
    if op == "not_blank":
        return present
    if op == "eq":
        test = col == val
    elif op == "ne":
        test = col != val
    elif op == "in":
        test = col.in_(list(val))
    elif op == "not_in":
        test = col.not_in(list(val))
    elif op == "between":
        test = col.between(val[0], val[1])
    elif op == "gt":
        test = col > val
    elif op == "ge":
        test = col >= val
    elif op == "lt":
        test = col < val
    elif op == "le":
        test = col <= val
    elif op == "startswith":
        test = sa.or_(*[sa.func.substr(col, 1, len(p)) == p for p in val])
    elif op == "regex":
        test = col.regexp_match(val)
    elif op == "contains_any":
        # a cheap test on the column first; the padded search only where the code occurs at all
        padded = sa.literal(";") + col + sa.literal(";")
        test = sa.or_(
            *[
                sa.and_(_contains_text(col, sa.literal(c)), _contains_text(padded, sa.literal(f";{c};")))
                for c in val
            ]
        )
    else:  # pragma: no cover - the model refuses unknown operators
        raise ValueError(_("unknown operator {op!r}", op=op))
    if positive and op in _NEVER_ON_BLANK:
        return test
    return sa.and_(present, test)


def _compile(node: Node, table: Any, fields: FieldSet, positive: bool) -> ColumnElement[bool]:
    if isinstance(node, Leaf):
        return _leaf(node, table, fields, positive)
    if isinstance(node, Not):
        return sa.not_(_compile(node.item, table, fields, not positive))
    if isinstance(node, Group):
        parts = [_compile(x, table, fields, positive) for x in node.items]
        return sa.and_(*parts) if node.kind == "all" else sa.or_(*parts)
    raise TypeError(f"not a condition node: {node!r}")


def compile_condition(
    node: Node, table: Any, fields: FieldSet | None = None, *, never_null: bool = True
) -> ColumnElement[bool]:
    """A SQLAlchemy boolean expression over ``table`` (a Table or subquery with the fields as columns)
    that is true exactly where the pandas engine's :func:`~workbench.risk.frame_engine.evaluate` is.

    ``never_null=False`` lets the expression be NULL where it does not match (cheaper: no blank test
    for operators a blank cannot satisfy outside a ``not``); use it only where NULL counts as false,
    as in ``WHERE`` and ``CASE WHEN``. Under a ``not`` every leaf is two-valued either way.
    """
    fields = fields or traffic_fields()
    expr = _compile(node, table, fields, positive=True)
    return sa.func.coalesce(expr, sa.false()) if never_null else expr


def matching_ids(conn: sa.Connection, node: Node, table: Any, id_column: str = "id") -> list[Any]:
    """The ``id_column`` values of the rows the condition matches, in id order (for tests and lists)."""
    stmt = sa.select(table.c[id_column]).where(compile_condition(node, table)).order_by(table.c[id_column])
    return [r[0] for r in conn.execute(stmt)]
