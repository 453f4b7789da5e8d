"""Recording visits: one row per visit, its skills beside it, an audit entry for each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services import audit
from bot.store.models import Household, Member, Visit, VisitSkill

OUTCOME_DONE = "done"
OUTCOME_RETURN = "return"


@dataclass(frozen=True)
class VisitDraft:
    household_id: int
    skills: tuple[str, ...]
    visited_on: date
    people_count: int = 1
    outcome: str = OUTCOME_DONE
    note: str | None = None


async def record(
    session: AsyncSession, member: Member, household: Household, draft: VisitDraft, now: datetime
) -> Visit:
    """Save a visit by `member` to `household` (the caller has checked the household is in the team)."""
    if household.team_code != member.team_code:
        raise PermissionError("household outside the member's team")
    visit = Visit(
        household_id=draft.household_id,
        member_id=member.id,  # type: ignore[arg-type]
        team_code=household.team_code,
        visited_on=draft.visited_on,
        people_count=draft.people_count,
        outcome=draft.outcome,
        note=draft.note,
        created_at=now,
    )
    session.add(visit)
    await session.flush()
    for code in dict.fromkeys(draft.skills):
        session.add(VisitSkill(visit_id=visit.id, skill_code=code))  # type: ignore[arg-type]
    household.updated_at = now
    session.add(household)
    await audit.record(
        session,
        now,
        member.id,
        "visit.create",
        "visit",
        visit.id,
        household=household.id,
        skills=list(draft.skills),
    )
    return visit
