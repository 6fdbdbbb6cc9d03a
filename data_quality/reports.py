"""What the steward pages show, read from the workbench's own tables: the submissions with status and
score, one submission's report (failed expectations with counts, failing rows with spreadsheet row
numbers), the feedback workbook for the submitting administration, and the scorecard inputs.

Everything returns plain DataFrames and dataclasses; nothing imports Great Expectations except
:func:`data_docs_for_run`, which renders the Data Docs.

Failing rows carry the refused cell values. A report, feedback workbook or Data Docs for someone who may
not see personal data (``personal_allowed=False``) lists no row of the personal tables (persons,
companies) and no value of a free-text column that may name a person (:data:`PERSONAL_TEXT_COLUMNS`);
the counts per expectation stay.

Examples
--------
>>> from workbench.store import open_store
>>> store = open_store("sqlite://")
>>> submissions(store).columns[:4].tolist()
['submission', 'received', 'source', 'status']
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import sqlalchemy as sa

from data_quality.catalogue import Rule, rules_for
from data_quality.models import DQFailingRow, DQResult, DQRun, DQScorecard
from data_quality.results import Failure, QualityResults, RuleResult
from data_quality.scorecard import INPUT_COLUMNS, valid_months
from workbench.format.schema import FORMAT
from workbench.i18n import N_, _
from workbench.store import Store, Submission

__all__ = [
    "PERSONAL_TEXT_COLUMNS",
    "SubmissionReport",
    "holds_personal_data",
    "without_personal_data",
    "run_expectations",
    "latest_store_check",
    "submissions",
    "submission_report",
    "store_runs",
    "feedback_sheets",
    "feedback_workbook",
    "results_for_run",
    "data_docs_for_run",
    "scorecard_inputs",
]

_SUB_COLUMNS = [
    "submission",
    "received",
    "source",
    "status",
    "score",
    "countries",
    "accepted",
    "refused",
    "critical_rows",
    "warning_rows",
    "by",
    "kind",
    "run_id",
]


#: Columns of the non-personal tables that may still name or point to a person (the format marks them
#: personal; the non-personal export of :mod:`workbench.exchange.exports` scrubs or clears the same).
PERSONAL_TEXT_COLUMNS: dict[str, frozenset[str]] = {
    name: frozenset(c.name for c in (*t.personal_columns, *t.stored) if c.personal)
    for name, t in FORMAT.tables.items()
    if not t.personal
}


def holds_personal_data(table: str, column: str = "") -> bool:
    """Whether the cells a finding reports (``column``: one column or several, comma-separated) may be
    personal data: every cell of a personal table, and the free text of :data:`PERSONAL_TEXT_COLUMNS`.

    >>> holds_personal_data("persons", "date_of_birth"), holds_personal_data("cases", "seizure_date")
    (True, False)
    >>> holds_personal_data("cases", "remarks"), holds_personal_data("cases", "reporting_country, case_id")
    (True, False)
    """
    if table not in FORMAT.tables or FORMAT.table(table).personal:
        return True
    spec = FORMAT.table(table)
    return any(spec.may_be_personal(c.strip()) for c in column.split(","))


def _read(store: Store, stmt: sa.Select[*tuple[Any, ...]]) -> pd.DataFrame:
    with store.engine.connect() as conn:
        res = conn.execute(stmt)
        return pd.DataFrame(res.fetchall(), columns=list(res.keys()))


def submissions(store: Store, limit: int = 500) -> pd.DataFrame:
    """The latest submissions, newest first: status, score, rows accepted/refused, quality counts."""
    run = (
        sa.select(DQRun.submission_id, sa.func.max(DQRun.id).label("run_id"))
        .where(DQRun.kind == "submission")
        .group_by(DQRun.submission_id)
        .subquery()
    )
    stmt = (
        sa.select(
            Submission.id.label("submission"),
            Submission.received_at.label("received"),
            Submission.source_name.label("source"),
            Submission.status,
            Submission.dq_score.label("score"),
            Submission.reporting_countries.label("countries"),
            Submission.counts,
            Submission.submitted_by.label("by"),
            Submission.source_kind.label("kind"),
            run.c.run_id,
            DQRun.critical_rows,
            DQRun.warning_rows,
        )
        .select_from(Submission)
        .outerjoin(run, run.c.submission_id == Submission.id)
        .outerjoin(DQRun, DQRun.id == run.c.run_id)
        .order_by(Submission.id.desc())
        .limit(limit)
    )
    df = _read(store, stmt)
    if df.empty:
        return pd.DataFrame(columns=_SUB_COLUMNS)

    def total(text: Any, key: str) -> int | None:
        try:
            return int(sum(json.loads(text).get(key, {}).values()))
        except (TypeError, ValueError, AttributeError):
            return None

    df["accepted"] = df["counts"].map(lambda t: total(t, "accepted"))
    df["refused"] = df["counts"].map(lambda t: total(t, "rejected"))
    df["countries"] = (
        df["countries"]
        .fillna("")
        .map(lambda s: ", ".join(s.split(";")[:8]) + (" ..." if s.count(";") >= 8 else ""))
    )
    return df[_SUB_COLUMNS]


def store_runs(store: Store, limit: int = 50) -> pd.DataFrame:
    """Periodic checks of the store, newest first."""
    return _read(
        store,
        sa.select(
            DQRun.id.label("run_id"),
            DQRun.started_at.label("checked"),
            DQRun.engine,
            DQRun.seconds,
            DQRun.rows_total.label("rows"),
            DQRun.critical_rows,
            DQRun.warning_rows,
            DQRun.score,
        )
        .where(DQRun.kind == "store")
        .order_by(DQRun.id.desc())
        .limit(limit),
    )


@dataclass
class SubmissionReport:
    """One submission's quality report."""

    submission: dict[str, Any]
    run: dict[str, Any] | None
    expectations: (
        pd.DataFrame
    )  # every expectation: table, column, expectation, severity, counts, problem, fix
    failing_rows: pd.DataFrame  # one row per failing row and expectation
    notes: list[str] = field(default_factory=list)
    personal_hidden: bool = False  # made for someone who may not see personal data (see the module docstring)
    hidden_rows: int = 0  # failing rows of personal tables left out

    @property
    def table_rows(self) -> dict[str, int]:
        """Rows of each table in the submission: the denominator of every ``share_pct``."""
        e = self.expectations
        if not len(e) or "table_rows" not in e:
            return {}
        return {str(t): int(n) for t, n in e.groupby("table")["table_rows"].max().items()}

    @property
    def failed(self) -> pd.DataFrame:
        e = self.expectations
        return (
            e[e["failing"] > 0].sort_values(["severity", "failing"], ascending=[True, False]) if len(e) else e
        )


