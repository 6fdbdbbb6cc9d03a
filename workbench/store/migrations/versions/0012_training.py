"""training: courses, enrolled trainees and their exercise events (answers, hints)

Revision ID: 0012_training
Revises: 0001

See ``workbench/training/courses.py``. Enrolments name accounts (``0007_accounts``).
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_training"
down_revision = "0001"
branch_labels = ("training",)
depends_on = "0007_accounts"


def upgrade() -> None:
    op.create_table(
        "training_courses",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("packs", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "training_enrolments",
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("account", sa.String(length=100), nullable=False),
        sa.Column("enrolled_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["course_id"], ["training_courses.id"]),
        sa.PrimaryKeyConstraint("course_id", "account"),
    )
    op.create_table(
        "training_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("account", sa.String(length=100), nullable=False),
        sa.Column("pack", sa.String(length=100), nullable=False),
        sa.Column("question", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["course_id"], ["training_courses.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_training_events_trainee", "training_events", ["course_id", "account"])


def downgrade() -> None:
    op.drop_index("ix_training_events_trainee", table_name="training_events")
    op.drop_table("training_events")
    op.drop_table("training_enrolments")
    op.drop_table("training_courses")
