"""Streamlit glue of the Trends and Standard statistics pages: cached computations and the panels.

The analysis lives in :mod:`workbench.trends.series`, :mod:`workbench.trends.emerging`, :mod:`workbench.trends.statistics`
and the chart specs in :mod:`workbench.trends.charts`; this module reads widgets, calls their database
engines (:mod:`workbench.trends.pushdown`: grouped SQL or the monthly summaries), cached per filter and
choice, and renders. What the database does not compute (series split by a route or by several fields,
per week, and the standard reports) is computed on the shared cached seizure frame
(:func:`workbench.ui.loaders.seizure_frame`). Builder choices keep
their values across page switches (``persist_state="session"``); the flag selected in the emerging
list is kept in ``AppState.extras["trends.flag"]``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import streamlit as st

from workbench.i18n import N_, _, format_date, language, ngettext
from workbench.store.filters import CaseFilter
from workbench.trends import charts
from workbench.trends.emerging import METHOD, EmergingFlag, EmergingResult
from workbench.trends.headings import heading, translate_headings
from workbench.trends.pushdown import (
    StoreReportData,
    TrendFacts,
    detect_emerging_in_store,
    flag_series_in_store,
    method_shares_in_store,
    pushdown_supported,
    seasonal_profile_in_store,
    time_series_in_store,
    trend_facts,
)
from workbench.trends.series import (
    ENFORCEMENT_NOTE,
    FREQUENCIES,
    MEASURES,
    SPLITS,
    movers_periods,
    period_labels,
    time_series,
    top_movers,
    value_label,
    with_changes,
)
from workbench.trends.statistics import (
    REPORTS,
    ReportContext,
    ReportResult,
    catalogue_workbook,
    run_report,
    shares_table,
    span_label,
    table_csv,
    tidy_numbers,
    year_before_filter,
)
from workbench.ui import loaders
from workbench.ui.resources import data_version, get_store
from workbench.ui.state import get_state
from workbench.ui.widgets import data_table

if TYPE_CHECKING:
    import altair as alt

__all__ = [
    "enforcement_note",
    "routes_page_available",
    "routes_focus",
    "ROUTES_FOCUS",
    "builder_panel",
    "movers_panel",
    "methods_panel",
    "emerging_panel",
    "seasonal_panel",
    "statistics_catalogue",
    "series_for",
    "emerging_for",
]

_TTL = 600
#: What the Trends and Standard statistics pages read: the seizure data.
_CASES = ("cases",)
_ROOT = Path(__file__).resolve().parents[2]
_NONE = "(none)"
_VIEWS = {"lines": "line", "stacked areas": "area", "stacked bars": "bar", "small multiples": "multiples"}
#: What the chart selector shows for each key of :data:`_VIEWS` (the keys stay the widget's values).
_VIEW_LABELS = {
    "lines": N_("lines"),
    "stacked areas": N_("stacked areas"),
    "stacked bars": N_("stacked bars"),
    "small multiples": N_("small multiples"),
}
_SHOW = {
    "values": None,
    "change on previous period (%)": "change_pct",
    "change on a year before (%)": "yoy_pct",
}
_SHOW_LABELS = {
    "values": N_("values"),
    "change on previous period (%)": N_("change on previous period (%)"),
    "change on a year before (%)": N_("change on a year before (%)"),
}
#: What the movers compare with, the shares the methods view shows, the seasons it profiles.
_COMPARE = {"year": N_("the same period a year before"), "previous": N_("the previous period")}
_SHARES = {"case_share": N_("cases"), "quantity_share": N_("quantity"), "value_share": N_("estimated value")}
_SEASONS = {"M": N_("month"), "Q": N_("quarter"), "D": N_("weekday")}
#: Headings of the builder's table for the columns of :func:`workbench.trends.series.with_changes`.
_CHANGE_HEADINGS = {
    "previous": N_("previous period"),
    "change_pct": N_("change %"),
    "year_before": N_("a year before"),
    "yoy_change": N_("change on a year before"),
    "yoy_pct": N_("change on a year before %"),
    "rolling_mean": N_("rolling mean"),
    "value_usd": N_("value (USD)"),
}


def _split_label(name: str) -> str:
    return _("(none)") if name == _NONE else _(SPLITS[name].label)


def _frequency(freq: str) -> str:
    """The period's name (month, quarter, ...) in the language in force."""
    return _(FREQUENCIES[freq])


