"""Synthetic data: a deterministic generator of exchange-format data sets with planted structure.

Owns :mod:`~workbench.sample.generator` (cases, items, persons and companies along known trafficking
routes, planted networks, duplicates and emerging routes, and the truth to grade against).

May import: :mod:`workbench.format`, :mod:`workbench.config`, :mod:`workbench.i18n`.
"""
