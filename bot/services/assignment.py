"""Who looks after which household: leaders assign the team's households to its members."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.roles import Role
from bot.core.text import vi_sort_key
from bot.services import audit
from bot.store.models import Household, Member, Visit


def _active_households(team_code: str):  # type: ignore[no-untyped-def]
    return select(Household).where(Household.team_code == team_code, col(Household.archived_at).is_(None))


async def team_members(session: AsyncSession, team_code: str) -> list[Member]:
    """The team's active members and leader, in Vietnamese name order."""
    rows = (
        await session.exec(
            select(Member).where(
                Member.team_code == team_code,
                col(Member.active).is_(True),
                col(Member.role).in_([Role.MEMBER.value, Role.LEADER.value]),
            )
        )
    ).all()
    return sorted(rows, key=lambda m: vi_sort_key(m.display_name))


async def loads(session: AsyncSession, team_code: str) -> list[tuple[Member, int]]:
    """Each member of the team with how many households they look after."""
    counts = dict(
        (
            await session.exec(
                select(Household.assigned_member_id, func.count())  # type: ignore[call-overload]
                .where(Household.team_code == team_code, col(Household.archived_at).is_(None))
                .group_by(Household.assigned_member_id)
            )
        ).all()
    )
    return [(m, int(counts.get(m.id, 0))) for m in await team_members(session, team_code)]


async def assigned_to(session: AsyncSession, team_code: str, member_id: int) -> list[Household]:
    """The households the member looks after, in Vietnamese name order."""
    rows = (await session.exec(_active_households(team_code).where(Household.assigned_member_id == member_id))).all()
    return sorted(rows, key=lambda h: (vi_sort_key(h.head_name), h.id))


async def visited_by(session: AsyncSession, team_code: str, member_id: int) -> list[Household]:
    """The team's households the member has visited (a visit that still counts), in Vietnamese name order."""
    visited = select(Visit.household_id).where(
        Visit.member_id == member_id, Visit.team_code == team_code, Visit.status == "active"
    )
    rows = (await session.exec(_active_households(team_code).where(col(Household.id).in_(visited)))).all()
    return sorted(rows, key=lambda h: (vi_sort_key(h.head_name), h.id))


async def unassigned_first(session: AsyncSession, team_code: str, member_id: int, limit: int) -> list[Household]:
    """Households to offer for assigning to `member_id`: nobody's first, then other members', by name."""
    rows = (
        await session.exec(
            _active_households(team_code).where(
                (col(Household.assigned_member_id).is_(None)) | (Household.assigned_member_id != member_id)
            )
        )
    ).all()
    rows = sorted(rows, key=lambda h: (h.assigned_member_id is not None, vi_sort_key(h.head_name), h.id))
    return list(rows[:limit])


async def assign(
    session: AsyncSession, leader: Member, households: list[Household], member: Member, now: datetime
) -> int:
    """Give these households to `member` (all of the leader's team). Returns how many changed hands."""
    if member.team_code != leader.team_code or any(h.team_code != leader.team_code for h in households):
        raise PermissionError("assignment outside the leader's team")
    changed = [h for h in households if h.assigned_member_id != member.id]
    for household in changed:
        household.assigned_member_id, household.updated_at = member.id, now
        session.add(household)
    if changed:
        await audit.record(
            session,
            now,
            leader.id,
            "household.assign",
            "member",
            member.id,
            households=[h.id for h in changed],
        )
    return len(changed)
