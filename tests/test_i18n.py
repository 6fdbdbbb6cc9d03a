"""Languages (issue 21): the translation machinery, the catalogues' completeness and glossaries, no English
left on the pages, and a product and a standard report in French.

The catalogue tests read the real catalogues (``workbench/i18n/locales/<ll>``, written by the translators);
the checks themselves are proven on a pseudo-locale built here from the extracted messages (every
translation = the English text between ``⟦`` and ``⟧``), and on faults planted in it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

import workbench.i18n as i18n
from tests.conftest import ROOT
from workbench.i18n import (
    LANGUAGES,
    _,
    code_label,
    direction,
    format_date,
    format_month,
    language,
    ngettext,
    use_language,
)
from workbench.i18n.catalogues import (
    PSEUDO_CLOSE,
    PSEUDO_OPEN,
    catalogue_problems,
    extract_template,
    glossary_problems,
    pseudo_catalogue,
    read_catalogue,
    read_glossary,
)

TRANSLATED = tuple(code for code in LANGUAGES if code != "en")


@pytest.fixture(scope="module")
def template() -> Catalog:
    """Every message of the code, extracted as ``make pot`` does (in this process, ~5 s)."""
    return extract_template(ROOT)


def _write(catalog: Catalog, folder: Path, code: str) -> Path:
    po = folder / code / "LC_MESSAGES" / "workbench.po"
    po.parent.mkdir(parents=True, exist_ok=True)
    with po.open("wb") as fh:
        write_po(fh, catalog, width=120)
    return po


@pytest.fixture()
def locale_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A catalogue folder of this test's own, in force for ``_()``."""
    folder = tmp_path / "locales"
    folder.mkdir()
    monkeypatch.setattr(i18n, "LOCALE_DIR", folder)
    yield folder


# ----------------------------------------------------------------------------------------- machinery
def test_numbers_in_placeholders_follow_the_language() -> None:
    cases = {
        "en": ("12,345 cases", "12,345.6 kg", "25.6%", "+3"),
        "fr": ("12\u202f345 cases", "12\u202f345,6 kg", "25,6\u00a0%", "+3"),
        "es": ("12.345 cases", "12.345,6 kg", "25,6\u00a0%", "+3"),
        "pt": ("12.345 cases", "12.345,6 kg", "25,6%", "+3"),
        "ru": ("12\u00a0345 cases", "12\u00a0345,6 kg", "25,6\u00a0%", "+3"),
    }
    for code, expected in cases.items():
        with use_language(code):
            got = (
                _("{n:,} cases", n=12345),
                _("{kg:,.1f} kg", kg=12345.64),
                _("{share:.1%}", share=0.256),
                _("{d:+}", d=3),
            )
        assert got == expected, code
    with use_language("fr"):
        # no spec, a code-like spec, text: as Python writes them
        assert _("{n} / {code:>4} / {x:x}", n=12345, code="FR", x=255) == "12345 /   FR / ff"
        assert ngettext("{n:,} case", "{n:,} cases", 2000) == "2\u202f000 cases"


def test_dates_and_months_in_the_language() -> None:
    day = dt.date(2026, 3, 5)
    with use_language("fr"):
        assert (format_date(day), format_month(day)) == ("5 mars 2026", "mars 2026")
    with use_language("ru"):
        assert format_month("2026-03") == "март 2026\u202fг."
    with use_language("es"):
        assert format_date(pd.Timestamp("2026-03-05")) == "5 mar 2026"
    assert format_date(None) == "" and format_date("not a date") == "not a date"


def test_charts_take_the_locale_of_the_language_in_force() -> None:
    import altair as alt

    from workbench.ui.language import _enable_chart_theme

    chart = (
        alt.Chart(pd.DataFrame({"month": ["2026-03-01"], "n": [12345]})).mark_bar().encode(x="month:T", y="n")
    )
    english = chart.to_dict()
    _enable_chart_theme()
    assert chart.to_dict() == english  # English: Altair's default, unchanged
    with use_language("fr"):
        locale = chart.to_dict()["config"]["locale"]
    assert locale["time"]["months"][2] == "mars" and locale["number"]["decimal"] == ","


