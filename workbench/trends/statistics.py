"""Standard statistics: a catalogue of ready reports, like CEN's predefined queries, for briefings.

Each report (:data:`REPORTS`) turns a seizure frame (:func:`workbench.store.frames.seizure_frame`, already
narrowed by the filter in force) into a table for people and, mostly, a chart. A
:class:`ReportResult` is downloadable as a formatted Excel sheet (:func:`workbench.exchange.excel.formatted_workbook`),
as CSV, and its chart as PNG or SVG (rendered offline). The counting rules are those of
:mod:`workbench.trends.series`: cases are distinct cases, quantities are summed per unit, values are in USD.

Examples
--------
>>> import pandas as pd
>>> frame = pd.DataFrame({
...     "case_key": ["FR:1", "FR:2", "NL:3"], "reporting_country": ["FR", "FR", "NL"],
...     "seizure_date": pd.to_datetime(["2023-05-01", "2024-02-01", "2024-03-01"]),
...     "commodity_category": ["drugs", "drugs", "tobacco"], "commodity_type": ["cocaine", "cocaine", "cigarettes"],
...     "quantity": [2.0, 3.0, 1000.0], "unit": ["kg", "kg", "sticks"], "estimated_value_usd": [1.0, 2.0, 3.0]})
>>> r = run_report("commodity_region_year", frame)
>>> r.table.to_string(index=False)
'commodity category WCO region  2023  2024  total\\n             drugs     Europe     1     1      2\\n           tobacco     Europe     0     1      1'
>>> r.to_csv().decode().splitlines()[0]
'commodity category,WCO region,2023,2024,total'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from workbench.i18n import N_, _, code_label
from workbench.trends.headings import heading, translate_headings
from workbench.trends.series import (
    NOT_STATED,
    latest_complete_period,
    main_unit,
    method_shares,
    split_column,
    time_series,
    value_label,
)

__all__ = [
    "StandardReport",
    "ReportResult",
    "REPORTS",
    "run_report",
    "catalogue_workbook",
    "table_csv",
    "shares_table",
    "ReportContext",
    "span_label",
    "tidy_numbers",
    "year_before_filter",
    "events_by_year",
    "ReportData",
    "report_data",
]


_DAY = pd.Timedelta(days=1)


def span_label(start: pd.Timestamp, end: pd.Timestamp) -> str:
    """Days ``start`` to ``end`` (both included) as people say them: whole years and months read short.

    >>> T = pd.Timestamp
    >>> span_label(T("2024-01-01"), T("2024-12-31")), span_label(T("2019-01-01"), T("2025-12-31"))
    ('2024', '2019–2025')
    >>> span_label(T("2024-03-01"), T("2024-08-31")), span_label(T("2023-11-01"), T("2024-02-29"))
    ('Mar–Aug 2024', 'Nov 2023–Feb 2024')
    >>> span_label(T("2024-03-15"), T("2024-08-20"))
    '15 Mar 2024–20 Aug 2024'
    >>> from workbench.i18n import use_language
    >>> with use_language("fr"):
    ...     span_label(T("2024-03-01"), T("2024-08-31")), span_label(T("2024-03-15"), T("2024-08-20"))
    ('mars–août 2024', '15 mars\\u2009–\\u200920 août 2024')
    """
    from workbench.i18n import format_interval, language

    start, end = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    whole_months = start.day == 1 and (end + _DAY).day == 1
    if whole_months and start.month == 1 and end.month == 12:
        return str(start.year) if start.year == end.year else f"{start.year}–{end.year}"
    if language() != "en":  # month names and order of the language (CLDR intervals)
        return format_interval(start, end, "yMMM" if whole_months else "yMMMd")
    if whole_months:
        if start.year == end.year:
            first = f"{start:%b}"
            return f"{end:%b %Y}" if start.month == end.month else f"{first}–{end:%b %Y}"
        return f"{start:%b %Y}–{end:%b %Y}"
    return f"{start.day} {start:%b %Y}–{end.day} {end:%b %Y}"


def _span_tag(start: pd.Timestamp, end: pd.Timestamp) -> str:
    """At most 15 characters of the same, for a sheet tab (31 characters in all)."""
    whole_months = start.day == 1 and (end + _DAY).day == 1
    if whole_months and start.month == 1 and end.month == 12:
        return span_label(start, end)
    if whole_months:
        return f"{start:%Y-%m}–{end:%m}" if start.year == end.year else f"{start:%Y-%m}–{end:%Y-%m}"
    return f"{start:%y%m%d}–{end:%y%m%d}"


class ReportData:
    """What the standard reports read of the seizures, asked as the figures they need: this class answers
    from a seizure frame (already narrowed by the filter); :class:`workbench.trends.pushdown.
    StoreReportData` answers the same questions in the database. A report that lists seizures or routes
    reads the item-level rows (:meth:`rows`)."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self._frame = frame

    def rows(self) -> pd.DataFrame:
        """The seizure frame: one row per item with its case's fields."""
        return self._frame

    @property
    def empty(self) -> bool:
        return self.n_cases == 0

    @property
    def n_cases(self) -> int:
        frame = self._frame
        return int(frame["case_key"].nunique()) if "case_key" in frame.columns else len(frame)

    def dates(self) -> tuple[Any, Any]:
        """The first and last seizure date (None, None without a dated case)."""
        frame = self._frame
        dates = pd.to_datetime(frame["seizure_date"]).dropna() if "seizure_date" in frame.columns else None
        if dates is None or not len(dates):
            return None, None
        return dates.min(), dates.max()

    def main_unit(self) -> str | None:
        return main_unit(self._frame)

    def series(
        self,
        by: str | tuple[str, ...],
        freq: str,
        measure: str = "cases",
        *,
        start: Any = None,
        end: Any = None,
    ) -> pd.DataFrame:
        """:func:`workbench.trends.series.time_series` of the seizures."""
        return time_series(self._frame, by, freq, measure, start=start, end=end)

    def shares(self, method: str, within: str | None) -> pd.DataFrame:
        """:func:`workbench.trends.series.method_shares` of the seizures."""
        return method_shares(self._frame, method, within)

    def type_categories(self) -> pd.Series:
        """The commodity category of each commodity type seized (indexed by the type)."""
        pairs = (
            self._frame[["commodity_type", "commodity_category"]].dropna().drop_duplicates("commodity_type")
        )
        return pd.Series(
            pairs["commodity_category"].astype("string").to_numpy(),
            index=pairs["commodity_type"].astype("string"),
        )

    def cases_by_type(self, lo: pd.Timestamp, hi: pd.Timestamp) -> pd.Series:
        """Distinct cases per commodity type seized from ``lo`` to ``hi`` (both days included)."""
        return _cases_by_type(self._frame, lo, hi)


