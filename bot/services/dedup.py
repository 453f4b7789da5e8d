"""Each incoming message is handled once, even when a channel delivers it twice."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.store.db import upsert_insert
from bot.store.models import ProcessedMessage


async def first_time(session: AsyncSession, channel: str, message_id: str, now: datetime) -> bool:
    """Record the message id; False when it was already recorded."""
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
