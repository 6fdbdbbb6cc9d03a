"""Streamlit glue of the Routes page: the cached flow base, the controls, the map with its selection,
the cases behind a selection, hubs, emerging routes and the briefing exports.

State that must survive reruns and page switches lives in ``AppState.extras`` under ``routes.*``:
the options, the month and window, the selection (a :class:`workbench.routes.flows.Selection`), the
view of the map (its initial view state never changes between reruns, so deck.gl keeps the user's
pan and zoom), and whether the period is playing.
"""

from __future__ import annotations

import datetime as dt
import time
from functools import partial
from typing import Any

import pandas as pd
import streamlit as st

from workbench.exchange.writers import csv_bytes
from workbench.i18n import N_, _, language, ngettext
from workbench.routes.flows import (
    FlowBase,
    Selection,
    cases_behind,
    cases_table,
    month_label,
    prepare_flows,
    window_months,
)
from workbench.routes.maps import (
    DEFAULT_VIEW,
    MapData,
    MapOptions,
    fitted_view,
    legend_entries,
    map_data,
    route_deck,
    selection_from_pick,
)
from workbench.routes.pushdown import case_flow_base, flow_units_in_store, route_flows_in_store
from workbench.store.filters import CaseFilter
from workbench.ui import loaders
from workbench.ui.resources import data_version, get_store
from workbench.ui.state import get_state
from workbench.ui.widgets import column_label, data_table, date_column, open_case

__all__ = [
    "flow_base",
    "seizure_base",
    "arrive",
    "sent_route",
    "PREVIOUS_FILTER_KEY",
    "play_interval",
    "map_options",
    "period_controls",
    "map_panel",
    "selection_table",
    "hubs_panel",
    "emerging_panel",
    "emerging_table",
    "COMPARE_MONTHS",
    "flows_table",
    "export_panel",
    "selection_from_event",
    "MAP_KEY",
]

MAP_KEY = "routes_map"
PLAY_SECONDS = 1.5
WINDOWS: dict[str, int | None] = {
    "cumulative": None,
    "1 month": 1,
    "3 months": 3,
    "6 months": 6,
    "12 months": 12,
    "24 months": 24,
}
#: What the window selector shows for each key of :data:`WINDOWS` (the keys stay the widget's values).
WINDOW_LABELS: dict[str, str] = {
    "cumulative": N_("cumulative"),
    "1 month": N_("1 month"),
    "3 months": N_("3 months"),
    "6 months": N_("6 months"),
    "12 months": N_("12 months"),
    "24 months": N_("24 months"),
}
_TTL = 600
#: What the Routes page reads: the seizure data.
_CASES = ("cases",)


def _extras() -> dict[str, Any]:
    return get_state().extras


# ---------------------------------------------------------------- data
@st.cache_resource(ttl=_TTL, max_entries=4, show_spinner=N_("Grouping the routes ..."))
def _flow_base(url: str, version: tuple[int, ...], flt: CaseFilter) -> FlowBase:
    return case_flow_base(get_store(), flt)


def flow_base(flt: CaseFilter) -> FlowBase:
    """The cases of ``flt``, one row each, prepared for flows (:func:`case_flow_base`: months, places,
    shading, hubs, emerging routes); cached per store, data version and filter; read-only. The flows
    themselves are grouped in the database (:func:`route_flows_in_store`)."""
    return _flow_base(get_store().url, data_version(*_CASES), flt)


@st.cache_resource(ttl=_TTL, max_entries=4, show_spinner=N_("Grouping the routes ..."))
def _seizure_base(url: str, version: tuple[int, ...], flt: CaseFilter) -> FlowBase:
    return prepare_flows(loaders.seizure_frame(flt))


def seizure_base(flt: CaseFilter) -> FlowBase:
    """The seizure frame of ``flt`` (one row per item) prepared for flows: read only when the cases
    behind a selection are listed (their goods, a commodity's cases); cached, read-only."""
    return _seizure_base(get_store().url, data_version(*_CASES), flt)


@st.cache_data(ttl=_TTL, max_entries=16, show_spinner=False)
def _units(url: str, version: tuple[int, ...], flt: CaseFilter) -> list[str]:
    return flow_units_in_store(get_store(), flt)


