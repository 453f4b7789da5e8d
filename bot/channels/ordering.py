"""Messages of one chat are handled one at a time, in arrival order; different chats run side by side."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Hashable
from contextlib import asynccontextmanager


class PerChatOrder:
    def __init__(self, max_running: int) -> None:
        self._running = asyncio.Semaphore(max_running)
        self._locks: dict[Hashable, asyncio.Lock] = {}
        self._waiting: Counter[Hashable] = Counter()

    @asynccontextmanager
    async def turn(self, chat: Hashable | None) -> AsyncIterator[None]:
        """Wait for this chat's turn (FIFO), then for a free slot; `None` waits only for a slot."""
        if chat is None:
            async with self._running:
                yield
            return
        lock = self._locks.setdefault(chat, asyncio.Lock())
        self._waiting[chat] += 1
        try:
            async with lock, self._running:
                yield
        finally:
            self._waiting[chat] -= 1
            if not self._waiting[chat]:
                del self._waiting[chat]
                self._locks.pop(chat, None)
