"""Streamlit glue for the Risk pages: cached traffic, the condition-tree editor with live counts, the
review panel, versions and diff, import/export, back-test and scoring views.

Feature state lives in ``AppState.extras`` under ``risk.*`` keys: ``risk.source`` (the traffic set
the pages work on), ``risk.draft`` (the indicator being edited), ``risk.flash`` (a message shown
after a rerun).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from workbench.i18n import N_, _, ngettext
from workbench.identity import can
from workbench.risk import editing
from workbench.risk import registry as reg
from workbench.risk.backtest import BacktestResult, backtest, backtest_sql, live_figures
from workbench.risk.fields import OPERATORS, FieldSet, traffic_fields
from workbench.risk.frame_engine import PreparedFrame
from workbench.risk.interchange import (
    diff_text,
    indicators_from_yaml,
    indicators_to_yaml,
    indicators_workbook,
    read_indicators,
)
from workbench.risk.model import CATEGORIES, STATUSES, Indicator, IndicatorError, describe, parse_condition
from workbench.risk.samples import load_risk_sample
from workbench.risk.traffic import (
    FILTER_ON_TRAFFIC,
    describe_scope,
    load_traffic,
    scope_traffic,
    traffic_rows,
    traffic_sources,
)
from workbench.store.filters import CaseFilter
from workbench.ui.resources import data_version, get_store
from workbench.ui.session import get_principal
from workbench.ui.state import get_state
from workbench.ui.widgets import data_table, date_column, date_input_format, datetime_column

__all__ = [
    "prepared_traffic",
    "scope_note",
    "describe_filter",
    "scoped_upload",
    "for_download",
    "traffic_picker",
    "source_rows",
    "sample_loader",
    "flash",
    "show_flash",
    "indicator_list",
    "indicator_editor",
    "review_panel",
    "versions_panel",
    "import_export_panel",
    "cached_backtest",
    "metrics_view",
    "hits_chart",
    "fmt_pct",
]

NEW = N_("(new indicator)")  # the value of the picker's first choice, shown translated
_TTL = 600
#: What the risk caches read: the traffic, and the seizures' cases where the filter's commodity
#: criteria decide which seizures count (:func:`workbench.risk.traffic.scope_traffic`).
_TRAFFIC = ("traffic",)
_SCOPED = ("cases", "traffic")


# ------------------------------------------------------------------------------------ small helpers
def fmt_pct(v: float | None) -> str:
    return "–" if v is None or pd.isna(v) else f"{100 * v:.1f}%"


def _fmt_lift(v: float | None) -> str:
    return "–" if v is None or pd.isna(v) else f"{v:.2f}×"


def flash(kind: str, text: str) -> None:
    """A message to show after the next rerun (success, info, warning or error)."""
    get_state().extras["risk.flash"] = (kind, text)


#: How an indicator's status reads (the codes of :data:`workbench.risk.model.STATUSES` stay the values).
STATUS_LABELS: dict[str, str] = {
    "draft": N_("draft"),
    "in_review": N_("in review"),
    "active": N_("active"),
    "retired": N_("retired"),
}


def status_label(status: str) -> str:
    """An indicator status for people, in the language in force."""
    label = STATUS_LABELS.get(status)
    return _(label) if label else status.replace("_", " ")


def show_flash() -> None:
    msg = get_state().extras.pop("risk.flash", None)
    if msg:
        getattr(st, msg[0])(msg[1])


# ------------------------------------------------------------------------------------ traffic
@st.cache_resource(ttl=_TTL, max_entries=4, show_spinner=False)
def _prepared(url: str, version: tuple[int, ...], source: str | None) -> PreparedFrame:
    return PreparedFrame(load_traffic(get_store(), source), traffic_fields())


@st.cache_resource(ttl=_TTL, max_entries=4, show_spinner=False)
def _scoped(url: str, version: tuple[int, ...], source: str | None, flt: CaseFilter) -> PreparedFrame:
    whole = _prepared(url, data_version(*_TRAFFIC), source)
    if flt.is_empty:
        return whole
    return PreparedFrame(scope_traffic(whole.frame, flt, get_store()), traffic_fields())


def _scoped_traffic(source: str | None, flt: CaseFilter) -> PreparedFrame:
    return _scoped(get_store().url, data_version(*_SCOPED), source, flt)


def _no_traffic() -> bool:
    return bool(_sources(get_store().url, data_version(*_TRAFFIC)).empty)


def prepared_traffic(source: str | None) -> PreparedFrame | None:
    """The store's traffic (one source) within the sidebar's filters (:func:`workbench.risk.traffic.scope_traffic`),
    ready for the engine and cached until new traffic or cases are stored; None when the store holds no
    traffic."""
    if _no_traffic():
        return None
    with st.spinner(_("Applying the filters to the traffic ...")):
        return _scoped_traffic(source, get_state().filter)


def scope_note(rows: int | None = None) -> None:
    """Say how the sidebar's filters apply to the traffic (and that they do); with ``rows``, how many
    movements are left."""
    flt = get_state().filter
    how = "; ".join(f"{k}: {v}" for k, v in FILTER_ON_TRAFFIC.items())
    left = "" if rows is None else " " + ngettext("{n:,} movement.", "{n:,} movements.", rows)
    if flt.is_empty:
        st.caption(_("The sidebar's filters apply to the traffic here ({how}).", how=how) + left)
    else:
        st.info(
            _("**Sidebar filters:** {filters}", filters=describe_scope(flt)) + left,
            icon=":material/filter_alt:",
        )
        st.caption(_("How they read on traffic: {how}.", how=how))


def describe_filter() -> str:
    """The sidebar's filters as they read on traffic, for export notes."""
    return _("sidebar filters: {filters}", filters=describe_scope(get_state().filter))


