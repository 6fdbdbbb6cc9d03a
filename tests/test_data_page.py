"""AppTest of the Data page: the mapping step on a French workbook, import with the report, and the
export kinds (refusals, audit)."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import FRENCH_ROWS_1, french_workbook
from workbench.store import AuditEntry, open_store


def test_mapping_step_and_import(
    data_page, store_copy: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    at = data_page(store_copy)
    book = french_workbook(tmp_path / "saisies.xlsx", FRENCH_ROWS_1)
    at.session_state["_workbench_state"].extras["data.upload_path"] = str(book)
    at.run()
    assert not at.exception, at.exception
    assert at.radio(key="data_mode").value.startswith("Map columns")
    md = " ".join(m.value for m in at.markdown)
    assert "Mapping" in md and "Preview" in md
    assert not at.warning  # nothing in the preview would be rejected
    at.button(key="data_import").click().run()
    assert not at.exception, at.exception
    assert any("accepted" in s.value for s in at.success)
    store = open_store(store_copy)
    with store.engine.connect() as c:
        n = c.execute(sa.text("select count(*) from items where case_id like 'FR-24-%'")).scalar_one()
    assert n == 3


def test_export_kinds(data_page, store_copy: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = data_page(store_copy, purpose=False)
    at.radio(key="export_kind").set_value("exchange").run()
    assert not [b for b in at.button if b.key == "export_prepare"]  # persons leave with a stated purpose
    at.text_input(key="purpose_ref_").set_value("OP-3")
    at.text_area(key="purpose_why_").set_value("file for the Spanish investigators")
    at.button(key="purpose_submit_").click().run()
    assert at.button(key="export_prepare").disabled  # no legal basis yet: says so beside the button
    assert any("State the legal basis" in c.value for c in at.caption)
    at.text_input(key="export_basis").input("MAA FR-ES art. 4").run()
    at.button(key="export_prepare").click().run()
    assert not at.exception and not at.error
    at.radio(key="export_kind").set_value("non_personal").run()
    at.button(key="export_prepare").click().run()
    assert not at.error
    with open_store(store_copy).engine.connect() as c:
        actions = c.execute(sa.select(AuditEntry.action).order_by(AuditEntry.id)).scalars().all()
    assert actions[-2:] == ["export.exchange", "export.non_personal"]


def test_viewer_is_offered_no_export_and_told_why(data_page, store_copy: str) -> None:
    """Issue 15: a viewer was offered exports it could not use, then refused in a collapsed box. The
    matrix gives a viewer no export: the page says so and who may."""
    at = data_page(store_copy, role="viewer")
    assert not [r for r in at.radio if r.key == "export_kind"]
    assert any("Your role (viewer) may not export" in i.value for i in at.info)
    assert not at.get("download_button")


def test_rilo_may_only_take_the_non_personal_exports(data_page, store_copy: str) -> None:
    at = data_page(store_copy, role="rilo")
    assert at.radio(key="export_kind").options == [
        "Formatted workbook (filtered view)",
        "Non-personal (cases + items, scrubbed)",
    ]
    assert any("may export non-personal data only" in i.value for i in at.info)
    at.radio(key="export_kind").set_value("non_personal").run()
    at.button(key="export_prepare").click().run()
    assert not at.exception and not at.error
    assert at.get("download_button")


def test_a_missing_pseudonym_key_is_said_before_the_click(
    data_page, store_copy: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WORKBENCH_PSEUDONYM_KEY", raising=False)
    at = data_page(store_copy)
    at.radio(key="export_kind").set_value("pseudonymised").run()
    assert at.button(key="export_prepare").disabled
    assert any("WORKBENCH_PSEUDONYM_KEY" in w.value for w in at.warning)


def test_preview_shows_whole_numbers_as_written(data_page, store_copy: str, tmp_path: Path) -> None:
    """Issue 15: the preview showed item 1 as "1.0"."""
    from workbench.exchange.files import write_dataset
    from workbench.sample.generator import generate

    book = tmp_path / "try.xlsx"
    write_dataset(generate(30, seed=11).tables, book)
    at = data_page(store_copy)
    at.session_state["_workbench_state"].extras["data.upload_path"] = str(book)
    at.run()
    assert not at.exception, at.exception
    items = next(d.value for d in at.dataframe if "item_no" in d.value.columns)
    assert set(items["item_no"].dropna()) <= {"1", "2", "3", "4"}, items["item_no"].tolist()
    assert not items["quantity"].dropna().str.endswith(".0").any()
