"""The case detail's facts (date, transport, detection, concealment, route, place, procedure, offence,
conveyance), in the language in force."""

from __future__ import annotations

from typing import Any

import streamlit as st

from workbench.format.route import Route
from workbench.i18n import _
from workbench.ui.widgets import readable_value

__all__ = ["case_facts"]


def case_facts(c: dict[str, Any], route: Route) -> None:
    """Render the facts of the case ``c`` (a row of the case table) and its ``route``
    (:class:`workbench.format.route.Route`)."""
    facts = {
        _("Seizure date"): str(c.get("seizure_date") or "–"),
        _("Transport"): readable_value(c.get("transport_mode")),
        _("Detection"): readable_value(c.get("detection_method")),
        _("Concealment"): readable_value(c.get("concealment_method")),
    }
    for col, (label, value) in zip(st.columns(4), facts.items(), strict=True):
        col.markdown(
            f"<small>{label}</small><br><span style='font-size:1.35rem'>{value}</span>",
            unsafe_allow_html=True,
        )
    st.markdown(_("**Route:** {route}", route=route.label()))
    if route.destination_inferred:
        st.caption(
            _(
                "The destination is blank in the report; for an import it is taken to be the reporting country."
            )
        )
    place_type = readable_value(c.get("place_type")) if c.get("place_type") else None
    place = " · ".join(str(x) for x in (place_type, c.get("place_code"), c.get("place_name")) if x)
    conveyance = f"{readable_value(c.get('conveyance_type'))} {c.get('conveyance_id') or ''}".strip()
    st.markdown(
        _(
            "**Place of seizure:** {place}  \n**Procedure:** {procedure} · **Offence:** {offence} · "
            "**Conveyance:** {conveyance}",
            place=place or "–",
            procedure=readable_value(c.get("customs_procedure")),
            offence=readable_value(c.get("offence_type")),
            conveyance=conveyance,
        )
    )
    if c.get("entry_date"):
        st.markdown(_("**Entered:** {date}", date=c["entry_date"]))
