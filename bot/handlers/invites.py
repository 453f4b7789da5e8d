"""/moi: leaders and staff invite people."""

from __future__ import annotations

from bot.core.messages import Reply
from bot.flows import invite
from bot.flows.context import Ctx
from bot.flows.registry import ENGINE


async def create(ctx: Ctx, args: str) -> list[Reply]:
    return await ENGINE.start(ctx, invite.NAME, args)
