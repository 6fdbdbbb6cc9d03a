"""Serve the app: ``streamlit run app.py`` with the page registry settled before the first visitor.

Why not plain ``streamlit run``: Streamlit decides once per server process, when the first session
starts, whether the app is a legacy "pages/ folder" app (``PagesManager.uses_pages_directory``), and
only flips that when ``st.navigation`` has run. A visitor whose *first* request is a deep link
(``/routes``) would therefore get the page run on its own, with Streamlit's legacy page list and no
filters. This app always declares its pages with ``st.navigation`` (app.py), so the flag is set
before the server starts.
"""

from __future__ import annotations

from pathlib import Path

from workbench.i18n import _

__all__ = ["serve", "APP"]

#: The entry script (the app runs from the repository).
APP = Path(__file__).resolve().parents[2] / "app.py"


def serve(port: int = 8501, address: str | None = None, extra: list[str] | None = None) -> None:
    """Start the Streamlit server on ``port`` (blocks until it stops)."""
    if not APP.exists():
        raise FileNotFoundError(
            _("{app}: the app's entry script is not there; run from the repository", app=APP)
        )
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.web import cli

    PagesManager.uses_pages_directory = False
    args = ["run", str(APP), "--server.port", str(port), "--server.headless", "true"]
    if address:
        args += ["--server.address", address]
    cli.main(args + list(extra or []), standalone_mode=False)
