"""/bieudo and /xuat: the progress chart and the spreadsheet export. (Being built: issue 5.)"""

from __future__ import annotations

from bot import texts as T
from bot.core.messages import Reply
from bot.flows.context import Ctx


async def chart(ctx: Ctx, args: str) -> list[Reply]:
    return [Reply(T.DONT_UNDERSTAND)]


async def export(ctx: Ctx, args: str) -> list[Reply]:
    return [Reply(T.DONT_UNDERSTAND)]