@st.cache_data(ttl=_TTL, max_entries=64, show_spinner=False)
def _map_data(
    url: str,
    version: tuple[int, ...],
    flt: CaseFilter,
    options: MapOptions,
    window: tuple[int, int] | None,
    lang: str,
) -> MapData:
    # keyed on the language: the flows' labels and tooltips are translated; the flows are grouped in
    # the database, the rest (places, shading, totals) comes from the case-level base
    return map_data(flow_base(flt), options, window, flows_of=partial(route_flows_in_store, get_store(), flt))


#: Where another page may leave the filter in force before it narrowed it for Routes (so that "clear"
#: restores exactly that); without it, "clear" restores the filter Routes last drew, or none.
PREVIOUS_FILTER_KEY = "routes.previous_filter"


@st.cache_resource(ttl=_TTL, max_entries=16, show_spinner=False)
def _deck(
    url: str,
    version: tuple[int, ...],
    flt: CaseFilter,
    options: MapOptions,
    window: tuple[int, int] | None,
    lang: str,
    view: tuple[tuple[str, float], ...],
) -> Any:
    """The map's deck with its JSON made once (read-only): a rerun that does not change the map (a
    pick, a tab, the emerging settings) neither rebuilds nor re-serialises it."""
    return route_deck(_map_data(url, version, flt, options, window, lang), dict(view))


def arrive(flt: CaseFilter) -> None:
    """On arrival with another shared filter (e.g. from the Trends page): show its whole period and
    drop a selection that belonged to the old data. A route sent in ``AppState.selected_route`` (one
    Routes did not set itself) is selected and drawn in gold, with a notice that offers to clear it
    and restore the filter in force before."""
    state = get_state()
    ex = _extras()
    before = ex.get("routes.filter")
    sent_route = state.selected_route if state.selected_route != ex.get("routes.route_seen") else None
    previous = ex.pop(PREVIOUS_FILTER_KEY, None)
    if before != flt:
        ex["routes.filter"] = flt
        for k in ("routes.month", "routes.selection", "routes.seen", "routes.playing", "routes.sent"):
            ex.pop(k, None)
        st.session_state.pop("routes_month", None)
    if sent_route is not None or (previous is not None and previous != flt):
        if previous is None:
            previous = before if before is not None and before != flt else CaseFilter()
        ex["routes.sent"] = {"route": sent_route, "previous": previous, "filter": flt}
        ex["routes.route_seen"] = sent_route
        if sent_route is not None:
            ex["routes.selection"] = Selection(
                "flow", origin=sent_route[0], destination=sent_route[1], mode="od", level="country"
            )
    sent = ex.get("routes.sent")
    if sent is not None:
        _sent_notice(sent)


def sent_route() -> tuple[str, str] | None:
    """The route another page sent to be highlighted (None: none, or it was cleared)."""
    sent = _extras().get("routes.sent")
    return sent["route"] if sent else None


def _clear_sent() -> None:
    state = get_state()
    ex = _extras()
    sent = ex.pop("routes.sent", None)
    if sent is None:
        return
    # shown in the sidebar's widgets now, in this callback, as its own Reset does: seeded later in the
    # run, Chromium kept the narrowed date range in the date input and sent it back
    from workbench.ui.sidebar import set_filter

    set_filter(sent["previous"])
    state.selected_route = None
    ex["routes.route_seen"] = None
    ex.pop("routes.selection", None)


def _sent_notice(sent: dict[str, Any]) -> None:
    from workbench.routes.maps import node_name

    route = sent["route"]
    narrowed = dict(narrowed=sent["filter"].describe(), previous=sent["previous"].describe())
    text, button = st.columns([5, 1.3], vertical_alignment="center")
    text.info(
        _(
            "The route **{origin} → {destination}** is drawn in gold and its cases are listed below the map. "
            "The filter was narrowed to: {narrowed}. **Clear** goes back to: {previous}.",
            origin=node_name(route[0], "country"),
            destination=node_name(route[1], "country"),
            **narrowed,
        )
        if route
        else _("The filter was narrowed to: {narrowed}. **Clear** goes back to: {previous}.", **narrowed),
        icon=":material/alt_route:",
    )
    button.button(
        _("Clear"), key="routes_clear_sent", on_click=_clear_sent, icon=":material/undo:", width="stretch"
    )


