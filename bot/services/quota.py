"""Monthly outbound-message budgets (the Zalo Bot Platform's free plan allows about 3,000 a month).

Answers to what members type may use the whole month's quota; messages the bot starts (reminders, notices,
broadcasts, the weekly summary) stop `reply_reserve` short of it, so a big broadcast can never leave members
without answers for the rest of the month. An answer is marked in its outbox row's payload (ANSWER).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import Config, ZaloChannel
from bot.services.outbox import SENT
from bot.store.models import OutboxItem

ZALO = "zalo"  # the channel with a monthly quota
ANSWER = "answer"  # outbox payload key: the message answers what a member typed


def is_answer(item: OutboxItem) -> bool:
    return bool(item.payload.get(ANSWER))


def limit_for(settings: ZaloChannel, answer: bool) -> int:
    """How many messages of the month this kind of message may go out within."""
    return settings.monthly_quota if answer else max(0, settings.monthly_quota - settings.reply_reserve)


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


async def zalo_left_for_started(session: AsyncSession, config: Config, now: datetime) -> int:
    """Zalo messages the bot may still start this month (reminders, notices, broadcasts)."""
    used = await used_this_month(session, ZALO, now, config.tz)
    return max(0, limit_for(config.channels.zalo, answer=False) - used)
