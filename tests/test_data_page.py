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
    at.button(key="export_prepare").click().run()
    assert any("legal basis" in e.value for e in at.error)  # refused without one
    at.text_input(key="export_basis").input("MAA FR-ES art. 4").run()
    at.button(key="export_prepare").click().run()
    assert not at.exception and not at.error
    at.radio(key="export_kind").set_value("non_personal").run()
    at.button(key="export_prepare").click().run()
    assert not at.error
    with open_store(store_copy).engine.connect() as c:
        actions = c.execute(sa.select(AuditEntry.action).order_by(AuditEntry.id)).scalars().all()
    assert actions[-2:] == ["export.exchange", "export.non_personal"]


def test_viewer_may_only_take_the_non_personal_export(
    data_page, store_copy: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = data_page(store_copy, role="viewer")
    for kind in (
        "pseudonymised",
        "exchange",
        "non_personal",
        "formatted",
    ):  # the matrix: a viewer exports nothing
        at.radio(key="export_kind").set_value(kind).run()
        assert not [b for b in at.button if b.key == "export_prepare"], kind
        assert any("may not take this export" in i.value for i in at.info), kind
