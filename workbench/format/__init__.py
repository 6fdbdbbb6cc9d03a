"""The exchange format and what its values mean: the one place that says what a column is.

Owns:

- :mod:`~workbench.format.schema`: the tables and columns of the format, loaded from
  ``exchange_format.yaml`` (storage type, meaning, personal data, help text);
- :mod:`~workbench.format.reference`: offline reference data (countries with WCO regions and RILOs,
  places, commodities) under ``data/``;
- :mod:`~workbench.format.normalise`: the normal forms of names, phones, addresses and identifiers;
- :mod:`~workbench.format.route`: a case's route (departure, transits, destination) and its legs;
- :mod:`~workbench.format.privacy`: what of a table is personal data, as the schema says;
- :mod:`~workbench.format.docs`: ``docs/exchange-format.md`` generated from the schema;
- ``tables/*.yaml``: the tables the workbench's own features declare, in the format's syntax.

May import: :mod:`workbench.config`, :mod:`workbench.i18n` and third-party libraries. Nothing else of the
workbench: every other package builds on this one.
"""
