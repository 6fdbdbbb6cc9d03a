"""Routes: flows of cases and quantities along routes, hubs, emerging routes, and the map.

Owns :mod:`~workbench.routes.flows` (flows by leg or origin-destination, country or WCO region),
:mod:`~workbench.routes.hubs` (hub ranking, emerging routes) and :mod:`~workbench.routes.maps` (the
offline deck.gl map, PNG and HTML exports). A case's route itself is :mod:`workbench.format.route`.

May import: :mod:`workbench.identity`, :mod:`workbench.store`, :mod:`workbench.exchange`, :mod:`workbench.format`,
:mod:`workbench.config`, :mod:`workbench.i18n`; not the other analysis packages.
"""
