"""Everything Great Expectations: suites, custom expectations, the runner, the import gate.

- :mod:`data_quality.catalogue`: the rules, derived from the exchange format plus the project's own;
- :mod:`data_quality.checks`: the project's checks as vectorised pandas (and SQL);
- :mod:`data_quality.engine`: the rules run as GX suites (one batch per table) or as plain pandas;
- :mod:`data_quality.gate`: the gate every import runs; results go to the tables of
  :mod:`data_quality.models`;
- :mod:`data_quality.validate` and :mod:`data_quality.store_check`: ``workbench validate`` on a file or
  on the store;
- :mod:`data_quality.reports`, :mod:`data_quality.scorecard`, :mod:`data_quality.datadocs`: what the
  steward pages show.

The names below are the package's public face (what ``workbench.ui`` and ``workbench.cli`` use); each
loads its module on first use. Great Expectations costs ~2 s to import: it is imported lazily, inside
the functions that need it, never by importing this package.

Examples
--------
>>> import data_quality as dq
>>> dq.scores.__module__
'data_quality.scorecard'
"""

from __future__ import annotations

import importlib
from typing import Any

#: public name -> module that defines it
_API: dict[str, str] = {
    "validate_path": "data_quality.validate",
    "validate_dataset": "data_quality.validate",
    "validate_store": "data_quality.store_check",
    "GXEngine": "data_quality.engine",
    "PandasEngine": "data_quality.engine",
    "QualityGate": "data_quality.gate",
    "QualityResults": "data_quality.results",
    "write_data_docs": "data_quality.datadocs",
    "SubmissionReport": "data_quality.reports",
    "submissions": "data_quality.reports",
    "submission_report": "data_quality.reports",
    "store_runs": "data_quality.reports",
    "feedback_workbook": "data_quality.reports",
    "data_docs_for_run": "data_quality.reports",
    "scorecard_inputs": "data_quality.reports",
    "latest_store_check": "data_quality.reports",
    "without_personal_data": "data_quality.reports",
    "holds_personal_data": "data_quality.reports",
    "scores": "data_quality.scorecard",
    "country_order": "data_quality.scorecard",
    "trend_frame": "data_quality.scorecard",
    "DIMENSION_NAMES": "data_quality.scorecard",
    "INPUT_COLUMNS": "data_quality.scorecard",
    "TIMELY_DAYS": "data_quality.scorecard",
    "rules_for": "data_quality.catalogue",
    "all_rules": "data_quality.catalogue",
}

__all__ = ["default_gates", *sorted(_API)]


def default_gates() -> list[Any]:
    """The quality gates every import runs (objects following ``workbench.exchange.ingest.Gate``).

    >>> [g.name for g in default_gates()]
    ['data quality']
    """
    from data_quality.gate import QualityGate

    return [QualityGate()]


def __getattr__(name: str) -> Any:
    if name not in _API:
        raise AttributeError(f"module 'data_quality' has no attribute {name!r}")
    value = getattr(importlib.import_module(_API[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(list(globals()) + list(_API))
