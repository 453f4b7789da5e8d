"""How a channel answers one stored update: handle it, queue the answer in the same transaction, send it at once.

Every channel answers the same way, so that a kill, a restart, a refused send or a timeout never leaves a member
without an answer:

1. the update is already in the inbox (the channel stored it before acknowledging it to the platform);
2. the router handles it, and in the router's own transaction the answer's messages are written to the outbox and
   the update is marked answered (the router's record that it was handled): either both happened or neither did
   (then the update is handled again, from the inbox, at the next start);
3. the messages are sent at once by the sender's direct path (`OutboxSender.send_now`: the same rules, the same
   failure vocabulary and retries as every other outbox message); what cannot go now, the sender's loop sends
   later, in order.

An update found answered already is a duplicate and gets nothing; a failed handling (rolled back) is answered with its
apology, queued and sent the same way, and so is an answer the platform refuses for good (a message it will never
accept): the member is told something went wrong rather than left waiting.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlmodel.ext.asyncio.session import AsyncSession

from bot import texts as T
from bot.channels.sender import OutboxSender, Outcome
from bot.core.messages import Inbound, OutMessage, Reply
from bot.handlers.router import Handled, Router
from bot.services import inbox, outbox
from bot.services.deps import Deps

log = logging.getLogger(__name__)

Messages = Callable[[Sequence[Reply]], Sequence[OutMessage]]  # the channel's messages for the router's replies
Render = Callable[[Handled], Sequence[OutMessage]]  # the same, where the channel needs more of the answer


@dataclass
class Answered:
    handled: Handled
    queued: list[int] = field(default_factory=list)  # the answer's outbox rows


class Answerer:
    """Answers one bot's stored updates (see the module's docstring)."""

    def __init__(self, router: Router, deps: Deps, sender: OutboxSender, key: str, messages: Messages) -> None:
        self.router = router
        self.deps = deps
        self.sender = sender
        self.key = key
        self.messages = messages

    async def answer(self, inbound: Inbound, inbox_ref: str, render: Render | None = None) -> Answered:
        """Answer one stored update. `render`: the chat's messages, when the channel needs more than the replies
        (a tapped prompt to update in place); else `messages` of the replies."""
        render = render or (lambda handled: self.messages(handled.replies))
        queued: list[int] = []
        delivered: Handled | None = None

        async def deliver(session: AsyncSession, handled: Handled) -> None:
            nonlocal queued, delivered
            queued = await self._queue(session, inbound.chat_ref, render(handled))
            if handled.private and handled.private_chat:  # to a group message: the sender's own chat with the bot
                queued += await self._queue(session, handled.private_chat, self.messages(handled.private))
            delivered = handled

        async def record(session: AsyncSession) -> bool:  # answered in the same transaction, or a duplicate
            return await inbox.answered(session, self.key, inbox_ref, self.deps.clock.now())

        async def settle(session: AsyncSession, messages: Sequence[OutMessage]) -> list[int]:
            await record(session)
            return await self._queue(session, inbound.chat_ref, messages)

        handled = await self.router.handle(inbound, deliver, record)
        if handled.duplicate:  # answered by another process, or before a restart
            return Answered(handled)
        if handled is not delivered:  # handling failed and was rolled back, answer and all: the apology alone
            apology = render(handled)
            queued = await self.deps.store.transact(lambda session: settle(session, apology), "an apology")
        if handled.queued:  # a notice for someone else (a flagged visit, an assignment)
            self.sender.wake()
        outcomes = await self.sender.send_now(self.key, queued) if queued else []
        if Outcome.FAILED in outcomes:  # the platform refused the answer for good: the member is not left waiting
            log.warning("%s refused an answer; an apology is sent instead", self.key)
            apology = await self.deps.store.transact(
                lambda session: self._queue(session, inbound.chat_ref, [OutMessage(T.INTERNAL_ERROR, answer=True)]),
                "an apology",
            )
            queued += apology
            await self.sender.send_now(self.key, apology)
        return Answered(handled, queued)

    async def _queue(self, session: AsyncSession, chat_ref: str, messages: Sequence[OutMessage]) -> list[int]:
        return await outbox.enqueue_answer(session, self.key, chat_ref, self.deps.clock.now(), messages)
