"""join attempts: wrong invite codes counted per sender, to slow down guessing

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import bot.store.types

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "join_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("user_ref", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("at", bot.store.types.UTCDateTime(), nullable=False),
        sa.Column("throttled", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("join_attempt", schema=None) as batch_op:
        batch_op.create_index("ix_join_attempt_sender", ["channel", "user_ref", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("join_attempt", schema=None) as batch_op:
        batch_op.drop_index("ix_join_attempt_sender")
    op.drop_table("join_attempt")
