"""Shared resources: settings and the store (one engine per process and URL)."""

from __future__ import annotations

import streamlit as st

from workbench.config import Settings
from workbench.store import Store, open_store

__all__ = ["get_settings", "get_store", "import_gates"]


def get_settings() -> Settings:
    return Settings.from_env()


@st.cache_resource(show_spinner=False)
def _store(url: str) -> Store:
    return open_store(url)


def get_store() -> Store:
    return _store(get_settings().db_url)


def import_gates() -> list:
    """The quality gates every import from the app runs (see data_quality.default_gates)."""
    from data_quality import default_gates

    return default_gates()
