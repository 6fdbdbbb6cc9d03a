"""The store: the database, its tables, and reading it back as filtered frames and figures.

Owns:

- :mod:`~workbench.store.models`: the SQL tables (derived from the format) and their Alembic
  migrations (``migrations/``); :mod:`~workbench.store.database`: engine, sessions;
- :mod:`~workbench.store.audit`: the audit log: its event schema, hash chain, verification, signed
  checkpoints and retention;
- :mod:`~workbench.store.filters`: the one filter object every page, command and notebook shares;
- :mod:`~workbench.store.criteria`: the filter's criteria, each declared once (field, column, label,
  flag, options, how it reads on traffic), from which its engines, flags and sidebar are built;
- :mod:`~workbench.store.queries`: overview figures, case search and case detail, inside the database;
- :mod:`~workbench.store.summaries`: monthly summary tables (cases, value, routes, categories seized
  together) refreshed by each import; :mod:`~workbench.store.aggregate`: the Overview's figures from
  them where the filter allows, else from the data tables;
- :mod:`~workbench.store.frames`: the compact seizure and case frames every analysis works on;
- :mod:`~workbench.store.search`: search everything (case ids, places, conveyances, persons, companies
  and their identifiers) in the database, through an index kept fresh on import;
- :mod:`~workbench.store.version`: the data version, one counter per kind of data that every write moves
  forward (what caches key on); :mod:`~workbench.store.history`: the submissions and the audit log.

May import: :mod:`workbench.format`, :mod:`workbench.config`, :mod:`workbench.i18n`.

Examples
--------
>>> from workbench.store import open_store
>>> open_store("sqlite://").counts()["cases"]
0
"""

from workbench.store.audit import AUDIT_KINDS, Actor, audit, verify
from workbench.store.database import Store, make_engine, migrate, open_store
from workbench.store.models import (
    DATA_TABLES,
    SQL_TYPES,
    AuditEntry,
    Base,
    Case,
    Company,
    Item,
    Person,
    QuarantinedRow,
    Submission,
)
from workbench.store.search import refresh_search_index
from workbench.store.summaries import rebuild_summaries
from workbench.store.version import SCOPES, DataVersion, bump_data_version, data_changes, data_version

__all__ = [
    "AUDIT_KINDS",
    "Actor",
    "AuditEntry",
    "Base",
    "Case",
    "Company",
    "DATA_TABLES",
    "DataVersion",
    "Item",
    "Person",
    "QuarantinedRow",
    "SCOPES",
    "SQL_TYPES",
    "Store",
    "Submission",
    "audit",
    "bump_data_version",
    "data_changes",
    "data_version",
    "make_engine",
    "migrate",
    "open_store",
    "rebuild_summaries",
    "refresh_search_index",
    "verify",
]
