"""The inbox: what a channel received, kept from the moment it arrives until it is answered, and a while after.

A channel stores each update (`keep_all`) before it tells the platform the update arrived (the webhook's 200, the
offset of the next getUpdates). The transaction that answers it marks it answered (`answered`): its body is
emptied and the row stays for RETENTION as the record that it was handled, so a redelivery (`keep_all` finds the
row) or a second process replaying it (`answered` finds it answered) does nothing; the router takes that mark as
its de-duplication of the message. A bot killed in between finds the update at its next start (`waiting`) and
answers it then. An update that is still unanswered after MAX_REPLAYS starts (it makes the bot fail each time) is
dropped, with its id logged, so it cannot block a chat for ever. Bodies hold what users typed: they are never
logged, and they go once the update is answered.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.store.db import Store, dialect_insert
from bot.store.models import InboxItem

MAX_REPLAYS = 3
# Telegram keeps an unconfirmed update for 24 hours and Zalo retries a webhook for minutes; an idle Telegram bot's
# next update id is chosen at random after a week, so a kept id must be gone by then.
RETENTION = timedelta(days=2)
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
    # The rows as parameters, not in the statement: it is then compiled once and cached (VALUES built from the
    # rows has no cache key, and would be compiled again for every update).
    stmt = (
        insert(InboxItem)
        .on_conflict_do_nothing(index_elements=["channel", "update_ref"])
        .returning(col(InboxItem.update_ref))
    )
    return {ref for (ref,) in await store.returning(stmt, f"the {channel} inbox", rows)}


async def answered(session: AsyncSession, channel: str, update_ref: str, now: datetime) -> bool:
    """Mark the update answered (in the transaction that answers it); False when it already was (another process
    or an earlier run answered it: this handling is a duplicate). On PostgreSQL a second transaction marking the
    same row waits for the first, then finds it answered."""
    params = {"b_channel": channel, "b_ref": update_ref[:80], "b_at": now, "b_body": {}}
    result = await session.exec(_ANSWERED, params=params)  # type: ignore[call-overload]
    return bool(result.rowcount)


# Built once (every update is marked): its parameters are the update and the time.
_ANSWERED = (
    update(InboxItem)
    .where(
        col(InboxItem.channel) == bindparam("b_channel"),
        col(InboxItem.update_ref) == bindparam("b_ref"),
        col(InboxItem.answered_at).is_(None),
    )
    .values(answered_at=bindparam("b_at"), body=bindparam("b_body"))
    .execution_options(synchronize_session=False)  # no inbox row is loaded in the session to bring up to date
)


async def prune(session: AsyncSession, older_than: datetime) -> int:
    """Forget answered updates older than the retention window (platforms redeliver within minutes, not days)."""
    stmt = delete(InboxItem).where(col(InboxItem.answered_at) < older_than)
    result = await session.exec(stmt)  # type: ignore[call-overload]
    return int(result.rowcount or 0)


async def waiting(session: AsyncSession, channel: str) -> Sequence[InboxItem]:
    """The updates of `channel` left unanswered by an earlier run, oldest first; each is counted as replayed once
    more, and those replayed MAX_REPLAYS times already are dropped instead."""
    unanswered = (col(InboxItem.channel) == channel, col(InboxItem.answered_at).is_(None))
    stale = select(InboxItem.id).where(*unanswered, InboxItem.replays >= MAX_REPLAYS)
    for item_id in (await session.exec(stale)).all():
        log.error("inbox row %s of %s was never answered after %d starts; dropped", item_id, channel, MAX_REPLAYS)
    await session.exec(  # type: ignore[call-overload]
        delete(InboxItem).where(*unanswered, col(InboxItem.replays) >= MAX_REPLAYS)
    )
    rows = (await session.exec(select(InboxItem).where(*unanswered).order_by(col(InboxItem.id)))).all()
    if rows:
        await session.exec(  # type: ignore[call-overload]
            update(InboxItem).where(col(InboxItem.id).in_([r.id for r in rows])).values(replays=InboxItem.replays + 1)
        )
    return rows
