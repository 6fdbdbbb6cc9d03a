"""``workbench validate``: a data set checked as an import would check it, without storing anything.

:func:`validate_path` reads the file with :func:`workbench.exchange.files.read_dataset` and the row checks
of :mod:`workbench.exchange.rowchecks` (so row numbers agree with ``workbench import``: spreadsheet rows, header =
row 1), checks referential integrity against the file and, when given, a store, then runs every suite.
The result is a :class:`~data_quality.results.QualityResults`; its ``to_json()`` is the command's JSON::

    {"success": bool, "failures": [{"table", "column", "expectation", "severity", "rows": [...]}], ...}

Examples
--------
>>> import pandas as pd, tempfile, pathlib
>>> from workbench.exchange.files import write_dataset
>>> d = pathlib.Path(tempfile.mkdtemp()) / "ds"
>>> _ = write_dataset({"cases": pd.DataFrame({"case_id": ["A1", "A2"], "reporting_country": ["FR", "FR"],
...     "seizure_date": ["2024-01-02", "2024-01-05"], "entry_date": ["2024-01-03", "2024-01-01"]})}, d)
>>> from data_quality.engine import PandasEngine
>>> report = validate_path(d, engine=PandasEngine())
>>> report.success, [(f["column"], f["expectation"], f["rows"]) for f in report.failures_json()]
(False, [('entry_date', 'expect_entry_date_not_before_seizure_date', [3])])
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import numpy as np
import pandas as pd

from data_quality.catalogue import CASE_KNOWN
from data_quality.duplicates import case_hashes
from data_quality.engine import Engine
from data_quality.gate import QualityGate
from data_quality.results import QualityResults
from workbench.exchange.files import RawDataset, read_dataset
from workbench.exchange.rowchecks import CheckedTable, check_table
from workbench.format.schema import TABLE_NAMES
from workbench.i18n import _
from workbench.store import Store

__all__ = ["validate_path", "validate_dataset", "ALL_STAGES"]

ALL_STAGES = ("suite", "state", "context")


def _case_known(checked: dict[str, CheckedTable], store: Store | None) -> dict[str, pd.DataFrame]:
    """The typed frames, children with ``_case_known``: their case passed the row checks, or is stored."""
    from workbench.exchange.ingest import existing_case_keys

    frames = {n: c.frame for n, c in checked.items()}
    cases = frames.get("cases")
    good = np.sort(
        case_hashes(cases["reporting_country"], cases["case_id"])
        if cases is not None and len(cases)
        else np.array([0], dtype=np.uint64)
    )
    for name, frame in frames.items():
        if name == "cases" or frame.empty:
            continue
        keys = case_hashes(frame["reporting_country"], frame["case_id"])
        # a sorted look-up: numpy's isin on a million 64-bit hashes is several times slower
        known = good[np.minimum(np.searchsorted(good, keys), len(good) - 1)] == keys
        if store is not None and not known.all():
            outside = frame.loc[~known, ["reporting_country", "case_id"]].astype(str)
            pairs = list(dict.fromkeys(zip(outside["reporting_country"], outside["case_id"], strict=True)))
            with store.engine.connect() as conn:
                stored = existing_case_keys(conn, pairs)
            known[~known] = [
                k in stored for k in zip(outside["reporting_country"], outside["case_id"], strict=True)
            ]
        frames[name] = frame.assign(**{CASE_KNOWN: known})
    return frames


def validate_dataset(
    raw: RawDataset,
    store: Store | None = None,
    *,
    engine: Engine | None = None,
    today: dt.date | None = None,
) -> QualityResults:
    """Check a data set as read (see the module docstring). ``store``: for referential integrity and
    likely duplicates against stored cases; None checks the file on its own."""
    t0 = time.perf_counter()
    from workbench.format.reference import country_codes

    codes = country_codes()
    checked = {n: check_table(raw.tables[n], codes) for n in TABLE_NAMES if n in raw.tables}
    gate = QualityGate(engine, today=today, stages=ALL_STAGES)
    gate.start(raw.path)
    res = gate.results
    res.notes.extend(raw.notices)
    for name, ct in checked.items():
        res.where[name] = raw.tables[name].where
        res.add_rejections(ct.rejections, {name: raw.tables[name].frame})
        res.rows_read[name] += len({r.row for r in ct.rejections if r.row is not None})
        if ct.unknown_columns:
            res.notes.append(
                _(
                    "{where}: columns not in the exchange format (kept as extra attributes): {columns}",
                    where=raw.tables[name].where,
                    columns=", ".join(ct.unknown_columns),
                )
            )
    if store is None:
        res.notes.append(_("checked on its own: cases referred to but not in the file count as missing"))
    frames = _case_known(checked, store)
    gate.check(frames, store, {n: raw.tables[n].where for n in checked})
    res.cover(checked)
    gate.seconds = time.perf_counter() - t0
    return res


def validate_path(
    path: str | Path,
    store: Store | None = None,
    *,
    engine: Engine | None = None,
    today: dt.date | None = None,
) -> QualityResults:
    """Read ``path`` (CSV folder, zip of CSVs, ``.xlsx``) and check it; raises
    :class:`workbench.exchange.files.DatasetReadError` when it cannot be read at all."""
    return validate_dataset(read_dataset(path), store, engine=engine, today=today)