def report_data(source: pd.DataFrame | ReportData) -> ReportData:
    """``source`` as a :class:`ReportData` (a frame is wrapped)."""
    return source if isinstance(source, ReportData) else ReportData(source)


@dataclass(frozen=True)
class ReportContext:
    """What a report observes besides its frame.

    ``start`` and ``end`` are the first and last day observed: the filter's period, and where the filter
    leaves it open the months of the first and last seizure date of the frame, whole. A period outside them is not a period without seizures, so no
    report fills it with zeros. ``year_before`` is the frame of the same filter one year earlier
    (:func:`year_before_filter`), which the year-on-year report compares with when the filter sets a
    period.
    """

    flt: Any = None
    start: pd.Timestamp | None = None
    end: pd.Timestamp | None = None
    year_before: ReportData | None = None

    @classmethod
    def of(
        cls,
        frame: pd.DataFrame | ReportData,
        flt: Any = None,
        year_before: pd.DataFrame | ReportData | None = None,
    ) -> ReportContext:
        first, last = report_data(frame).dates()
        return cls.of_dates(first, last, flt, year_before)

    @classmethod
    def of_dates(
        cls, first: Any, last: Any, flt: Any = None, year_before: pd.DataFrame | ReportData | None = None
    ) -> ReportContext:
        """The context of cases whose first and last seizure dates are known (None: no dated case), e.g.
        counted in the database (:func:`workbench.trends.pushdown.trend_facts`)."""
        first = None if first is None or pd.isna(first) else pd.Timestamp(first).normalize()
        last = None if last is None or pd.isna(last) else pd.Timestamp(last).normalize()
        # an end the filter leaves open is the data's: its first and last month count as whole (a year
        # of data whose last seizure fell on 30 Dec is that year, not "... to 30 Dec")
        if first is not None:
            first = first.to_period("M").start_time.normalize()
        start = pd.Timestamp(flt.date_from) if flt is not None and flt.date_from else first
        end = last.to_period("M").end_time.normalize() if last is not None else None
        if flt is not None and flt.date_to:
            end = pd.Timestamp(flt.date_to)
            if last is not None:
                end = min(end, last.to_period("M").end_time.normalize())
        if start is not None and end is not None and end < start:
            end = start
        return cls(flt, start, end, None if year_before is None else report_data(year_before))

    @property
    def dated(self) -> bool:
        """Whether the filter sets a period."""
        return self.flt is not None and bool(self.flt.date_from or self.flt.date_to)

    def period_label(self) -> str:
        """The period observed, for titles (``'Mar–Aug 2024'``); ``'no cases'`` without dates."""
        if self.start is None or self.end is None:
            return _("no cases")
        return span_label(self.start, self.end)

    def period_tag(self) -> str:
        return "" if self.start is None or self.end is None else _span_tag(self.start, self.end)

    def criteria(self) -> str | None:
        """The filter's criteria other than the period, in words; None when there are none."""
        if self.flt is None:
            return None
        rest = self.flt.replace(date_from=None, date_to=None)
        return None if rest.is_empty else rest.describe()

    def heading(self, title: str) -> str:
        """A title that says the period and the filter: ``'Cases per …, Mar–Aug 2024 (transport mode: road)'``."""
        crit = self.criteria()
        if crit:
            return _("{title}, {period} ({criteria})", title=title, period=self.period_label(), criteria=crit)
        return _("{title}, {period}", title=title, period=self.period_label())

    def year_on_year(
        self,
    ) -> tuple[tuple[pd.Timestamp, pd.Timestamp], tuple[pd.Timestamp, pd.Timestamp]] | None:
        """The days compared by the year-on-year report and the same days a year before.

        Without a period in the filter: the last complete calendar year and the one before. With one:
        the last 12 months of the period (or all of it, when shorter) and the same days a year before.
        """
        if self.start is None or self.end is None:
            return None
        year = pd.DateOffset(years=1)
        if self.dated:
            lo = max(self.start, self.end - year + _DAY)
            hi = self.end
        else:
            last = latest_complete_period(self.end, "Y")
            lo, hi = last.start_time.normalize(), last.end_time.normalize()
        return (lo, hi), (lo - year, hi - year)


def year_before_filter(frame: pd.DataFrame | ReportData, flt: Any) -> Any:
    """The filter of the frame the year-on-year report needs besides ``frame``, or None.

    With a period in the filter the year before lies outside it, so the caller reads the same filter a
    year earlier and passes that frame to :func:`run_report` as ``year_before``.

    >>> import datetime as dt
    >>> from workbench.store.filters import CaseFilter
    >>> f = pd.DataFrame({"seizure_date": pd.to_datetime(["2024-03-02", "2024-08-30"])})
    >>> year_before_filter(f, CaseFilter(date_from=dt.date(2024, 3, 1), date_to=dt.date(2024, 8, 31))).describe()
    'from 2023-03-01; to 2023-08-31'
    >>> year_before_filter(f, CaseFilter()) is None
    True
    """
    ctx = ReportContext.of(frame, flt)
    spans = ctx.year_on_year()
    if not ctx.dated or spans is None:
        return None
    lo, hi = spans[1]
    return flt.replace(date_from=lo.date(), date_to=hi.date())


