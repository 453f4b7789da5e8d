"""visit summaries: household_reach, household_skill and team_skill_day

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 10:00:00

The progress figures count from these instead of going through every visit of a period and its skills. They are
filled from the visits already stored, with the same statements as services/visit_summaries.rebuild.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CODE = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "household_reach",
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("team_code", _CODE(length=20), nullable=False),
        sa.Column("first_visit_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["household_id"], ["household.id"]),
        sa.PrimaryKeyConstraint("household_id", "team_code"),
    )
    with op.batch_alter_table("household_reach", schema=None) as batch_op:
        batch_op.create_index(
            "ix_household_reach_team_day", ["team_code", "first_visit_on", "household_id"], unique=False
        )
    op.create_table(
        "household_skill",
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("skill_code", _CODE(length=30), nullable=False),
        sa.Column("first_done_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["household_id"], ["household.id"]),
        sa.PrimaryKeyConstraint("household_id", "skill_code"),
    )
    op.create_table(
        "team_skill_day",
        sa.Column("team_code", _CODE(length=20), nullable=False),
        sa.Column("visited_on", sa.Date(), nullable=False),
        sa.Column("skill_code", _CODE(length=30), nullable=False),
        sa.Column("visits", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("team_code", "visited_on", "skill_code"),
    )
    op.execute(
        "INSERT INTO household_reach (household_id, team_code, first_visit_on)"
        " SELECT household_id, team_code, MIN(visited_on) FROM visit WHERE status = 'active'"
        " GROUP BY household_id, team_code"
    )
    op.execute(
        "INSERT INTO household_skill (household_id, skill_code, first_done_on)"
        " SELECT visit.household_id, visit_skill.skill_code, MIN(visit.visited_on)"
        " FROM visit JOIN visit_skill ON visit_skill.visit_id = visit.id"
        " WHERE visit.status = 'active' AND visit.outcome = 'done'"
        " GROUP BY visit.household_id, visit_skill.skill_code"
    )
    op.execute(
        "INSERT INTO team_skill_day (team_code, visited_on, skill_code, visits)"
        " SELECT visit.team_code, visit.visited_on, visit_skill.skill_code, COUNT(*)"
        " FROM visit JOIN visit_skill ON visit_skill.visit_id = visit.id WHERE visit.status = 'active'"
        " GROUP BY visit.team_code, visit.visited_on, visit_skill.skill_code"
    )


def downgrade() -> None:
    op.drop_table("team_skill_day")
    op.drop_table("household_skill")
    with op.batch_alter_table("household_reach", schema=None) as batch_op:
        batch_op.drop_index("ix_household_reach_team_day")
    op.drop_table("household_reach")
