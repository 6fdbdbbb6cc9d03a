"""Operations (CENcomm): closed groups of officials per joint operation, with data templates, submissions,
messages and extraction (see ``docs/operations.md``). Non-members see nothing of an operation; the rule is
checked here, in the library, so the app, the command line and notebooks obey it alike.

May import: :mod:`workbench.sample`, :mod:`workbench.photos`, :mod:`workbench.exchange`,
:mod:`workbench.identity`, :mod:`workbench.store`, :mod:`workbench.format`, :mod:`workbench.config`,
:mod:`workbench.i18n`.
"""
