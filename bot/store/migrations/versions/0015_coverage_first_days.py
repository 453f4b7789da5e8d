"""household.first_platform_on / first_bdhvs_on and coverage_skill: the coverage figures without a probe per household

The first days are left empty here: which skills count comes from config, which a migration does not read. The
first read of the figures copies config's skills into coverage_skill and fills the first days from household_skill
(services/visit_summaries.sync_coverage), in that read's transaction.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 16:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "coverage_skill",
        sa.Column("scope", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("skill_code", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.PrimaryKeyConstraint("scope", "skill_code"),
    )
    # Plain ADD COLUMN (SQLite has it): a batch copy of `household` would drop a table visits refer to.
    op.add_column("household", sa.Column("first_platform_on", sa.Date(), nullable=True))
    op.add_column("household", sa.Column("first_bdhvs_on", sa.Date(), nullable=True))
    op.create_index(
        "ix_household_coverage", "household", ["team_code", "archived_at", "first_platform_on", "first_bdhvs_on"]
    )
    op.create_index("ix_household_assigned", "household", ["assigned_member_id", "archived_at"])
    op.drop_index("ix_household_assigned_member_id", table_name="household")


def downgrade() -> None:
    op.create_index("ix_household_assigned_member_id", "household", ["assigned_member_id"])
    op.drop_index("ix_household_assigned", table_name="household")
    op.drop_index("ix_household_coverage", table_name="household")
    op.drop_column("household", "first_bdhvs_on")  # SQLite 3.35+ drops a column in place
    op.drop_column("household", "first_platform_on")
    op.drop_table("coverage_skill")
