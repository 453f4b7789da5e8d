"""A fake API failing a fifth of the sends (429, 500, a connection lost before or after delivery) still gets every
answer and every notice to every chat: exactly once where the API told the bot what happened, and once more only
where the connection dropped after the platform had delivered the message (the bot cannot tell; it sends again).

The bot's clock is driven forward while the test runs (thirty seconds every 20 ms), so retries and pauses, which
wait on that clock, come due without the test waiting for them.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta

import pytest
from sqlmodel import col, select

from bot.channels.telegram import TelegramChannel
from bot.core.clock import FixedClock
from bot.handlers.router import Router
from bot.services import outbox
from bot.services.deps import Deps
from bot.store.models import InboxItem, OutboxItem
from tests.channels.test_zalo_e2e import running
from tests.fakes.faults import Faults
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_api import text_update

CHATS = 12
MESSAGES = 3  # each chat's user writes this many, concurrently with the others
NOTICES = 1  # and the bot starts this many messages to each chat
WAIT = 90.0  # seconds at most for everything to arrive (a loaded machine is slow; it takes a few seconds)


@asynccontextmanager
async def clock_running(clock: FixedClock) -> AsyncIterator[None]:
    async def drive() -> None:
        while True:
            await asyncio.sleep(0.02)
            clock.advance(timedelta(seconds=30))

    task = asyncio.create_task(drive())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def queue_notices(deps: Deps, channel: str, chats: list[str]) -> None:
    async with deps.store.session() as s:
        for chat in chats:
            for n in range(NOTICES):
                await outbox.enqueue(s, channel, chat, deps.clock.now(), text=f"Thông báo {n}", dedup_key=f"{chat}:{n}")


async def settled(deps: Deps) -> tuple[list[str], int]:
    """The outbox rows' statuses, and the updates not yet answered."""
    async with deps.store.session() as s:
        statuses = list((await s.exec(select(OutboxItem.status))).all())
        waiting = (await s.exec(select(InboxItem.id).where(col(InboxItem.answered_at).is_(None)))).all()
    return statuses, len(waiting)


async def eventually(done: Callable[[], Awaitable[bool]], seconds: float = WAIT) -> None:
    for _ in range(int(seconds / 0.05)):
        if await done():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"not done within {seconds} s")


async def all_sent(deps: Deps) -> tuple[list[str], int]:
    """`settled` once every row is marked (the last marks may still be on their way)."""

    async def marked() -> bool:
        statuses, waiting = await settled(deps)
        return all(status == outbox.SENT for status in statuses) and not waiting

    await eventually(marked)
    return await settled(deps)


async def wait_for(done: Callable[[], bool]) -> None:
    async def ready() -> bool:
        return done()

    await eventually(ready)


def check(received: dict[str, int], faults: Faults, statuses: list[str], waiting: int) -> None:
    assert faults.picked["429"] and faults.picked["500"] and faults.picked["lost"] and faults.picked["late"]
    for chat, count in received.items():
        assert count == MESSAGES + NOTICES + faults.late[chat], chat
    assert statuses and all(status == outbox.SENT for status in statuses)
    assert waiting == 0


async def test_telegram_answers_and_notices_reach_every_chat_through_failing_sends(
    deps: Deps, clock: FixedClock
) -> None:
    users = [7_400_000 + i for i in range(CHATS)]
    faults = Faults(rate=0.2, seed=11)
    async with FakeTelegram(faults=faults) as api, clock_running(clock):
        settings = deps.config.channels.telegram.model_copy(update={"base_url": api.base_url, "mode": "polling"})
        channel = TelegramChannel(Router(deps), deps, api.token, settings, poll_timeout=0.5)
        await channel.start()
        try:
            await queue_notices(deps, channel.key, [str(u) for u in users])
            channel.wake()
            for n in range(MESSAGES):
                for user in users:
                    api.user_sends_text(user, f"xin chào {n}")
            total = CHATS * (MESSAGES + NOTICES)
            await wait_for(lambda: sum(len(api.received(u)) for u in users) >= total + sum(faults.late.values()))
            statuses, waiting = await all_sent(deps)
        finally:
            await channel.stop()
        received = {str(u): len(api.received(u)) for u in users}
    check(received, faults, statuses, waiting)


async def test_zalo_answers_and_notices_reach_every_chat_through_failing_sends(
    deps: Deps, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    users = [f"zfault{i:04d}" for i in range(CHATS)]
    faults = Faults(rate=0.2, seed=5)
    async with running(deps, monkeypatch) as zalo, clock_running(clock):
        zalo.api.faults = faults
        await queue_notices(deps, zalo.channel.key, users)
        zalo.channel.wake()

        async def user(name: str) -> None:
            for n in range(MESSAGES):
                assert await zalo.post(text_update(name, f"xin chào {n}")) == 200

        await asyncio.gather(*(user(u) for u in users))

        def count() -> dict[str, int]:
            return {u: sum(1 for s in zalo.api.sent if s.chat_id == u) for u in users}

        await wait_for(lambda: sum(count().values()) >= CHATS * (MESSAGES + NOTICES) + sum(faults.late.values()))
        await zalo.channel.settle()
        statuses, waiting = await all_sent(deps)
        received = count()
    check(received, faults, statuses, waiting)
