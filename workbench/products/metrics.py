"""GIIS metrics of the register: products per type, organisation and month, time from draft to issue,
coverage of commodities and regions, and the outcome rate of alerts and profiles.

The **outcome** of an issued alert or profile is the seizures in the ``window`` days after its issue
that match it:

- a product that names indicators (``ProductSpec.indicators``): the seized movements of the store's
  traffic that any of them flags after the issue date, counted by the back-test
  (:func:`workbench.risk.backtest.backtest_sql` with the issue date as split; the profile at the lowest
  weight is "any indicator matches");
- otherwise its filter (region, commodity, departure country... the routes it warned about): the cases
  seized in the window that the same filter selects (:func:`workbench.store.frames.case_frame`).

The outcome rate is the share of issued alerts and profiles with at least one such seizure.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING

import pandas as pd

from workbench.i18n import _
from workbench.identity import acting, require
from workbench.products.model import ProductSpec
from workbench.products.register import PRODUCTS
from workbench.store.filters import CaseFilter

if TYPE_CHECKING:
    from workbench.identity import Principal
    from workbench.store import Store

__all__ = [
    "OUTCOME_TEMPLATES",
    "register_frame",
    "product_counts",
    "draft_to_issue",
    "coverage",
    "outcomes",
    "giis_summary",
]

#: The kinds of product whose outcome is measured (they name what to look for).
OUTCOME_TEMPLATES = ("alert", "profile")


def register_frame(store: Store, actor: Principal | None = None) -> pd.DataFrame:
    """Every product version with its spec parsed (``spec``), times in UTC and the issue month."""
    import sqlalchemy as sa

    require(acting(store, actor), "view_data")
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(PRODUCTS)).mappings().all()
    df = pd.DataFrame(rows, columns=[c.name for c in PRODUCTS.columns])
    for c in ("created_at", "approved_at", "issued_at", "withdrawn_at"):
        df[c] = pd.to_datetime(df[c], utc=True)
    df["spec"] = pd.Series(
        [ProductSpec.from_dict(json.loads(s)) for s in df["spec"]], index=df.index, dtype=object
    )
    df["month"] = df["issued_at"].dt.strftime("%Y-%m")
    return df


def product_counts(reg: pd.DataFrame) -> pd.DataFrame:
    """Issued products (withdrawn ones included) per template, organisation and month of issue."""
    issued = reg[reg["issued_at"].notna()]
    if issued.empty:
        return pd.DataFrame(columns=["template", "organisation", "month", "products"])
    return (
        issued.groupby(["template", "organisation", "month"], as_index=False)
        .size()
        .rename(columns={"size": "products"})
        .sort_values(["month", "template", "organisation"])
        .reset_index(drop=True)
    )


def draft_to_issue(reg: pd.DataFrame) -> pd.DataFrame:
    """Days from the first draft to the issue, per template: products, median and longest."""
    issued = reg[reg["issued_at"].notna()]
    days = (issued["issued_at"] - issued["created_at"]).dt.total_seconds() / 86400
    grouped = pd.DataFrame({"template": issued["template"], "days": days}).groupby("template")["days"]
    out = pd.DataFrame(
        {"products": grouped.size(), "median_days": grouped.median(), "longest_days": grouped.max()}
    )
    return out.round(2).reset_index()


def coverage(reg: pd.DataFrame) -> pd.DataFrame:
    """How many issued products cover each commodity category, commodity type and WCO region (a product
    without a criterion covers "all")."""
    issued = reg[reg["issued_at"].notna()]
    rows = []
    for spec in issued["spec"]:
        flt = CaseFilter.from_dict(dict(spec.params.get("filter") or {}))
        for what, values in (
            (_("commodity category"), flt.commodity_categories),
            (_("commodity type"), flt.commodity_types),
            (_("WCO region"), flt.wco_regions),
        ):
            for v in values or (_("all"),):
                rows.append({"dimension": what, "value": v})
    if not rows:
        return pd.DataFrame(columns=["dimension", "value", "products"])
    return (
        pd.DataFrame(rows)
        .groupby(["dimension", "value"], as_index=False)
        .size()
        .rename(columns={"size": "products"})
    )


def _outcome(store: Store, spec: ProductSpec, issued: dt.date, window: int) -> tuple[int, str]:
    end = issued + dt.timedelta(days=window)
    if spec.indicators:
        from workbench.risk import registry
        from workbench.risk.backtest import PROFILE, backtest_sql

        indicators = []
        for ident in spec.indicators:
            try:
                indicators.append(registry.get_indicator(store, ident))
            except KeyError:
                continue
        if indicators:
            result = backtest_sql(
                store,
                indicators,
                threshold=min(i.weight for i in indicators),
                split=issued,
                flt=CaseFilter(date_to=end),
            )
            after = result.metrics("after").set_index("id")
            return int(after.at[PROFILE, "seized_matched"]), _("indicators")  # type: ignore[arg-type]
    from workbench.store.frames import case_frame

    base = CaseFilter.from_dict(dict(spec.params.get("filter") or {}))
    flt = base.replace(date_from=issued, date_to=end)
    return int(len(case_frame(store, flt))), _("filter")


def outcomes(
    store: Store, actor: Principal | None = None, *, window: int = 90, reg: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Per issued alert and profile: the seizures within ``window`` days after issue that match it."""
    if reg is None:
        reg = register_frame(store, actor)
    rows = []
    for r in reg[reg["issued_at"].notna() & reg["template"].isin(OUTCOME_TEMPLATES)].to_dict("records"):
        issued = pd.Timestamp(r["issued_at"]).date()
        n, how = _outcome(store, r["spec"], issued, window)
        rows.append(
            {
                "reference": f"{r['reference']} v{r['version']}",
                "template": r["template"],
                "issued": issued,
                "matched_by": how,
                "seizures_after": n,
            }
        )
    return pd.DataFrame(rows, columns=["reference", "template", "issued", "matched_by", "seizures_after"])


def giis_summary(store: Store, actor: Principal | None = None, *, window: int = 90) -> dict[str, object]:
    """Headline figures: products issued, median days from draft to issue, outcome rate."""
    reg = register_frame(store, actor)
    issued = reg[reg["issued_at"].notna()]
    days = (issued["issued_at"] - issued["created_at"]).dt.total_seconds() / 86400
    out = outcomes(store, actor, window=window, reg=reg)
    return {
        "products": len(reg),
        "issued": len(issued),
        "median_days_to_issue": float(days.median()) if len(days) else None,
        "measured": len(out),
        "outcome_rate": float((out["seizures_after"] > 0).mean()) if len(out) else None,
    }