def enforcement_note() -> None:
    """The caveat every trend view shows."""
    st.info(_(ENFORCEMENT_NOTE), icon=":material/policy:")


def routes_page_available() -> bool:
    """Whether the Routes page is part of this app (it is another feature's page)."""
    from workbench.ui.navigation import discover_pages

    return any(p.path == "pages/routes.py" for specs in discover_pages(_ROOT).values() for p in specs)


# ------------------------------------------------------------------------------------ cached
@st.cache_data(ttl=_TTL, max_entries=64, show_spinner=False)
def _series(
    url: str,
    version: tuple[int, ...],
    flt: CaseFilter,
    by: tuple[str, ...],
    freq: str,
    measure: str,
    top: int | None,
    unit: str | None,
    lang: str,
) -> pd.DataFrame:
    # keyed on the language: the series' labels (regions, categories) are translated
    split = by[0] if len(by) == 1 else None
    # in the database (from the summaries where they answer it); splits it does not compute (routes,
    # several at once, weeks) from the frame
    if len(by) <= 1 and pushdown_supported(split, freq):
        return time_series_in_store(get_store(), flt, split, freq, measure, top=top, unit=unit)
    frame = loaders.seizure_frame(flt)
    if unit is not None:
        frame = frame[frame["unit"].astype("string").eq(unit).fillna(False).to_numpy()]
    return time_series(frame, by, freq, measure, top=top)


def series_for(
    flt: CaseFilter,
    by: tuple[str, ...],
    freq: str,
    measure: str,
    top: int | None = None,
    unit: str | None = None,
) -> pd.DataFrame:
    """:func:`workbench.trends.series.time_series` of the cached frame, cached per filter and choice."""
    return _series(get_store().url, data_version(*_CASES), flt, by, freq, measure, top, unit, language())


@st.cache_data(ttl=_TTL, max_entries=64, show_spinner=False)
def _facts(url: str, version: tuple[int, ...], flt: CaseFilter) -> TrendFacts:
    return trend_facts(get_store(), flt)


def facts_for(flt: CaseFilter) -> TrendFacts:
    """:func:`workbench.trends.pushdown.trend_facts` (cases, dates, units), counted in the database and
    cached per filter: what the tabs need before they ask for a series, without the seizure frame."""
    return _facts(get_store().url, data_version(*_CASES), flt)


@st.cache_data(ttl=_TTL, max_entries=64, show_spinner=False)
def _shares(
    url: str, version: tuple[int, ...], flt: CaseFilter, method: str, within: str | None, unit: str | None
) -> pd.DataFrame:
    return method_shares_in_store(get_store(), flt, method, within, unit)


def shares_for(flt: CaseFilter, method: str, within: str | None) -> pd.DataFrame:
    """:func:`workbench.trends.pushdown.method_shares_in_store` in the filter's main unit (from the cached
    :func:`facts_for`), cached per filter and choice."""
    unit = facts_for(flt).main_unit
    return _shares(get_store().url, data_version(*_CASES), flt, method, within, unit)


@st.cache_data(ttl=_TTL, max_entries=64, show_spinner=False)
def _season(
    url: str, version: tuple[int, ...], flt: CaseFilter, freq: str, split: str | None
) -> pd.DataFrame:
    return seasonal_profile_in_store(get_store(), flt, freq, split)


def season_for(flt: CaseFilter, freq: str, split: str | None) -> pd.DataFrame:
    """:func:`workbench.trends.pushdown.seasonal_profile_in_store`, cached per filter and choice."""
    return _season(get_store().url, data_version(*_CASES), flt, freq, split)


