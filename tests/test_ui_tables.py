"""The app's tables (workbench/ui/widgets.py ``data_table``/``data_editor``): a missing value shows as an
empty cell, not Streamlit's "None", in every language, and the values themselves are not changed; in
Arabic a table that fits the page lists its columns right to left."""

from __future__ import annotations

import re

import pytest

from tests.conftest import ROOT
from workbench.ui.widgets import EMPTY_CELL

_DIRECT = re.compile(r"\bst\.(dataframe|data_editor)\(")


def _shows_missing_as_empty(table) -> bool:  # type: ignore[no-untyped-def]
    """Whether the table element was given the app's placeholder (unset, Streamlit draws "None")."""
    return table.proto.HasField("placeholder") and table.proto.placeholder == EMPTY_CELL


def test_every_table_goes_through_the_shared_helper() -> None:
    """A direct ``st.dataframe``/``st.data_editor`` would show "None" in its empty cells again."""
    direct = [
        f"{path.relative_to(ROOT)}:{n}"
        for folder in ("pages", "workbench/ui")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path.name != "widgets.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if _DIRECT.search(line)
    ]
    assert not direct, f"call workbench.ui.widgets.data_table/data_editor instead: {direct}"


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_empty_cells_are_empty_and_values_untouched(
    open_app, store_copy: str, monkeypatch: pytest.MonkeyPatch, language: str
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("WORKBENCH_LANGUAGE", language)
    at = open_app(store_copy, "pages/cases.py", role="admin")
    assert at.title[0].value != "Cases"  # the page speaks the language asked for
    (table,) = at.dataframe
    assert EMPTY_CELL == "" and _shows_missing_as_empty(table)
    shown = table.value
    blank = shown.isna().sum()
    assert blank.sum() > 0, "the sample's first page of cases has blank cells (place code, transit)"
    text = shown.select_dtypes(exclude="number").astype("string")
    assert not text.isin(["None", "nan", "NaN", "NaT", "<NA>"]).any().any()  # missing stays missing

    # the Cases table is wider than the page: its first column stays in view, at the grid's left end
    assert list(table.proto.column_order) == []

    at.switch_page("pages/admin.py")
    at.run()
    assert not at.exception, at.exception
    assert at.dataframe and all(_shows_missing_as_empty(t) for t in at.dataframe)
    organisations = at.dataframe[0]  # code, name, kind, accounts: fits the page
    columns = list(organisations.value.columns)
    if language == "ar":  # right to left: the first column on the right
        assert list(organisations.proto.column_order) == columns[::-1]
    else:
        assert list(organisations.proto.column_order) == []
