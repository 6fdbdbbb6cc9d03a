"""Photos: seizure images on cases and items, kept unchanged for the record with stripped working copies
and thumbnails, perceptual hashes and near-duplicate search across countries (see ``docs/photos.md``).
Photos of persons and documents are personal data and follow the same need-to-know rule.

May import: :mod:`workbench.exchange`, :mod:`workbench.identity`, :mod:`workbench.store`,
:mod:`workbench.format`, :mod:`workbench.config`, :mod:`workbench.i18n`.
"""
