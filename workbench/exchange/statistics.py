"""Aggregate seizure statistics: counts of seizure events and total quantities per period and place.

National agencies and the UN publish totals, not cases: "144 seizures of cocaine, 340 lb, at the El
Paso office in October 2019", or "Republic of Korea, 2019, cannabis, 0 kg". Such a row is one
**statistic**, never a fake case: it is stored in :data:`STATISTICS` with its period as written (a
year ``2019`` or a month ``2019-10``: a yearly figure is never spread as if it were a date), and
Trends count **events** from it, said apart from the cases stored one by one
(:func:`workbench.trends.series.event_counts`).

A statistics file comes in through a mapping profile whose table is ``statistics`` (see
``docs/connectors.md``); :func:`ingest_statistics` checks each row (:data:`STAT_COLUMNS`), records
the submission, writes the good rows and audits, in one transaction: a refused row is reported with
its file, row and column, and nothing is half-written.

Examples
--------
>>> import pandas as pd
>>> from workbench.store import open_store
>>> from workbench.exchange.files import RawTable, ROW
>>> store = open_store("sqlite://")
>>> rows = pd.DataFrame({ROW: [2, 3, 4], "period": ["2019-10", "2019-11", "2019"],
...     "reporting_country": ["US", "US", "Republic of Korea"], "commodity_type": ["cocaine"] * 3,
...     "events": ["12", "0", "x"], "quantity": ["154.2", "0", "1"], "unit": ["kg"] * 3})
>>> report = ingest_statistics(RawTable("statistics", rows, "totals.csv"), store)
>>> report.accepted["statistics"], report.rejected["statistics"], str(report.rejections[0])
(2, 1, "totals.csv, row 4, column 'events': not a whole number")
>>> load_statistics(store)[["period", "granularity", "events", "quantity"]].values.tolist()
[['2019-10', 'month', 12, 154.2], ['2019-11', 'month', 0, 0.0]]
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd
import sqlalchemy as sa

from workbench.exchange.files import CHUNK_ROWS, REFUSED, ROW, RawTable
from workbench.exchange.rowchecks import Rejection, coerce_column
from workbench.format.schema import Column
from workbench.i18n import _
from workbench.identity import PermissionDenied, Principal, acting, authorise
from workbench.store import Base, QuarantinedRow, Store, Submission, audit, bump_data_version, data_version
from workbench.store.summaries import refresh_summaries

if TYPE_CHECKING:
    from workbench.exchange.ingest import ImportReport

__all__ = ["STATISTICS", "STAT_COLUMNS", "ingest_statistics", "load_statistics", "check_statistics"]

STATISTICS = sa.Table(
    "seizure_statistics",
    Base.metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("submission_id", sa.Integer, sa.ForeignKey("submissions.id", ondelete="CASCADE"), index=True),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("row_number", sa.Integer, nullable=True),
    sa.Column("period", sa.String(7), nullable=False),
    sa.Column("granularity", sa.String(5), nullable=False),
    sa.Column("period_start", sa.Date, nullable=False, index=True),
    sa.Column("reporting_country", sa.String(2), nullable=False, index=True),
    sa.Column("place_name", sa.Text, nullable=True),
    sa.Column("commodity_category", sa.String(40), nullable=True),
    sa.Column("commodity_type", sa.String(80), nullable=True),
    sa.Column("events", sa.Integer, nullable=True),
    sa.Column("quantity", sa.Float, nullable=True),
    sa.Column("unit", sa.String(10), nullable=True),
)

#: The columns a statistics row may carry (what a mapping profile's ``statistics`` table maps to).
STAT_COLUMNS: tuple[Column, ...] = (
    Column(
        "period",
        "text",
        required=True,
        pattern=r"^\d{4}(-(0[1-9]|1[0-2]))?$",
        help="the year (2019) or month (2019-10) the figures cover",
    ),
    Column("reporting_country", "iso2", required=True, help="the country the figures are for"),
    Column("place_name", "text", help="the office, port or region, as written"),
    Column("commodity_category", "enum", enum="commodity_category", help="the broad class of the goods"),
    Column("commodity_type", "text", help="the commodity (drug group), as in the taxonomy"),
    Column("events", "int", min=0, help="the number of seizure events (0 for none; blank when not reported)"),
    Column("quantity", "float", min=0, help="the total quantity seized, in unit"),
    Column("unit", "enum", enum="unit", help="the unit of quantity"),
)
_BY_NAME = {c.name: c for c in STAT_COLUMNS}

Progress = Callable[[int, int, str], None]


def check_statistics(
    frame: pd.DataFrame, where: str, codes: frozenset[str] | None = None
) -> tuple[pd.DataFrame, list[Rejection]]:
    """Typed good rows and one rejection per refused cell (naming file, row and column)."""
    from workbench.format.reference import country_codes, to_iso2

    codes = codes or country_codes()
    rows = frame[ROW].to_numpy() if ROW in frame.columns else np.arange(2, len(frame) + 2)
    bad = np.zeros(len(frame), dtype=bool)
    rejections: list[Rejection] = []
    if REFUSED in frame.columns:
        for i, reasons in enumerate(frame[REFUSED].tolist()):
            for column, reason in (reasons or {}).items():
                rejections.append(Rejection("statistics", int(rows[i]), column, reason, where))
                bad[i] = True
    typed: dict[str, pd.Series] = {}
    for col in STAT_COLUMNS:
        if col.name not in frame.columns:
            if col.required:
                rejections.append(
                    Rejection(
                        "statistics", None, col.name, _("required column missing: every row refused"), where
                    )
                )
                return frame.iloc[0:0], rejections
            typed[col.name] = pd.Series(pd.NA, index=frame.index, dtype="object")
            continue
        s = frame[col.name]
        if col.type == "iso2":  # names as well as codes ("Republic of Korea", "China, Hong Kong SAR")
            s = s.map(lambda v: to_iso2(v) or v if v is not None and not pd.isna(v) else v)
        values, failures = coerce_column(s, col, codes)
        if col.pattern:
            failures.append(
                (
                    values.notna() & ~values.astype("string").str.match(col.pattern).fillna(False),
                    _("not a year (2019) or a month (2019-10)"),
                )
            )
        if col.required:
            failures.append(
                (values.isna() & pd.Series(True, index=values.index), _("required value is blank"))
            )
        for mask, reason in failures:
            m = mask.to_numpy(dtype=bool) & ~bad
            for j in np.flatnonzero(m):
                shown = frame[col.name].iloc[j]
                text = (
                    reason
                    if col.type != "iso2"
                    else _("{reason}: {value!r}", reason=reason, value=str(shown))
                )
                rejections.append(Rejection("statistics", int(rows[j]), col.name, text, where))
            bad |= m
        typed[col.name] = values
    neither = (typed["events"].isna() & typed["quantity"].isna()).to_numpy(dtype=bool) & ~bad
    for j in np.flatnonzero(neither):
        rejections.append(
            Rejection(
                "statistics", int(rows[j]), "events", _("neither a number of events nor a quantity"), where
            )
        )
    bad |= neither
    good = pd.DataFrame(typed, index=frame.index).assign(**{ROW: rows})[~bad]
    return good.reset_index(drop=True), sorted(rejections, key=lambda r: (r.row or 0, r.column or ""))


def _period_start(period: str) -> dt.date:
    return dt.date(int(period[:4]), int(period[5:7]) if len(period) > 4 else 1, 1)


def ingest_statistics(
    table: RawTable,
    store: Store,
    *,
    actor: Principal | None = None,
    progress: Progress | None = None,
    source_name: str | None = None,
    file_hash: str = "",
    chunk_rows: int = CHUNK_ROWS,
) -> ImportReport:
    """Check and store a table of aggregate statistics as one submission (see the module docstring)."""
    from workbench.exchange.ingest import ImportRefused, ImportReport

    t0 = time.perf_counter()
    actor = acting(store, actor)
    source = source_name or table.file or table.name
    try:
        authorise(store, actor, "import_data")
    except PermissionDenied as e:
        raise ImportRefused(_("{source}: not imported: {why}", source=source, why=e)) from e
    report = ImportReport(source=source, file_hash=file_hash)
    report.accepted["statistics"] = report.rejected["statistics"] = 0
    total = max(table.approx_rows or 0, 1)
    done = 0
    label = _("importing {table}", table="statistics")
    countries: set[str] = set()
    with store.session() as s:
        sub = Submission(
            received_at=dt.datetime.now(dt.UTC),
            submitted_by=actor.user,
            source_name=source,
            source_kind="statistics",
            file_hash=file_hash,
            status="accepted",
            reporting_countries="",
            counts=None,
            report=None,
        )
        s.add(sub)
        s.flush()
        conn = s.connection()
        for chunk in table.iter_chunks(chunk_rows):
            good, rejections = check_statistics(chunk, table.where)
            report.rejections += rejections
            report.rejected["statistics"] += len({r.row for r in rejections if r.row is not None}) or (
                len(chunk) if rejections else 0
            )
            if rejections:
                conn.execute(
                    sa.insert(QuarantinedRow),
                    [
                        {
                            "submission_id": sub.id,
                            "table_name": "statistics",
                            "sheet": table.where,
                            "row_number": r.row,
                            "column_name": r.column,
                            "reason": r.reason,
                            "raw": None,
                        }
                        for r in rejections
                    ],
                )
            if len(good):
                countries.update(str(c) for c in good["reporting_country"].dropna().unique())
                periods = good["period"].astype(str)
                table_rows = pd.DataFrame(
                    {
                        "submission_id": sub.id,
                        "source": source,
                        "row_number": good[ROW].astype("int64"),
                        "period": periods,
                        "granularity": np.where(periods.str.len() > 4, "month", "year"),
                        "period_start": [_period_start(p) for p in periods],
                        "reporting_country": good["reporting_country"].astype(str),
                        "place_name": good["place_name"],
                        "commodity_category": good["commodity_category"],
                        "commodity_type": good["commodity_type"],
                        "events": good["events"].astype("Int64"),
                        "quantity": good["quantity"].astype("Float64"),
                        "unit": good["unit"],
                    }
                )
                recs = cast(
                    "list[dict[str, Any]]",
                    table_rows.astype(object).where(table_rows.notna(), None).to_dict("records"),
                )
                conn.execute(sa.insert(STATISTICS), recs)
            report.accepted["statistics"] += len(good)
            done += len(chunk)
            if progress and done < total:  # 100 % is said only when the table is done
                progress(done, total, label)
        if progress:
            progress(done, done or 1, label)
        n_ok, n_bad = report.accepted["statistics"], report.rejected["statistics"]
        report.status = "accepted" if n_bad == 0 else ("partial" if n_ok else "rejected")
        report.inserted["statistics"] = n_ok
        report.submission_id = sub.id
        report.seconds = time.perf_counter() - t0
        sub.status = report.status
        sub.reporting_countries = ";".join(sorted(countries))[:2000]
        sub.counts = json.dumps({"accepted": report.accepted, "rejected": report.rejected})
        sub.report = report.to_json()
        before = data_version(conn)["cases"]
        bump_data_version(conn, "cases", "submissions")
        refresh_summaries(conn, (), before)  # no case written: the summaries stay current
        audit(
            conn,
            "import.statistics",
            {
                "submission_id": sub.id,
                "source": source,
                "status": report.status,
                "accepted": n_ok,
                "rejected": n_bad,
            },
            actor,
        )
    return report


def load_statistics(store: Store) -> pd.DataFrame:
    """Every stored statistics row, in period order."""
    t = STATISTICS
    with store.engine.connect() as conn:
        df = pd.read_sql(sa.select(t).order_by(t.c.period_start, t.c.id), conn)
    return df
