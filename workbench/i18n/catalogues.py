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

__all__ = ["english", "read_catalogue", "completeness", "main"]

TEMPLATE = Path(__file__).with_name("workbench.pot")


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