def play_interval() -> float | None:
    """Seconds between frames while the period plays, else None (the fragment's ``run_every``)."""
    return PLAY_SECONDS if _extras().get("routes.playing") else None


def _remember(key: str, default: Any) -> None:
    """Seed a widget from ``AppState.extras`` (widget values do not survive a page switch)."""
    if key not in st.session_state:
        st.session_state[key] = _extras().get(f"routes.{key}", default)


def _keep(key: str) -> None:
    _extras()[f"routes.{key}"] = st.session_state[key]


# ---------------------------------------------------------------- controls
def map_options(flt: CaseFilter) -> MapOptions:
    """The map's options, read from widgets in one row (values kept across page switches)."""
    units = _units(get_store().url, data_version(*_CASES), flt)
    width_choices = ["cases", *[f"quantity_{u}" for u in units]]
    specs: list[tuple[str, str, list[Any], Any, Any]] = [
        (
            "routes_mode",
            _("Flows"),
            ["legs", "od"],
            "legs",
            lambda v: _({"legs": N_("legs (each hop)"), "od": N_("origin → destination")}[v]),
        ),
        (
            "routes_level",
            _("Level"),
            ["country", "region"],
            "country",
            lambda v: _({"country": N_("country"), "region": N_("WCO region")}[v]),
        ),
        (
            "routes_by",
            _("Colour"),
            ["category", "none"],
            "category",
            lambda v: _({"category": N_("by commodity category"), "none": N_("one colour")}[v]),
        ),
        (
            "routes_width",
            _("Width by"),
            width_choices,
            "cases",
            lambda v: _("cases") if v == "cases" else _("quantity, {unit}", unit=v.removeprefix("quantity_")),
        ),
        (
            "routes_shading",
            _("Shade countries by"),
            ["reported", "departing", "destined"],
            "reported",
            lambda v: _(
                {
                    "reported": N_("cases reported"),
                    "departing": N_("cases departing"),
                    "destined": N_("cases destined"),
                }[v]
            ),
        ),
        (
            "routes_hotspots",
            _("Hotspots"),
            ["heatmap", "off"],
            "heatmap",
            lambda v: _({"heatmap": N_("heatmap"), "off": N_("off")}[v]),
        ),
    ]
    # two rows of four: seven controls in one row cut their choices short ("legs (each hop", ...)
    cols = [*st.columns(4), *st.columns(4)]
    values: dict[str, Any] = {}
    for col, (key, label, options, default, fmt) in zip(cols, specs, strict=False):
        _remember(key, default)
        if st.session_state[key] not in options:
            st.session_state[key] = default
        values[key] = col.selectbox(label, options, key=key, format_func=fmt, on_change=_keep, args=(key,))
    _remember("routes_top", 40)
    top = cols[len(specs)].number_input(
        _("Top routes"),
        min_value=1,
        max_value=300,
        step=5,
        key="routes_top",
        on_change=_keep,
        args=("routes_top",),
    )
    return MapOptions(
        mode=values["routes_mode"],
        level=values["routes_level"],
        by=values["routes_by"],
        width_by=values["routes_width"],
        shading=values["routes_shading"],
        top=int(top),
        hotspots=values["routes_hotspots"],
        highlight=sent_route(),
    )


def _toggle_play(months: list[int]) -> None:
    ex = _extras()
    playing = not ex.get("routes.playing", False)
    ex["routes.playing"] = playing
    if playing and st.session_state.get("routes_month") == months[-1]:
        length = WINDOWS[st.session_state.get("routes_window", "cumulative")]
        st.session_state["routes_month"] = months[0] + (length - 1 if length else 0)
        ex["routes.month"] = st.session_state["routes_month"]
    ex["routes.tick"] = time.monotonic()


def _step(months: list[int], delta: int) -> None:
    cur = st.session_state.get("routes_month", months[-1])
    st.session_state["routes_month"] = int(min(months[-1], max(months[0], cur + delta)))
    _extras()["routes.month"] = st.session_state["routes_month"]


