"""What members submit to an operation, what organisers take out of it, and its end.

- :func:`set_template` / :func:`current_template`: the organiser's template (each edit a new version);
- :func:`submit_rows` (the entry form) and :func:`submit_workbook` (the Excel template filled offline):
  the template's row checks, then the quality gate (``data_quality/templates.py``) when one is given;
  good rows are kept in the operation's own table, rejected rows come back with their reasons
  (file, sheet, row, column) as in an import;
- :func:`submitted_rows` and :func:`list_submissions`: organisers see every member's, contributors
  their own organisation's;
- :func:`extract`: Excel, CSV or Parquet through the one writer (:mod:`workbench.exchange.writers`),
  audited as a disclosure;
- :func:`close_operation`: the selected rows imported into the main store through the normal gate
  (:func:`workbench.exchange.ingest.ingest_dataset`), the operation's code as their provenance;
- :func:`apply_retention`: operations closed longer than their retention are archived and the personal
  fields of their rows, their messages and attachments erased (the erasure logged with counts only).
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa

from workbench.exchange.files import ROW, DatasetReadError, read_source
from workbench.exchange.rowchecks import Rejection
from workbench.i18n import _
from workbench.identity import Principal, can
from workbench.operations.groups import Operation, require_member, set_status
from workbench.operations.tables import (
    OPERATION_ATTACHMENTS,
    OPERATION_MESSAGES,
    OPERATION_ROWS,
    OPERATION_SUBMISSIONS,
    OPERATION_TEMPLATES,
    OPERATIONS,
    new_id,
)
from workbench.operations.templates import SHEET, Template, check_rows
from workbench.store import Store, audit

__all__ = [
    "EXTRACT_FORMATS",
    "SubmissionResult",
    "TemplateGate",
    "apply_retention",
    "close_operation",
    "current_template",
    "extract",
    "list_submissions",
    "set_template",
    "submit_rows",
    "submit_workbook",
    "submitted_rows",
]

#: The formats an extraction is written in.
EXTRACT_FORMATS: tuple[str, ...] = ("xlsx", "csv", "parquet")
#: A quality gate on a template's typed rows (``data_quality.templates.template_gate``): findings whose
#: severity is critical refuse their row.
TemplateGate = Callable[[Template, pd.DataFrame, str], list[Rejection]]


@dataclass
class SubmissionResult:
    """One submission: its id, how many rows were kept, and each refusal with its reason."""

    id: int | None
    accepted: int
    rejections: list[Rejection] = field(default_factory=list)

    @property
    def rejected_rows(self) -> list[int]:
        return sorted({r.row for r in self.rejections if r.row is not None and r.severity == "critical"})

    def summary(self) -> str:
        return _("{n} row(s) accepted, {k} refused", n=self.accepted, k=len(self.rejected_rows)) + "".join(
            f"\n  {r}" for r in self.rejections
        )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def set_template(
    store: Store, code: str, template: Template | Sequence[dict[str, Any]], by: Principal
) -> Template:
    """Store a new version of the operation's template (organisers). Audited."""
    t = template if isinstance(template, Template) else Template.from_spec(template)
    with store.engine.begin() as conn:
        op = require_member(conn, code, by, ("organiser",))
        tt = OPERATION_TEMPLATES
        version = (
            int(
                conn.execute(
                    sa.select(sa.func.coalesce(sa.func.max(tt.c.version), 0)).where(
                        tt.c.operation_id == op.id
                    )
                ).scalar_one()
            )
            + 1
        )
        conn.execute(
            sa.insert(tt).values(
                operation_id=op.id,
                version=version,
                fields=t.to_json(),
                created_by=by.account,
                created_at=_now(),
            )
        )
        audit(
            conn,
            "alter.operation_template",
            {"operation": op.code, "version": version, "fields": t.names},
            by,
        )
    return Template(t.fields, version)


def _template(conn: sa.Connection, op: Operation) -> Template:
    tt = OPERATION_TEMPLATES
    row = conn.execute(
        sa.select(tt.c.fields, tt.c.version)
        .where(tt.c.operation_id == op.id)
        .order_by(tt.c.version.desc())
        .limit(1)
    ).first()
    if row is None:
        raise ValueError(
            _("operation {code} has no template yet: its organiser makes one first", code=op.code)
        )
    return Template.from_json(row.fields, int(row.version))


def current_template(store: Store, code: str, by: Principal) -> Template:
    """The operation's latest template (members)."""
    with store.engine.connect() as conn:
        return _template(conn, require_member(conn, code, by))


