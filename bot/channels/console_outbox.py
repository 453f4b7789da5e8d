"""The terminal demo's outlets: what the bot would send on any app is printed, then marked sent by the one sender.

Only the demo uses it (bot/app.py run_demo). The demo commune's members are linked to every app, so an outlet is
added for each app the catalogue names, and reminders and notices addressed to them show up in the terminal as
"📨 Gửi tới Trần Thị Lan (Zalo): …".
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlmodel import col, select

from bot import texts as T
from bot.channels.outlet import Capabilities, with_reply_word
from bot.channels.sender import OutboxSender
from bot.core.messages import OutMessage
from bot.services.deps import Deps
from bot.store.models import ChannelIdentity, Member

log = logging.getLogger(__name__)
CHECK_EVERY = 1.0  # wall-clock seconds between two looks at the outbox


class PrintingOutlet:
    """Prints one app's messages in the terminal (one at a time, in order)."""

    capabilities = Capabilities(max_text=100_000, pictures=True, files=True, parallel=1)

    def __init__(self, deps: Deps, channel: str, write: Callable[[str], None]) -> None:
        self.deps = deps
        self.channel = channel
        self.write = write

    def is_group(self, chat_ref: str) -> bool:
        return False

    def render(self, message: OutMessage) -> list[str]:
        text = with_reply_word(message)
        if message.attachment is not None or message.lost_attachment:
            text = T.OUTBOX_CONSOLE_PHOTO.format(text=text)
        return [text] if text.strip() else []

    async def deliver(self, chat_ref: str, piece: object) -> None:
        name = await self._recipient(chat_ref)
        channel = self.deps.config.channels.label(self.channel)
        self.write(T.OUTBOX_CONSOLE_SENT.format(name=name, channel=channel, text=piece))

    async def _recipient(self, chat_ref: str) -> str:
        stmt = (
            select(Member.display_name)
            .join(ChannelIdentity, col(ChannelIdentity.member_id) == col(Member.id))
            .where(ChannelIdentity.channel == self.channel, ChannelIdentity.chat_ref == chat_ref)
        )
        async with self.deps.store.session() as session:
            name = (await session.exec(stmt)).first()
        return name or chat_ref


class ConsoleOutbox:
    """The one outbox sender with a printing outlet for every app."""

    def __init__(self, deps: Deps, write: Callable[[str], None], check_every: float = CHECK_EVERY) -> None:
        self.sender = OutboxSender(
            deps, [PrintingOutlet(deps, channel, write) for channel in T.CHANNEL_NAMES], check_every=check_every
        )

    async def drain(self) -> int:
        """Print every due message (oldest first) and mark it sent; returns how many were printed."""
        return await self.sender.drain_once()

    def start(self) -> None:
        """Keep printing in the background until stop()."""
        self.sender.start()

    async def stop(self) -> None:
        """Stop the background loop, then print whatever is still due."""
        await self.sender.stop()
        await self.drain()


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