def test_chart_files_and_report_periods_in_french() -> None:
    import altair as alt

    from workbench.trends.charts import chart_svg
    from workbench.trends.statistics import span_label

    frame = pd.DataFrame(
        {"month": pd.date_range("2026-01-01", periods=4, freq="MS"), "n": [1200.5, 2300, 3100, 2000]}
    )
    chart = alt.Chart(frame).mark_line().encode(x=alt.X("month:T", axis=alt.Axis(format="%b %Y")), y="n:Q")
    with use_language("fr"):
        svg = chart_svg(chart)
        period = span_label(pd.Timestamp("2024-03-01"), pd.Timestamp("2024-08-31"))
    assert "mars 2026" in svg and "3\u202f000" in svg  # vl-convert honours the chart's locale
    assert period == "mars–août 2024"
    assert "Mar 2026" in chart_svg(chart)  # English as before


def test_direction_and_language_names() -> None:
    assert direction("ar") == "rtl" and direction("fr") == "ltr"
    with use_language("ar"):
        assert direction() == "rtl" and language() == "ar"
    assert set(i18n.LANGUAGE_NAMES) == set(LANGUAGES) and i18n.LANGUAGE_NAMES["ar"] == "العربية"
    assert i18n.language_from("fr_FR.UTF-8") == "fr" and i18n.language_from("C") is None


def test_the_po_is_compiled_at_first_use_without_fuzzy_and_a_changed_po_wins(locale_dir: Path) -> None:
    cat = Catalog(locale="fr")
    cat.add("Seizure period", "Période de saisie")
    cat.add("Routes", "Itinéraires (à revoir)", flags=("fuzzy",))
    cat.add(("{n} case", "{n} cases"), ("{n} affaire", "{n} affaires", "{n} affaires"))
    po = _write(cat, locale_dir, "fr")
    with use_language("fr"):
        assert _("Seizure period") == "Période de saisie"
        assert _("Routes") == "Routes"  # a fuzzy entry is not confirmed: English
        assert ngettext("{n} case", "{n} cases", 1) == "1 affaire"
        assert ngettext("{n} case", "{n} cases", 3) == "3 affaires"
        cat["Seizure period"].string = "Période des saisies"
        _write(cat, locale_dir, "fr")
        import os

        os.utime(po, ns=(po.stat().st_atime_ns, po.stat().st_mtime_ns + 1_000_000_000))
        assert _("Seizure period") == "Période des saisies"  # never a stale compilation
    assert not list(locale_dir.rglob("*.mo"))


def test_extractors_find_yaml_codes_keys_and_nav_titles(template: Catalog) -> None:
    for message in (
        "air passenger",  # exchange format enumeration (transport_mode)
        "false compartment",  # concealment_method
        "sniffer dog",  # detection_method
        "cannabis resin",  # commodity type (commodities.yaml)
        "precursors",  # commodity category
        "Trend report",  # product template title
        "Overview",  # a page's nav title
        "Data quality",  # a nav section
        "Central and West Africa",  # WCO region (N_)
        "Western Europe",  # RILO (N_)
    ):
        assert message in template, message


def test_labels_go_through_the_catalogue(locale_dir: Path) -> None:
    from workbench.format.reference import commodity_label, country_name, wco_region_label
    from workbench.format.schema import enum_label

    cat = Catalog(locale="fr")
    for en, fr in [
        ("air passenger", "passager aérien"),
        ("cannabis resin", "résine de cannabis"),
        ("MENA", "MOAN"),
        ("Unknown", "Inconnu"),
    ]:
        cat.add(en, fr)
    _write(cat, locale_dir, "fr")
    with use_language("fr"):
        assert enum_label("air_passenger") == "passager aérien" == code_label("air_passenger")
        assert commodity_label("cannabis_resin") == "résine de cannabis"
        assert wco_region_label("North of Africa, Near and Middle East", short=True) == "MOAN"
        assert (country_name("DE"), country_name("XX"), country_name("SU")) == (
            "Allemagne",
            "Inconnu",
            "USSR",
        )
    with use_language("ar"):
        assert country_name("FR") == "فرنسا"
    assert country_name("CI") == "Côte d'Ivoire"  # English: the project's names, unchanged


# ----------------------------------------------------------------------------------------- command line
def test_the_command_line_language() -> None:
    from workbench.cli import build_parser, cli_language

    parser = build_parser()
    assert parser.parse_args(["--lang", "ru", "info"]).lang == "ru"
    assert parser.parse_args(["--lang", "ru", "info", "--lang", "fr"]).lang == "fr"
    assert parser.parse_args(["product", "list", "--lang", "ar"]).lang == "ar"
    assert cli_language(None, {"LC_ALL": "es_ES.UTF-8", "LANG": "fr_FR.UTF-8"}) == "es"
    assert cli_language(None, {"LANG": "pt_BR.UTF-8", "WORKBENCH_LANGUAGE": "ru"}) == "pt"
    assert cli_language(None, {"LANG": "C.UTF-8", "WORKBENCH_LANGUAGE": "ru"}) == "ru"
    with pytest.raises(SystemExit):
        parser.parse_args(["info", "--lang", "xx"])


