"""Entry script of the CEN Intelligence Workbench (``streamlit run app.py``).

Navigation is grouped by user role and built from the ``# nav:`` line of every page in ``pages/``
(see :mod:`workbench.ui.navigation`); the filter sidebar is rendered here, before the page, so the
shared filters keep their values on every page.
"""

from pathlib import Path

import streamlit as st

from workbench.ui.navigation import discover_pages
from workbench.ui.resources import get_settings
from workbench.ui.sidebar import filter_sidebar

st.set_page_config(page_title="CEN Intelligence Workbench", page_icon="static/favicon.png", layout="wide")

PAGES = {
    section: [st.Page(p.path, title=p.title, icon=p.icon, default=p.default) for p in specs]
    for section, specs in discover_pages(Path(__file__).resolve().parent, get_settings().role).items()
}

page = st.navigation(PAGES, expanded=True)  # every section visible: no "View more"
st.logo("static/logo.svg", size="large")
filter_sidebar()
page.run()
