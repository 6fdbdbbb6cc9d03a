"""Photos: seizure images on cases and items, kept unchanged for the record with stripped working copies
and thumbnails, perceptual hashes and near-duplicate search across countries (see ``docs/photos.md``).
Photos of persons and documents are personal data and follow the same need-to-know rule.

Owns:

- :mod:`~workbench.photos.models`: the tables (``photos``, ``photo_blobs``; migration ``0013_photos``),
  the kinds and which of them are personal;
- :mod:`~workbench.photos.images`: reading an upload safely (format against extension, corrupt files,
  decompression bombs, size limits) and the working copy and thumbnails without metadata;
- :mod:`~workbench.photos.storage`: the storage protocol and its folder and database backends;
- :mod:`~workbench.photos.hashes`: pHash 16x16, PDQ and the centre pHash, in eight orientations, and
  the packed index that scans them;
- :mod:`~workbench.photos.attach`: attaching photos one batch at a time and from a zip with a manifest
  (all or nothing);
- :mod:`~workbench.photos.gallery`: the gallery's list, a photo's files, similar photos, concealment
  series and the export of hashes, with the need-to-know rule and the audit.

May import: :mod:`workbench.exchange`, :mod:`workbench.identity`, :mod:`workbench.store`,
:mod:`workbench.format`, :mod:`workbench.config`, :mod:`workbench.i18n`.
"""
