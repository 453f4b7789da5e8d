"""Each household's status on each platform of the catalogue: not yet / guided / uses it.

Completed visits imply "guided" for the platforms of the skills they covered; a member's correction
(HouseholdPlatform) says what is really so. The newer of the two wins, except that a visit after a
correction can only raise the status, never lower it (a household that uses VNeID and is shown DVC
still uses VNeID).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import Config
from bot.services import audit
from bot.services.visits import OUTCOME_DONE
from bot.store.models import Household, HouseholdPlatform, Member, Visit, VisitSkill


class Status(StrEnum):
    NONE = "none"
    GUIDED = "guided"
    USES = "uses"


_LEVEL = {Status.NONE: 0, Status.GUIDED: 1, Status.USES: 2}
Statuses = dict[int, dict[str, Status]]  # household id → platform code → status
_CHUNK = 500  # ids per IN (...) query


def _higher(a: Status, b: Status) -> Status:
    return a if _LEVEL[a] >= _LEVEL[b] else b


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


async def _guided_at(session: AsyncSession, config: Config, ids: list[int]) -> dict[tuple[int, str], datetime]:
    """When each (household, platform) was last guided by a completed, active visit."""
    platform_of = {s.code: s.platform for s in config.skills if s.platform}
    latest: dict[tuple[int, str], datetime] = {}
    for chunk in _chunks(ids):
        stmt = (
            select(Visit.household_id, VisitSkill.skill_code, func.max(Visit.created_at))
            .join(VisitSkill, VisitSkill.visit_id == Visit.id)  # type: ignore[arg-type]
            .where(col(Visit.household_id).in_(chunk), Visit.status == "active", Visit.outcome == OUTCOME_DONE)
            .group_by(Visit.household_id, VisitSkill.skill_code)
        )
        for hid, skill, at in (await session.exec(stmt)).all():  # type: ignore[call-overload]
            platform = platform_of.get(skill)
            if platform is None:
                continue
            key = (hid, platform)
            if key not in latest or at > latest[key]:
                latest[key] = at
    return latest


async def _corrections(session: AsyncSession, ids: list[int]) -> dict[tuple[int, str], HouseholdPlatform]:
    found: dict[tuple[int, str], HouseholdPlatform] = {}
    for chunk in _chunks(ids):
        stmt = select(HouseholdPlatform).where(col(HouseholdPlatform.household_id).in_(chunk))
        rows = (await session.exec(stmt)).all()
        found.update({(r.household_id, r.platform_code): r for r in rows})
    return found


def _effective(guided_at: datetime | None, correction: HouseholdPlatform | None) -> Status:
    if correction is None:
        return Status.GUIDED if guided_at is not None else Status.NONE
    corrected = Status(correction.status)
    if guided_at is None or correction.set_at >= guided_at:
        return corrected
    return _higher(corrected, Status.GUIDED)


async def for_households(session: AsyncSession, config: Config, household_ids: Iterable[int]) -> Statuses:
    """The status of every catalogue platform for each of these households."""
    ids = sorted(set(household_ids))
    guided = await _guided_at(session, config, ids)
    corrections = await _corrections(session, ids)
    return {
        hid: {p.code: _effective(guided.get((hid, p.code)), corrections.get((hid, p.code))) for p in config.platforms}
        for hid in ids
    }


async def correct(
    session: AsyncSession, member: Member, household: Household, platform_code: str, status: Status, now: datetime
) -> None:
    """A member says what the household's status on the platform really is (the caller checked the team)."""
    if household.team_code != member.team_code:
        raise PermissionError("household outside the member's team")
    row = await session.get(HouseholdPlatform, (household.id, platform_code))
    before = row.status if row is not None else None
    if row is None:
        row = HouseholdPlatform(household_id=household.id, platform_code=platform_code, status=status.value)  # type: ignore[arg-type]
    row.status, row.set_by, row.set_at = status.value, member.id, now
    session.add(row)
    await audit.record(
        session,
        now,
        member.id,
        "household.platform",
        "household",
        household.id,
        platform=platform_code,
        before=before,
        after=status.value,
    )
