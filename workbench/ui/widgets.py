"""Small widgets several pages use."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pandas as pd
import streamlit as st
from streamlit.elements.lib.column_types import ColumnConfig

from workbench.exchange.excel import formatted_workbook
from workbench.i18n import N_, _, code_label, direction, language
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
    "date_display",
    "date_column",
    "datetime_column",
    "date_input_format",
    "headers",
    "data_table",
    "data_editor",
    "EMPTY_CELL",
]


# CLDR date-pattern letters and the momentJS tokens (what Streamlit's table columns read) for them
_MOMENT = {
    "y": "YYYY",
    "yy": "YYYY",
    "yyyy": "YYYY",
    "M": "M",
    "MM": "MM",
    "d": "D",
    "dd": "DD",
    "H": "H",
    "HH": "HH",
    "h": "h",
    "hh": "hh",
    "m": "m",
    "mm": "mm",
    "a": "A",
}


_CLDR_TOKEN = re.compile(r"'[^']*'|([a-zA-Z])\1*|[^a-zA-Z']+")


def _moment(cldr: str) -> str:
    """A CLDR pattern (numeric fields only, as the ``short`` formats are) as a momentJS format string;
    literal text is bracketed so momentJS keeps it. Two-digit years are written in full. Bidi marks (Arabic's
    short date is ``d\u200f/M\u200f/y``) are dropped: in the table's cells they reorder the date into
    ``132025/12/``, where digits and slashes alone read ``13/12/2025`` in a right-to-left page too.

    >>> _moment("d\u200f/M\u200f/y")
    'D/M/YYYY'
    """
    cldr = re.sub("[\u200e\u200f\u061c]", "", cldr)
    out: list[str] = []
    for token in _CLDR_TOKEN.finditer(cldr):
        text = token.group(0)
        if text.startswith("'"):
            out.append(f"[{text.strip(chr(39))}]" if text != "''" else "'")
        elif token.group(1):
            out.append(_MOMENT.get(text, text))
        else:
            out.append(f"[{text}]" if re.search(r"[a-zA-Z]", text) else text)
    return "".join(out)


def date_display(with_time: bool = False) -> str:
    """How table columns show a day (and, ``with_time``, its time) in the language in force, as a momentJS
    format for ``st.column_config.DateColumn``/``DatetimeColumn``: the language's short numeric date
    (``3/5/2026`` in English, ``05/03/2026`` in French, ``05.03.2026`` in Russian), the year in full. The
    values stay dates: the column sorts by date, and the table's download keeps them as they are.
    English, the source language, keeps ISO dates (``2026-03-05``), as the data and the command line write
    them: the order of ``en``'s CLDR short date (month first) would mislead most of the world's readers.

    >>> from workbench.i18n import use_language
    >>> with use_language("fr"):
    ...     date_display(), date_display(with_time=True)
    ('DD/MM/YYYY', 'DD/MM/YYYY HH:mm')
    >>> date_display(), date_display(with_time=True)
    ('YYYY-MM-DD', 'YYYY-MM-DD HH:mm')
    """
    from babel import dates

    code = language()
    if code == "en":
        return "YYYY-MM-DD HH:mm" if with_time else "YYYY-MM-DD"
    day = _moment(dates.get_date_format("short", locale=code).pattern)
    if not with_time:
        return day
    moment = _moment(dates.get_time_format("short", locale=code).pattern)
    return str(dates.get_datetime_format("short", locale=code)).replace("{1}", day).replace("{0}", moment)


def date_input_format() -> str:
    """The ``format`` of ``st.date_input`` closest to the language's short date: the order of day, month
    and year and the separator (Streamlit takes ``YYYY``, ``MM``, ``DD`` and one of ``/ - .``); ISO in
    English, as :func:`date_display`.

    >>> from workbench.i18n import use_language
    >>> with use_language("ru"):
    ...     date_input_format()
    'DD.MM.YYYY'
    >>> date_input_format()
    'YYYY-MM-DD'
    """
    from babel import dates

    if language() == "en":
        return "YYYY-MM-DD"
    pattern = dates.get_date_format("short", locale=language()).pattern
    order = [f[0] for f in re.findall(r"y+|M+|d+", pattern)]
    sep = next((ch for ch in pattern if ch in "/-."), "/")
    fields = {"y": "YYYY", "M": "MM", "d": "DD"}
    return sep.join(fields[f] for f in order) if sorted(order) == ["M", "d", "y"] else "YYYY/MM/DD"


def date_column(label: str | None = None) -> ColumnConfig:
    """A table column of days, headed ``label``, shown as the language writes dates (:func:`date_display`)."""
    return st.column_config.DateColumn(label, format=date_display())


def datetime_column(label: str | None = None) -> ColumnConfig:
    """A table column of moments, headed ``label``, shown as the language writes a date and time."""
    return st.column_config.DatetimeColumn(label, format=date_display(with_time=True))


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
    return code_label(v)


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
    "place_code": N_("place code"),
    "place_name": N_("place name"),
    "place_type": N_("place type"),
    "transit_countries": N_("transit countries"),
    "location": N_("location"),
    "weight_kg": N_("weight (kg)"),
    "cases": N_("cases"),
    "item_no": N_("item no"),
    "hs_code": N_("HS code"),
    "description": N_("description"),
    "offence": N_("offence"),
    "direction": N_("direction"),
    # persons and companies (compared on the Duplicates page)
    "person_id": N_("person id"),
    "company_id": N_("company id"),
    "last_name": N_("last name"),
    "first_name": N_("first name"),
    "date_of_birth": N_("date of birth"),
    "gender": N_("gender"),
    "nationality": N_("nationality"),
    "passport_number": N_("passport number"),
    "address": N_("address"),
    "phone": N_("phone"),
    "country": N_("country"),
    "registration_number": N_("registration number"),
    # the store's data tables (counted on the Admin page)
    "items": N_("items"),
    "persons": N_("persons"),
    "companies": N_("companies"),
    # accounts, organisations, permissions, data versions, submissions, settings (Admin page)
    "code": N_("code"),
    "name": N_("name"),
    "kind": N_("kind"),
    "accounts": N_("accounts"),
    "organisation": N_("organisation"),
    "roles": N_("roles"),
    "personal": N_("personal data"),
    "state": N_("account state"),
    "second_factor": N_("second factor"),
    "last_login": N_("last sign-in"),
    "action": N_("action"),
    "help": N_("help"),
    "scope": N_("scope"),
    "what": N_("what it covers"),
    "changed": N_("last changed"),
    "id": N_("id"),
    "received": N_("received"),
    "by": N_("submitted by"),
    "source": N_("source"),
    "status": N_("status"),
    "countries": N_("reporting countries"),
    "counts": N_("counts"),
    "variable": N_("variable"),
    "value": N_("value"),
    # the audit log and its reports (Audit page)
    "seq": N_("entry number"),
    "at": N_("when"),
    "user": N_("user"),
    "role": N_("role"),
    "purpose": N_("purpose"),
    "purpose_ref": N_("purpose"),
    "row_count": N_("rows"),
    "rows": N_("rows"),
    "details": N_("details"),
    "object": N_("record"),
    "objects": N_("records"),
    "justification": N_("justification"),
    "legal_basis": N_("legal basis"),
    "legal_bases": N_("legal bases"),
    "recipient": N_("recipient"),
    "recipients": N_("recipients"),
    "query": N_("query"),
    "exports": N_("exports"),
    "first": N_("first export"),
    "last": N_("last export"),
    "kinds": N_("kinds"),
    "users": N_("users"),
    "reasons": N_("reasons"),
}


def column_label(name: str) -> str:
    """The header people read for the column ``name`` (see :data:`COLUMN_LABELS`)."""
    label = COLUMN_LABELS.get(name)
    return _(label) if label else str(name).replace("_", " ")


def headers(df: pd.DataFrame) -> dict[str, str]:
    """``column_config`` that heads each column of ``df`` with :func:`column_label` (the table keeps its
    column names, so its values and download are unchanged); a column without a label keeps its name.

    >>> headers(pd.DataFrame(columns=["seq", "user", "zzz"]))
    {'seq': 'entry number', 'user': 'user'}
    """
    return {str(c): _(COLUMN_LABELS[str(c)]) for c in df.columns if str(c) in COLUMN_LABELS}


#: What a table cell without a value shows, in every language: nothing. Streamlit's grid writes a grey
#: "None" there by default (for text, numbers and dates alike), which reads as a value, in English.
EMPTY_CELL = ""


#: Roughly how wide a table may be (in pixels) and still fit the main block of a page on a laptop screen,
#: and what one character and a cell's padding take in the grid (see :func:`_fits_the_page`).
_PAGE_WIDTH_PX, _CHAR_PX, _CELL_PADDING_PX, _WIDEST_COLUMN_CHARS = 900, 7.5, 24, 40


def _fits_the_page(frame: pd.DataFrame) -> bool:
    """Whether the grid is likely to show every column of ``frame`` without scrolling sideways: each
    column as wide as its header or its longest value among the first rows (capped, as the grid caps it).

    >>> _fits_the_page(pd.DataFrame({"a": ["x"], "b": [1]})), _fits_the_page(pd.DataFrame({f"c{i}": ["a long value"] for i in range(12)}))
    (True, False)
    """
    head = frame.head(50)
    width = 0.0
    for c in head.columns:
        values = head[c].dropna().astype(str)
        chars = max([len(str(c)), *values.str.len().tolist()])
        width += min(chars, _WIDEST_COLUMN_CHARS) * _CHAR_PX + _CELL_PADDING_PX
    return width <= _PAGE_WIDTH_PX


def _table_options(data: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
    """The options every table of the app gets: :data:`EMPTY_CELL` for missing values and, in a language
    written right to left, the columns in reverse order, so the first column sits on the right.

    Why reverse the columns: Streamlit's grid (glide-data-grid, drawn in a canvas) has no right-to-left
    mode (streamlit/streamlit#552): it aligns right-to-left text in its cells and headers, but lays its
    columns out left to right inside a page that reads right to left. Reversing ``column_order`` is the
    one lever it offers: the names, values, ``column_config`` (by name), sorting and the row selection a
    call returns are unchanged; the row checkboxes and a shown index stay on the left, where the grid pins
    them. Only for a table that fits the page (:func:`_fits_the_page`): the grid always opens scrolled to
    its left end, so a wide table reversed would open on its last columns with its first ones (the case
    id, the name) out of sight; a wide table keeps the grid's order, its first columns in view.
    """
    kwargs.setdefault("placeholder", EMPTY_CELL)
    frame = data if isinstance(data, pd.DataFrame) else getattr(data, "data", None)  # a Styler's frame
    if direction() != "rtl" or not isinstance(frame, pd.DataFrame):
        return kwargs
    order = list(kwargs.get("column_order") or frame.columns)
    if all(isinstance(c, str) for c in order) and _fits_the_page(frame[[c for c in order if c in frame]]):
        kwargs["column_order"] = order[::-1]
    return kwargs


def data_table(data: Any, **kwargs: Any) -> Any:
    """``st.dataframe(data, **kwargs)`` as every table of the app shows: an empty cell where a value is
    missing (:data:`EMPTY_CELL`, Streamlit's ``placeholder``) rather than "None", and in Arabic the first
    column on the right (see :func:`_table_options`). Only the drawing changes: the frame, its values
    (missing ones stay missing), its sorting and the selection the call returns are Streamlit's own. Pages
    and ``workbench.ui`` call this, never ``st.dataframe`` directly (tests/test_ui_tables.py holds that
    line)."""
    return st.dataframe(data, **_table_options(data, kwargs))


def data_editor(data: Any, **kwargs: Any) -> Any:
    """``st.data_editor(data, **kwargs)`` with the app's table options (see :func:`data_table`): a
    missing value shows, and is entered, as an empty cell; the edited frame keeps it missing and keeps
    its column order whatever the order shown."""
    return st.data_editor(data, **_table_options(data, kwargs))


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
