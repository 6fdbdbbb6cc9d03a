"""A product as a file: standalone offline HTML, print-quality PDF (WeasyPrint) and an Excel workbook.

Every output carries the marking (:meth:`workbench.products.model.Handling.marking`): on every PDF page
(running header and footer, with page numbers), at the top and bottom of the HTML, and in every sheet's
header, footer and first row. An output is refused (:class:`~workbench.products.model.ProductError`)
while the marking is incomplete. Charts are the Altair charts of the blocks rendered offline as inline
SVG (:func:`workbench.trends.charts.chart_svg`); nothing is fetched. User text is escaped in HTML and
neutralised in the workbook (:func:`workbench.exchange.writers.formula_safe`).

A PDF may carry a watermark (the copy's recipient and time, :func:`workbench.products.register.record_download`)
across every page; a report of :data:`TOC_FROM` blocks or more gets a table of contents with page numbers.
"""

from __future__ import annotations

import html
import io
from typing import TYPE_CHECKING, Any

import pandas as pd

from workbench.i18n import _, direction, language
from workbench.products.model import HANDLING_CODES, ICD203_BANDS, ProductError
from workbench.trends.headings import heading

if TYPE_CHECKING:
    from workbench.products.register import Built

__all__ = ["TOC_FROM", "to_html", "to_pdf", "to_xlsx", "render", "FORMATS"]

#: A PDF with this many blocks or more gets a table of contents.
TOC_FROM = 5
FORMATS = ("pdf", "html", "xlsx")


def _font_faces() -> str:
    """``@font-face`` rules for the PDF: the fonts bundled in the repository's ``static/fonts`` (Noto Sans
    for Latin and Cyrillic, Noto Sans Arabic), inlined as ``data:`` URLs (the PDF's fetcher takes nothing
    else) and embedded by WeasyPrint; where they are absent (an installed package without the
    repository), the system's DejaVu Sans, which covers the same scripts."""
    import base64
    from pathlib import Path

    folder = Path(__file__).resolve().parents[2] / "static" / "fonts"
    rules = []
    for family, stem in (("Noto Sans", "NotoSans"), ("Noto Sans Arabic", "NotoSansArabic")):
        for weight, style in ((400, "Regular"), (700, "Bold")):
            path = folder / f"{stem}-{style}.ttf"
            if path.is_file():
                data = base64.b64encode(path.read_bytes()).decode("ascii")
                rules.append(
                    f"@font-face {{ font-family: '{family}'; font-weight: {weight}; "
                    f"src: url('data:font/ttf;base64,{data}'); }}"
                )
    return "\n".join(rules) + "\n"


# Arabic (and any right-to-left language) reads right to left: the document's lang says which, set by the
# renderer on <html>; numbers in table cells keep their own left-to-right order (bidi isolation).
_CSS = """
body { font-family: 'Noto Sans', 'Noto Sans Arabic', 'DejaVu Sans', sans-serif; font-size: 10pt; color: #1a1a1a; }
html:lang(ar), html[dir="rtl"] { direction: rtl; }
html:lang(ar) td.n, html[dir="rtl"] td.n { text-align: left; unicode-bidi: isolate; }
html:lang(ar) .bluf, html[dir="rtl"] .bluf { border-left: none; border-right: 4px solid #1F3B57; }
h1 { font-size: 18pt; color: #1F3B57; margin-bottom: 2pt; }
h2 { font-size: 13pt; color: #1F3B57; border-bottom: 1px solid #1F3B57; margin-top: 16pt; }
.marking { text-align: center; font-weight: bold; color: #8b0000; letter-spacing: 0.5pt; }
.meta td { padding: 1pt 8pt 1pt 0; vertical-align: top; }
table.data { border-collapse: collapse; font-size: 8.5pt; margin: 4pt 0; max-width: 100%; }
table.data.wide { font-size: 6.5pt; width: 100%; }
table.data td, table.data th { overflow-wrap: anywhere; }
table.data th, table.data td { border: 1px solid #bbb; padding: 2pt 4pt; }
table.data th { background: #e8edf2; }
td.n { text-align: right; white-space: nowrap; overflow-wrap: normal; }
.bluf { border-left: 4px solid #1F3B57; padding: 4pt 8pt; background: #f3f6f9; }
.note { white-space: pre-wrap; }
.chart svg { max-width: 100%; height: auto; }
.caption { color: #555; font-size: 8.5pt; }
"""

