"""Normalising names, phones, addresses and identifiers so that the same thing written twice compares equal.

Entity resolution (:mod:`workbench.network.resolve`) and the entity graph (:mod:`workbench.network.graph`) both key on
these forms, so "+234 803 123 4567", "002348031234567" and "0803 123 4567" (a Nigerian national
number) are one phone, and "MOHAMMED Ali" and "Ali Muhammad" fold to the same name skeleton.

Every function works on one value; the ``*_series`` forms apply it to a pandas Series through its
unique values (a million rows hold far fewer distinct names), which is what the resolver uses.

Examples
--------
>>> fold("  Zoë  O'Brien-Łukasz ")
'zoe o brien lukasz'
>>> name_key("MOHAMMED", "Ali") == name_key("Ali", "Mohammed")
True
>>> name_skeleton("Muhammad Yusuf") == name_skeleton("Mohamed Youssef")
True
>>> canonical_phone("0803 123 4567", country="NG"), canonical_phone("+234-803-123-4567")
('+2348031234567', '+2348031234567')
>>> canonical_phone("00234 803 1234567")
'+2348031234567'
>>> address_key("12 Harbour Rd., LAGOS, Nigeria") == address_key("12 harbour road, Lagos, Nigeria")
True
>>> identifier_key(" ab-123 456 "), conveyance_key("vessel", "IMO 9123456")
('AB123456', 'IMO9123456')
>>> company_key("Golden Star Trading Co., Ltd.") == company_key("GOLDEN STAR TRADING")
True
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import cache

import pandas as pd

__all__ = [
    "fold",
    "name_tokens",
    "name_key",
    "token_skeleton",
    "name_skeleton",
    "canonical_phone",
    "address_key",
    "identifier_key",
    "conveyance_key",
    "company_key",
    "legal_form",
    "calling_codes",
    "map_unique",
    "LEGAL_FORMS",
]

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_SPACES = re.compile(r"\s+")


def fold(text: object) -> str:
    """Lower case ASCII words: accents transliterated (unidecode), punctuation to spaces, blanks -> ``""``.

    >>> fold(None), fold(float("nan")), fold("Müller-Lüdenscheidt")
    ('', '', 'muller ludenscheidt')
    """
    if text is None or (isinstance(text, float) and text != text) or text is pd.NA:
        return ""
    s = str(text)
    if not s.isascii():
        from unidecode import unidecode

        s = unidecode(unicodedata.normalize("NFC", s))
    return _NON_ALNUM.sub(" ", s.casefold()).strip()


def name_tokens(*parts: object) -> list[str]:
    """The folded words of a name, in written order (first and last name given in any order)."""
    return [t for p in parts for t in fold(p).split() if t]


def name_key(*parts: object) -> str:
    """Order-insensitive exact key of a name: folded words, sorted and joined by one space."""
    return " ".join(sorted(name_tokens(*parts)))


# Rules that align common transliterations of one name (Arabic, Slavic, West African spellings in Latin
# script): applied in order to a folded word. They are deliberately coarse; the resolver compares
# skeletons only as one signal beside the spelled name.
_SKELETON_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), r)
    for p, r in (
        (r"^mu|^mo", "m"),  # Muhammad / Mohamed
        (r"^you|^yu|^jo|^yo|^iu|^ju", "y"),  # Youssef / Yusuf / Joseph
        (r"^ou|^u", "u"),  # Oumar / Umar
        (r"^e(?=[bsr])", "i"),  # Ebrahim / Ibrahim
        (r"ph", "f"),
        (r"kh", "k"),
        (r"ck|q", "k"),
        (r"x", "ks"),
        (r"sch|sh", "s"),
        (r"ch", "k"),
        (r"dzh|dj|zh", "j"),
        (r"th", "t"),
        (r"gh", "g"),
        (r"w", "v"),
        (r"z", "s"),
        (r"c(?=[eiy])", "s"),
        (r"c", "k"),
        (r"y", "i"),
        (r"ou|oo|u", "o"),
        (r"ee|ie|ei", "i"),
        (r"([a-z])\1+", r"\1"),  # double letters
        (r"(?<=.)[aeio]+", ""),  # inner and final vowels carry most transliteration noise
        (r"h(?=$)", ""),
        (r"(?<=.)t$", "d"),  # final devoicing: Ahmet / Ahmed
    )
)


@cache
def token_skeleton(token: str) -> str:
    """A consonant skeleton of one folded word that lines up common transliterations.

    >>> [token_skeleton(t) for t in ("mohammed", "muhammad", "mohamad", "youssef", "yusuf", "joseph")]
    ['mhmd', 'mhmd', 'mhmd', 'isf', 'isf', 'isf']
    >>> token_skeleton("oleksandr") == token_skeleton("aleksandr")
    False
    """
    s = token
    for pattern, repl in _SKELETON_RULES:
        s = pattern.sub(repl, s)
    return s or token[:1]


def name_skeleton(*parts: object) -> str:
    """Order-insensitive skeleton key of a name (sorted word skeletons)."""
    return " ".join(sorted(token_skeleton(t) for t in name_tokens(*parts)))


@cache
def calling_codes() -> dict[str, str]:
    """ITU country calling codes by ISO2 country (reference data shipped in ``workbench/data``)."""
    from importlib import resources

    import yaml

    data = yaml.safe_load(
        resources.files("workbench.format").joinpath("data/names.yaml").read_text(encoding="utf-8")
    )
    return {str(k): str(v) for k, v in data["calling_codes"].items()}


def canonical_phone(text: object, country: object = None) -> str:
    """A phone number in one international form ``+<calling code><number>``, or ``""`` when blank.

    ``+`` or ``00`` start the international form; a number starting with a single ``0`` is national and
    takes the calling code of ``country`` (ISO2: the person's nationality, the company's country or
    the reporting country); without one it stays ``0...`` so that it still equals itself.

    >>> canonical_phone("+1 (212) 555-0100"), canonical_phone("0044 20 7946 0958")
    ('+12125550100', '+442079460958')
    >>> canonical_phone("020 7946 0958"), canonical_phone("020 7946 0958", "GB"), canonical_phone(" ")
    ('02079460958', '+442079460958', '')
    """
    if text is None or (isinstance(text, float) and text != text) or text is pd.NA:
        return ""
    raw = str(text).strip()
    digits = re.sub(r"\D", "", raw)
    if not digits:
        return ""
    if raw.startswith("+"):
        return "+" + digits
    if digits.startswith("00"):
        return "+" + digits[2:]
    if digits.startswith("0"):
        cc = calling_codes().get(str(country or "").strip().upper())
        return f"+{cc}{digits[1:]}" if cc else digits
    return "+" + digits if len(digits) > 10 else digits


_ADDRESS_WORDS = {
    "rd": "road",
    "st": "street",
    "str": "strasse",
    "straße": "strasse",
    "ave": "avenue",
    "av": "avenue",
    "avda": "avenida",
    "blvd": "boulevard",
    "bd": "boulevard",
    "ln": "lane",
    "dr": "drive",
    "hwy": "highway",
    "sq": "square",
    "pl": "place",
    "cres": "crescent",
    "ct": "court",
    "cl": "close",
    "no": "",
    "nr": "",
}


def address_key(text: object) -> str:
    """Folded address with common street-type abbreviations written out (``Rd.`` -> ``road``).

    >>> address_key("Hauptstr. 5, Köln"), address_key("")
    ('hauptstrasse 5 koln', '')
    """
    words = fold(text).split()
    out = []
    for i, w in enumerate(words):
        w = _ADDRESS_WORDS.get(w, w) if i else w
        if w.endswith("str") and len(w) > 4:
            w = w + "asse"
        if w:
            out.append(w)
    return " ".join(out)


def identifier_key(text: object) -> str:
    """Passport, registration or other number: upper-case letters and digits only."""
    return fold(text).replace(" ", "").upper()


def conveyance_key(conveyance_type: object, text: object) -> str:
    """A flight number, vessel IMO number or vehicle plate as one upper-case token.

    Flight numbers lose leading zeros after the airline code (``AF0012`` = ``AF12``); IMO numbers are
    written ``IMO`` + 7 digits whatever the spelling.

    >>> conveyance_key("aircraft", "af 0012"), conveyance_key("vessel", "9123456"), conveyance_key("car", "AB-123-CD")
    ('AF12', 'IMO9123456', 'AB123CD')
    """
    key = identifier_key(text)
    if not key:
        return ""
    kind = str(conveyance_type or "")
    if kind == "aircraft":
        m = re.fullmatch(r"([A-Z0-9]{2}[A-Z]?)0*(\d{1,4})([A-Z]?)", key)
        if m:
            return m.group(1) + m.group(2) + m.group(3)
    elif kind == "vessel":
        digits = re.sub(r"\D", "", key)
        if len(digits) == 7:
            return "IMO" + digits
    return key


#: Legal forms (folded, word sequences) dropped from company names before comparing them.
LEGAL_FORMS: tuple[str, ...] = (
    "limited liability company",
    "private limited",
    "public limited company",
    "company limited",
    "co limited",
    "co ltd",
    "pty ltd",
    "pvt ltd",
    "pte ltd",
    "sdn bhd",
    "ltd sti",
    "sa de cv",
    "sp z o o",
    "gmbh co kg",
    "cia ltda",
    "s a r l",
    "s a s",
    "s a",
    "s l",
    "s r l",
    "s p a",
    "b v",
    "n v",
    "l l c",
    "f z e",
    "f z c o",
    "fz co",
    "incorporated",
    "corporation",
    "limited",
    "ltd",
    "llc",
    "llp",
    "plc",
    "inc",
    "corp",
    "gmbh",
    "ag",
    "kg",
    "bv",
    "nv",
    "sa",
    "sarl",
    "sas",
    "sl",
    "srl",
    "spa",
    "sac",
    "lda",
    "ltda",
    "fze",
    "fzco",
    "fzc",
    "jsc",
    "ooo",
    "tov",
    "saoc",
    "est",
    "pty",
    "pvt",
    "pte",
    "as",
    "ab",
    "oy",
    "pt",
    "co",
)
_LEGAL_RE = re.compile(r"\b(?:" + "|".join(re.escape(f).replace(r"\ ", r"\s+") for f in LEGAL_FORMS) + r")\b")
_COMPANY_WORDS = {
    "intl": "international",
    "int": "international",
    "trdg": "trading",
    "tradg": "trading",
    "imp": "import",
    "exp": "export",
    "imports": "import",
    "exports": "export",
    "ent": "enterprises",
    "entp": "enterprises",
    "enterprise": "enterprises",
    "grp": "group",
    "mfg": "manufacturing",
    "svcs": "services",
    "svc": "services",
    "bros": "brothers",
    "gen": "general",
    "genl": "general",
    "company": "",
    "and": "",
    "the": "",
}


def company_key(name: object) -> str:
    """A company name without its legal form, with common abbreviations written out, words in order.

    >>> company_key("Euro Fresh Imports B.V."), company_key("EURO FRESH IMP BV")
    ('euro fresh import', 'euro fresh import')
    """
    s = fold(name)
    s = _LEGAL_RE.sub(" ", s)
    words = [_COMPANY_WORDS.get(w, w) for w in s.split()]
    key = " ".join(w for w in words if w)
    return key or fold(name)


_FORM_SYNONYMS = {
    "limited": "ltd",
    "colimited": "coltd",
    "companylimited": "coltd",
    "incorporated": "inc",
    "corporation": "corp",
    "privatelimited": "pvtltd",
    "limitedliabilitycompany": "llc",
    "fzco": "fzco",
}


def legal_form(name: object) -> str:
    """The legal form at the end of a company name, in one spelling (``""`` when none is given).

    >>> legal_form("Euro Fresh B.V."), legal_form("Star Co., Ltd."), legal_form("Star Company Limited")
    ('bv', 'coltd', 'coltd')
    >>> legal_form("Acme Trading"), legal_form("ACME LIMITED")
    ('', 'ltd')
    """
    s = fold(name)
    found = [m.group(0) for m in _LEGAL_RE.finditer(s)]
    if not found:
        return ""
    last = found[-1].replace(" ", "")
    if len(found) > 1 and found[-2].replace(" ", "") == "co" and last in ("ltd", "limited"):
        last = "coltd"
    if last == "ltd" and re.search(r"\bcompany\s+limited$|\bcompany\s+ltd$", s):
        last = "coltd"
    return _FORM_SYNONYMS.get(last, last)


def map_unique(values: pd.Series, func: Callable[[str], str]) -> pd.Series:
    """``func`` applied to each distinct value of ``values`` once (blanks give ``""``), as a str Series.

    >>> map_unique(pd.Series(["A b", None, "A b"]), fold).tolist()
    ['a b', '', 'a b']
    """
    s = values.astype("string").fillna("")
    codes, uniques = pd.factorize(s, sort=False)
    mapped = pd.Series([func(u) for u in uniques.tolist()], dtype="string")  # lists iterate fast
    if len(mapped) == 0:
        return pd.Series([""] * len(s), index=s.index, dtype="string")
    return pd.Series(mapped.to_numpy()[codes], index=s.index, dtype="string")
