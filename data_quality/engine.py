"""Running the rules on frames: with Great Expectations, or as the same rules in plain vectorised pandas.

:class:`GXEngine` builds one GX suite per table from the catalogue and validates **one batch per table**
(never one per rule) in an ephemeral context: no project folder, no stores, progress bars off, analytics
off, and a result format that returns only the index of failing rows (``_row``, the spreadsheet row; or
``id`` for the store) rather than their values. GX is imported the first time an engine runs.

:class:`PandasEngine` evaluates the same rules with the semantics of the GX built-ins and the same
checks (:mod:`data_quality.checks`); it is the baseline of the benchmark and a cross-check in the tests.

Both return one :class:`RuleOutcome` per rule: how many rows it looked at and which failed.

Examples
--------
>>> import pandas as pd
>>> from data_quality.catalogue import rule
>>> frame = pd.DataFrame({"_row": [2, 3], "transit_countries": pd.Series(["SN;SN", "SN;ES"], dtype="string")})
>>> r = rule("cases", "expect_transit_without_repeated_neighbours", "transit_countries")
>>> [o.failing.tolist() for o in PandasEngine().run("cases", frame, [r])]
[[2]]
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
import pandas as pd

from data_quality.catalogue import BUILT_IN, Rule
from data_quality.checks import CHECKS
from workbench.i18n import _

__all__ = ["RuleOutcome", "Engine", "GXEngine", "PandasEngine", "runnable", "gx_version"]

log = logging.getLogger(__name__)
ROW = "_row"
_MATCH_GROUPS = "This pattern is interpreted as a regular expression, and has match groups"

#: one truth value per row of a frame
Mask = npt.NDArray[np.bool_]


@dataclass
class RuleOutcome:
    """What one rule found in one frame: rows looked at, index values of the failing rows, or an error."""

    rule: Rule
    element_count: int
    failing: npt.NDArray[np.int64] = field(default_factory=lambda: np.array([], dtype=np.int64))
    error: str | None = None
    unlisted: int = 0  # failing rows counted but not listed (query expectations list at most 200)

    @property
    def unexpected_count(self) -> int:
        return int(len(self.failing)) + self.unlisted


class Engine(Protocol):
    name: str

    def run(
        self, table: str, frame: pd.DataFrame, rules: Sequence[Rule], index: str = ROW
    ) -> list[RuleOutcome]: ...


def runnable(rules: Sequence[Rule], columns: Iterable[str]) -> list[Rule]:
    """The rules a frame with ``columns`` can run: not read-stage, and every column present."""
    have = set(columns)
    return [r for r in rules if r.stage != "read" and all(c in have for c in r.columns)]


def _needed(frame: pd.DataFrame, rules: Sequence[Rule], index: str) -> pd.DataFrame:
    cols = list(dict.fromkeys([index, *(c for r in rules for c in r.columns)]))
    return frame.loc[:, cols]


# -------------------------------------------------------------------------------------- plain pandas
def _date_bound(frame_col: pd.Series, value: Any) -> Any:
    if pd.api.types.is_datetime64_any_dtype(frame_col) and isinstance(value, str | dt.date):
        return pd.Timestamp(value)
    return value


def _fails(r: Rule, df: pd.DataFrame) -> Mask:
    """Failing-row mask of one rule, with the semantics of the GX expectation it stands for."""
    kw = r.kwargs
    kind = BUILT_IN.get(r.expectation, r.expectation)
    if "rule" in kw:  # the workbench's multi-column checks
        sub: pd.DataFrame = df[kw["column_list"]]
        ok: Mask = CHECKS[kw["rule"]](sub, **kw.get("params", {})).to_numpy(dtype=bool)
        ignore = kw.get("ignore_row_if", "all_values_are_missing")
        considered: Mask = (
            sub.notna().all(axis=1)
            if ignore == "any_value_is_missing"
            else sub.notna().any(axis=1)
            if ignore == "all_values_are_missing"
            else pd.Series(True, index=df.index)
        ).to_numpy(dtype=bool)
        return considered & ~ok
    if kind == "expect_compound_columns_to_be_unique":
        sub = df[kw["column_list"]]
        considered = sub.notna().any(axis=1).to_numpy(dtype=bool)
        dup: Mask = sub.duplicated(keep=False).to_numpy(dtype=bool)
        return considered & dup
    if kind == "expect_column_pair_values_a_to_be_greater_than_b":
        a: pd.Series = df[kw["column_A"]]
        b: pd.Series = df[kw["column_B"]]
        both = (a.notna() & b.notna()).to_numpy(dtype=bool)
        ordered: pd.Series = (a >= b) if kw.get("or_equal") else (a > b)
        in_order: Mask = ordered.fillna(False).to_numpy(dtype=bool)
        return both & ~in_order
    s: pd.Series = df[kw["column"]]
    present: Mask = s.notna().to_numpy(dtype=bool)
    if kind == "expect_column_values_to_not_be_null":
        return ~present
    if kind == "expect_column_values_to_be_null":
        return present
    if kind == "expect_column_values_to_be_in_set":
        return present & ~s.isin(kw["value_set"]).to_numpy(dtype=bool)
    if kind in ("expect_column_values_to_match_regex", "expect_column_values_to_not_match_regex"):
        with warnings.catch_warnings():  # the transit check needs a group for its back-reference
            warnings.filterwarnings("ignore", _MATCH_GROUPS)
            hit: Mask = (
                s.astype("string").str.contains(kw["regex"], regex=True).fillna(False).to_numpy(dtype=bool)
            )
        return present & (~hit if kind == "expect_column_values_to_match_regex" else hit)
    if kind == "expect_column_values_to_be_between":
        lo, hi = _date_bound(s, kw.get("min_value")), _date_bound(s, kw.get("max_value"))
        bad = pd.Series(False, index=s.index)
        if lo is not None:
            bad |= (s <= lo) if kw.get("strict_min") else (s < lo)
        if hi is not None:
            bad |= (s >= hi) if kw.get("strict_max") else (s > hi)
        return present & bad.fillna(False).to_numpy(dtype=bool)
    raise KeyError(_("the pandas engine has no implementation of {expectation}", expectation=r.expectation))


class PandasEngine:
    """The rules as plain vectorised pandas (no Great Expectations)."""

    name = "pandas"

    def run(
        self, table: str, frame: pd.DataFrame, rules: Sequence[Rule], index: str = ROW
    ) -> list[RuleOutcome]:
        rules = runnable(rules, frame.columns)
        df = _needed(frame, rules, index)
        idx = df[index].to_numpy()
        out = []
        for r in rules:
            try:
                out.append(RuleOutcome(r, len(df), idx[_fails(r, df)].astype(np.int64)))
            except Exception as e:  # one broken rule must not hide the others
                log.exception("rule %s failed", r.id)
                out.append(RuleOutcome(r, len(df), error=f"{type(e).__name__}: {e}"))
        return out


# ----------------------------------------------------------------------------------- Great Expectations
_GX_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def _gx() -> Any:
    """Import GX once, quietly: no analytics, no progress bars; register the workbench's expectations."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.execution_engine import pandas_execution_engine

    import data_quality.expectations  # noqa: F401  (registers the custom expectations and metric)

    # GX fingerprints every pandas batch under 1 GB (a hash of the whole frame: ~0.5 s per 100k-row
    # table) for a batch marker nothing here reads; results are keyed by our own rule ids.
    pandas_execution_engine.HASH_THRESHOLD = 0
    return gx


