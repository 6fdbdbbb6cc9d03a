"""What of a case is personal data, decided once for every page, query and export.

The format's ``persons`` and ``companies`` tables are personal as a whole (``personal: true`` in the
format definition). Inside ``cases`` three things can name or point to a person:

- ``remarks``: free text; officers write names and phone numbers into it;
- ``extra``: columns the format does not know, kept from the submitted file; nobody has vetted them;
- ``conveyance_id`` of a road vehicle or parcel: a number plate or a tracking number leads to an owner
  or a sender. Flight numbers, vessel IMO numbers and trains do not.

Users who may not see personal data (:attr:`workbench.config.Settings.can_see_personal`) get cases
through :func:`non_personal_cases`.

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

__all__ = ["NON_PERSONAL_CONVEYANCE_TYPES", "conveyance_id_is_personal", "non_personal_cases"]

#: Conveyance types whose ids identify a public service, not a person.
NON_PERSONAL_CONVEYANCE_TYPES: frozenset[str] = frozenset({"aircraft", "vessel", "train"})


def conveyance_id_is_personal(conveyance_type: Any) -> bool:
    """True unless the conveyance is an aircraft, a vessel or a train (unknown types count as personal)."""
    return not (isinstance(conveyance_type, str) and conveyance_type in NON_PERSONAL_CONVEYANCE_TYPES)


def non_personal_cases(cases: pd.DataFrame) -> pd.DataFrame:
    """A copy of a cases frame without ``remarks``, ``extra`` and the conveyance ids that point to a person.

    Columns that are not there are left alone, so any selection of case columns can go through it.
    """
    out = cases.copy()
    for col in ("remarks", "extra"):
        if col in out.columns:
            out[col] = pd.Series([None] * len(out), index=out.index, dtype=object)
    if "conveyance_id" in out.columns:
        if "conveyance_type" in out.columns:
            personal = out["conveyance_type"].map(conveyance_id_is_personal).astype(bool)
        else:
            personal = pd.Series(True, index=out.index)
        out["conveyance_id"] = out["conveyance_id"].astype(object).where(~personal, None)
    return out