def test_the_command_line_speaks_the_language_asked_for(
    locale_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from workbench.cli import main

    with pytest.raises(SystemExit):
        main(["info", "--help", "--lang", "fr"])
    assert language() == "fr"  # in force for the rest of the run (reports, products, exports)
    i18n.set_language(None)
    assert "--lang" in capsys.readouterr().out


# ----------------------------------------------------------------------------------------- accounts
def test_an_account_keeps_its_language_audited(tmp_path: Path) -> None:
    import sqlalchemy as sa

    from workbench.identity import PermissionDenied
    from workbench.identity.accounts import (
        account_language,
        create_account,
        create_organisation,
        installation_principal,
        set_account_language,
        sign_in,
    )
    from workbench.store import open_store

    store = open_store(f"sqlite:///{tmp_path / 'a.db'}")
    boot = installation_principal()
    create_organisation(store, "FR-DGDDI", "French customs", "administration", by=boot)
    for name in ("ana", "bob"):
        create_account(
            store, name, organisation="FR-DGDDI", roles=["analyst"], password="long enough pw", by=boot
        )
    ana = sign_in(store, "ana", "long enough pw")
    assert account_language(store, "ana") is None
    set_account_language(store, "ana", "ar", by=ana)
    assert account_language(store, "ana") == "ar"
    with pytest.raises(PermissionDenied):
        set_account_language(store, "bob", "fr", by=ana)  # another's: administrators only
    with pytest.raises(ValueError, match="not a language"):
        set_account_language(store, "ana", "klingon", by=ana)
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.text("select action, details from audit_log where action like '%language%'")
        ).all()
    assert len(rows) == 1 and '"ar"' in str(rows[0][1])


# ----------------------------------------------------------------------------------------- catalogues
def test_the_catalogue_checks_pass_on_a_complete_catalogue_and_catch_each_fault(template: Catalog) -> None:
    for code in LANGUAGES:
        assert catalogue_problems(pseudo_catalogue(template, code), template, code) == [], code
    sample = Catalog()  # real messages, and a plural one whatever the code holds today
    for m in [m for m in template if m.id][:300]:
        sample.add(m.id, context=m.context)
    sample.add(("{n} seizure", "{n} seizures"))
    sample.add("Seizure period")
    template = sample
    broken = pseudo_catalogue(template, "ru")
    with_placeholder = next(
        m for m in broken if m.id and isinstance(m.id, str) and "{" in m.id and "}" in m.id
    )
    with_placeholder.string = "⟦без заполнителя⟧"
    plural = next(  # a plural whose every form writes {n} as is (not {n:,})
        m for m in broken if m.id and not isinstance(m.id, str) and all("{n}" in f for f in m.string)
    )
    plural.string = (plural.string[0], plural.string[1], plural.string[1].replace("{n}", "{count}"))
    fuzzy = next(m for m in broken if m.id and m is not with_placeholder and m is not plural)
    fuzzy.flags.add("fuzzy")
    missing = (
        "Seizure period"
        if "Seizure period" in broken
        else next(m.id for m in broken if m.id and m.id != fuzzy.id)
    )
    del broken[missing]
    problems = catalogue_problems(broken, template, "ru")
    assert any("placeholders" in p and with_placeholder.id[:40] in p for p in problems)
    assert any("placeholders" in p and plural.id[0][:40] in p for p in problems)
    assert any("(fuzzy)" in p for p in problems)
    assert any(f"no translation of {missing[:40]!r}"[:-1] in p for p in problems)
    wrong_plural = pseudo_catalogue(template, "fr")
    wrong_plural.locale = None
    wrong_plural._num_plurals = 2  # type: ignore[attr-defined]
    wrong_plural._plural_expr = "(n > 1)"  # type: ignore[attr-defined]
    assert any("Plural-Forms" in p for p in catalogue_problems(wrong_plural, template, "fr"))


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_message_is_translated_in_every_catalogue(template: Catalog, code: str) -> None:
    po = i18n.catalogue_path(code)
    assert po.is_file(), (
        f"{code}: no catalogue {po.relative_to(ROOT)} (make catalogues; translators' branches)"
    )
    problems = catalogue_problems(read_catalogue(po, code), template, code)
    assert not problems, f"{len(problems)} problems, first ones:\n" + "\n".join(problems[:40])