def gx_version() -> str:
    """The installed Great Expectations version (imports GX)."""
    return str(_gx().__version__)


@lru_cache(maxsize=1)
def _context() -> Any:
    gx = _gx()
    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = {"globally": False, "metric_calculations": False, "profilers": False}
    return ctx


def gx_expectation(r: Rule, engine: str = "pandas") -> Any:
    """The GX expectation object of a rule (dates as timestamps for pandas, as dates for SQL)."""
    from data_quality.expectations import expectation_class

    kw = dict(r.kwargs)
    for k in ("min_value", "max_value"):
        v = kw.get(k)
        if isinstance(v, str) and len(v) == 10 and v[4] == "-":
            d = dt.date.fromisoformat(v)
            kw[k] = d if engine == "sql" else dt.datetime.combine(d, dt.time())
    meta = {"rule_id": r.id, "column": r.column, "dimension": r.dimension}
    return expectation_class(r.expectation)(
        **kw,
        meta=meta,
        severity=r.severity,
        description=_("Expect no row where {problem}.", problem=r.problem),
    )


def result_format(index: str, listed: int = 0) -> dict[str, Any]:
    """Only the index of failing rows comes back: no values, no index query, no partial lists.

    On pandas every failing row is listed; on SQL, GX lists at most ``listed`` rows per expectation
    (the rest are counted).
    """
    return {
        "result_format": "COMPLETE",
        "unexpected_index_column_names": [index],
        "exclude_unexpected_values": True,
        "return_unexpected_index_query": False,
        "partial_unexpected_count": listed,
        "include_unexpected_rows": False,
    }


def _rule_id(res: Any) -> str | None:
    """The id of the workbench rule a GX expectation result stands for (from its ``meta``)."""
    rid = (res.expectation_config.meta or {}).get("rule_id")
    return rid if isinstance(rid, str) else None


