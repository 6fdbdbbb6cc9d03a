"""indexes: seizure date of cases (period filters, newest first)

Revision ID: 0005_indexes
Revises: 0001
"""

from alembic import op

revision = "0005_indexes"
down_revision = "0001"
branch_labels = ("indexes",)
depends_on = None


def upgrade() -> None:
    op.create_index("ix_cases_seizure_date", "cases", ["seizure_date"])


def downgrade() -> None:
    op.drop_index("ix_cases_seizure_date", table_name="cases")
