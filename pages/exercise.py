"""Exercise: the trainee's view of a training course (brief, questions, answers, hints, score, sandbox)."""
# nav: section=Training; title=Exercise; icon=:material/school:; order=10; needs=take_courses

import streamlit as st

from workbench.i18n import _
from workbench.identity import PermissionDenied
from workbench.ui.session import get_principal, page_guard
from workbench.ui.training import exercise

page_guard()  # a page runs only through the entry script's login gate
st.title(_("Exercise"))
try:
    exercise(get_principal())
except PermissionDenied as e:
    st.error(str(e))