def scoped_upload(frame: pd.DataFrame) -> pd.DataFrame:
    """An uploaded traffic file within the sidebar's filters (seizures matched to the store's cases)."""
    return scope_traffic(frame, get_state().filter, get_store())


def for_download(scored: pd.DataFrame) -> pd.DataFrame:
    """Scored rows as the current user may take them away: without personal data for a user who may
    not see it (the traffic's own columns only; no number plates or parcel ids)."""
    from workbench.risk.traffic import non_personal_traffic

    return scored if get_principal().can_see_personal else non_personal_traffic(scored)


@st.cache_data(ttl=_TTL, max_entries=8, show_spinner=False)
def _sources(url: str, version: tuple[int, ...]) -> pd.DataFrame:
    return traffic_sources(get_store())


def traffic_picker(key: str) -> str | None:
    """A select box of the traffic sets in the store (shared across Risk pages); None if there is none."""
    sources = _sources(get_store().url, data_version(*_TRAFFIC))
    if sources.empty:
        return None
    names = sources["source"].tolist()
    state = get_state()
    current = state.extras.get("risk.source")
    index = names.index(current) if current in names else 0
    labels = {
        name: _("{name} · {rows:,} rows, {seized:,} seized", name=name, rows=rows, seized=seized)
        for name, rows, seized in zip(
            names, sources["rows"].tolist(), sources["seized"].tolist(), strict=True
        )
    }
    choice = st.selectbox(_("Traffic"), names, index=index, key=key, format_func=labels.__getitem__)
    state.extras["risk.source"] = choice
    return str(choice)


@st.cache_data(ttl=_TTL, max_entries=16, show_spinner=False)
def _rows_in_scope(url: str, version: tuple[int, ...], source: str, flt: CaseFilter) -> int:
    return traffic_rows(get_store(), source, flt)


def source_rows(source: str) -> int:
    """How many movements of a traffic set in the store are within the sidebar's filters
    (:func:`workbench.risk.traffic.traffic_rows`, cached)."""
    return _rows_in_scope(get_store().url, data_version(*_TRAFFIC), source, get_state().filter)


def load_samples() -> str:
    """Load the shipped sample indicators (if none are stored) and sample traffic (if none is)."""
    return load_risk_sample(get_store(), get_principal())


