"""Closed periods: once a team has reported a period, its visits in that period are locked (staff can reopen).

Also the one rule for which day a visit may carry: not in the future, not further back than config allows,
and not in a period the team has already reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services import audit
from bot.store.models import PeriodLock


class DayProblem(StrEnum):
    FUTURE = "future"
    TOO_OLD = "too_old"
    LOCKED = "locked"


@dataclass(frozen=True)
class ClosedDay:
    problem: DayProblem
    period_key: str | None = None  # the reported period, for LOCKED
    earliest: date | None = None  # the earliest day allowed, for TOO_OLD


async def active_lock(session: AsyncSession, team_code: str, day: date) -> PeriodLock | None:
    """The team's reported period that contains `day`, if any (a reopened period is open again)."""
    stmt = select(PeriodLock).where(
        PeriodLock.team_code == team_code,
        col(PeriodLock.reopened_at).is_(None),
        PeriodLock.starts_on <= day,
        PeriodLock.ends_on >= day,
    )
    return (await session.exec(stmt)).first()


async def overlapping(
    session: AsyncSession, team_code: str, starts_on: date, ends_on: date, other_than: str
) -> list[PeriodLock]:
    """The team's other reported periods that still lock some of these days (e.g. a submitted quarter keeps its
    months closed when one month's report is reopened), earliest first."""
    stmt = (
        select(PeriodLock)
        .where(
            PeriodLock.team_code == team_code,
            PeriodLock.period_key != other_than,
            col(PeriodLock.reopened_at).is_(None),
            PeriodLock.starts_on <= ends_on,
            PeriodLock.ends_on >= starts_on,
        )
        .order_by(col(PeriodLock.starts_on), col(PeriodLock.id))
    )
    return list((await session.exec(stmt)).all())


async def check_day(
    session: AsyncSession, team_code: str, day: date, today: date, backdate_days: int
) -> ClosedDay | None:
    """Why a visit of the team cannot carry `day`, or None when it can."""
    if day > today:
        return ClosedDay(DayProblem.FUTURE)
    earliest = today - timedelta(days=backdate_days)
    if day < earliest:
        return ClosedDay(DayProblem.TOO_OLD, earliest=earliest)
    lock = await active_lock(session, team_code, day)
    if lock is not None:
        return ClosedDay(DayProblem.LOCKED, period_key=lock.period_key)
    return None


async def lock(
    session: AsyncSession,
    team_code: str,
    period_key: str,
    starts_on: date,
    ends_on: date,
    by_member_id: int | None,
    now: datetime,
) -> PeriodLock:
    """Close the team's period (done when its report is submitted)."""
    row = PeriodLock(
        team_code=team_code,
        period_key=period_key,
        starts_on=starts_on,
        ends_on=ends_on,
        locked_at=now,
        locked_by=by_member_id,
    )
    session.add(row)
    await session.flush()
    await audit.record(
        session, now, by_member_id, "period.lock", "period_lock", row.id, team=team_code, period=period_key
    )
    return row


async def reopen(session: AsyncSession, row: PeriodLock, by_member_id: int | None, now: datetime) -> None:
    """Open a reported period again (staff only; the caller checks the role)."""
    row.reopened_at, row.reopened_by = now, by_member_id
    session.add(row)
    await audit.record(
        session, now, by_member_id, "period.reopen", "period_lock", row.id, team=row.team_code, period=row.period_key
    )
