"""The library's and the CLI's messages come out in the language in force (issue 21): refusals, validation
findings, the feedback workbook, standard reports, training packs and CLI messages.

A small French catalogue is put in force for these tests (built in memory with Babel), so they do not
depend on the state of the shipped catalogues; what they check is that the text goes through the
catalogue at the time it is shown, with its values filled after the lookup.
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Iterator

import pandas as pd
import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo

import workbench.i18n as i18n
from workbench.i18n import use_language

FRENCH = {
    # rowchecks and the quality report
    "not a date in ISO 8601 form YYYY-MM-DD": "pas une date au format ISO 8601 AAAA-MM-JJ",
    "{where}, row {row}, column {column!r}: {reason}": "{where}, ligne {row}, colonne {column!r} : {reason}",
    "the {label} is not a date": "la colonne {label} n'est pas une date",
    "not a date": "pas une date",
    # standard reports
    "Seizures by commodity and region, per year": "Saisies par marchandise et région, par année",
    "{title}, {period}": "{title}, {period}",
    "commodity category": "catégorie de marchandise",
    "total": "total",
    "Period: {period}. Filter: {filter} ({n:,} cases).": "Période : {period}. Filtre : {filter} ({n:,} affaires).",
    "all cases": "toutes les affaires",
    "Standard statistics": "Statistiques types",
    # feedback workbook
    "Summary": "Synthèse",
    "Problems": "Problèmes",
    "how to fix": "comment corriger",
    "Data quality feedback": "Retour sur la qualité des données",
    # a refusal raised by the library
    "{name}: no such mapping profile": "{name} : profil de correspondance introuvable",
    "{p}: no such mapping profile": "{p} : profil de correspondance introuvable",
    # training pack
    "A new cocaine route through a West African port": "Une nouvelle route de la cocaïne par un port d'Afrique de l'Ouest",
    # CLI
    "error: {e}": "erreur : {e}",
    "error: give a PATH to validate, or --db URL to validate a store": "erreur : indiquez un CHEMIN à valider, ou --db URL",
}


@pytest.fixture()
def french(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The catalogue above in force for ``fr`` (English elsewhere), and ``fr`` the language."""
    cat = Catalog(locale="fr", domain="workbench")
    for msgid, msgstr in FRENCH.items():
        cat.add(msgid, msgstr)
    buf = io.BytesIO()
    write_mo(buf, cat)
    buf.seek(0)
    fr = gettext.GNUTranslations(buf)
    english = gettext.NullTranslations()
    monkeypatch.setattr(i18n, "_catalogue", lambda code: fr if code == "fr" else english)
    with use_language("fr"):
        yield


def test_a_refused_cell_reads_in_french_and_keeps_its_rule(french: None) -> None:
    """The reason is French, and the quality report still files it under the date rule (the old code
    matched English prefixes: a translated reason would have become an ad-hoc rule)."""
    from data_quality.results import QualityResults
    from workbench.exchange.files import ROW, RawTable
    from workbench.exchange.rowchecks import check_table

    raw = pd.DataFrame(
        {ROW: [2], "case_id": ["A1"], "reporting_country": ["FR"], "seizure_date": ["31/01/2024"]}
    )
    checked = check_table(RawTable("cases", raw, "cases.csv"))
    (rej,) = checked.rejections
    assert rej.reason == "pas une date au format ISO 8601 AAAA-MM-JJ"
    assert (
        str(rej) == "cases.csv, ligne 2, colonne 'seizure_date' : pas une date au format ISO 8601 AAAA-MM-JJ"
    )
    res = QualityResults()
    res.add_rejections(checked.rejections, {"cases": raw})
    (failed,) = res.failed()
    assert failed.rule.id == "cases.expect_column_values_to_match_strftime_format.seizure_date"
    assert failed.rule.problem == "la colonne seizure date n'est pas une date"


def test_a_mapped_date_refused_in_french_keeps_its_rule(french: None) -> None:
    """A mapping profile's refusal of a date that does not exist (31 February) is French and still names
    the date rule (matched on the English "not a date" before)."""
    from connectors.mapping import _to_date_text
    from data_quality.catalogue import rule_for_rejection

    _values, why = _to_date_text(pd.Series(["31/02/2024"]), dayfirst=True)
    reason = why.tolist()[0]
    assert reason == "pas une date"
    r = rule_for_rejection("cases", "seizure_date", reason, check=reason.check)
    assert r.id == "cases.expect_column_values_to_match_strftime_format.seizure_date"


def test_the_rules_follow_the_language_in_force(french: None) -> None:
    from data_quality.catalogue import rule

    fr = rule("cases", "expect_column_values_to_match_strftime_format", "seizure_date")
    with use_language("en"):
        en = rule("cases", "expect_column_values_to_match_strftime_format", "seizure_date")
    assert (fr.problem, en.problem) == (
        "la colonne seizure date n'est pas une date",
        "the seizure date is not a date",
    )


def test_a_standard_report_in_french(french: None, trend_frame: pd.DataFrame) -> None:
    from workbench.trends.statistics import catalogue_workbook, run_report

    r = run_report("commodity_region_year", trend_frame)
    assert r.title == "Saisies par marchandise et région, par année"
    assert r.heading.startswith("Saisies par marchandise et région, par année, ")
    assert "catégorie de marchandise" in r.table.columns and "commodity category" not in r.table.columns
    assert r.notes[1].startswith("Période : ") and "toutes les affaires" in r.notes[1]
    with use_language("en"):
        en = run_report("commodity_region_year", trend_frame)
    assert (
        en.title == "Seizures by commodity and region, per year" and "commodity category" in en.table.columns
    )
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(catalogue_workbook([r])))
    cells = {str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value is not None}
    assert r.heading in cells and "catégorie de marchandise" in cells


def test_the_feedback_workbook_in_french(french: None) -> None:
    from data_quality.reports import SubmissionReport, feedback_sheets

    empty = SubmissionReport({"id": 1}, None, pd.DataFrame(), pd.DataFrame())
    sheets = feedback_sheets(empty)
    assert list(sheets) == ["Synthèse", "Problèmes"]
    assert "comment corriger" in sheets["Problèmes"].columns


def test_a_library_refusal_is_raised_in_french(french: None, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from connectors.mapping import load_profile
    from workbench.exchange.files import DatasetReadError

    with pytest.raises(DatasetReadError, match="profil de correspondance introuvable"):
        load_profile(tmp_path / "nothing.yaml")


def test_a_training_pack_is_shown_in_french(french: None) -> None:
    from workbench.training.packs import load_pack

    assert load_pack("cocaine-west-africa").title.startswith("Une nouvelle route de la cocaïne")
    with use_language("en"):
        assert load_pack("cocaine-west-africa").title == "A new cocaine route through a West African port"


def test_the_cli_speaks_french(french: None, capsys: pytest.CaptureFixture[str]) -> None:
    from workbench.cli import main

    assert main(["--lang", "fr", "validate"]) == 2  # the command line takes its language from --lang or LANG
    assert "erreur : indiquez un" in capsys.readouterr().err  # PATH is the argument's name, kept
