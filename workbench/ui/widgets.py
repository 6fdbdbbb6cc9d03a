"""Small widgets several pages use."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from workbench.exchange.excel import formatted_workbook
from workbench.store.filters import CaseFilter
from workbench.ui.state import get_state

__all__ = [
    "filter_caption",
    "excel_download",
    "open_case",
    "empty_store_notice",
    "readable",
    "readable_value",
    "money",
    "plural",
]


def filter_caption(flt: CaseFilter) -> None:
    st.caption(f"Filter: {flt.describe()}")


def excel_download(
    label: str, sheets: dict[str, pd.DataFrame], *, title: str, notes: list[str], file_stem: str, key: str
) -> None:
    data = formatted_workbook(sheets, title=title, notes=notes)
    st.download_button(
        label,
        data=data,
        file_name=f"{file_stem}-{dt.date.today():%Y%m%d}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=key,
    )


def open_case(reporting_country: str, case_id: str) -> None:
    """Select a case and go to the Cases page, which shows its detail."""
    get_state().selected_case = (reporting_country, case_id)
    st.switch_page("pages/cases.py")


def empty_store_notice() -> bool:
    """Tell the user the store is empty (and how to fill it); True when it is."""
    from workbench.ui.resources import get_store

    if get_store().is_empty():
        st.info(
            "The store holds no cases yet. Load the sample with `workbench seed`, or import your own data on "
            "the **Data** page."
        )
        return True
    return False


def _enum_columns() -> frozenset[str]:
    from workbench.format.schema import FORMAT

    return frozenset(c.name for t in FORMAT.tables.values() for c in t.columns if c.type == "enum")


def readable_value(v: object) -> str:
    """An enumeration value as people read it: ``air_passenger`` -> ``air passenger``; blanks as "–"."""
    if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NA or v == "":
        return "–"
    return str(v).replace("_", " ")


def readable(df: pd.DataFrame) -> pd.DataFrame:
    """A table for people: enumeration values and column names without underscores (codes untouched)."""
    enums = _enum_columns()
    out = df.copy()
    for c in out.columns:
        if c in enums:
            out[c] = out[c].astype("string").str.replace("_", " ", regex=False)
    return out.rename(columns=lambda c: str(c).replace("_", " "))


def money(usd: float) -> str:
    """USD amounts at a glance: 45.4 bn, 312.5 M, 12,300."""
    if abs(usd) >= 1e9:
        return f"{usd / 1e9:,.1f} bn"
    if abs(usd) >= 1e6:
        return f"{usd / 1e6:,.1f} M"
    return f"{usd:,.0f}"


def plural(n: int, word: str, many: str | None = None) -> str:
    """``1 case``, ``2 cases`` (with thousands separators)."""
    return f"{n:,} {word if n == 1 else (many or word + 's')}"
