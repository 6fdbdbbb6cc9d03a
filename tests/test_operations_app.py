"""The Operations page in AppTest: the entry form derived from the template stores a row or says why not,
and a posted message shows in the thread view."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.config import Settings
from workbench.identity.accounts import local_principal
from workbench.operations import groups, messages, submissions
from workbench.store import open_store


def test_the_entry_form_and_the_messages(open_app, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'page.db'}"
    monkeypatch.setenv("WORKBENCH_OPERATIONS_KEY", messages.generate_key())
    me = local_principal(Settings.from_env({"WORKBENCH_USER": "lea", "WORKBENCH_ROLE": "analyst"}))
    store = open_store(url)
    groups.create_operation(
        store, code="OP-PAGE", name="Page test", legal_basis="t", start="2026-01-01", end="2026-12-31", by=me
    )
    submissions.set_template(
        store,
        "OP-PAGE",
        [
            {"like": "cases.case_id"},
            {"name": "kind", "type": "code", "codes": ["dog", "scanner"], "required": True},
        ],
        me,
    )
    at = open_app(url, "pages/operations.py", user="lea", purpose=False)
    assert at.title[0].value == "Operations"
    at.text_input(key="op_field_case_id").input("PG-1")
    at.selectbox(key="op_field_kind").select("dog")
    at.button(key="FormSubmitter:op_entry-Submit").click().run()
    assert not at.exception, at.exception
    assert any("1 row(s) accepted, 0 refused" in s.value for s in at.success)
    at.text_input(key="op_field_case_id").input("PG-2")
    at.button(key="FormSubmitter:op_entry-Submit").click().run()
    assert any("0 row(s) accepted, 1 refused" in w.value for w in at.warning)  # the code left blank
    assert list(submissions.submitted_rows(store, "OP-PAGE", me)["case_id"]) == ["PG-1"]
    at.text_input(key="op_post_subject").input("Hello")
    at.text_area(key="op_post_body").input("First message of the page")
    at.button(key="FormSubmitter:op_post-Post").click().run()
    assert not at.exception, at.exception
    assert any("First message of the page" in t.value for t in at.text)
