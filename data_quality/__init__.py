"""Everything Great Expectations: suites, custom expectations, the runner, the import gate.

Great Expectations costs ~2 s to import: it is imported lazily, inside the functions that need it.
"""

from __future__ import annotations

from typing import Any

__all__ = ["default_gates"]


def default_gates() -> list[Any]:
    """The quality gates every import runs (objects following ``workbench.ingest.Gate``)."""
    return []