_PRINT_CSS = """
@page {
  size: A4; margin: 22mm 16mm 20mm 16mm;
  @top-center { content: string(marking); font: bold 8.5pt 'DejaVu Sans', sans-serif; color: #8b0000; }
  @bottom-center { content: string(marking); font: bold 8.5pt 'DejaVu Sans', sans-serif; color: #8b0000; }
  @bottom-right { content: __PAGE_COUNTER__; font: 8pt 'DejaVu Sans', sans-serif; }
  @bottom-left { content: string(reference); font: 8pt 'DejaVu Sans', sans-serif; }
}
.marking-source { string-set: marking content(); display: block; height: 0; overflow: hidden; font-size: 1pt; color: transparent; }
.reference-source { string-set: reference content(); display: block; height: 0; overflow: hidden; font-size: 1pt; color: transparent; }
.watermark { position: fixed; top: 45%; left: -10%; width: 120%; text-align: center; transform: rotate(-30deg);
  font-size: 26pt; color: rgba(140, 0, 0, 0.13); z-index: -1; }
.toc a { color: inherit; text-decoration: none; }
.toc a::after { content: leader('.') target-counter(attr(href), page); }
h2 { break-after: avoid; }
table.data, .chart { break-inside: avoid; }
""" + _font_faces()


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _table_html(table: pd.DataFrame, limit: int = 60) -> str:
    if not len(table.columns) or not len(table):
        return ""
    t = table.head(limit)
    head = "".join(f"<th>{_e(heading(str(c)))}</th>" for c in t.columns)
    rows = []
    for _i, r in t.iterrows():
        cells = []
        for v in r.tolist():
            num = isinstance(v, (int, float)) and not isinstance(v, bool)
            shown = (
                ""
                if v is None or (isinstance(v, float) and pd.isna(v))
                else (f"{v:,.2f}".rstrip("0").rstrip(".") if isinstance(v, float) else f"{v:,}" if num else v)
            )
            cells.append(f'<td class="n">{_e(shown)}</td>' if num else f"<td>{_e(shown)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    more = (
        f'<p class="caption">{_e(_("first {n:,} of {total:,} rows", n=limit, total=len(table)))}</p>'
        if len(table) > limit
        else ""
    )
    wide = " wide" if len(t.columns) > 7 else ""
    return f'<table class="data{wide}"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>{more}'


def _chart_html(chart: object, *, png: bool) -> str:
    """The chart inline: SVG in HTML; PNG (a data URI) in the PDF, which WeasyPrint lays out faster."""
    if chart is None:
        return ""
    if png:
        import base64

        from workbench.trends.charts import chart_png

        data = base64.b64encode(chart_png(chart, width=640, scale=2.0)).decode("ascii")
        return f'<div class="chart"><img style="width:100%" alt="" src="data:image/png;base64,{data}"></div>'
    from workbench.trends.charts import chart_svg

    return f'<div class="chart">{chart_svg(chart, width=640)}</div>'


