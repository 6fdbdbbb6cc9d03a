"""Synthetic data: a deterministic generator of exchange-format data sets with planted structure.

Owns :mod:`~workbench.sample.generator` (cases, items, persons and companies along known trafficking
routes, planted networks, duplicates and emerging routes, and the truth to grade against); the planted
patterns themselves are data in ``patterns.yaml``.

May import: :mod:`workbench.format`, :mod:`workbench.config`, :mod:`workbench.i18n`.
"""
