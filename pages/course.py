"""Course: the trainer's view (create a course from packs, enrol, release, progress, debrief, results)."""
# nav: section=Training; title=Courses; icon=:material/co_present:; order=20; needs=run_courses

import streamlit as st

from workbench.i18n import _
from workbench.identity import PermissionDenied
from workbench.ui.session import get_principal, page_guard
from workbench.ui.training import course_admin

page_guard()  # a page runs only through the entry script's login gate
st.title(_("Courses"))
try:
    course_admin(get_principal())
except PermissionDenied as e:
    st.error(str(e))
