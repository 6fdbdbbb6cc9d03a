"""Likely duplicate seizures: the same reporting country, seizure date, place, commodity and quantity,
within one submission (across all its chunks) and against what the store already holds.

The state kept between chunks is small and flat: 64-bit hashes in sorted numpy arrays (about 20 bytes
per case and per item), so a million-case submission read in chunks stays within bounded memory.

A case that comes again with its own key (``reporting_country``, ``case_id``) is an update, never a
duplicate of itself; two identical items of one case are not flagged either (that is one seizure).

Examples
--------
>>> import pandas as pd
>>> cases = pd.DataFrame({"_row": [2, 3], "reporting_country": ["FR", "FR"], "case_id": ["A", "B"],
...                       "seizure_date": pd.to_datetime(["2024-01-02", "2024-01-02"]),
...                       "place_code": ["CDG", "CDG"], "place_name": [None, None]})
>>> items = pd.DataFrame({"_row": [2, 3], "reporting_country": ["FR", "FR"], "case_id": ["A", "B"],
...                       "commodity_type": ["cocaine", "cocaine"], "quantity": [12.5, 12.5],
...                       "unit": ["kg", "kg"]})
>>> tracker = DuplicateTracker()
>>> tracker.add_cases(cases)
>>> tracker.mark_items(items).tolist()
[<NA>, 'items row 2 (case FR/A)']
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from workbench.i18n import _
from workbench.store import DATA_TABLES, Store

__all__ = ["DuplicateTracker", "case_hashes"]

ROW = "_row"
_BATCH = 400


def _hash(df: pd.DataFrame) -> np.ndarray:
    return pd.util.hash_pandas_object(df, index=False).to_numpy(dtype=np.uint64)


def _norm(s: pd.Series, upper: bool = False) -> pd.Series:
    t = s.astype("string").str.strip()
    return (t.str.upper() if upper else t.str.lower()).fillna("")


def case_hashes(reporting_country: pd.Series, case_id: pd.Series) -> np.ndarray:
    """64-bit hashes of case keys (stable across calls and processes)."""
    return _hash(
        pd.DataFrame({"rc": _norm(reporting_country, upper=True), "id": case_id.astype("string").fillna("")})
    )


def _place(df: pd.DataFrame) -> pd.Series:
    code = _norm(df["place_code"], upper=True) if "place_code" in df else pd.Series("", index=df.index)
    name = _norm(df["place_name"]) if "place_name" in df else pd.Series("", index=df.index)
    return code.where(code != "", name)


def _days(s: pd.Series) -> np.ndarray:
    d = pd.to_datetime(s, errors="coerce")
    return (d.to_numpy(dtype="datetime64[D]").astype(np.int64)).astype(np.int64)


class _SortedIndex:
    """uint64 keys -> payload columns; append a chunk, look up many keys at once (first match wins)."""

    def __init__(self) -> None:
        self._parts: list[tuple[np.ndarray, dict[str, np.ndarray]]] = []

    def add(self, keys: np.ndarray, **payload: np.ndarray) -> None:
        if not len(keys):
            return
        order = np.argsort(keys, kind="stable")
        self._parts.append((keys[order], {k: np.asarray(v)[order] for k, v in payload.items()}))
        if len(self._parts) > 8:  # merge now and then so look-ups stay cheap
            keys_all = np.concatenate([p[0] for p in self._parts])
            order = np.argsort(keys_all, kind="stable")
            merged = {k: np.concatenate([p[1][k] for p in self._parts])[order] for k in self._parts[0][1]}
            self._parts = [(keys_all[order], merged)]

    def lookup(self, keys: np.ndarray, fields: list[str]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        found = np.zeros(len(keys), dtype=bool)
        out: dict[str, np.ndarray] = {}
        for part_keys, payload in self._parts:
            pos = np.searchsorted(part_keys, keys)
            pos_ok = np.minimum(pos, len(part_keys) - 1)
            hit = (pos < len(part_keys)) & (part_keys[pos_ok] == keys) & ~found
            for f in fields:
                if f not in out:
                    out[f] = np.zeros(len(keys), dtype=payload[f].dtype)
                out[f][hit] = payload[f][pos_ok[hit]]
            found |= hit
        for f in fields:
            out.setdefault(f, np.zeros(len(keys), dtype=np.int64))
        return found, out


_ITEM_COLUMNS = [ROW, "reporting_country", "case_id", "commodity_type", "quantity", "unit"]


class DuplicateTracker:
    """Remembers the cases and item signatures of one submission; marks items that repeat a seizure.

    ``store``: also compare with the stored seizures of the same reporting country and date.
    """

    def __init__(self, store: Store | None = None) -> None:
        self.store = store
        self._store_has_cases: bool | None = None
        self._cases = _SortedIndex()  # case hash -> seizure hash (country, date, place), row
        self._items = _SortedIndex()  # item signature -> case hash, row
        self._pending: list[pd.DataFrame] = []  # items whose case has not come yet (chunks out of step)

    def add_cases(self, cases: pd.DataFrame) -> None:
        """Remember the cases of one chunk."""
        if cases.empty:
            return
        keys = case_hashes(cases["reporting_country"], cases["case_id"])
        self._cases.add(keys, seizure=self._seizure_hash(cases), day=_days(cases["seizure_date"]))

    def resolve_pending(self) -> pd.DataFrame:
        """Items held back because their case had not come yet, now that it has: their ``_row`` and
        likely-duplicate mark (``_duplicate_of``). Items still without a case stay pending."""
        if not self._pending:
            return pd.DataFrame(columns=[*_ITEM_COLUMNS, "_duplicate_of"])
        held = pd.concat(self._pending, ignore_index=True)
        keys = case_hashes(held["reporting_country"], held["case_id"])
        now, _ = self._cases.lookup(keys, [])
        self._pending = [held.loc[~now]] if (~now).any() else []
        ready = held.loc[now].reset_index(drop=True)
        return (
            ready.assign(_duplicate_of=self.mark_items(ready))
            if len(ready)
            else ready.assign(_duplicate_of=None)
        )

    def _stored_seizures(self, items: pd.DataFrame, unknown: np.ndarray) -> pd.DataFrame:
        """Case fields of stored cases the chunk's items point to (items of cases stored earlier)."""
        if self.store is None or not unknown.any():
            return pd.DataFrame()
        c = DATA_TABLES["cases"]
        keys = list(
            dict.fromkeys(
                zip(
                    items.loc[unknown, "reporting_country"].astype(str),
                    items.loc[unknown, "case_id"].astype(str),
                    strict=True,
                )
            )
        )
        rows: list[Any] = []
        with self.store.engine.connect() as conn:
            for i in range(0, len(keys), _BATCH):
                q = sa.select(
                    c.c.reporting_country, c.c.case_id, c.c.seizure_date, c.c.place_code, c.c.place_name
                ).where(sa.tuple_(c.c.reporting_country, c.c.case_id).in_(keys[i : i + _BATCH]))
                rows.extend(conn.execute(q).fetchall())
        return pd.DataFrame(
            rows, columns=["reporting_country", "case_id", "seizure_date", "place_code", "place_name"]
        )

    def _store_matches(self, sigs: np.ndarray, rc_days: pd.DataFrame, own: np.ndarray) -> dict[int, str]:
        """Stored items with the same signature, of another case: signature -> 'stored case CC/ID'."""
        if self.store is None:
            return {}
        if self._store_has_cases is None:
            self._store_has_cases = not self.store.is_empty()
        if not self._store_has_cases:
            return {}
        c, i = DATA_TABLES["cases"], DATA_TABLES["items"]
        pairs = list(dict.fromkeys(zip(rc_days["rc"], rc_days["date"], strict=True)))
        rows: list[Any] = []
        join = sa.and_(i.c.reporting_country == c.c.reporting_country, i.c.case_id == c.c.case_id)
        cols = [
            c.c.reporting_country,
            c.c.case_id,
            c.c.seizure_date,
            c.c.place_code,
            c.c.place_name,
            i.c.commodity_type,
            i.c.quantity,
            i.c.unit,
        ]
        with self.store.engine.connect() as conn:
            for k in range(0, len(pairs), _BATCH):
                q = (
                    sa.select(*cols)
                    .select_from(c.join(i, join))
                    .where(sa.tuple_(c.c.reporting_country, c.c.seizure_date).in_(pairs[k : k + _BATCH]))
                )
                rows.extend(conn.execute(q).fetchall())
        if not rows:
            return {}
        st = pd.DataFrame(rows, columns=[col.name for col in cols])
        st_keys = case_hashes(st["reporting_country"], st["case_id"])
        st_sig = self._signature(st, self._seizure_hash(st))
        out: dict[int, str] = {}
        wanted = dict(zip(sigs.tolist(), own.tolist(), strict=True))
        for sig, key, rc, cid in zip(
            st_sig.tolist(), st_keys.tolist(), st["reporting_country"], st["case_id"], strict=True
        ):
            if sig in wanted and wanted[sig] != key and sig not in out:
                out[sig] = _("stored case {country}/{case}", country=rc, case=cid)
        return out

    @staticmethod
    def _seizure_hash(df: pd.DataFrame) -> np.ndarray:
        return _hash(
            pd.DataFrame(
                {
                    "rc": _norm(df["reporting_country"], upper=True),
                    "day": _days(df["seizure_date"]),
                    "place": _place(df),
                }
            )
        )

    @staticmethod
    def _signature(items: pd.DataFrame, seizure: np.ndarray) -> np.ndarray:
        qty = pd.to_numeric(items["quantity"], errors="coerce").round(3)
        return _hash(
            pd.DataFrame(
                {
                    "seizure": seizure,
                    "type": _norm(items["commodity_type"]),
                    "qty": qty.to_numpy(dtype=float, na_value=np.nan),
                    "unit": _norm(items["unit"]),
                }
            )
        )

    def mark_items(self, items: pd.DataFrame) -> pd.Series:
        """For each item of the chunk: what it likely duplicates (text), or NA. Remembers the items."""
        out = pd.Series(pd.NA, index=items.index, dtype="string")
        if items.empty:
            return out
        keys = case_hashes(items["reporting_country"], items["case_id"])
        known, info = self._cases.lookup(keys, ["seizure", "day"])
        seizure, day = info["seizure"].astype(np.uint64), info["day"].astype(np.int64)
        stored = self._stored_seizures(items, ~known)
        if len(stored):
            st_index = _SortedIndex()
            st_index.add(
                case_hashes(stored["reporting_country"], stored["case_id"]),
                seizure=self._seizure_hash(stored),
                day=_days(stored["seizure_date"]),
            )
            hit, st = st_index.lookup(keys, ["seizure", "day"])
            hit &= ~known
            seizure = np.where(hit, st["seizure"].astype(np.uint64), seizure)
            day = np.where(hit, st["day"].astype(np.int64), day)
            known = known | hit
        if not known.all():  # their case may come in a later chunk: look again then
            self._pending.append(items.loc[~known, _ITEM_COLUMNS].copy())
        if not known.any():
            return out
        sub = items.loc[known]
        sig = self._signature(sub, seizure[known])
        sub_keys, rows, sub_day = keys[known], sub[ROW].to_numpy(dtype=np.int64), day[known]
        rc = sub["reporting_country"].astype("string").to_numpy(dtype=object, na_value="")
        cid = sub["case_id"].astype("string").to_numpy(dtype=object, na_value="")
        text = np.full(len(sub), None, dtype=object)

        # an earlier chunk of this submission
        seen, prev = self._items.lookup(sig, ["case", "row"])
        for j in np.flatnonzero(seen & (prev["case"].astype(np.uint64) != sub_keys)).tolist():
            text[j] = _("items row {row}", row=int(prev["row"][j]))
        # an earlier row of this chunk, of another case
        order = np.lexsort((rows, sig))
        s_sig, s_key = sig[order], sub_keys[order]
        first = np.r_[True, s_sig[1:] != s_sig[:-1]]
        start = np.maximum.accumulate(np.where(first, np.arange(len(s_sig)), 0))
        for j in np.flatnonzero(~first & (s_key != s_key[start])).tolist():
            g, me = order[start[j]], order[j]
            if text[me] is None:
                text[me] = _(
                    "items row {row} (case {country}/{case})", row=int(rows[g]), country=rc[g], case=cid[g]
                )
        # the store: same reporting country and date, another case
        pending = np.flatnonzero(pd.isna(text))  # rows no earlier item explains yet
        if len(pending) and self.store is not None:
            dates = (np.datetime64("1970-01-01") + sub_day[pending].astype("timedelta64[D]")).astype(object)
            rc_days = pd.DataFrame({"rc": rc[pending], "date": dates})
            matches = self._store_matches(sig[pending], rc_days, sub_keys[pending])
            for j, s in zip(pending.tolist(), sig[pending].tolist(), strict=True):
                if s in matches:
                    text[j] = matches[s]
        # remember the first item of each signature
        new = ~seen & first[np.argsort(order)]
        self._items.add(sig[new], case=sub_keys[new], row=rows[new])
        out.loc[sub.index] = pd.array(text, dtype="string")
        return out
