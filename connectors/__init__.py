"""Sources of seizure data: CSV folder, Excel workbook, SQL database, MS Access file.

One small protocol (:class:`~connectors.base.Connector`): a connector reads its source's tables as
they are (:meth:`read_source`, lazily, in chunks). :func:`~connectors.base.load` turns that into an
exchange-format :class:`~workbench.exchange.files.RawDataset`, either by table names or through a
mapping profile (:mod:`connectors.mapping`, whose derivations are :mod:`connectors.derive`), and :func:`workbench.exchange.ingest.ingest_dataset` imports it:
one import path for every source.

Examples
--------
>>> import tempfile, pathlib, pandas as pd
>>> from workbench.exchange.files import write_dataset
>>> d = pathlib.Path(tempfile.mkdtemp()) / "ds"
>>> _ = write_dataset({"cases": pd.DataFrame({"case_id": ["A1"], "reporting_country": ["FR"],
...                                           "seizure_date": ["2024-01-02"]})}, d)
>>> conn = open_connector(d)
>>> conn.kind, list(load(conn).tables)
('csv', ['cases'])
"""

from __future__ import annotations

from connectors.base import Connector, load, open_connector
from connectors.mapping import MappingProfile, apply_mapping, load_profile, preview, suggest_mapping

__all__ = [
    "Connector",
    "open_connector",
    "load",
    "MappingProfile",
    "suggest_mapping",
    "apply_mapping",
    "preview",
    "load_profile",
]
