"""Great Expectations Data Docs for one submission, as a static site that opens offline.

The pages are rendered by GX's own renderers (``ValidationResultsPageRenderer`` and
``DefaultJinjaPageView``) from the results kept in the workbench's tables, one page per exchange-format
table plus an index, so nothing depends on GX's stores. GX's page templates load Bootstrap, jQuery,
Font Awesome, Vega and a logo from CDNs; :func:`offline_html` removes every such reference (and the
scripts that need them) and inlines a small stylesheet instead, so a page makes no request at all.

Examples
--------
>>> offline_html('<head><link rel="stylesheet" href="https://cdn.example/x.css"></head>'
...              '<body><script src="https://cdn.example/j.js"></script><a href="https://x.org">GX</a></body>')
... # doctest: +ELLIPSIS
'<head><style>...</style></head><body><a>GX</a></body>'
"""

from __future__ import annotations

import datetime as dt
import html
import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from data_quality.results import QualityResults, RuleResult
from workbench.format.schema import TABLE_NAMES
from workbench.i18n import _

__all__ = ["offline_html", "render_pages", "write_data_docs", "data_docs_zip", "EXTERNAL"]

#: Anything that would make a browser leave the machine.
EXTERNAL = re.compile(r"""(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}""", re.IGNORECASE)

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:0;color:#1f2933;
background:#fff;font-size:14px;line-height:1.45}
.container-fluid{padding:16px 32px}.row{display:flex;flex-wrap:wrap;gap:16px}
.col-md-2{flex:0 0 220px}.col-md-10,.col-lg-10{flex:1 1 600px;min-width:0}.col-12,.col{flex:1 1 100%}
.navbar{background:#1f3b57;color:#fff;padding:10px 32px;font-weight:600}.navbar a{color:#fff}
.card{border:1px solid #d9e2ec;border-radius:6px;margin-bottom:16px;background:#fff}
.card-header{background:#f0f4f8;padding:8px 12px;border-bottom:1px solid #d9e2ec;font-weight:600}
.card-body{padding:12px}h1,h2,h3,h4,h5{color:#1f3b57;margin:8px 0}
table{border-collapse:collapse;width:100%;margin:8px 0}th,td{border:1px solid #d9e2ec;padding:4px 8px;
text-align:left;vertical-align:top}th{background:#f0f4f8}.table-sm td{padding:2px 6px}
.badge{display:inline-block;padding:1px 6px;border-radius:4px;font-size:12px;background:#e4e7eb}
.badge-success,.text-success{color:#0b6e4f}.badge-danger,.text-danger{color:#b42318}
.alert{padding:8px 12px;border-radius:6px;background:#fff7e6}.collapse:not(.show){display:none}
.fas,.fa,.far{font-style:normal;font-weight:700}.fa-check-circle::before{content:"\\2714"}
.fa-times::before{content:"\\2718"}.fa-exclamation-triangle::before{content:"!"}.mb-2{margin-bottom:8px}.p-2{padding:8px}
.ge-walkthrough-modal,.modal,.cooltip{display:none}code{background:#f0f4f8;padding:0 3px}
.wb-note{color:#52606d;font-style:italic}
"""


def offline_html(text: str) -> str:
    """Strip every outside reference from a GX page and inline a stylesheet (see the module docstring)."""
    text = re.sub(r"<link\b[^>]*>", "", text, flags=re.IGNORECASE)
    text = re.sub(r"<script\b[^>]*>.*?</script>", "", text, flags=re.IGNORECASE | re.DOTALL)
    text = re.sub(r"<img\b[^>]*>", "", text, flags=re.IGNORECASE)
    text = re.sub(r"<footer\b.*?</footer>", "", text, flags=re.IGNORECASE | re.DOTALL)
    text = re.sub(r"""href=(['"])(?:\.\./)+index\.html\1""", 'href="index.html"', text)
    text = re.sub(r"""url\(\s*['"]?(?:https?:)?//[^)]*\)""", "none", text, flags=re.IGNORECASE)
    text = re.sub(r"""\s(?:href|src)\s*=\s*(['"])(?:https?:)?//[^'"]*\1""", "", text, flags=re.IGNORECASE)
    text = EXTERNAL.sub("", text)  # e.g. addresses left in text or attributes
    style = f"<style>{_CSS}</style>"
    if re.search(r"<head\b[^>]*>", text, flags=re.IGNORECASE):
        return re.sub(r"(<head\b[^>]*>)", lambda m: m.group(1) + style, text, count=1, flags=re.IGNORECASE)
    return style + text


def _evr(rr: RuleResult, table_rows: int = 0) -> Any:
    """GX's result of one rule; shares are of ``table_rows`` (the rows of the table, as the workbench's
    report counts them) when known, so every expectation of a table has the same denominator."""
    from great_expectations.core import ExpectationValidationResult

    from data_quality.engine import gx_expectation

    count = table_rows or rr.element_count
    n = max(1, count)
    values = [f.value if f.value is not None else f"row {f.row}" for f in rr.failures[:20]]
    result: dict[str, Any] = {
        "element_count": count,
        "unexpected_count": rr.unexpected_count,
        "unexpected_percent": 100.0 * rr.unexpected_count / n,
        "unexpected_percent_total": 100.0 * rr.unexpected_count / n,
        "partial_unexpected_list": values,
        "partial_unexpected_index_list": [{"_row": f.row} for f in rr.failures[:20]],
        "missing_count": 0,
        "missing_percent": 0.0,
    }
    info = {"raised_exception": bool(rr.error), "exception_message": rr.error, "exception_traceback": None}
    return ExpectationValidationResult(
        success=rr.success,
        expectation_config=gx_expectation(rr.rule).configuration,
        result=result,
        exception_info=info,
    )


def render_pages(results: QualityResults, title: str, run_time: dt.datetime | None = None) -> dict[str, str]:
    """``{file name: HTML}``: ``index.html`` and one validation page per table, all offline."""
    from great_expectations.core import ExpectationSuiteValidationResult
    from great_expectations.render.renderer.page_renderer import ValidationResultsPageRenderer
    from great_expectations.render.view.view import DefaultJinjaPageView

    from data_quality.engine import _gx

    _gx()
    page_html: Callable[[Any], str] = DefaultJinjaPageView().render  # GX leaves it unannotated
    run_time = run_time or dt.datetime.now(dt.UTC)
    pages: dict[str, str] = {}
    rows = []
    for table in TABLE_NAMES:
        rrs = [rr for rr in results.results.values() if rr.rule.table == table]
        if not rrs:
            continue
        evrs = []
        for rr in sorted(rrs, key=lambda r: r.rule.id):
            try:
                evrs.append(_evr(rr, results.rows_read.get(table, 0)))
            except KeyError:  # a refusal no GX expectation stands for (shown in the workbench's report)
                continue
        ok = sum(e.success for e in evrs)
        stats = {
            "evaluated_expectations": len(evrs),
            "successful_expectations": ok,
            "unsuccessful_expectations": len(evrs) - ok,
            "success_percent": round(100.0 * ok / len(evrs), 1),
        }
        vr = ExpectationSuiteValidationResult(
            success=all(e.success for e in evrs if e.expectation_config.severity == "critical"),
            results=evrs,
            suite_name=f"workbench.{table}",
            statistics=stats,
            meta={
                "run_id": {"run_name": title, "run_time": run_time.isoformat()},
                "batch_spec": {"data_asset_name": results.where.get(table, table)},
            },
        )
        document = ValidationResultsPageRenderer().render(vr)
        pages[f"{table}.html"] = offline_html(page_html(document))
        rows.append((table, results.where.get(table, table), stats, results.rows_read.get(table, 0)))
    pages["index.html"] = _index(title, rows, results, run_time)
    return pages


def _index(
    title: str,
    rows: list[tuple[str, str, dict[str, Any], int]],
    results: QualityResults,
    run_time: dt.datetime,
) -> str:
    body = "".join(
        f"<tr><td><a href='{t}.html'>{html.escape(t)}</a></td><td>{html.escape(w)}</td><td>{n:,}</td>"
        f"<td>{s['evaluated_expectations']}</td><td>{s['successful_expectations']}</td>"
        f"<td>{s['unsuccessful_expectations']}</td></tr>"
        for t, w, s, n in rows
    )
    score = results.score()
    verdict = _("nothing critical failed") if results.success else _("critical failures: rows quarantined")
    return offline_html(
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Data Docs</title></head><body>"
        "<div class='navbar'>CEN Intelligence Workbench · Data Docs (Great Expectations)</div>"
        f"<div class='container-fluid'><h2>{html.escape(title)}</h2>"
        f"<p>Validated {run_time:%Y-%m-%d %H:%M} UTC · score {score if score is not None else '-'} · "
        f"{verdict}</p><table><tr><th>Table</th><th>Source</th><th>Rows</th><th>Expectations</th>"
        f"<th>Passed</th><th>Failed</th></tr>{body}</table>"
        "<p class='wb-note'>A static site: it opens offline, from a file, with no outside request.</p>"
        "</div></body></html>"
    )


def write_data_docs(results: QualityResults, folder: str | Path, title: str = "validation") -> Path:
    """Write the site into ``folder``; returns the path of ``index.html``."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    for name, text in render_pages(results, title).items():
        (out / name).write_text(text, encoding="utf-8")
    return out / "index.html"


def data_docs_zip(results: QualityResults, title: str, run_time: dt.datetime | None = None) -> bytes:
    """The site as a zip (for a download button)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in render_pages(results, title, run_time).items():
            z.writestr(f"data-docs/{name}", text)
    return buf.getvalue()
