"""`sotay outbox status`: what the outbox holds per channel, what went out today and this month, what failed.

Counts and error descriptions only: never message text, and chat ids only masked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import texts as T
from bot.config import Config
from bot.services import outbox, quota
from bot.store.models import OutboxItem

RECENT_ERRORS = 5


@dataclass(frozen=True)
class ErrorLine:
    at: datetime  # when the message was queued
    chat: str  # masked
    status: str  # pending (being retried) | failed | blocked
    error: str


@dataclass
class ChannelStatus:
    channel: str
    due_now: int = 0  # pending and due
    held: int = 0  # pending, not before a later time (quiet hours, quota, a retry's backoff)
    held_until: datetime | None = None  # the earliest of those times
    sent_today: int = 0
    sent_month: int = 0
    failed: int = 0
    blocked: int = 0
    errors: list[ErrorLine] = field(default_factory=list)


def mask_chat(chat_ref: str) -> str:
    """The last three characters of a chat id, enough to tell two apart in a list."""
    return f"…{chat_ref[-3:]}" if len(chat_ref) > 4 else "…"


def day_start(now: datetime, tz: ZoneInfo) -> datetime:
    return now.astimezone(tz).replace(hour=0, minute=0, second=0, microsecond=0)


async def _grouped(session: AsyncSession, *where: object) -> dict[str, int]:
    stmt = select(OutboxItem.channel, func.count()).where(*where).group_by(OutboxItem.channel)  # type: ignore[arg-type]
    return {channel: int(n) for channel, n in (await session.exec(stmt)).all()}


async def _recent_errors(session: AsyncSession, channel: str, limit: int) -> list[ErrorLine]:
    stmt = (
        select(OutboxItem.created_at, OutboxItem.chat_ref, OutboxItem.status, OutboxItem.error)
        .where(OutboxItem.channel == channel, col(OutboxItem.error).is_not(None), OutboxItem.status != outbox.SENT)
        .order_by(col(OutboxItem.id).desc())
        .limit(limit)
    )
    return [ErrorLine(at, mask_chat(chat), state, error or "") for at, chat, state, error in (await session.exec(stmt))]


async def channels(
    session: AsyncSession, now: datetime, tz: ZoneInfo, always: tuple[str, ...] = (), errors: int = RECENT_ERRORS
) -> list[ChannelStatus]:
    """Every channel with rows in the outbox (and those in `always`), in name order."""
    pending = OutboxItem.status == outbox.PENDING
    sent = OutboxItem.status == outbox.SENT
    due = await _grouped(session, pending, OutboxItem.next_attempt_at <= now)
    held = await _grouped(session, pending, OutboxItem.next_attempt_at > now)
    today = await _grouped(session, sent, col(OutboxItem.sent_at) >= day_start(now, tz))
    month = await _grouped(session, sent, col(OutboxItem.sent_at) >= quota.month_start(now, tz))
    failed = await _grouped(session, OutboxItem.status == outbox.FAILED)
    blocked = await _grouped(session, OutboxItem.status == outbox.BLOCKED)
    earliest_stmt = (
        select(OutboxItem.channel, func.min(OutboxItem.next_attempt_at))
        .where(pending, OutboxItem.next_attempt_at > now)
        .group_by(OutboxItem.channel)
    )
    earliest = dict((await session.exec(earliest_stmt)).all())
    known = (await session.exec(select(OutboxItem.channel).distinct())).all()
    out = []
    for name in sorted({*known, *always}):
        status = ChannelStatus(
            name,
            due_now=due.get(name, 0),
            held=held.get(name, 0),
            held_until=earliest.get(name),
            sent_today=today.get(name, 0),
            sent_month=month.get(name, 0),
            failed=failed.get(name, 0),
            blocked=blocked.get(name, 0),
            errors=await _recent_errors(session, name, errors),
        )
        out.append(status)
    return out


def _at(at: datetime, tz: ZoneInfo) -> str:
    return at.astimezone(tz).strftime("%H:%M %d/%m/%Y")


def _channel_lines(status: ChannelStatus, label: str, tz: ZoneInfo) -> list[str]:
    held = ""
    if status.held and status.held_until is not None:
        held = T.CLI_OUTBOX_HELD_UNTIL.format(at=_at(status.held_until, tz))
    lines = [
        T.CLI_OUTBOX_CHANNEL.format(channel=label),
        T.CLI_OUTBOX_PENDING.format(due=status.due_now, held=status.held, until=held),
        T.CLI_OUTBOX_SENT.format(today=status.sent_today, month=status.sent_month),
        T.CLI_OUTBOX_FAILED.format(failed=status.failed, blocked=status.blocked),
    ]
    if status.errors:
        lines.append(T.CLI_OUTBOX_ERRORS)
        lines += [
            T.CLI_OUTBOX_ERROR.format(
                at=_at(e.at, tz), chat=e.chat, status=T.CLI_OUTBOX_STATES.get(e.status, e.status), error=e.error
            )
            for e in status.errors
        ]
    return lines


async def report(session: AsyncSession, config: Config, now: datetime) -> str:
    """The whole `sotay outbox status` answer, in Vietnamese."""
    tz = config.tz
    found = await channels(session, now, tz, always=config.channels.enabled())
    budgets = config.channels.quotas()
    lines = [T.CLI_OUTBOX_TITLE.format(at=_at(now, tz))]
    for status in found:
        lines += _channel_lines(status, config.channels.label(status.channel), tz)
        budget = budgets.get(status.channel)
        if budget is not None:
            lines += await _quota_lines(session, config.channels.label(status.channel), status.channel, budget, now, tz)
    return "\n".join(lines)


async def _quota_lines(
    session: AsyncSession, name: str, channel: str, budget: quota.Quota, now: datetime, tz: ZoneInfo
) -> list[str]:
    limit = budget.monthly
    used = await quota.used_this_month(session, channel, now, tz)
    share = f"{100 * used / limit:.0f}%" if limit else "—"
    month = now.astimezone(tz).strftime("%m/%Y")
    lines = [T.CLI_OUTBOX_QUOTA.format(channel=name, month=month, used=used, limit=limit, share=share)]
    started = quota.limit_for(budget, answer=False)
    if started < limit:
        lines.append(T.CLI_OUTBOX_RESERVE.format(reserve=limit - started, limit=started))
    if limit and used >= limit:
        lines.append(T.CLI_OUTBOX_QUOTA_USED_UP)
    elif used >= started:
        lines.append(T.CLI_OUTBOX_RESERVE_REACHED)
    return lines