def _run_for(store: Store, submission_id: int) -> dict[str, Any] | None:
    t = DQRun.__table__
    with store.engine.connect() as conn:
        row = (
            conn.execute(
                sa.select(t).where(t.c.submission_id == submission_id).order_by(t.c.id.desc()).limit(1)
            )
            .mappings()
            .first()
        )
    return dict(row) if row is not None else None


def without_personal_data(report: SubmissionReport) -> SubmissionReport:
    """The report with no row of a personal table and no personal free-text value (see the module
    docstring); the expectations and their counts are kept."""
    if report.personal_hidden:
        return report
    rows, hidden = report.failing_rows, 0
    if len(rows):
        personal_table = rows["table"].map(holds_personal_data).astype(bool)
        hidden = int(personal_table.sum())
        rows = rows[~personal_table].copy()
        text = [holds_personal_data(t, c) for t, c in zip(rows["table"], rows["column"], strict=True)]
        rows.loc[pd.Series(text, index=rows.index, dtype=bool), "value"] = None
        rows = rows.reset_index(drop=True)
    return SubmissionReport(
        report.submission, report.run, report.expectations, rows, report.notes, True, hidden
    )


def submission_report(
    store: Store, submission_id: int, *, personal_allowed: bool, max_rows: int | None = None
) -> SubmissionReport:
    """The report of one submission (the latest run of its checks); without personal data unless
    ``personal_allowed`` (:func:`without_personal_data`)."""
    t = Submission.__table__
    with store.engine.connect() as conn:
        s = conn.execute(sa.select(t).where(t.c.id == submission_id)).mappings().first()
    if s is None:
        raise KeyError(_("no submission {submission_id}", submission_id=submission_id))
    submission = {
        "id": s["id"],
        "received": s["received_at"],
        "source": s["source_name"],
        "kind": s["source_kind"],
        "by": s["submitted_by"],
        "status": s["status"],
        "score": s["dq_score"],
        "countries": s["reporting_countries"],
        "counts": json.loads(s["counts"]) if s["counts"] else {},
    }
    run = _run_for(store, submission_id)
    if run is None:
        empty = pd.DataFrame()
        note = _(
            "this submission was not checked by the quality gate (a duplicate file, or imported without it)"
        )
        return SubmissionReport(submission, None, empty, empty, [note], not personal_allowed)
    report = _report_for_run(store, run, submission, max_rows)
    return report if personal_allowed else without_personal_data(report)