def _json_value(v: Any) -> Any:
    if v is None or v is pd.NA or (isinstance(v, float) and pd.isna(v)):
        return None
    if isinstance(v, pd.Timestamp):
        return None if pd.isna(v) else v.strftime("%Y-%m-%d")
    if isinstance(v, (dt.date, dt.datetime)):
        return v.strftime("%Y-%m-%d")
    if hasattr(v, "item"):
        return v.item()
    return v


def submit_rows(
    store: Store,
    code: str,
    frame: pd.DataFrame,
    by: Principal,
    *,
    where: str = "form",
    channel: str = "form",
    gate: TemplateGate | None = None,
) -> SubmissionResult:
    """Check ``frame`` (one column per template field, ``_row`` optional) and keep the good rows;
    contributors and organisers of an active operation. Audited as a collection (counts, no values)."""
    with store.engine.connect() as conn:
        op = require_member(conn, code, by, ("organiser", "contributor"))
        template = _template(conn, op)
    if op.status != "active":
        raise ValueError(
            _(
                "operation {code} is {status}: submissions are taken while it is active",
                code=op.code,
                status=op.status,
            )
        )
    good, rejections = check_rows(template, frame, where=where)
    if gate is not None and len(good):
        found = gate(template, good, where)
        rejections += found
        refused = {r.row for r in found if r.severity == "critical"}
        good = good[~good[ROW].isin(refused)]
    with store.engine.begin() as conn:
        sub_id = new_id(
            conn.execute(
                sa.insert(OPERATION_SUBMISSIONS).values(
                    operation_id=op.id,
                    template_version=template.version,
                    account=by.account,
                    organisation=by.organisation,
                    channel=channel,
                    source=where,
                    accepted=len(good),
                    rejected=len({r.row for r in rejections if r.severity == "critical"}),
                    rejections=json.dumps([r.to_dict() for r in rejections], ensure_ascii=False),
                    submitted_at=_now(),
                )
            )
        )
        records = [
            {
                "operation_id": op.id,
                "submission_id": sub_id,
                "row_no": int(rec[ROW]),
                "organisation": by.organisation,
                "data": json.dumps({k: _json_value(rec[k]) for k in template.names}, ensure_ascii=False),
                "handed_off": False,
                "erased": False,
            }
            for rec in good.to_dict("records")
        ]
        if records:
            conn.execute(sa.insert(OPERATION_ROWS), records)
        audit(
            conn,
            "collect.operation_submission",
            {"operation": op.code, "submission": sub_id, "channel": channel, "refused": len(rejections)},
            by,
            row_count=len(records),
        )
    return SubmissionResult(sub_id, len(good), rejections)


def submit_workbook(
    store: Store,
    code: str,
    path: str | Path,
    by: Principal,
    *,
    gate: TemplateGate | None = None,
    name: str | None = None,
) -> SubmissionResult:
    """Submit the operation's Excel template filled offline (its ``submission`` sheet), or a CSV file
    with the template's columns. A file that cannot be read is refused naming the file; nothing is kept."""
    p = Path(path)
    label = name or p.name
    try:
        raw = read_source(p)
    except DatasetReadError as e:
        raise ValueError(str(e).replace(str(p), label)) from None
    tables = {k.lower(): t for k, t in raw.tables.items()}
    table = tables.get(SHEET) or (next(iter(raw.tables.values())) if p.suffix.lower() == ".csv" else None)
    if table is None:
        raise ValueError(
            _(
                "{file}: no sheet named {sheet} (the operation's Excel template holds one)",
                file=label,
                sheet=SHEET,
            )
        )
    frame = table.frame
    where = f"{label}, sheet {SHEET}" if p.suffix.lower() in (".xlsx", ".xlsm") else label
    return submit_rows(store, code, frame, by, where=where, channel="workbook", gate=gate)


def list_submissions(store: Store, code: str, by: Principal) -> pd.DataFrame:
    """The operation's submissions with their refusals (organisers: all; contributors: their
    organisation's; observers: none)."""
    s = OPERATION_SUBMISSIONS
    with store.engine.connect() as conn:
        op = require_member(conn, code, by, ("organiser", "contributor"))
        q = sa.select(s).where(s.c.operation_id == op.id).order_by(s.c.id)
        if op.role != "organiser":
            q = q.where(s.c.organisation == by.organisation)
        df = pd.read_sql(q, conn)
    return df.drop(columns=["operation_id"])


