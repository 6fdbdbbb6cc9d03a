"""CEN Intelligence Workbench: the importable core library.

The core is grouped by domain; each package's docstring says what it owns and what it may import:

- :mod:`workbench.format`: the exchange format and what each column means, reference data,
  normalisers, a case's route, privacy;
- :mod:`workbench.store`: the database, its tables and migrations, the filter, queries and frames;
- :mod:`workbench.exchange`: files in and out, row checks, imports, exports;
- :mod:`workbench.routes`, :mod:`workbench.network`, :mod:`workbench.trends`, :mod:`workbench.risk`:
  the analyses; :mod:`workbench.sample`: the synthetic data generator;
- :mod:`workbench.i18n`: the translation function; :mod:`workbench.config`: settings;
- :mod:`workbench.cli` and :mod:`workbench.ui`: the command line and the Streamlit glue, on top.

``import workbench`` is fast: the names below load their modules on first use. Modules that moved when
the core was grouped by domain still import under their old names, with a ``DeprecationWarning``.

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
import sys
import warnings
from types import ModuleType
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from importlib.abc import Loader

__version__ = "0.1.0"

#: public name -> module that defines it (``module:attribute`` where the names differ)
_API: dict[str, str] = {
    "open_store": "workbench.store",
    "Store": "workbench.store",
    "CaseFilter": "workbench.store.filters",
    "Settings": "workbench.config",
    "Principal": "workbench.identity.policy",
    "current_principal": "workbench.identity.accounts",
    "sign_in": "workbench.identity.accounts",
    "FORMAT": "workbench.format.schema",
    "load_cases": "workbench.store.queries",
    "load_items": "workbench.store.queries",
    "load_table": "workbench.store.queries",
    "overview": "workbench.store.queries",
    "search_cases": "workbench.store.queries",
    "case_detail": "workbench.store.queries",
    "seizure_frame": "workbench.store.frames",
    "case_frame": "workbench.store.frames",
    "case_route": "workbench.format.route",
    "od_pairs": "workbench.format.route",
    "route_index": "workbench.format.route",
    "prepare_flows": "workbench.routes.flows",
    "route_flows": "workbench.routes.flows",
    "hub_ranking": "workbench.routes.hubs",
    "emerging_routes": "workbench.routes.hubs",
    "route_deck": "workbench.routes.maps",
    "read_dataset": "workbench.exchange.files",
    "write_dataset": "workbench.exchange.files",
    "import_path": "workbench.exchange.ingest",
    "ingest_dataset": "workbench.exchange.ingest",
    "export_data": "workbench.exchange.exports",
    "export_tables": "workbench.exchange.exports",
    "generate_sample": "workbench.sample.generator:generate",
    "reference": "workbench.format.reference",
    "time_series": "workbench.trends.series",
    "detect_emerging": "workbench.trends.emerging",
    "run_report": "workbench.trends.statistics",
    "generate_traffic": "workbench.risk.traffic",
    "read_traffic": "workbench.risk.traffic",
    "Indicator": "workbench.risk.model",
    "read_indicators": "workbench.risk.interchange",
    "backtest": "workbench.risk.backtest",
    "backtest_sql": "workbench.risk.backtest",
    "Profile": "workbench.risk.scoring",
    "score_frame": "workbench.risk.scoring",
    "score_sql": "workbench.risk.scoring",
    "build_graph": "workbench.network.graph",
    "graph_from_store": "workbench.network.graph",
    "ego_network": "workbench.network.graph",
    "shortest_path": "workbench.network.graph",
    "resolve_persons": "workbench.network.resolve",
    "resolve_companies": "workbench.network.resolve",
    "write_graph": "workbench.network.export",
    "record_judgement": "workbench.network.judgements",
}

#: public names that are modules themselves
_MODULE_NAMES = frozenset({"reference"})

__all__ = sorted(_API)


def __getattr__(name: str) -> Any:
    if name not in _API:
        raise AttributeError(f"module 'workbench' has no attribute {name!r}")
    path, _, attr = _API[name].partition(":")
    module = importlib.import_module(path)
    value = module if name in _MODULE_NAMES else getattr(module, attr or name)
    globals()[name] = value
    return value


#: Modules of the flat core before it was grouped by domain -> where they live now.
MOVED_MODULES: dict[str, str] = {
    "workbench.schema": "workbench.format.schema",
    "workbench.reference": "workbench.format.reference",
    "workbench.normalise": "workbench.format.normalise",
    "workbench.privacy": "workbench.format.privacy",
    "workbench.filters": "workbench.store.filters",
    "workbench.queries": "workbench.store.queries",
    "workbench.frames": "workbench.store.frames",
    "workbench.exchange_io": "workbench.exchange.files",
    "workbench.rowchecks": "workbench.exchange.rowchecks",
    "workbench.ingest": "workbench.exchange.ingest",
    "workbench.exports": "workbench.exchange.exports",
    "workbench.excel": "workbench.exchange.excel",
    "workbench.flows": "workbench.routes.flows",
    "workbench.hubs": "workbench.routes.hubs",
    "workbench.maps": "workbench.routes.maps",
    "workbench.graph": "workbench.network.graph",
    "workbench.graph_export": "workbench.network.export",
    "workbench.resolve": "workbench.network.resolve",
    "workbench.judgements": "workbench.network.judgements",
    "workbench.emerging": "workbench.trends.emerging",
    "workbench.statistics": "workbench.trends.statistics",
    "workbench.charts": "workbench.trends.charts",
    "workbench.traffic": "workbench.risk.traffic",
}


class _MovedModuleFinder:
    """Imports a moved module under its old name: the same module object, and a DeprecationWarning.

    A meta path finder and loader (duck-typed: importing ``importlib.abc`` would cost most of
    ``import workbench``); last on ``sys.meta_path``, so it is asked only for names nothing else found.
    """

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname not in MOVED_MODULES:
            return None
        from importlib.machinery import ModuleSpec

        # the stubs ask for a subclass of importlib.abc.Loader; this one has its two methods
        return ModuleSpec(fullname, cast("Loader", self))

    def create_module(self, spec: Any) -> ModuleType:
        new = MOVED_MODULES[spec.name]
        warnings.warn(f"{spec.name} moved to {new}; import it from there", DeprecationWarning, stacklevel=2)
        return importlib.import_module(new)

    def exec_module(self, module: ModuleType) -> None:
        # the module is the moved one, already executed; put it back under its own name
        sys.modules[module.__spec__.name if module.__spec__ else module.__name__] = module


if not any(isinstance(f, _MovedModuleFinder) for f in sys.meta_path):
    sys.meta_path.append(_MovedModuleFinder())


def __dir__() -> list[str]:
    return sorted(list(globals()) + list(_API))