def period_controls(base: FlowBase) -> tuple[int, int] | None:
    """Month slider, window length, step and play buttons; returns the window ``(first, last)``."""
    months = base.months
    if not months:
        st.info(_("No seizure date in these cases."))
        return None
    ex = _extras()
    _remember("routes_window", "cumulative")
    if "routes_month" not in st.session_state:
        st.session_state["routes_month"] = ex.get("routes.month", months[-1])
    if st.session_state["routes_month"] not in months:
        st.session_state["routes_month"] = months[-1]
    # while playing, each run of the fragment that comes after the interval shows the next month
    if ex.get("routes.playing") and time.monotonic() - ex.get("routes.tick", 0.0) >= PLAY_SECONDS * 0.8:
        ex["routes.tick"] = time.monotonic()
        if st.session_state["routes_month"] >= months[-1]:
            ex["routes.playing"] = False
        else:
            st.session_state["routes_month"] += 1
    ex["routes.month"] = st.session_state["routes_month"]
    c_slider, c_window, c_back, c_play, c_fwd = st.columns(
        [5.5, 1.4, 0.45, 1.0, 0.45], vertical_alignment="bottom"
    )
    month = c_slider.select_slider(
        _("Month"),
        options=months,
        key="routes_month",
        format_func=month_label,
        on_change=_keep,
        args=("routes_month",),
    )
    window_name = c_window.selectbox(
        _("Window"),
        list(WINDOWS),
        key="routes_window",
        format_func=lambda w: _(WINDOW_LABELS[w]),
        on_change=_keep,
        args=("routes_window",),
        help=_("cumulative: from the first month to the one on the slider; otherwise the months up to it"),
    )
    c_back.button("◀", key="routes_back", on_click=_step, args=(months, -1), help=_("one month back"))
    playing = bool(ex.get("routes.playing"))
    c_play.button(
        _("Pause") if playing else _("Play"),
        key="routes_play",
        on_click=_toggle_play,
        args=(months,),
        icon=":material/pause:" if playing else ":material/play_arrow:",
        help=_("step through the months"),
    )
    c_fwd.button("▶", key="routes_fwd", on_click=_step, args=(months, 1), help=_("one month forward"))
    window = window_months(months, int(month), WINDOWS[window_name])
    return window


# ---------------------------------------------------------------- map and selection
def selection_from_event(event: Any, data: MapData) -> Selection | None:
    """A :class:`Selection` from the chart's selection event (None: nothing picked on this data); see
    :func:`workbench.routes.maps.selection_from_pick`."""
    try:
        objects = dict(event.selection.objects)
    except AttributeError:
        return None
    return selection_from_pick(objects, data)


def _legend(data: MapData) -> None:
    leg = legend_entries(data)

    def swatch(sc: list[int], tc: list[int]) -> str:
        return (
            "<span style='display:inline-block;width:34px;height:6px;margin:0 6px 1px 0;vertical-align:middle;"
            f"background:linear-gradient(90deg,rgba({sc[0]},{sc[1]},{sc[2]},.8),rgb({tc[0]},{tc[1]},{tc[2]}))'></span>"
        )

    items = [f"{swatch(sc, tc)}{name.replace('_', ' ')}" for name, (sc, tc) in leg["colours"].items()]
    items.append(swatch(*leg["inferred"]) + _("destination inferred"))
    st.markdown(
        "<div style='font-size:0.85rem;line-height:1.7'>" + "\u2003".join(items) + "</div>",
        unsafe_allow_html=True,
    )
    st.caption(
        _(
            "{direction}; {width}; {shading}. {inferred_note}. Dots: places of seizure, sized by cases. Click an "
            "arc, a place or a country to list its cases.",
            direction=leg["direction"].capitalize(),
            width=leg["width"],
            shading=leg["shading"],
            inferred_note=leg["inferred_note"].capitalize(),
        )
    )


