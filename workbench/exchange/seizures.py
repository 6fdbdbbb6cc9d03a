"""Seizure frames straight from an exchange-format data set (CSV folder, ``.zip`` or ``.xlsx``), no store.

The same shape as :func:`workbench.store.frames.seizure_frame`, for the command line and notebooks that
analyse a file without importing it.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from workbench.store.frames import CASE_COLUMNS, ITEM_COLUMNS, compact, filter_seizure_frame

__all__ = ["read_seizure_frame"]


def read_seizure_frame(path: Any, flt: Any = None) -> tuple[pd.DataFrame, list[Any]]:
    """A seizure frame (the shape of :func:`workbench.store.frames.seizure_frame`) read straight from an
    exchange-format data set (CSV folder, ``.zip`` or ``.xlsx``), without a store.

    The ``cases`` and ``items`` tables are read with :func:`workbench.exchange.files.read_dataset` and typed
    with :func:`workbench.exchange.rowchecks.check_table`, as an import does; rows that fail a check are left out
    and returned as rejections (each naming file, sheet, row and column). Raises
    :class:`~workbench.exchange.files.DatasetReadError` when the data set cannot be read at all.
    """
    from workbench.exchange.files import read_dataset
    from workbench.exchange.rowchecks import check_table
    from workbench.format.reference import country_codes

    raw = read_dataset(path, tables=("cases", "items"))
    codes = country_codes()
    checked = {name: check_table(t, codes) for name, t in raw.tables.items()}
    rejections = [r for c in checked.values() for r in c.rejections]
    cases = checked["cases"].frame[
        [
            "case_id",
            "reporting_country",
            *[c for c in CASE_COLUMNS if c not in ("case_id", "reporting_country")],
        ]
    ]
    if "items" in checked:
        items = checked["items"].frame[["case_id", "reporting_country", *ITEM_COLUMNS]]
        frame = cases.merge(items, on=["reporting_country", "case_id"], how="left")
    else:
        no_item = pd.Series(pd.NA, index=cases.index, dtype=object)
        frame = cases.assign(**dict.fromkeys(ITEM_COLUMNS, no_item))
    frame = compact(frame.reset_index(drop=True))
    frame.insert(
        0, "case_key", frame["reporting_country"].astype("string") + ":" + frame["case_id"].astype("string")
    )
    return filter_seizure_frame(frame, flt), rejections
