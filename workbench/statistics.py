"""Standard statistics: a catalogue of ready reports, like CEN's predefined queries, for briefings.

Each report (:data:`REPORTS`) turns a seizure frame (:func:`workbench.frames.seizure_frame`, already
narrowed by the filter in force) into a table for people and, mostly, a chart. A
:class:`ReportResult` is downloadable as a formatted Excel sheet (:func:`workbench.excel.formatted_workbook`),
as CSV, and its chart as PNG or SVG (rendered offline). The counting rules are those of
:mod:`workbench.trends`: cases are distinct cases, quantities are summed per unit, values are in USD.

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
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from workbench.trends import (
    NOT_STATED,
    latest_complete_period,
    method_shares,
    split_column,
    time_series,
    top_movers,
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
]


@dataclass(frozen=True)
class StandardReport:
    """One entry of the catalogue: what it shows, and the function that builds it from a frame."""

    key: str
    title: str
    description: str
    build: Callable[[pd.DataFrame], tuple[pd.DataFrame, Any]]


@dataclass
class ReportResult:
    """A report run on the data in force: the table, the chart (or None) and the notes for its head."""

    key: str
    title: str
    description: str
    table: pd.DataFrame
    chart: Any = None
    notes: list[str] = field(default_factory=list)

    @property
    def file_stem(self) -> str:
        return f"{self.key.replace('_', '-')}-{dt.date.today():%Y%m%d}"

    def to_excel(self) -> bytes:
        """The table as a formatted workbook of one sheet, titled, with the notes above it."""
        from workbench.excel import formatted_workbook

        return formatted_workbook({_sheet_name(self.title): self.table}, title=self.title, notes=self.notes)

    def to_csv(self) -> bytes:
        """The table as UTF-8 CSV (see :func:`table_csv`)."""
        return table_csv(self.table)

    def chart_png(self) -> bytes | None:
        from workbench.charts import chart_png

        return None if self.chart is None else chart_png(self.chart)

    def chart_svg(self) -> str | None:
        from workbench.charts import chart_svg

        return None if self.chart is None else chart_svg(self.chart)


def table_csv(table: pd.DataFrame) -> bytes:
    """A table as UTF-8 CSV for people; text a spreadsheet would take as a formula is kept as text.

    >>> table_csv(pd.DataFrame({"commodity": ["=cmd", "cocaine"], "cases": [1, 2]})).decode().splitlines()
    ['commodity,cases', "'=cmd,1", 'cocaine,2']
    """
    from workbench.exchange_io import excel_safe

    table = table.copy()
    for c in table.columns:
        if not pd.api.types.is_numeric_dtype(table[c]) and not pd.api.types.is_datetime64_any_dtype(table[c]):
            table[c] = table[c].astype(object).map(excel_safe)
    buf = io.StringIO()
    table.to_csv(buf, index=False)
    return buf.getvalue().encode("utf-8")


def _sheet_name(title: str) -> str:
    bad = set("[]:*?/\\")
    return "".join(c for c in title if c not in bad)[:31]


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
    """A :func:`~workbench.trends.method_shares` frame for people: values in words, columns named."""
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
def _commodity_region_year(frame: pd.DataFrame) -> tuple[pd.DataFrame, Any]:
    from workbench.charts import bar_chart

    ts = time_series(frame, ("commodity_category", "wco_region"), "Y")
    table = _year_pivot(ts, ["commodity_category", "wco_region"], "cases", _NAMES)
    by_year = time_series(frame, "wco_region", "Y")
    data = pd.DataFrame(
        {
            "year": pd.PeriodIndex(by_year["period"]).year.astype(str),
            "WCO region": _labels(by_year, "wco_region").to_numpy(),
            "cases": by_year["cases"].to_numpy(),
        }
    )
    return table, bar_chart(data, "year", "cases", color="WCO region", title="Cases per year by WCO region")


def _top_routes(frame: pd.DataFrame, top: int = 20) -> tuple[pd.DataFrame, Any]:
    from workbench.charts import bar_chart

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
        title=f"Top {top} routes (origin → destination), all commodities",
    )
    return table, chart


def _detection_by_mode(frame: pd.DataFrame) -> tuple[pd.DataFrame, Any]:
    from workbench.charts import shares_chart

    sh = method_shares(frame, "detection_method", "transport_mode")
    return shares_table(sh, "detection_method", "transport_mode"), shares_chart(
        sh,
        "detection_method",
        "transport_mode",
        title="Share of cases by detection method, per transport mode",
    )


def _concealment_by_commodity(frame: pd.DataFrame) -> tuple[pd.DataFrame, Any]:
    from workbench.charts import shares_chart

    sh = method_shares(frame, "concealment_method", "commodity_category")
    return shares_table(sh, "concealment_method", "commodity_category"), shares_chart(
        sh,
        "concealment_method",
        "commodity_category",
        title="Share of cases by concealment method, per commodity category",
    )


def _mode_by_category(frame: pd.DataFrame) -> tuple[pd.DataFrame, Any]:
    from workbench.charts import shares_chart

    sh = method_shares(frame, "transport_mode", "commodity_category")
    return shares_table(sh, "transport_mode", "commodity_category"), shares_chart(
        sh,
        "transport_mode",
        "commodity_category",
        title="Share of cases by transport mode, per commodity category",
    )


def _detection_effectiveness(frame: pd.DataFrame) -> tuple[pd.DataFrame, Any]:
    import altair as alt

    from workbench.charts import FIT_WIDTH, PALETTE

    sh = method_shares(frame, "detection_method", None)
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
            title="Detection methods: share of cases and of quantity",
            width="container",
            height=320,
            autosize=FIT_WIDTH,
        )
    )
    return table, chart


def _quantity_by_commodity_year(frame: pd.DataFrame) -> tuple[pd.DataFrame, Any]:
    from workbench.charts import small_multiples

    ts = time_series(frame, "commodity_type", "Y", "quantity")
    pairs = frame[["commodity_type", "commodity_category"]].dropna().drop_duplicates("commodity_type")
    cat_of = pd.Series(
        pairs["commodity_category"].astype("string").to_numpy(),
        index=pairs["commodity_type"].astype("string"),
    )
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
        sub, "quantity", columns=4, title="Quantity per year, the 8 commodities seized most often"
    )
    return table, chart


def _country_year(frame: pd.DataFrame) -> tuple[pd.DataFrame, Any]:
    from workbench.charts import heatmap

    ts = time_series(frame, "reporting_country", "Y")
    code = ts["reporting_country"].astype("string")
    wide = _year_pivot(ts.assign(code=code), ["code"], "cases", {"code": "country code"})
    value = (
        time_series(frame, "reporting_country", "Y", "value_usd")
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
        data, "year", "country", "cases", title="Cases per year, the 20 countries reporting most"
    )


def _wco(code: str) -> str:
    from workbench.reference import wco_region

    return wco_region(code) or NOT_STATED


def _value_by_region_year(frame: pd.DataFrame) -> tuple[pd.DataFrame, Any]:
    from workbench.charts import bar_chart

    ts = time_series(frame, "wco_region", "Y", "value_usd")
    table = _year_pivot(ts, ["wco_region"], "value_usd", _NAMES)
    data = pd.DataFrame(
        {
            "year": pd.PeriodIndex(ts["period"]).year.astype(str),
            "WCO region": _labels(ts, "wco_region").to_numpy(),
            "value (USD)": ts["value_usd"].to_numpy(),
        }
    )
    return table, bar_chart(
        data, "year", "value (USD)", color="WCO region", title="Estimated value (USD) per year"
    )


def _rilo_commodity(frame: pd.DataFrame) -> tuple[pd.DataFrame, Any]:
    from workbench.charts import heatmap

    ts = time_series(frame, ("rilo", "commodity_category"), "Y")
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
        data, "commodity category", "RILO region", "cases", title="Cases by RILO region and commodity"
    )


def _monthly_by_category(frame: pd.DataFrame, months: int = 24) -> tuple[pd.DataFrame, Any]:
    from workbench.charts import series_chart

    if frame.empty:
        return pd.DataFrame(columns=["month"]), None
    last = latest_complete_period(pd.to_datetime(frame["seizure_date"]).max(), "M")
    first = last - (months - 1)
    ts = time_series(frame, "commodity_category", "M", start=first.start_time, end=last.end_time)
    ts = ts[(pd.PeriodIndex(ts["period"]) >= first) & (pd.PeriodIndex(ts["period"]) <= last)]
    wide = ts.assign(category=_labels(ts, "commodity_category"), month=ts["period"].astype(str)).pivot_table(
        index="month", columns="category", values="cases", aggfunc="sum", observed=True, fill_value=0
    )
    wide.columns = [str(c) for c in wide.columns]
    wide["total"] = wide.sum(axis=1)
    ts.attrs.update({"freq": "M", "measure": "cases"})
    chart = series_chart(
        ts.reset_index(drop=True), title=f"Cases per month by commodity category, last {months} months"
    )
    return wide.reset_index(), chart


def _yoy_by_commodity(frame: pd.DataFrame) -> tuple[pd.DataFrame, Any]:
    from workbench.charts import movers_chart

    if frame.empty:
        return pd.DataFrame(), None
    last = latest_complete_period(pd.to_datetime(frame["seizure_date"]).max(), "Y")
    ts = time_series(frame, "commodity_type", "Y", end=last.end_time)
    movers = top_movers(ts, "cases", period=last, compare="year", n=10_000)
    table = movers.assign(commodity_type=_labels(movers, "commodity_type")).rename(
        columns={
            "commodity_type": "commodity type",
            "current": f"cases {last}",
            "before": f"cases {last - 1}",
            "change_pct": "change %",
        }
    )
    chart = movers_chart(
        movers.head(15), ["commodity_type"], title=f"Largest changes in cases, {last} against {last - 1}"
    )
    return table, chart


def _largest_seizures(frame: pd.DataFrame, top: int = 10) -> tuple[pd.DataFrame, Any]:
    if frame.empty:
        return pd.DataFrame(), None
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
        df[c] = df[c].astype("string").map(lambda v: v.replace("_", " "))
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
            "Seizures by commodity and region, per year",
            "Cases per commodity category and WCO region of the reporting country, for every year.",
            _commodity_region_year,
        ),
        StandardReport(
            "top_routes_per_commodity",
            "Top 20 routes per commodity",
            "For each commodity type, the 20 origin → destination routes with most cases, with their "
            "quantity (in the commodity's usual unit) and value. Destinations inferred from the reporting "
            "country of an import are counted separately.",
            _top_routes,
        ),
        StandardReport(
            "detection_by_mode",
            "Detection methods per transport mode",
            "Share of cases, of quantity (kg) and of value found by each detection method, per transport mode.",
            _detection_by_mode,
        ),
        StandardReport(
            "concealment_by_commodity",
            "Concealment methods per commodity",
            "Share of cases by concealment method, per commodity category, with quantities and values.",
            _concealment_by_commodity,
        ),
        StandardReport(
            "mode_by_commodity",
            "Transport modes per commodity",
            "Share of cases by transport mode, per commodity category.",
            _mode_by_category,
        ),
        StandardReport(
            "detection_effectiveness",
            "Detection methods: cases and quantities",
            "For each detection method: cases and share of cases, quantity (kg) and share of quantity, "
            "the median quantity per case and the value. A method that finds few cases but much of the "
            "quantity finds the large seizures.",
            _detection_effectiveness,
        ),
        StandardReport(
            "quantity_by_commodity_year",
            "Quantities seized per commodity, per year",
            "Total quantity per commodity type and unit for every year (units are never added together).",
            _quantity_by_commodity_year,
        ),
        StandardReport(
            "country_year",
            "Seizures by reporting country, per year",
            "Cases per reporting country and year, with its WCO region and the total estimated value.",
            _country_year,
        ),
        StandardReport(
            "value_by_region_year",
            "Estimated value by region, per year",
            "Estimated value (USD) of the items seized, per WCO region of the reporting country and year.",
            _value_by_region_year,
        ),
        StandardReport(
            "rilo_commodity",
            "Seizures by RILO region and commodity",
            "Cases per RILO region of the reporting country and commodity category (RILO membership is "
            "this project's assumption: see the README).",
            _rilo_commodity,
        ),
        StandardReport(
            "monthly_by_category",
            "Cases per month by commodity, last 24 months",
            "Cases per month and commodity category over the last 24 complete months of the data.",
            _monthly_by_category,
        ),
        StandardReport(
            "yoy_by_commodity",
            "Year-on-year change by commodity",
            "Cases per commodity type in the last complete year against the year before, largest changes first.",
            _yoy_by_commodity,
        ),
        StandardReport(
            "largest_seizures",
            "Largest seizures per commodity",
            "The 10 largest items by quantity for each commodity type and unit, with their case (table only).",
            _largest_seizures,
        ),
    )
}


def run_report(key: str, frame: pd.DataFrame, flt: Any = None) -> ReportResult:
    """Build report ``key`` from a seizure frame (already narrowed by ``flt``, which is only described)."""
    if key not in REPORTS:
        raise ValueError(f"no standard report {key!r}; choose one of {', '.join(REPORTS)}")
    rep = REPORTS[key]
    table, chart = rep.build(frame)
    n_cases = int(frame["case_key"].nunique()) if "case_key" in frame.columns else len(frame)
    notes = [
        rep.description,
        f"Filter: {flt.describe() if flt is not None else 'all cases'} ({n_cases:,} cases).",
        "Cases are distinct cases (a case with two commodities counts under each); quantities are summed "
        "per unit; values are estimates in USD. Seizures reflect enforcement effort as well as trafficking.",
    ]
    table = table.reset_index(drop=True)
    for c in table.columns:
        if isinstance(table[c].dtype, pd.CategoricalDtype):
            table[c] = table[c].astype("string")
        elif pd.api.types.is_float_dtype(table[c]):
            table[c] = table[c].astype("float64").replace([np.inf, -np.inf], np.nan)
    return ReportResult(rep.key, rep.title, rep.description, table, chart, notes)


def catalogue_workbook(results: list[ReportResult]) -> bytes:
    """Several reports in one formatted workbook, a sheet each (the catalogue for a briefing)."""
    from workbench.excel import formatted_workbook

    sheets: dict[str, pd.DataFrame] = {}
    for r in results:
        name = _sheet_name(r.title)
        while name in sheets:
            name = name[:28] + f" {len(sheets)}"
        sheets[name] = r.table
    notes = results[0].notes[1:] if results else []
    return formatted_workbook(sheets, title="Standard statistics", notes=notes)