def sample_loader() -> None:
    """An offer to load the sample when the store holds no indicators or no traffic."""
    store = get_store()
    no_ind = reg.list_indicators(store).empty
    no_traffic = _no_traffic()
    if not (no_ind or no_traffic):
        return
    if no_ind and no_traffic:
        missing = _("The store holds no indicators and no traffic yet.")
    elif no_ind:
        missing = _("The store holds no indicators yet.")
    else:
        missing = _("The store holds no traffic yet.")
    with st.container(border=True):
        st.info(
            missing
            + " "
            + _(
                "Load the shipped sample (indicators written for the sample's planted routes, and "
                "declarations/passenger movements around the default sample's seizures), or import your own "
                "below and with `workbench risk load-traffic`."
            )
        )
        viewer = not can(get_principal(), "write_indicators")
        if st.button(_("Load the sample indicators and traffic"), key="risk_load_sample", disabled=viewer):
            flash("success", load_samples())
            listing = reg.list_indicators(store)
            if not listing.empty:
                get_state().extras["risk.select"] = listing["id"].iloc[0]
            st.rerun()


# ------------------------------------------------------------------------------------ the list
def indicator_list(listing: pd.DataFrame) -> pd.DataFrame:
    """Filters by category and status, and the table; returns the indicators shown."""
    c1, c2 = st.columns(2)
    cats = c1.multiselect(
        _("Category"), list(CATEGORIES), key="risk_f_cat", format_func=lambda c: _(CATEGORIES[c])
    )
    stats = c2.multiselect(_("Status"), list(STATUSES), key="risk_f_status", format_func=status_label)
    shown = listing
    if cats:
        shown = shown[shown["category"].isin(cats)]
    if stats:
        in_force = shown["active_version"].notna()
        shown = shown[shown["status"].isin(stats) | (in_force if "active" in stats else False)]
    data_table(
        shown.assign(
            category=shown["category"].map(lambda c: _(CATEGORIES[c]) if c in CATEGORIES else c),
            status=shown["status"].map(status_label),
        ),
        hide_index=True,
        width="stretch",
        height="content",
        column_config={
            "weight": st.column_config.NumberColumn(format="%g"),
            "active_version": st.column_config.NumberColumn(
                _("in force"), help=_("the version in force (active)")
            ),
            "changed": datetime_column(),
        },
        key="risk_list",
    )
    st.caption(
        _(
            "{shown} of {total} indicators. A version in force stays active while a newer draft is written.",
            shown=len(shown),
            total=len(listing),
        )
    )
    return shown


# ------------------------------------------------------------------------------------ the editor
def _draft_for(ident: str) -> dict[str, Any]:
    """The working copy of the indicator being edited (reset when another one is chosen)."""
    state = get_state()
    store = get_store()
    stored = reg.get_indicator(store, ident) if ident != NEW else None
    tag = (ident, stored.version if stored else None)
    draft = state.extras.get("risk.draft")
    if draft is None or draft["for"] != tag:
        draft = {
            "for": tag,
            "n": (draft["n"] + 1) if draft else 1,
            "tree": editing.to_editable(stored.when if stored else None),
            "saved": stored,
        }
        state.extras["risk.draft"] = draft
    return draft


def _kinds_help(field_name: str, op: str, fields: FieldSet) -> str:
    f = fields[field_name]
    if f.values:
        return _(
            "{operator}. Values: {values}. {help}",
            operator=_(OPERATORS[op]),
            values=", ".join(f.values),
            help=_(f.help),
        ).strip()
    return _("{operator}. {help}", operator=_(OPERATORS[op]), help=_(f.help)).strip()


def _add(tree: dict[str, Any], uid: str, what: str) -> None:
    node, _parent = editing.find(tree, uid)
    if node is not None:
        node["items"].append(editing.new_condition() if what == "condition" else editing.new_group())


def _remove(tree: dict[str, Any], uid: str) -> None:
    editing.remove(tree, uid)


def _leaf_counts(leaf: dict[str, Any], prepared: PreparedFrame | None, fields: FieldSet) -> str:
    if prepared is None:
        return ""
    try:
        node = parse_condition(editing.to_raw({**leaf, "negate": False}, fields), fields)
    except IndicatorError as e:
        return f"⚠ {e.problems[0].split(': ', 1)[-1]}"
    f = live_figures(prepared, node)
    return _("{matched:,} rows · {seized:,} seized", matched=f["matched"], seized=f["seized_matched"])


