"""Operations (CENcomm): closed groups of officials per joint operation, with data templates, submissions,
messages and extraction (see ``docs/operations.md``). Non-members see nothing of an operation; the rule is
checked here, in the library, so the app, the command line and notebooks obey it alike.

Modules:

- :mod:`~workbench.operations.tables`: the operations' own tables (apart from the main store's cases,
  so the main search never sees them);
- :mod:`~workbench.operations.groups`: operations, members and their roles in each (organiser,
  contributor, observer);
- :mod:`~workbench.operations.templates`: data templates from the exchange format's fields plus the
  operation's own, their row checks and the Excel template with validation lists;
- :mod:`~workbench.operations.submissions`: submissions by form or workbook, extraction, close with
  hand-off to the main store, retention;
- :mod:`~workbench.operations.messages`: threads, replies, attachments, unread counts, encrypted at rest;
- :mod:`~workbench.operations.demo`: the seeded store's demonstration operation.

May import: :mod:`workbench.sample`, :mod:`workbench.photos`, :mod:`workbench.exchange`,
:mod:`workbench.identity`, :mod:`workbench.store`, :mod:`workbench.format`, :mod:`workbench.config`,
:mod:`workbench.i18n`.
"""
