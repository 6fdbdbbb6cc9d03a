"""``workbench import SOURCE --suggest-mapping`` reads the source like an import: it needs the import
right, it is audited, and its preview prints no personal value (issue 23: it printed persons to a viewer)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from workbench.cli import main
from workbench.exchange.files import write_dataset
from workbench.exchange.ingest import import_path
from workbench.sample.generator import generate
from workbench.store import AuditEntry, open_store


@pytest.fixture(scope="module")
def store_source(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, list[str]]:
    """A store holding a small sample (the source), and the family names of its persons."""
    d = tmp_path_factory.mktemp("suggest")
    ds = generate(60, seed=4)
    write_dataset(ds.tables, d / "sample")
    url = f"sqlite:///{d / 'source.db'}"
    assert import_path(d / "sample", open_store(url)).status == "accepted"
    names = [n for n in ds.tables["persons"]["last_name"].dropna().astype(str) if len(n) >= 4]
    return url, names


def _run(source: str, out: Path, db: str, role: str, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setenv("WORKBENCH_ROLE", role)
    monkeypatch.setenv("WORKBENCH_USER", "suggest-test")
    return main(
        [
            "import",
            source,
            "--table",
            "persons=SELECT * FROM persons",
            "--suggest-mapping",
            str(out),
            "--db",
            db,
        ]
    )


def _audit(db: str) -> list[tuple[str, str, dict]]:
    with open_store(db).engine.connect() as c:
        rows = c.execute(sa.select(AuditEntry.action, AuditEntry.role, AuditEntry.details)).all()
    return [(a, r, json.loads(d)) for a, r, d in rows]


def test_viewer_may_not_suggest_a_mapping(store_source, tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    source, names = store_source
    out, db = tmp_path / "x.yaml", f"sqlite:///{tmp_path / 'own.db'}"
    assert _run(source, out, db, "viewer", monkeypatch) == 3  # refused by the matrix's import_data
    captured = capsys.readouterr()
    assert "refused" in captured.err and "(viewer) may not import" in captured.err
    assert not out.exists()
    assert not [n for n in names if n in captured.out + captured.err]


def test_suggestion_is_audited_and_prints_no_personal_value(
    store_source, tmp_path: Path, monkeypatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    source, names = store_source
    out, db = tmp_path / "x.yaml", f"sqlite:///{tmp_path / 'own.db'}"
    assert _run(source, out, db, "analyst", monkeypatch) == 0
    captured = capsys.readouterr()
    printed = captured.out + captured.err
    assert (
        out.exists()
        and "personal columns, values not shown" in printed
        and "last_name (family_name)" in printed
    )
    leaked = [n for n in names if n in printed]
    assert not leaked, leaked[:5]
    entries = [e for e in _audit(db) if e[0] == "import.suggest_mapping"]
    assert len(entries) == 1
    _, role, details = entries[0]
    assert role == "analyst" and details["profile"] == str(out)
    assert "last_name" in details["personal_columns_read"]["persons"]
