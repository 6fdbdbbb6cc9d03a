"""Keeping the catalogues: the English catalogue written from the template, and a check of every ``.po``.

``make catalogues`` runs ``pybabel update`` (the template into each language's ``.po``, no fuzzy matching)
then ``python -m workbench.i18n.catalogues``, which

- writes ``en`` (msgstr = msgid: English is the source language, its catalogue only confirms it), and
- compiles every catalogue in memory as the app does (:func:`workbench.i18n._compile`), so a ``.po`` that
  does not compile fails here rather than in the app, and prints how complete each one is.

No ``.mo`` is written: the app compiles each ``.po`` at first use (see :mod:`workbench.i18n`).

Examples
--------
>>> from babel.messages.catalog import Catalog
>>> template = Catalog(); template.add("{n} case", ("{n} case", "{n} cases")); template.add("Routes")
<Message ...>
>>> en = english(template)
>>> [(m.id, m.string) for m in en if m.id][1]
('Routes', 'Routes')
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from workbench.i18n import LANGUAGES, LOCALE_DIR, _compile, catalogue_path

__all__ = [
    "english",
    "read_catalogue",
    "completeness",
    "extract_template",
    "pseudo_catalogue",
    "catalogue_problems",
    "placeholders",
    "read_glossary",
    "glossary_problems",
    "PSEUDO_OPEN",
    "PSEUDO_CLOSE",
    "main",
]

TEMPLATE = Path(__file__).with_name("workbench.pot")
#: The repository (babel.cfg's folder) when the workbench runs from a checkout.
ROOT = Path(__file__).resolve().parents[2]
GLOSSARY_DIR = Path(__file__).with_name("glossary")
#: What the pseudo-locale puts around every message (see :func:`pseudo_catalogue`).
PSEUDO_OPEN, PSEUDO_CLOSE = "\u27e6", "\u27e7"


def extract_template(root: Path = ROOT, config: Path | None = None) -> Catalog:
    """Every message of the code, as ``make pot`` extracts it (Babel's API, in this process: ~5 s)."""
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    with (config or root / "babel.cfg").open(encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    template = Catalog(project="cen-workbench", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
        str(root), method_map, options_map, keywords=DEFAULT_KEYWORDS
    ):
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


def pseudo_catalogue(template: Catalog, code: str) -> Catalog:
    """A catalogue for ``code`` whose every translation is the English text between ``⟦`` and ``⟧``
    (placeholders kept): a page rendered in it shows at once any text that did not go through it.

    >>> t = Catalog(); _ = t.add("Hello {name}"); _ = t.add(("{n} case", "{n} cases"))
    >>> [m.string for m in pseudo_catalogue(t, "ru") if m.id]
    ['⟦Hello {name}⟧', ('⟦{n} case⟧', '⟦{n} cases⟧', '⟦{n} cases⟧')]
    """
    out = Catalog(locale=code, project="cen-workbench", charset="utf-8", fuzzy=False)
    n = out.num_plurals
    for m in template:
        if not m.id:
            continue
        if isinstance(m.id, str):
            string: str | tuple[str, ...] = f"{PSEUDO_OPEN}{m.id}{PSEUDO_CLOSE}"
        else:
            one, many = (f"{PSEUDO_OPEN}{x}{PSEUDO_CLOSE}" for x in m.id[:2])
            string = (one, *([many] * (n - 1)))
        out.add(m.id, string, locations=m.locations, context=m.context)
    return out


def placeholders(text: str) -> frozenset[str]:
    """The names of the ``{placeholders}`` of a message (``{n:,}`` -> ``n``); unparsable text gives its
    braces' contents so a broken translation still differs.

    >>> sorted(placeholders("{n:,} cases from {country} ({share:.1%})"))
    ['country', 'n', 'share']
    """
    import string

    try:
        return frozenset(f.split(".")[0].split("[")[0] for _, f, _, _ in string.Formatter().parse(text) if f)
    except ValueError:
        import re

        return frozenset({"<unparsable: " + ",".join(re.findall(r"\{([^{}]*)\}", text)) + ">"})


def catalogue_problems(catalog: Catalog, template: Catalog, code: str) -> list[str]:
    """What is wrong with the catalogue ``code`` against the messages of the code (``template``): a
    message without a non-empty, non-fuzzy translation; a translation whose placeholders differ from the
    message's (every plural form); a Plural-Forms header other than CLDR's rule for the language."""
    from babel.messages.plurals import get_plural

    problems = []
    rule = get_plural(code)
    expected = f"nplurals={rule.num_plurals}; plural={rule.plural_expr};"
    header = catalog.mime_headers
    found = next((v for k, v in header if k.lower() == "plural-forms"), "")
    if found.replace(" ", "") != expected.replace(" ", ""):
        problems.append(f"{code}: Plural-Forms is {found!r}, CLDR's rule is {expected!r}")
    for m in template:
        if not m.id:
            continue
        key = m.id if isinstance(m.id, str) else m.id[0]
        t = catalog.get(key, context=m.context)
        shown = key if len(key) < 80 else key[:77] + "..."
        if t is None or t.fuzzy:
            problems.append(f"{code}: no translation of {shown!r}" + (" (fuzzy)" if t is not None else ""))
            continue
        forms = [t.string] if isinstance(t.string, str) else list(t.string or ())
        if not forms or not all(f and f.strip() for f in forms):
            problems.append(f"{code}: empty translation of {shown!r}")
            continue
        if not isinstance(m.id, str) and len(forms) != rule.num_plurals:
            problems.append(
                f"{code}: {len(forms)} plural forms for {shown!r}, the language has {rule.num_plurals}"
            )
        ids = [m.id] if isinstance(m.id, str) else list(m.id)
        # ngettext fills {n} itself: a singular form may leave it out ("one case"); nothing else may differ
        wanted = frozenset().union(*(placeholders(i) for i in ids))
        for f in forms:
            got = placeholders(f)
            extra, missing = got - wanted, wanted - got - ({"n"} if len(ids) > 1 else set())
            if extra or missing:
                problems.append(
                    f"{code}: translation of {shown!r} has placeholders {sorted(got)}, the message {sorted(wanted)}"
                )
    return problems


def read_glossary(code: str, folder: Path = GLOSSARY_DIR) -> list[tuple[str, str, tuple[str, ...]]]:
    """The glossary of ``code``: (English term, preferred term, accepted lower-case forms) per line."""
    path = folder / f"{code}.tsv"
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        if number == 0 or not line.strip() or line.startswith("#"):
            continue
        english_term, term, forms = (line.split("\t") + ["", ""])[:3]
        accepted = tuple(f.strip().lower() for f in (forms or term).split("|") if f.strip())
        rows.append((english_term.strip().lower(), term.strip(), accepted))
    return rows


def glossary_problems(
    catalog: Catalog, code: str, glossary: list[tuple[str, str, tuple[str, ...]]]
) -> list[str]:
    """Translations that do not use the glossary's term: a message containing the English term as a word
    (plural ``s`` allowed) whose translation contains none of the accepted forms (case-insensitive)."""
    import re

    problems = []
    for english_term, term, forms in glossary:
        word = re.compile(rf"\b{re.escape(english_term)}s?\b", re.IGNORECASE)
        for m in catalog:
            if not m.id or not m.string or m.fuzzy:
                continue
            ids = [m.id] if isinstance(m.id, str) else list(m.id)
            strings = [m.string] if isinstance(m.string, str) else [s for s in m.string if s]
            # a placeholder's name ({route}) is not the term: the value it receives carries it
            if not any(word.search(re.sub(r"\{[^{}]*\}", " ", i)) for i in ids):
                continue
            for s in strings:
                if not any(f in s.lower() for f in forms):
                    problems.append(
                        f"{code}: {english_term!r} is not {term!r} in {s[:80]!r} (for {ids[0][:60]!r})"
                    )
    return problems


def read_catalogue(path: Path, code: str | None = None) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh, locale=code)


def english(template: Catalog) -> Catalog:
    """The English catalogue of ``template``: every msgstr is its msgid (both forms for a plural)."""
    out = Catalog(locale="en", project="cen-workbench", charset="utf-8", fuzzy=False)
    for m in template:
        if not m.id:
            continue
        string = m.id if isinstance(m.id, str) else tuple(m.id)
        out.add(m.id, string, locations=m.locations, auto_comments=m.auto_comments, context=m.context)
    return out


def completeness(catalog: Catalog) -> tuple[int, int]:
    """(translated, total): entries with a non-empty, non-fuzzy translation, of all entries."""
    entries = [m for m in catalog if m.id]
    done = [
        m
        for m in entries
        if not m.fuzzy and (all(m.string) if isinstance(m.string, list | tuple) else bool(m.string))
    ]
    return len(done), len(entries)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workbench.i18n.catalogues", description=__doc__)
    parser.add_argument("--template", type=Path, default=TEMPLATE)
    args = parser.parse_args(argv)
    with args.template.open("rb") as fh:
        template = read_po(fh)
    en = catalogue_path("en")
    en.parent.mkdir(parents=True, exist_ok=True)
    with en.open("wb") as fh:
        write_po(fh, english(template), width=120, omit_header=False)
    failed = False
    for code in LANGUAGES:
        po = catalogue_path(code)
        if not po.exists():
            print(f"{code}: no catalogue ({po.relative_to(LOCALE_DIR.parent)})")
            continue
        try:
            _compile(po, code)
        except Exception as exc:  # noqa: BLE001 - report every catalogue, then fail
            print(f"{code}: {po} does not compile: {exc}", file=sys.stderr)
            failed = True
            continue
        done, total = completeness(read_catalogue(po, code))
        print(f"{code}: {done}/{total} messages translated")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
