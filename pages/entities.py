"""Duplicates: the resolver's proposed matches of person and company records, to confirm or reject."""
# nav: section=Analysis; title=Duplicates; icon=:material/join_inner:; order=35; needs=view_personal

import streamlit as st

from workbench.i18n import _
from workbench.network.judgements import judgement_table
from workbench.network.views import PAIR_VIEWS, pairs_in_view
from workbench.ui.network import (
    M_HELP,
    PARTY_KINDS,
    SCORE_HELP,
    U_HELP,
    compare_records,
    judge_pair,
    judged_table,
    kind_plural,
    match_evidence,
    pair_views,
    resolution,
    review_table,
)
from workbench.ui.resources import get_store
from workbench.ui.session import get_principal, need_purpose, page_guard
from workbench.ui.state import get_state
from workbench.ui.widgets import data_table, empty_store_notice, filter_caption

page_guard()  # a page runs only through the entry script's login gate

state = get_state()
ex = state.extras
st.title(_("Duplicates"))
filter_caption(state.filter)
if empty_store_notice():
    st.stop()
if not get_principal().can_see_personal:
    st.info(_("Persons and companies are personal data; your role does not allow seeing them."))
    st.stop()
if need_purpose(get_principal()) is None:  # the prompt is shown; the records once it is answered
    st.stop()

kind = st.radio(_("Records"), PARTY_KINDS, horizontal=True, key="dup_kind", format_func=kind_plural)
c1, c2, c3 = st.columns([2, 2, 1])
show = c1.selectbox(_("Show"), pair_views(kind), key="dup_show", format_func=lambda v: _(PAIR_VIEWS[v]))
score_range = c2.slider(_("Match score"), 0.0, 1.0, (0.2, 1.0), 0.05, key="dup_range", help=_(SCORE_HELP))
table, res = resolution(state.filter, kind, show)  # linked groups: the stored entities when current
st.caption(
    _(
        "{kind}: {records:,} records → {entities:,} entities · {pairs:,} pairs compared · {linked:,} linked "
        "(score ≥ {threshold}). Your judgements override the score in every later run, on this page, on the "
        "Network page and in `workbench resolve --judgements`.",
        kind=kind_plural(kind),
        records=res.stats.get("records", 0),
        entities=res.stats.get("entities", 0),
        pairs=res.stats.get("candidate_pairs", 0),
        linked=res.stats.get("linked_pairs", 0),
        threshold=res.stats.get("threshold", 0.5),
    )
)
sel = pairs_in_view(res.matches, show, score_range)
c3.metric(_("Pairs"), _("{n:,}", n=len(sel)))
if sel.empty:
    st.info(_("No pair of records matches this view."))
    st.stop()

ev = data_table(
    review_table(table, kind, sel.head(1000)),
    hide_index=True,
    width="stretch",
    on_select="rerun",
    selection_mode="single-row",
    key="dup_table",
    column_config={
        "Record A": st.column_config.TextColumn(_("Record A")),
        "Record B": st.column_config.TextColumn(_("Record B")),
        "Match score": st.column_config.ProgressColumn(
            _("Match score"), min_value=0.0, max_value=1.0, format="%.2f", help=_(SCORE_HELP)
        ),
        "Linked": st.column_config.CheckboxColumn(
            _("Linked"), help=_("Counted as one entity on the Network page")
        ),
    },
)
rows = ev.selection.rows if ev and ev.selection else []
pair = sel.iloc[rows[0]] if rows else sel.iloc[0]
st.subheader(_("Compare the two records"))
both = compare_records(table, int(pair["left"]), int(pair["right"]))
data_table(
    both,
    hide_index=True,
    width="stretch",
    column_config={"Field": _("Field"), "Record A": _("Record A"), "Record B": _("Record B")},
)
st.markdown(
    _("**Match score {score:.2f}** (1 = identical) · {why}", score=pair["score"], why=pair["explanation"])
)
if pair["explanation"] != "judged by an analyst":
    evidence, probability = match_evidence(res, int(pair["left"]), int(pair["right"]))
    st.markdown(
        _("**Field by field**: each field's weight is the evidence it adds (log2 of its Bayes factor).")
    )
    data_table(
        evidence,
        hide_index=True,
        width="stretch",
        key="dup_evidence",
        column_config={
            "m": st.column_config.NumberColumn(_("m"), format="%.4f", help=_(M_HELP)),
            "u": st.column_config.NumberColumn(_("u"), format="%.4f", help=_(U_HELP)),
            _("Bayes factor"): st.column_config.NumberColumn(format="%.3g"),
            _("Weight"): st.column_config.NumberColumn(format="%+.2f"),
        },
    )
    st.caption(
        _(
            "The weights add up to {total:+.2f}: a match probability of {p:.4f}.",
            total=float(evidence[_("Weight")].sum()),
            p=probability,
        )
    )
if pair["decision"]:
    st.caption(_("Judged: the same.") if pair["decision"] == "same" else _("Judged: different."))
# a form: the note and the decision reach the server together, and the callback reads the note from
# the submitted widget value, not from a variable of an earlier run
with st.form("dup_judge", clear_on_submit=True, border=False):
    st.text_input(_("Note (optional)"), key="dup_note", placeholder=_("why you decided so"))
    shown = review_table(table, kind, pair.to_frame().T).iloc[0]
    names = (str(shown["Record A"]), str(shown["Record B"]))
    pair_args = (kind, str(pair["left_key"]), str(pair["right_key"]), float(pair["score"]))
    b1, b2 = st.columns(2)
    b1.form_submit_button(
        _("Confirm: the same"),
        key="dup_same",
        on_click=judge_pair,
        args=(*pair_args, "same", names),
        type="primary",
    )
    b2.form_submit_button(
        _("Reject: different"), key="dup_diff", on_click=judge_pair, args=(*pair_args, "different", names)
    )
if ex.get("duplicates.last"):
    st.success(ex["duplicates.last"])

with st.expander(_("Judgements so far")):
    data_table(
        judged_table(table, kind, judgement_table(get_store(), kind)), hide_index=True, width="stretch"
    )
