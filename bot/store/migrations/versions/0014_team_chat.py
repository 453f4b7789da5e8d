"""team_chat: a team's linked group chat; broadcast.group_outbox_id: a notice's one message to that group

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import bot.store.types

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "team_chat",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_code", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("chat_ref", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("linked_by", sa.Integer(), nullable=True),
        sa.Column("linked_at", bot.store.types.UTCDateTime(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("unlinked_at", bot.store.types.UTCDateTime(), nullable=True),
        sa.Column("unlinked_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["linked_by"], ["member.id"]),
        sa.ForeignKeyConstraint(["unlinked_by"], ["member.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_team_chat_team", "team_chat", ["team_code", "active"])
    op.create_index("ix_team_chat_chat", "team_chat", ["channel", "chat_ref"])
    # A plain ADD COLUMN (SQLite has it): a batch copy of `broadcast` would drop a table its recipients refer to.
    op.add_column("broadcast", sa.Column("group_outbox_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column("broadcast", "group_outbox_id")  # SQLite 3.35+ drops a column in place
    op.drop_index("ix_team_chat_chat", table_name="team_chat")
    op.drop_index("ix_team_chat_team", table_name="team_chat")
    op.drop_table("team_chat")
