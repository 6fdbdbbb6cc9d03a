"""The photo tables (migration ``0013_photos``): one row per photo attached to a case or an item
(``photos``), and the files of the database backend (``photo_blobs``)."""

from __future__ import annotations

import sqlalchemy as sa

from workbench.store import Base

__all__ = ["PHOTOS", "PHOTO_BLOBS", "KINDS", "PERSONAL_KINDS"]

#: What a photo shows
KINDS = ("concealment", "goods", "packaging", "document", "x-ray", "person")
#: Kinds that are personal data: only roles that may see personal data see them
PERSONAL_KINDS = frozenset({"person", "document"})

PHOTOS = sa.Table(
    "photos",
    Base.metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("reporting_country", sa.String(2), nullable=False),
    sa.Column("case_id", sa.Text, nullable=False),
    sa.Column("item_no", sa.Integer, nullable=True),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("personal", sa.Boolean, nullable=False),
    sa.Column("caption", sa.Text, nullable=True),
    sa.Column("file_name", sa.Text, nullable=False),
    sa.Column("media_type", sa.String(40), nullable=False),
    sa.Column("width", sa.Integer, nullable=False),
    sa.Column("height", sa.Integer, nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("phash", sa.String(64), nullable=False),
    sa.Column("pdq", sa.String(64), nullable=False),
    sa.Column("pdq_quality", sa.Integer, nullable=False),
    sa.Column("phash_centre", sa.String(64), nullable=False),
    sa.Column("uploader", sa.Text, nullable=False),
    sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_photos_case", "reporting_country", "case_id"),
    sa.Index("ix_photos_sha256", "sha256"),
)

PHOTO_BLOBS = sa.Table(
    "photo_blobs",
    Base.metadata,
    sa.Column("key", sa.String(100), primary_key=True),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("data", sa.LargeBinary, nullable=False),
)
