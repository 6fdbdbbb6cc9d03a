"""Dates shown by the pages read as the language in force writes them (issue 21): sentences through
``workbench.i18n.format_date``/``format_datetime``, table columns and date pickers in the language's
numeric order, while the values stay dates (sorted and downloaded as such)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from workbench.i18n import format_date, use_language
from workbench.ui.widgets import date_display, date_input_format


@pytest.mark.parametrize(
    ("code", "day", "moment", "picker"),
    [
        ("en", "M/D/YYYY", "M/D/YYYY, h:mm\u202fA", "MM/DD/YYYY"),
        ("fr", "DD/MM/YYYY", "DD/MM/YYYY HH:mm", "DD/MM/YYYY"),
        ("es", "D/M/YYYY", "D/M/YYYY, H:mm", "DD/MM/YYYY"),
        ("pt", "DD/MM/YYYY", "DD/MM/YYYY HH:mm", "DD/MM/YYYY"),
        ("ru", "DD.MM.YYYY", "DD.MM.YYYY, HH:mm", "DD.MM.YYYY"),
        ("ar", "D\u200f/M\u200f/YYYY", "D\u200f/M\u200f/YYYY، h:mm A", "DD/MM/YYYY"),
    ],
)
def test_table_columns_and_pickers_follow_the_language(code: str, day: str, moment: str, picker: str) -> None:
    with use_language(code):
        assert (date_display(), date_display(with_time=True), date_input_format()) == (day, moment, picker)


def test_case_detail_and_overview_dates_in_french(
    open_app: Any, seeded_sqlite: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from workbench.store import open_store
    from workbench.store.queries import load_cases

    case = load_cases(open_store(seeded_sqlite), limit=1).iloc[0]
    monkeypatch.setenv("WORKBENCH_LANGUAGE", "fr")
    with use_language("fr"):
        seized = format_date(case["seizure_date"])  # "5 mars 2026"
    assert seized != str(case["seizure_date"])[:10]

    at = open_app(seeded_sqlite, "pages/cases.py")
    at.session_state["_workbench_state"].selected_case = (case["reporting_country"], case["case_id"])
    at.run()
    assert not at.exception, at.exception
    facts = " ".join(m.value for m in at.markdown)
    assert seized in facts, facts[:400]
    assert str(case["seizure_date"])[:10] not in facts

    at.switch_page("pages/overview.py")
    at.run()
    assert not at.exception, at.exception
    period = next(m for m in at.metric if m.proto.label == "Période")
    # the tooltip names the first and last seizure with French month names, not ISO dates
    help_text = period.proto.help
    assert help_text.startswith("première saisie le "), help_text
    assert not re.search(r"\d{4}-\d{2}-\d{2}", help_text), help_text
    assert re.search(r"\d{4}", help_text), help_text
