"""Telling a member something they did not ask for (a flagged visit, an assignment): through the outbox."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services import outbox
from bot.store.models import ChannelIdentity


async def to_member(
    session: AsyncSession, member_id: int, text: str, now: datetime, dedup_key: str | None = None
) -> int:
    """Queue `text` for every app the member uses. Returns how many messages were queued.

    With a `dedup_key`, each app gets the message at most once (the key is suffixed with the channel).
    """
    identities = (await session.exec(select(ChannelIdentity).where(ChannelIdentity.member_id == member_id))).all()
    queued = 0
    for identity in identities:
        key = f"{dedup_key}:{identity.channel}" if dedup_key else None
        item = await outbox.enqueue(session, identity.channel, identity.chat_ref, now, text=text, dedup_key=key)
        queued += item is not None
    return queued
