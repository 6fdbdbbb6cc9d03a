"""Cross-page state held in one object under a non-widget key, initialised once per session.

Widget values do not survive a page switch on their own; what must survive (filters, the selected
case, entity or route) lives here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from workbench.store.filters import CaseFilter

__all__ = ["AppState", "get_state"]

_KEY = "_workbench_state"


@dataclass
class AppState:
    filter: CaseFilter = field(default_factory=CaseFilter)
    selected_case: tuple[str, str] | None = None  # (reporting_country, case_id)
    selected_entity: str | None = None
    selected_route: tuple[str, str] | None = None
    extras: dict[str, Any] = field(default_factory=dict)  # per-feature state (map view, etc.)


def get_state() -> AppState:
    if _KEY not in st.session_state:
        st.session_state[_KEY] = AppState()
    state: AppState = st.session_state[_KEY]
    return state
