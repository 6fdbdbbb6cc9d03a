"""Exports: the filtered view as a formatted workbook, the exchange format, the non-personal export and
the pseudonymised export; each written to the audit log with its filter, the user and the legal basis.

Kinds (:data:`EXPORT_KINDS`):

- ``formatted``: the filtered cases and their items as a formatted Excel workbook for people
  (:func:`workbench.exchange.excel.formatted_workbook`); free text scrubbed for users who may not see personal data.
- ``exchange``: the whole data set or a filter of it in the exchange format (``.xlsx`` or a CSV folder),
  persons and companies included: needs a role that may see personal data and a stated legal basis.
- ``non_personal``: the non-personal part defined by the format: ``cases`` and ``items`` only, with
  ``remarks``, ``place_name`` and ``conveyance_id`` cleared of the names, passport numbers and phone
  numbers that the store's persons and companies tables hold, and of the personal values a recogniser
  finds without them (:mod:`workbench.format.scrub`: names, e-mail addresses, phones, IBANs,
  passport-like numbers, street addresses, dates of birth); without
  the ids of road vehicles and parcels (plates and tracking numbers point to a person, see
  :mod:`workbench.format.privacy`) and without unvetted extra columns.
- ``pseudonymised``: all four tables, persons and companies replaced by stable keyed pseudonyms
  (HMAC-SHA-256 with ``WORKBENCH_PSEUDONYM_KEY``, a key that stays with the exporting administration):
  the same person or company gets the same pseudonym in every case, so links survive without identities.
  Identifiers and phones are pseudonymised in the normal form the entity graph keys them on, so two
  spellings of one phone are one pseudonym as they are one node.

Which columns are names, identifiers, phones, addresses or personal data, and how a value is normalised,
comes from the format's schema (:mod:`workbench.format.schema`), not from lists in this module.

Workbooks never hold a live formula that came from data (cells are written as values).

Examples
--------
>>> lex = PersonalLexicon.build(
...     pd.DataFrame({"first_name": ["Amadou"], "last_name": ["DIALLO"], "passport_number": ["A1234567"],
...                   "phone": ["+221 77 123 45 67"]}),
...     pd.DataFrame({"name": ["Coral Shipping Ltd"], "registration_number": ["RC 3173435"], "phone": [""]}))
>>> scrub_text("Courier Amadou DIALLO (tel. +221 77 123 45 67, passport A1234567) for Coral Shipping Ltd.", lex)
'Courier [name] (tel. [phone], passport [id]) for [company].'
>>> pseudonym("person", "diallo|amadou", key="k" * 16)
'P-3022e153aa2c8d61'
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io
import re
import time
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pandas as pd
from sqlalchemy.orm import Session

from workbench.config import Settings
from workbench.format.normalise import calling_codes, canonical_phone, fold, identifier_key
from workbench.format.schema import FORMAT, Table
from workbench.i18n import N_, _
from workbench.identity import PermissionDenied, Principal, acting, authorise, can
from workbench.store import Store, audit
from workbench.store.filters import CaseFilter

__all__ = [
    "EXPORT_KINDS",
    "PERSONAL_EXPORT_KINDS",
    "export_kinds_for",
    "ExportDenied",
    "ExportRefused",
    "export_action",
    "non_personal_case",
    "ExportResult",
    "PersonalLexicon",
    "scrub_text",
    "pseudonym",
    "export_tables",
    "export_data",
    "export_bytes",
]

#: kind -> what it is, for the CLI help and the Data page (English: translated where shown, ``_(...)``)
EXPORT_KINDS: dict[str, str] = {
    "formatted": N_("formatted Excel workbook of the filtered cases and items (for people)"),
    "exchange": N_("exchange format (.xlsx or CSV folder), persons and companies included"),
    "non_personal": N_("non-personal export: cases and items only, free text scrubbed of personal data"),
    "pseudonymised": N_("pseudonymised export: persons and companies as stable keyed pseudonyms"),
}
NON_PERSONAL_BASIS = "non-personal data (no personal data leaves)"
#: kinds that carry personal data or pseudonyms of it: only for roles that may see personal data
PERSONAL_EXPORT_KINDS = frozenset({"exchange", "pseudonymised"})


def export_kinds_for(actor: Principal) -> list[str]:
    """The kinds of :data:`EXPORT_KINDS` the matrix lets ``actor`` make (:func:`export_action`), in
    their order.

    >>> from workbench.identity import Principal
    >>> export_kinds_for(Principal("v", "X", frozenset({"viewer"})))
    []
    >>> export_kinds_for(Principal("r", "X", frozenset({"rilo"})))
    ['formatted', 'non_personal']
    """
    return [k for k in EXPORT_KINDS if can(actor, export_action(k, actor))]


class ExportRefused(Exception):
    """The export may not be made as asked (role, legal basis, key); the message says why."""


class ExportDenied(ExportRefused, PermissionDenied):
    """The role x action matrix does not allow this export to this principal."""


def export_action(kind: str, actor: Principal) -> str:
    """The matrix's action an export of ``kind`` needs: with personal data (exchange, pseudonymised, a
    formatted workbook for someone who sees persons) or without.

    >>> from workbench.identity import Principal
    >>> export_action("formatted", Principal("v", "X", frozenset({"rilo"})))
    'export_non_personal'
    """
    if kind in PERSONAL_EXPORT_KINDS or (kind == "formatted" and can(actor, "export_personal")):
        return "export_personal"
    return "export_non_personal"


@dataclass
class ExportResult:
    kind: str
    paths: list[Path]
    counts: dict[str, int]
    filter: CaseFilter
    legal_basis: str
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- scrubbing
def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


_PHONE = re.compile(r"(?<![\w+])(?:\+|00)?\d[\d \-.()/]{5,}\d(?!\w)")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TOKEN = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*", re.UNICODE)


def _national_numbers(phone: str, country: str) -> set[str]:
    """The digits of a canonical phone after its calling code: how it is written without one.

    >>> sorted(_national_numbers("+2348031234567", "NG")), sorted(_national_numbers("08031234567", ""))
    (['8031234567'], ['8031234567'])
    """
    if not phone.startswith("+"):
        return {phone.lstrip("0")}
    own = calling_codes().get(country.strip().upper())
    if own and phone[1:].startswith(own):
        return {phone[1 + len(own) :]}
    # another country's number: any calling code it starts with (they are 1 to 3 digits)
    return {phone[1 + n :] for n in (1, 2, 3) if phone[1 : 1 + n] in _all_calling_codes()}


@cache
def _all_calling_codes() -> frozenset[str]:
    return frozenset(calling_codes().values())


@dataclass
class PersonalLexicon:
    """The personal values to look for in free text, read from the party tables (persons, companies)
    and put in the normal forms the entity graph keys on (:mod:`workbench.format.normalise`)."""

    full_names: set[str] = field(default_factory=set)  # folded "given family" and "family given"
    name_tokens: set[str] = field(default_factory=set)  # folded single given/family names
    companies: set[str] = field(default_factory=set)  # folded names of the parties named in one piece
    ids: set[str] = field(default_factory=set)  # identifier keys of passports and registration numbers
    phones: set[str] = field(default_factory=set)  # canonical phones (with the party's country)
    phone_numbers: set[str] = field(default_factory=set)  # the same without calling code or trunk 0
    max_words: int = 4

    @classmethod
    def build(cls, persons: pd.DataFrame, companies: pd.DataFrame) -> PersonalLexicon:
        """The lexicon of a persons and a companies table (see :meth:`from_tables`)."""
        return cls.from_tables({"persons": persons, "companies": companies})

    @classmethod
    def from_tables(cls, tables: Mapping[str, pd.DataFrame]) -> PersonalLexicon:
        """The lexicon of party tables by name: their names, identifiers and phones, by the kinds the
        format gives their columns."""
        lex = cls()
        for name, df in tables.items():
            spec = FORMAT.table(name)
            given, family = spec.columns_of_kind("given_name"), spec.columns_of_kind("family_name")
            if given and family and len(df):
                firsts = given[0].normal_forms(_cells(df, given[0].name))
                lasts = family[0].normal_forms(_cells(df, family[0].name))
                for f2, l2 in zip(firsts.tolist(), lasts.tolist(), strict=True):
                    if f2 and l2:
                        lex.full_names.add(f"{f2} {l2}")
                        lex.full_names.add(f"{l2} {f2}")
                    for part in (f2 + " " + l2).split():
                        if len(part) >= 2:
                            lex.name_tokens.add(part)
            for col in spec.columns_of_kind("name"):
                for fn in col.normal_forms(_cells(df, col.name)).unique():
                    if fn:
                        lex.companies.add(fn)
                        lex.max_words = max(lex.max_words, min(8, len(fn.split())))
            for col in spec.columns_of_kind("identifier"):
                lex.ids |= {v for v in col.normal_forms(_cells(df, col.name)).unique() if len(v) >= 5}
            for col in spec.columns_of_kind("phone"):
                hint = _cells(df, col.hint) if col.hint else pd.Series([""] * len(df), index=df.index)
                canonical = col.normal_forms(_cells(df, col.name), hint)
                countries = hint.astype("string").fillna("").tolist()
                for phone, country in set(zip(canonical.tolist(), countries, strict=True)):
                    if len(_digits(phone)) >= 6:
                        lex.phones.add(phone)
                        lex.phone_numbers |= {n for n in _national_numbers(phone, country) if len(n) >= 6}
        return lex

    @classmethod
    def from_store(cls, store: Store) -> PersonalLexicon:
        from workbench.store.queries import load_table

        return cls.from_tables(
            {name: load_table(store, name, personal_allowed=True) for name in FORMAT.party_tables}
        )

    def holds_phone(self, text: str) -> bool:
        """Whether ``text`` is one of the lexicon's phones, however it is written (with or without the
        country code, ``+`` or ``00``, a trunk ``0``)."""
        return canonical_phone(text) in self.phones or _digits(text).lstrip("0") in self.phone_numbers


def _cells(df: pd.DataFrame, column: str) -> pd.Series:
    if column in df.columns:
        return df[column].astype("string").fillna("").str.strip()
    return pd.Series([""] * len(df), index=df.index, dtype="string")


def _scrub_phones(text: str, lex: PersonalLexicon) -> str:
    def repl(m: re.Match[str]) -> str:
        s = m.group(0)
        if _ISO_DATE.match(s.strip()):
            return s
        d = _digits(s)
        # a number that starts like a phone (+, 00) or is long, or one the tables hold
        if s.startswith(("+", "00")) and len(d) >= 7 or len(d) >= 9 or lex.holds_phone(s):
            return "[phone]"
        return s

    return _PHONE.sub(repl, text)


def scrub_text(text: object, lex: PersonalLexicon, *, recognise: bool = True) -> object:
    """Free text with the lexicon's names, companies, identity numbers and phone numbers replaced, and
    (``recognise``) every personal value the recogniser finds without the persons table
    (:func:`workbench.format.scrub.scrub_personal`: names, e-mails, phones, IBANs, passport-like
    numbers, street addresses, dates of birth)."""
    if not isinstance(text, str) or not text.strip():
        return text
    out = text
    if recognise:
        from workbench.format.scrub import scrub_personal

        # first: an IBAN or an e-mail is taken whole before the phone pattern takes its digits
        out = scrub_personal(out)
    out = _scrub_phones(out, lex)
    tokens = list(_TOKEN.finditer(out))
    folded = [fold(t.group(0)) for t in tokens]
    cut: list[tuple[int, int, str]] = []
    i = 0
    while i < len(tokens):
        hit = None
        for n in range(min(lex.max_words, len(tokens) - i), 0, -1):
            phrase = " ".join(folded[i : i + n])
            if n > 1 and phrase in lex.companies:
                hit = (n, "[company]")
                break
            if n > 1 and phrase in lex.full_names:
                hit = (n, "[name]")
                break
            if n == 1:
                raw = tokens[i].group(0)
                f = folded[i]
                if any(ch.isdigit() for ch in raw) and identifier_key(raw) in lex.ids:
                    hit = (1, "[id]")
                elif phrase in lex.companies:
                    hit = (1, "[company]")
                elif f in lex.name_tokens and raw[:1].isupper():
                    hit = (1, "[name]")
        if hit:
            n, label = hit
            cut.append((tokens[i].start(), tokens[i + n - 1].end(), label))
            i += n
        else:
            i += 1
    for start, end, label in reversed(cut):
        out = out[:start] + label + out[end:]
    # neighbouring replacements of one name ("[name] [name]") read as one
    out = re.sub(r"\[name\](?:\s+\[name\])+", "[name]", out)
    return out


def _scrub_series(s: pd.Series, lex: PersonalLexicon) -> pd.Series:
    cache: dict[str, object] = {}

    def one(v: object) -> object:
        if not isinstance(v, str):
            return v
        if v not in cache:
            cache[v] = scrub_text(v, lex)
        return cache[v]

    return s.map(one)


def _without_personal_values(s: pd.Series, lex: PersonalLexicon) -> pd.Series:
    """Identifiers (flights, vessels, plates, parcels) that hold a personal value are cleared."""

    def one(v: object) -> object:
        if not isinstance(v, str) or not v.strip():
            return v
        scrubbed = scrub_text(v, lex)
        return None if scrubbed != v else v

    return s.map(one)


def _without_personal(df: pd.DataFrame, spec: Table, lex: PersonalLexicon) -> pd.DataFrame:
    """A non-personal table's rows without personal data, by what the format says of each column: free
    text and place names scrubbed of the lexicon's values and of what the recogniser finds; an identifier that is personal on some rows (a number plate,
    not a flight: :mod:`workbench.format.privacy`) cleared there and wherever it holds a personal
    value; every other personal column (``extra``: columns nobody has vetted) cleared."""
    out = df.copy()
    for name in out.columns:
        col = spec.stored_column(str(name))
        if col is None:
            continue
        if not col.personal:
            # a place name is not personal data, but it is text typed by a person ("farm of Ivan
            # PETROVIC"): what the lexicon or the recogniser finds in it goes
            if col.kind == "name" and col.type == "text":
                out[name] = _scrub_series(out[name], lex)
            continue
        if col.kind == "free_text":
            out[name] = _scrub_series(out[name], lex)
        elif col.personal_unless is not None:
            rows = col.personal_rows(out)
            out[name] = _without_personal_values(out[name], lex).astype(object).where(~rows, None)
        else:
            out[name] = pd.Series([None] * len(out), index=out.index, dtype=object)
    return out


# ---------------------------------------------------------------- pseudonyms
def pseudonym(kind: str, value: str, *, key: str) -> str:
    """A stable keyed pseudonym: HMAC-SHA-256 of ``kind:value`` under ``key``, 64 bits in hex."""
    digest = hmac.new(key.encode(), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()[:16]
    return f"{kind[:1].upper()}-{digest}"


def _require_key(settings: Settings | None) -> str:
    key = (settings or Settings.from_env()).pseudonym_key
    if not key:
        raise ExportRefused(
            _(
                "a pseudonymised export needs a secret key: set WORKBENCH_PSEUDONYM_KEY (at least 16 characters) "
                "in the environment; the key stays with your administration and is never stored or exported"
            )
        )
    if len(key) < 16:
        raise ExportRefused(_("WORKBENCH_PSEUDONYM_KEY is too short: use at least 16 characters"))
    return key


#: What the pseudonymised export does with a party's columns, by kind: identifiers and phones become
#: keyed pseudonyms of their normal form (the entity graph's: two spellings, one pseudonym), so links
#: through them survive; a date of birth keeps its year; names and addresses are cleared. Other
#: columns (role, gender, nationality, country) stay.
_PSEUDONYMISED_KINDS = frozenset({"identifier", "phone"})
_CLEARED_KINDS = frozenset({"name", "given_name", "family_name", "address", "free_text", "unvetted"})
#: Kinds that together say who a party is: its pseudonym is keyed on them (folded names, birth date).
_IDENTITY_KINDS = frozenset({"name", "given_name", "family_name", "birth_date"})


def _identity(df: pd.DataFrame, spec: Table) -> pd.Series:
    """``family|given|birth date`` of a person, the folded name of a company ("" when all are blank)."""
    parts = []
    for col in spec.columns:
        if col.kind not in _IDENTITY_KINDS:
            continue
        if col.kind == "birth_date":
            parts.append(df[col.name].astype("string").fillna("").str[:10])
        else:
            parts.append(col.normal_forms(df[col.name]))
    ident = parts[0]
    for p in parts[1:]:
        ident = ident + "|" + p
    return ident.where(ident.str.strip("|") != "", "")


def _pseudonymise(tables: dict[str, pd.DataFrame], key: str) -> dict[str, pd.DataFrame]:
    def ps(kind: str, values: Iterable[str]) -> list[str | None]:
        cache: dict[str, str | None] = {}
        out: list[str | None] = []
        for v in values:
            if v not in cache:
                cache[v] = pseudonym(kind, v, key=key) if v else None
            out.append(cache[v])
        return out

    out = dict(tables)
    for name, entity in FORMAT.party_tables.items():
        spec = FORMAT.table(name)
        df = tables[name].copy()
        column = f"{entity}_pseudonym"
        if not len(df):
            df.insert(1, column, pd.Series(dtype="string"))
            out[name] = df
            continue
        df.insert(1, column, ps(entity, _identity(df, spec)))
        record = df[spec.key[0]].astype("string").fillna("")
        for k in spec.key[1:]:
            record = record + ":" + df[k].astype("string").fillna("")
        df[spec.own_key[0]] = ps("id", record)
        for col in spec.attribute_columns:
            if col.kind in _PSEUDONYMISED_KINDS:
                hint = df[col.hint] if col.hint else None
                df[col.name] = ps(col.node or col.kind, col.normal_forms(df[col.name], hint))
            elif col.kind in _CLEARED_KINDS:
                df[col.name] = None
            elif col.kind == "birth_date":
                year = pd.to_datetime(df[col.name], errors="coerce").dt.year.astype("Int64")
                df = df.rename(columns={col.name: "birth_year"}).assign(birth_year=year)
        out[name] = df
    return out


# ---------------------------------------------------------------- building and writing
def non_personal_case(
    store: Store, reporting_country: str, case_id: str, day: dt.date
) -> dict[str, object] | None:
    """One case's row as the non-personal export carries it (free text scrubbed, personal identifiers
    cleared), so that someone who may not see personal data reads in the case detail what a
    non-personal export gives; a view of the case, not an export (nothing leaves, nothing to audit).
    None when the case is not stored."""
    from workbench.store.queries import load_table

    one_day = CaseFilter(reporting_countries=(reporting_country,), date_from=day, date_to=day)
    cases = load_table(store, "cases", one_day, personal_allowed=True)
    cases = cases[cases["case_id"] == case_id]
    if cases.empty:
        return None
    row = _without_personal(cases, FORMAT.table("cases"), PersonalLexicon.from_store(store))
    return {str(k): v for k, v in row.iloc[0].to_dict().items()}


def export_tables(
    store: Store,
    kind: str = "exchange",
    flt: CaseFilter | None = None,
    *,
    actor: Principal | None = None,
    settings: Settings | None = None,
) -> dict[str, pd.DataFrame]:
    """The tables an export of ``kind`` holds for the cases matching ``flt`` (nothing written).

    ``actor`` (default: :func:`~workbench.identity.accounts.current_principal`) must be allowed the
    export by the matrix (:func:`export_action`); :class:`ExportDenied` otherwise."""
    from workbench.store.queries import load_table

    if kind not in EXPORT_KINDS:
        raise ValueError(
            _(
                "unknown export kind {kind!r}; choose one of {export_kinds}",
                kind=kind,
                export_kinds=", ".join(EXPORT_KINDS),
            )
        )
    actor = acting(store, actor)
    try:
        authorise(store, actor, export_action(kind, actor))
    except PermissionDenied as e:
        raise ExportDenied(str(e)) from e
    flt = flt or CaseFilter()
    if kind == "pseudonymised":
        key = _require_key(settings)
    tables = {n: load_table(store, n, flt, personal_allowed=True) for n in FORMAT.non_personal_tables}
    personal_tables = [n for n in FORMAT.tables if n not in tables]
    if kind == "exchange":
        for n in personal_tables:
            tables[n] = load_table(store, n, flt, personal_allowed=True)
        return tables
    lex = PersonalLexicon.from_store(store)
    if kind != "formatted" or export_action(kind, actor) != "export_personal":
        tables = {n: _without_personal(df, FORMAT.table(n), lex) for n, df in tables.items()}
    if kind == "pseudonymised":
        for n in personal_tables:
            tables[n] = load_table(store, n, flt, personal_allowed=True)
        tables = _pseudonymise(tables, key)
    return tables


def _check_basis(kind: str, legal_basis: str | None) -> str:
    basis = (legal_basis or "").strip()
    if kind in ("exchange", "pseudonymised") and not basis:
        raise ExportRefused(
            _(
                "a {kind} export carries personal data (or pseudonyms of it): state its legal "
                "basis (--legal-basis, e.g. 'mutual administrative assistance agreement FR-ES "
                "2019, art. 4')",
                kind=kind,
            )
        )
    return basis or (NON_PERSONAL_BASIS if kind in ("non_personal",) else "internal use")


def _audit(
    s: Session,
    kind: str,
    flt: CaseFilter,
    basis: str,
    counts: dict[str, int],
    target: str,
    actor: Principal,
    recipients: Iterable[str] = (),
) -> None:
    """The export's audit entry, in the caller's transaction (before any file is written)."""
    audit(
        s,
        f"export.{kind}",
        {
            "kind": kind,
            "filter": flt.to_dict(),
            "filter_text": flt.describe(),
            "legal_basis": basis,
            "counts": counts,
            "target": target,
        },
        actor,
        recipients=recipients,
        query=flt.describe(),
        row_count=sum(counts.values()),
    )


def _formatted_bytes(tables: dict[str, pd.DataFrame], kind: str, flt: CaseFilter, basis: str) -> bytes:
    from workbench.exchange.excel import formatted_workbook

    notes = [
        _("Filter: {filter}", filter=flt.describe()),
        _("Export: {kind}", kind=_(EXPORT_KINDS[kind])),
        _("Legal basis: {basis}", basis=basis),
    ]
    return formatted_workbook(tables, title=_("CEN Intelligence Workbench export"), notes=notes)


def export_data(
    store: Store,
    out: str | Path,
    kind: str = "exchange",
    flt: CaseFilter | None = None,
    *,
    legal_basis: str | None = None,
    actor: Principal | None = None,
    settings: Settings | None = None,
    recipients: Iterable[str] = (),
) -> ExportResult:
    """Write an export of ``kind`` to ``out`` (a path ending ``.xlsx``, or a folder for CSV files) and audit it.

    ``formatted`` always writes a workbook. Raises :class:`ExportRefused` when the role, the legal
    basis or the pseudonym key does not allow it (nothing is written then). ``recipients`` (who the
    export is for) go in the audit entry, which is written before the file: if it fails, no file is
    left; if the file fails, no entry.
    """
    from workbench.exchange.files import write_dataset

    t0 = time.perf_counter()
    actor = acting(store, actor)
    flt = flt or CaseFilter()
    basis = _check_basis(kind, legal_basis)
    tables = export_tables(store, kind, flt, actor=actor, settings=settings)
    p = Path(out)
    if kind == "formatted" and p.suffix.lower() != ".xlsx":
        p = p.with_suffix(".xlsx")
    counts = {n: len(df) for n, df in tables.items()}
    paths: list[Path] = []
    try:
        # The audit entry is written first, in the transaction that commits the export: a failing
        # entry leaves no file, and a failing file write leaves no entry.
        with store.session() as s:
            _audit(s, kind, flt, basis, counts, str(p), actor, recipients)
            s.flush()
            if kind == "formatted":
                p.parent.mkdir(parents=True, exist_ok=True)
                paths = [p]
                p.write_bytes(_formatted_bytes(tables, kind, flt, basis))
            else:
                paths = write_dataset(tables, p)
    except BaseException:
        for f in paths:
            f.unlink(missing_ok=True)
        raise
    return ExportResult(kind, paths, counts, flt, basis, time.perf_counter() - t0)


def export_bytes(
    store: Store,
    kind: str = "exchange",
    flt: CaseFilter | None = None,
    *,
    fmt: str = "xlsx",
    legal_basis: str | None = None,
    actor: Principal | None = None,
    settings: Settings | None = None,
    recipients: Iterable[str] = (),
) -> tuple[bytes, str, dict[str, int]]:
    """An export as bytes for a download: ``(data, file name, row counts)``; audited like :func:`export_data`.

    ``fmt`` is ``xlsx`` (one workbook) or ``csv`` (a ``.zip`` of the CSV files).
    """
    from workbench.exchange.files import write_dataset

    actor = acting(store, actor)
    flt = flt or CaseFilter()
    basis = _check_basis(kind, legal_basis)
    tables = export_tables(store, kind, flt, actor=actor, settings=settings)
    stem = f"{kind.replace('_', '-')}-{dt.date.today():%Y%m%d}"
    if kind == "formatted":
        data, name = _formatted_bytes(tables, kind, flt, basis), f"{stem}.xlsx"
    elif fmt == "csv":
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            files = write_dataset(tables, Path(tmp) / stem)
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
                for f in files:
                    z.write(f, f"{stem}/{f.name}")
        data, name = buf.getvalue(), f"{stem}.zip"
    else:
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            f = Path(tmp) / f"{stem}.xlsx"
            write_dataset(tables, f)
            data, name = f.read_bytes(), f.name
    counts = {n: len(df) for n, df in tables.items()}
    with store.session() as s:
        _audit(s, kind, flt, basis, counts, f"download {name}", actor, recipients)
    return data, name, counts