def test_the_glossary_check_catches_a_term_left_out() -> None:
    cat = Catalog(locale="fr")
    cat.add("Seizures by route", "Saisies par itinéraire")
    cat.add("Seizure period", "Période d'interception")
    cat.add("Cases on {route}", "Affaires sur {route}")  # a placeholder's name is not the term
    glossary = [("seizure", "saisie", ("saisi",)), ("route", "itinéraire", ("itinéraire",))]
    problems = glossary_problems(cat, "fr", glossary)
    assert len(problems) == 1 and "Période d'interception" in problems[0]


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_catalogue_uses_its_glossary(code: str) -> None:
    glossary = read_glossary(code)
    assert 20 <= len(glossary) <= 60, f"{code}: {len(glossary)} glossary terms"
    problems = glossary_problems(read_catalogue(i18n.catalogue_path(code), code), code, glossary)
    assert not problems, f"{len(problems)} translations off the glossary:\n" + "\n".join(problems[:40])


# ----------------------------------------------------------------------------------------- pages
@pytest.fixture(scope="module")
def little_store(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A store of 150 generated cases (seed 7): every page has something to show, quickly."""
    from workbench.exchange.files import write_dataset
    from workbench.exchange.ingest import import_path
    from workbench.sample.generator import generate
    from workbench.store import open_store

    folder = tmp_path_factory.mktemp("little")
    write_dataset(generate(150, seed=7).tables, folder / "data")
    url = f"sqlite:///{folder / 'little.db'}"
    assert import_path(folder / "data", open_store(url)).status == "accepted"
    return url


_WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|['’-])+")
#: Words that are names or codes in every language (acronyms, formats, units, the product's name).
_NAMES = frozenset(
    "cen wco rilo unodc iso usd eur pdf csv xlsx html json svg png sql sqlite postgresql tlp kg ftm giis "
    "icd http https www workbench streamlit excel oidc totp api bluf ipr cites nps mdma lsd hs "
    # the Traffic Light Protocol's markings are codes of their own standard (TLP:AMBER+STRICT)
    "clear green amber red strict".split()
)


def _data_words(url: str) -> frozenset[str]:
    """Every word of the store's text (names, places, labels, free text), of the country names, the
    enumerations' and the taxonomy's codes: data, which no catalogue translates."""
    import sqlalchemy as sa

    from workbench.format.reference import countries, places_of
    from workbench.format.schema import FORMAT
    from workbench.store import open_store

    words: set[str] = set()
    store = open_store(url)
    with store.engine.connect() as conn:
        for table in sa.inspect(conn).get_table_names():
            frame = pd.read_sql_table(table, conn)
            for c in frame.columns:
                if frame[c].dtype == object or str(frame[c].dtype) in ("string", "str"):
                    for v in frame[c].dropna().astype(str).unique():
                        words.update(w.lower() for w in _WORD.findall(v.replace("_", " ")))
    for name in countries()["name"]:
        words.update(w.lower() for w in _WORD.findall(name))
    for values in FORMAT.enums.values():
        for v in values:
            words.update(w.lower() for w in _WORD.findall(v.replace("_", " ")))
    from workbench.i18n import LANGUAGE_NAMES
    from workbench.identity.accounts import ORGANISATION_KINDS
    from workbench.identity.policy import ROLES

    for code in (*LANGUAGE_NAMES.values(), *ROLES, *ORGANISATION_KINDS):  # each language's own name; codes
        words.update(w.lower() for w in _WORD.findall(code))
    for iso in ("FR", "NL", "ES", "BE", "DE"):
        for kind in ("airport", "seaport"):
            for name in places_of(iso, kind)["name"]:
                words.update(w.lower() for w in _WORD.findall(str(name)))
    return frozenset(words)


def _texts(at) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """(what, text) of everything the page shows in words."""
    out: list[tuple[str, str]] = []
    for kind in (
        "title",
        "header",
        "subheader",
        "markdown",
        "caption",
        "info",
        "warning",
        "error",
        "success",
    ):
        out += [(kind, str(e.value)) for e in getattr(at, kind)]
    for kind in ("button", "checkbox", "toggle", "text_input", "text_area", "number_input", "date_input"):
        out += [(kind, str(e.label)) for e in getattr(at, kind)]
    for kind in ("selectbox", "multiselect", "radio", "select_slider"):
        for e in getattr(at, kind):
            out.append((kind, str(e.label)))
            out += [(f"{kind} option", str(o)) for o in e.options]
    out += [("metric", str(m.label)) for m in at.metric]
    out += [("tab", str(t.label)) for t in at.tabs]
    out += [("expander", str(x.label)) for x in at.expander]
    for df in at.dataframe:  # a column's header is its column_config label where the page gives one
        config = json.loads(df.proto.columns or "{}")
        for c in df.value.columns:
            cell = config.get(str(c))
            label = cell.get("label") if isinstance(cell, dict) else None
            out.append(("column", str(label or c)))
    return out


def _escaped(text: str, data: frozenset[str]) -> str | None:
    """The English left in ``text`` once the pseudo-translations (``⟦…⟧``, nested too), numbers, codes
    and data are taken out; None when nothing is left."""
    previous = None
    while previous != text:
        previous, text = (
            text,
            re.sub(f"{PSEUDO_OPEN}[^{PSEUDO_OPEN}{PSEUDO_CLOSE}]*{PSEUDO_CLOSE}", " ", text),
        )
    text = re.sub(r"<[^<>]*>|&#?\w+;", " ", text)  # markup and entities around the words
    text = re.sub(r"https?://\S+|`[^`]*`|:material/[a-z_]+:|\S+@\S+|\S*[_/.\\]\S*", " ", text)
    left = [
        w
        for w in _WORD.findall(text)
        if w.isascii()  # English is written in ASCII: other letters are a translation or data
        and len(w) >= 3
        and w.lower().strip("'’-") not in data
        and w.lower() not in _NAMES
        and not (w.isupper() and len(w) <= 6)
    ]
    return " ".join(left) if left else None


def _pages_in_french(url: str) -> Iterator[tuple[str, object]]:
    """(page, AppTest) for every page, rendered as an administrator with French in force."""
    from streamlit.testing.v1 import AppTest

    from tests.conftest import state_purpose
    from workbench.ui.navigation import discover_pages

    def fresh() -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.session_state["_workbench_language"] = "fr"
        state_purpose(at)
        at.run()
        return at

    at = fresh()
    for page in [p.path for specs in discover_pages(ROOT).values() for p in specs]:
        try:
            at.switch_page(page)
            at.run()
        except ValueError:
            # AppTest reads a radio's value back through its option's text, which a translated
            # format_func changed (the browser does not): the page opens in a new session instead
            at = fresh()
            at.switch_page(page)
            at.run()
        yield page, at


def _pseudo_french(template: Catalog, folder: Path) -> None:
    _write(pseudo_catalogue(template, "fr"), folder, "fr")


def test_no_english_is_left_on_any_page(
    template: Catalog, little_store: str, locale_dir: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """Every page, rendered in a pseudo-locale (French numbers, every message between ⟦ ⟧), shows no word
    of English outside ⟦ ⟧ but data and names."""
    _pseudo_french(template, locale_dir)
    monkeypatch.setenv("WORKBENCH_LANGUAGE", "fr")  # AppTest formats options in the test's thread too
    monkeypatch.setenv("WORKBENCH_DB_URL", little_store)
    monkeypatch.setenv("WORKBENCH_ROLE", "admin")
    data = _data_words(little_store)
    escaped: list[str] = []
    failed: list[str] = []
    for page, at in _pages_in_french(little_store):
        if at.exception:  # type: ignore[attr-defined]
            failed.append(f"{page}: {at.exception[0].value}")  # type: ignore[attr-defined]
            continue
        for what, text in _texts(at):
            left = _escaped(text, data)
            if left:
                escaped.append(f"{page} {what}: {left!r} in {text[:100]!r}")
    assert not failed, failed
    assert not escaped, f"{len(escaped)} texts escaped the catalogue:\n" + "\n".join(
        sorted(set(escaped))[:80]
    )


def test_the_escape_detector_sees_english_and_spares_data() -> None:
    data = frozenset({"rotterdam", "cocaine"})
    assert _escaped("⟦Cases from {country}⟧ Rotterdam 12 345", data) is None
    assert _escaped("⟦Filter: ⟦commodity⟧⟧ cocaine FR-2024-001 `workbench seed`", data) is None
    assert _escaped("⟦Cases⟧ and more cases", data) == "and more cases"
    assert _escaped("<div style='padding-top:2rem'><span>⟦150 cases⟧</span></div>", data) is None


def test_every_page_renders_in_french(little_store: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert i18n.catalogue_path("fr").is_file(), "no French catalogue yet (tr-fr's branch)"
    monkeypatch.setenv("WORKBENCH_LANGUAGE", "fr")
    monkeypatch.setenv("WORKBENCH_DB_URL", little_store)
    monkeypatch.setenv("WORKBENCH_ROLE", "admin")
    failed = []
    for page, at in _pages_in_french(little_store):
        assert at.sidebar.selectbox(key="workbench_language_switch").value == "fr"  # type: ignore[attr-defined]
        if at.exception:  # type: ignore[attr-defined]
            failed.append(f"{page}: {at.exception[0].value}")  # type: ignore[attr-defined]
    assert not failed, failed


# ----------------------------------------------------------------------------------------- products
def _copy(url: str, folder: Path) -> str:
    import sqlite3

    db = folder / "copy.db"
    with sqlite3.connect(url.removeprefix("sqlite:///")) as src, sqlite3.connect(db) as dst:
        src.backup(dst)
    return f"sqlite:///{db}"


def _fr(message: str) -> str:
    with use_language("fr"):
        return _(message)


def test_a_product_and_a_standard_report_in_french(little_store: str, tmp_path: Path) -> None:
    import pypdfium2 as pdfium

    from workbench.identity import Principal
    from workbench.products import register as reg
    from workbench.products import render
    from workbench.products.model import BlockSpec, Handling, ProductSpec
    from workbench.store import open_store
    from workbench.store.frames import seizure_frame
    from workbench.trends.statistics import run_report

    assert i18n.catalogue_path("fr").is_file(), "no French catalogue yet (tr-fr's branch)"
    store = open_store(_copy(little_store, tmp_path))
    ana = Principal("ana", "WCO", frozenset({"admin"}), mode="account")
    with use_language("fr"):
        spec = ProductSpec.from_template(
            "alert", params={"filter": {"date_from": "2015-01-01", "date_to": "2026-12-31"}}
        )
        spec.blocks = [BlockSpec("key_figures"), BlockSpec("top_routes")]
        spec.handling = Handling("RESTRICTED", "AMBER", ("H2",), ("FR",))
        built = reg.assemble(store, spec, ana)
        page = render.to_html(built).decode()
        pdf = pdfium.PdfDocument(render.to_pdf(built), autoclose=True)
        pdf_text = "".join(p.get_textpage().get_text_range() for p in pdf)
        frame = seizure_frame(store)
        report = run_report(
            next(iter(__import__("workbench.trends.statistics").trends.statistics.REPORTS)), frame
        )
    assert '<html lang="fr"' in page
    for text in (page, pdf_text):
        assert _fr("Alert") != "Alert" and _fr("Alert") in text
        assert re.search(r"\d,\d", text), "no French decimal comma"
        assert not re.search(r"\d\.\d+\s?%", text), "an English percentage"
    assert re.search(r"Page \d+ of \d+", pdf_text) is None
    english = run_report(report.key, frame)
    assert report.title == _fr(english.title) != english.title
    assert any(
        _fr("Period: {period}. Filter: {filter} ({n:,} cases).")[:6] in n for n in report.notes
    ) or all(n != e for n, e in zip(report.notes, english.notes, strict=False))


def test_arabic_products_read_right_to_left(little_store: str, tmp_path: Path) -> None:
    from workbench.identity import Principal
    from workbench.products import register as reg
    from workbench.products import render
    from workbench.products.model import BlockSpec, Handling, ProductSpec
    from workbench.store import open_store

    store = open_store(_copy(little_store, tmp_path))
    with use_language("ar"):
        spec = ProductSpec.from_template(
            "alert", params={"filter": {"date_from": "2015-01-01", "date_to": "2026-12-31"}}
        )
        spec.blocks = [BlockSpec("key_figures")]
        spec.handling = Handling("RESTRICTED", "AMBER", ("H2",), ("FR",))
        built = reg.assemble(store, spec, Principal("ana", "WCO", frozenset({"admin"}), mode="account"))
        page = render.to_html(built).decode()
        assert render.to_pdf(built)[:5] == b"%PDF-"
    assert re.search(r'<html lang="ar"( dir="rtl")?', page)
    assert "html:lang(ar)" in page and "direction: rtl" in page
    assert "font-family: 'Noto Sans Arabic'; font-weight: 400; src: url('data:font/ttf" in render._PRINT_CSS
