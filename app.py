"""Entry script of the CEN Intelligence Workbench (``streamlit run app.py``).

Nothing of the app runs before :func:`~workbench.ui.session.require_login` has a principal: it renders the
login form and stops the script otherwise. Navigation is grouped by user role and built from the
``# nav:`` line of every page in ``pages/`` (see :mod:`workbench.ui.navigation`), keeping only the pages
the principal may open; the filter sidebar is rendered here, before the page, so the shared filters keep
their values on every page.
"""

from pathlib import Path

import streamlit as st

from workbench.i18n import _
from workbench.ui.navigation import discover_pages, pages_for
from workbench.ui.session import require_login, who_am_i
from workbench.ui.sidebar import filter_sidebar

st.set_page_config(page_title=_("CEN Intelligence Workbench"), page_icon="static/favicon.png", layout="wide")

principal = require_login()  # the login form and st.stop() when nobody is signed in
PAGES = {  # titles and sections from the pages' "# nav:" lines, extracted by the nav extractor
    _(section): [st.Page(p.path, title=_(p.title), icon=p.icon, default=p.default) for p in specs]
    for section, specs in pages_for(principal, discover_pages(Path(__file__).resolve().parent)).items()
}
st.logo("static/logo.svg", size="large")
if not PAGES:
    st.warning(_("Your roles ({role}) open no page of the workbench.", role=principal.role))
    with st.sidebar:
        who_am_i()
    st.stop()
page = st.navigation(PAGES, expanded=True)  # every section visible: no "View more"
filter_sidebar()
with st.sidebar:
    who_am_i()
page.run()
