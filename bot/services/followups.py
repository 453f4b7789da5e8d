"""Households waiting for a return visit: their latest visit was marked "needs a return visit"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.visits import OUTCOME_RETURN
from bot.store.models import Household, Visit


@dataclass(frozen=True)
class FollowUp:
    household: Household
    visit_id: int
    visited_on: date
    member_id: int  # who made the visit that asked for a return


async def open_returns(
    session: AsyncSession, team_code: str, member_id: int | None = None, limit: int = 50
) -> list[FollowUp]:
    """The team's households whose latest active visit asks for a return visit, the longest waiting first.

    With `member_id`, only those the member visited last or looks after.
    """
    latest = (
        select(
            Visit.id,
            Visit.household_id,
            Visit.member_id,
            Visit.visited_on,
            Visit.outcome,
            func.row_number()
            .over(partition_by=Visit.household_id, order_by=(col(Visit.visited_on).desc(), col(Visit.id).desc()))
            .label("rank"),
        )
        .where(Visit.team_code == team_code, Visit.status == "active")
        .subquery()
    )
    stmt = (
        select(Household, latest.c.id, latest.c.visited_on, latest.c.member_id)
        .join(latest, latest.c.household_id == Household.id)
        .where(
            latest.c.rank == 1,
            latest.c.outcome == OUTCOME_RETURN,
            Household.team_code == team_code,
            col(Household.archived_at).is_(None),
        )
        .order_by(latest.c.visited_on, latest.c.id)
        .limit(limit)
    )
    if member_id is not None:
        stmt = stmt.where(or_(latest.c.member_id == member_id, Household.assigned_member_id == member_id))
    rows = (await session.exec(stmt)).all()  # type: ignore[call-overload]
    return [FollowUp(h, visit_id, visited_on, by) for h, visit_id, visited_on, by in rows]
