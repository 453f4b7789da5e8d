"""The inbox: what a channel received, kept from the moment it arrives until it is answered.

A channel stores each update (`keep_all`) before it tells the platform the update arrived (the webhook's 200, the
offset of the next getUpdates), and removes it (`done`) in the transaction that answers it, or right after. A bot
killed in between finds the update at its next start (`waiting`) and answers it then; the router's de-duplication
makes a second handling of one already answered a no-op. An update that is still unanswered after MAX_REPLAYS
starts (it makes the bot fail each time) is dropped, with its id logged, so it cannot block a chat for ever.
Bodies hold what users typed: they are never logged.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.store.db import Store, dialect_insert
from bot.store.models import InboxItem

MAX_REPLAYS = 3
log = logging.getLogger(__name__)


async def keep_all(
    store: Store, channel: str, updates: Sequence[tuple[str, dict[str, Any]]], now: datetime
) -> set[str]:
    """Store updates (reference, body) in one statement of its own transaction; the references not stored before
    (a redelivery is not)."""
    if not updates:
        return set()
    insert = dialect_insert(store.engine.dialect.name)
    rows = [
        {"channel": channel, "update_ref": ref[:80], "body": body, "received_at": now, "replays": 0}
        for ref, body in updates
    ]
    stmt = (
        insert(InboxItem)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["channel", "update_ref"])
        .returning(col(InboxItem.update_ref))
    )
    return {ref for (ref,) in await store.returning(stmt, f"the {channel} inbox")}


async def done(session: AsyncSession, channel: str, update_ref: str) -> None:
    """The update is answered: forget it."""
    stmt = delete(InboxItem).where(col(InboxItem.channel) == channel, col(InboxItem.update_ref) == update_ref[:80])
    await session.exec(stmt)  # type: ignore[call-overload]


async def waiting(session: AsyncSession, channel: str) -> Sequence[InboxItem]:
    """The updates of `channel` left unanswered by an earlier run, oldest first; each is counted as replayed once
    more, and those replayed MAX_REPLAYS times already are dropped instead."""
    stale = select(InboxItem.id).where(InboxItem.channel == channel, InboxItem.replays >= MAX_REPLAYS)
    for item_id in (await session.exec(stale)).all():
        log.error("inbox row %s of %s was never answered after %d starts; dropped", item_id, channel, MAX_REPLAYS)
    await session.exec(  # type: ignore[call-overload]
        delete(InboxItem).where(col(InboxItem.channel) == channel, col(InboxItem.replays) >= MAX_REPLAYS)
    )
    rows = (await session.exec(select(InboxItem).where(InboxItem.channel == channel).order_by(col(InboxItem.id)))).all()
    if rows:
        await session.exec(  # type: ignore[call-overload]
            update(InboxItem).where(col(InboxItem.id).in_([r.id for r in rows])).values(replays=InboxItem.replays + 1)
        )
    return rows