@st.cache_data(ttl=_TTL, max_entries=16, show_spinner=False)
def _emerging(
    url: str,
    version: tuple[int, ...],
    flt: CaseFilter,
    freq: str,
    baseline: int,
    fdr: float,
    min_count: int,
    lang: str,
) -> EmergingResult:
    # the tested period is the last complete one of the sidebar's period, when one is stated
    return detect_emerging_in_store(
        get_store(),
        flt,
        freq=freq,
        end=flt.date_to,
        baseline=baseline,
        fdr=fdr,
        min_count=min_count,
    )


def emerging_for(flt: CaseFilter, freq: str, baseline: int, fdr: float, min_count: int = 5) -> EmergingResult:
    """:func:`workbench.trends.pushdown.detect_emerging_in_store`, cached per filter and setting."""
    with st.spinner(_("Testing every series for a rise ...")):
        return _emerging(
            get_store().url, data_version(*_CASES), flt, freq, baseline, fdr, min_count, language()
        )


@st.cache_data(ttl=_TTL, max_entries=16, show_spinner=False)
def _flag_series(
    url: str, version: tuple[int, ...], flt: CaseFilter, label: str, freq: str, _flag: EmergingFlag
) -> pd.DataFrame:
    # keyed on the flag's label (with the filter and settings, it names the flag)
    return flag_series_in_store(get_store(), flt, _flag, freq)


def flag_series_for(flt: CaseFilter, flag: EmergingFlag, freq: str) -> pd.DataFrame:
    """:func:`workbench.trends.pushdown.flag_series_in_store` (the chart of a flag), cached."""
    return _flag_series(
        get_store().url, data_version(*_CASES), flt, f"{flag.label} {flag.period}", freq, flag
    )


@st.cache_resource(ttl=_TTL, max_entries=32, show_spinner=False)
def _report(url: str, version: tuple[int, ...], flt: CaseFilter, key: str, lang: str) -> ReportResult:
    # keyed on the language: a report's title, headings and labels are translated. Figures are computed
    # in the database; the seizure frame is read only by the reports that list seizures or routes
    data = StoreReportData(get_store(), flt, lambda: loaders.seizure_frame(flt), facts_for(flt))
    # the year-on-year report compares with the same days a year before, outside a period filter
    earlier = year_before_filter(data, flt) if key == "yoy_by_commodity" else None
    year_before = (
        StoreReportData(get_store(), earlier, lambda: loaders.seizure_frame(earlier))
        if earlier is not None
        else None
    )
    return run_report(key, data, flt, year_before=year_before)


# ------------------------------------------------------------------------------------ helpers
def _downloads(
    stem: str, key: str, *, table: pd.DataFrame | None = None, chart: Any = None, excel: Any = None
) -> None:
    """CSV (and Excel) of a table and PNG/SVG of a chart; files are made only when clicked."""
    row = st.container(horizontal=True)
    today = f"{dt.date.today():%Y%m%d}"
    if excel is not None:
        row.download_button(
            _("Excel"),
            data=excel,
            file_name=f"{stem}-{today}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key=f"{key}_xlsx",
            icon=":material/table_view:",
            on_click="ignore",
        )
    if table is not None:
        row.download_button(
            _("CSV"),
            data=lambda: table_csv(table),
            file_name=f"{stem}-{today}.csv",
            mime="text/csv",
            key=f"{key}_csv",
            icon=":material/csv:",
            on_click="ignore",
        )
    if chart is not None:
        row.download_button(
            _("PNG"),
            data=lambda: charts.chart_png(chart),
            file_name=f"{stem}-{today}.png",
            mime="image/png",
            key=f"{key}_png",
            icon=":material/image:",
            on_click="ignore",
        )
        row.download_button(
            _("SVG"),
            data=lambda: charts.chart_svg(chart).encode("utf-8"),
            file_name=f"{stem}-{today}.svg",
            mime="image/svg+xml",
            key=f"{key}_svg",
            icon=":material/draw:",
            on_click="ignore",
        )


