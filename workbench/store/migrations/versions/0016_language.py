"""language: each account's language (issue 21)

Revision ID: 0016_language
Revises: 0001
Depends on: 0007_accounts

``accounts.language`` holds the code of the language the account chose in the sidebar (``en``, ``fr``,
``es``, ``pt``, ``ru``, ``ar``); blank until it chooses, when the app follows the browser's language.
See ``workbench/identity/accounts.py`` (``account_language``, ``set_account_language``).
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_language"
down_revision = "0001"
branch_labels = ("language",)
depends_on = "0007_accounts"


def upgrade() -> None:
    op.add_column("accounts", sa.Column("language", sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.drop_column("language")
