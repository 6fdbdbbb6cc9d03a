"""Small widgets several pages use."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from workbench.excel import formatted_workbook
from workbench.filters import CaseFilter
from workbench.ui.state import get_state

__all__ = ["filter_caption", "excel_download", "open_case", "empty_store_notice"]


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