def _number_columns(table: pd.DataFrame, formats: dict[str, str] | None = None) -> dict[str, Any]:
    """Thousands separators on numbers, shares as percentages, changes in % with their sign.

    The columns are found by their headings in the language in force: the shares by ``formats`` (the
    Excel formats per heading of :attr:`ReportResult.formats`, a percentage for a share), the change in %
    by its translated heading; never by English names."""
    shares = {c for c, f in (formats or {}).items() if f.endswith("%")}
    config: dict[str, Any] = {}
    for c in table.columns:
        name = str(c)
        if not pd.api.types.is_numeric_dtype(table[c]):
            continue
        if name in shares:
            config[name] = st.column_config.NumberColumn(format="percent")
        elif name == heading("change %"):
            config[name] = st.column_config.NumberColumn(format="%+.1f%%")
        elif name != heading("rank"):
            config[name] = st.column_config.NumberColumn(format="localized")
    return config


def _for_display(series: pd.DataFrame, *, headed: bool = True) -> pd.DataFrame:
    """The trend table as people read it: periods and values labelled, numbers tidied, and (``headed``)
    the columns headed in the language in force; a download keeps the column names (``headed=False``)."""
    out = series.copy()
    out["period"] = period_labels(series["period"]).to_numpy()
    for c in out.columns:
        if isinstance(out[c].dtype, pd.CategoricalDtype):
            out[c] = [value_label(c, v) for v in out[c].astype("string")]
    # headings people read: the split's label, the change columns' names, the measures' headings
    out = tidy_numbers(out)
    return out.rename(columns=lambda c: _heading(str(c))) if headed else out


def _heading(column: str) -> str:
    if column in SPLITS:
        return _split_label(column)
    if column in _CHANGE_HEADINGS:
        return _(_CHANGE_HEADINGS[column])
    return heading(column)


# ------------------------------------------------------------------------------------ builder
def builder_panel(flt: CaseFilter) -> None:
    """Measure, split, period and view; the chart, its table and downloads."""
    facts = facts_for(flt)
    c1, c2, c3, c4, c5 = st.columns([1.2, 1.6, 1, 1.2, 0.8])
    measure = c1.selectbox(
        _("Measure"),
        list(MEASURES),
        format_func=lambda m: _(MEASURES[m]),
        key="trends_measure",
        persist_state="session",
    )
    split = c2.selectbox(
        _("Split by"),
        [_NONE, *SPLITS],
        format_func=_split_label,
        index=1,
        key="trends_split",
        persist_state="session",
    )
    freq = c3.selectbox(
        _("Period"),
        list(FREQUENCIES),
        index=2,
        format_func=_frequency,
        key="trends_freq",
        persist_state="session",
    )
    view = c4.selectbox(
        _("Chart"),
        list(_VIEWS),
        format_func=lambda v: _(_VIEW_LABELS[v]),
        key="trends_view",
        persist_state="session",
    )
    top = int(
        c5.number_input(
            _("Series"),
            1,
            30,
            8,
            key="trends_top",
            persist_state="session",
            help=_("largest N; the rest are (other)"),
        )
    )
    unit = None
    if measure == "quantity":
        c6, c7, c8 = st.columns([1.2, 2.6, 1.2], vertical_alignment="bottom")
        units = sorted(facts.units)
        default = facts.main_unit
        unit = c6.selectbox(
            _("Unit"),
            units,
            index=units.index(default) if default in units else 0,
            key="trends_unit",
            help=_("Quantities are never added across units."),
        )
    else:
        c7, c8 = st.columns([3.8, 1.2], vertical_alignment="bottom")
    show = c7.segmented_control(
        _("Show"),
        list(_SHOW),
        format_func=lambda v: _(_SHOW_LABELS[v]),
        default="values",
        key="trends_show",
        persist_state="session",
    )
    rolling = c8.toggle(_("Rolling mean (3)"), key="trends_rolling", persist_state="session")
    by = () if split == _NONE else (split,)
    series = series_for(flt, by, freq, measure, top if by else None, unit)
    if series.empty:
        st.warning(_("No case matches the filters. Widen the period or clear a filter in the sidebar."))
        return
    changes = with_changes(series, measure, window=3)
    if by:
        values = [v for v in series[split].astype("string").unique()]
        picked = st.multiselect(
            _("Only these series"),
            values,
            format_func=lambda v: value_label(split, v),
            key="trends_values",
            placeholder=_("all shown"),
        )
        if picked:
            changes = changes[changes[split].astype("string").isin(picked)]
    column = _SHOW.get(show or "values") or measure
    what = _("quantity ({unit})", unit=unit) if measure == "quantity" and unit else _(MEASURES[measure])
    if by:
        title = _(
            "{what} per {period} by {split}", what=what, period=_frequency(freq), split=_split_label(split)
        )
    else:
        title = _("{what} per {period}", what=what, period=_frequency(freq))
    if column != measure:
        title = _("{shown} — {title}", shown=_(_SHOW_LABELS[show or "values"]), title=title)
    chart: alt.Chart | alt.LayerChart | alt.FacetChart
    if _VIEWS[view] == "multiples" and by:
        chart = charts.small_multiples(changes, column, title=title)
    else:
        chart = charts.series_chart(
            changes,
            column,
            title=title,
            kind=_VIEWS[view] if _VIEWS[view] != "multiples" else "line",
            rolling=rolling and column == measure,
        )
    # the chart's own subtitle says the period and the filter, so that a downloaded PNG or SVG does too
    periods = pd.PeriodIndex(changes["period"])
    chart = charts.with_subtitle(
        chart,
        [
            _(
                "Period: {span}",
                span=span_label(periods.min().start_time, periods.max().end_time.normalize()),
            ),
            _("Filter: {filter}", filter=flt.replace(date_from=None, date_to=None).describe()),
        ],
    )
    st.altair_chart(chart, width="stretch", key="trends_chart")
    table = _for_display(changes)
    with st.expander(_("Table"), expanded=False):
        data_table(table, hide_index=True, width="stretch", column_config=_number_columns(table))
    _downloads(
        f"trend-{measure}-{split}-{freq}".replace("_", "-"),
        "trends_dl",
        table=_for_display(changes, headed=False),
        chart=chart,
    )


