"""Entry script of the CEN Intelligence Workbench (``streamlit run app.py``).

Navigation is grouped by user role; the filter sidebar is rendered here, before the page, so the
shared filters keep their values on every page.
"""

import streamlit as st

from workbench.ui.sidebar import filter_sidebar

st.set_page_config(page_title="CEN Intelligence Workbench", page_icon="static/favicon.png", layout="wide")

PAGES = {
    "Analysis": [
        st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
        st.Page("pages/cases.py", title="Cases", icon=":material/search:"),
    ],
    "Data quality": [
        st.Page("pages/data.py", title="Data", icon=":material/upload_file:"),
    ],
    "Admin": [
        st.Page("pages/admin.py", title="Store & audit", icon=":material/admin_panel_settings:"),
    ],
}

page = st.navigation(PAGES)
st.logo("static/logo.svg", size="large")
filter_sidebar()
page.run()