def run_expectations(store: Store, run: dict[str, Any]) -> pd.DataFrame:
    """Every expectation of a run (a row of ``dq_runs``): table, column, expectation, severity, rows
    checked, ``failing`` rows, problem and fix; ``table_rows`` (rows of that table in the submission, or
    in the store for a check of the store) and ``share_pct``, failing rows as a share of ``table_rows``,
    so every share of one table has the same denominator."""
    exp = _read(
        store,
        sa.select(
            DQResult.id.label("result_id"),
            DQResult.table_name.label("table"),
            DQResult.sheet,
            DQResult.column_name.label("column"),
            DQResult.expectation,
            DQResult.severity,
            DQResult.dimension,
            DQResult.stage,
            DQResult.element_count.label("rows_checked"),
            DQResult.unexpected_count.label("failing"),
            DQResult.success,
            DQResult.problem,
            DQResult.fix,
            DQResult.error,
            DQResult.kwargs,
        ).where(DQResult.run_id == run["id"]),
    )
    rows_read = json.loads(run.get("summary") or "{}").get("rows", {})
    # the rows of the table, not the rows each expectation looked at: a rule of the suites never sees the
    # rows the row checks refused first, so its own count would change the denominator within one table
    table_rows = pd.to_numeric(exp["table"].map(rows_read), errors="coerce")
    exp["table_rows"] = table_rows.fillna(exp["rows_checked"]).astype("int64")
    exp["share_pct"] = (100.0 * exp["failing"] / exp["table_rows"].where(exp["table_rows"] > 0)).round(2)
    return exp


def latest_store_check(store: Store) -> tuple[dict[str, Any] | None, pd.DataFrame]:
    """The latest check of the whole store (its row of ``dq_runs``) and its failed expectations, most
    failing rows first; ``(None, empty)`` before the first check."""
    t = DQRun.__table__
    with store.engine.connect() as conn:
        row = (
            conn.execute(sa.select(t).where(t.c.kind == "store").order_by(t.c.id.desc()).limit(1))
            .mappings()
            .first()
        )
    if row is None:
        return None, pd.DataFrame()
    run = dict(row)
    exp = run_expectations(store, run)
    failed = exp[exp["failing"] > 0].sort_values(["severity", "failing"], ascending=[True, False])
    return run, failed.reset_index(drop=True)


def _report_for_run(
    store: Store, run: dict[str, Any], submission: dict[str, Any], max_rows: int | None
) -> SubmissionReport:
    exp = run_expectations(store, run)
    stmt = (
        sa.select(
            DQResult.table_name.label("table"),
            DQResult.sheet,
            DQFailingRow.row_number.label("row"),
            DQResult.column_name.label("column"),
            DQFailingRow.value,
            DQResult.severity,
            DQResult.expectation,
            DQFailingRow.message,
            DQResult.fix,
            DQFailingRow.reporting_country,
            DQFailingRow.case_id,
        )
        .join(DQResult, DQResult.id == DQFailingRow.result_id)
        .where(DQFailingRow.run_id == run["id"])
        .order_by(DQResult.table_name, DQFailingRow.row_number, DQResult.column_name)
    )
    if max_rows:
        stmt = stmt.limit(max_rows)
    rows = _read(store, stmt)
    if len(rows):
        rows.insert(
            6,
            "outcome",
            rows["severity"].map({"critical": N_("quarantined"), "warning": N_("stored, flagged")}),
        )
        rows["row"] = rows["row"].astype("Int64")
    summary = json.loads(run.get("summary") or "{}")
    return SubmissionReport(submission, run, exp, rows, list(summary.get("notes", [])))