@dataclass(frozen=True)
class StandardReport:
    """One entry of the catalogue: what it shows, and the function that builds it from a frame.

    ``sheet`` is a short name (at most 15 characters) for the workbook's sheet tab; ``counts`` says what
    the chart counts and in which unit (``{unit}`` is the frame's most common unit).
    """

    key: str
    title: str
    description: str
    build: Callable[[ReportData, ReportContext], tuple[pd.DataFrame, Any]]
    sheet: str = ""
    counts: str = ""


@dataclass
class ReportResult:
    """A report run on the data in force: the table, the chart (or None) and the notes for its head."""

    key: str
    title: str
    description: str
    table: pd.DataFrame
    chart: Any = None
    notes: list[str] = field(default_factory=list)
    #: what the chart counts and in which unit, for the caption under it
    caption: str = ""
    #: the title with the period and the filter (the workbook's heading)
    heading: str = ""
    #: the sheet tab: short name and period
    sheet: str = ""
    #: Excel number formats per (translated) column heading
    formats: dict[str, str] = field(default_factory=dict)

    @property
    def file_stem(self) -> str:
        return f"{self.key.replace('_', '-')}-{dt.date.today():%Y%m%d}"

    def to_excel(self) -> bytes:
        """The table as a formatted workbook of one sheet, titled, with the notes above it."""
        from workbench.exchange.excel import formatted_workbook

        return formatted_workbook(
            {self.sheet or _sheet_name(self.title): self.table},
            title=self.heading or self.title,
            notes=self.notes,
            formats=_number_formats(self.table),
        )

    def to_csv(self) -> bytes:
        """The table as UTF-8 CSV (see :func:`table_csv`)."""
        return table_csv(self.table)

    def chart_png(self) -> bytes | None:
        from workbench.trends.charts import chart_png

        return None if self.chart is None else chart_png(self.chart)

    def chart_svg(self) -> str | None:
        from workbench.trends.charts import chart_svg

        return None if self.chart is None else chart_svg(self.chart)


def table_csv(table: pd.DataFrame) -> bytes:
    """A table as UTF-8 CSV for people; text a spreadsheet would take as a formula is kept as text.

    >>> table_csv(pd.DataFrame({"commodity": ["=cmd", "cocaine"], "cases": [1, 2]})).decode().splitlines()
    ['commodity,cases', "'=cmd,1", 'cocaine,2']
    """
    from workbench.exchange.writers import csv_bytes

    return csv_bytes(table)


def _sheet_name(title: str) -> str:
    bad = set("[]:*?/\\")
    return "".join(c for c in title if c not in bad)[:31]


def _number_formats(table: pd.DataFrame) -> dict[str, str]:
    """Excel number formats of the share columns (fractions shown as percentages)."""
    return {str(c): "0.0%" for c in table.columns if str(c).startswith("share")}


def tidy_numbers(table: pd.DataFrame) -> pd.DataFrame:
    """Floats rounded to what a person reads (no ``1234.5000000001``): shares to 4 places (0.1 %),
    percentages to 1, everything else to 2; whole-number columns become integers.

    >>> t = tidy_numbers(pd.DataFrame({"quantity": [1234.5000000001, 0.1 + 0.2], "share of cases": [1 / 3, 2 / 3],
    ...                                "value": [10.0, 2.0]}))
    >>> t["quantity"].tolist(), t["share of cases"].tolist(), str(t["value"].dtype)
    ([1234.5, 0.3], [0.3333, 0.6667], 'Int64')
    """
    out = table.copy()
    for c in out.columns:
        s = out[c]
        if not pd.api.types.is_float_dtype(s):
            continue
        name = str(c)
        places = (
            4
            if name.startswith("share") or name.endswith("share")
            else 1
            if "%" in name or name.endswith("_pct")
            else 2
        )
        s = s.astype("float64").replace([np.inf, -np.inf], np.nan).round(places)
        finite = s.dropna()
        if places != 4 and len(finite) and (finite == finite.round()).all() and finite.abs().max() < 2**53:
            out[c] = s.astype("Int64")
        else:
            out[c] = s
    return out


# ------------------------------------------------------------------------------------ helpers
def _labels(df: pd.DataFrame, split: str) -> pd.Series:
    return df[split].astype("string").map(lambda v: value_label(split, v))


def _year_pivot(
    series: pd.DataFrame, rows: list[str], measure: str, labels: Mapping[str, str]
) -> pd.DataFrame:
    """Rows × years of ``measure`` with a total, largest total first; columns named for people."""
    df = series.assign(year=pd.PeriodIndex(series["period"]).year.astype(str))
    for r in rows:
        df[r] = _labels(df, r)
    wide = df.pivot_table(
        index=rows, columns="year", values=measure, aggfunc="sum", observed=True, fill_value=0
    )
    wide.columns = [str(c) for c in wide.columns]
    wide["total"] = wide.sum(axis=1)
    wide = wide[wide["total"] > 0].reset_index()
    wide = wide.sort_values(
        [*rows[:-1], "total"], ascending=[True] * (len(rows) - 1) + [False], kind="stable"
    )
    if measure == "cases":
        for c in wide.columns:
            if c not in rows:
                wide[c] = wide[c].astype("int64")
    return wide.rename(columns=labels).reset_index(drop=True)


_NAMES = {
    "commodity_category": "commodity category",
    "commodity_type": "commodity type",
    "wco_region": "WCO region",
    "rilo": "RILO region",
    "reporting_country": "reporting country",
    "transport_mode": "transport mode",
    "detection_method": "detection method",
    "concealment_method": "concealment method",
    "unit": "unit",
}