# ------------------------------------------------------------------------------------ movers
def movers_panel(flt: CaseFilter) -> None:
    """The series that moved most in the last complete period."""
    facts = facts_for(flt)
    if not facts.cases:
        st.warning(_("No case matches the filters."))
        return
    c1, c2, c3, c4 = st.columns(4)
    split = c1.selectbox(
        _("Split by"),
        list(SPLITS),
        format_func=_split_label,
        index=1,
        key="movers_split",
        persist_state="session",
    )
    freq = c2.selectbox(
        _("Period"),
        ["M", "Q", "Y"],
        index=1,
        format_func=_frequency,
        key="movers_freq",
        persist_state="session",
    )
    compare = c3.selectbox(
        _("Compared with"),
        list(_COMPARE),
        format_func=lambda c: _(_COMPARE[c]),
        key="movers_compare",
        persist_state="session",
    )
    n = int(c4.number_input(_("Rows"), 5, 50, 15, key="movers_n", persist_state="session"))
    observed = ReportContext.of_dates(facts.first, facts.last, flt)
    periods = (
        movers_periods(observed.start, observed.end, freq, compare)
        if observed.start is not None and observed.end is not None
        else None
    )
    if periods is None:
        st.info(
            _(
                "The period in the sidebar ({period}) holds no whole {unit}: choose a shorter period here or "
                "widen the dates.",
                period=observed.period_label(),
                unit=_frequency(freq),
            )
        )
        return
    last, earlier = periods
    # the period compared with may lie before the filter's start: read it too (else it counts as zero)
    wide = flt
    if flt.date_from and earlier.start_time.date() < flt.date_from:
        wide = flt.replace(date_from=earlier.start_time.date())
    series = series_for(wide, (split,), freq, "cases")
    series = series[pd.PeriodIndex(series["period"]) <= last]
    movers = top_movers(series, "cases", period=last, compare=compare, n=n)
    label, earlier_label = period_labels(pd.PeriodIndex([last, earlier])).tolist()
    st.caption(
        _(
            "Cases in {label} (the last whole {unit} of {period}) against {earlier}.",
            label=label,
            unit=_frequency(freq),
            period=observed.period_label(),
            earlier=earlier_label,
        )
    )
    if movers.empty:
        st.info(_("Nothing moved in that period."))
        return
    chart = charts.movers_chart(movers, [split], title=_("Largest changes in cases, {label}", label=label))
    st.altair_chart(chart, width="stretch")
    table = tidy_numbers(
        movers.assign(**{split: [value_label(split, v) for v in movers[split].astype("string")]})
        .drop(columns="period")
        .rename(
            columns={
                split: _split_label(split),
                "current": _("cases {period}", period=label),
                "before": _("cases {period}", period=earlier_label),
                "change_pct": _("change %"),
                "change": _("change"),
            }
        )
    )
    data_table(table, hide_index=True, width="stretch", column_config=_number_columns(table))
    _downloads(f"movers-{split}-{freq}".replace("_", "-"), "movers_dl", table=table, chart=chart)