def map_panel(flt: CaseFilter, options: MapOptions, window: tuple[int, int] | None) -> MapData:
    """Draw the map, read the user's pick into ``routes.selection``; returns the map's data."""
    ex = _extras()
    key = (get_store().url, data_version(*_CASES), flt, options, window, language())
    data = _map_data(*key)
    # the view fits the filtered data; it is fitted again when the filter or the map's flows change, and
    # kept otherwise (a rerun, a pick) so that it does not jump
    fit_key = (flt, options.mode, options.level, options.top)
    if ex.get("routes.view_fit") != fit_key or "routes.view" not in ex:
        ex["routes.view"] = fitted_view(data) if len(data.flows) else dict(DEFAULT_VIEW)
        ex["routes.view_fit"] = fit_key
    view = ex["routes.view"]
    deck = _deck(*key, tuple(sorted(view.items())))
    shown = data.flows[["origin", "destination"]].drop_duplicates().shape[0]
    values = dict(window=data.window_label, n=data.total_cases, shown=shown)
    if options.mode == "legs":
        caption = _("**{window}**: {n:,} cases; the {shown} busiest legs drawn", **values)
    else:
        caption = _(
            "**{window}**: {n:,} cases; the {shown} busiest origin → destination pairs drawn", **values
        )
    if options.level == "region":
        caption = _("{caption} (internal flows of a region are in the Flows tab)", caption=caption)
    st.caption(caption)
    # the chart's widget state is gone after a page switch (e.g. a case was opened): its first empty
    # event then means "nothing picked yet", not "the user cleared the pick"
    fresh = MAP_KEY not in st.session_state
    event = st.pydeck_chart(
        deck,
        on_select="rerun",
        selection_mode="single-object",
        key=MAP_KEY,
        height=600,
        alt=_("Map of trafficking routes: arcs between countries, places of seizure and hotspots"),
    )
    picked = selection_from_event(event, data)
    seen_token, seen = ex.get("routes.seen", (None, None))
    if picked is not None and picked != seen:
        ex["routes.selection"] = picked
        if picked.kind == "flow" and picked.level == "country":  # other pages may follow the route
            get_state().selected_route = ex["routes.route_seen"] = (picked.origin, picked.destination)
    elif picked is None and seen is not None and seen_token == data.token and not fresh:
        ex.pop("routes.selection", None)  # the user cleared the pick on the same data
    ex["routes.seen"] = (data.token, picked)
    for note in data.notes:
        st.caption(note)
    _legend(data)
    return data


def _clear_selection() -> None:
    _extras().pop("routes.selection", None)


def selection_table(flt: CaseFilter, window: tuple[int, int] | None) -> None:
    """The cases behind the current selection; a row opens the case detail. The seizure frame is read
    only here, and only once something is selected."""
    sel: Selection | None = _extras().get("routes.selection")
    if sel is None:
        st.caption(_("Nothing selected: click an arc, a place of seizure or a country on the map."))
        return
    base = seizure_base(flt)
    rows = cases_behind(base, sel, window)
    head, clear = st.columns([5, 1], vertical_alignment="bottom")
    span = (
        _("all months")
        if window is None
        else _("{first} to {last}", first=month_label(window[0]), last=month_label(window[1]))
    )
    head.subheader(
        ngettext("{n:,} case: {selection}", "{n:,} cases: {selection}", len(rows), selection=sel.describe()),
        anchor=False,
    )
    clear.button(_("Clear selection"), key="routes_clear", on_click=_clear_selection, icon=":material/close:")
    st.caption(
        _(
            "Seizures {span}; newest first (500 at most). Routes marked (inferred) have a blank destination "
            "taken as the reporting country. Select a row to open the case.",
            span=span,
        )
    )
    table = cases_table(base, rows)
    event = data_table(
        table,
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="single-row",
        key="routes_cases",
        column_config={
            "seizure_date": date_column(_("seizure date")),
            **{c: st.column_config.Column(column_label(c)) for c in table.columns if c != "seizure_date"},
        },
    )
    picked = event.selection.rows if event and event.selection else []
    if picked:
        r = table.iloc[picked[0]]
        open_case(str(r["reporting_country"]), str(r["case_id"]))


def _pretty(
    df: pd.DataFrame, level: str, cols: tuple[str, ...] = ("origin", "destination", "hub")
) -> pd.DataFrame:
    from workbench.routes.maps import node_name

    out = df.copy()
    for c in cols:
        if c in out:
            out[c] = [
                f"{node_name(v, level)} ({v})" if level == "country" else node_name(v, level) for v in out[c]
            ]
    return out