def outcomes_from_result(
    result: Any, rules: Sequence[Rule], index: str, element_count: int
) -> list[RuleOutcome]:
    """Turn a GX suite validation result into outcomes, matched to rules by ``meta.rule_id``."""
    by_id = {r.id: r for r in rules}
    out: list[RuleOutcome] = []
    for res in result.results:
        rid = _rule_id(res)
        r = by_id.get(rid) if rid is not None else None
        if r is None:
            continue
        info = res.exception_info or {}
        if info.get("raised_exception"):
            out.append(RuleOutcome(r, element_count, error=str(info.get("exception_message"))[:500]))
            continue
        rr = res.result or {}
        rows: list[int] = []
        for entry in rr.get("unexpected_index_list") or []:
            if isinstance(entry, dict):
                v = entry.get(index)
                listed: list[Any] = v if isinstance(v, list) else [v]  # GX's index values, untyped
                rows.extend(int(x) for x in listed)
            else:
                rows.append(int(entry))
        failing = np.unique(np.asarray(rows, dtype=np.int64))
        unlisted = max(0, int(rr.get("unexpected_count") or 0) - len(failing))
        count = int(rr.get("element_count", element_count) or element_count)
        out.append(RuleOutcome(r, count, failing, unlisted=unlisted))
    return out


def _gx_dtypes(df: pd.DataFrame) -> pd.DataFrame:
    """Dtypes GX's pandas metrics compute vectorised: ``datetime64[ns]`` (pandas 3 reads ``[us]``, which
    GX compares value by value: 3 s per date column on 100k rows) and float for nullable integers."""
    out: dict[str, pd.Series] = {}
    for c in df.columns:
        s = df[c]
        if pd.api.types.is_datetime64_any_dtype(s) and not isinstance(s.dtype, pd.DatetimeTZDtype):
            out[c] = s.astype("datetime64[ns]")
        elif isinstance(s.dtype, pd.Int64Dtype):
            out[c] = s.astype("float64")
    return df.assign(**out) if out else df


class GXEngine:
    """The rules as Great Expectations suites, one batch per table, in an ephemeral context."""

    name = "great_expectations"

    def __init__(self) -> None:
        self._suites: dict[tuple[str, tuple[str, ...]], Any] = {}
        self._batches: dict[str, Any] = {}

    def _batch_definition(self, table: str) -> Any:
        if table not in self._batches:
            ctx = _context()
            try:
                ds = ctx.data_sources.get("workbench")
            except (KeyError, ValueError):
                ds = ctx.data_sources.add_pandas("workbench")
            try:
                asset = ds.get_asset(table)
            except (LookupError, ValueError):
                asset = ds.add_dataframe_asset(table)
            try:
                bd = asset.get_batch_definition("whole")
            except (KeyError, ValueError):
                bd = asset.add_batch_definition_whole_dataframe("whole")
            self._batches[table] = bd
        return self._batches[table]

    def suite(self, table: str, rules: Sequence[Rule]) -> Any:
        """The GX suite of ``rules`` (cached per rule set)."""
        key = (table, tuple(r.id for r in rules))
        if key not in self._suites:
            gx = _gx()
            name = f"{table}-{abs(hash(key)):x}-{dt.date.today():%Y%m%d}"
            suite = gx.ExpectationSuite(name=name, expectations=[gx_expectation(r) for r in rules])
            ctx = _context()
            try:
                suite = ctx.suites.add(suite)
            except Exception:  # already added by another engine in this process
                suite = ctx.suites.get(name)
            self._suites[key] = suite
        return self._suites[key]

    def run(
        self, table: str, frame: pd.DataFrame, rules: Sequence[Rule], index: str = ROW
    ) -> list[RuleOutcome]:
        rules = runnable(rules, frame.columns)
        if not rules:
            return []
        # the row number as the frame's named index: GX then lists failing rows straight from the index
        # (with it as a plain column GX looks every failing row up one by one)
        df = _gx_dtypes(_needed(frame, rules, index).set_index(index))
        with _GX_LOCK, warnings.catch_warnings():
            warnings.filterwarnings("ignore", _MATCH_GROUPS)
            batch = self._batch_definition(table).get_batch(batch_parameters={"dataframe": df})
            # Two passes: pass/fail of every rule first (BOOLEAN_ONLY computes no counts and no row lists,
            # about 3x cheaper), then the failing rows of the rules that failed only.
            first = batch.validate(self.suite(table, rules), result_format={"result_format": "BOOLEAN_ONLY"})
            failed = {
                _rule_id(res)
                for res in first.results
                if not res.success or (res.exception_info or {}).get("raised_exception")
            }
            again = [r for r in rules if r.id in failed]
            found: list[RuleOutcome] = []
            if again:
                result = batch.validate(self.suite(table, again), result_format=result_format(index))
                found = outcomes_from_result(result, again, index, len(df))
        done = {o.rule.id for o in found}
        return found + [RuleOutcome(r, len(df)) for r in rules if r.id not in done]