# ------------------------------------------------------------------------------------ methods
def methods_panel(flt: CaseFilter) -> None:
    """Share of cases and of quantity by detection method (or concealment, mode), per transport mode etc."""
    if facts_for(flt).cases == 0:
        st.warning(_("No case matches the filters."))
        return
    c1, c2, c3 = st.columns(3)
    methods = ["detection_method", "concealment_method", "transport_mode"]
    method = c1.selectbox(
        _("Method"), methods, format_func=_split_label, key="methods_method", persist_state="session"
    )
    withins = [
        w for w in ("transport_mode", "commodity_category", "wco_region", "detection_method") if w != method
    ]
    within = c2.selectbox(
        _("Per"), [*withins, _NONE], format_func=_split_label, key="methods_within", persist_state="session"
    )
    what = c3.selectbox(
        _("Share of"),
        list(_SHARES),
        format_func=lambda s: _(_SHARES[s]),
        key="methods_value",
        persist_state="session",
    )
    within_split = None if within == _NONE else within
    shares = shares_for(flt, method, within_split)
    unit = shares["unit"].iloc[0] if len(shares) else None
    if what == "case_share":
        share = _("cases")
    elif what == "quantity_share":
        share = _("quantity ({unit})", unit=unit)
    else:
        share = _("value")
    if within_split:
        title = _(
            "Share of {share} by {method}, per {within}",
            share=share,
            method=_split_label(method),
            within=_split_label(within_split),
        )
    else:
        title = _("Share of {share} by {method}", share=share, method=_split_label(method))
    chart = charts.shares_chart(shares, method, within_split, what, title=title)
    st.altair_chart(chart, width="stretch")
    st.caption(
        _(
            "A method with a larger share of the quantity than of the cases finds the large seizures. "
            "Quantities are in {unit} only (other units are left out of the quantity shares).",
            unit=unit,
        )
    )
    named = shares_table(shares, method, within_split)
    # the share columns are known by the library's own names, before the headings are translated
    percent = {heading(str(c)) for c in named.columns if str(c).startswith("share")}
    table = translate_headings(named)
    data_table(
        table,
        hide_index=True,
        width="stretch",
        column_config={c: st.column_config.NumberColumn(format="percent") for c in percent},
    )
    _downloads(f"methods-{method}".replace("_", "-"), "methods_dl", table=table, chart=chart)


# ------------------------------------------------------------------------------------ emerging
def _significance(q: float) -> str:
    return "< 0.001" if q < 0.001 else f"{q:.3f}"


#: Key of :data:`AppState.extras` through which a Trends flag hands its route to the Routes page.
ROUTES_FOCUS = "routes.focus"