def shares_table(shares: pd.DataFrame, method: str, within: str | None) -> pd.DataFrame:
    """A :func:`~workbench.trends.series.method_shares` frame for people: values in words, columns named."""
    out = shares.copy()
    keys = [k for k in (within, method) if k]
    for k in keys:
        out[k] = _labels(out, k)
    unit = str(out["unit"].iloc[0]) if len(out) and isinstance(out["unit"].iloc[0], str) else "unit"
    out = out.rename(
        columns={
            **_NAMES,
            "case_share": "share of cases",
            "quantity": f"quantity ({unit})",
            "quantity_share": f"share of quantity ({unit})",
            "median_quantity": f"median per case ({unit})",
            "value_usd": "estimated value (USD)",
            "value_share": "share of value",
        }
    )
    return out.drop(columns=["unit"])


# ------------------------------------------------------------------------------------ reports
def _commodity_region_year(seizures: ReportData, ctx: ReportContext) -> tuple[pd.DataFrame, Any]:
    from workbench.trends.charts import bar_chart

    ts = seizures.series(("commodity_category", "wco_region"), "Y")
    table = _year_pivot(ts, ["commodity_category", "wco_region"], "cases", _NAMES)
    # One year, or one region, would draw a single solid bar: a single year is drawn by month, a single
    # region split by commodity category, so the chart always shows something the table does not say.
    one_year = ts.empty or pd.PeriodIndex(ts["period"]).year.nunique() <= 1
    one_region = ts.empty or ts["wco_region"].nunique() <= 1
    split = "commodity_category" if one_region else "wco_region"
    by = seizures.series(split, "M" if one_year else "Y")
    periods = pd.PeriodIndex(by["period"])
    axis = "month" if one_year else "year"
    data = pd.DataFrame(
        {
            axis: (periods.strftime("%Y-%m") if one_year else periods.year.astype(str)),
            _NAMES[split]: _labels(by, split).to_numpy(),
            "cases": by["cases"].to_numpy(),
        }
    )
    title = (
        _("Cases per month by {split}", split=heading(_NAMES[split]))
        if one_year
        else _("Cases per year by {split}", split=heading(_NAMES[split]))
    )
    return table, bar_chart(data, axis, "cases", color=_NAMES[split], title=title)


def _top_routes(seizures: ReportData, ctx: ReportContext, top: int = 20) -> tuple[pd.DataFrame, Any]:
    from workbench.trends.charts import bar_chart

    frame = seizures.rows()
    cache: dict[str, Any] = {}
    work = pd.DataFrame(
        {
            "_case": pd.factorize(frame["case_key"])[0],
            "commodity_category": split_column(frame, "commodity_category"),
            "commodity_type": split_column(frame, "commodity_type"),
            "route": split_column(frame, "route", _cache=cache),
            "origin": split_column(frame, "origin_country", _cache=cache),
            "destination": split_column(frame, "destination_country", _cache=cache),
            "unit": frame["unit"].astype("string"),
            "quantity": pd.to_numeric(frame["quantity"], errors="coerce"),
            "value": pd.to_numeric(frame["estimated_value_usd"], errors="coerce").fillna(0.0),
        }
    )
    work = work[(work["origin"] != NOT_STATED) & (work["commodity_type"] != NOT_STATED)]
    work["inferred"] = work["route"].astype("string").str.endswith("(inferred)")
    keys = ["commodity_category", "commodity_type", "origin", "destination"]
    per_case = work.drop_duplicates(["_case", *keys, "inferred"])
    cases = per_case.groupby(keys, observed=True).agg(
        cases=("_case", "nunique"), inferred=("inferred", "sum")
    )
    main_unit = (
        work.dropna(subset=["unit"])
        .groupby("commodity_type", observed=True)["unit"]
        .agg(lambda u: u.value_counts().index[0])
    )
    in_unit = work[work["unit"] == work["commodity_type"].astype("string").map(main_unit)]
    qty = in_unit.groupby(keys, observed=True)["quantity"].sum()
    value = work.groupby(keys, observed=True)["value"].sum()
    out = cases.join(qty).join(value).reset_index()
    out = out[out["cases"] > 0]
    out["rank"] = (
        out.groupby("commodity_type", observed=True)["cases"]
        .rank(method="first", ascending=False)
        .astype(int)
    )
    out = out[out["rank"] <= top].sort_values(["commodity_category", "commodity_type", "rank"], kind="stable")
    out["unit"] = out["commodity_type"].astype("string").map(main_unit)
    out["route"] = [
        value_label("route", f"{o} → {d}") for o, d in zip(out["origin"], out["destination"], strict=True)
    ]
    table = pd.DataFrame(
        {
            "commodity category": _labels(out, "commodity_category").to_numpy(),
            "commodity type": _labels(out, "commodity_type").to_numpy(),
            "rank": out["rank"].to_numpy(),
            "route": out["route"].to_numpy(),
            "origin": out["origin"].astype("string").to_numpy(),
            "destination": out["destination"].astype("string").to_numpy(),
            "cases": out["cases"].astype("int64").to_numpy(),
            "of which destination inferred": out["inferred"].astype("int64").to_numpy(),
            "quantity": out["quantity"].fillna(0.0).to_numpy(),
            "unit": out["unit"].to_numpy(),
            "estimated value (USD)": out["value"].to_numpy(),
        }
    )
    if out.empty:
        return table, None
    overall = out.groupby(["route", "commodity_category"], observed=True)["cases"].sum().reset_index()
    top_routes = overall.groupby("route")["cases"].sum().nlargest(top).index
    data = overall[overall["route"].isin(top_routes)].copy()
    data["commodity category"] = _labels(data, "commodity_category").to_numpy()
    chart = bar_chart(
        data[["route", "commodity category", "cases"]],
        "route",
        "cases",
        color="commodity category",
        horizontal=True,
        title=_("Top {top} routes (origin → destination), all commodities", top=top),
    )
    return table, chart


