"""Shared resources: settings, the store (one engine per process and URL) and its data version.

Every cached loader of the app keys on :func:`data_version` of the scopes it reads
(:data:`workbench.store.version.SCOPES`), so any page shows new data on its next run after any write,
whoever made it: this session, another user's, or the command line. The version is read once per
script run (a fragment's run included), in one query.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from workbench.config import Settings
from workbench.store import DataVersion, Store, open_store
from workbench.store import data_version as read_data_version

__all__ = [
    "get_settings",
    "get_store",
    "get_home_store",
    "use_sandbox",
    "sandbox_in_use",
    "import_gates",
    "data_version",
    "current_data_version",
]


def get_settings() -> Settings:
    return Settings.from_env()


@st.cache_resource(show_spinner=False)
def _store(url: str) -> Store:
    return open_store(url)


def get_home_store() -> Store:
    """The installation's store: accounts, sign-in, courses (never a trainee's sandbox)."""
    return _store(get_settings().db_url)


_SANDBOX = "_workbench_sandbox_url"  # session state: the trainee's sandbox this session works in


def sandbox_in_use() -> str | None:
    """The URL of the training sandbox this session works in, if any (:func:`use_sandbox`)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    if get_script_run_ctx(suppress_warning=True) is None:
        return None
    url = st.session_state.get(_SANDBOX)
    return url if isinstance(url, str) else None


def use_sandbox(url: str | None) -> None:
    """Make every page of this session read and write the store at ``url`` (a trainee's sandbox, see
    :mod:`workbench.training.sandbox`), or the installation's store again with None."""
    if url:
        st.session_state[_SANDBOX] = url
    else:
        st.session_state.pop(_SANDBOX, None)


def get_store() -> Store:
    """The store the pages work on: the session's training sandbox, if one is in use, else the
    installation's store."""
    url = sandbox_in_use()
    return _store(url) if url else get_home_store()


def import_gates() -> list[Any]:
    """The quality gates every import from the app runs (see data_quality.default_gates)."""
    from data_quality import default_gates

    return default_gates()


_MEMO = "_workbench_data_version"


def current_data_version() -> DataVersion:
    """The store's data version as this script run first read it (read again by the next run).

    A run is known by the cursor table Streamlit makes anew for each run (``ScriptRunContext.cursors``);
    the memo holds that table, so a later run's table can never be mistaken for it. Outside a script
    run (a bare call) the version is read every time.
    """
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx(suppress_warning=True)
    if ctx is None:
        return read_data_version(get_store())
    memo = getattr(ctx, _MEMO, None)
    if memo is not None and memo[0] is ctx.cursors and memo[1] == get_store().url:
        return memo[2]
    version = read_data_version(get_store())
    setattr(ctx, _MEMO, (ctx.cursors, get_store().url, version))
    return version


def data_version(*scopes: str) -> tuple[int, ...]:
    """The counters of ``scopes`` (e.g. ``"cases"``): the part of every cache key that says which data
    the cached value was made from."""
    return current_data_version().of(*scopes)