def submitted_rows(store: Store, code: str, by: Principal) -> pd.DataFrame:
    """The kept rows, one column per template field, with ``row_id``, ``organisation`` and
    ``submission_id`` (organisers: every member's; contributors: their organisation's)."""
    r = OPERATION_ROWS
    with store.engine.connect() as conn:
        op = require_member(conn, code, by, ("organiser", "contributor"))
        template = _template(conn, op)
        q = sa.select(r.c.id, r.c.organisation, r.c.submission_id, r.c.data, r.c.handed_off).where(
            r.c.operation_id == op.id
        )
        if op.role != "organiser":
            q = q.where(r.c.organisation == by.organisation)
        rows = conn.execute(q.order_by(r.c.id)).all()
    data = [json.loads(x.data) if x.data else {} for x in rows]
    frame = pd.DataFrame(data, columns=template.names)
    frame.insert(0, "row_id", [int(x.id) for x in rows])
    frame.insert(1, "organisation", [x.organisation for x in rows])
    frame.insert(2, "submission_id", [int(x.submission_id) for x in rows])
    frame["handed_off"] = [bool(x.handed_off) for x in rows]
    return frame


def extract(store: Store, code: str, by: Principal, path: str | Path, fmt: str | None = None) -> Path:
    """Write every kept row of the operation to ``path`` (``xlsx``, ``csv`` or ``parquet``, by
    ``fmt`` or the suffix); organisers only. Audited as a disclosure to the organiser."""
    from workbench.exchange.writers import formula_safe, write_csv

    p = Path(path)
    fmt = (fmt or p.suffix.lstrip(".")).lower()
    if fmt not in EXTRACT_FORMATS:
        raise ValueError(
            _("extract to {formats}, not {fmt}", formats=", ".join(EXTRACT_FORMATS), fmt=fmt or "?")
        )
    with store.engine.connect() as conn:
        op = require_member(conn, code, by, ("organiser",))
    frame = submitted_rows(store, code, by)
    p.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        write_csv(frame, p)
    elif fmt == "parquet":
        frame.to_parquet(p, index=False)
    else:
        with pd.ExcelWriter(
            p,
            engine="xlsxwriter",
            engine_kwargs={"options": {"strings_to_formulas": False, "strings_to_urls": False}},
        ) as xw:
            formula_safe(frame).to_excel(xw, sheet_name=op.code[:31], index=False)
    with store.engine.begin() as conn:
        audit(
            conn,
            "disclose.operation_extract",
            {"operation": op.code, "format": fmt, "file": p.name, "tlp": op.tlp},
            by,
            recipients=[f"{by.account} ({by.organisation})"],
            row_count=len(frame),
            purpose={
                "reference": op.code,
                "justification": _("operation extraction"),
                "legal_basis": op.legal_basis,
            },
        )
    return p


def _handoff_tables(template: Template, frame: pd.DataFrame, code: str) -> dict[str, pd.DataFrame]:
    """The rows as exchange-format tables: fields taken from ``cases.*`` and ``items.*``, a case
    reference made from the operation's code when the template has none, the operation as provenance."""
    cases: dict[str, Any] = {}
    items: dict[str, Any] = {}
    own: dict[str, Any] = {}
    for f in template.fields:
        table = (f.like or "").partition(".")[0]
        col = (f.like or "").partition(".")[2]
        target = cases if table == "cases" else items if table == "items" else own
        target[col or f.name] = frame[f.name]
    n = len(frame)
    if "case_id" not in cases:
        cases["case_id"] = [f"{code}-{i}" for i in frame["row_id"]]
    if "reporting_country" not in cases:
        cases["reporting_country"] = [o[:2] for o in frame["organisation"]]
    out_cases = pd.DataFrame(cases, index=frame.index)
    out_cases["operation"] = code
    for k, v in own.items():
        out_cases[f"operation_{k}"] = v
    tables = {"cases": out_cases.reset_index(drop=True)}
    if items:
        it = pd.DataFrame(items, index=frame.index)
        it["case_id"] = out_cases["case_id"].to_numpy()
        it["reporting_country"] = out_cases["reporting_country"].to_numpy()
        if "item_no" not in it:
            it["item_no"] = 1
        tables["items"] = it.reset_index(drop=True)
    assert len(tables["cases"]) == n
    return tables


