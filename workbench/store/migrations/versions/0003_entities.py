"""entities: analysts' judgements on proposed person and company matches

Revision ID: 0003_entities
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_entities"
down_revision = "0001"
branch_labels = ("entities",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "match_judgements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("left_key", sa.String(length=300), nullable=False),
        sa.Column("right_key", sa.String(length=300), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=False),
        sa.Column("decided_by", sa.String(length=120), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "left_key", "right_key", name="uq_match_judgements_pair"),
    )


def downgrade() -> None:
    op.drop_table("match_judgements")
