"""The example notebook runs top to bottom against the sample store."""

from __future__ import annotations

import os

import nbformat
import pytest
from nbclient import NotebookClient

from tests.conftest import ROOT


@pytest.mark.slow
def test_getting_started_notebook_runs(seeded_sqlite: str, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("WORKBENCH_DB_URL", seeded_sqlite)
    nb = nbformat.read(ROOT / "notebooks" / "getting-started.ipynb", as_version=4)
    client = NotebookClient(
        nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute(env={**os.environ})
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    assert len([c for c in nb.cells if c.cell_type == "code" and c.get("outputs")]) >= 8
