"""Import of a data set into the store as one submission: check, gate, quarantine, upsert, audit.

The path every import takes (CLI, app upload, connectors):

0. a read-only role (``viewer``) is refused (:class:`ImportRefused`); :func:`plan_import` tells
   beforehand how many stored cases a file would replace;
1. the same file (by SHA-256) already stored -> recorded as a ``duplicate`` submission, nothing changes;
2. row-level checks derived from the format (:mod:`workbench.exchange.rowchecks`), keys unique within the file;
3. referential checks: every item, person and company must point to a case in this submission or
   in the store;
4. the quality gates handed in (``gates``; the Great Expectations gate of ``data_quality`` is one):
   critical findings quarantine rows, warnings are stored with the row in ``dq_flags``;
5. one transaction writes the submission record, the quarantined rows with their reasons, the good
   rows (a case that comes again with the same ``(reporting_country, case_id)`` is updated, and its
   items/persons/companies carried by the submission replace the stored ones) and an audit entry.
   Any failure rolls all of it back, so the store is as it was, and a ``failed`` submission is recorded.

Tables are read and written **in chunks** (``chunk_rows``, default 50,000 rows) inside that one
transaction: memory stays bounded however big the file (a million cases import in a few hundred MB),
steps 2–4 run per chunk (the gates as the ``Gate`` contract below says), duplicate keys are found
across chunks (:class:`workbench.exchange.rowchecks.KeyIndex`), and tables go parents first, so a child is
checked against the cases this submission has already written.

Examples
--------
>>> import pandas as pd, tempfile, pathlib
>>> from workbench.store import open_store
>>> from workbench.exchange.files import write_dataset, read_dataset
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = write_dataset({"cases": pd.DataFrame({"case_id": ["A1", "A2"], "reporting_country": ["FR", "FR"],
...                    "seizure_date": ["2024-01-02", "2024-13-02"]})}, d / "ds")
>>> report = import_path(d / "ds", open_store("sqlite://"))
>>> report.status, report.accepted["cases"], report.rejected["cases"]
('partial', 1, 1)
>>> report.rejections[0].row, report.rejections[0].column
(3, 'seizure_date')
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from workbench.config import Settings
from workbench.exchange.files import (
    CHUNK_ROWS,
    REFUSED,
    ROW,
    DatasetReadError,
    RawDataset,
    RawTable,
    read_dataset,
)
from workbench.exchange.rowchecks import (
    CheckedTable,
    KeyIndex,
    Rejection,
    check_table,
    key_hashes,
    strip_controls,
)
from workbench.format.schema import FORMAT, TABLE_NAMES
from workbench.i18n import _
from workbench.identity import PermissionDenied, Principal, acting, authorise, can
from workbench.store import (
    DATA_TABLES,
    QuarantinedRow,
    Store,
    Submission,
    audit,
    bump_data_version,
    data_version,
    refresh_search_index,
)
from workbench.store.database import bulk_insert, bulk_write, db_error_text
from workbench.store.entity_graph import refresh_graph
from workbench.store.summaries import refresh_summaries, written_countries

__all__ = [
    "Gate",
    "ImportReport",
    "ImportFailed",
    "ImportRefused",
    "TooManyRejections",
    "StoreBusy",
    "ImportPlan",
    "may_import",
    "plan_import",
    "ingest_dataset",
    "import_path",
    "Progress",
]

Progress = Callable[[int, int, str], None]
_CHUNK = 5000
_KEY_CHUNK = 400
#: Rejections and warnings listed in one report (all are counted; all rejected rows are quarantined).
MAX_LISTED = 10_000
#: Refusals listed in the message of a submission refused as a whole.
FIRST_LISTED = 10
#: Cells cleaned of control characters named one by one in the notices (all are counted).
CLEANED_LISTED = 20
#: How long an import waits for another one writing to the same SQLite store, in seconds.
LOCK_WAIT = 10.0


class Gate(Protocol):
    """A quality gate run on the checked frames before anything is stored.

    It returns findings; ``severity == "critical"`` quarantines the row, ``"warning"`` flags it.
    ``row`` is the spreadsheet row number (the frames' ``_row`` column).

    The contract, for gates and for the import paths that call them:

    - ``start(source)`` (optional) is called once before the first ``check`` of a submission;
    - ``check`` may be called **several times for one submission**, once per chunk of rows (large
      files are read in chunks so memory stays bounded); each call gets the chunk's typed frames,
      a table absent from a chunk is absent from ``tables``, and ``_row`` always holds the row's
      spreadsheet row number in the whole file. A gate that compares rows across the submission
      (likely duplicates) keeps what it needs between calls;
    - ``record(conn, submission_id)`` (optional) is called once, inside the submission's
      transaction, after the last ``check``: the gate stores its results in its own tables there.
    """

    name: str

    def check(
        self, tables: dict[str, pd.DataFrame], store: Store, where: dict[str, str]
    ) -> list[Rejection]: ...


class ImportFailed(Exception):
    """Writing the submission failed; the store was left as it was."""


class ImportRefused(ImportFailed, PermissionDenied):
    """The principal may not import (the matrix's ``import_data``): nothing was read into the store,
    nothing recorded."""


class TooManyRejections(ImportFailed):
    """More rows were refused than a submission may quarantine: the whole submission was refused and
    nothing was stored. ``report`` lists the first refusals."""

    def __init__(self, message: str, report: ImportReport) -> None:
        super().__init__(message)
        self.report = report


class StoreBusy(ImportFailed):
    """Another import was writing to the (SQLite) store and did not finish in time; nothing was stored."""


class _Abort(Exception):
    """Raised inside the submission's transaction to roll it back (too many refused rows)."""


def may_import(actor: Principal) -> bool:
    """Whether ``actor`` may import data (the matrix's ``import_data``).

    >>> from workbench.identity import Principal
    >>> may_import(Principal("v", "X", frozenset({"viewer"}))), may_import(Principal("s", "X", frozenset({"steward"})))
    (False, True)
    """
    return can(actor, "import_data")


def _refuse(store: Store, actor: Principal, source: str) -> None:
    try:
        authorise(store, actor, "import_data")
    except PermissionDenied as e:
        raise ImportRefused(_("{source}: not imported: {why}", source=source, why=e)) from e


@dataclass
class ImportReport:
    source: str
    submission_id: int | None = None
    status: str = "accepted"
    file_hash: str = ""
    accepted: dict[str, int] = field(default_factory=dict)
    rejected: dict[str, int] = field(default_factory=dict)
    inserted: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    flagged: dict[str, int] = field(default_factory=dict)
    rejections: list[Rejection] = field(default_factory=list)
    warnings: list[Rejection] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def exit_code(self) -> int:
        """0: every row accepted; 1: some rows refused (or the file was already imported)."""
        return 0 if self.status in ("accepted", "duplicate") and not self.rejections else 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "submission_id": self.submission_id,
            "status": self.status,
            "file_hash": self.file_hash,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "inserted": self.inserted,
            "updated": self.updated,
            "flagged": self.flagged,
            "rejections": [
                {"table": r.table, "row": r.row, "column": r.column, "reason": r.reason, "where": r.where}
                for r in self.rejections
            ],
            "warnings": [
                {"table": r.table, "row": r.row, "column": r.column, "reason": r.reason, "where": r.where}
                for r in self.warnings
            ],
            "notices": self.notices,
            "seconds": round(self.seconds, 3),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2, default=str)

    def summary(self) -> str:
        """One line for the command line; for cases, how many were new and how many replaced stored ones.

        >>> ImportReport("x", 3, accepted={"cases": 5}, rejected={"cases": 0}, inserted={"cases": 2},
        ...              updated={"cases": 3}).summary()
        'submission 3 accepted (cases: 5 accepted (2 new, 3 updated), 0 rejected)'
        """

        def counted(t: str) -> str:
            if t == "cases" and t in self.inserted:
                return _(
                    "{table}: {accepted} accepted ({new} new, {updated} updated), {rejected} rejected",
                    table=t,
                    accepted=self.accepted.get(t, 0),
                    new=self.inserted[t],
                    updated=self.updated.get(t, 0),
                    rejected=self.rejected.get(t, 0),
                )
            return _(
                "{table}: {accepted} accepted, {rejected} rejected",
                table=t,
                accepted=self.accepted.get(t, 0),
                rejected=self.rejected.get(t, 0),
            )

        parts = [counted(t) for t in self.accepted]
        return _(
            "submission {id} {status} ({tables})",
            id=self.submission_id,
            status=self.status,
            tables="; ".join(parts),
        )


_CASE_KEY = ("reporting_country", "case_id")


def _keys(df: pd.DataFrame) -> list[tuple[str, str]]:
    return list(zip(df["reporting_country"].astype(str), df["case_id"].astype(str), strict=True))


def existing_case_keys(conn: Connection, keys: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which of ``keys`` (reporting_country, case_id) are already stored."""
    t = DATA_TABLES["cases"]
    keys = list(dict.fromkeys(keys))
    found: set[tuple[str, str]] = set()
    for i in range(0, len(keys), _KEY_CHUNK):
        chunk = keys[i : i + _KEY_CHUNK]
        q = sa.select(t.c.reporting_country, t.c.case_id).where(
            sa.tuple_(t.c.reporting_country, t.c.case_id).in_(chunk)
        )
        found.update((r[0], r[1]) for r in conn.execute(q))
    return found


@dataclass(frozen=True)
class ImportPlan:
    """What importing a data set would do to the stored cases, found before importing it.

    ``file_cases``: distinct case keys (reporting_country, case_id) in the file's cases table;
    ``stored_cases``: how many of them are already stored, i.e. how many stored cases (with their
    items, persons and companies carried by the file) the import would **replace**;
    ``duplicate_of``: the submission that already imported this very file (importing it again
    changes nothing), or None.
    """

    file_cases: int
    stored_cases: int
    duplicate_of: int | None = None

    @property
    def new_cases(self) -> int:
        return self.file_cases - self.stored_cases


def plan_import(raw: RawDataset, store: Store, *, chunk_rows: int = CHUNK_ROWS) -> ImportPlan:
    """How many of ``raw``'s cases are new and how many would replace stored cases.

    Reads only the two key columns of the cases table (typed as the checks type them: country codes
    upper-case, blanks dropped) and looks the keys up in the store, a few hundred per query.

    Examples
    --------
    >>> from workbench.store import open_store
    >>> store = open_store("sqlite://")
    >>> cases = pd.DataFrame({"case_id": ["A1", "A2"], "reporting_country": ["fr", "FR"],
    ...                       "seizure_date": ["2024-01-02", "2024-01-03"]})
    >>> raw = RawDataset("x", "csv", {"cases": RawTable("cases", cases)}, "h1")
    >>> plan_import(raw, store)
    ImportPlan(file_cases=2, stored_cases=0, duplicate_of=None)
    >>> _ = ingest_dataset(raw, store)
    >>> more = cases.assign(case_id=["A2", "A3"])
    >>> plan_import(RawDataset("y", "csv", {"cases": RawTable("cases", more)}, "h2"), store).stored_cases
    1
    """
    from workbench.exchange.rowchecks import coerce_column
    from workbench.format.reference import country_codes

    prior = _duplicate_of(store, raw.file_hash) if raw.file_hash else None
    table = raw.tables.get("cases")
    if table is None or not set(_CASE_KEY) <= set(table.columns):
        return ImportPlan(0, 0, prior[0] if prior is not None else None)
    spec, codes = FORMAT.table("cases"), country_codes()
    seen: set[tuple[str, str]] = set()
    stored = 0
    with store.engine.connect() as conn:
        for chunk in table.iter_chunks(chunk_rows):
            typed = pd.DataFrame(
                {c: coerce_column(strip_controls(chunk[c])[0], spec.column(c), codes)[0] for c in _CASE_KEY}
            ).dropna()
            keys = [k for k in dict.fromkeys(_keys(typed)) if k not in seen]
            seen.update(keys)
            stored += len(existing_case_keys(conn, keys))
    return ImportPlan(len(seen), stored, prior[0] if prior is not None else None)


@dataclass
class _SubmissionState:
    """What one submission remembers between chunks (a few bytes per row: hashes, not rows)."""

    seen: dict[str, KeyIndex] = field(default_factory=dict)  # keys per table (duplicates)
    written_cases: KeyIndex = field(default_factory=KeyIndex)  # cases this submission wrote
    prior_cases: KeyIndex = field(default_factory=KeyIndex)  # of those or of children: stored before
    cleared: dict[str, KeyIndex] = field(default_factory=dict)  # cases whose stored children were replaced
    countries: set[str] = field(default_factory=set)
    noticed: set[str] = field(default_factory=set)
    cleaned: int = 0  # cells cleaned of control characters
    items_ok: set[int] = field(default_factory=set)  # case-key hashes with an accepted item
    #: case-key hash -> (reporting_country, case_id, refused item rows)
    items_refused: dict[int, tuple[str, str, list[int]]] = field(default_factory=dict)


def _referential(
    ct: CheckedTable, conn: Connection, where: str, state: _SubmissionState | None = None
) -> None:
    """Refuse children whose case is neither among this submission's good cases nor in the store.

    Cases are written first, inside the submission's transaction: a case of this submission is
    recognised by its key hash; any other is looked up in the store.
    """
    name = ct.name
    if name == "cases" or ct.frame.empty:
        return
    df = ct.frame
    hashes = key_hashes(df, _CASE_KEY)
    ours = state.written_cases.contains(hashes) if state is not None else np.zeros(len(df), dtype=bool)
    outside_keys = _keys(df.loc[~ours]) if (~ours).any() else []
    stored = existing_case_keys(conn, outside_keys) if outside_keys else set()
    orphan = np.zeros(len(df), dtype=bool)
    if outside_keys:
        orphan[~ours] = [k not in stored for k in outside_keys]
        if state is not None:
            in_store = ~ours & ~orphan
            state.prior_cases.add(hashes[in_store], np.zeros(int(in_store.sum()), dtype=np.int64))
    if orphan.any():
        for rec in df.loc[orphan, [ROW, "reporting_country", "case_id"]].itertuples(index=False):
            ct.rejections.append(
                Rejection(
                    name,
                    int(rec[0]),
                    "case_id",
                    _(
                        "no case {country}/{case} in this submission (or it was refused) nor in the store",
                        country=rec[1],
                        case=rec[2],
                    ),
                    where,
                    check="expect_case_to_exist",
                )
            )
            ct.rejected_rows.add(int(rec[0]))
        ct.frame = df.loc[~orphan].reset_index(drop=True)


def _columns(df: pd.DataFrame, columns: Sequence[str]) -> dict[str, list[Any]]:
    """Plain Python values for the database driver, column by column (dates as date, NA as None).

    Column by column into Python lists: ``DataFrame.to_dict("records")`` boxes every cell again and
    cost 2.7x as much (1.7 against 0.6 CPU s per 100,000 cases)."""
    values: dict[str, list[Any]] = {}
    for c in columns:
        s = df[c] if c in df.columns else pd.Series(None, index=df.index, dtype=object)
        if pd.api.types.is_datetime64_any_dtype(s):
            s = s.dt.date
        values[c] = s.astype(object).where(s.notna(), None).tolist()
    return values


def _records(df: pd.DataFrame, columns: Sequence[str]) -> list[dict[str, Any]]:
    """:func:`_columns` as one dictionary per row (for SQLAlchemy statements with named parameters)."""
    values = _columns(df, columns)
    return [dict(zip(columns, row, strict=True)) for row in zip(*values.values(), strict=True)]


def _write_table(
    conn: Connection,
    name: str,
    df: pd.DataFrame,
    submission_id: int,
    report: ImportReport,
    progress: Progress | None,
    state: _SubmissionState | None = None,
) -> None:
    """Write one chunk of good rows: cases inserted or updated, children replacing stored ones."""
    t = DATA_TABLES[name]
    spec = FORMAT.table(name)
    cols = [*spec.column_names, "extra", "dq_flags"]
    df = df.assign(submission_id=submission_id)
    cols.append("submission_id")
    if "dq_flags" not in df.columns:
        df = df.assign(dq_flags=None)
    report.inserted.setdefault(name, 0)
    report.updated.setdefault(name, 0)
    if df.empty:
        return
    hashes = key_hashes(df, _CASE_KEY)
    if name == "cases":
        stored = existing_case_keys(conn, _keys(df))
        is_update = np.array([k in stored for k in _keys(df)], dtype=bool)
        new, upd = df.loc[~is_update], df.loc[is_update]
        if len(upd):
            vals: dict[str, sa.BindParameter[Any]] = {
                c: sa.bindparam(f"v_{c}") for c in cols if c not in spec.key
            }
            stmt = (
                sa.update(t)
                .where(t.c.reporting_country == sa.bindparam("k_reporting_country"))
                .where(t.c.case_id == sa.bindparam("k_case_id"))
                .values(vals)
            )
            recs = _records(upd, cols)
            payload = [
                {**{f"v_{c}": r[c] for c in cols if c not in spec.key}, **{f"k_{k}": r[k] for k in spec.key}}
                for r in recs
            ]
            for i in range(0, len(payload), _CHUNK):
                conn.execute(stmt, payload[i : i + _CHUNK])
        if state is not None:
            state.written_cases.add(hashes, df[ROW].to_numpy())
            state.prior_cases.add(hashes[is_update], df[ROW].to_numpy()[is_update])
        report.updated[name] += int(is_update.sum())
        report.inserted[name] += int((~is_update).sum())
        to_insert = new
    else:
        # Children carried by the submission replace the stored children of the same cases. Only
        # cases stored before this submission can have any; rows this submission wrote are kept.
        if state is None:
            replace = np.ones(len(df), dtype=bool)
        else:
            done = state.cleared.setdefault(name, KeyIndex())
            replace = state.prior_cases.contains(hashes) & ~done.contains(hashes)
            done.add(hashes[replace], np.zeros(int(replace.sum()), dtype=np.int64))
        keys = list(dict.fromkeys(_keys(df.loc[replace])))
        for i in range(0, len(keys), _KEY_CHUNK):
            conn.execute(
                sa.delete(t)
                .where(sa.tuple_(t.c.reporting_country, t.c.case_id).in_(keys[i : i + _KEY_CHUNK]))
                .where(sa.or_(t.c.submission_id.is_(None), t.c.submission_id != submission_id))
            )
        report.inserted[name] += len(df)
        to_insert = df
    bulk_insert(conn, t, _columns(to_insert, cols))


def _apply_gate_findings(
    checked: dict[str, CheckedTable], findings: list[Rejection], report: ImportReport
) -> None:
    by_table: dict[str, list[Rejection]] = {}
    for f in findings:
        by_table.setdefault(f.table, []).append(f)
    for name, fs in by_table.items():
        if name not in checked:
            continue
        ct = checked[name]
        critical_rows = {f.row for f in fs if f.severity == "critical" and f.row is not None}
        warn: dict[int, list[str]] = {}
        for f in fs:
            if f.severity == "critical":
                ct.rejections.append(f)
            else:
                _listed(report.warnings, f, report)
                if f.row is not None:
                    warn.setdefault(f.row, []).append(f"{f.column}: {f.reason}" if f.column else f.reason)
        if critical_rows:
            drop = ct.frame[ROW].isin(critical_rows)
            ct.rejected_rows.update(critical_rows & set(ct.frame[ROW].astype(int)))
            ct.frame = ct.frame.loc[~drop].reset_index(drop=True)
        if warn:
            texts = {r: json.dumps(v, ensure_ascii=False) for r, v in warn.items()}
            flags = ct.frame[ROW].map(texts)
            ct.frame = ct.frame.assign(dq_flags=flags)
            report.flagged[name] = report.flagged.get(name, 0) + int(flags.notna().sum())


def _listed(target: list[Rejection], r: Rejection, report: ImportReport) -> None:
    if len(target) < MAX_LISTED:
        target.append(r)
    elif len(target) == MAX_LISTED:
        report.notices.append(
            _("more than {n:,} findings: the report lists the first; all are counted", n=MAX_LISTED)
        )
        target.append(r)


def _duplicate_of(store: Store, file_hash: str) -> Any:
    with store.engine.connect() as conn:
        return conn.execute(
            sa.select(Submission.id, Submission.received_at)
            .where(Submission.file_hash == file_hash, Submission.status.in_(("accepted", "partial")))
            .order_by(Submission.id)
            .limit(1)
        ).first()


def _error_text(e: BaseException) -> str:
    """What went wrong, without the SQL, its parameters or any value (they may be personal data)."""
    if isinstance(e, sa.exc.SQLAlchemyError):
        return _("a database error ({kind})", kind=db_error_text(e))
    return str(e)


def _is_locked(e: BaseException) -> bool:
    return isinstance(e, sa.exc.OperationalError) and "database is locked" in str(e.orig or "")


def _set_lock_wait(conn: Connection, seconds: float | None) -> None:
    """How long SQLite waits for another writer (the store's own default is restored afterwards)."""
    if conn.dialect.name == "sqlite":
        ms = 30_000 if seconds is None else int(seconds * 1000)
        conn.exec_driver_sql(f"PRAGMA busy_timeout={ms}")


def ingest_dataset(
    raw: RawDataset,
    store: Store,
    *,
    gates: Sequence[Gate] = (),
    actor: Principal | None = None,
    progress: Progress | None = None,
    source_name: str | None = None,
    chunk_rows: int = CHUNK_ROWS,
    max_rejected_rows: int | None = None,
    lock_wait: float = LOCK_WAIT,
) -> ImportReport:
    """Check and store one data set as one submission, chunk by chunk; see the module docstring.

    ``max_rejected_rows`` (default: the ``max_rejected_rows`` setting) caps the rows one submission
    may quarantine: beyond it the whole submission is refused (:class:`TooManyRejections`, listing the
    first refusals) and nothing is stored. ``lock_wait``: seconds to wait for another import writing
    to the same SQLite store before giving up (:class:`StoreBusy`).

    ``actor`` (default: :func:`~workbench.identity.accounts.current_principal`) acts: raises
    :class:`ImportRefused` when the matrix does not let it import (:func:`may_import`),
    :class:`ImportFailed` when writing fails (the store is left as it was).
    """
    if "statistics" in raw.tables:
        # aggregate statistics (a mapping profile's ``statistics`` table): stored as such, not as cases
        from workbench.exchange.statistics import ingest_statistics

        return ingest_statistics(
            raw.tables["statistics"],
            store,
            actor=actor,
            progress=progress,
            source_name=source_name or raw.path,
            file_hash=raw.file_hash,
            chunk_rows=chunk_rows,
        )
    t0 = time.perf_counter()
    actor = acting(store, actor)
    _refuse(store, actor, source_name or Path(raw.path).name)
    cap = Settings.from_env().max_rejected_rows if max_rejected_rows is None else max_rejected_rows
    report = ImportReport(source=source_name or raw.path, file_hash=raw.file_hash, notices=list(raw.notices))

    prior = _duplicate_of(store, raw.file_hash)
    if prior is not None:
        report.status = "duplicate"
        report.notices.append(
            _(
                "this file was already imported as submission {id} on {when}; nothing changed",
                id=prior[0],
                when=prior[1].strftime("%Y-%m-%d %H:%M"),
            )
        )
        for name in raw.tables:
            report.accepted[name] = 0
            report.rejected[name] = 0
        with store.session() as s:
            sub = _submission(raw, report, actor, source_name, set())
            s.add(sub)
            s.flush()
            report.submission_id = sub.id
            audit(s, "import.duplicate", {"source": report.source, "of_submission": prior[0]}, actor)
            bump_data_version(s, "submissions")
        report.seconds = time.perf_counter() - t0
        return report

    from workbench.format.reference import country_codes

    codes = country_codes()
    state = _SubmissionState()
    for gate in gates:
        start = getattr(gate, "start", None)
        if start is not None:
            start(report.source)
    order = [n for n in TABLE_NAMES if n in raw.tables]
    writing: tuple[str, int, int] | None = None  # table and rows being written: named if the database refuses
    try:
        with store.session() as s, contextlib.ExitStack() as bulk:
            writer = s.connection()
            _set_lock_wait(writer, lock_wait)
            try:
                sub = _submission(raw, report, actor, source_name, set())
                s.add(sub)
                s.flush()  # the first write: it waits for another writer, at most lock_wait
            except Exception:
                writer.invalidate()  # the pool must not hand out a connection with the short wait
                raise
            _set_lock_wait(writer, None)
            report.submission_id = sub.id
            conn = s.connection()
            bulk.enter_context(bulk_write(conn))  # undone before the commit, which writes the pages once
            for name in order:
                rt = raw.tables[name]
                report.accepted.setdefault(name, 0)
                report.rejected.setdefault(name, 0)
                state.seen[name] = KeyIndex()
                # rows read of rows total, per table; an estimate that proves short grows, and 100 %
                # is said only when the table is done
                table_total = max(rt.approx_rows or 0, 1)
                table_done = 0
                label = _("importing {table}", table=name)
                if progress:
                    progress(0, table_total, label)
                first_row = 1
                for chunk in rt.iter_chunks(chunk_rows):
                    writing = (name, first_row, first_row + len(chunk) - 1)
                    first_row += len(chunk)
                    ct = _check_chunk(name, rt, chunk, codes, conn, state, gates, store, report)
                    report.rejected[name] += len(ct.rejected_rows)
                    for r in sorted(ct.rejections, key=lambda r: (r.row or 0, r.column or "")):
                        _listed(report.rejections, r, report)
                    if sum(report.rejected.values()) > cap:
                        raise _Abort()  # before anything of this chunk is written
                    _quarantine(conn, sub.id, rt.where, chunk, ct)
                    if name == "items":
                        _note_items(chunk, ct, state)
                    _write_table(conn, name, ct.frame, sub.id, report, progress, state)
                    report.accepted[name] += len(ct.frame)
                    table_done += len(chunk)
                    if table_done >= table_total:  # the estimate proved short: a little more to come
                        table_total = table_done + max(min(chunk_rows, table_done) // 20, 1)
                    if progress:
                        progress(table_done, table_total, label)
                if progress:
                    progress(table_done, table_done or 1, label)
                if name == "items":
                    case_where = raw.tables["cases"].where if "cases" in raw.tables else ""
                    _refuse_itemless_cases(conn, sub.id, state, report, rt.where, case_where)
            for gate in gates:
                record = getattr(gate, "record", None)
                if record is not None:
                    record(conn, sub.id)
            if state.cleaned > CLEANED_LISTED:
                report.notices.append(
                    _(
                        "control characters removed from {n:,} cells in all (the first {k} are named above)",
                        n=state.cleaned,
                        k=CLEANED_LISTED,
                    )
                )
            n_ok = sum(report.accepted.values())
            n_bad = sum(report.rejected.values())
            report.status = "accepted" if n_bad == 0 else ("partial" if n_ok else "rejected")
            report.seconds = time.perf_counter() - t0
            sub.status = report.status
            sub.reporting_countries = ";".join(sorted(c for c in state.countries if c))[:2000]
            sub.counts = json.dumps(
                {
                    "accepted": report.accepted,
                    "rejected": report.rejected,
                    "inserted": report.inserted,
                    "updated": report.updated,
                }
            )
            sub.report = report.to_json()
            refresh_search_index(conn)  # the search finds what this submission wrote, or nothing
            before = data_version(conn)["cases"]
            bump_data_version(conn, "cases", "submissions")
            refresh_summaries(conn, written_countries(conn, sub.id), before)  # as a rebuild would
            refresh_graph(conn, sub.id, before)  # the entity graph's links of the cases written
            audit(
                conn,
                "import",
                {
                    "submission_id": sub.id,
                    "source": report.source,
                    "status": report.status,
                    "accepted": report.accepted,
                    "rejected": report.rejected,
                },
                actor,
            )
    except Exception as e:
        report.status = "failed"
        report.submission_id = None
        if isinstance(e, _Abort):
            first = report.rejections[:FIRST_LISTED]
            message = _(
                "{source}: more than {cap:,} rows refused, the most one submission may quarantine: the "
                "whole submission is refused and nothing was stored; correct the file and import it "
                "again. The first refusals: {first}",
                source=Path(report.source).name,
                cap=cap,
                first="; ".join(str(r) for r in first),
            )
            report.rejections = first
        elif _is_locked(e):
            message = _(
                "{source}: the store is busy: another import is writing to it and did not finish within "
                "{seconds:g} s; nothing was stored; import again when it has finished",
                source=Path(report.source).name,
                seconds=lock_wait,
            )
        elif isinstance(e, DatasetReadError):
            message = _("{error} (the import stopped and nothing was stored)", error=e)
        else:
            message = _(
                "{source}: the import failed and nothing was stored ({error})",
                source=report.source,
                error=_error_text(e)
                + (f" (table {writing[0]}, data rows {writing[1]} to {writing[2]})" if writing else ""),
            )
        if not _is_locked(e):  # a store busy with another import cannot record this one either
            _record_failure(store, raw, report, actor, source_name, state, message)
        if isinstance(e, _Abort):
            raise TooManyRejections(message, report) from None
        if _is_locked(e):
            raise StoreBusy(message) from None
        raise ImportFailed(message) from (
            None if isinstance(e, sa.exc.StatementError) else e
        )  # its values stay out
    if progress:
        progress(1, 1, _("done"))
    return report


def _note_items(chunk: pd.DataFrame, ct: CheckedTable, state: _SubmissionState) -> None:
    """Remember which cases got an accepted item and which had items refused (by row)."""
    if not ct.frame.empty:
        state.items_ok.update(int(h) for h in key_hashes(ct.frame, _CASE_KEY))
    if not ct.rejected_rows or not set(_CASE_KEY) <= set(chunk.columns):
        return
    bad = chunk.loc[chunk[ROW].isin(ct.rejected_rows), [ROW, *_CASE_KEY]]
    keys = pd.DataFrame(
        {
            "reporting_country": bad["reporting_country"].astype("string").str.strip().str.upper(),
            "case_id": bad["case_id"].astype("string").str.strip(),
        }
    )
    for h, rc, cid, row in zip(
        key_hashes(keys, _CASE_KEY), keys["reporting_country"], keys["case_id"], bad[ROW], strict=True
    ):
        if rc is pd.NA or cid is pd.NA:
            continue
        entry = state.items_refused.setdefault(int(h), (str(rc), str(cid), []))
        entry[2].append(int(row))


def _refuse_itemless_cases(
    conn: Connection,
    submission_id: int,
    state: _SubmissionState,
    report: ImportReport,
    where: str,
    case_where: str,
) -> None:
    """A case this submission brought whose every item was refused is refused with them: it would
    otherwise be stored as a seizure of nothing. (A case stored before keeps its stored items.)"""
    gone = {h: v for h, v in state.items_refused.items() if h not in state.items_ok}
    if not gone:
        return
    hashes = np.array(sorted(gone), dtype=np.uint64)
    case_rows = state.written_cases.first_rows(hashes)
    ours = (case_rows >= 0) & ~state.prior_cases.contains(hashes)
    if not ours.any():
        return
    t = DATA_TABLES["cases"]
    keys = [(gone[int(h)][0], gone[int(h)][1]) for h in hashes[ours]]
    for i in range(0, len(keys), _KEY_CHUNK):
        conn.execute(
            sa.delete(t)
            .where(sa.tuple_(t.c.reporting_country, t.c.case_id).in_(keys[i : i + _KEY_CHUNK]))
            .where(t.c.submission_id == submission_id)
        )
    state.written_cases.discard(hashes[ours])
    quarantined = []
    for h, row in zip(hashes[ours], case_rows[ours], strict=True):
        rows = gone[int(h)][2]
        reason = _(
            "every item of this case was refused (items {where}, rows {rows}): the case is refused with them",
            where=where,
            rows=", ".join(map(str, rows[:10])) + (" ..." if len(rows) > 10 else ""),
        )
        _listed(report.rejections, Rejection("cases", int(row), "case_id", reason, case_where), report)
        quarantined.append(
            {
                "submission_id": submission_id,
                "table_name": "cases",
                "sheet": case_where,
                "row_number": int(row),
                "column_name": "case_id",
                "reason": reason,
                "raw": None,
            }
        )
    conn.execute(sa.insert(QuarantinedRow), quarantined)
    n = int(ours.sum())
    report.accepted["cases"] = report.accepted.get("cases", 0) - n
    report.inserted["cases"] = report.inserted.get("cases", 0) - n
    report.rejected["cases"] = report.rejected.get("cases", 0) + n


def _record_failure(
    store: Store,
    raw: RawDataset,
    report: ImportReport,
    actor: Principal,
    source_name: str | None,
    state: _SubmissionState,
    message: str,
) -> None:
    """Record the failed submission and audit it; a store too busy for that is left alone."""
    try:
        with store.session() as s:
            sub = _submission(raw, report, actor, source_name, state.countries)
            sub.report = json.dumps({"error": message[:2000]}, ensure_ascii=False)
            s.add(sub)
            s.flush()
            report.submission_id = sub.id
            audit(s, "import.failed", {"source": report.source, "error": message[:500]}, actor)
            bump_data_version(s, "submissions")
    except sa.exc.OperationalError as e:
        if not _is_locked(e):
            raise


def _check_chunk(
    name: str,
    rt: RawTable,
    chunk: pd.DataFrame,
    codes: frozenset[str],
    conn: Connection,
    state: _SubmissionState,
    gates: Sequence[Gate],
    store: Store,
    report: ImportReport,
) -> CheckedTable:
    """Row checks, referential checks and gates for one chunk of one table."""
    piece = RawTable(name, chunk, rt.file, rt.sheet)
    piece.decimal, piece.header_row = rt.decimal, rt.header_row
    ct = check_table(piece, codes, seen=state.seen[name])
    for column, rows in ct.cleaned.items():
        for r in rows:
            state.cleaned += 1
            if state.cleaned <= CLEANED_LISTED:
                report.notices.append(
                    _(
                        "{where}, row {row}, column {column!r}: control characters (NUL, ...) removed",
                        where=rt.where,
                        row=r,
                        column=column,
                    )
                )
    if ct.unknown_columns and name not in state.noticed:
        state.noticed.add(name)
        report.notices.append(
            _(
                "{where}: columns not in the exchange format kept as extra attributes: {columns}",
                where=rt.where,
                columns=", ".join(ct.unknown_columns),
            )
        )
    if name == "cases" and "reporting_country" in ct.frame.columns and len(state.countries) < 300:
        state.countries.update(str(c) for c in ct.frame["reporting_country"].dropna().unique())
    _referential(ct, conn, rt.where, state)
    if gates and not ct.frame.empty:
        findings: list[Rejection] = []
        for gate in gates:
            findings += gate.check({name: ct.frame}, store, {name: rt.where})
        _apply_gate_findings({name: ct}, findings, report)
    # a repeated "required column missing" (one per chunk) is said once
    if any(r.row is None for r in ct.rejections):
        key = f"missing:{name}"
        if key in state.noticed:
            ct.rejections = [r for r in ct.rejections if r.row is not None]
        state.noticed.add(key)
    return ct


def _submission(
    raw: RawDataset,
    report: ImportReport,
    actor: Principal,
    source_name: str | None,
    countries: set[str],
) -> Submission:
    return Submission(
        received_at=dt.datetime.now(dt.UTC),
        submitted_by=actor.user,
        source_name=source_name or raw.path,
        source_kind=raw.kind,
        file_hash=raw.file_hash,
        status=report.status,
        reporting_countries=";".join(sorted(c for c in countries if c))[:2000],
        counts=json.dumps({"accepted": report.accepted, "rejected": report.rejected}),
        report=None,
    )


def _quarantine(
    conn: Connection, submission_id: int, where: str, chunk: pd.DataFrame, ct: CheckedTable
) -> None:
    if not ct.rejections:
        return
    frame = chunk.set_index(ROW, drop=False)
    frame = frame[~frame.index.duplicated()]
    rows: list[dict[str, Any]] = []
    for r in ct.rejections:
        raw_row = None
        if r.row is not None and r.row in frame.index:
            raw_row = json.dumps(
                {
                    k: (None if pd.isna(v) else str(v))
                    for k, v in frame.loc[r.row].items()
                    if k not in (ROW, REFUSED)
                },
                ensure_ascii=False,
            )
        rows.append(
            {
                "submission_id": submission_id,
                "table_name": ct.name,
                "sheet": where,
                "row_number": r.row,
                "column_name": r.column,
                "reason": r.reason,
                "raw": raw_row,
            }
        )
    for i in range(0, len(rows), _CHUNK):
        conn.execute(sa.insert(QuarantinedRow), rows[i : i + _CHUNK])


def import_path(
    path: str | Path,
    store: Store,
    *,
    gates: Sequence[Gate] = (),
    actor: Principal | None = None,
    progress: Progress | None = None,
    encoding: str | None = None,
    chunk_rows: int = CHUNK_ROWS,
    delimiter: str | None = None,
    decimal: str | None = None,
    max_rejected_rows: int | None = None,
) -> ImportReport:
    """Read ``path`` (CSV folder, zip of CSVs or ``.xlsx``) and import it; see :func:`ingest_dataset`."""
    raw = read_dataset(path, encoding=encoding, delimiter=delimiter, decimal=decimal)
    return ingest_dataset(
        raw,
        store,
        gates=gates,
        actor=actor,
        progress=progress,
        chunk_rows=chunk_rows,
        max_rejected_rows=max_rejected_rows,
    )
