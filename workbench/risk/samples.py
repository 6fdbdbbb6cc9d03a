"""The shipped risk sample: example indicators and the traffic that goes with the default sample.

``workbench seed`` (what ``make run`` does first) calls :func:`load_risk_sample` after it has loaded
the default sample into an empty store, so the Risk pages are usable on first start; the pages offer
the same as a button when a store holds no indicators or no traffic.

The indicators arrive as their file says (:func:`workbench.risk.registry.import_indicators`): those
the file shows reviewed by someone other than their author are in force, the rest drafts or in review. The
traffic is stored under the source name :data:`SAMPLE_SOURCE`; its seized rows are the default
sample's cases (``case_id``), so load it only beside that sample.

Examples
--------
>>> from workbench.risk.interchange import read_indicators
>>> sample = read_indicators(SAMPLE_INDICATORS)
>>> len(sample), sorted({i.status for i in sample})
(15, ['active', 'draft', 'in_review'])
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from workbench.i18n import _
from workbench.risk.traffic import sample_traffic_path

if TYPE_CHECKING:
    from workbench.identity import Principal
    from workbench.store import Store

__all__ = ["SAMPLE_INDICATORS", "SAMPLE_SOURCE", "load_risk_sample"]

#: The shipped example indicators (written for the sample's planted route patterns).
SAMPLE_INDICATORS = sample_traffic_path().parents[1] / "indicators" / "sample-indicators.yaml"
#: The source name the shipped traffic is stored under.
SAMPLE_SOURCE = "sample traffic"


def load_risk_sample(store: Store, actor: Principal | None = None, *, traffic: bool = True) -> str:
    """Load the sample indicators (when the store holds none) and, with ``traffic``, the sample traffic
    (when it holds none); returns a sentence saying what was loaded.

    ``actor`` (default: the :func:`~workbench.identity.accounts.current_principal`) needs the matrix's
    ``write_indicators`` and, since the sample puts reviewed indicators in force, ``approve_indicators``;
    seeding a new store acts as the installation (:func:`~workbench.identity.installation_principal`).
    """
    import sqlalchemy as sa

    from workbench.identity import acting
    from workbench.risk import registry as reg
    from workbench.risk.interchange import read_indicators
    from workbench.risk.traffic import TRAFFIC, read_traffic, store_traffic

    actor = acting(store, actor)
    indicators = rows = ""
    if reg.list_indicators(store).empty:
        summary = reg.import_indicators(
            store, read_indicators(SAMPLE_INDICATORS), actor, source=SAMPLE_INDICATORS.name
        )
        indicators = _(
            "{n} sample indicators ({active} in force)", n=len(summary.saved), active=len(summary.active)
        )
    if traffic:
        with store.engine.connect() as conn:
            stored = conn.execute(sa.select(sa.func.count()).select_from(TRAFFIC)).scalar_one()
        if not stored:
            n = store_traffic(store, read_traffic(sample_traffic_path()), SAMPLE_SOURCE, actor=actor)
            rows = _("{n:,} rows of sample traffic", n=n)
    if indicators and rows:
        return _("Loaded {indicators} and {traffic}.", indicators=indicators, traffic=rows)
    if indicators or rows:
        return _("Loaded {what}.", what=indicators or rows)
    return _("The sample is loaded already.")
