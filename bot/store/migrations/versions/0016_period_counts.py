"""team_period, member_period, team_skill_period, first_reach and period_window: the period figures kept beside visits

ix_household_register replaces ix_household_coverage: it also holds the assigned member, so the register's figures
and the members' assigned households are counted in one pass.

Left empty here: which windows cut the periods comes from config, which a migration does not read. The first read of
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
    # the register's figures and the members' assigned households in one pass over one index
    op.create_index(
        "ix_household_register",
        "household",
        ["team_code", "archived_at", "assigned_member_id", "first_platform_on", "first_bdhvs_on"],
    )
    op.drop_index("ix_household_coverage", table_name="household")
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
        "first_reach",
        sa.Column("team_code", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("team_first_on", sa.Date(), nullable=False),
        sa.Column("commune_first_on", sa.Date(), nullable=False),
        sa.Column("households", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("team_code", "team_first_on", "commune_first_on"),
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
    op.create_index(
        "ix_household_coverage", "household", ["team_code", "archived_at", "first_platform_on", "first_bdhvs_on"]
    )
    op.drop_index("ix_household_register", table_name="household")
    op.drop_table("team_skill_period")
    op.drop_table("first_reach")
    op.drop_table("member_period")
    op.drop_table("team_period")
    op.drop_table("period_window")