def _shares_report(method: str, by: str) -> Callable[[ReportData, ReportContext], tuple[pd.DataFrame, Any]]:
    """A report of the share of cases by ``method`` within each value of ``by``, with its chart."""

    def report(seizures: ReportData, ctx: ReportContext) -> tuple[pd.DataFrame, Any]:
        from workbench.trends.charts import shares_chart

        sh = seizures.shares(method, by)
        title = _(
            "Share of cases by {method}, per {by}",
            method=heading(method.replace("_", " ")),
            by=heading(by.replace("_", " ")),
        )
        return shares_table(sh, method, by), shares_chart(sh, method, by, title=title)

    return report


_detection_by_mode = _shares_report("detection_method", "transport_mode")
_concealment_by_commodity = _shares_report("concealment_method", "commodity_category")
_mode_by_category = _shares_report("transport_mode", "commodity_category")


def _detection_effectiveness(seizures: ReportData, ctx: ReportContext) -> tuple[pd.DataFrame, Any]:
    import altair as alt

    from workbench.trends.charts import FIT_WIDTH, PALETTE

    sh = seizures.shares("detection_method", None)
    table = shares_table(sh, "detection_method", None)
    unit = str(sh["unit"].iloc[0]) if len(sh) else "unit"
    long = sh.assign(method=_labels(sh, "detection_method")).melt(
        id_vars=["method"],
        value_vars=["case_share", "quantity_share"],
        var_name="share of",
        value_name="share",
    )
    long["share of"] = long["share of"].map({"case_share": "cases", "quantity_share": f"quantity ({unit})"})
    chart = (
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y("method:N", title=None, sort="-x"),
            x=alt.X("share:Q", axis=alt.Axis(format="%"), title=None),
            yOffset="share of:N",
            color=alt.Color(
                "share of:N", scale=alt.Scale(range=[PALETTE, "#E0A030"]), legend=alt.Legend(orient="bottom")
            ),
            tooltip=["method:N", "share of:N", alt.Tooltip("share:Q", format=".1%")],
        )
        .properties(
            title=_("Detection methods: share of cases and of quantity"),
            width="container",
            height=320,
            autosize=FIT_WIDTH,
        )
    )
    return table, chart


def _quantity_by_commodity_year(seizures: ReportData, ctx: ReportContext) -> tuple[pd.DataFrame, Any]:
    from workbench.trends.charts import small_multiples

    ts = seizures.series("commodity_type", "Y", "quantity")
    cat_of = seizures.type_categories()
    ts = ts.assign(commodity_category=ts["commodity_type"].astype("string").map(cat_of).fillna(NOT_STATED))
    table = _year_pivot(ts, ["commodity_category", "commodity_type", "unit"], "quantity", _NAMES)
    biggest = (
        ts.groupby(["commodity_type", "unit"], observed=True)["cases"]
        .sum()
        .sort_values(ascending=False)
        .head(8)
        .index
    )
    sel = ts.set_index(["commodity_type", "unit"]).index.isin(biggest)
    sub = ts[sel].drop(columns="commodity_category")
    sub.attrs.update({"freq": "Y", "measure": "quantity"})
    chart = small_multiples(
        sub, "quantity", columns=4, title=_("Quantity per year, the 8 commodities seized most often")
    )
    return table, chart


def _country_year(seizures: ReportData, ctx: ReportContext) -> tuple[pd.DataFrame, Any]:
    from workbench.trends.charts import heatmap

    ts = seizures.series("reporting_country", "Y")
    code = ts["reporting_country"].astype("string")
    wide = _year_pivot(ts.assign(code=code), ["code"], "cases", {"code": "country code"})
    value = (
        seizures.series("reporting_country", "Y", "value_usd")
        .groupby("reporting_country", observed=True)["value_usd"]
        .sum()
    )
    wide.insert(1, "country", [value_label("reporting_country", c) for c in wide["country code"]])
    wide.insert(2, "WCO region", [value_label("wco_region", _wco(c)) for c in wide["country code"]])
    wide["estimated value (USD)"] = wide["country code"].map(value.rename(index=str)).fillna(0.0).to_numpy()
    wide = wide.sort_values("total", ascending=False, kind="stable").reset_index(drop=True)
    top = wide["country code"].head(20).tolist()
    data = ts[code.isin(top)].assign(
        country=lambda d: (
            d["reporting_country"].astype("string").map(lambda c: value_label("reporting_country", c))
        ),
        year=lambda d: pd.PeriodIndex(d["period"]).year.astype(str),
    )[["country", "year", "cases"]]
    return wide, heatmap(
        data, "year", "country", "cases", title=_("Cases per year, the 20 countries reporting most")
    )


def _wco(code: str) -> str:
    from workbench.format.reference import wco_region

    return wco_region(code) or NOT_STATED


def _value_by_region_year(seizures: ReportData, ctx: ReportContext) -> tuple[pd.DataFrame, Any]:
    from workbench.trends.charts import bar_chart

    ts = seizures.series("wco_region", "Y", "value_usd")
    table = _year_pivot(ts, ["wco_region"], "value_usd", _NAMES)
    data = pd.DataFrame(
        {
            "year": pd.PeriodIndex(ts["period"]).year.astype(str),
            "WCO region": _labels(ts, "wco_region").to_numpy(),
            "value (USD)": ts["value_usd"].to_numpy(),
        }
    )
    return table, bar_chart(
        data, "year", "value (USD)", color="WCO region", title=_("Estimated value (USD) per year")
    )