def _leaf_editor(
    leaf: dict[str, Any], tree: dict[str, Any], prepared: PreparedFrame | None, fields: FieldSet
) -> None:
    uid = leaf["uid"]
    names = fields.rule_fields
    c0, c1, c2, c3, c4 = st.columns([0.7, 2.2, 1.6, 3.2, 0.6], vertical_alignment="bottom")
    leaf["negate"] = c0.checkbox(_("not"), value=leaf.get("negate", False), key=f"ri_{uid}_not")
    field_name = c1.selectbox(
        _("Field"),
        names,
        index=names.index(leaf["field"]) if leaf["field"] in names else 0,
        key=f"ri_{uid}_field",
    )
    editing.set_field(leaf, field_name, fields)
    f = fields[leaf["field"]]
    ops = list(f.operators)
    leaf["op"] = c2.selectbox(
        _("Operator"),
        ops,
        index=ops.index(leaf["op"]) if leaf["op"] in ops else 0,
        key=editing.value_key(leaf, "op"),
    )
    op = leaf["op"]
    helptext = _kinds_help(leaf["field"], op, fields)
    if op in ("is_blank", "not_blank"):
        c3.caption(_("no value needed"))
        leaf["text"] = ""
    elif f.kind == "enum" and op in ("eq", "ne"):
        cur = leaf["text"] if leaf["text"] in f.values else f.values[0]
        leaf["text"] = c3.selectbox(
            _("Value"),
            f.values,
            index=f.values.index(cur),
            key=editing.value_key(leaf, "enum1"),
            help=helptext,
        )
    elif f.kind == "enum" and op in ("in", "not_in"):
        cur = [v.strip() for v in leaf["text"].split(",") if v.strip() in f.values]
        chosen = c3.multiselect(
            _("Values"), f.values, default=cur, key=editing.value_key(leaf, "enumn"), help=helptext
        )
        leaf["text"] = ", ".join(chosen)
    else:
        leaf["text"] = c3.text_input(
            _("Value"), value=leaf.get("text", ""), key=editing.value_key(leaf, "text"), help=helptext
        )
    c4.button("✕", key=f"ri_{uid}_rm", on_click=_remove, args=(tree, uid), help=_("remove this condition"))
    st.caption(_leaf_counts(leaf, prepared, fields))


def _group_editor(
    group: dict[str, Any],
    tree: dict[str, Any],
    prepared: PreparedFrame | None,
    fields: FieldSet,
    depth: int = 0,
) -> None:
    uid = group["uid"]
    with st.container(border=True):
        c0, c1, c2, c3, c4 = st.columns([0.7, 2.2, 1.1, 1.0, 2.8], vertical_alignment="bottom")
        group["negate"] = c0.checkbox(_("not"), value=group.get("negate", False), key=f"ri_{uid}_not")
        kinds = ["all", "any"]
        group["kind"] = c1.selectbox(
            _("Match"),
            kinds,
            index=kinds.index(group["kind"]),
            key=f"ri_{uid}_kind",
            format_func=lambda k: _("all of these (AND)") if k == "all" else _("any of these (OR)"),
        )
        c2.button(_("+ condition"), key=f"ri_{uid}_addc", on_click=_add, args=(tree, uid, "condition"))
        if depth < 3:
            c3.button(_("+ group"), key=f"ri_{uid}_addg", on_click=_add, args=(tree, uid, "group"))
        if group is not tree:
            c4.button(_("remove group"), key=f"ri_{uid}_rmg", on_click=_remove, args=(tree, uid))
        for child in group["items"]:
            if editing.is_group(child):
                _group_editor(child, tree, prepared, fields, depth + 1)
            else:
                _leaf_editor(child, tree, prepared, fields)


def _definition_form(draft: dict[str, Any], ident: str) -> dict[str, Any]:
    saved: Indicator | None = draft["saved"]
    k = f"ri_meta_{draft['n']}"
    raw: dict[str, Any] = {}
    c1, c2, c3 = st.columns([1, 3, 1])
    raw["id"] = c1.text_input(
        _("Id"), value="RI-" if saved is None else saved.id, key=f"{k}_id", disabled=saved is not None
    )
    raw["name"] = c2.text_input(_("Name"), value=saved.name if saved else "", key=f"{k}_name")
    raw["weight"] = c3.number_input(
        _("Weight"), min_value=0.0, value=float(saved.weight) if saved else 20.0, step=5.0, key=f"{k}_weight"
    )
    c1, c2, c3 = st.columns([2, 1, 1])
    cats = list(CATEGORIES)
    raw["category"] = c1.selectbox(
        _("Category"),
        cats,
        index=cats.index(saved.category) if saved else 1,
        key=f"{k}_cat",
        format_func=lambda c: _(CATEGORIES[c]),
    )
    raw["valid_from"] = c2.date_input(
        _("Valid from"),
        value=saved.valid_from if saved else None,
        key=f"{k}_from",
        format=date_input_format(),
    )
    raw["valid_to"] = c3.date_input(
        _("Valid to"), value=saved.valid_to if saved else None, key=f"{k}_to", format=date_input_format()
    )
    raw["description"] = st.text_area(
        _("Description"), value=saved.description if saved else "", key=f"{k}_desc", height=70
    )
    raw["rationale"] = st.text_area(
        _("Rationale"), value=saved.rationale if saved else "", key=f"{k}_rat", height=70
    )
    return raw


