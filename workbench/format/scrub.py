"""Personal values found in free text without the persons table: names, e-mail addresses, phone numbers,
IBANs, passport-like numbers, street addresses and dates of birth.

The non-personal and the viewer's exports (:mod:`workbench.exchange.exports`) scrub free text with the
values the store's persons and companies hold *and* with this recogniser, so a name an officer typed
into a remark ("Courier Ivan PETROVIC (born 12.03.1985)") goes even when no persons row holds it.

How names are recognised (no model, nothing downloaded): a run of capitalised words (with particles
such as ``de``, ``van``, ``al``) is a name when

- it holds a first name and another name-like word, the first names and surnames coming from the
  name lists that the ``faker`` package ships for its 86 locales (about 31,000 first names and 28,000
  surnames), or
- it holds a surname written in capitals (``PETROVIC``, four letters or more) beside a capitalised
  word: the way officers write names, or
- it follows a word that announces a person (``Mr``, ``Mme``, ``courier``, ``driver``, ``passenger``,
  ``named``, ...);

and it is not the name of a known place (cities, airports and countries of ``airportsdata`` and
``pycountry``: "Charles de Gaulle Airport", "Santa Cruz", "Costa Rica" stay).

E-mail addresses, IBANs (checked with ``python-stdnum`` when their check digits hold, and anything of
an IBAN's shape), international or long phone numbers, passport-like numbers (one or two letters and
six to nine digits, or digits after a word such as "passport"), street addresses (a number beside a
street word in the languages of the member administrations) and a date after "born" or "DOB" are
found by patterns. Recall and false positives are measured by ``benchmarks/bench_scrub.py``.

Examples
--------
>>> scrub_personal("Courier Ivan PETROVIC (born 12.03.1985) seized at Charles de Gaulle Airport.")
'Courier [name] (born [date of birth]) seized at Charles de Gaulle Airport.'
>>> scrub_personal("Contact: ivan.p@example.org, IBAN DE89 3704 0044 0532 0130 00, tel +381 64 123 4567")
'Contact: [e-mail], IBAN [iban], tel [phone]'
>>> scrub_personal("Passport AB1234567; lives 12 rue de la Paix, Lyon. Vessel MSC OSCAR from Santos.")
'Passport [id]; lives [address], Lyon. Vessel MSC OSCAR from Santos.'
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from workbench.format.normalise import fold

__all__ = ["Finding", "find_personal", "scrub_personal", "name_lists"]


@dataclass(frozen=True)
class Finding:
    """One personal value in a text: where it is and what it is (``name``, ``e-mail``, ...)."""

    start: int
    end: int
    kind: str


def _fold(word: str) -> str:
    """One word in the normal form names are compared in (:func:`workbench.format.normalise.fold`, joined)."""
    return fold(word).replace(" ", "")


# ---------------------------------------------------------------- gazetteers from installed packages
@cache
def name_lists() -> tuple[frozenset[str], frozenset[str]]:
    """Folded first names and surnames of every locale the ``faker`` package ships (read once)."""
    import importlib
    import pkgutil

    import faker.providers.person as person

    def words(value: object) -> Iterable[str]:
        if isinstance(value, dict):
            value = value.keys()
        if isinstance(value, Iterable) and not isinstance(value, str):
            for v in value:
                if isinstance(v, str):
                    yield from v.replace("-", " ").split()

    first: set[str] = set()
    last: set[str] = set()
    for mod in pkgutil.iter_modules(person.__path__):
        provider = importlib.import_module(f"{person.__name__}.{mod.name}").Provider
        for attr in ("first_names", "first_names_male", "first_names_female"):
            first.update(_fold(w) for w in words(provider.__dict__.get(attr, ())) if w.isalpha())
        last.update(_fold(w) for w in words(provider.__dict__.get("last_names", ())) if w.isalpha())
    # a word must look like a name: two letters at least; common words of the remarks are not names
    first = {w for w in first if len(w) >= 2} - _NOT_NAMES
    last = {w for w in last if len(w) >= 2} - _NOT_NAMES
    return frozenset(first), frozenset(last)


@cache
def _place_phrases() -> frozenset[str]:
    """Every run of one to four words of a known place name (cities, airports, countries), folded."""
    import airportsdata
    import pycountry

    names: set[str] = set()
    for a in airportsdata.load().values():
        names.add(a["name"])
        names.add(a["city"])
    for c in pycountry.countries:
        names.add(c.name)
        names.add(getattr(c, "common_name", c.name))
    out: set[str] = set()
    for name in names:
        words = [_fold(w) for w in _WORD.findall(name)]
        for n in range(2, 5):
            for i in range(len(words) - n + 1):
                out.add(" ".join(words[i : i + n]))
        if len(words) == 1:
            out.add(words[0])
    return frozenset(out)


# words that the name lists hold but that are ordinary words of customs remarks
_NOT_NAMES = frozenset(
    """
    case will mark long green young rose chad jordan georgia victoria police port mayor dog sea air
    land mail goods joint follow control customs border parcel trailer driver passenger container
    cash cargo ship vessel flight seal truck van bus car train court judge officer agent sender
    consignee declared gift clothes fruit fresh state june july august april march january christmas
    easter north south east west new old international airport centre center terminal station
    """.split()
)
# words that announce a person: what follows is a name
_HONORIFICS = frozenset(
    "mr mrs ms miss mme mlle m monsieur madame herr frau sr sra senor senora signor signora dr".split()
)
_CUES = _HONORIFICS | frozenset(
    """
    courier couriers driver passenger suspect suspects captain master named called alias aka
    recipient addressee consignee sender traveller traveler mule owner brother sister wife husband
    son daughter father mother cousin nephew
    """.split()
)
_PARTICLES = frozenset(
    "de da das do dos di del della van von der den ter la le du al el bin ben ibn y e zu".split()
)
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*", re.UNICODE)


def _is_capitalised(word: str) -> bool:
    return word[:1].isupper() and (word[1:].islower() or word.isupper() or "-" in word or "'" in word)


def _is_caps_surname(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return len(letters) >= 4 and word.isupper()


def _name_findings(text: str) -> list[Finding]:
    first, last = name_lists()
    places = _place_phrases()
    # letters glued to digits ("AB1234567", "TK107") are codes, not words
    words = [
        w
        for w in _WORD.finditer(text)
        if not (w.end() < len(text) and text[w.end()].isdigit())
        and not (w.start() and text[w.start() - 1].isdigit())
    ]
    out: list[Finding] = []
    i = 0
    while i < len(words):
        if not _is_capitalised(words[i].group(0)):
            i += 1
            continue
        # a run of capitalised words, particles allowed inside
        j = i + 1
        while j < len(words):
            gap = text[words[j - 1].end() : words[j].start()]
            if gap not in (" ", "-", " - ") and gap.strip() not in ("",):
                break
            w = words[j].group(0)
            if _is_capitalised(w):
                j += 1
            elif _fold(w) in _PARTICLES and j + 1 < len(words) and _is_capitalised(words[j + 1].group(0)):
                j += 2
            else:
                break
        run = words[i:j]
        tokens = [w.group(0) for w in run]
        folded = [_fold(t) for t in tokens]
        core = [f for f in folded if f not in _PARTICLES]
        prev = _fold(words[i - 1].group(0)) if i else ""
        cue = folded[0] if folded[0] in _CUES and len(core) > 1 else prev
        cued = cue in _CUES
        if folded[0] in _CUES:  # "Courier Ivan ...": the cue is not part of the name
            run, tokens, folded, core = run[1:], tokens[1:], folded[1:], core[1:]
        is_name = False
        if core:
            has_first = any(f in first for f in core)
            namey = sum(
                1
                for f, t in zip(folded, tokens, strict=True)
                if f in first or f in last or _is_caps_surname(t)
            )
            caps = any(_is_caps_surname(t) for t in tokens)
            if len(core) >= 2 and namey >= 2 and (has_first or caps):
                is_name = True
            elif len(core) == 2 and (namey or caps) and not any(f in _NOT_NAMES for f in core):
                # a first name (or a surname in capitals) beside a capitalised word the lists do not
                # know: "Serkan Kilic", "Malee ABDULLAH"
                is_name = True
            elif cued and (namey >= 1 or len(core) >= 2 or cue in _HONORIFICS):
                is_name = True
            if is_name and not cued:
                # the place veto looks at the whole run and at the stretch from its first to its last
                # name-like word ("Charles de Gaulle" of "Charles de Gaulle Airport")
                hits = [
                    k
                    for k, (f, t) in enumerate(zip(folded, tokens, strict=True))
                    if f in first or f in last or _is_caps_surname(t)
                ]
                stretch = " ".join(folded[hits[0] : hits[-1] + 1]) if len(hits) > 1 else ""
                if " ".join(folded) in places or stretch in places:
                    is_name = False
        if is_name and run:
            out.append(Finding(run[0].start(), run[-1].end(), "name"))
        i = max(j, i + 1)
    return out


# ---------------------------------------------------------------- patterns
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,4})?\b")
_PHONE = re.compile(r"(?<![\w+])(?:\+|00)\d[\d \-.()/]{5,}\d(?!\w)|(?<![\w.])\d[\d \-/]{8,}\d(?![\w.])")
# one or two letters and 6-9 digits; or 8-9 capitals and digits with at least 5 digits and a letter
# (IMO numbers have 10 characters, container numbers 11, flight numbers 3-6: none of them matches)
_PASSPORT = re.compile(
    r"\b[A-Z]{1,2}\d{6,9}\b|\b(?=[A-Z0-9]{8,9}\b)(?=(?:[A-Z]*\d){5})(?=\d*[A-Z])[A-Z0-9]+\b"
)
_PASSPORT_CUED = re.compile(
    r"(?i:passport|passeport|pasaporte|passaporto|reisepass|paszport|id card|identity card|carte d'identit[ée])"
    r"(?:\s*(?i:no\.?|n°|nr\.?|number|#))?[\s:]*([A-Z0-9]{6,12})\b"
)
_STREET_WORDS = (
    r"rue|avenue|av\.|boulevard|bd|chemin|place|all[ée]e|quai|impasse|calle|avenida|plaza|paseo|carrer|"
    r"via|viale|piazza|corso|rua|travessa|largo|stra(?:ß|ss)e|str\.|weg|gasse|platz|allee|straat|laan|"
    r"plein|gracht|ulica|ul\.|street|st\.|road|rd\.|lane|drive|avenue|way|close|crescent|ter\.|sokak|"
    r"caddesi|cad\.|odos|leof\.|carrera|jalan|jl\.|soi|thanon|jir[oó]n|jr\.|calea|strada|bulevardul|"
    r"ulitsa|prospekt|utca|ulice|katu|highway|hwy"
)
_ADDRESS = re.compile(
    # "12 rue de la Paix", "178 Calle Mayor", "5, avenue Foch"
    rf"\b\d{{1,5}}[a-zA-Z]?,?\s+(?i:{_STREET_WORDS})(?:\s+(?:[^\W\d_][\w'’.-]*))"
    r"(?:\s+(?:[^\W\d_][\w'’.-]*|de|la|du|del|des|di)){0,4}"
    # "Calle Mayor 178", "Via Roma 3", "Rua das Flores 12"
    rf"|\b(?i:{_STREET_WORDS})\s+(?:[^\W\d_][\w'’.-]*\s+){{1,4}}\d{{1,5}}[a-zA-Z]?\b"
    # "83 Bahnhofstrasse", "163 Kerkstraat"
    r"|\b\d{1,5}[a-zA-Z]?,?\s+[^\W\d_]+(?:straße|strasse|straat|gasse|weg|laan|plein|gracht|gade|vej|gatan|vägen"
    r"|katu|utca)\b"
    # "Hauptstraße 5", "Kerkstraat 12"
    r"|\b[^\W\d_]+(?:straße|strasse|str\.|weg|gasse|platz|straat|laan|gade|vej|gatan|vägen)\s+\d{1,5}[a-zA-Z]?\b"
    # "221 Baker Street"
    r"|\b\d{1,5}\s+(?:[A-Z][\w'’-]+\s+){1,3}(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Dr|Boulevard|Blvd|Way|Highway|Hwy|Parkway|Terrace|Square|Court)\b",
    re.UNICODE,
)
# a number and words after "lives at", "address:": a street whatever its language
_ADDRESS_CUED = re.compile(
    r"(?i:\b(?:lives|living|resides|residing|resident|domiciled|address(?:ed)?|adresse|domicilio|wohnhaft)"
    r"(?:\s+(?:at|in|on|à|en|a))?\s*:?\s+)"
    r"(\d{1,5}[a-zA-Z]?,?\s+[^\W\d_][\w'’.-]*(?:\s+(?:[^\W\d_][\w'’.-]*)){0,3})",
    re.UNICODE,
)
_BIRTH = re.compile(
    r"(?i:\b(?:born|b\.|n[ée]e?|DOB|D\.O\.B\.|date of birth|geboren|nacido|nata?o?)\b[\s:,]*(?:on\s+)?)"
    r"(\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{4}-\d{2}-\d{2}|\d{1,2}\s+[A-Za-z]+\s+\d{4}|\d{4})"
)


def _iban_ok(candidate: str) -> bool:
    from stdnum import iban

    compact = candidate.replace(" ", "")
    return 15 <= len(compact) <= 34 and (iban.is_valid(compact) or compact[:2].isalpha())


def find_personal(text: str) -> list[Finding]:
    """The personal values in ``text``, in order, overlaps merged (the wider finding wins)."""
    found: list[Finding] = []
    for m in _EMAIL.finditer(text):
        found.append(Finding(m.start(), m.end(), "e-mail"))
    for m in _IBAN.finditer(text):
        if _iban_ok(m.group(0)):
            found.append(Finding(m.start(), m.end(), "iban"))
    for m in _BIRTH.finditer(text):
        found.append(Finding(m.start(1), m.end(1), "date of birth"))
    for m in _ADDRESS.finditer(text):
        found.append(Finding(m.start(), m.end(), "address"))
    for m in _ADDRESS_CUED.finditer(text):
        found.append(Finding(m.start(1), m.end(1), "address"))
    for m in _PHONE.finditer(text):
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", m.group(0).strip()):
            found.append(Finding(m.start(), m.end(), "phone"))
    for m in _PASSPORT.finditer(text):
        found.append(Finding(m.start(), m.end(), "id"))
    for m in _PASSPORT_CUED.finditer(text):
        found.append(Finding(m.start(1), m.end(1), "id"))
    found += _name_findings(text)
    found.sort(key=lambda f: (f.start, -(f.end - f.start)))
    merged: list[Finding] = []
    for f in found:
        if merged and f.start < merged[-1].end:
            continue
        merged.append(f)
    return merged


def scrub_personal(text: str) -> str:
    """``text`` with every personal value :func:`find_personal` finds replaced by ``[kind]``."""
    if not text or not text.strip():
        return text
    out = text
    for f in reversed(find_personal(text)):
        out = out[: f.start] + f"[{f.kind}]" + out[f.end :]
    return out
