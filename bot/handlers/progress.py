"""/tiendo: progress against the targets. (Being built: issue 5.)"""

from __future__ import annotations

from bot import texts as T
from bot.core.messages import Reply
from bot.flows.context import Ctx


async def show(ctx: Ctx, args: str) -> list[Reply]:
    return [Reply(T.DONT_UNDERSTAND)]
