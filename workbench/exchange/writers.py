"""The one writer of tables for spreadsheets: every CSV file and every workbook the workbench hands out
(exchange, non-personal and pseudonymised exports, formatted workbooks, the app's downloads, scored
traffic, statistics) goes through :func:`formula_safe`, so no value from the data becomes a live formula.

Spreadsheet formula injection (OWASP "CSV injection"): a cell whose text begins with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return, also after leading blanks, is taken by Excel, LibreOffice or Google
Sheets as a formula (``=cmd|'/C calc'!A0``, ``=HYPERLINK(...)``, ``@SUM(...)``). Such text is written
with a leading apostrophe, which the spreadsheet shows as text and never evaluates.

Numbers stay numbers: numeric and date columns are written as they are, and text that is only a signed
number or a phone number (``-3.5``, ``+221 77 123 45 67``: digits, blanks and ``. , ( ) / -``) is kept,
since it can neither call a function nor reference a cell (a formula needs a letter for either), and a
phone's ``+`` is part of the value the entity graph keys on.

Examples
--------
>>> neutralise_formula("=cmd|'/C calc'!A0"), neutralise_formula("  @SUM(A1)"), neutralise_formula("\\t=1")
("'=cmd|'/C calc'!A0", "'  @SUM(A1)", "'\\t=1")
>>> neutralise_formula("+221 77 123 45 67"), neutralise_formula("-3.5"), neutralise_formula("-2+3+cmd|'/C calc'!A0")
('+221 77 123 45 67', '-3.5', "'-2+3+cmd|'/C calc'!A0")
>>> import pandas as pd
>>> csv_bytes(pd.DataFrame({"remarks": ["=1+1", "fine"], "n": [-1, 2]})).decode().splitlines()
['remarks,n', "'=1+1,-1", 'fine,2']
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd

__all__ = ["FORMULA_PREFIXES", "neutralise_formula", "formula_safe", "csv_bytes", "write_csv"]

#: First characters that make a spreadsheet read a cell as a formula (OWASP CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
#: A signed number or a phone number: nothing a formula could use to call or reference.
_PLAIN_NUMBER = re.compile(r"[+-][\d\s.,()/-]*")


def neutralise_formula(value: object) -> object:
    """Text that a spreadsheet would take as a formula, prefixed with ``'`` so it stays text; any other
    value as it is."""
    if not isinstance(value, str) or not value:
        return value
    if value[0] in ("\t", "\r", "\n"):
        return "'" + value
    head = value.lstrip(" \u00a0\t\r\n")
    if not head or head[0] not in FORMULA_PREFIXES:
        return value
    if head[0] in "+-" and _PLAIN_NUMBER.fullmatch(head.rstrip()):
        return value
    return "'" + value


def _is_text(s: pd.Series) -> bool:
    return not (
        pd.api.types.is_numeric_dtype(s)
        or pd.api.types.is_datetime64_any_dtype(s)
        or pd.api.types.is_timedelta64_dtype(s)
        or isinstance(s.dtype, pd.PeriodDtype)
    )


def formula_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells and column names cannot be read as formulas
    (:func:`neutralise_formula`); numbers, booleans and dates keep their type."""
    out = frame.copy()
    for i in range(out.shape[1]):
        s = out.iloc[:, i]
        if _is_text(s):
            out.isetitem(i, s.astype(object).map(neutralise_formula, na_action="ignore").to_numpy())
    if isinstance(out.columns, pd.MultiIndex):
        out.columns = pd.MultiIndex.from_tuples(
            [tuple(neutralise_formula(part) for part in c) for c in out.columns], names=out.columns.names
        )
    else:
        out.columns = pd.Index([neutralise_formula(c) for c in out.columns], name=out.columns.name)
    return out


def _holds_cr(frame: pd.DataFrame) -> bool:
    for i in range(frame.shape[1]):
        s = frame.iloc[:, i]
        if _is_text(s) and s.astype("string").str.contains("\r", regex=False).any():
            return True
    return False


def _to_csv(frame: pd.DataFrame, target: str | Path | io.StringIO, index: bool) -> None:
    safe = formula_safe(frame)
    # With "\n" line ends, Python's csv quotes a field holding "\n" but not one holding a lone "\r",
    # which a spreadsheet takes as a line break: "'\r=1+1" would come back as a row "=1+1". Files with
    # such text are written with "\r\n" line ends, so every field holding either is quoted.
    ending = "\r\n" if _holds_cr(safe) else "\n"
    safe.to_csv(target, index=index, lineterminator=ending)


def csv_bytes(frame: pd.DataFrame, *, index: bool = False) -> bytes:
    r"""``frame`` as UTF-8 CSV with no live formula (see :func:`formula_safe`).

    >>> csv_bytes(pd.DataFrame({"a": [chr(13) + "=1+1"]})).split(b"\r\n")
    [b'a', b'"\'\r=1+1"', b'']
    """
    buf = io.StringIO()
    _to_csv(frame, buf, index)
    return buf.getvalue().encode("utf-8")


def write_csv(frame: pd.DataFrame, path: str | Path, *, index: bool = False) -> Path:
    """Write ``frame`` to ``path`` as UTF-8 CSV with no live formula (see :func:`formula_safe`)."""
    p = Path(path)
    with open(p, "w", encoding="utf-8", newline="") as f:
        _to_csv(frame, f, index)  # type: ignore[arg-type]
    return p