#: headings of the feedback workbook's columns (for people: translated when the workbook is made)
FEEDBACK_HEADINGS: dict[str, str] = {
    "sheet": N_("sheet"),
    "row": N_("row"),
    "column": N_("column"),
    "value": N_("value"),
    "problem": N_("problem"),
    "rows": N_("rows"),
    "severity": N_("severity"),
    "outcome": N_("outcome"),
    "how to fix": N_("how to fix"),
    "case": N_("case"),
    "check": N_("check"),
}
_OUTCOMES = {"critical": N_("rows quarantined"), "warning": N_("rows stored, flagged")}
_SEVERITIES = {"critical": N_("critical"), "warning": N_("warning")}


def _headed(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.rename(columns={k: _(v) for k, v in FEEDBACK_HEADINGS.items()})


def _shown(text: Any) -> Any:
    """A rule's problem or fix as stored (the catalogue's English) in the language in force."""
    return _(text) if isinstance(text, str) and text else text


def feedback_sheets(report: SubmissionReport) -> dict[str, pd.DataFrame]:
    """The sheets of the feedback workbook: a summary per problem, then every failing row. Sheet names,
    headings and the catalogue's explanations are in the language in force."""
    failed = report.failed
    if failed is None or failed.empty:
        summary = pd.DataFrame({_("result"): [_("No problem found: every expectation was met.")]})
        problems = _headed(
            pd.DataFrame(columns=["sheet", "row", "column", "value", "problem", "how to fix", "outcome"])
        )
        return {_("Summary"): summary, _("Problems"): problems}
    summary = pd.DataFrame(
        {
            "sheet": failed["sheet"],
            "column": failed["column"],
            "problem": failed["problem"].map(_shown),
            "rows": failed["failing"].astype(int),
            "severity": failed["severity"].map(lambda s: _(_SEVERITIES[s]) if s in _SEVERITIES else s),
            "outcome": failed["severity"].map(lambda s: _(_OUTCOMES[s]) if s in _OUTCOMES else None),
            "how to fix": failed["fix"].map(_shown),
            "check": failed["expectation"],
        }
    )
    fr = report.failing_rows
    problems = pd.DataFrame(
        {
            "sheet": fr["sheet"],
            "row": fr["row"],
            "column": fr["column"],
            "value": fr["value"],
            "problem": fr["message"].map(_shown),
            "how to fix": fr["fix"].map(_shown),
            "outcome": fr["outcome"].map(_shown),
            "case": (fr["reporting_country"].fillna("") + "/" + fr["case_id"].fillna("")).str.strip("/"),
            "check": fr["expectation"],
        }
    )
    return {_("Summary"): _headed(summary.reset_index(drop=True)), _("Problems"): _headed(problems)}


def feedback_workbook(report: SubmissionReport) -> bytes:
    """The feedback workbook for the submitting administration (``.xlsx`` bytes): every problem, where it
    is (sheet, spreadsheet row, column), the value, and how to fix it; in the language in force."""
    from workbench.exchange.excel import formatted_workbook

    sub = report.submission
    notes = [
        _(
            "Submission {id}: {source} · received {received} · status {status} · quality score {score}",
            id=sub["id"],
            source=sub["source"],
            received=pd.Timestamp(sub["received"]).strftime("%Y-%m-%d %H:%M"),
            status=sub["status"],
            score=sub["score"] if sub["score"] is not None else "-",
        ),
        _(
            "Row numbers are spreadsheet rows (the header is row 1). Quarantined rows were not stored: correct "
            "them and send them again. Flagged rows were stored: check them and send a correction if needed."
        ),
    ]
    if report.personal_hidden:
        notes.append(
            _(
                "Made for a role that may not see personal data: {n:,} failing row(s) of the persons and "
                "companies sheets are counted in the summary but not listed, and free-text values that may "
                "name a person are left out.",
                n=report.hidden_rows,
            )
        )
    return formatted_workbook(feedback_sheets(report), title=_("Data quality feedback"), notes=notes)


def results_for_run(store: Store, run_id: int, *, personal_allowed: bool) -> QualityResults:
    """A stored run back as :class:`~data_quality.results.QualityResults` (for Data Docs). Without
    ``personal_allowed`` the failing rows of personal tables are counted but not listed, and personal
    free-text values are left out."""
    # stored rows as the ORM's typed objects: a DataFrame of them turns a text column's None into NaN
    # as soon as the column holds one string (pandas 3), and NaN is a value, and an error, to the report
    with store.session() as s:
        run = s.get(DQRun, run_id)
        exp = s.scalars(sa.select(DQResult).where(DQResult.run_id == run_id)).all()
        fails = s.scalars(sa.select(DQFailingRow).where(DQFailingRow.run_id == run_id)).all()
    res = QualityResults()
    if run is not None:
        res.rows_read.update(json.loads(run.summary or "{}").get("rows", {}))
    known = {r.id: r for t in ("cases", "items", "persons", "companies") for r in rules_for(t)}
    by_result: dict[int, list[Failure]] = {}
    for f in fails:
        by_result.setdefault(f.result_id, []).append(
            Failure(f.row_number, f.value, f.reporting_country, f.case_id, f.message)
        )
    for e in exp:
        rid = f"{e.table_name}.{e.expectation}.{e.column_name}"
        rule = known.get(rid) or Rule(
            e.table_name,
            e.expectation,
            e.column_name,
            e.severity,
            json.loads(e.kwargs or "{}"),
            e.problem,
            e.fix,
            e.dimension,
            e.stage,
        )
        fl = by_result.get(e.id, [])
        if not personal_allowed and holds_personal_data(e.table_name):
            fl = []
        elif not personal_allowed and holds_personal_data(e.table_name, e.column_name):
            fl = [Failure(f.row, None, f.reporting_country, f.case_id, f.message) for f in fl]
        unlisted = max(0, e.unexpected_count - len(fl))
        res.results[rid] = RuleResult(rule, e.sheet or "", e.element_count, fl, e.error, unlisted)
        res.where.setdefault(e.table_name, e.sheet or e.table_name)
    return res


def data_docs_for_run(store: Store, run_id: int, title: str, *, personal_allowed: bool) -> bytes:
    """Great Expectations Data Docs of a stored run, as a zip of a static offline site (see
    :func:`results_for_run` for ``personal_allowed``)."""
    from data_quality.datadocs import data_docs_zip

    return data_docs_zip(results_for_run(store, run_id, personal_allowed=personal_allowed), title)


def scorecard_inputs(
    store: Store,
    countries: tuple[str, ...] = (),
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> pd.DataFrame:
    """Summed scorecard inputs per reporting country and seizure month over all submissions' latest runs.

    A month that is not a real seizure month (``2023-13``, stored by runs before the gate checked months)
    is left out."""
    latest = (
        sa.select(sa.func.max(DQRun.id).label("run_id"))
        .where(DQRun.kind == "submission")
        .group_by(DQRun.submission_id)
        .subquery()
    )
    cols = [sa.func.sum(getattr(DQScorecard, c)).label(c) for c in INPUT_COLUMNS]
    stmt = (
        sa.select(DQScorecard.reporting_country, DQScorecard.month, *cols)
        .where(DQScorecard.run_id.in_(sa.select(latest.c.run_id)))
        .group_by(DQScorecard.reporting_country, DQScorecard.month)
    )
    if countries:
        stmt = stmt.where(DQScorecard.reporting_country.in_(countries))
    if date_from:
        stmt = stmt.where(DQScorecard.month >= f"{date_from:%Y-%m}")
    if date_to:
        stmt = stmt.where(DQScorecard.month <= f"{date_to:%Y-%m}")
    df = _read(store, stmt)
    df = df[valid_months(df["month"])].reset_index(drop=True) if len(df) else df
    for c in INPUT_COLUMNS:
        df[c] = pd.to_numeric(df[c]) if len(df) else pd.Series(dtype=float)
    return df