def _body(built: Built, *, toc: bool, png: bool = False) -> str:
    spec = built.spec
    h = spec.handling
    marking = h.marking()
    meta = [
        (_("Reference"), f"{built.reference or _('(not registered)')} v{built.version}"),
        (_("Status"), _(built.status)),
        (_("Level"), f"{_(spec.level)}: {spec.audience()}"),
        (_("Author"), f"{built.author} ({built.organisation})"),
        (_("Valid until"), spec.valid_until),
        (_("Review by"), spec.review_by),
        (_("Handling"), "; ".join(f"{c}: {_(HANDLING_CODES[c])}" for c in h.codes) or "-"),
        (_("Releasable to"), ", ".join(h.releasable_to) or "-"),
    ]
    parts = [
        f'<div class="marking">{_e(marking)}</div>',
        f"<h1>{_e(spec.title)}</h1>",
        '<table class="meta">'
        + "".join(f"<tr><td><b>{_e(k)}</b></td><td>{_e(v)}</td></tr>" for k, v in meta)
        + "</table>",
    ]
    if toc:
        items = "".join(
            f'<li><a href="#block-{i}">{_e(b.title)}</a></li>' for i, b in enumerate(built.blocks, start=1)
        )
        parts.append(f'<h2>{_e(_("Contents"))}</h2><ol class="toc">{items}</ol>')
    if spec.bluf:
        parts.append(f'<h2>{_e(_("Bottom line up front"))}</h2><div class="bluf note">{_e(spec.bluf)}</div>')
    if spec.judgements:
        items = "".join(f"<li>{_e(j.sentence())}</li>" for j in spec.judgements)
        parts.append(f"<h2>{_e(_('Key judgements'))}</h2><ul>{items}</ul>")
    for i, b in enumerate(built.blocks, start=1):
        parts.append(f'<h2 id="block-{i}">{_e(b.title)}</h2>')
        if b.text:
            parts.append(f'<p class="note">{_e(b.text)}</p>')
        parts.append(_chart_html(b.chart, png=png))
        parts.append(_table_html(b.table))
        if b.note and b.key != "text":
            parts.append(f'<p class="caption">{_e(b.note)}</p>')
    if spec.sources:
        rows = "".join(
            f"<tr><td>{_e(s.description)}</td><td>{_e(s.grade)}</td><td>{_e(s.scheme)}</td></tr>"
            for s in spec.sources
        )
        parts.append(
            f'<h2>{_e(_("Sources"))}</h2><table class="data"><thead><tr><th>{_e(_("source"))}</th>'
            f"<th>{_e(_('grade'))}</th><th>{_e(_('scheme'))}</th></tr></thead><tbody>{rows}</tbody></table>"
        )
    bands = ", ".join(f"{b} {lo}-{hi}%" for b, (lo, hi) in ICD203_BANDS.items())
    parts.append(f'<p class="caption">{_e(_("Estimative language (ICD 203): {bands}.", bands=bands))}</p>')
    parts.append(
        f'<p class="caption">{_e(_("Filter: {f}. Data version: {v}.", f=_filter_text(built), v=_version_text(built)))}</p>'
    )
    parts.append(f'<div class="marking">{_e(marking)}</div>')
    return "\n".join(parts)


def _filter_text(built: Built) -> str:
    from workbench.products.register import case_filter

    return case_filter(built.spec).describe()


def _version_text(built: Built) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(built.data_version.items()))


def _check(built: Built) -> None:
    built.spec.handling.check()
    if not built.blocks:
        raise ProductError(_("the product has no block to render"))


def to_html(built: Built) -> bytes:
    """A standalone HTML file (styles and charts inline, nothing fetched; user text escaped)."""
    _check(built)
    doc = (
        f'<!DOCTYPE html><html lang="{_e(language())}" dir="{direction()}"><head><meta charset="utf-8"><title>{_e(built.spec.title)}</title>'
        f"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">"
        f"<style>{_CSS}</style></head><body>{_body(built, toc=False)}</body></html>"
    )
    return doc.encode("utf-8")


def to_pdf(built: Built, *, watermark: str = "") -> bytes:
    """A PDF (WeasyPrint): the marking in the header and footer of every page, page numbers, a table of
    contents from :data:`TOC_FROM` blocks, and ``watermark`` across every page."""
    from weasyprint import HTML

    _check(built)
    marking = _e(built.spec.handling.marking())
    ref = _e(f"{built.reference} v{built.version}" if built.reference else built.spec.title)
    wm = f'<div class="watermark">{_e(watermark)}</div>' if watermark else ""
    doc = (
        f'<!DOCTYPE html><html lang="{_e(language())}" dir="{direction()}"><head><meta charset="utf-8"><title>{_e(built.spec.title)}</title>'
        f"<style>{_CSS}{_PRINT_CSS.replace('__PAGE_COUNTER__', _page_counter())}</style></head><body>"
        f'<span class="marking-source">{marking}</span><span class="reference-source">{ref}</span>{wm}'
        f"{_body(built, toc=len(built.blocks) >= TOC_FROM, png=True)}</body></html>"
    )
    # no base URL and a fetcher that takes only data: URLs (the charts): a PDF never reaches outside
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
    pdf = HTML(string=doc, url_fetcher=fetcher).write_pdf()
    assert pdf is not None
    return bytes(pdf)


def _page_counter() -> str:
    """The CSS ``content`` of the page footer, "Page 3 of 12" in the language in force."""
    import string

    parts = []
    for literal, field, _spec, _conv in string.Formatter().parse(
        _("Page {page} of {pages}", page="{page}", pages="{pages}")
    ):
        if literal:
            parts.append('"' + literal.replace("\\", "\\\\").replace('"', '\\"') + '"')
        if field in ("page", "pages"):
            parts.append(f"counter({field})")
    return " ".join(parts)


