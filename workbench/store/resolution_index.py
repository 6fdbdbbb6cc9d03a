"""What incremental entity resolution keeps in the store: the fitted match model of each kind, the
blocking keys of every resolved record and the frequencies of the names, so that records imported later
are resolved against the store without resolving it all again
(:mod:`workbench.network.incremental`).

Tables
    ``resolution_models``: one row per kind (``person``, ``company``): how pairs are scored
    (``method``, ``threshold``), the model's m, u and prior and the term-frequency totals (``body``,
    JSON), the records resolved and when. ``resolution_keys``: one row per blocking key of a resolved
    record: ``key`` (a 64-bit hash of kind, key name and value, indexed) and ``record_key``; a block
    already larger than its cap is one row with a blank ``record_key`` (it pairs nothing, as in a full
    resolution). ``resolution_terms``: how many records hold each name (``term``: a hash of kind, field
    and value), for the term-frequency adjustment.

Written by a full resolution (:func:`workbench.network.store_graph.rebuild_graph`) and kept by each
incremental one, in the same transaction as the entities they hold.

Examples
--------
>>> import pandas as pd
>>> a = key_hashes("person", "phone", pd.Series(["+331", "+331", "+332"]))
>>> bool(a[0] == a[1]), bool(a[0] == a[2]), a.dtype.name
(True, False, 'int64')
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import sqlalchemy as sa

from workbench.store.models import Base

__all__ = ["RESOLUTION_MODELS", "RESOLUTION_KEYS", "RESOLUTION_TERMS", "key_hashes", "FULL_BLOCK"]

RESOLUTION_MODELS = sa.Table(
    "resolution_models",
    Base.metadata,
    sa.Column("kind", sa.String(20), primary_key=True),
    sa.Column("method", sa.String(20), nullable=False),
    sa.Column("threshold", sa.Float, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("records", sa.Integer, nullable=False),
    sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)
RESOLUTION_KEYS = sa.Table(
    "resolution_keys",
    Base.metadata,
    sa.Column("key", sa.BigInteger, nullable=False),
    sa.Column("record_key", sa.String(200), nullable=False),
)
sa.Index("ix_resolution_keys_key", RESOLUTION_KEYS.c.key)
RESOLUTION_TERMS = sa.Table(
    "resolution_terms",
    Base.metadata,
    sa.Column("term", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("count", sa.Integer, nullable=False),
)
#: The ``record_key`` of a block's marker row: the block is larger than its cap.
FULL_BLOCK = ""


def key_hashes(kind: str, name: str, values: pd.Series) -> np.ndarray:
    """64-bit hashes (int64) of ``kind|name|value`` for each value (pandas' SipHash with its fixed key,
    the same in every process). Two keys that collide only make a pair that is compared for nothing."""
    text = (f"{kind}|{name}|" + values.astype("string").fillna("")).to_numpy(dtype=object)
    return pd.util.hash_array(text, categorize=True).view(np.int64)
