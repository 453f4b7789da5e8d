"""inbox: updates stored before they are acknowledged to the platform, removed once answered

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import bot.store.types

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "inbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("update_ref", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("received_at", bot.store.types.UTCDateTime(), nullable=False),
        sa.Column("replays", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("channel", "update_ref"),
    )


def downgrade() -> None:
    op.drop_table("inbox")
