"""team_period, member_period, team_skill_period, period_window and household.first_visit_on: period figures kept

household.first_visit_on is filled from household_reach. The period tables are left empty here: which windows cut the periods comes from config, which a migration does not read. The first read of
the figures fills them from the visits (services/period_counts.sync), in that read's transaction.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 19:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("household", sa.Column("first_visit_on", sa.Date(), nullable=True))
    op.execute(
        "UPDATE household SET first_visit_on ="
        " (SELECT min(first_visit_on) FROM household_reach WHERE household_reach.household_id = household.id)"
    )
    op.create_index("ix_household_first_visit_on", "household", ["first_visit_on"])
    op.create_table(
        "period_window",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cutoff_day", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "team_period",
        sa.Column("period_key", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("team_code", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("reached", sa.Integer(), nullable=False),
        sa.Column("elderly", sa.Integer(), nullable=False),
        sa.Column("ethnic_minority", sa.Integer(), nullable=False),
        sa.Column("no_device", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("period_key", "team_code"),
    )
    op.create_table(
        "member_period",
        sa.Column("period_key", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("team_code", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("visits", sa.Integer(), nullable=False),
        sa.Column("luot", sa.Integer(), nullable=False),
        sa.Column("reached", sa.Integer(), nullable=False),
        sa.Column("last_visit_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"]),
        sa.PrimaryKeyConstraint("period_key", "member_id", "team_code"),
    )
    op.create_table(
        "team_skill_period",
        sa.Column("period_key", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("team_code", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("skill_code", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("visits", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("period_key", "team_code", "skill_code"),
    )


def downgrade() -> None:
    op.drop_table("team_skill_period")
    op.drop_table("member_period")
    op.drop_table("team_period")
    op.drop_table("period_window")
    op.drop_index("ix_household_first_visit_on", table_name="household")
    op.drop_column("household", "first_visit_on")
