"""The pandas engine: a condition tree evaluated over a DataFrame, vectorised.

A :class:`PreparedFrame` factorises each text column once (codes plus distinct values), so a text
condition is decided once per *distinct value* and spread to the rows with one ``take``; numbers and
dates are compared as numpy arrays. A hundred indicators over a million rows therefore cost little
more than reading the frame. Blanks follow :mod:`workbench.risk.model`: false for every operator
except ``is_blank``. Regular expressions use Python's :mod:`re` (the same engine SQLite runs through
SQLAlchemy's ``REGEXP`` function).

Examples
--------
>>> import pandas as pd
>>> from workbench.risk.model import parse_condition
>>> df = pd.DataFrame({"movement_date": pd.to_datetime(["2024-01-01"] * 4),
...                    "transit_countries": ["SN;ML", "ESN", None, "GH"]})
>>> cond = parse_condition({"field": "transit_countries", "op": "contains_any", "value": ["SN", "GH"]})
>>> evaluate(cond, df).tolist()
[True, False, False, True]
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from workbench.i18n import _
from workbench.risk.fields import FieldSet, fields_of_frame
from workbench.risk.model import Leaf, Node, Not

__all__ = ["PreparedFrame", "evaluate", "prepare"]


class PreparedFrame:
    """A frame made ready for many conditions (text factorised once; see the module docstring)."""

    def __init__(self, frame: pd.DataFrame, fields: FieldSet | None = None) -> None:
        self.frame = frame
        self.n = len(frame)
        self.fields = fields or fields_of_frame(frame)
        self._text: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self._num: dict[str, np.ndarray] = {}
        self._lut: dict[Leaf, np.ndarray] = {}

    def __len__(self) -> int:
        return self.n

    # ------------------------------------------------------------------ columns
    def _column(self, name: str) -> pd.Series:
        if name not in self.frame.columns:
            return pd.Series(pd.NA, index=self.frame.index, dtype="object")
        return self.frame[name]

    def text(self, name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(codes, distinct values, blank per distinct value)``; code -1 is a missing value."""
        if name not in self._text:
            s = self._column(name)
            if isinstance(s.dtype, pd.CategoricalDtype):
                codes = s.cat.codes.to_numpy()
                uniques = np.asarray(s.cat.categories.astype(object), dtype=object)
            else:
                codes, uniq = pd.factorize(s, use_na_sentinel=True)
                uniques = np.asarray(pd.Index(uniq).astype(object), dtype=object)
            uniques = np.array([u if isinstance(u, str) else str(u) for u in uniques], dtype=object)
            blank = np.array([u == "" for u in uniques], dtype=bool)
            self._text[name] = (codes.astype(np.int32, copy=False), uniques, blank)
        return self._text[name]

    def numbers(self, name: str) -> np.ndarray:
        """A float array (NaN for blanks); dates as days since 1970 (NaN for blanks)."""
        if name not in self._num:
            s = self._column(name)
            if self.fields[name].kind == "date":
                d = pd.to_datetime(s, errors="coerce")
                days = d.to_numpy("datetime64[D]").astype("int64").astype("float64")
                days[d.isna().to_numpy()] = np.nan
                self._num[name] = days
            else:
                self._num[name] = pd.to_numeric(s, errors="coerce").to_numpy("float64", na_value=np.nan)
        return self._num[name]

    # ------------------------------------------------------------------ evaluation
    def evaluate(self, node: Node) -> np.ndarray:
        """A boolean array: the rows the condition tree matches."""
        if isinstance(node, Leaf):
            return self._leaf(node)
        if isinstance(node, Not):
            return ~self.evaluate(node.item)
        parts = (self.evaluate(x) for x in node.items)
        out = next(parts).copy()
        for p in parts:
            if node.kind == "all":
                out &= p
            else:
                out |= p
        return out

    def _leaf(self, leaf: Leaf) -> np.ndarray:
        f = self.fields[leaf.field]
        if f.is_text or f.kind == "bool":
            codes, uniques, blank = self.text(leaf.field)
            if leaf not in self._lut:
                # true/false are compared as the text the distinct values were turned into
                as_text = Leaf(leaf.field, leaf.op, str(leaf.value)) if f.kind == "bool" else leaf
                hit = _text_hits(as_text, uniques, blank)
                # one extra slot for code -1 (missing): only is_blank matches it
                self._lut[leaf] = np.append(hit, leaf.op == "is_blank")
            return self._lut[leaf][codes]
        v = self.numbers(leaf.field)
        return _number_hits(leaf, v, f.kind == "date")


def _day(v: Any) -> float:
    return float(np.datetime64(v, "D").astype("int64"))


def _text_hits(leaf: Leaf, u: np.ndarray, blank: np.ndarray) -> np.ndarray:
    """The condition decided for each distinct value."""
    op, val = leaf.op, leaf.value
    present = ~blank
    if op == "is_blank":
        return blank.copy()
    if op == "not_blank":
        return present
    if op == "eq":
        return present & (u == val)
    if op == "ne":
        return present & (u != val)
    if op in ("in", "not_in"):
        inside = pd.Index(u, dtype=object).isin(list(val))
        return present & (inside if op == "in" else ~inside)
    if op == "startswith":
        return present & np.fromiter((x.startswith(val) for x in u), dtype=bool, count=len(u))
    if op == "regex":
        rx = re.compile(val)
        return present & np.fromiter((rx.search(x) is not None for x in u), dtype=bool, count=len(u))
    if op == "contains_any":
        wanted = set(val)
        return present & np.fromiter(
            (not wanted.isdisjoint(x.split(";")) for x in u), dtype=bool, count=len(u)
        )
    raise ValueError(_("operator {op!r} does not apply to text", op=op))


def _number_hits(leaf: Leaf, v: np.ndarray, is_date: bool) -> np.ndarray:
    op, val = leaf.op, leaf.value
    present = ~np.isnan(v)
    if op == "is_blank":
        return ~present
    if op == "not_blank":
        return present
    conv = _day if is_date else float
    with np.errstate(invalid="ignore"):
        if op == "eq":
            return v == conv(val)
        if op == "ne":
            return present & (v != conv(val))
        if op in ("in", "not_in"):
            inside = np.isin(v, [conv(x) for x in val])
            return inside if op == "in" else present & ~inside
        if op == "between":
            return (v >= conv(val[0])) & (v <= conv(val[1]))
        if op == "gt":
            return v > conv(val)
        if op == "ge":
            return v >= conv(val)
        if op == "lt":
            return v < conv(val)
        if op == "le":
            return v <= conv(val)
    raise ValueError(_("operator {op!r} does not apply to numbers or dates", op=op))


def prepare(frame: pd.DataFrame | PreparedFrame, fields: FieldSet | None = None) -> PreparedFrame:
    """``frame`` as a :class:`PreparedFrame` (returned as is when it already is one)."""
    return frame if isinstance(frame, PreparedFrame) else PreparedFrame(frame, fields)


def evaluate(node: Node, frame: pd.DataFrame | PreparedFrame) -> np.ndarray:
    """The rows of ``frame`` that the condition tree matches (a boolean numpy array)."""
    return prepare(frame).evaluate(node)
