"""Monthly outbound-message budgets (the Zalo Bot Platform's free plan allows about 3,000 a month)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.outbox import SENT
from bot.store.models import OutboxItem


def month_start(now: datetime, tz: ZoneInfo) -> datetime:
    local = now.astimezone(tz)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def next_month_start(now: datetime, tz: ZoneInfo) -> datetime:
    start = month_start(now, tz)
    year, month = (start.year + 1, 1) if start.month == 12 else (start.year, start.month + 1)
    return start.replace(year=year, month=month)


async def used_this_month(session: AsyncSession, channel: str, now: datetime, tz: ZoneInfo) -> int:
    stmt = (
        select(func.count())
        .select_from(OutboxItem)
        .where(OutboxItem.channel == channel, OutboxItem.status == SENT, OutboxItem.sent_at >= month_start(now, tz))
    )
    return int((await session.exec(stmt)).one())
