"""/nhap and files sent in chat: staff import a household list. (Being built: issue 4 item 1.)"""

from __future__ import annotations

from bot import texts as T
from bot.core.messages import Reply
from bot.flows.context import Ctx


async def start(ctx: Ctx, args: str) -> list[Reply]:
    return [Reply(T.DONT_UNDERSTAND)]


async def receive_file(ctx: Ctx) -> list[Reply]:
    return [Reply(T.TEXT_ONLY)]
