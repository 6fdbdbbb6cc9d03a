"""Formatted Excel workbooks for people: styled header, frozen panes, autofilter, column widths.

Every cell is written as a value, through the one writer (:func:`workbench.exchange.writers.formula_safe`):
text a spreadsheet would take as a formula (``=``, ``+``, ``-``, ``@``, tab, CR) gets a leading ``'`` and
stays text (spreadsheet formula injection), and URLs stay plain text. Every page and command that hands a
workbook to a person uses :func:`formatted_workbook`.

Examples
--------
>>> import io, pandas as pd, openpyxl
>>> data = formatted_workbook({"cases": pd.DataFrame({"remarks": ["=1+1", "@SUM(A1)"], "n": [1, 2]})},
...                           title="Cases", notes=["filter: all cases"])
>>> ws = openpyxl.load_workbook(io.BytesIO(data))["cases"]
>>> ws["A6"].value, ws["A6"].data_type, ws.freeze_panes
("'=1+1", 's', 'A6')
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from workbench.exchange.writers import formula_safe, neutralise_formula
from workbench.i18n import _

__all__ = ["formatted_workbook"]


def _width(s: pd.Series, header: str) -> int:
    sample = s.head(500).astype("string").fillna("")
    longest = int(sample.str.len().max()) if len(sample) else 0
    return max(8, min(60, max(longest, len(header)) + 2))


def formatted_workbook(
    sheets: Mapping[str, pd.DataFrame],
    *,
    title: str | None = None,
    notes: Sequence[str] = (),
    titles: Mapping[str, str] | None = None,
    formats: Mapping[str, str] | None = None,
) -> bytes:
    """A workbook with one formatted sheet per frame; ``title`` and ``notes`` head every sheet.

    ``titles`` gives a sheet its own title (instead of ``title``); ``formats`` an Excel number format
    per column name (``{"share of cases": "0.0%"}``). Float columns of whole numbers show no decimals.
    """
    buf = io.BytesIO()
    with pd.ExcelWriter(
        buf,
        engine="xlsxwriter",
        engine_kwargs={
            "options": {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
        },
    ) as xw:
        wb = xw.book
        header_fmt = wb.add_format(
            {
                "bold": True,
                "font_color": "#FFFFFF",
                "bg_color": "#1F3B57",
                "border": 1,
                "text_wrap": True,
                "valign": "top",
            }
        )
        title_fmt = wb.add_format({"bold": True, "font_size": 14, "font_color": "#1F3B57"})
        note_fmt = wb.add_format({"italic": True, "font_color": "#555555"})
        date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
        num_fmt = wb.add_format({"num_format": "#,##0.##"})
        int_fmt = wb.add_format({"num_format": "#,##0"})
        custom: dict[str, Any] = {}
        for name, df in sheets.items():
            sheet = name[:31]
            head = [
                (titles or {}).get(name) or title or name,
                *notes,
                _(
                    "generated {when} by the CEN Intelligence Workbench",
                    when=dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
                ),
            ]
            start = len(head) + 1
            df = formula_safe(df)
            for c in df.columns:
                if isinstance(df[c].dtype, pd.StringDtype) or df[c].dtype == object:
                    df[c] = df[c].astype(object).where(df[c].notna(), None)
            df.to_excel(xw, sheet_name=sheet, index=False, startrow=start)
            ws = xw.sheets[sheet]
            # titles and notes can hold user text (a filter on a commodity named "=...")
            ws.write_string(0, 0, str(neutralise_formula(head[0])), title_fmt)
            for i, line in enumerate(head[1:], start=1):
                ws.write_string(i, 0, str(neutralise_formula(line)), note_fmt)
            for j, col in enumerate(df.columns):
                ws.write_string(start, j, str(col), header_fmt)
                s = df[col]
                fmt = None
                if pd.api.types.is_datetime64_any_dtype(s):
                    fmt = date_fmt
                elif pd.api.types.is_integer_dtype(s):
                    fmt = int_fmt
                elif pd.api.types.is_float_dtype(s):
                    # "#,##0.##" would show 1234.0 as "1,234." (a dangling point)
                    whole = s.dropna()
                    fmt = int_fmt if len(whole) and bool((whole == whole.round()).all()) else num_fmt
                if formats and str(col) in formats:
                    code = formats[str(col)]
                    if code not in custom:
                        custom[code] = wb.add_format({"num_format": code})
                    fmt = custom[code]
                ws.set_column(j, j, _width(s, str(col)), fmt)
            ws.freeze_panes(start + 1, 0)
            if len(df.columns):
                ws.autofilter(start, 0, start + max(len(df), 1), len(df.columns) - 1)
    return buf.getvalue()
