"""The router's unit of work when the database is busy or a redelivery was handled meanwhile, on both backends."""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

from sqlalchemy import event
from sqlmodel import func, select

from bot import texts as T
from bot.handlers.router import Handled
from bot.services import dedup, outbox
from bot.store.models import OutboxItem, ProcessedMessage
from tests.chat import joined


async def _count(deps, model) -> int:  # type: ignore[no-untyped-def]
    async with deps.store.session() as s:
        return (await s.exec(select(func.count()).select_from(model))).one()


async def test_a_message_that_found_the_database_busy_is_handled_again_not_apologised_for(router, deps, caplog):
    chat = await joined(router, deps, "u1")
    busy = {"left": 1}

    def locked_once(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO PROCESSED_MESSAGE") and busy["left"]:
            busy["left"] -= 1
            raise sqlite3.OperationalError("database is locked")  # as when another writer held the lock too long

    async def queue(session, handled: Handled) -> None:  # type: ignore[no-untyped-def]
        for reply in handled.replies:
            await outbox.enqueue(session, "test", "u1", deps.clock.now(), text=reply.text)

    before = await _count(deps, ProcessedMessage)
    event.listen(deps.store.engine.sync_engine, "before_cursor_execute", locked_once)
    try:
        handled = await router.handle(chat._inbound(text="/ghinhan"), queue)
    finally:
        event.remove(deps.store.engine.sync_engine, "before_cursor_execute", locked_once)
    assert busy["left"] == 0 and T.HH_PICK_EMPTY in handled.replies[0].text
    assert await _count(deps, ProcessedMessage) == before + 1
    assert await _count(deps, OutboxItem) == 1  # the first attempt's answer was rolled back with it
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_redelivery_recorded_meanwhile_undoes_this_copy(router, deps):
    """Another process handled the same message while this one was answering it: this copy is a duplicate, and
    nothing of it is kept (its queued answer included)."""
    chat = await joined(router, deps, "u1")
    inbound = chat._inbound(text="/trogiup")
    before = await _count(deps, ProcessedMessage)

    async def queue_after_the_other(session, handled: Handled) -> None:  # type: ignore[no-untyped-def]
        async with deps.store.session() as other:  # the other process commits its copy first
            assert await dedup.first_time(other, inbound.channel, inbound.message_id, deps.clock.now())
        for reply in handled.replies:
            await outbox.enqueue(session, "test", "u1", deps.clock.now(), text=reply.text)

    handled = await router.handle(inbound, queue_after_the_other)
    assert handled.duplicate and not handled.replies
    assert await _count(deps, ProcessedMessage) == before + 1
    assert await _count(deps, OutboxItem) == 0
