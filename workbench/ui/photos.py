"""Photos in the app: the panel of a case's photos (with the upload form) in the case detail, and the
gallery's grid with its near-duplicate search. The library decides who sees what
(:mod:`workbench.photos.gallery`); this module draws."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from workbench.i18n import N_, _
from workbench.identity import Principal, can
from workbench.photos.attach import NewPhoto, attach_photos
from workbench.photos.gallery import list_photos, photo_file, similar_to_photo
from workbench.photos.images import PhotoError
from workbench.photos.models import KINDS, PERSONAL_KINDS
from workbench.store.filters import CaseFilter
from workbench.ui.resources import get_store
from workbench.ui.session import consultant, get_principal
from workbench.ui.state import get_state
from workbench.ui.widgets import open_case

__all__ = ["photo_panel", "photo_gallery", "photo_grid", "PHOTO_KIND_LABELS", "photo_kind_label"]

#: What each kind of photo (:data:`workbench.photos.models.KINDS`) is called where it is shown.
PHOTO_KIND_LABELS: dict[str, str] = {
    "concealment": N_("concealment"),
    "goods": N_("goods"),
    "packaging": N_("packaging"),
    "document": N_("document"),
    "x-ray": N_("x-ray"),
    "person": N_("person"),
}


def photo_kind_label(kind: str) -> str:
    """A photo's kind in the language in force.

    >>> photo_kind_label("x-ray")
    'x-ray'
    """
    label = PHOTO_KIND_LABELS.get(kind)
    return _(label) if label else str(kind)


_SIMILAR = "photos_similar_to"


def _actor() -> tuple[Principal, bool]:
    """Who looks, and whether photos of persons and documents may be shown (the purpose stated)."""
    who = consultant()
    return (who, True) if who is not None else (get_principal(), False)


def photo_grid(
    photos: pd.DataFrame, key: str, *, columns: int = 4, distances: pd.Series | None = None
) -> None:
    """Thumbnails with their kind, case and caption; each opens its case or finds its near-duplicates."""
    actor, _personal = _actor()
    store = get_store()
    cols = st.columns(columns)
    for n, row in enumerate(photos.itertuples(index=False)):
        col = cols[n % columns]
        with col.container(border=True):
            pid = int(str(row.photo_id))
            st.image(photo_file(store, actor, pid, "thumb_256", audited=False), width="stretch")
            label = f"#{pid} · {photo_kind_label(str(row.kind))} · {row.reporting_country}/{row.case_id}"
            if distances is not None:
                label += " · " + _("distance {d}", d=int(distances.iloc[n]))
            st.text(label)
            if isinstance(row.caption, str) and row.caption:
                st.text(row.caption)  # user text: shown as plain text, never as markup
            b1, b2 = st.columns(2)
            if b1.button(_("Open case"), key=f"{key}_open_{pid}_{n}"):
                open_case(str(row.reporting_country), str(row.case_id))
            if b2.button(_("Similar"), key=f"{key}_similar_{pid}_{n}"):
                get_state().extras[_SIMILAR] = pid
                st.switch_page("pages/gallery.py")


def _similar_section() -> None:
    pid = get_state().extras.get(_SIMILAR)
    if pid is None:
        return
    actor, personal = _actor()
    st.subheader(_("Photos like #{id}", id=pid))
    try:
        found = similar_to_photo(get_store(), actor, int(pid), top=8, personal_allowed=personal)
    except (KeyError, PermissionError):
        get_state().extras.pop(_SIMILAR, None)
        return
    if st.button(_("Close"), key="photos_similar_close"):
        get_state().extras.pop(_SIMILAR, None)
        st.rerun()
    if found.empty:
        st.info(_("No other photo is like this one."))
        return
    shown = list_photos(get_store(), actor, personal_allowed=personal)
    shown = shown.set_index("photo_id").loc[found["photo_id"]].reset_index()
    photo_grid(shown, "similar", distances=found["distance"])
    st.divider()


def photo_gallery(flt: CaseFilter, kinds: list[str], page: int, page_size: int = 40) -> int:
    """The near-duplicates asked for (if any), then the photos of the filtered cases; returns their number."""
    _similar_section()
    actor, personal = _actor()
    photos = list_photos(get_store(), actor, flt, kinds=kinds, personal_allowed=personal)
    if photos.empty:
        st.info(_("No photo of the cases matching the filters."))
        return 0
    start = (page - 1) * page_size
    photo_grid(photos.iloc[start : start + page_size], "gallery")
    return len(photos)


def photo_panel(reporting_country: str, case_id: str, who: Principal | None) -> None:
    """A case's photos in its detail, and the form to attach more (for roles that may). ``who``: the
    principal with the purpose stated (photos of persons and documents then shown), or None."""
    principal = get_principal()
    actor = who or principal
    photos = list_photos(
        get_store(), actor, case=(reporting_country, case_id), personal_allowed=who is not None
    )
    st.markdown("**" + _("Photos") + "**")
    if photos.empty:
        st.caption(_("none attached"))
    else:
        photo_grid(photos, f"case_{reporting_country}_{case_id}")
    if not can(principal, "attach_photos"):
        return
    kinds = [k for k in KINDS if k not in PERSONAL_KINDS or (who is not None and can(who, "view_personal"))]
    with (
        st.expander(_("Attach photos")),
        st.form(f"attach_{reporting_country}_{case_id}", clear_on_submit=True),
    ):
        files = st.file_uploader(
            _("Photos (JPEG, PNG, TIFF, HEIC)"),
            type=["jpg", "jpeg", "png", "tif", "tiff", "heic", "heif"],
            accept_multiple_files=True,
            key=f"attach_files_{reporting_country}_{case_id}",
        )
        kind = st.selectbox(
            _("Kind"), kinds, format_func=photo_kind_label, key=f"attach_kind_{reporting_country}_{case_id}"
        )
        caption = st.text_input(_("Caption"), key=f"attach_caption_{reporting_country}_{case_id}")
        submitted = st.form_submit_button(_("Attach"))
    if submitted and files:
        new = [
            NewPhoto(f.getvalue(), f.name, reporting_country, case_id, kind, caption or None) for f in files
        ]
        try:
            ids = attach_photos(get_store(), new, actor)
        except (PhotoError, PermissionError) as e:
            st.error(str(e))
            return
        st.success(_("Attached {n} photo(s).", n=len(ids)))
        st.rerun()