def to_xlsx(built: Built) -> bytes:
    """A workbook: a cover sheet with the marking and assessment, one sheet per block with its table
    (formula-neutralised) and a native Excel chart for the series blocks; the marking in every sheet's
    header and footer."""
    import xlsxwriter

    from workbench.exchange.writers import formula_safe, neutralise_formula

    _check(built)
    spec = built.spec
    marking = spec.handling.marking()
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    bold = wb.add_format({"bold": True})
    red = wb.add_format({"bold": True, "font_color": "#8B0000"})
    title_fmt = wb.add_format({"bold": True, "font_size": 14, "font_color": "#1F3B57"})
    hf = '&C&"-,Bold"' + marking.replace("&", "&&")

    def sheet(name: str) -> Any:
        ws = wb.add_worksheet(name[:31])
        ws.set_header(hf)
        ws.set_footer(hf + "&R" + _("Page {page} of {pages}", page="&P", pages="&N"))
        ws.write(0, 0, neutralise_formula(marking), red)
        return ws

    cover = sheet(_("Product"))
    cover.write(1, 0, neutralise_formula(spec.title), title_fmt)
    rows = [
        (_("Reference"), f"{built.reference} v{built.version}"),
        (_("Status"), built.status),
        (_("Level"), spec.level),
        (_("Bottom line up front"), spec.bluf),
        *((_("Key judgement"), j.sentence()) for j in spec.judgements),
        *((_("Source"), f"{s.description} [{s.scheme} {s.grade}]") for s in spec.sources),
        (_("Valid until"), spec.valid_until),
        (_("Review by"), spec.review_by),
        (_("Filter"), _filter_text(built)),
    ]
    for i, (k, v) in enumerate(rows, start=3):
        cover.write(i, 0, k, bold)
        cover.write(i, 1, neutralise_formula(str(v)))
    cover.set_column(0, 0, 24)
    cover.set_column(1, 1, 90)
    used: set[str] = set()
    for n, b in enumerate(built.blocks, start=1):
        name = f"{n} {b.title}"[:31].replace("/", "-").replace(":", "-").replace("?", "").replace("*", "")
        name = name.replace("[", "(").replace("]", ")")
        while name in used:
            name = name[:28] + f"~{n}"
        used.add(name)
        ws = sheet(name)
        ws.write(1, 0, neutralise_formula(b.title), title_fmt)
        start = 3
        if b.text:
            ws.write(2, 0, neutralise_formula(b.text))
        if not len(b.table.columns):
            continue
        t = formula_safe(b.table)
        for j, c in enumerate(t.columns):
            ws.write(start, j, heading(str(c)), bold)
            ws.set_column(j, j, max(10, min(40, len(str(c)) + 2)))
        for i, r in enumerate(t.itertuples(index=False), start=start + 1):
            for j, v in enumerate(r):
                if v is None or (isinstance(v, float) and pd.isna(v)):
                    continue
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    ws.write_number(i, j, float(v))
                else:
                    ws.write(i, j, str(v))
        if b.key in ("trend_chart", "key_figures") and "cases" in b.table.columns and len(b.table):
            ch = wb.add_chart({"type": "line"})
            col = list(b.table.columns).index("cases")
            ch.add_series(
                {
                    "name": _("cases"),
                    "categories": [ws.name, start + 1, 0, start + len(b.table), 0],
                    "values": [ws.name, start + 1, col, start + len(b.table), col],
                    "line": {"color": "#1F3B57"},
                }
            )
            ch.set_title({"name": b.title})
            ch.set_legend({"none": True})
            ws.insert_chart(start, len(b.table.columns) + 1, ch, {"x_scale": 1.4, "y_scale": 1.2})
    wb.close()
    return buf.getvalue()


def render(built: Built, fmt: str, *, watermark: str = "") -> bytes:
    """``built`` as ``fmt`` (pdf, html or xlsx)."""
    if fmt == "pdf":
        return to_pdf(built, watermark=watermark)
    if fmt == "html":
        return to_html(built)
    if fmt == "xlsx":
        return to_xlsx(built)
    raise ProductError(_("no output format '{fmt}'; use one of: {known}", fmt=fmt, known=", ".join(FORMATS)))
