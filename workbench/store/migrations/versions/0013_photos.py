"""photos: photos attached to cases and items, and the files of the database backend

Revision ID: 0013_photos
Revises: 0001

See ``workbench/photos/models.py``.
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_photos"
down_revision = "0001"
branch_labels = ("photos",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "photos",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("reporting_country", sa.String(length=2), nullable=False),
        sa.Column("case_id", sa.Text(), nullable=False),
        sa.Column("item_no", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("personal", sa.Boolean(), nullable=False),
        sa.Column("caption", sa.Text(), nullable=True),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("media_type", sa.String(length=40), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("phash", sa.String(length=64), nullable=False),
        sa.Column("pdq", sa.String(length=64), nullable=False),
        sa.Column("pdq_quality", sa.Integer(), nullable=False),
        sa.Column("phash_centre", sa.String(length=64), nullable=False),
        sa.Column("uploader", sa.Text(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_photos_case", "photos", ["reporting_country", "case_id"])
    op.create_index("ix_photos_sha256", "photos", ["sha256"])
    op.create_table(
        "photo_blobs",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )


def downgrade() -> None:
    op.drop_table("photo_blobs")
    op.drop_index("ix_photos_sha256", table_name="photos")
    op.drop_index("ix_photos_case", table_name="photos")
    op.drop_table("photos")
