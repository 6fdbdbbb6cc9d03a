"""Risk indicators: write, review, version, back-test and score them (see ``docs/risk.md``).

- :mod:`~workbench.risk.model`: the indicator and its condition tree, checked against the fields of
  the data set (:mod:`~workbench.risk.fields`);
- :mod:`~workbench.risk.frame_engine` and :mod:`~workbench.risk.sql_engine`: the same condition in
  pandas and inside SQLite or PostgreSQL;
- :mod:`~workbench.risk.backtest` and :mod:`~workbench.risk.scoring`: figures on traffic with a known
  outcome, and scores for new traffic;
- :mod:`~workbench.risk.interchange`: YAML and Excel; :mod:`~workbench.risk.registry`: versions and
  the review in the store; :mod:`~workbench.risk.editing`: the editable tree the editor page uses.

The traffic itself (generator, reader, table) is :mod:`workbench.risk.traffic`.

May import: :mod:`workbench.sample`, :mod:`workbench.identity`, :mod:`workbench.store`, :mod:`workbench.exchange`,
:mod:`workbench.format`, :mod:`workbench.config`, :mod:`workbench.i18n`.

Examples
--------
>>> import workbench as wb
>>> from workbench.risk.traffic import sample_traffic_path
>>> indicators = wb.read_indicators(sample_traffic_path().parents[1] / "indicators" / "sample-indicators.yaml")
>>> traffic = wb.read_traffic(sample_traffic_path()).frame
>>> result = wb.backtest(traffic, indicators[:1])
>>> result.to_records()[0]["id"], result.to_records()[0]["lift"] > 3
('RI-017', True)
"""
