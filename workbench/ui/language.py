"""The app's language: chosen per account, defaulting to the browser's, switched in the sidebar; and the
page frame that goes with it (right to left for Arabic).

On every run the entry script (through :func:`workbench.ui.session.require_login`, or a page's
:func:`~workbench.ui.session.page_guard`) calls :func:`apply_language`, which puts in force, for the rest
of the run (:func:`workbench.i18n.set_language`):

1. the language chosen in this session (the sidebar's switch), else
2. the signed-in account's language (``accounts.language``, read once per sign-in), else
3. the browser's (``st.context.locale``, ``fr-FR`` -> ``fr``), else ``WORKBENCH_LANGUAGE``.

It also injects, once per run, the CSS of the frame: for a right-to-left language the main block and the
sidebar read right to left while tables, charts and maps keep their left-to-right geometry (numbers stay
LTR inside cells). The bundled fonts (``static/fonts``: Noto Sans for Latin and Cyrillic, Noto Sans Arabic)
are declared in ``.streamlit/config.toml`` (``[[theme.fontFaces]]``), served by Streamlit's static
serving: nothing is downloaded.

The switch (:func:`language_switch`) shows each language by its own name and stores the choice on the
account (:func:`workbench.identity.accounts.set_account_language`, audited).
"""

from __future__ import annotations

from typing import Any, cast

import streamlit as st

from workbench.i18n import (
    LANGUAGE_NAMES,
    LANGUAGES,
    _,
    direction,
    language,
    language_from,
    set_language,
    vega_locale,
)
from workbench.identity import Principal
from workbench.identity.accounts import account_language, set_account_language
from workbench.ui.resources import get_home_store

__all__ = [
    "apply_language",
    "language_switch",
    "browser_language",
    "frame_css",
    "forget_language",
    "CHART_THEME",
]

_CHOSEN = "_workbench_language"  # the language in force for this session, once known
_READ_FOR = "_workbench_language_account"  # the account whose stored language was read
_SWITCH = "workbench_language_switch"  # the sidebar's select box


#: The Altair theme that gives every chart the number and time locale of the language in force when the
#: chart is drawn (axes: ``mars 2026``, ``12 345``); registered and enabled by :func:`apply_language`.
CHART_THEME = "workbench-language"


def _enable_chart_theme() -> None:
    import altair as alt

    if CHART_THEME not in alt.theme.names():
        default = alt.theme.get()  # the theme in force before (Altair's default): kept underneath

        @alt.theme.register(CHART_THEME, enable=False)
        def _theme() -> alt.theme.ThemeConfig:
            # Altair's default theme, plus the locale of a language other than English
            spec: Any = dict(default() if default else {})
            if language() != "en":
                spec["config"] = {**spec.get("config", {}), "locale": vega_locale()}
            return cast(alt.theme.ThemeConfig, spec)

    if alt.theme.active != CHART_THEME:
        alt.theme.enable(CHART_THEME)


def browser_language() -> str | None:
    """The browser's language when the workbench has it (``st.context.locale``), else None."""
    try:
        return language_from(st.context.locale)
    except Exception:  # no browser behind this run (AppTest, a bare script)
        return None


def _session_language(principal: Principal | None) -> str | None:
    ss = st.session_state
    account = principal.account if principal is not None and principal.mode == "account" else None
    if account is not None and ss.get(_READ_FOR) != account:
        ss[_READ_FOR] = account
        stored = account_language(get_home_store(), account)
        if stored:
            ss[_CHOSEN] = stored
    chosen = ss.get(_CHOSEN)
    return language_from(chosen) if chosen else None


def apply_language(principal: Principal | None) -> str:
    """Put the session's language in force for this run (see the module's docstring) and inject the page
    frame's CSS; returns the language."""
    code = _session_language(principal) or browser_language()
    set_language(code)
    _enable_chart_theme()
    css = frame_css(language())
    if css:  # style only: Streamlit puts it in the page's event container, taking no room
        st.html(f"<style>{css}</style>")
    return language()


def forget_language() -> None:
    """At sign-out: the next person starts from their own account's (or browser's) language."""
    for key in (_CHOSEN, _READ_FOR, _SWITCH):
        st.session_state.pop(key, None)


def frame_css(code: str) -> str:
    """The CSS of the page frame for language ``code``: right to left for Arabic, with tables, charts and
    maps kept left to right; each paragraph takes the direction of its first letter (``plaintext``), so a
    name or a line still in English reads left to right inside it; nothing for a left-to-right language.

    >>> "direction: rtl" in frame_css("ar"), frame_css("fr")
    (True, '')
    """
    if direction(code) != "rtl":
        return ""
    return """
[data-testid="stMain"], [data-testid="stSidebar"], [data-testid="stSidebarContent"],
[data-testid="stDialog"] [role="dialog"] { direction: rtl; }
[data-testid="stMain"] .stMarkdown, [data-testid="stSidebar"] .stMarkdown,
[data-testid="stMain"] [data-testid="stCaptionContainer"], [data-testid="stWidgetLabel"],
[data-testid="stMetric"], [data-testid="stAlertContentInfo"], [data-testid="stAlertContentWarning"],
[data-testid="stAlertContentError"], [data-testid="stAlertContentSuccess"] { text-align: right; }
[data-testid="stDataFrame"], [data-testid="stTable"], [data-testid="stVegaLiteChart"],
[data-testid="stDeckGlJsonChart"], [data-testid="stPlotlyChart"], [data-testid="stGraphVizChart"],
iframe, canvas, code, pre { direction: ltr; }
[data-testid="stTable"] td, [data-testid="stTable"] th { unicode-bidi: plaintext; }
[data-testid="stMetricValue"] { direction: ltr; unicode-bidi: isolate; }
[data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li,
[data-testid="stMarkdownContainer"] div, [data-testid="stCaptionContainer"] p,
[data-testid="stMarkdownContainer"] h1, [data-testid="stMarkdownContainer"] h2,
[data-testid="stMarkdownContainer"] h3, [data-testid="stHeadingWithActionElements"] {
  unicode-bidi: plaintext; text-align: right; }
"""


def _store_choice(principal: Principal) -> None:
    code = st.session_state.get(_SWITCH)
    if code not in LANGUAGES:
        return
    st.session_state[_CHOSEN] = code
    if principal.mode == "account" and principal.account:
        set_account_language(get_home_store(), principal.account, code, by=principal)


def language_switch(principal: Principal) -> None:
    """The sidebar's language select box: each language by its own name; the choice is stored on the
    account (a local single-user session keeps it for the session)."""
    current = language()
    st.session_state[_SWITCH] = current
    st.selectbox(
        _("Language"),
        LANGUAGES,
        key=_SWITCH,
        format_func=LANGUAGE_NAMES.__getitem__,
        on_change=_store_choice,
        args=(principal,),
    )
