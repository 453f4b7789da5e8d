"""/sua and /kiemtra: correcting, undoing and flagging visits. (Being built: issue 4 item 5.)"""

from __future__ import annotations

from bot import texts as T
from bot.core.messages import Reply
from bot.flows.context import Ctx


async def edit(ctx: Ctx, args: str) -> list[Reply]:
    return [Reply(T.DONT_UNDERSTAND)]


async def flag(ctx: Ctx, args: str) -> list[Reply]:
    return [Reply(T.DONT_UNDERSTAND)]
