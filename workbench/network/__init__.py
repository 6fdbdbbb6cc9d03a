"""Networks: the entity graph of cases, persons, companies, identifiers and conveyances.

Owns :mod:`~workbench.network.resolve` (which records across cases are one person or company),
:mod:`~workbench.network.fellegi_sunter` (the match model resolution scores pairs with: m and u by EM),
:mod:`~workbench.network.judgements` (analysts' confirmations and rejections of proposed matches),
:mod:`~workbench.network.graph` (the graph, ego networks, paths, communities, rankings),
:mod:`~workbench.network.views` (what the pages draw and list: an ego network with the nodes expanded,
a path's drawing, the communities table, the resolver's pairs to review) and
:mod:`~workbench.network.export` (GraphML, GEXF, i2, FollowTheMoney) and
:mod:`~workbench.network.charts` (external link charts: edge lists, adjacency matrices, GraphML, GEXF and
i2 charts read, stored beside the case graph, ranked, split into communities, exported).

May import: :mod:`workbench.identity`, :mod:`workbench.store`, :mod:`workbench.exchange`, :mod:`workbench.format`,
:mod:`workbench.config`, :mod:`workbench.i18n`; not the other analysis packages.
"""