def routes_focus(flag: EmergingFlag, previous: CaseFilter) -> dict[str, Any]:
    """What the Routes page needs to show a flagged series: ``state.extras["routes.focus"]``.

    Keys: ``origin`` and ``destination`` (ISO2 codes, None when the series does not fix them),
    ``inferred`` (the destination was inferred from the reporting country of an import),
    ``commodity`` (the commodity type, else the category, else None) with ``commodity_type`` and
    ``commodity_category``, ``filter`` (the :class:`CaseFilter` narrowed to the series over its
    baseline and period, also put in ``state.filter``), ``previous_filter`` (the filter before
    narrowing, to restore), ``label`` (the flag's name, e.g. ``"cocaine on the route Brazil → France"``)
    and ``source`` (``"trends.emerging"``).
    """
    key = flag.key
    route = flag.route()
    origin, destination = (
        route if route is not None else (key.get("origin_country"), key.get("destination_country"))
    )
    commodity_type = key.get("commodity_type")
    commodity_category = key.get("commodity_category")
    return {
        "origin": origin,
        "destination": destination,
        "inferred": str(key.get("route", "")).endswith("(inferred)"),
        "commodity": commodity_type or commodity_category,
        "commodity_type": commodity_type,
        "commodity_category": commodity_category,
        "filter": flag.case_filter(previous),
        "previous_filter": previous,
        "label": flag.label,
        "source": "trends.emerging",
    }


def _go_to_routes(flag: EmergingFlag) -> None:
    state = get_state()
    focus = routes_focus(flag, state.filter)
    state.extras[ROUTES_FOCUS] = focus
    # the key the Routes page reads to restore the filter in force before this narrowing
    state.extras["routes.previous_filter"] = focus["previous_filter"]
    state.filter = focus["filter"]
    if focus["origin"] and focus["destination"]:
        state.selected_route = (focus["origin"], focus["destination"])
    st.switch_page("pages/routes.py")


def emerging_panel(flt: CaseFilter) -> None:
    """Settings, the flagged series with their sentences, and the chart of the selected one."""
    state = get_state()
    c1, c2, c3, c4 = st.columns(4)
    freq = c1.selectbox(
        _("Period"),
        ["Q", "M"],
        format_func=_frequency,
        key="emerging_freq",
        persist_state="session",
    )
    baseline = int(
        c2.number_input(_("Baseline periods"), 3, 24, 8, key="emerging_baseline", persist_state="session")
    )
    fdr = c3.selectbox(
        _("False discovery rate"),
        [0.01, 0.05, 0.10],
        index=1,
        key="emerging_fdr",
        persist_state="session",
        help=_("Expected share of false flags among all flags (Benjamini-Hochberg)."),
    )
    min_count = int(
        c4.number_input(_("Minimum cases"), 1, 100, 5, key="emerging_min", persist_state="session")
    )
    if facts_for(flt).cases == 0:
        st.warning(_("No case matches the filters."))
        return
    try:
        result = emerging_for(flt, freq, baseline, float(fdr), min_count)
    except ValueError as e:
        st.warning(
            _(
                "Emerging trends need a longer period than the filters leave: {error}. Widen the period in the "
                "sidebar or lower the baseline periods.",
                error=e,
            )
        )
        return
    st.markdown(f"**{result.describe()}**")
    with st.expander(_("Method"), expanded=False):
        st.markdown(_(METHOD))
        od = ", ".join(f"{k}: {v:.3f}" for k, v in result.overdispersion.items())
        st.caption(
            _("Overdispersion α estimated per kind of series: {od}. Details in docs/trends.md.", od=od)
        )
    if not result.flags:
        st.info(_("No series rose beyond what its baseline and noise explain."))
        return
    table = result.table()
    shown = pd.DataFrame(
        {
            "series": table["series"],
            "cases": table["observed"],
            "expected": table["expected"],
            "observed / expected": table["ratio"],
            "q": [_significance(q) for q in table["q_value"]],
        }
    )
    event = data_table(
        shown,
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="single-row",
        key="emerging_table",
        column_config={
            "series": st.column_config.TextColumn(_("flagged series"), width="large"),
            "cases": st.column_config.NumberColumn(_("cases")),
            "expected": st.column_config.NumberColumn(_("expected"), format="%.1f"),
            "observed / expected": st.column_config.NumberColumn(_("observed / expected"), format="%.1f×"),
            "q": st.column_config.TextColumn(
                _("q (false discovery)"), help=_("Benjamini-Hochberg adjusted p-value")
            ),
        },
    )
    rows = event.selection.rows if event and event.selection else []
    if rows:
        state.extras["trends.flag"] = result.flags[rows[0]].label
    chosen = state.extras.get("trends.flag")
    flag = next((f for f in result.flags if f.label == chosen), None)
    _downloads("emerging-trends", "emerging_dl", table=table)
    if flag is None:
        st.caption(_("Select a row to see its chart."))
        return
    series = flag_series_for(flt, flag, freq)
    chart = charts.flag_chart(series, flag)
    st.altair_chart(chart, width="stretch", key="emerging_chart")
    st.markdown(flag.sentence)
    if routes_page_available():
        route = flag.route()
        label = (
            _("Show {route} on the Routes map", route=value_label("route", " → ".join(route)))
            if route
            else _("Show on the Routes map")
        )
        if st.button(label, icon=":material/map:", key="emerging_to_routes"):
            _go_to_routes(flag)
        st.caption(
            _(
                "Narrows the sidebar filter to this series from {start} to {end}; the Routes page can restore "
                "the filter you had.",
                start=format_date(flag.baseline_start),
                end=format_date(flag.period_end),
            )
        )
    else:
        st.caption(_("The Routes map is not part of this app, so there is no map link."))


