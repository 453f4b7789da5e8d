"""Replies stored by a channel are part of the message's transaction: all or nothing."""

from sqlmodel import func, select

from bot import texts as T
from bot.services import outbox
from bot.store.models import OutboxItem, ProcessedMessage
from tests.chat import joined


async def _count(deps, model) -> int:
    async with deps.store.session() as s:
        return (await s.exec(select(func.count()).select_from(model))).one()


async def test_failed_delivery_rolls_back_and_the_redelivery_is_processed(router, deps):
    chat = await joined(router, deps, "u1")
    before = await _count(deps, ProcessedMessage)
    inbound = chat._inbound(text="/ghinhan")

    async def broken(session, handled):  # type: ignore[no-untyped-def]
        raise OSError("disk full")

    failed = await router.handle(inbound, broken)
    assert [r.text for r in failed.replies] == [T.INTERNAL_ERROR]
    assert await _count(deps, ProcessedMessage) == before  # not marked processed

    async def queue(session, handled):  # type: ignore[no-untyped-def]
        for reply in handled.replies:
            await outbox.enqueue(session, "test", "u1", deps.clock.now(), text=reply.text)

    again = await router.handle(inbound, queue)
    assert not again.duplicate and T.HH_PICK_EMPTY in again.replies[0].text
    assert await _count(deps, OutboxItem) == 1
    duplicate = await router.handle(inbound, queue)
    assert duplicate.duplicate
    assert await _count(deps, OutboxItem) == 1
