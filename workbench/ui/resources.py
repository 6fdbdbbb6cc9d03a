"""Shared resources: settings and the store (one engine per process and URL)."""

from __future__ import annotations

import streamlit as st

from workbench.config import Settings
from workbench.store import Store, open_store

__all__ = ["get_settings", "get_store"]


def get_settings() -> Settings:
    return Settings.from_env()


@st.cache_resource(show_spinner=False)
def _store(url: str) -> Store:
    return open_store(url)


def get_store() -> Store:
    return _store(get_settings().db_url)
