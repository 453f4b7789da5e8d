"""inbox: an answered update is kept (without its body) as the record that it was handled

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.store.types

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("inbox") as batch:
        batch.add_column(sa.Column("answered_at", bot.store.types.UTCDateTime(), nullable=True))


def downgrade() -> None:
    op.execute("DELETE FROM inbox WHERE answered_at IS NOT NULL")
    with op.batch_alter_table("inbox") as batch:
        batch.drop_column("answered_at")