def _rilo_commodity(seizures: ReportData, ctx: ReportContext) -> tuple[pd.DataFrame, Any]:
    from workbench.trends.charts import heatmap

    ts = seizures.series(("rilo", "commodity_category"), "Y")
    total = ts.groupby(["rilo", "commodity_category"], observed=True)["cases"].sum().reset_index()
    total["commodity_category"] = _labels(total, "commodity_category")
    wide = total.pivot_table(
        index="rilo", columns="commodity_category", values="cases", aggfunc="sum", observed=True, fill_value=0
    )
    wide.columns = [str(c) for c in wide.columns]
    wide["total"] = wide.sum(axis=1)
    wide = wide[wide["total"] > 0].sort_values("total", ascending=False).reset_index()
    wide = wide.rename(columns={"rilo": "RILO region"})
    data = total.assign(rilo=total["rilo"].astype("string"))[total["cases"] > 0]
    data = data.rename(columns={"rilo": "RILO region", "commodity_category": "commodity category"})
    return wide, heatmap(
        data, "commodity category", "RILO region", "cases", title=_("Cases by RILO region and commodity")
    )


def _monthly_by_category(
    seizures: ReportData, ctx: ReportContext, months: int = 24
) -> tuple[pd.DataFrame, Any]:
    from workbench.trends.charts import series_chart

    if seizures.empty or ctx.start is None or ctx.end is None:
        return pd.DataFrame(columns=["month"]), None
    last = latest_complete_period(ctx.end, "M")
    # months before the period observed are not months without seizures: never show them as zeros
    first = max(last - (months - 1), ctx.start.to_period("M"))
    if first > last:  # the period is shorter than a month: show it whole
        first = last = ctx.end.to_period("M")
    ts = seizures.series("commodity_category", "M", start=first.start_time, end=last.end_time)
    ts = ts[(pd.PeriodIndex(ts["period"]) >= first) & (pd.PeriodIndex(ts["period"]) <= last)]
    wide = ts.assign(category=_labels(ts, "commodity_category"), month=ts["period"].astype(str)).pivot_table(
        index="month", columns="category", values="cases", aggfunc="sum", observed=True, fill_value=0
    )
    wide.columns = [str(c) for c in wide.columns]
    wide["total"] = wide.sum(axis=1)
    ts.attrs.update({"freq": "M", "measure": "cases"})
    n = len(pd.period_range(first, last, freq="M"))
    chart = series_chart(
        ts.reset_index(drop=True),
        title=_("Cases per month by commodity category, last {n} months", n=n)
        if n == months
        else _(
            "Cases per month by commodity category, {period}",
            period=span_label(first.start_time, last.end_time),
        ),
    )
    return wide.reset_index(), chart


def _cases_by_type(frame: pd.DataFrame, lo: pd.Timestamp, hi: pd.Timestamp) -> pd.Series:
    """Distinct cases per commodity type seized from ``lo`` to ``hi`` (both days included)."""
    if frame.empty:
        return pd.Series(dtype="int64")
    d = pd.to_datetime(frame["seizure_date"]).dt.normalize()
    sub = frame[((d >= lo) & (d <= hi)).to_numpy()]
    if sub.empty:
        return pd.Series(dtype="int64")
    work = pd.DataFrame(
        {
            "type": np.asarray(split_column(sub, "commodity_type").astype("string")),
            "case": sub["case_key"].to_numpy(),
        }
    )
    return work.groupby("type")["case"].nunique()


def _yoy_by_commodity(seizures: ReportData, ctx: ReportContext) -> tuple[pd.DataFrame, Any]:
    from workbench.trends.charts import movers_chart

    spans = ctx.year_on_year()
    if seizures.empty or spans is None:
        return pd.DataFrame(), None
    (lo, hi), (blo, bhi) = spans
    now_label, before_label = span_label(lo, hi), span_label(blo, bhi)
    # with a period in the filter, the year before lies outside the frame: it comes in ``year_before``
    earlier = ctx.year_before if ctx.dated and ctx.year_before is not None else seizures
    if earlier is seizures and ctx.start is not None and blo < ctx.start:
        # the year before was not read: its cases are unknown, not zero
        return pd.DataFrame(columns=["commodity type", f"cases {now_label}", f"cases {before_label}"]), None
    current, before = seizures.cases_by_type(lo, hi), earlier.cases_by_type(blo, bhi)
    types = current.index.union(before.index)
    movers = pd.DataFrame(
        {
            "commodity_type": pd.Series(types, dtype="string"),
            "period": now_label,
            "current": current.reindex(types, fill_value=0).to_numpy(dtype=float),
            "before": before.reindex(types, fill_value=0).to_numpy(dtype=float),
        }
    )
    movers["change"] = movers["current"] - movers["before"]
    movers["change_pct"] = movers["change"] / movers["before"].where(movers["before"] > 0) * 100
    movers = movers[movers["change"] != 0]
    movers = movers.reindex(movers["change"].abs().sort_values(ascending=False, kind="stable").index)
    movers = movers.reset_index(drop=True)
    table = pd.DataFrame(
        {
            "commodity type": _labels(movers, "commodity_type").to_numpy(),
            f"cases {now_label}": movers["current"].astype("int64").to_numpy(),
            f"cases {before_label}": movers["before"].astype("int64").to_numpy(),
            "change": movers["change"].astype("int64").to_numpy(),
            "change %": movers["change_pct"].to_numpy(),
        }
    )
    if movers.empty:
        return table, None
    chart = movers_chart(
        movers.head(15),
        ["commodity_type"],
        title=_(
            "Largest changes in cases, {now_label} against {before_label}",
            now_label=now_label,
            before_label=before_label,
        ),
    )
    return table, chart


