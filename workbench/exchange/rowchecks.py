"""Row-level checks derived from the exchange format: required cells, types, codes, ranges, keys.

:func:`check_table` turns one raw table (cells as read) into typed good rows plus one
:class:`Rejection` per failing cell, each naming the file/sheet, spreadsheet row and column. It is
vectorised: a million rows cost seconds, not minutes. The fuller Great Expectations gate runs after it
(see :mod:`workbench.exchange.ingest`, ``Gate``).

Examples
--------
>>> import pandas as pd
>>> from workbench.exchange.files import RawTable, ROW
>>> raw = pd.DataFrame({ROW: [2, 3], "case_id": ["A1", "A2"], "reporting_country": ["FR", "ZZ"],
...                     "seizure_date": ["2024-01-31", "31/01/2024"]})
>>> checked = check_table(RawTable("cases", raw, "cases.csv"))
>>> checked.frame["case_id"].tolist()
['A1']
>>> sorted((r.row, r.column) for r in checked.rejections)
[(3, 'reporting_country'), (3, 'seizure_date')]
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Collection
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from workbench.exchange.files import REFUSED, ROW, RawTable
from workbench.format.reference import UNKNOWN_COUNTRY
from workbench.format.schema import FORMAT, Column
from workbench.i18n import _

__all__ = [
    "Rejection",
    "Reason",
    "CheckedTable",
    "check_table",
    "coerce_column",
    "blank_mask",
    "KeyIndex",
    "key_hashes",
    "strip_controls",
    "CONTROL_CHARACTERS",
]


class Reason(str):
    """A refusal's reason in the language in force that remembers the check (the rule's expectation) it
    comes from, so the quality report files it under its rule whatever the language."""

    check: str = ""

    def __new__(cls, text: str, check: str = "") -> Reason:
        obj = super().__new__(cls, text)
        obj.check = check
        return obj


@dataclass(frozen=True)
class Rejection:
    """Why one row (or one whole table, when ``row`` is None) was refused or flagged."""

    table: str
    row: int | None
    column: str | None
    reason: str
    where: str = ""
    severity: str = "critical"  # critical: quarantined; warning: stored and flagged
    #: the expectation the refusal enforces (``expect_...``), when the check that refused it knows it
    check: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if not self.check and isinstance(self.reason, Reason) and self.reason.check:
            object.__setattr__(self, "check", self.reason.check)

    def to_dict(self) -> dict[str, object]:
        d = asdict(self)
        d.pop("check")
        d["reason"] = str(self.reason)
        return d

    def __str__(self) -> str:
        loc = self.where or self.table
        if self.row is not None and self.column:
            return _(
                "{where}, row {row}, column {column!r}: {reason}",
                where=loc,
                row=self.row,
                column=self.column,
                reason=self.reason,
            )
        if self.row is not None:
            return _("{where}, row {row}: {reason}", where=loc, row=self.row, reason=self.reason)
        if self.column:
            return _(
                "{where}, column {column!r}: {reason}", where=loc, column=self.column, reason=self.reason
            )
        return _("{where}: {reason}", where=loc, reason=self.reason)


@dataclass
class CheckedTable:
    name: str
    frame: pd.DataFrame  # good rows, typed, in format order, plus ROW and ``extra`` (JSON text or NA)
    rejections: list[Rejection] = field(default_factory=list)
    rejected_rows: set[int] = field(default_factory=set)
    read_rows: int = 0
    unknown_columns: list[str] = field(default_factory=list)
    #: cells whose control characters were removed: column -> spreadsheet rows
    cleaned: dict[str, list[int]] = field(default_factory=dict)


def blank_mask(s: pd.Series) -> pd.Series:
    """True where a cell is blank (missing, empty or only spaces)."""
    if s.dtype == object or pd.api.types.is_string_dtype(s):
        return s.isna() | s.astype("string").str.strip().fillna("").eq("")
    return s.isna()


#: NUL and the other control characters (C0 but tab, line feed and carriage return; DEL; C1): never
#: part of a value. A spreadsheet or a database export leaves them; they would make ``N2\x00`` and ``N2``
#: two cases.
CONTROL_CHARACTERS = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
_CONTROL = re.compile(CONTROL_CHARACTERS)


def strip_controls(s: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """The column without control characters, and where some were removed.

    >>> v, where = strip_controls(pd.Series(["N2\\x00", "ok", None, 3], dtype=object))
    >>> v.tolist(), where.tolist()
    (['N2', 'ok', None, 3], [True, False, False, False])
    """
    if not (s.dtype == object or pd.api.types.is_string_dtype(s)):
        return s, np.zeros(len(s), dtype=bool)
    # numbers and dates (workbook cells) never hold control characters: their text does not either
    where = s.astype("string").str.contains(_CONTROL, regex=True).fillna(False).to_numpy(dtype=bool)
    if not where.any():
        return s, where
    out = s.copy()
    out[where] = [_CONTROL.sub("", v) if isinstance(v, str) else v for v in s[where]]
    return out, where


def _decimal_comma(text: pd.Series) -> pd.Series:
    """Numbers written with a decimal comma (and '.', space or no-break space between thousands) in the
    form the number parser reads; other text unchanged (and refused as not a number)."""
    ok = text.str.match(r"^-?\d{1,3}(?:[. \u00a0\u202f]\d{3})*(?:,\d+)?$|^-?\d+(?:,\d+)?$").fillna(False)
    fixed = text.str.replace(r"[. \u00a0\u202f]", "", regex=True).str.replace(",", ".", regex=False)
    return text.where(~ok.astype(bool), fixed)


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: A whole number written by a spreadsheet as a float ("847130.0"): the digits before the point.
_FLOAT_CODE = r"^(\d+)\.0+$"


def _as_text(s: pd.Series) -> pd.Series:
    if s.dtype == object:
        s = s.map(lambda v: v.strftime("%Y-%m-%d") if isinstance(v, (dt.date, dt.datetime)) else v)
        # Workbook numbers that are whole (e.g. item_no 1.0) read as floats: show them as integers.
        s = s.map(lambda v: str(int(v)) if isinstance(v, float) and v.is_integer() else v)
    return s.astype("string").str.strip()


_IN_SET = "expect_column_values_to_be_in_set"
_REGEX = "expect_column_values_to_match_regex"
_TYPE = "expect_column_values_to_be_in_type_list"
_UNIQUE = "expect_compound_columns_to_be_unique"


def coerce_column(
    s: pd.Series, col: Column, codes: Collection[str], decimal: str = "."
) -> tuple[pd.Series, list[tuple[pd.Series, str]]]:
    """Convert one column to its format type (``decimal``: the decimal mark of numbers as text).

    Returns ``(values, failures)``: the typed values (NA where blank or bad) and, per kind of failure,
    a mask of the non-blank cells that failed and the reason shown for them.
    """
    text = _as_text(s)
    blank = text.isna() | text.eq("")
    text = text.mask(blank)
    t = col.type
    if t == "text":
        if col.pattern:
            # A code column (hs_code) that went through Excel as a number comes back as "847130.0":
            # the trailing ".0" of an all-digit value is an artefact of the float, not part of the code.
            text = text.str.replace(_FLOAT_CODE, r"\1", regex=True)
        return text, []
    if t == "iso2":
        v = text.str.upper()
        bad = ~blank & ~v.isin(list(codes))
        return v.mask(bad), [
            (bad, Reason(_("not an ISO 3166-1 alpha-2 country code (use XX for unknown)"), _IN_SET))
        ]
    if t == "iso2_list":
        v = text.str.upper().str.replace(r"\s+", "", regex=True).str.strip(";")
        parts = v.str.split(";")
        ok = parts.map(lambda xs: all(x in codes for x in xs) if isinstance(xs, list) else True).astype(bool)
        bad = ~blank & ~ok
        return v.mask(bad), [(bad, Reason(_("not a list of ISO2 country codes separated by ';'"), _REGEX))]
    if t == "enum":
        allowed = FORMAT.enums[col.enum or ""]
        v = text.str.lower()
        bad = ~blank & ~v.isin(list(allowed))
        return v.mask(bad), [(bad, Reason(_("not one of: {allowed}", allowed=", ".join(allowed)), _IN_SET))]
    if t == "date":
        stripped = text.str.replace(r"[ T]00:00(:00)?$", "", regex=True)
        looks = stripped.str.match(_ISO_DATE).fillna(False).astype(bool)
        parsed = pd.to_datetime(stripped.where(looks), format="%Y-%m-%d", errors="coerce")
        bad = ~blank & parsed.isna()
        return parsed, [
            (
                bad,
                Reason(
                    _("not a date in ISO 8601 form YYYY-MM-DD"),
                    "expect_column_values_to_match_strftime_format",
                ),
            )
        ]
    if t in ("float", "int"):
        if decimal == ",":
            text = _decimal_comma(text)
        num = pd.to_numeric(text, errors="coerce")
        bad = ~blank & num.isna()
        reason = Reason(_("not a number"), _TYPE)
        if t == "int":
            bad = bad | (~blank & ~bad & (num % 1 != 0)).fillna(False).astype(bool)
            reason = Reason(_("not a whole number"), _TYPE)
        limits, rng = [], pd.Series(False, index=s.index)
        if col.min is not None:
            rng |= (num < col.min).fillna(False).astype(bool)
            limits.append(f">= {col.min:g}")  # mathematical signs: the same in every language
        if col.min_exclusive is not None:
            rng |= (num <= col.min_exclusive).fillna(False).astype(bool)
            limits.append(f"> {col.min_exclusive:g}")
        if col.max is not None:
            rng |= (num > col.max).fillna(False).astype(bool)
            limits.append(f"<= {col.max:g}")
        rng = rng & ~bad
        out = num.mask(bad | rng)
        out = out.astype("Int64") if t == "int" else out.astype("float64")
        failures: list[tuple[pd.Series, str]] = [(bad, reason)]
        if rng.any():
            failures.append(
                (
                    rng,
                    Reason(
                        _("out of range: must be {limits}", limits=_(" and ").join(limits)),
                        "expect_column_values_to_be_between",
                    ),
                )
            )
        return out, failures
    raise ValueError(_("unknown column type {t!r}", t=t))


def key_hashes(frame: pd.DataFrame, key: tuple[str, ...] | list[str]) -> np.ndarray:
    """64-bit hashes of the key columns of each row (typed values joined as text).

    >>> df = pd.DataFrame({"reporting_country": ["FR", "FR"], "case_id": ["A", "A"]})
    >>> h = key_hashes(df, ["reporting_country", "case_id"]); bool(h[0] == h[1]), h.dtype.name
    (True, 'uint64')
    """
    if frame.empty:
        return np.zeros(0, dtype=np.uint64)
    text = frame[key[0]].astype("string").fillna("")
    for k in key[1:]:
        text = text + "\x1f" + frame[k].astype("string").fillna("")
    return pd.util.hash_array(text.to_numpy(dtype=object), categorize=False)


class KeyIndex:
    """The keys seen so far in one submission, across chunks, in 16 bytes a key.

    Holds sorted 64-bit key hashes and the spreadsheet row of each key's first occurrence, so that a
    duplicate in a later chunk is refused naming the row of the first.

    >>> idx = KeyIndex(); idx.add(np.array([5, 9], dtype=np.uint64), np.array([2, 3]))
    >>> idx.first_rows(np.array([9, 7], dtype=np.uint64)).tolist()
    [3, -1]
    """

    def __init__(self) -> None:
        self.hashes = np.zeros(0, dtype=np.uint64)
        self.rows = np.zeros(0, dtype=np.int64)

    def __len__(self) -> int:
        return len(self.hashes)

    def first_rows(self, hashes: np.ndarray) -> np.ndarray:
        """Row of the first occurrence of each hash, -1 where not seen."""
        if not len(self.hashes) or not len(hashes):
            return np.full(len(hashes), -1, dtype=np.int64)
        pos = np.searchsorted(self.hashes, hashes)
        pos_c = np.minimum(pos, len(self.hashes) - 1)
        hit = self.hashes[pos_c] == hashes
        return np.where(hit, self.rows[pos_c], -1)

    def contains(self, hashes: np.ndarray) -> np.ndarray:
        return self.first_rows(hashes) >= 0

    def discard(self, hashes: np.ndarray) -> None:
        """Forget these keys (a case refused after it was written)."""
        keep = ~np.isin(self.hashes, np.asarray(hashes, dtype=np.uint64))
        self.hashes, self.rows = self.hashes[keep], self.rows[keep]

    def add(self, hashes: np.ndarray, rows: np.ndarray) -> None:
        if not len(hashes):
            return
        h = np.concatenate([self.hashes, np.asarray(hashes, dtype=np.uint64)])
        r = np.concatenate([self.rows, np.asarray(rows, dtype=np.int64)])
        order = np.argsort(h, kind="stable")
        self.hashes, self.rows = h[order], r[order]


#: A column filled from another when blank (the category from the commodity's type).
_FOLLOWS = {"commodity_category": "commodity_type"}


def check_table(
    raw: RawTable, codes: Collection[str] | None = None, seen: KeyIndex | None = None
) -> CheckedTable:
    """Check one raw table against the format; see the module docstring.

    ``seen`` carries the keys of earlier chunks of the same table: a key seen there is refused as a
    duplicate here too, and this chunk's good keys are added to it.
    """
    if codes is None:
        from workbench.format.reference import country_codes

        codes = country_codes()
    spec = FORMAT.table(raw.name)
    df = raw.frame
    n = len(df)
    rows = df[ROW].to_numpy() if ROW in df.columns else np.arange(2, n + 2)
    out = CheckedTable(raw.name, pd.DataFrame(), read_rows=n)
    known = set(spec.column_names)
    out.unknown_columns = [c for c in df.columns if c not in known and c not in (ROW, REFUSED)]
    cleaned_cols: dict[str, pd.Series] = {}
    for c in df.columns:
        if c in (ROW, REFUSED):
            continue
        values, where = strip_controls(df[c])
        if where.any():
            cleaned_cols[c] = values
            out.cleaned[c] = [int(r) for r in rows[where]]
    if cleaned_cols:
        df = df.assign(**cleaned_cols)
    bad_any = np.zeros(n, dtype=bool)
    typed: dict[str, pd.Series] = {}

    missing = [c.name for c in spec.required_columns if c.name not in df.columns]
    if missing:
        out.rejections.append(
            Rejection(
                raw.name,
                None,
                ", ".join(missing),
                _(
                    "required column missing: every row refused (the header was read from row {row}; "
                    "if the header is another row, remove the rows above it)",
                    row=raw.header_row,
                ),
                raw.where,
                check="expect_column_to_exist",
            )
        )
        out.rejected_rows = set(int(r) for r in rows)
        out.frame = pd.DataFrame(columns=[ROW, *spec.column_names, "extra"])
        return out

    def reject(mask: np.ndarray, column: str, reason: str, check: str = "") -> None:
        for r in rows[mask]:
            out.rejections.append(Rejection(raw.name, int(r), column, reason, raw.where, check=check))

    today = pd.Timestamp(dt.date.today())
    refused: dict[str, np.ndarray] = {}
    if REFUSED in df.columns:
        # cells a reader or a mapping could not take (an ambiguous date): refused with its reason,
        # and not a second time by the checks below
        for i, reasons in enumerate(df[REFUSED].tolist()):
            if reasons:
                for column, reason in reasons.items():
                    out.rejections.append(Rejection(raw.name, int(rows[i]), column, reason, raw.where))
                    refused.setdefault(column, np.zeros(n, dtype=bool))[i] = True
                bad_any[i] = True

    decimal = getattr(raw, "decimal", ".")
    for col in spec.columns:
        if col.name not in df.columns:
            typed[col.name] = pd.Series(pd.NA, index=df.index, dtype="object")
            continue
        values, failures = coerce_column(df[col.name], col, codes, decimal)
        if col.type == "iso2" and col.name in spec.key:
            # A country in a record's key names the administration that reports it: "unknown" (XX)
            # names none, so the record could be neither attributed nor told apart from another's.
            unknown = (values == UNKNOWN_COUNTRY).fillna(False).astype(bool)
            failures.append(
                (
                    unknown,
                    _("{code} (unknown) cannot name the reporting administration", code=UNKNOWN_COUNTRY),
                )
            )
            values = values.mask(unknown)
        if col.kind == "birth_date":
            future = (values > today).fillna(False).astype(bool)
            failures.append(
                (
                    future,
                    _(
                        "a date of birth cannot be in the future (after {today})",
                        today=today.strftime("%Y-%m-%d"),
                    ),
                )
            )
            values = values.mask(future)
        bad_np = refused.get(col.name, np.zeros(n, dtype=bool)).copy()
        for mask, reason in failures:
            m = mask.to_numpy(dtype=bool) & ~bad_np
            if m.any():
                if col.type in ("iso2", "iso2_list") and col.name in df.columns:
                    # a country is never personal: the refusal quotes the value it refused
                    cells = df[col.name].to_numpy()
                    for j in np.flatnonzero(m):
                        out.rejections.append(
                            Rejection(
                                raw.name,
                                int(rows[j]),
                                col.name,
                                _("{reason}: {value!r}", reason=reason, value=cells[j]),
                                raw.where,
                                check=getattr(reason, "check", ""),
                            )
                        )
                else:
                    reject(m, col.name, reason)
                bad_np |= m
        if col.pattern:
            pat_bad = (
                values.notna() & ~values.astype("string").str.match(col.pattern).fillna(False)
            ).to_numpy(bool)
            pat_bad &= ~bad_np
            if pat_bad.any():
                reject(
                    pat_bad, col.name, _("does not match the pattern {pattern}", pattern=col.pattern), _REGEX
                )
            bad_np = bad_np | pat_bad
        if col.required:
            missing_np = values.isna().to_numpy(dtype=bool) & ~bad_np
            if col.name in _FOLLOWS and _FOLLOWS[col.name] in refused:
                # blank because the column it follows from was refused: said once, there
                missing_np &= ~refused[_FOLLOWS[col.name]]
            if missing_np.any():
                reject(
                    missing_np, col.name, _("required value is blank"), "expect_column_values_to_not_be_null"
                )
            bad_np = bad_np | missing_np
        bad_any |= bad_np
        typed[col.name] = values

    frame = pd.DataFrame(typed, index=df.index)
    frame.insert(0, ROW, rows)
    if out.unknown_columns:
        extra = df[out.unknown_columns].astype("string")
        frame["extra"] = [
            json.dumps({k: v for k, v in rec.items() if isinstance(v, str) and v.strip()}, ensure_ascii=False)
            for rec in extra.to_dict("records")
        ]
        frame.loc[frame["extra"] == "{}", "extra"] = None
    else:
        frame["extra"] = None

    # Keys unique within the file: later copies are refused, naming the first.
    good = frame[~bad_any]
    dup = good.duplicated(list(spec.key), keep="first")
    if dup.any():
        first_rows = good[~dup].set_index(list(spec.key))[ROW]
        for rec in good[dup].to_dict("records"):
            key = tuple(rec[k] for k in spec.key)
            first_row = first_rows.get(key if len(key) > 1 else key[0])
            out.rejections.append(
                Rejection(
                    raw.name,
                    int(rec[ROW]),
                    ", ".join(spec.key),
                    _(
                        "duplicate key {key} (first at row {first})",
                        key="/".join(map(str, key)),
                        first=first_row,
                    ),
                    raw.where,
                    check=_UNIQUE,
                )
            )
        bad_any[frame.index.get_indexer(good[dup].index)] = True

    if seen is not None:
        good = frame[~bad_any]
        hashes = key_hashes(good, spec.key)
        earlier = seen.first_rows(hashes)
        again = earlier >= 0
        if again.any():
            for rec, first_row in zip(good[again].to_dict("records"), earlier[again], strict=True):
                key = tuple(rec[k] for k in spec.key)
                out.rejections.append(
                    Rejection(
                        raw.name,
                        int(rec[ROW]),
                        ", ".join(spec.key),
                        _(
                            "duplicate key {key} (first at row {first})",
                            key="/".join(map(str, key)),
                            first=int(first_row),
                        ),
                        raw.where,
                        check=_UNIQUE,
                    )
                )
            bad_any[frame.index.get_indexer(good[again].index)] = True
        seen.add(hashes[~again], good[ROW].to_numpy()[~again])

    out.rejected_rows = set(int(r) for r in rows[bad_any])
    out.frame = frame[~bad_any].reset_index(drop=True)
    return out
