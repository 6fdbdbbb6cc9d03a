"""Altair chart specifications for trends and statistics, shared by the pages and the exports.

Charts are built from the frames of :mod:`workbench.trends.series`, :mod:`workbench.trends.emerging` and
:mod:`workbench.trends.statistics`; the app renders them with ``st.altair_chart`` (Vega is bundled with
Streamlit, so nothing is fetched) and :func:`chart_png` / :func:`chart_svg` turn them into files with
``vl-convert`` (offline too). This module imports Altair, so ``import workbench`` does not load it.

Examples
--------
>>> import pandas as pd
>>> from workbench.trends.series import time_series
>>> f = pd.DataFrame({"case_key": ["1", "2", "3"], "transport_mode": ["road", "road", "postal"],
...                   "seizure_date": pd.to_datetime(["2024-01-02", "2024-02-03", "2024-02-04"])})
>>> spec = series_chart(time_series(f, "transport_mode", "M"), title="Cases").to_dict()
>>> spec["mark"]["type"], spec["encoding"]["color"]["field"]
('line', 'series')
>>> chart_svg(series_chart(time_series(f, None, "M"))).startswith("<svg")
True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import altair as alt
import pandas as pd

from workbench.i18n import N_, _
from workbench.trends.headings import heading
from workbench.trends.series import FREQUENCIES, MEASURES, NOT_STATED, OTHER, period_labels, value_label

__all__ = [
    "PALETTE",
    "FIT_WIDTH",
    "chart_frame",
    "series_chart",
    "small_multiples",
    "movers_chart",
    "shares_chart",
    "seasonal_chart",
    "flag_chart",
    "bar_chart",
    "heatmap",
    "chart_png",
    "chart_svg",
    "with_subtitle",
]

# Every row is sent to the browser inline; the builders aggregate first, so the default 5,000-row cap
# of Altair would only refuse legitimate daily series.
alt.data_transformers.disable_max_rows()

#: Charts as wide as their container whose ``height`` is the plot's, not the whole chart's (Streamlit's
#: default, "fit", squeezes the plot to make room for legends and titles).
FIT_WIDTH = alt.AutoSizeParams(type="fit-x", contains="padding")

#: Main colour of single-series charts (the workbench's navy).
PALETTE = "#1F3B57"
_MEASURE_TITLE = {"cases": N_("cases"), "quantity": N_("quantity"), "value_usd": N_("estimated value (USD)")}


def _label_column(series: pd.DataFrame, split: Sequence[str]) -> pd.Series:
    if not split:
        return pd.Series(_("all cases"), index=series.index)
    parts = [series[s].astype("string").map(lambda v, s=s: value_label(s, v)) for s in split]
    out = parts[0]
    for p in parts[1:]:
        out = out + " · " + p
    return out


def chart_frame(series: pd.DataFrame, measure: str | None = None) -> pd.DataFrame:
    """A :func:`~workbench.trends.series.time_series` frame as chart rows: ``period_start`` (timestamp),
    ``period`` (label), ``series`` (the split values in words, with the unit for quantities),
    ``value`` and the split columns as text."""
    measure = measure or series.attrs.get("measure", "cases")
    split = [c for c in series.columns if c not in ("period", "cases", "quantity", "value_usd", "unit")]
    split = [c for c in split if c not in ("previous", "change", "change_pct", "year_before")]
    split = [c for c in split if c not in ("yoy_change", "yoy_pct", "rolling_mean")]
    label = _label_column(series, split)
    if "unit" in series.columns:
        label = label + " (" + series["unit"].astype("string") + ")"
    out = pd.DataFrame(
        {
            "period_start": pd.PeriodIndex(series["period"]).start_time,
            "period": period_labels(series["period"]).to_numpy(),
            "series": label.to_numpy(),
            "value": series[measure].astype(float).to_numpy(),
        }
    )
    for s in split:
        out[s] = series[s].astype("string").to_numpy()
    if "rolling_mean" in series.columns:
        out["rolling_mean"] = series["rolling_mean"].to_numpy()
    return out


def _y_title(measure: str, series: pd.DataFrame) -> str:
    if measure == "quantity" and "unit" in series.columns:
        units = series["unit"].astype("string").dropna().unique().tolist()
        return _("quantity ({unit})", unit=", ".join(units)) if len(units) <= 3 else _("quantity")
    return _(_MEASURE_TITLE[measure]) if measure in _MEASURE_TITLE else _(MEASURES.get(measure, measure))


def _series_order(df: pd.DataFrame) -> list[str]:
    totals = df.groupby("series", observed=True)["value"].sum().sort_values(ascending=False)
    order = [s for s in totals.index if s not in (OTHER, NOT_STATED)]
    return order + [s for s in (OTHER, NOT_STATED) if s in totals.index]


#: Colour of a series whose value has none in the format (``other``, ``not stated`` buckets).
_NO_COLOUR = "#B0B0B0"


def _value_scale(df: pd.DataFrame, order: list[str]) -> alt.Scale | None:
    """The colours the format gives the values of the one split column (commodity categories are drawn
    as on the Routes map); None when the split has no colours."""
    from workbench.format.schema import FORMAT

    split = [c for c in df.columns if c not in ("period_start", "period", "series", "value", "rolling_mean")]
    colours = FORMAT.colours_of(split[0]) if len(split) == 1 else {}
    if not colours:
        return None
    value_of = df.drop_duplicates("series").set_index("series")[split[0]]
    hexes = []
    for label in order:
        rgb = colours.get(str(value_of.get(label)))
        hexes.append("#{:02X}{:02X}{:02X}".format(*rgb) if rgb else _NO_COLOUR)
    return alt.Scale(domain=order, range=hexes)


def _period_x(freq: str, title: str | None = None) -> alt.X:
    """The time axis, labelled as the periods are (quarters as Q3 2025, years as 2025)."""
    fmt = {"M": "%b %Y", "Q": "Q%q %Y", "Y": "%Y"}.get(freq)
    # ticks on period starts only: left to itself Vega puts weekly ticks on a few months of data
    ticks: dict[str, Mapping[str, Any] | Literal["year"]] = {
        "M": {"interval": "month", "step": 1},
        "Q": {"interval": "month", "step": 3},
        "Y": "year",
    }
    if fmt:
        axis = alt.Axis(format=fmt, labelAngle=0, tickCount=ticks[freq], labelOverlap="greedy")
    else:
        axis = alt.Axis(labelAngle=0)
    return alt.X(
        "period_start:T", title=_(FREQUENCIES.get(freq, N_("period"))) if title is None else title, axis=axis
    )


def series_chart(
    series: pd.DataFrame,
    measure: str | None = None,
    *,
    title: str | None = None,
    kind: str = "line",
    rolling: bool = False,
    height: int = 320,
) -> alt.Chart | alt.LayerChart:
    """Lines (``kind="line"``), stacked areas (``"area"``) or stacked bars (``"bar"``) of a time series,
    one colour per series; ``rolling`` overlays the rolling mean of :func:`~workbench.trends.series.with_changes`
    as dashed lines."""
    measure = measure or series.attrs.get("measure", "cases")
    df = chart_frame(series, measure)
    freq = series.attrs.get("freq", "M")
    order = _series_order(df)
    several = len(order) > 1
    legend = alt.Legend(orient="bottom", columns=3, labelLimit=260)
    scale = _value_scale(df, order) if several else None
    color = (
        alt.Color("series:N", title=None, sort=order, legend=legend, scale=scale or alt.Undefined)
        if several
        else alt.Color("series:N", legend=None, scale=alt.Scale(range=[PALETTE]))
    )
    x = _period_x(freq)
    y = alt.Y("value:Q", title=_y_title(measure, series), stack="zero" if kind in ("area", "bar") else None)
    tooltip = [
        alt.Tooltip("series:N", title=_("series")),
        alt.Tooltip("period:N", title=_("period")),
        alt.Tooltip("value:Q", title=_y_title(measure, series), format=",.0f"),
    ]
    base = alt.Chart(df)
    if kind == "area":
        mark = base.mark_area(opacity=0.85)
    elif kind == "bar":
        mark = base.mark_bar()
    else:
        mark = base.mark_line(point=len(df) / max(len(order), 1) <= 40, strokeWidth=2)
    chart: Any = mark.encode(x=x, y=y, color=color, tooltip=tooltip)
    if rolling and "rolling_mean" in df.columns:
        window = series.attrs.get("window", 3)
        dashed = (
            alt.Chart(df)
            .mark_line(strokeDash=[4, 3], strokeWidth=1.5)
            .encode(
                x=x,
                y=alt.Y("rolling_mean:Q"),
                color=color,
                tooltip=[
                    "series:N",
                    "period:N",
                    alt.Tooltip(
                        "rolling_mean:Q", title=_("mean of {window} periods", window=window), format=",.1f"
                    ),
                ],
            )
        )
        chart = alt.layer(chart, dashed)
    return chart.properties(title=title or "", height=height, width="container", autosize=FIT_WIDTH)


def small_multiples(
    series: pd.DataFrame,
    measure: str | None = None,
    *,
    columns: int = 4,
    title: str | None = None,
    independent: bool = True,
    height: int = 110,
    width: int = 210,
) -> alt.FacetChart:
    """One small chart per series (``independent``: each with its own scale, to compare shapes)."""
    measure = measure or series.attrs.get("measure", "cases")
    df = chart_frame(series, measure)
    order = _series_order(df)
    chart = (
        alt.Chart(df)
        .mark_area(line={"color": PALETTE}, color="#9fb8cf", opacity=0.7)
        .encode(
            x=alt.X("period_start:T", title=None, axis=alt.Axis(format="%Y", labelAngle=0, tickCount=4)),
            y=alt.Y("value:Q", title=None, axis=alt.Axis(tickCount=3)),
            tooltip=["series:N", "period:N", alt.Tooltip("value:Q", format=",.0f")],
        )
        .properties(height=height, width=width)
        .facet(
            facet=alt.Facet("series:N", title=None, sort=order, header=alt.Header(labelLimit=220)),
            columns=columns,
        )
        .properties(title=title or "")
    )
    if independent:
        chart = chart.resolve_scale(y="independent")
    return chart


def movers_chart(movers: pd.DataFrame, split: Sequence[str], *, title: str | None = None) -> alt.Chart:
    """Diverging bars of :func:`~workbench.trends.series.top_movers`: rises in navy, falls in red."""
    df = movers.copy()
    df["series"] = _label_column(df, list(split)).to_numpy() if len(df) else []
    if "unit" in df.columns and len(df):
        df["series"] = df["series"] + " (" + df["unit"].astype("string") + ")"
    df["direction"] = ["rise" if c > 0 else "fall" for c in df["change"]]
    keep = ["series", "period", "current", "before", "change", "change_pct", "direction"]
    df = df[[c for c in keep if c in df.columns]]
    return (
        alt.Chart(df)
        .mark_bar()
        .encode(
            x=alt.X("change:Q", title=_("change")),
            y=alt.Y(
                "series:N",
                sort=alt.EncodingSortField("change", order="descending"),
                title=None,
                axis=alt.Axis(labelLimit=260),
            ),
            color=alt.Color(
                "direction:N",
                scale=alt.Scale(domain=["rise", "fall"], range=[PALETTE, "#B23A3A"]),
                legend=None,
            ),
            tooltip=[
                "series:N",
                "period:N",
                alt.Tooltip("before:Q", format=",.0f"),
                alt.Tooltip("current:Q", format=",.0f"),
                alt.Tooltip("change_pct:Q", title=_("change %"), format="+.0f"),
            ],
        )
        .properties(title=title or "", height=max(120, 24 * len(df)), width="container", autosize=FIT_WIDTH)
    )


def shares_chart(
    shares: pd.DataFrame,
    method: str,
    within: str | None,
    value: str = "case_share",
    *,
    title: str | None = None,
) -> alt.Chart:
    """100 % stacked bars of :func:`~workbench.trends.series.method_shares`: the share of each method within each
    ``within`` value (``value``: ``case_share``, ``quantity_share`` or ``value_share``)."""
    df = shares.copy()
    df["method"] = [value_label(method, v) for v in df[method].astype("string")]
    df["group"] = [value_label(within, v) for v in df[within].astype("string")] if within else "all"
    cols = ["group", "method", "cases", "quantity", "unit", value]
    df = df[[c for c in dict.fromkeys(cols) if c in df.columns]]
    what = {
        "case_share": _("share of cases"),
        "quantity_share": _("share of quantity"),
        "value_share": _("share of value"),
    }
    return (
        alt.Chart(df)
        .mark_bar()
        .encode(
            y=alt.Y("group:N", title=None),
            x=alt.X(f"{value}:Q", stack="normalize", title=what.get(value, value), axis=alt.Axis(format="%")),
            color=alt.Color(
                "method:N", title=value_label("", method), legend=alt.Legend(orient="bottom", columns=4)
            ),
            tooltip=[
                alt.Tooltip("group:N", title=within or ""),
                alt.Tooltip("method:N", title=method),
                alt.Tooltip(f"{value}:Q", title=what.get(value, value), format=".1%"),
                alt.Tooltip("cases:Q", format=","),
            ],
        )
        .properties(
            title=title or "",
            height=max(120, 26 * df["group"].nunique()),
            width="container",
            autosize=FIT_WIDTH,
        )
    )


def seasonal_chart(profile: pd.DataFrame, *, title: str | None = None) -> Any:
    """Bars of a :func:`~workbench.trends.series.seasonal_profile` index around 1 (the average)."""
    df = profile.copy()
    order = df.drop_duplicates("season").sort_values("season")["label"].tolist()
    split = [c for c in df.columns if c not in ("season", "label", "mean", "index")]
    df["series"] = _label_column(df, split).to_numpy()
    bars = (
        alt.Chart(df)
        .mark_bar(color=PALETTE)
        .encode(
            x=alt.X("label:N", sort=order, title=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("index:Q", title=_("index (1 = average)")),
            color=alt.Color("series:N", title=None) if split else alt.value(PALETTE),
            xOffset="series:N" if split else alt.XOffset(),
            tooltip=[
                "series:N",
                "label:N",
                alt.Tooltip("index:Q", format=".2f"),
                alt.Tooltip("mean:Q", format=",.1f"),
            ],
        )
    )
    rule = alt.Chart(pd.DataFrame({"y": [1.0]})).mark_rule(strokeDash=[4, 3], color="#555").encode(y="y:Q")
    return alt.layer(bars, rule).properties(
        title=title or "", height=220, width="container", autosize=FIT_WIDTH
    )


def flag_chart(series: pd.DataFrame, flag: Any, *, title: str | None = None) -> Any:
    """The counts of a flagged series, its baseline level (dashed) and the tested period's expected count
    and observed count (red point)."""
    df = chart_frame(series, "cases")
    start = pd.Timestamp(flag.baseline_start)
    end = pd.Timestamp(flag.period_start)
    base_level = float(df.loc[(df["period_start"] >= start) & (df["period_start"] < end), "value"].mean())
    line = (
        alt.Chart(df)
        .mark_line(point=True, color=PALETTE)
        .encode(
            x=_period_x(series.attrs.get("freq", "Q"), title=""),
            y=alt.Y("value:Q", title=_("cases")),
            tooltip=["period:N", alt.Tooltip("value:Q", title=_("cases"))],
        )
    )
    marks = pd.DataFrame(
        {
            "period_start": [end, end],
            "value": [flag.observed, flag.expected],
            "what": ["observed", "expected"],
        }
    )
    points = (
        alt.Chart(marks)
        .mark_point(size=120, filled=True)
        .encode(
            x="period_start:T",
            y="value:Q",
            color=alt.Color(
                "what:N",
                scale=alt.Scale(domain=["observed", "expected"], range=["#B23A3A", "#888888"]),
                title=None,
            ),
            tooltip=["what:N", alt.Tooltip("value:Q", format=",.1f")],
        )
    )
    band = pd.DataFrame({"start": [start], "end": [end], "level": [base_level]})
    baseline = (
        alt.Chart(band)
        .mark_rule(strokeDash=[5, 3], color="#888888")
        .encode(
            x="start:T",
            x2="end:T",
            y="level:Q",
            tooltip=[alt.Tooltip("level:Q", title=_("baseline mean"), format=",.1f")],
        )
    )
    return alt.layer(line, baseline, points).properties(
        title=title or flag.label, height=240, width="container", autosize=FIT_WIDTH
    )


def bar_chart(
    df: pd.DataFrame,
    x: str,
    y: str,
    *,
    color: str | None = None,
    title: str | None = None,
    horizontal: bool = False,
    normalize: bool = False,
    height: int | None = None,
) -> alt.Chart:
    """A plain (stacked, optionally 100 %) bar chart of a tidy frame, for the standard statistics."""
    value_enc = alt.X if horizontal else alt.Y
    cat_enc = alt.Y if horizontal else alt.X
    enc: dict[str, Any] = {
        ("x" if horizontal else "y"): value_enc(
            f"{y}:Q",
            stack="normalize" if normalize else "zero",
            axis=alt.Axis(format="%") if normalize else alt.Axis(),
            title=heading(y),
        ),
        ("y" if horizontal else "x"): cat_enc(
            f"{x}:N",
            sort=alt.EncodingSortField(field=y, op="sum", order="descending") if horizontal else None,
            title=None,
            axis=alt.Axis(labelAngle=0, labelLimit=240),
        ),
        "tooltip": [
            alt.Tooltip(f"{x}:N", title=heading(x)),
            alt.Tooltip(f"{y}:Q", title=heading(y), format=",.0f"),
        ]
        + ([alt.Tooltip(f"{color}:N", title=heading(color))] if color else []),
    }
    if color:
        enc["color"] = alt.Color(
            f"{color}:N", title=heading(color), legend=alt.Legend(orient="bottom", columns=4, labelLimit=200)
        )
    chart = (alt.Chart(df).mark_bar() if color else alt.Chart(df).mark_bar(color=PALETTE)).encode(**enc)
    n = df[x].nunique()
    return chart.properties(
        title=title or "",
        width="container",
        height=height or (max(160, 20 * n) if horizontal else 300),
        autosize=FIT_WIDTH,
    )


def heatmap(df: pd.DataFrame, x: str, y: str, value: str, *, title: str | None = None) -> alt.Chart:
    """A heat map of ``value`` by ``x`` and ``y`` (for cross-tabulations)."""
    return (
        alt.Chart(df)
        .mark_rect()
        .encode(
            x=alt.X(f"{x}:N", title=None, axis=alt.Axis(labelAngle=-30)),
            y=alt.Y(f"{y}:N", title=None),
            color=alt.Color(f"{value}:Q", scale=alt.Scale(scheme="blues"), title=heading(value)),
            tooltip=[
                alt.Tooltip(f"{x}:N", title=heading(x)),
                alt.Tooltip(f"{y}:N", title=heading(y)),
                alt.Tooltip(f"{value}:Q", title=heading(value), format=",.0f"),
            ],
        )
        .properties(
            title=title or "", width="container", height=max(160, 18 * df[y].nunique()), autosize=FIT_WIDTH
        )
    )


def with_subtitle(chart: Any, lines: Sequence[str]) -> Any:
    """The chart with ``lines`` under its title (what it counts, in which unit, over which period).

    The subtitle is part of the spec, so the PNG and SVG downloads carry it too.

    >>> c = with_subtitle(alt.Chart(pd.DataFrame({"a": [1]})).mark_bar().properties(title="Cases"), ["distinct cases"])
    >>> c.to_dict()["title"]
    {'text': 'Cases', 'anchor': 'start', 'subtitle': ['distinct cases']}
    """
    current = chart.title if isinstance(chart.title, str) else getattr(chart.title, "text", "")
    text = current if isinstance(current, str) else ""
    sub = [line for line in lines if line]
    return chart.properties(
        title=alt.TitleParams(text=text or " ", subtitle=sub, anchor="start") if sub else text
    )


def _static(chart: Any, width: int) -> dict[str, Any]:
    """The chart's spec with container widths made fixed (files have no container)."""
    spec = chart.to_dict()

    def fix(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("width") == "container":
                node["width"] = width
            for v in node.values():
                fix(v)
        elif isinstance(node, list):
            for v in node:
                fix(v)

    fix(spec)
    from workbench.i18n import language, vega_locale

    if language() != "en":  # axes in the language of the file (month names, separators)
        spec.setdefault("config", {})["locale"] = vega_locale()
    return spec


def chart_png(chart: Any, *, scale: float = 2.0, width: int = 760) -> bytes:
    """The chart as a PNG image (rendered offline by vl-convert)."""
    import vl_convert as vlc

    return bytes(vlc.vegalite_to_png(_static(chart, width), scale=scale))


def chart_svg(chart: Any, *, width: int = 760) -> str:
    """The chart as an SVG document (rendered offline by vl-convert)."""
    import vl_convert as vlc

    return str(vlc.vegalite_to_svg(_static(chart, width)))