def _largest_seizures(seizures: ReportData, ctx: ReportContext, top: int = 10) -> tuple[pd.DataFrame, Any]:
    if seizures.empty:
        return pd.DataFrame(), None
    frame = seizures.rows()
    cache: dict[str, Any] = {}
    df = pd.DataFrame(
        {
            "commodity category": split_column(frame, "commodity_category"),
            "commodity type": split_column(frame, "commodity_type"),
            "quantity": pd.to_numeric(frame["quantity"], errors="coerce"),
            "unit": frame["unit"].astype("string"),
            "case id": frame["case_id"].astype("string"),
            "reporting country": frame["reporting_country"].astype("string"),
            "seizure date": pd.to_datetime(frame["seizure_date"]),
            "transport mode": split_column(frame, "transport_mode"),
            "route": split_column(frame, "route", _cache=cache),
            "estimated value (USD)": pd.to_numeric(frame["estimated_value_usd"], errors="coerce"),
        }
    ).dropna(subset=["quantity", "unit"])
    df = df.sort_values("quantity", ascending=False, kind="stable")
    df["rank"] = df.groupby(["commodity type", "unit"], observed=True).cumcount() + 1
    df = df[df["rank"] <= top].sort_values(
        ["commodity category", "commodity type", "unit", "rank"], kind="stable"
    )
    for c in ("commodity category", "commodity type", "transport mode"):
        df[c] = df[c].astype("string").map(code_label)
    df["route"] = df["route"].astype("string").map(lambda v: value_label("route", v))
    cols = [
        "commodity category",
        "commodity type",
        "unit",
        "rank",
        "quantity",
        "case id",
        "reporting country",
    ]
    return df[[*cols, "seizure date", "transport mode", "route", "estimated value (USD)"]].reset_index(
        drop=True
    ), None


#: The catalogue, in the order the page lists it.
REPORTS: dict[str, StandardReport] = {
    r.key: r
    for r in (
        StandardReport(
            "commodity_region_year",
            N_("Seizures by commodity and region, per year"),
            N_("Cases per commodity category and WCO region of the reporting country, for every year."),
            _commodity_region_year,
            sheet=N_("Comm. by region"),
            counts=N_(
                "Counts distinct cases per year and WCO region of the reporting country; a case with several commodity categories counts under each."
            ),
        ),
        StandardReport(
            "top_routes_per_commodity",
            N_("Top 20 routes per commodity"),
            N_(
                "For each commodity type, the 20 origin → destination routes with most cases, with their "
                "quantity (in the commodity's usual unit) and value. Destinations inferred from the reporting "
                "country of an import are counted separately."
            ),
            _top_routes,
            sheet=N_("Top routes"),
            counts=N_(
                "Counts distinct cases per origin → destination route and commodity category; quantities in each commodity type's usual unit, values in USD."
            ),
        ),
        StandardReport(
            "detection_by_mode",
            N_("Detection methods per transport mode"),
            N_(
                "Share of cases, of quantity (kg) and of value found by each detection method, per transport mode."
            ),
            _detection_by_mode,
            sheet=N_("Detection-mode"),
            counts=N_(
                "Shows each detection method's share of the distinct cases per transport mode (each bar is 100 %); quantities in {unit}, values in USD."
            ),
        ),
        StandardReport(
            "concealment_by_commodity",
            N_("Concealment methods per commodity"),
            N_("Share of cases by concealment method, per commodity category, with quantities and values."),
            _concealment_by_commodity,
            sheet=N_("Concealment"),
            counts=N_(
                "Shows each concealment method's share of the distinct cases per commodity category (each bar is 100 %); quantities in {unit}, values in USD."
            ),
        ),
        StandardReport(
            "mode_by_commodity",
            N_("Transport modes per commodity"),
            N_("Share of cases by transport mode, per commodity category."),
            _mode_by_category,
            sheet=N_("Mode-commodity"),
            counts=N_(
                "Shows each transport mode's share of the distinct cases per commodity category (each bar is 100 %); quantities in {unit}, values in USD."
            ),
        ),
        StandardReport(
            "detection_effectiveness",
            N_("Detection methods: cases and quantities"),
            N_(
                "For each detection method: cases and share of cases, quantity (kg) and share of quantity, "
                "the median quantity per case and the value. A method that finds few cases but much of the "
                "quantity finds the large seizures."
            ),
            _detection_effectiveness,
            sheet=N_("Detection eff."),
            counts=N_(
                "Shows each detection method's share of all distinct cases and of the quantity seized in {unit} (items in other units left out); values in USD."
            ),
        ),
        StandardReport(
            "quantity_by_commodity_year",
            N_("Quantities seized per commodity, per year"),
            N_("Total quantity per commodity type and unit for every year (units are never added together)."),
            _quantity_by_commodity_year,
            sheet=N_("Quantities"),
            counts=N_(
                "Sums the quantity seized per year in each commodity's own unit (shown in the panel's title); units are never added together."
            ),
        ),
        StandardReport(
            "country_year",
            N_("Seizures by reporting country, per year"),
            N_("Cases per reporting country and year, with its WCO region and the total estimated value."),
            _country_year,
            sheet=N_("By country"),
            counts=N_(
                "Counts distinct cases per year and reporting country (darker is more); values in USD."
            ),
        ),
        StandardReport(
            "value_by_region_year",
            N_("Estimated value by region, per year"),
            N_(
                "Estimated value (USD) of the items seized, per WCO region of the reporting country and year."
            ),
            _value_by_region_year,
            sheet=N_("Value by region"),
            counts=N_(
                "Sums the estimated value of the items seized, in US dollars, per year and WCO region of the reporting country."
            ),
        ),
        StandardReport(
            "rilo_commodity",
            N_("Seizures by RILO region and commodity"),
            N_(
                "Cases per RILO region of the reporting country and commodity category (RILO membership is "
                "this project's assumption: see the README)."
            ),
            _rilo_commodity,
            sheet=N_("RILO-commodity"),
            counts=N_(
                "Counts distinct cases per RILO region of the reporting country and commodity category (darker is more)."
            ),
        ),
        StandardReport(
            "monthly_by_category",
            N_("Cases per month by commodity"),
            N_(
                "Cases per month and commodity category over the last 24 complete months of the data, or of "
                "the period in the sidebar (all of it, when shorter)."
            ),
            _monthly_by_category,
            sheet=N_("Monthly"),
            counts=N_(
                "Counts distinct cases per month and commodity category; a case with several categories counts under each."
            ),
        ),
        StandardReport(
            "yoy_by_commodity",
            N_("Year-on-year change by commodity"),
            N_(
                "Cases per commodity type in the last complete year against the year before; with a period in "
                "the sidebar, its last 12 months (all of it, when shorter) against the same days a year before. "
                "Largest changes first."
            ),
            _yoy_by_commodity,
            sheet=N_("Year on year"),
            counts=N_(
                "Counts distinct cases per commodity type in the period against the same days a year before; bars show the change in cases."
            ),
        ),
        StandardReport(
            "largest_seizures",
            N_("Largest seizures per commodity"),
            N_(
                "The 10 largest items by quantity for each commodity type and unit, with their case (table only)."
            ),
            _largest_seizures,
            sheet=N_("Largest items"),
            counts=N_("Lists single items by quantity, in their own unit; values in USD."),
        ),
    )
}


