"""The one search box of the Cases and Network pages (:func:`workbench.store.search.search`).

:func:`search_box` draws the box and the ranked hits (kind, value, number of cases, how it matched);
a click on a hit picks it. :func:`hit_cases` lists a picked hit's cases (a click opens the case) and,
on the Cases page, offers to show it in the network. The Network page opens a hit's node with
:func:`workbench.network.search.open_hit`.

A search runs once per text and data version (held in the session), so reruns of the page do not
query or write the audit log again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
import streamlit as st

from workbench.i18n import N_, _
from workbench.store.search import search
from workbench.ui.resources import data_version, get_store
from workbench.ui.session import get_principal
from workbench.ui.state import get_state
from workbench.ui.widgets import data_table

__all__ = ["search_box", "hit_cases", "PLACEHOLDER"]

PLACEHOLDER = N_("name, phone, address, passport, registration, case id, place, flight or plate …")


def _found(text: str, key: str, kinds: Sequence[str] | None) -> pd.DataFrame:
    """The hits of ``text`` for the current user, searched once per text and data version."""
    memo_key = f"{key}_found"
    version = data_version("cases")
    memo = st.session_state.get(memo_key)
    if isinstance(memo, dict) and memo.get("text") == text and memo.get("version") == version:
        return memo["hits"]
    hits = search(get_store(), text, actor=get_principal(), kinds=kinds, limit=50)
    st.session_state[memo_key] = {"text": text, "version": version, "hits": hits}
    return hits


def search_box(
    key: str, *, label: str | None = None, kinds: Sequence[str] | None = None
) -> tuple[str, pd.DataFrame, dict[str, Any] | None]:
    """The search box (a text input under ``key``), its hits (of ``kinds``; default every kind) and the
    hit clicked (None: none yet).

    Returns the text, every hit, and the clicked hit as a dict (a row of
    :func:`workbench.store.search.search`).
    """
    text = st.text_input(label or _("Search everything"), key=key, placeholder=_(PLACEHOLDER)).strip()
    if not text:
        return text, pd.DataFrame(), None
    hits = _found(text, key, kinds)
    if hits.empty:
        st.caption(_("Nothing matches “{text}”.", text=text))
        return text, hits, None
    shown = pd.DataFrame(
        {
            "kind": hits["kind"].map(lambda k: _(str(k))),
            "value": hits["value"],
            "cases": hits["cases"],
            "match": hits["match"].map(lambda m: _(str(m))),
        }
    )
    ev = data_table(
        shown,
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="single-row",
        key=f"{key}_hits",
        height=min(38 + 35 * len(shown), 250),
        column_config={
            "kind": _("Kind"),
            "value": _("Value"),
            "cases": st.column_config.NumberColumn(_("Cases"), format="%d"),
            "match": _("Match"),
        },
    )
    rows = ev.selection.rows if ev and ev.selection else []
    st.caption(_("{n} match(es), best first. Click one to open it.", n=len(hits)))
    picked = {str(k): v for k, v in hits.iloc[rows[0]].items()} if rows and rows[0] < len(hits) else None
    return text, hits, picked


def hit_cases(hit: dict[str, Any], key: str, *, to_network: bool = False, open_single: bool = False) -> None:
    """The cases of a hit (a click opens one); with ``to_network``, a button that shows the hit's node
    on the Network page; with ``open_single``, a hit in one case opens that case at once."""
    from workbench.ui.widgets import open_case

    keys = [str(k).split(":", 1) for k in hit.get("case_keys") or []]
    if open_single and len(keys) == 1:
        open_case(*keys[0])
    st.markdown(
        f"**{hit['value']}** · {_(str(hit['kind']))} · " + _("{n} case(s)", n=int(hit.get("cases") or 0))
    )
    if to_network and hit.get("node"):

        def show() -> None:
            get_state().extras.update(
                {"network.hit": hit, "network.seed": None, "network.selected": None, "network.expanded": []}
            )

        if st.button(_("Show in the network"), key=f"{key}_to_net", on_click=show):
            st.switch_page("pages/network.py")
    if not keys:
        return
    cases = pd.DataFrame(keys, columns=["reporting_country", "case_id"])
    ev = data_table(
        cases,
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="single-row",
        key=f"{key}_cases",
        column_config={"reporting_country": _("Reporting country"), "case_id": _("Case")},
    )
    rows = ev.selection.rows if ev and ev.selection else []
    if rows:
        rc, cid = keys[rows[0]]
        open_case(rc, cid)
