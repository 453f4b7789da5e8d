import asyncio

from bot.channels.ordering import PerChatOrder


async def test_one_chat_in_order_other_chats_alongside():
    order = PerChatOrder(max_running=4)
    events: list[str] = []
    release = asyncio.Event()

    async def work(chat: str, name: str, hold: bool) -> None:
        async with order.turn(chat):
            events.append(f"start {name}")
            if hold:
                await release.wait()
            events.append(f"end {name}")

    first = asyncio.create_task(work("a", "a1", hold=True))
    second = asyncio.create_task(work("a", "a2", hold=False))
    other = asyncio.create_task(work("b", "b1", hold=False))
    await other  # chat b is not held up by chat a
    assert events == ["start a1", "start b1", "end b1"]
    release.set()
    await asyncio.gather(first, second)
    assert events[3:] == ["end a1", "start a2", "end a2"]
    assert not order._locks  # nothing kept once a chat is idle
