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
        ("en", "YYYY-MM-DD", "YYYY-MM-DD HH:mm", "YYYY-MM-DD"),  # the source language keeps ISO
        ("fr", "DD/MM/YYYY", "DD/MM/YYYY HH:mm", "DD/MM/YYYY"),
        ("es", "D/M/YYYY", "D/M/YYYY, H:mm", "DD/MM/YYYY"),
        ("pt", "DD/MM/YYYY", "DD/MM/YYYY HH:mm", "DD/MM/YYYY"),
        ("ru", "DD.MM.YYYY", "DD.MM.YYYY, HH:mm", "DD.MM.YYYY"),
        ("ar", "D/M/YYYY", "D/M/YYYY، h:mm A", "DD/MM/YYYY"),
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

    # a fresh run of the Overview (AppTest re-reads a selectbox's value with str(), not the page's
    # translating format_func, so the case detail's photo-kind box would not survive a page switch here)
    at = open_app(seeded_sqlite, "pages/overview.py")
    at.run()
    assert not at.exception, at.exception
    period = next(m for m in at.metric if m.proto.label == "Période")
    # the tooltip names the first and last seizure with French month names, not ISO dates
    help_text = period.proto.help
    assert help_text.startswith("première saisie le "), help_text
    assert not re.search(r"\d{4}-\d{2}-\d{2}", help_text), help_text
    assert re.search(r"\d{4}", help_text), help_text


def test_network_legend_and_card_name_kinds_in_the_language() -> None:
    from workbench.format.schema import FORMAT
    from workbench.i18n import _
    from workbench.ui.network import KIND_NAMES, kind_name, kind_plural, legend_html

    assert set(KIND_NAMES) == set(FORMAT.nodes)  # every node kind of the format has its name
    with use_language("fr"):
        legend = legend_html({"case": 2, "person": 1, "phone": 1})
        assert kind_plural("person") == _("Persons") != "Persons"
        assert f"</span> {kind_plural('person')}" in legend and f"</span> {kind_plural('case')}" in legend
        assert "</span> person" not in legend and "</span> case" not in legend
        assert kind_name("person") == _("person")


def test_headers_label_the_columns_people_read_and_keep_the_names() -> None:
    import pandas as pd

    from workbench.i18n import _
    from workbench.ui.quality import DIMENSION_LABELS, dimension_label
    from workbench.ui.widgets import headers

    frame = pd.DataFrame(columns=["seq", "at", "user", "action", "place_code", "not_a_known_column"])
    with use_language("fr"):
        assert headers(frame) == {
            "seq": _("entry number"),
            "at": _("when"),
            "user": _("user"),
            "action": _("action"),
            "place_code": _("place code"),
        }
        assert dimension_label("timeliness") == _("Timeliness") != "Timeliness"
    assert set(DIMENSION_LABELS) >= {"overall", "completeness", "validity", "timeliness"}


def test_admin_and_audit_tables_are_headed_in_the_language(
    open_app: Any, seeded_sqlite: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from workbench.i18n import _

    monkeypatch.setenv("WORKBENCH_LANGUAGE", "fr")
    at = open_app(seeded_sqlite, "pages/admin.py", role="admin")
    with use_language("fr"):
        wanted = {_("action"), _("last changed"), _("variable")}
    shown = {
        str(cfg.get("label"))
        for df in at.dataframe
        for cfg in json.loads(df.proto.columns or "{}").values()
        if isinstance(cfg, dict)
    }
    assert wanted <= shown, (wanted, shown)
