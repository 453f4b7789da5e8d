"""What the progress figures need to know of each household's visits, kept beside them: the first day each team
reached it (household_reach) and the first day a completed visit covered each skill there (household_skill).

Both are recomputed from the household's visits that still count, in the transaction that changed them
(services/visits calls `refresh`), so they can never drift from the visits; `rebuild` recomputes every household
(for rows written in bulk: the demo commune, benches, tests). The household's row is locked first, so two
visits to one household saved at once on PostgreSQL refresh one after the other.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, delete, func, insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.store.models import (
    OUTCOME_DONE,
    STATUS_ACTIVE,
    Household,
    HouseholdReach,
    HouseholdSkill,
    Visit,
    VisitSkill,
)


def _reach(household_id: int | None) -> Select[Any]:
    stmt = select(Visit.household_id, Visit.team_code, func.min(Visit.visited_on)).where(Visit.status == STATUS_ACTIVE)
    if household_id is not None:
        stmt = stmt.where(Visit.household_id == household_id)
    return stmt.group_by(Visit.household_id, Visit.team_code)


def _skills(household_id: int | None) -> Select[Any]:
    stmt = (
        select(Visit.household_id, VisitSkill.skill_code, func.min(Visit.visited_on))
        .join(VisitSkill, col(VisitSkill.visit_id) == Visit.id)
        .where(Visit.status == STATUS_ACTIVE, Visit.outcome == OUTCOME_DONE)
    )
    if household_id is not None:
        stmt = stmt.where(Visit.household_id == household_id)
    return stmt.group_by(Visit.household_id, VisitSkill.skill_code)


async def _recompute(session: AsyncSession, household_id: int | None) -> None:
    reach, skills = delete(HouseholdReach), delete(HouseholdSkill)
    if household_id is not None:
        reach = reach.where(col(HouseholdReach.household_id) == household_id)
        skills = skills.where(col(HouseholdSkill.household_id) == household_id)
    await session.exec(reach)  # type: ignore[call-overload]
    await session.exec(skills)  # type: ignore[call-overload]
    columns = ["household_id", "team_code", "first_visit_on"]
    await session.exec(insert(HouseholdReach).from_select(columns, _reach(household_id)))  # type: ignore[call-overload]
    columns = ["household_id", "skill_code", "first_done_on"]
    await session.exec(insert(HouseholdSkill).from_select(columns, _skills(household_id)))  # type: ignore[call-overload]


async def refresh(session: AsyncSession, household_id: int) -> None:
    """Recompute one household's summaries from its visits (after a visit was saved, corrected or undone)."""
    await session.flush()
    lock = select(Household.id).where(Household.id == household_id).with_for_update()
    await session.exec(lock)
    await _recompute(session, household_id)


async def rebuild(session: AsyncSession) -> None:
    """Recompute every household's summaries (after visits were written in bulk, not through services/visits)."""
    await session.flush()
    await _recompute(session, None)
