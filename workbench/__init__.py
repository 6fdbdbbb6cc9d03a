"""CEN Intelligence Workbench: the importable core library.

``import workbench`` is fast: the names below load their modules on first use.

Examples
--------
>>> import workbench as wb
>>> store = wb.open_store("sqlite://")            # or wb.open_store() for WORKBENCH_DB_URL / the default
>>> flt = wb.CaseFilter(commodity_categories=("drugs",), date_from="2024-01-01")
>>> wb.load_cases(store, flt).empty
True
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

#: public name -> module that defines it
_API: dict[str, str] = {
    "open_store": "workbench.store",
    "Store": "workbench.store",
    "CaseFilter": "workbench.filters",
    "Settings": "workbench.config",
    "FORMAT": "workbench.schema",
    "load_cases": "workbench.queries",
    "load_items": "workbench.queries",
    "load_table": "workbench.queries",
    "overview": "workbench.queries",
    "search_cases": "workbench.queries",
    "case_detail": "workbench.queries",
    "seizure_frame": "workbench.frames",
    "case_frame": "workbench.frames",
    "case_route": "workbench.routes",
    "od_pairs": "workbench.routes",
    "route_index": "workbench.routes",
    "prepare_flows": "workbench.flows",
    "route_flows": "workbench.flows",
    "hub_ranking": "workbench.hubs",
    "emerging_routes": "workbench.hubs",
    "route_deck": "workbench.maps",
    "read_dataset": "workbench.exchange_io",
    "write_dataset": "workbench.exchange_io",
    "import_path": "workbench.ingest",
    "ingest_dataset": "workbench.ingest",
    "export_data": "workbench.exports",
    "export_tables": "workbench.exports",
    "generate_sample": "workbench.sample",
    "reference": "workbench.reference",
    "time_series": "workbench.trends",
    "detect_emerging": "workbench.emerging",
    "run_report": "workbench.statistics",
    "generate_traffic": "workbench.traffic",
    "read_traffic": "workbench.traffic",
    "Indicator": "workbench.risk.model",
    "read_indicators": "workbench.risk.interchange",
    "backtest": "workbench.risk.backtest",
    "backtest_sql": "workbench.risk.backtest",
    "Profile": "workbench.risk.scoring",
    "score_frame": "workbench.risk.scoring",
    "score_sql": "workbench.risk.scoring",
    "build_graph": "workbench.graph",
    "graph_from_store": "workbench.graph",
    "ego_network": "workbench.graph",
    "shortest_path": "workbench.graph",
    "resolve_persons": "workbench.resolve",
    "resolve_companies": "workbench.resolve",
    "write_graph": "workbench.graph_export",
    "record_judgement": "workbench.judgements",
}

__all__ = sorted(_API)


def __getattr__(name: str) -> Any:
    if name not in _API:
        raise AttributeError(f"module 'workbench' has no attribute {name!r}")
    module = importlib.import_module(_API[name])
    value = (
        module
        if module.__name__ == f"workbench.{name}"
        else getattr(module, "generate" if name == "generate_sample" else name)
    )
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(list(globals()) + list(_API))
