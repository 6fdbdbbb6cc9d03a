"""Training: scenario packs, per-trainee variants and sandboxes, graded exercises and debriefs (see
``docs/training.md``). The packs themselves are data in ``sample_data/scenarios/``.

May import: :mod:`workbench.products`, :mod:`workbench.risk`, :mod:`workbench.network`,
:mod:`workbench.trends`, :mod:`workbench.routes`, :mod:`workbench.operations`, :mod:`workbench.sample`,
:mod:`workbench.photos`, :mod:`workbench.exchange`, :mod:`workbench.identity`, :mod:`workbench.store`,
:mod:`workbench.format`, :mod:`workbench.config`, :mod:`workbench.i18n`.
"""