@st.cache_data(ttl=_TTL, max_entries=32, show_spinner=False)
def _hubs(
    url: str, version: tuple[int, ...], flt: CaseFilter, window: tuple[int, int] | None, level: str, lang: str
) -> pd.DataFrame:
    from workbench.routes.hubs import hub_ranking

    return hub_ranking(flow_base(flt), window, level)


@st.cache_data(ttl=_TTL, max_entries=32, show_spinner=False)
def _emerging(
    url: str,
    version: tuple[int, ...],
    flt: CaseFilter,
    recent: tuple[int, int],
    baseline: tuple[int, int],
    mode: str,
    level: str,
    min_cases: int,
    min_growth: float,
    lang: str,
) -> pd.DataFrame:
    from workbench.routes.hubs import emerging_routes

    return emerging_routes(
        flow_base(flt), recent, baseline, mode=mode, level=level, min_cases=min_cases, min_growth=min_growth
    )


def hubs_panel(flt: CaseFilter, window: tuple[int, int] | None, level: str) -> None:
    """Transit hubs of the window (cached per filter, window and level: a pick or a widget elsewhere
    on the page does not recompute the betweenness)."""
    hubs = _hubs(get_store().url, data_version(*_CASES), flt, window, level, language())
    if hubs.empty:
        st.info(_("No route in this period passes through a transit country."))
        return
    data_table(
        _pretty(hubs, level),
        hide_index=True,
        width="stretch",
        column_config={
            "hub": st.column_config.TextColumn(_("hub")),
            "transit_cases": st.column_config.NumberColumn(_("cases through"), format="%d"),
            "share": st.column_config.ProgressColumn(
                _("share of cases"), format="percent", min_value=0.0, max_value=1.0
            ),
            "pairs": st.column_config.NumberColumn(_("OD pairs connected")),
            "origins": st.column_config.NumberColumn(_("origin countries")),
            "destinations": st.column_config.NumberColumn(_("destination countries")),
            "betweenness": st.column_config.ProgressColumn(
                _("betweenness"),
                min_value=0.0,
                max_value=float(max(hubs["betweenness"].max(), 1e-9)),
                format="%.3f",
            ),
        },
    )
    st.caption(
        _(
            "Transit countries ranked by the cases routed through them (each case counted once per hub), with "
            "the origin-destination pairs they connect and their betweenness on the graph of legs in this period."
        )
    )


#: Lengths of the emerging-routes comparison (months); the default, 12, shows the planted routes.
COMPARE_MONTHS = (3, 6, 12, 24)


def emerging_table(em: pd.DataFrame, level: str) -> pd.DataFrame:
    """Emerging routes for reading: names, and growth as text ("new" when there was no case before,
    never "inf"), in the library's order (largest rise in cases first)."""
    out = _pretty(em, level)
    out["growth"] = [_("new") if pd.isna(g) else _("{growth:.2f}×", growth=g) for g in em["growth"]]
    return out


