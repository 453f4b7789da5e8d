"""Each incoming message is handled once, even when a channel delivers it twice.

The router asks `seen` first (a read) and records the message with `first_time` at the end of its unit of work,
in the same transaction as the message's effects: on SQLite any write takes the lock of the whole database, so
recording first would hold that lock for all of the message's reading too.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.store.db import upsert_insert
from bot.store.models import ProcessedMessage


async def seen(session: AsyncSession, channel: str, message_id: str) -> bool:
    """Whether the message is already recorded (handled and committed)."""
    stmt = select(ProcessedMessage.message_id).where(
        ProcessedMessage.channel == channel, ProcessedMessage.message_id == message_id
    )
    return (await session.exec(stmt)).first() is not None


async def first_time(session: AsyncSession, channel: str, message_id: str, now: datetime) -> bool:
    """Record the message id; False when it was already recorded (on PostgreSQL, after waiting for a concurrent
    transaction that recorded it to commit)."""
    insert = upsert_insert(session)
    stmt = (
        insert(ProcessedMessage)
        .values(channel=channel, message_id=message_id, received_at=now)
        .on_conflict_do_nothing(index_elements=["channel", "message_id"])
    )
    result = await session.exec(stmt)  # type: ignore[call-overload]
    return bool(result.rowcount)


async def prune(session: AsyncSession, older_than: datetime) -> int:
    result = await session.exec(delete(ProcessedMessage).where(ProcessedMessage.received_at < older_than))  # type: ignore[call-overload]
    return int(result.rowcount or 0)


RETENTION = timedelta(days=7)
