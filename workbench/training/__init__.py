"""Training: scenario packs, per-trainee variants and sandboxes, graded exercises and debriefs (see
``docs/training.md``). The packs themselves are data in ``sample_data/scenarios/``.

Owns:

- :mod:`~workbench.training.packs`: the pack format, its loader and checks (errors name file and field);
- :mod:`~workbench.training.facts`: how each question's key is computed from a trainee's variant;
- :mod:`~workbench.training.variants`: the per-trainee seed, variant and answer key;
- :mod:`~workbench.training.grading`: typed answers, partial credit with reasons, hints, attempts, and
  the rubric of a short alert;
- :mod:`~workbench.training.courses`: courses, enrolment, release, answers, hints, progress, debriefs,
  results workbook (tables of migration ``0012_training``);
- :mod:`~workbench.training.sandbox`: a store per trainee filled with their variant, reset, their path.

May import: :mod:`workbench.products`, :mod:`workbench.risk`, :mod:`workbench.network`,
:mod:`workbench.trends`, :mod:`workbench.routes`, :mod:`workbench.operations`, :mod:`workbench.sample`,
:mod:`workbench.photos`, :mod:`workbench.exchange`, :mod:`workbench.identity`, :mod:`workbench.store`,
:mod:`workbench.format`, :mod:`workbench.config`, :mod:`workbench.i18n`.
"""
