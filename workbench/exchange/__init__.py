"""Data in and out: reading and writing exchange-format files, checking rows, importing, exporting.

Owns:

- :mod:`~workbench.exchange.files`: a folder of CSVs, a ``.zip`` or an ``.xlsx`` to and from tables;
- :mod:`~workbench.exchange.rowchecks`: the per-row checks derived from the format;
- :mod:`~workbench.exchange.ingest`: one import (a submission): check, gate, quarantine, store;
- :mod:`~workbench.exchange.exports`: the audited exports (exchange, non-personal, pseudonymised,
  formatted) and :mod:`~workbench.exchange.excel`: formatted workbooks with no live formula;
- :mod:`~workbench.exchange.seizures`: a seizure frame read straight from files, without a store;
- :mod:`~workbench.exchange.statistics`: aggregate statistics (events and quantities per period and
  place), stored as such, never as cases.
- :mod:`~workbench.exchange.packages`: signed packages between workbenches (Icomm): pack, verify, receive.

May import: :mod:`workbench.identity`, :mod:`workbench.store`, :mod:`workbench.format`, :mod:`workbench.config`, :mod:`workbench.i18n`.
"""
