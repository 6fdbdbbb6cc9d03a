"""Streamlit glue of the intelligence products: the Briefing builder and the Products register.

The work is done by :mod:`workbench.products` (assembly, lifecycle, permissions, audit, outputs); this
module holds the builder's working spec in the session, caches assemblies by store, data version, spec
and reader, and draws the blocks, the lifecycle buttons the principal may use and the GIIS metrics.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pandas as pd
import streamlit as st

from workbench.format.reference import wco_region_label
from workbench.i18n import _, language
from workbench.identity import PermissionDenied, Principal, can
from workbench.products import metrics
from workbench.products import register as reg
from workbench.products.blocks import BLOCKS, BlockResult
from workbench.products.model import (
    CLASSIFICATIONS,
    CONFIDENCE,
    GRADING,
    HANDLING_CODES,
    ICD203_BANDS,
    TLP,
    BlockSpec,
    Handling,
    Judgement,
    ProductError,
    ProductSpec,
    Source,
    templates,
)
from workbench.products.render import FORMATS, render
from workbench.store.criteria import criterion
from workbench.ui.resources import data_version, get_store
from workbench.ui.session import get_principal
from workbench.ui.widgets import data_table

__all__ = ["builder_panel", "register_panel"]

_SPEC = "pb_spec"  # the builder's working spec (a dict), a non-widget key
_FLASH = "pr_flash"
_MIME = {
    "pdf": "application/pdf",
    "html": "text/html",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@st.cache_resource(max_entries=16, show_spinner=False)
def _assembled(
    url: str,
    version: tuple[int, ...],
    spec_json: str,
    reader: tuple[str, tuple[str, ...], bool],
    lang: str,
) -> reg.Built:
    # keyed by who reads (a block may show more to a reader who may see persons) and in which language
    spec = ProductSpec.from_dict(json.loads(spec_json))
    return reg.assemble(get_store(), spec, get_principal())


def assembled(spec: ProductSpec) -> reg.Built:
    p = get_principal()
    return _assembled(
        get_store().url,
        data_version("cases", "indicators", "traffic", "judgements"),
        json.dumps(spec.to_dict(), sort_keys=True, default=str),
        (p.account, tuple(sorted(p.roles)), p.personal),
        language(),
    )


def _spec() -> ProductSpec | None:
    d = st.session_state.get(_SPEC)
    return ProductSpec.from_dict(d) if d else None


def _keep(spec: ProductSpec) -> None:
    st.session_state[_SPEC] = spec.to_dict()


def _move(i: int, delta: int) -> None:
    spec = _spec()
    if spec is None:
        return
    j = i + delta
    if 0 <= j < len(spec.blocks):
        spec.blocks[i], spec.blocks[j] = spec.blocks[j], spec.blocks[i]
        _keep(spec)


def _remove(i: int) -> None:
    spec = _spec()
    if spec is not None:
        del spec.blocks[i]
        _keep(spec)


def _add(key: str, text: str = "") -> None:
    spec = _spec()
    if spec is not None:
        spec.blocks.append(BlockSpec(key, text))
        _keep(spec)


def _set_text(i: int) -> None:
    spec = _spec()
    if spec is not None and i < len(spec.blocks):
        b = spec.blocks[i]
        spec.blocks[i] = BlockSpec(b.key, st.session_state.get(f"pb_text_{i}", ""), b.title)
        _keep(spec)


def _years() -> list[int]:
    from workbench.ui.loaders import filter_options

    period: Any = filter_options().get("period") or (None, None)
    lo, hi = period
    if lo is None or hi is None:
        this = dt.date.today().year
        return list(range(this, this - 10, -1))
    return list(range(pd.Timestamp(hi).year, pd.Timestamp(lo).year - 1, -1))


def _start(template: str, region: str, year: int | None, categories: list[str]) -> None:
    flt: dict[str, Any] = {}
    if region:
        flt["wco_regions"] = [region]
    if year:
        flt["date_from"], flt["date_to"] = f"{year}-01-01", f"{year}-12-31"
    if categories:
        flt["commodity_categories"] = list(categories)
    title = (
        f"{_(templates()[template].title)}: {wco_region_label(region) if region else _('all regions')}"
        + (f", {year}" if year else "")
    )
    _keep(ProductSpec.from_template(template, title, {"filter": flt, "freq": "M"}))
    for k in [k for k in st.session_state if str(k).startswith("pb_text_")]:
        del st.session_state[k]


def show_block(b: BlockResult, key: str) -> None:
    if b.text:
        st.markdown(b.text.replace("\n", "  \n")) if b.key == "text" else st.caption(b.text)
    if b.chart is not None:
        st.altair_chart(b.chart, width="stretch", key=f"{key}_chart")
    if len(b.table.columns):
        data_table(b.table, hide_index=True, width="stretch", height="content" if len(b.table) < 15 else 360)


def builder_panel() -> None:
    """The Briefing builder: pick a template, region, year and commodity; assemble; edit the blocks and
    the assessment; save a draft to the register."""
    principal = get_principal()
    regions = list(criterion("wco_region").vocabulary() or ())
    cats = list(criterion("commodity_category").vocabulary() or ())
    c1, c2, c3, c4 = st.columns([1, 2, 1, 2])
    template = c1.selectbox(
        _("Template"), list(templates()), key="pb_template", format_func=lambda t: _(templates()[t].title)
    )
    region = c2.selectbox(
        _("Region"),
        ["", *regions],
        key="pb_region",
        format_func=lambda r: wco_region_label(r) if r else _("(all regions)"),
    )
    year = c3.selectbox(
        _("Year"), [None, *_years()], key="pb_year", format_func=lambda y: str(y) if y else _("(all years)")
    )
    categories = c4.multiselect(_("Commodity"), cats, key="pb_categories")
    if st.button(_("Assemble"), type="primary", key="pb_assemble"):
        _start(template, region, year, categories)
    spec = _spec()
    if spec is None:
        st.info(_("Choose a template, a region, a year and a commodity, then Assemble."))
        return
    st.subheader(spec.title)
    st.caption(_("Level: {level} — {audience}", level=_(spec.level), audience=spec.audience()))
    try:
        built = assembled(spec)
    except ProductError as e:
        st.error(str(e))
        return
    for i, (bs, b) in enumerate(zip(spec.blocks, built.blocks, strict=True)):
        with st.container(border=True, key=f"pb_block_{i}"):
            h, up, down, rm = st.columns([8, 1, 1, 1])
            h.markdown(f"**{i + 1}. {_(b.title)}**")
            up.button(_("Up"), key=f"pb_up_{i}", on_click=_move, args=(i, -1), disabled=i == 0)
            down.button(
                _("Down"), key=f"pb_down_{i}", on_click=_move, args=(i, 1), disabled=i == len(spec.blocks) - 1
            )
            rm.button(_("Remove"), key=f"pb_rm_{i}", on_click=_remove, args=(i,))
            if bs.key == "text":
                st.session_state.setdefault(f"pb_text_{i}", bs.text)
                st.text_area(_("Text"), key=f"pb_text_{i}", on_change=_set_text, args=(i,))
            else:
                show_block(b, f"pb_show_{i}")
    a1, a2, a3 = st.columns([2, 1, 1])
    a1.selectbox(
        _("Block"),
        [k for k in BLOCKS if k != "text"],
        key="pb_extra",
        format_func=lambda k: _(BLOCKS[k].title),
    )
    a2.button(_("Add block"), key="pb_add", on_click=lambda: _add(st.session_state["pb_extra"]))
    a3.button(_("Add text block"), key="pb_add_text", on_click=lambda: _add("text"))
    _assessment(spec)
    if st.button(_("Save draft"), type="primary", key="pb_save"):
        spec = _spec() or spec
        try:
            pid = reg.save_draft(get_store(), assembled(spec), principal)
        except (ProductError, PermissionDenied) as e:
            st.error(str(e))
            return
        st.session_state[_FLASH] = _("Draft saved as product {id}.", id=pid)
        st.session_state["pr_pick"] = pid
        st.success(st.session_state[_FLASH])


def _assessment(spec: ProductSpec) -> None:
    st.subheader(_("Assessment and marking"))
    spec.bluf = st.text_area(_("Bottom line up front"), value=spec.bluf, key="pb_bluf")
    with st.expander(_("Key judgements ({n})", n=len(spec.judgements)), expanded=False):
        for j in spec.judgements:
            st.markdown(f"- {j.sentence()}")
        j1, j2, j3 = st.columns([3, 1, 1])
        text = j1.text_input(_("Judgement"), key="pb_j_text")
        band = j2.selectbox(
            _("Estimative band"), list(ICD203_BANDS), index=4, key="pb_j_band", format_func=lambda b: _(b)
        )
        conf = j3.selectbox(
            _("Confidence"), list(CONFIDENCE), index=1, key="pb_j_conf", format_func=lambda c: _(c)
        )
        if st.button(_("Add judgement"), key="pb_j_add") and text.strip():
            spec.judgements.append(Judgement(text.strip(), band, conf))
    with st.expander(_("Sources ({n})", n=len(spec.sources)), expanded=False):
        for s in spec.sources:
            st.markdown(f"- {s.description} — {s.scheme} {s.grade}")
        s1, s2, s3 = st.columns([3, 1, 1])
        desc = s1.text_input(_("Source"), key="pb_s_desc")
        scheme = s2.selectbox(_("Scheme"), list(GRADING), key="pb_s_scheme")
        grade = s3.text_input(_("Grade"), key="pb_s_grade", help=_(GRADING[scheme][1]))
        if st.button(_("Add source"), key="pb_s_add") and desc.strip():
            src = Source(desc.strip(), grade.strip().upper(), scheme)
            try:
                src.check()
                spec.sources.append(src)
            except ProductError as e:
                st.error(str(e))
    m1, m2, m3, m4 = st.columns(4)
    h = spec.handling
    cls = m1.selectbox(
        _("Classification"),
        ["", *CLASSIFICATIONS],
        index=(["", *CLASSIFICATIONS]).index(h.classification) if h.classification in CLASSIFICATIONS else 0,
        key="pb_class",
    )
    tlp = m2.selectbox(
        _("TLP"), ["", *TLP], index=(["", *TLP]).index(h.tlp) if h.tlp in TLP else 0, key="pb_tlp"
    )
    codes = m3.multiselect(
        _("Handling codes"),
        list(HANDLING_CODES),
        default=list(h.codes),
        key="pb_codes",
        format_func=lambda c: f"{c}: {_(HANDLING_CODES[c])}",
    )
    rel = m4.text_input(_("Releasable to"), value=", ".join(h.releasable_to), key="pb_rel")
    spec.handling = Handling(cls, tlp, tuple(codes), tuple(x.strip() for x in rel.split(",") if x.strip()))
    gaps = spec.handling.missing()
    if gaps:
        st.warning(
            _(
                "Marking incomplete: {gaps}. It cannot go to review or leave the workbench without it.",
                gaps="; ".join(gaps),
            )
        )
    else:
        st.caption(_("Marking: {m}", m=spec.handling.marking()))
    _keep(spec)


def _act(label: str, fn: Any, *args: Any, key: str, **kw: Any) -> None:
    if st.button(label, key=key):
        try:
            row = fn(*args, **kw)
        except (ProductError, PermissionDenied) as e:
            st.error(str(e))
            return
        st.session_state[_FLASH] = _(
            "{ref} v{v} is now {status}.",
            ref=row["reference"],
            v=row["version"],
            status=reg.status_label(row["status"]),
        )
        st.rerun()


def _lifecycle(row: pd.Series, principal: Principal) -> None:
    store, pid, status = get_store(), int(row["id"]), str(row["status"])
    cols = st.columns(4)
    with cols[0]:
        if status == "draft" and can(principal, "draft_products"):
            _act(_("Send for review"), reg.send_for_review, store, pid, principal, key="pr_submit")
    with cols[1]:
        if status == "review" and can(principal, "review_products"):
            _act(_("Approve"), reg.approve, store, pid, principal, key="pr_approve")
            _act(_("Send back"), reg.send_back, store, pid, principal, key="pr_back")
    with cols[2]:
        if status == "approved" and can(principal, "issue_products"):
            to = st.text_input(_("Distribution list (comma-separated)"), key="pr_to")
            _act(_("Issue"), reg.issue, store, pid, [t for t in to.split(",")], principal, key="pr_issue")
        if status == "issued" and can(principal, "issue_products"):
            _act(_("Withdraw"), reg.withdraw, store, pid, principal, key="pr_withdraw")
    with cols[3]:
        if (
            status in ("issued", "withdrawn")
            and can(principal, "draft_products")
            and st.button(_("New version"), key="pr_new")
        ):
            try:
                st.session_state[_FLASH] = _(
                    "New draft: product {id}.", id=reg.new_version(store, pid, principal)
                )
            except ProductError as e:
                st.error(str(e))
            st.rerun()


def _download(row: pd.Series, principal: Principal) -> None:
    pid, status = int(row["id"]), str(row["status"])
    if status == "withdrawn" or not can(
        principal, "issue_products" if status == "issued" else "draft_products"
    ):
        return
    st.markdown(_("**A copy for a recipient**"))
    d1, d2, d3 = st.columns([2, 1, 1])
    recipient = d1.text_input(
        _("Recipient"), key="pr_recipient", help=_("written across every page of the PDF; audited")
    )
    fmt = d2.selectbox(_("Format"), list(FORMATS), key="pr_format")
    if d3.button(_("Prepare copy"), key="pr_prepare"):
        try:
            built = reg.get_product(get_store(), pid, principal)
            mark = reg.record_download(get_store(), pid, recipient, fmt, principal)
            st.session_state["pr_copy"] = (
                pid,
                fmt,
                render(built, fmt, watermark=mark),
                built.changed_blocks(),
            )
        except (ProductError, PermissionDenied) as e:
            st.error(str(e))
    copy = st.session_state.get("pr_copy")
    if copy and copy[0] == pid:
        if copy[3]:
            st.warning(
                _("The data changed since it was registered; figures differ in: {b}", b=", ".join(copy[3]))
            )
        st.download_button(
            _("Download the copy (.{fmt})", fmt=copy[1]),
            data=copy[2],
            file_name=f"{row['reference']}-v{row['version']}.{copy[1]}",
            mime=_MIME[copy[1]],
            key="pr_download",
        )


def register_panel() -> None:
    """The register with the lifecycle buttons the principal may use, copies and the GIIS metrics."""
    principal = get_principal()
    store = get_store()
    flash = st.session_state.pop(_FLASH, None)
    if flash:
        st.success(flash)
    table = reg.list_products(store, principal)
    if table.empty:
        st.info(_("No product yet: build one on the Briefing builder page."))
        return
    _metrics()
    st.subheader(_("Register"))
    shown = table.drop(columns=["supersedes"]).copy()
    shown["status"] = shown["status"].map(reg.status_label, na_action="ignore")  # the codes stay in the store
    data_table(
        shown, hide_index=True, width="stretch", height="content" if len(shown) < 15 else 400, key="pr_table"
    )
    ids = table["id"].astype(int).tolist()
    labels = {
        int(
            r["id"]
        ): f"{r['id']} · {r['reference']} v{r['version']} · {r['title']} ({reg.status_label(str(r['status']))})"
        for r in table.to_dict("records")
    }
    if st.session_state.get("pr_pick") not in ids:
        st.session_state["pr_pick"] = ids[0]
    pid = st.selectbox(_("Product"), ids, key="pr_pick", format_func=lambda i: labels[i])
    row: pd.Series = table[table["id"] == pid].iloc[0]
    st.caption(
        _(
            "Author {a}; reviewer {r}; distribution {d}",
            a=row["author"],
            r=row["reviewer"] or "-",
            d=row["distribution"] or "-",
        )
    )
    _lifecycle(row, principal)
    _download(row, principal)
    with st.expander(_("History and reproducibility")):
        data_table(reg.product_events(store, pid), hide_index=True, width="stretch")
        if st.button(_("Check the figures against today's data"), key="pr_regen"):
            try:
                st.info(reg.regenerate(store, pid, principal).describe())
            except ProductError as e:
                st.error(str(e))


def _metrics() -> None:
    store, principal = get_store(), get_principal()
    frame = metrics.register_frame(store, principal)
    window = int(st.session_state.get("pr_window", 90))
    summary = metrics.giis_summary(store, principal, window=window)
    c = st.columns(4)
    c[0].metric(_("Products"), f"{summary['products']:,}")
    c[1].metric(_("Issued"), f"{summary['issued']:,}")
    days = summary["median_days_to_issue"]
    c[2].metric(_("Median days draft to issue"), "-" if days is None else f"{days:.1f}")
    rate = summary["outcome_rate"]
    c[3].metric(
        _("Outcome rate"),
        "-" if rate is None else f"{rate:.0%}",
        help=_("share of issued alerts and profiles followed by a matching seizure within the window"),
    )
    with st.expander(_("GIIS metrics")):
        st.number_input(
            _("Outcome window (days)"), min_value=7, max_value=730, value=window, step=7, key="pr_window"
        )
        st.markdown(f"**{_('Products per type, organisation and month')}**")
        data_table(metrics.product_counts(frame), hide_index=True, width="stretch")
        st.markdown(f"**{_('Time from draft to issue')}**")
        data_table(metrics.draft_to_issue(frame), hide_index=True, width="stretch")
        st.markdown(f"**{_('Coverage')}**")
        data_table(metrics.coverage(frame), hide_index=True, width="stretch")
        st.markdown(f"**{_('Outcomes of alerts and profiles')}**")
        data_table(
            metrics.outcomes(store, principal, window=window, reg=frame), hide_index=True, width="stretch"
        )