def emerging_panel(flt: CaseFilter, window: tuple[int, int] | None, mode: str, level: str) -> None:
    """Routes new or growing in the months up to the slider's month, against the months before."""
    from workbench.routes.hubs import comparison_windows

    base = flow_base(flt)
    if window is None or not base.months:
        st.info(_("No seizure date in these cases: nothing to compare."))
        return
    c0, c1, c2, c3 = st.columns([1, 1, 1, 1.6])
    _remember("routes_compare", 12)
    length = c0.selectbox(
        _("Compare the last"),
        COMPARE_MONTHS,
        key="routes_compare",
        format_func=lambda n: ngettext("{n} month", "{n} months", n),
        on_change=_keep,
        args=("routes_compare",),
        help=_("The months up to the one on the slider, against as many months before them."),
    )
    _remember("routes_min_cases", 5)
    min_cases = c1.number_input(
        _("At least cases"), 1, 1000, key="routes_min_cases", on_change=_keep, args=("routes_min_cases",)
    )
    _remember("routes_growth", 1.5)
    growth = c2.number_input(
        _("Growth of monthly rate at least"),
        1.0,
        20.0,
        step=0.25,
        key="routes_growth",
        on_change=_keep,
        args=("routes_growth",),
    )
    recent, baseline = comparison_windows(base.months, window[1], int(length))
    if baseline is None:
        st.info(
            _(
                "The data start in {start}: there are no months before {first} to compare with. Move the month "
                "slider later or compare fewer months.",
                start=month_label(base.months[0]),
                first=month_label(recent[0]),
            )
        )
        return
    c3.markdown(
        _(
            "**Before** {b_first} to {b_last}  \n**After** {a_first} to {a_last}",
            b_first=month_label(baseline[0]),
            b_last=month_label(baseline[1]),
            a_first=month_label(recent[0]),
            a_last=month_label(recent[1]),
        )
    )
    em = _emerging(
        get_store().url,
        data_version(*_CASES),
        flt,
        recent,
        baseline,
        mode,
        level,
        int(min_cases),
        float(growth),
        language(),
    )
    if em.empty:
        st.info(
            _(
                "No route has at least {n} cases from {first} to {last} and a monthly rate {growth:g}× that of "
                "the months before (or no case before). Lower **At least cases** or **Growth**, compare more "
                "months, or widen the filter in the sidebar.",
                n=int(min_cases),
                first=month_label(recent[0]),
                last=month_label(recent[1]),
                growth=float(growth),
            )
        )
        return
    data_table(
        emerging_table(em, level),
        hide_index=True,
        width="stretch",
        column_config={
            "origin": st.column_config.TextColumn(_("origin")),
            "destination": st.column_config.TextColumn(_("destination")),
            "before": st.column_config.NumberColumn(_("before")),
            "after": st.column_config.NumberColumn(_("after")),
            "rise": st.column_config.NumberColumn(
                _("rise (cases)"),
                format="%.0f",
                help=_("Cases after beyond what the monthly rate before gives: the order of the rows."),
            ),
            "growth": st.column_config.TextColumn(
                _("growth ×"), help=_("Ratio of monthly rates; new: no case in the months before.")
            ),
        },
    )
    st.caption(
        _(
            "Before/after: cases in the two periods (the evidence); largest rise in cases first; growth "
            "compares cases per month; new routes had no case before."
        )
    )


def flows_table(data: MapData) -> None:
    if data.flows.empty:
        st.info(_("No route in this period."))
        return
    data_table(
        _pretty(data.flows, data.options.level),
        hide_index=True,
        width="stretch",
        column_config={
            "origin": st.column_config.TextColumn(_("origin")),
            "destination": st.column_config.TextColumn(_("destination")),
            "cases": st.column_config.NumberColumn(_("cases")),
            "share": st.column_config.NumberColumn(_("share"), format="percent"),
        },
    )
    st.download_button(
        _("Download flows (CSV)"),
        data=csv_bytes(data.flows),
        file_name=f"flows-{dt.date.today():%Y%m%d}.csv",
        mime="text/csv",
        key="routes_flows_csv",
    )


def export_panel(data: MapData, flt: CaseFilter) -> None:
    """PNG and standalone HTML of the current map, generated when the button is clicked."""
    from workbench.routes.maps import map_html, map_png

    if data.options.mode == "legs":
        title = _("Trafficking routes (legs), {window}", window=data.window_label)
    else:
        title = _("Trafficking routes (origin → destination), {window}", window=data.window_label)
    subtitle = _(
        "{n:,} cases · filter: {filter} · top {top} routes",
        n=data.total_cases,
        filter=flt.describe(),
        top=data.options.top,
    )
    stamp = f"{dt.date.today():%Y%m%d}"
    view = dict(_extras().get("routes.view", DEFAULT_VIEW))
    c1, c2 = st.columns(2)
    c1.download_button(
        _("Map as PNG"),
        data=lambda: map_png(data, title=title, subtitle=subtitle),
        file_name=f"routes-{stamp}.png",
        mime="image/png",
        icon=":material/image:",
        key="routes_png",
    )
    c2.download_button(
        _("Map as HTML (opens offline)"),
        data=lambda: map_html(
            route_deck(data, view), title=title, subtitle=subtitle, legend=legend_entries(data)
        ),
        file_name=f"routes-{stamp}.html",
        mime="text/html",
        icon=":material/public:",
        key="routes_html",
    )
    st.caption(
        _("The PNG is drawn on the server; the HTML file carries deck.gl itself and needs no network.")
    )