def _live_counts(
    indicator: Indicator | None, saved: Indicator | None, prepared: PreparedFrame | None
) -> None:
    if prepared is None:
        st.info(_("No traffic in the store: load the sample or a traffic file to see what the rule matches."))
        return
    scope_note(len(prepared))
    if not len(prepared):
        st.warning(_("No movement is within the sidebar's filters: widen or reset them to see counts."))
        return
    now = live_figures(prepared, indicator.when) if indicator else None
    before = live_figures(prepared, saved.when) if saved else None
    cols = st.columns(5)
    if now is None:
        for c, label in zip(
            cols, (_("Matches"), _("Seized among them"), _("Precision"), _("Recall"), _("Lift")), strict=True
        ):
            c.metric(label, "–")
        return
    delta = (now["matched"] - before["matched"]) if before else None
    cols[0].metric(
        _("Matches"),
        _("{n:,}", n=now["matched"]),
        delta=_("{delta:+,} vs saved", delta=delta) if delta else None,
        delta_color="off",
    )
    cols[1].metric(_("Seized among them"), _("{n:,}", n=now["seized_matched"]))
    cols[2].metric(
        _("Precision"), fmt_pct(now["precision"]), help=_("share of the matched movements that were seized")
    )
    cols[3].metric(_("Recall"), fmt_pct(now["recall"]), help=_("share of all seizures the rule matches"))
    cols[4].metric(
        _("Lift"), _fmt_lift(now["lift"]), help=_("precision over the base rate: 1× is no better than random")
    )
    st.caption(
        _(
            "On {rows:,} movements with {seized:,} seizures (base rate {base_rate}); {workload} of the traffic "
            "would be controlled, about {per_month:,.0f} a month.",
            rows=now["rows"],
            seized=now["seized"],
            base_rate=fmt_pct(now["base_rate"]),
            workload=fmt_pct(now["workload_share"]),
            per_month=now["flagged_per_month"],
        )
    )


def indicator_editor(ident: str, prepared: PreparedFrame | None) -> None:
    """The definition form, the condition tree with live counts, and saving a new version."""
    fields = traffic_fields()
    draft = _draft_for(ident)
    saved: Indicator | None = draft["saved"]
    if saved:
        st.markdown(
            _(
                "**{id} · v{version}** ({status}) by {author} — {rule}",
                id=saved.id,
                version=saved.version,
                status=status_label(saved.status),
                author=saved.author,
                rule=describe(saved.when),
            )
        )
    raw = _definition_form(draft, ident)
    st.markdown(_("**Condition**"))
    _group_editor(draft["tree"], draft["tree"], prepared, fields)
    raw["when"] = editing.to_raw(draft["tree"], fields)
    indicator = None
    try:
        indicator = Indicator.from_dict(raw, fields)
    except IndicatorError as e:
        st.error(_("The rule cannot be used yet:") + "\n\n" + "\n".join(f"- {p}" for p in e.problems))
    st.markdown(_("**What it matches (live, on the traffic)**"))
    _live_counts(indicator, saved, prepared)
    principal = get_principal()
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    note = c1.text_input(_("Change note"), key=f"ri_note_{draft['n']}", placeholder=_("what changed and why"))
    if (
        c2.button(
            _("Save as new version"),
            type="primary",
            key="risk_save",
            disabled=indicator is None or not can(principal, "write_indicators"),
            width="stretch",
        )
        and indicator is not None  # a disabled button is never pressed
    ):
        try:
            stored = reg.save_version(get_store(), indicator, get_principal(), note=note)
        except reg.ReviewError as e:
            st.error(str(e))
        else:
            get_state().extras["risk.select"] = stored.id
            flash(
                "success",
                _(
                    "Saved {id} v{version} as a draft by {author}.",
                    id=stored.id,
                    version=stored.version,
                    author=stored.author,
                ),
            )
            st.rerun()


