"""Small widgets several pages use."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from workbench.exchange.excel import formatted_workbook
from workbench.i18n import N_, _
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
    "column_label",
    "COLUMN_LABELS",
]


def filter_caption(flt: CaseFilter) -> None:
    st.caption(_("Filter: {filter}", filter=flt.describe()))


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
            _(
                "The store holds no cases yet. Load the sample with `workbench seed`, or import your own data on "
                "the **Data** page."
            )
        )
        return True
    return False


def _enum_columns() -> frozenset[str]:
    from workbench.format.schema import FORMAT

    return frozenset(c.name for t in FORMAT.tables.values() for c in t.columns if c.type == "enum")


def readable_value(v: object) -> str:
    """An enumeration value as people read it, in the language in force: ``air_passenger`` -> ``air
    passenger`` in English; blanks as "–". The English label (the code with spaces) is the catalogue's
    message id, extracted from the exchange format's YAML (the rule of ``workbench.i18n.code_label``)."""
    if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NA or v == "":
        return "–"
    return _(str(v).replace("_", " "))


#: Headers of the columns pages show through :func:`readable`, in the language in force (a column not
#: listed here shows its name without underscores).
COLUMN_LABELS: dict[str, str] = {
    "case_id": N_("case id"),
    "reporting_country": N_("reporting country"),
    "seizure_date": N_("seizure date"),
    "commodity_category": N_("commodity category"),
    "commodity_type": N_("commodity type"),
    "quantity": N_("quantity"),
    "unit": N_("unit"),
    "value_usd": N_("value (USD)"),
    "estimated_value_usd": N_("estimated value (USD)"),
    "transport_mode": N_("transport mode"),
    "detection_method": N_("detection method"),
    "concealment_method": N_("concealment method"),
    "origin_country": N_("origin country"),
    "departure_country": N_("departure country"),
    "destination_country": N_("destination country"),
    "customs_procedure": N_("customs procedure"),
    "place": N_("place"),
    "location": N_("location"),
    "weight_kg": N_("weight (kg)"),
    "cases": N_("cases"),
    "item_no": N_("item no"),
    "description": N_("description"),
    "offence": N_("offence"),
    "direction": N_("direction"),
}


def column_label(name: str) -> str:
    """The header people read for the column ``name`` (see :data:`COLUMN_LABELS`)."""
    label = COLUMN_LABELS.get(name)
    return _(label) if label else str(name).replace("_", " ")


def readable(df: pd.DataFrame) -> pd.DataFrame:
    """A table for people: enumeration values without underscores (codes untouched) and the columns'
    headers in the language in force (:func:`column_label`)."""
    enums = _enum_columns()
    out = df.copy()
    for c in out.columns:
        if c in enums:
            values = out[c].astype("string")
            labels = {v: readable_value(v) for v in values.dropna().unique()}
            out[c] = values.map(labels).astype("string")
    return out.rename(columns=lambda c: column_label(str(c)))


def money(usd: float) -> str:
    """USD amounts at a glance: 45.4 bn, 312.5 M, 12,300."""
    if abs(usd) >= 1e9:
        return _("{amount:,.1f} bn", amount=usd / 1e9)
    if abs(usd) >= 1e6:
        return _("{amount:,.1f} M", amount=usd / 1e6)
    return _("{amount:,.0f}", amount=usd)


def plural(n: int, word: str, many: str | None = None) -> str:
    """``1 case``, ``2 cases`` (with thousands separators)."""
    return f"{n:,} {word if n == 1 else (many or word + 's')}"
