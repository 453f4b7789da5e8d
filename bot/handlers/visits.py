"""/ghinhan and /gn: log a visit, step by step or in one line."""

from __future__ import annotations

from bot.core.messages import Reply
from bot.flows import log_visit
from bot.flows.context import Ctx
from bot.flows.registry import ENGINE
from bot.handlers.basics import team_required


async def log(ctx: Ctx, args: str) -> list[Reply]:
    return team_required(ctx) or await ENGINE.start(ctx, log_visit.NAME, args)


async def quick(ctx: Ctx, args: str) -> list[Reply]:
    return team_required(ctx) or await ENGINE.start(ctx, log_visit.QUICK_NAME, args)