# ------------------------------------------------------------------------------------ review, versions
def _act(fn: Any, *args: Any, **kwargs: Any) -> None:
    try:
        ind = fn(get_store(), *args, actor=get_principal(), **kwargs)
    except reg.ReviewError as e:
        st.error(str(e))
        return
    flash(
        "success",
        _(
            "{id} v{version} is now {status}.",
            id=ind.id,
            version=ind.version,
            status=status_label(ind.status),
        ),
    )
    st.rerun()


def review_panel(ident: str) -> None:
    """Submit, approve, reject, withdraw or retire, as the current user may."""
    principal = get_principal()
    versions = reg.indicator_versions(get_store(), ident)
    latest = versions[-1]
    active = [v for v in versions if v.status == "active"]
    in_force = (
        _(
            "v{version} is in force (approved by {reviewer})",
            version=active[-1].version,
            reviewer=active[-1].reviewer,
        )
        if active
        else _("no version is in force")
    )
    st.markdown(
        _(
            "Latest **v{version}** is **{status}** (written by {author}); {in_force}.",
            version=latest.version,
            status=status_label(latest.status),
            author=latest.author,
            in_force=in_force,
        )
    )
    st.caption(
        _(
            "You are **{user}** ({role}). A version is approved by someone other than its author.",
            user=principal.user,
            role=principal.role,
        )
    )
    if not can(principal, "write_indicators") and not can(principal, "approve_indicators"):
        st.caption(_("Your role may read the review but not take part in it."))
        return
    comment = st.text_input(_("Review comment"), key=f"risk_comment_{ident}")
    cols = st.columns(4)
    if latest.status == "draft":
        if can(principal, "write_indicators") and cols[0].button(_("Submit for review"), key="risk_submit"):
            _act(reg.submit, ident, comment=comment)
    elif latest.status == "in_review":
        if principal.user == latest.author:
            st.info(
                _(
                    "Waiting for a review by someone other than you ({author} wrote v{version}).",
                    author=latest.author,
                    version=latest.version,
                )
            )
            if cols[0].button(_("Withdraw"), key="risk_withdraw"):
                _act(reg.withdraw, ident, comment=comment)
        elif can(principal, "approve_indicators"):
            if cols[0].button(_("Approve"), type="primary", key="risk_approve"):
                _act(reg.approve, ident, comment=comment)
            if cols[1].button(_("Reject"), key="risk_reject"):
                _act(reg.reject, ident, comment=comment)
        else:
            st.caption(_("Your role may draft indicators; approving them is for the roles that may approve."))
    if active and cols[3].button(_("Retire v{version}", version=active[-1].version), key="risk_retire"):
        _act(reg.retire, ident, comment=comment)


def versions_panel(ident: str) -> None:
    """Every version, a diff between two of them, and the history."""
    versions = reg.indicator_versions(get_store(), ident)
    nums = [v.version for v in versions]
    table = pd.DataFrame(
        [
            {
                "version": v.version,
                "status": v.status,
                "author": v.author,
                "reviewer": v.reviewer,
                "saved": v.meta.get("created_at"),
                "weight": v.weight,
                "rule": describe(v.when),
                "note": v.meta.get("note"),
            }
            for v in reversed(versions)
        ]
    )
    data_table(table, hide_index=True, width="stretch")
    if len(nums) > 1:
        c1, c2 = st.columns(2)
        a = c1.selectbox(_("From version"), nums, index=len(nums) - 2, key=f"risk_diff_a_{ident}")
        b = c2.selectbox(_("To version"), nums, index=len(nums) - 1, key=f"risk_diff_b_{ident}")
        st.code(
            diff_text(versions[nums.index(a)], versions[nums.index(b)]) or _("(no difference)"),
            language="diff",
        )
    else:
        st.caption(_("One version so far: a diff appears when there are two."))
    st.markdown(_("**History**"))
    data_table(reg.review_log(get_store(), ident), hide_index=True, width="stretch")


