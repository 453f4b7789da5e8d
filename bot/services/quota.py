"""Monthly outbound-message budgets (the Zalo Bot Platform's free plan allows about 3,000 a month).

A channel with a budget declares it in its settings (`Config.channels.quotas()`); nothing here knows which channel
that is. Answers to what members type may use the whole month's quota; messages the bot starts (reminders,
notices, broadcasts, the weekly summary) stop `reserve` short of it, so a big broadcast can never leave members
without answers for the rest of the month. An answer is marked in its outbox row's payload (outbox.ANSWER).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import Config, Quota
from bot.services.outbox import ANSWER, SENT
from bot.store.models import OutboxItem

__all__ = ["ANSWER", "Quota", "left_for_started", "limit_for", "month_start", "next_month_start", "used_this_month"]


def limit_for(budget: Quota, answer: bool) -> int:
    """How many messages of the month this kind of message may go out within."""
    return budget.monthly if answer else max(0, budget.monthly - budget.reserve)


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


async def left_for_started(session: AsyncSession, config: Config, now: datetime) -> dict[str, int]:
    """For each channel with a budget: the messages the bot may still start this month (reminders, notices,
    broadcasts)."""
    out = {}
    for channel, budget in config.channels.quotas().items():
        used = await used_this_month(session, channel, now, config.tz)
        out[channel] = max(0, limit_for(budget, answer=False) - used)
    return out