# ------------------------------------------------------------------------------------ season
def seasonal_panel(flt: CaseFilter) -> None:
    """The seasonal profile by month, quarter or weekday, overall or for the largest series."""
    if facts_for(flt).cases == 0:
        st.warning(_("No case matches the filters."))
        return
    c1, c2 = st.columns(2)
    freq = c1.selectbox(
        _("Season"),
        list(_SEASONS),
        format_func=lambda s: _(_SEASONS[s]),
        key="season_freq",
        persist_state="session",
    )
    split = c2.selectbox(
        _("Split by (largest 4)"),
        [_NONE, "commodity_category", "transport_mode", "wco_region"],
        format_func=_split_label,
        key="season_split",
        persist_state="session",
    )
    profile = season_for(flt, freq, None if split == _NONE else split)
    chart = charts.seasonal_chart(profile, title=_("Seasonal profile (1 = average)"))
    st.altair_chart(chart, width="stretch")
    st.caption(
        _(
            "Each season's cases divided by the mean of its year (its week, for weekdays), averaged over the "
            "complete years in the data, so that a trend does not pass for a season."
        )
    )
    _downloads("seasonal-profile", "season_dl", table=profile, chart=chart)


# ------------------------------------------------------------------------------------ statistics
def statistics_catalogue(flt: CaseFilter) -> None:
    """Pick a standard report; show its chart and table; download Excel, CSV, PNG and SVG."""
    key = st.selectbox(
        _("Report"),
        list(REPORTS),
        format_func=lambda k: _(REPORTS[k].title),
        key="stats_report",
        persist_state="session",
    )
    with st.spinner(_("Building the report ...")):
        rep = _report(get_store().url, data_version(*_CASES), flt, key, language())
    st.markdown(f"**{rep.heading}**")
    st.caption(rep.description)
    if rep.table.empty:
        if facts_for(flt).cases == 0:
            st.warning(_("No case matches the filters. Widen the period or clear a filter in the sidebar."))
        else:
            st.info(_("This report has nothing to show for the cases matching the filters."))
        return
    if rep.chart is not None:
        st.altair_chart(rep.chart, width="stretch", key="stats_chart")
    data_table(
        rep.table,
        hide_index=True,
        width="stretch",
        height=min(38 + 35 * len(rep.table), 460),
        column_config=_number_columns(rep.table, rep.formats),
    )
    _downloads(
        rep.key.replace("_", "-"),
        f"stats_{key}",
        table=rep.table,
        chart=rep.chart,
        excel=lambda: rep.to_excel(),
    )
    st.divider()
    if st.button(_("Prepare every report in one workbook"), icon=":material/library_books:", key="stats_all"):
        results = [_report(get_store().url, data_version(*_CASES), flt, k, language()) for k in REPORTS]
        st.download_button(
            ngettext("Download {n} report (.xlsx)", "Download {n} reports (.xlsx)", len(results)),
            data=catalogue_workbook(results),
            file_name=f"standard-statistics-{dt.date.today():%Y%m%d}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key="stats_all_dl",
            on_click="ignore",
        )