def import_export_panel() -> None:
    """Import indicators from YAML or Excel; download them as YAML or Excel."""
    store, principal = get_store(), get_principal()
    editor = can(principal, "write_indicators")
    up = st.file_uploader(
        _("Indicators file (.yaml or .xlsx)"),
        type=["yaml", "yml", "xlsx"],
        key="risk_upload",
        disabled=not editor,
        help=None if editor else _("your role may read indicators but not import them"),
    )
    if up is not None and editor and st.button(_("Import indicators"), key="risk_import"):
        tmp = Path(tempfile.mkdtemp(prefix="wb-risk-")) / Path(up.name).name
        tmp.write_bytes(up.getvalue())
        try:
            summary = reg.import_indicators(store, read_indicators(tmp), get_principal(), source=up.name)
        except (IndicatorError, reg.ReviewError) as e:
            st.error(str(e))
        else:
            flash("success", summary.describe())
            st.rerun()
    latest = reg.latest_indicators(store)
    if latest:
        c1, c2 = st.columns(2)
        stamp = f"{dt.date.today():%Y%m%d}"
        c1.download_button(
            _("Download YAML"),
            indicators_to_yaml(latest),
            file_name=f"indicators-{stamp}.yaml",
            mime="application/yaml",
            key="risk_dl_yaml",
        )
        c2.download_button(
            _("Download Excel"),
            indicators_workbook(latest, notes=[f"store: {store.url}"]),
            file_name=f"indicators-{stamp}.xlsx",
            key="risk_dl_xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )


# ------------------------------------------------------------------------------------ back-test
@st.cache_data(ttl=_TTL, max_entries=16, show_spinner=False)
def _backtest(
    url: str,
    version: tuple[int, ...],
    source: str | None,
    yaml_text: str,
    threshold: float | None,
    split: dt.date | None,
    engine: str,
    flt: CaseFilter,
) -> BacktestResult:
    indicators = indicators_from_yaml(yaml_text)
    if engine == "sql":
        return backtest_sql(get_store(), indicators, threshold=threshold, split=split, source=source, flt=flt)
    return backtest(_scoped_traffic(source, flt), indicators, threshold=threshold, split=split)


def cached_backtest(
    source: str | None,
    indicators: list[Indicator],
    threshold: float | None,
    split: dt.date | None,
    engine: str,
) -> BacktestResult:
    """A back-test of the store's traffic within the sidebar's filters, cached per traffic, filter,
    indicators and settings."""
    with st.spinner(_("Back-testing ...")):
        return _backtest(
            get_store().url,
            data_version(*_SCOPED),
            source,
            indicators_to_yaml(indicators),
            threshold,
            split,
            engine,
            get_state().filter,
        )


def metrics_view(result: BacktestResult, period: str) -> pd.DataFrame:
    """The figures per rule for a period, formatted for a table."""
    m = result.metrics(period)
    return pd.DataFrame(
        {
            "id": m["id"],
            "name": m["name"],
            "matched": m["matched"],
            "seized": m["seized_matched"],
            "precision": m["precision"].map(fmt_pct),
            "recall": m["recall"].map(fmt_pct),
            "lift": m["lift"].map(_fmt_lift),
            "workload": m["workload_share"].map(fmt_pct),
            "per month": m["flagged_per_month"].round(1),
        }
    )


def hits_chart(result: BacktestResult, rule: str) -> alt.LayerChart:
    """Flagged movements and seizures found per month for one rule, with the split marked."""
    h = result.hits_over_time()
    h = h[h["rule"] == rule].assign(month=lambda d: pd.to_datetime(d["month"] + "-01"))
    long = h.melt(
        id_vars=["month"], value_vars=["matched", "seized_matched"], var_name="count", value_name="movements"
    )
    long["count"] = long["count"].map({"matched": _("flagged"), "seized_matched": _("seized among them")})
    bars = (
        alt.Chart(long)
        .mark_bar(opacity=0.85)
        .encode(
            x=alt.X("month:T", title=None),
            y=alt.Y("movements:Q", title=_("movements"), stack=None),
            color=alt.Color("count:N", scale=alt.Scale(range=["#9fb8cf", "#1F3B57"]), title=None),
            tooltip=["month:T", "count:N", "movements:Q"],
        )
    )
    layers: list[Any] = [bars]
    if result.split:
        rule_df = pd.DataFrame({"split": [pd.Timestamp(result.split)]})
        layers.append(alt.Chart(rule_df).mark_rule(color="#c0392b", strokeDash=[4, 3]).encode(x="split:T"))
    # no layer has a facet encoding: alt.layer would make this LayerChart too
    return alt.LayerChart(layer=layers).properties(height=260)


# ------------------------------------------------------------------------------------ scoring
@st.cache_resource(ttl=_TTL, max_entries=4, show_spinner=False)
def _score_stored(
    url: str,
    version: tuple[int, ...],
    source: str | None,
    yaml_text: str,
    threshold: float,
    engine: str,
    flt: CaseFilter,
) -> pd.DataFrame:
    from workbench.risk.scoring import Profile, score_frame, score_sql

    profile = Profile(tuple(indicators_from_yaml(yaml_text)), threshold)
    if engine == "sql":
        return score_sql(get_store(), profile, source=source, columns=SCORED_COLUMNS[1:], flt=flt)
    return score_frame(_scoped_traffic(source, flt), profile)


#: Traffic columns shown beside the score.
SCORED_COLUMNS = (
    "movement_id",
    "movement_date",
    "reporting_country",
    "transport_mode",
    "departure_country",
    "transit_countries",
    "destination_country",
    "hs_code",
    "declared_value_usd",
    "seized",
    "case_id",
)


def score_stored(
    source: str | None, indicators: list[Indicator], threshold: float, engine: str
) -> pd.DataFrame:
    """The store's traffic within the sidebar's filters scored with ``indicators`` (cached; the SQL
    engine returns rows with a hit only)."""
    with st.spinner(_("Scoring ...")):
        return _score_stored(
            get_store().url,
            data_version(*_SCOPED),
            source,
            indicators_to_yaml(indicators),
            threshold,
            engine,
            get_state().filter,
        )


@st.cache_resource(ttl=_TTL, max_entries=2, show_spinner=False)
def _read_upload(name: str, digest: str, data: bytes) -> Any:
    from workbench.risk.traffic import read_traffic

    tmp = Path(tempfile.mkdtemp(prefix="wb-traffic-")) / Path(name).name
    tmp.write_bytes(data)
    return read_traffic(tmp)


def read_upload(upload: Any) -> Any:
    """An uploaded traffic file read (cached by content); raises TrafficError with the place of each problem."""
    import hashlib

    data = upload.getvalue()
    with st.spinner(_("Reading the traffic file ...")):
        return _read_upload(upload.name, hashlib.sha256(data).hexdigest(), data)


def scored_view(
    scored: pd.DataFrame, threshold: float, total: int | None = None, limit: int = 500
) -> pd.DataFrame | None:
    """Figures and the ranked table (``total``: movements scored, when ``scored`` holds only the hits);
    returns the selected row (or None)."""
    hits = int((scored["score"] > 0).sum())
    flagged = scored[scored["flagged"]]
    cols = st.columns(4)
    cols[0].metric(_("Movements scored"), _("{n:,}", n=total if total is not None else len(scored)))
    cols[1].metric(
        _("Flagged for control"),
        _("{n:,}", n=len(flagged)),
        help=_("score at or above {threshold:g}", threshold=threshold),
    )
    cols[2].metric(_("With at least one indicator"), _("{n:,}", n=hits))
    if "seized" in scored and scored["seized"].notna().any():
        found = int(flagged["seized"].fillna(False).astype(bool).sum())
        cols[3].metric(
            _("Seized among the flagged"),
            _("{n:,}", n=found),
            help=_("known outcome in this traffic: the hit rate of the profile"),
        )
    show = [c for c in ("rank", "score", "flagged", "fired", *SCORED_COLUMNS) if c in scored.columns]
    top = scored.head(limit)[show]
    st.caption(
        _(
            "The {n:,} highest scores, best first (download everything below). Select a seized row to open its "
            "case.",
            n=len(top),
        )
    )
    event = data_table(
        top,
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="single-row",
        key="risk_scored",
        column_config={
            "score": st.column_config.NumberColumn(format="%g"),
            "movement_date": date_column(),
        },
    )
    rows = event.selection.rows if event and event.selection else []
    return top.iloc[[rows[0]]] if rows else None
