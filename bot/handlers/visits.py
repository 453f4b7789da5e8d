"""/ghinhan: log a visit."""

from __future__ import annotations

from bot import texts as T
from bot.core.messages import Reply
from bot.flows import log_visit
from bot.flows.context import Ctx
from bot.flows.registry import ENGINE


async def log(ctx: Ctx, args: str) -> list[Reply]:
    if not ctx.member.team_code or ctx.config.team(ctx.member.team_code) is None:
        return [Reply(T.NEEDS_TEAM)]
    return await ENGINE.start(ctx, log_visit.NAME, args)
