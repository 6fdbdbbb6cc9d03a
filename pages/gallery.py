"""Gallery: the photos of the cases matching the sidebar's filters, by kind; each opens its case or
finds its near-duplicates across countries."""
# nav: section=Analysis; title=Photos; icon=:material/photo_library:; order=95

import streamlit as st

from workbench.i18n import _
from workbench.photos.models import KINDS, PERSONAL_KINDS
from workbench.ui.photos import photo_gallery, photo_kind_label
from workbench.ui.session import consultant, page_guard
from workbench.ui.state import get_state
from workbench.ui.widgets import empty_store_notice, filter_caption

page_guard()  # a page runs only through the entry script's login gate

st.title(_("Photos"))
flt = get_state().filter
filter_caption(flt)
if empty_store_notice():
    st.stop()
shown_kinds = [k for k in KINDS if k not in PERSONAL_KINDS or consultant() is not None]
c1, c2 = st.columns([3, 1])
kinds = c1.multiselect(_("Kind"), shown_kinds, format_func=photo_kind_label, key="gallery_kinds")
page = c2.number_input(_("Page"), min_value=1, value=1, step=1, key="gallery_page")
total = photo_gallery(flt, kinds, int(page))
st.caption(_("{n} photos of the cases matching the filters; 40 a page.", n=total))
