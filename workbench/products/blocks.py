"""The blocks a product is assembled from, each taken from the analysis packages (no figure computed here).

:data:`BLOCKS` maps a block key to its builder. Every builder reads the same :class:`BuildContext` (the
store, who builds, the filter and the seizure frame read once) and returns a :class:`BlockResult`: a
title, a table, a chart (an Altair chart of :mod:`workbench.trends.charts`) and a sentence. The figures
come from:

- ``key_figures``, ``trend_chart``: :func:`workbench.trends.series.time_series` (the same call as
  ``workbench trends``, so a trend report's figures equal the command's on the same filter);
- ``emerging``: :func:`workbench.trends.emerging.detect_emerging`;
- ``top_routes``, ``notable_cases`` and every report of the standard statistics
  (:data:`workbench.trends.statistics.REPORTS`, under its own key): :func:`~workbench.trends.statistics.run_report`;
- ``network_highlights``: :func:`workbench.network.graph.communities` on the entity graph, only for a
  principal who may see persons (``view_personal``); reading the parties is audited as a consultation;
- ``backtest``: :func:`workbench.risk.backtest.backtest_sql` of the indicators in force on the
  store's traffic (profiles);
- ``text``: the analyst's own text.

:func:`block_digest` hashes a block's table and text: the product stores it, and a rebuild compares.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from workbench.i18n import N_, _
from workbench.store.filters import CaseFilter

if TYPE_CHECKING:
    from workbench.identity import Principal
    from workbench.store import Store

__all__ = ["BLOCKS", "BlockDef", "BlockResult", "BuildContext", "block_digest", "build_block"]


@dataclass
class BuildContext:
    """What every block reads: the store, who builds, the filter, and the seizure frame (read once)."""

    store: Store
    principal: Principal
    flt: CaseFilter
    freq: str = "M"
    _frame: pd.DataFrame | None = None

    @property
    def frame(self) -> pd.DataFrame:
        if self._frame is None:
            from workbench.store.frames import seizure_frame

            self._frame = seizure_frame(self.store, self.flt)
        return self._frame


@dataclass
class BlockResult:
    """One assembled block: its key, title, table, chart (Altair or None) and sentence."""

    key: str
    title: str
    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    chart: Any = None
    text: str = ""
    note: str = ""

    def digest(self) -> str:
        return block_digest(self)


def block_digest(block: BlockResult) -> str:
    """SHA-256 of the block's table (as the CSV the workbench writes) and text: equal figures, equal hash."""
    from workbench.exchange.writers import csv_bytes

    h = hashlib.sha256()
    h.update(block.key.encode())
    h.update(b"\0" + block.text.encode("utf-8") + b"\0")
    if len(block.table.columns):
        h.update(csv_bytes(block.table))
    return h.hexdigest()


@dataclass(frozen=True)
class BlockDef:
    """A kind of block: its title, what it shows, and the action its reader needs beyond ``view_data``."""

    key: str
    title: str
    help: str
    build: Callable[[BuildContext, str], BlockResult]
    needs: str | None = None


def _series_table(ts: pd.DataFrame) -> pd.DataFrame:
    """A series of :func:`time_series` as ``workbench trends`` writes it (period labels, then measures)."""
    from workbench.trends.series import period_labels

    table = ts.assign(period=period_labels(ts["period"]).to_numpy())
    return table[["period", "cases", "value_usd"]].reset_index(drop=True)


def _key_figures(ctx: BuildContext, text: str) -> BlockResult:
    from workbench.trends.series import time_series

    frame = ctx.frame
    ts = time_series(frame, None, "Y")
    cases = int(frame["case_key"].nunique())
    value = float(ts["value_usd"].sum())
    table = pd.DataFrame(
        {
            "figure": [_("cases"), _("estimated value (USD)")],
            "value": [float(cases), round(value, 2)],
        }
    )
    per_year = _series_table(ts)
    table = pd.concat(
        [
            table,
            pd.DataFrame(
                {
                    "figure": [_("cases in {period}", period=p) for p in per_year["period"]],
                    "value": per_year["cases"],
                }
            ),
        ],
        ignore_index=True,
    )
    sentence = _(
        "{cases:,} cases match {filter}, with an estimated value of USD {value:,.0f}.",
        cases=cases,
        filter=ctx.flt.describe(),
        value=value,
    )
    return BlockResult("key_figures", _("Key figures"), table, None, sentence)


def _trend_chart(ctx: BuildContext, text: str) -> BlockResult:
    from workbench.trends.charts import series_chart
    from workbench.trends.series import FREQUENCIES, time_series

    ts = time_series(ctx.frame, None, ctx.freq)
    table = _series_table(ts)
    chart = series_chart(ts, title=_("Cases per {period}", period=_(FREQUENCIES[ctx.freq])))
    peak = table.iloc[int(table["cases"].to_numpy().argmax())] if len(table) else None
    sentence = (
        _(
            "Cases per {period}: {n} periods, peak {peak:,} in {when}.",
            period=_(FREQUENCIES[ctx.freq]),
            n=len(table),
            peak=int(peak["cases"]),
            when=peak["period"],
        )
        if peak is not None
        else ""
    )
    return BlockResult("trend_chart", _("Trend of cases"), table, chart, sentence)


