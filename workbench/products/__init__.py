"""Intelligence products: briefings, alerts, trend reports, intelligence profiles and newsletters, graded,
marked, reviewed, issued and registered (see ``docs/products.md``).

Every figure in a product comes from the analysis packages (routes, trends, network, risk); this package
assembles, grades, marks, renders and registers them, and never computes a figure of its own.

Modules:

- :mod:`~workbench.products.model`: the product spec (template, level, BLUF, key judgements in ICD 203
  estimative language, sources graded 6x6 or 3x5x2, the marking: classification, TLP 2.0, handling
  codes, releasable-to) and the templates (``templates.yaml``, checked against the blocks);
- :mod:`~workbench.products.blocks`: the blocks a product is assembled from, each a call into the
  analysis library, and the digest of a block's figures;
- :mod:`~workbench.products.register`: the register (tables ``products`` and ``product_events``), the
  lifecycle draft -> review -> approved -> issued -> withdrawn with four eyes, versions, distribution
  lists, audited disclosures, and :func:`~workbench.products.register.regenerate`;
- :mod:`~workbench.products.render`: PDF (WeasyPrint), standalone HTML and Excel outputs, all marked;
- :mod:`~workbench.products.metrics`: the GIIS metrics (products per type, organisation and month,
  draft-to-issue time, coverage, outcome rate of alerts and profiles).

May import: :mod:`workbench.risk`, :mod:`workbench.network`, :mod:`workbench.trends`,
:mod:`workbench.routes`, :mod:`workbench.operations`, :mod:`workbench.photos`, :mod:`workbench.sample`,
:mod:`workbench.exchange`, :mod:`workbench.identity`, :mod:`workbench.store`, :mod:`workbench.format`,
:mod:`workbench.config`, :mod:`workbench.i18n`.
"""
