"""What of a table is personal data, decided once (in the format's schema) for every page, query and export.

The format's ``persons`` and ``companies`` tables are personal as a whole (``personal: true`` in
``exchange_format.yaml``). Inside the other tables the schema marks the columns that can name or point
to a person, for example in ``cases``:

- ``remarks``: free text; officers write names and phone numbers into it;
- ``extra`` (added by the store): columns the format does not know, kept from the submitted file;
  nobody has vetted them;
- ``conveyance_id``, personal unless the conveyance is an aircraft, a vessel or a train: a number plate
  or a tracking number leads to an owner or a sender; flight numbers, vessel IMO numbers and trains do
  not.

Users who may not see personal data (:attr:`workbench.config.Settings.can_see_personal`) get rows
through :func:`non_personal` (cases: :func:`non_personal_cases`).

Examples
--------
>>> conveyance_id_is_personal("truck"), conveyance_id_is_personal("aircraft")
(True, False)
>>> import pandas as pd
>>> df = pd.DataFrame({"conveyance_type": ["car", "vessel"], "conveyance_id": ["AB-123-CD", "IMO9321483"],
...                    "remarks": ["driver John Smith", None]})
>>> non_personal_cases(df)[["conveyance_id", "remarks"]].to_dict("list")
{'conveyance_id': [None, 'IMO9321483'], 'remarks': [None, None]}
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from workbench.format.schema import FORMAT, Table, any_table

__all__ = [
    "NON_PERSONAL_CONVEYANCE_TYPES",
    "conveyance_id_is_personal",
    "non_personal",
    "non_personal_cases",
    "personal_columns",
]

#: The cases column that makes conveyance nodes (flight numbers, IMO numbers, plates, tracking numbers).
_CONVEYANCE_ID = FORMAT.node_sources("conveyance")[0][1]
_CONVEYANCE_TYPE = _CONVEYANCE_ID.personal_unless.column if _CONVEYANCE_ID.personal_unless else ""

#: Conveyance types whose ids identify a public service, not a person (from the schema's condition on
#: the conveyance id).
NON_PERSONAL_CONVEYANCE_TYPES: frozenset[str] = (
    _CONVEYANCE_ID.personal_unless.values if _CONVEYANCE_ID.personal_unless else frozenset()
)


def conveyance_id_is_personal(conveyance_type: Any) -> bool:
    """True unless the conveyance is an aircraft, a vessel or a train (unknown types count as personal)."""
    return _CONVEYANCE_ID.is_personal_for({_CONVEYANCE_TYPE: conveyance_type})


def non_personal(frame: pd.DataFrame, table: str | Table = "cases") -> pd.DataFrame:
    """A copy of ``frame`` (rows of ``table``, any selection of its columns) with every personal cell
    cleared: the columns the schema marks personal, on the rows where they are.

    Columns the table does not know (scores, keys of a frame) are left alone.

    >>> non_personal(pd.DataFrame({"case_id": ["C1"], "extra": ['{"driver": "J. Smith"}']})).to_dict("list")
    {'case_id': ['C1'], 'extra': [None]}
    """
    spec = any_table(table) if isinstance(table, str) else table
    out = frame.copy()
    for name in out.columns:
        col = spec.stored_column(str(name))
        if col is None or not col.personal:
            continue
        rows = col.personal_rows(out)
        if bool(rows.all()):
            out[name] = pd.Series([None] * len(out), index=out.index, dtype=object)
        else:
            out[name] = out[name].astype(object).where(~rows, None)
    return out


def non_personal_cases(cases: pd.DataFrame) -> pd.DataFrame:
    """:func:`non_personal` of a cases frame: without ``remarks``, ``extra`` and the conveyance ids that
    point to a person."""
    return non_personal(cases, "cases")


def personal_columns(frame: pd.DataFrame, table: str | Table) -> dict[str, str]:
    """The columns of ``frame`` (rows of ``table``) that hold personal data on some row, with the kind
    the format gives them: every column of a personal table (those it does not know as ``unvetted``),
    the personal columns of the others. What to show as a column's name and kind, never its values.

    >>> personal_columns(pd.DataFrame({"person_id": ["P1"], "last_name": ["X"], "nickname": ["Y"]}), "persons")
    {'person_id': 'reference', 'last_name': 'family_name', 'nickname': 'unvetted'}
    >>> personal_columns(pd.DataFrame({"case_id": ["C1"], "remarks": ["r"]}), "cases")
    {'remarks': 'free_text'}
    """
    spec = any_table(table) if isinstance(table, str) else table
    out: dict[str, str] = {}
    for name in frame.columns:
        col = spec.stored_column(str(name))
        if col is None:
            if spec.personal:
                out[str(name)] = "unvetted"
        elif spec.personal or (col.personal and bool(col.personal_rows(frame).any())):
            out[str(name)] = col.kind
    return out
