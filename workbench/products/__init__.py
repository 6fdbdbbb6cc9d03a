"""Intelligence products: briefings, alerts, trend reports, intelligence profiles and newsletters, graded,
marked, reviewed, issued and registered (see ``docs/products.md``).

Every figure in a product comes from the analysis packages (routes, trends, network, risk); this package
assembles, grades, marks, renders and registers them, and never computes a figure of its own.

May import: :mod:`workbench.risk`, :mod:`workbench.network`, :mod:`workbench.trends`,
:mod:`workbench.routes`, :mod:`workbench.operations`, :mod:`workbench.photos`, :mod:`workbench.sample`,
:mod:`workbench.exchange`, :mod:`workbench.identity`, :mod:`workbench.store`, :mod:`workbench.format`,
:mod:`workbench.config`, :mod:`workbench.i18n`.
"""
