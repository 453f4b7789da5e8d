"""One household's recent visits, for its card: when, what, by whom."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.store.models import Member, Visit, VisitSkill


@dataclass(frozen=True)
class PastVisit:
    visit_id: int
    visited_on: date
    skills: tuple[str, ...]
    member_name: str
    outcome: str
    note: str | None


async def last_skills(session: AsyncSession, household_id: int) -> tuple[str, ...]:
    """The skills of the household's latest visit that still counts, in one query ("as last time")."""
    latest = (
        select(Visit.id)
        .where(Visit.household_id == household_id, Visit.status == "active")
        .order_by(col(Visit.visited_on).desc(), col(Visit.id).desc())
        .limit(1)
        .scalar_subquery()
    )
    rows = await session.exec(select(VisitSkill.skill_code).where(VisitSkill.visit_id == latest))
    return tuple(rows.all())


async def recent(session: AsyncSession, household_id: int, limit: int = 3) -> list[PastVisit]:
    """The household's latest visits that still count, newest first."""
    rows = (
        await session.exec(
            select(Visit, Member.display_name)  # type: ignore[call-overload]
            .join(Member, col(Member.id) == Visit.member_id)
            .where(Visit.household_id == household_id, Visit.status == "active")
            .order_by(col(Visit.visited_on).desc(), col(Visit.id).desc())
            .limit(limit)
        )
    ).all()
    ids = [visit.id for visit, _ in rows]
    skills: dict[int, list[str]] = {i: [] for i in ids}
    if ids:
        for visit_id, code in (
            await session.exec(
                select(VisitSkill.visit_id, VisitSkill.skill_code).where(col(VisitSkill.visit_id).in_(ids))
            )  # type: ignore[call-overload]
        ).all():
            skills[visit_id].append(code)
    return [
        PastVisit(v.id, v.visited_on, tuple(skills[v.id]), name, v.outcome, v.note)  # type: ignore[index, arg-type]
        for v, name in rows
    ]
