"""household_word: the folded words of each household's name and address, for searches by index

The table is filled here from the households already stored, with the same derivation the services keep it with
(services/household_words.word_rows), so that a migrated register and a rebuilt one are the same.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 18:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from bot.services.household_words import word_rows

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TEXT = sqlmodel.sql.sqltypes.AutoString
_BATCH = 5000  # rows per executemany while filling


def upgrade() -> None:
    words = op.create_table(
        "household_word",
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("kind", _TEXT(length=1), nullable=False),
        sa.Column("word", _TEXT(length=400), nullable=False),
        sa.Column("team_code", _TEXT(length=20), nullable=False),
        sa.Column("numbers", _TEXT(length=200), nullable=False),
        sa.PrimaryKeyConstraint("team_code", "kind", "word", "numbers", "household_id"),
    )
    op.create_index("ix_household_word_household_id", "household_word", ["household_id"])
    op.create_index("ix_household_team_phone", "household", ["team_code", "phone"])
    bind = op.get_bind()
    households = bind.execute(
        sa.text("SELECT id, team_code, name_key, address_key FROM household WHERE archived_at IS NULL ORDER BY id")
    ).all()
    rows = [row for h in households for row in word_rows(h[0], h[1], h[2], h[3])]
    for start in range(0, len(rows), _BATCH):
        bind.execute(sa.insert(words), rows[start : start + _BATCH])


def downgrade() -> None:
    op.drop_index("ix_household_team_phone", table_name="household")
    op.drop_index("ix_household_word_household_id", table_name="household_word")
    op.drop_table("household_word")
