"""Everything Great Expectations: suites, custom expectations, the runner, the import gate.

- :mod:`data_quality.catalogue`: the rules, derived from the exchange format plus the project's own;
- :mod:`data_quality.checks`: the project's checks as vectorised pandas (and SQL);
- :mod:`data_quality.engine`: the rules run as GX suites (one batch per table) or as plain pandas;
- :mod:`data_quality.gate`: the gate every import runs; results go to the tables of
  :mod:`data_quality.models`;
- :mod:`data_quality.validate`: ``workbench validate`` on a file or on the store;
- :mod:`data_quality.reports`, :mod:`data_quality.scorecard`, :mod:`data_quality.datadocs`: what the
  steward pages show.

Great Expectations costs ~2 s to import: it is imported lazily, inside the functions that need it.
"""

from __future__ import annotations

from typing import Any

__all__ = ["default_gates"]


def default_gates() -> list[Any]:
    """The quality gates every import runs (objects following ``workbench.ingest.Gate``).

    >>> [g.name for g in default_gates()]
    ['data quality']
    """
    from data_quality.gate import QualityGate

    return [QualityGate()]
