"""Streamlit glue: cached loaders, the shared state object, the filter sidebar, reusable widgets.

Only this package and ``pages/`` import streamlit; the core library knows nothing of it.
"""
