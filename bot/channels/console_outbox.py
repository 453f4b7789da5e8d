"""The terminal demo's stand-in for the Telegram and Zalo senders: prints what the bot would send, and marks it sent.

Only the demo uses it (bot/app.py run_demo). It takes due outbox rows of every channel, so reminders and notices
addressed to demo members on any app show up in the terminal as "📨 Gửi tới Trần Thị Lan (Zalo): …".
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import texts as T
from bot.services import outbox
from bot.services.deps import Deps
from bot.store.models import ChannelIdentity, Member, OutboxItem

log = logging.getLogger(__name__)
CHECK_EVERY = 1.0  # wall-clock seconds between two looks at the outbox


class ConsoleOutbox:
    def __init__(self, deps: Deps, write: Callable[[str], None], check_every: float = CHECK_EVERY) -> None:
        self.deps = deps
        self.write = write
        self.check_every = check_every
        self._task: asyncio.Task[None] | None = None

    async def drain(self) -> int:
        """Print every due message (oldest first) and mark it sent; returns how many were printed."""
        printed = 0
        async with self.deps.store.session() as session:
            now = self.deps.clock.now()
            for channel in await _due_channels(session, now):
                while items := await outbox.due(session, channel, now):
                    for item in items:
                        self.write(await self._line(session, item))
                        outbox.mark_sent(item, now)
                        printed += 1
                    await session.flush()
        return printed

    async def _line(self, session: AsyncSession, item: OutboxItem) -> str:
        name = await self._recipient(session, item)
        return T.OUTBOX_CONSOLE_SENT.format(name=name, channel=_channel_name(item.channel), text=_body(item))

    async def _recipient(self, session: AsyncSession, item: OutboxItem) -> str:
        stmt = (
            select(Member.display_name)
            .join(ChannelIdentity, col(ChannelIdentity.member_id) == col(Member.id))
            .where(ChannelIdentity.channel == item.channel, ChannelIdentity.chat_ref == item.chat_ref)
        )
        name = (await session.exec(stmt)).first()
        return name or item.chat_ref

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.check_every)
            try:
                await self.drain()
            except Exception:  # e.g. the database busy for a moment: try again at the next look
                log.warning("console outbox: drain failed", exc_info=True)

    def start(self) -> None:
        """Keep printing in the background until stop()."""
        if self._task is None:
            self._task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        """Stop the background loop, then print whatever is still due."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self.drain()


async def _due_channels(session: AsyncSession, now: datetime) -> list[str]:
    stmt = select(OutboxItem.channel).where(OutboxItem.status == outbox.PENDING, OutboxItem.next_attempt_at <= now)
    return sorted(set((await session.exec(stmt.distinct())).all()))


async def own_chats(deps: Deps, channel: str) -> int:
    """Give each identity of `channel` its own chat (its user ref), so a message is addressed to one person: the demo
    commune's members were once all linked to the chat "demo". Returns how many were changed."""
    async with deps.store.session() as session:
        stmt = select(ChannelIdentity).where(
            ChannelIdentity.channel == channel, col(ChannelIdentity.chat_ref) != col(ChannelIdentity.user_ref)
        )
        rows = (await session.exec(stmt)).all()
        for identity in rows:
            identity.chat_ref = identity.user_ref
            session.add(identity)
    return len(rows)


def _channel_name(channel: str) -> str:
    return T.CHANNEL_NAMES.get(channel, channel)


def _body(item: OutboxItem) -> str:
    return T.OUTBOX_CONSOLE_PHOTO.format(text=item.text) if item.kind == "photo" else item.text
