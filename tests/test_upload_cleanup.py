"""The Data page's uploads: the limit is stated, and the uploaded file (personal data) leaves the
temporary folder once it is imported, refused, replaced or cleared (issue 23)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

CSV = b"case_id,reporting_country,seizure_date\nU1,FR,2024-01-02\nU2,FR,2024-01-03\n"


def _page() -> None:
    """The Data page's upload steps, with the upload widget's file in session state (AppTest has no
    file uploader)."""
    import streamlit as st

    from workbench.exchange.files import select_tables
    from workbench.ui import data as ui

    class Upload:
        def __init__(self, name: str, data: bytes) -> None:
            self.name, self.size, self._data = name, len(data), data

        def getvalue(self) -> bytes:
            return self._data

    up = st.session_state.get("upload")
    if up:
        ui.remember_upload(Upload(*up))
    else:
        ui.forget_upload()
    read = ui.read_upload("auto")
    if read is not None and st.session_state.get("go"):
        st.session_state["go"] = False
        path, source = read
        ui.run_import(select_tables(source), path.name)


@pytest.fixture()
def temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    d = tmp_path / "temp"
    d.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(d))
    monkeypatch.setenv("WORKBENCH_DB_URL", f"sqlite:///{tmp_path / 'store.db'}")
    monkeypatch.setenv("WORKBENCH_ROLE", "analyst")
    return d


def _files(temp: Path) -> list[str]:
    return sorted(p.name for p in temp.rglob("*"))


def test_an_upload_leaves_the_temporary_folder_when_imported_refused_or_cleared(temp: Path) -> None:
    from workbench.identity import Principal

    at = AppTest.from_function(_page, default_timeout=60)
    # the single user of a store without accounts, as the entry script's login gate leaves it
    at.session_state["_workbench_local_principal"] = Principal(
        "t", "local", frozenset({"analyst"}), True, "local"
    )
    at.session_state["upload"] = ("cases.csv", CSV)
    at.run()
    assert not at.exception, at.exception
    assert "cases.csv" in _files(temp)  # kept while the user maps and previews it
    at.session_state["go"] = True
    at.run()
    assert not at.exception, at.exception
    assert _files(temp) == []  # imported: gone
    at.run()
    assert _files(temp) == []  # and not written again while the same upload stays in the widget

    at.session_state["upload"] = ("bad.zip", b"PK\x03\x04 not really a zip")
    at.run()
    assert any("bad.zip" in e.value for e in at.error)
    assert _files(temp) == []  # refused: gone

    at.session_state["upload"] = ("cases.csv", CSV + b"U3,FR,2024-01-04\n")
    at.run()
    assert "cases.csv" in _files(temp)
    at.session_state["upload"] = None
    at.run()
    assert _files(temp) == []  # cleared: gone


def test_the_data_page_states_the_upload_limit(data_page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import tomllib

    config = tomllib.loads((Path(__file__).resolve().parents[1] / ".streamlit" / "config.toml").read_text())
    limit = config["server"]["maxUploadSize"]
    at = data_page(f"sqlite:///{tmp_path / 'store.db'}")
    assert f"Largest upload: {limit} MB." in [c.value for c in at.caption]
