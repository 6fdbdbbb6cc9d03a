"""The quality gate every import runs: the suites on each chunk, findings back to the import, results
into the workbench's own tables.

It follows :class:`workbench.exchange.ingest.Gate` exactly:

- :meth:`QualityGate.start` resets the state for a new submission;
- :meth:`QualityGate.check` runs on each chunk of typed, already row-checked frames: cases first
  (remembered for likely duplicates and the scorecard), then items (marked when they repeat a seizure
  of an earlier row, an earlier chunk or the store), persons and companies; one batch per table. It
  returns one finding per failing row and rule: ``critical`` ones are quarantined by the import,
  ``warning`` ones are stored and flagged;
- :meth:`QualityGate.record` runs once inside the submission's transaction: it adds the refusals of the
  row checks and of the referential check (read back from the quarantine) so the report is whole, and
  writes the run, the results per expectation, the failing rows, the scorecard inputs and
  ``Submission.dq_score``.

Great Expectations is imported when the first chunk is checked, never before.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections import defaultdict
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from data_quality.catalogue import DUPLICATE_OF, rules_for
from data_quality.duplicates import DuplicateTracker
from data_quality.engine import Engine, RuleOutcome
from data_quality.results import QualityResults
from data_quality.scorecard import ScorecardInputs
from data_quality.storage import write_run
from workbench.exchange.rowchecks import Rejection
from workbench.format.schema import TABLE_NAMES
from workbench.store import QuarantinedRow, Store

__all__ = ["QualityGate", "GATE_STAGES"]

ROW = "_row"
#: Rules the gate runs; referential integrity (``context``) is the import's own check, read back in record.
GATE_STAGES = ("suite", "state")


class QualityGate:
    """The data-quality gate (see the module docstring). ``engine``: a :class:`data_quality.engine.GXEngine`
    by default (created on first use); the plain :class:`~data_quality.engine.PandasEngine` also fits."""

    name = "data quality"

    def __init__(
        self,
        engine: Engine | None = None,
        *,
        today: dt.date | None = None,
        stages: tuple[str, ...] = GATE_STAGES,
    ) -> None:
        self._engine = engine
        self.today = today
        self.stages = stages
        self.start("")

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            from data_quality.engine import GXEngine

            self._engine = GXEngine()
        return self._engine

    def start(self, source: str) -> None:
        """Forget the previous submission."""
        self.source = source
        self.results = QualityResults(self.today)
        self.scorecard = ScorecardInputs()
        self.tracker: DuplicateTracker | None = None
        self.seconds = 0.0
        self.started_at = dt.datetime.now(dt.UTC)
        self._emitted: set[tuple[str, int | None, str | None, str]] = set()
        self._tables: set[str] = set()

    def check(
        self, tables: dict[str, pd.DataFrame], store: Store | None, where: dict[str, str]
    ) -> list[Rejection]:
        """Check one chunk; see the module docstring."""
        t0 = time.perf_counter()
        if self.tracker is None:
            self.tracker = DuplicateTracker(store)
        findings: list[Rejection] = []
        for name in TABLE_NAMES:
            frame = tables.get(name)
            if frame is None:
                continue
            self._tables.add(name)
            self.results.where.setdefault(name, where.get(name, name))
            if frame.empty:
                continue
            self.results.rows_read[name] += len(frame)
            messages: dict[str, pd.Series] | None = None
            rules = [r for r in rules_for(name, self.today) if r.stage in self.stages]
            if name == "cases":
                self.tracker.add_cases(frame)
                self.scorecard.add_cases(frame)
                findings += self._late_duplicates()
            elif name == "items":
                marks = self.tracker.mark_items(frame)
                frame = frame.assign(**{DUPLICATE_OF: marks})
                messages = {r.id: marks for r in rules if r.kwargs.get("column") == DUPLICATE_OF}
            outcomes = self.engine.run(name, frame, rules)
            findings += self.results.add_outcomes(name, frame, outcomes, self.results.where[name], messages)
            self._flag(frame, outcomes)
        self._emitted.update(
            (f.table, f.row, f.column, f.reason) for f in findings if f.severity == "critical"
        )
        self.seconds += time.perf_counter() - t0
        return findings

    def _late_duplicates(self) -> list[Rejection]:
        """Items of an earlier chunk whose case came only now: the likely-duplicate rule on them."""
        assert self.tracker is not None
        ready = self.tracker.resolve_pending()
        if ready.empty:
            return []
        rules = [r for r in rules_for("items", self.today) if r.kwargs.get("column") == DUPLICATE_OF]
        outcomes = self.engine.run("items", ready, rules)
        for o in outcomes:  # these rows were counted when they came
            o.element_count = 0
        messages = {r.id: ready[DUPLICATE_OF] for r in rules}
        where = self.results.where.get("items", "items")
        found = self.results.add_outcomes("items", ready, outcomes, where, messages)
        self._flag(ready, outcomes)
        return found

    def _flag(self, frame: pd.DataFrame, outcomes: list[RuleOutcome]) -> None:
        if "case_id" not in frame.columns:
            return
        for o in outcomes:
            if not o.unexpected_count:
                continue
            dim = "validity" if o.rule.severity == "critical" else o.rule.dimension
            if dim not in ("validity", "consistency", "uniqueness"):
                continue
            hit = frame[ROW].isin(o.failing)
            self.scorecard.flag(dim, frame.loc[hit, "reporting_country"], frame.loc[hit, "case_id"])

    def absorb_quarantine(self, conn: Connection, submission_id: int) -> None:
        """Add the rows the import refused before the gate saw them (row checks, referential check)."""
        q = sa.select(
            QuarantinedRow.table_name,
            QuarantinedRow.sheet,
            QuarantinedRow.row_number,
            QuarantinedRow.column_name,
            QuarantinedRow.reason,
            QuarantinedRow.raw,
        ).where(QuarantinedRow.submission_id == submission_id)
        refused: dict[str, set[int]] = defaultdict(set)
        for table, sheet, row, column, reason, raw_json in conn.execute(q):
            self._tables.add(table)
            if (table, row, column, reason) in self._emitted:
                continue
            raw: dict[str, Any] = json.loads(raw_json) if raw_json else {}
            self.results.add_refusal(table, row, column, reason, raw, sheet or "")
            if row is not None:
                refused[table].add(int(row))
            if table == "cases":
                self.scorecard.add_refused_case(raw.get("reporting_country"), raw.get("seizure_date"))
            elif raw.get("reporting_country") and raw.get("case_id"):
                self.scorecard.flag_keys(
                    "validity", [(str(raw["reporting_country"]).upper(), str(raw["case_id"]))]
                )
        for table, rows in refused.items():
            self.results.rows_read[table] += len(rows)

    def record(self, conn: Connection, submission_id: int) -> None:
        """Store the run inside the submission's transaction (see the module docstring)."""
        self.absorb_quarantine(conn, submission_id)
        self.results.cover(t for t in TABLE_NAMES if t in self._tables)
        write_run(
            conn,
            self.results,
            self.scorecard.frame(),
            submission_id=submission_id,
            kind="submission",
            engine=self.engine_label(),
            seconds=self.seconds,
            started_at=self.started_at,
        )

    def engine_label(self) -> str:
        eng = self.engine
        if eng.name == "great_expectations":
            from data_quality.engine import gx_version

            return f"great_expectations {gx_version()}"
        return eng.name
