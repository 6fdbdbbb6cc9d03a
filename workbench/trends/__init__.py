"""Trends and statistics: time series, emerging-trend detection, standard reports and their charts.

Owns :mod:`~workbench.trends.series` (time series by any split), :mod:`~workbench.trends.emerging`
(rises against a seasonal baseline), :mod:`~workbench.trends.pushdown` (the same series computed in the
database or from the monthly summaries), :mod:`~workbench.trends.statistics` (the catalogue of standard
reports, like CEN's predefined queries) and :mod:`~workbench.trends.charts` (Altair chart specs).

May import: :mod:`workbench.identity`, :mod:`workbench.store`, :mod:`workbench.exchange`, :mod:`workbench.format`,
:mod:`workbench.config`, :mod:`workbench.i18n`; not the other analysis packages.
"""