def close_operation(
    store: Store,
    code: str,
    by: Principal,
    *,
    hand_off: Iterable[int] = (),
    gates: Sequence[Any] = (),
) -> Any:
    """Close the operation (organisers): the rows ``hand_off`` (their ``row_id``) are imported into the
    main store through the normal gate as one submission whose source is the operation; the import
    report (None when nothing is handed off). Rows the gate refuses stay in the operation."""
    from workbench.exchange.files import read_dataset, write_dataset
    from workbench.exchange.ingest import ingest_dataset

    chosen = sorted({int(i) for i in hand_off})
    with store.engine.connect() as conn:
        op = require_member(conn, code, by, ("organiser",))
        template = _template(conn, op)
    if op.status not in ("planned", "active"):
        raise ValueError(_("operation {code} is {status} already", code=op.code, status=op.status))
    report = None
    if chosen:
        rows = submitted_rows(store, code, by)
        rows = rows[rows["row_id"].isin(chosen)]
        missing = sorted(set(chosen) - set(rows["row_id"]))
        if missing:
            raise ValueError(_("rows {ids} are not rows of operation {code}", ids=missing, code=op.code))
        tables = _handoff_tables(template, rows, op.code)
        with tempfile.TemporaryDirectory(prefix="wb-operation-") as tmp:
            folder = Path(tmp) / op.code
            write_dataset(tables, folder)
            raw = read_dataset(folder)
            report = ingest_dataset(raw, store, gates=gates, actor=by, source_name=f"operation {op.code}")
        if report.status not in ("accepted", "duplicate"):
            return report
    with store.engine.begin() as conn:
        if chosen:
            conn.execute(
                sa.update(OPERATION_ROWS)
                .where(OPERATION_ROWS.c.operation_id == op.id, OPERATION_ROWS.c.id.in_(chosen))
                .values(handed_off=True)
            )
        set_status(conn, op, "closed", by)
    return report


def apply_retention(store: Store, by: Principal, *, now: dt.datetime | None = None) -> dict[str, int]:
    """Archive every closed operation whose retention has passed and erase its personal data: the
    personal fields of its rows, its messages' texts and its attachments. ``by``: an administrator
    (housekeeping over all operations) or an organiser (their own). Returns the rows erased per
    operation; each erasure is audited with counts, never the data."""
    now = now or _now()
    done: dict[str, int] = {}
    with store.engine.begin() as conn:
        ops = conn.execute(sa.select(OPERATIONS).where(OPERATIONS.c.status == "closed")).all()
        for row in ops:
            closed = row.closed_at if row.closed_at.tzinfo else row.closed_at.replace(tzinfo=dt.UTC)
            if closed + dt.timedelta(days=int(row.retention_days)) > now:
                continue
            try:
                op = require_member(conn, row.code, by, ("organiser",))
            except PermissionError:
                if not can(by, "administer"):
                    continue
                op = Operation(
                    int(row.id),
                    row.code,
                    row.name,
                    row.organiser,
                    row.legal_basis,
                    row.start_date,
                    row.end_date,
                    row.tlp,
                    row.language,
                    row.status,
                    int(row.retention_days),
                    "administrator",
                )
            template = _template(conn, op)
            personal = set(template.personal_fields)
            r = OPERATION_ROWS
            n = 0
            for rec in conn.execute(
                sa.select(r.c.id, r.c.data).where(r.c.operation_id == op.id, ~r.c.erased)
            ).all():
                data = json.loads(rec.data) if rec.data else {}
                kept = {k: (None if k in personal else v) for k, v in data.items()}
                conn.execute(sa.update(r).where(r.c.id == rec.id).values(data=json.dumps(kept), erased=True))
                n += 1
            m = OPERATION_MESSAGES
            ids = sa.select(m.c.id).where(m.c.operation_id == op.id).scalar_subquery()
            attachments = conn.execute(
                sa.update(OPERATION_ATTACHMENTS)
                .where(OPERATION_ATTACHMENTS.c.message_id.in_(ids))
                .values(content=None)
            ).rowcount
            messages = conn.execute(
                sa.update(m).where(m.c.operation_id == op.id).values(body=None, subject=None)
            ).rowcount
            set_status(conn, op, "archived", by)
            audit(
                conn,
                "erase.operation_retention",
                {
                    "operation": op.code,
                    "rows": n,
                    "personal_fields": sorted(personal),
                    "messages": int(messages or 0),
                    "attachments": int(attachments or 0),
                },
                by,
                row_count=n,
            )
            done[op.code] = n
    return done