def _emerging(ctx: BuildContext, text: str) -> BlockResult:
    from workbench.trends.emerging import detect_emerging

    try:
        result = detect_emerging(ctx.frame, freq="Q")
    except ValueError as e:
        return BlockResult("emerging", _("Emerging trends"), pd.DataFrame(), None, str(e))
    table = result.table()
    keep = [c for c in ("series", "period", "observed", "expected", "ratio", "q_value") if c in table.columns]
    sentences = list(table["sentence"]) if "sentence" in table.columns else []
    return BlockResult(
        "emerging",
        _("Emerging trends"),
        table[keep].reset_index(drop=True),
        None,
        " ".join(sentences[:5]) or result.describe(),
        result.describe(),
    )


def _report(report_key: str, block_key: str | None = None) -> Callable[[BuildContext, str], BlockResult]:
    def build(ctx: BuildContext, text: str) -> BlockResult:
        from workbench.trends.statistics import run_report

        r = run_report(report_key, ctx.frame, ctx.flt)
        return BlockResult(block_key or report_key, r.title, r.table, r.chart, r.caption, r.description)

    return build


def _network_highlights(ctx: BuildContext, text: str) -> BlockResult:
    from workbench.identity import require
    from workbench.network.graph import communities, graph_from_store
    from workbench.network.views import community_table

    require(ctx.principal, "view_personal")
    graph = graph_from_store(ctx.store, ctx.flt, personal_allowed=True, actor=ctx.principal)
    comm = communities(graph)
    table = community_table(graph, comm).head(10) if len(comm) else pd.DataFrame()
    return BlockResult(
        "network_highlights",
        _("Network highlights"),
        table.reset_index(drop=True),
        None,
        _("{n:,} linked groups; the ten largest.", n=int(comm.nunique()) if len(comm) else 0),
    )


def _backtest(ctx: BuildContext, text: str) -> BlockResult:
    from workbench.risk import registry
    from workbench.risk.backtest import backtest_sql

    indicators = registry.active_indicators(ctx.store)
    if not indicators:
        return BlockResult(
            "backtest", _("Back-tested indicators"), pd.DataFrame(), None, _("No indicator is in force.")
        )
    result = backtest_sql(ctx.store, indicators, threshold=None, flt=ctx.flt)
    table = result.metrics("all")
    return BlockResult(
        "backtest",
        _("Back-tested indicators"),
        table,
        None,
        _("{n} indicators in force, back-tested on the store's traffic.", n=len(indicators)),
    )


def _text(ctx: BuildContext, text: str) -> BlockResult:
    return BlockResult("text", _("Analyst's note"), pd.DataFrame(), None, text)


def _blocks() -> dict[str, BlockDef]:
    from workbench.trends.statistics import REPORTS

    out = {
        "key_figures": BlockDef(
            "key_figures", N_("Key figures"), N_("cases and value, per year"), _key_figures
        ),
        "trend_chart": BlockDef("trend_chart", N_("Trend of cases"), N_("cases per period"), _trend_chart),
        "emerging": BlockDef(
            "emerging", N_("Emerging trends"), N_("series that rose beyond baseline"), _emerging
        ),
        "top_routes": BlockDef(
            "top_routes",
            N_("Top routes"),
            N_("the routes with most cases per commodity"),
            _report("top_routes_per_commodity", "top_routes"),
        ),
        "notable_cases": BlockDef(
            "notable_cases",
            N_("Notable cases"),
            N_("the largest seizures per commodity"),
            _report("largest_seizures", "notable_cases"),
        ),
    }
    for key, rep in REPORTS.items():
        out.setdefault(key, BlockDef(key, rep.title, rep.description, _report(key)))
    out["network_highlights"] = BlockDef(
        "network_highlights",
        N_("Network highlights"),
        N_("the largest linked groups of persons and companies"),
        _network_highlights,
        needs="view_personal",
    )
    out["backtest"] = BlockDef(
        "backtest", N_("Back-tested indicators"), N_("how the indicators in force did"), _backtest
    )
    out["text"] = BlockDef("text", N_("Analyst's note"), N_("free text"), _text)
    return out


#: Every block a product can hold, by key.
BLOCKS: dict[str, BlockDef] = _blocks()


def build_block(ctx: BuildContext, key: str, text: str = "", title: str = "") -> BlockResult:
    """Build block ``key`` in ``ctx``; ``text`` is the analyst's text (text blocks) or a note."""
    from workbench.identity import can

    d = BLOCKS[key]
    if d.needs is not None and not can(ctx.principal, d.needs):
        return BlockResult(
            key, _(d.title), pd.DataFrame(), None, _("Not shown: this reader may not see persons.")
        )
    result = d.build(ctx, text)
    if title:
        result.title = title
    if key != "text" and text:
        result.text = (result.text + "\n\n" + text).strip()
    return result
