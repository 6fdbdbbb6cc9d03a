"""Streamlit glue: cached loaders, the shared state object, the filter sidebar, reusable widgets.

Only this package and ``pages/`` import streamlit; the core library knows nothing of it.

May import: the core packages, ``connectors`` and ``data_quality``; holds no SQL and no domain logic (pages
read widgets, call the library, render). Nothing in the core imports it.
"""