def run_report(
    key: str,
    frame: pd.DataFrame | ReportData,
    flt: Any = None,
    *,
    year_before: pd.DataFrame | ReportData | None = None,
) -> ReportResult:
    """Build report ``key`` from a seizure frame (already narrowed by ``flt``, which is only described),
    or from a :class:`ReportData` (e.g. :class:`workbench.trends.pushdown.StoreReportData`, in the
    database).

    ``year_before`` is the frame of :func:`year_before_filter` (only the year-on-year report reads it,
    and only when ``flt`` sets a period). Titles, sheet tab and notes say the period and the filter;
    floats are rounded for people (:func:`tidy_numbers`); the chart's subtitle says what it counts.
    """
    if key not in REPORTS:
        raise ValueError(
            _("no standard report {key!r}; choose one of {reports}", key=key, reports=", ".join(REPORTS))
        )
    rep = REPORTS[key]
    data = report_data(frame)
    ctx = ReportContext.of(data, flt, year_before)
    table, chart = rep.build(data, ctx)
    n_cases = data.n_cases
    title, description = _(rep.title), _(rep.description)
    notes = [
        description,
        _(
            "Period: {period}. Filter: {filter} ({n:,} cases).",
            period=ctx.period_label(),
            filter=flt.describe() if flt is not None else _("all cases"),
            n=n_cases,
        ),
        _(
            "Cases are distinct cases (a case with two commodities counts under each); quantities are summed "
            "per unit; values are estimates in USD. Seizures reflect enforcement effort as well as trafficking."
        ),
    ]
    table = table.reset_index(drop=True)
    for c in table.columns:
        if isinstance(table[c].dtype, pd.CategoricalDtype):
            table[c] = table[c].astype("string")
    table = tidy_numbers(table)
    # share columns are found by their English names: their formats first, then the headings people read
    formats = {heading(c): f for c, f in _number_formats(table).items()}
    table = translate_headings(table)
    # the unit only where the caption says it (finding it reads the units of every item)
    unit = (data.main_unit() or "kg") if "{unit}" in rep.counts else ""
    caption = _(rep.counts, unit=unit) if rep.counts else ""
    crit = ctx.criteria()
    if chart is not None:
        from workbench.trends.charts import with_subtitle

        chart = with_subtitle(
            chart,
            [
                caption,
                _("Period: {period}; {criteria}", period=ctx.period_label(), criteria=crit)
                if crit
                else _("Period: {period}", period=ctx.period_label()),
            ],
        )
    tab = (_(rep.sheet) if rep.sheet else _sheet_name(title))[:15]
    sheet = f"{tab} {ctx.period_tag()}".strip()
    return ReportResult(
        rep.key,
        title,
        description,
        table,
        chart,
        notes,
        caption=caption,
        heading=ctx.heading(title),
        sheet=_sheet_name(sheet),
        formats=formats,
    )


def catalogue_workbook(results: list[ReportResult]) -> bytes:
    """Several reports in one formatted workbook, a sheet each (the catalogue for a briefing).

    Every sheet is headed by its report's title with the period and filter; the tab names say the
    report and the period.
    """
    from workbench.exchange.excel import formatted_workbook

    sheets: dict[str, pd.DataFrame] = {}
    titles: dict[str, str] = {}
    formats: dict[str, str] = {}
    for r in results:
        name = r.sheet or _sheet_name(r.title)
        while name in sheets:
            name = name[:28] + f" {len(sheets)}"
        sheets[name] = r.table
        titles[name] = r.heading or r.title
        formats.update(r.formats or _number_formats(r.table))
    notes = results[0].notes[1:] if results else []
    return formatted_workbook(
        sheets, title=_("Standard statistics"), notes=notes, titles=titles, formats=formats
    )


def events_by_year(stats: pd.DataFrame, split: str = "commodity_type") -> pd.DataFrame:
    """Standard statistics from aggregate input: seizure **events** per year (columns) by ``split``
    (rows), from :func:`workbench.exchange.statistics.load_statistics`; never mixed with case counts.

    >>> stats = pd.DataFrame({"period": ["2019-10", "2020", "2020"], "granularity": ["month", "year", "year"],
    ...     "commodity_type": ["cocaine", "cocaine", "khat"], "events": [3, 4, 0], "quantity": [1.0, 2.0, 0.0],
    ...     "unit": ["kg"] * 3})
    >>> events_by_year(stats).to_dict("index")
    {'cocaine': {'2019': 3, '2020': 4}, 'khat': {'2019': 0, '2020': 0}}
    """
    from workbench.trends.series import event_counts

    ev = event_counts(stats, "Y", split)
    table = ev.pivot_table(index=split, columns="period", values="events", aggfunc="sum", fill_value=0)
    table.columns.name = None
    table.index.name = None
    return table.astype("int64")
